// SPDX-License-Identifier: GPL-2.0
/* cmd_script.c - script engine behind the compile hook; see cmd_script.h. */
#include "hvgdb/freestanding.h"
#include "cmd_script.h"
#include "event.h"
#include "script.h"

/* Read a decimal number at *p, advancing it; 0 if there is none. */
static u32 read_dec(const char **p)
{
	u32 v = 0;

	while (**p >= '0' && **p <= '9' && v < 100000000u)
		v = v * 10 + (u32)(*(*p)++ - '0');
	return v;
}

/* Does s start with pre?  Stops at s's NUL, never reads past it. */
static bool starts(const char *s, const char *pre)
{
	while (*pre && *s == *pre) {
		s++;
		pre++;
	}
	return !*pre;
}

/*
 * "line L, column C: msg" -> the offset of (L, C) in text, and msg moved
 * to the front of the buffer.  Anything else is left as it is, at
 * offset 0.
 */
static size_t split_position(char *msg, const char *text, size_t len)
{
	static const char pre_line[] = "line ", pre_col[] = ", column ";
	const char *p = msg;
	u32 line, col, l = 1;
	size_t off = 0, i, n;

	if (!starts(p, pre_line))
		return 0;
	p += sizeof(pre_line) - 1;
	line = read_dec(&p);
	if (!starts(p, pre_col))
		return 0;
	p += sizeof(pre_col) - 1;
	col = read_dec(&p);
	if (p[0] != ':' || p[1] != ' ' || !line || !col)
		return 0;
	p += 2;
	while (l < line && off < len) {
		if (text[off++] == '\n')
			l++;
	}
	off += col - 1;
	if (off > len)
		off = len;
	n = strlen(p);
	for (i = 0; i <= n; i++)	/* forward copy, with the NUL */
		msg[i] = p[i];
	return off;
}

static int pool_compile(void *ctx, const char *text, size_t len,
			bool is_condition, void **prog, char *msg,
			size_t msg_cap, size_t *err_off)
{
	struct cmd_script_pool *pool = ctx;
	u32 flags = pool->flags | (is_condition ? SCRIPT_F_CONDITION : 0);
	u32 i;

	for (i = 0; i < pool->n && pool->used[i]; i++)
		;
	if (i == pool->n) {
		static const char full[] = "script program pool full: clear "
					   "events with scripts";

		*err_off = 0;
		if (msg_cap) {
			size_t n = sizeof(full) < msg_cap ? sizeof(full) :
							    msg_cap;

			memcpy(msg, full, n);
			msg[n - 1] = '\0';
		}
		return -1;
	}
	if (script_compile(pool->scratch, text, len, pool->globals, flags,
			   &pool->progs[i], msg, msg_cap)) {
		*err_off = msg_cap ? split_position(msg, text, len) : 0;
		return -1;
	}
	pool->used[i] = true;
	*prog = &pool->progs[i];
	return 0;
}

static void pool_release(void *ctx, void *prog)
{
	struct cmd_script_pool *pool = ctx;
	struct script_prog *p = prog;

	if (p >= pool->progs && p < pool->progs + pool->n)
		pool->used[p - pool->progs] = false;
}

void cmd_script_ops_init(struct event_script_ops *ops,
			 struct cmd_script_pool *pool)
{
	ops->compile = pool_compile;
	ops->release = pool_release;
	ops->ctx = pool;
}
