// SPDX-License-Identifier: GPL-2.0
/*
 * mon.c - gdb's `monitor` in hvgdb.ko (see mon.h): the HyperDbg command
 * language of monitor-cmds/ over an event table whose pools are
 * allocated here at load, `? {script}` and `print expr` on gdb's selected
 * CPU, and the intercepts every CPU loads as it resumes.
 *
 * `prealloc` cannot allocate while the system is halted (VMX root, other
 * CPUs stopped with any lock held): it queues an irq_work (NMI-safe),
 * which runs once interrupts are taken again and hands allocation to a
 * workqueue; the new arrays are swapped in at the next monitor command,
 * and the old ones freed by the next work item.  The script program pool
 * grows the same way (`prealloc N` and `prealloc script N`).
 *
 * Scripts in VMX root may disable, enable and clear events while the
 * other CPUs run (mon_script.c); the next monitor command settles that:
 * queued clears leave the table and the intercepts are recomputed.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/events/mon.h"
#include "kmod/events/mon_priv.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_exec.h"

#define MON_OUT		4096	/* one command's reply */
#define MON_SRC		1024	/* `print expr` wrapped as a script */

struct mon_state mon;

static struct {
	struct irq_work iw;
	struct work_struct work;
	/* allocated by the work, swapped in at the next command */
	bool ready;
	struct event *ev;
	u32 cap;
	char *text;
	u32 text_cap;
	u8 *data;
	u32 data_cap;
	/* script programs, same hand-over */
	u32 want_progs;			/* asked for, not yet swapped in */
	struct script_prog *progs;
	bool *used;
	u32 n_progs;
	/* replaced arrays, freed by the next work */
	void *old[5];
	char *src;
} mon_pre;

/* Events flipped on while mon_apply() computes (see there). */
#define MON_KEEP_MAX	4096
static DECLARE_BITMAP(mon_flipped, MON_KEEP_MAX);

/* ---- prealloc ---- */

static void mon_pre_events(void);

static void mon_pre_work(struct work_struct *w)
{
	const struct event_table *t = &mon.table;
	u32 want_progs = READ_ONCE(mon_pre.want_progs);
	int i;

	for (i = 0; i < ARRAY_SIZE(mon_pre.old); i++) {
		kvfree(mon_pre.old[i]);
		mon_pre.old[i] = NULL;
	}
	if (READ_ONCE(mon_pre.ready))
		return;
	if (want_progs) {
		u32 n = mon.pool.n + want_progs;

		mon_pre.progs = vzalloc(array_size(n, sizeof(*mon_pre.progs)));
		mon_pre.used = kvcalloc(n, sizeof(bool), GFP_KERNEL);
		if (!mon_pre.progs || !mon_pre.used) {
			vfree(mon_pre.progs);
			kvfree(mon_pre.used);
			mon_pre.progs = NULL;
			mon_pre.used = NULL;
			pr_warn("hvgdb: prealloc: no memory for %u script "
				"programs\n", n);
		} else {
			mon_pre.n_progs = n;
		}
	}
	if (t->want_events || t->want_data)
		mon_pre_events();
	if (!mon_pre.ev && !mon_pre.progs)
		return;
	smp_wmb();
	WRITE_ONCE(mon_pre.ready, true);
}

/* The work's share for the event table. */
static void mon_pre_events(void)
{
	const struct event_table *t = &mon.table;

	mon_pre.cap = t->cap + t->want_events;
	mon_pre.text_cap = t->text_cap + t->want_text;
	mon_pre.data_cap = t->data_cap + t->want_data;
	mon_pre.ev = kvcalloc(mon_pre.cap, sizeof(struct event), GFP_KERNEL);
	mon_pre.text = kvzalloc(mon_pre.text_cap, GFP_KERNEL);
	mon_pre.data = kvzalloc(mon_pre.data_cap, GFP_KERNEL);
	if (!mon_pre.ev || !mon_pre.text || !mon_pre.data) {
		kvfree(mon_pre.ev);
		kvfree(mon_pre.text);
		kvfree(mon_pre.data);
		mon_pre.ev = NULL;
		mon_pre.text = NULL;
		mon_pre.data = NULL;
		pr_warn("hvgdb: prealloc: out of memory\n");
	}
}

