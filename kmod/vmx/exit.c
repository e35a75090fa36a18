// SPDX-License-Identifier: GPL-2.0
/*
 * exit.c - VM-exit dispatch: a core handler per basic exit reason, with
 * the observers of exit.h around it, or a handler set from above.
 *
 * Runs in VMX root with interrupts off on the per-CPU host stack, while
 * the interrupted kernel may hold any lock: no printk, no sleeping, no
 * kernel locks.  Unexpected exits are recorded in hv_cpu.unexpected (read
 * through debugfs) and, where the guest state is still sound, the CPU is
 * devirtualized so the kernel keeps running.
 *
 * Core handler contract (exit.h, exit_emul.h): return HV_RESUME or
 * HV_LEAVE (after hv_leave_vmx()) and say in x->result how the instruction
 * ended; hv_exit_handler() advances RIP for HV_EXIT_DONE and runs the
 * observers around the core handler.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/static_call.h>
#include <linux/bitops.h>
#include <linux/timekeeping.h>
#include <asm/desc.h>
#include <asm/special_insns.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/invpcid.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include "kmod/vmx/hv.h"
#include "kmod/vmx/exit_emul.h"
#include "kmod/vmx/prof.h"

static const struct hv_exit_ops hv_no_ops;
const struct hv_exit_ops *hv_exit_ops_cur = &hv_no_ops;

/* Called at the end of every exit: a static call, so the CPUID exit path
 * keeps a direct call (no retpoline). */
DEFINE_STATIC_CALL_NULL(hv_before_resume, *hv_no_ops.before_resume);

void hv_exit_set_ops(const struct hv_exit_ops *ops)
{
	ops = ops ?: &hv_no_ops;
	static_call_update(hv_before_resume, ops->before_resume);
	WRITE_ONCE(hv_exit_ops_cur, ops);
}

void hv_skip_insn(void)
{
	hv_vmwrite(VMCS_GUEST_RIP, hv_vmread(VMCS_GUEST_RIP) +
		   hv_vmread(VMCS_EXIT_INSN_LEN));
}

static void hv_record(struct hv_cpu *c, struct hv_regs *r, u32 reason,
		      enum hv_action action)
{
	struct hv_exit_record *e = &c->unexpected;

	e->count++;
	e->reason = reason;
	e->action = action;
	e->qual = hv_vmread(VMCS_EXIT_QUALIFICATION);
	e->intr_info = (u32)hv_vmread(VMCS_EXIT_INTR_INFO);
	e->intr_error = (u32)hv_vmread(VMCS_EXIT_INTR_ERROR);
	e->idt_vectoring = (u32)hv_vmread(VMCS_IDT_VECTORING_INFO);
	e->insn_len = (u32)hv_vmread(VMCS_EXIT_INSN_LEN);
	e->insn_err = (u32)hv_vmread(VMCS_INSN_ERROR);
	e->gpa = hv_vmread(VMCS_GUEST_PHYS_ADDR);
	e->gla = hv_vmread(VMCS_GUEST_LINEAR_ADDR);
	e->rip = hv_vmread(VMCS_GUEST_RIP);
	e->rsp = hv_vmread(VMCS_GUEST_RSP);
	e->rflags = hv_vmread(VMCS_GUEST_RFLAGS);
	e->cr3 = hv_vmread(VMCS_GUEST_CR3);
}

/*
 * Leave VMX operation on this CPU and restore what a VM exit changed
 * (SDM 28.5: CR0/CR3/CR4, DR7, DEBUGCTL, SYSENTER, PAT, EFER, FS/GS base,
 * GDTR/IDTR limits forced to 0xffff, TR limit to 0x67), so the kernel runs
 * on natively from guest RIP @rip.  Prepares the [rflags, rip] pair on the
 * guest stack for entry.S.
 */
