// SPDX-License-Identifier: GPL-2.0
/*
 * step.c - one guest instruction at a time (see step.h).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/bitops.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/step.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"

#define STEP_RFLAGS_TF		(1ULL << 8)
#define STEP_RFLAGS_IF		(1ULL << 9)
#define STEP_DR6_BS		(1ULL << 14)

struct hv_step {
	enum hv_step_kind kind;
	bool tf_was_set;
	bool mtf;
	/* held external interrupt vectors, like the local APIC's IRR */
	unsigned long held[256 / BITS_PER_LONG];
	u32 nheld;
};

static DEFINE_PER_CPU(struct hv_step, hv_step);
static atomic64_t hv_step_held_count;

u64 hv_step_held_total(void)
{
	return atomic64_read(&hv_step_held_count);
}

enum hv_step_kind hv_step_kind(void)
{
	return this_cpu_ptr(&hv_step)->kind;
}

/* Only set what the capability MSRs allow (SDM Vol. 3 A.3). */
static u32 step_allowed(u64 msr, u32 bits)
{
	return bits & (u32)(msr >> 32);
}

/*
 * While interrupts are held, exit at the guest's next interrupt window to
 * deliver them, and on HLT: `sti; hlt` enters HLT with the window still
 * shut by the STI, and Bochs 2.7 gives no interrupt-window exit to a CPU
 * in HLT (hardware wakes it for one, as for an interrupt), so the held
 * interrupt, in service in the local APIC, would never wake the CPU.
 */
static void step_want_window(struct hv_cpu *c, struct hv_step *s)
{
	u64 proc = hv.caps.true_ctls ? hv.msrs.true_proc : hv.msrs.proc;
	u32 bits = HV_PROC_INTR_WINDOW |
		   step_allowed(proc, HV_PROC_HLT_EXITING);
	struct hv_ctl_extra *x = &c->extra[HV_OWN_STEP];
	u32 want = s->nheld ? x->proc | bits : x->proc & ~bits;

	if (want != x->proc) {
		x->proc = want;
		c->ctls_dirty = true;
	}
}

void hv_step_start(struct hv_cpu *c, enum hv_step_kind kind)
{
	struct hv_step *s = this_cpu_ptr(&hv_step);
	struct hv_ctl_extra *x = &c->extra[HV_OWN_STEP];
	u64 pin = hv.caps.true_ctls ? hv.msrs.true_pin : hv.msrs.pin;
	u64 exit = hv.caps.true_ctls ? hv.msrs.true_exit : hv.msrs.exit;
	u64 rflags = hv_vmread(VMCS_GUEST_RFLAGS);

	s->kind = kind;
	s->mtf = hv.caps.mtf;
	if (hv_vmread(VMCS_GUEST_ACTIVITY) == HV_ACTIVITY_HLT)
		hv_vmwrite(VMCS_GUEST_ACTIVITY, HV_ACTIVITY_ACTIVE);
	if (s->mtf) {
		x->proc |= HV_PROC_MTF;
	} else {
		s->tf_was_set = rflags & STEP_RFLAGS_TF;
		hv_vmwrite(VMCS_GUEST_RFLAGS, rflags | STEP_RFLAGS_TF);
		x->exception_bitmap |= 1u << 1;		/* #DB */
	}
	/* Hold interrupts: exit on them, acknowledged, for the step. */
	if (step_allowed(pin, HV_PIN_EXT_INTR_EXITING) &&
	    step_allowed(exit, HV_EXIT_ACK_INTR)) {
		x->pin |= HV_PIN_EXT_INTR_EXITING;
		x->exit |= HV_EXIT_ACK_INTR;
	}
	c->ctls_dirty = true;
}

void hv_step_report(void)
{
	struct hv_step *s = this_cpu_ptr(&hv_step);

	if (s->kind == HV_STEP_OVER)
		s->kind = HV_STEP_GDB;
}

