/*
 * Guest page walker (kmod/pgwalk.c) against page tables built in a
 * simulated physical memory: the translations, errors and rights a
 * debugger user would see for addresses in a Linux-like address space.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/pgwalk.h"
#include "tests/unit/pgwalk/support_physmem.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define RW  PGWALK_RW
#define US  PGWALK_US
#define P   PGWALK_P
#define XD  PGWALK_XD

/* Linux x86-64 layout: kernel text, direct map, a user address. */
#define KTEXT	0xffffffff81000000ULL
#define DIRMAP	0xffff888000000000ULL
#define UADDR	0x00007ffff7a00000ULL

struct fix {
	struct physmem pm;
	struct pgwalk_ctx ctx;
	u64 root;
};

static int setup4(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	pm_init(&f->pm);
	f->root = pm_new_table(&f->pm);
	pm_ctx(&f->pm, &f->ctx, 4, f->root);
	*state = f;
	return 0;
}

static int setup5(void **state)
{
	struct fix *f;

	if (setup4(state))
		return -1;
	f = *state;
	pm_ctx(&f->pm, &f->ctx, 5, f->root);
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	pm_free(&f->pm);
	free(f);
	return 0;
}

static void fill(struct physmem *pm, u64 pa, size_t len, u8 seed)
{
	u8 buf[64];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(seed + i);
	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		pm_poke(pm, pa, buf, n);
		pa += n;
		len -= n;
	}
}

static void test_4k_page(void **state)
{
	struct fix *f = *state;
	struct pgwalk_info info;
	u64 pa = 0;
	u8 buf[8], want[8] = { 0x0f, 0x1f, 0x44, 0, 0, 0xc3, 0xcc, 0x90 };

	pm_map(&f->pm, f->root, 4, KTEXT, 0x2a05000, 1, P | RW);
	pm_poke(&f->pm, 0x2a05123, want, sizeof(want));
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT + 0x123, &pa, &info),
			 PGWALK_OK);
	assert_int_equal(pa, 0x2a05123);
	assert_int_equal(info.levels, 4);
	assert_int_equal(info.level, 1);
	assert_int_equal(info.page_size, 4 * KiB);
	assert_int_equal(info.page_pa, 0x2a05000);
	assert_int_equal(info.entry[0], 0x2a05000 | P | RW);
	assert_int_equal(info.entry[4], 0);
	assert_true(info.entry[3] & P);
	/* One 8-byte read per level, nothing more. */
	f->pm.reads = 0;
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT, &pa, NULL), 0);
	assert_int_equal(f->pm.reads, 4);
	assert_int_equal(f->pm.last_read_len, 8);
	assert_int_equal(pgwalk_read_virt(&f->ctx, KTEXT + 0x123, buf,
					  sizeof(buf), NULL), sizeof(buf));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_2m_page(void **state)
{
	struct fix *f = *state;
	struct pgwalk_info info;
	u64 pa = 0;

	/* PAT (bit 12) in a 2 MiB PDE is not an address bit. */
	pm_map(&f->pm, f->root, 4, KTEXT, 0x1000000 | (1ULL << 12), 2, P | RW);
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT + 0x1abcde, &pa,
					  &info), PGWALK_OK);
	assert_int_equal(pa, 0x11abcde);
	assert_int_equal(info.level, 2);
	assert_int_equal(info.page_size, 2 * MiB);
	assert_int_equal(info.page_pa, 0x1000000);
	assert_int_equal(info.entry[0], 0);	/* no PT level */
}

