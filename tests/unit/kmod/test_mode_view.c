/* !mode's EPT views (kmod/lib/mode_view.c): which fetches each view
 * refuses over a base identity map with 1 GiB, 2 MiB and 4 KiB leaves,
 * grants, and the MBEC mechanism: a base built with ept.h's xu (user
 * execute wherever execute, SDM Vol. 3C 29.3.2 bit 10) and its two
 * PML4-copy views, walked as a CPU with MBEC on would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/ept.h"
#include "kmod/lib/mode_view.h"
#include "kmod/lib/vmx_defs.h"
#include "support_pager.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define TEXT_LO (16 * MiB)
#define TEXT_HI (29 * MiB)	/* not 2 MiB aligned on purpose */

static int type_wb(void *ctx, u64 start, u64 size)
{
	(void)ctx; (void)start; (void)size;
	return HV_MEMTYPE_WB;
}

struct fixture {
	struct test_pager tp;
	struct ept_pager pg;
	struct ept_table t;
	struct mode_view v;
};

static void view_pages(struct fixture *f)
{
	struct mode_view *v = &f->v;
	u32 i;

	v->pml4.v = f->pg.alloc(f->pg.ctx, &v->pml4.pa);
	v->pdpt.v = f->pg.alloc(f->pg.ctx, &v->pdpt.pa);
	for (i = 0; i < MV_PDS; i++)
		v->pd[i].v = f->pg.alloc(f->pg.ctx, &v->pd[i].pa);
	for (i = 0; i < MV_PTS; i++)
		v->pt[i].v = f->pg.alloc(f->pg.ctx, &v->pt[i].pa);
}

static int setup_level(void **state, int leaf)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_pager_init(&f->tp, TEST_PAGER_MAX, &f->pg);
	if (ept_init(&f->t, &f->pg) ||
	    ept_map_identity(&f->t, 0, 6 * GiB, leaf, type_wb, NULL))
		return -1;
	view_pages(f);
	*state = f;
	return 0;
}

static int setup_1g(void **state)
{
	return setup_level(state, EPT_LEVEL_1G);
}

static int setup_2m(void **state)
{
	return setup_level(state, EPT_LEVEL_2M);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_pager_free(&f->tp);
	free(f);
	return 0;
}

static bool blocks(struct fixture *f, u64 gpa)
{
	return mode_view_blocks_exec(&f->v, &f->t, gpa);
}

static void test_user_view_refuses_only_kernel_text(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mode_view_build(&f->v, MV_USER, &f->t, TEXT_LO,
					 TEXT_HI), 0);
	assert_true(blocks(f, TEXT_LO));
	assert_true(blocks(f, TEXT_HI - 1));
	/* 2 MiB granularity: the rest of the last text region too. */
	assert_true(blocks(f, 29 * MiB + 0x800));
	assert_false(blocks(f, 30 * MiB));
	assert_false(blocks(f, TEXT_LO - 1));
	assert_false(blocks(f, 0));
	assert_false(blocks(f, 3 * GiB + 5));
	assert_false(blocks(f, 5 * GiB));
	assert_int_equal(mode_view_eptp(&f->v, 0x5e) & ~0xfffULL,
			 f->v.pml4.pa);
	assert_int_equal(mode_view_eptp(&f->v, 0x5e) & 0xfff, 0x5e);
}

static void test_kernel_view_allows_only_kernel_text(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mode_view_build(&f->v, MV_KERNEL, &f->t, TEXT_LO,
					 TEXT_HI), 0);
	assert_false(blocks(f, TEXT_LO));
	assert_false(blocks(f, TEXT_HI - 1));
	assert_true(blocks(f, TEXT_LO - 4096));
	assert_true(blocks(f, 0));
	assert_true(blocks(f, 200 * MiB));
	assert_true(blocks(f, 3 * GiB + 5));
	assert_true(blocks(f, 5 * GiB));	/* above the copied PDs */
}

