// SPDX-License-Identifier: GPL-2.0
/* track.c - call/return classification and tree lines; see track.h. */
#include "hvgdb/freestanding.h"
#include "kmod/lib/track.h"

static bool legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

enum track_kind track_classify(const u8 *b, u32 n)
{
	u32 i = 0;
	u8 op, reg;

	if (n > 15)
		n = 15;
	while (i < n && legacy_prefix(b[i]))
		i++;
	/* REX (40-4F) counts only right before the opcode. */
	while (i < n && (b[i] & 0xf0) == 0x40)
		i++;
	if (i >= n)
		return TRACK_BAD;
	op = b[i];
	switch (op) {
	case 0xe8:
		return TRACK_CALL;
	case 0xc2: case 0xc3: case 0xca: case 0xcb:
		return TRACK_RET;
	case 0xcf:
		return TRACK_IRET;
	case 0xff:
		if (i + 1 >= n)
			return TRACK_BAD;
		reg = (b[i + 1] >> 3) & 7;
		return reg == 2 || reg == 3 ? TRACK_CALL : TRACK_OTHER;
	default:
		return TRACK_OTHER;
	}
}

static size_t put(char *buf, size_t cap, size_t at, const char *s)
{
	while (*s && at + 1 < cap)
		buf[at++] = *s++;
	if (cap)
		buf[at < cap ? at : cap - 1] = '\0';
	return at;
}

size_t track_format(char *buf, size_t cap, enum track_kind kind, u32 depth,
		    const char *sym, u64 addr)
{
	static const char hex[] = "0123456789abcdef";
	char num[24];
	size_t at = 0;
	u32 i;
	int k;

	if (!cap)
		return 0;
	buf[0] = '\0';
	if (depth > TRACK_INDENT_MAX)
		depth = TRACK_INDENT_MAX;
	for (i = 0; i < depth; i++)
		at = put(buf, cap, at, "\xe2\x94\x82  ");	/* │ */
	at = put(buf, cap, at, kind == TRACK_CALL ?
		 "\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x80 " :	/* ┌── */
		 "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 ");	/* └── */
	num[0] = '0';
	num[1] = 'x';
	for (k = 0; k < 16; k++)
		num[2 + k] = hex[(addr >> (60 - 4 * k)) & 0xf];
	num[18] = '\0';
	if (sym && *sym) {
		at = put(buf, cap, at, sym);
		at = put(buf, cap, at, " (");
		at = put(buf, cap, at, num);
		at = put(buf, cap, at, ")");
	} else {
		at = put(buf, cap, at, num);
	}
	return put(buf, cap, at, "\n");
}

void track_trim_symbol(char *s)
{
	for (; *s; s++) {
		if (*s == '/' || *s == ' ') {
			*s = '\0';
			return;
		}
	}
}
