/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_defs.h - architectural constants of VT-x that hvgdb uses: VMCS field
 * encodings (SDM Vol. 3 App. B), exit reasons (App. C), control bits
 * (Vol. 3 ch. 25), the capability MSRs (App. A), and typed predicates
 * over interruption information, interruptibility state and segment
 * access rights.  Constants and pure inlines only, so both the module and
 * the user-space unit tests include it.
 */
#ifndef HVGDB_KMOD_VMX_DEFS_H
#define HVGDB_KMOD_VMX_DEFS_H

#include "hvgdb/freestanding.h"

/* Capability and related MSRs (SDM Vol. 4 / Vol. 3 App. A). */
#define HV_MSR_FEATURE_CONTROL		0x03a
#define HV_MSR_SYSENTER_CS		0x174
#define HV_MSR_SYSENTER_ESP		0x175
#define HV_MSR_SYSENTER_EIP		0x176
#define HV_MSR_DEBUGCTL			0x1d9
#define HV_MSR_MTRRCAP			0x0fe
#define HV_MSR_MTRR_PHYSBASE0		0x200
#define HV_MSR_MTRR_FIX64K		0x250
#define HV_MSR_MTRR_FIX16K_80000	0x258
#define HV_MSR_MTRR_FIX16K_A0000	0x259
#define HV_MSR_MTRR_FIX4K_C0000		0x268
#define HV_MSR_PAT			0x277
#define HV_MSR_MTRR_DEF_TYPE		0x2ff
#define HV_MSR_VMX_BASIC		0x480
#define HV_MSR_VMX_PINBASED		0x481
#define HV_MSR_VMX_PROCBASED		0x482
#define HV_MSR_VMX_EXIT			0x483
#define HV_MSR_VMX_ENTRY		0x484
#define HV_MSR_VMX_MISC			0x485
#define HV_MSR_VMX_CR0_FIXED0		0x486
#define HV_MSR_VMX_CR0_FIXED1		0x487
#define HV_MSR_VMX_CR4_FIXED0		0x488
#define HV_MSR_VMX_CR4_FIXED1		0x489
#define HV_MSR_VMX_PROCBASED2		0x48b
#define HV_MSR_VMX_EPT_VPID_CAP		0x48c
#define HV_MSR_VMX_TRUE_PINBASED	0x48d
#define HV_MSR_VMX_TRUE_PROCBASED	0x48e
#define HV_MSR_VMX_TRUE_EXIT		0x48f
#define HV_MSR_VMX_TRUE_ENTRY		0x490
#define HV_MSR_EFER			0xc0000080
#define HV_MSR_FS_BASE			0xc0000100
#define HV_MSR_GS_BASE			0xc0000101

/* IA32_FEATURE_CONTROL bits (SDM Vol. 3 23.7, Vol. 4 table 2-2). */
#define HV_FC_LOCK			(1ULL << 0)
#define HV_FC_VMX_IN_SMX		(1ULL << 1)
#define HV_FC_VMX_OUTSIDE_SMX		(1ULL << 2)
#define HV_FC_SENTER_LOCAL(fc)		((u32)((fc) >> 8) & 0x7fu)
#define HV_FC_SENTER_GLOBAL		(1ULL << 15)

/* IA32_VMX_BASIC fields (SDM Vol. 3 A.1). */
#define HV_BASIC_REVISION(b)		((u32)(b) & 0x7fffffffu)
#define HV_BASIC_REGION_SIZE(b)		((u32)((b) >> 32) & 0x1fffu)
#define HV_BASIC_32BIT_ADDR		(1ULL << 48)
#define HV_BASIC_DUAL_MONITOR		(1ULL << 49)
#define HV_BASIC_MEMTYPE(b)		((u32)((b) >> 50) & 0xfu)
#define HV_BASIC_INOUT_INFO		(1ULL << 54)
#define HV_BASIC_TRUE_CTLS		(1ULL << 55)
#define HV_BASIC_ANY_ERRCODE		(1ULL << 56)
#define HV_MEMTYPE_UC			0
#define HV_MEMTYPE_WC			1
#define HV_MEMTYPE_WT			4
#define HV_MEMTYPE_WP			5
#define HV_MEMTYPE_WB			6

