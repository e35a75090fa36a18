// SPDX-License-Identifier: GPL-2.0
/*
 * mon_events.c - HyperDbg events at VM exits, in VMX root.
 *
 * For each exit an enabled event needs, an exit hook (hv_set_exit_hook)
 * replaces exit.c's handler while the event is enabled: it matches the
 * events of the pre stage, runs their actions, emulates the instruction
 * (unless an action short-circuited it), then runs the post stage.  The
 * emulation repeats what the CPU would have done (SDM vol. 2 for each
 * instruction) and what exit.c does for the exits it handles itself
 * (CPUID, MSRs outside the bitmap, XSETBV, CR4.VMXE hiding, hvgdb's own
 * VMCALLs).  Actions: break (hv_gdb_stop_here with the event's O-line),
 * condition and script (script_eval here, output to gdb at once or
 * batched per CPU).  Nothing here allocates, sleeps or takes a lock.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/fpu/xcr.h>
#include <asm/tlbflush.h>
#include <asm/asm.h>
#include <linux/io.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/dr.h"
#include "kmod/debug/gdb.h"
#include "kmod/vmx/hypercall.h"
#include "kmod/events/mon_priv.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/event_vmx.h"
#include "monitor-cmds/event_emul.h"

/* ---- output ---- */

/* Send the batch's oldest bytes to gdb while it takes them; nothing is
 * dropped when gdb is busy or absent. */
static void mon_push(struct event_outbuf *b)
{
	while (b->count) {
		u32 n = min(b->count, b->cap - b->head);
		size_t sent = hv_gdb_console(b->buf + b->head, n);

		if (!sent)
			return;
		b->head = (b->head + (u32)sent) % b->cap;
		b->count -= (u32)sent;
	}
}

static void mon_emit(void *arg, const char *s, u32 len)
{
	struct mon_ctx *m = arg;

	if (m->imm) {
		size_t n = hv_gdb_console(s, len);

		s += n;
		len -= n;
		if (!len)
			return;
	}
	if (event_outbuf_put(m->ob, s, len) == EVENT_OUT_FLUSH)
		mon_push(m->ob);
}

u32 mon_flush_all(char *buf, u32 cap,
		  void (*emit)(void *arg, const char *s, u32 len), void *arg)
{
	u32 total = 0, n;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct mon_cpu *mc = mon.cpu[cpu];

		if (!mc)
			continue;
		while ((n = event_outbuf_drain(&mc->ob, buf, cap))) {
			emit(arg, buf, n);
			total += n;
		}
	}
	return total;
}

/* ---- actions ---- */

static bool mon_break(struct hv_cpu *c, struct hv_regs *r,
		      const struct event *ev, const struct event_exit *x)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];
	struct rsp_stop stop = {
		.tid = c->cpu + 1, .signal = RSP_SIGTRAP,
		.reason = RSP_STOP_SIGNAL,
	};
	struct event_table *t = &mon.table;
	size_t len;
	bool stopped;

	len = event_format_hit(mc->line, MON_LINE, ev, x);
	t->stopped_by_event = true;
	t->stop_event_id = ev->id;
	t->stop_sc = false;
	/* ev may be cleared while halted: not used after this call. */
	stopped = hv_gdb_stop_here(c, r, &stop, mc->line, len);
	t->stopped_by_event = false;
	return stopped && t->stop_sc;
}

/* Run one event's actions; true when it short-circuits the instruction. */
static bool mon_act(struct hv_cpu *c, struct hv_regs *r,
		    const struct event *ev, const struct event_exit *x)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];
	struct mon_ctx *m = &mc->ctx;
	bool sc = ev->spec.sc;

	mon_ctx_exit(m, c, r);
	m->ev = ev;
	m->x = x;
	m->buffer = event_buffer(&mon.table, ev);
	m->imm = ev->spec.imm;
	m->ob = &mc->ob;
	m->line = mc->line;
	m->direct = mon_emit;
	m->direct_arg = m;
	mc->fired++;
	if (ev->cond_prog) {
		int st = script_eval(&mc->vm, ev->cond_prog, &mon_script_ops,
				     m, 0);

		if (m->line_len)
			mon_emit(m, m->line, m->line_len);
		m->line_len = 0;
		if (st != SCRIPT_OK || !mc->vm.result)
			return false;
	}
	if (ev->script_prog) {
		script_eval(&mc->vm, ev->script_prog, &mon_script_ops, m, 0);
		if (m->line_len)
			mon_emit(m, m->line, m->line_len);
		m->line_len = 0;
	} else {
		m->pause = true;	/* no script: the action is break */
	}
	sc = sc || m->sc;
	if (m->pause)
		sc = mon_break(c, r, ev, x) || sc;
	return sc;
}

