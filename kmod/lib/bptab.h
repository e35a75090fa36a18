/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bptab.h - gdb's breakpoints and watchpoints as EPT page hooks.
 *
 * Contract: pure bookkeeping, no hardware.  A hooked page is one guest-
 * physical 4 KiB page with its software breakpoints (offset + original
 * byte) and watch ranges.  Breakpoints live in a shadow copy of the page
 * that only instruction fetches see (the "exec" view: execute-only EPT
 * entry to the shadow); reads and writes flip the page to the "data" view
 * (the original page, no execute).  bptab_perms() gives the EPT permissions
 * of a view, leaving out what watchpoints must trap; bptab_patch() builds
 * the shadow; bptab_watch_hit() decides whether an access hits a watch.
 * Watches have an owner: gdb (Z2-Z4) or a !monitor event; bptab_watch_hit()
 * answers for gdb's, bptab_mon_next() for the events'.
 * The caller serialises changes (they happen while all CPUs are halted).
 */
#ifndef HVGDB_KMOD_BPTAB_H
#define HVGDB_KMOD_BPTAB_H

#include "hvgdb/freestanding.h"

#define BPTAB_MAX_PAGES		256
#define BPTAB_MAX_BPS		512
#define BPTAB_MAX_WATCHES	64
#define BPTAB_OWNERS		8	/* owners of one breakpoint */
#define BPTAB_OWNER_GDB		0xffffffffu	/* event ids stay below */

/* EPT permission bits (SDM Vol. 3 29.3.2), as in ept.h. */
#define BPTAB_R			1u
#define BPTAB_W			2u
#define BPTAB_X			4u

enum bptab_watch_type { BPTAB_WRITE = 2, BPTAB_READ = 3, BPTAB_ACCESS = 4 };
enum bptab_view { BPTAB_VIEW_EXEC, BPTAB_VIEW_DATA };

struct bptab_bp {
	u64 va;			/* as gdb gave it */
	u16 page;		/* index into pages[] */
	u16 off;		/* byte in the page */
	u8 orig;		/* original byte (what reads see) */
	u8 nowners;
	bool used;
	u32 owner[BPTAB_OWNERS];	/* [0..nowners): gdb or event ids */
};

struct bptab_watch {
	u64 va, pa;		/* start; one range never crosses a page */
	u32 len;
	u16 page;
	u8 type;		/* enum bptab_watch_type; 0 for !monitor */
	u8 acc;			/* accesses that hit: BPTAB_R/W/X */
	bool used;
	u32 owner;		/* 0: gdb's Z2-Z4; else the !monitor event id
				 * (va is then its $context: linear for `va`,
				 * physical for `pa`) */
};

struct bptab_page {
	u64 gpa;		/* page-aligned */
	u16 nbps, nwatches;
	u8 view;		/* enum bptab_view, current */
	bool used;
};

struct bptab {
	struct bptab_page pages[BPTAB_MAX_PAGES];
	struct bptab_bp bps[BPTAB_MAX_BPS];
	struct bptab_watch watches[BPTAB_MAX_WATCHES];
	u16 max_pages;		/* page slots usable, <= BPTAB_MAX_PAGES */
	u16 bps_hi;		/* bps[] beyond this index are unused */
};

/* Empty table, every page slot usable. */
void bptab_init(struct bptab *t);
/* Use page slots [0, n) only (n capped at BPTAB_MAX_PAGES); the limit
 * only grows (bptab_page_of() looks below it). */
void bptab_set_page_limit(struct bptab *t, u16 n);
/* Page slots in use, and free below the limit. */
u32 bptab_pages_used(const struct bptab *t);

/*
 * Give @owner a breakpoint at @va (guest-physical @pa, original byte
 * @orig, used only when the breakpoint is new).  Returns its page index
 * (>= 0), -17 (EEXIST) if @owner has it already, -28 (ENOSPC) when a
 * table or the breakpoint's owner set is full, -22 (EINVAL) when @va has
 * a breakpoint at another @pa.  *new_page says the page was not hooked
 * before; *new_bp (may be NULL) that @va had no breakpoint.
 */