/* IA32_VMX_MISC fields (SDM Vol. 3 A.6). */
#define HV_MISC_PREEMPT_RATE(m)		((u32)(m) & 0x1fu)
#define HV_MISC_STORE_LMA		(1ULL << 5)
#define HV_MISC_ACT_HLT			(1ULL << 6)
#define HV_MISC_ACT_SHUTDOWN		(1ULL << 7)
#define HV_MISC_ACT_WAIT_SIPI		(1ULL << 8)
#define HV_MISC_PT_IN_VMX		(1ULL << 14)
#define HV_MISC_SMBASE_RDMSR		(1ULL << 15)
#define HV_MISC_CR3_TARGETS(m)		((u32)((m) >> 16) & 0x1ffu)
#define HV_MISC_MSR_LIST(m)		((u32)((m) >> 25) & 0x7u)  /* 512*(N+1) */
#define HV_MISC_SMM_MONITOR_CTL		(1ULL << 28)
#define HV_MISC_VMWRITE_ANY		(1ULL << 29)
#define HV_MISC_INJECT_LEN0		(1ULL << 30)
#define HV_MISC_MSEG_REVISION(m)	((u32)((m) >> 32))

/* CR4 bits we touch. */
#define HV_CR4_VMXE			(1ULL << 13)

/* Pin-based controls (SDM Vol. 3 25.6.1). */
#define HV_PIN_EXT_INTR_EXITING		(1u << 0)
#define HV_PIN_NMI_EXITING		(1u << 3)
#define HV_PIN_VIRTUAL_NMIS		(1u << 5)
#define HV_PIN_PREEMPT_TIMER		(1u << 6)
#define HV_PIN_POSTED_INTR		(1u << 7)

/* Primary processor-based controls (25.6.2, table 25-6). */
#define HV_PROC_INTR_WINDOW		(1u << 2)
#define HV_PROC_TSC_OFFSET		(1u << 3)
#define HV_PROC_HLT_EXITING		(1u << 7)
#define HV_PROC_INVLPG_EXITING		(1u << 9)
#define HV_PROC_MWAIT_EXITING		(1u << 10)
#define HV_PROC_RDPMC_EXITING		(1u << 11)
#define HV_PROC_RDTSC_EXITING		(1u << 12)
#define HV_PROC_CR3_LOAD		(1u << 15)
#define HV_PROC_CR3_STORE		(1u << 16)
#define HV_PROC_TERTIARY		(1u << 17)
#define HV_PROC_CR8_LOAD		(1u << 19)
#define HV_PROC_CR8_STORE		(1u << 20)
#define HV_PROC_TPR_SHADOW		(1u << 21)
#define HV_PROC_NMI_WINDOW		(1u << 22)
#define HV_PROC_MOV_DR			(1u << 23)
#define HV_PROC_UNCOND_IO		(1u << 24)
#define HV_PROC_USE_IO_BITMAPS		(1u << 25)
#define HV_PROC_MTF			(1u << 27)
#define HV_PROC_USE_MSR_BITMAPS		(1u << 28)
#define HV_PROC_MONITOR_EXITING		(1u << 29)
#define HV_PROC_PAUSE_EXITING		(1u << 30)
#define HV_PROC_SECONDARY		(1u << 31)

/* Secondary processor-based controls (table 25-7). */
#define HV_PROC2_VIRT_APIC_ACCESS	(1u << 0)
#define HV_PROC2_EPT			(1u << 1)
#define HV_PROC2_DESC_TABLE_EXITING	(1u << 2)
#define HV_PROC2_RDTSCP			(1u << 3)
#define HV_PROC2_VIRT_X2APIC		(1u << 4)
#define HV_PROC2_VPID			(1u << 5)
#define HV_PROC2_WBINVD_EXITING		(1u << 6)
#define HV_PROC2_UNRESTRICTED		(1u << 7)
#define HV_PROC2_APIC_REG_VIRT		(1u << 8)
#define HV_PROC2_VIRT_INTR_DELIVERY	(1u << 9)
#define HV_PROC2_PAUSE_LOOP_EXITING	(1u << 10)
#define HV_PROC2_RDRAND_EXITING		(1u << 11)
#define HV_PROC2_INVPCID		(1u << 12)
#define HV_PROC2_VMFUNC			(1u << 13)
#define HV_PROC2_VMCS_SHADOWING		(1u << 14)
#define HV_PROC2_ENCLS_EXITING		(1u << 15)
#define HV_PROC2_RDSEED_EXITING		(1u << 16)
#define HV_PROC2_PML			(1u << 17)
#define HV_PROC2_EPT_VE			(1u << 18)
#define HV_PROC2_PT_CONCEAL		(1u << 19)
#define HV_PROC2_XSAVES			(1u << 20)
#define HV_PROC2_MODE_BASED_EPT_EXEC	(1u << 22)
#define HV_PROC2_SUBPAGE_WRITE		(1u << 23)
#define HV_PROC2_PT_GUEST_PA		(1u << 24)
#define HV_PROC2_TSC_SCALING		(1u << 25)
#define HV_PROC2_USER_WAIT_PAUSE	(1u << 26)
#define HV_PROC2_PCONFIG		(1u << 27)
#define HV_PROC2_ENCLV_EXITING		(1u << 28)
#define HV_PROC2_BUS_LOCK_DETECT	(1u << 30)
#define HV_PROC2_INSN_TIMEOUT		(1u << 31)

