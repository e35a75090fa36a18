/* MTRR -> memory type of a range (SDM Vol. 3 12.11). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/mtrr.h"
#include "kmod/lib/vmx_defs.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define VALID (1ULL << 11)

static u64 var_mask(u64 size, unsigned int bits)
{
	return (((1ULL << bits) - 1) & ~(size - 1)) | VALID;
}

/* SeaBIOS-like: WB default, VGA hole UC, ROMs WP, [3 GiB, 4 GiB) UC. */
static void pc_mtrr(struct hv_mtrr *m)
{
	u64 fixed[11];
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->enabled = true;
	m->fixed_enabled = true;
	m->def_type = HV_MEMTYPE_WB;
	m->phys_bits = 40;
	fixed[0] = 0x0606060606060606ULL;		/* 0-7FFFF WB */
	fixed[1] = 0x0606060606060606ULL;		/* 80000-9FFFF WB */
	fixed[2] = 0;					/* A0000-BFFFF UC */
	for (i = 3; i < 11; i++)
		fixed[i] = 0x0505050505050505ULL;	/* C0000-FFFFF WP */
	hv_mtrr_set_fixed(m, fixed);
	m->nvar = 8;
	m->var[0].base = 3 * GiB | HV_MEMTYPE_UC;
	m->var[0].mask = var_mask(GiB, 40);
}

static void test_fixed_ranges(void **state)
{
	struct hv_mtrr m;

	(void)state;
	pc_mtrr(&m);
	assert_int_equal(hv_mtrr_type(&m, 0, 0x1000), HV_MEMTYPE_WB);
	assert_int_equal(hv_mtrr_type(&m, 0x9f000, 0x1000), HV_MEMTYPE_WB);
	assert_int_equal(hv_mtrr_type(&m, 0xa0000, 0x1000), HV_MEMTYPE_UC);
	assert_int_equal(hv_mtrr_type(&m, 0xbf000, 0x1000), HV_MEMTYPE_UC);
	assert_int_equal(hv_mtrr_type(&m, 0xc0000, 0x1000), HV_MEMTYPE_WP);
	assert_int_equal(hv_mtrr_type(&m, 0xff000, 0x1000), HV_MEMTYPE_WP);
	assert_int_equal(hv_mtrr_type(&m, 0xa0000, 0x20000), HV_MEMTYPE_UC);
	/* Mixed inside the first MiB, and across its end. */
	assert_int_equal(hv_mtrr_type(&m, 0, MiB), -1);
	assert_int_equal(hv_mtrr_type(&m, 0, 2 * MiB), -1);
	/* With FE clear the first MiB follows the default type. */
	m.fixed_enabled = false;
	assert_int_equal(hv_mtrr_type(&m, 0, 2 * MiB), HV_MEMTYPE_WB);
}

static void test_variable_ranges(void **state)
{
	struct hv_mtrr m;

	(void)state;
	pc_mtrr(&m);
	assert_int_equal(hv_mtrr_type(&m, 2 * MiB, 2 * MiB), HV_MEMTYPE_WB);
	assert_int_equal(hv_mtrr_type(&m, GiB, GiB), HV_MEMTYPE_WB);
	assert_int_equal(hv_mtrr_type(&m, 3 * GiB, GiB), HV_MEMTYPE_UC);
	assert_int_equal(hv_mtrr_type(&m, 0xfee00000, 0x1000), HV_MEMTYPE_UC);
	assert_int_equal(hv_mtrr_type(&m, 4 * GiB, GiB), HV_MEMTYPE_WB);
	/* Partly inside the UC range: must be split. */
	assert_int_equal(hv_mtrr_type(&m, 2 * GiB, 2 * GiB), -1);
	/* An invalid (V clear) range is ignored. */
	m.var[0].mask &= ~VALID;
	assert_int_equal(hv_mtrr_type(&m, 3 * GiB, GiB), HV_MEMTYPE_WB);
}

static void test_overlaps(void **state)
{
	struct hv_mtrr m;

	(void)state;
	pc_mtrr(&m);
	/* WT over WB gives WT (12.11.4.1). */
	m.var[1].base = 0 | HV_MEMTYPE_WT;
	m.var[1].mask = var_mask(2 * GiB, 40);
	m.var[2].base = 0 | HV_MEMTYPE_WB;
	m.var[2].mask = var_mask(4 * GiB, 40);
	assert_int_equal(hv_mtrr_type(&m, GiB, 2 * MiB), HV_MEMTYPE_WT);
	/* UC wins over anything. */
	m.var[3].base = GiB | HV_MEMTYPE_UC;
	m.var[3].mask = var_mask(2 * MiB, 40);
	assert_int_equal(hv_mtrr_type(&m, GiB, 2 * MiB), HV_MEMTYPE_UC);
	/* WC with WB is undefined: UC. */
	m.var[4].base = (GiB + 2 * MiB) | HV_MEMTYPE_WC;
	m.var[4].mask = var_mask(2 * MiB, 40);
	m.var[1].mask = 0;
	assert_int_equal(hv_mtrr_type(&m, GiB + 2 * MiB, 2 * MiB),
			 HV_MEMTYPE_UC);
}

static void test_disabled_and_reserved(void **state)
{
	struct hv_mtrr m;

	(void)state;
	pc_mtrr(&m);
	m.enabled = false;
	assert_int_equal(hv_mtrr_type(&m, 0, GiB), HV_MEMTYPE_UC);
	pc_mtrr(&m);
	m.def_type = 2;		/* reserved encoding */
	assert_int_equal(hv_mtrr_type(&m, 4 * GiB, GiB), HV_MEMTYPE_UC);
}

static void test_noncontiguous_mask(void **state)
{
	struct hv_mtrr m;

	(void)state;
	pc_mtrr(&m);
	/* Matches every other 4 KiB page of the low 8 KiB pattern. */
	m.var[1].base = 0x1000 | HV_MEMTYPE_UC;
	m.var[1].mask = (((1ULL << 40) - 1) & ~0xfffULL & ~0x2000ULL &
			 ~(0xffULL << 20)) | VALID;
	assert_int_equal(hv_mtrr_type(&m, 4 * GiB, 2 * MiB), -1);
	assert_int_equal(hv_mtrr_type(&m, 0x101000, 0x1000), HV_MEMTYPE_UC);
	assert_int_equal(hv_mtrr_type(&m, 0x102000, 0x1000), HV_MEMTYPE_WB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_ranges),
		cmocka_unit_test(test_variable_ranges),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_disabled_and_reserved),
		cmocka_unit_test(test_noncontiguous_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
