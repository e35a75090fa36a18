/*
 * libFuzzer target over the monitor command language and the event table.
 *
 * The input is a sequence of command lines separated by 0xff bytes, run
 * with cmd_execute() against a small table (so pools fill up) with a fake
 * script engine.  After each line it checks what must always hold:
 * the reply is NUL-terminated inside its buffer and ends in '\n'; a failed
 * command changed nothing; the table's invariants (ids increasing, text
 * spans inside the arena, counts within capacity) hold; no script handle
 * leaks or is released twice.  Commands the host runs (`?`, `print`,
 * `prealloc`, `prealloc script N`, the inspection commands) leave
 * everything alone with an empty reply, and their parsed spans, counts,
 * the script built for `print` and the inspection commands' numbers and
 * ranges are checked against the line.  Matching and intercept computation run over
 * the resulting table too, and the replies go through a small batched
 * output buffer whose drained text must be exactly what was queued.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "monitor-cmds/cmd_output.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_exec.h"
#include "monitor-cmds/cmd_inspect.h"
#include "monitor-cmds/cmd_search.h"
#include "monitor-cmds/cmd_pci.h"
#include "monitor-cmds/event.h"
#include "monitor-cmds/event_intercepts.h"
#include "monitor-cmds/event_output.h"

#define EVS	6
#define TEXT	512
#define PROGS	4

static int live;
static bool in_use[PROGS];

static int fz_compile(void *ctx, const char *text, size_t len, bool cond,
		      void **prog, char *msg, size_t cap, size_t *err_off)
{
	int i;

	(void)ctx;
	(void)cond;
	if (len && text[0] == '!') {	/* the "engine" rejects this */
		strncpy(msg, "bad", cap);
		*err_off = len;	/* largest legal offset */
		return -1;
	}
	for (i = 0; i < PROGS; i++) {
		if (!in_use[i]) {
			in_use[i] = true;
			live++;
			*prog = (void *)(uintptr_t)(i + 1);
			return 0;
		}
	}
	msg[0] = '\0';		/* empty message: exec supplies one */
	*err_off = 0;
	return -1;
}

static void fz_release(void *ctx, void *prog)
{
	uintptr_t i = (uintptr_t)prog - 1;

	(void)ctx;
	if (i >= PROGS || !in_use[i])
		abort();	/* double release or foreign handle */
	in_use[i] = false;
	live--;
}

/* The number of the word at 1-based column col of the line is v. */
static void word_at(const char *line, size_t len, u32 col, u64 v)
{
	size_t a = col - 1, b = a;
	u64 w;

	if (!col || a >= len)
		abort();
	while (b < len && !strchr(" \t\r\n\v\f{}", line[b]))
		b++;
	if (cmd_parse_number(line + a, b - a, &w) || w != v)
		abort();
}

/* The reply formatters on what was parsed, into a buffer that is often
 * too small: always NUL-terminated inside it. */
static void fuzz_formatters(const struct cmd_parsed *c)
{
	static char out[96];
	struct cmd_out o;
	u64 entry[5];
	u8 bytes[16];
	u32 i, n = c->length ? c->length : c->nvalues * c->unit;

	for (i = 0; i < 16; i++)
		bytes[i] = (u8)(c->addr >> (8 * (i & 7))) ^ (u8)(i * 37);
	for (i = 0; i < 5; i++)
		entry[i] = c->addr * (i + 3) ^ c->values[i];
	cmd_out_init(&o, out, 1 + (c->addr & 63) + 32);
	cmd_fmt_dump_line(&o, c->addr, bytes, n > 16 ? 16 : n, c->unit,
			  c->ascii);
	cmd_fmt_pte(&o, c->addr, c->values[0], (u8)(4 + (c->addr & 1)), entry,
		    (u8)(c->addr % 7), c->addr & 2, c->values[1]);
	cmd_fmt_msr(&o, (u32)c->addr, (u32)c->values[0], c->values[1]);
	if (o.len >= o.cap || out[o.len] != '\0' || strlen(out) != o.len)
		abort();
}

