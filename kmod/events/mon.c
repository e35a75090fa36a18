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


/* The parser refuses `prealloc script N` above the module's cap. */
static_assert(MON_PROGS_MAX == CMD_PREALLOC_SCRIPT_MAX);

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
	char *src;			/* `print expr` as a script */
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

	mon_monitor_sync();	/* cleared monitors leave every EPT view */
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
	mon_ept_sync();
	WRITE_ONCE(mon.gen, mon.gen + 1);
	mon_events_hooks(true);
	mon_eh2_sync();
	if (keep)
		mon_flip_disabled(false);
	mon.keep_disabled = keep;
	mon.script_changed = false;
	mon_mode_settle();
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
	mon_eh2_on_resume(c);
	mon_mode_on_resume(c);
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

/* CMD_EVAL (`? {...}`, `? stmt`) and CMD_PRINT (`print expr`). */
static int mon_eval_cmd(const char *cmd, const struct cmd_parsed *p,
			struct rsp_output *out)
{
	u32 n;

	if (p->kind == CMD_EVAL)
		return mon_eval(cmd + p->script.off, p->script.len,
				p->script.off, 0, out);
	n = cmd_print_script(cmd, p, mon_pre.src, CMD_PRINT_SRC);
	return mon_eval(mon_pre.src, n, p->script.off, CMD_PRINT_SHIFT, out);
}

/* ---- prealloc: sizes, script programs ---- */

static u32 mon_progs_used(void)
{
	u32 i, n = 0;

	for (i = 0; i < mon.pool.n; i++)
		n += mon.used[i];
	return n;
}

