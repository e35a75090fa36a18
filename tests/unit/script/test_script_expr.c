// SPDX-License-Identifier: GPL-2.0
/*
 * Expressions: numbers, every operator with HyperDbg's precedence and
 * signedness, registers and their sub-registers and flag bits, writes to
 * registers, pseudo-registers, memory keywords.
 */
#include "support_script.h"

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(sr_eval("10"), 0x10);		/* hex by default */
	assert_int_equal(sr_eval("0x10"), 16);
	assert_int_equal(sr_eval("0n10"), 10);
	assert_int_equal(sr_eval("0t17"), 15);
	assert_int_equal(sr_eval("0y101"), 5);
	assert_int_equal(sr_eval("0X1f"), 0x1f);
	assert_int_equal(sr_eval("0xfffff800`00001000 - 0xfffff800`00000000"),
			 0x1000);
	assert_true(sr_eval("0xffffffffffffffff") == ~0ULL);
	assert_true(sr_eval("0n18446744073709551615") == ~0ULL);
}

static void test_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(sr_eval("2 + 3 * 4"), 0xe);
	assert_int_equal(sr_eval("(2 + 3) * 4"), 0x14);
	assert_int_equal(sr_eval("0n20 - 0n5 - 0n3"), 12);	/* left assoc */
	assert_int_equal(sr_eval("0n100 / 0n10 / 0n5"), 2);
	assert_int_equal(sr_eval("0n17 % 0n5"), 2);
	assert_true(sr_eval("0xffffffffffffffff + 2") == 1);	/* wraps */
	assert_true(sr_eval("0x8000000000000000 * 2") == 0);
	/* / and % are unsigned */
	assert_true(sr_eval("-1 / 2") == 0x7fffffffffffffffULL);
	assert_true(sr_eval("-7 % 0n10") == (u64)-7 % 10);
}

static void test_shifts_and_bits(void **state)
{
	(void)state;
	assert_int_equal(sr_eval("1 << 2 + 1"), 8);	/* + binds tighter */
	assert_true(sr_eval("-1 >> 0n60") == 0xf);	/* logical */
	assert_true(sr_eval("0x8000000000000000 >> 0n63") == 1);
	/* the count is taken modulo 64, as x86 SHL/SHR do */
	assert_int_equal(sr_eval("1 << 0n64"), 1);
	assert_int_equal(sr_eval("1 << 0n65"), 2);
	assert_int_equal(sr_eval("6 & 3 ^ 1"), 3);	/* & over ^ */
	assert_int_equal(sr_eval("1 | 2 ^ 3"), 1);	/* ^ over | */
	assert_int_equal(sr_eval("0xf0 | 0x0f & 0x3c"), 0xfc);
	assert_int_equal(sr_eval("1 << 4 & 0x30"), 0x10);	/* << over & */
}

static void test_unary(void **state)
{
	(void)state;
	assert_true(sr_eval("-1") == ~0ULL);
	assert_true(sr_eval("~0") == ~0ULL);
	assert_int_equal(sr_eval("- -5"), 5);
	assert_int_equal(sr_eval("+5"), 5);
	assert_int_equal(sr_eval("-2 * 3 + 7"), 1);
	assert_true(sr_eval("~1 + 1") == (u64)-1);
	assert_true(sr_eval("neg(5)") == (u64)-5);
	assert_true(sr_eval("not(5)") == ~5ULL);
}

static void test_conditions_signed(void **state)
{
	(void)state;
	assert_int_equal(sr_value("x = 0; if (-1 < 1) { x = 1; } test_statement(x);"), 1);
	assert_int_equal(sr_value("x = 0; if (0xffffffffffffffff > 0) { x = 1; } test_statement(x);"), 0);
	assert_int_equal(sr_value("x = 0; if (5 >= 5 && 4 <= 5 && 3 != 4 && 2 == 2) { x = 1; } test_statement(x);"), 1);
	assert_int_equal(sr_value("x = 0; if (1 > 2 || 2 > 1) { x = 1; } test_statement(x);"), 1);
	assert_int_equal(sr_value("x = 0; if (1 > 2 || 2 > 3) { x = 1; } test_statement(x);"), 0);
	/* && binds tighter than || */
	assert_int_equal(sr_value("x = 0; if (1 == 1 || 1 == 2 && 1 == 3) { x = 1; } test_statement(x);"), 1);
	assert_int_equal(sr_value("x = 0; if ((1 == 1 || 1 == 2) && 1 == 3) { x = 1; } test_statement(x);"), 0);
	/* comparisons bind looser than & (unlike C) */
	assert_int_equal(sr_value("x = 0; if (@rdi & 0xc == 8) { x = 1; } test_statement(x);"), 1);
	/* a bare value is true when non-zero */
	assert_int_equal(sr_value("x = 0; if (@rax) { x = 1; } test_statement(x);"), 1);
}

