/* HyperDbg's !lbr and !lbrdump as parsed by monitor-cmds (cmd_lbr.c):
 * each function, HyperDbg's filter words as their bits, call_stack's
 * rule, and every error at its column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/cmd_lbr.h"

#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static void test_lbr_parses(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = fx_parse_ok("!lbr enable");
	assert_int_equal(c.kind, CMD_LBR);
	assert_int_equal(c.count, CMD_LBR_ENABLE);
	assert_int_equal(fx_parse_ok("!lbr disable").count, CMD_LBR_DISABLE);
	assert_int_equal(fx_parse_ok("!lbr flush").count, CMD_LBR_FLUSH);
	c = fx_parse_ok("!lbr filter");
	assert_int_equal(c.count, CMD_LBR_FILTER);
	assert_int_equal(c.value, 0);
	/* HyperDbg's examples (extension-commands/lbr.md) */
	assert_int_equal(fx_parse_ok("!lbr filter kernel jcc ind_jmp rel_jmp "
				     "far").value, 0x1c5);
	assert_int_equal(fx_parse_ok("!lbr filter kernel jcc return ind_jmp "
				     "rel_jmp far").value, 0x1e5);
	assert_int_equal(fx_parse_ok("!lbr filter user rel_call ind_call "
				     "return far").value, 0x13a);
	/* call_stack: calls and returns only, 0x3c4 (lbr_restore_by_filter's
	 * page), plus the ring */
	assert_int_equal(fx_parse_ok("!lbr filter call_stack user").value,
			 0x3c6);
	assert_int_equal(fx_parse_ok("!lbr filter call_stack kernel").value,
			 0x3c5);
	assert_int_equal(fx_parse_ok("!lbr filter other_branches").value,
			 0x100);
	c = fx_parse_ok("!lbrdump");
	assert_int_equal(c.kind, CMD_LBRDUMP);
	assert_int_equal(c.core, CMD_CORE_ALL);
	c = fx_parse_ok("!lbrdump core 2");
	assert_int_equal(c.core, 2);
	assert_int_equal(c.core_col, 15);
}

static void test_lbr_errors(void **state)
{
	(void)state;
	err_is("!lbr", 5, "expected 'enable', 'disable', 'flush' or 'filter', "
	       "got end of line");
	err_is("!lbr on", 6, "expected 'enable', 'disable', 'flush' or "
	       "'filter', got 'on'");
	err_is("!lbr enable 1", 13, "expected end of command, got '1'");
	err_is("!lbr filter kernel calls", 20, "expected kernel, user, jcc, "
	       "rel_call, ind_call, return, ind_jmp, rel_jmp, far or "
	       "call_stack, got 'calls'");
	err_is("!lbr filter call_stack jcc", 13, "expected only 'user' or "
	       "'kernel' with 'call_stack' (it records calls and returns "
	       "only)");
	err_is("!lbrdump 2", 10, "expected 'core' or end of command, got '2'");
	err_is("!lbrdump core", 14, "expected a core number (hex) after "
	       "'core', got end of line");
	err_is("!lbrdump core 1 2", 17, "expected end of command, got '2'");
	err_is("lbr enable", 1, "unknown command 'lbr': HyperDbg writes it "
	       "'!lbr'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lbr_parses),
		cmocka_unit_test(test_lbr_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
