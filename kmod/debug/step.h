/* SPDX-License-Identifier: GPL-2.0 */
/*
 * step.h - run exactly one guest instruction on this CPU, then exit.
 *
 * Contract: hv_step_start() in VMX root arms the step for the instruction
 * at the guest's RIP: the monitor trap flag where the CPU has it (SDM
 * Vol. 3 26.5.2), else RFLAGS.TF with #DB intercepted (Bochs 2.7 has no
 * working MTF).  While a step is armed, external interrupts exit and are
 * held (acknowledged, SDM 25.2 / 27.2.2), so no handler runs in the
 * middle of the step; they are injected in order of priority once the
 * step is over, none lost: at once when the guest can take one (also
 * into HLT, which wakes the CPU), else from interrupt-window exits.  The
 * same holds for interrupts that exit for an !interrupt event.  A CPU
 * halted in HLT is woken to step.  The step ends at the MTF exit or at a #DB
 * whose exit qualification has BS: the caller then calls hv_step_end(),
 * which restores TF and gives back the held interrupts.
 */
#ifndef HVGDB_KMOD_STEP_H
#define HVGDB_KMOD_STEP_H

#include <linux/types.h>

struct hv_cpu;
struct hv_regs;

enum hv_step_kind {
	HV_STEP_NONE = 0,
	HV_STEP_GDB,		/* gdb's stepi: report a stop after it */
	HV_STEP_OVER,		/* over a breakpoint/hooked page: silent */
	HV_STEP_WATCH,		/* a watched access: report it after */
	HV_STEP_TRACK,		/* !track: the monitor's track hook after */
};

void hv_step_start(struct hv_cpu *c, enum hv_step_kind kind);
/* The kind of the step armed on this CPU (HV_STEP_NONE if none). */
enum hv_step_kind hv_step_kind(void);
/* The step is over: restore TF, release held interrupts; returns its
 * kind. */
enum hv_step_kind hv_step_end(struct hv_cpu *c);
/* The step armed over a breakpoint or hooked page (HV_STEP_OVER) is to
 * report a stop as gdb's step does (event_trace_*). */
void hv_step_report(void);
/* Is this #DB exit (exit qualification @qual) the end of our TF step? */
bool hv_step_is_ours_db(u64 qual);

/* Exit hooks: EXIT_EXTERNAL_INTR, EXIT_INTR_WINDOW, EXIT_HLT (HLT exiting
 * is on only while interrupts are held). */
int hv_step_on_extint(struct hv_cpu *c, struct hv_regs *r, u32 reason);
int hv_step_on_intr_window(struct hv_cpu *c, struct hv_regs *r, u32 reason);
int hv_step_on_hlt(struct hv_cpu *c, struct hv_regs *r, u32 reason);

/* Statistics for debugfs. */
u64 hv_step_held_total(void);

#endif /* HVGDB_KMOD_STEP_H */
