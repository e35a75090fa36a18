/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_priv.h - helpers shared by the cmd_*.c files only: building error
 * messages, the parser's token helpers and the command-name table.
 */
#ifndef HVGDB_CMD_PRIV_H
#define HVGDB_CMD_PRIV_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"

/* Start an error at column col; the message is appended through o. */
void cmd_err_start(struct cmd_error *e, struct cmd_out *o, u32 col);
/* 'text' quoted, shortened to a readable length. */
void cmd_out_quoted(struct cmd_out *o, const char *s, size_t n);
/* One-call error: "<a>'<tok>'<b>" (tok may be NULL: "<a><b>"). */
void cmd_err(struct cmd_error *e, u32 col, const char *a,
	     const char *tok, size_t n, const char *b);

/* The state of one cmd_parse() call (cmd_parse.c, cmd_inspect.c). */
struct cmd_parser {
	const char *s;
	u32 len;
	struct cmd_lex lx;
	struct cmd_error *err;
};

static inline int cmd_next(struct cmd_parser *p, struct cmd_tok *t)
{
	return cmd_lex_next(&p->lx, t, p->err);
}

static inline const char *cmd_tok_s(const struct cmd_parser *p,
				    const struct cmd_tok *t)
{
	return p->s + t->off;
}

/* Error at t: "expected <what> after '<after>', got 'tok'" (after may be
 * NULL), "... got end of line" or "... got a {...} block".  Returns -1. */
int cmd_expected(struct cmd_parser *p, const struct cmd_tok *t,
		 const char *what, const char *after);
/* t as a number in [lo, hi] into *val; what names it in messages ("expected
 * <what> in 0x<lo>..0x<hi>, got 0x<v>").  Returns 0 or -1. */
int cmd_number(struct cmd_parser *p, const struct cmd_tok *t, const char *what,
	       const char *after, u64 lo, u64 hi, u64 *val);
/* The next token must be the end of the line.  Returns 0 or -1. */
int cmd_end_of_command(struct cmd_parser *p);

/* Argument an event command takes. */
enum cmd_arg_kind {
	CMD_ARG_NONE,
	CMD_ARG_OPTIONAL,
	CMD_ARG_REQUIRED,
};

struct cmd_info {
	const char *name;	/* without '!' */
	bool bang;		/* written with '!' in HyperDbg */
	enum event_type type;	/* EVENT_NONE: not an event command */
	enum cmd_arg_kind arg;
	const char *arg_name;	/* "MSR", "port", ... */
	u64 arg_min, arg_max;
	bool stages;		/* takes sc and stage */
	const char *syntax;	/* help line, also in docs/commands.md */
	const char *summary;
	/* Run by the host (cmd.h: CMD_EVAL, CMD_PRINT): .help lists it last,
	 * after the note on numbers, with this text. */
	bool host;
	const char *list;
	/* Only with its '!' (bang is true): without it the name is another
	 * HyperDbg command (db, eb: virtual memory), which hvgdb leaves to
	 * gdb. */
	bool bang_only;
	/* An inspection command: cmd_parse_inspect() parses it. */
	bool inspect;
};

extern const struct cmd_info cmd_infos[];
extern const u32 cmd_info_count;

/* Look a command name up (with or without '!'); NULL if unknown. */
const struct cmd_info *cmd_info_find(const char *s, size_t n);

/*
 * cmd_inspect.c.  cmd_parse_inspect() parses the rest of the line after
 * the name (token @name) of the inspection command @ci into @c (kind and
 * the inspection fields); 0 or -1 with p->err filled.
 * cmd_inspect_without_bang() is for a name cmd_info_find() did not know:
 * if it is a bang_only command written without its '!', it fills err
 * (column col) and returns -1; else 0.
 */
int cmd_parse_inspect(struct cmd_parser *p, const struct cmd_info *ci,
		      const struct cmd_tok *name, struct cmd_parsed *c);
/* cmd_pci.c: the rest of !pcitree or !pcicam (@kind) after its name,
 * written @shown in messages; 0 or -1 with p->err filled. */
int cmd_parse_pci(struct cmd_parser *p, enum cmd_kind kind, const char *shown,
		  struct cmd_parsed *c);
int cmd_inspect_without_bang(struct cmd_error *err, u32 col, const char *s,
			     size_t n);
/* cmd_settings.c: settings, preactivate, status and cpus (ci) after the
 * name;
 * 0 or -1 with p->err filled. */
int cmd_parse_settings(struct cmd_parser *p, const struct cmd_info *ci,
		       struct cmd_parsed *c);
/* cmd_qemu.c: QEMU's xp after its name (@name: "xp" or "xp/fmt"). */
int cmd_parse_xp(struct cmd_parser *p, const struct cmd_tok *name,
		 struct cmd_parsed *c);
/* "'<kw>' given twice (first at column <first>)" at t; -1 (cmd_inspect.c). */
int cmd_twice(struct cmd_parser *p, const struct cmd_tok *t, const char *kw,
	      u32 first);
/* [addr, addr + len) must not pass 2^64: else the error "range <addr> +
 * <len> bytes wraps past 0xffffffffffffffff" at col, -1 (cmd_inspect.c). */
int cmd_range_fits(struct cmd_parser *p, u32 col, u64 addr, u64 len);
/* cmd_search.c: sb/sd/sq (@name without '!') or !sb/!sd/!sq after the
 * name; @unit 1, 4 or 8.  0 or -1 with p->err filled. */
int cmd_parse_search(struct cmd_parser *p, const struct cmd_tok *name,
		     u8 unit, struct cmd_parsed *c);

/* cmd_monitor.c: !monitor's attribute, range and va|pa, before its
 * options; cmd_monitor_apply() puts them in the parsed spec. */
struct cmd_monitor_args {
	u64 from, to;		/* to: last byte */
	u32 from_col;
	u8 acc;			/* EVENT_MON_R/W/X */
	bool phys;
};
int cmd_parse_monitor(struct cmd_parser *p, struct cmd_monitor_args *m);
void cmd_monitor_apply(const struct cmd_monitor_args *m,
		       struct event_spec *sp);

#endif /* HVGDB_CMD_PRIV_H */
