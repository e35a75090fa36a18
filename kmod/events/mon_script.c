// SPDX-License-Identifier: GPL-2.0
/*
 * mon_script.c - the machine as hvgdb.ko's scripts see it (struct
 * script_ops of monitor-cmds/script.h), for two places: a halted CPU
 * (`monitor ? {...}` / `monitor print`: gdb's snapshot, whose dirty bits
 * write it back at resume) and the CPU handling an exit (an event: the
 * exit frame and the VMCS).  Everything here runs with interrupts off, in
 * VMX root or while the system is halted: no sleeping, no locks, no
 * faults.  Guest virtual memory goes through gdb_mem.c's checked page
 * walk; physical memory through the direct map after checking the range
 * is RAM in the firmware map and present in the direct map.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/delay.h>
#include <linux/timekeeping.h>
#include <linux/version.h>
#include <linux/atomic.h>
#include <linux/stdarg.h>
#include <asm/e820/api.h>
#include <asm/pgtable.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/lib/pgwalk.h"
#include "kmod/events/mon_priv.h"

/* Script register numbers 0-15 are the SDM's GPR order; gdb_cpu keeps
 * gdb's (rax rbx rcx rdx rsi rdi rbp rsp r8..r15). */
static const u8 sdm_to_gdb[16] = {
	0, 2, 3, 1, 7, 6, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15,
};

static struct task_struct *mon_task(const struct mon_ctx *m)
{
	if (m->c)
		return current;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return per_cpu(pcpu_hot.current_task, m->g->cpu);
#else
	return per_cpu(current_task, m->g->cpu);
#endif
}

static u64 reg_get(void *ctx, u32 reg)
{
	struct mon_ctx *m = ctx;
	struct gdb_cpu *g = m->g;
	unsigned long v = 0;

	if (reg < 16)
		return m->c ? hv_guest_gpr(m->r, reg) : g->gpr[sdm_to_gdb[reg]];
	if (!m->c) {
		switch (reg) {
		case SCRIPT_REG_RIP: return g->rip;
		case SCRIPT_REG_RFLAGS: return g->rflags;
		case SCRIPT_REG_CS: return g->sel[0];
		case SCRIPT_REG_SS: return g->sel[1];
		case SCRIPT_REG_DS: return g->sel[2];
		case SCRIPT_REG_ES: return g->sel[3];
		case SCRIPT_REG_FS: return g->sel[4];
		case SCRIPT_REG_GS: return g->sel[5];
		case SCRIPT_REG_CR0: return g->cr0;
		case SCRIPT_REG_CR2: return g->cr2;
		case SCRIPT_REG_CR3: return g->cr3;
		case SCRIPT_REG_CR4: return g->cr4;
		case SCRIPT_REG_CR8: return g->cr8;
		case SCRIPT_REG_DR0: case SCRIPT_REG_DR1:
		case SCRIPT_REG_DR2: case SCRIPT_REG_DR3:
			return g->dr[reg - SCRIPT_REG_DR0];
		case SCRIPT_REG_DR6: return g->dr6;
		case SCRIPT_REG_DR7: return g->dr7;
		case SCRIPT_REG_LDTR: return g->ldtr_base;
		case SCRIPT_REG_TR: return g->tr_base;
		case SCRIPT_REG_GDTR: return g->gdtr_base;
		case SCRIPT_REG_IDTR: return g->idtr_base;
		default: return 0;
		}
	}
	switch (reg) {
	case SCRIPT_REG_RIP: return hv_vmread(VMCS_GUEST_RIP);
	case SCRIPT_REG_RFLAGS: return hv_vmread(VMCS_GUEST_RFLAGS);
	case SCRIPT_REG_ES: return hv_vmread(VMCS_GUEST_ES_SEL);
	case SCRIPT_REG_CS: return hv_vmread(VMCS_GUEST_CS_SEL);
	case SCRIPT_REG_SS: return hv_vmread(VMCS_GUEST_SS_SEL);
	case SCRIPT_REG_DS: return hv_vmread(VMCS_GUEST_DS_SEL);
	case SCRIPT_REG_FS: return hv_vmread(VMCS_GUEST_FS_SEL);
	case SCRIPT_REG_GS: return hv_vmread(VMCS_GUEST_GS_SEL);
	/* Bases, as HyperDbg's GetGuestLdtr() & co. (SDM 25.4.1). */
	case SCRIPT_REG_LDTR: return hv_vmread(VMCS_GUEST_LDTR_BASE);
	case SCRIPT_REG_TR: return hv_vmread(VMCS_GUEST_TR_BASE);
	case SCRIPT_REG_GDTR: return hv_vmread(VMCS_GUEST_GDTR_BASE);
	case SCRIPT_REG_IDTR: return hv_vmread(VMCS_GUEST_IDTR_BASE);
	case SCRIPT_REG_CR0:
		return (hv_vmread(VMCS_GUEST_CR0) & ~hv_vmread(VMCS_CR0_MASK)) |
		       (hv_vmread(VMCS_CR0_SHADOW) & hv_vmread(VMCS_CR0_MASK));
	case SCRIPT_REG_CR2: return native_read_cr2();
	case SCRIPT_REG_CR3: return hv_vmread(VMCS_GUEST_CR3);
	case SCRIPT_REG_CR4:
		return (hv_vmread(VMCS_GUEST_CR4) & ~hv_vmread(VMCS_CR4_MASK)) |
		       (hv_vmread(VMCS_CR4_SHADOW) & hv_vmread(VMCS_CR4_MASK));
	case SCRIPT_REG_CR8:
		asm volatile("mov %%cr8, %0" : "=r"(v));
		return v;
	case SCRIPT_REG_DR0: get_debugreg(v, 0); return v;
	case SCRIPT_REG_DR1: get_debugreg(v, 1); return v;
	case SCRIPT_REG_DR2: get_debugreg(v, 2); return v;
	case SCRIPT_REG_DR3: get_debugreg(v, 3); return v;
	case SCRIPT_REG_DR6: get_debugreg(v, 6); return v;
	case SCRIPT_REG_DR7: return hv_vmread(VMCS_GUEST_DR7);
	default: return 0;
	}
}

