/* Fixtures for the monitor-cmds unit tests; see support_monitor.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"

/*
 * The fake engine "compiles" any text; it refuses a text containing '@@'
 * with an error at that offset, and runs out after FX_PROGS programs,
 * like a real engine with a fixed program pool.
 */
static int fake_compile(void *ctx, const char *text, size_t len,
			bool is_condition, void **prog, char *msg,
			size_t msg_cap, size_t *err_off)
{
	struct fake_engine *e = ctx;
	size_t i;

	memset(e->last_text, 0, sizeof(e->last_text));
	memcpy(e->last_text, text,
	       len < sizeof(e->last_text) - 1 ? len : sizeof(e->last_text) - 1);
	e->last_is_condition = is_condition;
	for (i = 0; i + 1 < len; i++) {
		if (text[i] == '@' && text[i + 1] == '@') {
			strncpy(msg, "expected an expression", msg_cap);
			*err_off = i;
			return -1;
		}
	}
	for (i = 0; i < FX_PROGS; i++) {
		if (!e->in_use[i]) {
			e->in_use[i] = true;
			e->live++;
			e->compiled++;
			/* Handles are 1-based slot numbers: never NULL. */
			*prog = (void *)(uintptr_t)(i + 1);
			return 0;
		}
	}
	strncpy(msg, "script program pool full", msg_cap);
	*err_off = 0;
	return -1;
}

static void fake_release(void *ctx, void *prog)
{
	struct fake_engine *e = ctx;
	uintptr_t slot = (uintptr_t)prog - 1;

	if (slot < FX_PROGS && e->in_use[slot]) {
		e->in_use[slot] = false;
		e->live--;
		e->released++;
	} else {
		/* A double release or a foreign handle: make it visible. */
		e->live = -1000;
	}
}

void fx_init(struct fixture *f, bool with_engine)
{
	memset(f, 0, sizeof(*f));
	f->ops.compile = fake_compile;
	f->ops.release = fake_release;
	f->ops.ctx = &f->eng;
	event_table_init(&f->t, f->ev, FX_EVENTS, f->text, FX_TEXT,
			 with_engine ? &f->ops : NULL);
	event_table_set_data(&f->t, f->data, FX_DATA);
}

int fx_run(struct fixture *f, const char *line)
{
	return cmd_execute(&f->t, line, strlen(line), f->out, sizeof(f->out),
			   &f->req);
}

int fx_parse(const char *line, struct cmd_parsed *c, struct cmd_error *err)
{
	struct cmd_error e;

	return cmd_parse(line, strlen(line), c, err ? err : &e);
}

struct cmd_parsed fx_parse_ok(const char *line)
{
	struct cmd_parsed c;
	struct cmd_error e;

	if (cmd_parse(line, strlen(line), &c, &e))
		fail_msg("'%s' failed: column %u: %s", line, e.col, e.msg);
	return c;
}

void fx_parse_err_is(const char *line, unsigned int col, const char *msg)
{
	struct cmd_parsed c;
	struct cmd_error e;

	if (!cmd_parse(line, strlen(line), &c, &e))
		fail_msg("'%s' parsed but should fail", line);
	if (e.col != col || strcmp(e.msg, msg))
		fail_msg("'%s':\n got      column %u: %s\n expected column %u: %s",
			 line, e.col, e.msg, col, msg);
}
