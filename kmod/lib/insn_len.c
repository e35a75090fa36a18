// SPDX-License-Identifier: GPL-2.0
/*
 * insn_len.c - x86 instruction length decoder (see insn_len.h).
 *
 * The decoder walks the encoding once, left to right, as laid out in
 * Intel SDM Vol. 2A, 2.1 ("Instruction Format for Protected Mode,
 * Real-Address Mode, and Virtual-8086 Mode"):
 *
 *   legacy prefixes, REX | VEX | EVEX | XOP, opcode (1-3 bytes),
 *   ModRM, SIB, displacement, immediate.
 *
 * Which opcodes take a ModRM byte and what immediate they carry come from
 * the opcode maps in SDM Vol. 2D, Appendix A (tables below), and for XOP
 * from AMD APM Vol. 3, Appendix A.  Everything else is code.  All reads
 * go through insn_byte(), which refuses offsets at or past avail and the
 * 15-byte limit (SDM Vol. 2A, 2.3.11), so a caller may hand us the tail
 * of a mapped page.
 */
#include "hvgdb/freestanding.h"
#include "kmod/lib/insn_len.h"

#define INSN_MAX_LEN	15

/* Per-opcode flags: immediate kind in bits 3:0, then properties. */
enum {
	INSN_IMM_NONE,
	INSN_IMM_B,		/* ib */
	INSN_IMM_W,		/* iw */
	INSN_IMM_Z,		/* iz: 16 with 66h, else 32 */
	INSN_IMM_V,		/* iv: iz, or 64 with REX.W (B8+r) */
	INSN_IMM_WB,		/* iw, ib (ENTER) */
	INSN_IMM_MOFFS,		/* moffs: the address size */
	INSN_IMM_PTR,		/* ptr16:16 / ptr16:32 */
	INSN_IMM_J,		/* near branch rel16/rel32 */
	INSN_IMM_MASK = 0x0f,
};

#define INSN_F_MODRM	0x10	/* a ModRM byte follows the opcode */
#define INSN_F_INV64	0x20	/* one-byte map: invalid in 64-bit mode */
#define INSN_F_NEEDPFX	0x20	/* 0F map: only defined with 66/F2/F3 */
#define INSN_F_INVALID	0x40	/* undefined opcode */
#define INSN_F_SPECIAL	0x80	/* one-byte map: see insn_special1() */
#define INSN_F_REGONLY	0x80	/* 0F map: ModRM.mod ignored (MOV CR/DR) */

#define M	INSN_F_MODRM
#define IB	INSN_IMM_B
#define IW	INSN_IMM_W
#define IZ	INSN_IMM_Z
#define I64	INSN_F_INV64
#define INV	INSN_F_INVALID
#define SPC	INSN_F_SPECIAL
#define PFX	INSN_F_NEEDPFX

/*
 * One-byte opcode map, SDM Vol. 2D, Table A-2.  Prefix bytes
 * (26 2E 36 3E 64-67 F0 F2 F3, and 40-4F in 64-bit mode) never reach
 * the table; 0F is handled by insn_map0f().
 */
static const u8 insn_map1_flags[256] = {
	[0x00 ... 0x03] = M, [0x04] = IB, [0x05] = IZ, [0x06 ... 0x07] = I64,
	[0x08 ... 0x0b] = M, [0x0c] = IB, [0x0d] = IZ, [0x0e] = I64,
	[0x10 ... 0x13] = M, [0x14] = IB, [0x15] = IZ, [0x16 ... 0x17] = I64,
	[0x18 ... 0x1b] = M, [0x1c] = IB, [0x1d] = IZ, [0x1e ... 0x1f] = I64,
	[0x20 ... 0x23] = M, [0x24] = IB, [0x25] = IZ, [0x27] = I64,
	[0x28 ... 0x2b] = M, [0x2c] = IB, [0x2d] = IZ, [0x2f] = I64,
	[0x30 ... 0x33] = M, [0x34] = IB, [0x35] = IZ, [0x37] = I64,
	[0x38 ... 0x3b] = M, [0x3c] = IB, [0x3d] = IZ, [0x3f] = I64,
	/* 40-5F: INC/DEC (32-bit), PUSH/POP: no operands bytes */
	[0x60 ... 0x61] = I64, [0x62] = SPC, [0x63] = M,
	[0x68] = IZ, [0x69] = M | IZ, [0x6a] = IB, [0x6b] = M | IB,
	[0x70 ... 0x7f] = IB,
	[0x80] = M | IB, [0x81] = M | IZ, [0x82] = M | IB | I64,
	[0x83] = M | IB, [0x84 ... 0x8e] = M, [0x8f] = SPC,
	[0x9a] = INSN_IMM_PTR | I64,
	[0xa0 ... 0xa3] = INSN_IMM_MOFFS, [0xa8] = IB, [0xa9] = IZ,
	[0xb0 ... 0xb7] = IB, [0xb8 ... 0xbf] = INSN_IMM_V,
	[0xc0 ... 0xc1] = M | IB, [0xc2] = IW, [0xc4 ... 0xc7] = SPC,
	[0xc8] = INSN_IMM_WB, [0xca] = IW, [0xcd] = IB, [0xce] = I64,
	[0xd0 ... 0xd3] = M, [0xd4 ... 0xd5] = IB | I64, [0xd6] = I64,
	[0xd8 ... 0xdf] = M,
	[0xe0 ... 0xe7] = IB, [0xe8 ... 0xe9] = INSN_IMM_J,
	[0xea] = INSN_IMM_PTR | I64, [0xeb] = IB,
	[0xf6 ... 0xf7] = SPC, [0xfe ... 0xff] = SPC,
};

