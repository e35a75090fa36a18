/* Event output forwarding (monitor-cmds/event_forward.c, cmd_output.c):
 * the output names, the spool path, the tagged records and their
 * splitting into lines, `.output` parsing with its errors, the listing
 * (human and .kv), and `output {name}` accepted only for a name that
 * exists. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)
#include "monitor-cmds/cmd_exec.h"
#include "monitor-cmds/cmd_output.h"
#include "monitor-cmds/event_forward.h"

static void test_names(void **state)
{
	static struct event_outputs o;
	char n[8];
	int i;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(event_outputs_find(&o, "a", 1), -1);
	assert_int_equal(event_outputs_add(&o, "a", 1), 0);
	assert_int_equal(event_outputs_add(&o, "log_2", 5), 1);
	assert_int_equal(event_outputs_find(&o, "log_2", 5), 1);
	assert_int_equal(event_outputs_find(&o, "log", 3), -1);
	assert_int_equal(event_outputs_find(&o, "A", 1), -1);	/* case */
	assert_int_equal(event_outputs_add(&o, "a", 1), EVENT_FWD_EXISTS);
	assert_int_equal(event_outputs_add(&o, "", 0), EVENT_FWD_BAD_NAME);
	assert_int_equal(event_outputs_add(&o, "a b", 3), EVENT_FWD_BAD_NAME);
	assert_int_equal(event_outputs_add(&o,
		"x23456789012345678901234567890123", 33), EVENT_FWD_BAD_NAME);
	assert_int_equal(event_outputs_add(&o,
		"x2345678901234567890123456789012", 32), 2);
	for (i = 3; i < EVENT_OUTPUTS_MAX; i++) {
		snprintf(n, sizeof(n), "n%d", i);
		assert_int_equal(event_outputs_add(&o, n, strlen(n)), i);
	}
	assert_int_equal(event_outputs_add(&o, "more", 4), EVENT_FWD_FULL);
	assert_int_equal(o.n, EVENT_OUTPUTS_MAX);
}

static void test_spool(void **state)
{
	static struct event_outputs o;
	char big[EVENT_SPOOL_MAX + 1];
	u32 gen;

	(void)state;
	memset(&o, 0, sizeof(o));
	gen = o.spool_gen;
	assert_true(event_outputs_spool(&o, "/tmp/s", 6));
	assert_string_equal(o.spool, "/tmp/s");
	assert_int_not_equal(o.spool_gen, gen);
	memset(big, 'x', sizeof(big));
	assert_false(event_outputs_spool(&o, big, EVENT_SPOOL_MAX));
	assert_string_equal(o.spool, "/tmp/s");		/* unchanged */
	assert_true(event_outputs_spool(&o, big, EVENT_SPOOL_MAX - 1));
	assert_true(event_outputs_spool(&o, "", 0));	/* off */
	assert_string_equal(o.spool, "");
}

static void test_record(void **state)
{
	char out[64];
	u32 n;

	(void)state;
	n = event_forward_record(out, sizeof(out), 0x1f, "log", 3, "hit 1", 5);
	assert_int_equal(n, 15);
	assert_memory_equal(out, "0x1f log hit 1\n", 15);
	n = event_forward_record(out, sizeof(out), 0, NULL, 0, "", 0);
	assert_memory_equal(out, "0x0 - \n", n);
	n = event_forward_record(out, sizeof(out), 0xffffffffu, "a", 1, "x", 1);
	assert_memory_equal(out, "0xffffffff a x\n", n);
	/* Exactly the room it needs, and one byte less. */
	assert_int_equal(event_forward_record(out, 9, 2, "a", 1, "xy", 2), 9);
	assert_int_equal(event_forward_record(out, 8, 2, "a", 1, "xy", 2), 0);
}

struct got {
	char buf[1024];
	u32 len, n;
};

static void put(void *arg, const char *rec, u32 n)
{
	struct got *g = arg;

	memcpy(g->buf + g->len, rec, n);
	g->len += n;
	g->buf[g->len] = '\0';
	g->n++;
}

static void test_lines(void **state)
{
	static const char t[] = "one\ntwo\n\nthree";
	struct got g = { .len = 0 };
	char scratch[EVENT_FWD_TAG_MAX + 8];

	(void)state;
	assert_int_equal(event_forward_lines(scratch, sizeof(scratch), 3,
					     "b", 1, t, sizeof(t) - 1, put,
					     &g), 4);
	assert_string_equal(g.buf, "0x3 b one\n0x3 b two\n0x3 b \n"
			    "0x3 b three\n");
	/* A line longer than the scratch has room for: cut, none lost. */
	memset(&g, 0, sizeof(g));
	assert_int_equal(event_forward_lines(scratch, sizeof(scratch), 3,
					     NULL, 0, "abcdefghij\n", 11, put,
					     &g), 2);
	assert_string_equal(g.buf, "0x3 - abcdefg\n0x3 - hij\n");
	/* No room at all: nothing, and no endless loop. */
	memset(&g, 0, sizeof(g));
	assert_int_equal(event_forward_lines(scratch, EVENT_FWD_TAG_MAX, 3,
					     "b", 1, "x\n", 2, put, &g), 0);
	assert_int_equal(g.n, 0);
}