/* Writable: the GPRs, RIP and RFLAGS (the rest would need VM-entry
 * checks, SDM 27.3.1). */
static bool reg_set(void *ctx, u32 reg, u64 val)
{
	struct mon_ctx *m = ctx;

	if (!m->c) {
		u8 buf[8];
		int regno;

		if (reg < 16)
			regno = sdm_to_gdb[reg];
		else if (reg == SCRIPT_REG_RIP)
			regno = 16;
		else if (reg == SCRIPT_REG_RFLAGS)
			regno = 17;
		else
			return false;
		memcpy(buf, &val, 8);
		return gdb_cpu_write_reg(m->g, regno, buf) == 0;
	}
	if (reg < 16) {
		hv_set_guest_gpr(m->r, reg, val);
		return true;
	}
	if (reg == SCRIPT_REG_RIP) {
		hv_vmwrite(VMCS_GUEST_RIP, val);
		return true;
	}
	if (reg == SCRIPT_REG_RFLAGS) {
		/* Bit 1 is always 1, reserved bits 0 (SDM 27.3.1.4). */
		hv_vmwrite(VMCS_GUEST_RFLAGS, (val & 0x3f7fd5ull) | 2);
		return true;
	}
	return false;
}

static u64 pseudo_get(void *ctx, u32 id)
{
	struct mon_ctx *m = ctx;
	struct task_struct *t = mon_task(m);

	switch (id) {
	case SCRIPT_PS_PID: return t ? t->tgid : 0;
	case SCRIPT_PS_TID: return t ? t->pid : 0;
	case SCRIPT_PS_PNAME: return t ? (u64)t->comm : 0;
	case SCRIPT_PS_CORE: return m->c ? m->c->cpu : m->g->cpu;
	case SCRIPT_PS_PROC: return t ? (u64)t->group_leader : 0;
	case SCRIPT_PS_THREAD: return (u64)t;
	case SCRIPT_PS_IP: return reg_get(ctx, SCRIPT_REG_RIP);
	case SCRIPT_PS_BUFFER: return (u64)m->buffer;
	case SCRIPT_PS_CONTEXT: return m->x ? m->x->context : 0;
	case SCRIPT_PS_EVENT_ID:
	case SCRIPT_PS_EVENT_TAG:
		return m->ev ? m->ev->id : 0;
	case SCRIPT_PS_EVENT_STAGE: return m->x ? m->x->stage : 0;
	/* Seconds since the epoch / since boot: NMI-safe clocks. */
	case SCRIPT_PS_DATE: return ktime_get_real_fast_ns() / NSEC_PER_SEC;
	case SCRIPT_PS_TIME: return ktime_get_mono_fast_ns() / NSEC_PER_SEC;
	default: return 0;
	}
}

/* [pa, pa + len) is RAM and present in the direct map (gdb_mem.c). */
static void *mon_phys_ptr(u64 pa, u32 len)
{
	return hv_gdb_phys(pa, len);
}