/*
 * Two-byte map 0F, SDM Vol. 2D, Table A-3 (0F 0F is 3DNow!,
 * AMD APM Vol. 3, A.3: ModRM then an ib opcode suffix).  0F 38 / 0F 3A
 * and 0F 78 are handled in insn_map0f().  PFX marks opcodes whose every
 * form has a 66/F2/F3 mandatory prefix (PUNPCKxQDQ, HADD/HSUB, POPCNT,
 * ADDSUB, MOVQ, CVT*DQ, LDDQU): bare, they are #UD.
 */
static const u8 insn_map0f_flags[256] = {
	[0x00 ... 0x03] = M, [0x04] = INV, [0x0a] = INV, [0x0c] = INV,
	[0x0d] = M, [0x0f] = M | IB,
	[0x10 ... 0x1f] = M,
	[0x20 ... 0x23] = M | INSN_F_REGONLY, [0x24 ... 0x27] = INV,
	[0x28 ... 0x2f] = M,
	[0x36] = INV, [0x39] = INV, [0x3b ... 0x3f] = INV,
	[0x40 ... 0x6b] = M, [0x6c ... 0x6d] = M | PFX, [0x6e ... 0x6f] = M,
	[0x70 ... 0x73] = M | IB, [0x74 ... 0x76] = M, [0x79] = M,
	[0x7a ... 0x7b] = INV, [0x7c ... 0x7d] = M | PFX, [0x7e ... 0x7f] = M,
	[0x80 ... 0x8f] = INSN_IMM_J,
	[0x90 ... 0x9f] = M,
	[0xa3] = M, [0xa4] = M | IB, [0xa5] = M,
	[0xab] = M, [0xac] = M | IB, [0xad ... 0xaf] = M,
	[0xb0 ... 0xb7] = M, [0xb8] = M | PFX, [0xb9] = M, [0xba] = M | IB,
	[0xbb ... 0xbf] = M,
	[0xc0 ... 0xc1] = M, [0xc2] = M | IB, [0xc3] = M,
	[0xc4 ... 0xc6] = M | IB, [0xc7] = M,
	[0xd0] = M | PFX, [0xd1 ... 0xd5] = M, [0xd6] = M | PFX,
	[0xd7 ... 0xe5] = M, [0xe6] = M | PFX, [0xe7 ... 0xef] = M,
	[0xf0] = M | PFX, [0xf1 ... 0xff] = M,
};

#undef M
#undef IB
#undef IW
#undef IZ
#undef I64
#undef INV
#undef SPC
#undef PFX

struct insn_dec {
	const u8 *code;
	size_t avail;
	unsigned int pos;	/* next byte to read */
	bool mode64;
	bool opsize;		/* 66h seen */
	bool adsize;		/* 67h seen */
	bool lock;		/* F0h seen */
	u8 rep;			/* last of F2h/F3h seen, 0 if none */
	u8 rex;			/* REX byte immediately before the opcode */
	struct insn_layout *lay;	/* filled as we go, or NULL */
};

/* Byte at offset at, or the error reading it would mean. */
static int insn_byte(const struct insn_dec *d, unsigned int at)
{
	if (at >= INSN_MAX_LEN)
		return INSN_LEN_INVALID;
	if (at >= d->avail)
		return INSN_LEN_TRUNCATED;
	return d->code[at];
}

