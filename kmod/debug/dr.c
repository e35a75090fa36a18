// SPDX-License-Identifier: GPL-2.0
/*
 * dr.c - debug registers shared between gdb and the guest (see dr.h).
 *
 * A VM exit saves and loads DR7 through the VMCS ("save/load debug
 * controls", SDM Vol. 3 28.3.1, 27.3.1) but leaves DR0-3 and DR6 as they
 * are (SDM Vol. 3 27.3.1 lists no such fields): in VMX root the real
 * DR0-3 are the guest's, or gdb's for the slots gdb holds.  The guest can
 * write them at any time without an exit unless "MOV-DR exiting" is set
 * (SDM Vol. 3 25.1.3), so it is set while gdb holds a slot.
 *
 * DR7 per slot i: L/G enable bits 2i and 2i+1, R/W and LEN bits 16+4i to
 * 19+4i (SDM Vol. 3 18.2.4).  A guest breakpoint in a slot gdb holds does
 * not fire until gdb gives the slot back (the hardware has one register).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/dr.h"
#include "monitor-cmds/event_emul.h"

#define DR7_FIXED1	0x400ULL	/* bit 10 reads as 1 (SDM 18.2.4) */

struct dr_cpu {
	u32 held;			/* slots gdb holds on this CPU */
	u64 guest[HV_DR_SLOTS];		/* the guest's DRi for those slots */
	u64 guest_dr7;			/* its DR7 bits of those slots */
};
static DEFINE_PER_CPU(struct dr_cpu, dr_cpu);

static u64 dr_slot_bits(u32 slots)
{
	u64 m = 0;
	int i;

	for (i = 0; i < HV_DR_SLOTS; i++)
		if (slots & (1u << i))
			m |= (3ULL << (2 * i)) | (0xfULL << (16 + 4 * i));
	return m;
}

static u64 dr_read(int i)
{
	switch (i) {
	case 0: return native_get_debugreg(0);
	case 1: return native_get_debugreg(1);
	case 2: return native_get_debugreg(2);
	case 3: return native_get_debugreg(3);
	default: return native_get_debugreg(6);
	}
}

static void dr_write(int i, u64 v)
{
	switch (i) {
	case 0: native_set_debugreg(0, v); break;
	case 1: native_set_debugreg(1, v); break;
	case 2: native_set_debugreg(2, v); break;
	case 3: native_set_debugreg(3, v); break;
	default: native_set_debugreg(6, v); break;
	}
}

void hv_dr_load(struct hv_cpu *c, const u64 *addr, u32 slots)
{
	struct dr_cpu *d = this_cpu_ptr(&dr_cpu);
	struct hv_ctl_extra *x = &c->extra[HV_OWN_GDB];
	u64 dr7 = hv_vmread(VMCS_GUEST_DR7);
	int i;

	if (!slots && !d->held)
		return;		/* the common case: nothing to touch */
	for (i = 0; i < HV_DR_SLOTS; i++) {
		u32 bit = 1u << i;
		u64 m = dr_slot_bits(bit);

		if ((slots & bit) && !(d->held & bit)) {
			d->guest[i] = dr_read(i);
			d->guest_dr7 = (d->guest_dr7 & ~m) | (dr7 & m);
		} else if (!(slots & bit) && (d->held & bit)) {
			dr_write(i, d->guest[i]);
			dr7 = (dr7 & ~m) | (d->guest_dr7 & m);
		}
		if (slots & bit) {
			dr_write(i, addr[i]);
			/* L and G, execute (R/W 00), 1 byte (LEN 00) */
			dr7 = (dr7 & ~m) | (3ULL << (2 * i));
		}
	}
	d->held = slots;
	hv_vmwrite(VMCS_GUEST_DR7, dr7 | DR7_FIXED1);
	if (slots)
		x->proc |= HV_PROC_MOV_DR;
	else
		x->proc &= ~HV_PROC_MOV_DR;
	c->ctls_dirty = true;
}

/* MOV to/from DR (SDM Vol. 2 "MOV-Move to/from Debug Registers"; exit
 * qualification SDM Vol. 3 Table 28-4).  The CPL and DR7.GD checks come
 * before the exit (SDM Vol. 3 26.1.1), so they are not repeated here. */
bool hv_dr_emulate(struct hv_regs *r, u64 qual)
{
	struct dr_cpu *d = this_cpu_ptr(&dr_cpu);
	u64 held = dr_slot_bits(d->held), v;
	struct event_dr_access a;
	int dr;

	event_decode_dr(qual, &a);
	dr = event_dr_alias(a.dr, hv_vmread(VMCS_GUEST_CR4) & X86_CR4_DE);
	if (dr < 0) {
		hv_inject(HV_VEC_UD, false, 0);
		return false;
	}
	if (a.from_dr) {
		if (dr < HV_DR_SLOTS && (d->held & (1u << dr)))
			v = d->guest[dr];
		else if (dr < HV_DR_SLOTS || dr == 6)
			v = dr_read(dr);
		else	/* DR7: the guest's own bits in gdb's slots */
			v = (hv_vmread(VMCS_GUEST_DR7) & ~held) |
			    (d->guest_dr7 & held);
		hv_set_guest_gpr(r, a.gpr, v);
		return true;
	}
	v = hv_guest_gpr(r, a.gpr);
	/* The upper 32 bits of DR6/DR7 must be 0 (#GP, SDM Vol. 2 "MOV"). */
	if ((dr == 6 || dr == 7) && (v >> 32)) {
		hv_inject(HV_VEC_GP, true, 0);
		return false;
	}
	if (dr < HV_DR_SLOTS && (d->held & (1u << dr))) {
		d->guest[dr] = v;
	} else if (dr < HV_DR_SLOTS || dr == 6) {
		dr_write(dr, v);
	} else {
		d->guest_dr7 = (d->guest_dr7 & ~held) | (v & held);
		v = (v & ~held) | (hv_vmread(VMCS_GUEST_DR7) & held);
		hv_vmwrite(VMCS_GUEST_DR7, v | DR7_FIXED1);
	}
	return true;
}
