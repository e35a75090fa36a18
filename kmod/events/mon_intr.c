// SPDX-License-Identifier: GPL-2.0
/*
 * mon_intr_tab.c - HyperDbg's !idt, !apic and !ioapic at a stop.
 *
 * monitor-cmds/cmd_intr.c parses them and decodes and formats what is read
 * here.
 *
 * !idt reads the IDT of gdb's selected CPU (its IDTR from the halt
 * snapshot) through its page tables (hv_gdb_read_virt(): RAM only, every
 * level checked).  Handler symbols come from a table built at load, in
 * process context, with sprint_symbol(): at a stop nothing calls into
 * kallsyms.  (In this kernel, 6.1, kallsyms_lookup_buildid() is pure
 * table reads for a core-kernel address, but any other address goes on to
 * module_address_lookup(), bpf_address_lookup() and ftrace's, which take
 * rcu_read_lock(); with PREEMPT_RCU its unlock may report a quiescent
 * state and take an rcu_node lock that a halted CPU may hold.)  A vector
 * whose handler is not the one seen at load is shown with the symbol of
 * whichever vector had that handler at load, else without one and
 * flagged: the IDT changed since hvgdb loaded.
 *
 * !apic reads the local APIC of gdb's selected CPU on that CPU
 * (hv_gdb_on_cpu(); the APIC page at the IA32_APIC_BASE address decodes
 * to the accessing CPU's own APIC): in x2APIC mode through MSRs 0x800 +
 * index (rdmsr_safe via hv_guest_msr()), in xAPIC mode through the
 * uncached device window (hv_gdb_mmio_read()).  Only registers without
 * read side effects are read (cmd_lapic_readable()).
 *
 * !ioapic reads each I/O APIC the ACPI MADT lists (found at load with
 * acpi_get_table(), kmod/lib/madt.c) through IOREGSEL/IOWIN on the
 * uncached window.  A halted CPU may have stopped between its IOREGSEL
 * write and its IOWIN access, so IOREGSEL is read first and written back
 * last: the kernel's access finds the register it selected.
 *
 * Context: mon_intr_init() in process context at load (hv_mon_init());
 * the commands in VMX root on the link's holder while every CPU is
 * halted: nothing sleeps, allocates or takes a lock.  The tables built at
 * load are read-only afterwards.
 */
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/acpi.h>
#include <asm/desc.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/lib/gdb_cpu.h"
#include "kmod/lib/madt.h"
#include "kmod/events/mon_priv.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_out.h"
#include "monitor-cmds/cmd_intr.h"
#include "gdbstub/gdbstub.h"

#define MON_IDT_SYM	96	/* "module!name+0xoffset", cut to fit */
#define MON_IOAPICS	8
#define MON_INTR_LINE	256

static struct {
	bool idt_ok;			/* the table was built */
	u64 handler[256];		/* each vector's handler at load */
	char sym[256][MON_IDT_SYM];	/* and its symbol */
	bool named[256];		/* sym[i] holds one */
	u32 n_ioapic;			/* as the MADT listed (may be > MAX) */
	int madt_err;			/* 0, or why there is no table */
	struct madt_ioapic ioapic[MON_IOAPICS];
} mon_intr_tab;

/* "name", "name+0x10", "module!name+0x10" from sprint_symbol()'s text. */
static void mon_intr_sym(char *dst, const char *ks)
{
	const char *name, *mod;
	u32 nlen, mlen;
	struct cmd_out o;
	u64 off;

	dst[0] = 0;
	if (!cmd_ksym_parse(ks, &name, &nlen, &off, &mod, &mlen))
		return;
	cmd_out_init(&o, dst, MON_IDT_SYM);
	if (mlen) {
		cmd_out_mem(&o, mod, mlen);
		cmd_out_char(&o, '!');
	}
	cmd_out_mem(&o, name, nlen);
	if (off) {
		cmd_out_char(&o, '+');
		cmd_out_hex(&o, off);
	}
}

