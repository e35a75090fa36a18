/* SPDX-License-Identifier: GPL-2.0 */
/*
 * track.h - HyperDbg's !track, the pure parts: which instructions are
 * calls and returns (SDM Vol. 2A CALL, RET, IRET; 64-bit mode), and the
 * lines of the call tree.  The stepping is kmod/events/mon_track.c's.
 */
#ifndef HVGDB_KMOD_TRACK_H
#define HVGDB_KMOD_TRACK_H

#include "hvgdb/freestanding.h"

enum track_kind {
	TRACK_OTHER,
	TRACK_CALL,		/* E8, FF /2, FF /3 */
	TRACK_RET,		/* C3, C2 iw, CB, CA iw */
	TRACK_IRET,		/* CF (IRET/IRETD/IRETQ) */
	TRACK_BAD,		/* no opcode in the bytes given */
};

/* The instruction starting at b[0..n) (n <= 15), in 64-bit mode. */
enum track_kind track_classify(const u8 *b, u32 n);

/* The tree's indentation per level: "│  " (UTF-8). */
#define TRACK_INDENT_MAX	32	/* deeper levels are drawn as this */

/*
 * One line of the tree, ending in '\n': at @depth, "┌── " for a call
 * (the callee), "└── " for a return (the RET's address), then @sym (may
 * be NULL or empty: the address alone) and the address:
 *   "│  ┌── do_sys_openat2+0x0 (0xffffffff8133e0b0)\n"
 * Returns the length written; always NUL-terminated, cut to fit @cap.
 */
size_t track_format(char *buf, size_t cap, enum track_kind kind, u32 depth,
		    const char *sym, u64 addr);

/* "name+0x1a/0x80" (sprint_symbol()) to "name+0x1a", in place. */
void track_trim_symbol(char *s);

#endif /* HVGDB_KMOD_TRACK_H */
