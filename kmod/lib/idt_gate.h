/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idt_gate.h - an IA-32e interrupt or trap gate (SDM Vol. 3A 6.14.1,
 * Figure 6-8): read and replace the handler's offset and IST index,
 * keeping the selector, type, DPL and present bit.  Pure functions.
 */
#ifndef HVGDB_KMOD_IDT_GATE_H
#define HVGDB_KMOD_IDT_GATE_H

#include "hvgdb/freestanding.h"

/* 16 bytes, as the CPU reads them. */
struct hv_idt_gate {
	u16 offset_low;		/* offset 15:0 */
	u16 selector;
	u16 bits;		/* IST 2:0, type 11:8, DPL 14:13, P 15 */
	u16 offset_mid;		/* offset 31:16 */
	u32 offset_high;	/* offset 63:32 */
	u32 reserved;
} __attribute__((packed));

#define HV_IDT_GATE_IST(bits)	((bits) & 7u)
#define HV_IDT_GATE_TYPE(bits)	(((bits) >> 8) & 0xfu)
#define HV_IDT_GATE_PRESENT	(1u << 15)
#define HV_IDT_GATE_INTR	0xeu	/* 64-bit interrupt gate */

u64 hv_idt_gate_offset(const struct hv_idt_gate *g);
void hv_idt_gate_set_offset(struct hv_idt_gate *g, u64 offset);
/* IST index 1-7, or 0: no stack switch at the same privilege level. */
void hv_idt_gate_set_ist(struct hv_idt_gate *g, unsigned int ist);
/* A present 64-bit interrupt gate: what an NMI handler's gate must be. */
bool hv_idt_gate_is_intr(const struct hv_idt_gate *g);

#endif /* HVGDB_KMOD_IDT_GATE_H */
