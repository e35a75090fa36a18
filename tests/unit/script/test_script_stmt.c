// SPDX-License-Identifier: GPL-2.0
/*
 * Statements: if/elsif/else, while, do-while, for, break, continue,
 * assignments, per-CPU locals and shared globals, user-defined functions
 * with parameters, return and bounded recursion, conditions.
 */
#include "support_script.h"

static u64 branch(u64 rax)
{
	sr_reset();
	sr.u.regs[SCRIPT_REG_RAX] = rax;
	assert_int_equal(sr_exec(
		"if (@rax == 1) { test_statement(0xa); }"
		" elsif (@rax == 2) { test_statement(0xb); }"
		" elsif (@rax > 0n10) { test_statement(0xc); }"
		" else { test_statement(0xd); }"), 0);
	assert_int_equal(sr.u.n_tests, 1);
	return sr.u.tests[0];
}

static void test_if_elsif_else(void **state)
{
	(void)state;
	assert_int_equal(branch(1), 0xa);
	assert_int_equal(branch(2), 0xb);
	assert_int_equal(branch(50), 0xc);
	assert_int_equal(branch(5), 0xd);
	/* without else nothing runs */
	assert_int_equal(sr_value("test_statement(1); if (@rax == 2) { test_statement(2); }"), 1);
	/* C's "else if" reads as elsif */
	assert_int_equal(sr_value("if (@rax == 2) { x = 1; } else if (@rax == 1) { x = 2; } else { x = 3; } test_statement(x);"), 2);
	/* nesting */
	assert_int_equal(sr_value("if (@rax == 1) { if (@rdx == 3) { x = 5; } else { x = 6; } } test_statement(x);"), 5);
}

static void test_while(void **state)
{
	(void)state;
	assert_int_equal(sr_value("i = 0; s = 0; while (i < 0n10) { s += i; i++; } test_statement(s);"), 45);
	assert_int_equal(sr_value("i = 0; while (i < 0n100) { i++; if (i == 0n7) { break; } } test_statement(i);"), 7);
	assert_int_equal(sr_value("i = 0; n = 0; while (i < 0n10) { i++; if (i % 2 == 0) { continue; } n++; } test_statement(n);"), 5);
	assert_int_equal(sr_value("i = 5; while (i < 5) { i = 0x99; } test_statement(i);"), 5);
}

static void test_do_while(void **state)
{
	(void)state;
	/* the body runs once even when the condition is false */
	assert_int_equal(sr_value("n = 0; do { n++; } while (n > 5); test_statement(n);"), 1);
	assert_int_equal(sr_value("n = 0; do { n++; } while (n < 0n20); test_statement(n);"), 0x14);
	/* continue goes to the condition */
	assert_int_equal(sr_value("n = 0; k = 0; do { n++; if (n < 3) { continue; } k++; } while (n < 5); test_statement(k * 0x10 + n);"), 0x35);
	assert_int_equal(sr_value("n = 0; do { n++; if (n == 4) { break; } } while (1 == 1); test_statement(n);"), 4);
}

static void test_for(void **state)
{
	(void)state;
	assert_int_equal(sr_value("s = 0; for (i = 0; i < 5; i++) { s += i; } test_statement(s);"), 10);
	assert_int_equal(sr_value("s = 0; for (i = 0, j = 0n10; i < j; i++, j--) { s++; } test_statement(s);"), 5);
	/* continue runs the step */
	assert_int_equal(sr_value("s = 0; for (i = 0; i < 0n10; i += 1) { if (i < 8) { continue; } s += i; } test_statement(s);"), 17);
	assert_int_equal(sr_value("for (i = 0; ; i++) { if (i == 0n33) { break; } } test_statement(i);"), 0x21);
	assert_int_equal(sr_value("i = 7; for (; i > 0; i--) { } test_statement(i);"), 0);
	/* break leaves only the inner loop */
	assert_int_equal(sr_value("n = 0; for (i = 0; i < 3; i++) { for (j = 0; j < 0n100; j++) { if (j == 2) { break; } n++; } } test_statement(n);"), 6);
}

static void test_assignment_operators(void **state)
{
	(void)state;
	assert_int_equal(sr_value(
		"x = 0n100; x += 5; x -= 3; x *= 2; x /= 4; x %= 0n30; x <<= 4; "
		"x >>= 1; x &= 0xff; x ^= 0x0f; x |= 0x100; x++; ++x; x--; --x; "
		"test_statement(x);"),
		(((((((((100 + 5 - 3) * 2 / 4) % 30) << 4) >> 1) & 0xff) ^ 0x0f) | 0x100)));
	assert_int_equal(sr_value("int y = 5; unsigned long z = y + 1; test_statement(z);"), 6);
	/* multiple assignment, right to left */
	sr_reset();
	assert_int_equal(sr_exec("a = .b = @rcx = c = 0x42; test_statement(a + .b + @rcx + c);"), 0);
	assert_int_equal(sr.u.tests[0], 4 * 0x42);
	assert_int_equal(sr.u.regs[SCRIPT_REG_RCX], 0x42);
	/* a bare block, as "? { ... }" sends it */
	assert_int_equal(sr_value("{ x = 2; { x *= 3; } } test_statement(x);"), 6);
}

static void test_locals_persist_per_cpu(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("count++; test_statement(count);", 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), 0);
	assert_int_equal(sr.u.tests[2], 3);
	assert_int_equal(sr.prog.n_locals, 1);
	assert_string_equal(script_local_name(&sr.prog, 0), "count");
}

