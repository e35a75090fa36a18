/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event_forward.h - event output forwarding (HyperDbg's output sources,
 * `output {NAME}`): the names that exist, the spool the debugging
 * machine reads, and the tagged records the module writes there.
 *
 * The debugging machine (the gdb-python package, `hv output`) owns the
 * sources: it opens the file or TCP connection, reads the spool and
 * routes each record by its name.  The module knows only the names (an
 * event may name only one that exists), the spool's path on the
 * debugging machine (written through gdb's File-I/O, gdbstub.h) and
 * whether console lines are copied there too (`tap`, for the package's
 * on_output callbacks).
 *
 * A record is one line: "<id> <name> <text>\n", id in hex with 0x, name
 * "-" for a tapped console line; text is one line of the event's output
 * without its '\n' (a piece left without one at the end of a script's
 * output is a line of its own).
 *
 * Contract: struct event_outputs is changed by commands only, while
 * every CPU is halted; read in VMX root.  Pure functions, no locks.
 */
#ifndef HVGDB_EVENT_FORWARD_H
#define HVGDB_EVENT_FORWARD_H

#include "hvgdb/freestanding.h"

#define EVENT_OUTPUTS_MAX	8
#define EVENT_OUTPUT_NAME_MAX	32
#define EVENT_SPOOL_MAX		256	/* path, with its NUL */
/* A record's tag: "0x" + 8 hex + ' ' + name + ' '. */
#define EVENT_FWD_TAG_MAX	(2 + 8 + 1 + EVENT_OUTPUT_NAME_MAX + 1)

struct event_outputs {
	u32 n;
	char name[EVENT_OUTPUTS_MAX][EVENT_OUTPUT_NAME_MAX + 1];
	char spool[EVENT_SPOOL_MAX];	/* "" = none set */
	u32 spool_gen;			/* bumped when spool changes */
	bool tap;			/* copy console lines to the spool */
};

#define EVENT_FWD_EXISTS	(-1)
#define EVENT_FWD_FULL		(-2)
#define EVENT_FWD_BAD_NAME	(-3)	/* empty, too long, not [A-Za-z0-9_] */

/* Index of name[0..len), or -1. */
int event_outputs_find(const struct event_outputs *o, const char *name,
		       u32 len);
/* Adds name[0..len); its index, or EVENT_FWD_*. */
int event_outputs_add(struct event_outputs *o, const char *name, u32 len);
/* Sets the spool path (len < EVENT_SPOOL_MAX, no NUL); false if too long.
 * An empty path turns forwarding off. */
bool event_outputs_spool(struct event_outputs *o, const char *path,
			 u32 len);

/*
 * One record for line[0..len) (no '\n' in it) of event id into out:
 * "0x<id> <name> <line>\n", name[0..nlen) ("-" when nlen is 0).  Returns
 * its length, or 0 when it does not fit in cap (nothing usable written).
 */
u32 event_forward_record(char *out, u32 cap, u32 id, const char *name,
			 u32 nlen, const char *line, u32 len);

/*
 * Splits text[0..len) into lines and calls put() with each one's record
 * (built in scratch, at least EVENT_FWD_TAG_MAX + the longest line + 1
 * bytes); a line that does not fit in scratch is cut into records that
 * do.  Returns the number of records.
 */
u32 event_forward_lines(char *scratch, u32 cap, u32 id, const char *name,
			u32 nlen, const char *text, u32 len,
			void (*put)(void *arg, const char *rec, u32 n),
			void *arg);

#endif /* HVGDB_EVENT_FORWARD_H */
