/* Which events fire at an exit: type, argument, pid/core filters, stages,
 * enable state, id order and HyperDbg's default MSR exclusions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"

static struct fixture fx;

static void add(const char *line)
{
	if (fx_run(&fx, line))
		fail_msg("'%s' failed: %s", line, fx.out);
}

/* Ids of the events firing at x, as "0 2 5" (empty if none). */
static const char *fires(enum event_type type, u64 key, u64 aux, u32 tgid,
			 u32 cpu, enum event_stage stage)
{
	static char ids[128];
	const struct event *out[16];
	struct event_exit x = {
		.type = type, .key = key, .aux = aux, .context = key,
		.tgid = tgid, .cpu = cpu, .stage = stage,
	};
	u32 n = event_match(&fx.t, &x, out, 16), i;
	size_t len = 0;

	ids[0] = '\0';
	for (i = 0; i < n && i < 16; i++)
		len += snprintf(ids + len, sizeof(ids) - len, "%s%x",
				i ? " " : "", out[i]->id);
	return ids;
}

#define PRE EVENT_STAGE_PRE
#define POST EVENT_STAGE_POST

static int setup(void **state)
{
	(void)state;
	fx_init(&fx, false);
	return 0;
}

static void test_msr_named_and_all(void **state)
{
	(void)state;
	add("!msrread c0000082");	/* 0 */
	add("!msrread");		/* 1: all but the exclusions */
	add("!msrwrite");		/* 2 */
	add("!msrread e7");		/* 3: named though excluded */
	assert_string_equal(fires(EVENT_MSRREAD, 0xc0000082, 0, 1, 0, PRE),
			    "0 1");
	assert_string_equal(fires(EVENT_MSRREAD, 0x10, 0, 1, 0, PRE), "1");
	/* The seed pages' exclusions for "all" reads. */
	assert_string_equal(fires(EVENT_MSRREAD, 0xc0000102, 0, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_MSRREAD, 0xe7, 0, 1, 0, PRE), "3");
	assert_string_equal(fires(EVENT_MSRREAD, 0xe8, 0, 1, 0, PRE), "");
	/* SPEC_CTRL and PRED_CMD are only excluded from writes. */
	assert_string_equal(fires(EVENT_MSRREAD, 0x48, 0, 1, 0, PRE), "1");
	assert_string_equal(fires(EVENT_MSRREAD, 0x49, 0, 1, 0, PRE), "1");
	assert_string_equal(fires(EVENT_MSRWRITE, 0x48, 0, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_MSRWRITE, 0x49, 0, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_MSRWRITE, 0xc0000102, 0, 1, 0, PRE),
			    "");
	assert_string_equal(fires(EVENT_MSRWRITE, 0xe7, 0, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_MSRWRITE, 0xc0000080, 0, 1, 0, PRE),
			    "2");
	assert_true(event_msr_excluded(EVENT_MSRWRITE, 0x48));
	assert_false(event_msr_excluded(EVENT_MSRREAD, 0x48));
	assert_false(event_msr_excluded(EVENT_CPUID, 0xe7));
}

static void test_types_do_not_mix(void **state)
{
	(void)state;
	add("!cpuid");
	add("!ioin 60");
	add("!ioout 60");
	add("!tsc");
	assert_string_equal(fires(EVENT_CPUID, 0, 0, 1, 0, PRE), "0");
	assert_string_equal(fires(EVENT_IOIN, 0x60, 1, 1, 0, PRE), "1");
	assert_string_equal(fires(EVENT_IOOUT, 0x60, 1, 1, 0, PRE), "2");
	assert_string_equal(fires(EVENT_TSC, 1, 0, 1, 0, PRE), "3");
	assert_string_equal(fires(EVENT_PMC, 0, 0, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_MSRREAD, 0x10, 0, 1, 0, PRE), "");
}

