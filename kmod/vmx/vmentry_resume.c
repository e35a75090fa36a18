// SPDX-License-Identifier: GPL-2.0
/*
 * vmentry_resume.c - vmentry_check=1 before VMRESUME, and the VMCS
 * captures the VM tests judge (debugfs "vmentry").
 *
 * At the end of every exit that resumes (hv_exit_handler, VMX root,
 * interrupts off) hv_vmentry_check_resume() reads the entry fields an exit
 * handler changes: the five control fields, the VM-entry interruption
 * information and the activity state.  When one differs from what the
 * last check on this CPU saw, or the exit short-circuited an instruction
 * (a monitor event with `sc`), the whole VMCS is read into this CPU's
 * image and judged by hv_vmentry_check() against the MSRs read at load.
 * VMX root cannot printk: a violation is recorded in this CPU's log (the
 * rule, the field and its value, the exit reason, guest RIP) and the entry
 * is refused (exit.c leaves VMX on this CPU when it can, else parks it as
 * after a failed VM entry).  The log is printed from process context: by a
 * read of debugfs "vmentry" (once per violation) and at unload.
 *
 * Captures: the first image of each kind per CPU is kept (load: the
 * launch image; inject: an event in ENTRY_INTR_INFO; step: monitor trap
 * flag or RFLAGS.TF on; sc: after a short-circuited instruction; hlt: activity state
 * HLT), for the life of the module.
 *
 * Per-CPU state is written only by its CPU in root (or before launch);
 * debugfs reads it without a lock (a capture is published by its
 * `valid` flag after the image, with release/acquire ordering).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "kmod/vmx/hv.h"
#include "kmod/lib/vmentry_check.h"

struct hv_ve_watch {
	u32 pin, proc, proc2, exit, entry, intr_info, activity;
	bool seen;
};

struct hv_ve_capture {
	bool valid;			/* store-release after the rest */
	u32 exit_reason;
	struct hv_vmcs_image img;
};

struct hv_ve_log {
	u64 checks, violations;
	enum hv_ve_rule rule;		/* the first violation */
	u32 field;
	u64 value, rip;
	u32 exit_reason;
	bool reported;			/* printed from process context */
};

struct hv_ve_state {
	struct hv_ve_watch watch;
	bool sc;			/* this exit short-circuited */
	struct hv_vmcs_image img;	/* scratch, too big for the stack */
	struct hv_ve_log log;
	struct hv_ve_capture cap[HV_VE_CAP_N];
};

static DEFINE_PER_CPU(struct hv_ve_state, hv_ve_state);

static const char *const hv_ve_cap_names[HV_VE_CAP_N] = {
	[HV_VE_CAP_LOAD] = "load", [HV_VE_CAP_INJECT] = "inject",
	[HV_VE_CAP_STEP] = "step", [HV_VE_CAP_SC] = "sc",
	[HV_VE_CAP_HLT] = "hlt",
};

static void hv_ve_capture(struct hv_ve_state *s, enum hv_ve_cap kind,
			  const struct hv_vmcs_image *img, u32 reason)
{
	struct hv_ve_capture *k = &s->cap[kind];

	if (READ_ONCE(k->valid))
		return;
	k->img = *img;
	k->exit_reason = reason;
	smp_store_release(&k->valid, true);
}

/* Before VMLAUNCH (vmentry.c): the launch image, as judged. */
void hv_vmentry_capture_launch(const struct hv_vmcs_image *img)
{
	struct hv_ve_state *s = this_cpu_ptr(&hv_ve_state);

	s->watch.seen = false;
	hv_ve_capture(s, HV_VE_CAP_LOAD, img, 0);
}

void hv_vmentry_note_sc(void)
{
	this_cpu_ptr(&hv_ve_state)->sc = true;
}

/* The entry fields exit handlers change; true when any differs. */
static bool hv_ve_changed(struct hv_ve_watch *w)
{
	struct hv_ve_watch n = {
		.pin = (u32)hv_vmread(VMCS_PIN_CTLS),
		.proc = (u32)hv_vmread(VMCS_PROC_CTLS),
		.proc2 = (u32)hv_vmread(VMCS_PROC2_CTLS),
		.exit = (u32)hv_vmread(VMCS_EXIT_CTLS),
		.entry = (u32)hv_vmread(VMCS_ENTRY_CTLS),
		.intr_info = (u32)hv_vmread(VMCS_ENTRY_INTR_INFO),
		.activity = (u32)hv_vmread(VMCS_GUEST_ACTIVITY),
		.seen = true,
	};
	bool changed = memcmp(&n, w, sizeof(n)) != 0;

	*w = n;
	return changed;
}

