// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_halt.c - stopping every CPU together and serving gdb while they
 * wait (SDM Vol. 3 25.2 NMI exiting, 25.3 NMI-window exiting).
 *
 * The CPU that stops first (a breakpoint, an event's break, the poll
 * seeing gdb) takes the link and becomes the owner.  It sets a halt
 * request for every other virtualized CPU and sends it an NMI; the NMI
 * exits (gdb_nmi.c), the CPU finds the request, saves its state in its
 * struct gdb_cpu and parks in VMX root until the owner bumps
 * gdb.release_gen.  The owner re-sends NMIs every 10 ms to CPUs that have
 * not parked, for at most a second.  Each CPU writes its own VMCS: gdb's
 * register writes are applied by each CPU as it is released.
 *
 * One CPU, as the link's holder sees it:
 *
 *            trylock link              halt request (NMI or end of exit)
 *   RUNNING ---------------> OWNER    RUNNING ----------------> PARKED
 *      ^                      |  |                               |  |
 *      |   continue/detach    |  | gdb steps CPU n               |  | go_step
 *      +----------------------+  | (n parked: hand the link      |  v
 *      |    (release_gen++)      |  over, wait as PARKED)        | STEPPING
 *      |                         v                               |  | step ends:
 *      +--------------------- STEPPING (n = self)                |  | trylock link
 *                              step ends: OWNER again            |  v
 *                                                                | OWNER
 *   release_gen++ ------------------------------------------------+
 *
 * A dead CPU (hv_gdb_dead: triple fault, failed entry) stays PARKED for
 * good with its last state, and keeps polling the link in case it was
 * the CPU that polled.  A PARKED CPU also runs what the link's holder asks
 * of it (hv_gdb_on_cpu: an MSR access on that CPU for a monitor command)
 * and stays PARKED.
 *
 * Context: VMX root, interrupts off.  Parked CPUs spin with cpu_relax();
 * nothing here sleeps, allocates or takes a kernel lock.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/apic.h>
#include <asm/msr.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"
#include "kmod/debug/bp.h"
#include "kmod/debug/step.h"

/* Leaving a halt: this CPU's registers, events, breakpoints. */
static void gdb_leave_halt(struct hv_cpu *c, struct hv_regs *r,
			   struct hv_gdb_cpu *pc, bool step)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);

	gdb_apply(c, r, &pc->g);
	pc->valid = false;
	gdb_watchdogs_touch();
	if (m)
		m->on_resume(c, r);
	hv_bp_on_resume(c);
	/* gdb steps off its breakpoints itself; with `breakpoint
	 * always-inserted` one may still sit under RIP: run its real byte. */
	hv_bp_step(c, step ? HV_STEP_GDB : HV_STEP_NONE);
	if (!step && m && m->track)
		m->track(c, r, true);
}

/* A call the link's holder asked of this parked CPU (hv_gdb_on_cpu). */
static void gdb_take_call(struct hv_cpu *c, struct hv_regs *r,
			  struct hv_gdb_cpu *pc)
{
	if (atomic_cmpxchg(&pc->call, GDB_CALL_ASKED, GDB_CALL_RUNNING) !=
	    GDB_CALL_ASKED)
		return;
	smp_rmb();
	pc->call_ret = pc->call_fn(c, r, pc->call_arg);
	smp_wmb();
	atomic_set(&pc->call, GDB_CALL_DONE);
}

