// SPDX-License-Identifier: GPL-2.0
/* ept.c - EPT paging-structure construction and editing (see ept.h). */
#include "hvgdb/freestanding.h"
#include "kmod/lib/ept.h"

#define EPT_ENTRIES	512

static u64 *ept_alloc_table(struct ept_table *t, u64 *pa)
{
	u64 *p = t->pg.alloc(t->pg.ctx, pa);

	if (p)
		t->pages++;
	return p;
}

static inline bool ept_present(u64 e)
{
	return (e & EPT_RWX) != 0;
}

/* A leaf is a PT entry or one with the large-page bit (SDM 29.3.2). */
static inline bool ept_is_leaf(u64 e, int level)
{
	return level == EPT_LEVEL_4K || (e & EPT_LARGE);
}

static inline unsigned int ept_index(u64 gpa, int level)
{
	return (unsigned int)(gpa >> (12 + 9 * level)) & (EPT_ENTRIES - 1);
}

static u64 ept_make_leaf(const struct ept_table *t, u64 pa, int level,
			 u64 perms, int mt)
{
	u64 e = (pa & EPT_ADDR_MASK) | ept_perms(t, perms) |
		((u64)mt << EPT_MT_SHIFT);

	return level > EPT_LEVEL_4K ? e | EPT_LARGE : e;
}

int ept_init(struct ept_table *t, const struct ept_pager *pg)
{
	t->pg = *pg;
	t->pages = 0;
	t->xu = false;
	t->pml4 = ept_alloc_table(t, &t->pml4_pa);
	return t->pml4 ? 0 : -1;
}

/*
 * Replace the large leaf *@entry at @level with a table of 512 leaves one
 * level down that map the same addresses with the same attributes.
 */
static int ept_split_entry(struct ept_table *t, u64 *entry, int level)
{
	u64 e = *entry, pa, base = e & EPT_ADDR_MASK;
	u64 attrs = e & (EPT_RWX | EPT_XU | EPT_MT_MASK | EPT_IPAT);
	u64 step = ept_level_size(level - 1);
	u64 *sub = ept_alloc_table(t, &pa);
	unsigned int i;

	if (!sub)
		return -1;
	for (i = 0; i < EPT_ENTRIES; i++) {
		sub[i] = (base + i * step) | attrs;
		if (level - 1 > EPT_LEVEL_4K)
			sub[i] |= EPT_LARGE;
	}
	/* Non-leaf entries grant everything; the leaves decide (29.3.3). */
	*entry = pa | ept_perms(t, EPT_RWX);
	return 0;
}

/* The table one level below *@entry, allocating or splitting as needed. */
static u64 *ept_child(struct ept_table *t, u64 *entry, int level)
{
	u64 pa;
	u64 *sub;

	if (!ept_present(*entry)) {
		sub = ept_alloc_table(t, &pa);
		if (!sub)
			return NULL;
		*entry = pa | ept_perms(t, EPT_RWX);
		return sub;
	}
	if (ept_is_leaf(*entry, level) && ept_split_entry(t, entry, level))
		return NULL;
	return t->pg.phys_to_virt(t->pg.ctx, *entry & EPT_ADDR_MASK);
}

/* Recursion depth is bounded by the 4 table levels. */
static int ept_map_level(struct ept_table *t, u64 *table, int level,
			 u64 start, u64 end, int max_leaf,
			 ept_type_fn type, void *ctx)
{
	u64 size = ept_level_size(level);

	while (start < end) {
		u64 base = start & ~(size - 1);
		u64 next = base + size;
		u64 stop = next < end ? next : end;
		u64 *entry = &table[ept_index(start, level)];
		u64 *sub;
		int mt;

		if (level == EPT_LEVEL_4K) {
			mt = type(ctx, base, size);
			*entry = ept_make_leaf(t, base, level, EPT_RWX,
					       mt < 0 ? 0 : mt);
		} else if (level <= max_leaf && start == base && stop == next &&
			   (mt = type(ctx, base, size)) >= 0 &&
			   (!ept_present(*entry) || ept_is_leaf(*entry, level))) {
			*entry = ept_make_leaf(t, base, level, EPT_RWX, mt);
		} else {
			sub = ept_child(t, entry, level);
			if (!sub || ept_map_level(t, sub, level - 1, start, stop,
						  max_leaf, type, ctx))
				return -1;
		}
		start = stop;
	}
	return 0;
}

int ept_map_identity(struct ept_table *t, u64 start, u64 end,
		     int max_leaf_level, ept_type_fn type, void *type_ctx)
{
	if ((start | end) & 0xfff || start > end)
		return -1;
	if (max_leaf_level > EPT_LEVEL_1G)
		max_leaf_level = EPT_LEVEL_1G;
	return ept_map_level(t, t->pml4, 3, start, end, max_leaf_level,
			     type, type_ctx);
}

u64 *ept_lookup(const struct ept_table *t, u64 gpa, int *level)
{
	u64 *table = t->pml4;
	int l;

	for (l = 3; l >= 0; l--) {
		u64 *e = &table[ept_index(gpa, l)];

		if (!ept_present(*e))
			return NULL;
		if (l < 3 && ept_is_leaf(*e, l)) {
			if (level)
				*level = l;
			return e;
		}
		table = t->pg.phys_to_virt(t->pg.ctx, *e & EPT_ADDR_MASK);
	}
	return NULL;
}

u64 *ept_slot_4k(const struct ept_table *t, u64 gpa)
{
	u64 *table = t->pml4;
	int l;

	for (l = 3; l > EPT_LEVEL_4K; l--) {
		u64 e = table[ept_index(gpa, l)];

		if (!ept_present(e) || ept_is_leaf(e, l))
			return NULL;
		table = t->pg.phys_to_virt(t->pg.ctx, e & EPT_ADDR_MASK);
	}
	return &table[ept_index(gpa, EPT_LEVEL_4K)];
}

int ept_split_4k(struct ept_table *t, u64 gpa)
{
	int level;
	u64 *e = ept_lookup(t, gpa, &level);

	while (e && level > EPT_LEVEL_4K) {
		if (ept_split_entry(t, e, level))
			return -1;
		e = ept_lookup(t, gpa, &level);
	}
	return e ? 0 : -1;
}

int ept_map_4k(struct ept_table *t, u64 gpa, u64 hpa, u64 perms, int mt)
{
	u64 *table = t->pml4;
	int l;

	for (l = 3; l > EPT_LEVEL_4K; l--) {
		table = ept_child(t, &table[ept_index(gpa, l)], l);
		if (!table)
			return -1;
	}
	table[ept_index(gpa, 0)] = ept_make_leaf(t, hpa, 0, perms, mt);
	return 0;
}

u64 ept_pointer(const struct ept_table *t, int mt)
{
	/* SDM 25.6.11: bits 2:0 memory type, 5:3 walk length minus one. */
	return t->pml4_pa | (u64)mt | (3ULL << 3);
}