/* The events of x's stage, in id order; true: skip the instruction. */
bool mon_fire(struct hv_cpu *c, struct hv_regs *r,
		     struct event_exit *x)
{
	const struct event *hit[MON_MATCH_MAX];
	u32 ids[MON_MATCH_MAX];
	u32 n, i, last = 0;
	bool sc = false, first = true;

	if (!mon.table.count)
		return false;
	x->tgid = current->tgid;
	x->cpu = c->cpu;
	/* Every matching event acts, a window at a time (ids 0 and up). */
	for (;;) {
		n = first ? event_match(&mon.table, x, hit, MON_MATCH_MAX) :
		    event_match_after(&mon.table, x, last, hit,
				      MON_MATCH_MAX);
		n = min_t(u32, n, MON_MATCH_MAX);
		if (!n)
			break;
		first = false;
		for (i = 0; i < n; i++)
			ids[i] = hit[i]->id;
		last = ids[n - 1];
		for (i = 0; i < n; i++) {
			/* A break may have cleared or disabled the later
			 * ones. */
			const struct event *ev =
				event_table_find(&mon.table, ids[i]);

			if (ev && ev->enabled)
				sc = mon_act(c, r, ev, x) || sc;
		}
		if (n < MON_MATCH_MAX)
			break;
	}
	return sc;
}

void mon_exit_init(struct event_exit *x, enum event_type type, u64 key,
		   u64 context)
{
	memset(x, 0, sizeof(*x));
	x->type = type;
	x->key = key;
	x->context = context;
	x->stage = EVENT_STAGE_PRE;
}

/* ---- emulation ---- */

static bool mon_cpl0(void)
{
	return hv_guest_cpl() == 0;
}

/* MSRs a VM exit switches to the host's value, kept in the VMCS guest
 * area (SDM 28.3.2, 27.3.2.1): the guest's copy is read/written there. */
static int mon_vmcs_msr(struct hv_cpu *c, u32 msr)
{
	switch (msr) {
	case 0x174: return VMCS_GUEST_SYSENTER_CS;
	case 0x175: return VMCS_GUEST_SYSENTER_ESP;
	case 0x176: return VMCS_GUEST_SYSENTER_EIP;
	case 0xc0000100: return VMCS_GUEST_FS_BASE;
	case 0xc0000101: return VMCS_GUEST_GS_BASE;
	case 0x1d9:
		return c->ctls.exit & HV_EXIT_SAVE_DEBUG ?
			VMCS_GUEST_DEBUGCTL : -1;
	case 0x277:
		return c->ctls.exit & HV_EXIT_SAVE_PAT ? VMCS_GUEST_PAT : -1;
	case 0xc0000080:
		return c->ctls.exit & HV_EXIT_SAVE_EFER ?
			VMCS_GUEST_EFER : -1;
	}
	return -1;
}

static bool mon_canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