int hv_gdb_on_cpu(int cpu, int (*fn)(struct hv_cpu *c, struct hv_regs *r,
				     void *arg), void *arg)
{
	struct hv_cpu *self = this_cpu_read(hv_this_cpu);
	struct hv_gdb_cpu *pc;
	u64 t0, wait = gdb_ms_to_tsc(GDB_CALL_WAIT_MS);

	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -ENODEV;
	if (self && cpu == self->cpu)
		return fn(self, self->regs, arg);
	pc = per_cpu(hv_gdb_pcpu, cpu);
	if (!pc || !pc->valid || pc->dead || !hv.cpus[cpu])
		return -ENODEV;
	pc->call_fn = fn;
	pc->call_arg = arg;
	smp_wmb();
	atomic_set(&pc->call, GDB_CALL_ASKED);
	t0 = rdtsc();
	while (atomic_read(&pc->call) != GDB_CALL_DONE) {
		/* Not taken in time: withdraw it, unless it just started. */
		if (rdtsc() - t0 > wait &&
		    atomic_cmpxchg(&pc->call, GDB_CALL_ASKED,
				   GDB_CALL_IDLE) == GDB_CALL_ASKED)
			return -ETIMEDOUT;
		cpu_relax();
	}
	smp_rmb();
	atomic_set(&pc->call, GDB_CALL_IDLE);
	return pc->call_ret;
}

/* Wait halted (state in pc->g) until released, or sent on a gdb step. */
static void gdb_wait_halted(struct hv_cpu *c, struct hv_regs *r,
			    struct hv_gdb_cpu *pc, int gen)
{
	while (atomic_read(&gdb.release_gen) == gen) {
		if (atomic_read(&pc->call) == GDB_CALL_ASKED)
			gdb_take_call(c, r, pc);
		if (atomic_read(&pc->go_step)) {
			atomic_set(&pc->go_step, 0);
			smp_rmb();
			gdb_leave_halt(c, r, pc, true);
			atomic_dec(&gdb.halted);
			return;
		}
		cpu_relax();
	}
	smp_rmb();
	if (!pc->dead)		/* a dead CPU stays halted for good */
		gdb_leave_halt(c, r, pc, false);
	atomic_dec(&gdb.halted);
}

void gdb_park(struct hv_cpu *c, struct hv_regs *r)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);
	int gen = atomic_read(&gdb.release_gen);

	smp_rmb();
	if (!READ_ONCE(gdb.halting))
		return;		/* the owner gave up on us already */
	gdb_snapshot(c, r, &pc->g);
	pc->valid = true;
	smp_mb__before_atomic();
	atomic_inc(&gdb.halted);
	gdb_wait_halted(c, r, pc, gen);
}

/* Ask every other virtualized CPU to park; returns how many did. */
static int gdb_halt_others(int self)
{
	u64 t0, last, wait = gdb_ms_to_tsc(GDB_HALT_WAIT_MS);
	u64 resend = gdb_ms_to_tsc(GDB_NMI_RESEND_MS);
	int cpu, n = 0;

	gdb.nthreads = 0;
	for_each_online_cpu(cpu) {
		struct hv_cpu *hc = hv.cpus[cpu];
		struct hv_gdb_cpu *pc = per_cpu(hv_gdb_pcpu, cpu);

		if (!pc || !hc || gdb.nthreads >= RSP_MAX_THREADS)
			continue;
		gdb.thread_cpu[gdb.nthreads++] = cpu;
		if (cpu == self || hc->state != HV_CPU_VIRTUALIZED ||
		    !gdb.can_halt)
			continue;
		atomic_set(&pc->req, 1);
		gdb_send_nmi(cpu, pc);
		n++;
	}
	t0 = last = rdtsc();
	while (atomic_read(&gdb.halted) < n && rdtsc() - t0 < wait) {
		/* gdb keeps sending meanwhile; the FIFO holds 16 bytes. */
		uart_pump(&gdb.uart);
		if (rdtsc() - last < resend) {
			cpu_relax();
			continue;
		}
		last = rdtsc();
		for_each_online_cpu(cpu) {
			struct hv_gdb_cpu *pc = per_cpu(hv_gdb_pcpu, cpu);

			if (cpu != self && pc && atomic_read(&pc->req))
				gdb_send_nmi(cpu, pc);
		}
	}
	if (atomic_read(&gdb.halted) < n)
		gdb.missed_halts++;
	gdb.halt_tsc_last = rdtsc() - t0;
	if (gdb.halt_tsc_last > gdb.halt_tsc_max)
		gdb.halt_tsc_max = gdb.halt_tsc_last;
	return atomic_read(&gdb.halted);
}

