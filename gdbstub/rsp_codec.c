// SPDX-License-Identifier: GPL-2.0
/*
 * rsp_codec.c - hex, escapes, run-length encoding and checksums.
 */
#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_codec.h"

static const char rsp_hexdig[] = "0123456789abcdef";

int rsp_hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void rsp_hex_encode(char *dst, const u8 *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = rsp_hexdig[src[i] >> 4];
		dst[2 * i + 1] = rsp_hexdig[src[i] & 0xf];
	}
}

long rsp_hex_decode(u8 *dst, size_t dst_max, const char *src, size_t nchars)
{
	size_t i;

	if (nchars & 1 || nchars / 2 > dst_max)
		return -1;
	for (i = 0; i < nchars / 2; i++) {
		int hi = rsp_hex_val((u8)src[2 * i]);
		int lo = rsp_hex_val((u8)src[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		dst[i] = (u8)(hi << 4 | lo);
	}
	return (long)(nchars / 2);
}

size_t rsp_fmt_hex(char *dst, u64 v)
{
	int shift = 60;
	size_t n = 0;

	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		dst[n++] = rsp_hexdig[(v >> shift) & 0xf];
	return n;
}

bool rsp_parse_hex(struct rsp_cursor *c, u64 *out)
{
	u64 v = 0;
	int digits = 0;
	int d;

	while (c->p < c->end && (d = rsp_hex_val((u8)*c->p)) >= 0) {
		if (++digits > 16)
			return false;
		v = v << 4 | (u64)d;
		c->p++;
	}
	*out = v;
	return digits > 0;
}

bool rsp_parse_tid(struct rsp_cursor *c, int *out)
{
	u64 v;

	if (rsp_accept(c, "-1")) {
		*out = -1;
		return true;
	}
	/* Thread ids are CPU numbers + 1; anything near 2^31 is bogus. */
	if (!rsp_parse_hex(c, &v) || v > 0x7fffffff)
		return false;
	*out = (int)v;
	return true;
}

bool rsp_expect(struct rsp_cursor *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

bool rsp_starts(const struct rsp_cursor *c, const char *s)
{
	struct rsp_cursor peek = *c;

	return rsp_accept(&peek, s);
}

bool rsp_accept(struct rsp_cursor *c, const char *prefix)
{
	size_t n = strlen(prefix);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, prefix, n))
		return false;
	c->p += n;
	return true;
}

bool rsp_needs_escape(u8 b)
{
	return b == '#' || b == '$' || b == '}' || b == '*';
}

long rsp_unescape(u8 *dst, size_t dst_max, const char *src, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		u8 b = (u8)src[i];

		if (b == '}') {
			if (++i >= n)
				return -1;
			b = (u8)src[i] ^ 0x20;
		}
		if (o >= dst_max)
			return -1;
		dst[o++] = b;
	}
	return (long)o;
}

size_t rsp_escape(char *dst, size_t dst_max, const u8 *src, size_t n,
		  size_t *consumed)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (rsp_needs_escape(src[i])) {
			if (o + 2 > dst_max)
				break;
			dst[o++] = '}';
			dst[o++] = (char)(src[i] ^ 0x20);
		} else {
			if (o + 1 > dst_max)
				break;
			dst[o++] = (char)src[i];
		}
	}
	*consumed = i;
	return o;
}

u8 rsp_checksum(const char *buf, size_t n)
{
	const u8 *p = (const u8 *)buf;
	u32 a = 0, b = 0, c = 0, d = 0;
	size_t i = 0;

	/* Four independent sums: the byte loop is the hot path of 'm'. */
	for (; i + 4 <= n; i += 4) {
		a += p[i];
		b += p[i + 1];
		c += p[i + 2];
		d += p[i + 3];
	}
	for (; i < n; i++)
		a += p[i];
	return (u8)(a + b + c + d);
}

static bool rsp_rle_ok(char c)
{
	return rsp_hex_val((u8)c) >= 0 || c == 'x';
}

size_t rsp_rle_encode(char *dst, size_t dst_max, const char *src, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		char c = src[i];
		size_t run = 1;

		while (i + run < n && src[i + run] == c)
			run++;
		i += run;
		if (o + run > dst_max && (run < 4 || !rsp_rle_ok(c)))
			return 0;
		if (run < 4) {
			/* Too short to gain anything: copy as is.  Spelled out
			 * so the compiler does not call memset per char. */
			dst[o] = c;
			if (run > 1)
				dst[o + 1] = c;
			if (run > 2)
				dst[o + 2] = c;
			o += run;
			continue;
		}
		if (!rsp_rle_ok(c)) {
			memset(dst + o, c, run);
			o += run;
			continue;
		}
		while (run > 0) {
			size_t rep = run - 1;

			if (o >= dst_max)
				return 0;
			dst[o++] = c;
			run--;
			if (rep < 3)
				continue;
			/* N = rep + 29 must be printable, <= '~', not # or $. */
			if (rep > 97)
				rep = 97;
			if (rep == 6 || rep == 7)
				rep = 5;
			if (o + 2 > dst_max)
				return 0;
			dst[o++] = '*';
			dst[o++] = (char)(rep + 29);
			run -= rep;
		}
	}
	return o;
}
