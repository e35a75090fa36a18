// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_kv.c - the fields of machine-readable replies (cmd_kv.h).
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_kv.h"

static void kv_key(struct cmd_out *o, const char *key)
{
	cmd_out_char(o, ' ');
	cmd_out_str(o, key);
	cmd_out_char(o, '=');
}

void cmd_kv_hex(struct cmd_out *o, const char *key, u64 v)
{
	kv_key(o, key);
	cmd_out_hex(o, v);
}

void cmd_kv_bool(struct cmd_out *o, const char *key, bool v)
{
	kv_key(o, key);
	cmd_out_char(o, v ? '1' : '0');
}

void cmd_kv_str(struct cmd_out *o, const char *key, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	kv_key(o, key);
	cmd_out_char(o, '"');
	for (i = 0; i < n; i++) {
		u8 c = (u8)s[i];

		if (c == '\\' || c == '"') {
			cmd_out_char(o, '\\');
			cmd_out_char(o, (char)c);
		} else if (c == '\n') {
			cmd_out_str(o, "\\n");
		} else if (c == '\t') {
			cmd_out_str(o, "\\t");
		} else if (c < 0x20 || c > 0x7e) {
			cmd_out_str(o, "\\x");
			cmd_out_char(o, hex[c >> 4]);
			cmd_out_char(o, hex[c & 15]);
		} else {
			cmd_out_char(o, (char)c);
		}
	}
	cmd_out_char(o, '"');
}

bool cmd_kv_takes(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_EVENT:
	case CMD_EVENTS_LIST:
	case CMD_RDMSR:
	case CMD_VA2PA:
	case CMD_PA2VA:
	case CMD_CPUS:
	case CMD_STOP:
	case CMD_OUTPUT:
		return true;
	default:
		return false;
	}
}
