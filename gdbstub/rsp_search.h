/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rsp_search.h - a byte-pattern search over target memory, done where the
 * memory is, so that nothing crosses the serial line but the answer.  It
 * answers gdb's qSearch:memory (gdb's `find`) and the monitor's
 * sb/sd/sq and !sb/!sd/!sq (kmod/events/mon_search.c): one search code
 * for both.
 *
 * Pure and freestanding: memory is read through a callback in chunks no
 * larger than the caller's window, so it runs in VMX root with every CPU
 * halted (no allocation, no sleeping), and in user-space tests.  The
 * caller owns the window and the pattern; nothing here keeps state
 * between calls.
 */
#ifndef HVGDB_RSP_SEARCH_H
#define HVGDB_RSP_SEARCH_H

#include "hvgdb/freestanding.h"

/* Unreadable memory is stepped over in pages of this size. */
#define RSP_SEARCH_PAGE		4096ull
/* The longest range one search covers (gdb's `find` and the monitor's):
 * 256 MiB, about a second of memcmp on hardware; longer ranges are
 * refused rather than leaving every CPU halted for minutes. */
#define RSP_SEARCH_MAX		0x10000000ull

struct rsp_search {
	/* Reads like rsp_target_ops.read_mem: bytes read (may be short),
	 * <= 0 when the byte at addr cannot be read. */
	long (*read)(void *ctx, u64 addr, u8 *buf, size_t len);
	void *ctx;
	const u8 *pat;
	size_t plen;		/* 1 .. win_size / 2 */
	u8 *win;		/* scratch, win_size bytes */
	size_t win_size;
	/* true: an unreadable page is stepped over (a match never spans
	 * it) and counted in skipped; false: the search fails there. */
	bool skip_faults;
	/* Optional: called after every read, for a caller that must show
	 * life during a long search (rsp_output_keepalive()). */
	void (*tick)(void *tick_ctx);
	void *tick_ctx;
	/* out */
	u64 skipped;		/* pages stepped over */
	u64 fault;		/* the unreadable address (-RSP_EFAULT) */
};

/*
 * rsp_search_mem: the lowest address a in [addr, addr + len) where the
 * pattern lies wholly inside the range, i.e. a + plen <= addr + len.
 * Returns 1 with *found = a, 0 when there is none, -RSP_EFAULT (s->fault
 * set) when memory cannot be read and skip_faults is false, -RSP_EINVAL
 * for an empty pattern, a pattern longer than win_size / 2, a range that
 * wraps past 2^64 or one longer than RSP_SEARCH_MAX.  s->skipped counts
 * from 0 at each call.
 */
int rsp_search_mem(struct rsp_search *s, u64 addr, u64 len, u64 *found);

#endif /* HVGDB_RSP_SEARCH_H */
