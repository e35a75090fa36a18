// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_parse.c - one monitor command line to a struct cmd_parsed; see cmd.h.
 *
 * Every error names the column (1-based, in the text gdb sent) and what
 * was expected there.  The parser has no side effects, so a command that
 * fails to parse cannot have applied anything.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_kv.h"

/* !mode's argument: u, k, uk or ku (HyperDbg), as EVENT_MODE_* bits;
 * 0 for anything else. */
static u64 mode_bits(const char *s, u32 n)
{
	u64 bits = 0;
	u32 i;

	if (n < 1 || n > 2)
		return 0;
	for (i = 0; i < n; i++) {
		u64 b = s[i] == 'u' || s[i] == 'U' ? EVENT_MODE_U :
			s[i] == 'k' || s[i] == 'K' ? EVENT_MODE_K : 0;

		if (!b || (bits & b))
			return 0;
		bits |= b;
	}
	return bits;
}

enum opt {
	OPT_PID, OPT_CORE, OPT_IMM, OPT_SC, OPT_STAGE, OPT_BUFFER,
	OPT_SCRIPT, OPT_CONDITION, OPT_OUTPUT, OPT_CODE, OPT_ASM, OPT_MASK,
	OPT_STEPS,
	OPT_COUNT
};

static const char *const opt_names[OPT_COUNT] = {
	[OPT_PID] = "pid", [OPT_CORE] = "core", [OPT_IMM] = "imm",
	[OPT_SC] = "sc", [OPT_STAGE] = "stage", [OPT_BUFFER] = "buffer",
	[OPT_SCRIPT] = "script", [OPT_CONDITION] = "condition",
	[OPT_OUTPUT] = "output", [OPT_CODE] = "code", [OPT_ASM] = "asm",
	[OPT_MASK] = "mask", [OPT_STEPS] = "steps",
};

static int find_opt(const char *s, size_t n)
{
	int i;

	for (i = 0; i < OPT_COUNT; i++) {
		if (cmd_word_is(s, n, opt_names[i]))
			return i;
	}
	return -1;
}

int cmd_expected(struct cmd_parser *p, const struct cmd_tok *t,
		 const char *what, const char *after)
{
	struct cmd_out o;

	cmd_err_start(p->err, &o, t->off + 1);
	cmd_out_str(&o, "expected ");
	cmd_out_str(&o, what);
	if (after) {
		cmd_out_str(&o, " after '");
		cmd_out_str(&o, after);
		cmd_out_char(&o, '\'');
	}
	if (t->kind == CMD_TOK_END) {
		cmd_out_str(&o, ", got end of line");
	} else if (t->kind == CMD_TOK_BLOCK) {
		cmd_out_str(&o, ", got a {...} block");
	} else {
		cmd_out_str(&o, ", got ");
		cmd_out_quoted(&o, cmd_tok_s(p, t), t->len);
	}
	return -1;
}

int cmd_number(struct cmd_parser *p, const struct cmd_tok *t, const char *what,
	       const char *after, u64 lo, u64 hi, u64 *val)
{
	struct cmd_out o;
	int r;

	if (t->kind != CMD_TOK_WORD)
		return cmd_expected(p, t, what, after);
	r = cmd_parse_number(cmd_tok_s(p, t), t->len, val);
	if (r == CMD_NUM_ERR_RANGE) {
		cmd_err(p->err, t->off + 1, "number ", cmd_tok_s(p, t), t->len,
			" does not fit in 64 bits");
		return -1;
	}
	if (r)
		return cmd_expected(p, t, what, after);
	if (*val < lo || *val > hi) {
		cmd_err_start(p->err, &o, t->off + 1);
		cmd_out_str(&o, "expected ");
		cmd_out_str(&o, what);
		cmd_out_str(&o, " in ");
		cmd_out_hex(&o, lo);
		cmd_out_str(&o, "..");
		cmd_out_hex(&o, hi);
		cmd_out_str(&o, ", got ");
		cmd_out_hex(&o, *val);
		return -1;
	}
	return 0;
}

