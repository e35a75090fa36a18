/*
 * qemu_info_mem() and qemu_info_tlb(): QEMU's `info mem` and `info tlb`
 * over simulated IA-32e page tables.  info mem: runs of pages with the
 * same rights (U/S and R/W ANDed over the levels), canonical addresses,
 * large pages, 5 levels.  info tlb: one line per present leaf with its
 * frame masked to the page size and its own flags (XGPDACTUW), a 4 KiB
 * PTE's PAT bit not shown as P.  Both: paging off, other modes, tables
 * that cannot be read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/pgwalk.h"
#include "kmod/lib/qemu_info.h"
#include "tests/unit/pgwalk/support_physmem.h"

#define P	PGWALK_P
#define RW	PGWALK_RW
#define US	PGWALK_US
#define NX	PGWALK_XD
#define PWT	(1ULL << 3)
#define PCD	(1ULL << 4)
#define A	(1ULL << 5)
#define D	(1ULL << 6)
#define PAT	(1ULL << 7)
#define G	(1ULL << 8)

static char text[8192];

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	strcat(text, line);
	strcat(text, "\n");
}

static struct physmem *pm_new(void)
{
	struct physmem *pm = calloc(1, sizeof(*pm));

	assert_non_null(pm);
	pm_init(pm);
	return pm;
}

static void test_runs_rights_and_canonical_addresses(void **state)
{
	struct physmem *pm = pm_new();
	struct pgwalk_ctx w;
	u64 root;

	(void)state;
	root = pm_new_table(pm);
	/* User: two writable pages, then a read-only one; a gap; one more. */
	pm_map(pm, root, 4, 0x400000, 0x10000, 1, P | RW | US);
	pm_map(pm, root, 4, 0x401000, 0x11000, 1, P | RW | US);
	pm_map(pm, root, 4, 0x402000, 0x12000, 1, P | US);
	pm_map(pm, root, 4, 0x600000, 0x13000, 1, P | RW | US);
	/* Kernel: a 2 MiB page and a 1 GiB page, supervisor only; NX does
	 * not show in QEMU's rights. */
	pm_map(pm, root, 4, 0xffffffff81000000ULL, 0x1000000, 2, P | RW);
	pm_map(pm, root, 4, 0xffff888000000000ULL, 0, 3, P | RW | NX);
	pm_ctx(pm, &w, 4, root);
	text[0] = '\0';
	assert_int_equal(qemu_info_mem(&w, collect, NULL), 0);
	assert_string_equal(text,
"0000000000400000-0000000000402000 0000000000002000 urw\n"
"0000000000402000-0000000000403000 0000000000001000 ur-\n"
"0000000000600000-0000000000601000 0000000000001000 urw\n"
"ffff888000000000-ffff888040000000 0000000040000000 -rw\n"
"ffffffff81000000-ffffffff81200000 0000000000200000 -rw\n");
	pm_free(pm);
	free(pm);
}

/* An upper level without R/W or U/S takes the right from every page
 * below it, as the CPU does (SDM Vol. 3A 4.6). */
static void test_rights_are_anded_over_levels(void **state)
{
	struct physmem *pm = pm_new();
	struct pgwalk_ctx w;
	u64 root, pde;

	(void)state;
	root = pm_new_table(pm);
	pm_map(pm, root, 4, 0x200000, 0x20000, 1, P | RW | US);
	pde = pm_get_entry(pm, root, 4, 0x200000, 2);
	pm_set_entry(pm, root, 4, 0x200000, 2, pde & ~(u64)RW);
	pm_ctx(pm, &w, 4, root);
	text[0] = '\0';
	assert_int_equal(qemu_info_mem(&w, collect, NULL), 0);
	assert_string_equal(text,
"0000000000200000-0000000000201000 0000000000001000 ur-\n");
	pm_free(pm);
	free(pm);
}

