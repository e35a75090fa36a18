// SPDX-License-Identifier: GPL-2.0
/* cmd_out.c - bounded text output; see cmd_out.h. */
#include "hvgdb/freestanding.h"
#include "cmd_out.h"

void cmd_out_init(struct cmd_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->truncated = false;
	if (cap)
		buf[0] = '\0';
}

void cmd_out_char(struct cmd_out *o, char c)
{
	if (!o->cap || o->len + 1 >= o->cap) {
		o->truncated = true;
		return;
	}
	o->buf[o->len++] = c;
	o->buf[o->len] = '\0';
}

void cmd_out_mem(struct cmd_out *o, const char *s, size_t n)
{
	size_t room;

	if (!o->cap)
		return;
	room = o->cap - 1 - o->len;
	if (n > room) {
		n = room;
		o->truncated = true;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void cmd_out_str(struct cmd_out *o, const char *s)
{
	cmd_out_mem(o, s, strlen(s));
}

void cmd_out_safe(struct cmd_out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		cmd_out_char(o, (c >= 0x20 && c < 0x7f) ? c : '?');
	}
}

void cmd_out_hex(struct cmd_out *o, u64 v)
{
	char tmp[16];
	int n = 0;

	cmd_out_str(o, "0x");
	do {
		tmp[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	while (n)
		cmd_out_char(o, tmp[--n]);
}

void cmd_out_dec(struct cmd_out *o, u64 v)
{
	char tmp[20];
	int n = 0;

	/* Division by a constant 10 on u64 is a plain 64-bit divide on
	 * x86-64 (no 128-bit helper needed in the kernel). */
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		cmd_out_char(o, tmp[--n]);
}