void hv_leave_vmx(struct hv_cpu *c, struct hv_regs *r, u64 rip)
{
	struct desc_ptr gdt, idt;
	u64 rsp = hv_vmread(VMCS_GUEST_RSP);
	u64 rflags = hv_vmread(VMCS_GUEST_RFLAGS);
	u64 cr0 = hv_vmread(VMCS_GUEST_CR0);
	u64 cr3 = hv_vmread(VMCS_GUEST_CR3);
	u64 cr4 = hv_vmread(VMCS_GUEST_CR4) & ~(u64)X86_CR4_VMXE;
	u64 dr7 = hv_vmread(VMCS_GUEST_DR7);
	u64 debugctl = hv_vmread(VMCS_GUEST_DEBUGCTL);
	u64 efer;
	u64 pat = hv_vmread(VMCS_GUEST_PAT);
	u64 fs = hv_vmread(VMCS_GUEST_FS_BASE);
	u64 gs = hv_vmread(VMCS_GUEST_GS_BASE);
	u64 se_cs = hv_vmread(VMCS_GUEST_SYSENTER_CS);
	u64 se_esp = hv_vmread(VMCS_GUEST_SYSENTER_ESP);
	u64 se_eip = hv_vmread(VMCS_GUEST_SYSENTER_EIP);
	u64 *stack;

	/* Every way out (rmmod, offline, a fatal exit) hands back what the
	 * monitor changed (EFER.SCE) first. */
	if (hv_exit_ops_cur->on_leave)
		hv_exit_ops_cur->on_leave(c);
	efer = hv_vmread(VMCS_GUEST_EFER);

	gdt.address = hv_vmread(VMCS_GUEST_GDTR_BASE);
	gdt.size = (u16)hv_vmread(VMCS_GUEST_GDTR_LIMIT);
	idt.address = hv_vmread(VMCS_GUEST_IDTR_BASE);
	idt.size = (u16)hv_vmread(VMCS_GUEST_IDTR_LIMIT);

	asm volatile("vmclear %0" : : "m"(c->vmcs_pa) : "cc", "memory");
	asm volatile("vmxoff" : : : "cc", "memory");
	asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	native_load_gdt(&gdt);
	native_load_idt(&idt);
	force_reload_TR();
	if (native_read_msr(HV_MSR_EFER) != efer)
		native_write_msr(HV_MSR_EFER, (u32)efer, (u32)(efer >> 32));
	native_write_msr(HV_MSR_PAT, (u32)pat, (u32)(pat >> 32));
	native_write_msr(HV_MSR_DEBUGCTL, (u32)debugctl, (u32)(debugctl >> 32));
	native_write_msr(HV_MSR_FS_BASE, (u32)fs, (u32)(fs >> 32));
	native_write_msr(HV_MSR_GS_BASE, (u32)gs, (u32)(gs >> 32));
	native_write_msr(HV_MSR_SYSENTER_CS, (u32)se_cs, 0);
	native_write_msr(HV_MSR_SYSENTER_ESP, (u32)se_esp, (u32)(se_esp >> 32));
	native_write_msr(HV_MSR_SYSENTER_EIP, (u32)se_eip, (u32)(se_eip >> 32));
	set_debugreg(dr7, 7);
	/*
	 * The kernel's TLB flushes while it was a guest went to its VPID, not
	 * to VPID 0 where it runs now: drop everything, globals included.
	 */
	if (boot_cpu_has(X86_FEATURE_INVPCID)) {
		invpcid_flush_all();
	} else {
		asm volatile("mov %0, %%cr4" : : "r"(cr4 ^ X86_CR4_PGE) : "memory");
		asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	}
	stack = (u64 *)(rsp - 16);
	stack[0] = rflags;
	stack[1] = rip;
	r->rip = (u64)stack;
	c->state = HV_CPU_OFF;
}

/*
 * hv_leave_vmx() returns with a plain RET on the guest's stack after
 * loading the guest's CR3, so it needs a ring-0 guest whose CR3 maps the
 * kernel (with PTI, a CPL-0 guest may still be on the user page table for
 * a few instructions of the entry code: bit 12 set, PTI_USER_PGTABLE_BIT).
 */
static bool hv_can_leave(void)
{
	if (hv_guest_cpl())
		return false;
	return !(boot_cpu_has(X86_FEATURE_PTI) &&
		 (hv_vmread(VMCS_GUEST_CR3) & (1ULL << 12)));
}

/*
 * The guest state cannot be resumed (triple fault, failed VM entry): the
 * CPU stays in root for good, where gdb can still look at it, and the
 * other CPUs run on until they wait for this one (docs/design-vmx.md).
 */
