// SPDX-License-Identifier: GPL-2.0
/*
 * qemu_info.c - QEMU's `info registers` text for a halted CPU (see
 * qemu_info.h for what differs from QEMU's own).
 */
#include "kmod/lib/qemu_info.h"
#include "kmod/lib/linebuf.h"
#include "kmod/lib/pgwalk.h"

#define QI_CR0_PE	(1ULL << 0)
#define QI_EFER_LMA	(1ULL << 10)
/* VMX access rights (SDM Vol. 3C 25.4.1) */
#define QI_AR_TYPE(ar)	((ar) & 0xf)
#define QI_AR_S		(1u << 4)
#define QI_AR_DPL(ar)	(((ar) >> 5) & 3)
#define QI_AR_P		(1u << 7)
#define QI_AR_L		(1u << 13)
#define QI_AR_DB	(1u << 14)
#define QI_AR_UNUSABLE	(1u << 16)
/* Type bits of a code or data segment (SDM Vol. 3A 3.4.5.1) */
#define QI_TYPE_A	0x1
#define QI_TYPE_RW	0x2	/* code: readable; data: writable */
#define QI_TYPE_CE	0x4	/* code: conforming; data: expand-down */
#define QI_TYPE_CODE	0x8
/* Guest interruptibility: blocking by STI or by MOV SS */
#define QI_BLOCK_STI_MOVSS	0x3
#define QI_ACTIVITY_HLT	1

static void qi_hex(struct linebuf *o, u64 v, u32 width)
{
	linebuf_hex(o, v, width, false);
}

/* "NAME=" followed by 16 (or 8) hex digits, as QEMU's %016llx. */
static void qi_reg(struct linebuf *o, const char *name, u64 v, u32 width)
{
	linebuf_str(o, name);
	linebuf_char(o, '=');
	qi_hex(o, v, width);
}

static void qi_gprs(struct linebuf *o, const struct gdb_cpu *g, bool wide)
{
	/* gdb's order in gpr[]: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 */
	static const char *const name[2][GDB_NR_GPRS] = {
		{ "EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP" },
		{ "RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
		  "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15" },
	};
	u32 i, n = wide ? 16 : 8;

	for (i = 0; i < n; i++) {
		qi_reg(o, name[wide][i], wide ? g->gpr[i] : (u32)g->gpr[i],
		       wide ? 16 : 8);
		if (i % 4 == 3)
			linebuf_end(o);
		else
			linebuf_char(o, ' ');
	}
}

static void qi_rip(struct linebuf *o, const struct gdb_cpu *g, bool wide)
{
	static const struct { u32 bit; char c; } fl[] = {
		{ 10, 'D' }, { 11, 'O' }, { 7, 'S' }, { 6, 'Z' }, { 4, 'A' },
		{ 2, 'P' }, { 0, 'C' },
	};
	u32 i;

	qi_reg(o, wide ? "RIP" : "EIP", wide ? g->rip : (u32)g->rip,
	       wide ? 16 : 8);
	qi_reg(o, wide ? " RFL" : " EFL", (u32)g->rflags, 8);
	linebuf_str(o, " [");
	for (i = 0; i < ARRAY_SIZE(fl); i++)
		linebuf_char(o, g->rflags & (1ULL << fl[i].bit) ? fl[i].c : '-');
	linebuf_str(o, "] CPL=");
	linebuf_dec(o, QI_AR_DPL(g->seg[GDB_SEG_SS].ar));
	linebuf_str(o, " II=");
	linebuf_dec(o, !!(g->interruptibility & QI_BLOCK_STI_MOVSS));
	linebuf_str(o, " A20=1 SMM=0 HLT=");
	linebuf_dec(o, g->activity == QI_ACTIVITY_HLT);
	linebuf_end(o);
}

/* QEMU keeps descriptor bits 8-23 ("flags"); VMX keeps them as AR. */
static u32 qi_flags(u32 ar)
{
	if (ar & QI_AR_UNUSABLE)
		return 0;
	return ((ar & 0xff) << 8) | ((ar & 0xf000) << 8);
}

