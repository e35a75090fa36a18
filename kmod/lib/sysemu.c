// SPDX-License-Identifier: GPL-2.0
/*
 * sysemu.c - SYSCALL/SYSRET emulation (see sysemu.h).  Each emulator
 * checks every fault condition first and only then writes the state, so a
 * fault result leaves the guest exactly at the faulting instruction.
 */
#include "hvgdb/freestanding.h"
#include "kmod/lib/sysemu.h"

#define SYSEMU_MAX_INSN		15	/* SDM Vol. 2A 2.3.11 */
#define SYSEMU_FLAT_LIMIT	0xffffffffu

/* Code: type 11 (execute/read, accessed), S, P, G. SS: type 3, S, P, B, G. */
#define SYSEMU_AR_CODE(dpl)	(SYSEMU_AR_TYPE(11) | SYSEMU_AR_S | \
				 SYSEMU_AR_DPL(dpl) | SYSEMU_AR_P | SYSEMU_AR_G)
#define SYSEMU_AR_STACK(dpl)	(SYSEMU_AR_TYPE(3) | SYSEMU_AR_S | \
				 SYSEMU_AR_DPL(dpl) | SYSEMU_AR_P | \
				 SYSEMU_AR_DB | SYSEMU_AR_G)

/*
 * Prefixes.  SDM Vol. 2A 2.1.1 and 2.2.1: segment overrides, 66, 67 and
 * F2/F3 may precede any opcode; they have no meaning for SYSCALL (no
 * operands, no memory access), and real processors execute a prefixed
 * SYSCALL as SYSCALL, so we do too.  A REX prefix counts only when it
 * immediately precedes the opcode (a later legacy prefix cancels it);
 * for SYSCALL it is ignored, for SYSRET REX.W selects SYSRETQ.  SYSRET's
 * operand size without REX.W is 32 (return to compatibility mode); a 66
 * prefix would ask for 16, which the SDM does not define, so 66 0F 07 is
 * left to the guest's #UD.  LOCK makes any of them #UD (SDM "LOCK"), and
 * more than 15 bytes is not an instruction: both are FOREIGN.
 */
static bool sysemu_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

enum sysemu_insn sysemu_classify(const u8 *bytes, size_t len, bool cs_l,
				 u8 *insn_len)
{
	bool opsize = false;
	u8 rex = 0;
	size_t i;

	*insn_len = 0;
	/*
	 * Intel: SYSCALL and SYSRET #UD unless CS.L=1 (Operation sections),
	 * whatever EFER.SCE says, so outside 64-bit mode the #UD would have
	 * happened without the hook too.  There 40-4F are INC/DEC anyway.
	 */
	if (!cs_l)
		return SYSEMU_FOREIGN;
	if (len > SYSEMU_MAX_INSN)
		len = SYSEMU_MAX_INSN;
	for (i = 0; i < len; i++) {
		u8 b = bytes[i];

		if (sysemu_legacy_prefix(b)) {
			if (b == 0x66)
				opsize = true;
			rex = 0;
		} else if ((b & 0xf0) == 0x40) {
			rex = b;
		} else {
			break;
		}
	}
	/* Also covers a truncated read: the opcode is not all there. */
	if (i + 2 > len || bytes[i] != 0x0f)
		return SYSEMU_FOREIGN;
	switch (bytes[i + 1]) {
	case 0x05:
		*insn_len = (u8)(i + 2);
		return SYSEMU_SYSCALL;
	case 0x07:
		if (rex & 0x08) {
			*insn_len = (u8)(i + 2);
			return SYSEMU_SYSRETQ;
		}
		if (opsize)
			return SYSEMU_FOREIGN;
		*insn_len = (u8)(i + 2);
		return SYSEMU_SYSRET32;
	}
	return SYSEMU_FOREIGN;
}

/* SDM Vol. 2B SYSCALL/SYSRET: IA32_EFER.LMA=1, CS.L=1, IA32_EFER.SCE=1. */
static bool sysemu_enabled(const struct sysemu_state *s,
			   const struct sysemu_msrs *m)
{
	return (m->efer & SYSEMU_EFER_LMA) && (s->cs.ar & SYSEMU_AR_L) &&
	       (m->efer & SYSEMU_EFER_SCE);
}

