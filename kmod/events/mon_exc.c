// SPDX-License-Identifier: GPL-2.0
/*
 * mon_exc.c - !exception and !interrupt in VMX root, and the #UD of the
 * SYSCALL hook (mon_sys.c), behind the hooks of mon.h.
 *
 * !exception: gdb.c's exception exit handler calls hv_mon_on_exception()
 * for every exception it did not claim (its own #BP/#DB are gone).  The
 * pre stage runs, then the exception is delivered to the guest as it came
 * (SDM 27.6.1 event injection, 28.2.2 exit interruption information),
 * then the post stage.  Short-circuit: it is not delivered; a software
 * exception (INT3, INTO, INT1) is skipped, a fault restarts its
 * instruction (a script can move @rip).  $context is the vector; for #PF
 * CR2 is loaded with the faulting address (the exit qualification, SDM
 * 28.2.1) before the actions run, so @cr2 and the stop line's cr2= show
 * it, as the delivery would have set it anyway.
 *
 * !interrupt: step.c's external-interrupt exit handler holds each vector
 * acknowledged on exit and re-injects it from an interrupt-window exit;
 * hv_mon_on_interrupt() then runs the pre and post stages.  Short-circuit
 * is never honoured: the local APIC has the vector in service until the
 * guest's EOI, so a dropped interrupt would block every interrupt of equal
 * or lower priority for good (SDM vol. 3A 11.8.4); every interrupt reaches
 * the guest.
 *
 * Not handled (as in gdb.c's re-injection): an exception raised while
 * the CPU delivered another event (IDT-vectoring information valid, SDM
 * 28.2.4) is delivered alone; the first event is not re-queued nor turned
 * into a #DF.  Linux's IDT, stacks and entry code are always mapped, so
 * this does not happen to a sound guest.
 */
#include <linux/kernel.h>
#include <asm/special_insns.h>
#include "kmod/vmx/hv.h"
#include "kmod/events/mon.h"
#include "kmod/events/mon_priv.h"

struct mon_exc {
	u32 info, error, insn_len;
	u64 qual;
};

static bool mon_exc_event(struct hv_cpu *c, struct hv_regs *r, u32 info)
{
	u32 vec = hv_intr_info_vector(info), type = hv_intr_info_type(info);
	struct event_exit x;
	struct mon_exc e;

	if (type != HV_INTR_TYPE_HW_EXCEPTION &&
	    type != HV_INTR_TYPE_SW_EXCEPTION &&
	    type != HV_INTR_TYPE_PRIV_SW_EXCEPTION)
		return false;
	e.info = info;
	e.error = (u32)hv_vmread(VMCS_EXIT_INTR_ERROR);
	e.insn_len = (u32)hv_vmread(VMCS_EXIT_INSN_LEN);
	e.qual = hv_vmread(VMCS_EXIT_QUALIFICATION);
	mon_exit_init(&x, EVENT_EXCEPTION, vec, vec);
	if (hv_is_hw_exception(info, HV_VEC_PF)) {
		/* A #PF exit leaves CR2 alone (SDM 27.1). */
		write_cr2(e.qual);
		x.aux = e.qual;
	}
	if (mon_fire(c, r, &x)) {
		if (type != HV_INTR_TYPE_HW_EXCEPTION)
			hv_vmwrite(VMCS_GUEST_RIP,
				   hv_vmread(VMCS_GUEST_RIP) + e.insn_len);
		return true;
	}
	/* As it came (SDM 27.6.1); NMI blocking as reinject.h says. */
	hv_reinject_event(e.info, e.error, e.insn_len);
	x.stage = EVENT_STAGE_POST;
	mon_fire(c, r, &x);
	return true;
}

bool hv_mon_on_exception(struct hv_cpu *c, struct hv_regs *r, u32 info)
{
	u32 vec = hv_intr_info_vector(info);

	if (!mon.out)
		return false;
	if (hv_is_hw_exception(info, HV_VEC_UD) &&
	    mon_sys_on_ud(c, r))
		return true;
	/* Only the vectors some enabled event asked for: gdb and step.c
	 * intercept #BP/#DB for themselves. */
	if (!mon.table.count || !(mon.icpt.exception_bitmap & (1u << vec)))
		return false;
	return mon_exc_event(c, r, info);
}

void hv_mon_on_interrupt(struct hv_cpu *c, struct hv_regs *r, u8 vector)
{
	struct event_exit x;

	if (!mon.out || !mon.table.count ||
	    !(mon.icpt.pin_based & HV_PIN_EXT_INTR_EXITING))
		return;
	mon_exit_init(&x, EVENT_INTERRUPT, vector, vector);
	mon_fire(c, r, &x);		/* sc: not honoured, see above */
	x.stage = EVENT_STAGE_POST;
	mon_fire(c, r, &x);
}