static int hv_park(struct hv_cpu *c, struct hv_regs *r, const char *what)
{
	const struct hv_exit_record *e = &c->unexpected;
	const char *name = hv_exit_reason_name(e->reason);
	char text[320];
	int n;

	c->state = HV_CPU_PARKED;
	/* This CPU runs module code from now on: rmmod must fail (EBUSY). */
	__module_get(THIS_MODULE);
	n = scnprintf(text, sizeof(text),
		      "hvgdb: CPU %d: %s (exit reason %u, %s): rip %#llx rsp %#llx rflags %#llx cr3 %#llx qual %#llx intr_info %#x idt_vectoring %#x insn_error %u; it stays stopped%s\n",
		      c->cpu, what, e->reason, name ? name : "?", e->rip,
		      e->rsp, e->rflags, e->cr3, e->qual, e->intr_info,
		      e->idt_vectoring, e->insn_err,
		      num_online_cpus() > 1 ? ", the other CPUs run on" : "");
	if (hv_exit_ops_cur->dead)
		hv_exit_ops_cur->dead(c, r, what, text, n);
	for (;;)	/* no gdb: this CPU stays here */
		cpu_relax();
	return HV_RESUME;	/* not reached */
}

static int hv_exit_park(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	bool entry = hv_vmread(VMCS_EXIT_REASON) & HV_EXIT_REASON_ENTRY_FAIL;

	/* Nothing sane to return to. */
	hv_record(c, r, reason, HV_PARK);
	return hv_park(c, r, entry ? "VM entry failed" :
		       reason == EXIT_TRIPLE_FAULT ? "triple fault" :
		       "unexpected exit");
}

int hv_exit_unexpected(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	if (hv_can_leave()) {
		/* Guest state is intact: run the kernel on without us. */
		hv_record(c, r, reason, HV_LEAVE);
		hv_leave_vmx(c, r, hv_vmread(VMCS_GUEST_RIP));
		c->state = HV_CPU_LEFT;
		return HV_LEAVE;
	}
	/* In user mode: an unknown instruction faults as on bare metal. */
	if (hv_exit_is_instruction(reason)) {
		hv_record(c, r, reason, HV_RESUME);
		hv_inject(HV_VEC_UD, false, 0);
		return HV_RESUME;
	}
	hv_record(c, r, reason, HV_PARK);
	return hv_park(c, r, "unexpected exit");
}

static int hv_exit_triple(struct hv_cpu *c, struct hv_regs *r,
			  struct hv_exit *x)
{
	return hv_exit_park(c, r, x->reason);
}

static int hv_exit_wbinvd(struct hv_cpu *c, struct hv_regs *r,
			  struct hv_exit *x)
{
	/* INVD would drop the host's dirty lines too: write back instead. */
	native_wbinvd();
	x->result = HV_EXIT_DONE;
	return HV_RESUME;
}

/* GETSEC, VMX instructions: the guest sees a CPU without VMX/SMX. */
static int hv_exit_ud(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	hv_inject(HV_VEC_UD, false, 0);
	x->result = HV_EXIT_RAISED;
	return HV_RESUME;
}

bool (*hv_ept_view_hook)(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
			 u64 qual);

static int hv_exit_ept_violation(struct hv_cpu *c, struct hv_regs *r,
				 struct hv_exit *x)
{
	u64 gpa, pd, want;
	bool (*hooked)(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
		       u64 qual) = hv_exit_ops_cur->ept_violation;
	bool (*view)(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
		     u64 qual) = READ_ONCE(hv_ept_view_hook);

	hv_prof(HV_PROF_DISPATCH);
	gpa = hv_vmread(VMCS_GUEST_PHYS_ADDR);
	/* What SDM 28.3.4 saves here (exitqual.h), whoever handles it. */
	pd = hv_vmread(VMCS_GUEST_PENDING_DBG);
	if (pd) {
		want = hv_ept_violation_pending_dbg(
			(u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY), pd);
		if (want != pd)
			hv_vmwrite(VMCS_GUEST_PENDING_DBG, want);
	}
	/* A CPU on one of !mode's execute views (mon_mode.c). */
	if (view && view(c, r, gpa, hv_vmread(VMCS_EXIT_QUALIFICATION)))
		return HV_RESUME;