static void gdb_release_others(int self)
{
	u64 t0 = rdtsc(), wait = gdb_ms_to_tsc(100);
	int cpu;

	/* Requests a CPU never saw must not park it later. */
	for_each_online_cpu(cpu) {
		struct hv_gdb_cpu *pc = per_cpu(hv_gdb_pcpu, cpu);

		if (pc)
			atomic_set(&pc->req, 0);
	}
	WRITE_ONCE(gdb.halting, false);
	gdb_watchdogs_resumed();
	smp_wmb();
	atomic_inc(&gdb.release_gen);
	while (atomic_read(&gdb.halted) && rdtsc() - t0 < wait)
		cpu_relax();
}

/* Batched event output (`imm no`) reaches gdb when the system stops,
 * before the stop reply (gdb shows O packets only while it waits). */
static void gdb_flush_events(void)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);
	char buf[256];
	size_t n;

	if (m && m->forward && rsp_gdb_waiting(gdb.eng))
		m->forward();
	while (m && rsp_gdb_waiting(gdb.eng) && (n = m->drain(buf, sizeof(buf))))
		rsp_console_write(gdb.eng, buf, n);
}

/* `.process pid` at a new stop: its table again, or the reason the
 * switch ended, told before the stop reply so gdb shows it. */
static void gdb_as_stop(void)
{
	char b[160];
	u32 pid;
	int r = gdb_as_refresh(&pid);

	if (!r || !rsp_gdb_waiting(gdb.eng))
		return;
	rsp_console_write(gdb.eng, b, scnprintf(b, sizeof(b),
		"hvgdb: .process: pid %x %s: gdb's memory accesses use each CPU's own page tables again\n",
		pid, r == -ESRCH ? "has exited" : "cannot be used any more"));
}

/* event_trace_* steps gdb_trace_arm() could not take, on every CPU,
 * told at the first stop after a new one (the CPUs are halted: each
 * counter is still). */
static void gdb_trace_stop(void)
{
	u64 n = 0;
	char b[200];
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hv_gdb_cpu *pc = per_cpu(hv_gdb_pcpu, cpu);

		if (pc)
			n += READ_ONCE(pc->trace_unarmed);
	}
	if (n == gdb.trace_unarmed_told || !rsp_gdb_waiting(gdb.eng))
		return;
	rsp_console_write(gdb.eng, b, scnprintf(b, sizeof(b),
		"hvgdb: 0x%llx event_trace_* steps not taken in all: the CPU has no monitor trap flag and the VM entry that would start the step delivered an event (debugfs gdb: trace_unarmed per CPU)\n",
		n));
	gdb.trace_unarmed_told = n;
}

/*
 * The whole system stops here; gdb is served until it resumes.  Called
 * and returns with the link held.  A gdb step of one CPU keeps the others
 * halted: the stepping CPU runs one instruction and, at the end of the
 * step, serves gdb again (gdb.stepping); if it is not this CPU, this one
 * hands the link over (*h says to wait halted once the caller dropped the
 * link, in gdb_after_stop()).
 */
