// SPDX-License-Identifier: GPL-2.0
/*
 * reinject.c - re-delivery of an event a VM exit reported (reinject.h).
 */
#include "kmod/lib/reinject.h"
#include "kmod/lib/vmx_defs.h"

u32 hv_reinject_intr_info(u32 info, u32 idt_vectoring, u32 *intr)
{
	if (!hv_intr_info_valid(info))
		return 0;
	/* NMI unblocking due to IRET (SDM 28.2.3), where defined (28.2.2). */
	if ((info & HV_INTR_NMI_UNBLOCK_IRET) &&
	    !hv_intr_info_valid(idt_vectoring) &&
	    !hv_is_hw_exception(info, HV_VEC_DF))
		*intr |= HV_BLOCK_BY_NMI;
	if (hv_is_nmi(info))
		*intr &= ~HV_BLOCK_BY_NMI;
	return info & ~HV_INTR_NMI_UNBLOCK_IRET;
}