	/* A page gdb hooked (breakpoints, watchpoints): its views. */
	if (hooked && hooked(c, r, gpa, hv_vmread(VMCS_EXIT_QUALIFICATION)))
		return HV_RESUME;
	c->ept_violations++;
	c->last_ept_gpa = gpa;
	c->last_ept_qual = hv_vmread(VMCS_EXIT_QUALIFICATION);
	/* Physical memory beyond the identity map built at load: map it. */
	if (!hv_ept_map_on_demand(gpa))
		return HV_RESUME;
	return hv_exit_unexpected(c, r, x->reason);
}

/*
 * Our tables are never built misconfigured, so this is a bug (or the
 * test_ept_misconfig hook): record it with the full exit information in
 * "unexpected" and, since the map is an identity map, rebuild the entry
 * and retry the access (SDM Vol. 3 29.3.3.1; the exit saves the
 * guest-physical address, 28.2.1).
 */
static int hv_exit_ept_misconfig(struct hv_cpu *c, struct hv_regs *r,
				 struct hv_exit *x)
{
	if (hv_ept_repair(hv_vmread(VMCS_GUEST_PHYS_ADDR)))
		return hv_exit_unexpected(c, r, x->reason);
	hv_record(c, r, x->reason, HV_RESUME);
	return HV_RESUME;
}

/*
 * The TSC's rate against the kernel's clock, over 10 ms (process context,
 * at load).  tsc_khz is what the kernel was told (CPUID or calibration);
 * in Bochs 2.7 it says 3.5 GHz while the TSC advances at ips per second of
 * guest time.  The poll period is guest time, as the hrtimer's was.
 */
static u64 hv_tsc_per_ms(void)
{
	u64 n0, n1, t0, t1;

	preempt_disable();
	n0 = ktime_get_ns();
	t0 = rdtsc_ordered();
	do {
		cpu_relax();
		n1 = ktime_get_ns();
	} while (n1 - n0 < 10 * NSEC_PER_MSEC);
	t1 = rdtsc_ordered();
	preempt_enable();
	return ptimer_tsc_per_ms(t1 - t0, n1 - n0);
}

int hv_timer_setup(int cpu, u32 period_ms, int (*fn)(struct hv_cpu *c,
		   struct hv_regs *r, u32 reason))
{
	if (!hv.caps.preempt_timer)
		return -EOPNOTSUPP;
	hv.timer.tsc_per_ms = hv_tsc_per_ms();
	if (!hv.timer.tsc_per_ms)
		hv.timer.tsc_per_ms = tsc_khz ? tsc_khz : 1000000;
	if (hv.timer.tsc_per_ms * 10 < (u64)tsc_khz * 9 ||
	    hv.timer.tsc_per_ms * 10 > (u64)tsc_khz * 11)
		pr_info("hvgdb: the TSC runs at %llu kHz by the kernel's clock, not the %u kHz of tsc_khz: the preemption timer uses the first\n",
			hv.timer.tsc_per_ms, tsc_khz);
	hv.timer.cpu = cpu;
	hv.timer.period_tsc = (u64)period_ms * hv.timer.tsc_per_ms;
	hv.timer.ticks = ptimer_count(hv.timer.period_tsc,
				      hv.caps.preempt_rate);
	hv.timer.save = hv.caps.preempt_save;
	hv.timer.fn = fn;
	return 0;
}

/* At VMCS setup (vmcs.c) of every CPU: the timer CPU gets its controls. */
void hv_timer_vmcs_setup(struct hv_cpu *c)
{
	if (!hv.timer.fn || c->cpu != hv.timer.cpu)
		return;
	c->ctls.pin |= HV_PIN_PREEMPT_TIMER;
	if (hv.timer.save)
		c->ctls.exit |= HV_EXIT_SAVE_PREEMPT_TIMER;
	c->timer_deadline = rdtsc() + hv.timer.period_tsc;
	c->timer_rearm = !hv.timer.save;
	hv_vmwrite(VMCS_PREEMPT_TIMER_VALUE, hv.timer.ticks);
}

/* Without the save control: what is left of the period (0 exits at once
 * after entry, SDM 26.7.4). */
static void hv_timer_rearm(struct hv_cpu *c)
{
	u64 now = rdtsc(), left;

	left = c->timer_deadline > now ? c->timer_deadline - now : 0;
	hv_vmwrite(VMCS_PREEMPT_TIMER_VALUE,
		   ptimer_count(left, hv.caps.preempt_rate));
}

