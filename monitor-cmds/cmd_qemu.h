/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_qemu.h - QEMU's `xp /fmt addr` (physical memory in QEMU's
 * memory_dump() layout): parsing for cmd_parse() and the text of one
 * line.  Pure functions; the host (kmod/events/mon_inspect.c) reads the
 * memory.  `info version|registers|mem|tlb` are parsed in cmd_inspect.c.
 */
#ifndef HVGDB_CMD_QEMU_H
#define HVGDB_CMD_QEMU_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"

/* Bytes on one line of xp: QEMU's line_size (8 for size b, else 16);
 * cmd_parse() puts it in c->count. */
static inline u32 cmd_xp_line_size(u8 size)
{
	return size == 1 ? 8 : 16;
}

/*
 * One line of xp: "<addr>:" (16 hex digits), then for each unit of @buf
 * (@n bytes, a multiple of @unit) a blank and the value in @format:
 * 'x' 0x and hex digits zero-padded to the unit's width, 'o' octal with a
 * leading 0 right-aligned, 'u'/'d' decimal right-aligned (widths as
 * QEMU's), 'c' the byte quoted ('A', '\n', '\x01'); then '\n'.
 */
void cmd_fmt_xp_line(struct cmd_out *o, u64 addr, const u8 *buf, u32 n,
		     u8 unit, char format);
/* The line QEMU prints where memory cannot be read. */
void cmd_fmt_xp_fail(struct cmd_out *o, u64 addr);

#endif /* HVGDB_CMD_QEMU_H */
