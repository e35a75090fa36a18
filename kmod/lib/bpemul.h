/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpemul.h - the displaced instruction under a hidden breakpoint, run in
 * VMX root instead of single-stepped.
 *
 * Contract: pure.  bpemul_decode() recognises the few instructions that
 * open Linux's functions (endbr64, the 5-byte nop ftrace leaves, the
 * other multi-byte nops, push of a 64-bit register, a 64-bit register
 * move such as mov %rsp,%rbp) and says how to run one: skip it (a nop),
 * push a register or copy one.  Anything else is
 * BPEMUL_NONE: the caller single-steps the original byte as before.
 * Saving the step saves the second exit of each hit (docs/performance.md).
 */
#ifndef HVGDB_KMOD_BPEMUL_H
#define HVGDB_KMOD_BPEMUL_H

#include "hvgdb/freestanding.h"

enum bpemul_kind {
	BPEMUL_NONE = 0,
	BPEMUL_NOP,		/* rip += len */
	BPEMUL_PUSH,		/* rsp -= 8; [rsp] = gpr[reg]; rip += len */
	BPEMUL_MOV,		/* gpr[reg] = gpr[src]; rip += len */
};

struct bpemul {
	u8 kind;		/* enum bpemul_kind */
	u8 len;			/* instruction bytes */
	u8 reg;			/* PUSH: the source, MOV: the destination;
				 * SDM register number 0-15 */
	u8 src;			/* MOV: the source register */
};

/* Decode the instruction at insn[0..n) (the original bytes, 64-bit
 * mode); true when it is one of those above. */
bool bpemul_decode(const u8 *insn, u32 n, struct bpemul *e);

#endif /* HVGDB_KMOD_BPEMUL_H */
