// SPDX-License-Identifier: GPL-2.0
/* cmd_track.c - parsing HyperDbg's !track; see cmd_track.h. */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_track.h"

int cmd_parse_track(struct cmd_parser *p, struct cmd_parsed *c)
{
	bool style = false;
	struct cmd_tok t;

	c->kind = CMD_TRACK;
	for (;;) {
		if (cmd_next(p, &t))
			return -1;
		if (t.kind == CMD_TOK_END)
			return 0;
		if (c->set)
			return cmd_expected(p, &t, "end of command", NULL);
		if (!style && t.kind == CMD_TOK_WORD &&
		    (cmd_word_is(cmd_tok_s(p, &t), t.len, "tree") ||
		     cmd_word_is(cmd_tok_s(p, &t), t.len, "reg"))) {
			style = true;
			c->on = cmd_word_is(cmd_tok_s(p, &t), t.len, "reg");
			continue;
		}
		if (cmd_number(p, &t, style ? "an instruction count (hex)" :
			       "'tree', 'reg' or an instruction count (hex)",
			       NULL, 1, CMD_TRACK_MAX, &c->value))
			return -1;
		c->set = true;
	}
}
