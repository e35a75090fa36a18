/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ept.h - building and editing EPT paging structures (SDM Vol. 3 29.3).
 *
 * Contract: pure functions over a page allocator supplied by the caller
 * (struct ept_pager), so the module and the unit tests run the same code.
 * Tables are 4-level (PML4 = level 3 ... PT = level 0).  Every function
 * that may allocate returns 0 or -1 when the allocator returns NULL; the
 * tables stay consistent (a failed split leaves the large page in place).
 * No locking: callers serialise edits and flush with INVEPT afterwards.
 */
#ifndef HVGDB_KMOD_EPT_H
#define HVGDB_KMOD_EPT_H

#include "hvgdb/freestanding.h"

#define EPT_R			(1ULL << 0)
#define EPT_W			(1ULL << 1)
#define EPT_X			(1ULL << 2)
#define EPT_RWX			(EPT_R | EPT_W | EPT_X)
/* Bit 10: execute for user-mode linear addresses when mode-based execute
 * control for EPT (MBEC, secondary control bit 22) is on; ignored when it
 * is off (SDM Vol. 3C 29.3.2).  Bit 2 is then supervisor-mode execute. */
#define EPT_XU			(1ULL << 10)
#define EPT_MT_SHIFT		3
#define EPT_MT_MASK		(7ULL << EPT_MT_SHIFT)
#define EPT_IPAT		(1ULL << 6)
#define EPT_LARGE		(1ULL << 7)
#define EPT_ADDR_MASK		0x000ffffffffff000ULL

#define EPT_LEVEL_4K		0
#define EPT_LEVEL_2M		1
#define EPT_LEVEL_1G		2

struct ept_pager {
	/* A zeroed 4 KiB page: its address for us, its physical address. */
	void *(*alloc)(void *ctx, u64 *pa);
	/* The address for us of a page that alloc returned. */
	void *(*phys_to_virt)(void *ctx, u64 pa);
	void *ctx;
};

struct ept_table {
	struct ept_pager pg;
	u64 *pml4;
	u64 pml4_pa;
	u32 pages;		/* table pages allocated so far */
	/* Set before mapping, for a CPU that will run MBEC: every entry
	 * that grants EPT_X grants EPT_XU too (leaves, splits and tables),
	 * so turning MBEC on changes nothing until a view clears one. */
	bool xu;
};

/* @perms (EPT_R/W/X) as @t's entries carry them: with t->xu, execute is
 * for both modes (EPT_XU added to EPT_X). */
static inline u64 ept_perms(const struct ept_table *t, u64 perms)
{
	u64 p = perms & EPT_RWX;

	return (t->xu && (p & EPT_X)) ? p | EPT_XU : p;
}

/*
 * Memory type of [start, start + size) as one EPT memory type (0, 1, 4, 5,
 * 6), or -1 if the range does not have a single type and must be split.
 */
typedef int (*ept_type_fn)(void *ctx, u64 start, u64 size);

static inline u64 ept_level_size(int level)
{
	return 1ULL << (12 + 9 * level);
}

int ept_init(struct ept_table *t, const struct ept_pager *pg);

/*
 * Identity-map [start, end) (4 KiB aligned) read/write/execute, using leaves
 * as large as @max_leaf_level and the memory types allow.
 */
int ept_map_identity(struct ept_table *t, u64 start, u64 end,
		     int max_leaf_level, ept_type_fn type, void *type_ctx);

/* The leaf entry mapping @gpa and its level, or NULL if not mapped. */
u64 *ept_lookup(const struct ept_table *t, u64 gpa, int *level);

/*
 * The 4 KiB entry slot for @gpa, present or not, where the walk reaches a
 * page table: a leaf with no permissions left (every access trapped) is
 * "not present" (SDM Vol. 3C 29.3.2), so ept_lookup() does not find it,
 * yet its owner must be able to give them back.  NULL when a large leaf
 * or a missing table is on the way.
 */
u64 *ept_slot_4k(const struct ept_table *t, u64 gpa);

/* Split the large page holding @gpa down to 4 KiB pages; no-op if already. */
int ept_split_4k(struct ept_table *t, u64 gpa);

/* Map one 4 KiB page gpa -> hpa with @perms and memory type @mt. */
int ept_map_4k(struct ept_table *t, u64 gpa, u64 hpa, u64 perms, int mt);

/* EPTP value: 4-level walk, memory type @mt for the paging structures. */
u64 ept_pointer(const struct ept_table *t, int mt);

/* A leaf's memory type and translated address for @gpa. */
static inline int ept_leaf_type(u64 e)
{
	return (int)((e & EPT_MT_MASK) >> EPT_MT_SHIFT);
}

#endif /* HVGDB_KMOD_EPT_H */
