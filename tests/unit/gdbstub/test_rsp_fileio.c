// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of File-I/O requests (gdbstub/rsp_fileio.c): Fopen and
 * Fwrite sent while gdb waits for a stop, gdb's m packets answered from
 * the caller's buffer at RSP_FIO_ADDR only, gdb's F replies (count,
 * errno, Ctrl-C), a gdb that does not answer, and the reset a new gdb
 * brings.  gdb's side of each exchange is queued before the call, as the
 * fake transport replays a fixed input (support_fake.c).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gdbstub/gdbstub.h"
#include "support_fake.h"

#define X (*(struct fake_session **)state)

/* Queues a packet of gdb's without serving it. */
static void feed(struct fake_session *x, const char *payload)
{
	char buf[4096];
	size_t n = fake_frame(buf, payload);

	memcpy(x->in + x->in_len, buf, n);
	x->in_len += n;
	x->f.in_len = x->in_len;
}

/* The packets sent since the last look, from the first new one. */
static const char *next_packet(struct fake_session *x)
{
	if (x->seen >= fake_npackets(&x->f))
		return NULL;
	return fake_packet(&x->f, x->seen++);
}

static void resume(struct fake_session *x)
{
	assert_null(fake_session_req(x, "c"));
	assert_true(rsp_gdb_waiting(&x->eng));
}

static void test_nothing_sent_unless_gdb_waits(void **state)
{
	int n = fake_npackets(&X->f);

	assert_int_equal(rsp_fileio_write(&X->eng, 3, "ab", 2), -RSP_EAGAIN);
	assert_int_equal(rsp_fileio_open(&X->eng, "/tmp/x", RSP_FIO_O_WRONLY,
					 0600), -RSP_EAGAIN);
	assert_int_equal(fake_npackets(&X->f), n);
}

static void test_write_serves_m_from_the_buffer(void **state)
{
	resume(X);
	feed(X, "mfffffffffff00000,4");
	feed(X, "F4");
	assert_int_equal(rsp_fileio_write(&X->eng, 3, "ab\ncd", 4), 4);
	assert_string_equal(next_packet(X), "Fwrite,3,fffffffffff00000,4");
	assert_string_equal(next_packet(X), "61620a63");
	assert_null(next_packet(X));
	/* gdb still waits for the stop: the request was not one. */
	assert_true(rsp_gdb_waiting(&X->eng));
}

static void test_m_outside_the_buffer_faults(void **state)
{
	resume(X);
	feed(X, "mfffffffffff00002,10");	/* runs past the end: cut */
	feed(X, "mfffffffffff00004,1");	/* just past the end */
	feed(X, "m1000,4");			/* target memory: not now */
	feed(X, "mzz");
	feed(X, "Hg1");
	feed(X, "qC");
	feed(X, "F4");
	assert_int_equal(rsp_fileio_write(&X->eng, 7, "wxyz", 4), 4);
	assert_string_equal(next_packet(X), "Fwrite,7,fffffffffff00000,4");
	assert_string_equal(next_packet(X), "797a");
	assert_string_equal(next_packet(X), "E0e");
	assert_string_equal(next_packet(X), "E0e");
	assert_string_equal(next_packet(X), "E16");
	assert_string_equal(next_packet(X), "OK");
	assert_string_equal(next_packet(X), "");
	assert_null(next_packet(X));
}

static void test_open_sends_the_path_with_its_nul(void **state)
{
	resume(X);
	feed(X, "mfffffffffff00000,7");
	feed(X, "F5");
	assert_int_equal(rsp_fileio_open(&X->eng, "/tmp/s",
					 RSP_FIO_O_WRONLY | RSP_FIO_O_APPEND,
					 0600), 5);
	assert_string_equal(next_packet(X),
			    "Fopen,fffffffffff00000/7,9,180");
	assert_string_equal(next_packet(X), "2f746d702f7300");
}

static void test_errors_come_back_as_negative_errno(void **state)
{
	resume(X);
	feed(X, "F-1,13");
	assert_int_equal(rsp_fileio_open(&X->eng, "/root/x", RSP_FIO_O_WRONLY,
					 0600), -0x13);
	feed(X, "F-1");				/* no errno: -1 */
	assert_int_equal(rsp_fileio_write(&X->eng, 3, "a", 1), -1);
	feed(X, "Fzz");				/* malformed, then a real one */
	feed(X, "F1");
	assert_int_equal(rsp_fileio_write(&X->eng, 3, "a", 1), 1);
	assert_int_equal(rsp_fileio_write(&X->eng, -1, "a", 1), -RSP_EINVAL);
	assert_int_equal(rsp_fileio_write(&X->eng, 3, "a", 0), -RSP_EINVAL);
}

static void test_ctrl_c_in_the_reply_stops(void **state)
{
	resume(X);
	assert_false(rsp_poll_running(&X->eng));
	feed(X, "F-1,4,C");
	assert_int_equal(rsp_fileio_write(&X->eng, 3, "a", 1), -4);
	assert_true(rsp_poll_running(&X->eng));
	assert_false(rsp_poll_running(&X->eng));	/* once */
}

static void test_silent_gdb_ends_file_io_until_a_new_one(void **state)
{
	u32 peer = rsp_fileio_peer(&X->eng);
	int n;

	resume(X);
	assert_int_equal(rsp_fileio_write(&X->eng, 3, "a", 1), -RSP_EIO);
	n = fake_npackets(&X->f);
	/* No second wait: nothing is sent at all. */
	assert_int_equal(rsp_fileio_write(&X->eng, 3, "a", 1), -RSP_EIO);
	assert_int_equal(fake_npackets(&X->f), n);
	assert_int_equal(rsp_fileio_peer(&X->eng), peer);
	X->seen = n;
	assert_non_null(fake_session_req(X, "qSupported:swbreak+"));
	assert_int_not_equal(rsp_fileio_peer(&X->eng), peer);
	resume(X);
	feed(X, "F1");
	assert_int_equal(rsp_fileio_write(&X->eng, 3, "a", 1), 1);
	peer = rsp_fileio_peer(&X->eng);
	rsp_reset_connection(&X->eng);
	assert_int_not_equal(rsp_fileio_peer(&X->eng), peer);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_session_setup, \
					     fake_session_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_nothing_sent_unless_gdb_waits),
		T(test_write_serves_m_from_the_buffer),
		T(test_m_outside_the_buffer_faults),
		T(test_open_sends_the_path_with_its_nul),
		T(test_errors_come_back_as_negative_errno),
		T(test_ctrl_c_in_the_reply_stops),
		T(test_silent_gdb_ends_file_io_until_a_new_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
