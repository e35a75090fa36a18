/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmentry_cpus.h - VMX capability MSR sets the VM-entry checker is judged
 * against (tests/unit/kmod/test_vmentry_check.c, tests/fuzz/vmentry_fuzz.c).
 * Each set names its source.  Values are the raw MSRs (low half: allowed-0
 * settings, high half: allowed-1 settings, SDM Vol. 3D A.3-A.5).
 */
#ifndef HVGDB_TESTS_VMENTRY_CPUS_H
#define HVGDB_TESTS_VMENTRY_CPUS_H

#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/vmx_caps.h"
#include "kmod/lib/vmentry_check.h"

#define VE_CAP(must1, may1) (((u64)(may1) << 32) | (u32)(must1))

struct ve_cpu_set {
	const char *name;
	const char *source;
	struct hv_ve_cpu cpu;
};

static const struct ve_cpu_set ve_cpu_sets[] = {
	{
		/*
		 * The test VM: Bochs 2.7, cpu model corei7_skylake_x.  BASIC,
		 * the TRUE controls, PROCBASED_CTLS2, MISC and EPT_VPID_CAP
		 * as hvgdb's `mon cpu` read them in the test VM (1 CPU,
		 * 2026-12-07); MAXPHYADDR 40 from its /proc/cpuinfo.  Not
		 * read there (`mon cpu` does not print them): the non-TRUE
		 * controls (unused by the checker; Bochs's cpu/vmx.cc), and
		 * CR0/CR4 FIXED0/FIXED1 from Bochs's cpu/vmx.h (CR0_FIXED0
		 * 0x80000021, CR0_FIXED1 0xffffffff, CR4_FIXED0 0x2000,
		 * CR4_FIXED1 = the model's cr4_suppmask, taken here as the
		 * Skylake value below).  The module judges the live VMCS
		 * against the MSRs it reads itself, so the VM test
		 * (tests/vm/test_vmentry_check.py) covers the real set.
		 */
		.name = "bochs-2.7-corei7_skylake_x",
		.source = "read in the test VM (mon cpu); FIXED MSRs from Bochs 2.7 cpu/vmx.h",
		.cpu = {
			.msrs = {
				.feature_control = HV_FC_LOCK | HV_FC_VMX_OUTSIDE_SMX,
				.basic = 0xd810000000002bULL,
				.pin = VE_CAP(0x16, 0x7f),
				.proc = VE_CAP(0x0401e172, 0xf7f9fffe),
				.exit = VE_CAP(0x00036dff, 0x007fffff),
				.entry = VE_CAP(0x000011ff, 0x0000ffff),
				.misc = 0x600401e0ULL,
				.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
				.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3727ff,
				.proc2 = 0x02177fff00000000ULL,
				.ept_vpid = 0xf0106334141ULL,
				.true_pin = VE_CAP(0x16, 0x7f),
				.true_proc = VE_CAP(0x04006172, 0xf7f9fffe),
				.true_exit = 0x007fffff00036dfbULL,
				.true_entry = VE_CAP(0x000011fb, 0x0000ffff),
			},
			.maxphyaddr = 40,
			.host_lma = true,
		},
	},
	{
		/*
		 * Skylake client: Intel Core i7-6700K, VBoxCpuReport dump in
		 * VirtualBox's CPU database,
		 * src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_6700K.h (MSRs 0x480-
		 * 0x490); MAXPHYADDR 39 from its CPUID leaf 0x80000008.
		 */
		.name = "skylake-i7-6700k",
		.source = "VirtualBox src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_6700K.h",
		.cpu = {
			.msrs = {
				.feature_control = HV_FC_LOCK | HV_FC_VMX_OUTSIDE_SMX,
				.basic = 0xda040000000004ULL,
				.pin = 0x7f00000016ULL,
				.proc = 0xfff9fffe0401e172ULL,
				.exit = 0x1ffffff00036dffULL,
				.entry = 0x3ffff000011ffULL,
				.misc = 0x7004c1e7ULL,
				.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
				.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3727ff,
				.proc2 = 0x1ffcff00000000ULL,
				.ept_vpid = 0xf0106334141ULL,
				.true_pin = 0x7f00000016ULL,
				.true_proc = 0xfff9fffe04006172ULL,
				.true_exit = 0x1ffffff00036dfbULL,
				.true_entry = 0x3ffff000011fbULL,
			},
			.maxphyaddr = 39,
			.host_lma = true,
		},
	},
	{
		/*
		 * Sandy Bridge-E: Intel Core i7-3960X, VBoxCpuReport dump in
		 * VirtualBox's CPU database,
		 * src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_3960X.h: no EPT A/D
		 * bits, no INVPCID/XSAVES enables, no VMFUNC, CR4_FIXED1
		 * without FSGSBASE/SMEP/SMAP.  MAXPHYADDR 46.
		 */
		.name = "sandybridge-e-i7-3960x",
		.source = "VirtualBox src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_3960X.h",
		.cpu = {
			.msrs = {
				.feature_control = HV_FC_LOCK | HV_FC_VMX_OUTSIDE_SMX,
				.basic = 0xda040000000010ULL,
				.pin = 0x7f00000016ULL,
				.proc = 0xfff9fffe0401e172ULL,
				.exit = 0x7fffff00036dffULL,
				.entry = 0xffff000011ffULL,
				.misc = 0x100401e5ULL,
				.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
				.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x627ff,
				.proc2 = 0x4ff00000000ULL,
				.ept_vpid = 0xf0106134141ULL,
				.true_pin = 0x7f00000016ULL,
				.true_proc = 0xfff9fffe04006172ULL,
				.true_exit = 0x7fffff00036dfbULL,
				.true_entry = 0xffff000011fbULL,
			},
			.maxphyaddr = 46,
			.host_lma = true,
		},
	},
	{
		/*
		 * Strict, from the SDM: the default1 controls (A.2) as
		 * allowed-0 settings, allowed-1 only what hvgdb must have to
		 * load (secondary controls, MSR bitmaps, EPT, 64-bit host,
		 * IA-32e guest, EFER save/load); no activity state but
		 * active, no VMX-preemption timer, no virtual NMIs, no MTF,
		 * no PAT or debug-control loading, UC-only 4-level EPT
		 * without A/D, CR4 fixed1 without PCIDE/FSGSBASE/OSXSAVE/
		 * SMEP/SMAP, MAXPHYADDR 36.
		 */
		.name = "strict-sdm",
		.source = "SDM Vol. 3D A.2-A.10, minimal allowed-1 settings",
		.cpu = {
			.msrs = {
				.feature_control = HV_FC_LOCK | HV_FC_VMX_OUTSIDE_SMX,
				.basic = HV_BASIC_TRUE_CTLS |
					 ((u64)HV_MEMTYPE_WB << 50) |
					 (0x1000ULL << 32) | 1,
				.true_pin = VE_CAP(0x16, 0x16),
				.true_proc = VE_CAP(0x04006172, 0x04006172 |
						    HV_PROC_USE_MSR_BITMAPS |
						    HV_PROC_SECONDARY),
				.proc2 = VE_CAP(0, HV_PROC2_EPT),
				.true_exit = VE_CAP(0x00036dfb, 0x00036dfb |
						    HV_EXIT_HOST_ADDR64 |
						    HV_EXIT_SAVE_EFER |
						    HV_EXIT_LOAD_EFER),
				.true_entry = VE_CAP(0x000011fb, 0x000011fb |
						     HV_ENTRY_IA32E |
						     HV_ENTRY_LOAD_EFER),
				.misc = HV_MISC_STORE_LMA | 0x40000,
				.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xe005003f,
				.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x27ff,
				.ept_vpid = HV_EPTCAP_WALK4 | HV_EPTCAP_UC |
					    HV_EPTCAP_2M | HV_EPTCAP_INVEPT |
					    HV_EPTCAP_INVEPT_ALL,
			},
			.maxphyaddr = 36,
			.host_lma = true,
		},
	},
	{
		/*
		 * Permissive, synthetic: every control may be 0 or 1 beyond
		 * the default1 ones, every EPT feature, every activity
		 * state.  Only so that rules about features none of the
		 * CPUs above offers (APIC virtualization, posted interrupts,
		 * MBEC, sub-page permissions) are exercised too.
		 */
		.name = "permissive-synthetic",
		.source = "synthetic: all optional controls allowed",
		.cpu = {
			.msrs = {
				.feature_control = HV_FC_LOCK | HV_FC_VMX_OUTSIDE_SMX,
				.basic = 0xda040000000004ULL,
				.true_pin = VE_CAP(0x16, 0xff),
				.true_proc = VE_CAP(0x04006172, 0xfffffffe),
				.proc2 = VE_CAP(0, 0xffffffff),
				.true_exit = VE_CAP(0x00036dfb, 0xffffffff),
				.true_entry = VE_CAP(0x000011fb, 0x0003ffff),
				.misc = 0x7004c1e7ULL,
				.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
				.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3727ff,
				.ept_vpid = 0xf0106334141ULL,
			},
			.maxphyaddr = 46,
			.host_lma = true,
		},
	},
};