/* Not an instruction: nothing to emulate, RIP stays (HV_EXIT_OWN). */
static int hv_exit_timer(struct hv_cpu *c, struct hv_regs *r,
			 struct hv_exit *x)
{
	c->timer_deadline = rdtsc() + hv.timer.period_tsc;
	hv_vmwrite(VMCS_PREEMPT_TIMER_VALUE, hv.timer.ticks);
	return hv.timer.fn ? hv.timer.fn(c, r, x->reason) : HV_RESUME;
}

static int hv_exit_ignore(struct hv_cpu *c, struct hv_regs *r,
			  struct hv_exit *x)
{
	/* INIT/SIPI: Linux never sends them to an online (virtualized) CPU. */
	hv_record(c, r, x->reason, HV_RESUME);
	return HV_RESUME;
}

static const hv_core_fn hv_exit_table[HV_EXIT_REASON_MAX] = {
	[EXIT_TRIPLE_FAULT] = hv_exit_triple,
	[EXIT_INIT] = hv_exit_ignore,
	[EXIT_SIPI] = hv_exit_ignore,
	[EXIT_CPUID] = hv_exit_cpuid,
	[EXIT_GETSEC] = hv_exit_ud,
	[EXIT_INVD] = hv_exit_wbinvd,
	[EXIT_RDPMC] = hv_exit_pmc,
	[EXIT_RDTSC] = hv_exit_tsc,
	[EXIT_VMCALL] = hv_exit_vmcall,
	[EXIT_VMCLEAR] = hv_exit_ud,
	[EXIT_VMLAUNCH] = hv_exit_ud,
	[EXIT_VMPTRLD] = hv_exit_ud,
	[EXIT_VMPTRST] = hv_exit_ud,
	[EXIT_VMREAD] = hv_exit_ud,
	[EXIT_VMRESUME] = hv_exit_ud,
	[EXIT_VMWRITE] = hv_exit_ud,
	[EXIT_VMXOFF] = hv_exit_ud,
	[EXIT_VMXON] = hv_exit_ud,
	[EXIT_CR_ACCESS] = hv_exit_cr,
	[EXIT_DR_ACCESS] = hv_exit_mov_dr,
	[EXIT_IO] = hv_exit_io,
	[EXIT_RDMSR] = hv_exit_msr,
	[EXIT_WRMSR] = hv_exit_msr,
	[EXIT_EPT_VIOLATION] = hv_exit_ept_violation,
	[EXIT_EPT_MISCONFIG] = hv_exit_ept_misconfig,
	[EXIT_INVEPT] = hv_exit_ud,
	[EXIT_RDTSCP] = hv_exit_tsc,
	[EXIT_INVVPID] = hv_exit_ud,
	[EXIT_VMFUNC] = hv_exit_ud,
	[EXIT_WBINVD] = hv_exit_wbinvd,
	[EXIT_XSETBV] = hv_exit_xsetbv,
	[EXIT_PREEMPT_TIMER] = hv_exit_timer,
};

/* ---- handlers from above, observers ---- */

static hv_exit_fn hv_exit_handlers[HV_EXIT_REASON_MAX];

int hv_exit_set_handler(u32 reason, hv_exit_fn fn)
{
	if (reason >= HV_EXIT_REASON_MAX)
		return -EINVAL;
	if (hv_exit_table[reason])
		return -EBUSY;
	WRITE_ONCE(hv_exit_handlers[reason], fn);
	return 0;
}

/* Slots added at load; hv_obs_on[reason] bit i: slot i enabled.  The
 * dispatcher tests the byte alone on the fast path. */
static const struct hv_exit_observer *hv_obs[HV_EXIT_REASON_MAX][HV_OBS_MAX];
static unsigned long hv_obs_on[HV_EXIT_REASON_MAX];

static int hv_obs_slot(u32 reason, const struct hv_exit_observer *o)
{
	int i;

	for (i = 0; i < HV_OBS_MAX; i++)
		if (hv_obs[reason][i] == o)
			return i;
	return -1;
}

