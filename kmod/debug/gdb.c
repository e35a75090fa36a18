// SPDX-License-Identifier: GPL-2.0
/*
 * gdb.c - hvgdb.ko's gdb server: the RSP engine over the polled UART, the
 * target operations over halted CPUs, and halting all CPUs together.
 *
 * Noticing gdb while the system runs: a pinned 50 ms hrtimer on the first
 * CPU makes a VMCALL (HV_HC_GDB_POLL); in VMX root that CPU looks at the
 * UART with rsp_poll_running().  The VMX-preemption timer would avoid the
 * guest-side timer, but Bochs 2.7 reports rate 0 for it and the timer
 * works everywhere (docs/debugging.md).
 *
 * Halting (SDM Vol. 3 25.2 NMI exiting, 25.3 NMI-window exiting, 27.6.1.2
 * NMI injection): the CPU that stops first owns the link.  It sets a halt
 * request for every other virtualized CPU and sends it an NMI; with NMI
 * exiting on, the NMI exits, the handler finds the request and parks the
 * CPU in root after saving its state in its struct gdb_cpu.  An NMI with
 * no request is the guest's (perf, watchdog) and is injected back, at
 * once or from an NMI-window exit when the guest blocks NMIs.  An NMI
 * that arrives while the CPU is in root runs the kernel's NMI handler
 * (the host shares its IDT); our NMI_LOCAL handler claims it and the
 * request is seen by hv_gdb_before_resume() at the end of that exit.  The
 * owner re-sends NMIs every 10 ms to CPUs that have not parked, for at
 * most a second.  Each CPU writes its own VMCS: gdb's register writes
 * are applied by each CPU when it is released.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include <linux/hrtimer.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <asm/apic.h>
#include <asm/nmi.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include <asm/special_insns.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/lib/gdb_cpu.h"
#include "kmod/events/mon.h"
#include "kmod/debug/bp.h"
#include "kmod/debug/step.h"
#include "kmod/lib/uart.h"
#include "gdbstub/gdbstub.h"

static uint uart_port = UART_DEFAULT_PORT;
module_param(uart_port, uint, 0444);
MODULE_PARM_DESC(uart_port, "I/O port of the 16550 UART gdb connects to (default 0x3f8, COM1)");
static uint gone_timeout = 10;
module_param(gone_timeout, uint, 0644);
MODULE_PARM_DESC(gone_timeout, "seconds (guest time) a stop the system made by itself waits for gdb to answer before breakpoints are removed and the system resumes (default 10, 0 = wait for ever)");
static uint uart_baud = UART_DEFAULT_BAUD;
module_param(uart_baud, uint, 0444);
MODULE_PARM_DESC(uart_baud, "baud rate of that UART, 115200/n (default 115200)");

#define GDB_INTR_TYPE_NMI	(2u << 8)
#define GDB_NMI_INFO		(2u | GDB_INTR_TYPE_NMI | HV_INTR_INFO_VALID)
/* Guest interruptibility (SDM Vol. 3 25.4.2, table 25-3). */
#define GDB_BLOCK_STI		(1u << 0)
#define GDB_BLOCK_MOVSS		(1u << 1)
#define GDB_BLOCK_NMI		(1u << 3)
#define GDB_HALT_WAIT_MS	1000
#define GDB_NMI_RESEND_MS	10
#define GDB_MSR_KERNEL_GS_BASE	0xc0000102

/* Per-CPU debugger state; only req and nmi_ours are touched remotely. */
struct hv_gdb_cpu {
	struct gdb_cpu g;
	bool valid;		/* g holds this CPU's state: it is halted */
	atomic_t req;		/* halt requested */
	atomic_t nmi_ours;	/* NMIs sent by us, not yet seen */
	atomic_t go_step;	/* leave the halt for one gdb step */
	bool dead;		/* halted for good: hv_gdb_dead() */
	u32 nmi_pending;	/* guest NMIs waiting for an NMI window */
};

static struct {
	struct rsp_engine *eng;
	struct uart uart;
	bool uart_ok, can_halt, timer_on, nmi_registered;
	atomic_t link;		/* 1 while a CPU uses the engine */
	atomic_t halted;	/* CPUs parked, the owner not counted */
	atomic_t release_gen;	/* bumped to release the parked CPUs */
	bool halting;
	bool stepping;		/* halted but for one CPU doing gdb's step */
	int nthreads;
	int thread_cpu[RSP_MAX_THREADS];
	struct hrtimer timer;
	int owner_cpu;		/* the CPU serving gdb while halted */
	u64 halts, foreign_nmis, missed_halts, polls, gone, steps;
	u64 halt_tsc_last, halt_tsc_max;	/* request to all parked */
} gdb;

static DEFINE_PER_CPU(struct hv_gdb_cpu *, hv_gdb_pcpu);