#define VE_LINUX_CR4		0x3706f0ULL	/* the test VM's kernel */
#define VE_EPTP_WALK4		(3ULL << 3)	/* 4-level walk, minus one */
#define VE_TEST_AR_UNUSABLE	(1u << 16)

/*
 * What kmod/vmx/vmcs.c writes on @c for the test VM's 64-bit kernel with
 * interrupts off: controls from hvgdb's own policy (hv_ctls_compute()),
 * the kernel's CR0/CR4 (CR4 cut to what @c allows), flat 64-bit CS/SS,
 * null data segments, busy 64-bit TSS.  False if hvgdb refuses @c.
 */
static inline bool ve_linux_image(const struct hv_ve_cpu *c,
				  struct hv_vmcs_image *v)
{
	const struct hv_vmx_msrs *m = &c->msrs;
	struct hv_ctls k;
	u64 cr4 = (VE_LINUX_CR4 & m->cr4_fixed1) | m->cr4_fixed0;
	int i;

	memset(v, 0, sizeof(*v));
	if (hv_ctls_compute(m, &k) != HV_OK)
		return false;
	v->pin = k.pin;
	v->proc = k.proc;
	v->proc2 = k.proc2;
	v->exit = k.exit;
	v->entry = k.entry;
	v->vpid = (k.proc2 & HV_PROC2_VPID) ? 1 : 0;
	v->msr_bitmap = 0x5000000;
	v->eptp = 0x6000000 | VE_EPTP_WALK4 |
		  ((m->ept_vpid & HV_EPTCAP_WB) ? HV_MEMTYPE_WB : HV_MEMTYPE_UC);

