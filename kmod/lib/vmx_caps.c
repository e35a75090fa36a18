// SPDX-License-Identifier: GPL-2.0
/* vmx_caps.c - capability checks and control adjustment (see vmx_caps.h). */
#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/vmx_caps.h"

int hv_adjust_ctl(u64 cap, u32 required, u32 optional, u32 *out)
{
	u32 must1 = (u32)cap, may1 = (u32)(cap >> 32);
	u32 v = must1 | required | (optional & may1);

	*out = v;
	/* A required bit the CPU cannot set, or an inconsistent MSR. */
	return (v & ~may1) ? -1 : 0;
}

/* "GenuineIntel" as CPUID.0 returns it in EBX, EDX, ECX. */
static const u32 hv_intel_vendor[3] = { 0x756e6547, 0x49656e69, 0x6c65746e };

enum hv_refusal hv_check_facts(const struct hv_facts *f)
{
	const struct hv_vmx_msrs *m = &f->msrs;
	struct hv_ctls c;

	if (memcmp(f->vendor, hv_intel_vendor, sizeof(hv_intel_vendor)))
		return HV_REFUSE_NOT_INTEL;
	if (!(f->cpuid1_ecx & (1u << 5)))	/* CPUID.1:ECX.VMX[5] */
		return HV_REFUSE_NO_VMX;
	/* SDM 23.7: VMXON #GPs unless the lock and the outside-SMX bit are set. */
	if (!(m->feature_control & HV_FC_LOCK))
		return HV_REFUSE_FC_UNLOCKED;
	if (!(m->feature_control & HV_FC_VMX_OUTSIDE_SMX))
		return HV_REFUSE_FC_VMX_OFF;
	if (f->cr4 & HV_CR4_VMXE)
		return HV_REFUSE_VMXE_SET;
	if (HV_BASIC_MEMTYPE(m->basic) != HV_MEMTYPE_WB)
		return HV_REFUSE_BASIC_MEMTYPE;
	if (m->basic & HV_BASIC_32BIT_ADDR)
		return HV_REFUSE_BASIC_32BIT;
	if (!(m->basic & HV_BASIC_TRUE_CTLS))
		return HV_REFUSE_BASIC_NO_TRUE;
	if (!((m->true_proc >> 32) & HV_PROC_SECONDARY))
		return HV_REFUSE_NO_SECONDARY;
	if (!((m->proc2 >> 32) & HV_PROC2_EPT))
		return HV_REFUSE_NO_EPT;
	if (!(m->ept_vpid & HV_EPTCAP_WALK4))
		return HV_REFUSE_EPT_WALK;
	return hv_ctls_compute(m, &c);
}

const char *hv_refusal_text(enum hv_refusal r)
{
	switch (r) {
	case HV_OK:
		return "ok";
	case HV_REFUSE_NOT_INTEL:
		return "CPU vendor is not GenuineIntel";
	case HV_REFUSE_NO_VMX:
		return "CPUID reports no VMX";
	case HV_REFUSE_FC_UNLOCKED:
		return "IA32_FEATURE_CONTROL is not locked (BIOS left VMX unconfigured)";
	case HV_REFUSE_FC_VMX_OFF:
		return "IA32_FEATURE_CONTROL disables VMX outside SMX";
	case HV_REFUSE_VMXE_SET:
		return "CR4.VMXE already set: another hypervisor (KVM?) owns VMX";
	case HV_REFUSE_BASIC_MEMTYPE:
		return "IA32_VMX_BASIC: VMCS memory type is not write-back";
	case HV_REFUSE_BASIC_32BIT:
		return "IA32_VMX_BASIC: VMX structures limited to 32-bit addresses";
	case HV_REFUSE_BASIC_NO_TRUE:
		return "IA32_VMX_BASIC: no TRUE capability MSRs";
	case HV_REFUSE_NO_SECONDARY:
		return "no secondary processor-based controls";
	case HV_REFUSE_NO_EPT:
		return "CPU lacks EPT";
	case HV_REFUSE_EPT_WALK:
		return "EPT lacks 4-level page walks";
	case HV_REFUSE_CONTROLS:
		return "a required VM-execution/exit/entry control is not supported";
	}
	return "unknown";
}

static bool hv_streq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strlen(a) == n && !memcmp(a, b, n);
}

bool hv_facts_fake(struct hv_facts *f, const char *what)
{
	if (hv_streq(what, "intel"))
		f->vendor[0] ^= 1;
	else if (hv_streq(what, "vmx"))
		f->cpuid1_ecx &= ~(1u << 5);
	else if (hv_streq(what, "fclock"))
		f->msrs.feature_control &= ~HV_FC_LOCK;
	else if (hv_streq(what, "fcvmx"))
		f->msrs.feature_control &= ~HV_FC_VMX_OUTSIDE_SMX;
	else if (hv_streq(what, "vmxe"))
		f->cr4 |= HV_CR4_VMXE;
	else if (hv_streq(what, "basic"))
		f->msrs.basic &= ~((u64)0xf << 50);
	else if (hv_streq(what, "ept"))
		f->msrs.proc2 &= ~((u64)HV_PROC2_EPT << 32);
	else if (hv_streq(what, "mtf")) {
		/* Not a requirement: hvgdb loads and steps with RFLAGS.TF. */
		f->msrs.proc &= ~((u64)HV_PROC_MTF << 32);
		f->msrs.true_proc &= ~((u64)HV_PROC_MTF << 32);
	}
	else
		return false;
	return true;
}

