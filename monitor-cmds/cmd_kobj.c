// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_kobj.c - HyperDbg's kernel-object commands: parsing of lm, .process
 * and .thread (reached from cmd_parse_inspect()) and the text of their
 * replies; see cmd_kobj.h.  docs/commands.md describes them and
 * tests/unit/monitor/test_cmd_kobj.c pins parsing and text down.
 *
 * Syntax as HyperDbg's (lm.md, .process.md, .thread.md).  What HyperDbg
 * has and hvgdb cannot do is refused at its column with the reason, never
 * taken and ignored: lm's user-mode modules (`um`, `pid`), and switching
 * threads (`.thread tid`, `.thread thread`).  No side effects: only the
 * struct cmd_parsed is filled.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_inspect.h"
#include "cmd_kobj.h"

/* ------------------------------------------------------------ parsing */

static bool is_word(struct cmd_parser *p, const struct cmd_tok *t,
		    const char *w)
{
	return t->kind == CMD_TOK_WORD && cmd_word_is(cmd_tok_s(p, t), t->len,
						     w);
}

static int refuse(struct cmd_parser *p, const struct cmd_tok *t,
		  const char *why)
{
	struct cmd_out o;

	cmd_err_start(p->err, &o, t->off + 1);
	cmd_out_str(&o, why);
	return -1;
}

/* lm [m name] [km] */
static int parse_lm(struct cmd_parser *p, struct cmd_parsed *c)
{
	u32 m_col = 0, km_col = 0;
	bool any = false;
	struct cmd_tok t;

	c->kobj.op = CMD_KOBJ_LIST;
	for (;; any = true) {
		if (cmd_next(p, &t))
			return -1;
		if (t.kind == CMD_TOK_END)
			return 0;
		if (is_word(p, &t, "m")) {
			if (m_col)
				return cmd_twice(p, &t, "m", m_col);
			m_col = t.off + 1;
			if (cmd_next(p, &t))
				return -1;
			if (t.kind != CMD_TOK_WORD)
				return cmd_expected(p, &t, "a module name (or "
						    "part of one)", "m");
			if (t.len >= sizeof(c->kobj.name))
				return refuse(p, &t, "a module name has at "
					      "most 55 characters");
			memcpy(c->kobj.name, cmd_tok_s(p, &t), t.len);
			c->kobj.name[t.len] = '\0';
			c->kobj.name_len = t.len;
			continue;
		}
		if (is_word(p, &t, "km")) {
			if (km_col)
				return cmd_twice(p, &t, "km", km_col);
			km_col = t.off + 1;
			continue;
		}
		if (is_word(p, &t, "um"))
			return refuse(p, &t, "um: user-mode modules are not "
				      "listed (hvgdb debugs the kernel; a "
				      "process's mappings are in "
				      "/proc/<pid>/maps)");
		if (is_word(p, &t, "pid"))
			return refuse(p, &t, "pid selects user-mode modules, "
				      "which hvgdb does not list");
		return cmd_expected(p, &t, "'m', 'km' or end of command",
				    any ? NULL : "lm");
	}
}

/* A number after a keyword, then the end of the command. */
static int kobj_number_end(struct cmd_parser *p, const char *what,
			   const char *kw, u64 hi, struct cmd_parsed *c)
{
	struct cmd_tok t;

	if (cmd_next(p, &t))
		return -1;
	if (cmd_number(p, &t, what, kw, 0, hi, &c->kobj.id))
		return -1;
	c->kobj.id_col = t.off + 1;
	return cmd_end_of_command(p);
}

/* .process | .process list | .process pid p | .process process a */
static int parse_process(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END) {
		c->kobj.op = CMD_KOBJ_SHOW;
		return 0;
	}
	if (is_word(p, &t, "list")) {
		c->kobj.op = CMD_KOBJ_LIST;
		return cmd_end_of_command(p);
	}
	if (is_word(p, &t, "pid")) {
		c->kobj.op = CMD_KOBJ_PID;
		return kobj_number_end(p, "a process id (hex)", "pid",
				       CMD_KOBJ_PID_MAX, c);
	}
	if (is_word(p, &t, "process")) {
		c->kobj.op = CMD_KOBJ_OBJECT;
		return kobj_number_end(p, "a task_struct address (hex)",
				       "process", ~0ull, c);
	}
	return cmd_expected(p, &t, "'list', 'pid', 'process' or end of "
			    "command", ".process");
}

