// SPDX-License-Identifier: GPL-2.0
/*
 * exit.c - VM-exit dispatch: one handler per basic exit reason.
 *
 * Runs in VMX root with interrupts off on the per-CPU host stack, while
 * the interrupted kernel may hold any lock: no printk, no sleeping, no
 * kernel locks.  Unexpected exits are recorded in hv_cpu.unexpected (read
 * through debugfs) and, where the guest state is still sound, the CPU is
 * devirtualized so the kernel keeps running.
 *
 * Handler contract: return HV_RESUME (after advancing RIP or injecting an
 * event as needed) or HV_LEAVE (after hv_leave_vmx()).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <asm/desc.h>
#include <asm/special_insns.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/invpcid.h>
#include <asm/fpu/xcr.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include "kmod/vmx/hv.h"
#include "kmod/vmx/hypercall.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/bp.h"
#include "kmod/debug/dr.h"
#include "kmod/events/mon.h"
#include "monitor-cmds/event_emul.h"

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
	hv_mon_on_leave(c);
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
	hv_gdb_dead(c, r, what, text, n);
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

static int hv_exit_unexpected(struct hv_cpu *c, struct hv_regs *r, u32 reason)
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

void hv_emul_cpuid(struct hv_regs *r)
{
	u32 a = (u32)r->gpr[HV_RAX], b, cx = (u32)r->gpr[HV_RCX], d;

	native_cpuid(&a, &b, &cx, &d);
	r->gpr[HV_RAX] = a;
	r->gpr[HV_RBX] = b;
	r->gpr[HV_RCX] = cx;
	r->gpr[HV_RDX] = d;
}

static int hv_exit_cpuid(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	hv_emul_cpuid(r);
	hv_skip_insn();
	return HV_RESUME;
}

bool hv_emul_xsetbv(struct hv_regs *r)
{
	u64 v = (r->gpr[HV_RAX] & 0xffffffff) | (r->gpr[HV_RDX] << 32);
	u32 a = 0xd, b, cx = 0, d;
	unsigned long cr4;

	/* XCR0 rules of SDM Vol. 1 13.3 (monitor-cmds/event_emul.c). */
	native_cpuid(&a, &b, &cx, &d);
	if ((u32)r->gpr[HV_RCX] != 0 ||
	    !event_xcr0_valid(v, ((u64)d << 32) | a)) {
		hv_inject(HV_VEC_GP, true, 0);
		return false;
	}
	/*
	 * XCR0 is not switched at VM entry/exit: setting it here sets the
	 * guest's.  The guest had CR4.OSXSAVE set (else XSETBV is #UD before
	 * any exit); the host CR4, copied at load, may not (a kernel that
	 * left XSAVE off, as in Bochs), and XSETBV would then #UD in root.
	 */
	cr4 = __read_cr4();
	if (!(cr4 & X86_CR4_OSXSAVE))
		asm volatile("mov %0, %%cr4"
			     : : "r"(cr4 | X86_CR4_OSXSAVE) : "memory");
	xsetbv(0, v);
	if (!(cr4 & X86_CR4_OSXSAVE))
		asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	return true;
}

static int hv_exit_xsetbv(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	if (hv_emul_xsetbv(r))
		hv_skip_insn();
	return HV_RESUME;
}

static int hv_exit_wbinvd(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	/* INVD would drop the host's dirty lines too: write back instead. */
	native_wbinvd();
	hv_skip_insn();
	return HV_RESUME;
}

/* GETSEC, VMX instructions: the guest sees a CPU without VMX/SMX. */
static int hv_exit_ud(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	hv_inject(HV_VEC_UD, false, 0);
	return HV_RESUME;
}