/* One of two words: returns 1 for the first, 0 for the second. */
static int choice(struct cmd_parser *p, const char *after, const char *what,
		  const char *const *words, int nwords)
{
	struct cmd_tok t;
	int i;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_WORD) {
		for (i = 0; i < nwords; i++) {
			if (cmd_word_is(cmd_tok_s(p, &t), t.len, words[i]))
				return i;
		}
	}
	cmd_expected(p, &t, what, after);
	return -1;
}

/* A {...} block after 'after'; *col is the column of its '{'. */
static int block(struct cmd_parser *p, const char *after,
		 struct event_span *sp, bool trim, u32 *col)
{
	struct cmd_tok t;
	u32 a, b;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind != CMD_TOK_BLOCK)
		return cmd_expected(p, &t, "'{'", after);
	*col = t.off + 1;
	a = t.off + 1;
	b = t.off + t.len - 1;
	if (trim) {
		while (a < b && (p->s[a] == ' ' || p->s[a] == '\t'))
			a++;
		while (b > a && (p->s[b - 1] == ' ' || p->s[b - 1] == '\t'))
			b--;
	}
	sp->off = a;
	sp->len = b - a;
	return 0;
}

int cmd_end_of_command(struct cmd_parser *p)
{
	struct cmd_tok t;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END)
		return 0;
	return cmd_expected(p, &t, "end of command", NULL);
}

static int unknown_option(struct cmd_parser *p, const struct cmd_info *ci,
			  const struct cmd_tok *t)
{
	struct cmd_out o;

	cmd_err_start(p->err, &o, t->off + 1);
	cmd_out_str(&o, "expected an option (pid, core, imm, ");
	if (ci->stages)
		cmd_out_str(&o, "sc, stage, ");
	else if (ci->type == EVENT_MODE)
		cmd_out_str(&o, "sc, ");
	if (ci->type == EVENT_CRWRITE)
		cmd_out_str(&o, "mask, ");
	cmd_out_str(&o, "buffer, script, condition, output, steps), got ");
	cmd_out_quoted(&o, cmd_tok_s(p, t), t->len);
	return -1;
}

