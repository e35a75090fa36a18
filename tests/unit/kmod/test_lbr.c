/* Last Branch Record's pure parts (kmod/lib/lbr.c): detection by CPUID
 * and IA32_PERF_CAPABILITIES, the MSR layout of each model family, the
 * order of a rotating stack, the decoding of each record format,
 * HyperDbg's filter bits as LBR_SELECT and IA32_LBR_CTL, and the line
 * lbr_print shows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/lbr.h"

static struct lbr_cpu_id intel6(u32 model, u8 fmt)
{
	struct lbr_cpu_id id = {
		.intel = true, .family = 6, .model = model, .pdcm = true,
		.perf_caps = 0x33000 | fmt,
	};
	return id;
}

static void test_legacy_models(void **state)
{
	struct lbr_desc d;
	char why[200];
	struct lbr_cpu_id id;

	(void)state;
	/* Skylake-SP (0x55): 32 records at 0x680/0x6c0, LBR_INFO at 0xdc0 */
	id = intel6(0x55, LBR_FMT_INFO);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), 0);
	assert_int_equal(d.kind, LBR_LEGACY);
	assert_int_equal(d.depth, 32);
	assert_int_equal(d.from, 0x680);
	assert_int_equal(d.to, 0x6c0);
	assert_int_equal(d.info, 0xdc0);
	assert_true(d.has_select && d.call_stack);
	/* Haswell: 16, no info array, call stack */
	id = intel6(0x3c, LBR_FMT_EIP_FLAGS2);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), 0);
	assert_int_equal(d.depth, 16);
	assert_int_equal(d.info, 0);
	assert_true(d.call_stack);
	/* Sandy Bridge: 16, no call stack */
	id = intel6(0x2a, LBR_FMT_EIP_FLAGS);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), 0);
	assert_int_equal(d.depth, 16);
	assert_false(d.call_stack);
	/* Core 2: 4 records at 0x40/0x60, no LBR_SELECT */
	id = intel6(0x17, LBR_FMT_LIP);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), 0);
	assert_int_equal(d.depth, 4);
	assert_int_equal(d.from, 0x40);
	assert_int_equal(d.to, 0x60);
	assert_false(d.has_select);
	/* Silvermont: 8 at 0x40 with LBR_SELECT */
	id = intel6(0x4d, LBR_FMT_EIP_FLAGS);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), 0);
	assert_int_equal(d.depth, 8);
	assert_int_equal(d.from, 0x40);
	assert_true(d.has_select);
	/* Knights Landing: a LIP format that records mispredictions */
	id = intel6(0x57, LBR_FMT_LIP);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), 0);
	assert_int_equal(d.format, LBR_FMT_EIP_FLAGS);
	assert_int_equal(d.depth, 8);
}

static void test_missing(void **state)
{
	struct lbr_desc d;
	char why[200];
	struct lbr_cpu_id id;

	(void)state;
	id = intel6(0x55, LBR_FMT_INFO);
	id.intel = false;
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), -1);
	assert_string_equal(why, "not an Intel CPU (CPUID.0 vendor)");
	assert_int_equal(d.kind, LBR_NONE);
	id = intel6(0x55, LBR_FMT_INFO);
	id.pdcm = false;
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), -1);
	assert_string_equal(why, "the LBR record format is unknown: no "
			    "IA32_PERF_CAPABILITIES (CPUID.1:ECX.PDCM[15] = 0)");
	id = intel6(0x99, LBR_FMT_INFO);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), -1);
	assert_string_equal(why, "no architectural LBR (CPUID.(EAX=07H,"
			    "ECX=0):EDX[19] = 0) and no model-specific LBR "
			    "stack known for family 6 model 0x99");
	id = intel6(0x55, 0x3f);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), -1);
	assert_string_equal(why, "unknown LBR format in "
			    "IA32_PERF_CAPABILITIES[5:0]: 0x3f");
	/* an info format on a model without the LBR_INFO array */
	id = intel6(0x3c, LBR_FMT_INFO);
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), -1);
	id = intel6(0x55, LBR_FMT_INFO);
	id.family = 0xf;
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "for family 0xf"));
	/* a short buffer: cut, terminated */
	id.intel = false;
	assert_int_equal(lbr_detect(&id, &d, why, 8), -1);
	assert_string_equal(why, "not an ");
}