static void test_1g_page(void **state)
{
	struct fix *f = *state;
	struct pgwalk_info info;
	u64 pa = 0;
	u8 buf[4] = { 0 };

	pm_map(&f->pm, f->root, 4, DIRMAP, 0x40000000, 3, P | RW | XD);
	pm_poke(&f->pm, 0x40000000 + 0x3456789, "gdb", 4);
	assert_int_equal(pgwalk_translate(&f->ctx, DIRMAP + 0x3456789, &pa,
					  &info), PGWALK_OK);
	assert_int_equal(pa, 0x43456789);
	assert_int_equal(info.level, 3);
	assert_int_equal(info.page_size, GiB);
	assert_true(info.nx);
	assert_int_equal(pgwalk_read_virt(&f->ctx, DIRMAP + 0x3456789, buf, 4,
					  NULL), 4);
	assert_string_equal((char *)buf, "gdb");
	/* The last byte of the 1 GiB page. */
	assert_int_equal(pgwalk_translate(&f->ctx, DIRMAP + GiB - 1, &pa, NULL),
			 PGWALK_OK);
	assert_int_equal(pa, 0x7fffffff);
	/* The next 1 GiB is not mapped. */
	assert_int_equal(pgwalk_translate(&f->ctx, DIRMAP + GiB, &pa, &info),
			 PGWALK_ERR_NOT_PRESENT);
	assert_int_equal(info.level, 3);
}

static void test_5level(void **state)
{
	struct fix *f = *state;
	struct pgwalk_info info;
	/* Beyond 48 bits: only reachable with LA57. */
	u64 va = 0xff11000000001000ULL, lo = 0x00007f0000002000ULL, pa = 0;

	pm_map(&f->pm, f->root, 5, va, 0x7000, 1, P | RW);
	pm_map(&f->pm, f->root, 5, lo, 0x8000, 1, P | RW | US);
	pm_map(&f->pm, f->root, 5, KTEXT, 0x40000000, 3, P);
	assert_int_equal(pgwalk_translate(&f->ctx, va + 8, &pa, &info),
			 PGWALK_OK);
	assert_int_equal(pa, 0x7008);
	assert_int_equal(info.levels, 5);
	assert_int_equal(info.level, 1);
	assert_true(info.entry[4] & P);
	assert_int_equal(pgwalk_translate(&f->ctx, lo, &pa, &info), PGWALK_OK);
	assert_int_equal(pa, 0x8000);
	assert_true(info.user);
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT + 5, &pa, &info),
			 PGWALK_OK);
	assert_int_equal(pa, 0x41000005);	/* KTEXT is 16 MiB into its GiB */
	assert_int_equal(info.level, 3);
	/* Not present at level 5. */
	assert_int_equal(pgwalk_translate(&f->ctx, 0x0080000000000000ULL, &pa,
					  &info), PGWALK_ERR_NOT_PRESENT);
	assert_int_equal(info.level, 5);
	/* The same tables read as 4-level: va is not canonical there. */
	f->ctx.cr4 &= ~PGWALK_CR4_LA57;
	assert_int_equal(pgwalk_translate(&f->ctx, va, &pa, NULL),
			 PGWALK_ERR_NONCANONICAL);
}

/* Clear P at each level of a 4-level walk in turn. */
static void test_not_present_each_level(void **state)
{
	struct fix *f = *state;
	struct pgwalk_info info;
	u64 pa, e;
	int level;

	pm_map(&f->pm, f->root, 4, UADDR, 0x9000, 1, P | RW | US);
	for (level = 4; level >= 1; level--) {
		e = pm_get_entry(&f->pm, f->root, 4, UADDR, level);
		/* Other bits of a non-present entry are ignored (SDM 4.5). */
		pm_set_entry(&f->pm, f->root, 4, UADDR, level,
			     (e & ~P) | (1ULL << 51) | PGWALK_PS);
		pa = 0xdead;
		assert_int_equal(pgwalk_translate(&f->ctx, UADDR, &pa, &info),
				 PGWALK_ERR_NOT_PRESENT);
		assert_int_equal(info.level, level);
		assert_int_equal(pa, 0xdead);
		pm_set_entry(&f->pm, f->root, 4, UADDR, level, e);
		assert_int_equal(pgwalk_translate(&f->ctx, UADDR, &pa, NULL),
				 PGWALK_OK);
	}
	/* Empty tables: not present at the top. */
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT, &pa, &info),
			 PGWALK_ERR_NOT_PRESENT);
	assert_int_equal(info.level, 4);
}