/* The loading CPU's IDT (Linux has one for all CPUs) and its symbols. */
static void mon_intr_idt_init(void)
{
	static char ks[KSYM_SYMBOL_LEN];
	struct cmd_idt_gate g;
	struct desc_ptr dt;
	u32 v;

	store_idt(&dt);
	if (dt.size < 256 * 16 - 1)
		return;
	for (v = 0; v < 256; v++) {
		cmd_idt_gate_decode((const u8 *)dt.address + 16 * v, &g);
		mon_intr_tab.handler[v] = g.offset;
		if (!g.present)
			continue;
		sprint_symbol(ks, (unsigned long)g.offset);
		mon_intr_sym(mon_intr_tab.sym[v], ks);
		mon_intr_tab.named[v] = mon_intr_tab.sym[v][0];
	}
	mon_intr_tab.idt_ok = true;
}

static void mon_intr_madt_init(void)
{
	struct acpi_table_header *h;
	acpi_status st;

	if (acpi_disabled) {
		mon_intr_tab.madt_err = -ENODEV;
		return;
	}
	st = acpi_get_table(ACPI_SIG_MADT, 0, &h);
	if (ACPI_FAILURE(st)) {
		mon_intr_tab.madt_err = -ENOENT;
		return;
	}
	if (madt_ioapics((const u8 *)h, h->length, mon_intr_tab.ioapic,
			 MON_IOAPICS, &mon_intr_tab.n_ioapic))
		mon_intr_tab.madt_err = -EINVAL;
	acpi_put_table(h);
}

void mon_intr_init(void)
{
	memset(&mon_intr_tab, 0, sizeof(mon_intr_tab));
	mon_intr_idt_init();
	mon_intr_madt_init();
}

/* ---- at a stop ---- */

static const struct gdb_cpu *mon_intr_selected(struct rsp_output *out)
{
	int cpu = hv_gdb_selected_cpu();
	const struct gdb_cpu *g = cpu >= 0 ? hv_gdb_cpu_state(cpu) : NULL;

	if (!g)
		mon_fail(out, 0, "hvgdb: the selected thread's CPU is not halted\n");
	return g;
}

/* The load-time symbol of @handler (cmd_idt_sym_index()), or NULL. */
static const char *mon_intr_lookup(u32 v, u64 handler, const char **note)
{
	bool changed;
	int i;

	*note = NULL;
	if (!mon_intr_tab.idt_ok)
		return NULL;
	i = cmd_idt_sym_index(mon_intr_tab.handler, mon_intr_tab.named, v,
			      handler, &changed);
	if (changed)
		*note = i < 0 ? "changed since hvgdb loaded: no symbol" :
			"changed since hvgdb loaded: the symbol is of the same handler elsewhere";
	return i < 0 || !mon_intr_tab.named[i] ? NULL : mon_intr_tab.sym[i];
}

static int mon_idt(const struct cmd_parsed *p, struct rsp_output *out)
{
	const struct gdb_cpu *g = mon_intr_selected(out);
	u32 v, first = 0, last = 255;
	char b[MON_INTR_LINE];
	struct cmd_idt_gate gate;
	struct cmd_out o;
	u8 raw[16];

	if (!g)
		return -RSP_EIO;
	if (!p->all)
		first = last = (u32)p->addr;
	/* The whole table: the vectors within the limit, then the error. */
	while (p->all && last > 0 && (u64)last * 16 + 15 > g->idtr_limit)
		last--;
	if ((u64)last * 16 + 15 > g->idtr_limit)
		return mon_fail(out, p->all ? 0 : p->addr_col,
				     "!idt: vector %#x lies beyond the IDT limit %#x (IDTR base %llx)\n",
				     last, g->idtr_limit, g->idtr_base);
	if (p->all)
		rsp_output_write(out, "IDT Entries:\n", 13);
	for (v = first; v <= last; v++) {
		u64 va = g->idtr_base + 16ull * v;
		const char *sym, *note;

		if (hv_gdb_read_virt(g, va, raw, sizeof(raw)) != sizeof(raw))
			return mon_fail(out, 0, "!idt: reading vector %#x at %llx failed (not mapped to RAM)\n",
					     v, va);
		cmd_idt_gate_decode(raw, &gate);
		sym = mon_intr_lookup(v, gate.offset, &note);
		cmd_out_init(&o, b, sizeof(b));
		cmd_fmt_idt_line(&o, v, &gate, sym, note);
		rsp_output_write(out, o.buf, o.len);
	}
	if (p->all && last < 255)
		return mon_fail(out, 0, "!idt: vectors %#x-0xff lie beyond the IDT limit %#x\n",
				     last + 1, g->idtr_limit);
	return 0;
}

