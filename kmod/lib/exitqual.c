// SPDX-License-Identifier: GPL-2.0
/* exitqual.c - exit reason and qualification decoding (see exitqual.h). */
#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/exitqual.h"

/* Table 28-3: control-register accesses. */
void hv_decode_cr(u64 q, struct hv_cr_access *out)
{
	out->cr = q & 0xf;
	out->type = (q >> 4) & 3;
	out->lmsw_mem = (q >> 6) & 1;
	out->gpr = (q >> 8) & 0xf;
	out->lmsw_src = (u16)(q >> 16);
}

/* Table 28-7: EPT violations. */
void hv_decode_ept_violation(u64 q, struct hv_ept_violation *out)
{
	out->read = q & 1;
	out->write = (q >> 1) & 1;
	out->fetch = (q >> 2) & 1;
	out->readable = (q >> 3) & 1;
	out->writable = (q >> 4) & 1;
	out->executable = (q >> 5) & 1;
	out->gla_valid = (q >> 7) & 1;
	out->gla_translated = out->gla_valid && ((q >> 8) & 1);
	out->nmi_unblocking = (q >> 12) & 1;
}

/* Table 28-5: I/O instructions. */
void hv_decode_io(u64 q, struct hv_io_access *out)
{
	out->size = (u8)((q & 7) + 1);
	out->in = (q >> 3) & 1;
	out->string = (q >> 4) & 1;
	out->rep = (q >> 5) & 1;
	out->imm = (q >> 6) & 1;
	out->port = (u16)(q >> 16);
}

static const char *const hv_reason_names[HV_EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = "EXCEPTION_NMI",
	[EXIT_EXTERNAL_INTR] = "EXTERNAL_INTERRUPT",
	[EXIT_TRIPLE_FAULT] = "TRIPLE_FAULT",
	[EXIT_INIT] = "INIT",
	[EXIT_SIPI] = "SIPI",
	[EXIT_IO_SMI] = "IO_SMI",
	[EXIT_OTHER_SMI] = "OTHER_SMI",
	[EXIT_INTR_WINDOW] = "INTERRUPT_WINDOW",
	[EXIT_NMI_WINDOW] = "NMI_WINDOW",
	[EXIT_TASK_SWITCH] = "TASK_SWITCH",
	[EXIT_CPUID] = "CPUID",
	[EXIT_GETSEC] = "GETSEC",
	[EXIT_HLT] = "HLT",
	[EXIT_INVD] = "INVD",
	[EXIT_INVLPG] = "INVLPG",
	[EXIT_RDPMC] = "RDPMC",
	[EXIT_RDTSC] = "RDTSC",
	[EXIT_RSM] = "RSM",
	[EXIT_VMCALL] = "VMCALL",
	[EXIT_VMCLEAR] = "VMCLEAR",
	[EXIT_VMLAUNCH] = "VMLAUNCH",
	[EXIT_VMPTRLD] = "VMPTRLD",
	[EXIT_VMPTRST] = "VMPTRST",
	[EXIT_VMREAD] = "VMREAD",
	[EXIT_VMRESUME] = "VMRESUME",
	[EXIT_VMWRITE] = "VMWRITE",
	[EXIT_VMXOFF] = "VMXOFF",
	[EXIT_VMXON] = "VMXON",
	[EXIT_CR_ACCESS] = "CR_ACCESS",
	[EXIT_DR_ACCESS] = "DR_ACCESS",
	[EXIT_IO] = "IO_INSTRUCTION",
	[EXIT_RDMSR] = "RDMSR",
	[EXIT_WRMSR] = "WRMSR",
	[EXIT_ENTRY_BAD_GUEST] = "ENTRY_INVALID_GUEST_STATE",
	[EXIT_ENTRY_BAD_MSR] = "ENTRY_MSR_LOADING",
	[EXIT_MWAIT] = "MWAIT",
	[EXIT_MTF] = "MONITOR_TRAP_FLAG",
	[EXIT_MONITOR] = "MONITOR",
	[EXIT_PAUSE] = "PAUSE",
	[EXIT_ENTRY_MCE] = "ENTRY_MACHINE_CHECK",
	[EXIT_TPR_BELOW] = "TPR_BELOW_THRESHOLD",
	[EXIT_APIC_ACCESS] = "APIC_ACCESS",
	[EXIT_VEOI] = "VIRTUALIZED_EOI",
	[EXIT_GDTR_IDTR] = "GDTR_IDTR",
	[EXIT_LDTR_TR] = "LDTR_TR",
	[EXIT_EPT_VIOLATION] = "EPT_VIOLATION",
	[EXIT_EPT_MISCONFIG] = "EPT_MISCONFIG",
	[EXIT_INVEPT] = "INVEPT",
	[EXIT_RDTSCP] = "RDTSCP",
	[EXIT_PREEMPT_TIMER] = "PREEMPTION_TIMER",
	[EXIT_INVVPID] = "INVVPID",
	[EXIT_WBINVD] = "WBINVD",
	[EXIT_XSETBV] = "XSETBV",
	[EXIT_APIC_WRITE] = "APIC_WRITE",
	[EXIT_RDRAND] = "RDRAND",
	[EXIT_INVPCID] = "INVPCID",
	[EXIT_VMFUNC] = "VMFUNC",
	[EXIT_ENCLS] = "ENCLS",
	[EXIT_RDSEED] = "RDSEED",
	[EXIT_PML_FULL] = "PML_FULL",
	[EXIT_XSAVES] = "XSAVES",
	[EXIT_XRSTORS] = "XRSTORS",
};

