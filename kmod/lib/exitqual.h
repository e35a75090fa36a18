/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exitqual.h - decoding of VM-exit reasons and exit qualifications
 * (SDM Vol. 3 28.2.1, tables 28-3, 28-5, 28-7), and the VM-entry rule on
 * events injected into a CPU in HLT.  Pure functions.
 */
#ifndef HVGDB_KMOD_EXITQUAL_H
#define HVGDB_KMOD_EXITQUAL_H

#include "hvgdb/freestanding.h"

/* Register numbers as in exit qualifications (RAX = 0 ... R15 = 15). */
enum hv_gpr {
	HV_RAX, HV_RCX, HV_RDX, HV_RBX, HV_RSP, HV_RBP, HV_RSI, HV_RDI,
	HV_R8, HV_R9, HV_R10, HV_R11, HV_R12, HV_R13, HV_R14, HV_R15,
	HV_NR_GPRS
};

enum hv_cr_access_type {
	HV_CR_MOV_TO = 0, HV_CR_MOV_FROM = 1, HV_CR_CLTS = 2, HV_CR_LMSW = 3,
};

struct hv_cr_access {
	u8 cr;			/* control register number */
	u8 type;		/* enum hv_cr_access_type */
	u8 gpr;			/* enum hv_gpr, for MOV */
	u16 lmsw_src;		/* LMSW source data */
	bool lmsw_mem;		/* LMSW operand was memory */
};

struct hv_ept_violation {
	bool read, write, fetch;	/* the access that faulted */
	bool readable, writable, executable; /* what the entry allowed */
	bool gla_valid;			/* guest linear address field valid */
	bool gla_translated;		/* fault on the final translation */
	bool nmi_unblocking;		/* IRET unblocked NMIs (bit 12) */
};

struct hv_io_access {
	u8 size;			/* 1, 2 or 4 bytes */
	bool in, string, rep, imm;
	u16 port;
};

void hv_decode_cr(u64 qual, struct hv_cr_access *out);
void hv_decode_ept_violation(u64 qual, struct hv_ept_violation *out);
void hv_decode_io(u64 qual, struct hv_io_access *out);

/* "CPUID", "EPT_VIOLATION", ... or NULL for reasons without a name. */
const char *hv_exit_reason_name(u32 basic_reason);

/* True for exits caused by executing an instruction (SDM 26.1.2, 28.2.5). */
bool hv_exit_is_instruction(u32 basic_reason);

/*
 * The guest activity state a VM entry that injects @intr_info (VM-entry
 * interruption-information) must carry: HLT accepts only external
 * interrupts, NMIs, #DB, #MC and a pending MTF exit, anything else fails
 * the entry (SDM Vol. 3 26.3.1.5), so such an event wakes the CPU.
 */
u32 hv_entry_activity(u32 activity, u32 intr_info);

/*
 * The pending-debug-exceptions field an EPT-violation exit saves, given
 * the guest interruptibility state @intr and what the CPU saved (@saved):
 * SDM Vol. 3C 28.3.4 saves it clear for every VM exit but INIT, SMI,
 * machine check, the trap-like exits and exits during blocking by MOV SS.
 * An EPT violation is fault-like: its instruction did not complete, so no
 * single-step trap of it is pending.  Bochs 2.7 saves BS there when
 * RFLAGS.TF is set; delivered after the next VM entry, that #DB ends a TF
 * step before its instruction ran, again and again.
 */
u64 hv_ept_violation_pending_dbg(u32 intr, u64 saved);

/* VM-instruction error numbers (SDM 31.4) as text, or NULL. */
const char *hv_insn_error_text(u32 err);

#endif /* HVGDB_KMOD_EXITQUAL_H */