/* false: the guest gets #GP(0) as from the real instruction. */
static bool mon_emul_msr(struct hv_cpu *c, struct hv_regs *r, bool write)
{
	u32 msr = (u32)r->gpr[HV_RCX];
	u64 v = (r->gpr[HV_RAX] & 0xffffffff) | (r->gpr[HV_RDX] << 32);
	int field = mon_vmcs_msr(c, msr);
	u32 lo, hi;

	if (field >= 0) {
		if (!write) {
			v = hv_vmread(field);
			if (msr == 0xc0000080)	/* SCE as the guest set it */
				v = mon_sys_efer_read(c, v);
			r->gpr[HV_RAX] = (u32)v;
			r->gpr[HV_RDX] = v >> 32;
			return true;
		}
		if ((msr == 0xc0000100 || msr == 0xc0000101 ||
		     msr == 0x175 || msr == 0x176) && !mon_canonical(v))
			return false;
		if (msr == 0xc0000080) {
			/* LMA is the CPU's (SDM vol. 3A 9.8.5): keep it. */
			v = (v & ~(1ull << 10)) |
			    (hv_vmread(VMCS_GUEST_EFER) & (1ull << 10));
			v = mon_sys_efer_write(c, v);
		}
		hv_vmwrite(field, v);
		return true;
	}
	if (!write) {
		if (rdmsr_safe(msr, &lo, &hi))
			return false;
		r->gpr[HV_RAX] = lo;
		r->gpr[HV_RDX] = hi;
		return true;
	}
	return !wrmsr_safe(msr, (u32)v, (u32)(v >> 32));
}

/* hvgdb sets no TSC offsetting or scaling (vmcs.c): the guest reads the
 * host's TSC. */
static u64 mon_guest_tsc(struct hv_cpu *c)
{
	return rdtsc_ordered();
}

/* RDPMC with an invalid counter faults (#GP): caught, given to the guest. */
static bool mon_rdpmc(u32 idx, u32 *lo, u32 *hi)
{
	int err = 1;

	asm volatile("1: rdpmc\n\t"
		     "xor %[err], %[err]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [err] "+r"(err), "=a"(*lo), "=d"(*hi)
		     : "c"(idx));
	return !err;
}

static u32 mon_port_in(u16 port, u8 size)
{
	switch (size) {
	case 1: return inb(port);
	case 2: return inw(port);
	default: return inl(port);
	}
}

static void mon_port_out(u16 port, u8 size, u32 v)
{
	switch (size) {
	case 1: outb((u8)v, port); break;
	case 2: outw((u16)v, port); break;
	default: outl(v, port); break;
	}
}

/* IN/OUT (SDM vol. 2 "IN", "OUT"): AL/AX keep the rest of RAX, EAX
 * zero-extends (vol. 1 3.4.1.1). */
static void mon_io_plain(struct hv_regs *r, const struct hv_io_access *a)
{
	u64 rax = r->gpr[HV_RAX];

	if (!a->in) {
		mon_port_out(a->port, a->size, (u32)rax);
		return;
	}
	r->gpr[HV_RAX] = event_in_rax(rax, mon_port_in(a->port, a->size),
				      a->size);
}

#define MON_STR_IO_BATCH	256	/* iterations per exit, then re-exit */

/*
 * INS/OUTS, REP or not (SDM vol. 2 "INS", "OUTS", "REP"): the address
 * size and (for OUTS) segment come from the VM-exit instruction
 * information (SDM 28.2.5, Table 28-8).  Returns false when the guest
 * memory cannot be reached (the guest gets #PF... not emulated: #GP).
 * *done: the instruction completed (advance RIP).
 */
static bool mon_io_string(struct hv_cpu *c, struct hv_regs *r,
			  const struct hv_io_access *a, bool *done)
{
	struct mon_ctx *m = &mon.cpu[c->cpu]->ctx;
	u32 info = (u32)hv_vmread(VMCS_EXIT_INSN_INFO);
	u32 seg = (info >> 15) & 7;
	u64 amask = event_addr_mask(info);
	u64 base = 0, cnt, step, i;
	u32 idx = a->in ? HV_RDI : HV_RSI;
	bool df = hv_vmread(VMCS_GUEST_RFLAGS) & X86_EFLAGS_DF;

	if (!a->in && seg == 4)
		base = hv_vmread(VMCS_GUEST_FS_BASE);
	else if (!a->in && seg == 5)
		base = hv_vmread(VMCS_GUEST_GS_BASE);
	mon_ctx_exit(m, c, r);
	cnt = a->rep ? r->gpr[HV_RCX] & amask : 1;
	step = df ? -(u64)a->size : a->size;
	*done = true;
	for (i = 0; i < cnt && i < MON_STR_IO_BATCH; i++) {
		u64 off = r->gpr[idx] & amask;
		u32 v = 0;

		if (a->in) {
			v = mon_port_in(a->port, a->size);
			if (hv_gdb_write_virt(&m->walk, base + off,
					      (u8 *)&v, a->size))
				return false;
		} else {
			if (hv_gdb_read_virt(&m->walk, base + off, (u8 *)&v,
					     a->size) != a->size)
				return false;
			mon_port_out(a->port, a->size, v);
		}
		r->gpr[idx] = (r->gpr[idx] & ~amask) | ((off + step) & amask);
		if (a->rep)
			r->gpr[HV_RCX] = (r->gpr[HV_RCX] & ~amask) |
					 ((r->gpr[HV_RCX] - 1) & amask);
	}
	/* Left over: RIP stays, the guest re-executes the REP (it may take
	 * interrupts in between, as on hardware). */
	if (a->rep && (r->gpr[HV_RCX] & amask))
		*done = false;
	return true;
}

