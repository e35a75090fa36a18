// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the pure codec: hex, numbers, escapes, RLE, checksums. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gdbstub/rsp_codec.h"

static void test_hex_digits(void **state)
{
	(void)state;
	assert_int_equal(rsp_hex_val('0'), 0);
	assert_int_equal(rsp_hex_val('9'), 9);
	assert_int_equal(rsp_hex_val('a'), 10);
	assert_int_equal(rsp_hex_val('F'), 15);
	assert_int_equal(rsp_hex_val('g'), -1);
	assert_int_equal(rsp_hex_val('#'), -1);
}

static void test_hex_roundtrip(void **state)
{
	u8 in[256], out[256];
	char txt[512];
	int i;

	(void)state;
	for (i = 0; i < 256; i++)
		in[i] = (u8)i;
	rsp_hex_encode(txt, in, 256);
	assert_memory_equal(txt, "000102", 6);
	assert_memory_equal(txt + 510, "ff", 2);
	assert_int_equal(rsp_hex_decode(out, sizeof(out), txt, 512), 256);
	assert_memory_equal(in, out, 256);
	/* Upper case accepted on input. */
	assert_int_equal(rsp_hex_decode(out, 4, "AbCd", 4), 2);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
}

static void test_hex_decode_errors(void **state)
{
	u8 out[2];

	(void)state;
	assert_int_equal(rsp_hex_decode(out, 2, "abc", 3), -1);	/* odd */
	assert_int_equal(rsp_hex_decode(out, 2, "zz", 2), -1);
	assert_int_equal(rsp_hex_decode(out, 2, "001122", 6), -1); /* room */
	assert_int_equal(rsp_hex_decode(out, 2, "", 0), 0);
}

static void test_fmt_hex(void **state)
{
	char b[17];

	(void)state;
	b[rsp_fmt_hex(b, 0)] = 0;
	assert_string_equal(b, "0");
	b[rsp_fmt_hex(b, 0x4000)] = 0;
	assert_string_equal(b, "4000");
	b[rsp_fmt_hex(b, ~0ULL)] = 0;
	assert_string_equal(b, "ffffffffffffffff");
}

static void test_parse_numbers(void **state)
{
	const char *s = "ffffffff81000000,10:";
	struct rsp_cursor c = { s, s + strlen(s) };
	u64 v;
	int tid;

	(void)state;
	assert_true(rsp_parse_hex(&c, &v));
	assert_true(v == 0xffffffff81000000ULL);
	assert_true(rsp_expect(&c, ','));
	assert_false(rsp_expect(&c, ','));
	assert_true(rsp_parse_hex(&c, &v));
	assert_int_equal(v, 16);
	assert_false(rsp_parse_hex(&c, &v));		/* no digits at ':' */

	s = "10000000000000000";				/* 17 digits */
	c = (struct rsp_cursor){ s, s + strlen(s) };
	assert_false(rsp_parse_hex(&c, &v));

	s = "-1";
	c = (struct rsp_cursor){ s, s + 2 };
	assert_true(rsp_parse_tid(&c, &tid));
	assert_int_equal(tid, -1);
	s = "1f";
	c = (struct rsp_cursor){ s, s + 2 };
	assert_true(rsp_parse_tid(&c, &tid));
	assert_int_equal(tid, 31);
	s = "ffffffffff";
	c = (struct rsp_cursor){ s, s + strlen(s) };
	assert_false(rsp_parse_tid(&c, &tid));
	s = "-2";
	c = (struct rsp_cursor){ s, s + 2 };
	assert_false(rsp_parse_tid(&c, &tid));
}

