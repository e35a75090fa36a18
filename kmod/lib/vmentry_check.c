// SPDX-License-Identifier: GPL-2.0
/*
 * vmentry_check.c - SDM Vol. 3C chapter 27 VM-entry checks over a VMCS
 * image (see vmentry_check.h).  Every rule cites its section; the order is
 * the SDM's, so the rule returned is the one hardware would report first
 * (27.2 failures: VM-instruction error 7 or 8; 27.3: exit reason 33).
 */
#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/vmx_caps.h"
#include "kmod/lib/vmentry_check.h"

/* Architectural bits the checks read (SDM Vol. 3A 2.5, 2.2.1, 3.4, 17.2). */
#define VE_CR0_PE		(1ULL << 0)
#define VE_CR0_PG		(1ULL << 31)
#define VE_CR4_PAE		(1ULL << 5)
#define VE_CR4_LA57		(1ULL << 12)
#define VE_CR4_PCIDE		(1ULL << 17)
#define VE_EFER_SCE		(1ULL << 0)
#define VE_EFER_LME		(1ULL << 8)
#define VE_EFER_LMA		(1ULL << 10)
#define VE_EFER_NXE		(1ULL << 11)
#define VE_EFER_VALID		(VE_EFER_SCE | VE_EFER_LME | VE_EFER_LMA | \
				 VE_EFER_NXE)
#define VE_RFLAGS_FIXED1	(1ULL << 1)
#define VE_RFLAGS_TF		(1ULL << 8)
#define VE_RFLAGS_IF		(1ULL << 9)
#define VE_RFLAGS_VM		(1ULL << 17)
#define VE_RFLAGS_RESERVED	(~0ULL << 22 | 1ULL << 15 | 1ULL << 5 | \
				 1ULL << 3)
#define VE_DEBUGCTL_BTF		(1ULL << 1)
#define VE_DEBUGCTL_RESERVED	(~0ULL << 16 | 0x3cULL)	/* bits 63:16, 5:2 */
#define VE_DR7_HIGH		(~0ULL << 32)
#define VE_HIGH32		(~0ULL << 32)
#define VE_SEL_RPL_MASK		3u
#define VE_SEL_TI		(1u << 2)
/* Pending debug exceptions (25.4.2 table 25-4). */
#define VE_PDBG_BS		(1ULL << 14)
#define VE_PDBG_VALID		(0xfULL | 1ULL << 12 | VE_PDBG_BS | 1ULL << 16)
/* Access rights (25.4.1 table 25-2). */
#define VE_AR_TYPE_MASK		0xfu
#define VE_AR_TYPE_ACCESSED	(1u << 0)
#define VE_AR_TYPE_READABLE	(1u << 1)	/* code segments */
#define VE_AR_TYPE_CODE		(1u << 3)
#define VE_AR_S			(1u << 4)
#define VE_AR_P			(1u << 7)
#define VE_AR_L			(1u << 13)
#define VE_AR_DB		(1u << 14)
#define VE_AR_G			(1u << 15)
#define VE_AR_UNUSABLE		(1u << 16)
#define VE_AR_RESERVED		(0xfu << 8 | ~0u << 17)
#define VE_TYPE_DATA_RW_ACC	3u	/* read/write, accessed */
#define VE_TYPE_DATA_RWD_ACC	7u	/* read/write, expand-down, accessed */
#define VE_TYPE_LDT		2u
#define VE_TYPE_TSS16_BUSY	3u
#define VE_TYPE_TSS_BUSY	11u	/* 32-bit, or 64-bit in IA-32e mode */
#define VE_TYPE_CODE_CONFORMING	(1u << 2)
#define VE_LIMIT_PAGE_LOW	0xfffu
#define VE_LIMIT_BYTE_HIGH	0xfff00000u
#define VE_DT_LIMIT_HIGH	0xffff0000u
/* EPTP (25.6.11). */
#define VE_EPTP_MEMTYPE_MASK	7ULL
#define VE_EPTP_WALK_SHIFT	3
#define VE_EPTP_WALK_MASK	(7ULL << VE_EPTP_WALK_SHIFT)
#define VE_EPTP_AD		(1ULL << 6)
#define VE_EPTP_RESERVED	(0x1fULL << 7)		/* bits 11:7 */
/* Alignment of VMX structures. */
#define VE_PAGE_MASK		0xfffULL
#define VE_MSR_AREA_MASK	0xfULL
#define VE_MSR_ENTRY_SIZE	16ULL
/* Vectors not in vmx_defs.h (SDM Vol. 3A table 6-1). */
#define VE_VEC_TS		10
#define VE_VEC_NP		11
#define VE_VEC_SS		12
#define VE_VEC_AC		17
#define VE_VEC_CP		21
#define VE_VEC_LAST_EXCEPTION	31
#define VE_INTR_INFO_RESERVED	0x7ffff000u	/* bits 30:12 */
#define VE_INTR_TYPE_RESERVED	(1u << 8)
#define VE_ERROR_CODE_RESERVED	0xffff0000u
#define VE_INSN_LEN_MAX		15
/* Bits 31:5; bit 4 (enclave interruption) is not checked. */
#define VE_INTR_RESERVED	(~0u << 5)