/* ---- exit hooks ---- */

/* Common shape: pre stage, emulate (unless short-circuited), post. */
#define MON_RUN(c, r, x, emulate_ok)					\
	do {								\
		if (mon_fire(c, r, x)) {				\
			hv_skip_insn();					\
			return HV_RESUME;				\
		}							\
		if (!(emulate_ok))					\
			return HV_RESUME;	/* fault injected */	\
		hv_skip_insn();						\
		(x)->stage = EVENT_STAGE_POST;				\
		mon_fire(c, r, x);					\
		return HV_RESUME;					\
	} while (0)

static int mon_on_cpuid(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct event_exit x;

	mon_exit_init(&x, EVENT_CPUID, (u32)r->gpr[HV_RAX],
		      (u32)r->gpr[HV_RAX]);
	MON_RUN(c, r, &x, (hv_emul_cpuid(r), true));
}

static bool mon_msr_ok(struct hv_cpu *c, struct hv_regs *r, bool write)
{
	if (mon_emul_msr(c, r, write))
		return true;
	hv_inject(HV_VEC_GP, true, 0);
	return false;
}

static int mon_on_msr(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	bool write = reason == EXIT_WRMSR;
	u32 msr = (u32)r->gpr[HV_RCX];
	struct event_exit x;

	mon_exit_init(&x, write ? EVENT_MSRWRITE : EVENT_MSRREAD, msr, msr);
	MON_RUN(c, r, &x, mon_msr_ok(c, r, write));
}

static bool mon_tsc_emul(struct hv_cpu *c, struct hv_regs *r, bool p)
{
	u64 t = mon_guest_tsc(c);

	r->gpr[HV_RAX] = (u32)t;
	r->gpr[HV_RDX] = t >> 32;
	if (p)
		r->gpr[HV_RCX] = (u32)native_read_msr(MSR_TSC_AUX);
	return true;
}

static int mon_on_tsc(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	bool p = reason == EXIT_RDTSCP;
	struct event_exit x;

	mon_exit_init(&x, EVENT_TSC, 0, p);
	MON_RUN(c, r, &x, mon_tsc_emul(c, r, p));
}

static bool mon_pmc_emul(struct hv_regs *r)
{
	u32 lo, hi;

	if (!mon_rdpmc((u32)r->gpr[HV_RCX], &lo, &hi)) {
		hv_inject(HV_VEC_GP, true, 0);
		return false;
	}
	r->gpr[HV_RAX] = lo;
	r->gpr[HV_RDX] = hi;
	return true;
}

static int mon_on_pmc(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct event_exit x;

	mon_exit_init(&x, EVENT_PMC, 0, 0);
	MON_RUN(c, r, &x, mon_pmc_emul(r));
}

