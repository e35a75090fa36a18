// SPDX-License-Identifier: GPL-2.0
/* event_emul.c - pure emulation rules; see event_emul.h. */
#include "hvgdb/freestanding.h"
#include "event_emul.h"

void event_decode_dr(u64 qual, struct event_dr_access *out)
{
	out->dr = qual & 7;
	out->from_dr = (qual >> 4) & 1;
	out->gpr = (qual >> 8) & 15;
}

int event_dr_alias(u8 dr, bool cr4_de)
{
	if (dr == 4 || dr == 5)
		return cr4_de ? -1 : dr + 2;
	return dr;
}

u64 event_cr0_lmsw(u64 cr0, u16 src)
{
	/* MP, EM, TS follow src; PE is set if src sets it, never cleared. */
	return (cr0 & ~0xeull) | (src & 0xe) | (cr0 & 1) | (src & 1);
}

u64 event_cr0_clts(u64 cr0)
{
	return cr0 & ~(u64)8;
}

bool event_xcr0_valid(u64 v, u64 supported)
{
	if (!(v & 1) || (v & ~supported))
		return false;
	if ((v & 4) && !(v & 2))
		return false;
	if ((v & 0x18) && (v & 0x18) != 0x18)
		return false;
	if ((v & 0xe0) && ((v & 0xe0) != 0xe0 || !(v & 4)))
		return false;
	return true;
}

u64 event_in_rax(u64 rax, u32 value, u8 size)
{
	switch (size) {
	case 1:
		return (rax & ~0xffull) | (value & 0xff);
	case 2:
		return (rax & ~0xffffull) | (value & 0xffff);
	default:
		return value;
	}
}

u64 event_addr_mask(u32 insn_info)
{
	switch ((insn_info >> 7) & 7) {
	case 0:
		return 0xffff;
	case 1:
		return 0xffffffffull;
	default:
		return ~0ull;
	}
}
