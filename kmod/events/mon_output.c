// SPDX-License-Identifier: GPL-2.0
/*
 * mon_output.c - event output forwarding (`output {NAME}`, `.output`):
 * an event's lines become tagged records (monitor-cmds/event_forward.h)
 * in its CPU's forward buffer, which goes to the spool on gdb's machine
 * through gdb's File-I/O (kmod/debug/gdb_fileio.c): at once for `imm
 * yes` or a buffer 3/4 full, while gdb waits in `continue` and the link
 * is free; otherwise before the next stop reply (the forward hook).  The
 * gdb-python package reads the spool and routes each record by its name.
 *
 * Nothing is dropped without a count: a record that does not fit its
 * CPU's buffer counts in fob.lost, one that cannot be written (no spool,
 * gdb's error) in fwd_lost_write; `.output` shows both and the stop
 * after a new loss says so on gdb's console.
 *
 * Context: mon_forward() in VMX root on the event's CPU, touching only
 * that CPU's struct mon_cpu; mon_forward_flush() and mon_output() while
 * every CPU is halted (the forward hook, a monitor command).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/smp.h>
#include "kmod/debug/gdb.h"
#include "kmod/events/mon_priv.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/cmd_output.h"

static u32 mon_count_lines(const char *s, u32 n)
{
	u32 k = 0;

	while (n--)
		k += *s++ == '\n';
	return k;
}

/*
 * Writes the oldest bytes of mc's forward buffer with write() until it is
 * empty or write() says not now (-EAGAIN).  A chunk that cannot be
 * written is dropped and its records counted.
 */
static void mon_fwd_push(struct mon_cpu *mc,
			 int (*write)(const char *path, u32 gen,
				      const char *buf, size_t len))
{
	struct event_outbuf *b = &mc->fob;

	while (b->count) {
		u32 n = min(b->count, b->cap - b->head);
		const char *p = b->buf + b->head;
		int r = write(mon.outputs.spool, mon.outputs.spool_gen, p, n);

		if (r == -EAGAIN)
			return;
		if (r) {
			mc->fwd_lost_write += mon_count_lines(p, n);
			mc->fwd_error = r;
		} else {
			mc->fwd_written += mon_count_lines(p, n);
		}
		b->head = (b->head + n) % b->cap;
		b->count -= n;
	}
}

struct mon_fwd_put {
	struct mon_cpu *mc;
	bool flush;
};

static void mon_fwd_put(void *arg, const char *rec, u32 n)
{
	struct mon_fwd_put *a = arg;

	if (event_outbuf_put(&a->mc->fob, rec, n) == EVENT_OUT_FLUSH)
		a->flush = true;
}

bool mon_tapped(void)
{
	/* For the gdb whose package asked: a later gdb did not. */
	return mon.outputs.tap && mon.tap_peer == hv_gdb_peer();
}

void mon_forward(struct mon_ctx *m, const char *s, u32 len)
{
	const struct event *ev = m->ev;
	struct mon_fwd_put a = { .mc = mon.cpu[smp_processor_id()] };
	const char *name = NULL;
	u32 nlen = 0;

	if (ev->spec.has_output) {
		name = event_text(&mon.table, ev) + ev->spec.output.off;
		nlen = ev->spec.output.len;
	}
	event_forward_lines(a.mc->frec, sizeof(a.mc->frec), ev->id, name,
			    nlen, s, len, mon_fwd_put, &a);
	if (m->imm || a.flush)
		mon_fwd_push(a.mc, hv_gdb_forward);
}

static u64 mon_fwd_lost(void)
{
	u64 lost = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct mon_cpu *mc = mon.cpu[cpu];

		if (mc)
			lost += mc->fob.lost + mc->fwd_lost_write;
	}
	return lost;
}

void mon_forward_flush(void)
{
	struct mon_cpu *self = mon.cpu[smp_processor_id()];
	u64 lost;
	int cpu;

	for_each_possible_cpu(cpu) {
		if (mon.cpu[cpu])
			mon_fwd_push(mon.cpu[cpu], hv_gdb_spool_write);
	}
	lost = mon_fwd_lost();
	if (lost != mon.fwd_reported && self) {
		char line[112];
		int n = scnprintf(line, sizeof(line), "hvgdb: 0x%llx forwarded "
				  "event lines lost in all (monitor .output "
				  "says why)\n", lost);

		/* After the console batch's own text, in the same drain. */
		if (event_outbuf_put(&self->ob, line, n) != EVENT_OUT_LOST)
			mon.fwd_reported = lost;
	}
}

static void mon_fwd_stats(struct cmd_fwd_stats *st)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	st->open = hv_gdb_spool_open();
	for_each_possible_cpu(cpu) {
		struct mon_cpu *mc = mon.cpu[cpu];

		if (!mc)
			continue;
		st->forwarded += mc->fwd_written;
		st->lost_full += mc->fob.lost;
		st->lost_write += mc->fwd_lost_write;
		if (mc->fwd_error)
			st->error = mc->fwd_error;
	}
}

int mon_output(const char *cmd, const struct cmd_parsed *p,
	       struct rsp_output *out)
{
	const char *arg = cmd + p->output_arg.off;
	u32 len = p->output_arg.len;
	struct cmd_fwd_stats st;
	struct cmd_out o;
	bool tap;
	int r;

	switch (p->output_op) {
	case CMD_OUTPUT_CREATE:
		r = event_outputs_add(&mon.outputs, arg, len);
		if (r == EVENT_FWD_EXISTS)
			return mon_fail(out, p->output_arg.off + 1, "output "
					"'%.*s' exists already", (int)len, arg);
		if (r == EVENT_FWD_FULL)
			return mon_fail(out, p->output_arg.off + 1, "no room "
					"for another output (%d exist)",
					EVENT_OUTPUTS_MAX);
		if (r < 0)
			return mon_fail(out, p->output_arg.off + 1, "output "
					"names are letters, digits and '_'");
		mon_printf(out, "output '%.*s' created\n", (int)len, arg);
		return 0;
	case CMD_OUTPUT_SPOOL:
		/* The parser bounds the length. */
		event_outputs_spool(&mon.outputs, arg, len);
		if (len)
			mon_printf(out, "spool: %.*s\n", (int)len, arg);
		else
			mon_printf(out, "spool: none (no forwarding)\n");
		return 0;
	case CMD_OUTPUT_TAP:
		mon.outputs.tap = p->on;
		mon.tap_peer = hv_gdb_peer();
		mon_printf(out, "tap: %s\n", p->on ? "on" : "off");
		return 0;
	default:
		mon_fwd_stats(&st);
		cmd_out_init(&o, mon.out, MON_OUT);
		/* tap as it applies to this gdb (every CPU is halted). */
		tap = mon.outputs.tap;
		mon.outputs.tap = mon_tapped();
		cmd_fmt_outputs(&o, &mon.outputs, &st, p->kv);
		mon.outputs.tap = tap;
		rsp_output_write(out, mon.out, o.len);
		return 0;
	}
}