/*
 * The last bytes on the link, both directions, for debugfs `wire`: what a
 * lost stop or a confused gdb saw.  Written only by the link's holder.
 */
#define GDB_WIRE_LOG	4096	/* power of two */
static struct {
	char buf[GDB_WIRE_LOG];
	u32 pos;
	int last_cpu;
	char last_dir;
} gdb_wire;

static void gdb_wire_put(char ch)
{
	gdb_wire.buf[gdb_wire.pos++ % GDB_WIRE_LOG] = ch;
}

static void gdb_wire_log(char dir, const u8 *b, size_t n)
{
	int cpu = raw_smp_processor_id();

	if (dir != gdb_wire.last_dir || cpu != gdb_wire.last_cpu) {
		gdb_wire_put('\n');
		gdb_wire_put(dir);
		gdb_wire_put('0' + cpu % 10);
		gdb_wire_put(' ');
		gdb_wire.last_dir = dir;
		gdb_wire.last_cpu = cpu;
	}
	while (n--) {
		u8 ch = *b++;

		gdb_wire_put(ch >= 0x20 && ch < 0x7f ? ch : '.');
	}
}

/* ---- transport ---- */

static u8 gdb_inb(void *ctx, u16 port)
{
	return inb(port);
}

static void gdb_outb(void *ctx, u16 port, u8 v)
{
	outb(v, port);
}

static u64 gdb_now(void *ctx)
{
	return rdtsc();
}

static int gdb_get_byte(void *ctx, u32 timeout_ms)
{
	int b = uart_get_byte(&gdb.uart, timeout_ms);
	u8 ch = b;

	if (b < 0)
		return RSP_NO_BYTE;
	gdb_wire_log('<', &ch, 1);
	return b;
}

static void gdb_put_bytes(void *ctx, const u8 *buf, size_t len)
{
	size_t n = uart_put_bytes(&gdb.uart, buf, len);

	gdb_wire_log('>', buf, n);
	if (n < len)
		gdb_wire_log('!', buf + n, len - n);	/* never sent */
}

static void gdb_flush(void *ctx)
{
}

static u64 gdb_ms_to_tsc(u32 ms)
{
	return (u64)ms * (tsc_khz ? tsc_khz : 1000000);
}

/* ---- target operations (run on the owner, all others parked) ---- */

static struct gdb_cpu *gdb_thread(int tid)
{
	struct hv_gdb_cpu *pc;
	int cpu = tid - 1;

	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return NULL;
	pc = per_cpu(hv_gdb_pcpu, cpu);
	return pc && pc->valid ? &pc->g : NULL;
}

static int gdb_err(int e)
{
	return e == -22 ? -RSP_EINVAL : e;
}

static int gdb_read_reg(void *ctx, int tid, int regno, u8 *buf)
{
	struct gdb_cpu *g = gdb_thread(tid);

	return g ? gdb_err(gdb_cpu_read_reg(g, regno, buf)) : -RSP_ESRCH;
}

static int gdb_write_reg(void *ctx, int tid, int regno, const u8 *buf)
{
	struct gdb_cpu *g = gdb_thread(tid);

	if (g && per_cpu(hv_gdb_pcpu, tid - 1)->dead)
		return -RSP_EIO;	/* never resumes: nothing would apply it */
	return g ? gdb_err(gdb_cpu_write_reg(g, regno, buf)) : -RSP_ESRCH;
}

static long gdb_read_mem(void *ctx, int tid, u64 addr, u8 *buf, size_t len)
{
	struct gdb_cpu *g = gdb_thread(tid);

	return g ? hv_gdb_read_virt(g, addr, buf, len) : -RSP_ESRCH;
}

static int gdb_write_mem(void *ctx, int tid, u64 addr, const u8 *buf,
			 size_t len)
{
	struct gdb_cpu *g = gdb_thread(tid);

	return g ? hv_gdb_write_virt(g, addr, buf, len) : -RSP_ESRCH;
}

/* Breakpoints are set through any halted CPU's page tables (kernel
 * addresses are the same in all). */
static struct gdb_cpu *gdb_any_thread(void)
{
	struct gdb_cpu *g = gdb_thread(hv_gdb_selected_cpu() + 1);

	return g ? g : gdb_thread(gdb.owner_cpu + 1);
}

static int gdb_insert_bp(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind)
{
	struct gdb_cpu *g = gdb_any_thread();

	return g ? hv_bp_insert(g, type, addr, kind) : -RSP_EIO;
}

static int gdb_remove_bp(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind)
{
	struct gdb_cpu *g = gdb_any_thread();

	return g ? hv_bp_remove(g, type, addr, kind) : -RSP_EIO;
}