static int hv_exit_vmcall(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	u64 rax = r->gpr[HV_RAX];

	/* Ring 0 only. */
	if (hv_guest_cpl() != 0 ||
	    (rax & HV_HC_MAGIC_MASK) != HV_HC_MAGIC)
		return hv_exit_ud(c, r, reason);
	switch (rax & 0xffff) {
	case HV_HC_PING:
		r->gpr[HV_RAX] = 0;
		r->gpr[HV_RBX] = c->exit_total;
		break;
	case HV_HC_GDB_POLL:
		return hv_gdb_on_poll(c, r);
	case HV_HC_TEST_EPT:
		r->gpr[HV_RAX] = hv_ept_test_misconfig(r->gpr[HV_RBX]) ?
				 HV_HC_ERR_UNKNOWN : 0;
		break;
	case HV_HC_DEVIRT:
		r->gpr[HV_RAX] = 0;
		hv_leave_vmx(c, r, hv_vmread(VMCS_GUEST_RIP) +
			     hv_vmread(VMCS_EXIT_INSN_LEN));
		return HV_LEAVE;
	default:
		return hv_exit_ud(c, r, reason);
	}
	hv_skip_insn();
	return HV_RESUME;
}

/*
 * Only MSRs outside both bitmap ranges exit (SDM 25.6.9).  Forward them;
 * when the real access faults, the guest gets the #GP the CPU would give.
 */
static int hv_exit_msr(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	u32 msr = (u32)r->gpr[HV_RCX];
	u32 lo, hi;
	int err;

	if (reason == EXIT_RDMSR) {
		err = rdmsr_safe(msr, &lo, &hi);
		if (!err) {
			r->gpr[HV_RAX] = lo;
			r->gpr[HV_RDX] = hi;
		}
	} else {
		err = wrmsr_safe(msr, (u32)r->gpr[HV_RAX], (u32)r->gpr[HV_RDX]);
	}
	if (err) {
		hv_inject(HV_VEC_GP, true, 0);
		return HV_RESUME;
	}
	hv_skip_insn();
	return HV_RESUME;
}

/* Only a MOV to CR4 that changes VMXE exits (mask in vmcs.c). */
static int hv_exit_cr(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_cr_access a;
	u64 v, fixed1 = hv.msrs.cr4_fixed1 | X86_CR4_VMXE;

	hv_decode_cr(hv_vmread(VMCS_EXIT_QUALIFICATION), &a);
	if (a.cr != 4 || a.type != HV_CR_MOV_TO)
		return hv_exit_unexpected(c, r, reason);
	v = hv_guest_gpr(r, a.gpr);
	if (v & ~fixed1) {
		hv_inject(HV_VEC_GP, true, 0);
		return HV_RESUME;
	}
	/* The guest's view takes the value; the real bit stays set. */
	hv_vmwrite(VMCS_CR4_SHADOW, v);
	hv_vmwrite(VMCS_GUEST_CR4, v | X86_CR4_VMXE);
	hv_invvpid_single(HV_VPID);	/* MOV to CR4 may flush (4.10.4.1) */
	hv_skip_insn();
	return HV_RESUME;
}

static int hv_exit_ept_violation(struct hv_cpu *c, struct hv_regs *r,
				 u32 reason)
{
	u64 gpa = hv_vmread(VMCS_GUEST_PHYS_ADDR);

	/* A page gdb hooked (breakpoints, watchpoints): its views. */
	if (hv_bp_on_ept_violation(c, r, gpa,
				   hv_vmread(VMCS_EXIT_QUALIFICATION)))
		return HV_RESUME;
	c->ept_violations++;
	c->last_ept_gpa = gpa;
	c->last_ept_qual = hv_vmread(VMCS_EXIT_QUALIFICATION);
	/* Physical memory beyond the identity map built at load: map it. */
	if (!hv_ept_map_on_demand(gpa))
		return HV_RESUME;
	return hv_exit_unexpected(c, r, reason);
}

/*
 * Our tables are never built misconfigured, so this is a bug (or the
 * test_ept_misconfig hook): record it with the full exit information in
 * "unexpected" and, since the map is an identity map, rebuild the entry
 * and retry the access (SDM Vol. 3 29.3.3.1; the exit saves the
 * guest-physical address, 28.2.1).
 */
static int hv_exit_ept_misconfig(struct hv_cpu *c, struct hv_regs *r,
				 u32 reason)
{
	if (hv_ept_repair(hv_vmread(VMCS_GUEST_PHYS_ADDR)))
		return hv_exit_unexpected(c, r, reason);
	hv_record(c, r, reason, HV_RESUME);
	return HV_RESUME;
}

int hv_timer_setup(int cpu, u32 period_ms, int (*fn)(struct hv_cpu *c,
		   struct hv_regs *r, u32 reason))
{
	u64 period = (u64)period_ms * (tsc_khz ? tsc_khz : 1000000);
	u64 ticks = period >> hv.caps.preempt_rate;