static void test_arch(void **state)
{
	struct lbr_cpu_id id = { .intel = true, .family = 6, .model = 0x97,
				 .arch_lbr = true, .leaf1c_eax = 0x7,
				 .leaf1c_ebx = 7 };
	struct lbr_desc d;
	char why[200];

	(void)state;
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), 0);
	assert_int_equal(d.kind, LBR_ARCH);
	assert_int_equal(d.depth, 24);	/* depths 8, 16, 24 */
	assert_int_equal(d.from, 0x1500);
	assert_int_equal(d.to, 0x1600);
	assert_int_equal(d.info, 0x1200);
	assert_true(d.call_stack);
	id.leaf1c_eax = 0x80;
	id.leaf1c_ebx = 3;
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), 0);
	assert_int_equal(d.depth, 64);
	assert_false(d.call_stack);
	id.leaf1c_eax = 0;
	assert_int_equal(lbr_detect(&id, &d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "lists no depth"));
}

static void test_slots(void **state)
{
	struct lbr_desc d = { .kind = LBR_LEGACY, .depth = 32 };
	u32 i;

	(void)state;
	/* oldest first: TOS + 1 .. TOS, wrapping */
	assert_int_equal(lbr_slot(&d, 19, 0), 20);
	assert_int_equal(lbr_slot(&d, 19, 11), 31);
	assert_int_equal(lbr_slot(&d, 19, 12), 0);
	assert_int_equal(lbr_slot(&d, 19, 31), 19);
	assert_int_equal(lbr_slot(&d, 31, 0), 0);
	d.depth = 4;
	assert_int_equal(lbr_slot(&d, 2, 0), 3);
	assert_int_equal(lbr_slot(&d, 2, 3), 2);
	/* architectural: IA32_LBR_0 is the most recent */
	d.kind = LBR_ARCH;
	d.depth = 32;
	for (i = 0; i < 32; i++)
		assert_int_equal(lbr_slot(&d, 0, i), 31 - i);
}

static void test_decode(void **state)
{
	struct lbr_desc d = { .kind = LBR_LEGACY };
	struct lbr_rec r;

	(void)state;
	d.format = LBR_FMT_32;
	lbr_decode(&d, 0x8040200010203040ULL, 0, 0, &r);
	assert_int_equal(r.from, 0x10203040);
	assert_int_equal(r.to, 0x80402000);
	d.format = LBR_FMT_EIP;
	lbr_decode(&d, 0xffffffff81000010ULL, 0xffffffff81000020ULL, 0, &r);
	assert_int_equal(r.from, 0xffffffff81000010ULL);
	assert_false(r.mispred);
	/* EIP_FLAGS: bit 63 mispredicted, the rest sign-extended from 62 */
	d.format = LBR_FMT_EIP_FLAGS;
	lbr_decode(&d, 0xffffffff81000010ULL, 0x400000ULL, 0, &r);
	assert_true(r.mispred);
	assert_int_equal(r.from, 0xffffffff81000010ULL);
	lbr_decode(&d, 0x7fffffff81000010ULL, 0x400000ULL, 0, &r);
	assert_false(r.mispred);
	assert_int_equal(r.from, 0xffffffff81000010ULL);
	lbr_decode(&d, 0x8000000000401000ULL, 0x400000ULL, 0, &r);
	assert_true(r.mispred);
	assert_int_equal(r.from, 0x401000);
	/* EIP_FLAGS2: 63 mispred, 62 in TSX, 61 abort, from 60 down */
	d.format = LBR_FMT_EIP_FLAGS2;
	lbr_decode(&d, 0x5fffffff81000010ULL, 0, 0, &r);
	assert_false(r.mispred);
	assert_true(r.in_tx);
	assert_false(r.abort);
	assert_int_equal(r.from, 0xffffffff81000010ULL);
	lbr_decode(&d, 0xa000000000401000ULL, 0, 0, &r);
	assert_true(r.mispred && r.abort && !r.in_tx);
	assert_int_equal(r.from, 0x401000);
	/* TIME: cycles in TO 63:48 */
	d.format = LBR_FMT_TIME;
	lbr_decode(&d, 0x0000000000401000ULL, 0x0017ffff81000020ULL, 0, &r);
	assert_int_equal(r.cycles, 0x17);
	assert_int_equal(r.to, 0xffffffff81000020ULL);
	assert_true(r.has_cycles);
	/* INFO: LBR_INFO_x 63 mispred, 62 in TSX, 61 abort, 15:0 cycles */
	d.format = LBR_FMT_INFO;
	lbr_decode(&d, 0x401000, 0x402000, 0xe000000000000023ULL, &r);
	assert_true(r.mispred && r.in_tx && r.abort);
	assert_int_equal(r.cycles, 0x23);
	d.format = LBR_FMT_INFO2;
	lbr_decode(&d, 0x401000, 0x402000, 0xe000000000000023ULL, &r);
	assert_true(r.mispred);
	assert_false(r.in_tx || r.abort);
	/* architectural: type 59:56, cycle count valid 60 */
	d.kind = LBR_ARCH;
	d.format = LBR_FMT_ARCH;
	lbr_decode(&d, 0x401000, 0x402000, 0x9500000000000054ULL, &r);
	assert_true(r.mispred && r.cycles_valid && r.has_type);
	assert_int_equal(r.type, 5);
	assert_int_equal(r.cycles, 0x54);
}

