/* The command language: every command form, option and parse error, with
 * the exact column a user would see. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static void span_is(const char *line, struct event_span sp, const char *s)
{
	assert_int_equal(sp.len, strlen(s));
	assert_memory_equal(line + sp.off, s, sp.len);
}

static void test_numbers(void **state)
{
	static const struct {
		const char *s;
		u64 v;
	} good[] = {
		{ "10", 0x10 }, { "0x10", 0x10 }, { "0X1f", 0x1f },
		{ "0n10", 10 }, { "0N255", 255 }, { "0t17", 15 },
		{ "0y101", 5 }, { "FfFf", 0xffff }, { "0", 0 },
		{ "fffff800`12345678", 0xfffff80012345678ull },
		{ "ffffffffffffffff", ~0ull },
		{ "0n18446744073709551615", ~0ull },
		{ "0t1777777777777777777777", ~0ull },
		{ "c0000082", 0xc0000082 },
	};
	static const struct {
		const char *s;
		int err;
	} bad[] = {
		{ "10000000000000000", CMD_NUM_ERR_RANGE },
		{ "0n18446744073709551616", CMD_NUM_ERR_RANGE },
		{ "0y2", CMD_NUM_ERR_DIGIT }, { "0t8", CMD_NUM_ERR_DIGIT },
		{ "0n1a", CMD_NUM_ERR_DIGIT }, { "g", CMD_NUM_ERR_DIGIT },
		{ "`1", CMD_NUM_ERR_DIGIT }, { "1`", CMD_NUM_ERR_DIGIT },
		{ "0x", CMD_NUM_ERR_EMPTY }, { "0n", CMD_NUM_ERR_EMPTY },
		{ "-1", CMD_NUM_ERR_DIGIT },
	};
	size_t i;
	u64 v;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		v = 0x5a5a;
		if (cmd_parse_number(good[i].s, strlen(good[i].s), &v))
			fail_msg("%s rejected", good[i].s);
		if (v != good[i].v)
			fail_msg("%s = %llx", good[i].s, (unsigned long long)v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 0x5a5a;
		if (cmd_parse_number(bad[i].s, strlen(bad[i].s), &v) !=
		    bad[i].err)
			fail_msg("%s: wrong result", bad[i].s);
		assert_int_equal(v, 0x5a5a);	/* untouched on error */
	}
}

/* !epthook2: the address is required; HyperDbg's options less sc and
 * stage; prealloc epthook2 N. */
static void test_epthook2(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("!epthook2 ffffffff`81234560 pid 0n42 core 1 imm no buffer 8 "
	       "script { .n = .n + 1; } condition { 1 } output {log}");
	assert_int_equal(c.kind, CMD_EVENT);
	assert_int_equal(c.spec.type, EVENT_EPTHOOK2);
	assert_true(c.spec.has_arg);
	assert_true(c.spec.arg == 0xffffffff81234560ull);
	assert_true(c.spec.has_pid && c.spec.pid == 42);
	assert_true(c.spec.has_core && c.spec.core == 1);
	assert_false(c.spec.imm);
	assert_int_equal(c.spec.buffer_size, 8);
	assert_true(c.spec.has_script && c.spec.has_condition &&
		    c.spec.has_output);
	c = ok("epthook2 0xffffffff81000000");
	assert_int_equal(c.spec.type, EVENT_EPTHOOK2);
	err_is("!epthook2", 10, "expected the address (hex) after '!epthook2'");
	err_is("!epthook2 script { }", 10,
	       "expected the address (hex) after '!epthook2'");
	err_is("!epthook2 1 2", 13, "!epthook2 takes one address, already "
	       "given at column 11");
	err_is("!epthook2 1 sc on", 13, "!epthook2 has no calling stages: "
	       "'sc' is not accepted");
	err_is("!epthook2 1 stage post", 13, "!epthook2 has no calling stages: "
	       "'stage' is not accepted");
	c = ok("prealloc epthook2 10");
	assert_int_equal(c.kind, CMD_PREALLOC_EPTHOOK2);
	assert_int_equal(c.count, 0x10);
	err_is("prealloc epthook2 0", 19, "expected a count of hooked pages "
	       "(hex) in 0x1..0x100, got 0x0");
	err_is("prealloc epthook2", 18, "expected a count of hooked pages "
	       "(hex) after 'prealloc epthook2', got end of line");
}