static int parse_event(struct cmd_parser *p, const struct cmd_info *ci,
		       u32 name_end, struct event_spec *sp)
{
	static const char *const yes_no[] = { "yes", "no" };
	static const char *const on_off[] = { "on", "off" };
	static const char *const stages[] = { "pre", "post", "all" };
	u32 seen[OPT_COUNT] = { 0 };	/* column where each was given */
	u32 arg_col = 0, col;
	struct cmd_tok t;
	struct cmd_out o;
	u64 v;
	int r;

	memset(sp, 0, sizeof(*sp));
	sp->type = ci->type;
	sp->imm = true;
	sp->stage = EVENT_STAGE_PRE;
	sp->mask = ~0ull;

	for (;;) {
		int opt;

		if (cmd_next(p, &t))
			return -1;
		if (t.kind == CMD_TOK_END)
			break;
		if (t.kind == CMD_TOK_BLOCK) {
			cmd_err(p->err, t.off + 1, "unexpected '{': a block "
				"must follow script, condition or output",
				NULL, 0, "");
			return -1;
		}
		opt = find_opt(cmd_tok_s(p, &t), t.len);
		if (opt == OPT_MASK && ci->type != EVENT_CRWRITE)
			opt = -1;
		if (opt < 0 && ci->type == EVENT_MODE) {
			v = mode_bits(cmd_tok_s(p, &t), t.len);
			if (!v && !arg_col) {
				cmd_err_start(p->err, &o, t.off + 1);
				cmd_out_str(&o, "expected u, k or uk (the "
					    "transitions: to user mode, to "
					    "kernel mode, both), got ");
				cmd_out_quoted(&o, cmd_tok_s(p, &t), t.len);
				return -1;
			}
			if (!v)
				return unknown_option(p, ci, &t);
			if (arg_col) {
				cmd_err_start(p->err, &o, t.off + 1);
				cmd_out_str(&o, "!mode takes one of u, k, uk, "
					    "already given at column ");
				cmd_out_dec(&o, arg_col);
				return -1;
			}
			sp->has_arg = true;
			sp->arg = v;
			arg_col = t.off + 1;
			continue;
		}
		if (opt < 0) {
			/* Not an option: the event's argument. */
			r = cmd_parse_number(cmd_tok_s(p, &t), t.len, &v);
			if (r && r != CMD_NUM_ERR_RANGE) {
				if (ci->arg == CMD_ARG_NONE || arg_col)
					return unknown_option(p, ci, &t);
				cmd_err_start(p->err, &o, t.off + 1);
				cmd_out_str(&o, "expected ");
				cmd_out_str(&o, ci->arg == CMD_ARG_REQUIRED ?
					    "the " : "an option or the ");
				cmd_out_str(&o, ci->arg_name);
				cmd_out_str(&o, " (a number), got ");
				cmd_out_quoted(&o, cmd_tok_s(p, &t), t.len);
				return -1;
			}
			if (ci->arg == CMD_ARG_NONE || arg_col) {
				cmd_err_start(p->err, &o, t.off + 1);
				cmd_out_char(&o, '!');
				cmd_out_str(&o, ci->name);
				if (arg_col) {
					cmd_out_str(&o, " takes one ");
					cmd_out_str(&o, ci->arg_name);
					cmd_out_str(&o, ", already given at "
						    "column ");
					cmd_out_dec(&o, arg_col);
				} else {
					cmd_out_str(&o, " takes no argument, "
						    "got ");
					cmd_out_quoted(&o, cmd_tok_s(p, &t),
						       t.len);
				}
				return -1;
			}
			if (cmd_number(p, &t, ci->arg_name, NULL, ci->arg_min,
				       ci->arg_max, &v))
				return -1;
			if (ci->type == EVENT_CRWRITE && v != 0 && v != 4) {
				cmd_err_start(p->err, &o, t.off + 1);
				cmd_out_str(&o, "expected 0 or 4 (CR0 or CR4), "
					    "got ");
				cmd_out_hex(&o, v);
				return -1;
			}
			sp->has_arg = true;
			sp->arg = v;
			arg_col = t.off + 1;
			continue;
		}
		if (seen[opt])
			return cmd_twice(p, &t, opt_names[opt], seen[opt]);
		seen[opt] = t.off + 1;
		if (opt == OPT_STAGE && ci->type == EVENT_MODE) {
			cmd_err(p->err, t.off + 1, "!mode has no calling "
				"stages (HyperDbg: a transition has no "
				"before and after): 'stage' is not accepted",
				NULL, 0, "");
			return -1;
		}
		if ((opt == OPT_SC || opt == OPT_STAGE) && !ci->stages &&
		    ci->type != EVENT_MODE) {
			cmd_err_start(p->err, &o, t.off + 1);
			cmd_out_char(&o, '!');
			cmd_out_str(&o, ci->name);
			cmd_out_str(&o, " has no calling stages: '");
			cmd_out_str(&o, opt_names[opt]);
			cmd_out_str(&o, "' is not accepted");
			return -1;
		}
		switch (opt) {
		case OPT_PID:
			if (cmd_next(p, &t))
				return -1;
			if (t.kind == CMD_TOK_WORD &&
			    cmd_word_is(cmd_tok_s(p, &t), t.len, "all")) {
				if (ci->type != EVENT_MODE)
					break;
				cmd_err(p->err, t.off + 1, "!mode watches one "
					"process: 'pid all' is not accepted",
					NULL, 0, "");
				return -1;
			}
			if (cmd_number(p, &t, "a process id (hex) or 'all'",
				       "pid", 0, 0xffffffffu, &v))
				return -1;
			sp->has_pid = true;
			sp->pid = (u32)v;
			break;
		case OPT_CORE:
			if (cmd_next(p, &t))
				return -1;
			if (cmd_number(p, &t, "a CPU number (hex)", "core", 0,
				       0xffffffffu, &v))
				return -1;
			sp->has_core = true;
			sp->core = (u32)v;
			break;
		case OPT_MASK:
			if (cmd_next(p, &t))
				return -1;
			if (cmd_number(p, &t, "a bit mask (hex)", "mask", 1,
				       ~0ull, &v))
				return -1;
			sp->mask = v;
			break;
		case OPT_BUFFER:
			if (cmd_next(p, &t))
				return -1;
			if (cmd_number(p, &t, "a buffer size (hex)", "buffer",
				       1, CMD_BUFFER_MAX, &v))
				return -1;
			sp->buffer_size = (u32)v;
			break;
		case OPT_STEPS:	/* the script's step budget (script.h) */
			if (cmd_next(p, &t))
				return -1;
			if (cmd_number(p, &t, "a step budget (hex)", "steps",
				       1, EVENT_STEPS_MAX, &v))
				return -1;
			sp->steps = (u32)v;
			break;
		case OPT_IMM:
			r = choice(p, "imm", "'yes' or 'no'", yes_no, 2);
			if (r < 0)
				return -1;
			sp->imm = r == 0;
			break;
		case OPT_SC:
			r = choice(p, "sc", "'on' or 'off'", on_off, 2);
			if (r < 0)
				return -1;
			sp->sc = r == 0;
			break;
		case OPT_STAGE:
			r = choice(p, "stage", "'pre', 'post' or 'all'",
				   stages, 3);
			if (r < 0)
				return -1;
			sp->stage = r == 0 ? EVENT_STAGE_PRE :
				    r == 1 ? EVENT_STAGE_POST : EVENT_STAGE_ALL;
			break;
		case OPT_SCRIPT:
			if (block(p, "script", &sp->script, false, &col))
				return -1;
			sp->has_script = true;
			break;
		case OPT_CONDITION:
			if (block(p, "condition", &sp->condition, false,
				  &col))
				return -1;
			sp->has_condition = true;
			break;
		case OPT_OUTPUT:
			if (block(p, "output", &sp->output, true, &col))
				return -1;
			if (!sp->output.len) {
				cmd_err(p->err, col, "expected an "
					"output name inside the braces", NULL,
					0, "");
				return -1;
			}
			/* Whether the source exists is checked when the
			 * event is added (cmd_exec.c). */
			sp->has_output = true;
			break;
		case OPT_CODE:
		case OPT_ASM:
			cmd_err(p->err, t.off + 1, "custom machine code ('",
				NULL, 0, "code {...}', 'asm ...') would run "
				"in VMX root and is not supported: use "
				"script {...}");
			return -1;
		}
	}

	if (ci->type == EVENT_MODE && !sp->has_arg) {
		cmd_err(p->err, name_end + 1, "expected u, k or uk after "
			"'!mode'", NULL, 0, "");
		return -1;
	}
	if (ci->type == EVENT_MODE && !sp->has_pid) {
		cmd_err(p->err, name_end + 1, "!mode needs 'pid X': it "
			"watches the transitions of one process (HyperDbg)",
			NULL, 0, "");
		return -1;
	}
	if (ci->type == EVENT_MODE && sp->sc && !(sp->arg & EVENT_MODE_U)) {
		cmd_err(p->err, seen[OPT_SC], "'sc on' holds the process out "
			"of user mode, on 'u' transitions: on 'k' alone it "
			"would stop the CPU in the kernel's entry code", NULL,
			0, "");
		return -1;
	}
	if (ci->arg == CMD_ARG_REQUIRED && !sp->has_arg) {
		cmd_err_start(p->err, &o, name_end + 1);
		cmd_out_str(&o, ci->type == EVENT_CRWRITE ?
			    "expected 0 or 4 (CR0 or CR4) after '!" :
			    "expected the address (hex) after '!");
		cmd_out_str(&o, ci->name);
		cmd_out_char(&o, '\'');
		return -1;
	}
	if (sp->sc && sp->stage == EVENT_STAGE_POST) {
		cmd_err(p->err, seen[OPT_SC], "'sc on' skips the instruction "
			"and so the post stage: it cannot go with "
			"'stage post'", NULL, 0, "");
		return -1;
	}
	return 0;
}