	v->host_cr0 = v->guest_cr0 = 0x80050033;
	v->host_cr3 = 0x2a0c000;
	v->guest_cr3 = 0x1234000;
	v->host_cr4 = v->guest_cr4 = cr4;
	v->host_cs_sel = 0x10;
	v->host_ss_sel = 0x18;
	v->host_tr_sel = 0x40;
	v->host_fs_base = 0x7f0011223340ULL;
	v->host_gs_base = 0xffff88807fc00000ULL;
	v->host_tr_base = 0xfffffe0000003000ULL;
	v->host_gdtr_base = 0xfffffe0000001000ULL;
	v->host_idtr_base = 0xfffffe0000000000ULL;
	v->host_sysenter_esp = 0xfffffe0000003000ULL;
	v->host_sysenter_eip = 0xffffffff81a01590ULL;
	v->host_pat = v->guest_pat = 0x0407050600070106ULL;
	v->host_efer = v->guest_efer = 0xd01;
	v->host_rsp = 0xffffc90000123ff0ULL;
	v->host_rip = 0xffffffffc0012340ULL;

	v->guest_dr7 = 0x400;
	v->guest_rsp = 0xffffc90000013e80ULL;
	v->guest_rip = 0xffffffffc0012000ULL;
	v->guest_rflags = 0x46;
	for (i = 0; i < HV_VE_NSEGS; i++)
		v->seg[i].ar = VE_TEST_AR_UNUSABLE;
	v->seg[HV_VE_CS] = (struct hv_ve_segment){ 0x10, 0, 0xffffffff, 0xa09b };
	v->seg[HV_VE_SS] = (struct hv_ve_segment){ 0x18, 0, 0xffffffff, 0xc093 };
	v->seg[HV_VE_FS].base = 0x7f0011223340ULL;
	v->seg[HV_VE_GS].base = 0xffff88807fc00000ULL;
	v->seg[HV_VE_TR] = (struct hv_ve_segment){ 0x40, 0xfffffe0000003000ULL,
						   0x4087, 0x8b };
	v->gdtr_base = 0xfffffe0000001000ULL;
	v->gdtr_limit = 0x7f;
	v->idtr_base = 0xfffffe0000000000ULL;
	v->idtr_limit = 0xfff;
	v->guest_sysenter_esp = 0xfffffe0000003000ULL;
	v->guest_sysenter_eip = 0xffffffff81a01590ULL;
	v->link_pointer = ~0ULL;
	return true;
}

#endif /* HVGDB_TESTS_VMENTRY_CPUS_H */
