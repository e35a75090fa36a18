/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_kv.h - machine-readable replies: `.kv COMMAND` answers COMMAND as
 * records for scripts (the gdb-python package), the human layout staying
 * as it is without the prefix.  One record per line: its kind, then
 * ` key=value` fields; numbers hex with 0x, text a "..." string with C
 * escapes (\\ \" \n \t \xHH for other bytes outside 0x20-0x7e), booleans
 * 0/1.  Readers ignore keys they do not know, so fields can be added.
 * docs/python.md lists the records.  Pure functions over struct cmd_out.
 */
#ifndef HVGDB_CMD_KV_H
#define HVGDB_CMD_KV_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"

void cmd_kv_hex(struct cmd_out *o, const char *key, u64 v);
void cmd_kv_bool(struct cmd_out *o, const char *key, bool v);
void cmd_kv_str(struct cmd_out *o, const char *key, const char *s, size_t n);

/* The kinds `.kv` takes: events (list), an event command, rdmsr, !va2pa,
 * !pa2va, cpus, stop. */
bool cmd_kv_takes(enum cmd_kind kind);

#endif /* HVGDB_CMD_KV_H */