static void test_grants(void **state)
{
	struct fixture *f = *state;
	u64 mod = 300 * MiB + 0x3000;
	u32 i;

	assert_int_equal(mode_view_build(&f->v, MV_KERNEL, &f->t, TEXT_LO,
					 TEXT_HI), 0);
	assert_int_equal(mode_view_grant(&f->v, &f->t, mod), MV_GRANT_4K);
	assert_false(blocks(f, mod));
	assert_false(blocks(f, mod + 0xfff));
	/* Only that page: user code next to it still exits. */
	assert_true(blocks(f, mod + 0x1000));
	assert_true(blocks(f, mod - 1));
	/* The same region again: its table, no new one. */
	assert_int_equal(mode_view_grant(&f->v, &f->t, mod + 0x1000),
			 MV_GRANT_4K);
	assert_int_equal(f->v.pt_used, 1);
	assert_false(blocks(f, mod + 0x1000));
	/* Tables run out: 2 MiB at a time. */
	for (i = 1; i < MV_PTS; i++)
		assert_int_equal(mode_view_grant(&f->v, &f->t,
						 400 * MiB + i * 2 * MiB),
				 MV_GRANT_4K);
	assert_int_equal(mode_view_grant(&f->v, &f->t, 600 * MiB),
			 MV_GRANT_2M);
	assert_false(blocks(f, 600 * MiB + 2 * MiB - 1));
	assert_true(blocks(f, 602 * MiB));
	/* Above the PDs: 1 GiB. */
	assert_int_equal(mode_view_grant(&f->v, &f->t, 5 * GiB),
			 MV_GRANT_1G);
	assert_false(blocks(f, 5 * GiB + 123));
	assert_int_equal(f->v.grants_4k, MV_PTS + 1);
	/* A rebuild forgets them. */
	assert_int_equal(mode_view_build(&f->v, MV_KERNEL, &f->t, TEXT_LO,
					 TEXT_HI), 0);
	assert_true(blocks(f, mod));
	assert_int_equal(f->v.pt_used, 0);
	/* The user view takes no grant. */
	assert_int_equal(mode_view_build(&f->v, MV_USER, &f->t, TEXT_LO,
					 TEXT_HI), 0);
	assert_int_equal(mode_view_grant(&f->v, &f->t, TEXT_LO),
			 MV_GRANT_NONE);
}

/* A base 4 KiB page (a breakpoint's split): the view shares its table,
 * so a later base edit shows through; a grant takes the 2 MiB. */
static void test_base_split_shared(void **state)
{
	struct fixture *f = *state;
	u64 page = 100 * MiB + 0x5000;
	u64 *e;
	int level;

	assert_int_equal(ept_split_4k(&f->t, page), 0);
	assert_int_equal(mode_view_build(&f->v, MV_USER, &f->t, TEXT_LO,
					 TEXT_HI), 0);
	assert_false(blocks(f, page));
	e = ept_lookup(&f->t, page, &level);
	assert_int_equal(level, EPT_LEVEL_4K);
	*e &= ~EPT_X;	/* base refuses: not the view's doing */
	assert_false(blocks(f, page));
	*e |= EPT_X;
	assert_int_equal(mode_view_build(&f->v, MV_KERNEL, &f->t, TEXT_LO,
					 TEXT_HI), 0);
	assert_true(blocks(f, page));
	assert_int_equal(mode_view_grant(&f->v, &f->t, page), MV_GRANT_2M);
	assert_false(blocks(f, page + 0x1000));
	assert_int_equal(f->v.pt_used, 0);
}

static void test_no_base(void **state)
{
	struct fixture *f = *state;
	u64 saved = f->t.pml4[0];

	f->t.pml4[0] = 0;
	assert_int_equal(mode_view_build(&f->v, MV_USER, &f->t, TEXT_LO,
					 TEXT_HI), -1);
	f->t.pml4[0] = saved;
}

