// SPDX-License-Identifier: GPL-2.0
/*
 * mon_track.c - HyperDbg's !track at a stop.  Not built yet: refused
 * with the reason (the parser, cmd_track.c, takes HyperDbg's syntax).
 */
#include <linux/kernel.h>
#include "kmod/events/mon_priv.h"
#include "monitor-cmds/cmd.h"

int mon_track_command(const struct cmd_parsed *p, struct rsp_output *out,
		      bool *handled)
{
	*handled = p->kind == CMD_TRACK;
	if (!*handled)
		return 0;
	return mon_fail(out, 0, "!track is not available yet\n");
}