static void test_every_event_command(void **state)
{
	static const struct {
		const char *name;
		enum event_type type;
	} evs[] = {
		{ "msrread", EVENT_MSRREAD }, { "msrwrite", EVENT_MSRWRITE },
		{ "cpuid", EVENT_CPUID }, { "tsc", EVENT_TSC },
		{ "pmc", EVENT_PMC }, { "ioin", EVENT_IOIN },
		{ "ioout", EVENT_IOOUT }, { "dr", EVENT_DR },
		{ "vmcall", EVENT_VMCALL }, { "xsetbv", EVENT_XSETBV },
		{ "exception", EVENT_EXCEPTION },
		{ "interrupt", EVENT_INTERRUPT },
		{ "syscall", EVENT_SYSCALL }, { "syscall2", EVENT_SYSCALL2 },
		{ "sysret", EVENT_SYSRET }, { "sysret2", EVENT_SYSRET2 },
	};
	char line[64];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(evs); i++) {
		struct cmd_parsed c;
		int form;

		for (form = 0; form < 3; form++) {
			size_t k;

			snprintf(line, sizeof(line), "%s%s", form ? "" : "!",
				 evs[i].name);
			if (form == 2) {	/* upper case */
				for (k = 0; line[k]; k++)
					if (line[k] >= 'a' && line[k] <= 'z')
						line[k] -= 'a' - 'A';
			}
			c = ok(line);
			assert_int_equal(c.kind, CMD_EVENT);
			assert_int_equal(c.spec.type, evs[i].type);
			/* HyperDbg's defaults. */
			assert_false(c.spec.has_arg);
			assert_false(c.spec.has_pid);
			assert_false(c.spec.has_core);
			assert_true(c.spec.imm);
			assert_false(c.spec.sc);
			assert_int_equal(c.spec.stage, EVENT_STAGE_PRE);
			assert_int_equal(c.spec.buffer_size, 0);
			assert_int_equal(c.spec.steps, 0);
			assert_false(c.spec.has_script);
			assert_false(c.spec.has_condition);
			assert_false(c.spec.has_output);
		}
		assert_string_equal(event_type_name(evs[i].type) + 1,
				    evs[i].name);
	}
	/* !crwrite needs its CR. */
	assert_int_equal(ok("!crwrite 0").spec.type, EVENT_CRWRITE);
}

/* !epthook: the address, and the options HyperDbg gives it (no calling
 * stages, no short-circuiting). */
static void test_epthook(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("!epthook ffffffff`81234560 pid 1f4 core 1 imm no buffer 10 "
	       "script { $buffer = $buffer + 1; } condition { @rax == 0x27 } "
	       "output {o}");
	assert_int_equal(c.kind, CMD_EVENT);
	assert_int_equal(c.spec.type, EVENT_EPTHOOK);
	assert_true(c.spec.has_arg);
	assert_int_equal(c.spec.arg, 0xffffffff81234560ull);
	assert_true(c.spec.has_pid && c.spec.pid == 0x1f4);
	assert_true(c.spec.has_core && c.spec.core == 1);
	assert_false(c.spec.imm);
	assert_int_equal(c.spec.buffer_size, 0x10);
	assert_true(c.spec.has_script && c.spec.has_condition &&
		    c.spec.has_output);
	assert_int_equal(ok("epthook 0x1000").spec.arg, 0x1000);
	err_is("!epthook", 9, "expected the address (hex) after '!epthook'");
	err_is("!epthook script {}", 9, "expected the address (hex) after "
	       "'!epthook'");
	err_is("!epthook 1000 sc on", 15, "!epthook has no calling stages: "
	       "'sc' is not accepted");
	err_is("!epthook 1000 stage post", 15, "!epthook has no calling "
	       "stages: 'stage' is not accepted");
	err_is("!epthook 1000 2000", 15, "!epthook takes one address, already "
	       "given at column 10");
	c = ok("prealloc epthook 4");
	assert_int_equal(c.kind, CMD_PREALLOC_EPTHOOK);
	assert_int_equal(c.count, 4);
	err_is("prealloc epthook 0", 18, "expected a count of hooked pages "
	       "(hex) in 0x1..0x100, got 0x0");
	err_is("prealloc epthook", 17, "expected a count of hooked pages "
	       "(hex) after 'prealloc epthook', got end of line");
}

