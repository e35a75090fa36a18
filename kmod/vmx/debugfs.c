// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/hvgdb/, readable by root only.
 * Formats (documented in docs/design-vmx.md, parsed by tests/vm):
 *   cpus        "cpu<N> <off|virtualized|failed|left|parked> exits=<n>[ err=<errno> insn_error=<n>]"
 *   exits       "<NAME> <reason> total=<n> cpu<N>=<n> ..." for each reason seen,
 *               first line "ALL - total=<n> cpu<N>=<n> ..."
 *   caps        "<name> <value>" per line
 *   ept         "<name> <value>" per line
 *   unexpected  one line per CPU with its last unexpected exit
 *   test_ept_misconfig  TEST ONLY, write-only: a guest-physical address
 *               (hex or decimal); that 4 KiB page's EPT entry becomes
 *               misconfigured, so the next access to it from this CPU is
 *               an EPT-misconfiguration exit (reported in "unexpected",
 *               then repaired).  For tests/vm/test_vmx_exits.py.
 */
#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/cpumask.h>
#include "kmod/vmx/hv.h"
#include "kmod/vmx/hypercall.h"
#include "kmod/vmx/prof.h"

static struct dentry *hv_dir;

static const char *const hv_state_names[] = {
	[HV_CPU_OFF] = "off",
	[HV_CPU_VIRTUALIZED] = "virtualized",
	[HV_CPU_FAILED] = "failed",
	[HV_CPU_LEFT] = "left",
	[HV_CPU_PARKED] = "parked",
};

static int cpus_show(struct seq_file *m, void *v)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hv_cpu *c = hv.cpus[cpu];

		if (!c)
			continue;
		seq_printf(m, "cpu%d %s exits=%llu", cpu,
			   hv_state_names[READ_ONCE(c->state)], c->exit_total);
		if (c->state == HV_CPU_FAILED)
			seq_printf(m, " err=%d insn_error=%u", c->error,
				   c->insn_error);
		seq_puts(m, "\n");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpus);

static void hv_exits_line(struct seq_file *m, const char *name, int reason)
{
	u64 total = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		if (hv.cpus[cpu])
			total += reason < 0 ? hv.cpus[cpu]->exit_total :
					      hv.cpus[cpu]->exits[reason];
	if (reason >= 0 && !total)
		return;
	if (reason < 0)
		seq_printf(m, "%s - total=%llu", name, total);
	else
		seq_printf(m, "%s %d total=%llu", name, reason, total);
	for_each_possible_cpu(cpu)
		if (hv.cpus[cpu])
			seq_printf(m, " cpu%d=%llu", cpu, reason < 0 ?
				   hv.cpus[cpu]->exit_total :
				   hv.cpus[cpu]->exits[reason]);
	seq_puts(m, "\n");
}

