/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linebuf.h - text a line at a time without snprintf, for the pure
 * formatters of kmod/lib (vmx_describe.c, qemu_info.c) that run in VMX
 * root as well as in the unit tests.
 *
 * Contract: a struct linebuf lives on the caller's stack; text beyond
 * LINEBUF_MAX - 1 bytes is cut, never written past the buffer.
 * linebuf_end() hands the line, NUL-terminated and without a newline, to
 * the emit callback and starts the next one.  No allocation, no lock.
 */
#ifndef HVGDB_KMOD_LINEBUF_H
#define HVGDB_KMOD_LINEBUF_H

#include "hvgdb/freestanding.h"

#define LINEBUF_MAX	200

struct linebuf {
	void (*emit)(void *ctx, const char *line);
	void *ctx;
	u32 n;
	char s[LINEBUF_MAX];
};

void linebuf_init(struct linebuf *o, void (*emit)(void *ctx,
		  const char *line), void *ctx);
void linebuf_char(struct linebuf *o, char c);
void linebuf_str(struct linebuf *o, const char *s);
/* Lower-case hex digits, at least @width of them (at most 16); with
 * @prefix, "0x" first. */
void linebuf_hex(struct linebuf *o, u64 v, u32 width, bool prefix);
void linebuf_dec(struct linebuf *o, u32 v);
void linebuf_end(struct linebuf *o);

#endif /* HVGDB_KMOD_LINEBUF_H */