static void qi_seg(struct linebuf *o, const struct gdb_cpu *g,
		   const char *name, const struct gdb_seg *s, bool wide,
		   bool lma)
{
	static const char *const sys[2][16] = {
		{ "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16",
		  "TaskGate", "IntGate16", "TrapGate16", "Reserved",
		  "TSS32-avl", "Reserved", "TSS32-busy", "CallGate32",
		  "Reserved", "IntGate32", "TrapGate32" },
		{ "<hiword>", "Reserved", "LDT", "Reserved", "Reserved",
		  "Reserved", "Reserved", "Reserved", "Reserved", "TSS64-avl",
		  "Reserved", "TSS64-busy", "CallGate64", "Reserved",
		  "IntGate64", "TrapGate64" },
	};
	u32 ar = s->ar, type = QI_AR_TYPE(ar);

	linebuf_str(o, name);
	if (name[1] && !name[2])
		linebuf_char(o, ' ');	/* QEMU's %-3s */
	linebuf_char(o, '=');
	qi_hex(o, s->sel, 4);
	linebuf_char(o, ' ');
	qi_hex(o, wide ? s->base : (u32)s->base, wide ? 16 : 8);
	linebuf_char(o, ' ');
	qi_hex(o, s->limit, 8);
	linebuf_char(o, ' ');
	qi_hex(o, qi_flags(ar) & 0x00ffff00, 8);
	if (!(g->cr0 & QI_CR0_PE) || !(qi_flags(ar) & (QI_AR_P << 8))) {
		linebuf_end(o);
		return;
	}
	linebuf_str(o, " DPL=");
	linebuf_dec(o, QI_AR_DPL(ar));
	linebuf_char(o, ' ');
	if (!(ar & QI_AR_S)) {
		linebuf_str(o, sys[lma][type]);
		linebuf_end(o);
		return;
	}
	if (type & QI_TYPE_CODE) {
		linebuf_str(o, ar & QI_AR_L ? "CS64" : ar & QI_AR_DB ?
			    "CS32" : "CS16");
		linebuf_str(o, " [");
		linebuf_char(o, type & QI_TYPE_CE ? 'C' : '-');
		linebuf_char(o, type & QI_TYPE_RW ? 'R' : '-');
	} else {
		linebuf_str(o, ar & QI_AR_DB || lma ? "DS  " : "DS16");
		linebuf_str(o, " [");
		linebuf_char(o, type & QI_TYPE_CE ? 'E' : '-');
		linebuf_char(o, type & QI_TYPE_RW ? 'W' : '-');
	}
	linebuf_char(o, type & QI_TYPE_A ? 'A' : '-');
	linebuf_char(o, ']');
	linebuf_end(o);
}

static u16 qi_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u64 qi_le64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The FXSAVE64 image (SDM Vol. 1 10.5.1, table 10-2). */
static void qi_fpu(struct linebuf *o, const struct gdb_cpu *g, bool wide)
{
	const u8 *fx = g->fx;
	u16 fsw = qi_le16(fx + 2);
	u32 i, mxcsr = (u32)qi_le64(fx + 24);

	qi_reg(o, "FCW", qi_le16(fx), 4);
	qi_reg(o, " FSW", fsw, 4);
	linebuf_str(o, " [ST=");
	linebuf_dec(o, (fsw >> 11) & 7);
	linebuf_char(o, ']');
	qi_reg(o, " FTW", fx[4], 2);
	qi_reg(o, " MXCSR", mxcsr, 8);
	linebuf_end(o);
	for (i = 0; i < 8; i++) {
		const u8 *st = fx + 32 + 16 * i;

		linebuf_str(o, "FPR");
		linebuf_dec(o, i);
		linebuf_char(o, '=');
		qi_hex(o, qi_le64(st), 16);
		linebuf_char(o, ' ');
		qi_hex(o, qi_le16(st + 8), 4);
		if (i & 1)
			linebuf_end(o);
		else
			linebuf_char(o, ' ');
	}
	for (i = 0; i < (wide ? 16u : 8u); i++) {
		const u8 *x = fx + 160 + 16 * i;

		linebuf_str(o, "XMM");
		if (i < 10)
			linebuf_char(o, '0');
		linebuf_dec(o, i);
		linebuf_char(o, '=');
		qi_hex(o, qi_le64(x + 8), 16);
		linebuf_char(o, ' ');
		qi_hex(o, qi_le64(x), 16);
		if (i & 1)
			linebuf_end(o);
		else
			linebuf_char(o, ' ');
	}
}