static void mon_pre_irq(struct irq_work *iw)
{
	schedule_work(&mon_pre.work);
}

static void *mon_remap(void *p, struct script_prog *from,
		       struct script_prog *to, u32 n)
{
	struct script_prog *q = p;

	return q >= from && q < from + n ? to + (q - from) : p;
}

/*
 * While halted: the larger program pool replaces the old one.  Programs
 * are self-contained (script.h), so they are copied; the events' handles
 * are moved to the copies.  No CPU is inside a script now: CPUs halt at
 * the end of an exit, or in a break after its script ran.
 */
static void mon_pre_take_progs(void)
{
	struct event_table *t = &mon.table;
	struct script_prog *old = mon.progs;
	u32 n = mon.pool.n, added = mon_pre.n_progs - n, i;

	memcpy(mon_pre.progs, old, array_size(n, sizeof(*old)));
	memcpy(mon_pre.used, mon.used, n * sizeof(bool));
	for (i = 0; i < t->count; i++) {
		struct event *ev = &t->ev[i];

		ev->script_prog = mon_remap(ev->script_prog, old,
					    mon_pre.progs, n);
		ev->cond_prog = mon_remap(ev->cond_prog, old, mon_pre.progs,
					  n);
	}
	mon_pre.old[3] = old;
	mon_pre.old[4] = mon.used;
	mon.progs = mon.pool.progs = mon_pre.progs;
	mon.used = mon.pool.used = mon_pre.used;
	mon.pool.n = mon_pre.n_progs;
	mon_pre.want_progs -= min(added, mon_pre.want_progs);
	mon_pre.progs = NULL;
	mon_pre.used = NULL;
}

/* While halted: take the arrays the work allocated. */
static void mon_pre_take(void)
{
	struct event_table *t = &mon.table;
	void *ev = t->ev, *text = t->text, *data = t->data;

	if (!READ_ONCE(mon_pre.ready))
		return;
	smp_rmb();
	if (mon_pre.progs)
		mon_pre_take_progs();
	if (!mon_pre.ev)
		goto done;
	if (event_table_grow(t, mon_pre.ev, mon_pre.cap, mon_pre.text,
			     mon_pre.text_cap) ||
	    event_table_grow_data(t, mon_pre.data, mon_pre.data_cap)) {
		/* Cannot happen: the new arrays are larger. */
		mon_pre.old[0] = mon_pre.ev;
		mon_pre.old[1] = mon_pre.text;
		mon_pre.old[2] = mon_pre.data;
	} else {
		t->want_events = t->want_text = t->want_data = 0;
		mon_pre.old[0] = ev;
		mon_pre.old[1] = text;
		mon_pre.old[2] = data;
	}
	mon_pre.ev = NULL;
	mon_pre.text = NULL;
	mon_pre.data = NULL;
done:
	WRITE_ONCE(mon_pre.ready, false);
	irq_work_queue(&mon_pre.iw);	/* frees the old arrays */
}

/* ---- intercepts ---- */

/*
 * Can a script of the table call event_enable()?  Then the intercepts of
 * disabled events stay loaded (their exits come, nothing fires), so that
 * the call in VMX root needs no VMCS change on any CPU (mon_script.c).
 */
static bool mon_keep_disabled(void)
{
	const struct event_table *t = &mon.table;
	u32 i;

	if (t->count > MON_KEEP_MAX)
		return false;
	for (i = 0; i < t->count; i++) {
		const struct event *ev = &t->ev[i];

		if ((ev->script_prog &&
		     script_prog_calls_event_enable(ev->script_prog)) ||
		    (ev->cond_prog &&
		     script_prog_calls_event_enable(ev->cond_prog)))
			return true;
	}
	return false;
}

