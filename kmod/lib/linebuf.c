// SPDX-License-Identifier: GPL-2.0
/*
 * linebuf.c - a bounded line of text and its hand-over (linebuf.h).
 */
#include "kmod/lib/linebuf.h"

void linebuf_init(struct linebuf *o, void (*emit)(void *ctx,
		  const char *line), void *ctx)
{
	o->emit = emit;
	o->ctx = ctx;
	o->n = 0;
}

void linebuf_char(struct linebuf *o, char c)
{
	if (o->n < sizeof(o->s) - 1)
		o->s[o->n++] = c;
}

void linebuf_str(struct linebuf *o, const char *s)
{
	while (*s)
		linebuf_char(o, *s++);
}

void linebuf_hex(struct linebuf *o, u64 v, u32 width, bool prefix)
{
	char d[16];
	u32 i = 0;

	if (width > sizeof(d))
		width = sizeof(d);
	do {
		d[i++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v || i < width);
	if (prefix)
		linebuf_str(o, "0x");
	while (i)
		linebuf_char(o, d[--i]);
}

void linebuf_dec(struct linebuf *o, u32 v)
{
	char d[11];
	u32 i = 0;

	do {
		d[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		linebuf_char(o, d[--i]);
}

void linebuf_end(struct linebuf *o)
{
	o->s[o->n] = '\0';
	o->emit(o->ctx, o->s);
	o->n = 0;
}