void qemu_info_registers(const struct gdb_cpu *g,
			 void (*emit)(void *ctx, const char *line),
			 void *ctx)
{
	static const char *const seg_name[GDB_NR_SEGS] = {
		"ES", "CS", "SS", "DS", "FS", "GS", "LDT", "TR",
	};
	bool lma = !!(g->efer & QI_EFER_LMA);
	bool wide = lma && (g->seg[GDB_SEG_CS].ar & QI_AR_L);
	struct linebuf o;
	u32 i, w = lma ? 16 : 8;

	linebuf_init(&o, emit, ctx);
	qi_gprs(&o, g, wide);
	qi_rip(&o, g, wide);
	for (i = 0; i < GDB_NR_SEGS; i++)
		qi_seg(&o, g, seg_name[i], &g->seg[i], wide, lma);
	linebuf_str(&o, "GDT=     ");
	qi_hex(&o, lma ? g->gdtr_base : (u32)g->gdtr_base, w);
	linebuf_char(&o, ' ');
	qi_hex(&o, g->gdtr_limit, 8);
	linebuf_end(&o);
	linebuf_str(&o, "IDT=     ");
	qi_hex(&o, lma ? g->idtr_base : (u32)g->idtr_base, w);
	linebuf_char(&o, ' ');
	qi_hex(&o, g->idtr_limit, 8);
	linebuf_end(&o);
	qi_reg(&o, "CR0", (u32)g->cr0, 8);
	qi_reg(&o, " CR2", lma ? g->cr2 : (u32)g->cr2, w);
	qi_reg(&o, " CR3", lma ? g->cr3 : (u32)g->cr3, w);
	qi_reg(&o, " CR4", (u32)g->cr4, 8);
	linebuf_end(&o);
	for (i = 0; i < 4; i++) {
		linebuf_str(&o, "DR");
		linebuf_dec(&o, i);
		linebuf_char(&o, '=');
		qi_hex(&o, lma ? g->dr[i] : (u32)g->dr[i], w);
		linebuf_char(&o, ' ');
	}
	linebuf_end(&o);
	qi_reg(&o, "DR6", lma ? g->dr6 : (u32)g->dr6, w);
	qi_reg(&o, " DR7", lma ? g->dr7 : (u32)g->dr7, w);
	linebuf_end(&o);
	qi_reg(&o, "EFER", g->efer, 16);
	linebuf_end(&o);
	qi_fpu(&o, g, wide);
}

/* ---- info mem ---- */

#define QI_ADDR_MASK	0x000ffffffffff000ULL	/* bits 51:12 */
#define QI_PROT_MASK	(PGWALK_US | PGWALK_RW | PGWALK_P)

struct qi_mem {
	struct linebuf o;
	const struct pgwalk_ctx *w;
	u64 start;		/* of the open run, if any */
	bool open;
	u64 last_prot;
	u32 vbits;		/* 48 or 57 */
};

static u64 qi_canonical(const struct qi_mem *m, u64 a)
{
	u32 top = m->vbits - 1;

	return a & (1ULL << top) ? a | ~((1ULL << m->vbits) - 1) : a;
}

/* The run so far ends at @end; a new one starts there with @prot. */
static void qi_mem_print(struct qi_mem *m, u64 end, u64 prot)
{
	if (prot == m->last_prot)
		return;
	if (m->open) {
		qi_hex(&m->o, qi_canonical(m, m->start), 16);
		linebuf_char(&m->o, '-');
		qi_hex(&m->o, qi_canonical(m, end), 16);
		linebuf_char(&m->o, ' ');
		qi_hex(&m->o, qi_canonical(m, end - m->start), 16);
		linebuf_char(&m->o, ' ');
		linebuf_char(&m->o, m->last_prot & PGWALK_US ? 'u' : '-');
		linebuf_char(&m->o, 'r');
		linebuf_char(&m->o, m->last_prot & PGWALK_RW ? 'w' : '-');
		linebuf_end(&m->o);
	}
	m->open = prot != 0;
	if (m->open)
		m->start = end;
	m->last_prot = prot;
}

/*
 * Entry @i of the table at @table, the entries read QI_CHUNK at a time
 * into @c as the walks go from 0 to 511: one read_phys per 16 entries,
 * not per entry (Linux's espfix area alone is 2048 page tables), with
 * 136 bytes of stack per level (monitor commands run on VMX root's
 * 16 KiB stack).
 */
#define QI_CHUNK	16
struct qi_chunk {
	u64 e[QI_CHUNK];
};

static int qi_entry(const struct pgwalk_ctx *w, struct qi_chunk *c,
		    u64 table, u32 i, u64 *e)
{
	if (i % QI_CHUNK == 0 &&
	    w->read_phys(w->opaque, table + 8 * i, c->e, sizeof(c->e)))
		return -2;
	*e = c->e[i % QI_CHUNK];
	return 0;
}

/* Table at @table of level @level (1 = page table) covering from @base;
 * @upper is the AND of the entries above. */
static int qi_mem_table(struct qi_mem *m, u64 table, u32 level, u64 base,
			u64 upper)
{
	u32 shift = 12 + 9 * (level - 1), i;
	struct qi_chunk c;

	for (i = 0; i < 512; i++) {
		u64 e, end = base + ((u64)i << shift);

		if (qi_entry(m->w, &c, table, i, &e))
			return -2;
		if (!(e & PGWALK_P)) {
			qi_mem_print(m, end, 0);
			continue;
		}
		if (level == 1 || (level <= 3 && (e & PGWALK_PS))) {
			qi_mem_print(m, end, e & upper & QI_PROT_MASK);
			continue;
		}
		if (qi_mem_table(m, e & QI_ADDR_MASK, level - 1, end,
				 upper & e))
			return -2;
	}
	return 0;
}

