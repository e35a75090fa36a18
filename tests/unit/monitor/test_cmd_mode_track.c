/* HyperDbg's !mode and !track as parsed by monitor-cmds (cmd_parse.c,
 * cmd_track.c), the !mode match (event_match.c) and their help lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/event.h"

#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static void test_mode_parses(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = fx_parse_ok("!mode u pid 1c0");
	assert_int_equal(c.kind, CMD_EVENT);
	assert_int_equal(c.spec.type, EVENT_MODE);
	assert_int_equal(c.spec.arg, EVENT_MODE_U);
	assert_true(c.spec.has_pid);
	assert_int_equal(c.spec.pid, 0x1c0);
	assert_false(c.spec.sc);
	c = fx_parse_ok("!mode K pid 0n448 core 1 imm no buffer 10 "
			"script { .n = .n + 1; } condition { 1 } output {o}");
	assert_int_equal(c.spec.arg, EVENT_MODE_K);
	assert_int_equal(c.spec.pid, 448);
	assert_true(c.spec.has_core && !c.spec.imm);
	assert_int_equal(c.spec.buffer_size, 0x10);
	assert_true(c.spec.has_script && c.spec.has_condition &&
		    c.spec.has_output);
	c = fx_parse_ok("!mode pid 5 ku sc on script { event_sc(1); }");
	assert_int_equal(c.spec.arg, EVENT_MODE_U | EVENT_MODE_K);
	assert_true(c.spec.sc);
	assert_int_equal(fx_parse_ok("!mode uk pid 5").spec.arg,
			 EVENT_MODE_U | EVENT_MODE_K);
}

static void test_mode_errors(void **state)
{
	(void)state;
	err_is("!mode pid 5", 6, "expected u, k or uk after '!mode'");
	err_is("!mode u", 6, "!mode needs 'pid X': it watches the "
	       "transitions of one process (HyperDbg)");
	err_is("!mode x pid 5", 7, "expected u, k or uk (the transitions: to "
	       "user mode, to kernel mode, both), got 'x'");
	err_is("!mode uu pid 5", 7, "expected u, k or uk (the transitions: to "
	       "user mode, to kernel mode, both), got 'uu'");
	err_is("!mode u k pid 5", 9, "!mode takes one of u, k, uk, already "
	       "given at column 7");
	err_is("!mode u pid all", 13, "!mode watches one process: 'pid all' "
	       "is not accepted");
	err_is("!mode u pid 5 stage post", 15, "!mode has no calling stages "
	       "(HyperDbg: a transition has no before and after): 'stage' "
	       "is not accepted");
	err_is("!mode k pid 5 sc on", 15, "'sc on' holds the process out of "
	       "user mode, on 'u' transitions: on 'k' alone it would stop "
	       "the CPU in the kernel's entry code");
	err_is("!mode u pid 5 mask 1", 15, "expected an option (pid, core, "
	       "imm, sc, buffer, script, condition, output, steps), got 'mask'");
	err_is("!mode u pid 5 code {90}", 15, "custom machine code ('code "
	       "{...}', 'asm ...') would run in VMX root and is not "
	       "supported: use script {...}");
}

static void test_mode_match(void **state)
{
	static struct event slots[4];
	static char text[512];
	struct event_table t;
	struct event_spec s = { 0 };
	struct event_exit x = { 0 };
	const struct event *hit[4];
	u32 id;

	(void)state;
	event_table_init(&t, slots, 4, text, sizeof(text), NULL);
	s.type = EVENT_MODE;
	s.has_arg = true;
	s.arg = EVENT_MODE_U;
	s.has_pid = true;
	s.pid = 7;
	s.imm = true;
	assert_int_equal(event_table_add(&t, &s, "!mode u pid 7", 13, NULL,
					 NULL, &id), EVENT_OK);
	s.arg = EVENT_MODE_K;
	assert_int_equal(event_table_add(&t, &s, "!mode k pid 7", 13, NULL,
					 NULL, &id), EVENT_OK);
	x.type = EVENT_MODE;
	x.tgid = 7;
	x.key = x.context = 3;
	assert_int_equal(event_match(&t, &x, hit, 4), 1);
	assert_int_equal(hit[0]->spec.arg, EVENT_MODE_U);
	x.key = x.context = 0;
	assert_int_equal(event_match(&t, &x, hit, 4), 1);
	assert_int_equal(hit[0]->spec.arg, EVENT_MODE_K);
	x.tgid = 8;
	assert_int_equal(event_match(&t, &x, hit, 4), 0);
	assert_string_equal(event_type_name(EVENT_MODE), "!mode");
}

static void test_track_parses(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = fx_parse_ok("!track");
	assert_int_equal(c.kind, CMD_TRACK);
	assert_false(c.on);
	assert_false(c.set);
	c = fx_parse_ok("!track reg");
	assert_true(c.on);
	assert_false(c.set);
	c = fx_parse_ok("!track tree 100");
	assert_false(c.on);
	assert_true(c.set);
	assert_int_equal(c.value, 0x100);
	c = fx_parse_ok("!track 0n50");
	assert_true(c.set);
	assert_int_equal(c.value, 50);
	err_is("!track 0", 8, "expected 'tree', 'reg' or an instruction count "
	       "(hex) in 0x1..0xffffffff, got 0x0");
	err_is("!track tree reg", 13, "expected an instruction count (hex), "
	       "got 'reg'");
	err_is("!track x", 8, "expected 'tree', 'reg' or an instruction count "
	       "(hex), got 'x'");
	err_is("!track 10 reg", 11, "expected end of command, got 'reg'");
	err_is("track 10", 1, "unknown command 'track': HyperDbg writes it "
	       "'!track'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_parses),
		cmocka_unit_test(test_mode_errors),
		cmocka_unit_test(test_mode_match),
		cmocka_unit_test(test_track_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
