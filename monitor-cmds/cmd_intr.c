// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_intr.c - !idt, !apic and !ioapic: parsing, and the decoding and text
 * of their replies (contract in cmd_intr.h).  Pure: the host reads the
 * IDT, the APIC registers and the I/O APIC's window and hands the raw
 * values here.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_intr.h"

int cmd_parse_intr(struct cmd_parser *p, enum cmd_kind kind,
		   const char *shown, struct cmd_parsed *c)
{
	struct cmd_tok t;
	u64 v;

	c->kind = kind;
	if (kind != CMD_IDT)
		return cmd_end_of_command(p);
	if (cmd_next(p, &t))
		return -1;
	if (t.kind == CMD_TOK_END) {
		c->all = true;
		return 0;
	}
	if (cmd_number(p, &t, "an IDT vector (hex)", shown, 0, 0xff, &v))
		return -1;
	c->addr = v;
	c->addr_col = t.off + 1;
	return cmd_end_of_command(p);
}

/* ---- output helpers ---- */

static const char hexdig[] = "0123456789abcdef";
static const char hexup[] = "0123456789ABCDEF";

/* @digits hex digits of v, zero-padded, lower or upper case. */
static void out_hexw(struct cmd_out *o, u64 v, u32 digits, bool upper)
{
	const char *d = upper ? hexup : hexdig;
	char b[16];
	u32 i;

	if (digits > 16)
		digits = 16;
	for (i = 0; i < digits; i++)
		b[digits - 1 - i] = d[(v >> (4 * i)) & 0xf];
	cmd_out_mem(o, b, digits);
}

/* Hex without padding or 0x, upper or lower case. */
static void out_hexn(struct cmd_out *o, u64 v, bool upper)
{
	u32 n = 1;

	while (n < 16 && (v >> (4 * n)))
		n++;
	out_hexw(o, v, n, upper);
}

static void out_tick(struct cmd_out *o, u64 v)
{
	out_hexw(o, v >> 32, 8, false);
	cmd_out_char(o, '`');
	out_hexw(o, v & 0xffffffffu, 8, false);
}

static void out_pad(struct cmd_out *o, size_t from, size_t width)
{
	while (o->len - from < width && !o->truncated)
		cmd_out_char(o, ' ');
}

/* "0x" and 8 hex digits. */
static void out_hex32(struct cmd_out *o, u32 v)
{
	cmd_out_str(o, "0x");
	out_hexw(o, v, 8, false);
}

/* ---- IDT ---- */

void cmd_idt_gate_decode(const u8 raw[16], struct cmd_idt_gate *g)
{
	g->offset = (u64)raw[0] | (u64)raw[1] << 8 | (u64)raw[6] << 16 |
		    (u64)raw[7] << 24 | (u64)raw[8] << 32 |
		    (u64)raw[9] << 40 | (u64)raw[10] << 48 |
		    (u64)raw[11] << 56;
	g->sel = (u16)(raw[2] | raw[3] << 8);
	g->ist = raw[4] & 7;
	g->type = raw[5] & 0xf;
	g->dpl = (raw[5] >> 5) & 3;
	g->present = raw[5] & 0x80;
}

void cmd_fmt_idt_line(struct cmd_out *o, u32 vector,
		      const struct cmd_idt_gate *g, const char *sym,
		      const char *note)
{
	size_t start = o->len;

	cmd_out_str(o, "IDT[");
	cmd_out_hex(o, vector);
	cmd_out_char(o, ':');
	cmd_out_dec(o, vector);
	cmd_out_char(o, ']');
	out_pad(o, start, 16);
	cmd_out_str(o, ": ");
	out_tick(o, g->offset);
	if (sym && *sym) {
		cmd_out_str(o, "     ");
		cmd_out_str(o, sym);
	}
	if (!g->present) {
		cmd_out_str(o, "  (not present)");
	} else if (g->type != 0xe && g->type != 0xf) {
		cmd_out_str(o, "  (type ");
		cmd_out_hex(o, g->type);
		cmd_out_str(o, ": not an interrupt or trap gate)");
	}
	if (note) {
		cmd_out_str(o, "  (");
		cmd_out_str(o, note);
		cmd_out_char(o, ')');
	}
	cmd_out_char(o, '\n');
}