static void test_arguments(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("!msrread 0xc0000082");
	assert_true(c.spec.has_arg);
	assert_int_equal(c.spec.arg, 0xc0000082);
	assert_int_equal(ok("!msrwrite c0000080").spec.arg, 0xc0000080);
	assert_int_equal(ok("!msrread 0n16").spec.arg, 16);
	assert_int_equal(ok("!cpuid 0x40000000").spec.arg, 0x40000000);
	assert_int_equal(ok("!ioin 60").spec.arg, 0x60);
	assert_int_equal(ok("!ioout ffff").spec.arg, 0xffff);
	assert_int_equal(ok("!exception e").spec.arg, 14);
	assert_int_equal(ok("!exception 0").spec.arg, 0);
	assert_int_equal(ok("!interrupt 0x20").spec.arg, 0x20);
	assert_int_equal(ok("!interrupt ff").spec.arg, 0xff);
	assert_int_equal(ok("!syscall 0n59").spec.arg, 59);
	assert_int_equal(ok("!syscall2 3c").spec.arg, 0x3c);
	assert_int_equal(ok("!xsetbv 0").spec.arg, 0);
	c = ok("!crwrite 4 mask 0y10000000000000000000");
	assert_int_equal(c.spec.arg, 4);
	assert_int_equal(c.spec.mask, 1u << 19);
	c = ok("!crwrite 0");
	assert_int_equal(c.spec.arg, 0);
	assert_int_equal(c.spec.mask, ~0ull);
	/* The argument may come after the options. */
	c = ok("!msrread pid 1f4 core 2 c0000082");
	assert_int_equal(c.spec.arg, 0xc0000082);
	assert_int_equal(c.spec.pid, 0x1f4);
	assert_int_equal(c.spec.core, 2);
}

static void test_all_options_any_order(void **state)
{
	const char *line = "!msrwrite stage all c0000080 "
			   "buffer 100 condition {@rcx == 1} imm no "
			   "script { printf(\"%llx\\n\", $context); } "
			   "core 0n3 steps 200000 pid 0n500";
	struct cmd_parsed c = ok(line);

	(void)state;
	assert_int_equal(c.kind, CMD_EVENT);
	assert_int_equal(c.spec.type, EVENT_MSRWRITE);
	assert_int_equal(c.spec.arg, 0xc0000080);
	assert_true(c.spec.has_pid);
	assert_int_equal(c.spec.pid, 500);
	assert_true(c.spec.has_core);
	assert_int_equal(c.spec.core, 3);
	assert_false(c.spec.imm);
	assert_false(c.spec.sc);
	assert_int_equal(c.spec.stage, EVENT_STAGE_ALL);
	assert_int_equal(c.spec.buffer_size, 0x100);
	assert_int_equal(c.spec.steps, 0x200000);
	assert_true(c.spec.has_script);
	span_is(line, c.spec.script, " printf(\"%llx\\n\", $context); ");
	assert_true(c.spec.has_condition);
	span_is(line, c.spec.condition, "@rcx == 1");
	assert_false(c.spec.has_output);

	c = ok("!cpuid sc on stage pre imm yes");
	assert_true(c.spec.sc);
	assert_true(c.spec.imm);
	assert_int_equal(c.spec.stage, EVENT_STAGE_PRE);
	assert_int_equal(ok("!cpuid stage post").spec.stage,
			 EVENT_STAGE_POST);
	assert_false(ok("!cpuid sc off stage post").spec.sc);
	assert_true(ok("!cpuid sc on stage all").spec.sc);
	/* Keywords are case-insensitive; pid all is "every process". */
	c = ok("!TSC PID ALL IMM NO STAGE POST");
	assert_false(c.spec.has_pid);
	assert_false(c.spec.imm);
	assert_int_equal(c.spec.stage, EVENT_STAGE_POST);
	/* script{ with no blank. */
	c = ok("!tsc script{x}");
	span_is("!tsc script{x}", c.spec.script, "x");
}

static void test_nested_blocks(void **state)
{
	static const char *const scripts[] = {
		" if (@rax == 1) { printf(\"}\"); } else { x = 2; } ",
		" printf(\"\\\"}\\\"\"); ",
		" /* } */ x = 1; ",
		"{{{}}}",
		" printf(\"{\"); ",
		" x = 1; // }\n y = 2; ",
		"",
	};
	char line[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(scripts); i++) {
		struct cmd_parsed c;

		snprintf(line, sizeof(line),
			 "!cpuid script {%s} condition { 1 } pid 4",
			 scripts[i]);
		c = ok(line);
		span_is(line, c.spec.script, scripts[i]);
		span_is(line, c.spec.condition, " 1 ");
		assert_int_equal(c.spec.pid, 4);
	}
}