/* Total length len is final: apply the limit and the bytes we were given. */
static int insn_finish(const struct insn_dec *d, unsigned int len)
{
	if (len > INSN_MAX_LEN)
		return INSN_LEN_INVALID;
	if (len > d->avail)
		return INSN_LEN_TRUNCATED;
	return (int)len;
}

/* The opcode byte at d->pos: record where it is and what it is. */
static void insn_layout_op(const struct insn_dec *d, unsigned int enc,
			   unsigned int map, u8 op)
{
	if (!d->lay)
		return;
	d->lay->enc = (u8)enc;
	d->lay->map = (u8)map;
	d->lay->opcode = op;
	d->lay->opcode_off = (u8)d->pos;
}

/*
 * Bytes taken by ModRM, SIB and displacement, with ModRM at d->pos.
 * SDM Vol. 2A, Tables 2-1 (16-bit), 2-2 (32-bit) and 2-3 (SIB); in
 * 64-bit mode mod=00 rm=101 is RIP-relative with disp32 (2.2.1.6), and
 * 67h there selects 32-bit addressing, which has the same layout.
 * reg_only: the mod bits are ignored and no SIB/displacement follows
 * (MOV to/from CR/DR, SDM Vol. 2B "MOV-Move to/from Control Registers").
 */
static int insn_modrm_len(const struct insn_dec *d, bool reg_only)
{
	int modrm = insn_byte(d, d->pos);
	int sib;
	unsigned int mod, rm;

	if (modrm < 0)
		return modrm;
	mod = (unsigned int)modrm >> 6;
	rm = (unsigned int)modrm & 7;
	if (reg_only || mod == 3)
		return 1;

	if (!d->mode64 && d->adsize) {
		/* 16-bit addressing: no SIB. */
		if (mod == 1)
			return 2;
		if (mod == 2 || rm == 6)
			return 3;
		return 1;
	}

	if (rm != 4) {
		if (mod == 1)
			return 2;
		if (mod == 2 || rm == 5)
			return 5;
		return 1;
	}

	sib = insn_byte(d, d->pos + 1);
	if (sib < 0)
		return sib;
	if (mod == 1)
		return 3;
	if (mod == 2 || ((unsigned int)sib & 7) == 5)
		return 6;
	return 2;
}

/*
 * Record ModRM at d->pos (m bytes with SIB and displacement, already
 * checked to be there) in d->lay: the displacement is whatever follows
 * ModRM and SIB.
 */
static void insn_layout_modrm(const struct insn_dec *d, bool reg_only,
			      unsigned int m)
{
	struct insn_layout *lay = d->lay;
	unsigned int modrm = d->code[d->pos];
	unsigned int skip = 1;

	lay->modrm_off = (u8)d->pos;
	if (reg_only || (modrm >> 6) == 3)
		return;
	if ((modrm & 7) == 4 && !(!d->mode64 && d->adsize))
		skip = 2;	/* SIB */
	if (m > skip) {
		lay->disp_off = (u8)(d->pos + skip);
		lay->disp_size = (u8)(m - skip);
	}
	lay->rip_rel = d->mode64 && (modrm >> 6) == 0 && (modrm & 7) == 5;
}

/* Size in bytes of an immediate of kind imm (INSN_IMM_*). */
static unsigned int insn_imm_size(const struct insn_dec *d, unsigned int imm)
{
	bool rexw = d->rex & 8;
	bool op16 = d->opsize && !rexw;

	switch (imm) {
	case INSN_IMM_B:
		return 1;
	case INSN_IMM_W:
		return 2;
	case INSN_IMM_Z:
		return op16 ? 2 : 4;
	case INSN_IMM_V:
		/* MOV r64, imm64 (SDM Vol. 2B, MOV, REX.W + B8+rd io). */
		if (d->mode64 && rexw)
			return 8;
		return op16 ? 2 : 4;
	case INSN_IMM_WB:
		return 3;	/* ENTER iw, ib */
	case INSN_IMM_MOFFS:
		/* Offset width is the address size (SDM Vol. 2A, 2.2.1.4). */
		if (d->mode64)
			return d->adsize ? 4 : 8;
		return d->adsize ? 2 : 4;
	case INSN_IMM_PTR:
		return op16 ? 4 : 6;	/* ptr16:16 / ptr16:32 */
	case INSN_IMM_J:
		/*
		 * Near branches: in 64-bit mode the operand size is forced
		 * to 64 bits and Intel 64 ignores 66h, so the displacement
		 * stays rel32 (SDM Vol. 2A, JMP/CALL/Jcc, "64-bit mode").
		 */
		if (d->mode64)
			return 4;
		return op16 ? 2 : 4;
	default:
		return 0;
	}
}

