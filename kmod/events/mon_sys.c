// SPDX-License-Identifier: GPL-2.0
/*
 * mon_sys.c - !syscall, !syscall2, !sysret, !sysret2 in VMX root.
 *
 * HyperDbg's mechanism: while any of these events is enabled, each CPU
 * runs the guest with EFER.SCE clear in its VMCS guest EFER (loaded at
 * entry, saved at exit: both controls are always on in hvgdb, vmx_caps.c),
 * so SYSCALL and SYSRET raise #UD (SDM vol. 2B "SYSCALL", "SYSRET"), which
 * the exception bitmap turns into an exit.  mon_sys_on_ud() reads the
 * instruction at RIP through the guest's page tables, emulates it with
 * sysemu.c and fires the events around the emulation; any other #UD
 * (Linux's ud2 for BUG/WARN, a user's bad opcode) goes back to the guest
 * unchanged.  RDMSR/WRMSR of EFER exit too (the MSR bitmap bits come from
 * event_intercepts_compute) and see the SCE the guest believes it set
 * (struct mon_cpu.sce): an observer of vmx/'s MSR core handler fixes it.
 *
 * Per CPU, changed only by that CPU in VMX root: mon_sys_load() at resume
 * clears SCE when the hook turns on and gives it back when the last
 * syscall event goes; hv_mon_on_leave() gives it back before the CPU leaves
 * VMX (rmmod, CPU offline), so the kernel never runs natively without SCE.
 */
#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/events/mon_priv.h"
#include "kmod/lib/sysemu.h"

#define MON_SYS_INSN_MAX	15	/* SDM vol. 2A 2.3.11 */
#define MON_DR6_BS		(1ull << 14)	/* pending debug exc., 25.4.2 */
#define MON_CR4_LA57		(1ull << 12)

void mon_sys_load(struct hv_cpu *c, bool hook)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];
	u64 efer;

	if (!mc || mc->sys_loaded == hook)
		return;
	efer = hv_vmread(VMCS_GUEST_EFER);
	if (hook) {
		mc->sce = efer & SYSEMU_EFER_SCE;
		hv_vmwrite(VMCS_GUEST_EFER, sysemu_efer_hw(efer, true));
	} else {
		hv_vmwrite(VMCS_GUEST_EFER,
			   sysemu_efer_guest(efer, mc->sce ?
					     SYSEMU_EFER_SCE : 0));
	}
	mc->sys_loaded = hook;
}

void hv_mon_on_leave(struct hv_cpu *c)
{
	mon_sys_load(c, false);
}

/* EFER as the guest reads it: hardware bits, its own SCE. */
u64 mon_sys_efer_read(struct hv_cpu *c, u64 hw)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];

	if (!mc || !mc->sys_loaded)
		return hw;
	return sysemu_efer_guest(hw, mc->sce ? SYSEMU_EFER_SCE : 0);
}

/*
 * The core handler (vmx/exit_emul.c) reads and writes the guest EFER in
 * the VMCS.  After a completed RDMSR of EFER the guest sees its own SCE;
 * after a WRMSR every bit is honoured but SCE, which is kept (as the
 * guest's belief) and stays clear in the hardware value.  Always enabled:
 * it costs only MSR exits, and must outlive the hook on CPUs that have
 * not yet given SCE back.
 */
static void mon_sys_msr_post(struct hv_cpu *c, struct hv_regs *r,
			     struct hv_exit *x)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];
	u64 v;

	if (!mc || !mc->sys_loaded || (u32)r->gpr[HV_RCX] != MSR_EFER)
		return;
	if (x->reason == EXIT_RDMSR) {
		v = (r->gpr[HV_RAX] & 0xffffffff) | (r->gpr[HV_RDX] << 32);
		v = mon_sys_efer_read(c, v);
		r->gpr[HV_RAX] = (u32)v;
		r->gpr[HV_RDX] = v >> 32;
		return;
	}
	v = hv_vmread(VMCS_GUEST_EFER);
	mc->sce = v & SYSEMU_EFER_SCE;
	hv_vmwrite(VMCS_GUEST_EFER, sysemu_efer_hw(v, true));
}