static int gdb_thread_info(void *ctx, int idx, struct rsp_thread_info *out)
{
	struct hv_gdb_cpu *pc;
	int cpu;

	if (idx < 0 || idx >= gdb.nthreads)
		return -RSP_ESRCH;
	cpu = gdb.thread_cpu[idx];
	pc = per_cpu(hv_gdb_pcpu, cpu);
	out->tid = cpu + 1;
	out->core = cpu;
	if (pc->valid) {
		memcpy(out->name, pc->g.name, sizeof(out->name));
	} else {
		snprintf(out->name, sizeof(out->name), "CPU %d (not halted)",
			 cpu);
	}
	return 0;
}

static int gdb_monitor(void *ctx, const char *cmd, struct rsp_output *out)
{
	return hv_mon_command(cmd, out);
}

static const struct rsp_target_ops gdb_ops = {
	.monitor = gdb_monitor,
	.read_reg = gdb_read_reg,
	.write_reg = gdb_write_reg,
	.read_mem = gdb_read_mem,
	.write_mem = gdb_write_mem,
	.insert_bp = gdb_insert_bp,
	.remove_bp = gdb_remove_bp,
	.thread_info = gdb_thread_info,
};

/* ---- CPU state <-> gdb_cpu, on the CPU itself in VMX root ---- */

static void gdb_snapshot(struct hv_cpu *c, struct hv_regs *r,
			 struct gdb_cpu *g)
{
	static const u32 sel[6] = {
		VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL,
		VMCS_GUEST_ES_SEL, VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL,
	};
	u64 mask = hv_vmread(VMCS_CR4_MASK);
	struct task_struct *t = current;
	int i;

	g->cpu = c->cpu;
	gdb_cpu_gprs_from_sdm(g, r->gpr);
	g->gpr[7] = hv_vmread(VMCS_GUEST_RSP);
	g->rip = hv_vmread(VMCS_GUEST_RIP);
	g->rflags = hv_vmread(VMCS_GUEST_RFLAGS);
	for (i = 0; i < 6; i++)
		g->sel[i] = (u16)hv_vmread(sel[i]);
	g->fs_base = hv_vmread(VMCS_GUEST_FS_BASE);
	g->gs_base = hv_vmread(VMCS_GUEST_GS_BASE);
	/* Not switched by VM exits: still the guest's. */
	g->k_gs_base = native_read_msr(GDB_MSR_KERNEL_GS_BASE);
	g->cr2 = native_read_cr2();
	asm volatile("mov %%cr8, %0" : "=r"(g->cr8));
	get_debugreg(g->dr[0], 0);
	get_debugreg(g->dr[1], 1);
	get_debugreg(g->dr[2], 2);
	get_debugreg(g->dr[3], 3);
	get_debugreg(g->dr6, 6);
	/* What the guest reads: host-owned bits come from the shadow. */
	g->cr0 = hv_vmread(VMCS_GUEST_CR0);
	g->cr4 = (hv_vmread(VMCS_GUEST_CR4) & ~mask) |
		 (hv_vmread(VMCS_CR4_SHADOW) & mask);
	g->cr3 = hv_vmread(VMCS_GUEST_CR3);
	g->efer = hv_vmread(VMCS_GUEST_EFER);
	g->dr7 = hv_vmread(VMCS_GUEST_DR7);
	g->gdtr_base = hv_vmread(VMCS_GUEST_GDTR_BASE);
	g->idtr_base = hv_vmread(VMCS_GUEST_IDTR_BASE);
	g->ldtr_base = hv_vmread(VMCS_GUEST_LDTR_BASE);
	g->tr_base = hv_vmread(VMCS_GUEST_TR_BASE);
	/* Root code never touches the FPU: these are the guest's. */
	asm volatile("fxsave64 %0" : "=m"(g->fx));
	g->dirty = 0;
	/* The host runs on the kernel's per-CPU GS base: current is the
	 * task the CPU was running. */
	gdb_cpu_set_name(g, t->comm, t->tgid);
}

