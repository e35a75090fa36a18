/* EPT identity map building, lookup, splitting and on-demand 4 KiB maps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/ept.h"
#include "kmod/lib/vmx_defs.h"
#include "support_pager.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static int type_wb(void *ctx, u64 start, u64 size)
{
	(void)ctx; (void)start; (void)size;
	return HV_MEMTYPE_WB;
}

/*
 * A PC-like layout: 0xA0000-0xBFFFF UC inside an otherwise WB first MiB
 * (mixed, so anything covering it must split), [3 GiB, 4 GiB) UC.
 */
static int type_pc(void *ctx, u64 start, u64 size)
{
	u64 end = start + size;

	(void)ctx;
	if (start < MiB) {
		if (end > MiB)
			return -1;
		if (start >= 0xa0000 && end <= 0xc0000)
			return HV_MEMTYPE_UC;
		if (end <= 0xa0000 || start >= 0xc0000)
			return HV_MEMTYPE_WB;
		return -1;
	}
	if (start >= 3 * GiB && end <= 4 * GiB)
		return HV_MEMTYPE_UC;
	if (end <= 3 * GiB || start >= 4 * GiB)
		return HV_MEMTYPE_WB;
	return -1;
}

struct fixture {
	struct test_pager tp;
	struct ept_pager pg;
	struct ept_table t;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_pager_init(&f->tp, TEST_PAGER_MAX, &f->pg);
	if (ept_init(&f->t, &f->pg))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_pager_free(&f->tp);
	free(f);
	return 0;
}

/* Translate through the tables the way the CPU would (SDM 29.3.2). */
static u64 translate(struct ept_table *t, u64 gpa, int *mt, u64 *perms)
{
	int level;
	u64 *e = ept_lookup(t, gpa, &level);
	u64 size;

	if (!e)
		return ~0ULL;
	size = ept_level_size(level);
	*mt = ept_leaf_type(*e);
	*perms = *e & EPT_RWX;
	return (*e & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
}

static void test_uniform_1g(void **state)
{
	struct fixture *f = *state;
	int level = -1, mt;
	u64 perms;

	assert_int_equal(ept_map_identity(&f->t, 0, 4 * GiB, EPT_LEVEL_1G,
					  type_wb, NULL), 0);
	/* PML4 + one PDPT: four 1 GiB leaves. */
	assert_int_equal(f->t.pages, 2);
	assert_non_null(ept_lookup(&f->t, 0x12345678, &level));
	assert_int_equal(level, EPT_LEVEL_1G);
	assert_int_equal(translate(&f->t, 0xdeadb000, &mt, &perms), 0xdeadb000);
	assert_int_equal(mt, HV_MEMTYPE_WB);
	assert_int_equal(perms, EPT_RWX);
	assert_null(ept_lookup(&f->t, 4 * GiB, &level));
}

static void test_uniform_2m(void **state)
{
	struct fixture *f = *state;
	int level = -1;

	assert_int_equal(ept_map_identity(&f->t, 0, 4 * GiB, EPT_LEVEL_2M,
					  type_wb, NULL), 0);
	assert_int_equal(f->t.pages, 2 + 4);	/* + one PD per GiB */
	assert_non_null(ept_lookup(&f->t, 3 * GiB + 5, &level));
	assert_int_equal(level, EPT_LEVEL_2M);
}

static void test_memory_types_split(void **state)
{
	struct fixture *f = *state;
	u64 probes[] = { 0, 0x9f000, 0xa0000, 0xb8123, 0xc0000, 0xfffff,
			 MiB, 2 * MiB + 77, GiB - 1, GiB, 3 * GiB - 4096,
			 3 * GiB, 0xfee00000, 4 * GiB - 1, 5 * GiB };
	int level, mt;
	u64 perms;
	unsigned int i;

	assert_int_equal(ept_map_identity(&f->t, 0, 8 * GiB, EPT_LEVEL_1G,
					  type_pc, NULL), 0);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		u64 a = probes[i];
		int want = type_pc(NULL, a & ~0xfffULL, 4096);

		assert_int_equal(translate(&f->t, a, &mt, &perms), a);
		assert_int_equal(mt, want);
		assert_int_equal(perms, EPT_RWX);
	}
	/* Largest pages where the types allow. */
	ept_lookup(&f->t, 0xb8000, &level);
	assert_int_equal(level, EPT_LEVEL_4K);
	ept_lookup(&f->t, 2 * MiB, &level);
	assert_int_equal(level, EPT_LEVEL_2M);
	ept_lookup(&f->t, GiB, &level);
	assert_int_equal(level, EPT_LEVEL_1G);
	ept_lookup(&f->t, 3 * GiB, &level);
	assert_int_equal(level, EPT_LEVEL_1G);
	/* PML4, PDPT, PD for GiB 0, PT for MiB 0. */
	assert_int_equal(f->t.pages, 4);
}

