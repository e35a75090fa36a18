// SPDX-License-Identifier: GPL-2.0
/* cmd_exec.c - apply a parsed monitor command; see cmd_exec.h. */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_exec.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_kv.h"
#include "cmd_settings.h"
#include "cmd_output.h"
#include "event.h"

static int fail(struct cmd_out *o, const struct cmd_error *e)
{
	cmd_out_init(o, o->buf, o->cap);
	cmd_out_str(o, "column ");
	cmd_out_dec(o, e->col);
	cmd_out_str(o, ": ");
	cmd_out_str(o, e->msg);
	cmd_out_char(o, '\n');
	return -1;
}

static int fail_msg(struct cmd_out *o, u32 col, const char *msg)
{
	struct cmd_error e;

	cmd_err(&e, col, msg, NULL, 0, "");
	return fail(o, &e);
}

static void pool_full(struct cmd_out *o, const struct event_table *t, int r,
		      u32 col)
{
	cmd_out_init(o, o->buf, o->cap);
	cmd_out_str(o, "column ");
	cmd_out_dec(o, col);
	cmd_out_str(o, ": ");
	if (r == EVENT_ERR_FULL) {
		cmd_out_str(o, "event pool full (");
		cmd_out_hex(o, t->cap);
		cmd_out_str(o, " events): clear some with 'events c' or grow "
			    "it with 'prealloc N'\n");
	} else if (r == EVENT_ERR_TEXT_FULL) {
		cmd_out_str(o, "command text pool full (");
		cmd_out_hex(o, t->text_used);
		cmd_out_str(o, " of ");
		cmd_out_hex(o, t->text_cap);
		cmd_out_str(o, " bytes used): clear events or grow it with "
			    "'prealloc N'\n");
	} else if (r == EVENT_ERR_DATA_FULL) {
		cmd_out_str(o, "buffer pool full (");
		cmd_out_hex(o, t->data_used);
		cmd_out_str(o, " of ");
		cmd_out_hex(o, t->data_cap);
		cmd_out_str(o, " bytes used): clear events or grow it with "
			    "'prealloc buffer N'\n");
	} else {
		cmd_out_str(o, "no event ids left in this session\n");
	}
}

/* Compile one block through the script hook; *prog stays NULL if absent. */
static int compile(struct event_table *t, const char *line,
		   const struct event_span *sp, bool is_cond, void **prog,
		   struct cmd_out *o)
{
	const struct event_script_ops *ops = t->ops;
	struct cmd_error e;
	struct cmd_out eo;
	size_t err_off = 0;

	*prog = NULL;
	if (!ops || !ops->compile) {
		return fail_msg(o, sp->off, is_cond ?
				"script engine not available: 'condition "
				"{...}' needs it and this build has none yet" :
				"script engine not available: 'script {...}' "
				"needs it and this build has none yet");
	}
	e.msg[0] = '\0';
	if (ops->compile(ops->ctx, line + sp->off, sp->len, is_cond, prog,
			 e.msg, sizeof(e.msg), &err_off)) {
		e.msg[sizeof(e.msg) - 1] = '\0';
		if (err_off > sp->len)
			err_off = sp->len;
		e.col = sp->off + (u32)err_off + 1;
		if (!e.msg[0]) {
			cmd_err_start(&e, &eo, e.col);
			cmd_out_str(&eo, "script does not compile");
		}
		*prog = NULL;
		return fail(o, &e);
	}
	return 0;
}

/* `.kv`: "event id=0x0 enabled=1 action=script command=\"...\"". */
static void kv_event(struct cmd_out *o, const struct event_table *t,
		     const struct event *ev)
{
	if (!ev)
		return;
	cmd_out_str(o, "event");
	cmd_kv_hex(o, "id", ev->id);
	cmd_kv_bool(o, "enabled", ev->enabled);
	cmd_kv_str(o, "action", ev->spec.has_script ? "script" : "break",
		   ev->spec.has_script ? 6 : 5);
	cmd_kv_str(o, "command", event_text(t, ev), ev->text_len);
	cmd_out_char(o, '\n');
}