static void gdb_apply(struct hv_cpu *c, struct hv_regs *r, struct gdb_cpu *g)
{
	u64 sdm[HV_NR_GPRS];

	if (g->dirty & GDB_DIRTY_GPR) {
		gdb_cpu_gprs_to_sdm(g, sdm);
		sdm[HV_RSP] = r->gpr[HV_RSP];
		memcpy(r->gpr, sdm, sizeof(sdm));
	}
	if (g->dirty & GDB_DIRTY_RSP)
		hv_vmwrite(VMCS_GUEST_RSP, g->gpr[7]);
	if (g->dirty & GDB_DIRTY_RIP)
		hv_vmwrite(VMCS_GUEST_RIP, g->rip);
	if (g->dirty & GDB_DIRTY_RFLAGS)
		hv_vmwrite(VMCS_GUEST_RFLAGS, g->rflags);
	if (g->dirty & GDB_DIRTY_BASES) {
		hv_vmwrite(VMCS_GUEST_FS_BASE, g->fs_base);
		hv_vmwrite(VMCS_GUEST_GS_BASE, g->gs_base);
		native_write_msr(GDB_MSR_KERNEL_GS_BASE, (u32)g->k_gs_base,
				 (u32)(g->k_gs_base >> 32));
	}
	if (g->dirty & GDB_DIRTY_FPU)
		asm volatile("fxrstor64 %0" : : "m"(g->fx));
	if (g->dirty & GDB_DIRTY_DR) {
		set_debugreg(g->dr[0], 0);
		set_debugreg(g->dr[1], 1);
		set_debugreg(g->dr[2], 2);
		set_debugreg(g->dr[3], 3);
		set_debugreg(g->dr6, 6);
	}
	if (g->dirty & GDB_DIRTY_DR7)
		hv_vmwrite(VMCS_GUEST_DR7, g->dr7);
	g->dirty = 0;
}

/* ---- halting ---- */

/* Leaving a halt: this CPU's registers, events, breakpoints. */
static void gdb_leave_halt(struct hv_cpu *c, struct hv_regs *r,
			   struct hv_gdb_cpu *pc, bool step)
{
	gdb_apply(c, r, &pc->g);
	pc->valid = false;
	hv_mon_on_resume(c, r);
	hv_bp_on_resume(c);
	/* gdb steps off its breakpoints itself; with `breakpoint
	 * always-inserted` one may still sit under RIP: run its real byte. */
	hv_bp_step(c, step ? HV_STEP_GDB : HV_STEP_NONE);
}

/* Wait halted (state in pc->g) until released, or sent on a gdb step. */
static void gdb_wait_halted(struct hv_cpu *c, struct hv_regs *r,
			    struct hv_gdb_cpu *pc, int gen)
{
	while (atomic_read(&gdb.release_gen) == gen) {
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

static void gdb_park(struct hv_cpu *c, struct hv_regs *r)
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

static void gdb_send_nmi(int cpu, struct hv_gdb_cpu *pc)
{
	atomic_inc(&pc->nmi_ours);
	apic->send_IPI(cpu, NMI_VECTOR);
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
	smp_wmb();
	atomic_inc(&gdb.release_gen);
	while (atomic_read(&gdb.halted) && rdtsc() - t0 < wait)
		cpu_relax();
}

/* Batched event output (`imm no`) reaches gdb when the system stops,
 * before the stop reply (gdb shows O packets only while it waits). */
static void gdb_flush_events(void)
{
	char buf[256];
	size_t n;

	while (gdb.eng->gdb_waiting && (n = hv_mon_drain(buf, sizeof(buf))))
		rsp_console_write(gdb.eng, buf, n);
}

/*
 * The whole system stops here; gdb is served until it resumes.  Called
 * with the link held; releases it.  A gdb step of one CPU keeps the others
 * halted: the stepping CPU runs one instruction and, at the end of the
 * step, serves gdb again (already_halted); if it is not this CPU, this one
 * hands the link over and waits halted like the others.
 */
static void gdb_stop_world(struct hv_cpu *c, struct hv_regs *r,
			   const struct rsp_stop *why, bool self)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu), *spc;
	struct rsp_resume res;
	struct rsp_stop stop = *why;
	int i, gen;

	gdb.owner_cpu = c->cpu;
	if (gdb.stepping) {
		gdb.stepping = false;	/* the others are still halted */
	} else {
		gdb.halts++;
		WRITE_ONCE(gdb.halting, true);
		smp_mb();
		gdb_halt_others(c->cpu);
	}
	if (!pc->dead)		/* a dead CPU's state was taken once */
		gdb_snapshot(c, r, &pc->g);
	pc->valid = true;
	gdb_flush_events();
	for (;;) {
		u64 rx0 = gdb.eng->rx_packets;
		u32 idle = 0;

		res = rsp_serve(gdb.eng, &stop);
		while (res.kind == RSP_RESUME_IDLE) {
			/*
			 * A stop the system made by itself (breakpoint,
			 * event) that gdb never answers: gdb is gone.  Do not
			 * leave the machine halted for nobody (docs/debugging.md).
			 */
			idle++;
			if (self && gone_timeout && idle >= gone_timeout &&
			    gdb.eng->rx_packets == rx0) {
				gdb.gone++;
				rsp_remove_all_breakpoints(gdb.eng);
				hv_bp_remove_all();
				gdb.eng->gdb_waiting = false;
				res.kind = RSP_RESUME_DETACH;
				break;
			}
			res = rsp_serve(gdb.eng, NULL);
		}
		if (res.kind == RSP_RESUME_DETACH) {
			hv_bp_remove_all();
			break;
		}
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
			atomic_set(&gdb.link, 0);
			return;
		}
		/* Hand over: that CPU steps, then serves gdb; we wait. */
		gen = atomic_read(&gdb.release_gen);
		smp_wmb();
		atomic_inc(&gdb.halted);
		atomic_set(&spc->go_step, 1);
		atomic_set(&gdb.link, 0);
		gdb_wait_halted(c, r, pc, gen);
		return;
	}
	if (!pc->dead)
		gdb_leave_halt(c, r, pc, false);
	gdb_release_others(c->cpu);
	atomic_set(&gdb.link, 0);
}