static int mon_on_io(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_io_access a;
	struct event_exit x;
	bool done = true;

	hv_decode_io(hv_vmread(VMCS_EXIT_QUALIFICATION), &a);
	mon_exit_init(&x, a.in ? EVENT_IOIN : EVENT_IOOUT, a.port, a.port);
	x.aux = a.size;
	if (mon_fire(c, r, &x)) {
		hv_skip_insn();
		return HV_RESUME;
	}
	if (!a.string) {
		mon_io_plain(r, &a);
	} else if (!mon_io_string(c, r, &a, &done)) {
		/* Guest memory not reachable: the page walk would give the
		 * guest a #PF we cannot build here; #GP stops it cleanly. */
		hv_inject(HV_VEC_GP, true, 0);
		return HV_RESUME;
	}
	if (done)
		hv_skip_insn();
	x.stage = EVENT_STAGE_POST;
	mon_fire(c, r, &x);
	return HV_RESUME;
}

static int mon_on_dr(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	u64 qual = hv_vmread(VMCS_EXIT_QUALIFICATION);
	struct event_exit x;

	mon_exit_init(&x, EVENT_DR, qual & 7, 0);
	MON_RUN(c, r, &x, hv_dr_emulate(r, qual));
}

/* hvgdb's own hypercalls, as exit.c serves them (they never fire). */
static int mon_own_vmcall(struct hv_cpu *c, struct hv_regs *r)
{
	switch (r->gpr[HV_RAX] & 0xffff) {
	case HV_HC_PING:
		r->gpr[HV_RAX] = 0;
		r->gpr[HV_RBX] = c->exit_total;
		break;
	case HV_HC_GDB_POLL:
		return hv_gdb_on_poll(c, r);
	case HV_HC_TEST_EPT:
		r->gpr[HV_RAX] = hv_ept_test_misconfig(r->gpr[HV_RBX]) ?
				 HV_HC_ERR_UNKNOWN : 0;
		break;
	case HV_HC_DEVIRT:
		r->gpr[HV_RAX] = 0;
		hv_leave_vmx(c, r, hv_vmread(VMCS_GUEST_RIP) +
			     hv_vmread(VMCS_EXIT_INSN_LEN));
		return HV_LEAVE;
	default:
		hv_inject(HV_VEC_UD, false, 0);
		return HV_RESUME;
	}
	hv_skip_insn();
	return HV_RESUME;
}

static int mon_on_vmcall(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct event_exit x;

	if (mon_cpl0() &&
	    (r->gpr[HV_RAX] & HV_HC_MAGIC_MASK) == HV_HC_MAGIC)
		return mon_own_vmcall(c, r);
	mon_exit_init(&x, EVENT_VMCALL, 0, 0);
	/* Without a hypervisor that answers it, VMCALL is #UD: that is the
	 * "emulation"; sc instead skips the instruction. */
	if (mon_fire(c, r, &x)) {
		hv_skip_insn();
		return HV_RESUME;
	}
	hv_inject(HV_VEC_UD, false, 0);
	x.stage = EVENT_STAGE_POST;
	mon_fire(c, r, &x);
	return HV_RESUME;
}

static int mon_on_xsetbv(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct event_exit x;

	mon_exit_init(&x, EVENT_XSETBV, (u32)r->gpr[HV_RCX],
		      (u32)r->gpr[HV_RCX]);
	MON_RUN(c, r, &x, hv_emul_xsetbv(r));
}

/*
 * A write to CR0/CR4 that changes a bit owned by the host (mask, SDM
 * 25.6.6): the guest's view (read shadow) takes the value; the real
 * register gets it adjusted to the VMX fixed bits (SDM 24.8, A.7/A.8),
 * CR4.VMXE stays set and hidden as exit.c keeps it.
 */
static bool mon_cr_write(u32 cr, u64 v)
{
	if (cr == 0) {
		u64 fixed0 = hv.msrs.cr0_fixed0;

		if ((v >> 32) || ((v & X86_CR0_NW) && !(v & X86_CR0_CD)) ||
		    ((v & X86_CR0_PG) && !(v & X86_CR0_PE)))
			goto gp;
		if (hv.ctls.proc2 & HV_PROC2_UNRESTRICTED)
			fixed0 &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
		hv_vmwrite(VMCS_CR0_SHADOW, v);
		hv_vmwrite(VMCS_GUEST_CR0, (v | fixed0) & hv.msrs.cr0_fixed1);
		return true;
	}
	if (v & ~(hv.msrs.cr4_fixed1 | X86_CR4_VMXE))
		goto gp;
	hv_vmwrite(VMCS_CR4_SHADOW, v);
	hv_vmwrite(VMCS_GUEST_CR4, v | X86_CR4_VMXE);
	hv_invvpid_single(HV_VPID);	/* MOV to CR4 may flush (4.10.4.1) */
	return true;
gp:
	hv_inject(HV_VEC_GP, true, 0);
	return false;
}