static void test_text_span_is_the_trimmed_command(void **state)
{
	const char *line = " \t !msrread 10 imm no \r\n";
	struct cmd_parsed c = ok(line);

	(void)state;
	span_is(line, c.text, "!msrread 10 imm no");
	/* gdb may pass a bare newline-terminated line too. */
	c = ok("events\n");
	assert_int_equal(c.kind, CMD_EVENTS_LIST);
}

static void test_events_forms(void **state)
{
	struct cmd_parsed c;

	(void)state;
	assert_int_equal(ok("events").kind, CMD_EVENTS_LIST);
	c = ok("events e 1f");
	assert_int_equal(c.kind, CMD_EVENTS_ENABLE);
	assert_false(c.all);
	assert_int_equal(c.id, 0x1f);
	assert_int_equal(c.id_col, 10);
	c = ok("events d all");
	assert_int_equal(c.kind, CMD_EVENTS_DISABLE);
	assert_true(c.all);
	c = ok("EVENTS C 0n10");
	assert_int_equal(c.kind, CMD_EVENTS_CLEAR);
	assert_int_equal(c.id, 10);
	assert_int_equal(ok("events enable 2").kind, CMD_EVENTS_ENABLE);
	assert_int_equal(ok("events disable 2").kind, CMD_EVENTS_DISABLE);
	assert_int_equal(ok("events clear all").kind, CMD_EVENTS_CLEAR);
	c = ok("events sc on");
	assert_int_equal(c.kind, CMD_EVENTS_SC);
	assert_true(c.on);
	assert_false(ok("events sc off").on);
}

/* !monitor: attribute, range (to included, or l length), va|pa. */
static void test_monitor_forms(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("!monitor rw 1000 1fff");
	assert_int_equal(c.kind, CMD_EVENT);
	assert_int_equal(c.spec.type, EVENT_MONITOR);
	assert_int_equal(c.spec.mon_acc, EVENT_MON_R | EVENT_MON_W);
	assert_int_equal(c.spec.mon_from, 0x1000);
	assert_int_equal(c.spec.mon_to, 0x1fff);
	assert_false(c.spec.mon_phys);
	c = ok("monitor x ffffffff81000000 l 10 pa core 1 stage all "
	       "script { .a = 1; }");
	assert_int_equal(c.spec.mon_acc, EVENT_MON_X);
	assert_int_equal(c.spec.mon_to, 0xffffffff8100000full);
	assert_true(c.spec.mon_phys);
	assert_true(c.spec.has_core);
	assert_int_equal(c.spec.stage, EVENT_STAGE_ALL);
	assert_true(c.spec.has_script);
	c = ok("!monitor pa XWR 0 0 sc on");
	assert_int_equal(c.spec.mon_acc, 7);
	assert_true(c.spec.mon_phys && c.spec.sc);
	err_is("!monitor q 1000 2000", 10, "expected r, w, x, rw, rx, wx or "
	       "rwx after '!monitor', got 'q'");
	err_is("!monitor rr 1000 2000", 10, "expected r, w, x, rw, rx, wx or "
	       "rwx after '!monitor', got 'rr'");
	err_is("!monitor w 2000 1000", 17, "the end address is below the "
	       "start address (the range is from..to, to included)");
	err_is("!monitor w 2000", 16, "expected the end address (hex) or "
	       "'l length', got end of line");
	err_is("!monitor w 2000 l 0", 19, "expected a length (hex) in "
	       "0x1..0xffffffffffffffff, got 0x0");
	err_is("!monitor va w 1000 1001 pa", 25, "'va|pa' given twice (first "
	       "at column 10)");
	err_is("!monitor w 1000 1001 5", 22, "!monitor takes no argument, "
	       "got '5'");
	c = ok("prealloc monitor 20");
	assert_int_equal(c.kind, CMD_PREALLOC_MONITOR);
	assert_int_equal(c.count, 0x20);
}

static void test_other_commands(void **state)
{
	const char *line = "help !msrread";
	struct cmd_parsed c;

	(void)state;
	c = ok(".help");
	assert_int_equal(c.kind, CMD_HELP);
	assert_int_equal(c.topic.len, 0);
	assert_int_equal(ok("help").kind, CMD_HELP);
	c = ok(line);
	span_is(line, c.topic, "!msrread");
	assert_int_equal(c.topic_col, 6);
	c = ok("prealloc 10");
	assert_int_equal(c.kind, CMD_PREALLOC);
	assert_int_equal(c.count, 0x10);
	assert_int_equal(ok("prealloc regular-event 0n8").count, 8);
	c = ok("prealloc buffer 0n4096");
	assert_int_equal(c.kind, CMD_PREALLOC);
	assert_true(c.buffer_pool);
	assert_int_equal(c.count, 4096);
	assert_false(ok("prealloc 1").buffer_pool);
	assert_int_equal(ok("flush").kind, CMD_FLUSH);
}

