/* Machine-readable replies (monitor-cmds/cmd_kv.c): the `.kv` prefix,
 * the commands that take it and the refusal for the others, the event
 * records of `.kv events` and `.kv !cpuid ...`, and the field formats
 * (hex, booleans, escaped strings). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/cmd_kv.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static struct fixture fx;

static void test_prefix(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok(".kv rdmsr c0000082 core 1");
	assert_true(c.kv);
	assert_int_equal(c.kind, CMD_RDMSR);
	assert_int_equal(c.core_col, 25);	/* columns of the whole line */
	assert_int_equal(c.text.off, 4);
	c = ok("  .KV\tevents ");
	assert_true(c.kv);
	assert_int_equal(c.kind, CMD_EVENTS_LIST);
	assert_false(ok("events").kv);
	assert_true(ok(".kv !va2pa ffffffff81000000").kv);
	assert_true(ok(".kv !pa2va 1000").kv);
	assert_int_equal(ok(".kv cpus").kind, CMD_CPUS);
	assert_int_equal(ok("cpus").kind, CMD_CPUS);
	c = ok(".kv !cpuid 4711 script { x = 1; }");
	assert_int_equal(c.kind, CMD_EVENT);
	assert_int_equal(c.text.off, 4);
}

static void test_errors(void **state)
{
	(void)state;
	err_is(".kv", 4, "expected a command after '.kv', got end of line");
	err_is(".kv   ", 4, "expected a command after '.kv', got end of line");
	err_is(".kv cpu", 5, ".kv is not available for 'cpu' (it is for "
	       "events, the event commands, rdmsr, !va2pa, !pa2va, cpus, stop "
	       "and .output)");
	err_is(".kv events d 1", 5, ".kv is not available for 'events d 1' "
	       "(it is for events, the event commands, rdmsr, !va2pa, !pa2va, "
	       "cpus, stop and .output)");
	err_is(".kv rdmsr", 10, "expected an MSR number (hex) after 'rdmsr', "
	       "got end of line");
	err_is(".kvx events", 1, "unknown command '.kvx' (.help lists the "
	       "commands)");
	err_is("cpus 1", 6, "expected end of command, got '1'");
}

static void test_event_records(void **state)
{
	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, ".kv events"), 0);
	assert_string_equal(fx.out, "");
	assert_int_equal(fx_run(&fx, ".kv !cpuid 4711"), 0);
	assert_int_equal(fx.req, CMD_REQ_APPLY);
	assert_string_equal(fx.out, "event id=0x0 enabled=1 action=\"break\" "
			    "command=\"!cpuid 4711\"\n");
	assert_int_equal(fx_run(&fx, ".kv !tsc script { printf(\"a\\tb\\n\"); "
			    "}"), 0);
	assert_string_equal(fx.out, "event id=0x1 enabled=1 action=\"script\" "
			    "command=\"!tsc script { printf(\\\"a\\\\tb\\\\n\\\"); }"
			    "\"\n");
	assert_int_equal(fx_run(&fx, "events d 0"), 0);
	assert_int_equal(fx_run(&fx, ".kv events"), 0);
	assert_string_equal(fx.out,
		"event id=0x0 enabled=0 action=\"break\" command=\"!cpuid "
		"4711\"\n"
		"event id=0x1 enabled=1 action=\"script\" command=\"!tsc script "
		"{ printf(\\\"a\\\\tb\\\\n\\\"); }\"\n");
	/* Without the prefix, the human layout as before. */
	assert_int_equal(fx_run(&fx, "events"), 0);
	assert_string_equal(fx.out, "0x0 (disabled) !cpuid 4711\n"
			    "0x1 (enabled) !tsc script { printf(\"a\\tb\\n\"); "
			    "}\n");
	/* The host answers the others. */
	assert_int_equal(fx_run(&fx, ".kv cpus"), 0);
	assert_int_equal(fx.req, CMD_REQ_HOST);
}

/* `stop` and `.kv stop`: the event of this stop, kept from the firing
 * (mon_events.c sets these fields), also once the event is cleared. */
static void test_stop(void **state)
{
	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, "stop"), 0);
	assert_string_equal(fx.out, "the system did not stop at an event\n");
	assert_int_equal(fx_run(&fx, ".kv stop"), 0);
	assert_string_equal(fx.out, "stop reason=\"other\"\n");
	fx.t.stopped_by_event = true;
	fx.t.stop_event_id = 3;
	fx.t.stop_type = EVENT_MSRWRITE;
	fx.t.stop_exit = (struct event_exit){ .type = EVENT_MSRWRITE,
		.key = 0xc0000080, .context = 0xc0000080, .tgid = 0x1f4,
		.cpu = 1, .stage = EVENT_STAGE_PRE };
	assert_int_equal(fx_run(&fx, "stop"), 0);
	assert_string_equal(fx.out, "event 0x3 !msrwrite context=0xc0000080 "
			    "stage=pre core=0x1 pid=0x1f4\n");
	assert_int_equal(fx_run(&fx, ".kv stop"), 0);
	assert_string_equal(fx.out, "stop reason=\"event\" event=0x3 "
			    "type=\"!msrwrite\" context=0xc0000080 "
			    "stage=\"pre\" core=0x1 pid=0x1f4\n");
	fx.t.stop_type = EVENT_EXCEPTION;
	fx.t.stop_exit = (struct event_exit){ .type = EVENT_EXCEPTION,
		.key = 14, .aux = 0x1000, .context = 14, .tgid = 1, .cpu = 0,
		.stage = EVENT_STAGE_POST };
	assert_int_equal(fx_run(&fx, ".kv stop"), 0);
	assert_string_equal(fx.out, "stop reason=\"event\" event=0x3 "
			    "type=\"!exception\" context=0xe stage=\"post\" "
			    "core=0x0 pid=0x1 cr2=0x1000\n");
	assert_int_equal(fx.req, 0);
}

static void test_fields(void **state)
{
	char buf[128];
	struct cmd_out o;

	(void)state;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_out_str(&o, "x");
	cmd_kv_hex(&o, "a", 0);
	cmd_kv_hex(&o, "b", ~0ull);
	cmd_kv_bool(&o, "c", true);
	cmd_kv_str(&o, "d", "q\"\\\x01\xff\t\n z", 9);
	assert_string_equal(buf, "x a=0x0 b=0xffffffffffffffff c=1 "
			    "d=\"q\\\"\\\\\\x01\\xff\\t\\n z\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_event_records),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