static int mon_on_cr(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_cr_access a;
	struct event_exit x;
	u64 v, shadow, mask;

	hv_decode_cr(hv_vmread(VMCS_EXIT_QUALIFICATION), &a);
	if (a.cr == 0) {
		shadow = hv_vmread(VMCS_CR0_SHADOW);
		mask = hv_vmread(VMCS_CR0_MASK);
	} else {
		shadow = hv_vmread(VMCS_CR4_SHADOW);
		mask = hv_vmread(VMCS_CR4_MASK);
	}
	switch (a.type) {
	case HV_CR_MOV_TO:
		v = hv_guest_gpr(r, a.gpr);
		break;
	case HV_CR_CLTS:
		v = event_cr0_clts(shadow);
		break;
	case HV_CR_LMSW:
		v = event_cr0_lmsw(shadow, a.lmsw_src);
		break;
	default:
		/* MOV from CR3/CR8 exiting is never set by hvgdb. */
		hv_inject(HV_VEC_UD, false, 0);
		return HV_RESUME;
	}
	if (a.cr != 0 && a.cr != 4) {
		hv_inject(HV_VEC_UD, false, 0);
		return HV_RESUME;
	}
	mon_exit_init(&x, EVENT_CRWRITE, a.cr, a.cr);
	x.aux = (v ^ shadow) & mask;
	if (a.cr == 4)
		x.aux &= ~(u64)X86_CR4_VMXE;
	/* A write that changes only VMXE is exit.c's business, no event. */
	if (!x.aux && a.cr == 4)
		x.type = EVENT_NONE;
	if (x.type != EVENT_NONE && mon_fire(c, r, &x)) {
		hv_skip_insn();
		return HV_RESUME;
	}
	if (a.type == HV_CR_MOV_TO)
		v = hv_guest_gpr(r, a.gpr);	/* a script may change it */
	if (!mon_cr_write(a.cr, v))
		return HV_RESUME;
	hv_skip_insn();
	if (x.type != EVENT_NONE) {
		x.stage = EVENT_STAGE_POST;
		mon_fire(c, r, &x);
	}
	return HV_RESUME;
}

/* ---- loading the intercepts ---- */

static const struct {
	u32 reason;
	hv_exit_fn fn;
	u8 type[2];
} mon_hooks[] = {
	{ EXIT_CPUID, mon_on_cpuid, { EVENT_CPUID } },
	{ EXIT_RDMSR, mon_on_msr, { EVENT_MSRREAD } },
	{ EXIT_WRMSR, mon_on_msr, { EVENT_MSRWRITE } },
	{ EXIT_RDTSC, mon_on_tsc, { EVENT_TSC } },
	{ EXIT_RDTSCP, mon_on_tsc, { EVENT_TSC } },
	{ EXIT_RDPMC, mon_on_pmc, { EVENT_PMC } },
	{ EXIT_IO, mon_on_io, { EVENT_IOIN, EVENT_IOOUT } },
	{ EXIT_DR_ACCESS, mon_on_dr, { EVENT_DR } },
	{ EXIT_VMCALL, mon_on_vmcall, { EVENT_VMCALL } },
	{ EXIT_XSETBV, mon_on_xsetbv, { EVENT_XSETBV } },
	{ EXIT_CR_ACCESS, mon_on_cr, { EVENT_CRWRITE } },
};

/*
 * Install the hooks the enabled events need and remove the others
 * (exit.c's handlers come back).  Called while every CPU is halted, so
 * none is between reading a hook and running it... except a CPU halted
 * inside one of these hooks, which finishes it unchanged.
 */
