/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdb_priv.h - state shared by the files of hvgdb.ko's gdb server
 * (kmod/debug/gdb_*.c); nothing outside kmod/debug/ includes it.
 *
 *   gdb_link.c    the UART under the RSP engine, the wire log, the link lock,
 *                 noticing gdb while the system runs (the poll)
 *   gdb_halt.c    stopping the world, parking, serving gdb, a dead CPU
 *   gdb_nmi.c     NMIs: ours (halt requests) and the guest's (given back)
 *   gdb_trap.c    #BP, #DB and MTF exits: breakpoints and steps
 *   gdb_target.c  gdb's target operations and the register snapshot
 *   gdb_mem.c     guest memory: page walks, System RAM through the direct map
 *   gdb_mmio.c    device memory through one uncached page window
 *   gdb_watchdog.c the kernel's lockup and stall detectors across a stop
 *   gdb_main.c    load, unload, debugfs
 *
 * Locking.  The link lock (gdb_link_trylock/unlock) is an arch spinlock:
 * VMX root may take no kernel lock the interrupted guest could hold, and it
 * is only ever tried, never waited for with interrupts of our own pending.
 * Whoever holds it owns gdb.eng, gdb.uart and gdb_wire; the fields of
 * struct gdb_state below say what protects each of the others.
 */
#ifndef HVGDB_KMOD_DEBUG_GDB_PRIV_H
#define HVGDB_KMOD_DEBUG_GDB_PRIV_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/percpu.h>
#include "kmod/lib/gdb_cpu.h"
#include "kmod/lib/uart.h"
#include "gdbstub/gdbstub.h"

struct hv_cpu;
struct hv_regs;

#define GDB_HALT_WAIT_MS	1000
#define GDB_NMI_RESEND_MS	10

/*
 * Per-CPU debugger state.  Only req and nmi_ours are touched by other CPUs
 * (atomics); go_step is set by the link's holder; the rest is written by
 * the CPU itself, and read by the link's holder only while valid is true
 * (the CPU is parked and does not touch it).
 */
struct hv_gdb_cpu {
	struct gdb_cpu g;
	bool valid;		/* g holds this CPU's state: it is halted */
	atomic_t req;		/* halt requested */
	atomic_t nmi_ours;	/* NMIs sent by us, not yet seen */
	atomic_t go_step;	/* leave the halt for one gdb step */
	bool trace_step;	/* hv_gdb_trace_step(): this CPU only */
	u64 trace_unarmed;	/* such steps not taken (gdb_trace_arm()) */
	bool dead;		/* halted for good: hv_gdb_dead() */
	u32 nmi_pending;	/* guest NMIs waiting for an NMI window */
	atomic_t nmi_root;	/* guest NMIs that landed in root (NMI
				 * context), given at the end of the exit */
	/* hv_gdb_on_cpu(): the link's holder fills fn/arg, then sets call
	 * to GDB_CALL_ASKED; the parked CPU runs it, stores ret and sets
	 * GDB_CALL_DONE; the holder reads ret and sets GDB_CALL_IDLE. */
	atomic_t call;
	int (*call_fn)(struct hv_cpu *c, struct hv_regs *r, void *arg);
	void *call_arg;
	int call_ret;
};

enum { GDB_CALL_IDLE, GDB_CALL_ASKED, GDB_CALL_RUNNING, GDB_CALL_DONE };
#define GDB_CALL_WAIT_MS	1000

struct gdb_state {
	/* Set at load, constant until unload. */
	struct rsp_engine *eng;		/* link lock */
	struct uart uart;		/* link lock */
	bool uart_ok, can_halt, timer_on, nmi_registered;
	bool root_idt;		/* root has its own IDT (host_idt.c) */
	struct hrtimer timer;
	/* Halting: written by the link's holder; read by parked CPUs. */
	atomic_t halted;	/* CPUs parked, the owner not counted */
	atomic_t release_gen;	/* bumped to release the parked CPUs */
	bool halting;		/* a stop is under way (WRITE/READ_ONCE) */
	bool stepping;		/* halted but for one CPU doing gdb's step */
	int nthreads;		/* link lock */
	u64 trace_unarmed_told;	/* link lock: the sum last told to gdb */
	int thread_cpu[RSP_MAX_THREADS];	/* link lock */
	int owner_cpu;		/* the CPU serving gdb while halted */
	/* Statistics for debugfs: the link's holder, or the CPU itself
	 * (polls); read without a lock. */
	u64 halts, foreign_nmis, missed_halts, polls, gone, steps;
	u64 halt_tsc_last, halt_tsc_max;	/* request to all parked */
};

