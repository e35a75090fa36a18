/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_track.h - HyperDbg's `!track [tree|reg] [count]`: parsing (called by
 * cmd_parse_inspect()).  The host (kmod/events/mon_track.c) steps gdb's
 * selected CPU and prints calls and returns with kmod/lib/track.c.
 */
#ifndef HVGDB_CMD_TRACK_H
#define HVGDB_CMD_TRACK_H

#include "hvgdb/freestanding.h"
#include "cmd.h"

struct cmd_parser;
/*
 * After `!track`: `tree` (the default) or `reg` (c->on: registers at each
 * call), then an optional instruction count (hex, 1..CMD_TRACK_MAX) in
 * c->value with c->set; without one the stepping goes on until gdb's
 * Ctrl-C.  0, or -1 with p->err filled.
 */
int cmd_parse_track(struct cmd_parser *p, struct cmd_parsed *c);

#define CMD_TRACK_MAX	0xffffffffull

#endif /* HVGDB_CMD_TRACK_H */