static int do_event(struct event_table *t, const char *line,
		    const struct cmd_parsed *c, struct cmd_out *o, u32 *req)
{
	struct event_spec sp = c->spec;
	void *script = NULL, *cond = NULL;
	u32 base = c->text.off, id;
	int r;

	if (sp.has_output && (!t->outputs ||
			      event_outputs_find(t->outputs,
						 line + sp.output.off,
						 sp.output.len) < 0)) {
		cmd_fmt_no_output(o, sp.output.off + 1, line + sp.output.off,
				  sp.output.len);
		return -1;
	}
	r = event_table_room(t, c->text.len, sp.buffer_size);
	if (r) {
		pool_full(o, t, r, base + 1);
		return -1;
	}
	if (sp.has_script && compile(t, line, &sp.script, false, &script, o))
		return -1;
	if (sp.has_condition &&
	    compile(t, line, &sp.condition, true, &cond, o)) {
		if (script && t->ops->release)
			t->ops->release(t->ops->ctx, script);
		return -1;
	}
	/* Spans are kept relative to the stored copy of the command. */
	sp.script.off -= sp.has_script ? base : 0;
	sp.condition.off -= sp.has_condition ? base : 0;
	sp.output.off -= sp.has_output ? base : 0;
	r = event_table_add(t, &sp, line + base, c->text.len, script, cond,
			    &id);
	if (r) {	/* cannot happen after event_table_room() */
		pool_full(o, t, r, base + 1);
		return -1;
	}
	*req |= CMD_REQ_APPLY;
	if (c->kv) {
		kv_event(o, t, event_table_find(t, id));
		return 0;
	}
	cmd_out_str(o, "event ");
	cmd_out_hex(o, id);
	cmd_out_str(o, " enabled: ");
	cmd_out_safe(o, line + base, c->text.len);
	cmd_out_str(o, sp.has_script ? "  [script]\n" : "  [break]\n");
	return 0;
}

static void list(const struct event_table *t, struct cmd_out *o, bool kv)
{
	u32 i;

	if (kv) {	/* no events: no records */
		for (i = 0; i < t->count && !o->truncated; i++)
			kv_event(o, t, &t->ev[i]);
		return;
	}
	if (!t->count) {
		cmd_out_str(o, "no events\n");
		return;
	}
	for (i = 0; i < t->count && !o->truncated; i++) {
		const struct event *ev = &t->ev[i];

		cmd_out_hex(o, ev->id);
		cmd_out_str(o, ev->enabled ? " (enabled) " : " (disabled) ");
		cmd_out_safe(o, event_text(t, ev), ev->text_len);
		cmd_out_char(o, '\n');
	}
}

static int do_modify(struct event_table *t, const struct cmd_parsed *c,
		     struct cmd_out *o, u32 *req)
{
	u32 gen = t->generation;
	const char *verb;
	int r = 0;

	if (c->kind == CMD_EVENTS_CLEAR) {
		verb = "cleared";
		if (c->all)
			event_table_clear_all(t);
		else
			r = event_table_clear(t, c->id);
	} else {
		bool on = c->kind == CMD_EVENTS_ENABLE;

		verb = on ? "enabled" : "disabled";
		if (c->all)
			event_table_enable_all(t, on);
		else
			r = event_table_enable(t, c->id, on);
	}
	if (r) {
		cmd_out_str(o, "column ");
		cmd_out_dec(o, c->id_col);
		cmd_out_str(o, ": no event ");
		cmd_out_hex(o, c->id);
		cmd_out_str(o, " (events lists them)\n");
		return -1;
	}
	if (t->generation != gen)
		*req |= CMD_REQ_APPLY;
	/* HyperDbg's autoflush: what was batched before the change comes
	 * now, not mixed into later output (hvgdb's flush sends it). */
	if (t->autoflush)
		*req |= CMD_REQ_FLUSH;
	if (c->all) {
		cmd_out_str(o, "all events ");
		cmd_out_str(o, verb);
	} else {
		cmd_out_str(o, "event ");
		cmd_out_hex(o, c->id);
		cmd_out_char(o, ' ');
		cmd_out_str(o, verb);
	}
	cmd_out_char(o, '\n');
	return 0;
}

/*
 * `stop`: the event this stop is for, as its stop line (the event may
 * have been cleared since); `.kv stop`: "stop reason=\"event\" event=0x3
 * type=\"!msrwrite\" context=... stage=\"pre\" core=... pid=... [cr2=...]"
 * or "stop reason=\"other\"" (Ctrl-C, a breakpoint, a step ...).
 */
static void do_stop(const struct event_table *t, const struct cmd_parsed *c,
		    struct cmd_out *o)
{
	const struct event_exit *x = &t->stop_exit;
	const char *type = event_type_name(t->stop_type);
	char line[160];

