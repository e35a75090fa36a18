/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event_emul.h - the pure parts of emulating the instructions behind the
 * monitor events (kmod/mon_events.c does the machine accesses).
 *
 * Contract: no state, no side effects; inputs are exit qualifications,
 * register values and CPUID data, outputs what the guest must see.  The
 * SDM section each rule comes from is cited at the function.
 */
#ifndef HVGDB_EVENT_EMUL_H
#define HVGDB_EVENT_EMUL_H

#include "hvgdb/freestanding.h"

/* MOV DR exit qualification (SDM vol. 3C 28.2.1, Table 28-4). */
struct event_dr_access {
	u8 dr;			/* 0-7 as encoded (4/5 not yet aliased) */
	u8 gpr;			/* SDM GPR order, RAX = 0 */
	bool from_dr;		/* MOV from DR (read) */
};
void event_decode_dr(u64 qual, struct event_dr_access *out);

/* DR4/DR5 alias DR6/DR7 when CR4.DE = 0, else #UD (SDM vol. 3B 18.2.2):
 * returns the register to use, or -1 for #UD. */
int event_dr_alias(u8 dr, bool cr4_de);

/* CR0 after LMSW of src (SDM vol. 2 "LMSW": bits 0-3 only; PE cannot be
 * cleared) and after CLTS (TS cleared). */
u64 event_cr0_lmsw(u64 cr0, u16 src);
u64 event_cr0_clts(u64 cr0);

/* XCR0 value XSETBV accepts (SDM vol. 1 13.3): x87 set, only supported
 * bits (CPUID.(EAX=0DH,ECX=0):EDX:EAX), AVX needs SSE, MPX bits in pairs,
 * the AVX-512 trio together and with AVX. */
bool event_xcr0_valid(u64 v, u64 supported);

/* RAX after IN of size 1, 2 or 4 bytes: AL/AX keep the upper bits, EAX
 * zero-extends into RAX (SDM vol. 1 3.4.1.1). */
u64 event_in_rax(u64 rax, u32 value, u8 size);

/* REP INS/OUTS: the address-size mask of the exit instruction
 * information bits 9:7 (SDM vol. 3C 28.2.5, Table 28-8). */
u64 event_addr_mask(u32 insn_info);

#endif /* HVGDB_EVENT_EMUL_H */