/* .thread | .thread list [process a] */
static int parse_thread(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END) {
		c->kobj.op = CMD_KOBJ_SHOW;
		return 0;
	}
	if (is_word(p, &t, "tid") || is_word(p, &t, "thread"))
		return refuse(p, &t, "switching threads is not available: "
			      "gdb's threads are the CPUs (thread n+1 is CPU "
			      "n); '.process pid' switches the address space");
	if (!is_word(p, &t, "list"))
		return cmd_expected(p, &t, "'list' or end of command",
				    ".thread");
	c->kobj.op = CMD_KOBJ_LIST;
	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END)
		return 0;
	if (!is_word(p, &t, "process"))
		return cmd_expected(p, &t, "'process' or end of command",
				    "list");
	c->kobj.op = CMD_KOBJ_OBJECT;
	return kobj_number_end(p, "a task_struct address (hex)", "process",
			       ~0ull, c);
}

int cmd_parse_kobj(struct cmd_parser *p, enum cmd_kind kind,
		   const struct cmd_tok *name, struct cmd_parsed *c)
{
	(void)name;
	c->kind = kind;
	switch (kind) {
	case CMD_LM:
		return parse_lm(p, c);
	case CMD_PROCESS:
		return parse_process(p, c);
	default:
		return parse_thread(p, c);
	}
}

/* ------------------------------------------------------------ text */

static void spaces(struct cmd_out *o, size_t n)
{
	while (n--)
		cmd_out_char(o, ' ');
}

/* v as exactly digits lower-case hex digits (at least: more if needed). */
static void hex_min(struct cmd_out *o, u64 v, int digits)
{
	static const char d[] = "0123456789abcdef";
	int n = 1;

	while (n < 16 && (v >> (4 * n)))
		n++;
	if (n < digits)
		n = digits;
	while (n--)
		cmd_out_char(o, d[(v >> (4 * n)) & 0xf]);
}

/* Text after column start on this line, padded to width columns (at
 * least one blank). */
static void pad_to(struct cmd_out *o, size_t start, size_t width)
{
	size_t used = o->len - start;

	spaces(o, used < width ? width - used : 1);
}

static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

void cmd_fmt_comm(struct cmd_out *o, const char *comm)
{
	cmd_out_safe(o, comm, bounded_len(comm, CMD_KOBJ_COMM_LEN));
}

void cmd_fmt_lm_header(struct cmd_out *o)
{
	cmd_out_str(o, "kernel mode\n");
	cmd_out_str(o, "start                   size    name"
		    "                            state\n\n");
}

const char *cmd_kobj_mod_state(u32 state)
{
	switch (state) {
	case 0:
		return "Live";
	case 1:
		return "Loading";
	case 2:
		return "Unloading";
	case 3:
		return "Unformed";
	default:
		return "?";
	}
}

