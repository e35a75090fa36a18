// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_inspect.c - parsing of HyperDbg's inspection commands (rdmsr, wrmsr,
 * !va2pa, !pa2va, !pte, !db/!dc/!dd/!dq, !eb/!ed/!eq, cpu) for
 * cmd_parse(); the text of their replies is in cmd_inspect_fmt.c (cpu's
 * in kmod/lib/vmx_describe.c).  !pcitree and !pcicam are looked up here
 * and parsed by cmd_pci.c.
 *
 * Syntax as HyperDbg's (docs/commands.md): positional numbers (hex by
 * default), and the keywords `core n` (rdmsr, wrmsr) and `l n` (the
 * dumps) anywhere after the name.  HyperDbg's `pid` is refused with the
 * reason, never taken and ignored.  Like the rest of the parser this has
 * no side effects: it only fills the struct cmd_parsed.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_inspect.h"
#include "cmd_track.h"
#include "cmd_lbr.h"
#include "cmd_kobj.h"
#include "cmd_intr.h"
#include "cmd_output.h"

struct inspect_def {
	const char *name;	/* as in cmd_infos (without '!') */
	const char *shown;	/* as HyperDbg writes it, for messages */
	enum cmd_kind kind;
	u8 unit;		/* dumps and edits */
	bool ascii;		/* dumps */
};

static const struct inspect_def defs[] = {
	{ "rdmsr", "rdmsr", CMD_RDMSR, 0, false },
	{ "wrmsr", "wrmsr", CMD_WRMSR, 0, false },
	{ "va2pa", "!va2pa", CMD_VA2PA, 0, false },
	{ "pa2va", "!pa2va", CMD_PA2VA, 0, false },
	{ "pte", "!pte", CMD_PTE, 0, false },
	{ "db", "!db", CMD_PHYS_DUMP, 1, true },
	{ "dc", "!dc", CMD_PHYS_DUMP, 4, true },
	{ "dd", "!dd", CMD_PHYS_DUMP, 4, false },
	{ "dq", "!dq", CMD_PHYS_DUMP, 8, false },
	{ "eb", "!eb", CMD_PHYS_EDIT, 1, false },
	{ "ed", "!ed", CMD_PHYS_EDIT, 4, false },
	{ "eq", "!eq", CMD_PHYS_EDIT, 8, false },
	{ "cpu", "cpu", CMD_CPU, 0, false },
	{ "sb", "sb", CMD_SEARCH, 1, false },	/* and !sb: cmd_search.c */
	{ "sd", "sd", CMD_SEARCH, 4, false },
	{ "sq", "sq", CMD_SEARCH, 8, false },
	{ "idt", "!idt", CMD_IDT, 0, false },	/* cmd_intr.c */
	{ "track", "!track", CMD_TRACK, 0, false },	/* cmd_track.c */
	{ "lbr", "!lbr", CMD_LBR, 0, false },		/* cmd_lbr.c */
	{ "lbrdump", "!lbrdump", CMD_LBRDUMP, 0, false },
	{ "apic", "!apic", CMD_APIC, 0, false },
	{ "ioapic", "!ioapic", CMD_IOAPIC, 0, false },
	{ "info", "info", CMD_INFO_VERSION, 0, false },	/* or REGISTERS */
	{ "xp", "xp", CMD_XP, 0, false },		/* cmd_qemu.c */
	{ "pcitree", "!pcitree", CMD_PCITREE, 0, false },	/* cmd_pci.c */
	{ "pcicam", "!pcicam", CMD_PCICAM, 0, false },
	{ "lm", "lm", CMD_LM, 0, false },		/* cmd_kobj.c */
	{ ".process", ".process", CMD_PROCESS, 0, false },
	{ ".thread", ".thread", CMD_THREAD, 0, false },
	{ ".output", ".output", CMD_OUTPUT, 0, false },	/* cmd_output.c */
};

