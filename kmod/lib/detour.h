/* SPDX-License-Identifier: GPL-2.0 */
/*
 * detour.h - the pure half of !epthook2: relocate the first instructions
 * of a function into a trampoline and build the jump that replaces them.
 *
 * Given the original bytes at address A, the trampoline's address T and
 * the handler entry (bytes placed first in the trampoline), detour_build()
 * returns
 *  - the patched bytes for the execute view at A: jmp rel32 to T, then
 *    int3 up to the end of the displaced instructions (n bytes in all);
 *  - the trampoline: the entry, the displaced instructions moved to their
 *    new address (RIP-relative displacements and rel8/rel32 branches
 *    fixed up, short branches widened), and a jmp rel32 back to A + n;
 *  - or, when the first instructions cannot be moved, an error naming the
 *    instruction: its offset, its bytes and the reason (detour_describe()
 *    turns it into text).
 *
 * Refused: an instruction that does not decode; a function that ends (ret,
 * jmp, or the end of the bytes given) before 5 bytes; a RIP-relative
 * operand or branch target out of rel32 reach of T; a branch (from the
 * displaced instructions or from the scanned rest of the function) into
 * the bytes the jmp replaces, A+1 .. A+n-1; int3/int1/int n and ud2,
 * whose handlers find their entry by the address (kprobes, BUG/WARN);
 * 32-bit address size on a RIP-relative operand; 66h on a branch; an
 * address A that the scan (the function from its start) finds inside an
 * instruction (HyperDbg #467).
 *
 * Not seen from bytes alone (the module checks these itself): exception
 * table entries of the displaced instructions, indirect jumps (jump
 * tables) into the patched bytes from code the scan does not cover.
 *
 * Pure and freestanding (kmod/lib): no allocation, no lock, any context.
 * Runs in 64-bit mode only: hvgdb hooks the x86-64 kernel.
 */
#ifndef HVGDB_KMOD_DETOUR_H
#define HVGDB_KMOD_DETOUR_H

#include "hvgdb/freestanding.h"

#define DETOUR_JMP_LEN		5	/* e9 rel32 */
#define DETOUR_PATCH_MAX	(DETOUR_JMP_LEN - 1 + 15)
#define DETOUR_INSN_MAX		DETOUR_JMP_LEN	/* each at least 1 byte */
#define DETOUR_ENTRY_MAX	48
/* Entry, at most 5 moved instructions of at most 15 bytes each (a widened
 * branch is at most 10: 67h LOOP +2, JMP +5, JMP rel32), the jmp back. */
#define DETOUR_TRAMP_MAX	(DETOUR_ENTRY_MAX + DETOUR_INSN_MAX * 15 + \
				 DETOUR_JMP_LEN)

enum detour_why {
	DETOUR_OK,
	DETOUR_E_ARG,		/* bad request (entry too long, no bytes) */
	DETOUR_E_DECODE,	/* not a valid x86-64 instruction */
	DETOUR_E_SHORT,		/* the function ends before 5 bytes */
	DETOUR_E_RIPREL,	/* RIP-relative target out of reach of T */
	DETOUR_E_RIPREL32,	/* 67h: EIP-relative, cannot be moved */
	DETOUR_E_BRANCH_FAR,	/* branch target out of reach of T */
	DETOUR_E_BRANCH_IN,	/* a branch targets A+1 .. A+n-1 */
	DETOUR_E_BRANCH_66,	/* 66h on a relative branch */
	DETOUR_E_TRAP,		/* int3, int1, int n: found by address */
	DETOUR_E_UD2,		/* ud2: BUG/WARN found by address */
	DETOUR_E_MIDINSN,	/* A is inside an instruction of the scan */
	DETOUR_NWHY,
};

struct detour_req {
	u64 addr;		/* A: where the hook goes */
	const u8 *code;		/* original bytes at A ... */
	size_t avail;		/* ... this many, at most to the function's
				 * end (fewer than 5 there: too short) */
	u64 tramp;		/* T: where the trampoline will live */
	const u8 *entry;	/* handler entry, copied to T first; must */
	size_t entry_len;	/* be correct at T (PIC or encoded for T) */
	/*
	 * Code searched for relative branches into A+1 .. A+n-1: usually
	 * the whole function (kallsyms).  NULL: code[n..avail).  A linear
	 * sweep; it stops at the first byte that does not decode and says
	 * how far it got (detour_out.scanned).
	 */
	const u8 *scan;
	size_t scan_len;
	u64 scan_addr;
};

struct detour_err {
	u8 why;			/* DETOUR_E_* */
	u8 len;			/* the instruction's length (0: unknown) */
	u8 bytes[15];		/* its bytes, len of them (or up to 15) */
	u8 nbytes;
	s32 off;		/* its offset from A (negative: before A,
				 * found by the scan) */
	u64 insn_addr;		/* its address */
	u64 target;		/* the operand's or branch's target */
};

struct detour_out {
	u8 patch[DETOUR_PATCH_MAX];	/* bytes for A .. A+n-1 */
	u32 n;				/* displaced bytes */
	u8 tramp[DETOUR_TRAMP_MAX];	/* bytes for T .. */
	u32 tramp_len;
	u32 ninsn;			/* displaced instructions */
	u8 insn_off[DETOUR_INSN_MAX];	/* each one's offset from A */
	u8 tramp_off[DETOUR_INSN_MAX];	/* its copy's offset from T */
	u32 back_off;			/* offset of the jmp back in tramp */
	size_t scanned;			/* bytes the branch sweep covered */
	struct detour_err err;
};

/* Fill *out; 0, or -1 with out->err saying why. */
int detour_build(const struct detour_req *req, struct detour_out *out);

/*
 * One line naming the refused instruction, e.g.
 * "cannot detour at +0x4 (0xffffffff81001234: 48 8b 05 10 00 00 80):
 *  RIP-relative operand 0x... out of rel32 reach of the trampoline".
 * Returns the length written (NUL-terminated, cut at cap - 1).
 */
size_t detour_describe(const struct detour_err *err, char *buf, size_t cap);

/* The reason alone ("RIP-relative operand out of reach ..."). */
const char *detour_why_text(unsigned int why);

#endif /* HVGDB_KMOD_DETOUR_H */
