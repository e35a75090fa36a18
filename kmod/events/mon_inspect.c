// SPDX-License-Identifier: GPL-2.0
/*
 * mon_inspect.c - HyperDbg's inspection commands at a stop: rdmsr, wrmsr,
 * !va2pa, !pa2va, !pte, !db/!dc/!dd/!dq, !eb/!ed/!eq and cpu.
 *
 * monitor-cmds/ parses them (cmd_inspect.c) and formats their replies;
 * this file reads and writes the machine.  MSRs are accessed on the CPU
 * they belong to (hv_gdb_on_cpu(): a parked CPU runs the access from its
 * wait loop), as the guest sees them there (hv_guest_msr()).  Addresses
 * translate with the paging registers of gdb's selected thread; physical
 * memory is System RAM through the direct map (hv_gdb_phys()), or device
 * memory through an uncached window (hv_gdb_mmio_read()), never a range
 * that mixes the two.  cpu decodes the VMX capability MSRs read at load
 * (hv.msrs, kmod/lib/vmx_describe.c).  !pcitree and !pcicam are passed
 * on to mon_pci.c.
 *
 * Context: VMX root on the link's holder while every CPU is halted
 * (hv_mon_command()); nothing here sleeps, allocates or takes a lock.
 */
#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <asm/page.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/lib/pgwalk.h"
#include "kmod/lib/qemu_info.h"
#include "kmod/lib/vmx_describe.h"
#include "kmod/events/mon_priv.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_inspect.h"
#include "monitor-cmds/cmd_qemu.h"
#include "monitor-cmds/cmd_kv.h"
#include "gdbstub/gdbstub.h"

/* One reply line at a time: dumps stream as gdb prints O packets. */
#define MON_INSPECT_LINE	160

/* wrmsr: each CPU's value before the write, for the undo. */
static DEFINE_PER_CPU(u64, mon_wrmsr_old);

struct mon_msr_call {
	u32 msr;
	bool write;
	u64 value;
};

static int mon_msr_on_cpu(struct hv_cpu *c, struct hv_regs *r, void *arg)
{
	struct mon_msr_call *m = arg;

	return hv_guest_msr(c, m->msr, &m->value, m->write);
}

static void mon_line(struct rsp_output *out, struct cmd_out *o)
{
	rsp_output_write(out, o->buf, o->len);
}

static const char *mon_errno_text(int err)
{
	switch (err) {
	case -ENODEV:
		return "not halted at this stop (offline or not virtualized)";
	case -ETIMEDOUT:
		return "did not answer within a second";
	case -EINVAL:
		return "the value is not a canonical address";
	default:
		return "the access faults (#GP: no such MSR, or the value is refused)";
	}
}

/* The CPUs a command names: one (checked), or every online one. */
static int mon_cores(const struct cmd_parsed *p, struct rsp_output *out,
		     struct cpumask *mask)
{
	cpumask_clear(mask);
	if (p->core == CMD_CORE_ALL) {
		cpumask_copy(mask, cpu_online_mask);
		return 0;
	}
	if (p->core >= nr_cpu_ids || !cpu_online(p->core))
		return mon_fail(out, p->core_col, "core %#x is not online (online: %*pbl)\n",
				p->core, cpumask_pr_args(cpu_online_mask));
	cpumask_set_cpu(p->core, mask);
	return 0;
}

static int mon_rdmsr(const struct cmd_parsed *p, struct rsp_output *out)
{
	static struct cpumask mask;
	char b[MON_INSPECT_LINE];
	struct cmd_out o;
	int cpu, err;

	if (mon_cores(p, out, &mask))
		return -RSP_EIO;
	for_each_cpu(cpu, &mask) {
		struct mon_msr_call m = { .msr = p->msr };

		err = hv_gdb_on_cpu(cpu, mon_msr_on_cpu, &m);
		if (err)
			return mon_fail(out, 0, "rdmsr %x on core %#x: %s\n",
					p->msr, cpu, mon_errno_text(err));
		cmd_out_init(&o, b, sizeof(b));
		if (p->kv) {
			cmd_out_str(&o, "msr");
			cmd_kv_hex(&o, "cpu", cpu);
			cmd_kv_hex(&o, "index", p->msr);
			cmd_kv_hex(&o, "value", m.value);
			cmd_out_char(&o, '\n');
		} else {
			cmd_fmt_msr(&o, cpu, p->msr, m.value);
		}
		mon_line(out, &o);
	}
	return 0;
}