static void test_errors_commands(void **state)
{
	(void)state;
	err_is("", 1, "expected a command (.help lists them), got end of line");
	err_is("   ", 4, "expected a command (.help lists them), got end of line");
	err_is("{x}", 1, "expected a command (.help lists them), got a {...} "
	       "block");
	err_is("!foo 1", 1, "unknown command '!foo' (.help lists the commands)");
	err_is("  bogus", 3, "unknown command 'bogus' (.help lists the commands)");
	/* Plain commands do not take a '!'. */
	err_is("!events", 1,
	       "unknown command '!events' (.help lists the commands)");
	err_is("events x", 8, "expected e, d, c or sc after 'events', got 'x'");
	err_is("events e", 9, "expected an event id (hex) or 'all', got end "
	       "of line");
	err_is("events c zz", 10, "expected an event id (hex) or 'all', got "
	       "'zz'");
	err_is("events e 100000000", 10, "expected an event id (hex) or 'all' "
	       "in 0x0..0xffffffff, got 0x100000000");
	err_is("events e 1 2", 12, "expected end of command, got '2'");
	err_is("events sc maybe", 11, "expected 'on' or 'off' after 'events "
	       "sc', got 'maybe'");
	err_is("events sc on x", 14, "expected end of command, got 'x'");
	err_is("prealloc 0", 10, "expected a count of events (hex) in "
	       "0x1..0x1000, got 0x0");
	err_is("prealloc 1001", 10, "expected a count of events (hex) in "
	       "0x1..0x1000, got 0x1001");
	err_is("prealloc nosuch 1", 10, "expected a count of events (hex) "
	       "after 'prealloc', got 'nosuch'");
	err_is("prealloc monitor 0", 18, "expected a count of pages (hex) in "
	       "0x1..0x1000, got 0x0");
	err_is("prealloc buffer", 16, "expected a size in bytes (hex) after "
	       "'prealloc buffer', got end of line");
	err_is("prealloc buffer 1000001", 17, "expected a size in bytes (hex) "
	       "in 0x1..0x1000000, got 0x1000001");
	err_is("prealloc buffer 10 x", 20, "expected end of command, got 'x'");
	err_is("flush now", 7, "expected end of command, got 'now'");
	err_is("help a b", 8, "expected end of command, got 'b'");
	err_is("help {x}", 6, "expected a command name after 'help', got a "
	       "{...} block");
	err_is("events }", 8, "unexpected '}' with no '{' open");
}

static void test_errors_options(void **state)
{
	(void)state;
	err_is("!msrread pid", 13, "expected a process id (hex) or 'all' after "
	       "'pid', got end of line");
	err_is("!msrread pid zz", 14, "expected a process id (hex) or 'all' "
	       "after 'pid', got 'zz'");
	err_is("!msrread pid 100000000", 14, "expected a process id (hex) or "
	       "'all' in 0x0..0xffffffff, got 0x100000000");
	err_is("!msrread core", 14, "expected a CPU number (hex) after 'core', "
	       "got end of line");
	err_is("!msrread core {1}", 15, "expected a CPU number (hex) after "
	       "'core', got a {...} block");
	err_is("!msrread imm maybe", 14, "expected 'yes' or 'no' after 'imm', "
	       "got 'maybe'");
	err_is("!msrread sc of", 13, "expected 'on' or 'off' after 'sc', got "
	       "'of'");
	err_is("!msrread stage during", 16, "expected 'pre', 'post' or 'all' "
	       "after 'stage', got 'during'");
	err_is("!msrread buffer", 16, "expected a buffer size (hex) after "
	       "'buffer', got end of line");
	err_is("!msrread buffer 0", 17, "expected a buffer size (hex) in "
	       "0x1..0x100000, got 0x0");
	err_is("!msrread buffer 100001", 17, "expected a buffer size (hex) in "
	       "0x1..0x100000, got 0x100001");
	err_is("!msrread steps 0", 16, "expected a step budget (hex) in "
	       "0x1..0xf42400, got 0x0");
	err_is("!msrread steps f42401", 16, "expected a step budget (hex) in "
	       "0x1..0xf42400, got 0xf42401");
	err_is("!msrread script", 16, "expected '{' after 'script', got end "
	       "of line");
	err_is("!msrread script x", 17, "expected '{' after 'script', got 'x'");
	err_is("!msrread condition 1", 20, "expected '{' after 'condition', "
	       "got '1'");
	err_is("!msrread output name", 17, "expected '{' after 'output', got "
	       "'name'");
	err_is("!msrread output {  }", 17, "expected an output name inside the "
	       "braces");
	err_is("!msrread pid 1 core 2 pid 3", 23, "'pid' given twice (first at "
	       "column 10)");
	err_is("!msrread script {a} script {b}", 21, "'script' given twice "
	       "(first at column 10)");
	err_is("!msrread sc on stage post", 10, "'sc on' skips the instruction "
	       "and so the post stage: it cannot go with 'stage post'");
	err_is("!msrread code {90 90 90}", 10, "custom machine code ('code "
	       "{...}', 'asm ...') would run in VMX root and is not "
	       "supported: use script {...}");
	err_is("!sysret pid 490 asm code {nop}", 17, "custom machine code "
	       "('code {...}', 'asm ...') would run in VMX root and is not "
	       "supported: use script {...}");
	err_is("!msrread mask 1", 10, "expected an option or the MSR (a "
	       "number), got 'mask'");
	err_is("!msrread 1 bogus", 12, "expected an option (pid, core, imm, "
	       "sc, stage, buffer, script, condition, output, steps), got 'bogus'");
	err_is("!msrread { x }", 10, "unexpected '{': a block must follow "
	       "script, condition or output");
}

