/* The freestanding header gives user space the kernel's fixed-width types. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"

static void test_type_widths(void **state)
{
	(void)state;
	assert_int_equal(sizeof(u8), 1);
	assert_int_equal(sizeof(u16), 2);
	assert_int_equal(sizeof(u32), 4);
	assert_int_equal(sizeof(u64), 8);
	assert_true((s64)-1 < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_widths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