/* Take the link; while another CPU holds it, be halted by it. */
static void gdb_link_take(struct hv_cpu *c, struct hv_regs *r)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);

	while (atomic_cmpxchg(&gdb.link, 0, 1)) {
		if (atomic_read(&pc->req) && atomic_xchg(&pc->req, 0))
			gdb_park(c, r);
		cpu_relax();
	}
}

static bool gdb_stop_if(struct hv_cpu *c, struct hv_regs *r,
			const struct rsp_stop *why, const char *text,
			size_t len,
			bool (*still)(struct hv_cpu *, const struct rsp_stop *))
{
	bool stopped = false;

	if (!gdb.uart_ok)
		return false;
	gdb_link_take(c, r);
	if (gdb.eng->gdb_waiting && (!still || still(c, why))) {
		if (len)
			rsp_console_write(gdb.eng, text, len);
		gdb_stop_world(c, r, why, true);	/* releases the link */
		return true;
	}
	atomic_set(&gdb.link, 0);
	return stopped;
}

bool hv_gdb_stop_here(struct hv_cpu *c, struct hv_regs *r,
		      const struct rsp_stop *why, const char *text, size_t len)
{
	return gdb_stop_if(c, r, why, text, len, NULL);
}

size_t hv_gdb_console(const char *text, size_t len)
{
	size_t n = 0;

	if (!gdb.uart_ok || atomic_cmpxchg(&gdb.link, 0, 1))
		return 0;
	n = rsp_console_write(gdb.eng, text, len);
	atomic_set(&gdb.link, 0);
	return n;
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
		if (!pc || !gdb.uart_ok || rdtsc() - next < period ||
		    atomic_cmpxchg(&gdb.link, 0, 1)) {
			cpu_relax();
			continue;
		}
		next = rdtsc();
		if (len && gdb.eng->gdb_waiting) {
			/* Once, to the first gdb that waits for a stop. */
			rsp_console_write(gdb.eng, text, len);
			len = 0;
			why.signal = RSP_SIGSEGV;
			gdb_stop_world(c, r, &why, true);
		} else if (rsp_poll_running(gdb.eng)) {
			gdb_stop_world(c, r, &why, false);
		} else {
			atomic_set(&gdb.link, 0);
			continue;
		}
		/* Later stops this CPU notices are plain interrupts. */
		why.signal = RSP_SIGINT;
	}
}

int hv_gdb_selected_cpu(void)
{
	int tid = gdb.eng ? gdb.eng->g_tid : 0;

	return tid > 0 ? tid - 1 : gdb.owner_cpu;
}

struct gdb_cpu *hv_gdb_cpu_state(int cpu)
{
	return gdb_thread(cpu + 1);
}

/* ---- VMX root hooks ---- */

int hv_gdb_on_poll(struct hv_cpu *c, struct hv_regs *r)
{
	struct rsp_stop why = { .tid = c->cpu + 1, .signal = RSP_SIGINT };

	r->gpr[HV_RAX] = 0;
	hv_skip_insn();
	gdb.polls++;
	if (!gdb.uart_ok || atomic_cmpxchg(&gdb.link, 0, 1))
		return HV_RESUME;
	if (rsp_poll_running(gdb.eng))
		gdb_stop_world(c, r, &why, false);	/* releases the link */
	else
		atomic_set(&gdb.link, 0);
	return HV_RESUME;
}