static void test_filters(void **state)
{
	(void)state;
	assert_int_equal(lbr_select_value(0), 0);
	assert_int_equal(lbr_select_value(0x3c6), 0x3c6);
	assert_int_equal(lbr_select_value(0xfffff), 0x3ff);
	/* no filter: everything enabled, both rings */
	assert_int_equal(lbr_ctl_value(0), 0x7f0007);
	/* kernel only out, no conditional branches */
	assert_int_equal(lbr_ctl_value(0x5), 0x7e0005);
	/* HyperDbg's call-stack user-mode value: 0x3c6 */
	assert_int_equal(lbr_ctl_value(0x3c6), 0x380003 | (1 << 3) | 0x8);
	assert_int_equal(lbr_filter_word("kernel", 6), 1);
	assert_int_equal(lbr_filter_word("call_stack", 10), 0x200);
	assert_int_equal(lbr_filter_word("far", 3), 0x100);
	assert_int_equal(lbr_filter_word("other_branches", 14), 0x100);
	assert_int_equal(lbr_filter_word("return", 6), 0x20);
	assert_int_equal(lbr_filter_word("ret", 3), 0);
	assert_int_equal(lbr_filter_word("kernelx", 7), 0);
}

static void test_line(void **state)
{
	struct lbr_desc d = { .kind = LBR_LEGACY, .format = LBR_FMT_INFO };
	struct lbr_rec r = { .from = 0x7ff7808c8ebaULL,
			     .to = 0x7ff7808c8eeaULL, .has_cycles = true,
			     .cycles = 1 };
	char out[256];

	(void)state;
	/* HyperDbg's lbr_print line (legacy), from its documentation */
	lbr_format_rec(&d, 20, &r, out, sizeof(out));
	assert_string_equal(out, "         [20] Branch Mispredicted: false, "
			    "Cycle Count (Decimal): 0001 - From: "
			    "00007ff7808c8eba  To: 00007ff7808c8eea\n");
	r.mispred = true;
	lbr_format_rec(&d, 7, &r, out, sizeof(out));
	assert_non_null(strstr(out, "[ 7] Branch Mispredicted: true ,"));
	/* architectural: the type and whether the count is valid */
	d.kind = LBR_ARCH;
	d.format = LBR_FMT_ARCH;
	r = (struct lbr_rec){ .from = 0xfffff802ec3ef7c1ULL,
			      .to = 0xfffff802ec6b3126ULL, .has_cycles = true,
			      .cycles_valid = true, .cycles = 1442,
			      .has_type = true, .type = 5 };
	lbr_format_rec(&d, 0, &r, out, sizeof(out));
	assert_string_equal(out, "         [ 0] Branch Mispredicted: false, "
			    "Branch type: RET          , Cycle Count "
			    "(Decimal): 1442 (is valid? true ) - From: "
			    "fffff802ec3ef7c1  To: fffff802ec6b3126\n");
	/* a short buffer: cut, terminated */
	assert_int_equal(lbr_format_rec(&d, 0, &r, out, 12), 11);
	assert_int_equal(strlen(out), 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_models),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_arch),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