void cmd_fmt_lm_line(struct cmd_out *o, u64 base, u64 size,
		     const char *name, u32 state)
{
	size_t start = o->len;

	cmd_out_hex_tick(o, base);
	pad_to(o, start, 24);
	start = o->len;
	hex_min(o, size, 1);
	pad_to(o, start, 8);
	start = o->len;
	cmd_out_safe(o, name, bounded_len(name, CMD_KOBJ_MOD_NAME_LEN));
	pad_to(o, start, 32);
	cmd_out_str(o, cmd_kobj_mod_state(state));
	cmd_out_char(o, '\n');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool cmd_kobj_name_match(const char *name, u32 max, const char *filter,
			 u32 n)
{
	size_t len = bounded_len(name, max), i, k;

	if (!n)
		return true;
	for (i = 0; i + n <= len; i++) {
		for (k = 0; k < n && lower(name[i + k]) == lower(filter[k]);
		     k++)
			;
		if (k == n)
			return true;
	}
	return false;
}

void cmd_fmt_process(struct cmd_out *o, u32 pid, u64 task, const char *comm)
{
	cmd_out_str(o, "process id: ");
	hex_min(o, pid, 1);
	cmd_out_str(o, "\nprocess (task_struct): ");
	cmd_out_hex_tick(o, task);
	cmd_out_str(o, "\nprocess name (16-Byte): ");
	cmd_fmt_comm(o, comm);
	cmd_out_char(o, '\n');
}

void cmd_fmt_process_entry(struct cmd_out *o, u32 pid, u64 task, u64 pgd_pa,
			   bool kthread, const char *comm, const char *note)
{
	cmd_out_str(o, "PROCESS ");
	hex_min(o, task, 16);
	cmd_out_str(o, "\n        Process Id: ");
	hex_min(o, pid, 4);
	cmd_out_str(o, "  DirBase (Kernel Cr3): ");
	if (pgd_pa != ~0ull)
		hex_min(o, pgd_pa, 16);
	else
		cmd_out_str(o, kthread ? "none (kernel thread)" :
			    "none (no mm: exiting)");
	cmd_out_str(o, "  Image: ");
	cmd_fmt_comm(o, comm);
	if (note) {
		cmd_out_str(o, " (");
		cmd_out_str(o, note);
		cmd_out_char(o, ')');
	}
	cmd_out_str(o, "\n\n");
}

void cmd_fmt_thread(struct cmd_out *o, u32 tid, u32 pid, u64 task,
		    u64 leader, const char *comm)
{
	cmd_out_str(o, "thread id: ");
	hex_min(o, tid, 1);
	cmd_out_str(o, " (pid: ");
	hex_min(o, pid, 1);
	cmd_out_str(o, ")\nthread (task_struct): ");
	cmd_out_hex_tick(o, task);
	cmd_out_str(o, "\nprocess (task_struct): ");
	cmd_out_hex_tick(o, leader);
	cmd_out_str(o, "\nprocess name (16-Byte): ");
	cmd_fmt_comm(o, comm);
	cmd_out_char(o, '\n');
}

void cmd_fmt_thread_head(struct cmd_out *o, u64 leader, const char *comm)
{
	cmd_out_str(o, "PROCESS ");
	hex_min(o, leader, 16);
	cmd_out_str(o, "        IMAGE   ");
	cmd_fmt_comm(o, comm);
	cmd_out_char(o, '\n');
}

void cmd_fmt_thread_entry(struct cmd_out *o, u32 pid, u32 tid, u64 task,
			  char state, u32 cpu, const char *comm,
			  const char *note)
{
	cmd_out_str(o, "        THREAD  ");
	hex_min(o, task, 16);
	cmd_out_str(o, " (");
	hex_min(o, pid, 1);
	cmd_out_char(o, '.');
	hex_min(o, tid, 1);
	cmd_out_str(o, ")  ");
	cmd_out_char(o, state);
	cmd_out_str(o, "  cpu ");
	hex_min(o, cpu, 1);
	cmd_out_str(o, "  ");
	cmd_fmt_comm(o, comm);
	if (note) {
		cmd_out_str(o, " (");
		cmd_out_str(o, note);
		cmd_out_char(o, ')');
	}
	cmd_out_char(o, '\n');
}

char cmd_kobj_state_letter(u32 state, u32 exit_state)
{
	static const char letters[] = "RSDTtXZPI";
	u32 s = (state | exit_state) & 0x7f;	/* TASK_REPORT */
	int idx = 0;

	if ((state & 0x402) == 0x402)		/* TASK_IDLE */
		s = 0x80;			/* TASK_REPORT_IDLE */
	if (state == 0x1000)			/* TASK_RTLOCK_WAIT */
		s = 0x2;
	while (s) {				/* fls() */
		idx++;
		s >>= 1;
	}
	return letters[idx];
}
