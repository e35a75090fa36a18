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

#define MON_VEC_PF		14
#define MON_VEC_DF		8
#define MON_TYPE(info)		(((info) >> 8) & 7)
#define MON_TYPE_HW_EXC		3
#define MON_TYPE_PRIV_SW_EXC	5	/* INT1 */
#define MON_TYPE_SW_EXC		6	/* INT3, INTO */
#define MON_NMI_UNBLOCK		(1u << 12)	/* IRET unblocked NMIs */
#define MON_BLOCK_NMI		(1u << 3)	/* interruptibility state */

struct mon_exc {
	u32 info, error, insn_len;
	u64 qual;
};

/* Give the exception to the guest as it came (SDM 27.6.1). */
static void mon_exc_deliver(const struct mon_exc *e)
{
	u32 type = MON_TYPE(e->info);

	/*
	 * A fault in an IRET that had unblocked NMIs: blocking comes back
	 * before the handler runs, as without VMX (SDM 28.2.3, 27.6.1.2 with
	 * virtual NMIs); bit 12 itself must be 0 on entry.
	 */
	if ((e->info & MON_NMI_UNBLOCK) && (e->info & 0xff) != MON_VEC_DF)
		hv_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			   hv_vmread(VMCS_GUEST_INTERRUPTIBILITY) |
			   MON_BLOCK_NMI);
	hv_vmwrite(VMCS_ENTRY_INTR_INFO, e->info & ~MON_NMI_UNBLOCK);
	if (e->info & HV_INTR_DELIVER_ERROR)
		hv_vmwrite(VMCS_ENTRY_EXC_ERROR, e->error);
	if (type == MON_TYPE_SW_EXC || type == MON_TYPE_PRIV_SW_EXC)
		hv_vmwrite(VMCS_ENTRY_INSN_LEN, e->insn_len);
}

static bool mon_exc_event(struct hv_cpu *c, struct hv_regs *r, u32 info)
{
	u32 vec = info & 0xff, type = MON_TYPE(info);
	struct event_exit x;
	struct mon_exc e;

	if (type != MON_TYPE_HW_EXC && type != MON_TYPE_SW_EXC &&
	    type != MON_TYPE_PRIV_SW_EXC)
		return false;
	e.info = info;
	e.error = (u32)hv_vmread(VMCS_EXIT_INTR_ERROR);
	e.insn_len = (u32)hv_vmread(VMCS_EXIT_INSN_LEN);
	e.qual = hv_vmread(VMCS_EXIT_QUALIFICATION);
	mon_exit_init(&x, EVENT_EXCEPTION, vec, vec);
	if (vec == MON_VEC_PF && type == MON_TYPE_HW_EXC) {
		/* A #PF exit leaves CR2 alone (SDM 27.1). */
		write_cr2(e.qual);
		x.aux = e.qual;
	}
	if (mon_fire(c, r, &x)) {
		if (type != MON_TYPE_HW_EXC)
			hv_vmwrite(VMCS_GUEST_RIP,
				   hv_vmread(VMCS_GUEST_RIP) + e.insn_len);
		return true;
	}
	mon_exc_deliver(&e);
	x.stage = EVENT_STAGE_POST;
	mon_fire(c, r, &x);
	return true;
}

bool hv_mon_on_exception(struct hv_cpu *c, struct hv_regs *r, u32 info)
{
	u32 vec = info & 0xff;

	if (!mon.out)
		return false;
	if (vec == HV_VEC_UD && MON_TYPE(info) == MON_TYPE_HW_EXC &&
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