static void test_errors_arguments(void **state)
{
	(void)state;
	err_is("!msrread bogus", 10, "expected an option or the MSR (a "
	       "number), got 'bogus'");
	err_is("!msrread 1 2", 12, "!msrread takes one MSR, already given at "
	       "column 10");
	err_is("!msrread 100000000", 10, "expected MSR in 0x0..0xffffffff, got "
	       "0x100000000");
	err_is("!msrread 10000000000000000", 10, "number '10000000000000000' "
	       "does not fit in 64 bits");
	err_is("!tsc 5", 6, "!tsc takes no argument, got '5'");
	err_is("!tsc bogus", 6, "expected an option (pid, core, imm, sc, stage, "
	       "buffer, script, condition, output, steps), got 'bogus'");
	err_is("!exception 20", 12, "expected vector in 0x0..0x1f, got 0x20");
	err_is("!interrupt 1f", 12, "expected vector in 0x20..0xff, got 0x1f");
	err_is("!interrupt 100", 12, "expected vector in 0x20..0xff, got 0x100");
	err_is("!ioin 10000", 7, "expected port in 0x0..0xffff, got 0x10000");
	err_is("!cpuid 100000000", 8, "expected leaf in 0x0..0xffffffff, got "
	       "0x100000000");
	err_is("!crwrite", 9, "expected 0 or 4 (CR0 or CR4) after '!crwrite'");
	err_is("!crwrite pid 4", 9, "expected 0 or 4 (CR0 or CR4) after "
	       "'!crwrite'");
	err_is("!crwrite 3", 10, "expected 0 or 4 (CR0 or CR4), got 0x3");
	err_is("!crwrite cr0", 10, "expected the control register (a number), "
	       "got 'cr0'");
	err_is("!crwrite 0 stage post", 12, "!crwrite has no calling stages: "
	       "'stage' is not accepted");
	err_is("!crwrite 4 sc on", 12, "!crwrite has no calling stages: 'sc' is "
	       "not accepted");
	err_is("!crwrite 0 mask 0", 17, "expected a bit mask (hex) in "
	       "0x1..0xffffffffffffffff, got 0x0");
	err_is("!crwrite 0 x", 12, "expected an option (pid, core, imm, mask, "
	       "buffer, script, condition, output, steps), got 'x'");
}

static void test_errors_blocks(void **state)
{
	(void)state;
	err_is("!msrread script { printf(\"x\"); ", 32, "expected '}' to close "
	       "the '{' at column 17");
	err_is("!msrread script { if (1) { x = 1; } ", 37, "expected '}' to "
	       "close the '{' at column 17");
	err_is("!msrread script { printf(\"x); }", 26, "expected '\"' to close "
	       "this string before the end of the line");
	err_is("!msrread script { printf(\"x\\\"); }", 26, "expected '\"' to "
	       "close this string before the end of the line");
	err_is("!msrread script { /* } ", 19, "expected '*/' to close this "
	       "comment before the end of the line");
	/* A line comment runs to the end of the line, as in the script
	 * language, so on a one-line gdb command it swallows the '}'. */
	err_is("!msrread script { x = 1; // note }", 35, "expected '}' to close "
	       "the '{' at column 17");
	err_is("!msrread }", 10, "unexpected '}' with no '{' open");
	err_is("!msrread script {x}}", 20, "unexpected '}' with no '{' open");
	/* Long tokens are shortened in messages. */
	err_is("!msrread abcdefghijklmnopqrstuvwxyz0123456789", 10, "expected an "
	       "option or the MSR (a number), got 'abcdefghijklmnopqrstuvwx...'");
	/* Control bytes are not echoed raw. */
	err_is("!msrread \x01\x7f", 10, "expected an option or the MSR (a "
	       "number), got '?\?'");
}