/* VM-exit controls (table 25-13). */
#define HV_EXIT_SAVE_DEBUG		(1u << 2)
#define HV_EXIT_HOST_ADDR64		(1u << 9)
#define HV_EXIT_LOAD_PERF_GLOBAL	(1u << 12)
#define HV_EXIT_ACK_INTR		(1u << 15)
#define HV_EXIT_SAVE_PAT		(1u << 18)
#define HV_EXIT_LOAD_PAT		(1u << 19)
#define HV_EXIT_SAVE_EFER		(1u << 20)
#define HV_EXIT_LOAD_EFER		(1u << 21)
#define HV_EXIT_SAVE_PREEMPT_TIMER	(1u << 22)
#define HV_EXIT_CLEAR_BNDCFGS		(1u << 23)
#define HV_EXIT_PT_CONCEAL		(1u << 24)
#define HV_EXIT_CLEAR_RTIT_CTL		(1u << 25)
#define HV_EXIT_CLEAR_LBR_CTL		(1u << 26)
#define HV_EXIT_LOAD_CET		(1u << 28)
#define HV_EXIT_LOAD_PKRS		(1u << 29)
#define HV_EXIT_SAVE_PERF_GLOBAL	(1u << 30)
#define HV_EXIT_SECONDARY		(1u << 31)

/* VM-entry controls (table 25-15). */
#define HV_ENTRY_LOAD_DEBUG		(1u << 2)
#define HV_ENTRY_IA32E			(1u << 9)
#define HV_ENTRY_SMM			(1u << 10)
#define HV_ENTRY_DEACT_DUAL_MONITOR	(1u << 11)
#define HV_ENTRY_LOAD_PERF_GLOBAL	(1u << 13)
#define HV_ENTRY_LOAD_PAT		(1u << 14)
#define HV_ENTRY_LOAD_EFER		(1u << 15)
#define HV_ENTRY_LOAD_BNDCFGS		(1u << 16)
#define HV_ENTRY_PT_CONCEAL		(1u << 17)
#define HV_ENTRY_LOAD_RTIT_CTL		(1u << 18)
#define HV_ENTRY_LOAD_CET		(1u << 20)
#define HV_ENTRY_LOAD_LBR_CTL		(1u << 21)
#define HV_ENTRY_LOAD_PKRS		(1u << 22)

/* IA32_VMX_EPT_VPID_CAP bits (SDM Vol. 3 A.10). */
#define HV_EPTCAP_XONLY			(1ULL << 0)
#define HV_EPTCAP_WALK4			(1ULL << 6)
#define HV_EPTCAP_WALK5			(1ULL << 7)
#define HV_EPTCAP_UC			(1ULL << 8)
#define HV_EPTCAP_WB			(1ULL << 14)
#define HV_EPTCAP_2M			(1ULL << 16)
#define HV_EPTCAP_1G			(1ULL << 17)
#define HV_EPTCAP_INVEPT		(1ULL << 20)
#define HV_EPTCAP_AD			(1ULL << 21)
#define HV_EPTCAP_ADV_EXIT_INFO		(1ULL << 22)
#define HV_EPTCAP_SSS			(1ULL << 23)
#define HV_EPTCAP_INVEPT_SINGLE		(1ULL << 25)
#define HV_EPTCAP_INVEPT_ALL		(1ULL << 26)
#define HV_VPIDCAP_INVVPID		(1ULL << 32)
#define HV_VPIDCAP_INVVPID_ADDR		(1ULL << 40)
#define HV_VPIDCAP_INVVPID_SINGLE	(1ULL << 41)
#define HV_VPIDCAP_INVVPID_ALL		(1ULL << 42)
#define HV_VPIDCAP_INVVPID_SINGLE_NG	(1ULL << 43)