static int parse_events(struct cmd_parser *p, struct cmd_parsed *c)
{
	static const char *const on_off[] = { "on", "off" };
	struct cmd_tok t;
	const char *w;
	u64 v;
	int r;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END) {
		c->kind = CMD_EVENTS_LIST;
		return 0;
	}
	w = cmd_tok_s(p, &t);
	if (t.kind == CMD_TOK_WORD &&
	    (cmd_word_is(w, t.len, "e") || cmd_word_is(w, t.len, "enable")))
		c->kind = CMD_EVENTS_ENABLE;
	else if (t.kind == CMD_TOK_WORD &&
		 (cmd_word_is(w, t.len, "d") ||
		  cmd_word_is(w, t.len, "disable")))
		c->kind = CMD_EVENTS_DISABLE;
	else if (t.kind == CMD_TOK_WORD &&
		 (cmd_word_is(w, t.len, "c") || cmd_word_is(w, t.len, "clear")))
		c->kind = CMD_EVENTS_CLEAR;
	else if (t.kind == CMD_TOK_WORD && cmd_word_is(w, t.len, "sc")) {
		c->id_col = t.off + 1;
		r = choice(p, "events sc", "'on' or 'off'", on_off, 2);
		if (r < 0)
			return -1;
		c->kind = CMD_EVENTS_SC;
		c->on = r == 0;
		return cmd_end_of_command(p);
	} else
		return cmd_expected(p, &t, "e, d, c or sc", "events");

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "all")) {
		c->all = true;
	} else {
		if (cmd_number(p, &t, "an event id (hex) or 'all'", NULL, 0,
			       0xffffffffu, &v))
			return -1;
		c->id = (u32)v;
		c->id_col = t.off + 1;
	}
	return cmd_end_of_command(p);
}