static const struct hv_exit_observer mon_sys_msr_observer = {
	.post = mon_sys_msr_post,
};

int mon_sys_register(void)
{
	int err = hv_exit_observer_add(EXIT_RDMSR, &mon_sys_msr_observer);

	if (!err)
		err = hv_exit_observer_add(EXIT_WRMSR, &mon_sys_msr_observer);
	if (err)
		return err;
	hv_exit_observer_enable(EXIT_RDMSR, &mon_sys_msr_observer, true);
	hv_exit_observer_enable(EXIT_WRMSR, &mon_sys_msr_observer, true);
	return 0;
}

void mon_sys_unregister(void)
{
	hv_exit_observer_del(EXIT_RDMSR, &mon_sys_msr_observer);
	hv_exit_observer_del(EXIT_WRMSR, &mon_sys_msr_observer);
}

static void mon_sys_seg_read(struct sysemu_seg *s, u32 sel, u32 base,
			     u32 limit, u32 ar)
{
	s->sel = (u16)hv_vmread(sel);
	s->base = hv_vmread(base);
	s->limit = (u32)hv_vmread(limit);
	s->ar = (u32)hv_vmread(ar);
}

static void mon_sys_seg_write(const struct sysemu_seg *s, u32 sel, u32 base,
			      u32 limit, u32 ar)
{
	hv_vmwrite(sel, s->sel);
	hv_vmwrite(base, s->base);
	hv_vmwrite(limit, s->limit);
	hv_vmwrite(ar, s->ar);
}

static void mon_sys_state(struct hv_regs *r, struct sysemu_state *s)
{
	memset(s, 0, sizeof(*s));
	s->rip = hv_vmread(VMCS_GUEST_RIP);
	s->rflags = hv_vmread(VMCS_GUEST_RFLAGS);
	s->rsp = hv_vmread(VMCS_GUEST_RSP);
	s->rcx = r->gpr[HV_RCX];
	s->r11 = r->gpr[HV_R11];
	mon_sys_seg_read(&s->cs, VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE,
			 VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR);
	mon_sys_seg_read(&s->ss, VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE,
			 VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR);
	s->cpl = hv_ss_ar_cpl(s->ss.ar);
	s->la57 = hv_vmread(VMCS_GUEST_CR4) & MON_CR4_LA57;
}

static void mon_sys_writeback(struct hv_regs *r, const struct sysemu_state *s)
{
	hv_vmwrite(VMCS_GUEST_RIP, s->rip);
	hv_vmwrite(VMCS_GUEST_RFLAGS, s->rflags);
	r->gpr[HV_RCX] = s->rcx;
	r->gpr[HV_R11] = s->r11;
	mon_sys_seg_write(&s->cs, VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE,
			  VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR);
	mon_sys_seg_write(&s->ss, VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE,
			  VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR);
	/* A TF single-step trap after the instruction (sysemu.h). */
	if (s->pending_bs)
		hv_vmwrite(VMCS_GUEST_PENDING_DBG,
			   hv_vmread(VMCS_GUEST_PENDING_DBG) | MON_DR6_BS);
}

static void mon_sys_msrs(struct hv_cpu *c, struct sysemu_msrs *m)
{
	/* Not switched by VM entry/exit: the native values are the
	 * guest's (SDM 25.3, 28.3). */
	m->star = native_read_msr(MSR_STAR);
	m->lstar = native_read_msr(MSR_LSTAR);
	m->cstar = native_read_msr(MSR_CSTAR);
	m->fmask = native_read_msr(MSR_SYSCALL_MASK);
	m->efer = mon_sys_efer_read(c, hv_vmread(VMCS_GUEST_EFER));
}

