// SPDX-License-Identifier: GPL-2.0
/*
 * mon_events.c - HyperDbg events at VM exits, in VMX root.
 *
 * For each exit an enabled event needs, an exit observer (vmx/exit.h) is
 * enabled around vmx/'s core handler: its pre stage matches the events,
 * runs their actions and may short-circuit the instruction (`sc`: the
 * dispatcher skips it, nothing is emulated); the core handler emulates
 * (vmx/exit_emul.c); the post stage runs when it completed.  Actions: break (hv_gdb_stop_here with the event's O-line),
 * condition and script (script_eval here, output to gdb at once or
 * batched per CPU).  Nothing here allocates, sleeps or takes a lock.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <asm/processor-flags.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/events/mon_priv.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/event_vmx.h"
#include "monitor-cmds/event_emul.h"
#include "kmod/vmx/prof.h"

/* ---- output ---- */

/* Send the batch's oldest bytes to gdb while it takes them; nothing is
 * dropped when gdb is busy or absent. */
void mon_push(struct event_outbuf *b)
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

	/* output {NAME}: to the spool only; `.output tap on`: both. */
	if (m->ev && (m->ev->spec.has_output || mon_tapped())) {
		mon_forward(m, s, len);
		if (m->ev->spec.has_output)
			return;
	}

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
	t->stop_type = ev->spec.type;
	t->stop_exit = *x;
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
	hv_prof(HV_PROF_CTX);
	if (ev->cond_prog) {
		int st = script_eval(&mc->vm, ev->cond_prog, &mon_script_ops,
				     m, ev->spec.steps);

		if (m->line_len)
			mon_emit(m, m->line, m->line_len);
		m->line_len = 0;
		if (st != SCRIPT_OK || !mc->vm.result)
			return false;
	}
	if (ev->script_prog) {
		script_eval(&mc->vm, ev->script_prog, &mon_script_ops, m,
			    ev->spec.steps);
		if (m->line_len)
			mon_emit(m, m->line, m->line_len);
		m->line_len = 0;
	} else {
		m->pause = true;	/* no script: the action is break */
	}
	hv_prof(HV_PROF_SCRIPT);
	sc = sc || m->sc;
	if (m->pause)
		sc = mon_break(c, r, ev, x) || sc;
	else if (m->trace)
		hv_gdb_trace_step(c);	/* at the end of this exit */
	return sc;
}

/* The events of x's stage, in id order; true: skip the instruction. */
bool mon_fire(struct hv_cpu *c, struct hv_regs *r,
		     struct event_exit *x)
{
	const struct event *hit[MON_MATCH_MAX] __uninitialized;
	u32 ids[MON_MATCH_MAX] __uninitialized;
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
		hv_prof(HV_PROF_MATCH);
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
	hv_prof(HV_PROF_FIRED);
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

/* ---- observers ---- */

/*
 * The event of an exit as HyperDbg describes it (type, key, context), or
 * EVENT_NONE for an exit no event is about: hvgdb's own hypercalls, a CR
 * write that changes only the hidden CR4.VMXE.  Read before the core
 * handler, from the registers the instruction sees.
 */
static void mon_describe(struct hv_regs *r, u32 reason, struct event_exit *x)
{
	struct hv_io_access io;
	struct hv_cr_access a;
	u32 eax = (u32)r->gpr[HV_RAX], ecx = (u32)r->gpr[HV_RCX];
	u64 v, shadow, mask;

	mon_exit_init(x, EVENT_NONE, 0, 0);
	switch (reason) {
	case EXIT_CPUID:
		mon_exit_init(x, EVENT_CPUID, eax, eax);
		break;
	case EXIT_RDMSR:
		mon_exit_init(x, EVENT_MSRREAD, ecx, ecx);
		break;
	case EXIT_WRMSR:
		mon_exit_init(x, EVENT_MSRWRITE, ecx, ecx);
		break;
	case EXIT_RDTSC:
	case EXIT_RDTSCP:
		mon_exit_init(x, EVENT_TSC, 0, reason == EXIT_RDTSCP);
		break;
	case EXIT_RDPMC:
		mon_exit_init(x, EVENT_PMC, 0, 0);
		break;
	case EXIT_IO:
		hv_decode_io(hv_vmread(VMCS_EXIT_QUALIFICATION), &io);
		mon_exit_init(x, io.in ? EVENT_IOIN : EVENT_IOOUT, io.port,
			      io.port);
		x->aux = io.size;
		break;
	case EXIT_DR_ACCESS:
		mon_exit_init(x, EVENT_DR,
			      hv_vmread(VMCS_EXIT_QUALIFICATION) & 7, 0);
		break;
	case EXIT_VMCALL:
		if (!hv_hypercall_is_own(r))
			mon_exit_init(x, EVENT_VMCALL, 0, 0);
		break;
	case EXIT_XSETBV:
		mon_exit_init(x, EVENT_XSETBV, ecx, ecx);
		break;
	case EXIT_CR_ACCESS:
		hv_decode_cr(hv_vmread(VMCS_EXIT_QUALIFICATION), &a);
		if (a.cr == 0) {
			shadow = hv_vmread(VMCS_CR0_SHADOW);
			mask = hv_vmread(VMCS_CR0_MASK);
		} else if (a.cr == 4) {
			shadow = hv_vmread(VMCS_CR4_SHADOW);
			mask = hv_vmread(VMCS_CR4_MASK);
		} else {
			break;
		}
		if (a.type == HV_CR_MOV_TO)
			v = hv_guest_gpr(r, a.gpr);
		else if (a.type == HV_CR_CLTS)
			v = event_cr0_clts(shadow);
		else if (a.type == HV_CR_LMSW)
			v = event_cr0_lmsw(shadow, a.lmsw_src);
		else
			break;
		mon_exit_init(x, EVENT_CRWRITE, a.cr, a.cr);
		x->aux = (v ^ shadow) & mask;
		if (a.cr == 4)
			x->aux &= ~(u64)X86_CR4_VMXE;
		/* A write that changes only VMXE is the core's business. */
		if (!x->aux && a.cr == 4)
			x->type = EVENT_NONE;
		break;
	}
}

/* Pre stage; the exit's event stays in mon_cpu.exit for the post stage
 * (a CPU takes no other exit in between, even halted by a break). */
static int mon_obs_pre(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *hx)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];

	if (!mc)
		return HV_OBS_RUN;
	mon_describe(r, hx->reason, &mc->exit);
	if (mc->exit.type == EVENT_NONE)
		return HV_OBS_RUN;
	return mon_fire(c, r, &mc->exit) ? HV_OBS_SC : HV_OBS_RUN;
}

