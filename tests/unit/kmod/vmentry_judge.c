// SPDX-License-Identifier: GPL-2.0
/*
 * vmentry_judge - judges the VMCS images hvgdb.ko captured (debugfs
 * "vmentry", kmod/vmx/vmentry_resume.c) against every MSR set of
 * vmentry_cpus.h: the test VM's Bochs, real CPU generations, the strict
 * SDM set.
 *
 *   vmentry_judge < vmentry-dump
 *
 * prints one line per capture and set:
 *   KIND cpuN SET ok
 *   KIND cpuN SET RULE SDM FIELD=VALUE
 *   KIND cpuN SET refused (hvgdb would not load on that CPU)
 *
 * The images were built for the CPU they were captured on (Bochs).  Judged
 * for another set, they become what hvgdb would have built there at the
 * same moment: the control fields are that set's load-time controls
 * (hv_ctls_compute) with the same run-time changes (the bits where the
 * capture differs from the controls hv_ctls_compute gives for the Bochs
 * set, e.g. monitor trap flag, NMI-window exiting), CR0/CR4 cut to the
 * set's FIXED MSRs, and the EPTP's memory type and A/D enable as the set
 * allows (as kmod/vmx/vmcs.c chooses them).  A run-time control a CPU
 * does not allow is then a violation on that CPU, which is the point.
 *
 * Exit status: 0 when every line was read and judged, 2 on a malformed
 * dump (no capture, unknown field).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/kmod/vmentry_cpus.h"

#define MAX_CAPS	32

struct capture {
	char kind[16];
	int cpu;
	struct hv_vmcs_image img;
};

static struct capture caps[MAX_CAPS];

static u32 adapt_ctl(u32 live, u32 live_base, u32 set_base)
{
	return set_base ^ (live ^ live_base);
}

static u64 adapt_cr(u64 v, u64 fixed0, u64 fixed1)
{
	return (v & fixed1) | fixed0;
}

/* The image hvgdb would have built on @set; false if it refuses @set. */
static bool adapt(const struct hv_vmcs_image *live, const struct hv_ve_cpu *bochs,
		  const struct hv_ve_cpu *set, struct hv_vmcs_image *out)
{
	const struct hv_vmx_msrs *m = &set->msrs;
	struct hv_ctls lb, sb;

	*out = *live;
	if (hv_ctls_compute(&bochs->msrs, &lb) != HV_OK ||
	    hv_ctls_compute(m, &sb) != HV_OK)
		return false;
	out->pin = adapt_ctl(live->pin, lb.pin, sb.pin);
	out->proc = adapt_ctl(live->proc, lb.proc, sb.proc);
	out->proc2 = adapt_ctl(live->proc2, lb.proc2, sb.proc2);
	out->exit = adapt_ctl(live->exit, lb.exit, sb.exit);
	out->entry = adapt_ctl(live->entry, lb.entry, sb.entry);
	out->guest_cr0 = adapt_cr(live->guest_cr0, m->cr0_fixed0, m->cr0_fixed1);
	out->host_cr0 = adapt_cr(live->host_cr0, m->cr0_fixed0, m->cr0_fixed1);
	out->guest_cr4 = adapt_cr(live->guest_cr4, m->cr4_fixed0, m->cr4_fixed1);
	out->host_cr4 = adapt_cr(live->host_cr4, m->cr4_fixed0, m->cr4_fixed1);
	if (out->proc2 & HV_PROC2_EPT) {
		out->eptp &= ~0x7fULL;		/* type, walk, A/D */
		out->eptp |= live->eptp & 0x38;	/* the walk length */
		out->eptp |= (m->ept_vpid & HV_EPTCAP_WB) ? HV_MEMTYPE_WB : 0;
		if ((live->eptp & (1ULL << 6)) && (m->ept_vpid & HV_EPTCAP_AD))
			out->eptp |= 1ULL << 6;
	}
	return true;
}

static int parse(FILE *f)
{
	char line[256];
	int n = -1;

	while (fgets(line, sizeof(line), f)) {
		char kind[16];
		unsigned long long enc, val;
		int cpu;

		if (sscanf(line, "capture %15s cpu%d", kind, &cpu) == 2) {
			if (++n >= MAX_CAPS) {
				fprintf(stderr, "more than %d captures\n", MAX_CAPS);
				return -1;
			}
			snprintf(caps[n].kind, sizeof(caps[n].kind), "%s", kind);
			caps[n].cpu = cpu;
			memset(&caps[n].img, 0, sizeof(caps[n].img));
		} else if (n >= 0 &&
			   sscanf(line, " %llx=%llx", &enc, &val) == 2) {
			if (!hv_ve_image_set(&caps[n].img, (u32)enc, val)) {
				fprintf(stderr, "unknown field %#llx\n", enc);
				return -1;
			}
		}
	}
	return n + 1;
}

int main(void)
{
	const struct hv_ve_cpu *bochs = &ve_cpu_sets[0].cpu;
	int n = parse(stdin), i;
	size_t s;

	if (n <= 0) {
		fprintf(stderr, "vmentry_judge: no capture in the input\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		for (s = 0; s < ARRAY_SIZE(ve_cpu_sets); s++) {
			const struct ve_cpu_set *set = &ve_cpu_sets[s];
			struct hv_vmcs_image img;
			struct hv_ve_result r;
			u64 v = 0;

			printf("%s cpu%d %s ", caps[i].kind, caps[i].cpu,
			       set->name);
			if (!adapt(&caps[i].img, bochs, &set->cpu, &img)) {
				printf("refused\n");
				continue;
			}
			r = hv_vmentry_check(&img, &set->cpu);
			if (r.rule == HV_VE_OK) {
				printf("ok\n");
				continue;
			}
			hv_ve_image_field(&img, r.field, &v);
			printf("%s %s %s=%#llx\n", hv_ve_rule_name(r.rule),
			       hv_ve_rule_sdm(r.rule), hv_ve_field_name(r.field),
			       (unsigned long long)v);
		}
	}
	return 0;
}
