// SPDX-License-Identifier: GPL-2.0
/*
 * The language of HyperDbg's reference pages beyond its test cases:
 * long identifiers, the step budget and the cost of built-ins, typed
 * declarations, '&' on variables, with their error messages.
 */
#include <stdio.h>
#include <string.h>

#include "support_script.h"

static void test_long_identifiers(void **state)
{
	char src[1600], name[300];

	(void)state;
	memset(name, 'v', 255);
	name[255] = 0;
	snprintf(src, sizeof(src), "%s = 5; .%s = %s + 1; test_statement(.%s);",
		 name, name, name, name);
	assert_int_equal(sr_value(src), 6);
	assert_string_equal(script_local_name(&sr.prog, 0), name);
	assert_string_equal(script_global_name(&sr.globals, 0), name);
	/* 256 characters: line and column of the name */
	memset(name, 'w', 256);
	name[256] = 0;
	snprintf(src, sizeof(src), "x = 1;\n  %s = 1;", name);
	sr_expect_error(src, "line 2, column 3: expected a name shorter than 256 characters");
	/* a function name as long as HyperDbg's test scripts use */
	assert_int_equal(sr_value(
		"int test_function_with_a_rather_long_descriptive_name_0x1(int parameter_number_one) {"
		" return parameter_number_one + 1; }"
		"test_statement(test_function_with_a_rather_long_descriptive_name_0x1(0x41));"),
		0x42);
}

static void test_name_pool_full(void **state)
{
	char src[4000];
	size_t n = 0;
	int i;

	(void)state;
	/* 9 names of 250 characters do not fit in 2048 bytes */
	for (i = 0; i < 9; i++) {
		memset(src + n, 'a', 249);
		n += 249;
		n += sprintf(src + n, "%d = 1;\n", i);
	}
	src[n] = 0;
	sr_expect_error(src, "line 9, column 1: expected shorter variable names (2048 bytes of names in all)");
}

/* 0x1000 iterations of a few statements, as HyperDbg's cases run */
static void test_default_budget_runs_long_loops(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec(
		"for (i = 0; i < 0x1000; i++) { .sum += i; x = i * 2; if (x % 3 == 0) { y++; } }"
		"j = 0; while (j < 0x1000) { j++; .k = .k + 2; }"
		"test_statement(.sum); test_statement(.k);"), 0);
	assert_int_equal(sr.u.tests[0], 0x1000 * 0xfff / 2);
	assert_int_equal(sr.u.tests[1], 0x2000);
	assert_true(sr.vm.steps < SCRIPT_DEFAULT_STEPS / 4);
}

/* Built-ins pay for their machine accesses: a loop of 4 KiB memcpy
 * stops long before it would at one step per call. */
static void test_builtins_cost_steps(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("while (1 == 1) { memcpy(0x10000, 0x10000, 0n4096); n++; }", 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0),
			 SCRIPT_E_STEPS);
	/* 64 chunks of 64 bytes, each a read and a write of 8 + 8 steps */
	assert_true(sr.u.locals[0] > SCRIPT_DEFAULT_STEPS / 2100);
	assert_true(sr.u.locals[0] < SCRIPT_DEFAULT_STEPS / 2048);
	/* a held spinlock gives up within the budget, not after 100000 tries */
	sr_reset();
	assert_int_equal(sr_compile("eq(0x10000, 1); spinlock_lock(0x10000); test_statement(1);", 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 5000),
			 SCRIPT_E_STEPS);
	assert_non_null(strstr(sr.u.out, "spinlock still held, gave up at 0x10000"));
	assert_non_null(strstr(sr.u.out, "step budget exhausted"));
	assert_int_equal(sr.u.n_tests, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_identifiers),
		cmocka_unit_test(test_name_pool_full),
		cmocka_unit_test(test_default_budget_runs_long_loops),
		cmocka_unit_test(test_builtins_cost_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
