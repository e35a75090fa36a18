/*
 * ptimer: VMX-preemption timer counts for TSC spans (SDM Vol. 3C 26.5.1)
 * and the TSC rate measured against the kernel's clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/ptimer.h"

/* One tick per 2^rate TSC ticks, clamped to the 32-bit field. */
static void test_count(void **state)
{
	(void)state;
	assert_int_equal(ptimer_count(175000000, 0), 175000000);
	assert_int_equal(ptimer_count(175000000, 5), 175000000 >> 5);
	assert_int_equal(ptimer_count(31, 5), 0);
	assert_int_equal(ptimer_count(1ull << 36, 5), 1u << 31);
	assert_int_equal(ptimer_count(1ull << 40, 0), 0xffffffffu);
	assert_int_equal(ptimer_count(~0ull, 31), 0xffffffffu);
	assert_int_equal(ptimer_count(~0ull, 64), 0);
}

/* Bochs at ips=200M: 200,000 TSC ticks per ms of guest time, whatever
 * tsc_khz says; hardware: the rate itself. */
static void test_rate(void **state)
{
	(void)state;
	assert_int_equal(ptimer_tsc_per_ms(2000000, 10000000), 200000);
	assert_int_equal(ptimer_tsc_per_ms(35000000, 10000000), 3500000);
	/* Rounded to the nearest. */
	assert_int_equal(ptimer_tsc_per_ms(3, 2000000), 2);
	assert_int_equal(ptimer_tsc_per_ms(1, 3000000), 0);
	/* Nothing measured. */
	assert_int_equal(ptimer_tsc_per_ms(12345, 0), 0);
	/* Long spans do not overflow: an hour of a 4 GHz TSC. */
	assert_int_equal(ptimer_tsc_per_ms(4000000ull * 3600000ull,
					   3600000000000ull), 4000000);
	assert_int_equal(ptimer_tsc_per_ms(~0ull, 1000000), ~0ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
