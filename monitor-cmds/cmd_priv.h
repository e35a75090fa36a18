/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_priv.h - helpers shared by the cmd_*.c files only: building error
 * messages and the command-name table.
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
};

extern const struct cmd_info cmd_infos[];
extern const u32 cmd_info_count;

/* Look a command name up (with or without '!'); NULL if unknown. */
const struct cmd_info *cmd_info_find(const char *s, size_t n);

#endif /* HVGDB_CMD_PRIV_H */
