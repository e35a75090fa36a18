// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the pattern search (gdbstub/rsp_search.c): matches across
 * reads of any size, at the end of the range, around unreadable pages
 * (stepped over or failing), the refused arguments; and gdb's
 * qSearch:memory packet over the fake target, virtual and with QEMU's
 * PhyMemMode, with escaped patterns and the error replies.
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
#include "gdbstub/rsp_search.h"
#include "support_fake.h"

/* --- the search over a model memory -------------------------------------- */

/* Four pages at MEM_BASE; page `hole` (if < 4) cannot be read; each read
 * returns at most `chunk` bytes and never crosses a page. */
#define MEM_BASE	0x10000ull
#define MEM_PAGES	4
struct model {
	u8 mem[MEM_PAGES * 4096];
	int hole;
	size_t chunk;
	int reads, ticks;
};

static void model_tick(void *ctx)
{
	((struct model *)ctx)->ticks++;
}

static long model_read(void *ctx, u64 addr, u8 *buf, size_t len)
{
	struct model *m = ctx;
	u64 off = addr - MEM_BASE, page_left;

	m->reads++;
	if (addr < MEM_BASE || off >= sizeof(m->mem) ||
	    (int)(off / 4096) == m->hole)
		return -RSP_EFAULT;
	page_left = 4096 - (off & 4095);
	if (len > page_left)
		len = page_left;
	if (len > m->chunk)
		len = m->chunk;
	memcpy(buf, m->mem + off, len);
	return (long)len;
}

static struct model *model_new(size_t chunk, int hole)
{
	struct model *m = calloc(1, sizeof(*m));

	m->chunk = chunk;
	m->hole = hole;
	return m;
}

static int search(struct model *m, const char *pat, u64 addr, u64 len,
		  bool skip, u64 *found, struct rsp_search *out)
{
	static u8 win[64];
	struct rsp_search s = {
		.read = model_read, .ctx = m, .pat = (const u8 *)pat,
		.plen = strlen(pat), .win = win, .win_size = sizeof(win),
		.skip_faults = skip, .tick = model_tick, .tick_ctx = m,
	};
	int r = rsp_search_mem(&s, addr, len, found);

	if (out)
		*out = s;
	return r;
}

static void test_match_across_reads_of_every_size(void **state)
{
	size_t chunk;
	u64 at;

	(void)state;
	for (chunk = 1; chunk <= 40; chunk++) {
		struct model *m = model_new(chunk, MEM_PAGES);

		memcpy(m->mem + 0x1ffd, "needle", 6);	/* across a page */
		memcpy(m->mem + 0x2ffd, "needle", 6);
		assert_int_equal(search(m, "needle", MEM_BASE, sizeof(m->mem),
					false, &at, NULL), 1);
		/* The caller hears of every read (its keepalive). */
		assert_int_equal(m->ticks, m->reads);
		assert_int_equal(at, MEM_BASE + 0x1ffd);
		/* The next one, from just after the first. */
		assert_int_equal(search(m, "needle", at + 1,
					MEM_BASE + sizeof(m->mem) - at - 1,
					false, &at, NULL), 1);
		assert_int_equal(at, MEM_BASE + 0x2ffd);
		assert_int_equal(search(m, "needle", at + 1,
					MEM_BASE + sizeof(m->mem) - at - 1,
					false, &at, NULL), 0);
		free(m);
	}
}

static void test_match_must_end_inside_the_range(void **state)
{
	struct model *m = model_new(64, MEM_PAGES);
	u64 at = 0;

	(void)state;
	memcpy(m->mem + 0x100, "abc", 3);
	assert_int_equal(search(m, "abc", MEM_BASE + 0x100, 3, false, &at,
				NULL), 1);
	assert_int_equal(at, MEM_BASE + 0x100);
	assert_int_equal(search(m, "abc", MEM_BASE + 0xf0, 0x12, false, &at,
				NULL), 0);
	assert_int_equal(search(m, "abc", MEM_BASE + 0x101, 0x10, false, &at,
				NULL), 0);
	/* An empty range reads nothing and finds nothing. */
	m->reads = 0;
	assert_int_equal(search(m, "abc", MEM_BASE, 0, false, &at, NULL), 0);
	assert_int_equal(m->reads, 0);
	free(m);
}