/* `prealloc script N`: N programs for the host's script pool. */
static int parse_prealloc_script(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;
	struct cmd_out o;
	u64 v;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind != CMD_TOK_WORD ||
	    cmd_parse_number(cmd_tok_s(p, &t), t.len, &v) || !v ||
	    v > CMD_PREALLOC_SCRIPT_MAX) {
		cmd_err_start(p->err, &o, t.off + 1);
		cmd_out_str(&o, "expected a count of script programs (hex, 1-");
		cmd_out_hex(&o, CMD_PREALLOC_SCRIPT_MAX);
		cmd_out_char(&o, ')');
		return -1;
	}
	c->count = (u32)v;
	c->kind = CMD_PREALLOC_SCRIPT;
	return cmd_end_of_command(p);
}

static int parse_prealloc(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;
	u64 v;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END) {
		c->kind = CMD_PREALLOC_SHOW;
		return 0;
	}
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "script"))
		return parse_prealloc_script(p, c);
	/* `prealloc monitor N`: EPT table pages for N more hooked pages. */
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "monitor")) {
		if (cmd_next(p, &t))
			return -1;
		if (cmd_number(p, &t, "a count of pages (hex)",
			       "prealloc monitor", 1, CMD_PREALLOC_MAX, &v))
			return -1;
		c->count = (u32)v;
		c->kind = CMD_PREALLOC_MONITOR;
		return cmd_end_of_command(p);
	}
	/* `prealloc epthook N`: shadow pages for N more hooked pages. */
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "epthook")) {
		if (cmd_next(p, &t))
			return -1;
		if (cmd_number(p, &t, "a count of hooked pages (hex)",
			       "prealloc epthook", 1, CMD_PREALLOC_EPTHOOK_MAX,
			       &v))
			return -1;
		c->count = (u32)v;
		c->kind = CMD_PREALLOC_EPTHOOK;
		return cmd_end_of_command(p);
	}
	/* !epthook2's pool: shadow pages of hooked pages (the host's). */
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "epthook2")) {
		if (cmd_next(p, &t))
			return -1;
		if (cmd_number(p, &t, "a count of hooked pages (hex)",
			       "prealloc epthook2", 1, CMD_PREALLOC_EPTHOOK2_MAX,
			       &v))
			return -1;
		c->count = (u32)v;
		c->kind = CMD_PREALLOC_EPTHOOK2;
		return cmd_end_of_command(p);
	}
	/* HyperDbg names the pool; hvgdb has event slots (with their text)
	 * and the pool behind `buffer N`. */
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "regular-event")) {
		if (cmd_next(p, &t))
			return -1;
	} else if (t.kind == CMD_TOK_WORD &&
		   cmd_word_is(cmd_tok_s(p, &t), t.len, "buffer")) {
		if (cmd_next(p, &t))
			return -1;
		if (cmd_number(p, &t, "a size in bytes (hex)",
			       "prealloc buffer", 1, CMD_PREALLOC_DATA_MAX, &v))
			return -1;
		c->count = (u32)v;
		c->buffer_pool = true;
		c->kind = CMD_PREALLOC;
		return cmd_end_of_command(p);
	}
	if (cmd_number(p, &t, "a count of events (hex)", "prealloc", 1,
		       CMD_PREALLOC_MAX, &v))
		return -1;
	c->count = (u32)v;
	c->kind = CMD_PREALLOC;
	return cmd_end_of_command(p);
}