extern struct gdb_state gdb;
DECLARE_PER_CPU(struct hv_gdb_cpu *, hv_gdb_pcpu);
extern uint gdb_gone_timeout;
extern const struct hv_gdb_monitor *gdb_monitor_ops;

/* gdb_link.c */
bool gdb_link_trylock(void);
void gdb_link_unlock(void);
int gdb_link_init(void);
void gdb_link_announce(void);
void gdb_link_start(void);
void gdb_link_stop(void);
u64 gdb_ms_to_tsc(u32 ms);
extern const struct rsp_transport gdb_transport;
void gdb_link_show(struct seq_file *m);

/*
 * gdb_halt.c.  gdb_stop_world() runs with the link held and leaves it held;
 * when it hands the link to a CPU that steps for gdb, it fills *h and the
 * caller, after dropping the link, waits halted in gdb_after_stop().
 */
struct gdb_handover {
	bool wait;		/* wait halted until released */
	int gen;		/* release generation to wait out */
};
void gdb_stop_world(struct hv_cpu *c, struct hv_regs *r,
		    const struct rsp_stop *why, bool self,
		    struct gdb_handover *h);
void gdb_after_stop(struct hv_cpu *c, struct hv_regs *r,
		    const struct gdb_handover *h);
void gdb_park(struct hv_cpu *c, struct hv_regs *r);
bool gdb_stop_if(struct hv_cpu *c, struct hv_regs *r,
		 const struct rsp_stop *why, const char *text, size_t len,
		 bool (*still)(struct hv_cpu *, const struct rsp_stop *));

/* gdb_trap.c: a breakpoint's byte fetched from a page whose execute view
 * an X watch took away (bp.c, VMX root): the hit as a #BP exit would have
 * made it (events, then gdb's stop, then past the original instruction).
 * False: no breakpoint at RIP. */
bool gdb_bp_fetched(struct hv_cpu *c, struct hv_regs *r);

/* gdb_nmi.c: EXIT_EXCEPTION_NMI with an NMI; an NMI in root (root's own
 * IDT, NMI context); the guest's NMIs from root, at the end of an exit;
 * the kernel's NMI handler (CPUs not in VMX). */
int gdb_on_nmi(struct hv_cpu *c, struct hv_regs *r, struct hv_gdb_cpu *pc);
void gdb_root_nmi(void);
void gdb_give_root_nmis(struct hv_cpu *c, struct hv_gdb_cpu *pc);
int gdb_nmi_handler(unsigned int type, struct pt_regs *regs);
void gdb_send_nmi(int cpu, struct hv_gdb_cpu *pc);

/* gdb_watchdog.c: hold at a stop's start (link's holder), touch on each
 * CPU leaving a halt, resumed when the world runs, poll on the polling CPU,
 * release at unload. */
void gdb_watchdogs_hold(void);
void gdb_watchdogs_touch(void);
void gdb_watchdogs_resumed(void);
void gdb_watchdogs_poll(void);
void gdb_watchdogs_release(void);

/* gdb_mem.c: [pa, pa + len) touches System RAM; MAXPHYADDR.  `.process
 * pid` across resumes, on the link's holder: gdb_as_suspend() as gdb
 * resumes drops the table and keeps the pid; gdb_as_refresh() at the next
 * stop finds the table again: 0, or the error that ended the switch
 * (-ESRCH: the process is gone) with *pid. */
bool gdb_ram_overlaps(u64 pa, u64 len);
u8 gdb_phys_bits(void);
void gdb_as_suspend(void);
int gdb_as_refresh(u32 *pid);

/* gdb_mmio.c: the uncached window for device memory (load, unload). */
int gdb_mmio_init(void);
void gdb_mmio_exit(void);

/* gdb_target.c: on the CPU itself in VMX root. */
extern const struct rsp_target_ops gdb_target_ops;

/* gdb_btf.c: the kernel's BTF, compressed at load for qXfer:hvgdb-btf. */
void gdb_btf_init(void);
void gdb_btf_exit(void);
int gdb_btf_blob(void *ctx, const u8 **data, size_t *len);
struct gdb_cpu *gdb_thread(int tid);
void gdb_snapshot(struct hv_cpu *c, struct hv_regs *r, struct gdb_cpu *g);
void gdb_apply(struct hv_cpu *c, struct hv_regs *r, struct gdb_cpu *g);

#endif /* HVGDB_KMOD_DEBUG_GDB_PRIV_H */