static void test_holes_fail_or_are_stepped_over(void **state)
{
	struct model *m = model_new(16, 1);	/* page 1 unreadable */
	struct rsp_search s;
	u64 at;

	(void)state;
	memcpy(m->mem + 0x0ffe, "xyzw", 4);	/* runs into the hole */
	memcpy(m->mem + 0x2800, "xyzw", 4);
	assert_int_equal(search(m, "xyzw", MEM_BASE, sizeof(m->mem), false,
				&at, &s), -RSP_EFAULT);
	assert_int_equal(s.fault, MEM_BASE + 0x1000);
	assert_int_equal(search(m, "xyzw", MEM_BASE, sizeof(m->mem), true,
				&at, &s), 1);
	assert_int_equal(at, MEM_BASE + 0x2800);
	assert_int_equal(s.skipped, 1);
	/* A range that starts inside the hole, and one that ends in it. */
	assert_int_equal(search(m, "xyzw", MEM_BASE + 0x1800, 0x1004, true,
				&at, &s), 1);
	assert_int_equal(at, MEM_BASE + 0x2800);
	assert_int_equal(s.skipped, 1);
	assert_int_equal(search(m, "xyzw", MEM_BASE + 0x800, 0x1000, true,
				&at, &s), 0);
	assert_int_equal(s.skipped, 1);
	free(m);
}

static void test_refused_arguments(void **state)
{
	struct model *m = model_new(64, MEM_PAGES);
	char big[40];
	u64 at;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;	/* 39 bytes > a 64-byte window / 2 */
	assert_int_equal(search(m, "", MEM_BASE, 16, false, &at, NULL),
			 -RSP_EINVAL);
	assert_int_equal(search(m, big, MEM_BASE, 16, false, &at, NULL),
			 -RSP_EINVAL);
	assert_int_equal(search(m, "a", ~0ull - 4, 16, false, &at, NULL),
			 -RSP_EINVAL);
	assert_int_equal(search(m, "a", MEM_BASE, RSP_SEARCH_MAX + 1, false,
				&at, NULL), -RSP_EINVAL);
	/* The whole top of the address space is a valid range. */
	assert_int_equal(search(m, "a", ~0ull - 15, 16, true, &at, NULL), 0);
	free(m);
}

/* --- qSearch:memory ------------------------------------------------------ */

#define X (*(struct fake_session **)state)

/* The fake's memory at FAKE_MEM holds byte i at FAKE_MEM + i (mod 256). */
/* A long monitor command keeps gdb waiting: what is buffered goes out,
 * else an empty O packet; then the command's OK. */
static void test_monitor_keepalive(void **state)
{
	assert_string_equal(fake_session_req(X, "qRcmd,616c697665"), "OK");
	assert_string_equal(fake_packet(&X->f, X->seen - 3), "O61");
	assert_string_equal(fake_packet(&X->f, X->seen - 2), "O");
}

static void test_qsearch_finds_and_goes_on(void **state)
{
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1000;1000;\x10\x11\x12"), "1,1010");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1011;fef;\x10\x11\x12"), "1,1110");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1000;1000;\x12\x10"), "0");
	/* '#' and '$' come escaped, as gdb sends them. */
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1000;1000;}\x03}\x04"), "1,1023");
	/* The last three bytes of the range, and one byte short of them. */
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1ffd;3;\xfd\xfe\xff"), "1,1ffd");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1ffd;2;\xfd\xfe\xff"), "0");
}

static void test_qsearch_errors(void **state)
{
	/* Memory the target cannot read is stepped over. */
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1800;1000;\x12\x10"), "0");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:800;1000;\x01\x02"), "1,1001");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1000;1000;"), "E16");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1000;\x41"), "E16");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:1000;10000001;\x41"), "E07");
}

/* With PhyMemMode the pattern is looked for in physical memory, where the
 * fake holds 0xff - i at FAKE_PHYS + i. */
static void test_qsearch_physical(void **state)
{
	assert_string_equal(fake_session_req(X, "Qqemu.PhyMemMode:1"), "OK");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:8000;1000;\xf0\xef"), "1,800f");
	assert_string_equal(fake_session_req(X, "Qqemu.PhyMemMode:0"), "OK");
	assert_string_equal(fake_session_req(X,
		"qSearch:memory:8000;1000;\xf0\xef"), "0");
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_session_setup, \
					     fake_session_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_across_reads_of_every_size),
		cmocka_unit_test(test_match_must_end_inside_the_range),
		cmocka_unit_test(test_holes_fail_or_are_stepped_over),
		cmocka_unit_test(test_refused_arguments),
		T(test_monitor_keepalive),
		T(test_qsearch_finds_and_goes_on),
		T(test_qsearch_errors),
		T(test_qsearch_physical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
