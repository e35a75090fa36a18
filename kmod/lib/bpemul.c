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

/* MOV r/m64, r64 (REX.W 89 /r) or MOV r64, r/m64 (REX.W 8B /r) between
 * two registers (ModRM.mod = 3): mov %rsp,%rbp is 48 89 e5 (or 48 8b ec).
 * REX.R extends ModRM.reg, REX.B ModRM.rm (SDM Vol. 2A 2.2.1.2); no
 * other prefix. */
static bool bpemul_mov(const u8 *insn, u32 n, struct bpemul *e)
{
	u8 rex = insn[0], op, modrm, reg, rm;

	if (n < 3 || (rex & 0xf8) != 0x48)
		return false;
	op = insn[1];
	modrm = insn[2];
	if ((op != 0x89 && op != 0x8b) || (modrm >> 6) != 3)
		return false;
	reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
	rm = (modrm & 7) | ((rex & 1) << 3);
	bpemul_set(e, BPEMUL_MOV, 3, op == 0x89 ? rm : reg);
	e->src = op == 0x89 ? reg : rm;
	return true;
}

bool bpemul_decode(const u8 *insn, u32 n, struct bpemul *e)
{
	u32 i, len;

	e->kind = BPEMUL_NONE;
	e->len = 0;
	e->reg = 0;
	e->src = 0;
	if (!n)
		return false;
	/* ftrace's 5-byte nop first: most kernel functions start with it. */
	if (n >= 5 && insn[0] == 0x0f && insn[1] == 0x1f && insn[2] == 0x44 &&
	    insn[3] == 0 && insn[4] == 0)
		return bpemul_set(e, BPEMUL_NOP, 5, 0);
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
	if (bpemul_mov(insn, n, e))
		return true;
	for (i = 0; i < ARRAY_SIZE(bpemul_nops); i++) {
		len = i + 2;
		if (n >= len && !memcmp(insn, bpemul_nops[i], len))
			return bpemul_set(e, BPEMUL_NOP, (u8)len, 0);
	}
	return false;
}
