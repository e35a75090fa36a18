/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_exec.h - run one `monitor` command line against an event table.
 *
 * Contract: cmd_execute() parses the line (cmd.h); on any error it changes
 * nothing, writes "column N: <what was expected>\n" to out and returns -1.
 * On success it applies the command to the table, writes the reply (the
 * text gdb prints) to out and returns 0.  *req tells the kernel module
 * what it must do before the system resumes (CMD_REQ_*).  Called only
 * while every CPU is halted; it never allocates.
 */
#ifndef HVGDB_CMD_EXEC_H
#define HVGDB_CMD_EXEC_H

#include "hvgdb/freestanding.h"
#include "event.h"
#include "cmd.h"

/* The enabled set changed: recompute event_intercepts_compute() and load
 * the result on every CPU before resuming. */
#define CMD_REQ_APPLY		(1u << 0)
/* t->want_events / t->want_text / t->want_data ask for bigger pools:
 * allocate them outside VMX root (after the system resumes) and hand them
 * over with event_table_grow() / event_table_grow_data() at the next
 * stop. */
#define CMD_REQ_PREALLOC	(1u << 1)
/* Send the batched (imm no) event output to gdb now. */
#define CMD_REQ_FLUSH		(1u << 2)
/* t->stop_sc changed: short-circuit (or not) the event being reported. */
#define CMD_REQ_SC		(1u << 3)
/* The host runs this command (cmd.h: CMD_EVAL, CMD_PRINT,
 * CMD_PREALLOC_SHOW, CMD_PREALLOC_SCRIPT and the inspection commands):
 * nothing was changed, the reply is empty and the result 0. */
#define CMD_REQ_HOST		(1u << 4)

/* Text-arena bytes requested per event slot by `prealloc`. */
#define CMD_PREALLOC_TEXT_PER_EVENT	256u

int cmd_execute(struct event_table *t, const char *line, size_t len,
		char *out, size_t out_cap, u32 *req);

/* The same for a line cmd_parse() already parsed into *c. */
int cmd_execute_parsed(struct event_table *t, const char *line,
		       const struct cmd_parsed *c, char *out, size_t out_cap,
		       u32 *req);

#endif /* HVGDB_CMD_EXEC_H */
