/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_out.h - bounded text output for monitor replies.
 *
 * No snprintf exists in the freestanding sources, so replies, error
 * messages and event-hit lines are built with these helpers into a
 * caller-owned buffer.  The buffer is always NUL-terminated; text that does
 * not fit is dropped and 'truncated' is set, never written past cap.
 */
#ifndef HVGDB_CMD_OUT_H
#define HVGDB_CMD_OUT_H

#include "hvgdb/freestanding.h"

struct cmd_out {
	char *buf;
	size_t cap;		/* bytes in buf, including the NUL */
	size_t len;		/* bytes written, excluding the NUL */
	bool truncated;
};

void cmd_out_init(struct cmd_out *o, char *buf, size_t cap);
void cmd_out_str(struct cmd_out *o, const char *s);
void cmd_out_mem(struct cmd_out *o, const char *s, size_t n);
void cmd_out_char(struct cmd_out *o, char c);
/* "0x" followed by lower-case hex digits, HyperDbg's number style. */
void cmd_out_hex(struct cmd_out *o, u64 v);
void cmd_out_dec(struct cmd_out *o, u64 v);
/* Printable copy of s[0..n): control bytes and non-ASCII become '?'. */
void cmd_out_safe(struct cmd_out *o, const char *s, size_t n);

#endif /* HVGDB_CMD_OUT_H */
