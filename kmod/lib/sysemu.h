/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysemu.h - SYSCALL/SYSRET emulation for the !syscall/!sysret hook.
 *
 * The hook runs the guest with EFER.SCE=0, so every SYSCALL and SYSRET
 * raises #UD (SDM Vol. 2B "SYSCALL", "SYSRET": #UD if IA32_EFER.SCE=0),
 * which the #UD intercept hands to sysemu_ud().  Contract: pure.  The
 * caller copies the guest fields into struct sysemu_state, passes the
 * bytes at RIP (read through pgwalk; fewer than 3 if the read stopped
 * early) and the guest's own view of the MSRs, and on SYSEMU_DONE writes
 * the state back to the VMCS.  Any other result leaves the state
 * untouched and names the exception to inject instead.  Only the Intel
 * behaviour is emulated (SYSCALL outside 64-bit mode is #UD; no CSTAR).
 * CET shadow stacks are not emulated.
 */
#ifndef HVGDB_KMOD_SYSEMU_H
#define HVGDB_KMOD_SYSEMU_H

#include "hvgdb/freestanding.h"

#define SYSEMU_EFER_SCE		(1ULL << 0)
#define SYSEMU_EFER_LMA		(1ULL << 10)

#define SYSEMU_RFLAGS_FIXED1	(1ULL << 1)
#define SYSEMU_RFLAGS_TF	(1ULL << 8)
#define SYSEMU_RFLAGS_RF	(1ULL << 16)
/* SDM "SYSRET" Operation: RFLAGS := (R11 AND 3C7FD7H) OR 2. */
#define SYSEMU_SYSRET_RFLAGS	0x3c7fd7ULL

/* VMCS segment access rights (SDM Vol. 3C 24.4.1, table 24-2; 25.4.1 and
 * table 25-2 in the 2023+ editions). */
#define SYSEMU_AR_TYPE(t)	((u32)(t) & 0xf)
#define SYSEMU_AR_S		(1u << 4)
#define SYSEMU_AR_DPL(d)	(((u32)(d) & 3) << 5)
#define SYSEMU_AR_P		(1u << 7)
#define SYSEMU_AR_L		(1u << 13)
#define SYSEMU_AR_DB		(1u << 14)
#define SYSEMU_AR_G		(1u << 15)
#define SYSEMU_AR_UNUSABLE	(1u << 16)

struct sysemu_seg {
	u16 sel;
	u64 base;
	u32 limit;		/* byte granular, as in the VMCS */
	u32 ar;			/* VMCS access-rights format */
};

struct sysemu_state {
	u64 rip, rflags, rcx, r11, rsp;
	struct sysemu_seg cs, ss;
	u8 cpl;			/* in VMX the CPL is SS.DPL */
	u8 insn_len;		/* in: length of the instruction at rip */
	bool la57;		/* in: CR4.LA57, canonical width 57 vs 48 */
	/*
	 * out: deliver a single-step #DB after this instruction (set the
	 * BS bit, 14, of the VMCS pending debug exceptions and DR6.BS).
	 * Set when RFLAGS.TF was 1 before the instruction: single-step is
	 * a trap on the TF in force when the instruction starts, so it
	 * fires after SYSCALL even though FMASK clears TF, and not after a
	 * SYSRET that sets it (SDM Vol. 3B 18.3.1.4).
	 */
	bool pending_bs;
};

/* The guest's view of its MSRs: efer is the shadow EFER it believes in. */
struct sysemu_msrs {
	u64 star, lstar, cstar, fmask, efer;
};

enum sysemu_insn {
	SYSEMU_FOREIGN = 0,	/* not ours: re-inject #UD unchanged */
	SYSEMU_SYSCALL,
	SYSEMU_SYSRETQ,		/* REX.W 0F 07: return to 64-bit mode */
	SYSEMU_SYSRET32,	/* 0F 07: return to compatibility mode */
};

enum sysemu_result {
	SYSEMU_DONE = 0,	/* state updated: write back, resume */
	SYSEMU_INJECT_UD,	/* inject #UD, state unchanged */
	SYSEMU_INJECT_GP,	/* inject #GP(0), state unchanged */
};

/*
 * Decode the instruction at RIP from @len bytes (the caller may pass up
 * to 15).  Recognised: optional legacy prefixes (see sysemu.c), then an
 * optional REX, then 0F 05 or 0F 07.  Anything else, LOCK, a truncated
 * read, or !@cs_l (on Intel SYSCALL/SYSRET #UD outside 64-bit mode, so
 * such a #UD is the guest's own) is FOREIGN.  *@insn_len gets the length.
 */
enum sysemu_insn sysemu_classify(const u8 *bytes, size_t len, bool cs_l,
				 u8 *insn_len);

/* The instruction's Operation section, run as if EFER.SCE were m->efer's. */
enum sysemu_result sysemu_syscall(struct sysemu_state *s,
				  const struct sysemu_msrs *m);
enum sysemu_result sysemu_sysret(struct sysemu_state *s,
				 const struct sysemu_msrs *m, bool rex_w);

/*
 * The #UD handler in one call: classify, then emulate.  *@insn (may be
 * NULL) says what was found, so the caller can raise !syscall/!sysret
 * events before writing the new state back.
 */
enum sysemu_result sysemu_ud(struct sysemu_state *s,
			     const struct sysemu_msrs *m,
			     const u8 *bytes, size_t len,
			     enum sysemu_insn *insn);

/*
 * EFER as the guest must see it (RDMSR) and as the hardware must run it
 * (VMCS guest EFER after the guest's WRMSR): the hook owns SCE only.
 */
static inline u64 sysemu_efer_hw(u64 guest_efer, bool hook)
{
	return hook ? guest_efer & ~SYSEMU_EFER_SCE : guest_efer;
}

static inline u64 sysemu_efer_guest(u64 hw_efer, u64 shadow_efer)
{
	return (hw_efer & ~SYSEMU_EFER_SCE) | (shadow_efer & SYSEMU_EFER_SCE);
}

#endif /* HVGDB_KMOD_SYSEMU_H */