static int exits_show(struct seq_file *m, void *v)
{
	int r;

	hv_exits_line(m, "ALL", -1);
	for (r = 0; r <= HV_EXIT_REASON_MAX; r++) {
		const char *n = hv_exit_reason_name(r);

		hv_exits_line(m, n ? n : "OTHER", r);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exits);

static int caps_show(struct seq_file *m, void *v)
{
	const struct hv_caps *c = &hv.caps;

#define YN(x) ((x) ? "yes" : "no")
	seq_printf(m, "vmcs_revision %#x\n", c->revision);
	seq_printf(m, "vmcs_region_size %u\n", c->region_size);
	seq_printf(m, "true_controls %s\n", YN(c->true_ctls));
	seq_printf(m, "ept %s\n", YN(c->ept));
	seq_printf(m, "ept_2m %s\n", YN(c->ept_2m));
	seq_printf(m, "ept_1g %s\n", YN(c->ept_1g));
	seq_printf(m, "ept_wb %s\n", YN(c->ept_wb));
	seq_printf(m, "ept_ad %s\n", YN(c->ept_ad));
	seq_printf(m, "invept_single %s\n", YN(c->invept_single));
	seq_printf(m, "invept_all %s\n", YN(c->invept_all));
	seq_printf(m, "vpid %s\n", YN(c->vpid));
	seq_printf(m, "invvpid_single %s\n", YN(c->invvpid_single));
	seq_printf(m, "invvpid_all %s\n", YN(c->invvpid_all));
	seq_printf(m, "unrestricted_guest %s\n", YN(c->unrestricted));
	seq_printf(m, "mtf %s\n", YN(c->mtf));
	seq_printf(m, "preemption_timer %s\n", YN(c->preempt_timer));
	seq_printf(m, "preemption_timer_rate %u\n", c->preempt_rate);
	seq_printf(m, "preemption_timer_save %s\n", YN(c->preempt_save));
	seq_printf(m, "virtual_nmi %s\n", YN(c->vnmi));
	seq_printf(m, "rdtscp %s\n", YN(c->rdtscp));
	seq_printf(m, "invpcid %s\n", YN(c->invpcid));
	seq_printf(m, "xsaves %s\n", YN(c->xsaves));
	seq_printf(m, "ctl_pin %#x\nctl_proc %#x\nctl_proc2 %#x\n",
		   hv.ctls.pin, hv.ctls.proc, hv.ctls.proc2);
	seq_printf(m, "ctl_exit %#x\nctl_entry %#x\n", hv.ctls.exit,
		   hv.ctls.entry);
	seq_printf(m, "load_ns %llu\nload_tsc %llu\n", hv.load_ns, hv.load_tsc);
#undef YN
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(caps);

static int ept_show(struct seq_file *m, void *v)
{
	u32 i, pages = 0;

	for (i = 0; i < hv.ept_nviews; i++)
		pages += hv_ept_view_pages(i);
	seq_printf(m, "eptp %#llx\n", hv_ept_eptp(0));
	seq_printf(m, "identity_top %#llx\n", hv.ept_top);
	seq_printf(m, "views %u\n", hv.ept_nviews);
	seq_printf(m, "view_identity_pages %u\n", hv_ept_view_identity_pages(0));
	for (i = 0; i < hv.ept_nviews; i++)
		seq_printf(m, "view%u_pages %u\n", i, hv_ept_view_pages(i));
	seq_printf(m, "table_pages %u\n", pages);
	seq_printf(m, "table_bytes %llu\n", (u64)pages * 4096);
	seq_printf(m, "pool_free %u\n", hv_ept_pool_free());
	seq_printf(m, "pool_pages %u\n", hv_ept_pool_pages());
	seq_printf(m, "on_demand_pages %u\n", hv.ept_on_demand);
	seq_printf(m, "mtrr_enabled %d\nmtrr_default_type %u\nmtrr_variable %u\n",
		   hv.mtrr.enabled, hv.mtrr.def_type, hv.mtrr.nvar);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ept);

static int unexpected_show(struct seq_file *m, void *v)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hv_cpu *c = hv.cpus[cpu];
		struct hv_exit_record *e;
		const char *n;

		if (!c)
			continue;
		e = &c->unexpected;
		n = hv_exit_reason_name(e->reason);
		seq_printf(m, "cpu%d count=%llu", cpu, e->count);
		if (e->count)
			seq_printf(m,
				   " reason=%u(%s) action=%u qual=%#llx gpa=%#llx gla=%#llx rip=%#llx rsp=%#llx rflags=%#llx cr3=%#llx intr_info=%#x intr_error=%#x idt_vectoring=%#x insn_len=%u insn_error=%u ept_violations=%llu last_ept_gpa=%#llx last_ept_qual=%#llx",
				   e->reason, n ? n : "?", e->action, e->qual,
				   e->gpa, e->gla, e->rip, e->rsp, e->rflags,
				   e->cr3, e->intr_info, e->intr_error,
				   e->idt_vectoring, e->insn_len, e->insn_err,
				   c->ept_violations, c->last_ept_gpa,
				   c->last_ept_qual);
		seq_puts(m, "\n");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(unexpected);

static ssize_t test_ept_misconfig_write(struct file *f,
					const char __user *buf, size_t len,
					loff_t *off)
{
	struct hv_cpu *c;
	u64 gpa;
	int err = kstrtoull_from_user(buf, len, 0, &gpa);

	if (err)
		return err;
	/* Edit and flush in VMX root, on this CPU (hv_ept_test_misconfig). */
	preempt_disable();
	c = hv.cpus[smp_processor_id()];
	if (!c || READ_ONCE(c->state) != HV_CPU_VIRTUALIZED)
		err = -ENODEV;		/* VMCALL would be #UD */
	else if (hv_hypercall(HV_HC_TEST_EPT, gpa))
		err = -EINVAL;
	preempt_enable();
	return err ? err : len;
}

static const struct file_operations test_ept_misconfig_fops = {
	.owner = THIS_MODULE,
	.write = test_ept_misconfig_write,
};

/* A report of a layer above vmx/ (gdb, wire): its show function is the
 * file's private data, so vmx/ includes no header of theirs. */
static int layer_show(struct seq_file *m, void *v)
{
	void (*show)(struct seq_file *m) = m->private;

	show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(layer);

/* The page-table walks run to megabytes on Linux (espfix): a buffer that
 * size from the start, so seq_file does not walk again at each doubling. */
#define HV_DEBUGFS_WALK_SIZE	(8 << 20)

static int walk_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, layer_show, inode->i_private,
				HV_DEBUGFS_WALK_SIZE);
}

static const struct file_operations walk_fops = {
	.owner = THIS_MODULE,
	.open = walk_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

void hv_debugfs_create(void (*gdb)(struct seq_file *m),
		       void (*wire)(struct seq_file *m),
		       void (*mem)(struct seq_file *m),
		       void (*tlb)(struct seq_file *m))
{
	hv_dir = debugfs_create_dir("hvgdb", NULL);
	debugfs_create_file("cpus", 0400, hv_dir, NULL, &cpus_fops);
	debugfs_create_file("exits", 0400, hv_dir, NULL, &exits_fops);
	debugfs_create_file("caps", 0400, hv_dir, NULL, &caps_fops);
	debugfs_create_file("ept", 0400, hv_dir, NULL, &ept_fops);
	debugfs_create_file("unexpected", 0400, hv_dir, NULL,
			    &unexpected_fops);
	debugfs_create_file("gdb", 0400, hv_dir, gdb, &layer_fops);
	debugfs_create_file("wire", 0400, hv_dir, wire, &layer_fops);
	debugfs_create_file("vmentry", 0400, hv_dir, hv_vmentry_show,
			    &layer_fops);
	debugfs_create_file("info_mem", 0400, hv_dir, mem, &walk_fops);
	debugfs_create_file("info_tlb", 0400, hv_dir, tlb, &walk_fops);
	debugfs_create_file("test_ept_misconfig", 0200, hv_dir, NULL,
			    &test_ept_misconfig_fops);
	hv_prof_debugfs(hv_dir);
}

void hv_debugfs_remove(void)
{
	debugfs_remove_recursive(hv_dir);
	hv_dir = NULL;
}