	if (!c->kv) {
		if (!t->stopped_by_event) {
			cmd_out_str(o, "the system did not stop at an event\n");
			return;
		}
		event_format_hit_of(line, sizeof(line), t->stop_event_id,
				    t->stop_type, x);
		cmd_out_str(o, line);
		return;
	}
	cmd_out_str(o, "stop");
	if (!t->stopped_by_event) {
		cmd_kv_str(o, "reason", "other", 5);
		cmd_out_char(o, '\n');
		return;
	}
	cmd_kv_str(o, "reason", "event", 5);
	cmd_kv_hex(o, "event", t->stop_event_id);
	cmd_kv_str(o, "type", type, strlen(type));
	cmd_kv_hex(o, "context", x->context);
	cmd_kv_str(o, "stage", x->stage == EVENT_STAGE_POST ? "post" : "pre",
		   x->stage == EVENT_STAGE_POST ? 4 : 3);
	cmd_kv_hex(o, "core", x->cpu);
	cmd_kv_hex(o, "pid", x->tgid);
	if (t->stop_type == EVENT_EXCEPTION && x->key == 14)	/* #PF */
		cmd_kv_hex(o, "cr2", x->aux);
	cmd_out_char(o, '\n');
}

static int do_sc(struct event_table *t, const struct cmd_parsed *c,
		 struct cmd_out *o, u32 *req)
{
	if (!t->stopped_by_event) {
		cmd_out_str(o, "column ");
		cmd_out_dec(o, c->id_col);
		cmd_out_str(o, ": the system did not stop at an event, so "
			    "there is no firing to short-circuit\n");
		return -1;
	}
	t->stop_sc = c->on;
	*req |= CMD_REQ_SC;
	cmd_out_str(o, "event ");
	cmd_out_hex(o, t->stop_event_id);
	cmd_out_str(o, c->on ? ": this firing is short-circuited\n" :
			       ": this firing is emulated\n");
	return 0;
}

/* One line of .help: the name in 12 columns, then text. */
static void list_line(struct cmd_out *o, const struct cmd_info *ci,
		      const char *text)
{
	size_t n = strlen(ci->name) + (ci->bang ? 1 : 0);

	cmd_out_str(o, "  ");
	if (ci->bang)
		cmd_out_char(o, '!');
	cmd_out_str(o, ci->name);
	while (n++ < 12)
		cmd_out_char(o, ' ');
	cmd_out_str(o, text);
	cmd_out_char(o, '\n');
}

static int do_help(const char *line, const struct cmd_parsed *c,
		   struct cmd_out *o)
{
	const struct cmd_info *ci;
	u32 i;

	if (!c->topic.len) {
		cmd_out_str(o, "hvgdb monitor commands (help <command> for "
			    "its syntax):\n");
		for (i = 0; i < cmd_info_count; i++) {
			ci = &cmd_infos[i];
			if (!ci->host)
				list_line(o, ci, ci->summary);
		}
		cmd_out_str(o, "Numbers are hex; 0n decimal, 0t octal, "
			    "0y binary.\n");
		for (i = 0; i < cmd_info_count; i++) {
			ci = &cmd_infos[i];
			if (ci->host)
				list_line(o, ci, ci->list);
		}
		return 0;
	}
	ci = cmd_info_find(line + c->topic.off, c->topic.len);
	if (!ci) {
		struct cmd_error e;

		cmd_err(&e, c->topic_col, "no help for ",
			line + c->topic.off, c->topic.len,
			" (.help lists the commands)");
		return fail(o, &e);
	}
	cmd_out_str(o, ci->syntax);
	cmd_out_char(o, '\n');
	cmd_out_str(o, "  ");
	cmd_out_str(o, ci->summary);
	cmd_out_char(o, '\n');
	return 0;
}

static u32 add_capped(u32 a, u32 b, u32 max)
{
	return a + b < max ? a + b : max;
}