int hv_exit_observer_add(u32 reason, const struct hv_exit_observer *o)
{
	int i;

	if (reason >= HV_EXIT_REASON_MAX || !hv_exit_table[reason] || !o)
		return -EINVAL;
	if (hv_obs_slot(reason, o) >= 0)
		return 0;
	i = hv_obs_slot(reason, NULL);
	if (i < 0)
		return -ENOSPC;
	WRITE_ONCE(hv_obs[reason][i], o);
	return 0;
}

void hv_exit_observer_del(u32 reason, const struct hv_exit_observer *o)
{
	int i = reason < HV_EXIT_REASON_MAX ? hv_obs_slot(reason, o) : -1;

	if (i < 0)
		return;
	clear_bit(i, &hv_obs_on[reason]);
	WRITE_ONCE(hv_obs[reason][i], NULL);
}

void hv_exit_observer_enable(u32 reason, const struct hv_exit_observer *o,
			     bool on)
{
	int i = reason < HV_EXIT_REASON_MAX ? hv_obs_slot(reason, o) : -1;

	if (i < 0)
		return;
	if (on)
		set_bit(i, &hv_obs_on[reason]);
	else
		clear_bit(i, &hv_obs_on[reason]);
}

/* The core handler with its observers (exit.h): pre stage, core (unless
 * short-circuited), RIP, post stage. */
static int hv_exit_observed(struct hv_cpu *c, struct hv_regs *r,
			    struct hv_exit *x, unsigned long on)
{
	const struct hv_exit_observer *o;
	bool sc = false;
	int i, ret;

	for_each_set_bit(i, &on, HV_OBS_MAX) {
		o = READ_ONCE(hv_obs[x->reason][i]);
		if (o && o->pre && o->pre(c, r, x) == HV_OBS_SC)
			sc = true;
	}
	if (sc) {
		/* HyperDbg's short-circuit: the instruction is skipped. */
		if (unlikely(hv_vmentry_checking))
			hv_vmentry_note_sc();
		hv_skip_insn();
		return HV_RESUME;
	}
	ret = hv_exit_table[x->reason](c, r, x);
	if (x->result == HV_EXIT_DONE)
		hv_skip_insn();
	if (ret != HV_RESUME || x->result == HV_EXIT_OWN ||
	    x->result == HV_EXIT_FAULT)
		return ret;
	for_each_set_bit(i, &on, HV_OBS_MAX) {
		o = READ_ONCE(hv_obs[x->reason][i]);
		if (o && o->post)
			o->post(c, r, x);
	}
	return ret;
}

static hv_vmcall_rip_fn hv_vmcall_rip;

void hv_vmcall_rip_set(hv_vmcall_rip_fn fn)
{
	WRITE_ONCE(hv_vmcall_rip, fn);
}

/* Out of line: the CPUID fast path of hv_exit_dispatch() keeps no
 * struct hv_exit on its stack (nor the stack protector's canary). */
static noinline int hv_exit_slow(struct hv_cpu *c, struct hv_regs *r,
				 u32 basic)
{
	struct hv_exit x = { .reason = basic, .result = HV_EXIT_OWN };
	unsigned long on;
	hv_exit_fn fn;
	int ret;

	if (unlikely(basic >= HV_EXIT_REASON_MAX))
		return hv_exit_unexpected(c, r, basic);
	if (!hv_exit_table[basic]) {
		hv_prof(HV_PROF_DISPATCH);
		fn = READ_ONCE(hv_exit_handlers[basic]);
		return (fn ?: hv_exit_unexpected)(c, r, basic);
	}
	if (basic == EXIT_VMCALL) {
		hv_vmcall_rip_fn rip_fn = READ_ONCE(hv_vmcall_rip);

		hv_prof(HV_PROF_DISPATCH);
		if (rip_fn && rip_fn(c, r))
			return HV_RESUME;
	}
	on = READ_ONCE(hv_obs_on[basic]);
	if (unlikely(on))
		return hv_exit_observed(c, r, &x, on);
	ret = hv_exit_table[basic](c, r, &x);
	if (x.result == HV_EXIT_DONE)
		hv_skip_insn();
	return ret;
}

/* The hottest exit (docs/performance.md) with no observer: a direct,
 * inlined emulation; everything else through the table. */