/* VMCS field encodings (SDM Vol. 3 App. B). */
enum hv_vmcs_field {
	VMCS_VPID			= 0x0000,
	VMCS_GUEST_ES_SEL		= 0x0800,
	VMCS_GUEST_CS_SEL		= 0x0802,
	VMCS_GUEST_SS_SEL		= 0x0804,
	VMCS_GUEST_DS_SEL		= 0x0806,
	VMCS_GUEST_FS_SEL		= 0x0808,
	VMCS_GUEST_GS_SEL		= 0x080a,
	VMCS_GUEST_LDTR_SEL		= 0x080c,
	VMCS_GUEST_TR_SEL		= 0x080e,
	VMCS_HOST_ES_SEL		= 0x0c00,
	VMCS_HOST_CS_SEL		= 0x0c02,
	VMCS_HOST_SS_SEL		= 0x0c04,
	VMCS_HOST_DS_SEL		= 0x0c06,
	VMCS_HOST_FS_SEL		= 0x0c08,
	VMCS_HOST_GS_SEL		= 0x0c0a,
	VMCS_HOST_TR_SEL		= 0x0c0c,
	VMCS_IO_BITMAP_A		= 0x2000,
	VMCS_IO_BITMAP_B		= 0x2002,
	VMCS_MSR_BITMAP			= 0x2004,
	VMCS_EXIT_MSR_STORE_ADDR	= 0x2006,
	VMCS_EXIT_MSR_LOAD_ADDR		= 0x2008,
	VMCS_ENTRY_MSR_LOAD_ADDR	= 0x200a,
	VMCS_EPT_POINTER		= 0x201a,
	VMCS_XSS_EXIT_BITMAP		= 0x202c,
	VMCS_GUEST_PHYS_ADDR		= 0x2400,
	VMCS_LINK_POINTER		= 0x2800,
	VMCS_GUEST_DEBUGCTL		= 0x2802,
	VMCS_GUEST_PAT			= 0x2804,
	VMCS_GUEST_EFER			= 0x2806,
	VMCS_HOST_PAT			= 0x2c00,
	VMCS_HOST_EFER			= 0x2c02,
	VMCS_PIN_CTLS			= 0x4000,
	VMCS_PROC_CTLS			= 0x4002,
	VMCS_EXCEPTION_BITMAP		= 0x4004,
	VMCS_PF_ERR_MASK		= 0x4006,
	VMCS_PF_ERR_MATCH		= 0x4008,
	VMCS_CR3_TARGET_COUNT		= 0x400a,
	VMCS_EXIT_CTLS			= 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT	= 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT	= 0x4010,
	VMCS_ENTRY_CTLS			= 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT	= 0x4014,
	VMCS_ENTRY_INTR_INFO		= 0x4016,
	VMCS_ENTRY_EXC_ERROR		= 0x4018,
	VMCS_ENTRY_INSN_LEN		= 0x401a,
	VMCS_PROC2_CTLS			= 0x401e,
	VMCS_INSN_ERROR			= 0x4400,
	VMCS_EXIT_REASON		= 0x4402,
	VMCS_EXIT_INTR_INFO		= 0x4404,
	VMCS_EXIT_INTR_ERROR		= 0x4406,
	VMCS_IDT_VECTORING_INFO		= 0x4408,
	VMCS_IDT_VECTORING_ERROR	= 0x440a,
	VMCS_EXIT_INSN_LEN		= 0x440c,
	VMCS_EXIT_INSN_INFO		= 0x440e,
	VMCS_GUEST_ES_LIMIT		= 0x4800,
	VMCS_GUEST_CS_LIMIT		= 0x4802,
	VMCS_GUEST_SS_LIMIT		= 0x4804,
	VMCS_GUEST_DS_LIMIT		= 0x4806,
	VMCS_GUEST_FS_LIMIT		= 0x4808,
	VMCS_GUEST_GS_LIMIT		= 0x480a,
	VMCS_GUEST_LDTR_LIMIT		= 0x480c,
	VMCS_GUEST_TR_LIMIT		= 0x480e,
	VMCS_GUEST_GDTR_LIMIT		= 0x4810,
	VMCS_GUEST_IDTR_LIMIT		= 0x4812,
	VMCS_GUEST_ES_AR		= 0x4814,
	VMCS_GUEST_CS_AR		= 0x4816,
	VMCS_GUEST_SS_AR		= 0x4818,
	VMCS_GUEST_DS_AR		= 0x481a,
	VMCS_GUEST_FS_AR		= 0x481c,
	VMCS_GUEST_GS_AR		= 0x481e,
	VMCS_GUEST_LDTR_AR		= 0x4820,
	VMCS_GUEST_TR_AR		= 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY	= 0x4824,
	VMCS_GUEST_ACTIVITY		= 0x4826,
	VMCS_GUEST_SYSENTER_CS		= 0x482a,
	VMCS_PREEMPT_TIMER_VALUE	= 0x482e,
	VMCS_HOST_SYSENTER_CS		= 0x4c00,
	VMCS_CR0_MASK			= 0x6000,
	VMCS_CR4_MASK			= 0x6002,
	VMCS_CR0_SHADOW			= 0x6004,
	VMCS_CR4_SHADOW			= 0x6006,
	VMCS_EXIT_QUALIFICATION		= 0x6400,
	VMCS_GUEST_LINEAR_ADDR		= 0x640a,
	VMCS_GUEST_CR0			= 0x6800,
	VMCS_GUEST_CR3			= 0x6802,
	VMCS_GUEST_CR4			= 0x6804,
	VMCS_GUEST_ES_BASE		= 0x6806,
	VMCS_GUEST_CS_BASE		= 0x6808,
	VMCS_GUEST_SS_BASE		= 0x680a,
	VMCS_GUEST_DS_BASE		= 0x680c,
	VMCS_GUEST_FS_BASE		= 0x680e,
	VMCS_GUEST_GS_BASE		= 0x6810,
	VMCS_GUEST_LDTR_BASE		= 0x6812,
	VMCS_GUEST_TR_BASE		= 0x6814,
	VMCS_GUEST_GDTR_BASE		= 0x6816,
	VMCS_GUEST_IDTR_BASE		= 0x6818,
	VMCS_GUEST_DR7			= 0x681a,
	VMCS_GUEST_RSP			= 0x681c,
	VMCS_GUEST_RIP			= 0x681e,
	VMCS_GUEST_RFLAGS		= 0x6820,
	VMCS_GUEST_PENDING_DBG		= 0x6822,
	VMCS_GUEST_SYSENTER_ESP		= 0x6824,
	VMCS_GUEST_SYSENTER_EIP		= 0x6826,
	VMCS_HOST_CR0			= 0x6c00,
	VMCS_HOST_CR3			= 0x6c02,
	VMCS_HOST_CR4			= 0x6c04,
	VMCS_HOST_FS_BASE		= 0x6c06,
	VMCS_HOST_GS_BASE		= 0x6c08,
	VMCS_HOST_TR_BASE		= 0x6c0a,
	VMCS_HOST_GDTR_BASE		= 0x6c0c,
	VMCS_HOST_IDTR_BASE		= 0x6c0e,
	VMCS_HOST_SYSENTER_ESP		= 0x6c10,
	VMCS_HOST_SYSENTER_EIP		= 0x6c12,
	VMCS_HOST_RSP			= 0x6c14,
	VMCS_HOST_RIP			= 0x6c16,
};

