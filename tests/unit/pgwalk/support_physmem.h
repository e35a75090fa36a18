/*
 * support_physmem.h - a sparse simulated physical memory of 4 KiB frames
 * and a builder of IA-32e page tables inside it, for the pgwalk tests.
 */
#ifndef HVGDB_TEST_SUPPORT_PHYSMEM_H
#define HVGDB_TEST_SUPPORT_PHYSMEM_H

#include "hvgdb/freestanding.h"
#include "kmod/lib/pgwalk.h"

#define PM_MAX_FRAMES	256

struct pm_frame {
	u64 pa;			/* 4 KiB aligned */
	u8 data[4096];
};

struct physmem {
	struct pm_frame *frames[PM_MAX_FRAMES];
	unsigned int nframes;
	u64 next_table;		/* bump allocator for table pages */
	/* Every callback, for checks on how the walker touches memory. */
	unsigned int reads, writes;
	u64 last_read_pa;
	size_t last_read_len;
	bool fail_all;		/* make every callback fail */
};

void pm_init(struct physmem *pm);
void pm_free(struct physmem *pm);

/* The frame holding @pa, created zeroed when @create; NULL otherwise. */
struct pm_frame *pm_frame(struct physmem *pm, u64 pa, bool create);
void pm_poke(struct physmem *pm, u64 pa, const void *buf, size_t len);
void pm_peek(struct physmem *pm, u64 pa, void *buf, size_t len);

/* A new zeroed table page; its physical address. */
u64 pm_new_table(struct physmem *pm);

/*
 * Map @va -> @pa with a leaf at @leaf_level (1 = 4 KiB, 2 = 2 MiB,
 * 3 = 1 GiB) under the top table @root of a @levels-level hierarchy.
 * Missing tables are created with P|RW|US; the leaf gets @flags (P is not
 * implied) and PS when leaf_level > 1.
 */
void pm_map(struct physmem *pm, u64 root, int levels, u64 va, u64 pa,
	    int leaf_level, u64 flags);

/* Address of the entry for @va at @level; the tables must exist. */
u64 pm_entry_pa(struct physmem *pm, u64 root, int levels, u64 va, int level);
u64 pm_get_entry(struct physmem *pm, u64 root, int levels, u64 va, int level);
void pm_set_entry(struct physmem *pm, u64 root, int levels, u64 va,
		  int level, u64 e);

/* A pgwalk_ctx over @pm for long mode with @levels levels and @cr3. */
void pm_ctx(struct physmem *pm, struct pgwalk_ctx *ctx, int levels, u64 cr3);

#endif
