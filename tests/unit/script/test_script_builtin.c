// SPDX-License-Identifier: GPL-2.0
/*
 * Built-in functions: print, printf with every conversion, formats,
 * memory and string functions, eb/ed/eq, address checks and translation,
 * interlocked and spinlock operations, event control, timing, and
 * disassemble_len over the instruction-length decoder.
 */
#include "support_script.h"

static void test_print(void **state)
{
	(void)state;
	assert_string_equal(sr_output("print(@rdx + 0x10); print(-1); print(\"text\");"),
			    "13\nffffffffffffffff\ntext\n");
}

static void test_printf_integers(void **state)
{
	(void)state;
	assert_string_equal(sr_output("printf(\"%d %i %u %o %x %X\", 0n42, -1, -1, 8, 0xab, 0xab);"),
			    "42 -1 4294967295 10 ab AB");
	/* no modifier and l are 32-bit, ll and I64 64-bit, h 16, hh 8 */
	assert_string_equal(sr_output("printf(\"%x|%lx|%llx|%I64x|%hx|%hhx|%lld|%hd\", 0x1122334455667788, 0x1122334455667788, 0x1122334455667788, 0x1122334455667788, 0x12345, 0x1ff, -2, 0xffff);"),
			    "55667788|55667788|1122334455667788|1122334455667788|2345|ff|-2|-1");
	assert_string_equal(sr_output("printf(\"[%5d][%-5d][%05d][%+d][% d][%.3d][%#x][%#o][%8.3x]\", 0n42, 0n42, 0n42, 0n42, 0n42, 7, 0xff, 8, 0xa);"),
			    "[   42][42   ][00042][+42][ 42][007][0xff][010][     00a]");
	assert_string_equal(sr_output("printf(\"%p|%c%c|%%|\\x41\\t\\\"\\\\\", 0xabc, 0x68, 0x69);"),
			    "0000000000000ABC|hi|%|A\t\"\\");
}

static void test_printf_strings(void **state)
{
	(void)state;
	assert_string_equal(sr_output("printf(\"%s|%ws|%ls|%s|%.3s|%7s|%-7s|\", 0x20000, 0x20100, 0x20100, \"lit\", 0x20000, \"r\", \"l\");"),
			    "hello|wide|wide|lit|hel|      r|l      |");
	/* unreadable memory is reported in the text, never a fault */
	assert_string_equal(sr_output("printf(\"<%s>\", 0xdead0000);"), "<(invalid)>");
	assert_string_equal(sr_output("printf(\"pid %d name %s\\n\", $pid, $pname);"),
			    "pid 0 name (invalid)\n");
}

static void test_formats(void **state)
{
	const char *o;

	(void)state;
	o = sr_output("formats(0x41);");
	assert_non_null(strstr(o, "Hex:        41\n"));
	assert_non_null(strstr(o, "Decimal:    65\n"));
	assert_non_null(strstr(o, "Octal:      101\n"));
	assert_non_null(strstr(o, "Binary:     1000001\n"));
	assert_non_null(strstr(o, "Char:       .......A\n"));
}

static void test_memcpy_memcmp(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec(
		"memcpy(0x10000, 0x20000, 6); test_statement(strlen(0x10000));"
		"test_statement(memcmp(0x10000, 0x20000, 6));"
		"test_statement(memcmp(0x10000, \"help\", 4));"
		"test_statement(memcmp(\"b\", \"a\", 1));"
		"memcpy(0x10100, \"xyz\", 4); test_statement(db(0x10101));"
		"memcpy_pa(0x10200, 0x10100, 3); test_statement(dd(0x10200));"), 0);
	assert_memory_equal(sr.mem, "hello", 6);
	assert_int_equal(sr.u.tests[0], 5);
	assert_int_equal(sr.u.tests[1], 0);
	assert_true(sr.u.tests[2] == (u64)-1);	/* 'l' < 'p' */
	assert_int_equal(sr.u.tests[3], 1);
	assert_int_equal(sr.u.tests[4], 'y');
	assert_int_equal(sr.u.tests[5], 0x7a7978);	/* "xyz" */
	/* bad source: message, nothing written, script goes on */
	assert_int_equal(sr_exec("memcpy(0x10200, 0xdead0000, 8); test_statement(7);"), 0);
	assert_non_null(strstr(sr.u.out, "script error: cannot read memory at 0xdead0000"));
	assert_int_equal(sr.u.tests[sr.u.n_tests - 1], 7);
	/* length bound */
	assert_int_equal(sr_exec("memcpy(0x10000, 0x10800, 0x2000);"), 0);
	assert_non_null(strstr(sr.u.out, "above 4096"));
}

