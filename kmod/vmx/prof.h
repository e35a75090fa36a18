/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prof.h - TSC stamps along the VM-exit paths of the hooks, for profiling
 * (docs/performance.md, "Where an !epthook hit goes").
 *
 * Built only with `make kmod HVGDB_PROF=y` (Kbuild defines HVGDB_PROF);
 * the normal build compiles every hv_prof_*() call to nothing and has no
 * debugfs file.  In Bochs with `clock: sync=none` the TSC advances once
 * per emulated instruction, so the stamps count instructions.
 *
 * Use: hv_prof_begin() at the start of the exit handler (hv_exit_handler(),
 * after entry.S saved the registers), hv_prof(point)
 * along the path (the ticks since the previous stamp are charged to that
 * point), hv_prof_kind(kind) once the path knows what the exit is, and
 * hv_prof_end() before the handler returns: the exit's figures are added
 * to its kind's sums, or dropped when no kind was set.  debugfs "prof"
 * (hvgdb.ko's directory) prints per kind the exits counted and the mean
 * ticks per point; writing anything to it resets the sums.
 *
 * Context: VMX root, interrupts off, this CPU's own per-CPU data; the
 * reader (process context) reads other CPUs' sums without a lock (the
 * figures are statistics).
 */
#ifndef HVGDB_KMOD_PROF_H
#define HVGDB_KMOD_PROF_H

struct dentry;

enum hv_prof_point {
	HV_PROF_DISPATCH,	/* exit reason read, handler reached */
	HV_PROF_EXC,		/* exception exit: interruption info read */
	HV_PROF_LOOKUP,		/* breakpoint table: owners of RIP */
	HV_PROF_MATCH,		/* event_match(): which events fire */
	HV_PROF_CTX,		/* the action's context (mon_act setup) */
	HV_PROF_SCRIPT,		/* condition and script run */
	HV_PROF_FIRED,		/* the rest of mon_fire() */
	HV_PROF_AFTER,		/* back in the #BP path: break? gdb? */
	HV_PROF_PASS,		/* hv_bp_pass(): the breakpoint again */
	HV_PROF_FETCH,		/* the displaced instruction's bytes */
	HV_PROF_EMUL,		/* decoded and run in root */
	HV_PROF_RESUME,		/* exit handler's tail before VMRESUME */
	HV_PROF_NPOINTS
};

enum hv_prof_kind {
	HV_PROF_K_NONE,
	HV_PROF_K_EPTHOOK,	/* #BP exit at an !epthook's breakpoint */
	HV_PROF_K_EPTHOOK2,	/* !epthook2's trampoline VMCALL */
	HV_PROF_K_CPUID,	/* a CPUID exit */
	HV_PROF_K_EPTV,		/* an EPT violation on a hooked page */
	HV_PROF_K_MTF,		/* the MTF exit that ends a step */
	HV_PROF_NKINDS
};

#ifdef HVGDB_PROF
#include <linux/percpu.h>
#include <linux/string.h>
#include <asm/msr.h>

struct hv_prof_cpu {
	u64 last;		/* ticks at the previous stamp */
	u8 kind;		/* this exit's kind, HV_PROF_K_NONE until set */
	u32 cur[HV_PROF_NPOINTS];	/* this exit's ticks per point */
	u64 n[HV_PROF_NKINDS];
	u64 sum[HV_PROF_NKINDS][HV_PROF_NPOINTS];
};
DECLARE_PER_CPU(struct hv_prof_cpu, hv_prof_cpu);

static __always_inline void hv_prof_begin(void)
{
	struct hv_prof_cpu *p = this_cpu_ptr(&hv_prof_cpu);

	memset(p->cur, 0, sizeof(p->cur));
	p->kind = HV_PROF_K_NONE;
	p->last = rdtsc();
}

static __always_inline void hv_prof(enum hv_prof_point pt)
{
	struct hv_prof_cpu *p = this_cpu_ptr(&hv_prof_cpu);
	u64 now = rdtsc();

	p->cur[pt] += (u32)(now - p->last);
	p->last = now;
}

static __always_inline void hv_prof_kind(enum hv_prof_kind k)
{
	this_cpu_ptr(&hv_prof_cpu)->kind = k;
}

void hv_prof_end(void);
void hv_prof_debugfs(struct dentry *dir);
#else
static __always_inline void hv_prof_begin(void) { }
static __always_inline void hv_prof(enum hv_prof_point pt) { }
static __always_inline void hv_prof_kind(enum hv_prof_kind k) { }
static __always_inline void hv_prof_end(void) { }
#define hv_prof_debugfs(dir) do { } while (0)
#endif

#endif /* HVGDB_KMOD_PROF_H */