/* wrmsr's targets for cmd_apply_all(): target i is the i-th CPU of mask. */
struct mon_wrmsr {
	const struct cpumask *mask;
	u32 msr;
	u64 value;
};

static int mon_wrmsr_cpu(struct mon_wrmsr *w, u32 i)
{
	return cpumask_nth(i, w->mask);
}

static int mon_wrmsr_save(void *ctx, u32 i)
{
	struct mon_wrmsr *w = ctx;
	int cpu = mon_wrmsr_cpu(w, i);
	struct mon_msr_call m = { .msr = w->msr };
	int err = hv_gdb_on_cpu(cpu, mon_msr_on_cpu, &m);

	if (!err)
		per_cpu(mon_wrmsr_old, cpu) = m.value;
	return err;
}

static int mon_wrmsr_write(struct mon_wrmsr *w, u32 i, bool undo)
{
	int cpu = mon_wrmsr_cpu(w, i);
	struct mon_msr_call m = {
		.msr = w->msr, .write = true,
		.value = undo ? per_cpu(mon_wrmsr_old, cpu) : w->value,
	};

	return hv_gdb_on_cpu(cpu, mon_msr_on_cpu, &m);
}

static int mon_wrmsr_apply(void *ctx, u32 i)
{
	return mon_wrmsr_write(ctx, i, false);
}

static int mon_wrmsr_undo(void *ctx, u32 i)
{
	return mon_wrmsr_write(ctx, i, true);
}

/*
 * wrmsr on every named CPU, or on none: each CPU's old value is read
 * first, and a write that faults puts back the ones already written
 * (cmd_apply_all()).
 */
static int mon_wrmsr(const struct cmd_parsed *p, struct rsp_output *out)
{
	static struct cpumask mask;	/* commands are serialized */
	struct mon_wrmsr w = { .mask = &mask, .msr = p->msr,
			       .value = p->value };
	struct cmd_apply_ops ops = {
		.save = mon_wrmsr_save, .apply = mon_wrmsr_apply,
		.undo = mon_wrmsr_undo, .ctx = &w,
	};
	u32 at, undone;
	bool saving;
	int err;

	if (mon_cores(p, out, &mask))
		return -RSP_EIO;
	err = cmd_apply_all(&ops, cpumask_weight(&mask), &at, &saving,
			    &undone);
	if (!err)
		return 0;
	if (saving)
		return mon_fail(out, 0, "wrmsr %x: reading it on core %#x first: %s; nothing written\n",
				p->msr, mon_wrmsr_cpu(&w, at),
				mon_errno_text(err));
	return mon_fail(out, 0, "wrmsr %x %llx on core %#x: %s; %u of the %u core(s) written before were restored\n",
			p->msr, p->value, mon_wrmsr_cpu(&w, at),
			mon_errno_text(err), undone, at);
}

/* The halted state of gdb's selected thread, whose page tables translate. */
static const struct gdb_cpu *mon_selected(struct rsp_output *out)
{
	int cpu = hv_gdb_selected_cpu();
	const struct gdb_cpu *g = cpu >= 0 ? hv_gdb_cpu_state(cpu) : NULL;

	if (!g)
		mon_fail(out, 0, "hvgdb: the selected thread's CPU is not halted\n");
	return g;
}

static int mon_walk_fail(const struct cmd_parsed *p, struct rsp_output *out,
			 const char *cmd, int err)
{
	return mon_fail(out, p->addr_col, "%s %llx: %s\n", cmd, p->addr,
			pgwalk_strerror(err));
}

/* `core n` of !va2pa and !pte, else gdb's selected CPU. */
static const struct gdb_cpu *mon_walk_cpu(const struct cmd_parsed *p,
					  struct rsp_output *out)
{
	const struct gdb_cpu *g;

	if (p->core == CMD_CORE_ALL)
		return mon_selected(out);
	g = p->core < nr_cpu_ids && cpu_online(p->core) ?
	    hv_gdb_cpu_state(p->core) : NULL;
	if (!g)
		mon_fail(out, p->core_col, "core %#x is not online or not halted at this stop (online: %*pbl)\n",
			 p->core, cpumask_pr_args(cpu_online_mask));
	return g;
}

