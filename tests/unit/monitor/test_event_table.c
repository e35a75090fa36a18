/* The event table through the commands a user types: add, list, enable,
 * disable, clear, ids, pools, scripts through the compile hook. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"

static struct fixture fx;

static void run_ok(const char *line)
{
	if (fx_run(&fx, line))
		fail_msg("'%s' failed: %s", line, fx.out);
}

static void run_fails(const char *line, const char *reply)
{
	if (!fx_run(&fx, line))
		fail_msg("'%s' succeeded: %s", line, fx.out);
	if (strcmp(fx.out, reply))
		fail_msg("'%s':\n got      %s expected %s", line, fx.out, reply);
}

static void list_is(const char *want)
{
	run_ok("events");
	assert_string_equal(fx.out, want);
	assert_int_equal(fx.req, 0);
}

static int setup_engine(void **state)
{
	(void)state;
	fx_init(&fx, true);
	return 0;
}

static int setup_bare(void **state)
{
	(void)state;
	fx_init(&fx, false);
	return 0;
}

static void test_add_and_list(void **state)
{
	(void)state;
	list_is("no events\n");
	run_ok("!msrread 0xc0000082");
	assert_string_equal(fx.out, "event 0x0 enabled: !msrread 0xc0000082"
			    "  [break]\n");
	assert_int_equal(fx.req, CMD_REQ_APPLY);
	/* Stored as typed, without gdb's outer blanks. */
	run_ok("   msrwrite  c0000080   pid 1f4 \n");
	assert_string_equal(fx.out, "event 0x1 enabled: msrwrite  c0000080   "
			    "pid 1f4  [break]\n");
	list_is("0x0 (enabled) !msrread 0xc0000082\n"
		"0x1 (enabled) msrwrite  c0000080   pid 1f4\n");
	assert_int_equal(fx.t.count, 2);
	assert_int_equal(fx.t.ev[1].spec.pid, 0x1f4);
}

static void test_enable_disable_clear(void **state)
{
	u32 gen;

	(void)state;
	run_ok("!cpuid");
	run_ok("!tsc");
	run_ok("!pmc");
	run_ok("events d 1");
	assert_string_equal(fx.out, "event 0x1 disabled\n");
	assert_int_equal(fx.req, CMD_REQ_APPLY);
	list_is("0x0 (enabled) !cpuid\n0x1 (disabled) !tsc\n"
		"0x2 (enabled) !pmc\n");
	/* Disabling again changes nothing, so nothing to re-apply. */
	gen = fx.t.generation;
	run_ok("events d 1");
	assert_int_equal(fx.req, 0);
	assert_int_equal(fx.t.generation, gen);
	run_ok("events e 1");
	assert_int_equal(fx.req, CMD_REQ_APPLY);
	run_ok("events d all");
	assert_string_equal(fx.out, "all events disabled\n");
	list_is("0x0 (disabled) !cpuid\n0x1 (disabled) !tsc\n"
		"0x2 (disabled) !pmc\n");
	run_ok("events e all");
	assert_string_equal(fx.out, "all events enabled\n");
	run_ok("events c 1");
	assert_string_equal(fx.out, "event 0x1 cleared\n");
	assert_int_equal(fx.req, CMD_REQ_APPLY);
	list_is("0x0 (enabled) !cpuid\n0x2 (enabled) !pmc\n");
	run_fails("events c 1", "column 10: no event 0x1 (events lists them)\n");
	run_fails("events e  7", "column 11: no event 0x7 (events lists them)\n");
	run_ok("events c all");
	assert_string_equal(fx.out, "all events cleared\n");
	assert_int_equal(fx.req, CMD_REQ_APPLY);
	list_is("no events\n");
	assert_int_equal(fx.t.text_used, 0);
	/* Clearing an empty table changes nothing. */
	run_ok("events c all");
	assert_int_equal(fx.req, 0);
}

