// SPDX-License-Identifier: GPL-2.0
/*
 * idt_gate.c - the handler offset of an IA-32e gate descriptor
 * (SDM Vol. 3A 6.14.1).  See idt_gate.h.
 */
#include "kmod/lib/idt_gate.h"

u64 hv_idt_gate_offset(const struct hv_idt_gate *g)
{
	return (u64)g->offset_low | (u64)g->offset_mid << 16 |
	       (u64)g->offset_high << 32;
}

void hv_idt_gate_set_offset(struct hv_idt_gate *g, u64 offset)
{
	g->offset_low = (u16)offset;
	g->offset_mid = (u16)(offset >> 16);
	g->offset_high = (u32)(offset >> 32);
}

void hv_idt_gate_set_ist(struct hv_idt_gate *g, unsigned int ist)
{
	g->bits = (u16)((g->bits & ~7u) | (ist & 7u));
}

bool hv_idt_gate_is_intr(const struct hv_idt_gate *g)
{
	return (g->bits & HV_IDT_GATE_PRESENT) &&
	       HV_IDT_GATE_TYPE(g->bits) == HV_IDT_GATE_INTR;
}