/* ModRM (reg_only as in insn_modrm_len), then imm bytes: final length. */
static int insn_tail(const struct insn_dec *d, bool modrm, bool reg_only,
		     unsigned int imm)
{
	unsigned int len = d->pos;
	int m;

	if (modrm) {
		m = insn_modrm_len(d, reg_only);
		if (m < 0)
			return m;
		len += (unsigned int)m;
		if (d->lay)
			insn_layout_modrm(d, reg_only, (unsigned int)m);
	}
	if (d->lay) {
		d->lay->imm_off = imm ? (u8)len : 0;
		d->lay->imm_size = (u8)imm;
	}
	return insn_finish(d, len + imm);
}

/*
 * VEX (C4/C5), EVEX (62) and XOP (8F) carry their own map select, and
 * their opcodes all take ModRM except VZEROUPPER/VZEROALL (VEX 0F 77).
 * Immediates: map 0F3A and XOP map 8 take ib, XOP map A takes id, and
 * in map 0F the opcodes 70-73 and C2, C4-C6 take ib (SDM Vol. 2D, A.3).
 * map is the SDM numbering (1 = 0F, 2 = 0F38, 3 = 0F3A) or the XOP map.
 */
static int insn_vex_tail(const struct insn_dec *d, unsigned int map, u8 op)
{
	unsigned int imm = 0;

	switch (map) {
	case 1:
		if (op == 0x77)
			return insn_finish(d, d->pos);
		if ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
		    (op >= 0xc4 && op <= 0xc6))
			imm = 1;
		break;
	case 2:
	case 5:		/* EVEX maps 5 and 6: AVX512-FP16, no immediates */
	case 6:
	case 9:		/* XOP map 9 */
		break;
	case 3:
	case 8:		/* XOP map 8 */
		imm = 1;
		break;
	case 10:	/* XOP map A: BEXTR, LWPINS, LWPVAL take id */
		imm = 4;
		break;
	default:
		return INSN_LEN_INVALID;
	}
	return insn_tail(d, true, false, imm);
}

/*
 * VEX/EVEX/XOP must not follow 66h, F2h, F3h, F0h or REX
 * (SDM Vol. 2A, 2.3.2 and 2.7.1; AMD APM Vol. 3, 1.8).
 */
static bool insn_vex_prefix_ok(const struct insn_dec *d)
{
	return !d->opsize && !d->rep && !d->lock && !d->rex;
}

/* C4/C5: VEX in 64-bit mode, and in 32-bit mode when ModRM.mod == 11. */
static int insn_vex(struct insn_dec *d, u8 esc)
{
	int p0 = insn_byte(d, d->pos);
	int p1, op;
	unsigned int map;

	if (p0 < 0)
		return p0;
	if (!d->mode64 && ((unsigned int)p0 >> 6) != 3)
		return insn_tail(d, true, false, 0);	/* LES / LDS */
	if (!insn_vex_prefix_ok(d))
		return INSN_LEN_INVALID;
	if (esc == 0xc5) {
		map = 1;
		d->pos += 1;
	} else {
		map = (unsigned int)p0 & 0x1f;
		p1 = insn_byte(d, d->pos + 1);
		if (p1 < 0)
			return p1;
		d->pos += 2;
	}
	op = insn_byte(d, d->pos);
	if (op < 0)
		return op;
	insn_layout_op(d, INSN_ENC_VEX, map, (u8)op);
	d->pos++;
	if (map < 1 || map > 3)
		return INSN_LEN_INVALID;
	return insn_vex_tail(d, map, (u8)op);
}

/*
 * 62: EVEX in 64-bit mode, and in 32-bit mode when the next byte has
 * bits 7:6 == 11 (otherwise BOUND r, m), SDM Vol. 2A, 2.7.1.  P0 bit 3
 * must be 0 and P1 bit 2 must be 1 (the fixed bits of the layout there).
 */