static __always_inline int hv_exit_dispatch(struct hv_cpu *c,
					    struct hv_regs *r, u32 basic)
{
	if (basic == EXIT_CPUID && !READ_ONCE(hv_obs_on[EXIT_CPUID])) {
		hv_prof_kind(HV_PROF_K_CPUID);
		hv_prof(HV_PROF_DISPATCH);
		hv_emul_cpuid(r);
		hv_skip_insn();
		return HV_RESUME;
	}
	return hv_exit_slow(c, r, basic);
}

static void hv_sync_controls(struct hv_cpu *c)
{
	struct hv_ctl_extra x = { 0 };
	int i;

	for (i = 0; i < HV_OWN_MAX; i++) {
		x.pin |= c->extra[i].pin;
		x.proc |= c->extra[i].proc;
		x.proc2 |= c->extra[i].proc2;
		x.exit |= c->extra[i].exit;
		x.exception_bitmap |= c->extra[i].exception_bitmap;
	}
	hv_vmwrite(VMCS_PIN_CTLS, c->ctls.pin | x.pin);
	hv_vmwrite(VMCS_PROC_CTLS, c->ctls.proc | x.proc);
	hv_vmwrite(VMCS_PROC2_CTLS, c->ctls.proc2 | x.proc2);
	hv_vmwrite(VMCS_EXIT_CTLS, c->ctls.exit | x.exit);
	hv_vmwrite(VMCS_EXCEPTION_BITMAP,
		   c->ctls.exception_bitmap | x.exception_bitmap);
	c->ctls_dirty = false;
}

/*
 * vmentry_check=1 found a broken rule in the entry about to be made
 * (vmentry_resume.c recorded which): do not enter.  Leave VMX on this CPU
 * when the guest state allows it (the kernel runs on natively; an event
 * the entry would have injected is lost), else park it as after a failed
 * VM entry.
 */
static int hv_vmentry_refuse(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	if (hv_can_leave()) {
		hv_record(c, r, reason, HV_LEAVE);
		hv_leave_vmx(c, r, hv_vmread(VMCS_GUEST_RIP));
		c->state = HV_CPU_LEFT;
		return HV_LEAVE;
	}
	hv_record(c, r, reason, HV_PARK);
	return hv_park(c, r, "VM-entry check failed");
}

int hv_exit_handler(struct hv_regs *r)
{
	struct hv_cpu *c = this_cpu_read(hv_this_cpu);
	u32 reason = (u32)hv_vmread(VMCS_EXIT_REASON);
	u32 basic = reason & 0xffff;
	int ret;

	hv_prof_begin();
	c->regs = r;
	c->exit_total++;
	c->exits[basic < HV_EXIT_REASON_MAX ? basic : HV_EXIT_REASON_MAX]++;
	if (unlikely(reason & HV_EXIT_REASON_ENTRY_FAIL))
		ret = hv_exit_park(c, r, basic);
	else
		ret = hv_exit_dispatch(c, r, basic);
	if (ret == HV_RESUME)
		static_call_cond(hv_before_resume)(c, r);
	if (ret == HV_RESUME && c->ctls_dirty)
		hv_sync_controls(c);
	if (unlikely(c->timer_rearm) && basic != EXIT_PREEMPT_TIMER &&
	    ret == HV_RESUME)
		hv_timer_rearm(c);
	if (unlikely(hv_vmentry_checking) && ret == HV_RESUME &&
	    !hv_vmentry_check_resume(c, basic))
		ret = hv_vmentry_refuse(c, r, basic);
	c->regs = NULL;
	hv_prof_end();
	return ret;
}

/* VMRESUME failed (VM-instruction error): keep the kernel going natively. */
int hv_resume_failed(struct hv_regs *r)
{
	struct hv_cpu *c = this_cpu_read(hv_this_cpu);

	c->insn_error = (u32)hv_vmread(VMCS_INSN_ERROR);
	if (!hv_can_leave()) {
		hv_record(c, r, HV_EXIT_REASON_MAX, HV_PARK);
		return hv_park(c, r, "VMRESUME failed");
	}
	hv_record(c, r, HV_EXIT_REASON_MAX, HV_LEAVE);
	hv_leave_vmx(c, r, hv_vmread(VMCS_GUEST_RIP));
	c->state = HV_CPU_LEFT;
	return HV_LEAVE;
}