static const struct inspect_def *find_def(const char *name)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(defs); i++) {
		if (cmd_word_is(name, strlen(name), defs[i].name))
			return &defs[i];
	}
	return NULL;
}

/* "byte", "dword", "qword" (plural with an 's'). */
static const char *unit_name(u8 unit)
{
	return unit == 1 ? "byte" : unit == 4 ? "dword" : "qword";
}

/* What the first positional number of each command is. */
static const char *first_what(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_RDMSR:
	case CMD_WRMSR:
		return "an MSR number (hex)";
	case CMD_VA2PA:
	case CMD_PTE:
		return "a virtual address (hex)";
	default:
		return "a physical address (hex)";
	}
}

static const char *value_what(u8 unit)
{
	return unit == 1 ? "a byte to write (hex)" :
	       unit == 4 ? "a dword to write (hex)" : "a qword to write (hex)";
}

/* `pid` (HyperDbg's) is refused at its column, with the reason. */
static int refuse_pid(struct cmd_parser *p, const struct inspect_def *d,
		      const struct cmd_tok *t)
{
	struct cmd_out o;

	cmd_err_start(p->err, &o, t->off + 1);
	switch (d->kind) {
	case CMD_VA2PA:
		cmd_out_str(&o, "pid is not available yet: !va2pa translates "
			    "with the page tables of gdb's selected CPU");
		break;
	case CMD_PTE:
		cmd_out_str(&o, "pid is not available yet: !pte walks the page "
			    "tables of gdb's selected CPU");
		break;
	case CMD_PA2VA:
		cmd_out_str(&o, "pid is not available yet: !pa2va works in the "
			    "address space of gdb's selected CPU");
		break;
	default:
		cmd_out_str(&o, "pid does not apply to physical memory");
		break;
	}
	return -1;
}

int cmd_twice(struct cmd_parser *p, const struct cmd_tok *t, const char *kw,
	      u32 first)
{
	struct cmd_out o;

	cmd_err_start(p->err, &o, t->off + 1);
	cmd_out_char(&o, '\'');
	cmd_out_str(&o, kw);
	cmd_out_str(&o, "' given twice (first at column ");
	cmd_out_dec(&o, first);
	cmd_out_char(&o, ')');
	return -1;
}

int cmd_range_fits(struct cmd_parser *p, u32 col, u64 addr, u64 len)
{
	struct cmd_out o;

	if (!len || len - 1 <= ~addr)
		return 0;
	cmd_err_start(p->err, &o, col);
	cmd_out_str(&o, "range ");
	cmd_out_hex(&o, addr);
	cmd_out_str(&o, " + ");
	cmd_out_hex(&o, len);
	cmd_out_str(&o, " bytes wraps past 0xffffffffffffffff");
	return -1;
}

/* `core n`: n a CPU number; CMD_CORE_ALL is kept for "every CPU".
 * *kw_col is the column of the first `core`. */
static int parse_core(struct cmd_parser *p, const struct cmd_tok *kw,
		      u32 *kw_col, struct cmd_parsed *c)
{
	struct cmd_tok t;
	u64 v;

	if (*kw_col)
		return cmd_twice(p, kw, "core", *kw_col);
	*kw_col = kw->off + 1;
	if (cmd_next(p, &t))
		return -1;
	if (cmd_number(p, &t, "a CPU number (hex)", "core", 0,
		       CMD_CORE_ALL - 1, &v))
		return -1;
	c->core = (u32)v;
	c->core_col = t.off + 1;
	return 0;
}

/* `l n`: the length of a dump, in bytes, a multiple of the unit. */
static int parse_length(struct cmd_parser *p, const struct inspect_def *d,
			const struct cmd_tok *kw, u32 *kw_col,
			struct cmd_parsed *c)
{
	struct cmd_tok t;
	struct cmd_out o;
	u64 v;