static int insn_evex(struct insn_dec *d)
{
	int p0 = insn_byte(d, d->pos);
	int p1, p2, op;

	if (p0 < 0)
		return p0;
	if (!d->mode64 && ((unsigned int)p0 >> 6) != 3)
		return insn_tail(d, true, false, 0);	/* BOUND */
	if (!insn_vex_prefix_ok(d))
		return INSN_LEN_INVALID;
	p1 = insn_byte(d, d->pos + 1);
	if (p1 < 0)
		return p1;
	p2 = insn_byte(d, d->pos + 2);
	if (p2 < 0)
		return p2;
	op = insn_byte(d, d->pos + 3);
	if (op < 0)
		return op;
	d->pos += 3;
	insn_layout_op(d, INSN_ENC_EVEX, (unsigned int)p0 & 7, (u8)op);
	d->pos++;
	if ((p0 & 0x08) || !(p1 & 0x04))
		return INSN_LEN_INVALID;
	return insn_vex_tail(d, (unsigned int)p0 & 7, (u8)op);
}

/*
 * 8F: XOP when the next byte's map select (bits 4:0) is 8 or more, which
 * POP r/m (8F /0) can never have since bit 3 is its ModRM.reg
 * (AMD APM Vol. 3, 1.8.1).
 */
static int insn_xop(struct insn_dec *d)
{
	int p0 = insn_byte(d, d->pos);
	int p1, op;
	unsigned int map;

	if (p0 < 0)
		return p0;
	map = (unsigned int)p0 & 0x1f;
	if (map < 8) {
		if ((p0 & 0x38) != 0)
			return INSN_LEN_INVALID;	/* 8F /1../7 */
		return insn_tail(d, true, false, 0);	/* POP r/m */
	}
	if (!insn_vex_prefix_ok(d))
		return INSN_LEN_INVALID;
	p1 = insn_byte(d, d->pos + 1);
	if (p1 < 0)
		return p1;
	op = insn_byte(d, d->pos + 2);
	if (op < 0)
		return op;
	d->pos += 2;
	insn_layout_op(d, INSN_ENC_XOP, map, (u8)op);
	d->pos++;
	if (map > 10)
		return INSN_LEN_INVALID;
	return insn_vex_tail(d, map, (u8)op);
}

/* Opcodes whose length depends on ModRM.reg or on prefixes. */
static int insn_special1(struct insn_dec *d, u8 op)
{
	int modrm;
	unsigned int reg, imm = 0;

	switch (op) {
	case 0x62:
		return insn_evex(d);
	case 0xc4:
	case 0xc5:
		return insn_vex(d, op);
	case 0x8f:
		return insn_xop(d);
	}

	modrm = insn_byte(d, d->pos);
	if (modrm < 0)
		return modrm;
	reg = ((unsigned int)modrm >> 3) & 7;

	switch (op) {
	case 0xf6:
	case 0xf7:
		/*
		 * Group 3: only TEST (/0, and its alias /1) has an
		 * immediate (SDM Vol. 2D, Table A-6).
		 */
		if (reg <= 1)
			imm = op == 0xf6 ? 1 : insn_imm_size(d, INSN_IMM_Z);
		break;
	case 0xc6:
	case 0xc7:
		/*
		 * Group 11: MOV /0, and with ModRM F8 XABORT ib (C6) or
		 * XBEGIN rel16/32 (C7); the rest is undefined.
		 */
		if (reg != 0 && modrm != 0xf8)
			return INSN_LEN_INVALID;
		imm = op == 0xc6 ? 1 : insn_imm_size(d, INSN_IMM_Z);
		break;
	case 0xfe:
		/* Group 4: INC/DEC only. */
		if (reg > 1)
			return INSN_LEN_INVALID;
		break;
	case 0xff:
		/* Group 5: /3 CALLF and /5 JMPF take m16:xx only; /7 none. */
		if (reg == 7)
			return INSN_LEN_INVALID;
		if ((reg == 3 || reg == 5) && ((unsigned int)modrm >> 6) == 3)
			return INSN_LEN_INVALID;
		break;
	}
	return insn_tail(d, true, false, imm);
}

