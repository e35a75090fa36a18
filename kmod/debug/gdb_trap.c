// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_trap.c - the exception, MTF exits of hvgdb.ko's gdb server: NMIs go
 * to gdb_nmi.c; #BP and #DB that are gdb's (breakpoints, watchpoints, the
 * end of a step) stop the system; every other exception is offered to the
 * monitor's !exception events and otherwise given back to the guest as it
 * came.
 *
 * Context: VMX root on the exiting CPU.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/special_insns.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"
#include "kmod/debug/bp.h"
#include "kmod/debug/step.h"
#include "kmod/vmx/prof.h"

/* Is the breakpoint still there now that we own the link?  gdb may have
 * removed it while another CPU's stop was served. */
static bool gdb_bp_still(struct hv_cpu *c, const struct rsp_stop *why)
{
	struct rsp_stop again;

	return hv_bp_on_int3(c, c->regs, &again);
}

/*
 * A #BP exit: the events that own a hidden breakpoint here act first (in
 * root, the kernel goes on), then gdb's breakpoint at the same address
 * stops; then the CPU goes past the original instruction.  False: not
 * ours (the guest's own int3).
 */
static bool gdb_on_bp(struct hv_cpu *c, struct hv_regs *r,
		      struct rsp_stop *stop)
{
	u64 rip = hv_vmread(VMCS_GUEST_RIP);
	u32 own = hv_bp_owners(rip);
	const struct hv_gdb_monitor *m;
	u8 byte;

	hv_prof(HV_PROF_LOOKUP);
	if (own & HV_BP_OWN_EVENTS) {
		hv_prof_kind(HV_PROF_K_EPTHOOK);
		m = READ_ONCE(gdb_monitor_ops);
		if (m && m->on_hook)
			m->on_hook(c, r, rip);
		/* A break stopped the world: the resume stepped past.
		 * An event_trace_* step runs the real instruction at the
		 * end of this exit. */
		if (hv_step_kind() != HV_STEP_NONE ||
		    hv_vmread(VMCS_GUEST_RIP) != rip || hv_gdb_trace_pending())
			return true;
	}
	if ((own & HV_BP_OWN_GDB) && hv_bp_on_int3(c, r, stop)) {
		if (!gdb_stop_if(c, r, stop, NULL, 0, gdb_bp_still))
			hv_bp_pass(c, r);	/* no gdb to tell */
		return true;
	}
	if (own) {
		hv_prof(HV_PROF_AFTER);
		hv_bp_pass(c, r);
		return true;
	}
	/* Hit as it was removed (no longer in the table, the original
	 * byte back): run the instruction again. */
	if (hv_gdb_read_current(rip, &byte, 1) == 1 && byte != 0xcc)
		return true;
	return false;
}

bool gdb_bp_fetched(struct hv_cpu *c, struct hv_regs *r)
{
	struct rsp_stop stop = { 0 };

	if (!hv_bp_owners(hv_vmread(VMCS_GUEST_RIP)))
		return false;
	return gdb_on_bp(c, r, &stop);
}

/* The end of a !track step: the monitor prints and steps on or stops. */
static void gdb_track_step(struct hv_cpu *c, struct hv_regs *r)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);

	if (hv_bp_take_track() && m && m->track)
		m->track(c, r, false);
}

int hv_gdb_on_exception(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);
	u32 info = (u32)hv_vmread(VMCS_EXIT_INTR_INFO);
	const struct hv_gdb_monitor *m;
	struct rsp_stop stop = { 0 };
	u64 qual, dr6;

	if (hv_is_nmi(info))
		return pc ? gdb_on_nmi(c, r, pc) : HV_RESUME;
	switch (hv_intr_info_vector(info)) {
	case HV_VEC_BP:
		hv_prof(HV_PROF_EXC);
		if (gdb_on_bp(c, r, &stop))
			return HV_RESUME;
		break;
	case HV_VEC_DB:	/* a step's end, a debug-register hit */
		qual = hv_vmread(VMCS_EXIT_QUALIFICATION);
		if (hv_bp_on_db(c, r, qual, &stop)) {
			if (stop.tid)
				hv_gdb_stop_here(c, r, &stop, NULL, 0);
			else
				gdb_track_step(c, r);
			return HV_RESUME;
		}
		/* The guest's own: a #DB exit leaves DR6 to us (SDM Vol. 3
		 * 27.1); B0-B3, BD, BS as the exit qualification says. */
		get_debugreg(dr6, 6);
		set_debugreg((dr6 & ~0x600fULL) | (qual & 0x600f), 6);
		break;
	}
	m = READ_ONCE(gdb_monitor_ops);
	if (m && m->on_exception(c, r, info))
		return HV_RESUME;
	/* Give it back to the guest as it came. */
	hv_reinject_exit_event();
	return HV_RESUME;
}

int hv_gdb_on_mtf(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct rsp_stop stop = { 0 };

	hv_prof_kind(HV_PROF_K_MTF);
	if (hv_bp_on_mtf(c, &stop)) {
		if (stop.tid)
			hv_gdb_stop_here(c, r, &stop, NULL, 0);
		else
			gdb_track_step(c, r);
	}
	return HV_RESUME;
}