static const struct gdb_cpu *walk_of(struct mon_ctx *m)
{
	return m->c ? &m->walk : m->g;
}

/* comm of the task: host memory the guest's user page tables (PTI) may
 * not map, but what $pname names. */
static void *comm_ptr(struct mon_ctx *m, u64 addr, u32 len)
{
	struct task_struct *t = mon_task(m);
	u64 c = (u64)t->comm;

	if (t && addr >= c && addr + len <= c + sizeof(t->comm))
		return (void *)addr;
	return NULL;
}

static bool mem_read(void *ctx, u64 addr, void *buf, u32 len, bool phys)
{
	struct mon_ctx *m = ctx;
	void *p;

	if (phys) {
		p = mon_phys_ptr(addr, len);
		if (!p)
			return false;
		memcpy(buf, p, len);
		return true;
	}
	if (hv_gdb_read_virt(walk_of(m), addr, buf, len) == (long)len)
		return true;
	p = comm_ptr(m, addr, len);
	if (!p)
		return false;
	memcpy(buf, p, len);
	return true;
}

static bool mem_write(void *ctx, u64 addr, const void *buf, u32 len,
		      bool phys)
{
	struct mon_ctx *m = ctx;
	void *p;

	if (!phys)
		return hv_gdb_write_virt(walk_of(m), addr, buf, len) == 0;
	p = mon_phys_ptr(addr, len);
	if (!p)
		return false;
	memcpy(p, buf, len);
	return true;
}

