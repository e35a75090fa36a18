/* The pure emulation rules behind the module's event handlers: what the
 * guest must see after MOV DR, LMSW/CLTS, XSETBV, IN and REP string I/O
 * (values from the SDM's definitions of each instruction). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "monitor-cmds/event_emul.h"

static void test_dr_qualification(void **state)
{
	struct event_dr_access a;

	(void)state;
	/* MOV DR7, RBX: DR 7, to DR (bit 4 = 0), GPR 3 in bits 11:8. */
	event_decode_dr(0x307, &a);
	assert_int_equal(a.dr, 7);
	assert_false(a.from_dr);
	assert_int_equal(a.gpr, 3);
	/* MOV R15, DR6: from DR. */
	event_decode_dr(0xf16, &a);
	assert_int_equal(a.dr, 6);
	assert_true(a.from_dr);
	assert_int_equal(a.gpr, 15);
	/* Reserved high bits are ignored. */
	event_decode_dr(0xffffffff00000101ull, &a);
	assert_int_equal(a.dr, 1);
	assert_false(a.from_dr);
	assert_int_equal(a.gpr, 1);
}

static void test_dr4_dr5_alias(void **state)
{
	(void)state;
	assert_int_equal(event_dr_alias(4, false), 6);
	assert_int_equal(event_dr_alias(5, false), 7);
	assert_int_equal(event_dr_alias(4, true), -1);
	assert_int_equal(event_dr_alias(5, true), -1);
	assert_int_equal(event_dr_alias(0, true), 0);
	assert_int_equal(event_dr_alias(7, true), 7);
}

static void test_lmsw_and_clts(void **state)
{
	(void)state;
	/* LMSW sets MP/EM/TS from the source and can set PE... */
	assert_int_equal(event_cr0_lmsw(0x80000010, 0xf), 0x8000001f);
	/* ...but never clear it, and leaves bits above 3 alone. */
	assert_int_equal(event_cr0_lmsw(0x80050033, 0x0), 0x80050031);
	assert_int_equal(event_cr0_lmsw(0x80050031, 0xfff0), 0x80050031);
	assert_int_equal(event_cr0_clts(0x8005003b), 0x80050033);
	assert_int_equal(event_cr0_clts(0x80050033), 0x80050033);
}

static void test_xcr0_rules(void **state)
{
	const uint64_t all = 0x2ff;	/* x87 SSE AVX MPX AVX-512 PKRU */

	(void)state;
	assert_true(event_xcr0_valid(0x1, all));
	assert_true(event_xcr0_valid(0x7, all));
	assert_true(event_xcr0_valid(0xe7, all));
	assert_false(event_xcr0_valid(0x0, all));	/* x87 must be set */
	assert_false(event_xcr0_valid(0x6, all));
	assert_false(event_xcr0_valid(0x5, all));	/* AVX without SSE */
	assert_false(event_xcr0_valid(0x9, all));	/* BNDREGS alone */
	assert_true(event_xcr0_valid(0x19, all));
	assert_false(event_xcr0_valid(0x63, all));	/* AVX-512 partly */
	assert_false(event_xcr0_valid(0xe3, all));	/* AVX-512, no AVX */
	assert_false(event_xcr0_valid(0x7, 0x3));	/* AVX unsupported */
}

static void test_in_result(void **state)
{
	const uint64_t rax = 0x1122334455667788ull;

	(void)state;
	assert_int_equal(event_in_rax(rax, 0xab, 1), 0x11223344556677abull);
	assert_int_equal(event_in_rax(rax, 0xfffff0ab, 1),
			 0x11223344556677abull);
	assert_int_equal(event_in_rax(rax, 0xabcd, 2), 0x112233445566abcdull);
	assert_int_equal(event_in_rax(rax, 0xdeadbeef, 4), 0xdeadbeefull);
}

static void test_address_size(void **state)
{
	(void)state;
	assert_int_equal(event_addr_mask(0 << 7), 0xffff);
	assert_int_equal(event_addr_mask(1 << 7), 0xffffffffull);
	assert_int_equal(event_addr_mask((2 << 7) | (3 << 15)), ~0ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dr_qualification),
		cmocka_unit_test(test_dr4_dr5_alias),
		cmocka_unit_test(test_lmsw_and_clts),
		cmocka_unit_test(test_xcr0_rules),
		cmocka_unit_test(test_in_result),
		cmocka_unit_test(test_address_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
