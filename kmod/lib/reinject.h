/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reinject.h - the VM-entry interruption information and guest
 * interruptibility state that deliver again an event a VM exit reported
 * (SDM Vol. 3C 28.2.2-28.2.4, 32.7.1).  Pure function.
 */
#ifndef HVGDB_KMOD_REINJECT_H
#define HVGDB_KMOD_REINJECT_H

#include "hvgdb/freestanding.h"

/*
 * hv_reinject_intr_info - give the guest again an event a VM exit reported
 * @info: the event: the exit's VM-exit interruption information (an
 *	intercepted exception), or its IDT-vectoring information (an event
 *	whose delivery the exit cut short)
 * @idt_vectoring: the exit's IDT-vectoring information
 * @intr: in, the guest interruptibility state the exit saved; out, the
 *	state the VM entry must carry
 *
 * Returns the value for the VM-entry interruption-information field, 0
 * (nothing to inject) if @info is not valid.  Bit 12 is never copied: it
 * is reserved on entry (SDM 27.2.1.3) and undefined in IDT-vectoring
 * information (28.2.4).  When it is defined in exit interruption
 * information (28.2.2: no IDT-vectoring event, not a #DF) and set, the
 * exception came from an IRET that unblocked NMIs, which stay blocked
 * until an IRET completes: blocking by NMI is set, as "Resuming Guest
 * Software after Handling an Exception" (32.7.1.2) asks of a VMM.
 * Re-injecting an NMI clears blocking by NMI, which a VM entry injecting
 * one requires with virtual NMIs (27.3.1.5).
 */
u32 hv_reinject_intr_info(u32 info, u32 idt_vectoring, u32 *intr);

#endif /* HVGDB_KMOD_REINJECT_H */