/* For mon_keep_disabled(): every event counts as enabled while the
 * intercepts and hooks are computed (on), then the flags go back. */
static void mon_flip_disabled(bool on)
{
	struct event_table *t = &mon.table;
	u32 i;

	for (i = 0; i < t->count && i < MON_KEEP_MAX; i++) {
		if (on && !t->ev[i].enabled) {
			t->ev[i].enabled = true;
			__set_bit(i, mon_flipped);
		} else if (!on && __test_and_clear_bit(i, mon_flipped)) {
			t->ev[i].enabled = false;
		}
	}
}

static void mon_apply(void)
{
	struct hv_intercept_base base = { 0 };
	bool keep = mon_keep_disabled();

	if (!mon.base_taken && hv.msr_bitmap) {
		memcpy(mon.msr_base, hv.msr_bitmap, HV_BITMAP_PAGE);
		mon.base_taken = true;
	}
	base.msr_bitmap = mon.msr_base;
	/* Every CPU is halted: the shared MSR bitmap may change now. */
	mon.icpt.msr_bitmap = hv.msr_bitmap;
	mon.icpt.io_bitmap_a = mon.io_a;
	mon.icpt.io_bitmap_b = mon.io_b;
	if (keep)
		mon_flip_disabled(true);
	event_intercepts_compute(&mon.table, &base, &mon.icpt);
	WRITE_ONCE(mon.gen, mon.gen + 1);
	mon_events_hooks(true);
	if (keep)
		mon_flip_disabled(false);
	mon.keep_disabled = keep;
	mon.script_changed = false;
}

/*
 * At each monitor command, before anything reads the table: events that
 * scripts cleared in VMX root leave it, and if scripts changed the
 * enabled set the intercepts are recomputed (trimmed) and reloaded by
 * every CPU as it resumes.
 */
static void mon_settle(void)
{
	u32 n = min_t(u32, atomic_read(&mon.n_clear), MON_CLEARQ), i;

	for (i = 0; i < n; i++)
		event_table_clear(&mon.table, mon.clear_ids[i]);
	atomic_set(&mon.n_clear, 0);
	if (n || mon.script_changed)
		mon_apply();
}

void hv_mon_on_resume(struct hv_cpu *c, struct hv_regs *r)
{
	mon_events_load(c);
}

/* ---- output helpers ---- */

static void mon_out(void *arg, const char *s, u32 len)
{
	rsp_output_write(arg, s, len);
}

static void mon_puts(struct rsp_output *out, const char *s)
{
	rsp_output_write(out, s, strlen(s));
}

size_t hv_mon_drain(char *buf, size_t cap)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct mon_cpu *mc = mon.cpu[cpu];
		u32 n;

		if (mc && (n = event_outbuf_drain(&mc->ob, buf, cap)))
			return n;
	}
	return 0;
}

/* ---- ? {script}, print expr ---- */

static size_t skip_blanks(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
			   s[i] == '\n'))
		i++;
	return i;
}

static size_t trim_end(const char *s, size_t len)
{
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	return len;
}

static int mon_err_col(struct rsp_output *out, size_t col, const char *msg)
{
	char num[24];

	snprintf(num, sizeof(num), "column %zu: ", col);
	mon_puts(out, num);
	mon_puts(out, msg);
	mon_puts(out, "\n");
	return -RSP_EIO;
}

/*
 * Compile src[0..n) (which shows the user's text from gdb column
 * col0 + 1 on, shifted by shift bytes) and run it on gdb's selected CPU.
 */
static int mon_eval(const char *src, size_t n, size_t col0, size_t shift,
		    struct rsp_output *out)
{
	struct mon_ctx *m = &mon.eval_ctx;
	struct gdb_cpu *g;
	char msg[128];
	size_t err_off = 0;
	void *prog = NULL;
	int cpu, st;