static int do_prealloc(struct event_table *t, const struct cmd_parsed *c,
		       struct cmd_out *o, u32 *req)
{
	/* Served by the module outside VMX root; requests add up until then,
	 * capped so that a typo cannot ask for gigabytes. */
	*req |= CMD_REQ_PREALLOC;
	if (c->buffer_pool) {
		t->want_data = add_capped(t->want_data, c->count,
					  CMD_PREALLOC_DATA_MAX);
		cmd_out_str(o, "prealloc: ");
		cmd_out_hex(o, t->want_data);
		cmd_out_str(o, " more buffer bytes requested (");
		cmd_out_hex(o, t->data_used);
		cmd_out_str(o, " of ");
		cmd_out_hex(o, t->data_cap);
	} else {
		t->want_events = add_capped(t->want_events, c->count,
					    CMD_PREALLOC_MAX);
		t->want_text = t->want_events * CMD_PREALLOC_TEXT_PER_EVENT;
		cmd_out_str(o, "prealloc: ");
		cmd_out_hex(o, t->want_events);
		cmd_out_str(o, " more event slots requested (");
		cmd_out_hex(o, t->count);
		cmd_out_str(o, " of ");
		cmd_out_hex(o, t->cap);
	}
	cmd_out_str(o, " in use); they are allocated once the system "
		    "resumes and are usable from the next stop\n");
	return 0;
}

int cmd_execute(struct event_table *t, const char *line, size_t len,
		char *out, size_t out_cap, u32 *req)
{
	struct cmd_parsed c;
	struct cmd_error e;
	struct cmd_out o;

	if (cmd_parse(line, len, &c, &e)) {
		*req = 0;
		cmd_out_init(&o, out, out_cap);
		return fail(&o, &e);
	}
	return cmd_execute_parsed(t, line, &c, out, out_cap, req);
}

int cmd_execute_parsed(struct event_table *t, const char *line,
		       const struct cmd_parsed *c, char *out, size_t out_cap,
		       u32 *req)
{
	struct cmd_out o;
	int r = 0;

	*req = 0;
	cmd_out_init(&o, out, out_cap);
	switch (c->kind) {
	case CMD_EVENT:
		r = do_event(t, line, c, &o, req);
		break;
	case CMD_EVENTS_LIST:
		list(t, &o, c->kv);
		break;
	case CMD_EVENTS_ENABLE:
	case CMD_EVENTS_DISABLE:
	case CMD_EVENTS_CLEAR:
		r = do_modify(t, c, &o, req);
		break;
	case CMD_EVENTS_SC:
		r = do_sc(t, c, &o, req);
		break;
	case CMD_HELP:
		r = do_help(line, c, &o);
		break;
	case CMD_PREALLOC:
		r = do_prealloc(t, c, &o, req);
		break;
	case CMD_INFO_VERSION:
		cmd_out_str(&o, CMD_INFO_VERSION_TEXT);
		break;
	case CMD_SETTINGS:
		r = cmd_do_settings(t, c, &o);
		break;
	case CMD_STOP:
		do_stop(t, c, &o);
		break;
	case CMD_FLUSH:
		*req |= CMD_REQ_FLUSH;
		cmd_out_str(&o, "flush: buffered event output sent\n");
		break;
	case CMD_EVAL:
	case CMD_PRINT:
	case CMD_PREALLOC_SHOW:
	case CMD_PREALLOC_SCRIPT:
	case CMD_PREALLOC_MONITOR:
	case CMD_PREALLOC_EPTHOOK:
	case CMD_PREALLOC_EPTHOOK2:
	case CMD_RDMSR:
	case CMD_WRMSR:
	case CMD_VA2PA:
	case CMD_PA2VA:
	case CMD_PTE:
	case CMD_PHYS_DUMP:
	case CMD_PHYS_EDIT:
	case CMD_CPU:
	case CMD_SEARCH:
	case CMD_STATUS:
	case CMD_CPUS:
	case CMD_INFO_REGISTERS:
	case CMD_INFO_MEM:
	case CMD_INFO_TLB:
	case CMD_XP:
	case CMD_PCITREE:
	case CMD_PCICAM:
	case CMD_LM:
	case CMD_PROCESS:
	case CMD_THREAD:
	case CMD_OUTPUT:
	case CMD_IDT:
	case CMD_APIC:
	case CMD_IOAPIC:
	case CMD_PREACTIVATE:
	case CMD_TRACK:
	case CMD_LBR:
	case CMD_LBRDUMP:
		*req |= CMD_REQ_HOST;
		break;
	}
	if (o.truncated && out_cap > 16) {
		/* Say so rather than end mid-line without a hint. */
		const char *mark = "\n[truncated]\n";
		size_t n = strlen(mark);

		memcpy(out + out_cap - 1 - n, mark, n);
		out[out_cap - 1] = '\0';
	}
	return r;
}
