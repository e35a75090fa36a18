/* HyperDbg's memory searches (monitor-cmds/cmd_search.c): sb/sd/sq and
 * !sb/!sd/!sq in both range forms, the fields they set, the pattern's
 * bytes, every error with its column, and the host handling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/cmd_search.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static void test_forms_and_fields(void **state)
{
	struct cmd_parsed c;
	u8 pat[CMD_EDIT_MAX * 8];

	(void)state;
	/* HyperDbg's form: l anywhere after the address. */
	c = ok("sb ffffffff`81000000 l ffff 41 56 41 57 48");
	assert_int_equal(c.kind, CMD_SEARCH);
	assert_false(c.phys);
	assert_int_equal(c.addr, 0xffffffff81000000ull);
	assert_int_equal(c.addr_col, 4);
	assert_int_equal(c.span, 0xffff);
	assert_int_equal(c.unit, 1);
	assert_int_equal(c.nvalues, 5);
	assert_int_equal(cmd_search_pattern(&c, pat, sizeof(pat)), 5);
	assert_memory_equal(pat, "AVAWH", 5);
	c = ok("sd 7ff62c9016ad l fff f0cc8549");
	assert_int_equal(c.unit, 4);
	assert_int_equal(c.span, 0xfff);
	assert_int_equal(cmd_search_pattern(&c, pat, sizeof(pat)), 4);
	assert_memory_equal(pat, "\x49\x85\xcc\xf0", 4);
	c = ok("sq 1000 0f450000`00c0888b 8b410000`0092b1b7 l 100");
	assert_int_equal(c.unit, 8);
	assert_int_equal(c.span, 0x100);
	assert_int_equal(c.nvalues, 2);
	assert_int_equal(cmd_search_pattern(&c, pat, sizeof(pat)), 16);
	assert_memory_equal(pat, "\x8b\x88\xc0\x00\x00\x00\x45\x0f"
			    "\xb7\xb1\x92\x00\x00\x00\x41\x8b", 16);
	/* from to: the end is exclusive. */
	c = ok("  !sb 100000 200000 68 76 67 64 62  ");
	assert_true(c.phys);
	assert_int_equal(c.addr, 0x100000);
	assert_int_equal(c.span, 0x100000);
	assert_int_equal(c.nvalues, 5);
	assert_int_equal(c.text.off, 2);
	c = ok("!SQ 0 1000 ffffffffffffffff");
	assert_true(c.phys);
	assert_int_equal(c.unit, 8);
	assert_int_equal(c.values[0], ~0ull);
	/* The whole top of the address space, and the longest range. */
	assert_int_equal(ok("sb ffffffff`fffff000 l 1000 0").span, 0x1000);
	assert_int_equal(ok("!sd 0 l 10000000 0").span, CMD_SEARCH_MAX);
	assert_int_equal(ok("sb 0 10000000 1").span, CMD_SEARCH_MAX);
	/* The most values, and a pattern buffer too small for them. */
	c = ok("sq 0 l 1000 1 2 3 4 5 6 7 8 9 a b c d e f 10 11 12 13 14 15 "
	       "16 17 18 19 1a 1b 1c 1d 1e 1f 20");
	assert_int_equal(c.nvalues, CMD_EDIT_MAX);
	assert_int_equal(cmd_search_pattern(&c, pat, sizeof(pat)), 256);
	assert_int_equal(cmd_search_pattern(&c, pat, 255), 0);
}

static void test_errors(void **state)
{
	(void)state;
	err_is("sb", 3, "expected a virtual address (hex) after 'sb', got end "
	       "of line");
	err_is("!sd", 4, "expected a physical address (hex) after '!sd', got "
	       "end of line");
	err_is("sb 1000", 8, "expected an end address or 'l length' (hex), got "
	       "end of line");
	err_is("sb 1000 2000", 13, "expected the bytes to search for, got end "
	       "of line");
	err_is("sq 1000 l 10", 13, "expected the qwords to search for, got end "
	       "of line");
	err_is("sb 2000 1000 41", 9, "the end 0x1000 is not after the start "
	       "0x2000 (the end is exclusive)");
	err_is("sb 2000 2000 41", 9, "the end 0x2000 is not after the start "
	       "0x2000 (the end is exclusive)");
	err_is("sb 0 10000001 41", 6, "the range is 0x10000001 bytes; one "
	       "search covers at most 0x10000000");
	err_is("sb 0 l 10000001 41", 8, "expected a length in bytes (hex) in "
	       "0x1..0x10000000, got 0x10000001");
	err_is("sb 0 l 0 41", 8, "expected a length in bytes (hex) in "
	       "0x1..0x10000000, got 0x0");
	err_is("sb ffffffff`fffff000 l 1001 41", 4, "range 0xfffffffffffff000 "
	       "+ 0x1001 bytes wraps past 0xffffffffffffffff");
	err_is("sb 0 l 10 100", 11, "expected a byte to search for (at most "
	       "0xff), got 0x100");
	err_is("sd 0 l 10 1 100000000", 13, "expected a dword to search for "
	       "(at most 0xffffffff), got 0x100000000");
	err_is("sb 0 l 10 l 20 1", 11, "'l' given twice (first at column 6)");
	err_is("sb 0 l", 7, "expected a length in bytes (hex) after 'l', got "
	       "end of line");
	err_is("sb 0 l 10 x", 11, "expected a number (hex), got 'x'");
	err_is("sb 0 l 10 {x}", 11, "expected a number (hex), got a {...} "
	       "block");
	err_is("sd 7ff6 pid 1dd0 l fff f0cc8549", 9, "pid is not available "
	       "yet: the search runs in the address space of gdb's selected "
	       "CPU");
	err_is("!sb 1000 l 10 pid 4 41", 15, "pid does not apply to physical "
	       "memory");
	err_is("sb 0 l 1000 1 2 3 4 5 6 7 8 9 a b c d e f 10 11 12 13 14 15 "
	       "16 17 18 19 1a 1b 1c 1d 1e 1f 20 21", 94, "sb takes at most "
	       "0x20 values");
}

/* The host runs them; the event table is left alone. */
static void test_run_by_the_host(void **state)
{
	static const char *const lines[] = {
		"sb 0 l 10 41", "!sq 0 l 10 41", "sd 1000 2000 1 2",
	};
	static struct fixture fx;
	size_t i;

	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, "!cpuid 1"), 0);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		struct event_table before = fx.t;

		if (fx_run(&fx, lines[i]))
			fail_msg("%s: %s", lines[i], fx.out);
		assert_int_equal(fx.req, CMD_REQ_HOST);
		assert_string_equal(fx.out, "");
		assert_memory_equal(&before, &fx.t, sizeof(before));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_and_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_run_by_the_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