static void test_short_circuit(void **state)
{
	(void)state;
	/* the right side must not run: no read of unmapped memory */
	sr_value("if (0 == 1 && poi(0xdead0000) == 0) { test_statement(1); } test_statement(2);");
	assert_int_equal(sr.u.mem_faults, 0);
	sr_value("if (1 == 1 || poi(0xdead0000) == 0) { test_statement(1); }");
	assert_int_equal(sr.u.mem_faults, 0);
	sr_value("if (1 == 1 && poi(0xdead0000) == 0) { test_statement(1); } test_statement(2);");
	assert_int_equal(sr.u.mem_faults, 1);
}

static void test_registers(void **state)
{
	(void)state;
	sr_reset();
	sr.u.regs[SCRIPT_REG_RAX] = 0x1122334455667788ULL;
	sr.u.regs[SCRIPT_REG_R8] = 0xa1a2a3a4a5a6a7a8ULL;
	sr.u.regs[SCRIPT_REG_RSI] = 0x1234;
	sr.u.regs[SCRIPT_REG_RFLAGS] = 0x3246;	/* IOPL 3, IF, ZF, PF */
	sr.u.regs[SCRIPT_REG_CR3] = 0x1aa000;
	sr.u.regs[SCRIPT_REG_CS] = 0x10;
	sr.u.regs[SCRIPT_REG_DR7] = 0x400;
	sr.u.regs[SCRIPT_REG_RIP] = 0xffffffff81000000ULL;
	assert_int_equal(sr_exec(
		"test_statement(@rax); test_statement(@eax); test_statement(@ax);"
		"test_statement(@al); test_statement(@ah); test_statement(@r8d);"
		"test_statement(@r8w); test_statement(@r8l); test_statement(@r8b);"
		"test_statement(@sil); test_statement(@si); test_statement(@zf);"
		"test_statement(@cf); test_statement(@pf); test_statement(@if);"
		"test_statement(@iopl); test_statement(@cr3); test_statement(@cs);"
		"test_statement(@dr7); test_statement(@rip); test_statement(@eip);"
		"test_statement(@rflags);"), 0);
	assert_int_equal(sr.u.n_tests, 22);
	assert_true(sr.u.tests[0] == 0x1122334455667788ULL);
	assert_int_equal(sr.u.tests[1], 0x55667788);
	assert_int_equal(sr.u.tests[2], 0x7788);
	assert_int_equal(sr.u.tests[3], 0x88);
	assert_int_equal(sr.u.tests[4], 0x77);
	assert_int_equal(sr.u.tests[5], 0xa5a6a7a8);
	assert_int_equal(sr.u.tests[6], 0xa7a8);
	assert_int_equal(sr.u.tests[7], 0xa8);
	assert_int_equal(sr.u.tests[8], 0xa8);
	assert_int_equal(sr.u.tests[9], 0x34);
	assert_int_equal(sr.u.tests[10], 0x1234);
	assert_int_equal(sr.u.tests[11], 1);
	assert_int_equal(sr.u.tests[12], 0);
	assert_int_equal(sr.u.tests[13], 1);
	assert_int_equal(sr.u.tests[14], 1);
	assert_int_equal(sr.u.tests[15], 3);
	assert_int_equal(sr.u.tests[16], 0x1aa000);
	assert_int_equal(sr.u.tests[17], 0x10);
	assert_int_equal(sr.u.tests[18], 0x400);
	assert_true(sr.u.tests[19] == 0xffffffff81000000ULL);
	assert_int_equal(sr.u.tests[20], 0x81000000);
	assert_int_equal(sr.u.tests[21], 0x3246);
}

static void test_register_writes(void **state)
{
	(void)state;
	sr_reset();
	sr.u.regs[SCRIPT_REG_RAX] = 0x1122334455667788ULL;
	sr.u.regs[SCRIPT_REG_RFLAGS] = 0x246;
	assert_int_equal(sr_exec("@al = 0x1ff; @ah = 0xab; @zf = 0; @cf = 1; "
				 "@rbx = 5; @rbx += 2; @rcx = @rbx * 2; "
				 "@r9w = 0xffffffff; @rdx++;"), 0);
	/* sub-register writes keep the other bits (as WinDbg's r does) */
	assert_true(sr.u.regs[SCRIPT_REG_RAX] == 0x112233445566abffULL);
	assert_int_equal(sr.u.regs[SCRIPT_REG_RFLAGS], 0x207);
	assert_int_equal(sr.u.regs[SCRIPT_REG_RBX], 7);
	assert_int_equal(sr.u.regs[SCRIPT_REG_RCX], 14);
	assert_int_equal(sr.u.regs[SCRIPT_REG_R9], 0xffff);
	assert_int_equal(sr.u.regs[SCRIPT_REG_RDX], 4);
}