/* Basic exit reasons (SDM Vol. 3 App. C). */
enum hv_exit_reason {
	EXIT_EXCEPTION_NMI	= 0,
	EXIT_EXTERNAL_INTR	= 1,
	EXIT_TRIPLE_FAULT	= 2,
	EXIT_INIT		= 3,
	EXIT_SIPI		= 4,
	EXIT_IO_SMI		= 5,
	EXIT_OTHER_SMI		= 6,
	EXIT_INTR_WINDOW	= 7,
	EXIT_NMI_WINDOW		= 8,
	EXIT_TASK_SWITCH	= 9,
	EXIT_CPUID		= 10,
	EXIT_GETSEC		= 11,
	EXIT_HLT		= 12,
	EXIT_INVD		= 13,
	EXIT_INVLPG		= 14,
	EXIT_RDPMC		= 15,
	EXIT_RDTSC		= 16,
	EXIT_RSM		= 17,
	EXIT_VMCALL		= 18,
	EXIT_VMCLEAR		= 19,
	EXIT_VMLAUNCH		= 20,
	EXIT_VMPTRLD		= 21,
	EXIT_VMPTRST		= 22,
	EXIT_VMREAD		= 23,
	EXIT_VMRESUME		= 24,
	EXIT_VMWRITE		= 25,
	EXIT_VMXOFF		= 26,
	EXIT_VMXON		= 27,
	EXIT_CR_ACCESS		= 28,
	EXIT_DR_ACCESS		= 29,
	EXIT_IO			= 30,
	EXIT_RDMSR		= 31,
	EXIT_WRMSR		= 32,
	EXIT_ENTRY_BAD_GUEST	= 33,
	EXIT_ENTRY_BAD_MSR	= 34,
	EXIT_MWAIT		= 36,
	EXIT_MTF		= 37,
	EXIT_MONITOR		= 39,
	EXIT_PAUSE		= 40,
	EXIT_ENTRY_MCE		= 41,
	EXIT_TPR_BELOW		= 43,
	EXIT_APIC_ACCESS	= 44,
	EXIT_VEOI		= 45,
	EXIT_GDTR_IDTR		= 46,
	EXIT_LDTR_TR		= 47,
	EXIT_EPT_VIOLATION	= 48,
	EXIT_EPT_MISCONFIG	= 49,
	EXIT_INVEPT		= 50,
	EXIT_RDTSCP		= 51,
	EXIT_PREEMPT_TIMER	= 52,
	EXIT_INVVPID		= 53,
	EXIT_WBINVD		= 54,
	EXIT_XSETBV		= 55,
	EXIT_APIC_WRITE		= 56,
	EXIT_RDRAND		= 57,
	EXIT_INVPCID		= 58,
	EXIT_VMFUNC		= 59,
	EXIT_ENCLS		= 60,
	EXIT_RDSEED		= 61,
	EXIT_PML_FULL		= 62,
	EXIT_XSAVES		= 63,
	EXIT_XRSTORS		= 64,
	HV_EXIT_REASON_MAX	= 70,	/* table size; larger reasons count as "other" */
};

