// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - hvgdb.ko load and unload: capability checks, allocation of the
 * shared and per-CPU VMX structures, and the CPU-hotplug state whose
 * callbacks virtualize every CPU that is or comes online and devirtualize
 * every CPU that goes offline or when the module is removed.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/processor-flags.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/bp.h"
#include "kmod/debug/dr.h"
#include "kmod/events/mon.h"

struct hv_global hv;
DEFINE_PER_CPU(struct hv_cpu *, hv_this_cpu);

static char *fake_missing = "";
module_param(fake_missing, charp, 0400);
MODULE_PARM_DESC(fake_missing,
		 "test only: pretend a requirement is missing (intel, vmx, fclock, fcvmx, vmxe, basic, ept) or the capability mtf");

static u64 hv_msr(u32 msr)
{
	u64 v = 0;

	if (rdmsrl_safe(msr, &v))
		v = 0;
	return v;
}

static void hv_read_facts(struct hv_facts *f)
{
	u32 a = 0, b, c = 0, d;
	struct hv_vmx_msrs *m = &f->msrs;

	memset(f, 0, sizeof(*f));
	native_cpuid(&a, &b, &c, &d);
	f->vendor[0] = b;
	f->vendor[1] = d;
	f->vendor[2] = c;
	a = 1;
	c = 0;
	native_cpuid(&a, &b, &c, &d);
	f->cpuid1_ecx = c;
	f->cr4 = __read_cr4();
	if (!(f->cpuid1_ecx & (1u << 5)))
		return;
	m->feature_control = hv_msr(HV_MSR_FEATURE_CONTROL);
	m->basic = hv_msr(HV_MSR_VMX_BASIC);
	m->pin = hv_msr(HV_MSR_VMX_PINBASED);
	m->proc = hv_msr(HV_MSR_VMX_PROCBASED);
	m->exit = hv_msr(HV_MSR_VMX_EXIT);
	m->entry = hv_msr(HV_MSR_VMX_ENTRY);
	m->misc = hv_msr(HV_MSR_VMX_MISC);
	m->cr0_fixed0 = hv_msr(HV_MSR_VMX_CR0_FIXED0);
	m->cr0_fixed1 = hv_msr(HV_MSR_VMX_CR0_FIXED1);
	m->cr4_fixed0 = hv_msr(HV_MSR_VMX_CR4_FIXED0);
	m->cr4_fixed1 = hv_msr(HV_MSR_VMX_CR4_FIXED1);
	if (m->basic & HV_BASIC_TRUE_CTLS) {
		m->true_pin = hv_msr(HV_MSR_VMX_TRUE_PINBASED);
		m->true_proc = hv_msr(HV_MSR_VMX_TRUE_PROCBASED);
		m->true_exit = hv_msr(HV_MSR_VMX_TRUE_EXIT);
		m->true_entry = hv_msr(HV_MSR_VMX_TRUE_ENTRY);
	}
	/* SDM A.3.3, A.10: these MSRs exist only when the controls do. */
	if ((m->proc >> 32) & HV_PROC_SECONDARY)
		m->proc2 = hv_msr(HV_MSR_VMX_PROCBASED2);
	if ((m->proc2 >> 32) & (HV_PROC2_EPT | HV_PROC2_VPID))
		m->ept_vpid = hv_msr(HV_MSR_VMX_EPT_VPID_CAP);
}

static int hv_refusal_errno(enum hv_refusal r)
{
	switch (r) {
	case HV_OK:
		return 0;
	case HV_REFUSE_NOT_INTEL:
	case HV_REFUSE_NO_VMX:
		return -ENODEV;
	case HV_REFUSE_FC_UNLOCKED:
	case HV_REFUSE_FC_VMX_OFF:
		return -EPERM;
	case HV_REFUSE_VMXE_SET:
		return -EBUSY;
	default:
		return -EOPNOTSUPP;
	}
}

static void hv_free_cpu(int cpu)
{
	struct hv_cpu *c = hv.cpus[cpu];

	if (!c)
		return;
	free_page((unsigned long)c->vmxon);
	free_page((unsigned long)c->vmcs);
	free_pages((unsigned long)c->stack, get_order(HV_STACK_SIZE));
	kfree(c);
	hv.cpus[cpu] = NULL;
}

