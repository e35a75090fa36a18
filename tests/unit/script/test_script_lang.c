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

static void test_typed_declarations(void **state)
{
	(void)state;
	/* for (int ...), several declarators, typed locals of a function
	 * private to each call, redeclared in a second loop */
	assert_int_equal(sr_value(
		"int f(int a) { int b = a * 2; for (int j = 0; j < 2; j++) { b++; }"
		" for (int j = 0, k = 3; j < 2; j++) { b += k; } return b; }"
		"unsigned long long x = 1, y = 2;"
		"for (int i = 0; i < 3; i++) { x += i; }"
		"test_statement(f(4) + x + y);"), 8 + 2 + 6 + 4 + 2);
	sr_expect_error("int f(int a) {\n  int a = 1; return a; }",
			"line 2, column 7: expected a new name, got the parameter a");
	sr_expect_error("for (int 5 = 0; ;) { }", "line 1, column 10: expected a name after the type");
	/* void functions, early return, recursion */
	assert_string_equal(sr_output(
		"void my_func(int var, int var2) { printf(\"var = %d, var2 = %d\\n\", var, var2);"
		" return; printf(\"never\\n\"); }"
		"int myfibonacci(int var1) { if (var1 == 0) { return 0; } if (var1 == 1) { return 1; }"
		" return myfibonacci(var1 - 1) + myfibonacci(var1 - 2); }"
		"for (int i = 0; i < 3; i++) { my_func(1, 2); }"
		"var = myfibonacci(9); printf(\"%d\", var);"),
		"var = 1, var2 = 2\nvar = 1, var2 = 2\nvar = 1, var2 = 2\n34");
}

static void test_address_of(void **state)
{
	(void)state;
	/* HyperDbg's spinlock example on a global */
	assert_string_equal(sr_output(
		".my_lock = 0; .my_counter = 0;"
		"spinlock_lock(&.my_lock); .my_counter = .my_counter + 1;"
		"printf(\"%llx %llx\\n\", .my_counter, .my_lock);"
		"spinlock_unlock(&.my_lock); printf(\"%llx\\n\", .my_lock);"),
		"1 1\n0\n");
	/* interlocked_* on a local and a global, *p and poi through &, memcpy */
	assert_int_equal(sr_value(
		"x = 5; interlocked_increment(&x); .g = 0x10;"
		"test_statement(interlocked_exchange_add(&.g, x));"	/* old 0x10 */
		"test_statement(.g);"					/* 0x16 */
		"test_statement(interlocked_compare_exchange(&x, 0x99, 6));"
		"p = &x; *p = *p + 1; test_statement(poi(p));"		/* 0x9a */
		"memcpy(&y, &x, 8); test_statement(y);"
		"eb(&y, 0x41); test_statement(y);"
		"test_statement(db(&y));"), 0x41);
	assert_int_equal(sr.u.tests[0], 0x10);
	assert_int_equal(sr.u.tests[1], 0x16);
	assert_int_equal(sr.u.tests[2], 6);
	assert_int_equal(sr.u.tests[3], 0x9a);
	assert_int_equal(sr.u.tests[4], 0x9a);
	assert_int_equal(sr.u.tests[5], 0x41);
	/* a function's parameter: the address is its frame slot */
	assert_int_equal(sr_value(
		"int f(int a) { int b = 0; interlocked_increment(&a);"
		" memcpy(&b, &a, 8); return b; } test_statement(f(0x41));"), 0x42);
	/* guest memory still goes to the platform */
	assert_int_equal(sr_value("eq(0x10000, 7); test_statement(interlocked_increment(0x10000));"), 8);
	sr_expect_error("x = 1 + &@rax;", "line 1, column 10: expected a variable after '&'");
	sr_expect_error("x = &$pid;", "line 1, column 6: expected a variable after '&'");
	sr_expect_error("x = &f(1);", "line 1, column 6: expected a variable after '&', got a call of f");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_identifiers),
		cmocka_unit_test(test_name_pool_full),
		cmocka_unit_test(test_default_budget_runs_long_loops),
		cmocka_unit_test(test_builtins_cost_steps),
		cmocka_unit_test(test_typed_declarations),
		cmocka_unit_test(test_address_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
