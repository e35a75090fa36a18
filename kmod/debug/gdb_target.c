// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_target.c - gdb's target operations over halted CPUs, and each CPU's
 * registers to and from struct gdb_cpu.
 *
 * Context: the target operations run on the CPU that holds the link while
 * every other CPU is parked (their gdb_cpu is valid and theirs to read);
 * gdb_snapshot() and gdb_apply() run on the CPU itself in VMX root, as it
 * parks and as it leaves the halt: each CPU writes its own VMCS.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"
#include "kmod/debug/bp.h"

#define GDB_MSR_KERNEL_GS_BASE	0xc0000102


struct gdb_cpu *gdb_thread(int tid)
{
	struct hv_gdb_cpu *pc;
	int cpu = tid - 1;

	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return NULL;
	pc = per_cpu(hv_gdb_pcpu, cpu);
	return pc && pc->valid ? &pc->g : NULL;
}

static int gdb_err(int e)
{
	return e == -22 ? -RSP_EINVAL : e;
}

static int gdb_read_reg(void *ctx, int tid, int regno, u8 *buf)
{
	struct gdb_cpu *g = gdb_thread(tid);

	return g ? gdb_err(gdb_cpu_read_reg(g, regno, buf)) : -RSP_ESRCH;
}

static int gdb_write_reg(void *ctx, int tid, int regno, const u8 *buf)
{
	struct gdb_cpu *g = gdb_thread(tid);

	if (g && per_cpu(hv_gdb_pcpu, tid - 1)->dead)
		return -RSP_EIO;	/* never resumes: nothing would apply it */
	return g ? gdb_err(gdb_cpu_write_reg(g, regno, buf)) : -RSP_ESRCH;
}

static long gdb_read_mem(void *ctx, int tid, u64 addr, u8 *buf, size_t len)
{
	struct gdb_cpu *g = gdb_thread(tid);

	return g ? hv_gdb_read_virt(g, addr, buf, len) : -RSP_ESRCH;
}

static int gdb_write_mem(void *ctx, int tid, u64 addr, const u8 *buf,
			 size_t len)
{
	struct gdb_cpu *g = gdb_thread(tid);

	return g ? hv_gdb_write_virt(g, addr, buf, len) : -RSP_ESRCH;
}

/*
 * QEMU's PhyMemMode (docs/qemu-dialect.md): guest-physical addresses,
 * System RAM through the direct map or device memory through the uncached
 * window (gdb_mmio.c); a range mixing the two is a fault.  Device
 * registers are mostly 32 bits wide and some decode nothing narrower:
 * a dword-aligned access goes in dwords, anything else in bytes.
 */
static u8 gdb_mmio_unit(u64 addr, size_t len)
{
	return ((addr | len) & 3) ? 1 : 4;
}

static long gdb_read_phys_op(void *ctx, u64 addr, u8 *buf, size_t len)
{
	if (len > U32_MAX ||
	    hv_gdb_phys_read(addr, buf, (u32)len, gdb_mmio_unit(addr, len)))
		return -RSP_EFAULT;
	return (long)len;
}

static int gdb_write_phys_op(void *ctx, u64 addr, const u8 *buf, size_t len)
{
	if (len > U32_MAX ||
	    hv_gdb_phys_write(addr, buf, (u32)len, gdb_mmio_unit(addr, len)))
		return -RSP_EFAULT;
	return 0;
}

/* Breakpoints are set through any halted CPU's page tables (kernel
 * addresses are the same in all). */
static struct gdb_cpu *gdb_any_thread(void)
{
	struct gdb_cpu *g = gdb_thread(hv_gdb_selected_cpu() + 1);

	return g ? g : gdb_thread(gdb.owner_cpu + 1);
}

static int gdb_insert_bp(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind)
{
	struct gdb_cpu *g = gdb_any_thread();

	return g ? hv_bp_insert(g, type, addr, kind) : -RSP_EIO;
}

