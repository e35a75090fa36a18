// SPDX-License-Identifier: GPL-2.0
/*
 * bpemul.c - instructions a hidden breakpoint can run in VMX root (see
 * bpemul.h).
 */
#include "kmod/lib/bpemul.h"

/* The recommended multi-byte nops (SDM Vol. 2B, NOP), 2 to 9 bytes. */
static const u8 bpemul_nops[][9] = {
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

static bool bpemul_set(struct bpemul *e, u8 kind, u8 len, u8 reg)
{
	e->kind = kind;
	e->len = len;
	e->reg = reg;
	return true;
}

bool bpemul_decode(const u8 *insn, u32 n, struct bpemul *e)
{
	u32 i, len;

	e->kind = BPEMUL_NONE;
	e->len = 0;
	e->reg = 0;
	if (!n)
		return false;
	if (insn[0] == 0x90)
		return bpemul_set(e, BPEMUL_NOP, 1, 0);
	if (insn[0] >= 0x50 && insn[0] <= 0x57)
		return bpemul_set(e, BPEMUL_PUSH, 1, insn[0] - 0x50);
	/* REX.B push: r8-r15 (REX.W changes nothing for PUSH). */
	if (n >= 2 && (insn[0] & 0xf1) == 0x41 &&
	    insn[1] >= 0x50 && insn[1] <= 0x57)
		return bpemul_set(e, BPEMUL_PUSH, 2, 8 + insn[1] - 0x50);
	/* endbr64 (f3 0f 1e fa) and endbr32 (f3 0f 1e fb): nops here. */
	if (n >= 4 && insn[0] == 0xf3 && insn[1] == 0x0f && insn[2] == 0x1e &&
	    (insn[3] == 0xfa || insn[3] == 0xfb))
		return bpemul_set(e, BPEMUL_NOP, 4, 0);
	for (i = 0; i < ARRAY_SIZE(bpemul_nops); i++) {
		len = i + 2;
		if (n >= len && !memcmp(insn, bpemul_nops[i], len))
			return bpemul_set(e, BPEMUL_NOP, (u8)len, 0);
	}
	return false;
}