/* ---- local APIC, on its own CPU ---- */

struct mon_apic_call {
	struct cmd_lapic l;
	int err;		/* 0, or what failed */
	u32 failed_idx;
};

static int mon_apic_reg(struct hv_cpu *c, bool x2, u64 mmio, u32 idx,
			u32 *val, u32 *hi)
{
	u64 v;
	int err;

	if (x2) {
		err = hv_guest_msr(c, 0x800 + idx, &v, false);
		if (!err) {
			*val = (u32)v;
			if (hi)
				*hi = (u32)(v >> 32);
		}
		return err;
	}
	return hv_gdb_mmio_read(mmio + 16 * idx, val, 4, 4);
}

/* Read @idx into l->reg (the x2APIC ICR's high half with it). */
static int mon_apic_read(struct hv_cpu *c, struct mon_apic_call *m, bool x2,
			 u64 mmio, u32 idx)
{
	struct cmd_lapic *l = &m->l;
	u32 *hi = x2 && idx == CMD_LAPIC_ICR_LO ? &l->reg[CMD_LAPIC_ICR_HI] :
		  NULL;
	int err = mon_apic_reg(c, x2, mmio, idx, &l->reg[idx], hi);

	if (err) {
		m->failed_idx = idx;
		return err;
	}
	l->read |= 1ull << idx;
	if (hi)
		l->read |= 1ull << CMD_LAPIC_ICR_HI;
	return 0;
}

static int mon_apic_on_cpu(struct hv_cpu *c, struct hv_regs *r, void *arg)
{
	struct mon_apic_call *m = arg;
	struct cmd_lapic *l = &m->l;
	u64 mmio;
	bool x2;
	u32 i;
	int err;

	err = hv_guest_msr(c, 0x1b, &l->base_msr, false);
	if (err || !(l->base_msr & CMD_APIC_BASE_EN))
		return err;
	x2 = l->base_msr & CMD_APIC_BASE_EXTD;
	mmio = l->base_msr & 0x000ffffffffff000ull;
	/* The version first: it says which LVT entries exist. */
	err = mon_apic_read(c, m, x2, mmio, CMD_LAPIC_VERSION);
	for (i = 0; !err && i < CMD_LAPIC_NREGS; i++) {
		if (l->read & (1ull << i) ||
		    !cmd_lapic_readable(i, l->reg[CMD_LAPIC_VERSION], x2))
			continue;
		err = mon_apic_read(c, m, x2, mmio, i);
	}
	return err;
}

static int mon_apic(struct rsp_output *out)
{
	static struct mon_apic_call m;
	static char b[1024];
	int cpu = hv_gdb_selected_cpu();
	struct cmd_out o;
	int err;

	if (cpu < 0 || !hv_gdb_cpu_state(cpu))
		return mon_fail(out, 0, "hvgdb: the selected thread's CPU is not halted\n");
	memset(&m, 0, sizeof(m));
	err = hv_gdb_on_cpu(cpu, mon_apic_on_cpu, &m);
	if (err == -ENODEV || err == -ETIMEDOUT)
		return mon_fail(out, 0, "!apic on core %#x: %s\n", cpu,
				     err == -ENODEV ? "not halted at this stop" :
				     "the CPU did not answer within a second");
	if (err)
		return mon_fail(out, 0, "!apic on core %#x: reading %s %#x failed (%d)\n",
				     cpu, m.l.base_msr & CMD_APIC_BASE_EXTD ?
				     "MSR" : "MMIO offset",
				     m.l.base_msr & CMD_APIC_BASE_EXTD ?
				     0x800 + m.failed_idx : m.failed_idx * 16,
				     err);
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_lapic(&o, cpu, &m.l);
	rsp_output_write(out, o.buf, o.len);
	return 0;
}