static void test_split_to_4k(void **state)
{
	struct fixture *f = *state;
	int level, mt;
	u64 perms, gpa = GiB + 0x123000;

	assert_int_equal(ept_map_identity(&f->t, 0, 4 * GiB, EPT_LEVEL_1G,
					  type_pc, NULL), 0);
	assert_int_equal(ept_split_4k(&f->t, gpa), 0);
	ept_lookup(&f->t, gpa, &level);
	assert_int_equal(level, EPT_LEVEL_4K);
	assert_int_equal(translate(&f->t, gpa + 0x10, &mt, &perms), gpa + 0x10);
	assert_int_equal(mt, HV_MEMTYPE_WB);
	/* The rest of that GiB is 2 MiB pages now, still identity. */
	ept_lookup(&f->t, GiB + 4 * MiB, &level);
	assert_int_equal(level, EPT_LEVEL_2M);
	assert_int_equal(translate(&f->t, 2 * GiB - 1, &mt, &perms),
			 2 * GiB - 1);
	/* Splitting the UC GiB keeps UC. */
	assert_int_equal(ept_split_4k(&f->t, 0xfee00000), 0);
	assert_int_equal(translate(&f->t, 0xfee000f0, &mt, &perms), 0xfee000f0);
	assert_int_equal(mt, HV_MEMTYPE_UC);
	/* A second split of the same page allocates nothing. */
	level = f->t.pages;
	assert_int_equal(ept_split_4k(&f->t, gpa + 0x1000), 0);
	assert_int_equal(f->t.pages, level);
	/* Nothing mapped: nothing to split. */
	assert_int_equal(ept_split_4k(&f->t, 100 * GiB), -1);
}

static void test_out_of_pages(void **state)
{
	struct fixture *f = *state;
	int level;

	f->tp.limit = f->tp.used + 1;	/* the PDPT only */
	assert_int_equal(ept_map_identity(&f->t, 0, 4 * GiB, EPT_LEVEL_1G,
					  type_pc, NULL), -1);
	f->tp.limit = f->tp.used + 16;
	assert_int_equal(ept_map_identity(&f->t, 0, 4 * GiB, EPT_LEVEL_1G,
					  type_pc, NULL), 0);
	/* A split that cannot allocate leaves the large page in place. */
	f->tp.limit = f->tp.used;
	assert_int_equal(ept_split_4k(&f->t, 2 * GiB), -1);
	assert_non_null(ept_lookup(&f->t, 2 * GiB, &level));
	assert_int_equal(level, EPT_LEVEL_1G);
}

static void test_map_4k_on_demand(void **state)
{
	struct fixture *f = *state;
	u64 gpa = 600 * GiB + 0x5000, perms;
	int level, mt;

	assert_int_equal(ept_map_identity(&f->t, 0, 4 * GiB, EPT_LEVEL_1G,
					  type_wb, NULL), 0);
	assert_null(ept_lookup(&f->t, gpa, &level));
	assert_int_equal(ept_map_4k(&f->t, gpa, gpa, EPT_R | EPT_W,
				    HV_MEMTYPE_UC), 0);
	assert_int_equal(translate(&f->t, gpa + 8, &mt, &perms), gpa + 8);
	assert_int_equal(mt, HV_MEMTYPE_UC);
	assert_int_equal(perms, EPT_R | EPT_W);
	assert_null(ept_lookup(&f->t, gpa + 0x1000, &level));
	/* Remap a page inside a large page elsewhere (a future hook). */
	assert_int_equal(ept_map_4k(&f->t, 0x7000, 0x123000, EPT_R, 6), 0);
	assert_int_equal(translate(&f->t, 0x7008, &mt, &perms), 0x123008);
	assert_int_equal(translate(&f->t, 0x8008, &mt, &perms), 0x8008);
}

/* A 4 KiB leaf left with no permissions is not found by ept_lookup()
 * (not present, SDM 29.3.2), but its slot is, and gets them back. */
static void test_slot_of_a_leaf_without_permissions(void **state)
{
	struct fixture *f = *state;
	u64 gpa = GiB + 0x7000, perms, *e;
	int level, mt;

	assert_int_equal(ept_map_identity(&f->t, 0, 4 * GiB, EPT_LEVEL_1G,
					  type_wb, NULL), 0);
	/* Large leaves on the way: no 4 KiB slot. */
	assert_null(ept_slot_4k(&f->t, gpa));
	assert_int_equal(ept_split_4k(&f->t, gpa), 0);
	e = ept_slot_4k(&f->t, gpa);
	assert_ptr_equal(e, ept_lookup(&f->t, gpa, &level));
	*e &= ~EPT_RWX;
	assert_null(ept_lookup(&f->t, gpa, &level));
	assert_ptr_equal(ept_slot_4k(&f->t, gpa + 0xfff), e);
	*e |= EPT_RWX;
	assert_int_equal(translate(&f->t, gpa + 8, &mt, &perms), gpa + 8);
	assert_int_equal(perms, EPT_RWX);
	/* Nothing mapped there at all. */
	assert_null(ept_slot_4k(&f->t, 100 * GiB));
}

static void test_eptp(void **state)
{
	struct fixture *f = *state;
	u64 p = ept_pointer(&f->t, HV_MEMTYPE_WB);

	assert_int_equal(p & ~0xfffULL, f->t.pml4_pa);
	assert_int_equal(p & 7, HV_MEMTYPE_WB);
	assert_int_equal((p >> 3) & 7, 3);	/* 4-level walk */
	assert_int_equal(ept_map_identity(&f->t, 1, 4096, 1, type_wb, NULL),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_uniform_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uniform_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_types_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_to_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_4k_on_demand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slot_of_a_leaf_without_permissions,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_eptp, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
