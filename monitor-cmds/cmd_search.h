/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_search.h - HyperDbg's memory searches (sb/sd/sq virtual, !sb/!sd/!sq
 * physical): parsing for cmd_parse() and the pattern and lines the host
 * (kmod/events/mon_search.c) uses.  Pure functions.
 */
#ifndef HVGDB_CMD_SEARCH_H
#define HVGDB_CMD_SEARCH_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"

/* The most matches one search prints; then it says where to go on. */
#define CMD_SEARCH_HITS		0x100u

/*
 * The pattern's bytes: each value in c->values, little-endian, c->unit
 * bytes each.  Returns its length, or 0 if cap is too small (cap of
 * CMD_EDIT_MAX * 8 always suffices).
 */
u32 cmd_search_pattern(const struct cmd_parsed *c, u8 *buf, u32 cap);

/* One match: the address in HyperDbg's backtick form, "ffffffff`81e00100". */
void cmd_fmt_search_hit(struct cmd_out *o, u64 addr);

#endif /* HVGDB_CMD_SEARCH_H */