	if (*kw_col)
		return cmd_twice(p, kw, "l", *kw_col);
	*kw_col = kw->off + 1;
	if (cmd_next(p, &t))
		return -1;
	if (cmd_number(p, &t, "a length in bytes (hex)", "l", 1, CMD_DUMP_MAX,
		       &v))
		return -1;
	if (v % d->unit) {
		cmd_err_start(p->err, &o, t.off + 1);
		cmd_out_str(&o, "expected a length in ");
		cmd_out_str(&o, unit_name(d->unit));
		cmd_out_str(&o, "s (a multiple of ");
		cmd_out_hex(&o, d->unit);
		cmd_out_str(&o, "), got ");
		cmd_out_hex(&o, v);
		return -1;
	}
	c->length = (u32)v;
	return 0;
}

/* A word after a dump's address that is not `l`: WinDbg's `l10` gets a
 * hint (HyperDbg wants the blank too). */
static int dump_extra(struct cmd_parser *p, const struct cmd_tok *t)
{
	const char *w = cmd_tok_s(p, t);
	u64 v;

	if (t->kind == CMD_TOK_WORD && t->len > 1 &&
	    (w[0] == 'l' || w[0] == 'L') &&
	    !cmd_parse_number(w + 1, t->len - 1, &v)) {
		cmd_err(p->err, t->off + 1, "expected a blank between 'l' and "
			"the length, got ", w, t->len, "");
		return -1;
	}
	return cmd_expected(p, t, "'l' or end of command", NULL);
}

/* The address of !eb/!ed/!eq: aligned to the unit written. */
static int edit_aligned(struct cmd_parser *p, const struct inspect_def *d,
			const struct cmd_parsed *c)
{
	struct cmd_out o;

	if (!(c->addr % d->unit))
		return 0;
	cmd_err_start(p->err, &o, c->addr_col);
	cmd_out_str(&o, "unaligned address ");
	cmd_out_hex(&o, c->addr);
	cmd_out_str(&o, ": ");
	cmd_out_str(&o, d->shown);
	cmd_out_str(&o, " writes ");
	cmd_out_str(&o, unit_name(d->unit));
	cmd_out_str(&o, "s (a multiple of ");
	cmd_out_hex(&o, d->unit);
	cmd_out_char(&o, ')');
	return -1;
}

/*
 * The next positional number (npos of them so far) at t; after is the
 * command's name when t directly follows it.  Returns 0, -1 on error.
 */
static int positional(struct cmd_parser *p, const struct inspect_def *d,
		      const struct cmd_tok *t, u32 npos, const char *after,
		      struct cmd_parsed *c)
{
	struct cmd_out o;
	u64 v, max;

	if (npos == 0) {
		max = d->kind == CMD_RDMSR || d->kind == CMD_WRMSR ?
		      0xffffffffu : ~0ull;
		if (cmd_number(p, t, first_what(d->kind), after, 0, max, &v))
			return -1;
		if (d->kind == CMD_RDMSR || d->kind == CMD_WRMSR) {
			c->msr = (u32)v;
		} else {
			c->addr = v;
			c->addr_col = t->off + 1;
		}
		if (d->kind == CMD_PHYS_EDIT)
			return edit_aligned(p, d, c);
		return 0;
	}
	if (d->kind == CMD_WRMSR && npos == 1)
		return cmd_number(p, t, "a value to write (hex)", NULL, 0,
				  ~0ull, &c->value);
	if (d->kind == CMD_PHYS_EDIT) {
		if (c->nvalues == CMD_EDIT_MAX) {
			cmd_err_start(p->err, &o, t->off + 1);
			cmd_out_str(&o, d->shown);
			cmd_out_str(&o, " takes at most ");
			cmd_out_hex(&o, CMD_EDIT_MAX);
			cmd_out_str(&o, " values");
			return -1;
		}
		max = d->unit == 8 ? ~0ull : (1ull << (8 * d->unit)) - 1;
		if (cmd_number(p, t, value_what(d->unit), NULL, 0, max, &v))
			return -1;
		c->values[c->nvalues++] = v;
		return 0;
	}
	/* Every positional already given. */
	if (d->kind == CMD_PHYS_DUMP)
		return dump_extra(p, t);
	return cmd_expected(p, t, d->kind == CMD_RDMSR ||
			    d->kind == CMD_WRMSR ? "'core' or end of command" :
			    "end of command", NULL);
}