static void test_parse(void **state)
{
	const char *l = ".output spool /tmp/hvgdb-1/spool";
	struct cmd_parsed c;

	(void)state;
	c = ok(".output");
	assert_int_equal(c.kind, CMD_OUTPUT);
	assert_int_equal(c.output_op, CMD_OUTPUT_LIST);
	c = ok(".output create log");
	assert_int_equal(c.output_op, CMD_OUTPUT_CREATE);
	assert_int_equal(c.output_arg.off, 15);
	assert_int_equal(c.output_arg.len, 3);
	c = ok(l);
	assert_int_equal(c.output_op, CMD_OUTPUT_SPOOL);
	assert_memory_equal(l + c.output_arg.off, "/tmp/hvgdb-1/spool", 18);
	c = ok(".output spool off");
	assert_int_equal(c.output_op, CMD_OUTPUT_SPOOL);
	assert_int_equal(c.output_arg.len, 0);
	c = ok(".output tap on");
	assert_int_equal(c.output_op, CMD_OUTPUT_TAP);
	assert_true(c.on);
	c = ok(".output tap off");
	assert_false(c.on);
	c = ok(".kv .output");
	assert_true(c.kv);
	err_is(".output open log", 9, "expected 'create', 'spool', 'tap' or "
	       "end of command after '.output', got 'open'");
	err_is(".output create", 15, "expected an output name after 'create', "
	       "got end of line");
	err_is(".output create a b", 18, "expected end of command, got 'b'");
	err_is(".output create x23456789012345678901234567890123", 16,
	       "output name 'x23456789012345678901234...' is longer "
	       "than 32 characters");
	err_is(".output tap maybe", 13, "expected 'on' or 'off' after 'tap', "
	       "got 'maybe'");
	err_is(".output spool", 14, "expected a path or 'off' after 'spool', "
	       "got end of line");
}

static void test_listing(void **state)
{
	static struct event_outputs eo;
	struct cmd_fwd_stats st = { .open = true, .forwarded = 0x3e8,
				    .lost_full = 1, .lost_write = 2,
				    .error = -13 };
	char buf[512];
	struct cmd_out o;

	(void)state;
	memset(&eo, 0, sizeof(eo));
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_outputs(&o, &eo, &(struct cmd_fwd_stats){ 0 }, false);
	assert_string_equal(buf, "spool: none (no forwarding)\ntap: off\n"
			    "lines forwarded: 0x0, lost: 0x0 (buffer full), "
			    "0x0 (not written)\n");
	event_outputs_spool(&eo, "/tmp/s", 6);
	event_outputs_add(&eo, "a", 1);
	event_outputs_add(&eo, "b", 1);
	eo.tap = true;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_outputs(&o, &eo, &st, false);
	assert_string_equal(buf, "spool: /tmp/s (open)\ntap: on\n"
			    "lines forwarded: 0x3e8, lost: 0x1 (buffer full), "
			    "0x2 (not written: error 0xd)\noutput a\noutput b\n");
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_outputs(&o, &eo, &st, true);
	assert_string_equal(buf, "spool path=\"/tmp/s\" open=1 tap=1 "
			    "forwarded=0x3e8 lost_full=0x1 lost_write=0x2 "
			    "error=0xd\noutput name=\"a\"\noutput name=\"b\"\n");
}

static void test_event_needs_its_source(void **state)
{
	static struct fixture fx;
	static struct event_outputs eo;
	const char *l = "!cpuid 4711 output {b}";

	(void)state;
	fx_init(&fx, false);
	assert_int_equal(fx_run(&fx, l), -1);		/* no sources at all */
	assert_string_equal(fx.out, "column 21: output {b}: no output source "
			    "named 'b' (create it first: hv output create b "
			    "file PATH | tcp HOST:PORT)\n");
	memset(&eo, 0, sizeof(eo));
	event_outputs_add(&eo, "a", 1);
	fx.t.outputs = &eo;
	assert_int_equal(fx_run(&fx, l), -1);		/* not that one */
	assert_int_equal(fx.t.count, 0);
	event_outputs_add(&eo, "b", 1);
	assert_int_equal(fx_run(&fx, "!cpuid 4711 output {a, b}"), -1);
	assert_string_equal(fx.out, "column 21: output {a, b}: one output "
			    "source per event in hvgdb (HyperDbg takes a list "
			    "of up to 5)\n");
	assert_int_equal(fx_run(&fx, l), 0);
	assert_int_equal(fx.t.count, 1);
	assert_true(fx.t.ev[0].spec.has_output);
	/* The stored span names the source in the stored text. */
	assert_memory_equal(fx.t.text + fx.t.ev[0].text_off +
			    fx.t.ev[0].spec.output.off, "b", 1);
	/* .output is the host's: the table is not touched. */
	assert_int_equal(fx_run(&fx, ".output create c"), 0);
	assert_int_equal(fx.req, CMD_REQ_HOST);
	assert_int_equal(eo.n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_spool),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_event_needs_its_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