static void expect_reserved(struct fix *f, u64 va, int level, u64 bad)
{
	struct pgwalk_info info;
	u64 pa, e = pm_get_entry(&f->pm, f->root, 4, va, level);

	pm_set_entry(&f->pm, f->root, 4, va, level, e | bad);
	assert_int_equal(pgwalk_translate(&f->ctx, va, &pa, &info),
			 PGWALK_ERR_RESERVED);
	assert_int_equal(info.level, level);
	pm_set_entry(&f->pm, f->root, 4, va, level, e);
	assert_int_equal(pgwalk_translate(&f->ctx, va, &pa, NULL), PGWALK_OK);
}

static void test_reserved_bits(void **state)
{
	struct fix *f = *state;
	u64 v2m = KTEXT, v1g = DIRMAP, v4k = UADDR, pa;

	pm_map(&f->pm, f->root, 4, v2m, 0x1000000, 2, P | RW);
	pm_map(&f->pm, f->root, 4, v1g, 0, 3, P | RW);
	pm_map(&f->pm, f->root, 4, v4k, 0x9000, 1, P | RW | US);
	/* MAXPHYADDR is 46 here: bits 51:46 are reserved at every level. */
	expect_reserved(f, v4k, 4, 1ULL << 46);
	expect_reserved(f, v4k, 3, 1ULL << 51);
	expect_reserved(f, v4k, 2, 1ULL << 47);
	expect_reserved(f, v4k, 1, 1ULL << 50);
	/* PS must be 0 in a PML4E. */
	expect_reserved(f, v4k, 4, PGWALK_PS);
	/* Bits 20:13 of a 2 MiB PDE, 29:13 of a 1 GiB PDPTE. */
	expect_reserved(f, v2m, 2, 1ULL << 13);
	expect_reserved(f, v2m, 2, 1ULL << 20);
	expect_reserved(f, v1g, 3, 1ULL << 13);
	expect_reserved(f, v1g, 3, 1ULL << 29);
	/* XD is reserved while EFER.NXE=0. */
	f->ctx.efer &= ~PGWALK_EFER_NXE;
	expect_reserved(f, v4k, 1, XD);
	expect_reserved(f, v4k, 3, XD);
	f->ctx.efer |= PGWALK_EFER_NXE;
	/* Not reserved: 62:52 (ignored / protection keys), PAT in a PTE. */
	pm_set_entry(&f->pm, f->root, 4, v4k, 1,
		     0x9000 | P | RW | (0x7ffULL << 52) | (1ULL << 7));
	assert_int_equal(pgwalk_translate(&f->ctx, v4k + 4, &pa, NULL),
			 PGWALK_OK);
	assert_int_equal(pa, 0x9004);
	/* With MAXPHYADDR 52 bit 46 is an address bit. */
	f->ctx.max_phys_bits = 52;
	pm_set_entry(&f->pm, f->root, 4, v4k, 1, (1ULL << 46) | 0x9000 | P);
	assert_int_equal(pgwalk_translate(&f->ctx, v4k, &pa, NULL), PGWALK_OK);
	assert_int_equal(pa, (1ULL << 46) | 0x9000);
	/* 0 means 52 as well. */
	f->ctx.max_phys_bits = 0;
	assert_int_equal(pgwalk_translate(&f->ctx, v4k, &pa, NULL), PGWALK_OK);
	f->ctx.max_phys_bits = 39;
	assert_int_equal(pgwalk_translate(&f->ctx, v4k, &pa, NULL),
			 PGWALK_ERR_RESERVED);
}