/* Bit 31 of the exit-reason field: VM-entry failure (SDM 28.2.1). */
#define HV_EXIT_REASON_ENTRY_FAIL	(1u << 31)

/* Guest activity state (SDM 25.4.2). */
#define HV_ACTIVITY_ACTIVE		0
#define HV_ACTIVITY_HLT			1
#define HV_ACTIVITY_SHUTDOWN		2
#define HV_ACTIVITY_WAIT_SIPI		3

/*
 * Interruption information: one format for the VM-entry interruption-
 * information field (SDM Vol. 3C 25.8.3), the VM-exit interruption
 * information (28.2.2) and the IDT-vectoring information (28.2.4).  Bit 12 means "NMI unblocking due to
 * IRET" in exit interruption information only (28.2.3); it is undefined in
 * IDT-vectoring information and reserved (must be 0) on entry (27.2.1.3).
 * Types are kept in place (bits 10:8): compare with hv_intr_info_type().
 */
#define HV_INTR_INFO_VECTOR_MASK	0xffu
#define HV_INTR_INFO_TYPE_MASK		(7u << 8)
#define HV_INTR_TYPE_EXT_INTR		(0u << 8)
#define HV_INTR_TYPE_NMI		(2u << 8)
#define HV_INTR_TYPE_HW_EXCEPTION	(3u << 8)
#define HV_INTR_TYPE_SW_INTR		(4u << 8)	/* INT n */
#define HV_INTR_TYPE_PRIV_SW_EXCEPTION	(5u << 8)	/* INT1 */
#define HV_INTR_TYPE_SW_EXCEPTION	(6u << 8)	/* INT3, INTO */
#define HV_INTR_TYPE_OTHER		(7u << 8)	/* vector 0: MTF */
#define HV_INTR_DELIVER_ERROR		(1u << 11)
#define HV_INTR_NMI_UNBLOCK_IRET	(1u << 12)
#define HV_INTR_INFO_VALID		(1u << 31)

/* Exception and interrupt vectors (SDM Vol. 3A 6.3.1, table 6-1). */
#define HV_VEC_DB			1
#define HV_VEC_NMI			2
#define HV_VEC_BP			3
#define HV_VEC_UD			6
#define HV_VEC_DF			8
#define HV_VEC_GP			13
#define HV_VEC_PF			14
#define HV_VEC_MC			18

