// SPDX-License-Identifier: GPL-2.0
/*
 * vmentry.c - the SDM's VM-entry checks (kmod/lib/vmentry_check.c) on the
 * live VMCS.
 *
 * hv_vmcs_image_read() fills a struct hv_vmcs_image by VMREAD of each
 * field of the current VMCS; it runs on the CPU that owns the VMCS, with
 * interrupts off (before VMLAUNCH) or in VMX root.  A field the CPU does
 * not have (VMREAD fails) reads as 0.
 *
 * Module parameter vmentry_check (bool, default 0, a debugging switch):
 * hv_cpu_start() calls hv_vmentry_check_launch() after the VMCS set-up; it
 * judges the image against the capability MSRs read at load (hv.msrs),
 * CPUID's MAXPHYADDR and this CPU's EFER.LMA.  A violation is printed
 * ("hvgdb: cpu<N>: VM-entry check: SDM <section> <RULE>: <text>; field
 * <FIELD> = <value>") and the CPU is not launched (-EINVAL).  The pass is
 * printed too, so that a test sees the check ran.  Before VMRESUME the
 * check runs from exit.c without printing (vmentry_resume.c).  Test-only
 * vmentry_check_fake=hlt_ud (at launch) and resume_hlt_ud (at each CPU's
 * first checked resume) edit the image (never the VMCS) so that the
 * refusal paths run in Bochs.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "kmod/vmx/hv.h"
#include "kmod/lib/vmentry_check.h"

bool hv_vmentry_checking;
module_param_named(vmentry_check, hv_vmentry_checking, bool, 0444);
MODULE_PARM_DESC(vmentry_check,
		 "judge each CPU's VMCS by the SDM's VM-entry checks before VMLAUNCH and before each VMRESUME whose entry fields changed; refuse the entry on a violation (debugging, default 0)");

/*
 * Test only: vmentry_check_fake=hlt_ud judges the image as if the entry
 * injected #UD into a CPU in the HLT activity state (the rule Bochs does
 * not enforce), so the refusal path can be seen in the test VM.  The VMCS
 * itself is not changed.
 */
static char *vmentry_check_fake;
module_param(vmentry_check_fake, charp, 0400);
MODULE_PARM_DESC(vmentry_check_fake, "test only: hlt_ud, resume_hlt_ud");

static void hv_vmentry_fake_hlt_ud(struct hv_vmcs_image *img)
{
	img->activity = HV_ACTIVITY_HLT;
	img->entry_intr_info = HV_INTR_INFO_VALID | HV_INTR_TYPE_HW_EXCEPTION |
			       HV_VEC_UD;
}

/* False for a value this build does not know (the launch is refused). */
static bool hv_vmentry_fake(struct hv_vmcs_image *img)
{
	if (!vmentry_check_fake || !*vmentry_check_fake ||
	    !strcmp(vmentry_check_fake, "resume_hlt_ud"))
		return true;
	if (strcmp(vmentry_check_fake, "hlt_ud"))
		return false;
	hv_vmentry_fake_hlt_ud(img);
	return true;
}

/*
 * vmentry_check_fake=resume_hlt_ud: the same edit in the first image
 * judged before a VMRESUME on each CPU (VMX root: no printing), so that
 * the refusal of a resume can be seen in the test VM.
 */
void hv_vmentry_fake_resume(struct hv_vmcs_image *img)
{
	static DEFINE_PER_CPU(bool, hv_ve_faked);

	if (vmentry_check_fake &&
	    !strcmp(vmentry_check_fake, "resume_hlt_ud") &&
	    !this_cpu_read(hv_ve_faked)) {
		this_cpu_write(hv_ve_faked, true);
		hv_vmentry_fake_hlt_ud(img);
	}
}

/* VMREAD that leaves 0 when the field does not exist (VMfailValid). */
static u64 hv_ve_read(u32 field)
{
	u64 v = 0;

	asm volatile("vmread %1, %0" : "+rm"(v) : "r"((u64)field) : "cc");
	return v;
}