static void test_noncanonical(void **state)
{
	struct fix *f = *state;
	static const u64 bad48[] = {
		0x0000800000000000ULL, 0xffff7fffffffffffULL,
		0x8000000000000000ULL, 0x00ff000000000000ULL,
	};
	static const u64 bad57[] = {
		0x0100000000000000ULL, 0xfeffffffffffffffULL,
		0x8000000000000000ULL, 0x7fffffffffffffffULL,
	};
	u64 pa;
	size_t i;
	int err = -1;
	u8 buf[4];

	for (i = 0; i < ARRAY_SIZE(bad48); i++) {
		f->pm.reads = 0;
		assert_int_equal(pgwalk_translate(&f->ctx, bad48[i], &pa, NULL),
				 PGWALK_ERR_NONCANONICAL);
		assert_int_equal(f->pm.reads, 0);
	}
	assert_int_equal(pgwalk_read_virt(&f->ctx, bad48[0], buf, 4, &err), 0);
	assert_int_equal(err, PGWALK_ERR_NONCANONICAL);
	/* Both halves' edges are canonical (not mapped here). */
	assert_int_equal(pgwalk_translate(&f->ctx, 0x00007fffffffffffULL, &pa,
					  NULL), PGWALK_ERR_NOT_PRESENT);
	assert_int_equal(pgwalk_translate(&f->ctx, 0xffff800000000000ULL, &pa,
					  NULL), PGWALK_ERR_NOT_PRESENT);
	f->ctx.cr4 |= PGWALK_CR4_LA57;
	for (i = 0; i < ARRAY_SIZE(bad57); i++)
		assert_int_equal(pgwalk_translate(&f->ctx, bad57[i], &pa, NULL),
				 PGWALK_ERR_NONCANONICAL);
	assert_int_equal(pgwalk_translate(&f->ctx, bad48[0], &pa, NULL),
			 PGWALK_ERR_NOT_PRESENT);
	assert_int_equal(pgwalk_translate(&f->ctx, 0xff00000000000000ULL, &pa,
					  NULL), PGWALK_ERR_NOT_PRESENT);
}

static void test_cr3_masking(void **state)
{
	struct fix *f = *state;
	u64 pa;

	pm_map(&f->pm, f->root, 4, KTEXT, 0x3000, 1, P);
	/* PCID 0x123 and the no-flush bit (KPTI user CR3s carry both). */
	f->ctx.cr4 |= PGWALK_CR4_PCIDE;
	f->ctx.cr3 = f->root | 0x123 | (1ULL << 63);
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT, &pa, NULL), PGWALK_OK);
	assert_int_equal(pa, 0x3000);
	assert_int_equal(f->pm.last_read_pa & ~0xfffULL,
			 pm_entry_pa(&f->pm, f->root, 4, KTEXT, 1) & ~0xfffULL);
	/* PCIDE=0: PWT/PCD in bits 4:3. */
	f->ctx.cr4 &= ~PGWALK_CR4_PCIDE;
	f->ctx.cr3 = f->root | 0x18;
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT, &pa, NULL), PGWALK_OK);
	/* Bits above MAXPHYADDR (e.g. LAM in 62:61) are not the address. */
	f->ctx.cr3 = f->root | (3ULL << 61) | (1ULL << 50);
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT, &pa, NULL), PGWALK_OK);
	assert_int_equal(pa, 0x3000);
}

/*
 * KPTI (Linux 6.1 pti.c): an 8 KiB PGD, the user half at +4 KiB, CR3
 * bit 12 selecting it, user PCIDs with bit 11 set, bit 63 no-flush.  On
 * the sysretq path the walk runs from that user CR3.
 */
