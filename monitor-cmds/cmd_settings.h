/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_settings.h - HyperDbg's `settings`, `preactivate` and `status`, and
 * hvgdb's `cpus`: parsing for cmd_parse() and `settings` for
 * cmd_execute_parsed(), over the event table (its autoflush flag).  Pure
 * functions; `status` and `cpus` are the host's (kmod/events/
 * mon_status.c).
 *
 * HyperDbg's four settings are all known.  autoflush applies to hvgdb and
 * can be set; autounpause, syntax and addressconversion belong to
 * HyperDbg's own console, whose work gdb does here: naming one (to show
 * or to set it) is an error that says which gdb setting to use instead.
 * `preactivate` names a functionality to set up ahead (HyperDbg: mode,
 * for !mode); hvgdb has none that needs it, and says why.
 */
#ifndef HVGDB_CMD_SETTINGS_H
#define HVGDB_CMD_SETTINGS_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "event.h"

/* c->setting of `settings` alone: list them all. */
#define CMD_SETTING_ALL		0xffffffffu
#define CMD_SETTING_AUTOFLUSH	0u

/* `settings ...` at a stop: show or change; 0, or -1 with the error in o
 * (column and text, as the parser's). */
int cmd_do_settings(struct event_table *t, const struct cmd_parsed *c,
		    struct cmd_out *o);

#endif /* HVGDB_CMD_SETTINGS_H */
