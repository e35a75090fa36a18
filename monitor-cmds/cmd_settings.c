// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_settings.c - `settings`, `preactivate`, `status` and `cpus`
 * (cmd_settings.h).
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_settings.h"

struct setting_def {
	const char *name;
	const char *shown;	/* HyperDbg's words in replies: "auto-flush" */
	/* NULL: hvgdb's; else why it does not apply, and what to use. */
	const char *not_here;
	const char *what;	/* the list's description */
};

static const struct setting_def settings[] = {
	{ "autoflush", "auto-flush", NULL,
	  "events d|c first send the batched output of imm no events" },
	{ "autounpause", "auto-unpause",
	  "gdb decides when the system runs: no event resumes it after a "
	  "stop", NULL },
	{ "syntax", "syntax",
	  "gdb disassembles: use gdb's 'set disassembly-flavor intel|att'",
	  NULL },
	{ "addressconversion", "address-conversion",
	  "gdb shows symbols: use gdb's 'set print symbol on|off'", NULL },
};

static int setting_find(const char *s, u32 n)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (cmd_word_is(s, n, settings[i].name))
			return (int)i;
	return -1;
}

static int setting_not_here(struct cmd_parser *p, const struct cmd_tok *t,
			    const struct setting_def *d)
{
	struct cmd_out o;

	cmd_err_start(p->err, &o, t->off + 1);
	cmd_out_char(&o, '\'');
	cmd_out_str(&o, d->name);
	cmd_out_str(&o, "' does not apply to hvgdb: ");
	cmd_out_str(&o, d->not_here);
	return -1;
}

static int parse_settings(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t, v;
	const char *w;
	int i;

	c->kind = CMD_SETTINGS;
	c->setting = CMD_SETTING_ALL;
	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END)
		return 0;
	if (t.kind != CMD_TOK_WORD)
		return cmd_expected(p, &t, "a setting's name (settings lists "
				    "them)", "settings");
	i = setting_find(cmd_tok_s(p, &t), t.len);
	if (i < 0) {
		cmd_err(p->err, t.off + 1, "unknown setting ", cmd_tok_s(p, &t),
			t.len, " (settings lists them)");
		return -1;
	}
	if (settings[i].not_here)
		return setting_not_here(p, &t, &settings[i]);
	c->setting = (u32)i;
	c->id_col = t.off + 1;
	if (cmd_next(p, &v))
		return -1;
	if (v.kind == CMD_TOK_END)
		return 0;
	w = cmd_tok_s(p, &v);
	if (v.kind == CMD_TOK_WORD && cmd_word_is(w, v.len, "on"))
		c->on = true;
	else if (!(v.kind == CMD_TOK_WORD && cmd_word_is(w, v.len, "off")))
		return cmd_expected(p, &v, "'on' or 'off'", settings[i].name);
	c->set = true;
	return cmd_end_of_command(p);
}

/* HyperDbg's `preactivate mode` sets up !mode ahead; hvgdb sets it up at
 * load, and the host answers with the mechanism and its state
 * (kmod/events/mon_mode.c).  Nothing else takes it. */
static int parse_preactivate(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "mode")) {
		c->kind = CMD_PREACTIVATE;
		return cmd_end_of_command(p);
	}
	return cmd_expected(p, &t, "'mode' (the one functionality HyperDbg "
			    "pre-activates)", "preactivate");
}

int cmd_parse_settings(struct cmd_parser *p, const struct cmd_info *ci,
		       struct cmd_parsed *c)
{
	if (cmd_word_is(ci->name, strlen(ci->name), "settings"))
		return parse_settings(p, c);
	if (cmd_word_is(ci->name, strlen(ci->name), "preactivate"))
		return parse_preactivate(p, c);
	c->kind = cmd_word_is(ci->name, strlen(ci->name), "cpus") ?
		  CMD_CPUS : CMD_STATUS;
	return cmd_end_of_command(p);
}

static bool setting_value(const struct event_table *t, u32 i)
{
	(void)i;		/* autoflush is the one hvgdb keeps */
	return t->autoflush;
}

int cmd_do_settings(struct event_table *t, const struct cmd_parsed *c,
		    struct cmd_out *o)
{
	const struct setting_def *d;
	u32 i;

	if (c->setting == CMD_SETTING_ALL) {
		for (i = 0; i < ARRAY_SIZE(settings); i++) {
			d = &settings[i];
			cmd_out_str(o, d->name);
			cmd_out_str(o, d->not_here ? ": does not apply (" :
				    setting_value(t, i) ? ": on (" : ": off (");
			cmd_out_str(o, d->not_here ? d->not_here : d->what);
			cmd_out_str(o, ")\n");
		}
		return 0;
	}
	if (c->setting >= ARRAY_SIZE(settings) ||
	    settings[c->setting].not_here)
		return -1;	/* the parser never gives these */
	d = &settings[c->setting];
	if (c->set) {
		t->autoflush = c->on;
		cmd_out_str(o, "set ");
		cmd_out_str(o, d->shown);
		cmd_out_str(o, c->on ? " to enabled\n" : " to disabled\n");
		return 0;
	}
	cmd_out_str(o, d->shown);
	cmd_out_str(o, setting_value(t, c->setting) ? " is enabled\n" :
		    " is disabled\n");
	return 0;
}