#define VE_FAIL(r, f) \
	((struct hv_ve_result){ .rule = HV_VE_##r, .field = (f) })
#define VE_PASS VE_FAIL(OK, 0)
#define VE_TRY(expr) do {					\
		struct hv_ve_result _r = (expr);		\
		if (_r.rule != HV_VE_OK)			\
			return _r;				\
	} while (0)

/* Control @v within a capability MSR (SDM A.3): low half must-1, high may-1. */
static bool ve_ctl_ok(u32 v, u64 cap)
{
	u32 must1 = (u32)cap, may1 = (u32)(cap >> 32);

	return (v & must1) == must1 && !(v & ~may1);
}

static bool ve_may1(u64 cap, u32 bit)
{
	return (u32)(cap >> 32) & bit;
}

static bool ve_canonical(u64 v, bool la57)
{
	unsigned int drop = la57 ? 64 - 57 : 64 - 48;

	return (u64)((s64)(v << drop) >> drop) == v;
}

/* A physical address @a with the low @align_mask bits 0, below MAXPHYADDR. */
static bool ve_pa_ok(u64 a, u64 align_mask, u8 maxphyaddr)
{
	return !(a & align_mask) && (maxphyaddr >= 64 || !(a >> maxphyaddr));
}

/* An MSR area of @count 16-byte entries at @a (27.2.1.2, 27.2.1.3). */
static bool ve_msr_area_ok(u64 a, u32 count, u8 maxphyaddr)
{
	if (!count)
		return true;
	return ve_pa_ok(a, VE_MSR_AREA_MASK, maxphyaddr) &&
	       ve_pa_ok(a + (u64)count * VE_MSR_ENTRY_SIZE - 1, 0, maxphyaddr);
}

/* Each IA32_PAT entry a memory type (SDM Vol. 3A 12.12.2): 0, 1, 4-7. */
static bool ve_pat_ok(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t > HV_MEMTYPE_WB + 1 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static u32 ve_proc2(const struct hv_vmcs_image *v)
{
	/* Secondary controls act as 0 when not activated (25.6.2). */
	return (v->proc & HV_PROC_SECONDARY) ? v->proc2 : 0;
}

static bool ve_unrestricted(const struct hv_vmcs_image *v)
{
	return ve_proc2(v) & HV_PROC2_UNRESTRICTED;
}

static bool ve_ia32e_guest(const struct hv_vmcs_image *v)
{
	return v->entry & HV_ENTRY_IA32E;
}

static bool ve_injecting(const struct hv_vmcs_image *v, u32 type)
{
	return hv_intr_info_valid(v->entry_intr_info) &&
	       hv_intr_info_type(v->entry_intr_info) == type;
}

static bool ve_vector_has_error_code(u32 vec)
{
	switch (vec) {
	case HV_VEC_DF: case VE_VEC_TS: case VE_VEC_NP: case VE_VEC_SS:
	case HV_VEC_GP: case HV_VEC_PF: case VE_VEC_AC: case VE_VEC_CP:
		return true;
	}
	return false;
}

static u32 ve_ar_type(u32 ar)
{
	return ar & VE_AR_TYPE_MASK;
}

static u32 ve_ar_dpl(u32 ar)
{
	return (ar & HV_AR_DPL_MASK) >> HV_AR_DPL_SHIFT;
}

static bool ve_usable(const struct hv_ve_segment *s)
{
	return !(s->ar & VE_AR_UNUSABLE);
}

/* 27.2.1.1: VM-execution control fields. */
static struct hv_ve_result ve_exec_controls(const struct hv_vmcs_image *v,
					    const struct hv_ve_cpu *c)
{
	const struct hv_vmx_msrs *m = &c->msrs;
	u32 p2 = ve_proc2(v);

	if (!ve_ctl_ok(v->pin, m->true_pin))
		return VE_FAIL(PIN_CTLS, VMCS_PIN_CTLS);
	if (!ve_ctl_ok(v->proc, m->true_proc))
		return VE_FAIL(PROC_CTLS, VMCS_PROC_CTLS);
	if ((v->proc & HV_PROC_SECONDARY) && !ve_ctl_ok(v->proc2, m->proc2))
		return VE_FAIL(PROC2_CTLS, VMCS_PROC2_CTLS);
	if (v->cr3_target_count > HV_MISC_CR3_TARGETS(m->misc))
		return VE_FAIL(CR3_TARGETS, VMCS_CR3_TARGET_COUNT);
	if (v->proc & HV_PROC_USE_IO_BITMAPS) {
		if (!ve_pa_ok(v->io_bitmap_a, VE_PAGE_MASK, c->maxphyaddr))
			return VE_FAIL(IO_BITMAP_ADDR, VMCS_IO_BITMAP_A);
		if (!ve_pa_ok(v->io_bitmap_b, VE_PAGE_MASK, c->maxphyaddr))
			return VE_FAIL(IO_BITMAP_ADDR, VMCS_IO_BITMAP_B);
	}
	if ((v->proc & HV_PROC_USE_MSR_BITMAPS) &&
	    !ve_pa_ok(v->msr_bitmap, VE_PAGE_MASK, c->maxphyaddr))
		return VE_FAIL(MSR_BITMAP_ADDR, VMCS_MSR_BITMAP);
	if (!(v->proc & HV_PROC_TPR_SHADOW) &&
	    (p2 & (HV_PROC2_VIRT_X2APIC | HV_PROC2_APIC_REG_VIRT |
		   HV_PROC2_VIRT_INTR_DELIVERY)))
		return VE_FAIL(TPR_SHADOW_DEPS, VMCS_PROC2_CTLS);
	if (!(v->pin & HV_PIN_NMI_EXITING) && (v->pin & HV_PIN_VIRTUAL_NMIS))
		return VE_FAIL(VNMI_NEEDS_NMI_EXIT, VMCS_PIN_CTLS);
	if (!(v->pin & HV_PIN_VIRTUAL_NMIS) && (v->proc & HV_PROC_NMI_WINDOW))
		return VE_FAIL(NMI_WINDOW_NEEDS_VNMI, VMCS_PROC_CTLS);
	if ((p2 & HV_PROC2_VIRT_X2APIC) && (p2 & HV_PROC2_VIRT_APIC_ACCESS))
		return VE_FAIL(X2APIC_AND_APIC_ACCESS, VMCS_PROC2_CTLS);
	if ((p2 & HV_PROC2_VIRT_INTR_DELIVERY) &&
	    !(v->pin & HV_PIN_EXT_INTR_EXITING))
		return VE_FAIL(VID_NEEDS_EXT_INTR_EXIT, VMCS_PIN_CTLS);
	if ((v->pin & HV_PIN_POSTED_INTR) &&
	    (!(p2 & HV_PROC2_VIRT_INTR_DELIVERY) ||
	     !(v->exit & HV_EXIT_ACK_INTR)))
		return VE_FAIL(POSTED_INTR_DEPS, VMCS_PIN_CTLS);
	if ((p2 & HV_PROC2_VPID) && !v->vpid)
		return VE_FAIL(VPID_ZERO, VMCS_VPID);
	if (p2 & HV_PROC2_EPT) {
		u64 mt = v->eptp & VE_EPTP_MEMTYPE_MASK;
		u64 walk = (v->eptp & VE_EPTP_WALK_MASK) >> VE_EPTP_WALK_SHIFT;

		if (!((mt == HV_MEMTYPE_UC && (m->ept_vpid & HV_EPTCAP_UC)) ||
		      (mt == HV_MEMTYPE_WB && (m->ept_vpid & HV_EPTCAP_WB))))
			return VE_FAIL(EPTP_MEMTYPE, VMCS_EPT_POINTER);
		/* The field holds the walk length minus one. */
		if (!((walk == 3 && (m->ept_vpid & HV_EPTCAP_WALK4)) ||
		      (walk == 4 && (m->ept_vpid & HV_EPTCAP_WALK5))))
			return VE_FAIL(EPTP_WALK, VMCS_EPT_POINTER);
		if ((v->eptp & VE_EPTP_AD) && !(m->ept_vpid & HV_EPTCAP_AD))
			return VE_FAIL(EPTP_AD, VMCS_EPT_POINTER);
		if ((v->eptp & VE_EPTP_RESERVED) ||
		    !ve_pa_ok(v->eptp & ~VE_PAGE_MASK, 0, c->maxphyaddr))
			return VE_FAIL(EPTP_RESERVED, VMCS_EPT_POINTER);
	}
	if (!(p2 & HV_PROC2_EPT)) {
		if (p2 & HV_PROC2_UNRESTRICTED)
			return VE_FAIL(UNRESTRICTED_NEEDS_EPT, VMCS_PROC2_CTLS);
		if (p2 & HV_PROC2_PML)
			return VE_FAIL(PML_NEEDS_EPT, VMCS_PROC2_CTLS);
		if (p2 & HV_PROC2_MODE_BASED_EPT_EXEC)
			return VE_FAIL(MBEC_NEEDS_EPT, VMCS_PROC2_CTLS);
		if (p2 & HV_PROC2_SUBPAGE_WRITE)
			return VE_FAIL(SPP_NEEDS_EPT, VMCS_PROC2_CTLS);
	}
	return VE_PASS;
}

/* 27.2.1.2: VM-exit control fields. */
static struct hv_ve_result ve_exit_controls(const struct hv_vmcs_image *v,
					    const struct hv_ve_cpu *c)
{
	if (!ve_ctl_ok(v->exit, c->msrs.true_exit))
		return VE_FAIL(EXIT_CTLS, VMCS_EXIT_CTLS);
	if ((v->exit & HV_EXIT_SAVE_PREEMPT_TIMER) &&
	    !(v->pin & HV_PIN_PREEMPT_TIMER))
		return VE_FAIL(EXIT_SAVE_TIMER, VMCS_EXIT_CTLS);
	if (!ve_msr_area_ok(v->exit_msr_store_addr, v->exit_msr_store_count,
			    c->maxphyaddr))
		return VE_FAIL(EXIT_MSR_STORE_ADDR, VMCS_EXIT_MSR_STORE_ADDR);
	if (!ve_msr_area_ok(v->exit_msr_load_addr, v->exit_msr_load_count,
			    c->maxphyaddr))
		return VE_FAIL(EXIT_MSR_LOAD_ADDR, VMCS_EXIT_MSR_LOAD_ADDR);
	return VE_PASS;
}

/* 27.2.1.3: VM-entry control fields, with the event-injection field. */
static struct hv_ve_result ve_entry_controls(const struct hv_vmcs_image *v,
					     const struct hv_ve_cpu *c)
{
	u32 info = v->entry_intr_info;
	u32 type = hv_intr_info_type(info), vec = hv_intr_info_vector(info);
	bool prot_mode;

	if (!ve_ctl_ok(v->entry, c->msrs.true_entry))
		return VE_FAIL(ENTRY_CTLS, VMCS_ENTRY_CTLS);
	/* hvgdb is never entered from SMM. */
	if (v->entry & (HV_ENTRY_SMM | HV_ENTRY_DEACT_DUAL_MONITOR))
		return VE_FAIL(ENTRY_SMM, VMCS_ENTRY_CTLS);
	if (!ve_msr_area_ok(v->entry_msr_load_addr, v->entry_msr_load_count,
			    c->maxphyaddr))
		return VE_FAIL(ENTRY_MSR_LOAD_ADDR, VMCS_ENTRY_MSR_LOAD_ADDR);
	if (!hv_intr_info_valid(info))
		return VE_PASS;
	if (info & VE_INTR_INFO_RESERVED)
		return VE_FAIL(EVT_RESERVED, VMCS_ENTRY_INTR_INFO);
	if (type == VE_INTR_TYPE_RESERVED ||
	    (type == HV_INTR_TYPE_OTHER &&
	     !ve_may1(c->msrs.true_proc, HV_PROC_MTF)))
		return VE_FAIL(EVT_TYPE, VMCS_ENTRY_INTR_INFO);
	if (type == HV_INTR_TYPE_NMI && vec != HV_VEC_NMI)
		return VE_FAIL(EVT_NMI_VECTOR, VMCS_ENTRY_INTR_INFO);
	if (type == HV_INTR_TYPE_HW_EXCEPTION && vec > VE_VEC_LAST_EXCEPTION)
		return VE_FAIL(EVT_HW_EXC_VECTOR, VMCS_ENTRY_INTR_INFO);
	if (type == HV_INTR_TYPE_OTHER && vec != 0)
		return VE_FAIL(EVT_OTHER_VECTOR, VMCS_ENTRY_INTR_INFO);
	/*
	 * Deliver error code: 1 exactly for a hardware exception that pushes
	 * one, in protected mode; IA32_VMX_BASIC[56] lifts the vector test.
	 */
	prot_mode = !ve_unrestricted(v) || (v->guest_cr0 & VE_CR0_PE);
	if (!(prot_mode && type == HV_INTR_TYPE_HW_EXCEPTION &&
	      (c->msrs.basic & HV_BASIC_ANY_ERRCODE))) {
		bool want = prot_mode && type == HV_INTR_TYPE_HW_EXCEPTION &&
			    ve_vector_has_error_code(vec);

		if (!!(info & HV_INTR_DELIVER_ERROR) != want)
			return VE_FAIL(EVT_ERROR_CODE, VMCS_ENTRY_INTR_INFO);
	} else if (!prot_mode && (info & HV_INTR_DELIVER_ERROR)) {
		return VE_FAIL(EVT_ERROR_CODE, VMCS_ENTRY_INTR_INFO);
	}
	if ((info & HV_INTR_DELIVER_ERROR) &&
	    (v->entry_exc_error & VE_ERROR_CODE_RESERVED))
		return VE_FAIL(EVT_ERROR_CODE_RESERVED, VMCS_ENTRY_EXC_ERROR);
	if (hv_is_software_event(info) &&
	    (v->entry_insn_len > VE_INSN_LEN_MAX ||
	     (v->entry_insn_len == 0 &&
	      !(c->msrs.misc & HV_MISC_INJECT_LEN0))))
		return VE_FAIL(EVT_INSN_LEN, VMCS_ENTRY_INSN_LEN);
	return VE_PASS;
}

/* 27.2.2-27.2.4: host state. */
static struct hv_ve_result ve_host_state(const struct hv_vmcs_image *v,
					 const struct hv_ve_cpu *c)
{
	const struct hv_vmx_msrs *m = &c->msrs;
	bool addr64 = v->exit & HV_EXIT_HOST_ADDR64;
	bool la57 = v->host_cr4 & VE_CR4_LA57;
	const struct { u32 field; u16 sel; } sels[] = {
		{ VMCS_HOST_ES_SEL, v->host_es_sel },
		{ VMCS_HOST_CS_SEL, v->host_cs_sel },
		{ VMCS_HOST_SS_SEL, v->host_ss_sel },
		{ VMCS_HOST_DS_SEL, v->host_ds_sel },
		{ VMCS_HOST_FS_SEL, v->host_fs_sel },
		{ VMCS_HOST_GS_SEL, v->host_gs_sel },
		{ VMCS_HOST_TR_SEL, v->host_tr_sel },
	};
	const struct { u32 field; u64 base; } bases[] = {
		{ VMCS_HOST_FS_BASE, v->host_fs_base },
		{ VMCS_HOST_GS_BASE, v->host_gs_base },
		{ VMCS_HOST_GDTR_BASE, v->host_gdtr_base },
		{ VMCS_HOST_IDTR_BASE, v->host_idtr_base },
		{ VMCS_HOST_TR_BASE, v->host_tr_base },
	};
	size_t i;

	/* 27.2.2 */
	if ((v->host_cr0 & m->cr0_fixed0) != m->cr0_fixed0 ||
	    (v->host_cr0 & ~m->cr0_fixed1))
		return VE_FAIL(HOST_CR0, VMCS_HOST_CR0);
	if ((v->host_cr4 & m->cr4_fixed0) != m->cr4_fixed0 ||
	    (v->host_cr4 & ~m->cr4_fixed1))
		return VE_FAIL(HOST_CR4, VMCS_HOST_CR4);
	if (!ve_pa_ok(v->host_cr3, 0, c->maxphyaddr))
		return VE_FAIL(HOST_CR3, VMCS_HOST_CR3);
	if (!ve_canonical(v->host_sysenter_esp, la57))
		return VE_FAIL(HOST_CANONICAL, VMCS_HOST_SYSENTER_ESP);
	if (!ve_canonical(v->host_sysenter_eip, la57))
		return VE_FAIL(HOST_CANONICAL, VMCS_HOST_SYSENTER_EIP);
	if ((v->exit & HV_EXIT_LOAD_PAT) && !ve_pat_ok(v->host_pat))
		return VE_FAIL(HOST_PAT, VMCS_HOST_PAT);
	if (v->exit & HV_EXIT_LOAD_EFER) {
		if (v->host_efer & ~VE_EFER_VALID)
			return VE_FAIL(HOST_EFER_RESERVED, VMCS_HOST_EFER);
		if (!!(v->host_efer & VE_EFER_LMA) != addr64 ||
		    !!(v->host_efer & VE_EFER_LME) != addr64)
			return VE_FAIL(HOST_EFER_LMA, VMCS_HOST_EFER);
	}
	/* 27.2.3 */
	for (i = 0; i < ARRAY_SIZE(sels); i++) {
		if (sels[i].sel & (VE_SEL_RPL_MASK | VE_SEL_TI))
			return VE_FAIL(HOST_SEL_RPL_TI, sels[i].field);
	}
	if (!v->host_cs_sel)
		return VE_FAIL(HOST_CS_NULL, VMCS_HOST_CS_SEL);
	if (!v->host_tr_sel)
		return VE_FAIL(HOST_TR_NULL, VMCS_HOST_TR_SEL);
	if (!addr64 && !v->host_ss_sel)
		return VE_FAIL(HOST_SS_NULL, VMCS_HOST_SS_SEL);
	for (i = 0; i < ARRAY_SIZE(bases); i++)
		if (!ve_canonical(bases[i].base, la57))
			return VE_FAIL(HOST_BASE_CANONICAL, bases[i].field);
	/* 27.2.4 */
	if (c->host_lma != addr64)
		return VE_FAIL(HOST_ADDR_SPACE, VMCS_EXIT_CTLS);
	if (!c->host_lma && ve_ia32e_guest(v))
		return VE_FAIL(GUEST_IA32E_OUTSIDE, VMCS_ENTRY_CTLS);
	if (addr64 && !(v->host_cr4 & VE_CR4_PAE))
		return VE_FAIL(HOST_ADDR64_PAE, VMCS_HOST_CR4);
	if (!addr64 && (v->host_cr4 & VE_CR4_PCIDE))
		return VE_FAIL(HOST_PCIDE_NEEDS_ADDR64, VMCS_HOST_CR4);
	if (addr64 ? !ve_canonical(v->host_rip, la57) :
		     !!(v->host_rip & VE_HIGH32))
		return VE_FAIL(HOST_RIP, VMCS_HOST_RIP);
	return VE_PASS;
}

/* 27.3.1.1: control registers, debug registers, MSRs. */
static struct hv_ve_result ve_guest_regs(const struct hv_vmcs_image *v,
					 const struct hv_ve_cpu *c)
{
	const struct hv_vmx_msrs *m = &c->msrs;
	u64 cr0_fixed0 = m->cr0_fixed0;
	bool la57 = v->guest_cr4 & VE_CR4_LA57;
	bool ia32e = ve_ia32e_guest(v);

	if (ve_unrestricted(v))
		cr0_fixed0 &= ~(VE_CR0_PE | VE_CR0_PG);
	if ((v->guest_cr0 & cr0_fixed0) != cr0_fixed0 ||
	    (v->guest_cr0 & ~m->cr0_fixed1))
		return VE_FAIL(GUEST_CR0, VMCS_GUEST_CR0);
	if ((v->guest_cr0 & VE_CR0_PG) && !(v->guest_cr0 & VE_CR0_PE))
		return VE_FAIL(GUEST_CR0_PG_PE, VMCS_GUEST_CR0);
	if ((v->guest_cr4 & m->cr4_fixed0) != m->cr4_fixed0 ||
	    (v->guest_cr4 & ~m->cr4_fixed1))
		return VE_FAIL(GUEST_CR4, VMCS_GUEST_CR4);
	if ((v->entry & HV_ENTRY_LOAD_DEBUG) &&
	    (v->guest_debugctl & VE_DEBUGCTL_RESERVED))
		return VE_FAIL(GUEST_DEBUGCTL, VMCS_GUEST_DEBUGCTL);
	if (ia32e && (!(v->guest_cr0 & VE_CR0_PG) ||
		      !(v->guest_cr4 & VE_CR4_PAE)))
		return VE_FAIL(GUEST_IA32E_PG_PAE, VMCS_ENTRY_CTLS);
	if (!ia32e && (v->guest_cr4 & VE_CR4_PCIDE))
		return VE_FAIL(GUEST_PCIDE_NEEDS_IA32E, VMCS_GUEST_CR4);
	if (!ve_pa_ok(v->guest_cr3, 0, c->maxphyaddr))
		return VE_FAIL(GUEST_CR3, VMCS_GUEST_CR3);
	if ((v->entry & HV_ENTRY_LOAD_DEBUG) && (v->guest_dr7 & VE_DR7_HIGH))
		return VE_FAIL(GUEST_DR7, VMCS_GUEST_DR7);
	if (!ve_canonical(v->guest_sysenter_esp, la57))
		return VE_FAIL(GUEST_SYSENTER, VMCS_GUEST_SYSENTER_ESP);
	if (!ve_canonical(v->guest_sysenter_eip, la57))
		return VE_FAIL(GUEST_SYSENTER, VMCS_GUEST_SYSENTER_EIP);
	if ((v->entry & HV_ENTRY_LOAD_PAT) && !ve_pat_ok(v->guest_pat))
		return VE_FAIL(GUEST_PAT, VMCS_GUEST_PAT);
	if (v->entry & HV_ENTRY_LOAD_EFER) {
		bool lma = v->guest_efer & VE_EFER_LMA;

		if (v->guest_efer & ~VE_EFER_VALID)
			return VE_FAIL(GUEST_EFER_RESERVED, VMCS_GUEST_EFER);
		if (lma != ia32e || ((v->guest_cr0 & VE_CR0_PG) &&
				     !!(v->guest_efer & VE_EFER_LME) != lma))
			return VE_FAIL(GUEST_EFER_LMA, VMCS_GUEST_EFER);
	}
	return VE_PASS;
}

/* Limit and G agree (27.3.1.2): a byte limit fits 20 bits, a page one ends in fff. */
static bool ve_limit_g_ok(const struct hv_ve_segment *s)
{
	if ((s->limit & VE_LIMIT_PAGE_LOW) != VE_LIMIT_PAGE_LOW &&
	    (s->ar & VE_AR_G))
		return false;
	if ((s->limit & VE_LIMIT_BYTE_HIGH) && !(s->ar & VE_AR_G))
		return false;
	return true;
}

/* The access-rights rules common to the segments that are usable. */
static struct hv_ve_result ve_seg_common(const struct hv_ve_segment *s,
					 enum hv_ve_seg i, bool want_s)
{
	if (!!(s->ar & VE_AR_S) != want_s)
		return VE_FAIL(GUEST_SEG_S, hv_guest_segs[i].ar);
	if (!(s->ar & VE_AR_P))
		return VE_FAIL(GUEST_SEG_PRESENT, hv_guest_segs[i].ar);
	if (s->ar & VE_AR_RESERVED)
		return VE_FAIL(GUEST_SEG_AR_RESERVED, hv_guest_segs[i].ar);
	if (!ve_limit_g_ok(s))
		return VE_FAIL(GUEST_SEG_G, hv_guest_segs[i].ar);
	return VE_PASS;
}

/*
 * 27.3.1.2: segment registers, for a guest outside virtual-8086 mode
 * (RFLAGS.VM 1 is not checked further: see the header).
 */
static struct hv_ve_result ve_guest_segments(const struct hv_vmcs_image *v)
{
	const struct hv_ve_segment *cs = &v->seg[HV_VE_CS];
	const struct hv_ve_segment *ss = &v->seg[HV_VE_SS];
	const struct hv_ve_segment *tr = &v->seg[HV_VE_TR];
	const struct hv_ve_segment *ldtr = &v->seg[HV_VE_LDTR];
	bool unrestricted = ve_unrestricted(v);
	bool la57 = v->guest_cr4 & VE_CR4_LA57;
	bool ia32e = ve_ia32e_guest(v);
	u32 cs_type = ve_ar_type(cs->ar);
	int i;

	if (tr->sel & VE_SEL_TI)
		return VE_FAIL(GUEST_TR_TI, VMCS_GUEST_TR_SEL);
	if (ve_usable(ldtr) && (ldtr->sel & VE_SEL_TI))
		return VE_FAIL(GUEST_LDTR_TI, VMCS_GUEST_LDTR_SEL);
	if (v->guest_rflags & VE_RFLAGS_VM)
		return VE_PASS;
	if (!unrestricted &&
	    (ss->sel & VE_SEL_RPL_MASK) != (cs->sel & VE_SEL_RPL_MASK))
		return VE_FAIL(GUEST_SS_RPL, VMCS_GUEST_SS_SEL);
	/* Bases: FS, GS, TR, usable LDTR canonical; CS, usable SS/DS/ES 32-bit. */
	for (i = 0; i < HV_VE_NSEGS; i++) {
		const struct hv_ve_segment *s = &v->seg[i];
		bool ok;

		switch (i) {
		case HV_VE_FS: case HV_VE_GS: case HV_VE_TR:
			ok = ve_canonical(s->base, la57);
			break;
		case HV_VE_LDTR:
			ok = !ve_usable(s) || ve_canonical(s->base, la57);
			break;
		case HV_VE_CS:
			ok = !(s->base & VE_HIGH32);
			break;
		default:
			ok = !ve_usable(s) || !(s->base & VE_HIGH32);
		}
		if (!ok)
			return VE_FAIL(GUEST_SEG_BASE, hv_guest_segs[i].base);
	}
	/* Types. */
	if (!(cs_type == 9 || cs_type == 11 || cs_type == 13 ||
	      cs_type == 15 || (unrestricted && cs_type == VE_TYPE_DATA_RW_ACC)))
		return VE_FAIL(GUEST_CS_TYPE, VMCS_GUEST_CS_AR);
	if (ve_usable(ss) && ve_ar_type(ss->ar) != VE_TYPE_DATA_RW_ACC &&
	    ve_ar_type(ss->ar) != VE_TYPE_DATA_RWD_ACC)
		return VE_FAIL(GUEST_SS_TYPE, VMCS_GUEST_SS_AR);
	for (i = HV_VE_ES; i <= HV_VE_GS; i++) {
		u32 t = ve_ar_type(v->seg[i].ar);

		if (i == HV_VE_CS || i == HV_VE_SS || !ve_usable(&v->seg[i]))
			continue;
		if (!(t & VE_AR_TYPE_ACCESSED) ||
		    ((t & VE_AR_TYPE_CODE) && !(t & VE_AR_TYPE_READABLE)))
			return VE_FAIL(GUEST_DATA_TYPE, hv_guest_segs[i].ar);
	}
	/* S, P, reserved bits, granularity of CS and the usable data segments. */
	for (i = HV_VE_ES; i <= HV_VE_GS; i++) {
		if (i != HV_VE_CS && !ve_usable(&v->seg[i]))
			continue;
		VE_TRY(ve_seg_common(&v->seg[i], i, true));
	}
	/* DPLs. */
	if (cs_type == VE_TYPE_DATA_RW_ACC ? ve_ar_dpl(cs->ar) != 0 :
	    (cs_type & VE_TYPE_CODE_CONFORMING) ?
	    ve_ar_dpl(cs->ar) > ve_ar_dpl(ss->ar) :
	    ve_ar_dpl(cs->ar) != ve_ar_dpl(ss->ar))
		return VE_FAIL(GUEST_CS_DPL, VMCS_GUEST_CS_AR);
	if (!unrestricted &&
	    ve_ar_dpl(ss->ar) != (ss->sel & VE_SEL_RPL_MASK))
		return VE_FAIL(GUEST_SS_DPL, VMCS_GUEST_SS_AR);
	for (i = HV_VE_ES; i <= HV_VE_GS; i++) {
		const struct hv_ve_segment *s = &v->seg[i];

		if (i == HV_VE_CS || i == HV_VE_SS || unrestricted ||
		    !ve_usable(s) || ve_ar_type(s->ar) > 11)
			continue;
		if (ve_ar_dpl(s->ar) < (s->sel & VE_SEL_RPL_MASK))
			return VE_FAIL(GUEST_DATA_DPL, hv_guest_segs[i].ar);
	}
	if (ia32e && (cs->ar & VE_AR_L) && (cs->ar & VE_AR_DB))
		return VE_FAIL(GUEST_CS_L_D, VMCS_GUEST_CS_AR);
	/* TR: always usable, a busy TSS. */
	if (ia32e ? ve_ar_type(tr->ar) != VE_TYPE_TSS_BUSY :
	    (ve_ar_type(tr->ar) != VE_TYPE_TSS_BUSY &&
	     ve_ar_type(tr->ar) != VE_TYPE_TSS16_BUSY))
		return VE_FAIL(GUEST_TR_TYPE, VMCS_GUEST_TR_AR);
	if (!ve_usable(tr) || (tr->ar & VE_AR_S) || !(tr->ar & VE_AR_P))
		return VE_FAIL(GUEST_TR_AR, VMCS_GUEST_TR_AR);
	VE_TRY(ve_seg_common(tr, HV_VE_TR, false));
	if (ve_usable(ldtr)) {
		if (ve_ar_type(ldtr->ar) != VE_TYPE_LDT ||
		    (ldtr->ar & VE_AR_S) || !(ldtr->ar & VE_AR_P))
			return VE_FAIL(GUEST_LDTR_AR, VMCS_GUEST_LDTR_AR);
		VE_TRY(ve_seg_common(ldtr, HV_VE_LDTR, false));
	}
	return VE_PASS;
}

/* 27.3.1.3 and 27.3.1.4: descriptor tables, RIP and RFLAGS. */
static struct hv_ve_result ve_guest_dt_rip(const struct hv_vmcs_image *v)
{
	bool la57 = v->guest_cr4 & VE_CR4_LA57;
	bool ia32e = ve_ia32e_guest(v);

	if (!ve_canonical(v->gdtr_base, la57))
		return VE_FAIL(GUEST_DT_BASE, VMCS_GUEST_GDTR_BASE);
	if (!ve_canonical(v->idtr_base, la57))
		return VE_FAIL(GUEST_DT_BASE, VMCS_GUEST_IDTR_BASE);
	if (v->gdtr_limit & VE_DT_LIMIT_HIGH)
		return VE_FAIL(GUEST_DT_LIMIT, VMCS_GUEST_GDTR_LIMIT);
	if (v->idtr_limit & VE_DT_LIMIT_HIGH)
		return VE_FAIL(GUEST_DT_LIMIT, VMCS_GUEST_IDTR_LIMIT);
	if (ia32e && (v->seg[HV_VE_CS].ar & VE_AR_L) ?
	    !ve_canonical(v->guest_rip, la57) : !!(v->guest_rip & VE_HIGH32))
		return VE_FAIL(GUEST_RIP, VMCS_GUEST_RIP);
	if ((v->guest_rflags & VE_RFLAGS_RESERVED) ||
	    !(v->guest_rflags & VE_RFLAGS_FIXED1))
		return VE_FAIL(GUEST_RFLAGS_RESERVED, VMCS_GUEST_RFLAGS);
	if ((ia32e || !(v->guest_cr0 & VE_CR0_PE)) &&
	    (v->guest_rflags & VE_RFLAGS_VM))
		return VE_FAIL(GUEST_RFLAGS_VM, VMCS_GUEST_RFLAGS);
	if (ve_injecting(v, HV_INTR_TYPE_EXT_INTR) &&
	    !(v->guest_rflags & VE_RFLAGS_IF))
		return VE_FAIL(GUEST_RFLAGS_IF, VMCS_GUEST_RFLAGS);
	return VE_PASS;
}

/*
 * 27.3.1.5: the events an activity state accepts.  HLT: external
 * interrupts, NMIs, #DB, #MC and a pending MTF (type 7, vector 0);
 * shutdown: NMIs and #MC; wait-for-SIPI: nothing.
 */
static bool ve_activity_accepts(u32 activity, u32 info)
{
	u32 type = hv_intr_info_type(info), vec = hv_intr_info_vector(info);

	if (!hv_intr_info_valid(info))
		return true;
	switch (activity) {
	case HV_ACTIVITY_HLT:
		return type == HV_INTR_TYPE_EXT_INTR ||
		       type == HV_INTR_TYPE_NMI ||
		       hv_is_hw_exception(info, HV_VEC_DB) ||
		       hv_is_hw_exception(info, HV_VEC_MC) ||
		       (type == HV_INTR_TYPE_OTHER && vec == 0);
	case HV_ACTIVITY_SHUTDOWN:
		return type == HV_INTR_TYPE_NMI ||
		       hv_is_hw_exception(info, HV_VEC_MC);
	case HV_ACTIVITY_WAIT_SIPI:
		return false;
	}
	return true;
}

static bool ve_activity_supported(u32 activity, u64 misc)
{
	switch (activity) {
	case HV_ACTIVITY_ACTIVE:
		return true;
	case HV_ACTIVITY_HLT:
		return misc & HV_MISC_ACT_HLT;
	case HV_ACTIVITY_SHUTDOWN:
		return misc & HV_MISC_ACT_SHUTDOWN;
	case HV_ACTIVITY_WAIT_SIPI:
		return misc & HV_MISC_ACT_WAIT_SIPI;
	}
	return false;
}

/* 27.3.1.5: activity state, interruptibility, pending debug, link pointer. */
static struct hv_ve_result ve_guest_nonreg(const struct hv_vmcs_image *v,
					   const struct hv_ve_cpu *c)
{
	u32 intr = v->interruptibility;
	bool sti = intr & HV_BLOCK_BY_STI, movss = intr & HV_BLOCK_BY_MOVSS;

	if (!ve_activity_supported(v->activity, c->msrs.misc))
		return VE_FAIL(GUEST_ACTIVITY, VMCS_GUEST_ACTIVITY);
	if (v->activity == HV_ACTIVITY_HLT &&
	    ve_ar_dpl(v->seg[HV_VE_SS].ar) != 0)
		return VE_FAIL(GUEST_ACTIVITY_HLT_DPL, VMCS_GUEST_ACTIVITY);
	if ((sti || movss) && v->activity != HV_ACTIVITY_ACTIVE)
		return VE_FAIL(GUEST_ACTIVITY_BLOCKING, VMCS_GUEST_ACTIVITY);
	if (!ve_activity_accepts(v->activity, v->entry_intr_info))
		return VE_FAIL(EVT_ACTIVITY, VMCS_ENTRY_INTR_INFO);
	if (intr & VE_INTR_RESERVED)
		return VE_FAIL(GUEST_INTR_RESERVED, VMCS_GUEST_INTERRUPTIBILITY);
	if (sti && movss)
		return VE_FAIL(GUEST_INTR_STI_MOVSS,
			       VMCS_GUEST_INTERRUPTIBILITY);
	if (sti && !(v->guest_rflags & VE_RFLAGS_IF))
		return VE_FAIL(GUEST_INTR_STI_IF, VMCS_GUEST_INTERRUPTIBILITY);
	if (ve_injecting(v, HV_INTR_TYPE_EXT_INTR) && hv_blocks_interrupts(intr))
		return VE_FAIL(GUEST_INTR_EXTINT, VMCS_GUEST_INTERRUPTIBILITY);
	/* Blocking by STI may be allowed by a given model; strict here. */
	if (ve_injecting(v, HV_INTR_TYPE_NMI) &&
	    (hv_blocks_interrupts(intr) ||
	     ((v->pin & HV_PIN_VIRTUAL_NMIS) && (intr & HV_BLOCK_BY_NMI))))
		return VE_FAIL(GUEST_INTR_NMI, VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & HV_BLOCK_BY_SMI)
		return VE_FAIL(GUEST_INTR_SMI, VMCS_GUEST_INTERRUPTIBILITY);
	if (v->pending_dbg & ~VE_PDBG_VALID)
		return VE_FAIL(GUEST_PENDING_DBG_RESERVED,
			       VMCS_GUEST_PENDING_DBG);
	if (sti || movss || v->activity == HV_ACTIVITY_HLT) {
		bool want_bs = (v->guest_rflags & VE_RFLAGS_TF) &&
			       !(v->guest_debugctl & VE_DEBUGCTL_BTF);

		if (!!(v->pending_dbg & VE_PDBG_BS) != want_bs)
			return VE_FAIL(GUEST_PENDING_DBG_BS,
				       VMCS_GUEST_PENDING_DBG);
	}
	if (v->link_pointer != ~0ULL &&
	    !ve_pa_ok(v->link_pointer, VE_PAGE_MASK, c->maxphyaddr))
		return VE_FAIL(GUEST_LINK_POINTER, VMCS_LINK_POINTER);
	return VE_PASS;
}

struct hv_ve_result hv_vmentry_check(const struct hv_vmcs_image *img,
				     const struct hv_ve_cpu *cpu)
{
	VE_TRY(ve_exec_controls(img, cpu));
	VE_TRY(ve_exit_controls(img, cpu));
	VE_TRY(ve_entry_controls(img, cpu));
	VE_TRY(ve_host_state(img, cpu));
	VE_TRY(ve_guest_regs(img, cpu));
	VE_TRY(ve_guest_segments(img));
	VE_TRY(ve_guest_dt_rip(img));
	return ve_guest_nonreg(img, cpu);
}

#define HV_VE_SDM(id, sdm, text) sdm,
#define HV_VE_NAME(id, sdm, text) #id,
#define HV_VE_TEXT(id, sdm, text) text,
static const char *const ve_sdm[] = { HV_VE_RULES(HV_VE_SDM) };
static const char *const ve_name[] = { HV_VE_RULES(HV_VE_NAME) };
static const char *const ve_text[] = { HV_VE_RULES(HV_VE_TEXT) };

const char *hv_ve_rule_sdm(enum hv_ve_rule r)
{
	return (unsigned int)r < HV_VE_NRULES ? ve_sdm[r] : "?";
}

const char *hv_ve_rule_name(enum hv_ve_rule r)
{
	return (unsigned int)r < HV_VE_NRULES ? ve_name[r] : "?";
}

const char *hv_ve_rule_text(enum hv_ve_rule r)
{
	return (unsigned int)r < HV_VE_NRULES ? ve_text[r] : "?";
}

/* Every field the checks read: its encoding, name and place in the image. */
#define VE_F(name, member) \
	{ VMCS_##name, #name, offsetof(struct hv_vmcs_image, member), \
	  sizeof(((struct hv_vmcs_image *)0)->member) }
#define VE_SEG(NAME, i) \
	VE_F(GUEST_##NAME##_SEL, seg[i].sel), \
	VE_F(GUEST_##NAME##_BASE, seg[i].base), \
	VE_F(GUEST_##NAME##_LIMIT, seg[i].limit), \
	VE_F(GUEST_##NAME##_AR, seg[i].ar)
struct ve_field {
	u32 field;
	const char *name;
	size_t off, size;
};
static const struct ve_field ve_fields[] = {
	VE_F(PIN_CTLS, pin), VE_F(PROC_CTLS, proc), VE_F(PROC2_CTLS, proc2),
	VE_F(EXIT_CTLS, exit), VE_F(ENTRY_CTLS, entry), VE_F(VPID, vpid),
	VE_F(CR3_TARGET_COUNT, cr3_target_count),
	VE_F(IO_BITMAP_A, io_bitmap_a), VE_F(IO_BITMAP_B, io_bitmap_b),
	VE_F(MSR_BITMAP, msr_bitmap), VE_F(EPT_POINTER, eptp),
	VE_F(EXIT_MSR_STORE_COUNT, exit_msr_store_count),
	VE_F(EXIT_MSR_LOAD_COUNT, exit_msr_load_count),
	VE_F(ENTRY_MSR_LOAD_COUNT, entry_msr_load_count),
	VE_F(EXIT_MSR_STORE_ADDR, exit_msr_store_addr),
	VE_F(EXIT_MSR_LOAD_ADDR, exit_msr_load_addr),
	VE_F(ENTRY_MSR_LOAD_ADDR, entry_msr_load_addr),
	VE_F(ENTRY_INTR_INFO, entry_intr_info),
	VE_F(ENTRY_EXC_ERROR, entry_exc_error),
	VE_F(ENTRY_INSN_LEN, entry_insn_len),
	VE_F(HOST_CR0, host_cr0), VE_F(HOST_CR3, host_cr3),
	VE_F(HOST_CR4, host_cr4),
	VE_F(HOST_ES_SEL, host_es_sel), VE_F(HOST_CS_SEL, host_cs_sel),
	VE_F(HOST_SS_SEL, host_ss_sel), VE_F(HOST_DS_SEL, host_ds_sel),
	VE_F(HOST_FS_SEL, host_fs_sel), VE_F(HOST_GS_SEL, host_gs_sel),
	VE_F(HOST_TR_SEL, host_tr_sel),
	VE_F(HOST_FS_BASE, host_fs_base), VE_F(HOST_GS_BASE, host_gs_base),
	VE_F(HOST_TR_BASE, host_tr_base),
	VE_F(HOST_GDTR_BASE, host_gdtr_base),
	VE_F(HOST_IDTR_BASE, host_idtr_base),
	VE_F(HOST_SYSENTER_CS, host_sysenter_cs),
	VE_F(HOST_SYSENTER_ESP, host_sysenter_esp),
	VE_F(HOST_SYSENTER_EIP, host_sysenter_eip),
	VE_F(HOST_PAT, host_pat), VE_F(HOST_EFER, host_efer),
	VE_F(HOST_RSP, host_rsp), VE_F(HOST_RIP, host_rip),
	VE_F(GUEST_CR0, guest_cr0), VE_F(GUEST_CR3, guest_cr3),
	VE_F(GUEST_CR4, guest_cr4), VE_F(GUEST_DR7, guest_dr7),
	VE_F(GUEST_RSP, guest_rsp), VE_F(GUEST_RIP, guest_rip),
	VE_F(GUEST_RFLAGS, guest_rflags),
	VE_SEG(ES, HV_VE_ES), VE_SEG(CS, HV_VE_CS), VE_SEG(SS, HV_VE_SS),
	VE_SEG(DS, HV_VE_DS), VE_SEG(FS, HV_VE_FS), VE_SEG(GS, HV_VE_GS),
	VE_SEG(LDTR, HV_VE_LDTR), VE_SEG(TR, HV_VE_TR),
	VE_F(GUEST_GDTR_BASE, gdtr_base), VE_F(GUEST_GDTR_LIMIT, gdtr_limit),
	VE_F(GUEST_IDTR_BASE, idtr_base), VE_F(GUEST_IDTR_LIMIT, idtr_limit),
	VE_F(GUEST_DEBUGCTL, guest_debugctl), VE_F(GUEST_PAT, guest_pat),
	VE_F(GUEST_EFER, guest_efer),
	VE_F(GUEST_SYSENTER_CS, guest_sysenter_cs),
	VE_F(GUEST_SYSENTER_ESP, guest_sysenter_esp),
	VE_F(GUEST_SYSENTER_EIP, guest_sysenter_eip),
	VE_F(GUEST_ACTIVITY, activity),
	VE_F(GUEST_INTERRUPTIBILITY, interruptibility),
	VE_F(GUEST_PENDING_DBG, pending_dbg),
	VE_F(LINK_POINTER, link_pointer),
};

const char *hv_ve_field_name(u32 field)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ve_fields); i++)
		if (ve_fields[i].field == field)
			return ve_fields[i].name;
	return "?";
}

/* The ve_fields entry of VMCS @field, or NULL. */
static const struct ve_field *ve_field_of(u32 field)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ve_fields); i++)
		if (ve_fields[i].field == field)
			return &ve_fields[i];
	return NULL;
}

bool hv_ve_image_field(const struct hv_vmcs_image *img, u32 field, u64 *val)
{
	const struct ve_field *f = ve_field_of(field);
	const u8 *p;

	if (!f)
		return false;
	p = (const u8 *)img + f->off;
	switch (f->size) {
	case sizeof(u16):
		*val = *(const u16 *)p;
		break;
	case sizeof(u32):
		*val = *(const u32 *)p;
		break;
	default:
		*val = *(const u64 *)p;
	}
	return true;
}

bool hv_ve_image_field_at(size_t i, u32 *field)
{
	if (i >= ARRAY_SIZE(ve_fields))
		return false;
	*field = ve_fields[i].field;
	return true;
}

bool hv_ve_image_set(struct hv_vmcs_image *img, u32 field, u64 val)
{
	const struct ve_field *f = ve_field_of(field);
	u8 *p;

	if (!f)
		return false;
	p = (u8 *)img + f->off;
	switch (f->size) {
	case sizeof(u16):
		*(u16 *)p = (u16)val;
		break;
	case sizeof(u32):
		*(u32 *)p = (u32)val;
		break;
	default:
		*(u64 *)p = val;
	}
	return true;
}