/* Two-byte map 0F, d->pos just past the 0F. */
static int insn_map0f(struct insn_dec *d)
{
	int op = insn_byte(d, d->pos);
	u8 f;
	unsigned int imm;

	if (op < 0)
		return op;
	insn_layout_op(d, INSN_ENC_LEGACY, 1, (u8)op);
	d->pos++;
	f = insn_map0f_flags[op];

	if (op == 0x38 || op == 0x3a) {
		int op3 = insn_byte(d, d->pos);

		if (op3 < 0)
			return op3;
		insn_layout_op(d, INSN_ENC_LEGACY, op == 0x38 ? 2 : 3,
			       (u8)op3);
		d->pos++;
		return insn_tail(d, true, false, op == 0x3a ? 1 : 0);
	}
	if (op == 0x78) {
		/*
		 * SSE4A (AMD APM Vol. 4): 66 0F 78 /0 ib ib EXTRQ and
		 * F2 0F 78 /r ib ib INSERTQ, register forms only; bare
		 * 0F 78 is VMREAD, and a memory form under 66/F2 has VMREAD's
		 * shape (as capstone decodes it).  F2/F3 take precedence
		 * over 66 as the mandatory prefix.
		 */
		int modrm = insn_byte(d, d->pos);

		if (modrm < 0)
			return modrm;
		if (d->rep == 0xf3)
			return INSN_LEN_INVALID;
		if ((d->rep == 0xf2 || d->opsize) && (modrm >> 6) == 3)
			return insn_tail(d, true, false, 2);
		return insn_tail(d, true, false, 0);
	}
	if (op == 0xa6 || op == 0xa7) {
		/*
		 * Not Intel (undefined in SDM Table A-3) but VIA PadLock:
		 * 0F A6/A7 with a register-form ModRM (XSTORE, XCRYPT*,
		 * MONTMUL, XSHA*), which capstone also decodes.
		 */
		int modrm = insn_byte(d, d->pos);

		if (modrm < 0)
			return modrm;
		if ((modrm >> 6) != 3)
			return INSN_LEN_INVALID;
		if (d->lay)
			d->lay->modrm_off = (u8)d->pos;
		return insn_finish(d, d->pos + 1);
	}
	if (f & INSN_F_INVALID)
		return INSN_LEN_INVALID;
	if ((f & INSN_F_NEEDPFX) && !d->opsize && !d->rep)
		return INSN_LEN_INVALID;
	imm = insn_imm_size(d, f & INSN_IMM_MASK);
	return insn_tail(d, f & INSN_F_MODRM, f & INSN_F_REGONLY, imm);
}

static int insn_decode_one(struct insn_dec *d, int mode)
{
	int b;
	u8 f;

	if (mode != 64 && mode != 32)
		return INSN_LEN_INVALID;

	/*
	 * Legacy prefixes in any order and number (SDM Vol. 2A, 2.1.1);
	 * a REX prefix counts only directly before the opcode, so a later
	 * legacy prefix cancels it (2.2.1).
	 */
	for (;;) {
		b = insn_byte(d, d->pos);
		if (b < 0)
			return b;
		switch (b) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
		case 0x64: case 0x65:
			break;
		case 0x66:
			d->opsize = true;
			break;
		case 0x67:
			d->adsize = true;
			break;
		case 0xf0:
			d->lock = true;
			break;
		case 0xf2: case 0xf3:
			d->rep = (u8)b;
			break;
		default:
			if (d->mode64 && (b & 0xf0) == 0x40) {
				d->rex = (u8)b;
				d->pos++;
				continue;
			}
			goto opcode;
		}
		d->rex = 0;
		d->pos++;
	}

opcode:
	insn_layout_op(d, INSN_ENC_LEGACY, 0, (u8)b);
	d->pos++;
	if (b == 0x0f)
		return insn_map0f(d);

	f = insn_map1_flags[b];
	if (d->mode64 && (f & INSN_F_INV64))
		return INSN_LEN_INVALID;
	if (f & INSN_F_SPECIAL)
		return insn_special1(d, (u8)b);
	return insn_tail(d, f & INSN_F_MODRM, false,
			 insn_imm_size(d, f & INSN_IMM_MASK));
}

int insn_len(const u8 *code, size_t avail, int mode)
{
	return insn_decode(code, avail, mode, NULL);
}

int insn_decode(const u8 *code, size_t avail, int mode,
		struct insn_layout *lay)
{
	struct insn_layout scratch;
	struct insn_dec d = {
		.code = code,
		.avail = avail,
		.mode64 = mode == 64,
		.lay = lay ? &scratch : NULL,
	};
	int r;

	if (lay)
		memset(&scratch, 0, sizeof(scratch));
	r = insn_decode_one(&d, mode);
	if (lay && r > 0) {
		scratch.len = (u8)r;
		scratch.rex = d.rex;
		scratch.opsize = d.opsize;
		scratch.adsize = d.adsize;
		*lay = scratch;
	}
	return r;
}
