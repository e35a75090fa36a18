// SPDX-License-Identifier: GPL-2.0
/*
 * vmentry_fuzz.c - libFuzzer target for the VM-entry checker
 * (kmod/lib/vmentry_check.c).
 *
 * Input: byte 0 picks an MSR set of tests/unit/kmod/vmentry_cpus.h (and,
 * in bit 7, whether the CPU is outside IA-32e mode), byte 1 a MAXPHYADDR
 * (32-52 or 64); the rest is XORed over the image hvgdb builds for that
 * CPU, so small inputs make images close to a good one and the deep
 * guest-state rules are reached.  Checked on every input:
 *  - the verdict is a known rule with an SDM section and text, and a
 *    broken rule names a field the checker knows;
 *  - the verdict is the same when asked twice (no hidden state);
 *  - an image that passes satisfies, re-derived here independently: the
 *    controls within the TRUE capability MSRs, CR0/CR4 within the FIXED
 *    MSRs (the guest's CR0.PE/PG free with unrestricted guest), RFLAGS
 *    bit 1 set, an activity state the CPU supports, and in HLT only an
 *    external interrupt, NMI, #DB, #MC or pending MTF injected.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/vmentry_check.h"
#include "tests/unit/kmod/vmentry_cpus.h"

#define fz_check(ok) do {						\
		if (!(ok)) {						\
			fprintf(stderr, "vmentry_fuzz: check failed at line %d\n", \
				__LINE__);				\
			abort();					\
		}							\
	} while (0)

static bool fz_ctl(u32 v, u64 cap)
{
	return (v & (u32)cap) == (u32)cap && !(v & ~(u32)(cap >> 32));
}

static bool fz_fixed(u64 v, u64 f0, u64 f1)
{
	return (v & f0) == f0 && !(v & ~f1);
}

static void fz_passed(const struct hv_vmcs_image *v, const struct hv_ve_cpu *c)
{
	const struct hv_vmx_msrs *m = &c->msrs;
	u64 cr0_f0 = m->cr0_fixed0;
	u32 info = v->entry_intr_info;

	fz_check(fz_ctl(v->pin, m->true_pin));
	fz_check(fz_ctl(v->proc, m->true_proc));
	fz_check(fz_ctl(v->exit, m->true_exit));
	fz_check(fz_ctl(v->entry, m->true_entry));
	if (v->proc & HV_PROC_SECONDARY) {
		fz_check(fz_ctl(v->proc2, m->proc2));
		if (v->proc2 & HV_PROC2_UNRESTRICTED)
			cr0_f0 &= ~0x80000001ULL;	/* PG, PE */
	}
	fz_check(fz_fixed(v->host_cr0, m->cr0_fixed0, m->cr0_fixed1));
	fz_check(fz_fixed(v->host_cr4, m->cr4_fixed0, m->cr4_fixed1));
	fz_check(fz_fixed(v->guest_cr0, cr0_f0, m->cr0_fixed1));
	fz_check(fz_fixed(v->guest_cr4, m->cr4_fixed0, m->cr4_fixed1));
	fz_check(v->guest_rflags & 2);
	fz_check(v->activity <= HV_ACTIVITY_WAIT_SIPI);
	if (v->activity == HV_ACTIVITY_HLT) {
		fz_check(m->misc & HV_MISC_ACT_HLT);
		if (hv_intr_info_valid(info)) {
			u32 t = hv_intr_info_type(info);

			fz_check(t == HV_INTR_TYPE_EXT_INTR ||
				 t == HV_INTR_TYPE_NMI ||
				 hv_is_hw_exception(info, HV_VEC_DB) ||
				 hv_is_hw_exception(info, HV_VEC_MC) ||
				 (t == HV_INTR_TYPE_OTHER &&
				  hv_intr_info_vector(info) == 0));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 widths[] = { 32, 36, 39, 40, 46, 48, 52, 64 };
	struct hv_vmcs_image v;
	struct hv_ve_cpu c;
	struct hv_ve_result r, again;
	u8 *p = (u8 *)&v;
	size_t i;

	if (size < 2)
		return 0;
	c = ve_cpu_sets[(data[0] & 0x7f) % ARRAY_SIZE(ve_cpu_sets)].cpu;
	c.host_lma = !(data[0] & 0x80);
	c.maxphyaddr = widths[data[1] % ARRAY_SIZE(widths)];
	if (!ve_linux_image(&c, &v))
		return 0;
	for (i = 2; i < size && i - 2 < sizeof(v); i++)
		p[i - 2] ^= data[i];
	r = hv_vmentry_check(&v, &c);
	fz_check((unsigned int)r.rule < HV_VE_NRULES);
	fz_check(strcmp(hv_ve_rule_name(r.rule), "?") != 0);
	fz_check(hv_ve_rule_text(r.rule)[0] != '\0');
	if (r.rule != HV_VE_OK) {
		fz_check(!strncmp(hv_ve_rule_sdm(r.rule), "27.", 3));
		fz_check(strcmp(hv_ve_field_name(r.field), "?") != 0);
	} else {
		fz_passed(&v, &c);
	}
	again = hv_vmentry_check(&v, &c);
	fz_check(again.rule == r.rule && again.field == r.field);
	return 0;
}