/* !pcicam (cmd_pci.c): each number at its column, in range; the length
 * the dump or the header takes; the formatters on what it parsed, into a
 * buffer often too small. */
static void check_pcicam(const char *line, size_t len,
			 const struct cmd_parsed *c)
{
	static char out[96];
	struct cmd_out o;
	u8 cfg[CMD_PCI_HEADER];
	u32 i;

	word_at(line, len, c->bus_col, c->bus);
	word_at(line, len, c->dev_col, c->dev);
	word_at(line, len, c->fn_col, c->fn);
	if (c->dev > 0x1f || c->fn > 7 || !c->length || c->length % 4 ||
	    c->length > CMD_PCI_DUMP_MAX ||
	    (!c->raw && (c->length != CMD_PCI_HEADER || c->length_col)) ||
	    (c->raw && !c->length_col && c->length != CMD_PCI_DUMP_DEFAULT))
		abort();
	if (c->length_col)
		word_at(line, len, c->length_col, c->length);
	for (i = 0; i < sizeof(cfg); i++)
		cfg[i] = (u8)(c->bus * 31 + c->dev * 7 + c->fn + i * 13);
	cmd_out_init(&o, out, 1 + (c->bus & 63) + 16);
	cmd_fmt_pci_title(&o, c->bus, c->bus, c->dev, c->fn);
	cmd_fmt_pci_dump_line(&o, (u16)c->length, cfg, c->length & 31,
			      c->raw);
	cmd_fmt_pci_tree_line(&o, 0, c->bus, c->dev, c->fn, c->bus,
			      c->dev, (u32)c->length << 12 | cfg[3]);
	cmd_fmt_pci_header(&o, cfg);
	if (o.len >= o.cap || out[o.len] != '\0' || strlen(out) != o.len)
		abort();
}

/* The inspection commands' fields (cmd.h) hold what the parser promises. */
/* `.kv events`: records only, none when the table is empty. */
static bool kv_empty_list(const char *line, size_t len)
{
	struct cmd_parsed c;
	struct cmd_error e;

	return !cmd_parse(line, len, &c, &e) && c.kv &&
	       c.kind == CMD_EVENTS_LIST;
}

/* A search: a range that does not wrap and is not too long, a pattern of
 * 1..CMD_EDIT_MAX values that fit the unit, and its bytes. */
static void check_search(const char *line, size_t len,
			 const struct cmd_parsed *c)
{
	u8 pat[CMD_EDIT_MAX * 8];
	u64 max = c->unit == 8 ? ~0ull : (1ull << (8 * c->unit)) - 1;
	u32 i;

	word_at(line, len, c->addr_col, c->addr);
	if ((c->unit != 1 && c->unit != 4 && c->unit != 8) || !c->span ||
	    c->span > CMD_SEARCH_MAX || c->addr + (c->span - 1) < c->addr ||
	    !c->nvalues || c->nvalues > CMD_EDIT_MAX ||
	    c->phys != (line[strspn(line, " \t")] == '!'))
		abort();
	for (i = 0; i < c->nvalues; i++)
		if (c->values[i] > max)
			abort();
	if (cmd_search_pattern(c, pat, sizeof(pat)) != c->nvalues * c->unit)
		abort();
}