/* Guest interruptibility state (SDM Vol. 3C 25.4.2, table 25-3). */
#define HV_BLOCK_BY_STI			(1u << 0)
#define HV_BLOCK_BY_MOVSS		(1u << 1)
#define HV_BLOCK_BY_SMI			(1u << 2)
#define HV_BLOCK_BY_NMI			(1u << 3)

/* Access rights of a segment register (SDM Vol. 3C 25.4.1). */
#define HV_AR_DPL_SHIFT			5
#define HV_AR_DPL_MASK			(3u << HV_AR_DPL_SHIFT)

static inline u32 hv_intr_info_vector(u32 info)
{
	return info & HV_INTR_INFO_VECTOR_MASK;
}

/* The type bits in place: HV_INTR_TYPE_*. */
static inline u32 hv_intr_info_type(u32 info)
{
	return info & HV_INTR_INFO_TYPE_MASK;
}

static inline bool hv_intr_info_valid(u32 info)
{
	return info & HV_INTR_INFO_VALID;
}

static inline bool hv_is_nmi(u32 info)
{
	return (info & (HV_INTR_INFO_VALID | HV_INTR_INFO_TYPE_MASK)) ==
	       (HV_INTR_INFO_VALID | HV_INTR_TYPE_NMI);
}

/* A hardware exception (type 3) with vector @vec, e.g. #PF. */
static inline bool hv_is_hw_exception(u32 info, u32 vec)
{
	return (info & (HV_INTR_INFO_VALID | HV_INTR_INFO_TYPE_MASK |
			HV_INTR_INFO_VECTOR_MASK)) ==
	       (HV_INTR_INFO_VALID | HV_INTR_TYPE_HW_EXCEPTION | vec);
}

static inline bool hv_is_exception_with_error_code(u32 info)
{
	return (info & (HV_INTR_INFO_VALID | HV_INTR_DELIVER_ERROR)) ==
	       (HV_INTR_INFO_VALID | HV_INTR_DELIVER_ERROR);
}

/*
 * Software interrupt, privileged software exception, software exception
 * (types 4-6): injecting one needs the VM-entry instruction length (SDM
 * Vol. 3C 25.8.3, 27.6.1.1).
 */
static inline bool hv_is_software_event(u32 info)
{
	u32 type = hv_intr_info_type(info);

	return hv_intr_info_valid(info) &&
	       (type == HV_INTR_TYPE_SW_INTR ||
		type == HV_INTR_TYPE_PRIV_SW_EXCEPTION ||
		type == HV_INTR_TYPE_SW_EXCEPTION);
}

/*
 * Interruptibility state @intr forbids injecting an NMI: blocking by MOV SS
 * must be 0 and blocking by STI may have to be (VM-entry checks, SDM Vol.
 * 3C 27.3.1.5); blocking by NMI is the guest's own (virtual-NMI) blocking.
 */
static inline bool hv_blocks_nmi(u32 intr)
{
	return intr & (HV_BLOCK_BY_STI | HV_BLOCK_BY_MOVSS | HV_BLOCK_BY_NMI);
}

/*
 * ... an external interrupt: blocking by STI and MOV SS must both be 0
 * (27.3.1.5); RFLAGS.IF is the caller's to test.
 */
static inline bool hv_blocks_interrupts(u32 intr)
{
	return intr & (HV_BLOCK_BY_STI | HV_BLOCK_BY_MOVSS);
}

/* CPL is SS.DPL (SDM Vol. 3A 5.5), bits 6:5 of the guest SS access rights. */
static inline u32 hv_ss_ar_cpl(u64 ss_ar)
{
	return ((u32)ss_ar & HV_AR_DPL_MASK) >> HV_AR_DPL_SHIFT;
}

/*
 * The guest segment registers' VMCS fields, ES, CS, SS, DS, FS, GS, LDTR,
 * TR (the SDM's encoding order, App. B): one table, in vmx_segs.c, read
 * by the VMCS setup, the VMCS image reader and the VM-entry checker.
 */
#define HV_GUEST_NSEGS	8
struct hv_seg_fields { u32 sel, base, limit, ar; };
extern const struct hv_seg_fields hv_guest_segs[HV_GUEST_NSEGS];

#endif /* HVGDB_KMOD_VMX_DEFS_H */
