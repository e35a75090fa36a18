/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rsp_codec.h - pure encoders/decoders of the GDB remote protocol.
 *
 * Contract: no state, no I/O; every function is bounded by the lengths it
 * is given and never writes past dst_max.  Hex is lower case on output and
 * either case on input.  Binary escaping is '}' followed by byte ^ 0x20
 * for '#', '$', '}' and '*' (gdb manual, "Overview" of the protocol).
 */
#ifndef HVGDB_RSP_CODEC_H
#define HVGDB_RSP_CODEC_H

#include "hvgdb/freestanding.h"

/* Value of a hex digit, or -1. */
int rsp_hex_val(int c);
/* Writes 2 * n chars (no NUL). */
void rsp_hex_encode(char *dst, const u8 *src, size_t n);
/* Decodes nchars (must be even) into dst; returns bytes or -1. */
long rsp_hex_decode(u8 *dst, size_t dst_max, const char *src, size_t nchars);
/* Formats v in hex without leading zeros ("0" for 0); returns length.
 * dst needs 16 chars. */
size_t rsp_fmt_hex(char *dst, u64 v);

/* A cursor over a packet payload for the parsers below. */
struct rsp_cursor {
	const char *p;
	const char *end;
};
/* Parses 1..16 hex digits; false if none or too many. */
bool rsp_parse_hex(struct rsp_cursor *c, u64 *out);
/* Parses a thread id: hex digits, or "-1". */
bool rsp_parse_tid(struct rsp_cursor *c, int *out);
/* Consumes ch if it is next. */
bool rsp_expect(struct rsp_cursor *c, char ch);
/* True if the remaining text starts with s (does not consume). */
bool rsp_starts(const struct rsp_cursor *c, const char *s);
/* Consumes prefix if the remaining text starts with it; on a mismatch the
 * cursor does not move at all.  How packet names are skipped. */
bool rsp_accept(struct rsp_cursor *c, const char *prefix);

/* Whether byte b must be escaped in binary data. */
bool rsp_needs_escape(u8 b);
/* Unescapes src[0..n) into dst; returns bytes or -1 (dangling '}' or
 * overflow). */
long rsp_unescape(u8 *dst, size_t dst_max, const char *src, size_t n);
/* Escapes as many of src[0..n) as fit into dst_max; *consumed gets how
 * many source bytes were taken; returns chars written. */
size_t rsp_escape(char *dst, size_t dst_max, const u8 *src, size_t n,
		  size_t *consumed);

/* Modulo-256 sum of the bytes (the packet checksum). */
u8 rsp_checksum(const char *buf, size_t n);

/*
 * Run-length encodes src into dst (gdb manual, "Overview": c*N repeats c
 * N-29 more times; '#' and '$' may not be used as N).  Only runs of hex
 * digits and 'x' are encoded, so escapes are never touched.  Returns the
 * length, or 0 if dst_max is too small.
 */
size_t rsp_rle_encode(char *dst, size_t dst_max, const char *src, size_t n);

#endif /* HVGDB_RSP_CODEC_H */
