/* Shared fixtures for the monitor-cmds unit tests: a small event table and
 * a fake script engine behind the compile hook. */
#ifndef TESTS_SUPPORT_MONITOR_H
#define TESTS_SUPPORT_MONITOR_H

#include "hvgdb/freestanding.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_exec.h"
#include "monitor-cmds/event.h"

#define FX_EVENTS	8
#define FX_TEXT		1024
#define FX_PROGS	4
#define FX_DATA		64

struct fake_engine {
	int live;		/* handles handed out and not released */
	int compiled;		/* compile calls that succeeded */
	int released;
	bool in_use[FX_PROGS];
	char last_text[256];	/* the text of the last compile call */
	bool last_is_condition;
};

struct fixture {
	struct event ev[FX_EVENTS];
	char text[FX_TEXT];
	u8 data[FX_DATA];
	struct event_table t;
	struct fake_engine eng;
	struct event_script_ops ops;
	char out[4096];
	u32 req;
};

/* with_engine: give the table the fake compile hook. */
void fx_init(struct fixture *f, bool with_engine);
/* cmd_execute() on a NUL-terminated line; returns its result. */
int fx_run(struct fixture *f, const char *line);
/* Parse only; err may be NULL. */
int fx_parse(const char *line, struct cmd_parsed *c, struct cmd_error *err);
/* cmocka checks: the line parses (its result), or fails at column col
 * with exactly msg. */
struct cmd_parsed fx_parse_ok(const char *line);
void fx_parse_err_is(const char *line, unsigned int col, const char *msg);

#endif
