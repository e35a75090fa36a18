// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_pci.c - HyperDbg's !pcitree and !pcicam: parsing (cmd_parse_pci(),
 * called by cmd_parse_inspect()) and the text of their replies (see
 * cmd_pci.h).  docs/commands.md describes both;
 * tests/unit/monitor/test_cmd_pci.c pins every form, error and line down.
 *
 *   !pcitree
 *   !pcicam bus device function [x] [l length]
 *
 * Numbers are hex, as everywhere.  `x` is HyperDbg's hex dump; `l` is
 * hvgdb's: how many bytes it shows (0x100 without it, up to 0x1000 for a
 * PCI Express function's extended space).  Like the rest of the parser
 * this only fills the struct cmd_parsed.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_pci.h"

/* ---- parsing ---- */

static const char *const pci_what[3] = {
	"a bus number (hex)", "a device number (hex)",
	"a function number (hex)",
};
static const u8 pci_max[3] = { 0xff, 0x1f, 0x7 };

/* `l n` of !pcicam x: a multiple of 4 (configuration space is read in
 * dwords), 4..0x1000. */
static int pci_length(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;
	struct cmd_out o;
	u64 v;

	if (cmd_next(p, &t))
		return -1;
	if (cmd_number(p, &t, "a length in bytes (hex)", "l", 4,
		       CMD_PCI_DUMP_MAX, &v))
		return -1;
	if (v % 4) {
		cmd_err_start(p->err, &o, t.off + 1);
		cmd_out_str(&o, "expected a length in dwords (a multiple of "
			    "0x4), got ");
		cmd_out_hex(&o, v);
		return -1;
	}
	c->length = (u32)v;
	c->length_col = t.off + 1;
	return 0;
}

int cmd_parse_pci(struct cmd_parser *p, enum cmd_kind kind, const char *shown,
		  struct cmd_parsed *c)
{
	u32 npos = 0, x_kw = 0, l_kw = 0;
	u32 *cols[3] = { &c->bus_col, &c->dev_col, &c->fn_col };
	u8 *vals[3] = { &c->bus, &c->dev, &c->fn };
	bool any = false;
	struct cmd_tok t;
	struct cmd_out o;
	u64 v;

	c->kind = kind;
	if (kind == CMD_PCITREE)	/* no arguments */
		return cmd_end_of_command(p);
	for (;; any = true) {
		const char *w;

		if (cmd_next(p, &t))
			return -1;
		if (t.kind == CMD_TOK_END)
			break;
		w = cmd_tok_s(p, &t);
		if (t.kind == CMD_TOK_WORD && cmd_word_is(w, t.len, "x")) {
			if (x_kw)
				return cmd_twice(p, &t, "x", x_kw);
			x_kw = t.off + 1;
			c->raw = true;
			continue;
		}
		if (t.kind == CMD_TOK_WORD && cmd_word_is(w, t.len, "l")) {
			if (l_kw)
				return cmd_twice(p, &t, "l", l_kw);
			l_kw = t.off + 1;
			if (pci_length(p, c))
				return -1;
			continue;
		}
		if (npos == 3)
			return cmd_expected(p, &t, "'x', 'l' or end of command",
					    NULL);
		if (cmd_number(p, &t, pci_what[npos], any ? NULL : shown, 0,
			       pci_max[npos], &v))
			return -1;
		*vals[npos] = (u8)v;
		*cols[npos] = t.off + 1;
		npos++;
	}
	if (npos < 3)
		return cmd_expected(p, &t, pci_what[npos], any ? NULL : shown);
	if (l_kw && !x_kw) {
		cmd_err_start(p->err, &o, l_kw);
		cmd_out_str(&o, "'l' is the length of the hex dump: give 'x' "
			    "too (the decoded header is 0x40 bytes)");
		return -1;
	}
	if (c->raw && !l_kw)
		c->length = CMD_PCI_DUMP_DEFAULT;
	if (!c->raw)
		c->length = CMD_PCI_HEADER;
	return 0;
}

/* ---- text ---- */

static void hexn(struct cmd_out *o, u64 v, int digits)
{
	static const char d[] = "0123456789abcdef";

	while (digits--)
		cmd_out_char(o, d[(v >> (4 * digits)) & 0xf]);
}