/* The guest's translation, found by reading one byte through it. */
static int mon_read_phys(void *opaque, u64 pa, void *buf, size_t len)
{
	void *p = mon_phys_ptr(pa, len);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static u64 va_to_pa(void *ctx, u64 va)
{
	const struct gdb_cpu *g = walk_of(ctx);
	struct pgwalk_ctx w = {
		.cr0 = g->cr0, .cr3 = g->cr3, .cr4 = g->cr4, .efer = g->efer,
		.max_phys_bits = 0, .read_phys = mon_read_phys,
	};
	u64 pa;

	if (pgwalk_translate(&w, va, &pa, NULL) != PGWALK_OK)
		return 0;
	return pa;
}

static u64 pa_to_va(void *ctx, u64 pa)
{
	return mon_phys_ptr(pa, 1) ? (u64)__va(pa) : 0;
}

static bool interlocked(void *ctx, u32 op, u64 addr, u64 a, u64 b, u64 *old)
{
	u64 pa = va_to_pa(ctx, addr);
	u64 *p;

	/* 8 bytes in one page: one direct-map pointer covers them. */
	if (!pa || (addr & 7) || !mon_phys_ptr(pa, 8))
		return false;
	p = __va(pa);
	switch (op) {
	case SCRIPT_ILK_EXCHANGE:
		*old = xchg(p, a);
		return true;
	case SCRIPT_ILK_ADD:
		*old = arch_atomic64_fetch_add(a, (atomic64_t *)p);
		return true;
	case SCRIPT_ILK_CMPXCHG:
		*old = cmpxchg(p, b, a);
		return true;
	}
	return false;
}

static u64 *local_vars(void *ctx)
{
	struct mon_ctx *m = ctx;

	if (!m->c)
		return mon.eval_locals;
	return mon.cpu[m->c->cpu]->locals;
}

static u64 *global_vars(void *ctx)
{
	return mon.global_vals;
}

static void output(void *ctx, const char *s, u32 len)
{
	struct mon_ctx *m = ctx;

	while (len) {
		u32 n = min_t(u32, len, MON_LINE - m->line_len);

		memcpy(m->line + m->line_len, s, n);
		m->line_len += n;
		s += n;
		len -= n;
		if (m->line_len == MON_LINE) {
			m->direct(m->direct_arg, m->line, m->line_len);
			m->line_len = 0;
		}
	}
}

/* ---- event control from scripts ---- */

static void ctl_msg(struct mon_ctx *m, const char *fmt, ...)
{
	char b[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	output(m, b, n);
}

/* Is id waiting in the clear queue (cleared by a script, removed from
 * the table at the next monitor command)? */
bool mon_clear_pending(u32 id)
{
	u32 n = min_t(u32, atomic_read(&mon.n_clear), MON_CLEARQ), i;

	for (i = 0; i < n; i++)
		if (READ_ONCE(mon.clear_ids[i]) == id)
			return true;
	return false;
}

static struct event *ctl_find(struct mon_ctx *m, const char *fn, u64 id)
{
	struct event *ev = NULL;

	if (id <= U32_MAX)
		ev = event_table_find(&mon.table, (u32)id);
	if (!ev || mon_clear_pending(ev->id)) {
		ctl_msg(m, "script: %s: no event %#llx (events lists them)\n",
			fn, id);
		return NULL;
	}
	return ev;
}

/*
 * event_enable/disable/clear.  Halted (`monitor ?`): the table changes as
 * with `events e|d|c` and mon.c reloads the intercepts after the script.
 * In VMX root, other CPUs running: only ev->enabled changes, a byte that
 * event_match() and mon_fire() read before every firing, so the change
 * holds on every CPU from its next match on (a firing already past that
 * check on another CPU completes).  No intercept is touched here: while
 * some script can call event_enable, mon.c keeps the intercepts of
 * disabled events loaded, so enabling needs no VMCS write on any CPU.
 * A clear only disables and queues the id; the next monitor command
 * removes the event (its programs may still be running elsewhere now)
 * and trims the intercepts.
 */
static void ctl_event(struct mon_ctx *m, u32 op, u64 id)
{
	static const char *const fn[] = {
		[SCRIPT_EVT_ENABLE] = "event_enable",
		[SCRIPT_EVT_DISABLE] = "event_disable",
		[SCRIPT_EVT_CLEAR] = "event_clear",
	};
	struct event *ev = ctl_find(m, fn[op], id);
	u32 n;

	if (!ev)
		return;
	if (!m->c) {
		if (op == SCRIPT_EVT_CLEAR)
			event_table_clear(&mon.table, ev->id);
		else
			event_table_enable(&mon.table, ev->id,
					   op == SCRIPT_EVT_ENABLE);
		mon.script_changed = true;
		return;
	}
	WRITE_ONCE(ev->enabled, op == SCRIPT_EVT_ENABLE);
	WRITE_ONCE(mon.script_changed, true);
	if (op != SCRIPT_EVT_CLEAR)
		return;
	n = atomic_inc_return(&mon.n_clear) - 1;
	if (n < MON_CLEARQ) {
		WRITE_ONCE(mon.clear_ids[n], ev->id);
		return;
	}
	ctl_msg(m, "script: event_clear: %#x disabled, not cleared (more "
		"than %d clears wait for the next monitor command)\n", ev->id,
		MON_CLEARQ);
}

/*
 * Exceptions that may be injected as a hardware exception (interruption
 * type 3) and whether they push an error code: SDM Vol. 3 6.15 (Table
 * 6-1) and the VM-entry rule of 27.2.1.3 (deliver-error-code set exactly
 * for 8, 10-14 and 17 in protected mode).  Refused: 2 (NMI has its own
 * type), 9, 15 and 22-31 (reserved), 21 (#CP: the entry rule for it
 * depends on the CPU's CET support).  Returns -1, 0 or 1.
 */
static int inject_error_code(u64 vector)
{
	switch (vector) {
	case 0: case 1: case 3: case 4: case 5: case 6: case 7:
	case 16: case 18: case 19: case 20:
		return 0;
	case 8: case 10: case 11: case 12: case 13: case 14: case 17:
		return 1;
	default:
		return -1;
	}
}

/*
 * event_inject[_error_code]: the exception is written into the VM-entry
 * interruption-information field (SDM Vol. 3 25.8.3) and delivered when
 * this CPU next enters the guest, after the handler finished the exit.
 * As in HyperDbg the trapping instruction is not undone: unless the event
 * is short-circuited it is emulated, and either way RIP moves past it, so
 * the guest's handler sees the RIP of the next instruction.
 */
static void ctl_inject(struct mon_ctx *m, u64 type, u64 vector, bool has_ec,
		       u64 ec)
{
	const char *fn = has_ec ? "event_inject_error_code" : "event_inject";
	int want_ec = inject_error_code(vector);

	if (!m->c) {
		ctl_msg(m, "script: %s works in an event's script only\n", fn);
		return;
	}
	if (type != SCRIPT_INJECT_HW_EXCEPTION) {
		ctl_msg(m, "script: %s: only hardware exceptions (type 3) can "
			"be injected, not type %#llx\n", fn, type);
		return;
	}
	if (want_ec < 0) {
		ctl_msg(m, "script: %s: vector %#llx is not an exception "
			"hvgdb injects (0, 1, 3-8, 0xa-0xe, 0x10-0x14)\n", fn,
			vector);
		return;
	}
	if (hv_event_queued() ||
	    hv_intr_info_valid((u32)hv_vmread(VMCS_IDT_VECTORING_INFO))) {
		ctl_msg(m, "script: %s: an event is already being delivered "
			"at this exit, %#llx not injected\n", fn, vector);
		return;
	}
	/* No error code in real mode (unrestricted guest), 27.2.1.3. */
	if (!(hv_vmread(VMCS_GUEST_CR0) & X86_CR0_PE))
		want_ec = 0;
	hv_inject((u32)vector, want_ec, want_ec ? (u32)ec : 0);
}

/* event_trace_*(): after this event, step this CPU and stop for gdb
 * (mon_act() asks gdb_halt.c); @mtf: the instrumentation step, which
 * needs the monitor trap flag (SDM Vol. 3 26.5.2). */
static void ctl_trace(struct mon_ctx *m, u64 mtf)
{
	if (!m->c)
		ctl_msg(m, "script: event_trace: the system is already halted "
			"(step with gdb's stepi)\n");
	else if (mtf && !hv.caps.mtf)
		ctl_msg(m, "script error: event_trace_instrumentation_step "
			"needs the monitor trap flag, which this CPU's VMX "
			"lacks (IA32_VMX_PROCBASED_CTLS bit 27); "
			"event_trace_step steps with RFLAGS.TF\n");
	else
		m->trace = true;
}

static u64 event_ctl(void *ctx, u32 op, u64 a, u64 b, u64 c)
{
	struct mon_ctx *m = ctx;

	switch (op) {
	case SCRIPT_EVT_ENABLE:
	case SCRIPT_EVT_DISABLE:
	case SCRIPT_EVT_CLEAR:
		ctl_event(m, op, a);
		return 0;
	case SCRIPT_EVT_SC:
		if (m->c) {
			m->sc = a != 0;
		} else if (mon.table.stopped_by_event) {
			mon.table.stop_sc = a != 0;	/* as `events sc` */
		} else {
			ctl_msg(m, "script: event_sc: the system did not stop "
				"at an event\n");
		}
		return 0;
	case SCRIPT_EVT_INJECT:
	case SCRIPT_EVT_INJECT_EC:
		ctl_inject(m, a, b, op == SCRIPT_EVT_INJECT_EC, c);
		return 0;
	case SCRIPT_EVT_PAUSE:
		if (m->c)
			m->pause = true;	/* mon_act() breaks after us */
		else
			ctl_msg(m, "script: pause: the system is already "
				"halted\n");
		return 0;
	case SCRIPT_EVT_TRACE:
		ctl_trace(m, a);
		return 0;
	case SCRIPT_EVT_FLUSH:
		m->line_len = 0;
		if (m->ob)
			m->ob->count = 0;
		return 0;
	}
	return 0;
}

static u64 mon_rdtsc(void *ctx, bool p)
{
	u32 lo, hi, aux;

	if (!p)
		return rdtsc_ordered();
	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return ((u64)hi << 32) | lo;
}

static void mon_microsleep(void *ctx, u64 usec)
{
	/* Busy wait, bounded: a script must not hold the system long. */
	udelay(min_t(u64, usec, 1000));
}

static u64 mon_lbr(void *ctx, u32 op, u64 arg)
{
	return mon_lbr_script(ctx, op, arg, output);
}

const struct script_ops mon_script_ops = {
	.reg_get = reg_get,
	.reg_set = reg_set,
	.pseudo_get = pseudo_get,
	.mem_read = mem_read,
	.mem_write = mem_write,
	.va_to_pa = va_to_pa,
	.pa_to_va = pa_to_va,
	.interlocked = interlocked,
	.local_vars = local_vars,
	.global_vars = global_vars,
	.output = output,
	.event_ctl = event_ctl,
	.rdtsc = mon_rdtsc,
	.microsleep = mon_microsleep,
	.lbr = mon_lbr,
};

void mon_ctx_halted(struct mon_ctx *m, struct gdb_cpu *g)
{
	m->c = NULL;
	m->r = NULL;
	m->g = g;
	m->ev = NULL;
	m->x = NULL;
	m->buffer = NULL;
	m->sc = m->pause = m->trace = false;
	m->ob = NULL;
	m->line_len = 0;
}

void mon_ctx_exit(struct mon_ctx *m, struct hv_cpu *c, struct hv_regs *r)
{
	m->c = c;
	m->r = r;
	m->g = NULL;
	m->walk.cpu = c->cpu;
	m->walk.cr0 = hv_vmread(VMCS_GUEST_CR0);
	m->walk.cr3 = hv_vmread(VMCS_GUEST_CR3);
	m->walk.cr4 = hv_vmread(VMCS_GUEST_CR4);
	m->walk.efer = hv_vmread(VMCS_GUEST_EFER);
	m->sc = m->pause = m->trace = false;
	m->line_len = 0;
}
