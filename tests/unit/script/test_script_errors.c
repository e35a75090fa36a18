// SPDX-License-Identifier: GPL-2.0
/*
 * Errors: every compile error names the line and column and what was
 * expected; runtime failures (step budget, division by zero, bad memory,
 * call depth, stack, damaged programs) stop or continue as documented and
 * never crash.
 */
#include "support_script.h"

static void test_error_position(void **state)
{
	(void)state;
	sr_expect_error("x = 5 +;", "line 1, column 8: expected an expression");
	sr_expect_error("x = 1;\n  y = ;\n", "line 2, column 7: expected an expression");
	sr_expect_error("x = 1\ny = 2;", "line 2, column 1: expected ';'");
	sr_expect_error("if (x == 1) {\n  y = 2;\n", "line 1, column 13: expected '}' closing this '{'");
	sr_expect_error("x = 1; /* open", "line 1, column 8: expected '*/' closing this comment");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	sr_expect_error("x = @foo;", "expected a register name, got @foo");
	sr_expect_error("x = $nope;", "expected a pseudo-register, got $nope");
	sr_expect_error("x = (1 + 2;", "expected ')'");
	sr_expect_error("x = 0y102;", "expected a digit of base 2");
	sr_expect_error("x = 0n99999999999999999999;", "expected a number that fits in 64 bits");
	sr_expect_error("x = 0x;", "expected digits after the number prefix");
	sr_expect_error("printf(\"abc);", "expected '\"' closing this string");
	sr_expect_error("print(\"\\q\");", "expected an escape");
	sr_expect_error("x = 1 ` 2;", "expected a token");
	/* '#' is #include's, resolved before the module sees the text */
	sr_expect_error("x = 1;\n # 2;", "line 2, column 2: expected the included text: #include is resolved before sending");
	sr_expect_error("x == 1;", "expected an assignment operator");
	sr_expect_error("if x == 1 { }", "expected '(' before the condition");
	sr_expect_error("if (x == 1) y = 2;", "expected '{'");
	sr_expect_error("while (1 == 1) { }  else { }", "expected 'if' before elsif/else");
	sr_expect_error("do { x++; } while (x < 3)", "expected ';' after do { } while ( )");
	sr_expect_error("do { x++; }", "expected 'while' after the do block");
	sr_expect_error("for (i = 0; i < 3) { }", "expected ';' after the for condition");
	sr_expect_error("}", "unmatched '}'");
	sr_expect_error("x = 1 < 2;", "comparisons, && and || are only allowed in conditions");
	sr_expect_error("if (1 < 2 < 3) { }", "comparisons do not chain");
	sr_expect_error("x = ++y;", "++ and -- are statements");
	sr_expect_error("x = \"s\";", "a string is only an argument");
	sr_expect_error("x = if;", "expected an expression, got if");
}

static void test_semantic_errors(void **state)
{
	(void)state;
	sr_expect_error("break;", "expected a loop around 'break'");
	sr_expect_error("if (1 == 1) { continue; }", "expected a loop around 'continue'");
	sr_expect_error("x = print(1);", "expected a function that returns a value, not print");
	sr_expect_error("x = poi(1, 2);", "expected ')' after the single argument");
	sr_expect_error("eb(1);", "expected this number of arguments: 2");
	sr_expect_error("printf(\"%d %d\", 1);", "expected this number of arguments: 3");
	sr_expect_error("printf(\"%q\", 1);", "expected a printf conversion");
	sr_expect_error("printf(x);", "expected a format string");
	sr_expect_error("x = nothere(1);", "expected a defined function, got nothere");
	sr_expect_error("int f(a) { return a; } x = f(1, 2);", "expected as many arguments as the parameters of f");
	sr_expect_error("x = g(); void g() { y = 1; }", "expected a function that returns a value, not void g");
	sr_expect_error("x = g(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);", "expected at most 16 arguments");
	sr_expect_error("int f(a) { return 1; } int f(b) { return 2; }", "expected one definition of function f");
	sr_expect_error("int poi(a) { return 1; }", "not a built-in");
	sr_expect_error("int f(a, a) { return 1; }", "expected a new name");
	sr_expect_error("while (1 == 1) { int g() { return 1; } }", "top level only");
}

static void test_limits(void **state)
{
	static char src[40000];
	size_t n = 0;
	int i;

	(void)state;
	/* nesting depth */
	n += sprintf(src + n, "x = ");
	for (i = 0; i < 40; i++)
		n += sprintf(src + n, "(");
	n += sprintf(src + n, "1");
	for (i = 0; i < 40; i++)
		n += sprintf(src + n, ")");
	sprintf(src + n, ";");
	sr_expect_error(src, "expected less nesting");
	/* code pool */
	n = 0;
	for (i = 0; i < 1200; i++)
		n += sprintf(src + n, "x = x + %d;", i);
	sr_expect_error(src, "expected a shorter script (code pool full)");
	/* variables */
	n = 0;
	for (i = 0; i < 70; i++)
		n += sprintf(src + n, "v%d = 1;", i);
	sr_expect_error(src, "expected at most 64 variables");
}