static int mon_va2pa(const struct cmd_parsed *p, struct rsp_output *out)
{
	const struct gdb_cpu *g = mon_walk_cpu(p, out);
	struct pgwalk_info info;
	char b[80];
	u64 pa;
	int err;

	if (!g)
		return -RSP_EIO;
	err = hv_gdb_walk(g, p->addr, &pa, &info);
	if (err)
		return mon_walk_fail(p, out, "!va2pa", err);
	if (p->kv)
		rsp_output_write(out, b, scnprintf(b, sizeof(b), "va2pa cpu=%#x va=%#llx pa=%#llx\n",
						   p->core == CMD_CORE_ALL ?
						   hv_gdb_selected_cpu() : p->core,
						   p->addr, pa));
	else
		rsp_output_write(out, b, scnprintf(b, sizeof(b), "%llx\n", pa));
	return 0;
}

/* Linux maps all RAM at one offset (the direct map): that is the answer. */
static int mon_pa2va(const struct cmd_parsed *p, struct rsp_output *out)
{
	char b[64];

	if (!hv_gdb_phys(p->addr, 1))
		return mon_fail(out, p->addr_col, "!pa2va %llx: not System RAM, so not in the kernel's direct map\n",
				p->addr);
	if (p->kv)
		rsp_output_write(out, b, scnprintf(b, sizeof(b), "pa2va pa=%#llx va=%#llx\n",
						   p->addr, (u64)__va(p->addr)));
	else
		rsp_output_write(out, b, scnprintf(b, sizeof(b), "%llx\n",
						   (u64)__va(p->addr)));
	return 0;
}

static int mon_pte(const struct cmd_parsed *p, struct rsp_output *out)
{
	const struct gdb_cpu *g = mon_walk_cpu(p, out);
	static char b[1024];
	struct pgwalk_info info = { 0 };
	struct pgwalk_ctx w;
	struct cmd_out o;
	u64 pa;
	int err;

	if (!g)
		return -RSP_EIO;
	err = hv_gdb_walk(g, p->addr, &pa, &info);
	if (err && err != PGWALK_ERR_NOT_PRESENT)
		return mon_walk_fail(p, out, "!pte", err);
	cmd_out_init(&o, b, sizeof(b));
	hv_gdb_walk_ctx(g, &w);		/* its CR3, or .process's */
	cmd_fmt_pte(&o, p->addr, w.cr3, info.levels, info.entry, info.level,
		    !err, (u64)PAGE_OFFSET);
	mon_line(out, &o);
	return 0;
}

/*
 * Whether a physical range can be reached (hv_gdb_phys_check(): all RAM
 * or all device memory); anything else is refused, with the reason,
 * before a byte is touched.
 */
static int mon_phys_where(const struct cmd_parsed *p, u32 len,
			  struct rsp_output *out)
{
	int err = hv_gdb_phys_check(p->addr, len, p->unit);

	if (err == -EINVAL)
		return mon_fail(out, p->addr_col, "%llx: device memory is accessed in aligned units of %u bytes\n",
				p->addr, p->unit);
	if (err == -ERANGE)
		return mon_fail(out, p->addr_col, "[%llx, %llx) lies beyond the CPU's physical address width\n",
				p->addr, p->addr + len);
	if (err)
		return mon_fail(out, p->addr_col, "[%llx, %llx) is partly System RAM (or RAM the kernel does not map): give a range that is all RAM or all device memory\n",
				p->addr, p->addr + len);
	return 0;
}

static int mon_phys_dump(const struct cmd_parsed *p, struct rsp_output *out)
{
	char b[MON_INSPECT_LINE];
	struct cmd_out o;
	u8 line[16];
	u32 off;

	if (mon_phys_where(p, p->length, out))
		return -RSP_EIO;
	for (off = 0; off < p->length; off += 16) {
		u32 n = min_t(u32, 16, p->length - off);

		if (hv_gdb_phys_read(p->addr + off, line, n, p->unit))
			return mon_fail(out, 0, "reading %llx failed\n",
					p->addr + off);
		cmd_out_init(&o, b, sizeof(b));
		cmd_fmt_dump_line(&o, p->addr + off, line, n, p->unit,
				  p->ascii);
		mon_line(out, &o);
	}
	return 0;
}

/* The whole range is checked first: all of it is written, or nothing. */
static int mon_phys_edit(const struct cmd_parsed *p, struct rsp_output *out)
{
	static u8 buf[CMD_EDIT_MAX * 8];
	u32 i, len = p->nvalues * p->unit;

	if (mon_phys_where(p, len, out))
		return -RSP_EIO;
	for (i = 0; i < p->nvalues; i++)
		memcpy(buf + i * p->unit, &p->values[i], p->unit);
	if (hv_gdb_phys_write(p->addr, buf, len, p->unit))
		return mon_fail(out, p->addr_col, "writing %llx failed\n",
				p->addr);
	return 0;
}