static void test_ids_never_reused(void **state)
{
	(void)state;
	run_ok("!cpuid 1");
	run_ok("!cpuid 2");
	run_ok("events c 1");
	run_ok("!cpuid 3");
	assert_string_equal(fx.out, "event 0x2 enabled: !cpuid 3  [break]\n");
	run_ok("events c all");
	run_ok("!cpuid 4");
	assert_string_equal(fx.out, "event 0x3 enabled: !cpuid 4  [break]\n");
	/* The old id does not reach the new event. */
	run_fails("events d 1", "column 10: no event 0x1 (events lists them)\n");
	list_is("0x3 (enabled) !cpuid 4\n");
}

static void test_clear_compacts_text(void **state)
{
	(void)state;
	run_ok("!cpuid aaaa");
	run_ok("!cpuid bbbbbbbb");
	run_ok("!cpuid cc");
	assert_int_equal(fx.t.text_used, 11 + 15 + 9);
	run_ok("events c 0");
	assert_int_equal(fx.t.text_used, 15 + 9);
	list_is("0x1 (enabled) !cpuid bbbbbbbb\n0x2 (enabled) !cpuid cc\n");
	run_ok("events c 1");
	list_is("0x2 (enabled) !cpuid cc\n");
	assert_int_equal(fx.t.text_used, 9);
}

static void test_event_pool_exhaustion(void **state)
{
	char snap_ev[sizeof(fx.ev)], snap_text[sizeof(fx.text)];
	struct event_table snap_t;
	int i;

	(void)state;
	for (i = 0; i < FX_EVENTS; i++)
		run_ok("!cpuid");
	memcpy(snap_ev, fx.ev, sizeof(fx.ev));
	memcpy(snap_text, fx.text, sizeof(fx.text));
	snap_t = fx.t;
	run_fails("!tsc", "column 1: event pool full (0x8 events): clear some with "
		  "'events c' or grow it with 'prealloc N'\n");
	assert_int_equal(fx.req, 0);
	/* Nothing applied. */
	assert_memory_equal(snap_ev, fx.ev, sizeof(fx.ev));
	assert_memory_equal(snap_text, fx.text, sizeof(fx.text));
	assert_memory_equal(&snap_t, &fx.t, sizeof(fx.t));
	run_ok("events c 3");
	run_ok("!tsc");
	assert_string_equal(fx.out, "event 0x8 enabled: !tsc  [break]\n");
}

static void test_text_pool_exhaustion(void **state)
{
	char line[700];

	(void)state;
	memset(line, ' ', sizeof(line));
	memcpy(line, "!cpuid script {", 15);
	line[sizeof(line) - 2] = '}';
	line[sizeof(line) - 1] = '\0';
	run_ok(line);
	run_fails(line, "column 1: command text pool full (0x2bb of 0x400 bytes used): "
		  "clear events or grow it with 'prealloc N'\n");
	assert_int_equal(fx.t.count, 1);
	assert_int_equal(fx.eng.live, 1);	/* nothing compiled for it */
}

static void test_grow(void **state)
{
	static struct event big_ev[32];
	static char big_text[4096];
	char before[512];

	(void)state;
	run_ok("!cpuid 1");
	run_ok("!tsc script { x }");
	run_ok("events d 0");
	run_ok("events");
	strcpy(before, fx.out);
	/* Smaller than what is in use: refused, table untouched. */
	assert_int_equal(event_table_grow(&fx.t, big_ev, 1, big_text, 4096),
			 EVENT_ERR_FULL);
	assert_int_equal(event_table_grow(&fx.t, big_ev, 32, big_text, 10),
			 EVENT_ERR_TEXT_FULL);
	assert_ptr_equal(fx.t.ev, fx.ev);
	run_ok("prealloc 18");
	assert_int_equal(fx.req, CMD_REQ_PREALLOC);
	assert_string_equal(fx.out, "prealloc: 0x18 more event slots requested "
			    "(0x2 of 0x8 in use); they are allocated once the "
			    "system resumes and are usable from the next "
			    "stop\n");
	assert_int_equal(fx.t.want_events, 0x18);
	assert_int_equal(fx.t.want_text, 0x18 * CMD_PREALLOC_TEXT_PER_EVENT);
	run_ok("prealloc regular-event 2");
	assert_int_equal(fx.t.want_events, 0x1a);
	assert_int_equal(event_table_grow(&fx.t, big_ev, 32, big_text, 4096),
			 EVENT_OK);
	assert_int_equal(fx.t.want_events, 0);
	assert_int_equal(fx.t.cap, 32);
	memset(fx.ev, 0xaa, sizeof(fx.ev));	/* old arrays unused now */
	memset(fx.text, 0xaa, sizeof(fx.text));
	run_ok("events");
	assert_string_equal(fx.out, before);
	run_ok("!pmc");
	assert_string_equal(fx.out, "event 0x2 enabled: !pmc  [break]\n");
	assert_ptr_equal(event_table_find(&fx.t, 2), &big_ev[2]);
}