static void test_five_levels(void **state)
{
	struct physmem *pm = pm_new();
	struct pgwalk_ctx w;
	u64 root;

	(void)state;
	root = pm_new_table(pm);
	pm_map(pm, root, 5, 0xff11000000000000ULL, 0x30000, 1, P | RW);
	pm_ctx(pm, &w, 5, root);
	text[0] = '\0';
	assert_int_equal(qemu_info_mem(&w, collect, NULL), 0);
	assert_string_equal(text,
"ff11000000000000-ff11000000001000 0000000000001000 -rw\n");
	pm_free(pm);
	free(pm);
}

/* ---- info tlb: a line per present leaf, the leaf's own flags ---- */

static void test_leaves_frames_and_flags(void **state)
{
	struct physmem *pm = pm_new();
	struct pgwalk_ctx w;
	u64 root;

	(void)state;
	root = pm_new_table(pm);
	pm_map(pm, root, 4, 0x400000, 0x10000, 1, P | RW | US);
	pm_map(pm, root, 4, 0x401000, 0x11000, 1, P | US | A | D | PAT);
	pm_map(pm, root, 4, 0xffffffff81000000ULL, 0x1000000, 2,
	       P | RW | G | A | D);
	pm_map(pm, root, 4, 0xffff888000000000ULL, 0, 3, P | RW | NX | PCD |
	       PWT);
	pm_ctx(pm, &w, 4, root);
	text[0] = '\0';
	assert_int_equal(qemu_info_tlb(&w, collect, NULL), 0);
	assert_string_equal(text,
"0000000000400000: 0000000000010000 -------UW\n"
"0000000000401000: 0000000000011000 ---DA--U-\n"
"ffff888000000000: 0000000000000000 X-P--CT-W\n"
"ffffffff81000000: 0000000001000000 -GPDA---W\n");
	pm_free(pm);
	free(pm);
}

static void test_tlb_five_levels(void **state)
{
	struct physmem *pm = pm_new();
	struct pgwalk_ctx w;
	u64 root;

	(void)state;
	root = pm_new_table(pm);
	pm_map(pm, root, 5, 0xff11000000000000ULL, 0x30000, 1, P | RW);
	pm_ctx(pm, &w, 5, root);
	text[0] = '\0';
	assert_int_equal(qemu_info_tlb(&w, collect, NULL), 0);
	assert_string_equal(text,
"ff11000000000000: 0000000000030000 --------W\n");
	pm_free(pm);
	free(pm);
}

/* Both walks (info mem, info tlb) start the same way. */
static void test_paging_off_other_modes_and_faults(void **state)
{
	int (*const walks[2])(const struct pgwalk_ctx *,
			      void (*)(void *, const char *), void *) = {
		qemu_info_mem, qemu_info_tlb,
	};
	struct physmem *pm = pm_new();
	struct pgwalk_ctx w;
	u64 root;
	int i;

	(void)state;
	root = pm_new_table(pm);
	pm_map(pm, root, 4, 0x400000, 0x10000, 1, P | RW | US);
	for (i = 0; i < 2; i++) {
		pm->fail_all = false;
		pm_ctx(pm, &w, 4, root);
		w.cr0 &= ~PGWALK_CR0_PG;
		text[0] = '\0';
		assert_int_equal(walks[i](&w, collect, NULL), 0);
		assert_string_equal(text, "PG disabled\n");
		/* 32-bit or PAE paging: not walked, and said so. */
		pm_ctx(pm, &w, 4, root);
		w.efer &= ~PGWALK_EFER_LMA;
		text[0] = '\0';
		assert_int_equal(walks[i](&w, collect, NULL), -1);
		assert_string_equal(text, "");
		/* A table that cannot be read. */
		pm_ctx(pm, &w, 4, root);
		pm->fail_all = true;
		assert_int_equal(walks[i](&w, collect, NULL), -2);
	}
	pm_free(pm);
	free(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_rights_and_canonical_addresses),
		cmocka_unit_test(test_rights_are_anded_over_levels),
		cmocka_unit_test(test_five_levels),
		cmocka_unit_test(test_leaves_frames_and_flags),
		cmocka_unit_test(test_tlb_five_levels),
		cmocka_unit_test(test_paging_off_other_modes_and_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