	msg[0] = '\0';
	if (mon.sops.compile(mon.sops.ctx, src, n, false, &prog, msg,
			     sizeof(msg), &err_off)) {
		msg[sizeof(msg) - 1] = '\0';
		err_off = err_off > shift ? err_off - shift : 0;
		return mon_err_col(out, col0 + err_off + 1,
				   msg[0] ? msg : "script does not compile");
	}
	cpu = hv_gdb_selected_cpu();
	g = cpu >= 0 ? hv_gdb_cpu_state(cpu) : NULL;
	if (!g) {
		mon.sops.release(mon.sops.ctx, prog);
		mon_puts(out, "hvgdb: the selected thread's CPU is not halted\n");
		return -RSP_EIO;
	}
	mon_ctx_halted(m, g);
	m->line = mon.cpu[smp_processor_id()]->line;
	m->direct = mon_out;
	m->direct_arg = out;
	st = script_eval(mon.eval_vm, prog, &mon_script_ops, m, 0);
	if (m->line_len)
		rsp_output_write(out, m->line, m->line_len);
	m->line_len = 0;
	mon.sops.release(mon.sops.ctx, prog);
	return st == SCRIPT_OK ? 0 : -RSP_EIO;
}

/* `? {...}`, `? stmt;`, `print expr`; *handled false for anything else. */
static int mon_eval_cmd(const char *cmd, size_t len, struct rsp_output *out,
			bool *handled)
{
	size_t i = skip_blanks(cmd, 0, len), j;

	*handled = true;
	if (i < len && cmd[i] == '?') {
		i = skip_blanks(cmd, i + 1, len);
		j = len;
		if (i < j && cmd[i] == '{' && cmd[j - 1] == '}') {
			i++;
			j--;
		}
		if (i >= j)
			return mon_err_col(out, i + 1, "expected a script "
					   "after '?'");
		return mon_eval(cmd + i, j - i, i, 0, out);
	}
	if (len - i >= 5 && !strncasecmp(cmd + i, "print", 5) &&
	    (len - i == 5 || cmd[i + 5] == ' ' || cmd[i + 5] == '\t')) {
		static const char pre[] = "print(", post[] = ");";
		size_t e = skip_blanks(cmd, i + 5, len), n = len - e;

		if (!n)
			return mon_err_col(out, e + 1, "expected an expression "
					   "after 'print'");
		if (n + sizeof(pre) + sizeof(post) > MON_SRC)
			return mon_err_col(out, e + 1, "expression too long");
		memcpy(mon_pre.src, pre, sizeof(pre) - 1);
		memcpy(mon_pre.src + sizeof(pre) - 1, cmd + e, n);
		memcpy(mon_pre.src + sizeof(pre) - 1 + n, post,
		       sizeof(post) - 1);
		return mon_eval(mon_pre.src, n + sizeof(pre) + sizeof(post) - 2,
				e, sizeof(pre) - 1, out);
	}
	if (len - i >= 4 && !strncasecmp(cmd + i, "help", 4)) {
		j = skip_blanks(cmd, i + 4, len);
		if (j < len && cmd[j] == '?' && j + 1 == len) {
			mon_puts(out, "? {script} | ? statement\n  run a script "
				 "once on the CPU of gdb's selected thread\n");
			return 0;
		}
		if (len - j == 5 && !strncasecmp(cmd + j, "print", 5)) {
			mon_puts(out, "print expr\n  print the value of a "
				 "script expression (hex) on the selected "
				 "CPU\n");
			return 0;
		}
	}
	*handled = false;
	return 0;
}

/* ---- prealloc: sizes, script programs ---- */

/* A command number: hex, or decimal after 0n (as monitor-cmds/). */
static bool mon_number(const char *s, size_t len, u64 *v)
{
	u32 base = 16;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
		i = 2;
	else if (len > 2 && s[0] == '0' && (s[1] | 0x20) == 'n')
		i = 2, base = 10;
	if (i == len)
		return false;
	for (*v = 0; i < len; i++) {
		int d = hex_to_bin(s[i]);

		if (d < 0 || d >= base || *v > (U64_MAX >> 4))
			return false;
		*v = *v * base + d;
	}
	return true;
}