/* rsp_accept: how the dispatcher steps over packet names. */
static void test_accept(void **state)
{
	const char *s = "qSupported:swbreak+";
	struct rsp_cursor c = { s, s + strlen(s) };

	(void)state;
	/* A prefix of a longer packet: consumed, the rest left. */
	assert_true(rsp_accept(&c, "qSupported"));
	assert_ptr_equal(c.p, s + 10);
	assert_true(rsp_expect(&c, ':'));
	/* Exact match: the cursor ends at the end. */
	s = "qC";
	c = (struct rsp_cursor){ s, s + 2 };
	assert_true(rsp_accept(&c, "qC"));
	assert_ptr_equal(c.p, c.end);
	assert_false(rsp_accept(&c, "q"));	/* nothing left */
	assert_true(rsp_accept(&c, ""));	/* the empty prefix always */
	assert_ptr_equal(c.p, c.end);
	/* Input shorter than the prefix: no match, no move. */
	s = "qSup";
	c = (struct rsp_cursor){ s, s + 4 };
	assert_false(rsp_accept(&c, "qSupported"));
	assert_ptr_equal(c.p, s);
	/* Bounded by end, not by a NUL: "qCx" cut to "qC". */
	s = "qCx";
	c = (struct rsp_cursor){ s, s + 2 };
	assert_false(rsp_accept(&c, "qCx"));
	assert_ptr_equal(c.p, s);
	/* A mismatch late in the prefix moves nothing; the next try sees
	 * the whole text. */
	s = "qXfer:threads:read::0,10";
	c = (struct rsp_cursor){ s, s + strlen(s) };
	assert_false(rsp_accept(&c, "qXfer:features:read:"));
	assert_ptr_equal(c.p, s);
	assert_false(rsp_accept(&c, "qXfer:threads:read::1"));
	assert_ptr_equal(c.p, s);
	assert_true(rsp_accept(&c, "qXfer:threads:read::"));
	assert_ptr_equal(c.p, s + 20);
	/* rsp_starts answers the same and never moves. */
	assert_true(rsp_starts(&c, "0,"));
	assert_false(rsp_starts(&c, "0,100"));
	assert_ptr_equal(c.p, s + 20);
}

static void test_escape_unescape(void **state)
{
	const u8 raw[] = { '#', '$', '}', '*', 'a', 0x03, 0x00 };
	char esc[32];
	u8 back[32];
	size_t took, n;

	(void)state;
	n = rsp_escape(esc, sizeof(esc), raw, sizeof(raw), &took);
	assert_int_equal(took, sizeof(raw));
	assert_int_equal(n, sizeof(raw) + 4);
	assert_memory_equal(esc, "}\x03}\x04}\x5d}\x0a" "a\x03\x00", n);
	assert_int_equal(rsp_unescape(back, sizeof(back), esc, n),
			 sizeof(raw));
	assert_memory_equal(back, raw, sizeof(raw));
	/* Escape stops cleanly when an escaped pair would not fit. */
	n = rsp_escape(esc, 3, raw, sizeof(raw), &took);
	assert_int_equal(n, 2);
	assert_int_equal(took, 1);
	/* A dangling '}' and overflow are errors. */
	assert_int_equal(rsp_unescape(back, sizeof(back), "ab}", 3), -1);
	assert_int_equal(rsp_unescape(back, 1, "ab", 2), -1);
}

static void test_checksum(void **state)
{
	(void)state;
	assert_int_equal(rsp_checksum("?", 1), 0x3f);
	assert_int_equal(rsp_checksum("qC", 2), 0xb4);
	assert_int_equal(rsp_checksum("", 0), 0);
}

/* Expands RLE the way gdb does. */
static size_t rle_decode(char *dst, const char *src, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (src[i] == '*') {
			int k, rep = src[++i] - 29;

			for (k = 0; k < rep; k++, o++)
				dst[o] = dst[o - 1];
		} else {
			dst[o++] = src[i];
		}
	}
	return o;
}

static void test_rle(void **state)
{
	char src[600], enc[600], dec[700];
	size_t n, i, len;

	(void)state;
	n = rsp_rle_encode(enc, sizeof(enc), "0000000000", 10);
	assert_int_equal(n, 3);		/* "0*&": 0 plus 9 repeats */
	assert_memory_equal(enc, "0*&", 3);
	/* Every run length: never '#' or '$' as count, always round trips. */
	for (len = 1; len < 300; len++) {
		memset(src, '0', len);
		src[len] = 'x';
		n = rsp_rle_encode(enc, sizeof(enc), src, len + 1);
		assert_true(n > 0 && n <= len + 1);
		for (i = 0; i < n; i++) {
			assert_true(enc[i] != '#' && enc[i] != '$');
			assert_true((u8)enc[i] <= 126);
		}
		assert_int_equal(rle_decode(dec, enc, n), len + 1);
		assert_memory_equal(dec, src, len + 1);
	}
	/* Escapes and non-hex text are never compressed. */
	n = rsp_rle_encode(enc, sizeof(enc), "}}}}}}OOOOOO", 12);
	assert_int_equal(n, 12);
	/* Too small a buffer fails instead of overflowing. */
	assert_int_equal(rsp_rle_encode(enc, 2, "abc", 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_digits),
		cmocka_unit_test(test_hex_roundtrip),
		cmocka_unit_test(test_hex_decode_errors),
		cmocka_unit_test(test_fmt_hex),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_escape_unescape),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_rle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