static void test_string_functions(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec(
		"test_statement(strlen(\"abcd\")); test_statement(strlen(0x20000));"
		"test_statement(wcslen(0x20100)); test_statement(wcslen(L\"ab\"));"
		"test_statement(strcmp(0x20000, \"hello\"));"
		"test_statement(strcmp(\"abc\", \"abd\"));"
		"test_statement(strncmp(\"abc\", \"abd\", 2));"
		"test_statement(wcscmp(0x20100, \"wide\"));"
		"test_statement(wcsncmp(0x20100, \"wipe\", 3));"
		"test_statement(strcmp(\"b\", \"a\"));"), 0);
	assert_int_equal(sr.u.tests[0], 4);
	assert_int_equal(sr.u.tests[1], 5);
	assert_int_equal(sr.u.tests[2], 4);
	assert_int_equal(sr.u.tests[3], 2);
	assert_int_equal(sr.u.tests[4], 0);
	assert_true(sr.u.tests[5] == (u64)-1);
	assert_int_equal(sr.u.tests[6], 0);
	assert_int_equal(sr.u.tests[7], 0);
	assert_true(sr.u.tests[8] == (u64)-1);
	assert_int_equal(sr.u.tests[9], 1);
}

static void test_edit_memory(void **state)
{
	u64 q;
	u32 d;

	(void)state;
	sr_reset();
	assert_int_equal(sr_exec(
		"test_statement(eb(0x10000, 0x1ab)); test_statement(ed(0x10004, 0x11223344));"
		"test_statement(eq(0x10008, 0x1122334455667788));"
		"test_statement(eb_pa(0x10010, 1)); test_statement(ed_pa(0x10014, 2));"
		"test_statement(eq_pa(0x10018, 3));"
		"test_statement(eq(0xdead0000, 1)); test_statement(eb(0x20000, 1));"), 0);
	assert_int_equal(sr.mem[0], 0xab);
	memcpy(&d, sr.mem + 4, 4);
	assert_int_equal(d, 0x11223344);
	memcpy(&q, sr.mem + 8, 8);
	assert_true(q == 0x1122334455667788ULL);
	assert_int_equal(sr.mem[0x10], 1);
	assert_int_equal(sr.mem[0x14], 2);
	assert_int_equal(sr.mem[0x18], 3);
	assert_int_equal(sr.u.tests[0], 1);
	assert_int_equal(sr.u.tests[5], 1);
	assert_int_equal(sr.u.tests[6], 0);	/* unmapped */
	assert_int_equal(sr.u.tests[7], 0);	/* read-only */
	assert_non_null(strstr(sr.u.out, "cannot write memory at 0xdead0000"));
}

static void test_addresses(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec(
		"test_statement(check_address(0x10000)); test_statement(check_address(0xdead0000));"
		"test_statement(virtual_to_physical(0x10010)); test_statement(physical_to_virtual(0x10010));"
		"test_statement(virtual_to_physical(0xdead0000));"), 0);
	assert_int_equal(sr.u.tests[0], 1);
	assert_int_equal(sr.u.tests[1], 0);
	assert_int_equal(sr.u.tests[2], 0x10010);	/* uplat identity map */
	assert_int_equal(sr.u.tests[3], 0x10010);
	assert_int_equal(sr.u.tests[4], 0);
	assert_string_equal(sr.u.out, "");		/* checks are silent */
}

static void test_interlocked(void **state)
{
	u64 v;

	(void)state;
	sr_reset();
	assert_int_equal(sr_exec(
		"p = 0x10040; *p = 5;"
		"test_statement(interlocked_increment(p));"		/* new: 6 */
		"test_statement(interlocked_decrement(p));"		/* new: 5 */
		"test_statement(interlocked_exchange(p, 0x10));"	/* old: 5 */
		"test_statement(interlocked_exchange_add(p, 2));"	/* old: 0x10 */
		"test_statement(interlocked_compare_exchange(p, 0x99, 0x12));" /* old 0x12, swaps */
		"test_statement(interlocked_compare_exchange(p, 0x55, 0x12));" /* old 0x99, no swap */
		"test_statement(interlocked_increment(0xdead0000));"), 0);
	assert_int_equal(sr.u.tests[0], 6);
	assert_int_equal(sr.u.tests[1], 5);
	assert_int_equal(sr.u.tests[2], 5);
	assert_int_equal(sr.u.tests[3], 0x10);
	assert_int_equal(sr.u.tests[4], 0x12);
	assert_int_equal(sr.u.tests[5], 0x99);
	assert_int_equal(sr.u.tests[6], 0);
	memcpy(&v, sr.mem + 0x40, 8);
	assert_int_equal(v, 0x99);
}