static void sysemu_flat(struct sysemu_seg *seg, u16 sel, u32 ar)
{
	seg->sel = sel;
	seg->base = 0;
	seg->limit = SYSEMU_FLAT_LIMIT;	/* limit FFFFFH, G=1 */
	seg->ar = ar;
}

/*
 * SDM Vol. 2B "SYSCALL" Operation.  R11 gets RFLAGS with RF clear: a #UD
 * exit saves RF=1 (a fault's RFLAGS image has RF set, and the VMCS takes
 * that image, SDM Vol. 3C 27.3.3), which the real SYSCALL never saw; RF
 * is 0 after any completed instruction anyway (SDM Vol. 3B 18.3.1.1).
 * Bit 1 of RFLAGS is always 1.
 */
enum sysemu_result sysemu_syscall(struct sysemu_state *s,
				  const struct sysemu_msrs *m)
{
	u64 old = s->rflags & ~SYSEMU_RFLAGS_RF;
	u16 cs = (u16)(m->star >> 32);

	if (!sysemu_enabled(s, m))
		return SYSEMU_INJECT_UD;
	s->rcx = s->rip + s->insn_len;
	s->r11 = old;
	s->rip = m->lstar;
	s->rflags = (old & ~m->fmask) | SYSEMU_RFLAGS_FIXED1;
	sysemu_flat(&s->cs, cs & 0xfffc, SYSEMU_AR_CODE(0) | SYSEMU_AR_L);
	/* Not masked: STAR[47:32] + 8, RPL bits included, as the SDM says. */
	sysemu_flat(&s->ss, (u16)(cs + 8), SYSEMU_AR_STACK(0));
	s->cpl = 0;
	s->pending_bs = old & SYSEMU_RFLAGS_TF;
	return SYSEMU_DONE;
}

static bool sysemu_canonical(u64 a, bool la57)
{
	unsigned int shift = la57 ? 64 - 57 : 64 - 48;

	return (u64)((s64)(a << shift) >> shift) == a;
}

/*
 * SDM Vol. 2B "SYSRET" Operation.  On Intel the non-canonical RCX #GP(0)
 * is taken at CPL 0 with the guest's registers as they are (user RSP
 * already loaded by Linux's exit path): we inject it before any change.
 */
enum sysemu_result sysemu_sysret(struct sysemu_state *s,
				 const struct sysemu_msrs *m, bool rex_w)
{
	u16 base = (u16)(m->star >> 48);
	bool tf = s->rflags & SYSEMU_RFLAGS_TF;

	if (!sysemu_enabled(s, m))
		return SYSEMU_INJECT_UD;
	if (s->cpl != 0)
		return SYSEMU_INJECT_GP;
	if (rex_w && !sysemu_canonical(s->rcx, s->la57))
		return SYSEMU_INJECT_GP;
	s->rip = rex_w ? s->rcx : (u32)s->rcx;
	s->rflags = (s->r11 & SYSEMU_SYSRET_RFLAGS) | SYSEMU_RFLAGS_FIXED1;
	if (rex_w)
		sysemu_flat(&s->cs, (u16)(base + 16) | 3,
			    SYSEMU_AR_CODE(3) | SYSEMU_AR_L);
	else
		sysemu_flat(&s->cs, base | 3, SYSEMU_AR_CODE(3) | SYSEMU_AR_DB);
	sysemu_flat(&s->ss, (u16)(base + 8) | 3, SYSEMU_AR_STACK(3));
	s->cpl = 3;
	s->pending_bs = tf;
	return SYSEMU_DONE;
}

enum sysemu_result sysemu_ud(struct sysemu_state *s,
			     const struct sysemu_msrs *m,
			     const u8 *bytes, size_t len,
			     enum sysemu_insn *insn)
{
	struct sysemu_state t = *s;
	enum sysemu_result r;
	enum sysemu_insn k;
	u8 n;

	k = sysemu_classify(bytes, len, s->cs.ar & SYSEMU_AR_L, &n);
	if (insn)
		*insn = k;
	t.insn_len = n;
	switch (k) {
	case SYSEMU_SYSCALL:
		r = sysemu_syscall(&t, m);
		break;
	case SYSEMU_SYSRETQ:
	case SYSEMU_SYSRET32:
		r = sysemu_sysret(&t, m, k == SYSEMU_SYSRETQ);
		break;
	default:
		return SYSEMU_INJECT_UD;
	}
	if (r == SYSEMU_DONE)
		*s = t;
	return r;
}