static void test_script_hook(void **state)
{
	struct event *ev;

	(void)state;
	run_ok("!msrread 0xc0000082 script { printf(\"rdmsr %llx\\n\", "
	       "$context); }");
	assert_string_equal(fx.out, "event 0x0 enabled: !msrread 0xc0000082 "
			    "script { printf(\"rdmsr %llx\\n\", $context); }  "
			    "[script]\n");
	assert_string_equal(fx.eng.last_text,
			    " printf(\"rdmsr %llx\\n\", $context); ");
	assert_false(fx.eng.last_is_condition);
	ev = event_table_find(&fx.t, 0);
	assert_non_null(ev->script_prog);
	assert_null(ev->cond_prog);
	/* The stored spans point into the stored text. */
	assert_memory_equal(event_text(&fx.t, ev) + ev->spec.script.off,
			    " printf(", 8);
	run_ok("!cpuid condition {@rax == 1}");
	assert_string_equal(fx.eng.last_text, "@rax == 1");
	assert_true(fx.eng.last_is_condition);
	assert_string_equal(fx.out, "event 0x1 enabled: !cpuid condition "
			    "{@rax == 1}  [break]\n");
	assert_int_equal(fx.eng.live, 2);
	run_ok("events c 0");
	assert_int_equal(fx.eng.live, 1);
	run_ok("!tsc script {a} condition {b}");
	assert_int_equal(fx.eng.live, 3);
	run_ok("events c all");
	assert_int_equal(fx.eng.live, 0);
	assert_int_equal(fx.eng.released, 4);
}

static void test_script_errors_apply_nothing(void **state)
{
	struct event_table snap;

	(void)state;
	run_ok("!cpuid");
	snap = fx.t;
	/* The engine's error offset becomes a column of the whole line. */
	run_fails("!tsc script { x = @@; }", "column 19: expected an "
		  "expression\n");
	run_fails("!tsc script {ok} condition {@@}", "column 29: expected an "
		  "expression\n");
	/* The script that did compile was given back. */
	assert_int_equal(fx.eng.live, 0);
	assert_memory_equal(&snap, &fx.t, sizeof(snap));
	/* Engine pool (FX_PROGS = 4) runs out: clear error, no leak. */
	run_ok("!tsc script {1} condition {2}");
	run_ok("!tsc script {3} condition {4}");
	run_fails("!tsc script {5}", "column 14: script program pool full\n");
	assert_int_equal(fx.eng.live, 4);
	assert_int_equal(fx.t.count, 3);
}

static void test_no_script_engine(void **state)
{
	(void)state;
	run_fails("!msrread 0xc0000082 script { printf(\"x\"); }",
		  "column 28: script engine not available: 'script {...}' "
		  "needs it and this build has none yet\n");
	run_fails("!cpuid condition {1}", "column 18: script engine not "
		  "available: 'condition {...}' needs it and this build has "
		  "none yet\n");
	assert_int_equal(fx.t.count, 0);
	assert_int_equal(fx.t.next_id, 0);
	/* Break events need no engine. */
	run_ok("!cpuid");
}