static void test_kpti_user_cr3(void **state)
{
	struct fix *f = *state;
	struct pgwalk_info info;
	u64 kpgd, upgd, pa;

	/* Table pages are handed out in order: take an 8 KiB aligned pair. */
	kpgd = pm_new_table(&f->pm);
	if (kpgd & 0x1000)
		kpgd = pm_new_table(&f->pm);
	upgd = pm_new_table(&f->pm);
	assert_int_equal(upgd, kpgd + 0x1000);
	pm_map(&f->pm, kpgd, 4, KTEXT, 0x2000000, 2, P | RW);
	pm_map(&f->pm, kpgd, 4, UADDR, 0x9000, 1, P | RW | US);
	pm_map(&f->pm, upgd, 4, UADDR, 0x9000, 1, P | RW | US);
	/* The entry trampoline only (cpu_entry_area). */
	pm_map(&f->pm, upgd, 4, 0xfffffe0000000000ULL, 0xa000, 1, P);
	f->ctx.cr4 |= PGWALK_CR4_PCIDE;
	f->ctx.cr3 = kpgd | 0x1000 | 0x800 | 0x3 | (1ULL << 63);
	assert_int_equal(pgwalk_translate(&f->ctx, UADDR + 7, &pa, &info),
			 PGWALK_OK);
	assert_int_equal(pa, 0x9007);
	assert_true(info.user);
	assert_int_equal(pgwalk_translate(&f->ctx, 0xfffffe0000000010ULL, &pa,
					  &info), PGWALK_OK);
	assert_int_equal(pa, 0xa010);
	assert_false(info.user);
	/* Kernel text is not in the user tables. */
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT, &pa, &info),
			 PGWALK_ERR_NOT_PRESENT);
	assert_int_equal(info.level, 4);
	/* The kernel CR3 (kernel PCID 3) sees it. */
	f->ctx.cr3 = kpgd | 0x3;
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT + 0x1234, &pa, NULL),
			 PGWALK_OK);
	assert_int_equal(pa, 0x2001234);
}

static void test_cross_page_partial(void **state)
{
	struct fix *f = *state;
	u64 va = UADDR;
	u8 buf[32], want[32];
	int err = -1;

	memset(buf, 0xee, sizeof(buf));
	pm_map(&f->pm, f->root, 4, va, 0x9000, 1, P | RW | US);
	fill(&f->pm, 0x9000, 4096, 7);
	pm_peek(&f->pm, 0x9ff8, want, 8);
	/* 8 bytes from the end of a mapped page into an unmapped one. */
	assert_int_equal(pgwalk_read_virt(&f->ctx, va + 0xff8, buf, 32, &err),
			 8);
	assert_int_equal(err, PGWALK_ERR_NOT_PRESENT);
	assert_memory_equal(buf, want, 8);
	assert_int_equal(buf[8], 0xee);
	/* Starting in the unmapped page: nothing. */
	assert_int_equal(pgwalk_read_virt(&f->ctx, va + 0x1000, buf, 4, &err),
			 0);
	assert_int_equal(err, PGWALK_ERR_NOT_PRESENT);
	/* Map it (not contiguous physically): the read crosses cleanly. */
	pm_map(&f->pm, f->root, 4, va + 0x1000, 0x4000, 1, P | US);
	fill(&f->pm, 0x4000, 4096, 100);
	pm_peek(&f->pm, 0x4000, want + 8, 24);
	assert_int_equal(pgwalk_read_virt(&f->ctx, va + 0xff8, buf, 32, &err),
			 32);
	assert_int_equal(err, PGWALK_OK);
	assert_memory_equal(buf, want, 32);
	/* A zero-length read. */
	err = -1;
	assert_int_equal(pgwalk_read_virt(&f->ctx, va, buf, 0, &err), 0);
	assert_int_equal(err, PGWALK_OK);
}

/* From a 2 MiB page into a 4 KiB page that follows it. */
static void test_cross_large_page(void **state)
{
	struct fix *f = *state;
	u64 va = 0xffffffffc0000000ULL;
	u8 buf[16], want[16];
	int err;

	pm_map(&f->pm, f->root, 4, va, 0x40000000, 2, P | RW);
	pm_map(&f->pm, f->root, 4, va + 2 * MiB, 0x5000, 1, P | RW);
	fill(&f->pm, 0x40000000 + 2 * MiB - 4096, 4096, 1);
	fill(&f->pm, 0x5000, 4096, 200);
	pm_peek(&f->pm, 0x40000000 + 2 * MiB - 6, want, 6);
	pm_peek(&f->pm, 0x5000, want + 6, 10);
	assert_int_equal(pgwalk_read_virt(&f->ctx, va + 2 * MiB - 6, buf, 16,
					  &err), 16);
	assert_int_equal(err, PGWALK_OK);
	assert_memory_equal(buf, want, 16);
}