int bptab_add_bp_owner(struct bptab *t, u64 va, u64 pa, u8 orig, u32 owner,
		       bool *new_page, bool *new_bp);
/* Drop @owner from the breakpoint at @va: its page index, or -2 (ENOENT)
 * when @owner has none there.  The breakpoint goes with its last owner
 * (bptab_find_bp() says whether it is still there). */
int bptab_del_bp_owner(struct bptab *t, u64 va, u32 owner);
/* gdb's: bptab_add_bp_owner() / bptab_del_bp_owner() for BPTAB_OWNER_GDB. */
int bptab_add_bp(struct bptab *t, u64 va, u64 pa, u8 orig, bool *new_page);
int bptab_del_bp(struct bptab *t, u64 va);
/* The breakpoint at @va, or NULL. */
const struct bptab_bp *bptab_find_bp(const struct bptab *t, u64 va);
/* Does @owner hold @b?  Does anyone but gdb? */
bool bptab_bp_owned(const struct bptab_bp *b, u32 owner);
bool bptab_bp_has_events(const struct bptab_bp *b);

/* Watch [va, va+len) of @type; the range must lie in one page (@pa is
 * where va is).  Same returns as bptab_add_bp; -22 (EINVAL) for a bad len
 * or a range that crosses a page. */
int bptab_add_watch(struct bptab *t, u64 va, u64 pa, u32 len, u8 type,
		    bool *new_page);
int bptab_del_watch(struct bptab *t, u64 va, u32 len, u8 type);

/*
 * !monitor: watch [va, va+len) for the accesses in @acc (BPTAB_R/W/X) on
 * behalf of event @owner (non-zero); same returns, and the same range
 * may be watched by several owners.  bptab_del_owner() removes one watch
 * of @owner: its page index, or -2 when it has none left.
 * bptab_free_watches() and bptab_pages_needed() let the caller refuse a
 * monitor whole before adding any of its pages.
 */
int bptab_add_mon(struct bptab *t, u32 owner, u64 va, u64 pa, u32 len,
		  u8 acc, bool *new_page);
int bptab_del_owner(struct bptab *t, u32 owner);
u32 bptab_free_watches(const struct bptab *t);
u32 bptab_free_pages(const struct bptab *t);

/* Index of the hooked page holding @gpa, or -1. */
int bptab_page_of(const struct bptab *t, u64 gpa);
/* A page is released when its last hook goes: is it still hooked? */
static inline bool bptab_page_used(const struct bptab *t, int page)
{
	return page >= 0 && t->pages[page].used;
}

/* EPT permissions of @page in @view (BPTAB_R/W/X). */
u32 bptab_perms(const struct bptab *t, int page, enum bptab_view view);

/* Copy the 4 KiB @orig into @shadow and put 0xCC at each breakpoint of
 * @page. */
void bptab_patch(const struct bptab *t, int page, const u8 *orig, u8 *shadow);

/*
 * The watch that an access of @len bytes at guest-physical @pa hits, or
 * NULL.  @write: the access writes.  Read watches fire on
 * reads, write watches on writes, access watches on both.  *addr is the
 * first watched byte touched, as a linear address for gdb.
 */
const struct bptab_watch *bptab_watch_hit(const struct bptab *t, int page,
					  u64 pa, u32 len, bool write,
					  u64 *addr);

/*
 * The next !monitor watch (owner non-zero) from index *from on that an
 * access of kind @acc (one of BPTAB_R/W/X) of @len bytes at @pa hits, or
 * NULL; *from is moved past it.  *addr: the first watched byte touched,
 * as the watch's address ($context).
 */
const struct bptab_watch *bptab_mon_next(const struct bptab *t, int page,
					 u64 pa, u32 len, u8 acc, int *from,
					 u64 *addr);

#endif /* HVGDB_KMOD_BPTAB_H */
