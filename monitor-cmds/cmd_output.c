// SPDX-License-Identifier: GPL-2.0
/* cmd_output.c - `.output` (event forwarding); see cmd_output.h. */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_priv.h"
#include "cmd_kv.h"
#include "cmd_output.h"

static bool is_word(const struct cmd_parser *p, const struct cmd_tok *t,
		    const char *w)
{
	return t->kind == CMD_TOK_WORD &&
	       cmd_word_is(cmd_tok_s(p, t), t->len, w);
}

/* One word after `after`, then the end of the command. */
static int word_arg(struct cmd_parser *p, struct cmd_parsed *c,
		    const char *what, const char *after)
{
	struct cmd_tok t;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind != CMD_TOK_WORD)
		return cmd_expected(p, &t, what, after);
	c->output_arg.off = t.off;
	c->output_arg.len = t.len;
	return cmd_end_of_command(p);
}

int cmd_parse_output(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;
	int r;

	c->kind = CMD_OUTPUT;
	c->output_op = CMD_OUTPUT_LIST;
	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END)
		return 0;
	if (is_word(p, &t, "create")) {
		c->output_op = CMD_OUTPUT_CREATE;
		r = word_arg(p, c, "an output name", "create");
		if (r)
			return r;
		if (c->output_arg.len > EVENT_OUTPUT_NAME_MAX) {
			cmd_err(p->err, c->output_arg.off + 1, "output name ",
				p->s + c->output_arg.off, c->output_arg.len,
				" is longer than 32 characters");
			return -1;
		}
		return 0;
	}
	if (is_word(p, &t, "spool")) {
		c->output_op = CMD_OUTPUT_SPOOL;
		r = word_arg(p, c, "a path or 'off'", "spool");
		if (r)
			return r;
		if (cmd_word_is(p->s + c->output_arg.off, c->output_arg.len,
				"off")) {
			c->output_arg.len = 0;
		} else if (c->output_arg.len >= EVENT_SPOOL_MAX) {
			cmd_err(p->err, c->output_arg.off + 1, "spool path "
				"longer than 255 bytes", NULL, 0, "");
			return -1;
		}
		return 0;
	}
	if (is_word(p, &t, "tap")) {
		c->output_op = CMD_OUTPUT_TAP;
		if (cmd_next(p, &t))
			return -1;
		if (is_word(p, &t, "on"))
			c->on = true;
		else if (!is_word(p, &t, "off"))
			return cmd_expected(p, &t, "'on' or 'off'", "tap");
		return cmd_end_of_command(p);
	}
	return cmd_expected(p, &t, "'create', 'spool', 'tap' or end of "
			    "command", ".output");
}

void cmd_fmt_outputs(struct cmd_out *o, const struct event_outputs *eo,
		     const struct cmd_fwd_stats *st, bool kv)
{
	u32 i;

	if (kv) {
		cmd_out_str(o, "spool");
		cmd_kv_str(o, "path", eo->spool, strlen(eo->spool));
		cmd_kv_bool(o, "open", st->open);
		cmd_kv_bool(o, "tap", eo->tap);
		cmd_kv_hex(o, "forwarded", st->forwarded);
		cmd_kv_hex(o, "lost_full", st->lost_full);
		cmd_kv_hex(o, "lost_write", st->lost_write);
		cmd_kv_hex(o, "error", st->error < 0 ? (u64)-st->error : 0);
		cmd_out_char(o, '\n');
		for (i = 0; i < eo->n; i++) {
			cmd_out_str(o, "output");
			cmd_kv_str(o, "name", eo->name[i],
				   strlen(eo->name[i]));
			cmd_out_char(o, '\n');
		}
		return;
	}
	cmd_out_str(o, "spool: ");
	if (eo->spool[0]) {
		cmd_out_safe(o, eo->spool, strlen(eo->spool));
		cmd_out_str(o, st->open ? " (open)" : " (not open yet)");
	} else {
		cmd_out_str(o, "none (no forwarding)");
	}
	cmd_out_str(o, "\ntap: ");
	cmd_out_str(o, eo->tap ? "on" : "off");
	cmd_out_str(o, "\nlines forwarded: ");
	cmd_out_hex(o, st->forwarded);
	cmd_out_str(o, ", lost: ");
	cmd_out_hex(o, st->lost_full);
	cmd_out_str(o, " (buffer full), ");
	cmd_out_hex(o, st->lost_write);
	cmd_out_str(o, " (not written");
	if (st->error < 0) {
		cmd_out_str(o, ": error ");
		cmd_out_hex(o, (u64)-st->error);
	}
	cmd_out_str(o, ")\n");
	for (i = 0; i < eo->n; i++) {
		cmd_out_str(o, "output ");
		cmd_out_str(o, eo->name[i]);
		cmd_out_char(o, '\n');
	}
}

void cmd_fmt_no_output(struct cmd_out *o, u32 col, const char *name,
		       u32 len)
{
	cmd_out_str(o, "column ");
	cmd_out_dec(o, col);
	if (memchr(name, ',', len)) {
		cmd_out_str(o, ": output {");
		cmd_out_safe(o, name, len);
		cmd_out_str(o, "}: one output source per event in hvgdb "
			    "(HyperDbg takes a list of up to 5)\n");
		return;
	}
	cmd_out_str(o, ": output {");
	cmd_out_safe(o, name, len);
	cmd_out_str(o, "}: no output source named '");
	cmd_out_safe(o, name, len);
	cmd_out_str(o, "' (create it first: hv output create ");
	cmd_out_safe(o, name, len);
	cmd_out_str(o, " file PATH | tcp HOST:PORT)\n");
}