static int gdb_remove_bp(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind)
{
	struct gdb_cpu *g = gdb_any_thread();

	return g ? hv_bp_remove(g, type, addr, kind) : -RSP_EIO;
}

static int gdb_thread_info(void *ctx, int idx, struct rsp_thread_info *out)
{
	struct hv_gdb_cpu *pc;
	int cpu;

	if (idx < 0 || idx >= gdb.nthreads)
		return -RSP_ESRCH;
	cpu = gdb.thread_cpu[idx];
	pc = per_cpu(hv_gdb_pcpu, cpu);
	out->tid = cpu + 1;
	out->core = cpu;
	if (pc->valid) {
		memcpy(out->name, pc->g.name, sizeof(out->name));
	} else {
		snprintf(out->name, sizeof(out->name), "CPU %d (not halted)",
			 cpu);
	}
	return 0;
}

static int gdb_monitor(void *ctx, const char *cmd, struct rsp_output *out)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);

	if (!m)
		return -RSP_EINVAL;
	return m->command(cmd, out);
}

const struct rsp_target_ops gdb_target_ops = {
	.monitor = gdb_monitor,
	.read_reg = gdb_read_reg,
	.write_reg = gdb_write_reg,
	.read_mem = gdb_read_mem,
	.write_mem = gdb_write_mem,
	.read_phys = gdb_read_phys_op,
	.write_phys = gdb_write_phys_op,
	.insert_bp = gdb_insert_bp,
	.remove_bp = gdb_remove_bp,
	.thread_info = gdb_thread_info,
	.btf_blob = gdb_btf_blob,
};

/* ---- CPU state <-> gdb_cpu, on the CPU itself in VMX root ---- */

void gdb_snapshot(struct hv_cpu *c, struct hv_regs *r,
			 struct gdb_cpu *g)
{
	static const u32 sel[6] = {
		VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL,
		VMCS_GUEST_ES_SEL, VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL,
	};
	/* VMCS fields of each segment register, in enum gdb_seg_reg's order. */
	static const struct { u32 sel, base, limit, ar; } seg[GDB_NR_SEGS] = {
		{ VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT,
		  VMCS_GUEST_ES_AR },
		{ VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT,
		  VMCS_GUEST_CS_AR },
		{ VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT,
		  VMCS_GUEST_SS_AR },
		{ VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT,
		  VMCS_GUEST_DS_AR },
		{ VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT,
		  VMCS_GUEST_FS_AR },
		{ VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT,
		  VMCS_GUEST_GS_AR },
		{ VMCS_GUEST_LDTR_SEL, VMCS_GUEST_LDTR_BASE,
		  VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_AR },
		{ VMCS_GUEST_TR_SEL, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT,
		  VMCS_GUEST_TR_AR },
	};
	u64 mask = hv_vmread(VMCS_CR4_MASK);
	struct task_struct *t = current;
	int i;