static int hv_alloc_cpu(int cpu)
{
	struct hv_cpu *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	hv.cpus[cpu] = c;
	c->cpu = cpu;
	c->ctls = hv.ctls;
	c->vmxon = (void *)get_zeroed_page(GFP_KERNEL);
	c->vmcs = (void *)get_zeroed_page(GFP_KERNEL);
	c->stack = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					    get_order(HV_STACK_SIZE));
	if (!c->vmxon || !c->vmcs || !c->stack)
		return -ENOMEM;
	/* SDM 25.2, 25.11.5: both regions start with the revision id. */
	*(u32 *)c->vmxon = hv.caps.revision;
	*(u32 *)c->vmcs = hv.caps.revision;
	c->vmxon_pa = __pa(c->vmxon);
	c->vmcs_pa = __pa(c->vmcs);
	return 0;
}

/* A top-level page table that lives as long as the module (see vmcs.c). */
static int hv_make_host_cr3(void)
{
	u64 *cur = __va(__read_cr3() & CR3_ADDR_MASK);

	hv.host_pml4 = (u64 *)get_zeroed_page(GFP_KERNEL);
	if (!hv.host_pml4)
		return -ENOMEM;
	/* The kernel half is the same in every process (and never changes). */
	memcpy(hv.host_pml4 + 256, cur + 256, 256 * sizeof(u64));
	hv.host_cr3 = __pa(hv.host_pml4);
	return 0;
}

static int hv_cpu_online(unsigned int cpu)
{
	struct hv_cpu *c = hv.cpus[cpu];
	unsigned long flags;
	int err;

	if (!c || smp_processor_id() != cpu)
		return -EINVAL;
	local_irq_save(flags);
	err = hv_cpu_start(c);
	local_irq_restore(flags);
	if (err) {
		const char *t = hv_insn_error_text(c->insn_error);

		pr_err("hvgdb: cpu%u: cannot enter VMX: error %d, VM-instruction error %u (%s)\n",
		       cpu, err, c->insn_error, t ? t : "none");
	}
	return err;
}

static int hv_cpu_offline(unsigned int cpu)
{
	struct hv_cpu *c = hv.cpus[cpu];
	unsigned long flags;
	int err;

	if (!c)
		return 0;
	local_irq_save(flags);
	err = hv_cpu_stop(c);
	local_irq_restore(flags);
	if (err)
		pr_err("hvgdb: cpu%u: leaving VMX failed: %d\n", cpu, err);
	return 0;
}

/* gdb's hooked pages first, then !epthook2's detours. */
static bool hv_main_ept_violation(struct hv_cpu *c, struct hv_regs *r,
				  u64 gpa, u64 qual)
{
	return hv_bp_on_ept_violation(c, r, gpa, qual) ||
	       mon_eh2_ept_violation(c, r, gpa, qual);
}

/* What the exit dispatcher (vmx/) needs from the layers above it. */
static const struct hv_exit_ops hv_main_exit_ops = {
	.before_resume = hv_gdb_before_resume,
	.dead = hv_gdb_dead,
	.ept_violation = hv_main_ept_violation,
	.mov_dr = hv_dr_emulate,
	.on_leave = hv_mon_on_leave,
	.read_guest = hv_gdb_read_current,
	.write_guest = hv_gdb_write_current,
};

static void hv_free_all(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		hv_free_cpu(cpu);
	hv_ept_destroy();
	hv_exit_set_ops(NULL);
	hv_gdb_set_monitor(NULL);
	hv_mon_exit();
	hv_gdb_exit();
	free_page((unsigned long)hv.msr_bitmap);
	free_page((unsigned long)hv.host_pml4);
	hv.msr_bitmap = NULL;
	hv.host_pml4 = NULL;
}

