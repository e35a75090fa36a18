// SPDX-License-Identifier: GPL-2.0
/*
 * inject.c - every event hvgdb.ko gives the guest goes through here: the
 * only writer of the VM-entry interruption-information field once the
 * VMCS is set up (SDM Vol. 3C 27.6 "Event Injection").
 *
 * Context: VMX root on the CPU whose VMCS is current; no locks.
 */
#include <linux/kernel.h>
#include <asm/special_insns.h>
#include "kmod/vmx/hv.h"
#include "kmod/lib/reinject.h"

bool hv_event_queued(void)
{
	return hv_intr_info_valid((u32)hv_vmread(VMCS_ENTRY_INTR_INFO));
}

/*
 * Queue @info for the next VM entry.  An event injected at an exit taken
 * while the CPU sat in HLT (an interrupt woke it) must, unless HLT accepts
 * it, leave HLT or the entry fails (hv_entry_activity(), SDM 27.3.1.5);
 * RIP is already past the HLT.
 */
static void hv_entry_event(u32 info)
{
	u32 act = (u32)hv_vmread(VMCS_GUEST_ACTIVITY);
	u32 want = hv_entry_activity(act, info);

	if (want != act)
		hv_vmwrite(VMCS_GUEST_ACTIVITY, want);
	hv_vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

/* Hardware exception at the faulting RIP (SDM 27.6.1). */
void hv_inject(u32 vector, bool has_error, u32 error)
{
	u32 info = vector | HV_INTR_TYPE_HW_EXCEPTION | HV_INTR_INFO_VALID;

	if (has_error) {
		info |= HV_INTR_DELIVER_ERROR;
		hv_vmwrite(VMCS_ENTRY_EXC_ERROR, error);
	}
	hv_entry_event(info);
}

void hv_inject_nmi(void)
{
	hv_entry_event(HV_VEC_NMI | HV_INTR_TYPE_NMI | HV_INTR_INFO_VALID);
}

void hv_inject_extint(u32 vector)
{
	hv_entry_event(hv_intr_info_vector(vector) | HV_INTR_TYPE_EXT_INTR |
		       HV_INTR_INFO_VALID);
}

/* @info with its error code and instruction length, NMI blocking fixed up
 * by hv_reinject_intr_info(). */
static void hv_reinject_info(u32 info, u32 idt_vectoring, u32 error,
			     u32 insn_len)
{
	u32 intr = (u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY), was = intr;
	u32 entry = hv_reinject_intr_info(info, idt_vectoring, &intr);

	if (!entry)
		return;
	if (intr != was)
		hv_vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr);
	if (hv_is_exception_with_error_code(entry))
		hv_vmwrite(VMCS_ENTRY_EXC_ERROR, error);
	if (hv_is_software_event(entry))
		hv_vmwrite(VMCS_ENTRY_INSN_LEN, insn_len);
	hv_entry_event(entry);
}

void hv_reinject_event(u32 info, u32 error, u32 insn_len)
{
	hv_reinject_info(info, (u32)hv_vmread(VMCS_IDT_VECTORING_INFO), error,
			 insn_len);
}

void hv_reinject_exit_event(void)
{
	u32 info = (u32)hv_vmread(VMCS_EXIT_INTR_INFO);

	/* A #PF exit leaves CR2 alone; the address is the exit
	 * qualification (SDM Vol. 3C 28.1, 28.2.1). */
	if (hv_is_hw_exception(info, HV_VEC_PF))
		write_cr2(hv_vmread(VMCS_EXIT_QUALIFICATION));
	hv_reinject_event(info, (u32)hv_vmread(VMCS_EXIT_INTR_ERROR),
			  (u32)hv_vmread(VMCS_EXIT_INSN_LEN));
}

bool hv_redeliver_idt_vectoring(void)
{
	u32 idt = (u32)hv_vmread(VMCS_IDT_VECTORING_INFO);

	if (!hv_intr_info_valid(idt))
		return false;
	hv_reinject_info(idt, idt, (u32)hv_vmread(VMCS_IDT_VECTORING_ERROR),
			 (u32)hv_vmread(VMCS_EXIT_INSN_LEN));
	return true;
}