static void check_inspect(const char *line, size_t len,
			  const struct cmd_parsed *c)
{
	u64 bytes, max;
	u32 i;

	switch (c->kind) {
	case CMD_RDMSR:
	case CMD_WRMSR:
		if ((c->core == CMD_CORE_ALL) != !c->core_col)
			abort();
		if (c->core_col)
			word_at(line, len, c->core_col, c->core);
		fuzz_formatters(c);
		return;
	case CMD_VA2PA:
	case CMD_PA2VA:
	case CMD_PTE:
		word_at(line, len, c->addr_col, c->addr);
		fuzz_formatters(c);
		return;
	case CMD_PHYS_DUMP:
	case CMD_PHYS_EDIT:
		break;
	case CMD_SEARCH:
		check_search(line, len, c);
		return;
	case CMD_PCICAM:
		check_pcicam(line, len, c);
		return;
	case CMD_LM:
	case CMD_PROCESS:
	case CMD_THREAD:
		/* cmd_kobj.c: a copied name that fits, a number where the
		 * column says, a pid in range. */
		if (c->kobj.name_len >= sizeof(c->kobj.name) ||
		    c->kobj.name[c->kobj.name_len] != '\0' ||
		    (c->kind != CMD_LM && c->kobj.name_len))
			abort();
		if (c->kobj.id_col)
			word_at(line, len, c->kobj.id_col, c->kobj.id);
		if ((c->kobj.op == CMD_KOBJ_PID) !=
		    (c->kind == CMD_PROCESS && c->kobj.id_col &&
		     c->kobj.op != CMD_KOBJ_OBJECT))
			abort();
		if (c->kobj.op == CMD_KOBJ_PID && c->kobj.id > 0x400000)
			abort();
		return;
	default:
		return;
	}
	word_at(line, len, c->addr_col, c->addr);
	if (c->unit != 1 && c->unit != 4 && c->unit != 8)
		abort();
	if (c->kind == CMD_PHYS_DUMP) {
		if (!c->length || c->length > CMD_DUMP_MAX ||
		    c->length % c->unit || c->nvalues)
			abort();
		bytes = c->length;
	} else {
		if (!c->nvalues || c->nvalues > CMD_EDIT_MAX ||
		    c->addr % c->unit || c->length)
			abort();
		max = c->unit == 8 ? ~0ull : (1ull << (8 * c->unit)) - 1;
		for (i = 0; i < c->nvalues; i++)
			if (c->values[i] > max)
				abort();
		bytes = (u64)c->nvalues * c->unit;
	}
	if (c->addr + (bytes - 1) < c->addr)	/* wraps past 2^64 */
		abort();
	fuzz_formatters(c);
}