int cmd_idt_sym_index(const u64 *at_load, const bool *named, u32 v,
		      u64 handler, bool *changed)
{
	u32 i;

	*changed = v > 255 || at_load[v] != handler;
	if (!*changed)
		return (int)v;
	for (i = 0; i < 256; i++)
		if (at_load[i] == handler && named[i])
			return (int)i;
	return -1;
}

static bool is_hex(char ch, u64 *d)
{
	if (ch >= '0' && ch <= '9')
		*d = ch - '0';
	else if (ch >= 'a' && ch <= 'f')
		*d = ch - 'a' + 10;
	else if (ch >= 'A' && ch <= 'F')
		*d = ch - 'A' + 10;
	else
		return false;
	return true;
}

bool cmd_ksym_parse(const char *s, const char **name, u32 *name_len,
		    u64 *off, const char **mod, u32 *mod_len)
{
	const char *plus = NULL, *q;
	u64 d, v = 0;
	u32 i;

	/* The last "+0x" before the first blank: names may hold '+'? They
	 * do not (C identifiers, with '.' suffixes), but be exact. */
	for (q = s; *q && *q != ' '; q++)
		if (q[0] == '+' && q[1] == '0' && q[2] == 'x')
			plus = q;
	if (!plus || plus == s)
		return false;
	for (i = 0, q = plus + 3; is_hex(*q, &d); q++, i++)
		v = v << 4 | d;
	if (!i || i > 16 || (*q != '/' && *q != ' ' && *q))
		return false;
	*name = s;
	*name_len = (u32)(plus - s);
	*off = v;
	*mod = NULL;
	*mod_len = 0;
	while (*q && *q != ' ')
		q++;
	if (q[0] == ' ' && q[1] == '[') {
		const char *m = q + 2, *e = m;

		while (*e && *e != ']' && *e != ' ')
			e++;
		if (*e == ']' && e > m) {
			*mod = m;
			*mod_len = (u32)(e - m);
		}
	}
	return true;
}

/* ---- local APIC ---- */

bool cmd_lapic_readable(u32 idx, u32 version, bool x2apic)
{
	u32 maxlvt = (version >> 16) & 0xff;

	switch (idx) {
	case CMD_LAPIC_ID: case CMD_LAPIC_VERSION: case CMD_LAPIC_TPR:
	case CMD_LAPIC_PPR: case CMD_LAPIC_LDR: case CMD_LAPIC_SVR:
	case CMD_LAPIC_ESR: case CMD_LAPIC_ICR_LO:
	case CMD_LAPIC_LVT_TIMER: case CMD_LAPIC_LVT_LINT0:
	case CMD_LAPIC_LVT_LINT1: case CMD_LAPIC_LVT_ERROR:
	case CMD_LAPIC_TIMER_INIT: case CMD_LAPIC_TIMER_CUR:
	case CMD_LAPIC_TIMER_DIV:
		return true;
	case CMD_LAPIC_DFR: case CMD_LAPIC_ICR_HI:
		return !x2apic;
	case CMD_LAPIC_LVT_CMCI:
		return maxlvt >= 6;
	case CMD_LAPIC_LVT_THERMAL:
		return maxlvt >= 5;
	case CMD_LAPIC_LVT_PMC:
		return maxlvt >= 4;
	default:
		return idx >= CMD_LAPIC_ISR && idx < CMD_LAPIC_ESR;
	}
}

/* "NAME = 0x00000000" or "NAME = n/a" for a register not read. */
static void lapic_reg(struct cmd_out *o, const struct cmd_lapic *l,
		      const char *name, u32 idx)
{
	cmd_out_str(o, name);
	cmd_out_str(o, " = ");
	if (l->read & (1ull << idx))
		out_hex32(o, l->reg[idx]);
	else
		cmd_out_str(o, "n/a");
}