static void test_pseudo_registers(void **state)
{
	static const struct { const char *name; u32 id; } ps[] = {
		{ "$pid", SCRIPT_PS_PID }, { "$tid", SCRIPT_PS_TID },
		{ "$pname", SCRIPT_PS_PNAME }, { "$core", SCRIPT_PS_CORE },
		{ "$proc", SCRIPT_PS_PROC }, { "$thread", SCRIPT_PS_THREAD },
		{ "$ip", SCRIPT_PS_IP }, { "$buffer", SCRIPT_PS_BUFFER },
		{ "$context", SCRIPT_PS_CONTEXT },
		{ "$event_id", SCRIPT_PS_EVENT_ID },
		{ "$event_stage", SCRIPT_PS_EVENT_STAGE },
		{ "$event_tag", SCRIPT_PS_EVENT_TAG },
		{ "$date", SCRIPT_PS_DATE }, { "$time", SCRIPT_PS_TIME },
		{ "$teb", SCRIPT_PS_TEB }, { "$peb", SCRIPT_PS_PEB },
	};
	char src[64];
	u32 i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ps); i++) {
		sr_reset();
		sr.u.pseudo[ps[i].id] = 0x1000 + i;
		snprintf(src, sizeof(src), "test_statement(%s + 1);", ps[i].name);
		assert_int_equal(sr_exec(src), 0);
		assert_int_equal(sr.u.tests[0], 0x1001 + i);
	}
}

static void test_memory_keywords(void **state)
{
	static const u8 bytes[8] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33,
				     0x22, 0x11 };

	(void)state;
	sr_reset();
	memcpy(sr.mem + 0x10, bytes, 8);
	assert_int_equal(sr_exec(
		"a = 0x10010; test_statement(poi(a)); test_statement(dq(a));"
		"test_statement(dd(a)); test_statement(dw(a)); test_statement(db(a));"
		"test_statement(hi(a)); test_statement(low(a)); test_statement(*a);"
		"test_statement(poi_pa(a)); test_statement(dd_pa(a + 4));"
		"test_statement(db_pa(a + 7)); test_statement(dw_pa(a + 1));"
		"test_statement(hi_pa(a)); test_statement(low_pa(a));"
		"test_statement(dq_pa(a));"), 0);
	assert_true(sr.u.tests[0] == 0x1122334455667788ULL);
	assert_true(sr.u.tests[1] == 0x1122334455667788ULL);
	assert_int_equal(sr.u.tests[2], 0x55667788);
	assert_int_equal(sr.u.tests[3], 0x7788);
	assert_int_equal(sr.u.tests[4], 0x88);
	assert_int_equal(sr.u.tests[5], 0x5566);
	assert_int_equal(sr.u.tests[6], 0x7788);
	assert_true(sr.u.tests[7] == 0x1122334455667788ULL);
	assert_true(sr.u.tests[8] == 0x1122334455667788ULL);
	assert_int_equal(sr.u.tests[9], 0x11223344);
	assert_int_equal(sr.u.tests[10], 0x11);
	assert_int_equal(sr.u.tests[11], 0x6677);
	assert_int_equal(sr.u.tests[12], 0x5566);
	assert_int_equal(sr.u.tests[13], 0x7788);
	assert_true(sr.u.tests[14] == 0x1122334455667788ULL);
}

static void test_memory_writes(void **state)
{
	u64 v;

	(void)state;
	sr_reset();
	assert_int_equal(sr_exec("p = 0x10020; *p = 0x1122334455667788; "
				 "*(p + 8) = 5; *(p + 8) += 3; "
				 "test_statement(poi(p + 8));"), 0);
	memcpy(&v, sr.mem + 0x20, 8);
	assert_true(v == 0x1122334455667788ULL);
	assert_int_equal(sr.u.tests[0], 8);
}

static void test_comments_and_layout(void **state)
{
	(void)state;
	assert_int_equal(sr_value("// line comment\nx = 1; /* block\n comment */ x += 1;\n"
				  "\ttest_statement(x) // last statement needs no ';'"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_shifts_and_bits),
		cmocka_unit_test(test_unary),
		cmocka_unit_test(test_conditions_signed),
		cmocka_unit_test(test_short_circuit),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_register_writes),
		cmocka_unit_test(test_pseudo_registers),
		cmocka_unit_test(test_memory_keywords),
		cmocka_unit_test(test_memory_writes),
		cmocka_unit_test(test_comments_and_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
