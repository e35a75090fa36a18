/* QEMU's xp (monitor-cmds/cmd_qemu.c) and info tlb: the /fmt forms and
 * QEMU's defaults, QEMU's number syntax for the address, the errors with
 * their columns, and the exact text of memory_dump()'s lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/cmd_qemu.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static void test_forms(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("xp 0x1000");
	assert_int_equal(c.kind, CMD_XP);
	assert_int_equal(c.addr, 0x1000);
	assert_int_equal(c.addr_col, 4);
	assert_int_equal(c.format, 'x');
	assert_int_equal(c.unit, 4);
	assert_int_equal(c.length, 4);
	assert_int_equal(c.count, 16);
	c = ok("xp /4xg 0x1000");
	assert_int_equal(c.unit, 8);
	assert_int_equal(c.length, 32);
	c = ok("xp/16xb 4096");	/* glued, and decimal as in QEMU */
	assert_int_equal(c.addr, 0x1000);
	assert_int_equal(c.unit, 1);
	assert_int_equal(c.length, 16);
	assert_int_equal(c.count, 8);
	assert_int_equal(ok("xp /2 010").addr, 8);	/* octal */
	c = ok("XP /3dh 0");
	assert_int_equal(c.format, 'd');
	assert_int_equal(c.unit, 2);
	assert_int_equal(c.length, 6);
	/* Format and size in either order; the last of each counts. */
	c = ok("xp /gxo 0");
	assert_int_equal(c.format, 'o');
	assert_int_equal(c.unit, 8);
	/* c dumps bytes, the length and line from the size (default w). */
	c = ok("xp /4c 0");
	assert_int_equal(c.unit, 1);
	assert_int_equal(c.length, 16);
	assert_int_equal(c.count, 16);
	assert_int_equal(ok("xp /L 0").unit, 8);
	assert_int_equal(ok("xp /65536xb 0").length, 0x10000);
	assert_int_equal(ok("info tlb").kind, CMD_INFO_TLB);
}

static void test_errors(void **state)
{
	(void)state;
	err_is("xp", 3, "expected a physical address (QEMU's: 0x hex, 0 octal, "
	       "else decimal), got end of line");
	err_is("xp /4xg", 8, "expected a physical address (QEMU's: 0x hex, 0 "
	       "octal, else decimal), got end of line");
	err_is("xp 1000h", 4, "expected a physical address (QEMU's: 0x hex, 0 "
	       "octal, else decimal), got '1000h'");
	err_is("xp 08", 4, "expected a physical address (QEMU's: 0x hex, 0 "
	       "octal, else decimal), got '08'");
	err_is("xp /4z 0x1000", 6, "invalid char in format: 'z'");
	err_is("xp/4z 0x1000", 5, "invalid char in format: 'z'");
	err_is("xp /4i 0x1000", 6, "xp /i is QEMU's disassembly; the module "
	       "has none: use gdb's x/i (physical with Qqemu.PhyMemMode:1)");
	err_is("xp /0x 0", 5, "xp shows 1 to 0x10000 bytes (count times the "
	       "size)");
	err_is("xp /100000xb 0x1000", 5, "xp shows 1 to 0x10000 bytes (count "
	       "times the size)");
	err_is("xp /2g 0xfffffffffffffff8", 8, "range 0xfffffffffffffff8 + "
	       "0x10 bytes wraps past 0xffffffffffffffff");
	err_is("xp 0x1000 0x2000", 11, "expected end of command, got "
	       "'0x2000'");
	err_is("info tlb x", 10, "expected end of command, got 'x'");
}

static const char *line(u64 addr, const void *buf, u32 n, u8 unit, char f)
{
	static char out[512];
	struct cmd_out o;

	cmd_out_init(&o, out, sizeof(out));
	cmd_fmt_xp_line(&o, addr, buf, n, unit, f);
	return out;
}

static void test_lines_as_qemu_prints_them(void **state)
{
	static const u8 b[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				  13, 14, 15 };
	static const u8 ch[4] = { 'A', '\n', '\'', 1 };
	static const u8 big[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff };
	struct cmd_out o;
	char out[64];

	(void)state;
	assert_string_equal(line(0x1000, b, 16, 8, 'x'),
		"0000000000001000: 0x0706050403020100 0x0f0e0d0c0b0a0908\n");
	assert_string_equal(line(0x1000, b, 8, 4, 'x'),
		"0000000000001000: 0x03020100 0x07060504\n");
	assert_string_equal(line(0xfed00000, b, 8, 1, 'x'),
		"00000000fed00000: 0x00 0x01 0x02 0x03 0x04 0x05 0x06 0x07\n");
	assert_string_equal(line(0, b, 6, 2, 'd'),
		"0000000000000000:   256   770  1284\n");
	assert_string_equal(line(0, b, 4, 4, 'o'),
		"0000000000000000:  0300400400\n");
	assert_string_equal(line(0, b, 2, 1, 'o'), "0000000000000000:   0  01\n");
	assert_string_equal(line(0, big, 8, 8, 'u'),
		"0000000000000000: 18446744073709551615\n");
	assert_string_equal(line(0, big, 4, 4, 'd'),
		"0000000000000000: 4294967295\n");
	assert_string_equal(line(0, ch, 4, 1, 'c'),
		"0000000000000000: 'A' '\\n' '\\'' '\\x01'\n");
	cmd_out_init(&o, out, sizeof(out));
	cmd_fmt_xp_fail(&o, 0xffffffff00000000ull);
	assert_string_equal(out, "ffffffff00000000: Cannot access memory\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lines_as_qemu_prints_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
