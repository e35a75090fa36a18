/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_intr.h - HyperDbg's interrupt-controller commands: !idt [vector],
 * !apic and !ioapic.  Parsing (cmd_intr.c, called by cmd_parse_inspect())
 * and, pure and freestanding, the decoding of what the host read (IDT
 * gates, local APIC registers, I/O APIC redirection entries) into the
 * text of the replies in HyperDbg's layout.  The host (kmod/events/
 * mon_intr.c) reads the hardware at a stop and formats with these.
 * Every line written ends in '\n'; output that does not fit is cut as
 * cmd_out.h does.  Nothing here has a side effect beyond its output.
 */
#ifndef HVGDB_CMD_INTR_H
#define HVGDB_CMD_INTR_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"

struct cmd_parser;
/* After the name of !idt, !apic or !ioapic (@kind; @shown as HyperDbg
 * writes it): !idt takes an optional vector 0..0xff (c->all when none,
 * else c->addr), the others nothing.  0, or -1 with p->err filled. */
int cmd_parse_intr(struct cmd_parser *p, enum cmd_kind kind,
		   const char *shown, struct cmd_parsed *c);

/* ---- IDT (SDM Vol. 3A 6.14.1, figure 6-8: 64-bit gates) ---- */

struct cmd_idt_gate {
	u64 offset;		/* the handler: bits 15:0, 31:16, 63:32 */
	u16 sel;		/* code segment selector */
	u8 ist;			/* bits 2:0 of byte 4 */
	u8 type;		/* 0xe interrupt gate, 0xf trap gate */
	u8 dpl;
	bool present;
};

/* A 16-byte gate as it lies in memory. */
void cmd_idt_gate_decode(const u8 raw[16], struct cmd_idt_gate *g);

/*
 * One vector: "IDT[0xe:14]      : ffffffff`81a01230     asm_exc_page_fault"
 * (the label padded to 16 columns, the handler in backtick form, then
 * five blanks and @sym when it is not NULL: the host's symbol, as
 * "name", "name+0x10" or "module!name+0x10").  A gate that is not
 * present, or not an interrupt or trap gate, is followed by
 * "  (not present)" or "  (type 0x<t>: not an interrupt or trap gate)".
 * @note, when not NULL, ends the line after two blanks in parentheses.
 */
void cmd_fmt_idt_line(struct cmd_out *o, u32 vector,
		      const struct cmd_idt_gate *g, const char *sym,
		      const char *note);

/*
 * The symbol for vector @v's handler @handler from a table made at load:
 * @at_load[256] the handlers then, @named[i] whether vector i's handler
 * had a symbol.  Returns @v when its handler is unchanged (*changed
 * false; the caller shows its symbol, if named); else *changed is true
 * and the result is the first vector whose handler at load was @handler
 * and had a symbol, or -1 when none did.
 */
int cmd_idt_sym_index(const u64 *at_load, const bool *named, u32 v,
		      u64 handler, bool *changed);

/*
 * Linux's sprint_symbol() text "name+0xoff/0xsize" or "... [module]"
 * (the kernel's own form, kernel/kallsyms.c) into its parts: the name
 * [*name, *name + *name_len), the offset, and the module [*mod, *mod +
 * *mod_len) (length 0 for the core kernel).  A text without "+0x" (an
 * address the kernel had no symbol for, printed as "0x...") gives false.
 */
bool cmd_ksym_parse(const char *s, const char **name, u32 *name_len,
		    u64 *off, const char **mod, u32 *mod_len);

/* ---- local APIC (SDM Vol. 3A 11.4.1 table 11-1; x2APIC 11.12.1.2) ---- */

/* Registers by index: the xAPIC MMIO offset / 16, the x2APIC MSR - 0x800. */
#define CMD_LAPIC_ID		0x02
#define CMD_LAPIC_VERSION	0x03
#define CMD_LAPIC_TPR		0x08
#define CMD_LAPIC_PPR		0x0a
#define CMD_LAPIC_LDR		0x0d
#define CMD_LAPIC_DFR		0x0e	/* xAPIC only */
#define CMD_LAPIC_SVR		0x0f
#define CMD_LAPIC_ISR		0x10	/* 8 registers */
#define CMD_LAPIC_TMR		0x18	/* 8 */
#define CMD_LAPIC_IRR		0x20	/* 8 */
#define CMD_LAPIC_ESR		0x28
#define CMD_LAPIC_LVT_CMCI	0x2f
#define CMD_LAPIC_ICR_LO	0x30
#define CMD_LAPIC_ICR_HI	0x31	/* xAPIC only (x2APIC: one 64-bit MSR) */
#define CMD_LAPIC_LVT_TIMER	0x32
#define CMD_LAPIC_LVT_THERMAL	0x33
#define CMD_LAPIC_LVT_PMC	0x34
#define CMD_LAPIC_LVT_LINT0	0x35
#define CMD_LAPIC_LVT_LINT1	0x36
#define CMD_LAPIC_LVT_ERROR	0x37
#define CMD_LAPIC_TIMER_INIT	0x38
#define CMD_LAPIC_TIMER_CUR	0x39
#define CMD_LAPIC_TIMER_DIV	0x3e
#define CMD_LAPIC_NREGS		0x40