/* What cmd_parse() says of the line agrees with cmd_execute()'s result. */
static void check_parse(const char *line, size_t len, int r, u32 req,
			const char *out)
{
	static struct cmd_parsed c;
	static char src[CMD_PRINT_SRC];
	struct cmd_error e;
	u32 n;

	if (cmd_parse(line, len, &c, &e)) {
		/* The reply is the parse error: "column N: msg\n". */
		if (!r || req || strncmp(out, "column ", 7) ||
		    !strstr(out, e.msg) || e.col < 1 || e.col > len + 1)
			abort();
		return;
	}
	if (c.text.off + c.text.len > len)
		abort();
	switch (c.kind) {
	case CMD_EVAL:
	case CMD_PRINT:
		if (!c.script.len || c.script.off < c.text.off ||
		    c.script.off + c.script.len > c.text.off + c.text.len)
			abort();
		n = cmd_print_script(line, &c, src, sizeof(src));
		if (c.kind == CMD_EVAL ? n != 0 :
		    c.script.len > CMD_PRINT_EXPR_MAX ||
		    n != c.script.len + CMD_PRINT_SHIFT + 2 ||
		    memcmp(src + CMD_PRINT_SHIFT, line + c.script.off,
			   c.script.len) || memcmp(src, "print(", 6) ||
		    memcmp(src + n - 2, ");", 2))
			abort();
		break;
	case CMD_PREALLOC_SCRIPT:
		if (!c.count || c.count > CMD_PREALLOC_SCRIPT_MAX)
			abort();
		break;
	case CMD_EVENT:
		/* Refused by the parser, never in the table. */
		if (c.spec.type == EVENT_INTERRUPT && c.spec.sc)
			abort();
		/* output {name}: the name inside the line; the fuzzed table
		 * has no output sources, so the command is refused. */
		if (c.spec.has_output &&
		    (!c.spec.output.len ||
		     c.spec.output.off + c.spec.output.len > len || !r))
			abort();
		break;
	case CMD_OUTPUT:
		if (c.output_op > CMD_OUTPUT_TAP ||
		    c.output_arg.off + c.output_arg.len > len ||
		    (c.output_op == CMD_OUTPUT_CREATE &&
		     (!c.output_arg.len ||
		      c.output_arg.len > EVENT_OUTPUT_NAME_MAX)) ||
		    (c.output_op == CMD_OUTPUT_SPOOL &&
		     c.output_arg.len >= EVENT_SPOOL_MAX))
			abort();
		break;
	default:
		check_inspect(line, len, &c);
		break;
	}
	if (!!(req & CMD_REQ_HOST) !=
	    (c.kind == CMD_EVAL || c.kind == CMD_PRINT ||
	     c.kind == CMD_PREALLOC_SHOW || c.kind == CMD_PREALLOC_SCRIPT ||
	     c.kind == CMD_RDMSR || c.kind == CMD_WRMSR ||
	     c.kind == CMD_VA2PA || c.kind == CMD_PA2VA || c.kind == CMD_PTE ||
	     c.kind == CMD_PHYS_DUMP || c.kind == CMD_PHYS_EDIT ||
	     c.kind == CMD_CPU || c.kind == CMD_SEARCH ||
	     c.kind == CMD_STATUS || c.kind == CMD_CPUS ||
	     c.kind == CMD_INFO_TLB ||
	     c.kind == CMD_XP ||
	     c.kind == CMD_INFO_REGISTERS ||
	     c.kind == CMD_INFO_MEM || c.kind == CMD_PCITREE ||
	     c.kind == CMD_PCICAM || c.kind == CMD_LM ||
	     c.kind == CMD_PROCESS || c.kind == CMD_THREAD ||
	     c.kind == CMD_IDT || c.kind == CMD_APIC ||
	     c.kind == CMD_IOAPIC || c.kind == CMD_OUTPUT ||
	     c.kind == CMD_PREACTIVATE || c.kind == CMD_TRACK))
		abort();
	/* !track: a count when given, 1..CMD_TRACK_MAX (cmd_track.h). */
	if (c.kind == CMD_TRACK && c.set && (!c.value || c.value > 0xffffffffull))
		abort();
}

