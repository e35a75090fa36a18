/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgwalk.h - guest linear -> physical translation (SDM Vol. 3A ch. 4).
 *
 * Contract: pure.  The caller copies one vCPU's CR0/CR3/CR4/EFER into
 * struct pgwalk_ctx and supplies read_phys (and write_phys for writes);
 * every paging-structure entry is fetched with one 8-byte read_phys call,
 * nothing else is touched.  A walk reads at most 5 entries, so it always
 * terminates.  Only IA-32e paging is supported (4-level, or 5-level when
 * CR4.LA57=1); paging off, 32-bit and PAE paging give PGWALK_ERR_MODE.
 * The walker never sets Accessed/Dirty bits and never checks access
 * rights: the debugger reads and writes through the physical address,
 * so read-only kernel text can be patched.  No locking; the caller stops
 * the vCPU or accepts a racy view of its tables.
 */
#ifndef HVGDB_KMOD_PGWALK_H
#define HVGDB_KMOD_PGWALK_H

#include "hvgdb/freestanding.h"

/* Architectural bits the walker looks at (SDM 2.5, 2.2.1, 4.5). */
#define PGWALK_CR0_WP		(1ULL << 16)
#define PGWALK_CR0_PG		(1ULL << 31)
#define PGWALK_CR4_PAE		(1ULL << 5)
#define PGWALK_CR4_LA57		(1ULL << 12)
#define PGWALK_CR4_PCIDE	(1ULL << 17)
#define PGWALK_EFER_LME		(1ULL << 8)
#define PGWALK_EFER_LMA		(1ULL << 10)
#define PGWALK_EFER_NXE		(1ULL << 11)

#define PGWALK_P		(1ULL << 0)
#define PGWALK_RW		(1ULL << 1)
#define PGWALK_US		(1ULL << 2)
#define PGWALK_PS		(1ULL << 7)
#define PGWALK_XD		(1ULL << 63)

#define PGWALK_MAX_LEVELS	5
#define PGWALK_PAGE_SIZE	4096ULL

enum pgwalk_err {
	PGWALK_OK = 0,
	PGWALK_ERR_NONCANONICAL,	/* not 48-/57-bit canonical */
	PGWALK_ERR_NOT_PRESENT,		/* P=0 at info->level */
	PGWALK_ERR_RESERVED,		/* reserved bit at info->level */
	PGWALK_ERR_PHYS,		/* read_phys/write_phys failed */
	PGWALK_ERR_MODE,		/* not IA-32e paging: unsupported */
};

struct pgwalk_ctx {
	u64 cr0, cr3, cr4, efer;	/* guest values (VMCS guest area) */
	/* MAXPHYADDR (CPUID 80000008H:EAX[7:0]); 0 or > 52 means 52, values
	 * below 32 are taken as 32. */
	u8 max_phys_bits;
	/* 0 on success, nonzero if [pa, pa + len) cannot be accessed. */
	int (*read_phys)(void *opaque, u64 pa, void *buf, size_t len);
	int (*write_phys)(void *opaque, u64 pa, const void *buf, size_t len);
	void *opaque;
};

struct pgwalk_info {
	u8 levels;		/* 4 or 5: the paging mode walked */
	/* Level of the leaf (1 = PTE 4 KiB, 2 = PDE 2 MiB, 3 = PDPTE 1 GiB),
	 * or on NOT_PRESENT/RESERVED the level whose entry was bad. */
	u8 level;
	u64 page_size;
	u64 page_pa;		/* physical base of the mapping page */
	/* Entries read, indexed by level - 1 (0 for levels not reached). */
	u64 entry[PGWALK_MAX_LEVELS];
	/* Effective rights over all levels (SDM 4.6.1): writable and user
	 * only if R/W resp. U/S is 1 in every entry; nx if EFER.NXE=1 and
	 * XD=1 in any entry.  CR0.WP, SMEP/SMAP and protection keys are the
	 * consumer's business. */
	bool writable, user, nx;
};

/*
 * Translate @va.  Returns PGWALK_OK and *pa, or an error; @info (may be
 * NULL) is filled as far as the walk went.
 */
int pgwalk_translate(const struct pgwalk_ctx *ctx, u64 va, u64 *pa,
		     struct pgwalk_info *info);

/*
 * Copy @len bytes at guest linear @va, page by page.  Returns the bytes
 * done; when that is less than @len, *err (if not NULL) holds the error of
 * the first page that failed, else PGWALK_OK.  A read returns the bytes
 * before the failing page (gdb shows a partial read).  A write translates
 * the whole range first and writes nothing if any page fails (0 bytes);
 * it goes through write_phys whatever the R/W bits say (PGWALK_ERR_MODE
 * if write_phys is NULL).
 */
size_t pgwalk_read_virt(const struct pgwalk_ctx *ctx, u64 va, void *buf,
			size_t len, int *err);
size_t pgwalk_write_virt(const struct pgwalk_ctx *ctx, u64 va,
			 const void *buf, size_t len, int *err);

/* A short English description of an enum pgwalk_err value. */
const char *pgwalk_strerror(int err);

#endif /* HVGDB_KMOD_PGWALK_H */