static int parse_help(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;

	c->kind = CMD_HELP;
	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END)
		return 0;
	if (t.kind != CMD_TOK_WORD)
		return cmd_expected(p, &t, "a command name", "help");
	c->topic.off = t.off;
	c->topic.len = t.len;
	c->topic_col = t.off + 1;
	return cmd_end_of_command(p);
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/*
 * `? {script}` or `? statement`: the rest of the command is the script,
 * taken verbatim (the script language has its own lexer); one pair of
 * outer braces is dropped.
 */
static int parse_eval(struct cmd_parser *p, struct cmd_parsed *c)
{
	u32 end = c->text.off + c->text.len, i = c->text.off + 1, j = end;

	while (i < end && blank(p->s[i]))
		i++;
	if (i < j && p->s[i] == '{' && p->s[j - 1] == '}') {
		i++;
		j--;
	}
	if (i >= j) {
		cmd_err(p->err, i + 1, "expected a script after '?'", NULL, 0,
			"");
		return -1;
	}
	c->kind = CMD_EVAL;
	c->script.off = i;
	c->script.len = j - i;
	return 0;
}

/* `print expr`: the rest of the command, after the word, verbatim. */
static int parse_print(struct cmd_parser *p, struct cmd_parsed *c,
		       const struct cmd_tok *word)
{
	u32 end = c->text.off + c->text.len, i = word->off + word->len;

	while (i < end && blank(p->s[i]))
		i++;
	if (i >= end) {
		cmd_err(p->err, i + 1, "expected an expression after 'print'",
			NULL, 0, "");
		return -1;
	}
	if (end - i > CMD_PRINT_EXPR_MAX) {
		cmd_err(p->err, i + 1, "expression too long", NULL, 0, "");
		return -1;
	}
	c->kind = CMD_PRINT;
	c->script.off = i;
	c->script.len = end - i;
	return 0;
}