/* ---- I/O APIC ---- */

static int mon_ioapic_reg(u64 base, u32 reg, u32 *val)
{
	int err = hv_gdb_mmio_write(base + CMD_IOAPIC_IOREGSEL, &reg, 4, 4);

	return err ? err : hv_gdb_mmio_read(base + CMD_IOAPIC_IOWIN, val, 4, 4);
}

/* One I/O APIC, its IOREGSEL put back as the kernel left it. */
static int mon_ioapic_one(const struct madt_ioapic *a, struct rsp_output *out)
{
	u32 sel, id, ver, arb, lo, hi, pin, pins;
	char b[MON_INTR_LINE];
	u64 base = a->addr;
	struct cmd_out o;
	int err;

	err = hv_gdb_mmio_read(base + CMD_IOAPIC_IOREGSEL, &sel, 4, 4);
	if (err)
		return mon_fail(out, 0, "!ioapic: %llx is not reachable as device memory (%d)\n",
				     base, err);
	err = mon_ioapic_reg(base, CMD_IOAPIC_REG_ID, &id) ?:
	      mon_ioapic_reg(base, CMD_IOAPIC_REG_VER, &ver) ?:
	      mon_ioapic_reg(base, CMD_IOAPIC_REG_ARB, &arb);
	if (err)
		goto out;
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_ioapic_head(&o, base, id, ver, arb, a->gsi_base);
	rsp_output_write(out, o.buf, o.len);
	pins = cmd_ioapic_pins(ver);
	for (pin = 0; pin < pins; pin++) {
		err = mon_ioapic_reg(base, CMD_IOAPIC_REG_REDTBL + 2 * pin,
				     &lo) ?:
		      mon_ioapic_reg(base, CMD_IOAPIC_REG_REDTBL + 2 * pin + 1,
				     &hi);
		if (err)
			goto out;
		cmd_out_init(&o, b, sizeof(b));
		cmd_fmt_ioapic_entry(&o, pin, (u64)hi << 32 | lo);
		rsp_output_write(out, o.buf, o.len);
	}
out:
	hv_gdb_mmio_write(base + CMD_IOAPIC_IOREGSEL, &sel, 4, 4);
	if (err)
		return mon_fail(out, 0, "!ioapic: reading the I/O APIC at %llx failed (%d)\n",
				     base, err);
	return 0;
}

static int mon_ioapic(struct rsp_output *out)
{
	u32 i, n = min_t(u32, mon_intr_tab.n_ioapic, MON_IOAPICS);
	int err;

	if (mon_intr_tab.madt_err)
		return mon_fail(out, 0, "!ioapic: no I/O APIC list: %s\n",
				     mon_intr_tab.madt_err == -ENODEV ? "ACPI is disabled" :
				     mon_intr_tab.madt_err == -ENOENT ? "the firmware has no MADT" :
				     "the MADT is malformed");
	if (!n)
		return mon_fail(out, 0, "!ioapic: the MADT lists no I/O APIC\n");
	for (i = 0; i < n; i++) {
		err = mon_ioapic_one(&mon_intr_tab.ioapic[i], out);
		if (err)
			return err;
	}
	if (mon_intr_tab.n_ioapic > n)
		return mon_fail(out, 0, "!ioapic: %u more I/O APICs not shown (hvgdb keeps %u)\n",
				     mon_intr_tab.n_ioapic - n, n);
	return 0;
}

int mon_intr(const struct cmd_parsed *p, struct rsp_output *out,
	     bool *handled)
{
	*handled = true;
	switch (p->kind) {
	case CMD_IDT:
		return mon_idt(p, out);
	case CMD_APIC:
		return mon_apic(out);
	case CMD_IOAPIC:
		return mon_ioapic(out);
	default:
		*handled = false;
		return 0;
	}
}