static void test_write_read_only_page(void **state)
{
	struct fix *f = *state;
	struct pgwalk_info info;
	u64 pa;
	u8 int3 = 0xcc, old = 0x55, got = 0;
	int err = -1;

	/* Kernel text: R/W=0 in the PTE, as after mark_rodata_ro(). */
	pm_map(&f->pm, f->root, 4, KTEXT, 0x2a00000, 1, P);
	pm_poke(&f->pm, 0x2a00010, &old, 1);
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT + 0x10, &pa, &info),
			 PGWALK_OK);
	assert_false(info.writable);
	assert_int_equal(pgwalk_write_virt(&f->ctx, KTEXT + 0x10, &int3, 1,
					   &err), 1);
	assert_int_equal(err, PGWALK_OK);
	pm_peek(&f->pm, 0x2a00010, &got, 1);
	assert_int_equal(got, 0xcc);
	/* A write into an unmapped page changes nothing, not even the
	 * mapped first half (no half-patched instruction). */
	{
		u8 pat[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, back[4], zero[4] = { 0 };

		f->pm.writes = 0;
		assert_int_equal(pgwalk_write_virt(&f->ctx, KTEXT + 0xffc, pat,
						   8, &err), 0);
		assert_int_equal(err, PGWALK_ERR_NOT_PRESENT);
		assert_int_equal(f->pm.writes, 0);
		pm_peek(&f->pm, 0x2a00ffc, back, 4);
		assert_memory_equal(back, zero, 4);
		/* Mapped: both halves land, in different frames. */
		pm_map(&f->pm, f->root, 4, KTEXT + 0x1000, 0x7000, 1, P);
		pm_frame(&f->pm, 0x7000, true);
		assert_int_equal(pgwalk_write_virt(&f->ctx, KTEXT + 0xffc, pat,
						   8, &err), 8);
		assert_int_equal(err, PGWALK_OK);
		pm_peek(&f->pm, 0x2a00ffc, back, 4);
		assert_memory_equal(back, pat, 4);
		pm_peek(&f->pm, 0x7000, back, 4);
		assert_memory_equal(back, pat + 4, 4);
	}
	/* Without a write callback nothing is written. */
	f->ctx.write_phys = NULL;
	f->pm.writes = 0;
	assert_int_equal(pgwalk_write_virt(&f->ctx, KTEXT + 0x10, &old, 1,
					   &err), 0);
	assert_int_equal(err, PGWALK_ERR_MODE);
	pm_peek(&f->pm, 0x2a00010, &got, 1);
	assert_int_equal(got, 0xcc);
}

static void rights(struct fix *f, u64 va, bool w, bool u, bool nx)
{
	struct pgwalk_info info;
	u64 pa;

	assert_int_equal(pgwalk_translate(&f->ctx, va, &pa, &info), PGWALK_OK);
	assert_int_equal(info.writable, w);
	assert_int_equal(info.user, u);
	assert_int_equal(info.nx, nx);
}

/* SDM 4.6.1: R/W and U/S must be 1 at every level, XD at any level. */
static void test_permission_aggregation(void **state)
{
	struct fix *f = *state;
	u64 va = UADDR, e;

	pm_map(&f->pm, f->root, 4, va, 0x9000, 1, P | RW | US);
	rights(f, va, true, true, false);
	e = pm_get_entry(&f->pm, f->root, 4, va, 2);
	pm_set_entry(&f->pm, f->root, 4, va, 2, e & ~US);
	rights(f, va, true, false, false);
	pm_set_entry(&f->pm, f->root, 4, va, 2, e);
	e = pm_get_entry(&f->pm, f->root, 4, va, 3);
	pm_set_entry(&f->pm, f->root, 4, va, 3, e & ~RW);
	rights(f, va, false, true, false);
	pm_set_entry(&f->pm, f->root, 4, va, 3, e);
	e = pm_get_entry(&f->pm, f->root, 4, va, 4);
	pm_set_entry(&f->pm, f->root, 4, va, 4, e | XD);
	rights(f, va, true, true, true);
	/* The leaf alone. */
	pm_set_entry(&f->pm, f->root, 4, va, 4, e);
	pm_set_entry(&f->pm, f->root, 4, va, 1, 0x9000 | P | XD);
	rights(f, va, false, false, true);
	/* With NXE=0 an XD-free walk reports nx=false. */
	f->ctx.efer &= ~PGWALK_EFER_NXE;
	pm_set_entry(&f->pm, f->root, 4, va, 1, 0x9000 | P | US);
	rights(f, va, false, true, false);
}

