/* SPDX-License-Identifier: GPL-2.0 */
/*
 * insn_len.h - x86 instruction length decoder.
 *
 * Pure and freestanding: it runs in VMX root (script disassemble_len,
 * stepping decisions), where libcapstone cannot.  It decodes prefixes,
 * REX/VEX/EVEX/XOP, opcode maps, ModRM/SIB, displacement and immediates,
 * and returns the length only.  tests/unit/insn checks it against
 * libcapstone over the kernel's own text and random bytes.
 */
#ifndef HVGDB_INSN_LEN_H
#define HVGDB_INSN_LEN_H

#include "hvgdb/freestanding.h"

#define INSN_LEN_INVALID	(-1)	/* not a valid instruction in this mode */
#define INSN_LEN_TRUNCATED	(-2)	/* needs more than avail bytes */

/* Length of the instruction at code[0..avail), 1..15, or a negative error.
 * mode is 64 (long mode) or 32 (protected mode, 32-bit default sizes). */
int insn_len(const u8 *code, size_t avail, int mode);

/* Encodings (struct insn_layout.enc). */
enum {
	INSN_ENC_LEGACY,	/* legacy prefixes, REX, 1-3 byte opcode */
	INSN_ENC_VEX,
	INSN_ENC_EVEX,
	INSN_ENC_XOP,
};

/*
 * Where the parts of a decoded instruction are, for code that must move
 * one (kmod/lib/detour.c).  Offsets are from the first byte; 0 in
 * modrm_off means no ModRM (an opcode always comes first).
 * map: 0 one-byte, 1 0F, 2 0F38, 3 0F3A; for VEX/EVEX/XOP their map field.
 * imm_off/imm_size cover every immediate, including a branch's rel8/rel32
 * (one-byte 70-7F, E0-E3, E8, E9, EB; 0F 80-8F; C7 F8 XBEGIN).
 * rip_rel: 64-bit mode, ModRM mod=00 rm=101: disp32 at disp_off is
 * relative to the next instruction (SDM Vol. 2A, 2.2.1.6).
 */
struct insn_layout {
	u8 len;
	u8 enc;
	u8 map;
	u8 opcode;
	u8 opcode_off;
	u8 modrm_off;
	u8 disp_off, disp_size;
	u8 imm_off, imm_size;
	u8 rex;			/* REX byte, 0 if none */
	bool opsize;		/* 66h */
	bool adsize;		/* 67h */
	bool rip_rel;
};

/* insn_len(), and on success (a positive result) the layout in *lay. */
int insn_decode(const u8 *code, size_t avail, int mode,
		struct insn_layout *lay);

#endif /* HVGDB_INSN_LEN_H */
