/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmentry_check.h - the VM-entry checks of SDM Vol. 3C chapter 27 as a pure
 * function: a VMCS image (the fields the checks read) judged against the
 * VMX capability MSRs of a given CPU.
 *
 * Contract: nothing here touches hardware.  hv_vmentry_check() returns the
 * first rule the image breaks, in the SDM's order (27.2.1 controls, 27.2.2
 * to 27.2.4 host state, 27.3.1 guest state, the event-injection rules of
 * 27.2.1.3 and 27.3.1.5 after the guest state they depend on), with the
 * VMCS field that breaks it.  The model is KVM's nested VMX checks
 * (arch/x86/kvm/vmx/nested.c: nested_check_vm_{execution,exit,entry}_
 * controls, nested_vmx_check_host_state, nested_vmx_check_guest_state),
 * made strict where the SDM leaves a choice to the model (blocking by STI
 * with an NMI injected counts as broken).  The caller fills the image:
 * kmod/vmx/vmentry.c by VMREAD of the current VMCS (VMX root or before
 * VMLAUNCH, interrupts off), the unit tests and the fuzzer by hand.
 * No locks, no allocation, no sleeping; any context.
 *
 * Not checked (each a known gap, docs/design-vmx.md):
 *  - 27.1 basic VM-entry checks (launch state, VMCS pointer, MOV SS);
 *  - 27.2.1.1 addresses and contents of the virtual-APIC page, APIC-access
 *    page, TPR threshold, posted-interrupt descriptor, VMREAD/VMWRITE
 *    bitmaps, ENCLS/ENCLV bitmaps, PML address, #VE information address,
 *    EPTP list and VM functions, sub-page permissions, HLAT, tertiary
 *    controls, PASID, IPI virtualization;
 *  - 27.2.2 / 27.3.1.1 IA32_PERF_GLOBAL_CTRL, IA32_BNDCFGS, IA32_RTIT_CTL,
 *    IA32_LBR_CTL, CET and PKRS state (hvgdb never loads them);
 *  - 27.3.1.2 the virtual-8086 and unrestricted-guest (real-mode) segment
 *    rules, and guests outside IA-32e mode beyond what CR0/CR4/EFER say;
 *  - 27.3.1.5 the RTM bit of the pending debug exceptions, enclave
 *    interruption, SMM and dual-monitor treatment beyond "not in SMM";
 *  - 27.3.1.6 PAE PDPTEs (hvgdb's guest is in IA-32e mode);
 *  - 27.4 the contents of the VM-entry MSR-load area.
 */
#ifndef HVGDB_KMOD_VMENTRY_CHECK_H
#define HVGDB_KMOD_VMENTRY_CHECK_H

#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_caps.h"

/* Segment registers in VMCS order (ES, CS, SS, DS, FS, GS, LDTR, TR). */
enum hv_ve_seg {
	HV_VE_ES, HV_VE_CS, HV_VE_SS, HV_VE_DS, HV_VE_FS, HV_VE_GS,
	HV_VE_LDTR, HV_VE_TR, HV_VE_NSEGS	/* = HV_GUEST_NSEGS */
};

struct hv_ve_segment {
	u16 sel;
	u64 base;
	u32 limit;
	u32 ar;			/* access rights, SDM 25.4.1 table 25-2 */
};

/* The VMCS fields VM entry checks, named as their encodings (vmx_defs.h). */
struct hv_vmcs_image {
	/* VM-execution, exit and entry control fields (25.6-25.8). */
	u32 pin, proc, proc2, exit, entry;
	u16 vpid;
	u32 cr3_target_count;
	u64 io_bitmap_a, io_bitmap_b, msr_bitmap, eptp;
	u32 exit_msr_store_count, exit_msr_load_count, entry_msr_load_count;
	u64 exit_msr_store_addr, exit_msr_load_addr, entry_msr_load_addr;
	u32 entry_intr_info, entry_exc_error, entry_insn_len;
	/* Host-state area (25.5). */
	u64 host_cr0, host_cr3, host_cr4;
	u16 host_es_sel, host_cs_sel, host_ss_sel, host_ds_sel, host_fs_sel,
	    host_gs_sel, host_tr_sel;
	u64 host_fs_base, host_gs_base, host_tr_base, host_gdtr_base,
	    host_idtr_base;
	u32 host_sysenter_cs;
	u64 host_sysenter_esp, host_sysenter_eip, host_pat, host_efer;
	u64 host_rsp, host_rip;
	/* Guest-state area (25.4). */
	u64 guest_cr0, guest_cr3, guest_cr4, guest_dr7;
	u64 guest_rsp, guest_rip, guest_rflags;
	struct hv_ve_segment seg[HV_VE_NSEGS];
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u64 guest_debugctl, guest_pat, guest_efer;
	u32 guest_sysenter_cs;
	u64 guest_sysenter_esp, guest_sysenter_eip;
	u32 activity, interruptibility;
	u64 pending_dbg, link_pointer;
};

/* What the checks are judged against: the CPU's capability MSRs and facts. */
struct hv_ve_cpu {
	struct hv_vmx_msrs msrs;	/* TRUE controls used: hvgdb requires them */
	u8 maxphyaddr;			/* CPUID.80000008H:EAX[7:0] */
	bool host_lma;			/* the CPU is in IA-32e mode at entry */
};

/*
 * The rules: X(id, SDM section, what must hold).  The id is the enum
 * value HV_VE_<id>; the text is what hvgdb prints.
 */
#define HV_VE_RULES(X)							\
	X(OK, "", "no rule broken")					\
	/* 27.2.1.1 VM-execution control fields */			\
	X(PIN_CTLS, "27.2.1.1", "pin-based controls within IA32_VMX_TRUE_PINBASED_CTLS") \
	X(PROC_CTLS, "27.2.1.1", "primary processor-based controls within IA32_VMX_TRUE_PROCBASED_CTLS") \
	X(PROC2_CTLS, "27.2.1.1", "secondary processor-based controls within IA32_VMX_PROCBASED_CTLS2") \
	X(CR3_TARGETS, "27.2.1.1", "CR3-target count at most IA32_VMX_MISC[24:16]") \
	X(IO_BITMAP_ADDR, "27.2.1.1", "I/O bitmap addresses 4-KiB aligned, below MAXPHYADDR") \
	X(MSR_BITMAP_ADDR, "27.2.1.1", "MSR bitmap address 4-KiB aligned, below MAXPHYADDR") \
	X(TPR_SHADOW_DEPS, "27.2.1.1", "virtualize x2APIC mode, APIC-register virtualization and virtual-interrupt delivery need use TPR shadow") \
	X(VNMI_NEEDS_NMI_EXIT, "27.2.1.1", "virtual NMIs need NMI exiting") \
	X(NMI_WINDOW_NEEDS_VNMI, "27.2.1.1", "NMI-window exiting needs virtual NMIs") \
	X(X2APIC_AND_APIC_ACCESS, "27.2.1.1", "virtualize x2APIC mode and virtualize APIC accesses not both") \
	X(VID_NEEDS_EXT_INTR_EXIT, "27.2.1.1", "virtual-interrupt delivery needs external-interrupt exiting") \
	X(POSTED_INTR_DEPS, "27.2.1.1", "posted interrupts need virtual-interrupt delivery and acknowledge interrupt on exit") \
	X(VPID_ZERO, "27.2.1.1", "VPID not 0 when enable VPID is 1") \
	X(EPTP_MEMTYPE, "27.2.1.1", "EPTP memory type UC or WB, as IA32_VMX_EPT_VPID_CAP allows") \
	X(EPTP_WALK, "27.2.1.1", "EPTP page-walk length 4 or 5, as IA32_VMX_EPT_VPID_CAP allows") \
	X(EPTP_AD, "27.2.1.1", "EPTP accessed/dirty enable only where IA32_VMX_EPT_VPID_CAP[21] is 1") \
	X(EPTP_RESERVED, "27.2.1.1", "EPTP bits 11:7 and bits at or above MAXPHYADDR 0") \
	X(UNRESTRICTED_NEEDS_EPT, "27.2.1.1", "unrestricted guest needs enable EPT") \
	X(PML_NEEDS_EPT, "27.2.1.1", "enable PML needs enable EPT") \
	X(MBEC_NEEDS_EPT, "27.2.1.1", "mode-based execute control for EPT needs enable EPT") \
	X(SPP_NEEDS_EPT, "27.2.1.1", "sub-page write permissions need enable EPT") \
	/* 27.2.1.2 VM-exit control fields */				\
	X(EXIT_CTLS, "27.2.1.2", "VM-exit controls within IA32_VMX_TRUE_EXIT_CTLS") \
	X(EXIT_SAVE_TIMER, "27.2.1.2", "save VMX-preemption timer value needs activate VMX-preemption timer") \
	X(EXIT_MSR_STORE_ADDR, "27.2.1.2", "VM-exit MSR-store area 16-byte aligned, below MAXPHYADDR") \
	X(EXIT_MSR_LOAD_ADDR, "27.2.1.2", "VM-exit MSR-load area 16-byte aligned, below MAXPHYADDR") \
	/* 27.2.1.3 VM-entry control fields */				\
	X(ENTRY_CTLS, "27.2.1.3", "VM-entry controls within IA32_VMX_TRUE_ENTRY_CTLS") \
	X(ENTRY_SMM, "27.2.1.3", "entry to SMM and deactivate dual-monitor treatment 0 outside SMM") \
	X(ENTRY_MSR_LOAD_ADDR, "27.2.1.3", "VM-entry MSR-load area 16-byte aligned, below MAXPHYADDR") \
	X(EVT_RESERVED, "27.2.1.3", "VM-entry interruption information bits 30:12 0") \
	X(EVT_TYPE, "27.2.1.3", "interruption type not 1, type 7 only with monitor trap flag supported") \
	X(EVT_NMI_VECTOR, "27.2.1.3", "an injected NMI has vector 2") \
	X(EVT_HW_EXC_VECTOR, "27.2.1.3", "an injected hardware exception has a vector at most 31") \
	X(EVT_OTHER_VECTOR, "27.2.1.3", "an injected other event (pending MTF) has vector 0") \
	X(EVT_ERROR_CODE, "27.2.1.3", "deliver error code set exactly for protected-mode hardware exceptions 8, 10-14, 17, 21") \
	X(EVT_ERROR_CODE_RESERVED, "27.2.1.3", "VM-entry exception error code bits 31:16 0") \
	X(EVT_INSN_LEN, "27.2.1.3", "VM-entry instruction length 1-15 for software events (0 only with IA32_VMX_MISC[30])") \
	/* 27.2.2 host control registers and MSRs */			\
	X(HOST_CR0, "27.2.2", "host CR0 within IA32_VMX_CR0_FIXED0/FIXED1") \
	X(HOST_CR4, "27.2.2", "host CR4 within IA32_VMX_CR4_FIXED0/FIXED1") \
	X(HOST_CR3, "27.2.2", "host CR3 bits at or above MAXPHYADDR 0") \
	X(HOST_CANONICAL, "27.2.2", "host SYSENTER_ESP/EIP canonical") \
	X(HOST_PAT, "27.2.2", "host IA32_PAT entries 0, 1, 4, 5, 6 or 7") \
	X(HOST_EFER_RESERVED, "27.2.2", "host IA32_EFER reserved bits 0") \
	X(HOST_EFER_LMA, "27.2.2", "host IA32_EFER.LMA and LME equal host address-space size") \
	/* 27.2.3 host segment and descriptor-table registers */	\
	X(HOST_SEL_RPL_TI, "27.2.3", "host selectors RPL 0 and TI 0") \
	X(HOST_CS_NULL, "27.2.3", "host CS selector not 0") \
	X(HOST_TR_NULL, "27.2.3", "host TR selector not 0") \
	X(HOST_SS_NULL, "27.2.3", "host SS selector not 0 without host address-space size") \
	X(HOST_BASE_CANONICAL, "27.2.3", "host FS, GS, GDTR, IDTR and TR bases canonical") \
	/* 27.2.4 address-space size */					\
	X(HOST_ADDR_SPACE, "27.2.4", "host address-space size 1 exactly when the CPU is in IA-32e mode") \
	X(GUEST_IA32E_OUTSIDE, "27.2.4", "IA-32e mode guest 0 when the CPU is not in IA-32e mode") \
	X(HOST_ADDR64_PAE, "27.2.4", "host CR4.PAE 1 with host address-space size") \
	X(HOST_PCIDE_NEEDS_ADDR64, "27.2.4", "host CR4.PCIDE 0 without host address-space size") \
	X(HOST_RIP, "27.2.4", "host RIP canonical (64-bit host) or bits 63:32 0") \
	/* 27.3.1.1 guest control registers, debug registers and MSRs */ \
	X(GUEST_CR0, "27.3.1.1", "guest CR0 within IA32_VMX_CR0_FIXED0/FIXED1 (PE, PG free with unrestricted guest)") \
	X(GUEST_CR0_PG_PE, "27.3.1.1", "guest CR0.PG 1 only with CR0.PE 1") \
	X(GUEST_CR4, "27.3.1.1", "guest CR4 within IA32_VMX_CR4_FIXED0/FIXED1") \
	X(GUEST_DEBUGCTL, "27.3.1.1", "guest IA32_DEBUGCTL reserved bits 0 with load debug controls") \
	X(GUEST_IA32E_PG_PAE, "27.3.1.1", "IA-32e mode guest needs guest CR0.PG and CR4.PAE") \
	X(GUEST_PCIDE_NEEDS_IA32E, "27.3.1.1", "guest CR4.PCIDE 0 outside IA-32e mode") \
	X(GUEST_CR3, "27.3.1.1", "guest CR3 bits at or above MAXPHYADDR 0") \
	X(GUEST_DR7, "27.3.1.1", "guest DR7 bits 63:32 0 with load debug controls") \
	X(GUEST_SYSENTER, "27.3.1.1", "guest SYSENTER_ESP/EIP canonical") \
	X(GUEST_PAT, "27.3.1.1", "guest IA32_PAT entries 0, 1, 4, 5, 6 or 7") \
	X(GUEST_EFER_RESERVED, "27.3.1.1", "guest IA32_EFER reserved bits 0") \
	X(GUEST_EFER_LMA, "27.3.1.1", "guest IA32_EFER.LMA equals IA-32e mode guest, and LME with CR0.PG") \
	/* 27.3.1.2 guest segment registers */				\
	X(GUEST_TR_TI, "27.3.1.2", "guest TR selector TI 0") \
	X(GUEST_LDTR_TI, "27.3.1.2", "guest LDTR selector TI 0 when usable") \
	X(GUEST_SS_RPL, "27.3.1.2", "guest SS.RPL equals CS.RPL") \
	X(GUEST_SEG_BASE, "27.3.1.2", "guest segment bases canonical (FS, GS, LDTR, TR) or bits 63:32 0 (CS, SS, DS, ES)") \
	X(GUEST_CS_TYPE, "27.3.1.2", "guest CS type 9, 11, 13 or 15 (3 with unrestricted guest)") \
	X(GUEST_SS_TYPE, "27.3.1.2", "guest SS type 3 or 7 when usable") \
	X(GUEST_DATA_TYPE, "27.3.1.2", "guest DS, ES, FS, GS accessed, and readable if code, when usable") \
	X(GUEST_SEG_S, "27.3.1.2", "guest CS, SS, DS, ES, FS, GS descriptor type S 1 when usable") \
	X(GUEST_CS_DPL, "27.3.1.2", "guest CS.DPL equals SS.DPL (non-conforming) or at most SS.DPL (conforming)") \
	X(GUEST_SS_DPL, "27.3.1.2", "guest SS.DPL equals SS.RPL") \
	X(GUEST_DATA_DPL, "27.3.1.2", "guest DS, ES, FS, GS DPL at least RPL (data, non-conforming code)") \
	X(GUEST_SEG_PRESENT, "27.3.1.2", "guest segments present when usable") \
	X(GUEST_SEG_AR_RESERVED, "27.3.1.2", "guest access-rights bits 11:8 and 31:17 0 when usable") \
	X(GUEST_CS_L_D, "27.3.1.2", "guest CS.D 0 when CS.L 1 in an IA-32e mode guest") \
	X(GUEST_SEG_G, "27.3.1.2", "guest segment granularity matches its limit") \
	X(GUEST_TR_TYPE, "27.3.1.2", "guest TR a busy 64-bit TSS (type 11) in an IA-32e mode guest, or a busy 16/32-bit TSS") \
	X(GUEST_TR_AR, "27.3.1.2", "guest TR S 0, present, usable") \
	X(GUEST_LDTR_AR, "27.3.1.2", "guest LDTR type 2, S 0, present when usable") \
	/* 27.3.1.3 descriptor-table registers */			\
	X(GUEST_DT_BASE, "27.3.1.3", "guest GDTR and IDTR bases canonical") \
	X(GUEST_DT_LIMIT, "27.3.1.3", "guest GDTR and IDTR limits bits 31:16 0") \
	/* 27.3.1.4 RIP and RFLAGS */					\
	X(GUEST_RIP, "27.3.1.4", "guest RIP canonical (64-bit code) or bits 63:32 0") \
	X(GUEST_RFLAGS_RESERVED, "27.3.1.4", "guest RFLAGS bits 63:22, 15, 5, 3 0 and bit 1 set") \
	X(GUEST_RFLAGS_VM, "27.3.1.4", "guest RFLAGS.VM 0 in an IA-32e mode guest or with CR0.PE 0") \
	X(GUEST_RFLAGS_IF, "27.3.1.4", "guest RFLAGS.IF 1 when an external interrupt is injected") \
	/* 27.3.1.5 non-register state */				\
	X(GUEST_ACTIVITY, "27.3.1.5", "guest activity state 0-3 and supported by IA32_VMX_MISC[8:6]") \
	X(GUEST_ACTIVITY_HLT_DPL, "27.3.1.5", "guest SS.DPL 0 in the HLT activity state") \
	X(GUEST_ACTIVITY_BLOCKING, "27.3.1.5", "guest active when blocked by STI or MOV SS") \
	X(EVT_ACTIVITY, "27.3.1.5", "injected event allowed in the activity state: HLT takes external interrupts, NMIs, #DB, #MC, pending MTF; shutdown NMIs and #MC; wait-for-SIPI none") \
	X(GUEST_INTR_RESERVED, "27.3.1.5", "guest interruptibility bits 31:5 0") \
	X(GUEST_INTR_STI_MOVSS, "27.3.1.5", "guest not blocked by both STI and MOV SS") \
	X(GUEST_INTR_STI_IF, "27.3.1.5", "guest blocking by STI only with RFLAGS.IF 1") \
	X(GUEST_INTR_EXTINT, "27.3.1.5", "no blocking by STI or MOV SS when an external interrupt is injected") \
	X(GUEST_INTR_NMI, "27.3.1.5", "no blocking by STI or MOV SS (and by NMI with virtual NMIs) when an NMI is injected") \
	X(GUEST_INTR_SMI, "27.3.1.5", "guest blocking by SMI 0 outside SMM") \
	X(GUEST_PENDING_DBG_RESERVED, "27.3.1.5", "guest pending debug exceptions bits 63:17, 15, 13, 11:4 0") \
	X(GUEST_PENDING_DBG_BS, "27.3.1.5", "pending BS equals RFLAGS.TF and not DEBUGCTL.BTF when blocked by STI or MOV SS, or in HLT") \
	X(GUEST_LINK_POINTER, "27.3.1.5", "VMCS link pointer all ones, or 4-KiB aligned below MAXPHYADDR")

#define HV_VE_ENUM(id, sdm, text) HV_VE_##id,
enum hv_ve_rule { HV_VE_RULES(HV_VE_ENUM) HV_VE_NRULES };
#undef HV_VE_ENUM

struct hv_ve_result {
	enum hv_ve_rule rule;	/* HV_VE_OK when the entry would pass */
	u32 field;		/* enum hv_vmcs_field of the broken field */
};

/* The first broken rule of @img on @cpu, or HV_VE_OK. */
struct hv_ve_result hv_vmentry_check(const struct hv_vmcs_image *img,
				     const struct hv_ve_cpu *cpu);

/* "27.3.1.5", the rule's name ("EVT_ACTIVITY") and what must hold. */
const char *hv_ve_rule_sdm(enum hv_ve_rule r);
const char *hv_ve_rule_name(enum hv_ve_rule r);
const char *hv_ve_rule_text(enum hv_ve_rule r);
/* The name of a field the image holds ("GUEST_ACTIVITY"), or "?". */
const char *hv_ve_field_name(u32 field);
/* The value of @field in @img into *val; false if the image lacks it. */
bool hv_ve_image_field(const struct hv_vmcs_image *img, u32 field, u64 *val);
/* The encoding of the image's field number @i into *field (i from 0, in
 * a fixed order); false past the last.  Dumps walk the image with it. */
bool hv_ve_image_field_at(size_t i, u32 *field);
/* Sets @field of @img to @val (cut to the field's width); false if the
 * image lacks it.  Reads a dump back. */
bool hv_ve_image_set(struct hv_vmcs_image *img, u32 field, u64 val);

#endif /* HVGDB_KMOD_VMENTRY_CHECK_H */