static void test_hyperdbg_strict_mode(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("if (@rax & 1 == 1) { }", 0), 0);
	assert_int_not_equal(sr_compile("if (@rax & 1 == 1) { }", SCRIPT_F_HDBG_STRICT), 0);
	assert_non_null(strstr(sr.err, "HyperDbg-compatible mode"));
	assert_int_equal(sr_compile("while (@rax) { }", 0), 0);
	assert_int_not_equal(sr_compile("while (@rax) { }", SCRIPT_F_HDBG_STRICT), 0);
	assert_int_not_equal(sr_compile("if (@rax == 1 && @rdx) { }", SCRIPT_F_HDBG_STRICT), 0);
	assert_int_equal(sr_compile("if ((@rax == 1) && @rdx != 0) { }", SCRIPT_F_HDBG_STRICT), 0);
	assert_int_equal(sr_compile("x = @rax & 1 | 2 ^ 3;", SCRIPT_F_HDBG_STRICT), 0);
}

static void test_step_budget(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("while (1 == 1) { x++; }", 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 5000),
			 SCRIPT_E_STEPS);
	assert_int_equal(sr.vm.steps, 5000);
	assert_string_equal(sr.u.out, "script error: step budget exhausted, script stopped\n");
	assert_true(sr.u.locals[0] > 500 && sr.u.locals[0] < 5000);
	/* the default budget applies when 0 is passed */
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0),
			 SCRIPT_E_STEPS);
	assert_int_equal(sr.vm.steps, SCRIPT_DEFAULT_STEPS);
}

static void test_division_by_zero(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec("test_statement(1); x = 5 / (@rax - 1); test_statement(2);"),
			 SCRIPT_E_DIV0);
	assert_int_equal(sr.u.n_tests, 1);
	assert_non_null(strstr(sr.u.out, "division by zero"));
	assert_int_equal(sr_exec("x = 5; x %= 0;"), SCRIPT_E_DIV0);
}

static void test_bad_memory_reads_zero(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec("x = poi(0xdead0000) + 1; test_statement(x); *0xdead0008 = 1; test_statement(2);"), 0);
	assert_int_equal(sr.u.tests[0], 1);
	assert_int_equal(sr.u.tests[1], 2);
	assert_string_equal(sr.u.out,
			    "script error: cannot read memory at 0xdead0000\n"
			    "script error: cannot write memory at 0xdead0008\n");
	/* a loop over bad memory prints a bounded number of messages */
	sr_reset();
	assert_int_equal(sr_exec("for (i = 0; i < 0n100; i++) { x += db(0xdead0000 + i); }"), 0);
	assert_int_equal(sr.vm.n_msgs, 100);
	assert_non_null(strstr(sr.u.out, "cannot read memory at 0xdead0007\n"
			       "script error: further errors not shown\n"));
	assert_null(strstr(sr.u.out, "0xdead0008"));
	/* a read that crosses the end of a mapping fails as a whole */
	assert_int_equal(sr_exec("test_statement(poi(0x10ffc));"), 0);
	assert_int_equal(sr.u.tests[sr.u.n_tests - 1], 0);
}

static void test_value_stack_bound(void **state)
{
	(void)state;
	sr_reset();
	/* 16 frame slots x 32 calls exceed the 256-slot stack */
	assert_int_equal(sr_exec(
		"int f(n) { int a = 1; int b = 1; int c = 1; int d = 1; int e = 1;"
		" int g = 1; int h = 1; int i = 1; int j = 1; int k = 1; int l = 1;"
		" int m = 1; int o = 1; int p = 1; int q = 1; return f(n + 1); }"
		" x = f(0);"), SCRIPT_E_STACK);
	assert_non_null(strstr(sr.u.out, "value stack overflow"));
}

static void test_damaged_program(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("x = 1 + 2; test_statement(x);", 0), 0);
	sr.prog.code[1].op = 0xee;
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), SCRIPT_E_PROG);
	assert_int_equal(sr_compile("x = 1 + 2; test_statement(x);", 0), 0);
	sr.prog.code[0].op = 4;	/* SOP_POP on an empty stack */
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), SCRIPT_E_PROG);
	assert_int_equal(sr_compile("while (1 == 1) { }", 0), 0);
	sr.prog.code[sr.prog.n_insns - 2].c = 5000;	/* jump far away */
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), SCRIPT_E_PROG);
	/* built-in with fewer arguments than it reads */
	assert_int_equal(sr_compile("memcpy(0x10000, 0x10010, 4);", 0), 0);
	sr.prog.code[3].b = 0;
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), SCRIPT_E_PROG);
	/* register field out of range, pseudo-register out of range */
	assert_int_equal(sr_compile("x = @eax + $pid;", 0), 0);
	sr.prog.code[0].b = 200 << 8 | 32;
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), SCRIPT_E_PROG);
	assert_int_equal(sr_compile("x = @eax + $pid;", 0), 0);
	sr.prog.code[1].c = SCRIPT_PS_COUNT;
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), SCRIPT_E_PROG);
	/* printf format without its NUL */
	assert_int_equal(sr_compile("printf(\"abc\");", 0), 0);
	sr.prog.strs[3] = 'd';
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), SCRIPT_E_PROG);
	sr.prog.n_insns = SCRIPT_MAX_INSNS + 1;
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), SCRIPT_E_PROG);
}

static void test_missing_platform_ops(void **state)
{
	static const struct script_ops none = { 0 };

	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("x = @rax + poi(0) + $pid + rdtsc(); .g = 1; @rbx = 2; printf(\"%d\", x); pause();", 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &none, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_semantic_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hyperdbg_strict_mode),
		cmocka_unit_test(test_step_budget),
		cmocka_unit_test(test_division_by_zero),
		cmocka_unit_test(test_bad_memory_reads_zero),
		cmocka_unit_test(test_value_stack_bound),
		cmocka_unit_test(test_damaged_program),
		cmocka_unit_test(test_missing_platform_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