void gdb_stop_world(struct hv_cpu *c, struct hv_regs *r,
		    const struct rsp_stop *why, bool self,
		    struct gdb_handover *h)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu), *spc;
	struct rsp_resume res;
	struct rsp_stop stop = *why;
	int i;

	h->wait = false;
	gdb.owner_cpu = c->cpu;
	if (gdb.stepping) {
		gdb.stepping = false;	/* the others are still halted */
	} else {
		gdb.halts++;
		gdb_watchdogs_hold();
		WRITE_ONCE(gdb.halting, true);
		smp_mb();
		gdb_halt_others(c->cpu);
	}
	if (!pc->dead)		/* a dead CPU's state was taken once */
		gdb_snapshot(c, r, &pc->g);
	pc->valid = true;
	gdb_flush_events();
	gdb_as_stop();
	gdb_trace_stop();
	for (;;) {
		u64 rx0 = rsp_rx_packets(gdb.eng);
		u32 idle = 0;

		res = rsp_serve(gdb.eng, &stop);
		while (res.kind == RSP_RESUME_IDLE) {
			/*
			 * A stop the system made by itself (breakpoint,
			 * event) that gdb never answers: gdb is gone.  Do not
			 * leave the machine halted for nobody (docs/debugging.md).
			 */
			idle++;
			if (self && gdb_gone_timeout &&
			    idle >= gdb_gone_timeout &&
			    rsp_rx_packets(gdb.eng) == rx0) {
				gdb.gone++;
				rsp_remove_all_breakpoints(gdb.eng);
				hv_bp_remove_all();
				rsp_forget_stop(gdb.eng);
				res.kind = RSP_RESUME_DETACH;
				break;
			}
			res = rsp_serve(gdb.eng, NULL);
		}
		/* `.process pid`'s table holds for this stop only: the
		 * process may be gone once anything runs (gdb_mem.c).  A
		 * detach ends the switch: the next gdb starts afresh. */
		if (res.kind == RSP_RESUME_DETACH) {
			hv_gdb_as_clear();
			hv_bp_remove_all();
			break;
		}
		gdb_as_suspend();
		for (i = 0; i < RSP_MAX_THREADS; i++)
			if (res.action[i] == RSP_ACT_STEP)
				break;
		if (i == RSP_MAX_THREADS)
			break;		/* continue: everyone runs */
		/* Step thread i + 1 only; the others stay halted. */
		spc = i == c->cpu ? pc : gdb_thread(i + 1) ?
		      per_cpu(hv_gdb_pcpu, i) : NULL;
		if (!spc || spc->dead) {
			/* Not halted, or never to run again: nothing to do. */
			stop.tid = i + 1;
			stop.signal = spc ? RSP_SIGSEGV : RSP_SIGTRAP;
			stop.reason = RSP_STOP_SIGNAL;
			continue;
		}
		gdb.steps++;
		gdb.stepping = true;
		if (spc == pc) {
			gdb_leave_halt(c, r, pc, true);
			return;
		}
		/* Hand over: that CPU steps, then serves gdb; we wait. */
		h->wait = true;
		h->gen = atomic_read(&gdb.release_gen);
		smp_wmb();
		atomic_inc(&gdb.halted);
		atomic_set(&spc->go_step, 1);
		return;
	}
	if (!pc->dead)
		gdb_leave_halt(c, r, pc, false);
	gdb_release_others(c->cpu);
}

/* After gdb_stop_world(), with the link dropped. */
void gdb_after_stop(struct hv_cpu *c, struct hv_regs *r,
		    const struct gdb_handover *h)
{
	if (h->wait)
		gdb_wait_halted(c, r, this_cpu_read(hv_gdb_pcpu), h->gen);
}

/* Take the link; while another CPU holds it, be halted by it. */
static void gdb_link_take(struct hv_cpu *c, struct hv_regs *r)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);

	while (!gdb_link_trylock()) {
		if (atomic_read(&pc->req) && atomic_xchg(&pc->req, 0))
			gdb_park(c, r);
		cpu_relax();
	}
}

bool gdb_stop_if(struct hv_cpu *c, struct hv_regs *r,
		 const struct rsp_stop *why, const char *text, size_t len,
		 bool (*still)(struct hv_cpu *, const struct rsp_stop *))
{
	struct gdb_handover h = { 0 };
	bool stopped = false;

	if (!gdb.uart_ok)
		return false;
	gdb_link_take(c, r);
	if (rsp_gdb_waiting(gdb.eng) && (!still || still(c, why))) {
		if (len)
			rsp_console_write(gdb.eng, text, len);
		gdb_stop_world(c, r, why, true, &h);
		stopped = true;
	}
	gdb_link_unlock();
	gdb_after_stop(c, r, &h);
	return stopped;
}