const char *hv_exit_reason_name(u32 reason)
{
	return reason < HV_EXIT_REASON_MAX ? hv_reason_names[reason] : NULL;
}

u32 hv_entry_activity(u32 activity, u32 intr_info)
{
	u32 type = hv_intr_info_type(intr_info);
	u32 vec = hv_intr_info_vector(intr_info);

	if (activity != HV_ACTIVITY_HLT || !hv_intr_info_valid(intr_info))
		return activity;
	switch (type) {
	case HV_INTR_TYPE_EXT_INTR:
	case HV_INTR_TYPE_NMI:
		return activity;
	case HV_INTR_TYPE_HW_EXCEPTION:
		return vec == HV_VEC_DB || vec == HV_VEC_MC ?
		       activity : HV_ACTIVITY_ACTIVE;
	case HV_INTR_TYPE_OTHER:	/* vector 0 is a pending MTF */
		return vec == 0 ? activity : HV_ACTIVITY_ACTIVE;
	default:		/* software interrupts and exceptions */
		return HV_ACTIVITY_ACTIVE;
	}
}

bool hv_exit_is_instruction(u32 r)
{
	switch (r) {
	case EXIT_CPUID: case EXIT_GETSEC: case EXIT_HLT: case EXIT_INVD:
	case EXIT_INVLPG: case EXIT_RDPMC: case EXIT_RDTSC: case EXIT_RSM:
	case EXIT_VMCALL: case EXIT_VMCLEAR: case EXIT_VMLAUNCH:
	case EXIT_VMPTRLD: case EXIT_VMPTRST: case EXIT_VMREAD:
	case EXIT_VMRESUME: case EXIT_VMWRITE: case EXIT_VMXOFF:
	case EXIT_VMXON: case EXIT_CR_ACCESS: case EXIT_DR_ACCESS:
	case EXIT_IO: case EXIT_RDMSR: case EXIT_WRMSR: case EXIT_MWAIT:
	case EXIT_MONITOR: case EXIT_PAUSE: case EXIT_GDTR_IDTR:
	case EXIT_LDTR_TR: case EXIT_INVEPT: case EXIT_RDTSCP:
	case EXIT_INVVPID: case EXIT_WBINVD: case EXIT_XSETBV:
	case EXIT_RDRAND: case EXIT_INVPCID: case EXIT_VMFUNC:
	case EXIT_ENCLS: case EXIT_RDSEED: case EXIT_XSAVES:
	case EXIT_XRSTORS:
		return true;
	}
	return false;
}

const char *hv_insn_error_text(u32 err)
{
	switch (err) {
	case 2: return "VMCLEAR with invalid physical address";
	case 4: return "VMLAUNCH with non-clear VMCS";
	case 5: return "VMRESUME with non-launched VMCS";
	case 7: return "VM entry with invalid control field(s)";
	case 8: return "VM entry with invalid host-state field(s)";
	case 9: return "VMPTRLD with invalid physical address";
	case 11: return "VMPTRLD with incorrect VMCS revision identifier";
	case 12: return "VMREAD/VMWRITE from/to unsupported VMCS component";
	case 15: return "VMXON executed in VMX root operation";
	case 26: return "VM entry with events blocked by MOV SS";
	case 28: return "invalid operand to INVEPT/INVVPID";
	}
	return NULL;
}

u64 hv_ept_violation_pending_dbg(u32 intr, u64 saved)
{
	return (intr & HV_BLOCK_BY_MOVSS) ? saved : 0;
}