/* Positional numbers each command needs (an edit: address and a value). */
/* QEMU's `info <what>`: version, registers and mem exist here. */
static int parse_info(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;

	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_WORD &&
	    cmd_word_is(cmd_tok_s(p, &t), t.len, "version"))
		c->kind = CMD_INFO_VERSION;
	else if (t.kind == CMD_TOK_WORD &&
		 cmd_word_is(cmd_tok_s(p, &t), t.len, "registers"))
		c->kind = CMD_INFO_REGISTERS;
	else if (t.kind == CMD_TOK_WORD &&
		 cmd_word_is(cmd_tok_s(p, &t), t.len, "mem"))
		c->kind = CMD_INFO_MEM;
	else if (t.kind == CMD_TOK_WORD &&
		 cmd_word_is(cmd_tok_s(p, &t), t.len, "tlb"))
		c->kind = CMD_INFO_TLB;
	else
		return cmd_expected(p, &t, "'version', 'registers', 'mem' or "
				    "'tlb' "
				    "(QEMU's other info commands are not "
				    "available)", "info");
	return cmd_end_of_command(p);
}

static u32 positionals(enum cmd_kind kind)
{
	return kind == CMD_WRMSR || kind == CMD_PHYS_EDIT ? 2 : 1;
}

int cmd_parse_inspect(struct cmd_parser *p, const struct cmd_info *ci,
		      const struct cmd_tok *name, struct cmd_parsed *c)
{
	const struct inspect_def *d = find_def(ci->name);
	bool msr, any = false;	/* any: a token after the name */
	u32 npos = 0, core_kw = 0, l_kw = 0;
	struct cmd_tok t;

	if (!d) {	/* cmd_infos and defs disagree: a bug, not a crash */
		cmd_err(p->err, name->off + 1, "internal error: no parser for ",
			cmd_tok_s(p, name), name->len, "");
		return -1;
	}
	msr = d->kind == CMD_RDMSR || d->kind == CMD_WRMSR;
	c->kind = d->kind;
	if (d->kind == CMD_CPU)		/* no arguments */
		return cmd_end_of_command(p);
	if (d->kind == CMD_INFO_VERSION)
		return parse_info(p, c);
	if (d->kind == CMD_SEARCH)
		return cmd_parse_search(p, name, d->unit, c);
	if (d->kind == CMD_XP)
		return cmd_parse_xp(p, name, c);
	if (d->kind == CMD_PCITREE || d->kind == CMD_PCICAM)
		return cmd_parse_pci(p, d->kind, d->shown, c);
	if (d->kind == CMD_LM || d->kind == CMD_PROCESS ||
	    d->kind == CMD_THREAD)
		return cmd_parse_kobj(p, d->kind, name, c);
	if (d->kind == CMD_OUTPUT)
		return cmd_parse_output(p, c);
	if (d->kind == CMD_TRACK)
		return cmd_parse_track(p, c);
	if (d->kind == CMD_LBR || d->kind == CMD_LBRDUMP)
		return cmd_parse_lbr(p, d->kind, c);
	if (d->kind == CMD_IDT || d->kind == CMD_APIC || d->kind == CMD_IOAPIC)
		return cmd_parse_intr(p, d->kind, d->shown, c);
	c->unit = d->unit;
	c->ascii = d->ascii;
	if (msr || d->kind == CMD_VA2PA || d->kind == CMD_PTE)
		c->core = CMD_CORE_ALL;	/* va2pa, pte: the selected CPU */
	if (d->kind == CMD_PHYS_DUMP)
		c->length = CMD_DUMP_DEFAULT;
	for (;; any = true) {
		if (cmd_next(p, &t))
			return -1;
		if (t.kind == CMD_TOK_END)
			break;
		if (t.kind == CMD_TOK_WORD) {
			const char *w = cmd_tok_s(p, &t);

			if (cmd_word_is(w, t.len, "pid") && !msr)
				return refuse_pid(p, d, &t);
			if (cmd_word_is(w, t.len, "core") &&
			    (msr || d->kind == CMD_VA2PA ||
			     d->kind == CMD_PTE)) {
				if (parse_core(p, &t, &core_kw, c))
					return -1;
				continue;
			}
			if (cmd_word_is(w, t.len, "l") &&
			    d->kind == CMD_PHYS_DUMP) {
				if (parse_length(p, d, &t, &l_kw, c))
					return -1;
				continue;
			}
		}
		/* Messages name the command when t directly follows it. */
		if (positional(p, d, &t, npos, any ? NULL : d->shown, c))
			return -1;
		npos++;
	}
	if (npos < positionals(d->kind)) {
		const char *what = npos == 0 ? first_what(d->kind) :
				   msr ? "a value to write (hex)" :
				   value_what(d->unit);

		return cmd_expected(p, &t, what, any ? NULL : d->shown);
	}
	if (d->kind == CMD_PHYS_DUMP)
		return cmd_range_fits(p, c->addr_col, c->addr, c->length);
	if (d->kind == CMD_PHYS_EDIT)
		return cmd_range_fits(p, c->addr_col, c->addr,
				  (u64)c->nvalues * d->unit);
	return 0;
}

