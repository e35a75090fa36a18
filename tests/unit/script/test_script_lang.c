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

/* structures-and-arrays.md, its examples with their printed results */
static void test_structs(void **state)
{
	(void)state;
	assert_string_equal(sr_output(
		"struct Point {\n int x;\n int y;\n};\n"
		"struct Point local = {0n31, 0n32};\n"
		"printf(\"%d %d\\n\", local.x, local.y);\n"
		"local.x += 5;\nlocal.y = 1 + local.y;\n"
		"printf(\"%d %d\\n\", local.x, local.y);"), "31 32\n36 33\n");
	assert_string_equal(sr_output(
		"struct ArrowNestedValue { int value; };"
		"struct ArrowNestedContainer { struct ArrowNestedValue nested; };"
		"struct ArrowNestedContainer arrow_nested;"
		"struct ArrowNestedContainer *arrow_nested_pointer;"
		"arrow_nested_pointer = &arrow_nested;"
		"arrow_nested_pointer->nested.value = 0n50;"
		"if (arrow_nested.nested.value == 0n50 &&"
		"    arrow_nested_pointer->nested.value == 0n50) {"
		"    printf(\"%d\\n\", arrow_nested_pointer->nested.value); }"), "50\n");
	/* arrays of structs, pointers into them, members after members */
	assert_string_equal(sr_output(
		"struct P { int x; int y; }; struct Q { int k; struct P p; };"
		"struct Q qs[2]; qs[1].p.y = 7; struct Q *q = &qs[1]; q->k = 3;"
		"q->p.x++; printf(\"%d %d %d %d\\n\", qs[1].k, qs[1].p.x, q->p.y, qs[0].p.y);"),
		"3 1 7 0\n");
	sr_expect_error("struct P { int x; };\nstruct P a; a.z = 1;", "line 2, column 14: expected a member of this struct, got z");
	sr_expect_error("struct R a;", "line 1, column 8: expected a struct defined before, got R");
	sr_expect_error("struct P { int x; };\n struct P { int y; };", "line 2, column 9: expected one definition of struct P");
	sr_expect_error("struct P { int x; }; struct P a; a = 1;", "line 1, column 34: expected an element or a member to assign to, got the array or struct a");
	sr_expect_error("struct P { int x[2]; };", "line 1, column 17: expected ';' after the member (array members are not supported)");
	sr_expect_error("struct P { int x; }; x = (struct P)1;", "expected '*': a value can be cast to a struct pointer");
}

static void test_arrays(void **state)
{
	(void)state;
	assert_string_equal(sr_output(
		"int t1[6] = {1,2,3,4,5,6};"
		"for (i = 0; i < 6 ; i++) { printf(\"%d\", t1[i]); }"
		"for (i = 0; i < 6 ; i++) { printf(\"%d\", *(i+t1)); }"
		"t44 = 55; int t2[6] = {1,2,3,t44,5,6}; printf(\" %x\", t2[3]);"
		"int t3[3][3] = {{1,2,3},{4,5,6},{7,8,9}};"
		"printf(\" %d%d%d\", t3[0][0], t3[1][2], t3[2][1]);"
		"int t4[3][3][3] = {{1,2,3,4},{4,5,6,4},{7,8,9,4}};"
		"printf(\" %d\", t4[0][0][3]);"
		"int t5[3] = {0}; t5[1]++; t5[2] = t5[1] + 7; t5[0] += 2;"
		"printf(\" %d%d%d\", t5[0], t5[1], t5[2]);"
		"p = &t5[2]; printf(\" %d %d\", *p, *(t5 + 2));"),
		"123456123456 55 168 4 218 8 8");
	/* arrays local to a call, recursion */
	assert_int_equal(sr_value(
		"int f(int n) { int a[4] = {n, n+1}; if (n == 0) { return a[1]; }"
		" return a[0] + f(n - 1) * 0n10; } test_statement(f(3));"), 1123);
	/* the whole array bounds an index: a runtime error, no access */
	sr_reset();
	assert_int_equal(sr_exec("int a[3] = {1,2,3}; i = 3; x = a[i]; test_statement(1);"),
			 SCRIPT_E_BOUNDS);
	assert_string_equal(sr.u.out, "script error: array index out of bounds, script stopped: byte offset 0x18\n");
	assert_int_equal(sr.u.n_tests, 0);
	sr_expect_error("int a[3] = {1,2,3,4};", "line 1, column 19: expected no more initial values than elements");
	sr_expect_error("int a[0];", "line 1, column 7: expected an array size (a number, 1..64 slots in all)");
	sr_expect_error("int a[2][2][2][2];", "line 1, column 15: expected at most 3 dimensions");
	sr_expect_error("int a[2];\nx = a[1][1];", "line 2, column 9: expected no further index");
	sr_expect_error("int a[70];", "line 1, column 7: expected an array size");
}

static void test_casts(void **state)
{
	(void)state;
	assert_int_equal(sr_eval("(char)0x1ff"), ~0ULL);
	assert_int_equal(sr_eval("(unsigned char)0x1ff"), 0xff);
	assert_int_equal(sr_eval("(int)0xffffffff"), ~0ULL);
	assert_int_equal(sr_eval("(unsigned int)-1"), 0xffffffff);
	assert_int_equal(sr_eval("(short)0x18000"), (u64)-0x8000);
	assert_int_equal(sr_eval("(uint16)0x18000"), 0x8000);
	assert_int_equal(sr_eval("(long long)-1"), ~0ULL);
	assert_int_equal(sr_eval("(unsigned long long)-1"), ~0ULL);
	assert_int_equal(sr_eval("(bool)0x100"), 1);
	assert_int_equal(sr_eval("(void *)0x1ff + 1"), 0x200);
	assert_int_equal(sr_eval("(uint8)0x1ff + 1"), 0x100);	/* binds like unary */
	sr_expect_error("x = (double)1;", "line 1, column 6: expected an integer type");
	sr_expect_error("x = (int 1;", "line 1, column 10: expected ')' after the type of the cast");
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
		cmocka_unit_test(test_structs),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_casts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