static void test_paging_modes(void **state)
{
	struct fix *f = *state;
	struct pgwalk_ctx c;
	u64 pa;
	u8 b;
	int err;

	pm_map(&f->pm, f->root, 4, KTEXT, 0x3000, 1, P);
	c = f->ctx;
	c.cr0 &= ~PGWALK_CR0_PG;
	assert_int_equal(pgwalk_translate(&c, KTEXT, &pa, NULL),
			 PGWALK_ERR_MODE);
	c = f->ctx;
	c.cr4 &= ~PGWALK_CR4_PAE;		/* 32-bit paging */
	c.efer &= ~PGWALK_EFER_LMA;
	assert_int_equal(pgwalk_translate(&c, KTEXT, &pa, NULL),
			 PGWALK_ERR_MODE);
	c = f->ctx;
	c.efer &= ~PGWALK_EFER_LMA;		/* PAE paging */
	assert_int_equal(pgwalk_translate(&c, KTEXT, &pa, NULL),
			 PGWALK_ERR_MODE);
	assert_int_equal(pgwalk_read_virt(&c, KTEXT, &b, 1, &err), 0);
	assert_int_equal(err, PGWALK_ERR_MODE);
}

static void test_phys_failures(void **state)
{
	struct fix *f = *state;
	struct pgwalk_info info;
	u64 pa;
	u8 buf[8];
	int err;

	/* A table outside memory the callback can reach. */
	pm_map(&f->pm, f->root, 4, KTEXT, 0x3000, 1, P);
	pm_set_entry(&f->pm, f->root, 4, KTEXT, 2, 0x7fff000000ULL | P | RW);
	assert_int_equal(pgwalk_translate(&f->ctx, KTEXT, &pa, &info),
			 PGWALK_ERR_PHYS);
	assert_int_equal(info.level, 1);
	/* A mapped page whose frame does not exist: translate works, the
	 * data read fails. */
	pm_map(&f->pm, f->root, 4, UADDR, 0x7ff0000000ULL, 1, P | US);
	assert_int_equal(pgwalk_translate(&f->ctx, UADDR, &pa, NULL), PGWALK_OK);
	assert_int_equal(pgwalk_read_virt(&f->ctx, UADDR, buf, 8, &err), 0);
	assert_int_equal(err, PGWALK_ERR_PHYS);
	f->pm.fail_all = true;
	assert_int_equal(pgwalk_translate(&f->ctx, UADDR, &pa, &info),
			 PGWALK_ERR_PHYS);
	assert_int_equal(info.level, 4);
}

static void test_strerror(void **state)
{
	const char *s[6];
	int i, j;

	(void)state;
	for (i = 0; i < 6; i++) {
		s[i] = pgwalk_strerror(i);
		assert_non_null(s[i]);
		assert_true(strlen(s[i]) > 1);
		for (j = 0; j < i; j++)
			assert_string_not_equal(s[i], s[j]);
	}
	assert_string_equal(pgwalk_strerror(PGWALK_ERR_NOT_PRESENT),
			    "page not present");
	assert_string_equal(pgwalk_strerror(99), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_4k_page, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_2m_page, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_1g_page, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_5level, setup5, teardown),
		cmocka_unit_test_setup_teardown(test_not_present_each_level,
						setup4, teardown),
		cmocka_unit_test_setup_teardown(test_reserved_bits, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_noncanonical, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_cr3_masking, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_kpti_user_cr3, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_cross_page_partial, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_cross_large_page, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_read_only_page,
						setup4, teardown),
		cmocka_unit_test_setup_teardown(test_permission_aggregation,
						setup4, teardown),
		cmocka_unit_test_setup_teardown(test_paging_modes, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_phys_failures, setup4,
						teardown),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