void mon_printf(struct rsp_output *out, const char *fmt, ...)
{
	char b[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	rsp_output_write(out, b, n);
}

int mon_fail(struct rsp_output *out, u32 col, const char *fmt, ...)
{
	char b[256];
	va_list ap;
	int n = 0;

	if (col)
		n = scnprintf(b, sizeof(b), "column %u: ", col);
	va_start(ap, fmt);
	n += vscnprintf(b + n, sizeof(b) - n, fmt, ap);
	va_end(ap);
	rsp_output_write(out, b, n);
	return -RSP_EIO;
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

/* CMD_PREALLOC_SHOW: `prealloc` alone. */
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

/* ---- commands ---- */

/*
 * The commands the module serves itself (CMD_REQ_HOST of cmd_exec.h);
 * *handled false for the others, which cmd_execute_parsed() serves.
 */
static int mon_host_cmd(const char *cmd, const struct cmd_parsed *p,
			struct rsp_output *out, bool *handled)
{
	int r = 0;

	*handled = true;
	switch (p->kind) {
	case CMD_EVAL:
	case CMD_PRINT:
		r = mon_eval_cmd(cmd, p, out);
		if (mon.script_changed)	/* event_enable() & co. */
			mon_apply();
		break;
	case CMD_PREALLOC_SHOW:
		mon_pre_sizes(out);
		mon_monitor_show(out);
		mon_ept_sizes(out);
		mon_eh2_show(out);
		break;
	case CMD_PREALLOC_MONITOR:
		mon_monitor_prealloc(p->count, out);
		break;
	case CMD_PREALLOC_EPTHOOK:
		r = mon_ept_prealloc(p->count, out);
		break;
	case CMD_PREALLOC_EPTHOOK2:
		r = mon_eh2_prealloc(p->count, out);
		break;
	case CMD_OUTPUT:
		r = mon_output(cmd, p, out);
		break;
	case CMD_PREALLOC_SCRIPT:
		mon_want_progs(p->count, out);
		irq_work_queue(&mon_pre.iw);
		break;
	default:
		*handled = false;
	}
	return r;
}

int hv_mon_command(const char *cmd, struct rsp_output *out)
{
	static struct cmd_parsed p;	/* big-ish; commands are serialized */
	struct cmd_error e;
	bool handled;
	u32 req = 0;
	int r;

	if (!mon.out) {
		mon_puts(out, "hvgdb: monitor commands unavailable (no memory "
			 "at load)\n");
		return -RSP_EIO;
	}
	mon_pre_take();
	mon_monitor_take();
	mon_eh2_take();
	mon_settle();
	if (cmd_parse(cmd, strlen(cmd), &p, &e))
		return mon_err_col(out, e.col, e.msg);
	/* !epthook2: what can refuse it comes before the event is added. */
	if (p.kind == CMD_EVENT && p.spec.type == EVENT_EPTHOOK2) {
		r = mon_eh2_check(&p, out);
		if (r)
			return r;
	}
	r = mon_mode_command(&p, out, &handled);
	if (handled)
		return r;
	r = mon_track_command(&p, out, &handled);
	if (handled)
		return r;
	r = mon_lbr_command(&p, out, &handled);
	if (handled)
		return r;
	r = mon_host_cmd(cmd, &p, out, &handled);
	if (handled)
		return r;
	r = mon_inspect(&p, out, &handled);
	if (handled)
		return r;
	r = mon_intr(&p, out, &handled);
	if (handled)
		return r;
	if (p.kind == CMD_EVENT && p.spec.type == EVENT_MONITOR &&
	    mon_monitor_check(&p, out))
		return -RSP_EIO;	/* refused whole */
	if (mon_ept_check(&p, out))
		return -RSP_EIO;
	r = cmd_execute_parsed(&mon.table, cmd, &p, mon.out, MON_OUT, &req);
	mon_puts(out, mon.out);
	if (r)
		return -RSP_EIO;
	if (p.kind == CMD_EVENT && p.spec.type == EVENT_MONITOR)
		mon_monitor_commit(&p, mon.table.next_id - 1);
	if (mon_ept_added(&p, out))
		return -RSP_EIO;
	if (p.kind == CMD_EVENT && p.spec.type == EVENT_EPTHOOK2 &&
	    mon.table.count &&
	    mon_eh2_commit(mon.table.ev[mon.table.count - 1].id)) {
		event_table_clear(&mon.table,
				  mon.table.ev[mon.table.count - 1].id);
		mon_puts(out, "!epthook2: the trampoline could not be "
			 "written: event cleared\n");
		r = -RSP_EIO;
	}
	if (req & CMD_REQ_APPLY)
		mon_apply();
	mon_mode_added(&p, out);
	if (req & CMD_REQ_FLUSH) {
		char buf[128];
		size_t n;

		while ((n = hv_mon_drain(buf, sizeof(buf))))
			rsp_output_write(out, buf, n);
	}
	if (req & CMD_REQ_PREALLOC) {
		/* `prealloc [regular-event] N` asks for N script programs
		 * along with its N event slots. */
		if (p.kind == CMD_PREALLOC && !p.buffer_pool)
			mon_want_progs(p.count, out);
		irq_work_queue(&mon_pre.iw);
	}
	return r;
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
	.forward = mon_forward_flush,
	.on_resume = hv_mon_on_resume,
	.on_exception = hv_mon_on_exception,
	.on_interrupt = hv_mon_on_interrupt,
	.as_resolve = mon_kobj_as_resolve,
	.on_hook = hv_mon_on_hook,
	.page_taken = mon_eh2_page_taken,
	.bytes_taken = mon_eh2_bytes_taken,
	.page_shadow = mon_eh2_page_shadow,
	.page_released = mon_eh2_page_released,
	.track = mon_track_step,
};

int hv_mon_init(void)
{
	struct event *ev;
	char *text;
	u8 *data;
	int cpu;

	memset(&mon, 0, sizeof(mon));
	mon_pci_init();
	mon_lbr_init();
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
	mon_pre.src = kzalloc(CMD_PRINT_SRC, GFP_KERNEL);
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
		event_outbuf_init(&mc->fob, mc->fobuf, MON_FWDBUF);
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
	mon.table.outputs = &mon.outputs;
	mon_intr_init();
	mon_monitor_init();
	mon_ept_init();
	mon_eh2_init();
	mon_mode_init();
	if (!mon_events_register())
		return 0;
	mon_mode_exit();
	mon_events_unregister();
	mon_eh2_exit();
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
	mon_monitor_exit();
	mon_eh2_exit();
	mon_mode_exit();
	if (mon.base_taken && hv.msr_bitmap)
		memcpy(hv.msr_bitmap, mon.msr_base, HV_BITMAP_PAGE);
	if (mon.out)
		event_table_clear_all(&mon.table);
	irq_work_sync(&mon_pre.iw);
	cancel_work_sync(&mon_pre.work);
	mon_ept_exit();
	if (mon_pre.ready) {
		kvfree(mon_pre.ev);
		kvfree(mon_pre.text);
		kvfree(mon_pre.data);
		vfree(mon_pre.progs);
		kvfree(mon_pre.used);
	}
	mon_free();
}