static void test_eval(void **state)
{
	static const struct {
		const char *line, *script;
	} good[] = {
		{ "? { printf(\"%llx\\n\", @rip); }",
		  " printf(\"%llx\\n\", @rip); " },
		{ "?{x = 1;}", "x = 1;" },
		{ "? x = 1;", "x = 1;" },
		{ "  ?\t@rax = 5;  \r\n", "@rax = 5;" },
		{ "?@rax", "@rax" },
		/* One pair of outer braces goes; inner ones stay. */
		{ "? {{x}}", "{x}" },
		{ "? { if (1) { printf(\"}\"); } }",
		  " if (1) { printf(\"}\"); } " },
		{ "? {", "{" },		/* the script compiler's to refuse */
		{ "? print 1 }", "print 1 }" },
		{ "? {}}", "}" },
		{ "? { }", " " },	/* a script that does nothing */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		struct cmd_parsed c = ok(good[i].line);

		assert_int_equal(c.kind, CMD_EVAL);
		span_is(good[i].line, c.script, good[i].script);
	}
	/* Errors name the column where the script should be. */
	err_is("?", 2, "expected a script after '?'");
	err_is("  ?   ", 4, "expected a script after '?'");
	err_is("? {}", 4, "expected a script after '?'");
	err_is("?{}", 3, "expected a script after '?'");
	/* '?' only as the first character. */
	err_is("x ?", 1, "unknown command 'x' (.help lists the commands)");
	err_is("!? 1", 1, "unknown command '!?' (.help lists the commands)");
}

static void test_print(void **state)
{
	static const struct {
		const char *line, *expr;
	} good[] = {
		{ "print 1+2", "1+2" },
		{ "PRINT @rax + 8", "@rax + 8" },
		{ "  print\t poi(fffff800`00001000)  \n",
		  "poi(fffff800`00001000)" },
		{ "print {x}", "{x}" },
		{ "print{1}", "{1}" },
	};
	char line[CMD_PRINT_EXPR_MAX + 16], buf[CMD_PRINT_SRC];
	struct cmd_parsed c;
	size_t i;
	u32 n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		c = ok(good[i].line);
		assert_int_equal(c.kind, CMD_PRINT);
		span_is(good[i].line, c.script, good[i].expr);
	}
	/* What the host compiles, and where the expression sits in it. */
	c = ok("print @rax + 8");
	n = cmd_print_script("print @rax + 8", &c, buf, sizeof(buf));
	assert_int_equal(n, strlen("print(@rax + 8);"));
	assert_memory_equal(buf, "print(@rax + 8);", n);
	assert_memory_equal(buf + CMD_PRINT_SHIFT, "@rax", 4);
	/* Too small a buffer, or not a print: nothing. */
	assert_int_equal(cmd_print_script("print @rax + 8", &c, buf, 8), 0);
	c = ok("? 1;");
	assert_int_equal(cmd_print_script("? 1;", &c, buf, sizeof(buf)), 0);

	/* The longest expression fits the host's buffer exactly. */
	memcpy(line, "print ", 6);
	memset(line + 6, '1', CMD_PRINT_EXPR_MAX);
	line[6 + CMD_PRINT_EXPR_MAX] = '\0';
	c = ok(line);
	assert_int_equal(c.script.len, CMD_PRINT_EXPR_MAX);
	n = cmd_print_script(line, &c, buf, sizeof(buf));
	assert_int_equal(n, CMD_PRINT_EXPR_MAX + 8);
	assert_memory_equal(buf + n - 2, ");", 2);
	strcat(line, "1");
	err_is(line, 7, "expression too long");

	err_is("print", 6, "expected an expression after 'print'");
	err_is("print   ", 6, "expected an expression after 'print'");
	err_is("!print 1", 1, "unknown command '!print' (.help lists the "
	       "commands)");
	err_is("print\"1\"", 1, "unknown command 'print\"1\"' (.help lists "
	       "the commands)");
	err_is("printf 1", 1, "unknown command 'printf' (.help lists the "
	       "commands)");
}