static int __init hv_init(void)
{
	struct hv_facts f;
	enum hv_refusal r;
	u64 t0, tsc0;
	int err, cpu, n = 0;

	hv_read_facts(&f);
	if (fake_missing[0] && !hv_facts_fake(&f, fake_missing)) {
		pr_err("hvgdb: unknown fake_missing=%s\n", fake_missing);
		return -EINVAL;
	}
	r = hv_check_facts(&f);
	if (r != HV_OK) {
		pr_err("hvgdb: refusing to load: %s%s\n", hv_refusal_text(r),
		       fake_missing[0] ? " (faked by fake_missing)" : "");
		return hv_refusal_errno(r);
	}
	hv.msrs = f.msrs;
	hv_caps_decode(&hv.msrs, &hv.caps);
	hv_ctls_compute(&hv.msrs, &hv.ctls);
	if (hv.caps.region_size > PAGE_SIZE)
		return -EOPNOTSUPP;
	/* Before the per-CPU controls are copied from hv.ctls. */
	err = hv_gdb_init();
	if (err)
		return err;
	err = hv_mon_init();
	if (err) {
		hv_gdb_exit();
		return err;
	}
	hv_gdb_set_monitor(&hv_mon_gdb);
	hv_exit_set_ops(&hv_main_exit_ops);

	err = -ENOMEM;
	hv.msr_bitmap = (void *)get_zeroed_page(GFP_KERNEL);
	if (!hv.msr_bitmap || hv_make_host_cr3())
		goto out_free;
	hv.msr_bitmap_pa = __pa(hv.msr_bitmap);
	err = hv_ept_create();
	if (err)
		goto out_free;
	for_each_possible_cpu(cpu) {
		err = hv_alloc_cpu(cpu);
		if (err)
			goto out_free;
	}
	hv_debugfs_create(hv_gdb_show, hv_gdb_show_wire, hv_gdb_show_info_mem,
			  hv_gdb_show_info_tlb);

	t0 = ktime_get_ns();
	tsc0 = rdtsc_ordered();
	err = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvgdb:online",
				hv_cpu_online, hv_cpu_offline);
	if (err < 0)
		goto out_debugfs;
	hv.hp_state = err;
	hv.load_tsc = rdtsc_ordered() - tsc0;
	hv.load_ns = ktime_get_ns() - t0;
	for_each_online_cpu(cpu)
		n += hv.cpus[cpu]->state == HV_CPU_VIRTUALIZED;
	hv_gdb_start();
	pr_info("hvgdb: %d CPUs virtualized in %llu us (%llu TSC ticks); EPT maps [0, %#llx) in %u table pages per CPU\n",
		n, hv.load_ns / 1000, hv.load_tsc, hv.ept_top,
		hv_ept_view_pages(0));
	return 0;

out_debugfs:
	hv_debugfs_remove();
out_free:
	hv_free_all();
	return err;
}

/* Exits handled in VMX root could not be reported there: do it now. */
static void hv_report_unexpected(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hv_cpu *c = hv.cpus[cpu];
		struct hv_exit_record *e = c ? &c->unexpected : NULL;
		const char *n;

		if (!e || !e->count)
			continue;
		n = hv_exit_reason_name(e->reason);
		pr_err("hvgdb: cpu%d: %llu unexpected exits, last: reason %u (%s) qual %#llx gpa %#llx gla %#llx rip %#llx intr_info %#x idt_vectoring %#x insn_error %u\n",
		       cpu, e->count, e->reason, n ? n : "?", e->qual, e->gpa,
		       e->gla, e->rip, e->intr_info, e->idt_vectoring,
		       e->insn_err);
	}
}

static void __exit hv_exit(void)
{
	int cpu, busy = 0;

	hv_gdb_stop();
	hv_debugfs_remove();
	cpuhp_remove_state(hv.hp_state);
	hv_report_unexpected();
	hv_vmentry_report();
	for_each_possible_cpu(cpu)
		if (hv.cpus[cpu] && (hv.cpus[cpu]->state == HV_CPU_VIRTUALIZED ||
				     hv.cpus[cpu]->state == HV_CPU_PARKED))
			busy++;
	if (busy) {
		/* Memory still in use by VMX: leak it rather than corrupt. */
		pr_err("hvgdb: %d CPUs still in VMX; leaking their memory\n",
		       busy);
		return;
	}
	hv_free_all();
	pr_info("hvgdb: all CPUs left VMX\n");
}

module_init(hv_init);
module_exit(hv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvgdb: VT-x hypervisor debugger with a GDB RSP server");
