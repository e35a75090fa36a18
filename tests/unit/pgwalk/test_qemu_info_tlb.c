/*
 * qemu_info_tlb(): QEMU's `info tlb` over simulated IA-32e page tables:
 * one line per present leaf with its frame masked to the page size and
 * the leaf's own flags in QEMU's order (XGPDACTUW), canonical addresses,
 * large pages, a 4 KiB PTE's PAT bit not shown as P, 5 levels, paging off,
 * other modes and unreadable tables.
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
	assert_int_equal(qemu_info_tlb(&w, collect, NULL), 0);
	assert_string_equal(text,
"ff11000000000000: 0000000000030000 --------W\n");
	pm_free(pm);
	free(pm);
}

static void test_paging_off_other_modes_and_faults(void **state)
{
	struct physmem *pm = pm_new();
	struct pgwalk_ctx w;
	u64 root;

	(void)state;
	root = pm_new_table(pm);
	pm_map(pm, root, 4, 0x400000, 0x10000, 1, P | RW | US);
	pm_ctx(pm, &w, 4, root);
	w.cr0 &= ~PGWALK_CR0_PG;
	text[0] = '\0';
	assert_int_equal(qemu_info_tlb(&w, collect, NULL), 0);
	assert_string_equal(text, "PG disabled\n");
	pm_ctx(pm, &w, 4, root);
	w.efer &= ~PGWALK_EFER_LMA;
	text[0] = '\0';
	assert_int_equal(qemu_info_tlb(&w, collect, NULL), -1);
	assert_string_equal(text, "");
	pm_ctx(pm, &w, 4, root);
	pm->fail_all = true;
	assert_int_equal(qemu_info_tlb(&w, collect, NULL), -2);
	pm_free(pm);
	free(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaves_frames_and_flags),
		cmocka_unit_test(test_five_levels),
		cmocka_unit_test(test_paging_off_other_modes_and_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
