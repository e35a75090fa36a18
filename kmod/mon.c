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
 * and the old ones freed by the next work item.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include "kmod/hv.h"
#include "kmod/gdb.h"
#include "kmod/mon.h"
#include "kmod/mon_priv.h"
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
	/* replaced arrays, freed by the next work */
	void *old[3];
	char *src;
} mon_pre;

/* ---- prealloc ---- */

static void mon_pre_work(struct work_struct *w)
{
	const struct event_table *t = &mon.table;
	int i;

	for (i = 0; i < 3; i++) {
		kvfree(mon_pre.old[i]);
		mon_pre.old[i] = NULL;
	}
	if (READ_ONCE(mon_pre.ready) ||
	    !(t->want_events || t->want_data))
		return;
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
		pr_warn("hvgdb: prealloc: out of memory\n");
		return;
	}
	smp_wmb();
	WRITE_ONCE(mon_pre.ready, true);
}

static void mon_pre_irq(struct irq_work *iw)
{
	schedule_work(&mon_pre.work);
}

/* While halted: take the arrays the work allocated. */
static void mon_pre_take(void)
{
	struct event_table *t = &mon.table;
	void *ev = t->ev, *text = t->text, *data = t->data;

	if (!READ_ONCE(mon_pre.ready))
		return;
	smp_rmb();
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
	WRITE_ONCE(mon_pre.ready, false);
	irq_work_queue(&mon_pre.iw);	/* frees the old arrays */
}

/* ---- intercepts ---- */

static void mon_apply(void)
{
	struct hv_intercept_base base = { 0 };

	if (!mon.base_taken && hv.msr_bitmap) {
		memcpy(mon.msr_base, hv.msr_bitmap, HV_BITMAP_PAGE);
		mon.base_taken = true;
	}
	base.msr_bitmap = mon.msr_base;
	/* Every CPU is halted: the shared MSR bitmap may change now. */
	mon.icpt.msr_bitmap = hv.msr_bitmap;
	mon.icpt.io_bitmap_a = mon.io_a;
	mon.icpt.io_bitmap_b = mon.io_b;
	event_intercepts_compute(&mon.table, &base, &mon.icpt);
	WRITE_ONCE(mon.gen, mon.gen + 1);
	mon_events_hooks(true);
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

/* ---- commands ---- */

static bool mon_is_help_list(const char *cmd, size_t len)
{
	size_t i = skip_blanks(cmd, 0, len);

	return (len - i == 5 && !strncasecmp(cmd + i, ".help", 5)) ||
	       (len - i == 4 && !strncasecmp(cmd + i, "help", 4));
}

/* Events whose exits need the gdb server's exception/interrupt
 * plumbing: refused before anything is applied. */
static int mon_refuse(const char *cmd, size_t len, struct rsp_output *out)
{
	static struct cmd_parsed p;	/* big-ish; commands are serialized */
	struct cmd_error e;

	if (cmd_parse(cmd, len, &p, &e) || p.kind != CMD_EVENT)
		return 0;
	switch (p.spec.type) {
	case EVENT_EXCEPTION:
	case EVENT_INTERRUPT:
	case EVENT_SYSCALL:
	case EVENT_SYSCALL2:
	case EVENT_SYSRET:
	case EVENT_SYSRET2:
		mon_err_col(out, p.text.off + 1, "");
		mon_puts(out, event_type_name(p.spec.type));
		mon_puts(out, " is not available yet in hvgdb.ko (it needs "
			 "exception and interrupt handling in the gdb "
			 "server); the events of docs/commands.md marked "
			 "available work\n");
		return -RSP_EIO;
	default:
		return 0;
	}
}

int hv_mon_command(const char *cmd, struct rsp_output *out)
{
	size_t len = trim_end(cmd, strlen(cmd));
	bool handled;
	u32 req = 0;
	int r;

	if (!mon.out) {
		mon_puts(out, "hvgdb: monitor commands unavailable (no memory "
			 "at load)\n");
		return -RSP_EIO;
	}
	mon_pre_take();
	r = mon_eval_cmd(cmd, len, out, &handled);
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
	if (req & CMD_REQ_PREALLOC)
		irq_work_queue(&mon_pre.iw);
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
	kfree(mon.scratch);
	kfree(mon.eval_vm);
	kfree(mon.out);
	kfree(mon_pre.src);
	free_page((unsigned long)mon.msr_base);
	free_page((unsigned long)mon.io_a);
	free_page((unsigned long)mon.io_b);
	for (i = 0; i < 3; i++)
		kvfree(mon_pre.old[i]);
	memset(&mon, 0, sizeof(mon));
	memset(&mon_pre, 0, sizeof(mon_pre));
}

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
	if (!ev || !text || !data || !mon.progs || !mon.scratch ||
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
	return 0;
nomem:
	mon_free();
	return -ENOMEM;
}

void hv_mon_exit(void)
{
	/* Every CPU left VMX: its controls went with its VMCS.  The MSR
	 * bitmap is shared and outlives us: give back its original bits. */
	mon_events_hooks(false);
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
	}
	mon_free();
}

/* Until !exception/!interrupt/!syscall land (issue 6): nothing to do. */
bool hv_mon_on_exception(struct hv_cpu *c, struct hv_regs *r, u32 info)
{
	return false;
}

void hv_mon_on_interrupt(struct hv_cpu *c, struct hv_regs *r, u8 vector)
{
}