void hv_vmcs_image_read(struct hv_vmcs_image *v)
{
	int i;

	memset(v, 0, sizeof(*v));
	v->pin = hv_ve_read(VMCS_PIN_CTLS);
	v->proc = hv_ve_read(VMCS_PROC_CTLS);
	v->proc2 = hv_ve_read(VMCS_PROC2_CTLS);
	v->exit = hv_ve_read(VMCS_EXIT_CTLS);
	v->entry = hv_ve_read(VMCS_ENTRY_CTLS);
	v->vpid = hv_ve_read(VMCS_VPID);
	v->cr3_target_count = hv_ve_read(VMCS_CR3_TARGET_COUNT);
	v->io_bitmap_a = hv_ve_read(VMCS_IO_BITMAP_A);
	v->io_bitmap_b = hv_ve_read(VMCS_IO_BITMAP_B);
	v->msr_bitmap = hv_ve_read(VMCS_MSR_BITMAP);
	v->eptp = hv_ve_read(VMCS_EPT_POINTER);
	v->exit_msr_store_count = hv_ve_read(VMCS_EXIT_MSR_STORE_COUNT);
	v->exit_msr_load_count = hv_ve_read(VMCS_EXIT_MSR_LOAD_COUNT);
	v->entry_msr_load_count = hv_ve_read(VMCS_ENTRY_MSR_LOAD_COUNT);
	v->exit_msr_store_addr = hv_ve_read(VMCS_EXIT_MSR_STORE_ADDR);
	v->exit_msr_load_addr = hv_ve_read(VMCS_EXIT_MSR_LOAD_ADDR);
	v->entry_msr_load_addr = hv_ve_read(VMCS_ENTRY_MSR_LOAD_ADDR);
	v->entry_intr_info = hv_ve_read(VMCS_ENTRY_INTR_INFO);
	v->entry_exc_error = hv_ve_read(VMCS_ENTRY_EXC_ERROR);
	v->entry_insn_len = hv_ve_read(VMCS_ENTRY_INSN_LEN);

	v->host_cr0 = hv_ve_read(VMCS_HOST_CR0);
	v->host_cr3 = hv_ve_read(VMCS_HOST_CR3);
	v->host_cr4 = hv_ve_read(VMCS_HOST_CR4);
	v->host_es_sel = hv_ve_read(VMCS_HOST_ES_SEL);
	v->host_cs_sel = hv_ve_read(VMCS_HOST_CS_SEL);
	v->host_ss_sel = hv_ve_read(VMCS_HOST_SS_SEL);
	v->host_ds_sel = hv_ve_read(VMCS_HOST_DS_SEL);
	v->host_fs_sel = hv_ve_read(VMCS_HOST_FS_SEL);
	v->host_gs_sel = hv_ve_read(VMCS_HOST_GS_SEL);
	v->host_tr_sel = hv_ve_read(VMCS_HOST_TR_SEL);
	v->host_fs_base = hv_ve_read(VMCS_HOST_FS_BASE);
	v->host_gs_base = hv_ve_read(VMCS_HOST_GS_BASE);
	v->host_tr_base = hv_ve_read(VMCS_HOST_TR_BASE);
	v->host_gdtr_base = hv_ve_read(VMCS_HOST_GDTR_BASE);
	v->host_idtr_base = hv_ve_read(VMCS_HOST_IDTR_BASE);
	v->host_sysenter_cs = hv_ve_read(VMCS_HOST_SYSENTER_CS);
	v->host_sysenter_esp = hv_ve_read(VMCS_HOST_SYSENTER_ESP);
	v->host_sysenter_eip = hv_ve_read(VMCS_HOST_SYSENTER_EIP);
	v->host_pat = hv_ve_read(VMCS_HOST_PAT);
	v->host_efer = hv_ve_read(VMCS_HOST_EFER);
	v->host_rsp = hv_ve_read(VMCS_HOST_RSP);
	v->host_rip = hv_ve_read(VMCS_HOST_RIP);

	v->guest_cr0 = hv_ve_read(VMCS_GUEST_CR0);
	v->guest_cr3 = hv_ve_read(VMCS_GUEST_CR3);
	v->guest_cr4 = hv_ve_read(VMCS_GUEST_CR4);
	v->guest_dr7 = hv_ve_read(VMCS_GUEST_DR7);
	v->guest_rsp = hv_ve_read(VMCS_GUEST_RSP);
	v->guest_rip = hv_ve_read(VMCS_GUEST_RIP);
	v->guest_rflags = hv_ve_read(VMCS_GUEST_RFLAGS);
	for (i = 0; i < HV_VE_NSEGS; i++) {
		v->seg[i].sel = hv_ve_read(hv_guest_segs[i].sel);
		v->seg[i].base = hv_ve_read(hv_guest_segs[i].base);
		v->seg[i].limit = hv_ve_read(hv_guest_segs[i].limit);
		v->seg[i].ar = hv_ve_read(hv_guest_segs[i].ar);
	}
	v->gdtr_base = hv_ve_read(VMCS_GUEST_GDTR_BASE);
	v->gdtr_limit = hv_ve_read(VMCS_GUEST_GDTR_LIMIT);
	v->idtr_base = hv_ve_read(VMCS_GUEST_IDTR_BASE);
	v->idtr_limit = hv_ve_read(VMCS_GUEST_IDTR_LIMIT);
	v->guest_debugctl = hv_ve_read(VMCS_GUEST_DEBUGCTL);
	v->guest_pat = hv_ve_read(VMCS_GUEST_PAT);
	v->guest_efer = hv_ve_read(VMCS_GUEST_EFER);
	v->guest_sysenter_cs = hv_ve_read(VMCS_GUEST_SYSENTER_CS);
	v->guest_sysenter_esp = hv_ve_read(VMCS_GUEST_SYSENTER_ESP);
	v->guest_sysenter_eip = hv_ve_read(VMCS_GUEST_SYSENTER_EIP);
	v->activity = hv_ve_read(VMCS_GUEST_ACTIVITY);
	v->interruptibility = hv_ve_read(VMCS_GUEST_INTERRUPTIBILITY);
	v->pending_dbg = hv_ve_read(VMCS_GUEST_PENDING_DBG);
	v->link_pointer = hv_ve_read(VMCS_LINK_POINTER);
}