static void test_arguments(void **state)
{
	(void)state;
	add("!cpuid 1");		/* 0 */
	add("!exception e");		/* 1 */
	add("!exception");		/* 2 */
	add("!interrupt 0xec");		/* 3 */
	add("!syscall 0n59");		/* 4 */
	add("!syscall2");		/* 5 */
	add("!sysret2");		/* 6 */
	add("!xsetbv 0");		/* 7 */
	assert_string_equal(fires(EVENT_CPUID, 1, 0, 1, 0, PRE), "0");
	assert_string_equal(fires(EVENT_CPUID, 0x80000001, 0, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_EXCEPTION, 14, 0, 1, 0, PRE), "1 2");
	assert_string_equal(fires(EVENT_EXCEPTION, 6, 0, 1, 0, PRE), "2");
	assert_string_equal(fires(EVENT_INTERRUPT, 0xec, 0, 1, 0, PRE), "3");
	assert_string_equal(fires(EVENT_INTERRUPT, 0xef, 0, 1, 0, PRE), "");
	/* !syscall and !syscall2 both fire on a SYSCALL. */
	assert_string_equal(fires(EVENT_SYSCALL, 59, 0, 1, 0, PRE), "4 5");
	assert_string_equal(fires(EVENT_SYSCALL2, 60, 0, 1, 0, PRE), "5");
	assert_string_equal(fires(EVENT_SYSRET, 0, 0, 1, 0, PRE), "6");
	assert_string_equal(fires(EVENT_XSETBV, 0, 0, 1, 0, PRE), "7");
	assert_string_equal(fires(EVENT_XSETBV, 1, 0, 1, 0, PRE), "");
}

static void test_io_access_width(void **state)
{
	(void)state;
	add("!ioin 61");
	/* A 2-byte IN at 0x60 covers 0x61; a 1-byte one does not. */
	assert_string_equal(fires(EVENT_IOIN, 0x60, 2, 1, 0, PRE), "0");
	assert_string_equal(fires(EVENT_IOIN, 0x60, 1, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_IOIN, 0x5e, 4, 1, 0, PRE), "0");
	assert_string_equal(fires(EVENT_IOIN, 0x62, 4, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_IOIN, 0x61, 0, 1, 0, PRE), "0");
}

static void test_crwrite_mask(void **state)
{
	(void)state;
	add("!crwrite 0");			/* 0: any exiting write */
	add("!crwrite 4 mask 0y10000000");	/* 1: CR4.PGE (bit 7) */
	assert_string_equal(fires(EVENT_CRWRITE, 0, 1, 1, 0, PRE), "0");
	assert_string_equal(fires(EVENT_CRWRITE, 4, 0x80, 1, 0, PRE), "1");
	assert_string_equal(fires(EVENT_CRWRITE, 4, 0x20, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_CRWRITE, 4, 0xa0, 1, 0, PRE), "1");
}

static void test_pid_core_filters(void **state)
{
	(void)state;
	add("!cpuid pid 1f4");		/* 0 */
	add("!cpuid core 2");		/* 1 */
	add("!cpuid pid 1f4 core 3");	/* 2 */
	add("!cpuid pid all");		/* 3 */
	assert_string_equal(fires(EVENT_CPUID, 0, 0, 0x1f4, 2, PRE), "0 1 3");
	assert_string_equal(fires(EVENT_CPUID, 0, 0, 0x1f4, 3, PRE), "0 2 3");
	assert_string_equal(fires(EVENT_CPUID, 0, 0, 0x1f5, 3, PRE), "3");
	assert_string_equal(fires(EVENT_CPUID, 0, 0, 0x1f5, 2, PRE), "1 3");
}

static void test_stages(void **state)
{
	(void)state;
	add("!cpuid");			/* 0: pre by default */
	add("!cpuid stage post");	/* 1 */
	add("!cpuid stage all");	/* 2 */
	add("!cpuid stage pre");	/* 3 */
	assert_string_equal(fires(EVENT_CPUID, 0, 0, 1, 0, PRE), "0 2 3");
	assert_string_equal(fires(EVENT_CPUID, 0, 0, 1, 0, POST), "1 2");
}