/* "     -> A = ..,  B = .." (b may be NULL). */
static void lapic_line(struct cmd_out *o, const struct cmd_lapic *l,
		       const char *a, u32 ia, const char *b, u32 ib,
		       const char *c, u32 ic)
{
	cmd_out_str(o, "     -> ");
	lapic_reg(o, l, a, ia);
	if (b) {
		cmd_out_str(o, ",  ");
		lapic_reg(o, l, b, ib);
	}
	if (c) {
		cmd_out_str(o, ",  ");
		lapic_reg(o, l, c, ic);
	}
	cmd_out_char(o, '\n');
}

/* "ISR : 0x53 0x63": the vectors set in 8 registers from @first. */
static void lapic_bits(struct cmd_out *o, const struct cmd_lapic *l,
		       const char *name, u32 first)
{
	u32 v;

	cmd_out_str(o, name);
	cmd_out_str(o, " :");
	for (v = 0; v < 256; v++) {
		u32 idx = first + v / 32;

		if (!(l->read & (1ull << idx)) ||
		    !(l->reg[idx] & (1u << (v % 32))))
			continue;
		cmd_out_str(o, " 0x");
		out_hexw(o, v, 2, false);
	}
	cmd_out_char(o, '\n');
}

void cmd_fmt_lapic(struct cmd_out *o, u32 cpu, const struct cmd_lapic *l)
{
	bool x2 = l->base_msr & CMD_APIC_BASE_EXTD;
	u32 ver = l->reg[CMD_LAPIC_VERSION];
	u32 svr = l->reg[CMD_LAPIC_SVR];
	u32 id = l->reg[CMD_LAPIC_ID];

	if (!(l->base_msr & CMD_APIC_BASE_EN)) {
		cmd_out_str(o, "***  LAPIC of core ");
		cmd_out_hex(o, cpu);
		cmd_out_str(o, " disabled: IA32_APIC_BASE = ");
		cmd_out_hex(o, l->base_msr);
		cmd_out_char(o, '\n');
		return;
	}
	cmd_out_str(o, x2 ? "***  (X2APIC Mode) " : "***  (XAPIC Mode) ");
	cmd_out_str(o, "PHYSICAL LAPIC ID = ");
	cmd_out_dec(o, x2 ? id : id >> 24);
	cmd_out_str(o, ", Ver = ");
	cmd_out_hex(o, ver);
	cmd_out_str(o, ", MaxLvtEntry = ");
	cmd_out_dec(o, (ver >> 16) & 0xff);
	cmd_out_str(o, ", DirectedEOI = P");
	cmd_out_char(o, ver & (1u << 24) ? '1' : '0');
	cmd_out_str(o, "/E");
	cmd_out_char(o, svr & (1u << 12) ? '1' : '0');
	cmd_out_str(o, svr & (1u << 8) ? ", (SW: 'Enabled')\n" :
		    ", (SW: 'Disabled')\n");
	lapic_line(o, l, "TPR", CMD_LAPIC_TPR, "PPR", CMD_LAPIC_PPR, NULL, 0);
	lapic_line(o, l, "LDR", CMD_LAPIC_LDR, "SVR", CMD_LAPIC_SVR,
		   "Err", CMD_LAPIC_ESR);
	lapic_line(o, l, "LVT_INT0", CMD_LAPIC_LVT_LINT0, "LVT_INT1",
		   CMD_LAPIC_LVT_LINT1, NULL, 0);
	lapic_line(o, l, "LVT_CMCI", CMD_LAPIC_LVT_CMCI, "LVT_PMCR",
		   CMD_LAPIC_LVT_PMC, NULL, 0);
	lapic_line(o, l, "LVT_TMR ", CMD_LAPIC_LVT_TIMER, "LVT_TSR ",
		   CMD_LAPIC_LVT_THERMAL, NULL, 0);
	lapic_line(o, l, "LVT_ERR ", CMD_LAPIC_LVT_ERROR, NULL, 0, NULL, 0);
	cmd_out_str(o, "     -> ");
	lapic_reg(o, l, "InitialCount", CMD_LAPIC_TIMER_INIT);
	cmd_out_str(o, ", ");
	lapic_reg(o, l, "CurrentCount", CMD_LAPIC_TIMER_CUR);
	cmd_out_str(o, ", ");
	lapic_reg(o, l, "DivideConfig", CMD_LAPIC_TIMER_DIV);
	cmd_out_char(o, '\n');
	cmd_out_str(o, "     -> IA32_APIC_BASE = ");
	cmd_out_hex(o, l->base_msr);
	if (l->base_msr & CMD_APIC_BASE_BSP)
		cmd_out_str(o, " (BSP)");
	if (!x2) {
		cmd_out_str(o, ", MMIO at ");
		cmd_out_hex(o, l->base_msr & 0x000ffffffffff000ull);
	}
	cmd_out_char(o, '\n');
	lapic_bits(o, l, "ISR", CMD_LAPIC_ISR);
	lapic_bits(o, l, "TMR", CMD_LAPIC_TMR);
	lapic_bits(o, l, "IRR", CMD_LAPIC_IRR);
}