static void mon_cpu_line(void *ctx, const char *line)
{
	struct rsp_output *out = ctx;

	rsp_output_write(out, line, strlen(line));
	rsp_output_write(out, "\n", 1);
}

/* The MSRs as read at load on the CPU that loaded hvgdb: the values its
 * checks and controls were computed from (main.c, vmx_caps.c). */
static int mon_cpu(struct rsp_output *out)
{
	hv_vmx_describe(&hv.msrs, mon_cpu_line, out);
	mon_printf(out, "!mode runs on: %s\n", mon_mode_mech_text());
	return 0;
}

/* QEMU's `info registers` for gdb's selected thread. */
static void mon_emit_line(void *ctx, const char *line)
{
	rsp_output_write(ctx, line, strlen(line));
	rsp_output_write(ctx, "\n", 1);
}

static int mon_info_registers(struct rsp_output *out)
{
	const struct gdb_cpu *g = mon_selected(out);

	if (!g)
		return -RSP_EIO;
	qemu_info_registers(g, mon_emit_line, out);
	return 0;
}

/* QEMU's `info mem` and `info tlb` over gdb's selected thread's page
 * tables. */
static int mon_info_walk(struct rsp_output *out, const char *what,
			 int (*walk)(const struct pgwalk_ctx *w,
				     void (*emit)(void *ctx, const char *line),
				     void *ctx))
{
	const struct gdb_cpu *g = mon_selected(out);
	struct pgwalk_ctx w;
	int r;

	if (!g)
		return -RSP_EIO;
	hv_gdb_walk_ctx(g, &w);
	r = walk(&w, mon_emit_line, out);
	if (r == -1)
		return mon_fail(out, 0, "info %s: the CPU is not in IA-32e paging (32-bit and PAE tables are not walked)\n",
				what);
	if (r)
		return mon_fail(out, 0, "info %s: a page table outside System RAM; the lines above are complete up to it\n",
				what);
	return 0;
}

/*
 * QEMU's `xp`: a line at a time, RAM through the direct map, device
 * memory through the uncached window in accesses of the unit; where
 * neither reads, QEMU's "Cannot access memory" line ends the dump.
 */
static int mon_xp(const struct cmd_parsed *p, struct rsp_output *out)
{
	u32 line = p->count, off;
	char b[MON_INSPECT_LINE];
	struct cmd_out o;
	u8 buf[16];

	for (off = 0; off < p->length; off += line) {
		u32 n = min_t(u32, line, p->length - off);
		u64 pa = p->addr + off;

		cmd_out_init(&o, b, sizeof(b));
		if (hv_gdb_phys_read(pa, buf, n, p->unit)) {
			cmd_fmt_xp_fail(&o, pa);
			mon_line(out, &o);
			return 0;
		}
		cmd_fmt_xp_line(&o, pa, buf, n, p->unit, p->format);
		mon_line(out, &o);
	}
	return 0;
}

int mon_inspect(const struct cmd_parsed *p, struct rsp_output *out,
		bool *handled)
{
	*handled = true;
	switch (p->kind) {
	case CMD_RDMSR:
		return mon_rdmsr(p, out);
	case CMD_WRMSR:
		return mon_wrmsr(p, out);
	case CMD_VA2PA:
		return mon_va2pa(p, out);
	case CMD_PA2VA:
		return mon_pa2va(p, out);
	case CMD_PTE:
		return mon_pte(p, out);
	case CMD_INFO_REGISTERS:
		return mon_info_registers(out);
	case CMD_INFO_MEM:
		return mon_info_walk(out, "mem", qemu_info_mem);
	case CMD_INFO_TLB:
		return mon_info_walk(out, "tlb", qemu_info_tlb);
	case CMD_XP:
		return mon_xp(p, out);
	case CMD_PHYS_DUMP:
		return mon_phys_dump(p, out);
	case CMD_PHYS_EDIT:
		return mon_phys_edit(p, out);
	case CMD_CPU:
		return mon_cpu(out);
	case CMD_SEARCH:
		return mon_search(p, out);
	case CMD_STATUS:
		return mon_status(out);
	case CMD_CPUS:
		return mon_cpus(p, out);
	case CMD_PCITREE:
	case CMD_PCICAM:
		return mon_pci(p, out);
	case CMD_LM:
	case CMD_PROCESS:
	case CMD_THREAD:
		return mon_kobj(p, out);
	default:
		*handled = false;
		return 0;
	}
}
