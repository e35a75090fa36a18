/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_caps.h - pure decisions from VT-x capability MSR values.
 *
 * Contract: nothing here touches hardware.  The caller reads the MSRs into
 * struct hv_vmx_msrs / struct hv_facts; these functions decide whether
 * hvgdb can run (hv_check_facts), which control bits to use
 * (hv_adjust_ctl, hv_ctls_compute) and what to report (hv_caps_decode).
 * The same code runs in the module and in the unit tests, and the test-only
 * fault injection (hv_facts_fake) edits the facts, never the checks.
 */
#ifndef HVGDB_KMOD_VMX_CAPS_H
#define HVGDB_KMOD_VMX_CAPS_H

#include "hvgdb/freestanding.h"

/* The MSRs as read at load; 0 for those the CPU does not have. */
struct hv_vmx_msrs {
	u64 feature_control;		/* IA32_FEATURE_CONTROL */
	u64 basic, pin, proc, exit, entry, misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 proc2, ept_vpid;
	u64 true_pin, true_proc, true_exit, true_entry;
};

/* Everything the load-time checks look at. */
struct hv_facts {
	u32 vendor[3];		/* CPUID.0: EBX, EDX, ECX */
	u32 cpuid1_ecx;
	u64 cr4;
	struct hv_vmx_msrs msrs;	/* valid only when CPUID reports VMX */
};

enum hv_refusal {
	HV_OK = 0,
	HV_REFUSE_NOT_INTEL,
	HV_REFUSE_NO_VMX,
	HV_REFUSE_FC_UNLOCKED,
	HV_REFUSE_FC_VMX_OFF,
	HV_REFUSE_VMXE_SET,
	HV_REFUSE_BASIC_MEMTYPE,
	HV_REFUSE_BASIC_32BIT,
	HV_REFUSE_BASIC_NO_TRUE,
	HV_REFUSE_NO_SECONDARY,
	HV_REFUSE_NO_EPT,
	HV_REFUSE_EPT_WALK,
	HV_REFUSE_CONTROLS,
};

/* Adjusted VM-execution, exit and entry controls (per CPU, applied at sync). */
struct hv_ctls {
	u32 pin, proc, proc2, exit, entry;
	u32 exception_bitmap;
};

struct hv_caps {
	bool true_ctls, ept, vpid, unrestricted, mtf, preempt_timer;
	bool preempt_save;		/* exit saves the timer's count */
	bool ept_2m, ept_1g, ept_wb, ept_ad, invept_single, invept_all;
	bool invvpid_single, invvpid_all, rdtscp, invpcid, xsaves, vnmi;
	u8 preempt_rate;		/* TSC >> rate per timer tick */
	u32 revision, region_size;
};

/*
 * Bits set in the low half of a capability MSR must be 1, bits clear in
 * the high half must be 0 (SDM Vol. 3 A.3).  Returns 0 and the adjusted
 * value in *out, or -1 when a required bit is not allowed.
 */
int hv_adjust_ctl(u64 cap, u32 required, u32 optional, u32 *out);

enum hv_refusal hv_check_facts(const struct hv_facts *f);
const char *hv_refusal_text(enum hv_refusal r);

/*
 * Test hook: pretend the condition named by @what ("intel", "vmx", "fclock",
 * "fcvmx", "vmxe", "basic", "ept") is absent, or the capability "mtf" (the
 * monitor trap flag, which hvgdb can do without).  Returns false for an
 * unknown name.
 */
bool hv_facts_fake(struct hv_facts *f, const char *what);

void hv_caps_decode(const struct hv_vmx_msrs *m, struct hv_caps *c);

/* hvgdb's control policy; returns HV_OK or HV_REFUSE_CONTROLS. */
enum hv_refusal hv_ctls_compute(const struct hv_vmx_msrs *m,
				struct hv_ctls *out);

#endif /* HVGDB_KMOD_VMX_CAPS_H */