int hv_vmentry_check_launch(struct hv_cpu *c)
{
	struct hv_vmcs_image img;
	struct hv_ve_cpu cpu = {
		.msrs = hv.msrs,
		.maxphyaddr = boot_cpu_data.x86_phys_bits,
		.host_lma = !!(native_read_msr(MSR_EFER) & EFER_LMA),
	};
	struct hv_ve_result r;
	u64 val = 0;

	if (!hv_vmentry_checking)
		return 0;
	hv_vmcs_image_read(&img);
	/*
	 * hv_vmx_launch() writes GUEST_RSP/RIP just before VMLAUNCH: a
	 * kernel stack address and a label inside itself.  Judge those.
	 */
	img.guest_rip = (unsigned long)hv_vmx_launch;
	img.guest_rsp = current_stack_pointer;
	if (!hv_vmentry_fake(&img)) {
		pr_err("hvgdb: cpu%u: VM-entry check: unknown vmentry_check_fake=%s (hlt_ud, resume_hlt_ud)\n",
		       smp_processor_id(), vmentry_check_fake);
		return -EINVAL;
	}
	r = hv_vmentry_check(&img, &cpu);
	hv_vmentry_capture_launch(&img);
	if (r.rule == HV_VE_OK) {
		pr_info("hvgdb: cpu%u: VM-entry check: passed (%d rules, SDM 27.2-27.3)\n",
			smp_processor_id(), HV_VE_NRULES - 1);
		return 0;
	}
	hv_ve_image_field(&img, r.field, &val);
	pr_err("hvgdb: cpu%u: VM-entry check: SDM %s %s: %s; field %s = 0x%llx\n",
	       smp_processor_id(), hv_ve_rule_sdm(r.rule),
	       hv_ve_rule_name(r.rule), hv_ve_rule_text(r.rule),
	       hv_ve_field_name(r.field), (unsigned long long)val);
	return -EINVAL;
}