bool hv_gdb_stop_here(struct hv_cpu *c, struct hv_regs *r,
		      const struct rsp_stop *why, const char *text, size_t len)
{
	return gdb_stop_if(c, r, why, text, len, NULL);
}

void hv_gdb_dead(struct hv_cpu *c, struct hv_regs *r,
		 const char *what, const char *text, size_t len)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);
	struct rsp_stop why = { .tid = c->cpu + 1, .signal = RSP_SIGSEGV };
	u64 next = 0, period = gdb_ms_to_tsc(HV_GDB_POLL_MS);

	if (pc && gdb.eng) {
		gdb_snapshot(c, r, &pc->g);
		strlcat(pc->g.name, " - ", sizeof(pc->g.name));
		strlcat(pc->g.name, what, sizeof(pc->g.name));
		pc->dead = true;
		smp_wmb();
		pc->valid = true;
	}
	for (;;) {
		struct gdb_handover h = { 0 };

		if (!pc || !gdb.uart_ok || rdtsc() - next < period ||
		    !gdb_link_trylock()) {
			cpu_relax();
			continue;
		}
		next = rdtsc();
		if (len && rsp_gdb_waiting(gdb.eng)) {
			/* Once, to the first gdb that waits for a stop. */
			rsp_console_write(gdb.eng, text, len);
			len = 0;
			why.signal = RSP_SIGSEGV;
			gdb_stop_world(c, r, &why, true, &h);
		} else if (rsp_poll_running(gdb.eng)) {
			gdb_stop_world(c, r, &why, false, &h);
		} else {
			gdb_link_unlock();
			continue;
		}
		gdb_link_unlock();
		gdb_after_stop(c, r, &h);
		/* Later stops this CPU notices are plain interrupts. */
		why.signal = RSP_SIGINT;
	}
}

int hv_gdb_selected_cpu(void)
{
	int tid = gdb.eng ? rsp_selected_thread(gdb.eng) : 0;

	return tid > 0 ? tid - 1 : gdb.owner_cpu;
}

struct gdb_cpu *hv_gdb_cpu_state(int cpu)
{
	return gdb_thread(cpu + 1);
}

void hv_gdb_trace_step(struct hv_cpu *c)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);

	if (pc)
		pc->trace_step = true;
}

bool hv_gdb_trace_pending(void)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);

	return pc && pc->trace_step;
}

/* The step hv_gdb_trace_step() asked for: a new one, or the step over a
 * breakpoint or hooked page armed during this exit, made to report.  Not
 * with RFLAGS.TF while this entry delivers an event (an exception given
 * back, event_inject): the handler would run with TF clear and the step
 * end only after its IRET, interrupts held all along (SDM 27.6.1: the
 * event is delivered before the first guest instruction, through a gate
 * that clears TF).  Such a step is not taken and is counted; the next
 * stop tells gdb (gdb_trace_stop()). */
static void gdb_trace_arm(struct hv_cpu *c, struct hv_gdb_cpu *pc)
{
	pc->trace_step = false;
	if (hv_step_kind() != HV_STEP_NONE)
		hv_step_report();
	else if (hv.caps.mtf || !hv_event_queued())
		hv_bp_step(c, HV_STEP_GDB);
	else
		pc->trace_unarmed++;
}

void hv_gdb_before_resume(struct hv_cpu *c, struct hv_regs *r)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);

	if (!pc)
		return;
	if (atomic_read(&pc->req) && atomic_xchg(&pc->req, 0))
		gdb_park(c, r);
	if (atomic_read(&pc->nmi_root))
		gdb_give_root_nmis(c, pc);
	if (unlikely(pc->trace_step))
		gdb_trace_arm(c, pc);
}