/* Give the guest its NMI now, or from the next NMI-window exit. */
static void gdb_queue_guest_nmi(struct hv_cpu *c, struct hv_gdb_cpu *pc)
{
	u32 block = (u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (!pc->nmi_pending &&
	    !(hv_vmread(VMCS_ENTRY_INTR_INFO) & HV_INTR_INFO_VALID) &&
	    !(block & (GDB_BLOCK_STI | GDB_BLOCK_MOVSS | GDB_BLOCK_NMI))) {
		hv_vmwrite(VMCS_ENTRY_INTR_INFO, GDB_NMI_INFO);
		return;
	}
	/* Real hardware latches one NMI; keep at most two in flight. */
	if (pc->nmi_pending < 2)
		pc->nmi_pending++;
	c->ctls.proc |= HV_PROC_NMI_WINDOW;
	c->ctls_dirty = true;
}

/* An event cut short by this exit must be delivered again (SDM 28.2.4). */
static void gdb_redeliver_vectoring(void)
{
	u32 idt = (u32)hv_vmread(VMCS_IDT_VECTORING_INFO);
	u32 type = (idt >> 8) & 7;

	if (!(idt & HV_INTR_INFO_VALID))
		return;
	hv_vmwrite(VMCS_ENTRY_INTR_INFO, idt & ~(1u << 12));
	if (idt & HV_INTR_DELIVER_ERROR)
		hv_vmwrite(VMCS_ENTRY_EXC_ERROR,
			   hv_vmread(VMCS_IDT_VECTORING_ERROR));
	if (type >= 4 && type <= 6)	/* software interrupt/exception */
		hv_vmwrite(VMCS_ENTRY_INSN_LEN,
			   hv_vmread(VMCS_EXIT_INSN_LEN));
}

/*
 * A VM exit caused by an NMI leaves NMIs blocked until the next IRET
 * (SDM Vol. 3 27.1 and 6.7.1); root code never executes one, so without
 * this the CPU would take no NMI again.  Return to the next instruction
 * through an IRET frame built on the stack: SS, RSP, RFLAGS, CS, RIP.
 */
static void gdb_unblock_nmis(void)
{
	unsigned long tmp;

	asm volatile("mov %%ss, %k0\n\t"
		     "pushq %0\n\t"
		     "pushq %%rsp\n\t"
		     "addq $8, (%%rsp)\n\t"
		     "pushfq\n\t"
		     "mov %%cs, %k0\n\t"
		     "pushq %0\n\t"
		     "leaq 1f(%%rip), %0\n\t"
		     "pushq %0\n\t"
		     "iretq\n"
		     "1:"
		     : "=&r"(tmp) : : "cc", "memory");
}

static int gdb_on_nmi(struct hv_cpu *c, struct hv_regs *r,
		      struct hv_gdb_cpu *pc)
{
	/* From here an NMI in root runs the kernel's handler, where
	 * gdb_nmi_handler() claims ours. */
	gdb_unblock_nmis();
	gdb_redeliver_vectoring();
	if (atomic_xchg(&pc->req, 0)) {
		atomic_dec_if_positive(&pc->nmi_ours);
		gdb_park(c, r);
		return HV_RESUME;
	}
	if (atomic_dec_if_positive(&pc->nmi_ours) >= 0)
		return HV_RESUME;	/* a re-sent one of ours, late */
	gdb.foreign_nmis++;
	gdb_queue_guest_nmi(c, pc);
	return HV_RESUME;
}

/* Is the breakpoint still there now that we own the link?  gdb may have
 * removed it while another CPU's stop was served. */
static bool gdb_bp_still(struct hv_cpu *c, const struct rsp_stop *why)
{
	struct rsp_stop again;

	return hv_bp_on_int3(c, c->regs, &again);
}

/* Give an intercepted exception back to the guest as it came. */
static void gdb_reinject(u32 info)
{
	u32 type = (info >> 8) & 7;

	hv_vmwrite(VMCS_ENTRY_INTR_INFO, info & ~(1u << 12));
	/* A #PF exit leaves CR2 alone; the address is the exit
	 * qualification (SDM Vol. 3 27.1, 28.2.1). */
	if ((info & 0xff) == 14 && type == 3)
		write_cr2(hv_vmread(VMCS_EXIT_QUALIFICATION));
	if (info & HV_INTR_DELIVER_ERROR)
		hv_vmwrite(VMCS_ENTRY_EXC_ERROR,
			   hv_vmread(VMCS_EXIT_INTR_ERROR));
	if (type >= 4 && type <= 6)	/* software: INT3, INTO, INT1 */
		hv_vmwrite(VMCS_ENTRY_INSN_LEN,
			   hv_vmread(VMCS_EXIT_INSN_LEN));
}

int hv_gdb_on_exception(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);
	u32 info = (u32)hv_vmread(VMCS_EXIT_INTR_INFO);
	struct rsp_stop stop = { 0 };
	u64 qual, dr6;

	if ((info & (7u << 8)) == GDB_INTR_TYPE_NMI)
		return pc ? gdb_on_nmi(c, r, pc) : HV_RESUME;
	switch (info & 0xff) {
	case 3:		/* #BP */
		if (hv_bp_on_int3(c, r, &stop)) {
			/* No gdb to tell: run the real instruction. */
			if (!gdb_stop_if(c, r, &stop, NULL, 0, gdb_bp_still))
				hv_bp_step(c, HV_STEP_NONE);
			return HV_RESUME;
		}
		break;
	case 1:		/* #DB: a step's end, a debug-register hit */
		qual = hv_vmread(VMCS_EXIT_QUALIFICATION);
		if (hv_bp_on_db(c, r, qual, &stop)) {
			if (stop.tid)
				hv_gdb_stop_here(c, r, &stop, NULL, 0);
			return HV_RESUME;
		}
		/* The guest's own: a #DB exit leaves DR6 to us (SDM Vol. 3
		 * 27.1); B0-B3, BD, BS as the exit qualification says. */
		get_debugreg(dr6, 6);
		set_debugreg((dr6 & ~0x600fULL) | (qual & 0x600f), 6);
		break;
	}
	if (hv_mon_on_exception(c, r, info))
		return HV_RESUME;
	gdb_reinject(info);
	return HV_RESUME;
}