/*
 * The bytes at RIP.  Only the '2' forms enabled and the page unreadable:
 * HyperDbg's rule by RIP alone (user: SYSCALL 0f 05, kernel: SYSRETQ
 * 48 0f 07).  A #UD is raised after the fetch, so the read fails only if
 * another CPU unmapped the page meanwhile.
 */
static size_t mon_sys_bytes(const struct sysemu_state *s, u8 *buf)
{
	long n = hv_gdb_read_current(s->rip, buf, MON_SYS_INSN_MAX);

	if (n > 0)
		return n;
	if (mon.icpt.syscall_read_opcode)
		return 0;
	if (s->cpl == 3) {
		buf[0] = 0x0f;
		buf[1] = 0x05;
		return 2;
	}
	buf[0] = 0x48;
	buf[1] = 0x0f;
	buf[2] = 0x07;
	return 3;
}

/* Emulate the instruction from the current VMCS and registers; false
 * when it faulted (the fault is injected or left to the caller). */
static enum sysemu_result mon_sys_emulate(struct hv_cpu *c, struct hv_regs *r,
					  const u8 *bytes, size_t n,
					  enum sysemu_insn *insn)
{
	struct sysemu_state s;
	struct sysemu_msrs m;
	enum sysemu_result res;

	mon_sys_state(r, &s);
	mon_sys_msrs(c, &m);
	res = sysemu_ud(&s, &m, bytes, n, insn);
	if (res == SYSEMU_DONE)
		mon_sys_writeback(r, &s);
	return res;
}

/*
 * A #UD exit with the hook loaded.  true: it was a SYSCALL or SYSRET and
 * is dealt with (emulated, short-circuited, or its own fault injected);
 * false: a foreign #UD for the caller to give back.
 */
bool mon_sys_on_ud(struct hv_cpu *c, struct hv_regs *r)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];
	struct sysemu_state s, t;
	struct sysemu_msrs m;
	struct event_exit x;
	enum sysemu_insn insn;
	enum sysemu_result res;
	u8 bytes[MON_SYS_INSN_MAX];
	size_t n;
	bool sys;

	if (!mc || !mc->sys_loaded)
		return false;
	mon_sys_state(r, &s);
	n = mon_sys_bytes(&s, bytes);
	if (!n)
		return false;
	/* Try on a copy first: an instruction that faults for its own
	 * reasons (the guest's SCE clear, SYSRET at CPL 3, non-canonical
	 * RCX) never executed, so no event fires. */
	t = s;
	mon_sys_msrs(c, &m);
	res = sysemu_ud(&t, &m, bytes, n, &insn);
	if (insn == SYSEMU_FOREIGN || res == SYSEMU_INJECT_UD)
		return false;
	if (res == SYSEMU_INJECT_GP) {
		hv_inject(HV_VEC_GP, true, 0);
		return true;
	}
	sys = insn == SYSEMU_SYSCALL;
	mon_exit_init(&x, sys ? EVENT_SYSCALL : EVENT_SYSRET,
		      sys ? r->gpr[HV_RAX] : 0,
		      sys ? r->gpr[HV_RAX] : s.rip);
	if (mon_fire(c, r, &x)) {
		/* Short-circuit: the instruction is skipped, as HyperDbg
		 * does; the guest goes on after it, nothing else changed. */
		hv_vmwrite(VMCS_GUEST_RIP, s.rip + t.insn_len);
		hv_vmwrite(VMCS_GUEST_RFLAGS, s.rflags & ~X86_EFLAGS_RF);
		return true;
	}
	/* Again from the live state: a pre-stage script may have changed
	 * registers (@rcx, @r11, @rax...). */
	res = mon_sys_emulate(c, r, bytes, n, &insn);
	if (res == SYSEMU_INJECT_GP)
		hv_inject(HV_VEC_GP, true, 0);
	if (res != SYSEMU_DONE)
		return res != SYSEMU_INJECT_UD;
	mc->sys_emulated++;
	x.stage = EVENT_STAGE_POST;
	mon_fire(c, r, &x);
	return true;
}
