/* HyperDbg's settings, preactivate and status (monitor-cmds/
 * cmd_settings.c): the settings list, showing and changing autoflush and
 * what it does to `events d|c`, the settings that gdb covers refused with
 * the gdb command to use, preactivate's refusal, status for the host. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/cmd_settings.h"

#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static struct fixture fx;

static void test_list_show_and_set(void **state)
{
	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, "settings"), 0);
	assert_int_equal(fx.req, 0);
	assert_string_equal(fx.out,
		"autoflush: off (events d|c first send the batched output of "
		"imm no events)\n"
		"autounpause: does not apply (gdb decides when the system runs: "
		"no event resumes it after a stop)\n"
		"syntax: does not apply (gdb disassembles: use gdb's 'set "
		"disassembly-flavor intel|att')\n"
		"addressconversion: does not apply (gdb shows symbols: use gdb's "
		"'set print symbol on|off')\n");
	assert_int_equal(fx_run(&fx, "settings autoflush"), 0);
	assert_string_equal(fx.out, "auto-flush is disabled\n");
	assert_int_equal(fx_run(&fx, "SETTINGS AutoFlush ON"), 0);
	assert_string_equal(fx.out, "set auto-flush to enabled\n");
	assert_true(fx.t.autoflush);
	assert_int_equal(fx_run(&fx, "settings autoflush"), 0);
	assert_string_equal(fx.out, "auto-flush is enabled\n");
	assert_int_equal(fx_run(&fx, "settings"), 0);
	assert_non_null(strstr(fx.out, "autoflush: on ("));
	assert_int_equal(fx_run(&fx, "settings autoflush off"), 0);
	assert_string_equal(fx.out, "set auto-flush to disabled\n");
	assert_false(fx.t.autoflush);
}

/* With autoflush on, events d and c ask the host to send the batched
 * output (CMD_REQ_FLUSH) with their reply; e and the others do not. */
static void test_autoflush_flushes_on_disable_and_clear(void **state)
{
	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, "!cpuid 1 imm no"), 0);
	assert_int_equal(fx_run(&fx, "!cpuid 2 imm no"), 0);
	assert_int_equal(fx_run(&fx, "events d 0"), 0);
	assert_false(fx.req & CMD_REQ_FLUSH);
	assert_int_equal(fx_run(&fx, "settings autoflush on"), 0);
	assert_int_equal(fx_run(&fx, "events d 1"), 0);
	assert_true(fx.req & CMD_REQ_FLUSH);
	assert_string_equal(fx.out, "event 0x1 disabled\n");
	assert_int_equal(fx_run(&fx, "events e all"), 0);
	assert_true(fx.req & CMD_REQ_FLUSH);
	assert_int_equal(fx_run(&fx, "events c 0"), 0);
	assert_true(fx.req & CMD_REQ_FLUSH);
	/* A failed change sends nothing. */
	assert_int_equal(fx_run(&fx, "events c 7"), -1);
	assert_false(fx.req & CMD_REQ_FLUSH);
}

static void test_errors(void **state)
{
	(void)state;
	err_is("settings syntax intel", 10, "'syntax' does not apply to hvgdb: "
	       "gdb disassembles: use gdb's 'set disassembly-flavor "
	       "intel|att'");
	err_is("settings autounpause", 10, "'autounpause' does not apply to "
	       "hvgdb: gdb decides when the system runs: no event resumes it "
	       "after a stop");
	err_is("settings addressconversion on", 10, "'addressconversion' does "
	       "not apply to hvgdb: gdb shows symbols: use gdb's 'set print "
	       "symbol on|off'");
	err_is("settings autoflush 1", 20, "expected 'on' or 'off' after "
	       "'autoflush', got '1'");
	err_is("settings autoflush on off", 23, "expected end of command, got "
	       "'off'");
	err_is("settings color on", 10, "unknown setting 'color' (settings "
	       "lists them)");
	err_is("settings {x}", 10, "expected a setting's name (settings lists "
	       "them) after 'settings', got a {...} block");
	err_is("preactivate mode now", 18, "expected end of command, got "
	       "'now'");
	err_is("preactivate", 12, "expected 'mode' (the one functionality "
	       "HyperDbg pre-activates) after 'preactivate', got end of line");
	err_is("preactivate epthook", 13, "expected 'mode' (the one "
	       "functionality HyperDbg pre-activates) after 'preactivate', "
	       "got 'epthook'");
	err_is("status 1", 8, "expected end of command, got '1'");
}

static void test_status_is_the_hosts(void **state)
{
	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, "status"), 0);
	assert_int_equal(fx.req, CMD_REQ_HOST);
	assert_string_equal(fx.out, "");
	assert_int_equal(fx_parse_ok("  STATUS ").kind, CMD_STATUS);
	/* preactivate mode: the host says which !mode mechanism runs. */
	assert_int_equal(fx_run(&fx, "preactivate mode"), 0);
	assert_int_equal(fx.req, CMD_REQ_HOST);
	assert_int_equal(fx_parse_ok("preactivate MODE").kind,
			 CMD_PREACTIVATE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_show_and_set),
		cmocka_unit_test(test_autoflush_flushes_on_disable_and_clear),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_status_is_the_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