int hv_gdb_on_mtf(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct rsp_stop stop = { 0 };

	if (hv_bp_on_mtf(c, &stop) && stop.tid)
		hv_gdb_stop_here(c, r, &stop, NULL, 0);
	return HV_RESUME;
}

int hv_gdb_on_nmi_window(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);
	u32 block = (u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (pc && pc->nmi_pending &&
	    !(hv_vmread(VMCS_ENTRY_INTR_INFO) & HV_INTR_INFO_VALID) &&
	    !(block & (GDB_BLOCK_STI | GDB_BLOCK_MOVSS | GDB_BLOCK_NMI))) {
		hv_vmwrite(VMCS_ENTRY_INTR_INFO, GDB_NMI_INFO);
		pc->nmi_pending--;
	}
	if (!pc || !pc->nmi_pending) {
		c->ctls.proc &= ~HV_PROC_NMI_WINDOW;
		c->ctls_dirty = true;
	}
	return HV_RESUME;
}

void hv_gdb_before_resume(struct hv_cpu *c, struct hv_regs *r)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);

	if (pc && atomic_read(&pc->req) && atomic_xchg(&pc->req, 0))
		gdb_park(c, r);
}

/* NMIs of ours that land while the CPU is in root (kernel handler path). */
static int gdb_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);

	if (!pc)
		return NMI_DONE;
	if (atomic_read(&pc->req))
		return NMI_HANDLED;	/* parked at the end of this exit */
	if (atomic_dec_if_positive(&pc->nmi_ours) >= 0)
		return NMI_HANDLED;
	return NMI_DONE;
}

/* ---- poll timer (guest side) ---- */

static enum hrtimer_restart gdb_tick(struct hrtimer *t)
{
	struct hv_cpu *c = this_cpu_read(hv_this_cpu);

	if (c && c->state == HV_CPU_VIRTUALIZED)
		hv_hypercall(HV_HC_GDB_POLL, 0);
	hrtimer_forward_now(t, ms_to_ktime(HV_GDB_POLL_MS));
	return HRTIMER_RESTART;
}

static u64 gdb_tsc_to_us(u64 t)
{
	return tsc_khz ? t * 1000 / tsc_khz : 0;
}

void hv_gdb_show(struct seq_file *m)
{
	seq_printf(m, "uart %#x baud %u ok %d can_halt %d\n", uart_port,
		   uart_baud, gdb.uart_ok, gdb.can_halt);
	seq_printf(m, "polls %llu halts %llu missed_halts %llu foreign_nmis %llu gone %llu\n",
		   gdb.polls, gdb.halts, gdb.missed_halts, gdb.foreign_nmis,
		   gdb.gone);
	seq_printf(m, "halt_us last %llu max %llu\n",
		   gdb_tsc_to_us(gdb.halt_tsc_last),
		   gdb_tsc_to_us(gdb.halt_tsc_max));
	seq_printf(m, "steps %llu\n", gdb.steps);
	hv_bp_show(m);
	seq_printf(m, "uart rx %llu tx %llu line_errors %llu tx_timeouts %llu\n",
		   gdb.uart.rx_bytes, gdb.uart.tx_bytes, gdb.uart.line_errors,
		   gdb.uart.tx_timeouts);
}

void hv_gdb_show_wire(struct seq_file *m)
{
	u32 end = READ_ONCE(gdb_wire.pos), i;

	i = end > GDB_WIRE_LOG ? end - GDB_WIRE_LOG : 0;
	for (; i < end; i++)
		seq_putc(m, gdb_wire.buf[i % GDB_WIRE_LOG]);
	seq_putc(m, '\n');
}

/* ---- load / unload ---- */

