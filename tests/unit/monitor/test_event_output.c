/* Batched (imm no) event output: whole messages queue in order, a full
 * buffer drops and counts, the count is reported after the survivors, and
 * a flush is requested before the buffer fills. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "monitor-cmds/event_output.h"

static char ring[32];
static struct event_outbuf b;

static int setup(void **state)
{
	(void)state;
	memset(ring, 0, sizeof(ring));
	event_outbuf_init(&b, ring, sizeof(ring));
	return 0;
}

static int put(const char *s)
{
	return event_outbuf_put(&b, s, (u32)strlen(s));
}

/* Everything a user would see, draining through an out buffer of cap. */
static const char *drain_all(u32 cap)
{
	static char all[512];
	char out[256];
	u32 n;

	all[0] = '\0';
	while ((n = event_outbuf_drain(&b, out, cap)) != 0) {
		assert_int_equal(strlen(out), n);
		strcat(all, out);
	}
	return all;
}

static void test_in_order(void **state)
{
	(void)state;
	assert_int_equal(put("rdmsr c0000082\n"), EVENT_OUT_QUEUED);
	assert_int_equal(put("x"), EVENT_OUT_QUEUED);
	assert_string_equal(drain_all(256), "rdmsr c0000082\nx");
	assert_string_equal(drain_all(256), "");
}

static void test_flush_requested_at_three_quarters(void **state)
{
	(void)state;
	assert_int_equal(put("0123456789"), EVENT_OUT_QUEUED);	/* 10 */
	assert_int_equal(put("0123456789"), EVENT_OUT_QUEUED);	/* 20 */
	assert_int_equal(put("0123"), EVENT_OUT_FLUSH);		/* 24 */
}

static void test_full_counts_and_reports(void **state)
{
	(void)state;
	assert_int_equal(put("aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"), EVENT_OUT_FLUSH);
	assert_int_equal(put("bbb\n"), EVENT_OUT_LOST);	/* 30 + 4 > 32 */
	assert_int_equal(put("c\n"), EVENT_OUT_FLUSH);	/* fits exactly */
	assert_int_equal(put("d"), EVENT_OUT_LOST);
	assert_string_equal(drain_all(256), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nc\n"
			    "hvgdb: 0x2 event messages lost (output buffer "
			    "full)\n");
	/* Reported once. */
	assert_int_equal(put("e\n"), EVENT_OUT_QUEUED);
	assert_string_equal(drain_all(256), "e\n");
}

static void test_small_drains_and_wrap(void **state)
{
	char expect[512] = "";
	int i;

	(void)state;
	/* Many rounds through the ring, drained 7 bytes at a time, with a
	 * loss notice that only fits in a later call. */
	for (i = 0; i < 40; i++) {
		char msg[16];

		snprintf(msg, sizeof(msg), "m%02d;", i);
		assert_true(put(msg) >= 0);
		strcat(expect, msg);
		if (i % 5 == 4) {
			assert_string_equal(drain_all(7), expect);
			expect[0] = '\0';
		}
	}
	for (i = 0; i < 9; i++)
		put("0123");
	assert_int_equal(b.lost, 1);
	/* 8 messages survive; the notice is too long for a 7-byte buffer, so
	 * it comes through a bigger one. */
	assert_string_equal(drain_all(7),
			    "01230123012301230123012301230123");
	assert_int_equal(b.lost, 1);
	assert_string_equal(drain_all(256), "hvgdb: 0x1 event messages lost "
			    "(output buffer full)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_in_order, setup),
		cmocka_unit_test_setup(test_flush_requested_at_three_quarters,
				       setup),
		cmocka_unit_test_setup(test_full_counts_and_reports, setup),
		cmocka_unit_test_setup(test_small_drains_and_wrap, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