void hv_caps_decode(const struct hv_vmx_msrs *m, struct hv_caps *c)
{
	u32 pin1, proc1, exit1, proc21 = (u32)(m->proc2 >> 32);

	memset(c, 0, sizeof(*c));
	c->true_ctls = !!(m->basic & HV_BASIC_TRUE_CTLS);
	pin1 = (u32)((c->true_ctls ? m->true_pin : m->pin) >> 32);
	proc1 = (u32)((c->true_ctls ? m->true_proc : m->proc) >> 32);
	exit1 = (u32)((c->true_ctls ? m->true_exit : m->exit) >> 32);
	c->revision = HV_BASIC_REVISION(m->basic);
	c->region_size = HV_BASIC_REGION_SIZE(m->basic);
	c->mtf = !!(proc1 & HV_PROC_MTF);
	c->preempt_timer = !!(pin1 & HV_PIN_PREEMPT_TIMER);
	c->vnmi = !!(pin1 & HV_PIN_VIRTUAL_NMIS);
	c->preempt_rate = HV_MISC_PREEMPT_RATE(m->misc);
	/* Without it every VM entry restarts the count (SDM 26.7.4). */
	c->preempt_save = !!(exit1 & HV_EXIT_SAVE_PREEMPT_TIMER);
	if (!(proc1 & HV_PROC_SECONDARY))
		proc21 = 0;
	c->ept = !!(proc21 & HV_PROC2_EPT);
	c->vpid = !!(proc21 & HV_PROC2_VPID);
	c->unrestricted = !!(proc21 & HV_PROC2_UNRESTRICTED);
	c->rdtscp = !!(proc21 & HV_PROC2_RDTSCP);
	c->invpcid = !!(proc21 & HV_PROC2_INVPCID);
	c->xsaves = !!(proc21 & HV_PROC2_XSAVES);
	if (c->ept) {
		c->ept_2m = !!(m->ept_vpid & HV_EPTCAP_2M);
		c->ept_1g = !!(m->ept_vpid & HV_EPTCAP_1G);
		c->ept_wb = !!(m->ept_vpid & HV_EPTCAP_WB);
		c->ept_ad = !!(m->ept_vpid & HV_EPTCAP_AD);
		c->invept_single = (m->ept_vpid & HV_EPTCAP_INVEPT) &&
				   (m->ept_vpid & HV_EPTCAP_INVEPT_SINGLE);
		c->invept_all = (m->ept_vpid & HV_EPTCAP_INVEPT) &&
				(m->ept_vpid & HV_EPTCAP_INVEPT_ALL);
	}
	if (c->vpid) {
		c->invvpid_single = (m->ept_vpid & HV_VPIDCAP_INVVPID) &&
				    (m->ept_vpid & HV_VPIDCAP_INVVPID_SINGLE);
		c->invvpid_all = (m->ept_vpid & HV_VPIDCAP_INVVPID) &&
				 (m->ept_vpid & HV_VPIDCAP_INVVPID_ALL);
	}
}

enum hv_refusal hv_ctls_compute(const struct hv_vmx_msrs *m,
				struct hv_ctls *out)
{
	int bad = 0;

	/*
	 * Nothing pin-based: external interrupts and NMIs go straight to the
	 * guest.  With the TRUE MSRs, CR3-load/store exiting may be 0, so the
	 * kernel switches address spaces without exits (SDM A.3.2).
	 */
	bad |= hv_adjust_ctl(m->true_pin, 0, 0, &out->pin);
	bad |= hv_adjust_ctl(m->true_proc,
			     HV_PROC_USE_MSR_BITMAPS | HV_PROC_SECONDARY, 0,
			     &out->proc);
	/*
	 * Linux executes RDTSCP/RDPID, INVPCID and XSAVES/XRSTORS when CPUID
	 * reports them; without these enables they #UD in non-root
	 * (SDM 25.6.2 table 25-7), so take each the CPU offers.
	 */
	bad |= hv_adjust_ctl(m->proc2, HV_PROC2_EPT,
			     HV_PROC2_RDTSCP | HV_PROC2_VPID |
			     HV_PROC2_INVPCID | HV_PROC2_XSAVES, &out->proc2);
	bad |= hv_adjust_ctl(m->true_exit,
			     HV_EXIT_HOST_ADDR64 | HV_EXIT_SAVE_EFER |
			     HV_EXIT_LOAD_EFER,
			     HV_EXIT_SAVE_PAT | HV_EXIT_LOAD_PAT |
			     HV_EXIT_SAVE_DEBUG, &out->exit);
	bad |= hv_adjust_ctl(m->true_entry,
			     HV_ENTRY_IA32E | HV_ENTRY_LOAD_EFER,
			     HV_ENTRY_LOAD_PAT | HV_ENTRY_LOAD_DEBUG,
			     &out->entry);
	/* Load PAT on entry only together with saving it on exit. */
	if (!(out->exit & HV_EXIT_SAVE_PAT) || !(out->exit & HV_EXIT_LOAD_PAT))
		out->entry &= ~HV_ENTRY_LOAD_PAT;
	out->exception_bitmap = 0;
	return bad ? HV_REFUSE_CONTROLS : HV_OK;
}