static u32 le(const u8 *p, u32 n)
{
	u32 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

void cmd_out_pci_dbdf(struct cmd_out *o, u16 seg, u8 bus, u8 dev, u8 fn)
{
	hexn(o, seg, 4);
	cmd_out_char(o, ':');
	hexn(o, bus, 2);
	cmd_out_char(o, ':');
	hexn(o, dev, 2);
	cmd_out_char(o, ':');
	hexn(o, fn, 1);
}

const char *cmd_pci_class_name(u8 base)
{
	static const char *const names[] = {
		"unclassified device", "mass storage controller",
		"network controller", "display controller",
		"multimedia controller", "memory controller", "bridge",
		"communication controller", "generic system peripheral",
		"input device controller", "docking station", "processor",
		"serial bus controller", "wireless controller",
		"intelligent controller", "satellite communications controller",
		"encryption controller", "signal processing controller",
		"processing accelerator", "non-essential instrumentation",
	};

	if (base < ARRAY_SIZE(names))
		return names[base];
	if (base == 0x40)
		return "coprocessor";
	return "unknown class";
}

void cmd_fmt_pci_tree_head(struct cmd_out *o)
{
	cmd_out_str(o, "DBDF         | VID:DID   | Class\n");
	cmd_out_str(o, "------------------------------------------------------"
		    "----------------\n");
}

void cmd_fmt_pci_tree_line(struct cmd_out *o, u16 seg, u8 bus, u8 dev,
			   u8 fn, u16 vendor, u16 device, u32 class_code)
{
	cmd_out_pci_dbdf(o, seg, bus, dev, fn);
	cmd_out_str(o, " | ");
	hexn(o, vendor, 4);
	cmd_out_char(o, ':');
	hexn(o, device, 4);
	cmd_out_str(o, " | ");
	hexn(o, class_code & 0xffffff, 6);
	cmd_out_char(o, ' ');
	cmd_out_str(o, cmd_pci_class_name((class_code >> 16) & 0xff));
	cmd_out_char(o, '\n');
}

void cmd_fmt_pci_title(struct cmd_out *o, u16 seg, u8 bus, u8 dev, u8 fn)
{
	cmd_out_str(o, "PCI configuration space (CAM) for device ");
	cmd_out_pci_dbdf(o, seg, bus, dev, fn);
	cmd_out_char(o, '\n');
}

void cmd_fmt_pci_dump_head(struct cmd_out *o, bool wide)
{
	u32 i;

	cmd_out_str(o, wide ? "     " : "    ");
	for (i = 0; i < 16; i++) {
		if (i)
			cmd_out_char(o, ' ');
		hexn(o, i, 2);
	}
	cmd_out_char(o, '\n');
}

void cmd_fmt_pci_dump_line(struct cmd_out *o, u16 off, const u8 *b, u32 n,
			   bool wide)
{
	u32 i;

	if (n > 16)
		n = 16;
	hexn(o, off, wide ? 3 : 2);
	cmd_out_str(o, ": ");
	for (i = 0; i < 16; i++) {
		if (i < n)
			hexn(o, b[i], 2);
		else
			cmd_out_str(o, "  ");
		cmd_out_char(o, ' ');
	}
	for (i = 0; i < n; i++)
		cmd_out_char(o, b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.');
	cmd_out_char(o, '\n');
}

/* "<name>: <v as digits hex digits>" */
static void field(struct cmd_out *o, const char *name, u64 v, int digits)
{
	cmd_out_str(o, name);
	cmd_out_str(o, ": ");
	hexn(o, v, digits);
	cmd_out_char(o, '\n');
}

static void flag(struct cmd_out *o, const char *name, bool on)
{
	cmd_out_str(o, name);
	cmd_out_str(o, on ? ": True\n" : ": False\n");
}

static void bit(struct cmd_out *o, const char *name, u32 v, u32 b)
{
	cmd_out_str(o, name);
	cmd_out_str(o, v & (1u << b) ? ": 1\n" : ": 0\n");
}

static const char *header_name(u8 type)
{
	switch (type) {
	case 0:
		return "Endpoint";
	case 1:
		return "PCI-to-PCI Bridge";
	case 2:
		return "CardBus Bridge";
	default:
		return "Unknown";
	}
}

/* BAR i of @cfg (header type 0 or 1); returns how many BARs it takes
 * (2 for a 64-bit memory BAR followed by its upper half). */
static u32 fmt_bar(struct cmd_out *o, const u8 *cfg, u32 i, u32 nbars)
{
	u32 v = le(cfg + 0x10 + 4 * i, 4);
	bool io = v & 1, wide = !io && ((v >> 1) & 3) == 2 && i + 1 < nbars;
	u64 addr = io ? v & ~3u : v & ~0xfu;

	if (wide)
		addr |= (u64)le(cfg + 0x14 + 4 * i, 4) << 32;
	cmd_out_str(o, "BAR");
	cmd_out_dec(o, i);
	if (!v && !(wide && addr))
		cmd_out_str(o, " [disabled]");
	cmd_out_str(o, io ? "\n BAR Type: Port IO\n" : wide ?
		    "\n BAR Type: MMIO (64-bit)\n" : "\n BAR Type: MMIO\n");
	field(o, " BAR", v, 8);
	field(o, " BAR (actual)", addr, wide ? 16 : 8);
	if (!io)
		flag(o, " Prefetchable", v & 8);
	if (!wide)
		return 1;
	cmd_out_str(o, "BAR");
	cmd_out_dec(o, i + 1);
	cmd_out_str(o, ": upper 32 bits of BAR");
	cmd_out_dec(o, i);
	cmd_out_char(o, '\n');
	return 2;
}

static void fmt_endpoint(struct cmd_out *o, const u8 *cfg)
{
	u32 i;

	for (i = 0; i < 6;)
		i += fmt_bar(o, cfg, i, 6);
	field(o, "Cardbus CIS Pointer", le(cfg + 0x28, 4), 8);
	field(o, "Subsystem Vendor ID", le(cfg + 0x2c, 2), 4);
	field(o, "Subsystem ID", le(cfg + 0x2e, 2), 4);
	field(o, "ROM BAR", le(cfg + 0x30, 4), 8);
	field(o, "Capabilities Pointer", cfg[0x34], 2);
	field(o, "Interrupt Line", cfg[0x3c], 2);
	field(o, "Interrupt Pin", cfg[0x3d], 2);
	field(o, "Min Grant", cfg[0x3e], 2);
	field(o, "Max latency", cfg[0x3f], 2);
}

static void fmt_bridge(struct cmd_out *o, const u8 *cfg)
{
	field(o, "BAR0", le(cfg + 0x10, 4), 8);
	field(o, "BAR1", le(cfg + 0x14, 4), 8);
	field(o, "Primary Bus Number", cfg[0x18], 2);
	field(o, "Secondary Bus Number", cfg[0x19], 2);
	field(o, "Subordinate Bus Number", cfg[0x1a], 2);
	field(o, "Secondary Latency Timer", cfg[0x1b], 2);
	field(o, "I/O Base", cfg[0x1c], 2);
	field(o, "I/O Limit", cfg[0x1d], 2);
	field(o, "Secondary Status", le(cfg + 0x1e, 2), 4);
	field(o, "Memory Base", le(cfg + 0x20, 2), 4);
	field(o, "Memory Limit", le(cfg + 0x22, 2), 4);
	field(o, "Prefetchable Memory Base", le(cfg + 0x24, 2), 4);
	field(o, "Prefetchable Memory Limit", le(cfg + 0x26, 2), 4);
	field(o, "Prefetchable Base Upper 32 Bits", le(cfg + 0x28, 4), 8);
	field(o, "Prefetchable Limit Upper 32 Bits", le(cfg + 0x2c, 4), 8);
	field(o, "I/O Base Upper 16 Bits", le(cfg + 0x30, 2), 4);
	field(o, "I/O Limit Upper 16 Bits", le(cfg + 0x32, 2), 4);
	field(o, "Capability Pointer", cfg[0x34], 2);
	field(o, "ROM BAR", le(cfg + 0x38, 4), 8);
	field(o, "Interrupt Line", cfg[0x3c], 2);
	field(o, "Interrupt Pin", cfg[0x3d], 2);
	field(o, "Bridge Control", le(cfg + 0x3e, 2), 4);
}

void cmd_fmt_pci_header(struct cmd_out *o, const u8 *cfg)
{
	u32 cmd = le(cfg + 4, 2), cls = le(cfg + 9, 3);
	u8 hdr = cfg[0xe], type = hdr & 0x7f;

	cmd_out_str(o, "\nCommon Header:\nVID:DID: ");
	hexn(o, le(cfg, 2), 4);
	cmd_out_char(o, ':');
	hexn(o, le(cfg + 2, 2), 4);
	cmd_out_char(o, '\n');
	field(o, "Command", cmd, 4);
	bit(o, "  I/O Space", cmd, 0);
	bit(o, "  Memory Space", cmd, 1);
	bit(o, "  Bus Master", cmd, 2);
	field(o, "Status", le(cfg + 6, 2), 4);
	field(o, "Revision ID", cfg[8], 2);
	cmd_out_str(o, "Class Code: ");
	hexn(o, cls, 6);
	cmd_out_str(o, " (");
	cmd_out_str(o, cmd_pci_class_name(cls >> 16));
	cmd_out_str(o, ")\n");
	field(o, "CacheLineSize", cfg[0xc], 2);
	field(o, "PrimaryLatencyTimer", cfg[0xd], 2);
	cmd_out_str(o, "HeaderType: ");
	cmd_out_str(o, header_name(type));
	cmd_out_str(o, " (");
	hexn(o, hdr, 2);
	cmd_out_str(o, ")\n");
	flag(o, "  Multi-function Device", hdr & 0x80);
	field(o, "Bist", cfg[0xf], 2);
	cmd_out_str(o, "\nDevice Header:\n");
	if (type == 0)
		fmt_endpoint(o, cfg);
	else if (type == 1)
		fmt_bridge(o, cfg);
	else
		cmd_out_str(o, "not decoded for this header type: 'x' shows "
			    "the bytes\n");
}