bool hv_step_is_ours_db(u64 qual)
{
	struct hv_step *s = this_cpu_ptr(&hv_step);

	return s->kind != HV_STEP_NONE && !s->mtf && (qual & STEP_DR6_BS);
}

enum hv_step_kind hv_step_end(struct hv_cpu *c)
{
	struct hv_step *s = this_cpu_ptr(&hv_step);
	struct hv_ctl_extra *x = &c->extra[HV_OWN_STEP];
	enum hv_step_kind kind = s->kind;

	if (kind == HV_STEP_NONE)
		return kind;
	if (s->mtf) {
		x->proc &= ~HV_PROC_MTF;
	} else {
		if (!s->tf_was_set)
			hv_vmwrite(VMCS_GUEST_RFLAGS,
				   hv_vmread(VMCS_GUEST_RFLAGS) &
				   ~STEP_RFLAGS_TF);
		x->exception_bitmap &= ~(1u << 1);
	}
	x->pin &= ~HV_PIN_EXT_INTR_EXITING;
	x->exit &= ~HV_EXIT_ACK_INTR;
	step_want_window(c, s);
	s->kind = HV_STEP_NONE;
	c->ctls_dirty = true;
	return kind;
}

/*
 * Inject the highest held vector if the guest can take an interrupt now:
 * IF=1, no STI/MOV-SS blocking (SDM 26.7.5), nothing else queued (one
 * event per entry).  An external interrupt may be injected into HLT and
 * wakes the CPU (SDM 26.3.1.5): a CPU idle in HLT must not wait for an
 * interrupt-window exit to wake it (Bochs 2.7 never gives one there).
 */
static void step_deliver_held(struct hv_step *s)
{
	u32 block = (u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY);
	int v;

	if (!s->nheld || hv_event_queued() ||
	    !(hv_vmread(VMCS_GUEST_RFLAGS) & STEP_RFLAGS_IF) ||
	    hv_blocks_interrupts(block))
		return;
	v = find_last_bit(s->held, 256);	/* highest priority */
	__clear_bit(v, s->held);
	s->nheld--;
	hv_inject_extint(v);
}

int hv_step_on_extint(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_step *s = this_cpu_ptr(&hv_step);
	u32 info = (u32)hv_vmread(VMCS_EXIT_INTR_INFO);

	/* Acknowledged on exit: the vector is ours to deliver later. */
	if (hv_intr_info_valid(info)) {
		const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);
		u32 v = hv_intr_info_vector(info);

		if (!__test_and_set_bit(v, s->held))
			s->nheld++;
		atomic64_inc(&hv_step_held_count);
		if (m)
			m->on_interrupt(c, r, v);
	}
	/* No step armed (an !interrupt event, or a step that ended in this
	 * very exit): deliver now if the guest can take it, else from the
	 * window. */
	if (s->kind == HV_STEP_NONE) {
		step_deliver_held(s);
		step_want_window(c, s);
	}
	return HV_RESUME;
}

int hv_step_on_intr_window(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_step *s = this_cpu_ptr(&hv_step);

	step_deliver_held(s);
	step_want_window(c, s);
	return HV_RESUME;
}

/*
 * HLT while interrupts are held (HLT exiting is on only then): as natively
 * with an interrupt pending, the HLT completes and the interrupt is taken
 * after it, also in the STI shadow of `sti; hlt`, whose blocking ends with
 * the HLT.  With IF=0 (or nothing to deliver) the CPU halts for real.
 */
int hv_step_on_hlt(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_step *s = this_cpu_ptr(&hv_step);
	u32 block = (u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY);

	hv_skip_insn();
	if (hv_blocks_interrupts(block))
		hv_vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			   block & ~(HV_BLOCK_BY_STI | HV_BLOCK_BY_MOVSS));
	if (s->kind == HV_STEP_NONE)
		step_deliver_held(s);
	if (!hv_event_queued())
		hv_vmwrite(VMCS_GUEST_ACTIVITY, HV_ACTIVITY_HLT);
	step_want_window(c, s);
	return HV_RESUME;
}