void mon_events_hooks(bool on)
{
	const struct event_table *t = &mon.table;
	u32 i, j, k;

	for (i = 0; i < ARRAY_SIZE(mon_hooks); i++) {
		bool want = false;

		for (j = 0; on && j < t->count && !want; j++) {
			for (k = 0; k < 2; k++)
				if (mon_hooks[i].type[k] &&
				    t->ev[j].enabled &&
				    t->ev[j].spec.type == mon_hooks[i].type[k])
					want = true;
		}
		/*
		 * The SYSCALL hook needs RDMSR/WRMSR of EFER emulated
		 * (mon_sys.c) and hvgdb's own DEVIRT hypercall to give SCE
		 * back before the CPU leaves VMX.
		 */
		if (on && mon.icpt.syscall_hook &&
		    (mon_hooks[i].reason == EXIT_RDMSR ||
		     mon_hooks[i].reason == EXIT_WRMSR ||
		     mon_hooks[i].reason == EXIT_VMCALL))
			want = true;
		/* Keep the CR hook while a mask of ours may still be
		 * loaded on some CPU: only with no CR event at all does
		 * every CPU drop it at its next resume. */
		hv_set_exit_hook(mon_hooks[i].reason,
				 want ? mon_hooks[i].fn : NULL);
	}
}

static void mon_load_mask(u32 mask_f, u32 shadow_f, u32 guest_f, u64 want)
{
	u64 old = hv_vmread(mask_f), shadow, g;

	if (old == want)
		return;
	/* Bits that become host-owned read as the guest's current value. */
	shadow = hv_vmread(shadow_f);
	g = hv_vmread(guest_f);
	shadow = (shadow & old) | (g & ~old);
	hv_vmwrite(shadow_f, shadow);
	hv_vmwrite(mask_f, want);
}

void mon_events_load(struct hv_cpu *c)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];
	struct hv_ctl_extra *x = &c->extra[HV_OWN_MON];
	u32 pin_ok = (u32)((hv.caps.true_ctls ? hv.msrs.true_pin :
			    hv.msrs.pin) >> 32);
	u32 exit_ok = (u32)((hv.caps.true_ctls ? hv.msrs.true_exit :
			     hv.msrs.exit) >> 32);

	if (!mc || mc->gen == READ_ONCE(mon.gen))
		return;
	if (!mc->base_read) {
		mc->base_cr0_mask = hv_vmread(VMCS_CR0_MASK);
		mc->base_cr4_mask = hv_vmread(VMCS_CR4_MASK);
		mc->base_read = true;
	}
	if (!mc->io_loaded && mon.io_a) {
		hv_vmwrite(VMCS_IO_BITMAP_A, mon.io_a_pa);
		hv_vmwrite(VMCS_IO_BITMAP_B, mon.io_b_pa);
		mc->io_loaded = 1;
	}
	mon_load_mask(VMCS_CR0_MASK, VMCS_CR0_SHADOW, VMCS_GUEST_CR0,
		      mc->base_cr0_mask | mon.icpt.cr0_mask);
	mon_load_mask(VMCS_CR4_MASK, VMCS_CR4_SHADOW, VMCS_GUEST_CR4,
		      mc->base_cr4_mask | mon.icpt.cr4_mask);
	x->pin = mon.icpt.pin_based;
	x->proc = mon.icpt.proc_based;
	x->proc2 = mon.icpt.proc_based2;
	x->exit = mon.icpt.exit_ctls;
	/* !interrupt: external-interrupt exiting only with "acknowledge
	 * interrupt on exit", else the interrupt stays pending and exits
	 * again at once (SDM 25.7.1, 26.2); both only where allowed (A.3). */
	if (!(pin_ok & HV_PIN_EXT_INTR_EXITING) ||
	    !(exit_ok & HV_EXIT_ACK_INTR)) {
		x->pin &= ~HV_PIN_EXT_INTR_EXITING;
		x->exit &= ~HV_EXIT_ACK_INTR;
	}
	x->pin &= pin_ok;
	x->exit &= exit_ok;
	mon_sys_load(c, mon.icpt.syscall_hook);
	x->exception_bitmap = mon.icpt.exception_bitmap;
	c->ctls_dirty = true;
	mc->gen = mon.gen;
}