static void test_prealloc_host_forms(void **state)
{
	struct cmd_parsed c;

	(void)state;
	assert_int_equal(ok("prealloc").kind, CMD_PREALLOC_SHOW);
	assert_int_equal(ok("  PREALLOC \r\n").kind, CMD_PREALLOC_SHOW);
	c = ok("prealloc script 8");
	assert_int_equal(c.kind, CMD_PREALLOC_SCRIPT);
	assert_int_equal(c.count, 8);
	assert_int_equal(ok("prealloc SCRIPT 0n16").count, 16);
	assert_int_equal(ok("prealloc script 0x200").count, 0x200);
	assert_int_equal(ok("prealloc script 0y1`0000").count, 16);
	/* The other forms are unchanged. */
	assert_int_equal(ok("prealloc 8").kind, CMD_PREALLOC);
	assert_int_equal(ok("prealloc regular-event 8").kind, CMD_PREALLOC);

	err_is("prealloc script", 16, "expected a count of script programs "
	       "(hex, 1-0x200)");
	err_is("prealloc script 0", 17, "expected a count of script programs "
	       "(hex, 1-0x200)");
	err_is("prealloc script 201", 17, "expected a count of script "
	       "programs (hex, 1-0x200)");
	err_is("prealloc script zz", 17, "expected a count of script "
	       "programs (hex, 1-0x200)");
	err_is("prealloc script 10000000000000000", 17, "expected a count of "
	       "script programs (hex, 1-0x200)");
	err_is("prealloc script {8}", 17, "expected a count of script "
	       "programs (hex, 1-0x200)");
	err_is("prealloc script 8 9", 19, "expected end of command, got '9'");
	err_is("prealloc regular-event script 8", 24, "expected a count of "
	       "events (hex) after 'prealloc', got 'script'");
}

static void test_interrupt_sc_is_refused(void **state)
{
	static const char msg[] = "!interrupt cannot take 'sc on': hvgdb "
				  "delivers every external interrupt (the "
				  "local APIC waits for the guest's EOI)";

	(void)state;
	err_is("!interrupt sc on", 1, msg);
	err_is("  interrupt ec core 0 stage all sc on", 3, msg);
	err_is("!INTERRUPT SC ON script { x = 1; }", 1, msg);
	/* The older error of the same line comes first. */
	err_is("!interrupt sc on stage post", 12, "'sc on' skips the "
	       "instruction and so the post stage: it cannot go with "
	       "'stage post'");
	/* sc off, and sc on of the other events, stay. */
	assert_false(ok("!interrupt ec sc off").spec.sc);
	assert_true(ok("!exception e sc on").spec.sc);
}

/* `output {name}` names a source; whether it exists is the table's
 * business (cmd_exec.c, test_event_forward.c). */
static void test_output_names_a_source(void **state)
{
	const char *line = "!cpuid 1 script { x = 1; } output { out1 }";
	struct cmd_parsed c = ok(line);

	(void)state;
	assert_true(c.spec.has_output);
	span_is(line, c.spec.output, "out1");
	assert_true(c.spec.has_script);
	c = ok("!tsc OUTPUT {log}");
	assert_true(c.spec.has_output);
	assert_false(c.spec.has_script);	/* break, its line forwarded */
	err_is("!msrread output", 16, "expected '{' after 'output', got end "
	       "of line");
	err_is("!msrread output {  }", 17, "expected an output name inside the "
	       "braces");
	err_is("!msrread output {a} output {b}", 21, "'output' given twice "
	       "(first at column 10)");
	/* HyperDbg's own `output` command runs where the debugger is. */
	err_is("output create log file /tmp/x", 1, "'output' runs on the "
	       "debugging machine: use 'hv output' (the hvgdb Python package)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_every_event_command),
		cmocka_unit_test(test_epthook2),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_epthook),
		cmocka_unit_test(test_all_options_any_order),
		cmocka_unit_test(test_nested_blocks),
		cmocka_unit_test(test_text_span_is_the_trimmed_command),
		cmocka_unit_test(test_events_forms),
		cmocka_unit_test(test_monitor_forms),
		cmocka_unit_test(test_other_commands),
		cmocka_unit_test(test_errors_commands),
		cmocka_unit_test(test_errors_options),
		cmocka_unit_test(test_errors_arguments),
		cmocka_unit_test(test_errors_blocks),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_prealloc_host_forms),
		cmocka_unit_test(test_interrupt_sc_is_refused),
		cmocka_unit_test(test_output_names_a_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