int cmd_inspect_without_bang(struct cmd_error *err, u32 col, const char *s,
			     size_t n)
{
	const struct inspect_def *d = NULL;
	struct cmd_out o;
	u32 i;

	if (!n || s[0] == '!')
		return 0;
	for (i = 0; i < cmd_info_count && !d; i++) {
		if (cmd_infos[i].bang_only &&
		    cmd_word_is(s, n, cmd_infos[i].name))
			d = find_def(cmd_infos[i].name);
	}
	if (!d)
		return 0;
	cmd_err_start(err, &o, col);
	if (d->kind == CMD_PHYS_DUMP || d->kind == CMD_PHYS_EDIT) {
		cmd_out_quoted(&o, s, n);
		cmd_out_str(&o, d->kind == CMD_PHYS_DUMP ?
			    " is HyperDbg's virtual-memory dump: use gdb's x "
			    "command, or '" :
			    " is HyperDbg's virtual-memory edit: use gdb's set "
			    "command, or '");
		cmd_out_str(&o, d->shown);
		cmd_out_str(&o, "' for physical memory");
	} else {
		cmd_out_str(&o, "unknown command ");
		cmd_out_quoted(&o, s, n);
		cmd_out_str(&o, ": HyperDbg writes it '");
		cmd_out_str(&o, d->shown);
		cmd_out_char(&o, '\'');
	}
	return -1;
}

int cmd_apply_all(const struct cmd_apply_ops *ops, u32 n, u32 *at,
		  bool *saving, u32 *undone)
{
	u32 i, j;
	int r;

	*at = 0;
	*saving = false;
	*undone = 0;
	for (i = 0; i < n; i++) {
		r = ops->save(ops->ctx, i);
		if (r) {
			*at = i;
			*saving = true;
			return r;
		}
	}
	for (i = 0; i < n; i++) {
		r = ops->apply(ops->ctx, i);
		if (!r)
			continue;
		*at = i;
		for (j = i; j-- > 0;)
			if (!ops->undo(ops->ctx, j))
				(*undone)++;
		return r;
	}
	return 0;
}
