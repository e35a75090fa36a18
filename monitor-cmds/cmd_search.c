// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_search.c - parsing of HyperDbg's memory searches for cmd_parse():
 * sb, sd, sq (virtual memory, gdb's selected CPU) and !sb, !sd, !sq
 * (physical memory).
 *
 *   sb from l length value [value ...]	HyperDbg's form
 *   sb from to value [value ...]		to is exclusive, as !dump's
 *
 * `l` may come anywhere after the address (HyperDbg accepts
 * "sd 7ff6 pid 1dd0 l fff f0cc8549"); with it every other number is a
 * pattern value, without it the second number is the end.  Values are
 * bytes, dwords or qwords (little-endian in memory) and the pattern is
 * their concatenation.  HyperDbg's `pid` is refused with the reason.
 * Pure: fills struct cmd_parsed (cmd.h) and nothing else.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_inspect.h"
#include "cmd_search.h"

/* The numbers after the name, with their columns, before they are known
 * to be an end or pattern values: the address, an end, CMD_EDIT_MAX
 * values, and one more to say "too many". */
#define SEARCH_NUMS	(CMD_EDIT_MAX + 3)

struct search_nums {
	u64 v[SEARCH_NUMS];
	u32 col[SEARCH_NUMS];
	u32 n;
};

static const char *search_unit_name(u8 unit)
{
	return unit == 1 ? "byte" : unit == 4 ? "dword" : "qword";
}

static int search_refuse_pid(struct cmd_parser *p, const struct cmd_tok *t,
			     bool phys)
{
	struct cmd_out o;

	cmd_err_start(p->err, &o, t->off + 1);
	cmd_out_str(&o, phys ? "pid does not apply to physical memory" :
		    "pid is not available yet: the search runs in the "
		    "address space of gdb's selected CPU");
	return -1;
}

/* `l n`: the length in bytes. */
static int search_length(struct cmd_parser *p, const struct cmd_tok *kw,
			 u32 *kw_col, u64 *len)
{
	struct cmd_tok t;

	if (*kw_col)
		return cmd_twice(p, kw, "l", *kw_col);
	*kw_col = kw->off + 1;
	if (cmd_next(p, &t))
		return -1;
	return cmd_number(p, &t, "a length in bytes (hex)", "l", 1,
			  CMD_SEARCH_MAX, len);
}

/* The pattern values: nums from index first on. */
static int search_pattern(struct cmd_parser *p, const struct search_nums *s,
			  u32 first, const char *shown, struct cmd_parsed *c)
{
	u64 max = c->unit == 8 ? ~0ull : (1ull << (8 * c->unit)) - 1;
	struct cmd_out o;
	u32 i;

	if (s->n - first > CMD_EDIT_MAX) {
		cmd_err_start(p->err, &o, s->col[first + CMD_EDIT_MAX]);
		cmd_out_str(&o, shown);
		cmd_out_str(&o, " takes at most ");
		cmd_out_hex(&o, CMD_EDIT_MAX);
		cmd_out_str(&o, " values");
		return -1;
	}
	for (i = first; i < s->n; i++) {
		if (s->v[i] > max) {
			cmd_err_start(p->err, &o, s->col[i]);
			cmd_out_str(&o, "expected a ");
			cmd_out_str(&o, search_unit_name(c->unit));
			cmd_out_str(&o, " to search for (at most ");
			cmd_out_hex(&o, max);
			cmd_out_str(&o, "), got ");
			cmd_out_hex(&o, s->v[i]);
			return -1;
		}
		c->values[c->nvalues++] = s->v[i];
	}
	return 0;
}

int cmd_parse_search(struct cmd_parser *p, const struct cmd_tok *name,
		     u8 unit, struct cmd_parsed *c)
{
	const char *shown = cmd_tok_s(p, name);
	char shown_buf[4];
	struct search_nums s = { .n = 0 };
	u32 l_kw = 0, first;
	struct cmd_tok t;
	struct cmd_out o;
	u64 len = 0, v;

	c->kind = CMD_SEARCH;
	c->unit = unit;
	c->phys = shown[0] == '!';
	/* The name as typed, for messages ("!sd", "sq"). */
	memcpy(shown_buf, shown, name->len < 3 ? name->len : 3);
	shown_buf[name->len < 3 ? name->len : 3] = '\0';
	for (;;) {
		if (cmd_next(p, &t))
			return -1;
		if (t.kind == CMD_TOK_END)
			break;
		if (t.kind == CMD_TOK_WORD) {
			const char *w = cmd_tok_s(p, &t);

			if (cmd_word_is(w, t.len, "pid"))
				return search_refuse_pid(p, &t, c->phys);
			if (cmd_word_is(w, t.len, "l")) {
				if (search_length(p, &t, &l_kw, &len))
					return -1;
				continue;
			}
		}
		if (s.n == SEARCH_NUMS) {
			cmd_err_start(p->err, &o, t.off + 1);
			cmd_out_str(&o, shown_buf);
			cmd_out_str(&o, " takes at most ");
			cmd_out_hex(&o, CMD_EDIT_MAX);
			cmd_out_str(&o, " values");
			return -1;
		}
		if (cmd_number(p, &t, s.n == 0 ? (c->phys ?
			       "a physical address (hex)" :
			       "a virtual address (hex)") :
			       "a number (hex)", s.n ? NULL : shown_buf, 0,
			       ~0ull, &v))
			return -1;
		s.v[s.n] = v;
		s.col[s.n++] = t.off + 1;
	}
	if (!s.n)
		return cmd_expected(p, &t, c->phys ? "a physical address (hex)" :
				    "a virtual address (hex)", shown_buf);
	c->addr = s.v[0];
	c->addr_col = s.col[0];
	if (l_kw) {
		first = 1;
	} else {
		if (s.n < 2)
			return cmd_expected(p, &t, "an end address or "
					    "'l length' (hex)", NULL);
		if (s.v[1] <= s.v[0]) {
			cmd_err_start(p->err, &o, s.col[1]);
			cmd_out_str(&o, "the end ");
			cmd_out_hex(&o, s.v[1]);
			cmd_out_str(&o, " is not after the start ");
			cmd_out_hex(&o, s.v[0]);
			cmd_out_str(&o, " (the end is exclusive)");
			return -1;
		}
		len = s.v[1] - s.v[0];
		if (len > CMD_SEARCH_MAX) {
			cmd_err_start(p->err, &o, s.col[1]);
			cmd_out_str(&o, "the range is ");
			cmd_out_hex(&o, len);
			cmd_out_str(&o, " bytes; one search covers at most ");
			cmd_out_hex(&o, CMD_SEARCH_MAX);
			return -1;
		}
		first = 2;
	}
	if (s.n <= first) {
		cmd_err_start(p->err, &o, p->len + 1);
		cmd_out_str(&o, "expected the ");
		cmd_out_str(&o, search_unit_name(unit));
		cmd_out_str(&o, "s to search for, got end of line");
		return -1;
	}
	if (cmd_range_fits(p, c->addr_col, c->addr, len))
		return -1;
	c->span = len;
	return search_pattern(p, &s, first, shown_buf, c);
}

u32 cmd_search_pattern(const struct cmd_parsed *c, u8 *buf, u32 cap)
{
	u32 i, k, n = 0;

	for (i = 0; i < c->nvalues; i++) {
		for (k = 0; k < c->unit; k++) {
			if (n == cap)
				return 0;
			buf[n++] = (u8)(c->values[i] >> (8 * k));
		}
	}
	return n;
}

void cmd_fmt_search_hit(struct cmd_out *o, u64 addr)
{
	cmd_out_hex_tick(o, addr);
	cmd_out_char(o, '\n');
}