static void test_parse_error_applies_nothing(void **state)
{
	struct event_table snap;

	(void)state;
	run_ok("!cpuid");
	snap = fx.t;
	run_fails("!msrread pid 1 pid 2", "column 16: 'pid' given twice "
		  "(first at column 10)\n");
	run_fails("events e", "column 9: expected an event id (hex) or 'all', "
		  "got end of line\n");
	assert_int_equal(fx.req, 0);
	assert_memory_equal(&snap, &fx.t, sizeof(snap));
}

static void test_events_sc_and_flush(void **state)
{
	(void)state;
	run_fails("  events sc on", "column 10: the system did not stop at an "
		  "event, so there is no firing to short-circuit\n");
	fx.t.stopped_by_event = true;
	fx.t.stop_event_id = 5;
	run_ok("events sc on");
	assert_string_equal(fx.out, "event 0x5: this firing is "
			    "short-circuited\n");
	assert_int_equal(fx.req, CMD_REQ_SC);
	assert_true(fx.t.stop_sc);
	run_ok("events sc off");
	assert_false(fx.t.stop_sc);
	run_ok("flush");
	assert_int_equal(fx.req, CMD_REQ_FLUSH);
}

static void test_output_truncation(void **state)
{
	char small[64];
	u32 req;
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		run_ok("!cpuid 0x40000000 imm no");
	assert_int_equal(cmd_execute(&fx.t, "events", 6, small, sizeof(small),
				     &req), 0);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(small + sizeof(small) - 1 - 13, "\n[truncated]\n");
	/* Degenerate buffers: nothing written past them, still applied. */
	small[0] = 'x';
	small[1] = 'y';
	assert_int_equal(cmd_execute(&fx.t, "events d 0", 10, small, 1, &req),
			 0);
	assert_int_equal(small[0], '\0');
	assert_int_equal(small[1], 'y');
	assert_false(fx.t.ev[0].enabled);
	small[0] = 'x';
	assert_int_equal(cmd_execute(&fx.t, "events e 0", 10, small, 0, &req),
			 0);
	assert_int_equal(small[0], 'x');
	assert_true(fx.t.ev[0].enabled);
}

static void test_format_lines(void **state)
{
	struct event_exit x = {
		.type = EVENT_MSRWRITE, .key = 0xc0000080,
		.context = 0xc0000080, .tgid = 0x1f4, .cpu = 1,
		.stage = EVENT_STAGE_PRE,
	};
	char buf[128];
	size_t n;

	(void)state;
	run_ok("!cpuid");
	run_ok("!cpuid");
	run_ok("!cpuid");
	run_ok("!msrwrite c0000080 stage all");
	n = event_format_hit(buf, sizeof(buf), &fx.t.ev[3], &x);
	assert_string_equal(buf, "event 0x3 !msrwrite context=0xc0000080 "
			    "stage=pre core=0x1 pid=0x1f4\n");
	assert_int_equal(n, strlen(buf));
	x.stage = EVENT_STAGE_POST;
	event_format_hit(buf, sizeof(buf), &fx.t.ev[3], &x);
	assert_string_equal(buf, "event 0x3 !msrwrite context=0xc0000080 "
			    "stage=post core=0x1 pid=0x1f4\n");
	/* #PF carries CR2. */
	run_ok("!exception e");
	x = (struct event_exit){ .type = EVENT_EXCEPTION, .key = 14,
				 .aux = 0xdead000, .context = 14, .cpu = 0,
				 .tgid = 1 };
	event_format_hit(buf, sizeof(buf), &fx.t.ev[4], &x);
	assert_string_equal(buf, "event 0x4 !exception context=0xe stage=pre "
			    "core=0x0 pid=0x1 cr2=0xdead000\n");
	/* A short buffer truncates but stays terminated. */
	n = event_format_hit(buf, 10, &fx.t.ev[4], &x);
	assert_int_equal(n, 9);
	assert_string_equal(buf, "event 0x4");
	run_ok("events d 4");
	event_format_list_line(buf, sizeof(buf), &fx.t, &fx.t.ev[4]);
	assert_string_equal(buf, "0x4 (disabled) !exception e\n");
}

