// SPDX-License-Identifier: GPL-2.0
/*
 * prof.c - the sums of prof.h's stamps and their debugfs file "prof".
 * Empty unless built with HVGDB_PROF (make kmod HVGDB_PROF=y).
 *
 * "prof" format, one line per kind that was counted:
 *   <kind> n=<exits> total=<mean ticks> <point>=<mean ticks> ...
 * (points with no ticks left out; means rounded down).  The ticks of the
 * hardware's exit and entry and of entry.S are not in it: only what runs
 * between the handler's first and last stamp.
 */
#ifdef HVGDB_PROF
#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include "kmod/vmx/hv.h"
#include "kmod/vmx/prof.h"

DEFINE_PER_CPU(struct hv_prof_cpu, hv_prof_cpu);

static const char *const hv_prof_points[HV_PROF_NPOINTS] = {
	"dispatch", "exc", "lookup", "match", "ctx", "script",
	"fired", "after", "pass", "fetch", "emul", "resume",
};

static const char *const hv_prof_kinds[HV_PROF_NKINDS] = {
	"none", "epthook", "epthook2", "cpuid", "eptv", "mtf",
};

void hv_prof_end(void)
{
	struct hv_prof_cpu *p = this_cpu_ptr(&hv_prof_cpu);
	int i;

	hv_prof(HV_PROF_RESUME);
	if (p->kind == HV_PROF_K_NONE || p->kind >= HV_PROF_NKINDS)
		return;
	p->n[p->kind]++;
	for (i = 0; i < HV_PROF_NPOINTS; i++)
		p->sum[p->kind][i] += p->cur[i];
}

static int prof_show(struct seq_file *m, void *v)
{
	int cpu, k, i;

	for (k = 1; k < HV_PROF_NKINDS; k++) {
		u64 n = 0, sum[HV_PROF_NPOINTS] = { 0 }, total = 0;

		for_each_possible_cpu(cpu) {
			struct hv_prof_cpu *p = per_cpu_ptr(&hv_prof_cpu, cpu);

			n += READ_ONCE(p->n[k]);
			for (i = 0; i < HV_PROF_NPOINTS; i++)
				sum[i] += READ_ONCE(p->sum[k][i]);
		}
		if (!n)
			continue;
		for (i = 0; i < HV_PROF_NPOINTS; i++)
			total += sum[i];
		seq_printf(m, "%s n=%llu total=%llu", hv_prof_kinds[k], n,
			   div64_u64(total, n));
		for (i = 0; i < HV_PROF_NPOINTS; i++)
			if (sum[i])
				seq_printf(m, " %s=%llu", hv_prof_points[i],
					   div64_u64(sum[i], n));
		seq_puts(m, "\n");
	}
	return 0;
}

static int prof_open(struct inode *inode, struct file *f)
{
	return single_open(f, prof_show, NULL);
}

/* Any write resets the sums (racy with a CPU in an exit: statistics). */
static ssize_t prof_write(struct file *f, const char __user *buf, size_t len,
			  loff_t *ppos)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hv_prof_cpu *p = per_cpu_ptr(&hv_prof_cpu, cpu);

		memset(p->n, 0, sizeof(p->n));
		memset(p->sum, 0, sizeof(p->sum));
	}
	return len;
}

static const struct file_operations prof_fops = {
	.owner = THIS_MODULE,
	.open = prof_open,
	.read = seq_read,
	.write = prof_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void hv_prof_debugfs(struct dentry *dir)
{
	debugfs_create_file("prof", 0600, dir, NULL, &prof_fops);
}
#endif