_Static_assert(sizeof("print(") - 1 == CMD_PRINT_SHIFT, "CMD_PRINT_SHIFT");
_Static_assert(CMD_PRINT_SHIFT + CMD_PRINT_EXPR_MAX + 2 <= CMD_PRINT_SRC,
	       "CMD_PRINT_SRC");

u32 cmd_print_script(const char *line, const struct cmd_parsed *c, char *buf,
		     size_t cap)
{
	static const char pre[] = "print(", post[] = ");";
	u32 n = c->script.len;

	if (c->kind != CMD_PRINT || n > CMD_PRINT_EXPR_MAX ||
	    cap < CMD_PRINT_SHIFT + n + sizeof(post) - 1)
		return 0;
	memcpy(buf, pre, CMD_PRINT_SHIFT);
	memcpy(buf + CMD_PRINT_SHIFT, line + c->script.off, n);
	memcpy(buf + CMD_PRINT_SHIFT + n, post, sizeof(post) - 1);
	return CMD_PRINT_SHIFT + n + (u32)sizeof(post) - 1;
}

static int parse_line(const char *line, size_t len, struct cmd_parsed *c,
		      struct cmd_error *err);

/* `.kv` first: the rest is the command, answered as records (cmd_kv.h);
 * the command must be one that has them. */
static bool kv_prefix(const char *line, u32 a, u32 b)
{
	return b - a >= 3 && line[a] == '.' &&
	       (line[a + 1] == 'k' || line[a + 1] == 'K') &&
	       (line[a + 2] == 'v' || line[a + 2] == 'V') &&
	       (b - a == 3 || line[a + 3] == ' ' || line[a + 3] == '\t');
}

int cmd_parse(const char *line, size_t len, struct cmd_parsed *c,
	      struct cmd_error *err)
{
	int r = parse_line(line, len, c, err);

	if (r || !c->kv || cmd_kv_takes(c->kind))
		return r;
	cmd_err(err, c->text.off + 1, ".kv is not available for ",
		line + c->text.off, c->text.len, " (it is for events, the "
		"event commands, rdmsr, !va2pa, !pa2va, cpus, stop and "
		".output)");
	return -1;
}

static int parse_line(const char *line, size_t len, struct cmd_parsed *c,
		      struct cmd_error *err)
{
	const struct cmd_info *ci;
	struct cmd_parser p;
	struct cmd_tok t;
	u32 a, b;

	memset(c, 0, sizeof(*c));
	err->col = 0;
	err->msg[0] = '\0';
	if (len > 0xffffff) {
		cmd_err(err, 1, "command longer than 16 MiB", NULL, 0, "");
		return -1;
	}
	p.s = line;
	p.len = (u32)len;
	p.err = err;
	cmd_lex_init(&p.lx, line, (u32)len);

