// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_monitor.c - the address part of HyperDbg's !monitor (see cmd.h):
 *
 *   !monitor [va|pa] r|w|x|rw|rx|wx|rwx from to|l length [va|pa] options
 *
 * `to` is the last byte watched (HyperDbg compares with <=), `l n` watches
 * n bytes from `from`.  va (the default) or pa may come before the
 * attribute or after the range, once.  The options are every event's
 * (cmd_parse.c); the EPT side (kmod/events/mon_monitor.c) splits the range
 * into pages.  Pure, no side effects.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"

/* r, w, x in any order and combination, each once: the access bits. */
static int monitor_attr(const char *s, u32 n)
{
	u32 i, acc = 0, bit;

	if (!n || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case 'r': case 'R':
			bit = EVENT_MON_R;
			break;
		case 'w': case 'W':
			bit = EVENT_MON_W;
			break;
		case 'x': case 'X':
			bit = EVENT_MON_X;
			break;
		default:
			return -1;
		}
		if (acc & bit)
			return -1;
		acc |= bit;
	}
	return (int)acc;
}

/* va or pa at t: 0 va, 1 pa, -1 neither. */
static int monitor_mem(const struct cmd_parser *p, const struct cmd_tok *t)
{
	if (t->kind != CMD_TOK_WORD)
		return -1;
	if (cmd_word_is(cmd_tok_s(p, t), t->len, "va"))
		return 0;
	if (cmd_word_is(cmd_tok_s(p, t), t->len, "pa"))
		return 1;
	return -1;
}

int cmd_parse_monitor(struct cmd_parser *p, struct cmd_monitor_args *m)
{
	struct cmd_lex save;
	struct cmd_tok t;
	u32 mem_col = 0;
	u64 len;
	int r;

	memset(m, 0, sizeof(*m));
	if (cmd_next(p, &t))
		return -1;
	r = monitor_mem(p, &t);
	if (r >= 0) {
		m->phys = r;
		mem_col = t.off + 1;
		if (cmd_next(p, &t))
			return -1;
	}
	r = t.kind == CMD_TOK_WORD ? monitor_attr(cmd_tok_s(p, &t), t.len) : -1;
	if (r < 0)
		return cmd_expected(p, &t, "r, w, x, rw, rx, wx or rwx",
				    "!monitor");
	m->acc = (u8)r;
	if (cmd_next(p, &t))
		return -1;
	if (cmd_number(p, &t, "the start address (hex)", NULL, 0, ~0ull,
		       &m->from))
		return -1;
	m->from_col = t.off + 1;
	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "l")) {
		if (cmd_next(p, &t))
			return -1;
		if (cmd_number(p, &t, "a length (hex)", "l", 1, ~0ull, &len))
			return -1;
		if (cmd_range_fits(p, t.off + 1, m->from, len))
			return -1;
		m->to = m->from + (len - 1);
	} else {
		if (cmd_number(p, &t, "the end address (hex) or 'l length'",
			       NULL, 0, ~0ull, &m->to))
			return -1;
		if (m->to < m->from) {
			cmd_err(p->err, t.off + 1, "the end address is below "
				"the start address (the range is from..to, "
				"to included)", NULL, 0, "");
			return -1;
		}
	}
	/* va|pa after the range: peek, leave anything else to the options. */
	save = p->lx;
	if (cmd_next(p, &t))
		return -1;
	r = monitor_mem(p, &t);
	if (r < 0) {
		p->lx = save;
		return 0;
	}
	if (mem_col)
		return cmd_twice(p, &t, "va|pa", mem_col);
	m->phys = r;
	return 0;
}

void cmd_monitor_apply(const struct cmd_monitor_args *m, struct event_spec *sp)
{
	sp->mon_from = m->from;
	sp->mon_to = m->to;
	sp->mon_acc = m->acc;
	sp->mon_phys = m->phys;
}