static void test_spinlocks(void **state)
{
	u64 v;

	(void)state;
	sr_reset();
	assert_int_equal(sr_exec("spinlock_lock(0x10080); test_statement(poi(0x10080));"
				 "spinlock_unlock(0x10080); test_statement(poi(0x10080));"), 0);
	assert_int_equal(sr.u.tests[0], 1);
	assert_int_equal(sr.u.tests[1], 0);
	/* a lock that stays held: bounded wait, then a message */
	v = 1;
	memcpy(sr.mem + 0x80, &v, 8);
	assert_int_equal(sr_exec("spinlock_lock_custom_wait(0x10080, 0n50); test_statement(9);"), 0);
	assert_non_null(strstr(sr.u.out, "spinlock still held"));
	assert_int_equal(sr.u.tests[sr.u.n_tests - 1], 9);
}

static void test_events_and_timing(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec(
		"event_enable(3); event_disable(4); event_clear(5); event_sc(1);"
		"event_inject(2, 0xe); event_inject_error_code(3, 0xd, 0x10); pause(); flush();"
		"a = rdtsc(); b = rdtscp(); test_statement(b - a); microsleep(0n20);"
		"microsleep(0n5000000);"), 0);
	assert_int_equal(sr.u.n_events, 8);
	assert_int_equal(sr.u.events[0].op, SCRIPT_EVT_ENABLE);
	assert_int_equal(sr.u.events[0].a, 3);
	assert_int_equal(sr.u.events[1].op, SCRIPT_EVT_DISABLE);
	assert_int_equal(sr.u.events[2].op, SCRIPT_EVT_CLEAR);
	assert_int_equal(sr.u.events[3].op, SCRIPT_EVT_SC);
	assert_int_equal(sr.u.events[4].op, SCRIPT_EVT_INJECT);
	assert_int_equal(sr.u.events[4].b, 0xe);
	assert_int_equal(sr.u.events[5].op, SCRIPT_EVT_INJECT_EC);
	assert_int_equal(sr.u.events[5].c, 0x10);
	assert_int_equal(sr.u.events[6].op, SCRIPT_EVT_PAUSE);
	assert_int_equal(sr.u.events[7].op, SCRIPT_EVT_FLUSH);
	assert_int_equal(sr.u.tests[0], 100);	/* uplat's TSC steps by 100 */
	/* microsleep fits in the step budget (64 steps per microsecond) */
	assert_true(sr.u.slept_us > 20 + SCRIPT_DEFAULT_STEPS / 64 - 100);
	assert_true(sr.u.slept_us <= 20 + SCRIPT_DEFAULT_STEPS / 64);
	/* and is capped at one second whatever the budget */
	sr.u.slept_us = 0;
	assert_int_equal(sr_compile("microsleep(0n5000000);", 0), 0);
	assert_int_equal(script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u,
				     SCRIPT_MAX_STEPS * 8ULL), 0);
	assert_int_equal(sr.u.slept_us, 1000000);
}

/* HyperDbg's engine: step/step_in a regular step (a = 0), the
 * instrumentation ones by MTF (a = 1); no value, no arguments. */
static void test_event_trace(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec("event_trace_step(); event_trace_step_in();"
				 "event_trace_instrumentation_step();"
				 "event_trace_instrumentation_step_in();"), 0);
	assert_int_equal(sr.u.n_events, 4);
	assert_int_equal(sr.u.events[0].op, SCRIPT_EVT_TRACE);
	assert_int_equal(sr.u.events[0].a, 0);
	assert_int_equal(sr.u.events[1].op, SCRIPT_EVT_TRACE);
	assert_int_equal(sr.u.events[1].a, 0);
	assert_int_equal(sr.u.events[2].op, SCRIPT_EVT_TRACE);
	assert_int_equal(sr.u.events[2].a, 1);
	assert_int_equal(sr.u.events[3].a, 1);
	sr_expect_error("x = event_trace_step();",
			"expected a function that returns a value, not event_trace_step");
	sr_expect_error("event_trace_step_in(1);",
			"expected this number of arguments: 0");
	sr_expect_error("if (1 == 1) {\n  event_trace_step_out();\n}",
			"line 2, column 3: event_trace_step_out is not supported (empty in HyperDbg's engine); use gdb's finish");
	sr_expect_error("x = event_trace_step_out();",
			"event_trace_step_out is not supported");
}