	/* The text kept for `events`: the line without outer blanks. */
	a = 0;
	b = (u32)len;
	while (a < b && (line[a] == ' ' || line[a] == '\t' ||
			 line[a] == '\r' || line[a] == '\n'))
		a++;
	while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' ||
			 line[b - 1] == '\r' || line[b - 1] == '\n'))
		b--;
	if (kv_prefix(line, a, b)) {
		c->kv = true;
		for (a += 3; a < b && (line[a] == ' ' || line[a] == '\t');)
			a++;
		if (a == b) {
			cmd_err(err, a + 1, "expected a command after '.kv', "
				"got end of line", NULL, 0, "");
			return -1;
		}
		cmd_lex_init(&p.lx, line, (u32)len);
		p.lx.pos = a;
	}
	c->text.off = a;
	c->text.len = b - a;

	/* `?` needs no blank after it: `?@rax` is a script too. */
	if (a < b && line[a] == '?')
		return parse_eval(&p, c);
	if (cmd_next(&p, &t))
		return -1;
	if (t.kind != CMD_TOK_WORD) {
		return cmd_expected(&p, &t, "a command (.help lists them)",
				    NULL);
	}
	ci = cmd_info_find(cmd_tok_s(&p, &t), t.len);
	if (!ci) {
		const char *w = cmd_tok_s(&p, &t);
		u32 n = t.len;

		if (cmd_inspect_without_bang(err, t.off + 1, w, n))
			return -1;
		/* QEMU's monitor takes x/fmt glued to its name. */
		if (n > 3 && (w[0] == 'x' || w[0] == 'X') &&
		    (w[1] == 'p' || w[1] == 'P') && w[2] == '/')
			return cmd_parse_xp(&p, &t, c);
		if (n && w[0] == '!') {
			w++;
			n--;
		}
		/* HyperDbg's output sources live where the debugger runs. */
		if (cmd_word_is(w, n, "output") && w == cmd_tok_s(&p, &t)) {
			cmd_err(err, t.off + 1, "", cmd_tok_s(&p, &t), t.len,
				" runs on the debugging machine: use 'hv "
				"output' (the hvgdb Python package)");
			return -1;
		}
		/* HyperDbg's !dump writes a file where the debugger runs. */
		if (cmd_word_is(w, n, "dump")) {
			cmd_err(err, t.off + 1, "", cmd_tok_s(&p, &t), t.len,
				" saves a file on the debugging machine: use "
				"'hv !dump from to [path] file' (the hvgdb "
				"Python package)");
			return -1;
		}
		cmd_err(err, t.off + 1, "unknown command ", cmd_tok_s(&p, &t),
			t.len, " (.help lists the commands)");
		return -1;
	}
	if (ci->type == EVENT_MONITOR) {
		struct cmd_monitor_args ma;

		c->kind = CMD_EVENT;
		if (cmd_parse_monitor(&p, &ma) ||
		    parse_event(&p, ci, t.off + t.len, &c->spec))
			return -1;
		cmd_monitor_apply(&ma, &c->spec);
		return 0;
	}
	if (ci->type != EVENT_NONE) {
		c->kind = CMD_EVENT;
		if (parse_event(&p, ci, t.off + t.len, &c->spec))
			return -1;
		/*
		 * hvgdb never drops an external interrupt: the local APIC
		 * keeps the vector in service until the guest's EOI (SDM vol.
		 * 3A 11.8.4), so one the guest never saw would block its
		 * priority class for good (kmod/events/mon_exc.c).
		 */
		if (c->spec.type == EVENT_INTERRUPT && c->spec.sc) {
			cmd_err(err, c->text.off + 1, "!interrupt cannot take "
				"'sc on': hvgdb delivers every external "
				"interrupt (the local APIC waits for the "
				"guest's EOI)", NULL, 0, "");
			return -1;
		}
		return 0;
	}
	if (ci->inspect)
		return cmd_parse_inspect(&p, ci, &t, c);
	if (cmd_word_is(ci->name, strlen(ci->name), "print"))
		return parse_print(&p, c, &t);
	if (cmd_word_is(ci->name, strlen(ci->name), "events"))
		return parse_events(&p, c);
	if (cmd_word_is(ci->name, strlen(ci->name), "prealloc"))
		return parse_prealloc(&p, c);
	if (cmd_word_is(ci->name, strlen(ci->name), "settings") ||
	    cmd_word_is(ci->name, strlen(ci->name), "preactivate") ||
	    cmd_word_is(ci->name, strlen(ci->name), "status") ||
	    cmd_word_is(ci->name, strlen(ci->name), "cpus"))
		return cmd_parse_settings(&p, ci, c);
	if (cmd_word_is(ci->name, strlen(ci->name), "stop")) {
		c->kind = CMD_STOP;
		return cmd_end_of_command(&p);
	}
	if (cmd_word_is(ci->name, strlen(ci->name), "flush")) {
		c->kind = CMD_FLUSH;
		return cmd_end_of_command(&p);
	}
	return parse_help(&p, c);
}