/* !monitor fires by id (the EPT side knows which range was hit), with
 * the usual core and stage filters; never for another event type. */
static void test_monitor_by_id(void **state)
{
	(void)state;
	add("!monitor w 1000 1fff");			/* 0 */
	add("!monitor rw 1000 l 8 stage all core 1");	/* 1 */
	add("!cpuid");					/* 2 */
	assert_string_equal(fires(EVENT_MONITOR, 0, 2, 1, 0, PRE), "0");
	assert_string_equal(fires(EVENT_MONITOR, 1, 2, 1, 1, POST), "1");
	assert_string_equal(fires(EVENT_MONITOR, 1, 2, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_MONITOR, 0, 2, 1, 0, POST), "");
	assert_string_equal(fires(EVENT_MONITOR, 2, 2, 1, 0, PRE), "");
	assert_string_equal(fires(EVENT_CPUID, 0, 0, 1, 0, PRE), "2");
}

static void test_enable_state_and_order(void **state)
{
	const struct event *out[2];
	struct event_exit x = { .type = EVENT_TSC };

	(void)state;
	add("!tsc");
	add("!tsc");
	add("!tsc");
	add("!tsc");
	add("events d 1");
	assert_string_equal(fires(EVENT_TSC, 0, 0, 1, 0, PRE), "0 2 3");
	add("events c 2");
	add("!tsc");
	add("events e 1");
	assert_string_equal(fires(EVENT_TSC, 0, 0, 1, 0, PRE), "0 1 3 4");
	/* More matches than room: the count is still the total. */
	assert_int_equal(event_match(&fx.t, &x, out, 2), 4);
	assert_int_equal(out[0]->id, 0);
	assert_int_equal(out[1]->id, 1);
	add("events d all");
	assert_string_equal(fires(EVENT_TSC, 0, 0, 1, 0, PRE), "");
	add("events c all");
	assert_string_equal(fires(EVENT_TSC, 0, 0, 1, 0, PRE), "");
}

/* Windows of matches past an id: every matching event is reached, in id
 * order, whatever the window size (kmod/mon_events.c mon_fire). */
static void test_windows_after_id(void **state)
{
	const struct event *out[3];
	struct event_exit x = { .type = EVENT_TSC, .tgid = 1 };
	u32 i, n, last, seen;

	(void)state;
	for (i = 0; i < 8; i++)		/* the fixture's pool: 8 events */
		add(i == 2 ? "!cpuid" : "!tsc");
	add("events d 5");
	n = event_match(&fx.t, &x, out, 3);
	assert_int_equal(n, 6);		/* 8 - the cpuid one - disabled 5 */
	last = out[2]->id;
	assert_int_equal(last, 3);
	seen = 3;
	for (;;) {
		n = event_match_after(&fx.t, &x, last, out, 3);
		if (!n)
			break;
		for (i = 0; i < n; i++)
			assert_true(out[i]->id > last && out[i]->id != 5 &&
				    out[i]->id != 2);
		last = out[n - 1]->id;
		seen += n;
	}
	assert_int_equal(seen, 6);
	assert_int_equal(last, 7);
	assert_int_equal(event_match_after(&fx.t, &x, 7, out, 3), 0);
	n = event_match_after(&fx.t, &x, 0, out, 3);
	assert_int_equal(n, 3);
	assert_int_equal(out[0]->id, 1);
	assert_int_equal(out[1]->id, 3);
	assert_int_equal(out[2]->id, 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_msr_named_and_all),
		T(test_types_do_not_mix),
		T(test_arguments),
		T(test_io_access_width),
		T(test_crwrite_mask),
		T(test_pid_core_filters),
		T(test_stages),
		T(test_monitor_by_id),
		T(test_enable_state_and_order),
		T(test_windows_after_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