/* ---- I/O APIC ---- */

u32 cmd_ioapic_pins(u32 ver)
{
	u32 n = ((ver >> 16) & 0xff) + 1;

	return n > CMD_IOAPIC_MAX_PINS ? CMD_IOAPIC_MAX_PINS : n;
}

void cmd_fmt_ioapic_head(struct cmd_out *o, u64 pa, u32 id, u32 ver,
			 u32 arb, u32 gsi_base)
{
	cmd_out_str(o, "IoApic @ ");
	out_hexn(o, pa, false);
	cmd_out_str(o, "  ID:");
	out_hexn(o, (id >> 24) & 0xf, false);
	cmd_out_str(o, " (");
	out_hexn(o, ver & 0xff, false);
	cmd_out_str(o, ")  Arb:");
	out_hexn(o, arb, false);
	cmd_out_str(o, "  GSI:");
	out_hexn(o, gsi_base, false);
	cmd_out_char(o, '-');
	out_hexn(o, gsi_base + cmd_ioapic_pins(ver) - 1, false);
	cmd_out_char(o, '\n');
}

static const char *const ioapic_dm[8] = {
	"FixedDel", "LowestDl", "SMI", "Reserved", "NMI", "INIT",
	"Reserved", "ExtINTA",
};

void cmd_fmt_ioapic_entry(struct cmd_out *o, u32 pin, u64 e)
{
	bool level = e & (1u << 15);
	size_t at;

	cmd_out_str(o, "Inti");
	out_hexw(o, pin, 2, true);
	cmd_out_str(o, ".: ");
	out_tick(o, e);
	cmd_out_str(o, "  Vec:");
	out_hexw(o, e & 0xff, 2, true);
	cmd_out_str(o, "  ");
	at = o->len;
	cmd_out_str(o, ioapic_dm[(e >> 8) & 7]);
	out_pad(o, at, 8);
	cmd_out_str(o, e & (1u << 11) ? "  LogDest:" : "  PhysDest:");
	out_hexw(o, e >> 56, 2, true);
	cmd_out_str(o, "       ");
	cmd_out_str(o, level ? "level" : "edge ");
	at = o->len;
	cmd_out_str(o, e & (1u << 13) ? "  low" : "  high");
	if (e & (1u << 16 | 1u << 14 | 1u << 12))
		out_pad(o, at, 6);
	if (e & (1u << 16))
		cmd_out_str(o, "  masked");
	if (level && (e & (1u << 14)))
		cmd_out_str(o, "  remoteIRR");
	if (e & (1u << 12))
		cmd_out_str(o, "  pending");
	cmd_out_char(o, '\n');
}
