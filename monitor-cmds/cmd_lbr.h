/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_lbr.h - HyperDbg's `!lbr enable|disable|flush|filter [option ...]`
 * and `!lbrdump [core n]` (v0.19, extension-commands/lbr.md, lbrdump.md):
 * parsing only (called by cmd_parse_inspect()).  The host (kmod/events/
 * mon_lbr.c) runs them over kmod/lib/lbr.c.
 */
#ifndef HVGDB_CMD_LBR_H
#define HVGDB_CMD_LBR_H

#include "hvgdb/freestanding.h"
#include "cmd.h"

/* !lbr's function, in c->count */
enum cmd_lbr_op {
	CMD_LBR_ENABLE, CMD_LBR_DISABLE, CMD_LBR_FLUSH, CMD_LBR_FILTER,
};

struct cmd_parser;
/*
 * !lbr: c->count = enum cmd_lbr_op; for filter, c->value = the options'
 * bits (kmod/lib/lbr.h: HyperDbg's filter; none: 0, everything
 * recorded), call_stack with anything but user/kernel refused as
 * HyperDbg's page says.  !lbrdump: c->core = CMD_CORE_ALL or the CPU
 * (core_col its column).  0, or -1 with p->err filled.
 */
int cmd_parse_lbr(struct cmd_parser *p, enum cmd_kind kind,
		  struct cmd_parsed *c);

#endif /* HVGDB_CMD_LBR_H */