/* The word at s[i..) (up to a blank), its length. */
static size_t mon_word(const char *s, size_t i, size_t len)
{
	size_t j = i;

	while (j < len && s[j] != ' ' && s[j] != '\t')
		j++;
	return j - i;
}

static u32 mon_progs_used(void)
{
	u32 i, n = 0;

	for (i = 0; i < mon.pool.n; i++)
		n += mon.used[i];
	return n;
}

static void mon_printf(struct rsp_output *out, const char *fmt, ...)
{
	char b[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	rsp_output_write(out, b, n);
}

/* Ask for n more script programs, capped at MON_PROGS_MAX in all. */
static void mon_want_progs(u64 n, struct rsp_output *out)
{
	u32 room = MON_PROGS_MAX - mon.pool.n;

	mon_pre.want_progs = min_t(u64, (u64)mon_pre.want_progs + n, room);
	mon_printf(out, "prealloc: %#x more script programs requested (%#x "
		   "of %#x in use, at most %#x); they are allocated once the "
		   "system resumes and are usable from the next stop\n",
		   mon_pre.want_progs, mon_progs_used(), mon.pool.n,
		   MON_PROGS_MAX);
}

static void mon_pre_sizes(struct rsp_output *out)
{
	const struct event_table *t = &mon.table;

	mon_printf(out, "event slots: %#x of %#x in use, command text %#x "
		   "of %#x bytes, buffer pool %#x of %#x bytes\n", t->count,
		   t->cap, t->text_used, t->text_cap, t->data_used,
		   t->data_cap);
	mon_printf(out, "script programs: %#x of %#x in use (%#zx bytes "
		   "each), globals %#x of %#x\n", mon_progs_used(),
		   mon.pool.n, sizeof(struct script_prog), mon.globals.count,
		   SCRIPT_MAX_GLOBALS);
	mon_printf(out, "one script: at most %#x instructions, %#x "
		   "constants, %#x string bytes, %#x per-CPU variables\n",
		   SCRIPT_MAX_INSNS, SCRIPT_MAX_CONSTS, SCRIPT_MAX_STRBYTES,
		   SCRIPT_MAX_LOCALS);
	if (t->want_events || t->want_data || mon_pre.want_progs)
		mon_printf(out, "requested, allocated once the system resumes: "
			   "%#x event slots, %#x buffer bytes, %#x script "
			   "programs\n", t->want_events, t->want_data,
			   mon_pre.want_progs);
}

/*
 * `prealloc` alone (sizes) and `prealloc script N`; *handled false for
 * the other forms, which cmd_execute() serves (`prealloc N` then also
 * asks for N script programs: see hv_mon_command()).  *script_n: the N
 * of `prealloc [regular-event] N`, 0 otherwise.
 */
static int mon_prealloc_cmd(const char *cmd, size_t len,
			    struct rsp_output *out, bool *handled,
			    u64 *script_n)
{
	size_t i = skip_blanks(cmd, 0, len), w = mon_word(cmd, i, len), j;
	u64 n;

	*handled = false;
	*script_n = 0;
	if (w != 8 || strncasecmp(cmd + i, "prealloc", 8))
		return 0;
	j = skip_blanks(cmd, i + w, len);
	w = mon_word(cmd, j, len);
	if (j == len) {
		*handled = true;
		mon_pre_sizes(out);
		return 0;
	}
	if (w == 6 && !strncasecmp(cmd + j, "script", 6)) {
		*handled = true;
		j = skip_blanks(cmd, j + w, len);
		w = mon_word(cmd, j, len);
		if (!w || skip_blanks(cmd, j + w, len) != len ||
		    !mon_number(cmd + j, w, &n) || !n || n > MON_PROGS_MAX)
			return mon_err_col(out, j + 1, "expected a count of "
					   "script programs (hex, 1-0x200)");
		mon_want_progs(n, out);
		irq_work_queue(&mon_pre.iw);
		return 0;
	}
	if (w == 6 && !strncasecmp(cmd + j, "buffer", 6))
		return 0;
	if (w == 13 && !strncasecmp(cmd + j, "regular-event", 13)) {
		j = skip_blanks(cmd, j + w, len);
		w = mon_word(cmd, j, len);
	}
	if (!mon_number(cmd + j, w, &n))
		n = 0;
	*script_n = n;
	return 0;
}

/* ---- commands ---- */

static bool mon_is_help_list(const char *cmd, size_t len)
{
	size_t i = skip_blanks(cmd, 0, len);

	return (len - i == 5 && !strncasecmp(cmd + i, ".help", 5)) ||
	       (len - i == 4 && !strncasecmp(cmd + i, "help", 4));
}

/*
 * Refused before anything is applied: `!interrupt ... sc on`.  hvgdb
 * never drops an external interrupt: the local APIC keeps the vector in
 * service until the guest's EOI (SDM vol. 3A 11.8.4), so one the guest
 * never saw would block its priority class for good (mon_exc.c).
 */
static int mon_refuse(const char *cmd, size_t len, struct rsp_output *out)
{
	static struct cmd_parsed p;	/* big-ish; commands are serialized */
	struct cmd_error e;

	if (cmd_parse(cmd, len, &p, &e) || p.kind != CMD_EVENT)
		return 0;
	if (p.spec.type == EVENT_INTERRUPT && p.spec.sc) {
		mon_err_col(out, p.text.off + 1, "!interrupt cannot take "
			    "'sc on': hvgdb delivers every external interrupt "
			    "(the local APIC waits for the guest's EOI)");
		return -RSP_EIO;
	}
	return 0;
}

int hv_mon_command(const char *cmd, struct rsp_output *out)
{
	size_t len = trim_end(cmd, strlen(cmd));
	bool handled;
	u64 script_n;
	u32 req = 0;
	int r;

	if (!mon.out) {
		mon_puts(out, "hvgdb: monitor commands unavailable (no memory "
			 "at load)\n");
		return -RSP_EIO;
	}
	mon_pre_take();
	mon_settle();
	r = mon_eval_cmd(cmd, len, out, &handled);
	if (mon.script_changed)		/* event_enable() & co. in `?` */
		mon_apply();
	if (handled)
		return r;
	r = mon_prealloc_cmd(cmd, len, out, &handled, &script_n);
	if (handled)
		return r;
	r = mon_refuse(cmd, len, out);
	if (r)
		return r;
	r = cmd_execute(&mon.table, cmd, len, mon.out, MON_OUT, &req);
	mon_puts(out, mon.out);
	if (r)
		return -RSP_EIO;
	if (mon_is_help_list(cmd, len))
		mon_puts(out, "  ?           run a script on the selected CPU: "
			 "? { printf(\"%llx\\n\", @rip); }\n"
			 "  print       print an expression: print @rax + 8\n");
	if (req & CMD_REQ_APPLY)
		mon_apply();
	if (req & CMD_REQ_FLUSH) {
		char buf[128];
		size_t n;

		while ((n = hv_mon_drain(buf, sizeof(buf))))
			rsp_output_write(out, buf, n);
	}
	if (req & CMD_REQ_PREALLOC) {
		if (script_n)
			mon_want_progs(script_n, out);
		irq_work_queue(&mon_pre.iw);
	}
	return 0;
}

/* ---- load / unload ---- */

static void mon_free(void)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		kfree(mon.cpu[cpu]);
		mon.cpu[cpu] = NULL;
	}
	kvfree(mon.table.ev);
	kvfree(mon.table.text);
	kvfree(mon.table.data);
	vfree(mon.progs);
	kvfree(mon.used);
	kfree(mon.scratch);
	kfree(mon.eval_vm);
	kfree(mon.out);
	kfree(mon_pre.src);
	free_page((unsigned long)mon.msr_base);
	free_page((unsigned long)mon.io_a);
	free_page((unsigned long)mon.io_b);
	for (i = 0; i < ARRAY_SIZE(mon_pre.old); i++)
		kvfree(mon_pre.old[i]);
	memset(&mon, 0, sizeof(mon));
	memset(&mon_pre, 0, sizeof(mon_pre));
}