	g->cpu = c->cpu;
	gdb_cpu_gprs_from_sdm(g, r->gpr);
	g->gpr[7] = hv_vmread(VMCS_GUEST_RSP);
	g->rip = hv_vmread(VMCS_GUEST_RIP);
	g->rflags = hv_vmread(VMCS_GUEST_RFLAGS);
	for (i = 0; i < 6; i++)
		g->sel[i] = (u16)hv_vmread(sel[i]);
	g->fs_base = hv_vmread(VMCS_GUEST_FS_BASE);
	g->gs_base = hv_vmread(VMCS_GUEST_GS_BASE);
	/* Not switched by VM exits: still the guest's. */
	g->k_gs_base = native_read_msr(GDB_MSR_KERNEL_GS_BASE);
	g->cr2 = native_read_cr2();
	asm volatile("mov %%cr8, %0" : "=r"(g->cr8));
	get_debugreg(g->dr[0], 0);
	get_debugreg(g->dr[1], 1);
	get_debugreg(g->dr[2], 2);
	get_debugreg(g->dr[3], 3);
	get_debugreg(g->dr6, 6);
	/* What the guest reads: host-owned bits come from the shadow. */
	g->cr0 = hv_vmread(VMCS_GUEST_CR0);
	g->cr4 = (hv_vmread(VMCS_GUEST_CR4) & ~mask) |
		 (hv_vmread(VMCS_CR4_SHADOW) & mask);
	g->cr3 = hv_vmread(VMCS_GUEST_CR3);
	g->efer = hv_vmread(VMCS_GUEST_EFER);
	g->dr7 = hv_vmread(VMCS_GUEST_DR7);
	g->gdtr_base = hv_vmread(VMCS_GUEST_GDTR_BASE);
	g->idtr_base = hv_vmread(VMCS_GUEST_IDTR_BASE);
	g->ldtr_base = hv_vmread(VMCS_GUEST_LDTR_BASE);
	g->tr_base = hv_vmread(VMCS_GUEST_TR_BASE);
	for (i = 0; i < GDB_NR_SEGS; i++) {
		g->seg[i].sel = (u16)hv_vmread(seg[i].sel);
		g->seg[i].base = hv_vmread(seg[i].base);
		g->seg[i].limit = (u32)hv_vmread(seg[i].limit);
		g->seg[i].ar = (u32)hv_vmread(seg[i].ar);
	}
	g->gdtr_limit = (u32)hv_vmread(VMCS_GUEST_GDTR_LIMIT);
	g->idtr_limit = (u32)hv_vmread(VMCS_GUEST_IDTR_LIMIT);
	g->interruptibility = (u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY);
	g->activity = (u32)hv_vmread(VMCS_GUEST_ACTIVITY);
	/* Root code never touches the FPU: these are the guest's. */
	asm volatile("fxsave64 %0" : "=m"(g->fx));
	g->dirty = 0;
	/* The host runs on the kernel's per-CPU GS base: current is the
	 * task the CPU was running. */
	gdb_cpu_set_name(g, t->comm, t->tgid);
	g->task = (u64)(unsigned long)t;
	g->pid = t->pid;
	g->tgid = t->tgid;
	memcpy(g->comm, t->comm, sizeof(g->comm));
}

void gdb_apply(struct hv_cpu *c, struct hv_regs *r, struct gdb_cpu *g)
{
	u64 sdm[HV_NR_GPRS];

	if (g->dirty & GDB_DIRTY_GPR) {
		gdb_cpu_gprs_to_sdm(g, sdm);
		sdm[HV_RSP] = r->gpr[HV_RSP];
		memcpy(r->gpr, sdm, sizeof(sdm));
	}
	if (g->dirty & GDB_DIRTY_RSP)
		hv_vmwrite(VMCS_GUEST_RSP, g->gpr[7]);
	if (g->dirty & GDB_DIRTY_RIP)
		hv_vmwrite(VMCS_GUEST_RIP, g->rip);
	if (g->dirty & GDB_DIRTY_RFLAGS)
		hv_vmwrite(VMCS_GUEST_RFLAGS, g->rflags);
	if (g->dirty & GDB_DIRTY_BASES) {
		hv_vmwrite(VMCS_GUEST_FS_BASE, g->fs_base);
		hv_vmwrite(VMCS_GUEST_GS_BASE, g->gs_base);
		native_write_msr(GDB_MSR_KERNEL_GS_BASE, (u32)g->k_gs_base,
				 (u32)(g->k_gs_base >> 32));
	}
	if (g->dirty & GDB_DIRTY_FPU)
		asm volatile("fxrstor64 %0" : : "m"(g->fx));
	if (g->dirty & GDB_DIRTY_DR) {
		set_debugreg(g->dr[0], 0);
		set_debugreg(g->dr[1], 1);
		set_debugreg(g->dr[2], 2);
		set_debugreg(g->dr[3], 3);
		set_debugreg(g->dr6, 6);
	}
	if (g->dirty & GDB_DIRTY_DR7)
		hv_vmwrite(VMCS_GUEST_DR7, g->dr7);
	g->dirty = 0;
}

