// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_qemu.c - QEMU's `xp /fmt addr` for cmd_parse(), and its lines
 * (cmd_qemu.h).
 *
 * As QEMU's monitor: /fmt is [count][format][size] with format one of
 * x d u o c (i, QEMU's disassembly, is refused: the module has no
 * disassembler) and size b h w g (L as g); the defaults are 1, x, w; a
 * 'c' dumps bytes.  `xp/fmt addr` (no blank) works too.  The address is
 * a number as QEMU reads one (strtoull base 0: 0x hex, a leading 0 octal,
 * else decimal), not the command language's hex default, so a QEMU
 * user's habits give the same address.  Unlike QEMU the format is not
 * remembered from one xp to the next.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_qemu.h"

/* strtoull(s, 0) over exactly n characters; false if any is not a digit
 * of the base or the value passes 64 bits. */
static bool xp_number(const char *s, u32 n, u64 *v)
{
	u32 base = 10, i = 0;
	u64 x = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n > 1 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		char c = s[i];
		u32 d = c >= '0' && c <= '9' ? (u32)(c - '0') :
			c >= 'a' && c <= 'f' ? (u32)(c - 'a' + 10) :
			c >= 'A' && c <= 'F' ? (u32)(c - 'A' + 10) : 99;

		if (d >= base || x > (~0ull - d) / base)
			return false;
		x = x * base + d;
	}
	*v = x;
	return true;
}

/* "/[count][format][size]" at s (n characters, s[0] == '/'). */
static int xp_format(struct cmd_parser *p, u32 col, const char *s, u32 n,
		     struct cmd_parsed *c)
{
	u64 count = 1;
	u32 i = 1;
	char f = 'x';
	u8 size = 4;

	if (i < n && s[i] >= '0' && s[i] <= '9') {
		count = 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (count <= CMD_DUMP_MAX)	/* stays too big */
				count = count * 10 + (u64)(s[i] - '0');
	}
	for (; i < n; i++) {
		switch (s[i]) {
		case 'x': case 'd': case 'u': case 'o': case 'c':
			f = s[i];
			continue;
		case 'b':
			size = 1;
			continue;
		case 'h':
			size = 2;
			continue;
		case 'w':
			size = 4;
			continue;
		case 'g': case 'L':
			size = 8;
			continue;
		case 'i':
			cmd_err(p->err, col + i, "xp /i is QEMU's disassembly; the "
				"module has none: use gdb's x/i (physical with "
				"Qqemu.PhyMemMode:1)", NULL, 0, "");
			return -1;
		default:
			cmd_err(p->err, col + i, "invalid char in format: ",
				s + i, 1, "");
			return -1;
		}
	}
	if (!count || count * size > CMD_DUMP_MAX) {
		struct cmd_out o;

		cmd_err_start(p->err, &o, col + 1);
		cmd_out_str(&o, "xp shows 1 to ");
		cmd_out_hex(&o, CMD_DUMP_MAX);
		cmd_out_str(&o, " bytes (count times the size)");
		return -1;
	}
	/* As QEMU's memory_dump(): the length and the line come from the
	 * size given, then 'c' shows them a byte at a time (xp /4c: 16
	 * bytes on one line). */
	c->format = f;
	c->length = (u32)(count * size);
	c->count = cmd_xp_line_size(size);
	c->unit = f == 'c' ? 1 : size;
	return 0;
}

int cmd_parse_xp(struct cmd_parser *p, const struct cmd_tok *name,
		 struct cmd_parsed *c)
{
	const char *w = cmd_tok_s(p, name);
	bool have_fmt = false;
	struct cmd_tok t;

	c->kind = CMD_XP;
	c->format = 'x';
	c->unit = 4;
	c->length = 4;
	c->count = cmd_xp_line_size(4);
	if (name->len > 2) {	/* xp/fmt */
		if (xp_format(p, name->off + 3, w + 2, name->len - 2, c))
			return -1;
		have_fmt = true;
	}
	if (cmd_next(p, &t))
		return -1;
	if (!have_fmt && t.kind == CMD_TOK_WORD && cmd_tok_s(p, &t)[0] == '/') {
		if (xp_format(p, t.off + 1, cmd_tok_s(p, &t), t.len, c))
			return -1;
		if (cmd_next(p, &t))
			return -1;
	}
	if (t.kind != CMD_TOK_WORD ||
	    !xp_number(cmd_tok_s(p, &t), t.len, &c->addr))
		return cmd_expected(p, &t, "a physical address (QEMU's: 0x hex, "
				    "0 octal, else decimal)", NULL);
	c->addr_col = t.off + 1;
	if (cmd_range_fits(p, c->addr_col, c->addr, c->length))
		return -1;
	return cmd_end_of_command(p);
}

static void xp_hex(struct cmd_out *o, u64 v, u32 digits)
{
	static const char hex[] = "0123456789abcdef";
	char b[16];
	u32 i;

	for (i = 0; i < digits; i++)
		b[digits - 1 - i] = hex[(v >> (4 * i)) & 15];
	for (i = 0; i < digits; i++)
		cmd_out_char(o, b[i]);
}

/* v in base (8 or 10), right-aligned in width (an octal value gets its
 * leading 0 as printf's %#o does). */
static void xp_num(struct cmd_out *o, u64 v, u32 base, u32 width)
{
	char b[24];
	u32 n = 0;

	do {
		b[n++] = (char)('0' + v % base);
		v /= base;
	} while (v);
	if (base == 8 && b[n - 1] != '0')
		b[n++] = '0';
	while (width-- > n)
		cmd_out_char(o, ' ');
	while (n)
		cmd_out_char(o, b[--n]);
}

static void xp_char(struct cmd_out *o, u8 c)
{
	cmd_out_char(o, '\'');
	if (c == '\'' || c == '\\') {
		cmd_out_char(o, '\\');
		cmd_out_char(o, (char)c);
	} else if (c == '\n') {
		cmd_out_str(o, "\\n");
	} else if (c == '\r') {
		cmd_out_str(o, "\\r");
	} else if (c >= 32 && c <= 126) {
		cmd_out_char(o, (char)c);
	} else {
		cmd_out_str(o, "\\x");
		xp_hex(o, c, 2);
	}
	cmd_out_char(o, '\'');
}

void cmd_fmt_xp_line(struct cmd_out *o, u64 addr, const u8 *buf, u32 n,
		     u8 unit, char format)
{
	/* QEMU's max_digits: octal DIV_ROUND_UP(bits, 3), decimal
	 * DIV_ROUND_UP(bits * 10, 33). */
	u32 bits = 8u * unit, i, k;

	xp_hex(o, addr, 16);
	cmd_out_char(o, ':');
	for (i = 0; i + unit <= n; i += unit) {
		u64 v = 0;

		for (k = 0; k < unit; k++)
			v |= (u64)buf[i + k] << (8 * k);
		cmd_out_char(o, ' ');
		switch (format) {
		case 'o':
			xp_num(o, v, 8, (bits + 2) / 3);
			break;
		case 'u':
		case 'd':
			xp_num(o, v, 10, (bits * 10 + 32) / 33);
			break;
		case 'c':
			xp_char(o, (u8)v);
			break;
		default:
			cmd_out_str(o, "0x");
			xp_hex(o, v, bits / 4);
			break;
		}
	}
	cmd_out_char(o, '\n');
}

void cmd_fmt_xp_fail(struct cmd_out *o, u64 addr)
{
	xp_hex(o, addr, 16);
	cmd_out_str(o, ": Cannot access memory\n");
}