bool hv_vmentry_check_resume(struct hv_cpu *c, u32 reason)
{
	struct hv_ve_state *s = this_cpu_ptr(&hv_ve_state);
	struct hv_vmcs_image *img = &s->img;
	struct hv_ve_cpu cpu = {
		.msrs = hv.msrs,
		.maxphyaddr = boot_cpu_data.x86_phys_bits,
		.host_lma = true,	/* hvgdb runs on 64-bit kernels only */
	};
	struct hv_ve_result r;
	bool sc = s->sc;

	s->sc = false;
	if (!hv_ve_changed(&s->watch) && !sc)
		return true;
	hv_vmcs_image_read(img);
	hv_vmentry_fake_resume(img);
	s->log.checks++;
	if (img->entry_intr_info & HV_INTR_INFO_VALID)
		hv_ve_capture(s, HV_VE_CAP_INJECT, img, reason);
	/* A step: monitor trap flag, or RFLAGS.TF where MTF is missing. */
	if ((img->proc & HV_PROC_MTF) || (img->guest_rflags & X86_EFLAGS_TF))
		hv_ve_capture(s, HV_VE_CAP_STEP, img, reason);
	if (sc)
		hv_ve_capture(s, HV_VE_CAP_SC, img, reason);
	if (img->activity == HV_ACTIVITY_HLT)
		hv_ve_capture(s, HV_VE_CAP_HLT, img, reason);
	r = hv_vmentry_check(img, &cpu);
	if (r.rule == HV_VE_OK)
		return true;
	if (!s->log.violations++) {
		s->log.rule = r.rule;
		s->log.field = r.field;
		s->log.value = 0;
		hv_ve_image_field(img, r.field, &s->log.value);
		s->log.rip = img->guest_rip;
		s->log.exit_reason = reason;
	}
	/* Judge again at the next exit, whatever it changes. */
	s->watch.seen = false;
	return false;
}

/* Process context: each CPU's first violation, once, to the kernel log. */
static void hv_ve_report(int cpu, struct hv_ve_log *l)
{
	if (!READ_ONCE(l->violations) || READ_ONCE(l->reported))
		return;
	WRITE_ONCE(l->reported, true);
	pr_err("hvgdb: cpu%d: VM-entry check before VMRESUME: SDM %s %s: %s; field %s = 0x%llx (exit reason %u, guest rip %#llx); the entry was refused\n",
	       cpu, hv_ve_rule_sdm(l->rule), hv_ve_rule_name(l->rule),
	       hv_ve_rule_text(l->rule), hv_ve_field_name(l->field),
	       (unsigned long long)l->value, l->exit_reason,
	       (unsigned long long)l->rip);
}

void hv_vmentry_report(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		hv_ve_report(cpu, &per_cpu_ptr(&hv_ve_state, cpu)->log);
}

/*
 * debugfs "vmentry": per CPU "cpuN checks=C violations=V" and the first
 * violation, then each capture as "capture KIND cpuN exit=R" and
 * "  ENC=VALUE" lines (field encodings in hex, hv_ve_image_field_at()
 * order), which tests/unit/kmod/vmentry_judge reads back.
 */
void hv_vmentry_show(struct seq_file *m)
{
	int cpu, k;
	size_t i;

	hv_vmentry_report();
	seq_printf(m, "vmentry_check %s\n", hv_vmentry_checking ? "on" : "off");
	for_each_possible_cpu(cpu) {
		struct hv_ve_state *s = per_cpu_ptr(&hv_ve_state, cpu);

		if (!hv.cpus[cpu])
			continue;
		seq_printf(m, "cpu%d checks=%llu violations=%llu", cpu,
			   s->log.checks, s->log.violations);
		if (s->log.violations)
			seq_printf(m, " first=%s field=%s value=%#llx exit=%u",
				   hv_ve_rule_name(s->log.rule),
				   hv_ve_field_name(s->log.field),
				   (unsigned long long)s->log.value,
				   s->log.exit_reason);
		seq_puts(m, "\n");
	}
	for_each_possible_cpu(cpu) {
		struct hv_ve_state *s = per_cpu_ptr(&hv_ve_state, cpu);

		if (!hv.cpus[cpu])
			continue;
		for (k = 0; k < HV_VE_CAP_N; k++) {
			const struct hv_ve_capture *c = &s->cap[k];
			u32 f;

			if (!smp_load_acquire(&c->valid))
				continue;
			seq_printf(m, "capture %s cpu%d exit=%u\n",
				   hv_ve_cap_names[k], cpu, c->exit_reason);
			for (i = 0; hv_ve_image_field_at(i, &f); i++) {
				u64 v = 0;

				hv_ve_image_field(&c->img, f, &v);
				seq_printf(m, "  %#x=%#llx\n", f,
					   (unsigned long long)v);
			}
		}
	}
}