static void test_buffer_pool(void **state)
{
	struct event *a, *b, *c;
	u8 *pb;

	(void)state;
	run_ok("!cpuid buffer 5");		/* 8 bytes */
	run_ok("!tsc");				/* no buffer */
	run_ok("!pmc buffer 10");		/* 16 bytes */
	run_ok("!dr buffer 0n24");		/* 24 bytes */
	assert_int_equal(fx.t.data_used, 48);
	a = event_table_find(&fx.t, 0);
	assert_non_null(event_buffer(&fx.t, a));
	assert_int_equal(a->buf_len, 8);
	assert_null(event_buffer(&fx.t, event_table_find(&fx.t, 1)));
	/* Zeroed when added, whatever was there before. */
	pb = event_buffer(&fx.t, event_table_find(&fx.t, 2));
	assert_int_equal(pb[0] | pb[15], 0);
	memcpy(pb, "pmc-data-1234567", 16);
	memset(event_buffer(&fx.t, event_table_find(&fx.t, 3)), 0xdd, 24);
	/* Full: 48 + 24 > 64.  Nothing applied. */
	run_fails("!cpuid buffer 18", "column 1: buffer pool full (0x30 of 0x40 bytes "
		  "used): clear events or grow it with 'prealloc buffer N'\n");
	assert_int_equal(fx.t.count, 4);
	/* Clearing an older event compacts; later buffers keep their
	 * contents. */
	run_ok("events c 0");
	assert_int_equal(fx.t.data_used, 40);
	b = event_table_find(&fx.t, 2);
	assert_int_equal(b->buf_off, 0);
	assert_memory_equal(event_buffer(&fx.t, b), "pmc-data-1234567", 16);
	c = event_table_find(&fx.t, 3);
	assert_int_equal(c->buf_off, 16);
	assert_int_equal(event_buffer(&fx.t, c)[23], 0xdd);
	run_ok("!cpuid buffer 18");
	assert_int_equal(fx.t.data_used, 64);
	run_ok("events c all");
	assert_int_equal(fx.t.data_used, 0);
}

static void test_buffer_prealloc_and_grow(void **state)
{
	static u8 big[256];

	(void)state;
	run_ok("!pmc buffer 10");
	memcpy(event_buffer(&fx.t, &fx.t.ev[0]), "keep", 4);
	run_ok("prealloc buffer 100");
	assert_int_equal(fx.req, CMD_REQ_PREALLOC);
	assert_string_equal(fx.out, "prealloc: 0x100 more buffer bytes "
			    "requested (0x10 of 0x40 in use); they are "
			    "allocated once the system resumes and are usable "
			    "from the next stop\n");
	assert_int_equal(fx.t.want_data, 0x100);
	assert_int_equal(fx.t.want_events, 0);
	run_ok("prealloc buffer ffffff");
	run_ok("prealloc buffer ffffff");
	assert_int_equal(fx.t.want_data, CMD_PREALLOC_DATA_MAX);
	assert_int_equal(event_table_grow_data(&fx.t, big, 8),
			 EVENT_ERR_DATA_FULL);
	assert_int_equal(event_table_grow_data(&fx.t, big, sizeof(big)),
			 EVENT_OK);
	assert_int_equal(fx.t.want_data, 0);
	assert_memory_equal(event_buffer(&fx.t, &fx.t.ev[0]), "keep", 4);
	assert_ptr_equal(event_buffer(&fx.t, &fx.t.ev[0]), big);
	run_ok("!pmc buffer 80");
	assert_int_equal(fx.t.data_used, 0x90);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup_engine)
	const struct CMUnitTest tests[] = {
		T(test_add_and_list),
		T(test_enable_disable_clear),
		T(test_ids_never_reused),
		T(test_clear_compacts_text),
		T(test_event_pool_exhaustion),
		T(test_text_pool_exhaustion),
		T(test_grow),
		T(test_script_hook),
		T(test_script_errors_apply_nothing),
		cmocka_unit_test_setup(test_no_script_engine, setup_bare),
		T(test_parse_error_applies_nothing),
		T(test_events_sc_and_flush),
		T(test_output_truncation),
		T(test_format_lines),
		T(test_buffer_pool),
		T(test_buffer_prealloc_and_grow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