/* Post stage: the core handler completed the instruction (or, for a
 * foreign VMCALL, raised its #UD; for REP INS/OUTS, did a part). */
static void mon_obs_post(struct hv_cpu *c, struct hv_regs *r,
			 struct hv_exit *hx)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];

	if (!mc || mc->exit.type == EVENT_NONE)
		return;
	mc->exit.stage = EVENT_STAGE_POST;
	mon_fire(c, r, &mc->exit);
}

static const struct hv_exit_observer mon_observer = {
	.pre = mon_obs_pre,
	.post = mon_obs_post,
};

/* ---- loading the intercepts ---- */

static const struct {
	u32 reason;
	u8 type[2];
} mon_exits[] = {
	{ EXIT_CPUID, { EVENT_CPUID } },
	{ EXIT_RDMSR, { EVENT_MSRREAD } },
	{ EXIT_WRMSR, { EVENT_MSRWRITE } },
	{ EXIT_RDTSC, { EVENT_TSC } },
	{ EXIT_RDTSCP, { EVENT_TSC } },
	{ EXIT_RDPMC, { EVENT_PMC } },
	{ EXIT_IO, { EVENT_IOIN, EVENT_IOOUT } },
	{ EXIT_DR_ACCESS, { EVENT_DR } },
	{ EXIT_VMCALL, { EVENT_VMCALL } },
	{ EXIT_XSETBV, { EVENT_XSETBV } },
	{ EXIT_CR_ACCESS, { EVENT_CRWRITE } },
};

/* At load (hv_mon_init), before any CPU is virtualized: the observers,
 * disabled; mon_sys.c's EFER observer first, so !msrread's post stage
 * sees the EFER.SCE the guest believes in. */
int mon_events_register(void)
{
	u32 i;
	int err = mon_sys_register();

	for (i = 0; !err && i < ARRAY_SIZE(mon_exits); i++)
		err = hv_exit_observer_add(mon_exits[i].reason, &mon_observer);
	return err;
}

/* At unload, after every CPU left VMX. */
void mon_events_unregister(void)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(mon_exits); i++)
		hv_exit_observer_del(mon_exits[i].reason, &mon_observer);
	mon_sys_unregister();
}

/*
 * Enable the observers the enabled events need and disable the others
 * (the core handlers run alone).  Called while every CPU is halted; a
 * CPU halted inside an observer finishes its exit with it.
 */
void mon_events_hooks(bool on)
{
	const struct event_table *t = &mon.table;
	u32 i, j, k;

	for (i = 0; i < ARRAY_SIZE(mon_exits); i++) {
		bool want = false;

		for (j = 0; on && j < t->count && !want; j++) {
			for (k = 0; k < 2; k++)
				if (mon_exits[i].type[k] &&
				    t->ev[j].enabled &&
				    t->ev[j].spec.type == mon_exits[i].type[k])
					want = true;
		}
		hv_exit_observer_enable(mon_exits[i].reason, &mon_observer,
					want);
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