static void test_mech_choice(void **state)
{
	(void)state;
	/* The test VM's PROCBASED_CTLS2 (Bochs 2.7 corei7_skylake_x, read
	 * there with `mon cpu`): no bit 22 in the allowed-1 half. */
	assert_int_equal(mode_mech_choose(0x02177fff00000000ULL, true),
			 MODE_MECH_VIEWS);
	assert_int_equal(mode_mech_choose(0x02177fff00000000ULL |
					  ((u64)HV_PROC2_MODE_BASED_EPT_EXEC
					   << 32), true), MODE_MECH_MBEC);
	/* Allowed-0 half says nothing about allowing it. */
	assert_int_equal(mode_mech_choose(HV_PROC2_MODE_BASED_EPT_EXEC, true),
			 MODE_MECH_VIEWS);
	assert_int_equal(mode_mech_choose(~0ULL, false), MODE_MECH_NONE);
	assert_non_null(strstr(mode_mech_name(MODE_MECH_VIEWS), "no MBEC"));
	assert_non_null(strstr(mode_mech_name(MODE_MECH_MBEC), "MBEC"));
}

static void test_mbec_parts(void **state)
{
	u64 src[512] = { 0 }, dst[512];

	(void)state;
	assert_int_equal(mode_mbec_fix_entry(0x1000 | EPT_RWX),
			 0x1000 | EPT_RWX | EPT_XU);
	assert_int_equal(mode_mbec_fix_entry(0x1000 | EPT_R | EPT_W),
			 0x1000 | EPT_R | EPT_W);
	src[0] = 0x2000 | EPT_RWX | EPT_XU;
	src[7] = 0x3000 | EPT_RWX | EPT_XU;
	mode_mbec_pml4(dst, src, false);
	assert_int_equal(dst[0], 0x2000 | EPT_RWX);
	assert_int_equal(dst[7], 0x3000 | EPT_RWX);
	assert_int_equal(dst[1], 0);
	mode_mbec_pml4(dst, src, true);
	assert_int_equal(dst[0], 0x2000 | EPT_R | EPT_W | EPT_XU);
	/* Qualification: fetch (bit 2), XS (5), XU (6). */
	assert_int_equal(mode_mbec_transition(0x04 | 0x20, 3), 3);
	assert_int_equal(mode_mbec_transition(0x04 | 0x40, 0), 0);
	assert_int_equal(mode_mbec_transition(0x04 | 0x20 | 0x40, 3), -1);
	assert_int_equal(mode_mbec_transition(0x04 | 0x20 | 0x40, 0), -1);
	assert_int_equal(mode_mbec_transition(0x01, 3), -1);	/* a read */
}

/*
 * A walk of @pml4 (a view's or the base's) for @gpa as the CPU does with
 * MBEC on: execute for a @user-mode linear address needs bit 10 in every
 * entry, for a supervisor-mode one bit 2 (29.3.3.2).
 */
static bool mbec_exec(struct fixture *f, const u64 *pml4, u64 gpa, bool user)
{
	const u64 *table = pml4;
	u64 need = user ? EPT_XU : EPT_X;
	int l;

	for (l = 3; l >= 0; l--) {
		u64 e = table[(gpa >> (12 + 9 * l)) & 511];

		if (!(e & EPT_RWX) || !(e & need))
			return false;
		if (l == 0 || (l < 3 && (e & EPT_LARGE)))
			return true;
		table = f->pg.phys_to_virt(f->pg.ctx, e & EPT_ADDR_MASK);
	}
	return false;
}

/* A base for a CPU with MBEC: xu from the start, then a hook's leaves. */
static int setup_xu(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_pager_init(&f->tp, TEST_PAGER_MAX, &f->pg);
	if (ept_init(&f->t, &f->pg))
		return -1;
	f->t.xu = true;
	if (ept_map_identity(&f->t, 0, 6 * GiB, EPT_LEVEL_1G, type_wb, NULL))
		return -1;
	view_pages(f);
	*state = f;
	return 0;
}