/* hvgdb's short forms: the interruption type left out means a hardware
 * exception (3); HyperDbg's strict grammar still wants it. */
static void test_event_inject_short_forms(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_exec("event_inject(6); event_inject_error_code(0xd, 0x18);"
				 "event_inject(3, 0xe);"), 0);
	assert_int_equal(sr.u.n_events, 3);
	assert_int_equal(sr.u.events[0].op, SCRIPT_EVT_INJECT);
	assert_int_equal(sr.u.events[0].a, SCRIPT_INJECT_HW_EXCEPTION);
	assert_int_equal(sr.u.events[0].b, 6);
	assert_int_equal(sr.u.events[1].op, SCRIPT_EVT_INJECT_EC);
	assert_int_equal(sr.u.events[1].a, 3);
	assert_int_equal(sr.u.events[1].b, 0xd);
	assert_int_equal(sr.u.events[1].c, 0x18);
	assert_int_equal(sr.u.events[2].a, 3);
	assert_int_equal(sr.u.events[2].b, 0xe);
	sr_expect_error("event_inject();", "expected this number of arguments: 1 or 2");
	sr_expect_error("event_inject_error_code(1, 2, 3, 4);",
			"expected this number of arguments: 2 or 3");
	sr_reset();
	assert_int_equal(sr_compile("event_inject(6);", SCRIPT_F_HDBG_STRICT), -1);
	assert_non_null(strstr(sr.err, "expected this number of arguments: 2"));
	assert_int_equal(sr_compile("event_inject(3, 6);", SCRIPT_F_HDBG_STRICT), 0);
}

/* The module keeps disabled events' intercepts only for such scripts. */
static void test_calls_event_enable(void **state)
{
	(void)state;
	sr_reset();
	assert_int_equal(sr_compile("if (@rax == 1) { event_enable(2); }", 0), 0);
	assert_true(script_prog_calls_event_enable(&sr.prog));
	assert_int_equal(sr_compile("event_disable(2); event_clear(3); x = 1;", 0), 0);
	assert_false(script_prog_calls_event_enable(&sr.prog));
	/* a variable named like the built-in is not a call */
	assert_int_equal(sr_compile("event_enable_count = 2;", 0), 0);
	assert_false(script_prog_calls_event_enable(&sr.prog));
	assert_int_equal(sr_compile("void f(x) { event_enable(x); } f(1);", 0), 0);
	assert_true(script_prog_calls_event_enable(&sr.prog));
}

static void test_disassemble_len(void **state)
{
	static const u8 code[] = {
		0x48, 0x89, 0xc8,		/* mov rax, rcx (64) */
		0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov eax, 1 */
		0x0f, 0x05,			/* syscall */
	};

	(void)state;
	sr_reset();
	memcpy(sr.mem + 0x200, code, sizeof(code));
	memcpy(sr.mem + 4094, "\x0f\x05", 2);	/* last 2 bytes mapped */
	assert_int_equal(sr_exec(
		"test_statement(disassemble_len(0x10200));"
		"test_statement(disassemble_len64(0x10200));"
		"test_statement(disassemble_len32(0x10200));"	/* 48 = dec eax */
		"test_statement(disassemble_len(0x10203));"
		"test_statement(disassemble_len(0x10208));"
		"test_statement(disassemble_len(0x10ffe));"
		"test_statement(disassemble_len(0xdead0000));"), 0);
	assert_int_equal(sr.u.tests[0], 3);
	assert_int_equal(sr.u.tests[1], 3);
	assert_int_equal(sr.u.tests[2], 1);
	assert_int_equal(sr.u.tests[3], 5);
	assert_int_equal(sr.u.tests[4], 2);
	assert_int_equal(sr.u.tests[5], 2);
	assert_int_equal(sr.u.tests[6], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_printf_integers),
		cmocka_unit_test(test_printf_strings),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_memcpy_memcmp),
		cmocka_unit_test(test_string_functions),
		cmocka_unit_test(test_edit_memory),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_interlocked),
		cmocka_unit_test(test_spinlocks),
		cmocka_unit_test(test_events_and_timing),
		cmocka_unit_test(test_event_trace),
		cmocka_unit_test(test_event_inject_short_forms),
		cmocka_unit_test(test_calls_event_enable),
		cmocka_unit_test(test_disassemble_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
