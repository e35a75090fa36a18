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

#endif /* HVGDB_INSN_LEN_H */
