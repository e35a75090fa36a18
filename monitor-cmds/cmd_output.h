/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_output.h - `.output`, hvgdb's own command for event forwarding
 * (event_forward.h): what the gdb-python package's `hv output` tells
 * the module.  Parsing (cmd_output.c, through cmd_parse_inspect()) and
 * the listing's text; pure functions.  The host (kmod/events/
 * mon_output.c) changes struct event_outputs at a stop.
 *
 *   .output                     the spool, the counters, the names
 *   .output create NAME         NAME may be used in `output {NAME}`
 *   .output spool PATH|off      where forwarded lines go: PATH on the
 *                               debugging machine (gdb's File-I/O)
 *   .output tap on|off          also copy console lines of events
 *                               without output {} to the spool
 *
 * `.kv .output` gives the listing as records (cmd_kv.h): "spool path=
 * open= tap= forwarded= lost_full= lost_write= error=" and one
 * "output name=" per name.
 */
#ifndef HVGDB_CMD_OUTPUT_H
#define HVGDB_CMD_OUTPUT_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "event_forward.h"

enum {
	CMD_OUTPUT_LIST = 0,
	CMD_OUTPUT_CREATE,
	CMD_OUTPUT_SPOOL,	/* output_arg.len 0: off */
	CMD_OUTPUT_TAP,		/* on: cmd_parsed.on */
};

struct cmd_parser;
struct cmd_tok;
int cmd_parse_output(struct cmd_parser *p, struct cmd_parsed *c);

/* What the module counted; lines are records (event_forward.h). */
struct cmd_fwd_stats {
	bool open;		/* the spool is open on the debugging machine */
	u64 forwarded;		/* records gdb wrote */
	u64 lost_full;		/* dropped: a CPU's forward buffer was full */
	u64 lost_write;		/* dropped: the spool could not be written */
	int error;		/* the last write's or open's -errno, 0 */
};

/* The listing, human (kv false) or as records. */
void cmd_fmt_outputs(struct cmd_out *o, const struct event_outputs *eo,
		     const struct cmd_fwd_stats *st, bool kv);

/* The refusal of `output {NAME}` for a NAME that was not created:
 * "column <col>: output {NAME}: no output source named 'NAME' ...\n";
 * for a list ("a, b"): "... one output source per event in hvgdb ...". */
void cmd_fmt_no_output(struct cmd_out *o, u32 col, const char *name,
		       u32 len);

#endif /* HVGDB_CMD_OUTPUT_H */