	if (!hv.caps.preempt_timer)
		return -EOPNOTSUPP;
	hv.timer.cpu = cpu;
	hv.timer.period_tsc = period;
	hv.timer.ticks = ticks > U32_MAX ? U32_MAX : (u32)ticks;
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
	hv_vmwrite(VMCS_PREEMPT_TIMER_VALUE, hv.timer.ticks);
}

/* Without the save control: what is left of the period (0 exits at once
 * after entry, SDM 26.7.4). */
static void hv_timer_rearm(struct hv_cpu *c)
{
	u64 now = rdtsc(), left;

	left = c->timer_deadline > now ? c->timer_deadline - now : 0;
	hv_vmwrite(VMCS_PREEMPT_TIMER_VALUE, left >> hv.caps.preempt_rate);
}

static int hv_exit_timer(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	c->timer_deadline = rdtsc() + hv.timer.period_tsc;
	hv_vmwrite(VMCS_PREEMPT_TIMER_VALUE, hv.timer.ticks);
	return hv.timer.fn ? hv.timer.fn(c, r, reason) : HV_RESUME;
}

static int hv_exit_ignore(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	/* INIT/SIPI: Linux never sends them to an online (virtualized) CPU. */
	hv_record(c, r, reason, HV_RESUME);
	return HV_RESUME;
}

static const hv_exit_fn hv_exit_table[HV_EXIT_REASON_MAX] = {
	[EXIT_TRIPLE_FAULT] = hv_exit_park,
	[EXIT_INIT] = hv_exit_ignore,
	[EXIT_SIPI] = hv_exit_ignore,
	[EXIT_CPUID] = hv_exit_cpuid,
	[EXIT_GETSEC] = hv_exit_ud,
	[EXIT_INVD] = hv_exit_wbinvd,
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
	[EXIT_DR_ACCESS] = hv_exit_dr,	/* only while gdb holds a DR */
	[EXIT_RDMSR] = hv_exit_msr,
	[EXIT_WRMSR] = hv_exit_msr,
	[EXIT_EPT_VIOLATION] = hv_exit_ept_violation,
	[EXIT_EPT_MISCONFIG] = hv_exit_ept_misconfig,
	[EXIT_INVEPT] = hv_exit_ud,
	[EXIT_INVVPID] = hv_exit_ud,
	[EXIT_VMFUNC] = hv_exit_ud,
	[EXIT_WBINVD] = hv_exit_wbinvd,
	[EXIT_XSETBV] = hv_exit_xsetbv,
	[EXIT_PREEMPT_TIMER] = hv_exit_timer,
};

static hv_exit_fn hv_exit_hooks[HV_EXIT_REASON_MAX];

int hv_set_exit_hook(u32 reason, hv_exit_fn fn)
{
	if (reason >= HV_EXIT_REASON_MAX)
		return -EINVAL;
	WRITE_ONCE(hv_exit_hooks[reason], fn);
	return 0;
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

int hv_exit_handler(struct hv_regs *r)
{
	struct hv_cpu *c = this_cpu_read(hv_this_cpu);
	u32 reason = (u32)hv_vmread(VMCS_EXIT_REASON);
	u32 basic = reason & 0xffff;
	hv_exit_fn fn = NULL;
	int ret;

	c->regs = r;
	c->exit_total++;
	c->exits[basic < HV_EXIT_REASON_MAX ? basic : HV_EXIT_REASON_MAX]++;
	if (reason & HV_EXIT_REASON_ENTRY_FAIL)
		fn = hv_exit_park;
	else if (basic < HV_EXIT_REASON_MAX)
		fn = READ_ONCE(hv_exit_hooks[basic]) ?: hv_exit_table[basic];
	ret = (fn ? fn : hv_exit_unexpected)(c, r, basic);
	if (ret == HV_RESUME)
		hv_gdb_before_resume(c, r);
	if (ret == HV_RESUME && c->ctls_dirty)
		hv_sync_controls(c);
	if (unlikely(c->timer_deadline) && !hv.timer.save &&
	    basic != EXIT_PREEMPT_TIMER && ret == HV_RESUME)
		hv_timer_rearm(c);
	c->regs = NULL;
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