/* Two CPUs: the platform hands out the running CPU's local array. */
static u64 cpu_locals[2][SCRIPT_MAX_LOCALS];

static u64 *locals_of_core(void *ctx)
{
	struct uplat *u = ctx;

	return cpu_locals[u->pseudo[SCRIPT_PS_CORE] & 1];
}

static void test_locals_per_cpu_globals_shared(void **state)
{
	struct script_ops ops = uplat_ops;
	int i;

	(void)state;
	ops.local_vars = locals_of_core;
	memset(cpu_locals, 0, sizeof(cpu_locals));
	sr_reset();
	assert_int_equal(sr_compile("n++; .all++; test_statement(n << 8 | .all);", 0), 0);
	for (i = 0; i < 5; i++) {
		sr.u.pseudo[SCRIPT_PS_CORE] = i == 4;	/* 4 on CPU 0, 1 on CPU 1 */
		assert_int_equal(script_eval(&sr.vm, &sr.prog, &ops, &sr.u, 0), 0);
	}
	assert_int_equal(sr.u.tests[3], 0x404);	/* CPU 0: n = 4, .all = 4 */
	assert_int_equal(sr.u.tests[4], 0x105);	/* CPU 1: n = 1, .all = 5 */
}

static void test_globals_shared_between_programs(void **state)
{
	static struct script_compiler c2;
	static struct script_prog p2;
	char err[100];

	(void)state;
	sr_reset();
	/* two scripts compiled against one globals table share .hits */
	assert_int_equal(sr_compile(".other = 1; .hits += 1;", 0), 0);
	assert_int_equal(script_compile(&c2, "test_statement(.hits);", 22,
					&sr.globals, 0, &p2, err, sizeof(err)), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), 0);
	assert_int_equal(script_eval(&sr.vm, &p2, &uplat_ops, &sr.u, 0), 0);
	assert_int_equal(sr.u.tests[0], 2);
	assert_int_equal(sr.globals.count, 2);
}

static void test_functions(void **state)
{
	(void)state;
	assert_int_equal(sr_value("int add(int a, int b) { return a + b; } test_statement(add(2, 3) * 2);"), 10);
	/* recursion */
	assert_int_equal(sr_value("int fib(n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); } test_statement(fib(0n15));"), 610);
	/* called before its definition; void function as a statement */
	assert_int_equal(sr_value("bump(5); test_statement(.g); void bump(k) { .g = .g + k; return; }"), 5);
	/* typed locals live in the frame, one per call */
	assert_int_equal(sr_value("int f(n) { int t = n * 2; if (n > 0) { f(n - 1); } return t; } test_statement(f(3));"), 6);
	/* parameters shadow per-CPU locals of the same name */
	assert_int_equal(sr_value("n = 0x77; int id(n) { return n; } x = id(1); test_statement(x + n);"), 0x78);
	/* a function without return yields 0 */
	assert_int_equal(sr_value("int z() { x = 1; } test_statement(z() + 4);"), 4);
	/* loops inside functions, break inside */
	assert_int_equal(sr_value("int sum(n) { int s = 0; int i = 0; while (1 == 1) { if (i > n) { break; } s += i; i++; } return s; } test_statement(sum(4));"), 10);
}

static void test_recursion_bound(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec("int down(n) { return down(n + 1); } x = down(0);"),
			 SCRIPT_E_DEPTH);
	assert_non_null(strstr(sr.u.out, "script error: call depth"));
}

static void test_top_level_return(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec("test_statement(1); return @rdx + 1; test_statement(2);"), 0);
	assert_int_equal(sr.u.n_tests, 1);
	assert_int_equal(sr.vm.result, 4);
}

static void test_condition_programs(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("@rax == 1 && $pid == 0x10", SCRIPT_F_CONDITION), 0);
	sr.u.pseudo[SCRIPT_PS_PID] = 0x10;
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), 0);
	assert_int_equal(sr.vm.result, 1);
	sr.u.pseudo[SCRIPT_PS_PID] = 0x11;
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0), 0);
	assert_int_equal(sr.vm.result, 0);
	assert_int_equal(sr_compile("@rax == 1;", SCRIPT_F_CONDITION), 0);
	assert_int_not_equal(sr_compile("x = 1;", SCRIPT_F_CONDITION), 0);
}

static void test_program_is_relocatable(void **state)
{
	static struct script_prog copy;

	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("printf(\"%s=%d\\n\", \"v\", @rdx); x = 0x123456789; test_statement(x);", 0), 0);
	memcpy(&copy, &sr.prog, sizeof(copy));
	memset(&sr.prog, 0xcc, sizeof(sr.prog));
	memset(&sr.comp, 0xcc, sizeof(sr.comp));
	assert_int_equal(script_eval(&sr.vm, &copy, &uplat_ops, &sr.u, 0), 0);
	assert_string_equal(sr.u.out, "v=3\n");
	assert_true(sr.u.tests[0] == 0x123456789ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_if_elsif_else),
		cmocka_unit_test(test_while),
		cmocka_unit_test(test_do_while),
		cmocka_unit_test(test_for),
		cmocka_unit_test(test_assignment_operators),
		cmocka_unit_test(test_locals_persist_per_cpu),
		cmocka_unit_test(test_locals_per_cpu_globals_shared),
		cmocka_unit_test(test_globals_shared_between_programs),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_recursion_bound),
		cmocka_unit_test(test_top_level_return),
		cmocka_unit_test(test_condition_programs),
		cmocka_unit_test(test_program_is_relocatable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