/*
 * What info mem and info tlb share: "PG disabled" (1) when paging is off,
 * -1 outside IA-32e paging, else 0 with the levels and m->vbits set.
 */
static int qi_walk_start(struct qi_mem *m, const struct pgwalk_ctx *w,
			 void (*emit)(void *ctx, const char *line), void *ctx,
			 u32 *levels)
{
	m->w = w;
	m->vbits = 48;
	*levels = 4;
	linebuf_init(&m->o, emit, ctx);
	if (!(w->cr0 & PGWALK_CR0_PG)) {
		linebuf_str(&m->o, "PG disabled");
		linebuf_end(&m->o);
		return 1;
	}
	if (!(w->efer & PGWALK_EFER_LMA) || !(w->cr4 & PGWALK_CR4_PAE))
		return -1;
	if (w->cr4 & PGWALK_CR4_LA57) {
		*levels = 5;
		m->vbits = 57;
	}
	return 0;
}

int qemu_info_mem(const struct pgwalk_ctx *w,
		  void (*emit)(void *ctx, const char *line), void *ctx)
{
	struct qi_mem m = { 0 };
	u32 levels;
	int r = qi_walk_start(&m, w, emit, ctx, &levels);

	if (r)
		return r < 0 ? r : 0;
	r = qi_mem_table(&m, w->cr3 & QI_ADDR_MASK, levels, 0, ~0ULL);
	if (!r)		/* the last run */
		qi_mem_print(&m, 1ULL << m.vbits, 0);
	return r;
}

/* ---- info tlb ---- */

/* The entry bits QEMU's print_pte() shows, in its order. */
#define QI_PWT		(1ULL << 3)
#define QI_PCD		(1ULL << 4)
#define QI_A		(1ULL << 5)
#define QI_D		(1ULL << 6)
#define QI_G		(1ULL << 8)
#define QI_NX		(1ULL << 63)
/* The frame address QEMU prints for a 4 KiB, 2 MiB and 1 GiB page. */
#define QI_TLB_MASK_4K	0x3fffffffff000ULL
#define QI_TLB_MASK_2M	0x3ffffffe00000ULL
#define QI_TLB_MASK_1G	0x3ffffc0000000ULL

static void qi_tlb_print(struct qi_mem *m, u64 addr, u64 e, u64 mask)
{
	static const struct { u64 bit; char c; } bits[] = {
		{ QI_NX, 'X' }, { QI_G, 'G' }, { PGWALK_PS, 'P' },
		{ QI_D, 'D' }, { QI_A, 'A' }, { QI_PCD, 'C' },
		{ QI_PWT, 'T' }, { PGWALK_US, 'U' }, { PGWALK_RW, 'W' },
	};
	u32 i;

	qi_hex(&m->o, qi_canonical(m, addr), 16);
	linebuf_str(&m->o, ": ");
	qi_hex(&m->o, e & mask, 16);
	linebuf_char(&m->o, ' ');
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		linebuf_char(&m->o, e & bits[i].bit ? bits[i].c : '-');
	linebuf_end(&m->o);
}

/* Table at @table of level @level (1 = page table) covering from @base:
 * one line per present leaf, as QEMU's tlb_info_la48/la57. */
static int qi_tlb_table(struct qi_mem *m, u64 table, u32 level, u64 base)
{
	u32 shift = 12 + 9 * (level - 1), i;
	struct qi_chunk c;

	for (i = 0; i < 512; i++) {
		u64 e, addr = base + ((u64)i << shift);

		if (qi_entry(m->w, &c, table, i, &e))
			return -2;
		if (!(e & PGWALK_P))
			continue;
		if (level == 1) {
			/* Bit 7 of a PTE is PAT, not PS: QEMU clears it. */
			qi_tlb_print(m, addr, e & ~PGWALK_PS, QI_TLB_MASK_4K);
			continue;
		}
		if ((level == 2 || level == 3) && (e & PGWALK_PS)) {
			qi_tlb_print(m, addr, e, level == 2 ? QI_TLB_MASK_2M :
				     QI_TLB_MASK_1G);
			continue;
		}
		if (qi_tlb_table(m, e & QI_ADDR_MASK, level - 1, addr))
			return -2;
	}
	return 0;
}

int qemu_info_tlb(const struct pgwalk_ctx *w,
		  void (*emit)(void *ctx, const char *line), void *ctx)
{
	struct qi_mem m = { 0 };
	u32 levels;
	int r = qi_walk_start(&m, w, emit, ctx, &levels);

	if (r)
		return r < 0 ? r : 0;
	return qi_tlb_table(&m, w->cr3 & QI_ADDR_MASK, levels, 0);
}