const struct hv_gdb_monitor hv_mon_gdb = {
	.command = hv_mon_command,
	.drain = hv_mon_drain,
	.on_resume = hv_mon_on_resume,
	.on_exception = hv_mon_on_exception,
	.on_interrupt = hv_mon_on_interrupt,
};

int hv_mon_init(void)
{
	struct event *ev;
	char *text;
	u8 *data;
	int cpu;

	memset(&mon, 0, sizeof(mon));
	init_irq_work(&mon_pre.iw, mon_pre_irq);
	INIT_WORK(&mon_pre.work, mon_pre_work);
	ev = kvcalloc(MON_EVENTS, sizeof(*ev), GFP_KERNEL);
	text = kvzalloc(MON_TEXT, GFP_KERNEL);
	data = kvzalloc(MON_DATA, GFP_KERNEL);
	mon.progs = vzalloc(array_size(MON_PROGS, sizeof(*mon.progs)));
	mon.used = kvcalloc(MON_PROGS, sizeof(bool), GFP_KERNEL);
	mon.scratch = kzalloc(sizeof(*mon.scratch), GFP_KERNEL);
	mon.eval_vm = kzalloc(sizeof(*mon.eval_vm), GFP_KERNEL);
	mon.out = kzalloc(MON_OUT, GFP_KERNEL);
	mon_pre.src = kzalloc(MON_SRC, GFP_KERNEL);
	mon.msr_base = (u8 *)get_zeroed_page(GFP_KERNEL);
	mon.io_a = (u8 *)get_zeroed_page(GFP_KERNEL);
	mon.io_b = (u8 *)get_zeroed_page(GFP_KERNEL);
	mon.table.ev = ev;	/* for mon_free() on failure */
	mon.table.text = text;
	mon.table.data = data;
	if (!ev || !text || !data || !mon.progs || !mon.used || !mon.scratch ||
	    !mon.eval_vm || !mon.out || !mon_pre.src || !mon.msr_base ||
	    !mon.io_a || !mon.io_b)
		goto nomem;
	for_each_possible_cpu(cpu) {
		struct mon_cpu *mc = kzalloc(sizeof(*mc), GFP_KERNEL);

		if (!mc)
			goto nomem;
		event_outbuf_init(&mc->ob, mc->obuf, MON_OUTBUF);
		mon.cpu[cpu] = mc;
	}
	mon.io_a_pa = __pa(mon.io_a);
	mon.io_b_pa = __pa(mon.io_b);
	mon.pool.scratch = mon.scratch;
	mon.pool.globals = &mon.globals;
	mon.pool.progs = mon.progs;
	mon.pool.used = mon.used;
	mon.pool.n = MON_PROGS;
	mon.pool.flags = 0;
	cmd_script_ops_init(&mon.sops, &mon.pool);
	event_table_init(&mon.table, ev, MON_EVENTS, text, MON_TEXT,
			 &mon.sops);
	event_table_set_data(&mon.table, data, MON_DATA);
	if (!mon_events_register())
		return 0;
	mon_events_unregister();
	mon_free();
	return -ENOSPC;
nomem:
	mon_free();
	return -ENOMEM;
}

void hv_mon_exit(void)
{
	/* Every CPU left VMX: its controls went with its VMCS.  The MSR
	 * bitmap is shared and outlives us: give back its original bits. */
	mon_events_unregister();
	if (mon.base_taken && hv.msr_bitmap)
		memcpy(hv.msr_bitmap, mon.msr_base, HV_BITMAP_PAGE);
	if (mon.out)
		event_table_clear_all(&mon.table);
	irq_work_sync(&mon_pre.iw);
	cancel_work_sync(&mon_pre.work);
	if (mon_pre.ready) {
		kvfree(mon_pre.ev);
		kvfree(mon_pre.text);
		kvfree(mon_pre.data);
		vfree(mon_pre.progs);
		kvfree(mon_pre.used);
	}
	mon_free();
}