int hv_gdb_init(void)
{
	static const struct uart_io io = { gdb_inb, gdb_outb, gdb_now, NULL };
	struct rsp_transport tr = {
		.get_byte = gdb_get_byte, .put_bytes = gdb_put_bytes,
		.flush = gdb_flush, .reliable = false,
	};
	struct rsp_config cfg = {
		.byte_timeout_ms = 2000, .idle_ms = 1000, .rle_replies = true,
	};
	u32 pin1 = (u32)((hv.caps.true_ctls ? hv.msrs.true_pin :
			  hv.msrs.pin) >> 32);
	u32 proc1 = (u32)((hv.caps.true_ctls ? hv.msrs.true_proc :
			   hv.msrs.proc) >> 32);
	int cpu, err;

	memset(&gdb, 0, sizeof(gdb));
	if (uart_port > 0xfff8)
		return -EINVAL;
	err = hv_gdb_mem_init();
	if (err)
		return err;
	gdb.eng = vzalloc(sizeof(*gdb.eng));
	if (!gdb.eng)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct hv_gdb_cpu *pc = kzalloc(sizeof(*pc), GFP_KERNEL);

		if (!pc) {
			hv_gdb_exit();
			return -ENOMEM;
		}
		per_cpu(hv_gdb_pcpu, cpu) = pc;
	}
	err = uart_init(&gdb.uart, &io, (u16)uart_port, uart_baud,
			tsc_khz ? tsc_khz : 1000000);
	if (err) {
		pr_err("hvgdb: no 16550 UART at %#x (baud %u): error %d\n",
		       uart_port, uart_baud, err);
		hv_gdb_exit();
		return err == -22 ? -EINVAL : -ENODEV;
	}
	gdb.uart_ok = true;
	rsp_init(gdb.eng, &tr, &gdb_ops, NULL, &cfg);
	/* NMI exiting needs virtual NMIs for the NMI-window control
	 * (SDM 26.2.1.1). */
	if ((pin1 & (HV_PIN_NMI_EXITING | HV_PIN_VIRTUAL_NMIS)) ==
	    (HV_PIN_NMI_EXITING | HV_PIN_VIRTUAL_NMIS) &&
	    (proc1 & HV_PROC_NMI_WINDOW)) {
		hv.ctls.pin |= HV_PIN_NMI_EXITING | HV_PIN_VIRTUAL_NMIS;
		hv_set_exit_hook(EXIT_EXCEPTION_NMI, hv_gdb_on_exception);
		hv_set_exit_hook(EXIT_NMI_WINDOW, hv_gdb_on_nmi_window);
		gdb.can_halt = true;
	} else {
		pr_warn("hvgdb: no virtual NMIs: only the CPU that talks to gdb halts\n");
	}
	err = register_nmi_handler(NMI_LOCAL, gdb_nmi_handler, 0, "hvgdb");
	if (err) {
		hv_gdb_exit();
		return err;
	}
	gdb.nmi_registered = true;
	hv_set_exit_hook(EXIT_EXCEPTION_NMI, hv_gdb_on_exception);
	hv_set_exit_hook(EXIT_MTF, hv_gdb_on_mtf);
	hv_set_exit_hook(EXIT_EXTERNAL_INTR, hv_step_on_extint);
	hv_set_exit_hook(EXIT_INTR_WINDOW, hv_step_on_intr_window);
	hv_set_exit_hook(EXIT_HLT, hv_step_on_hlt);
	err = hv_bp_init();
	if (!err)
		err = hv_mon_init();
	if (err) {
		hv_gdb_exit();
		return err;
	}
	pr_info("hvgdb: gdb server on UART %#x at %u baud\n", uart_port,
		uart_baud);
	return 0;
}

void hv_gdb_start(void)
{
	/* Pinned: it fires on the CPU that loads the module; one CPU
	 * polling is enough, the others are halted by NMI. */
	hrtimer_init(&gdb.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
	gdb.timer.function = gdb_tick;
	hrtimer_start(&gdb.timer, ms_to_ktime(HV_GDB_POLL_MS),
		      HRTIMER_MODE_REL_PINNED);
	gdb.timer_on = true;
}

void hv_gdb_stop(void)
{
	if (gdb.timer_on)
		hrtimer_cancel(&gdb.timer);
	gdb.timer_on = false;
}

void hv_gdb_exit(void)
{
	int cpu;

	hv_gdb_stop();
	hv_mon_exit();
	/* Called after every CPU left VMX: no CPU can take these exits. */
	hv_set_exit_hook(EXIT_EXCEPTION_NMI, NULL);
	hv_set_exit_hook(EXIT_NMI_WINDOW, NULL);
	hv_set_exit_hook(EXIT_MTF, NULL);
	hv_set_exit_hook(EXIT_EXTERNAL_INTR, NULL);
	hv_set_exit_hook(EXIT_INTR_WINDOW, NULL);
	hv_set_exit_hook(EXIT_HLT, NULL);
	hv_bp_exit();
	if (gdb.nmi_registered)
		unregister_nmi_handler(NMI_LOCAL, "hvgdb");
	gdb.nmi_registered = false;
	for_each_possible_cpu(cpu) {
		kfree(per_cpu(hv_gdb_pcpu, cpu));
		per_cpu(hv_gdb_pcpu, cpu) = NULL;
	}
	vfree(gdb.eng);
	gdb.eng = NULL;
}