/* IA32_APIC_BASE (MSR 0x1b; SDM Vol. 3A 11.4.4): BSP 8, EXTD 10, EN 11. */
#define CMD_APIC_BASE_BSP	(1ull << 8)
#define CMD_APIC_BASE_EXTD	(1ull << 10)
#define CMD_APIC_BASE_EN	(1ull << 11)

struct cmd_lapic {
	u64 base_msr;			/* IA32_APIC_BASE on that CPU */
	u32 reg[CMD_LAPIC_NREGS];	/* by index, where read */
	u64 read;			/* bit i: reg[i] was read */
};

/*
 * Whether the host reads register @idx (from the list above) of an APIC
 * whose version register is @version, in x2APIC mode or not: the LVT
 * entries beyond the Max LVT Entry field (bits 23:16) do not exist (the
 * CMCI entry needs 6, thermal 5, performance counters 4), DFR and the
 * ICR's high half are xAPIC only, and nothing is read that has a side
 * effect (EOI, and the x2APIC SELF IPI, are never on the list).  Index
 * 0x30 is the whole ICR (a 64-bit MSR) in x2APIC mode.
 */
bool cmd_lapic_readable(u32 idx, u32 version, bool x2apic);

/*
 * !apic in HyperDbg's layout, for CPU @cpu:
 * "***  (XAPIC Mode) PHYSICAL LAPIC ID = 0, Ver = 0x50014, MaxLvtEntry =
 * 5, DirectedEOI = P0/E0, (SW: 'Enabled')" (the ID from bits 31:24 of
 * the ID register in xAPIC mode, all 32 bits in x2APIC mode; P: the
 * version's bit 24, E: the SVR's bit 12), then "     -> " lines with TPR
 * PPR, LDR SVR Err (ESR as last latched), LVT_INT0/1, LVT_CMCI/PMCR,
 * LVT_TMR/TSR, LVT_ERR, the timer counts, and the APIC base MSR with the
 * xAPIC MMIO address; an LVT entry that does not exist shows "n/a".
 * Then "ISR :", "TMR :", "IRR :" with the vectors whose bits are set
 * ("0x53 0x63").  When the APIC is off in IA32_APIC_BASE (EN clear) the
 * only line is "***  LAPIC disabled: IA32_APIC_BASE = 0x...".
 */
void cmd_fmt_lapic(struct cmd_out *o, u32 cpu, const struct cmd_lapic *l);

/* ---- I/O APIC (82093AA datasheet 3.2; ICH/PCH I/O APIC registers) ---- */

#define CMD_IOAPIC_REG_ID	0x00
#define CMD_IOAPIC_REG_VER	0x01
#define CMD_IOAPIC_REG_ARB	0x02
#define CMD_IOAPIC_REG_REDTBL	0x10	/* entry n: 0x10 + 2n (low), + 1 */
#define CMD_IOAPIC_IOREGSEL	0x00	/* MMIO offsets */
#define CMD_IOAPIC_IOWIN	0x10
#define CMD_IOAPIC_MAX_PINS	240	/* 0x10 + 2 * 240 > 0xff */

/* Redirection entries of an I/O APIC whose version register is @ver:
 * Maximum Redirection Entry (bits 23:16) + 1, at most MAX_PINS. */
u32 cmd_ioapic_pins(u32 ver);

/*
 * The header of one I/O APIC: "IoApic @ fec00000  ID:1 (11)  Arb:1000000
 * GSI:0-17" (ID: bits 27:24 of the ID register; the version's bits 7:0;
 * the arbitration register; the first and last GSI, hex).
 */
void cmd_fmt_ioapic_head(struct cmd_out *o, u64 pa, u32 id, u32 ver,
			 u32 arb, u32 gsi_base);

/*
 * One redirection entry, "Inti02.: 00000000`000100ff  Vec:FF  FixedDel
 * PhysDest:00       edge   high  masked": the pin (hex), the entry in
 * backtick form, the vector, the delivery mode (FixedDel LowestDl SMI
 * NMI INIT ExtINTA or Reserved), Phys/LogDest and the destination (bits
 * 63:56), the trigger (edge/level), the polarity (high/low), "masked"
 * when bit 16 is set; "remoteIRR" (bit 14, level only) and "pending"
 * (bit 12, delivery status) when set.
 */
void cmd_fmt_ioapic_entry(struct cmd_out *o, u32 pin, u64 entry);

#endif /* HVGDB_CMD_INTR_H */