static void test_mbec_base_and_views(void **state)
{
	struct fixture *f = *state;
	u64 vu[512], vk[512];
	u64 hook = 3 * GiB + 0x5000, data = 3 * GiB + 0x6000;
	u64 *e;
	int level;

	/* Identity leaves and tables: user execute with execute. */
	assert_true(mbec_exec(f, f->t.pml4, 0x1000, true));
	assert_true(mbec_exec(f, f->t.pml4, 0x1000, false));
	/* A split (a hook's 4 KiB leaves): the new table and leaves keep
	 * bit 10; an execute-only leaf has it, a read/write one not. */
	assert_int_equal(ept_map_4k(&f->t, hook, 0x7000, EPT_X,
				    HV_MEMTYPE_WB), 0);
	assert_int_equal(ept_map_4k(&f->t, data, data, EPT_R | EPT_W,
				    HV_MEMTYPE_WB), 0);
	e = ept_lookup(&f->t, hook, &level);
	assert_non_null(e);
	assert_int_equal(level, EPT_LEVEL_4K);
	assert_int_equal(*e & (EPT_RWX | EPT_XU), EPT_X | EPT_XU);
	e = ept_lookup(&f->t, data, &level);
	assert_int_equal(*e & (EPT_RWX | EPT_XU), EPT_R | EPT_W);
	e = ept_lookup(&f->t, hook + 0x2000, &level);	/* split sibling */
	assert_int_equal(*e & (EPT_RWX | EPT_XU), EPT_RWX | EPT_XU);
	assert_true(mbec_exec(f, f->t.pml4, hook, true));
	assert_false(mbec_exec(f, f->t.pml4, data, true));
	assert_false(mbec_exec(f, f->t.pml4, data, false));
	assert_int_equal(ept_perms(&f->t, EPT_RWX), EPT_RWX | EPT_XU);
	assert_int_equal(ept_perms(&f->t, EPT_R), EPT_R);

	/* The views: the process in user mode (vu) runs user code, its
	 * next supervisor fetch exits; in the kernel (vk) the reverse.
	 * Both keep every other permission (reads, writes) of the base. */
	mode_mbec_pml4(vu, f->t.pml4, true);
	mode_mbec_pml4(vk, f->t.pml4, false);
	assert_true(mbec_exec(f, vu, 0x1000, true));
	assert_false(mbec_exec(f, vu, 0x1000, false));
	assert_false(mbec_exec(f, vu, hook, false));
	assert_true(mbec_exec(f, vk, 0x1000, false));
	assert_false(mbec_exec(f, vk, 0x1000, true));
	assert_true(mbec_exec(f, vk, hook, false));
	assert_int_equal(vu[0] & (EPT_R | EPT_W), EPT_R | EPT_W);
	assert_int_equal(vk[0] & (EPT_R | EPT_W), EPT_R | EPT_W);

	/* A base without xu (a CPU without MBEC, e.g. Bochs): bit 10 is
	 * nowhere, so MBEC could never be turned on over it. */
	f->t.xu = false;
	assert_int_equal(ept_perms(&f->t, EPT_RWX), EPT_RWX);
	assert_int_equal(ept_map_4k(&f->t, data, data, EPT_RWX,
				    HV_MEMTYPE_WB), 0);
	e = ept_lookup(&f->t, data, &level);
	assert_int_equal(*e & (EPT_RWX | EPT_XU), EPT_RWX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_user_view_refuses_only_kernel_text, setup_1g,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_user_view_refuses_only_kernel_text, setup_2m,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_kernel_view_allows_only_kernel_text, setup_1g,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_kernel_view_allows_only_kernel_text, setup_2m,
			teardown),
		cmocka_unit_test_setup_teardown(test_grants, setup_1g,
						teardown),
		cmocka_unit_test_setup_teardown(test_grants, setup_2m,
						teardown),
		cmocka_unit_test_setup_teardown(test_base_split_shared,
						setup_2m, teardown),
		cmocka_unit_test_setup_teardown(test_no_base, setup_1g,
						teardown),
		cmocka_unit_test(test_mech_choice),
		cmocka_unit_test(test_mbec_parts),
		cmocka_unit_test_setup_teardown(test_mbec_base_and_views,
						setup_xu, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