static void check_table(const struct event_table *t)
{
	u32 i, text = 0, data = 0;
	int progs = 0;

	if (t->count > t->cap || t->text_used > t->text_cap ||
	    t->data_used > t->data_cap)
		abort();
	for (i = 0; i < t->count; i++) {
		const struct event *ev = &t->ev[i];
		const struct event_spec *s = &ev->spec;

		if (i && ev->id <= t->ev[i - 1].id)
			abort();
		if (ev->id >= t->next_id || ev->text_off != text)
			abort();
		text += ev->text_len;
		if (ev->buf_off != data || ev->buf_len & 7 ||
		    ev->buf_len < s->buffer_size)
			abort();
		data += ev->buf_len;
		if (s->has_script &&
		    s->script.off + s->script.len > ev->text_len)
			abort();
		if (s->has_condition &&
		    s->condition.off + s->condition.len > ev->text_len)
			abort();
		if (s->has_output &&
		    s->output.off + s->output.len > ev->text_len)
			abort();
		progs += !!ev->script_prog + !!ev->cond_prog;
		if (!!ev->script_prog != s->has_script ||
		    !!ev->cond_prog != s->has_condition)
			abort();
	}
	if (text != t->text_used || data != t->data_used || progs != live)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event ev[EVS], snap_ev[EVS];
	static char text[TEXT], snap_text[TEXT];
	static u8 data_pool[96], snap_data[96];
	static u8 msr[HV_BITMAP_PAGE], ioa[HV_BITMAP_PAGE], iob[HV_BITMAP_PAGE];
	struct event_script_ops ops = { fz_compile, fz_release, NULL };
	struct event_table t, snap;
	struct hv_intercept_base base = { 0 };
	struct hv_intercepts hv = { .msr_bitmap = msr, .io_bitmap_a = ioa,
				    .io_bitmap_b = iob };
	char out[256];
	static char ring[64], queued[8192], drained[8192];
	struct event_outbuf ob;
	size_t pos = 0, nq = 0, nd = 0;
	u32 lost = 0;

	memset(in_use, 0, sizeof(in_use));
	live = 0;
	event_outbuf_init(&ob, ring, sizeof(ring));
	event_table_init(&t, ev, EVS, text, TEXT,
			 size && (data[0] & 1) ? &ops : NULL);
	event_table_set_data(&t, data_pool, sizeof(data_pool));
	while (pos < size) {
		const char *line = (const char *)data + pos;
		const uint8_t *sep = memchr(data + pos, 0xff, size - pos);
		size_t len = sep ? (size_t)(sep - data) - pos : size - pos;
		u32 req;
		int r;

		/* Every other line "stops at an event" for events sc. */
		t.stopped_by_event = (pos & 1) != 0;
		snap = t;
		memcpy(snap_ev, ev, sizeof(ev));
		memcpy(snap_text, text, sizeof(text));
		memcpy(snap_data, data_pool, sizeof(data_pool));
		memset(out, 0x77, sizeof(out));
		r = cmd_execute(&t, line, len, out, sizeof(out), &req);
		if (!memchr(out, '\0', sizeof(out)))
			abort();
		check_parse(line, len, r, req, out);
		if (req & CMD_REQ_HOST) {
			/* The host's: nothing done, nothing said. */
			if (r || req != CMD_REQ_HOST || out[0] ||
			    memcmp(&snap, &t, sizeof(t)) ||
			    memcmp(snap_ev, ev, sizeof(ev)) ||
			    memcmp(snap_text, text, sizeof(text)))
				abort();
			pos += len + 1;
			continue;
		}
		/* Every reply ends its line; `.kv events` with no events
		 * has no records, so says nothing. */
		if (strlen(out) ? out[strlen(out) - 1] != '\n' :
		    !(r == 0 && kv_empty_list(line, len)))
			abort();
		if (r) {
			if (memcmp(&snap, &t, sizeof(t)) ||
			    memcmp(snap_ev, ev, sizeof(ev)) ||
			    memcmp(snap_text, text, sizeof(text)) ||
			    memcmp(snap_data, data_pool, sizeof(data_pool)) ||
			    req)
				abort();
		}
		check_table(&t);
		/* Queue the reply; drain a varying amount now and then. */
		{
			u32 olen = (u32)strlen(out);

			if (event_outbuf_put(&ob, out, olen) == EVENT_OUT_LOST) {
				lost++;
			} else if (nq + olen < sizeof(queued)) {
				memcpy(queued + nq, out, olen);
				nq += olen;
			}
			if (len & 1) {
				char d[40];
				u32 n = event_outbuf_drain(&ob, d,
							   (u32)(len % 40));

				if (n && nd + n < sizeof(drained)) {
					memcpy(drained + nd, d, n);
					nd += n;
				}
			}
		}
		pos += len + 1;
	}
	{
		char d[128];
		u32 n;

		while ((n = event_outbuf_drain(&ob, d, sizeof(d))) != 0) {
			if (nd + n < sizeof(drained)) {
				memcpy(drained + nd, d, n);
				nd += n;
			}
		}
		/* Without losses, what comes out is what went in. */
		if (!lost && nq < sizeof(queued) - 256 &&
		    nd < sizeof(drained) - 256 &&
		    (nq != nd || memcmp(queued, drained, nq)))
			abort();
		if (ob.count || ob.lost)
			abort();
	}
	event_intercepts_compute(&t, &base, &hv);
	{
		const struct event *hits[EVS];
		struct event_exit x = { .key = size, .aux = size & 7,
					.stage = size & 1 };
		int ty;

		for (ty = 0; ty < EVENT_TYPE_COUNT; ty++) {
			x.type = (enum event_type)ty;
			if (event_match(&t, &x, hits, EVS) > t.count)
				abort();
		}
	}
	event_table_clear_all(&t);
	if (live)
		abort();
	return 0;
}
