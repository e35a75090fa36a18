/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_script.h - the script engine (script.h) behind the event table's
 * compile hook (struct event_script_ops in event.h).
 *
 * Contract: the caller owns every buffer (compiler scratch of about
 * 8 KiB, a pool of struct script_prog of about 20 KiB each, shared
 * .globals); the hook only picks a free program slot and compiles into
 * it, while the system is halted.  The engine's "line L, column C: msg"
 * error becomes an offset in the block, which cmd_execute() turns into a
 * column of the whole gdb line, followed by msg.
 */
#ifndef HVGDB_CMD_SCRIPT_H
#define HVGDB_CMD_SCRIPT_H

#include "hvgdb/freestanding.h"
#include "event.h"
#include "script.h"

struct cmd_script_pool {
	struct script_compiler *scratch;
	struct script_globals *globals;	/* .names shared by all events */
	struct script_prog *progs;
	bool *used;			/* one flag per program */
	u32 n;
	u32 flags;			/* extra script_compile() flags */
};

/* Fill ops so that event tables compile through pool. */
void cmd_script_ops_init(struct event_script_ops *ops,
			 struct cmd_script_pool *pool);

#endif /* HVGDB_CMD_SCRIPT_H */
