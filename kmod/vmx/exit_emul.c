// SPDX-License-Identifier: GPL-2.0
/*
 * exit_emul.c - core handlers of the instruction exits hvgdb enables:
 * CPUID, RDMSR/WRMSR, RDTSC/RDTSCP, RDPMC, IN/OUT/INS/OUTS, MOV DR,
 * VMCALL, XSETBV, CR access.  Each repeats what the CPU would have done
 * (SDM vol. 2 for each instruction) and reports it in struct hv_exit
 * (exit.h); exit.c advances RIP and runs the observers around it.
 * VMX root, interrupts off: no printk, no sleeping, no locks.
 */
#include <linux/kernel.h>
#include <linux/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/fpu/xcr.h>
#include <asm/tlbflush.h>
#include <asm/asm.h>
#include "kmod/vmx/exit_emul.h"
#include "kmod/vmx/hypercall.h"
#include "monitor-cmds/event_emul.h"

int hv_exit_cpuid(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	hv_emul_cpuid(r);
	x->result = HV_EXIT_DONE;
	return HV_RESUME;
}

/* ---- MSRs ---- */

/* MSRs a VM exit switches to the host's value, kept in the VMCS guest
 * area (SDM 28.3.2, 27.3.2.1): the guest's copy is read/written there. */
static int hv_vmcs_msr(struct hv_cpu *c, u32 msr)
{
	switch (msr) {
	case 0x174: return VMCS_GUEST_SYSENTER_CS;
	case 0x175: return VMCS_GUEST_SYSENTER_ESP;
	case 0x176: return VMCS_GUEST_SYSENTER_EIP;
	case 0xc0000100: return VMCS_GUEST_FS_BASE;
	case 0xc0000101: return VMCS_GUEST_GS_BASE;
	case 0x1d9:
		return c->ctls.exit & HV_EXIT_SAVE_DEBUG ?
			VMCS_GUEST_DEBUGCTL : -1;
	case 0x277:
		return c->ctls.exit & HV_EXIT_SAVE_PAT ? VMCS_GUEST_PAT : -1;
	case 0xc0000080:
		return c->ctls.exit & HV_EXIT_SAVE_EFER ?
			VMCS_GUEST_EFER : -1;
	}
	return -1;
}

static bool hv_canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

int hv_guest_msr(struct hv_cpu *c, u32 msr, u64 *val, bool write)
{
	int field = hv_vmcs_msr(c, msr);
	u64 v = *val;
	u32 lo, hi;

	if (field >= 0) {
		if (!write) {
			*val = hv_vmread(field);
			return 0;
		}
		if ((msr == 0xc0000100 || msr == 0xc0000101 ||
		     msr == 0x175 || msr == 0x176) && !hv_canonical(v))
			return -EINVAL;
		/* LMA is the CPU's (SDM vol. 3A 9.8.5): keep it. */
		if (msr == 0xc0000080)
			v = (v & ~(1ull << 10)) |
			    (hv_vmread(VMCS_GUEST_EFER) & (1ull << 10));
		hv_vmwrite(field, v);
		return 0;
	}
	/*
	 * The others are the same in root and in the guest: the real access,
	 * and its #GP when the CPU has no such MSR or refuses the value.
	 */
	if (!write) {
		if (rdmsr_safe(msr, &lo, &hi))
			return -EIO;
		*val = lo | (u64)hi << 32;
		return 0;
	}
	return wrmsr_safe(msr, (u32)v, (u32)(v >> 32)) ? -EIO : 0;
}

/* false: the guest gets #GP(0) as from the real instruction. */
static bool hv_emul_msr(struct hv_cpu *c, struct hv_regs *r, bool write)
{
	u32 msr = (u32)r->gpr[HV_RCX];
	u64 v = (r->gpr[HV_RAX] & 0xffffffff) | (r->gpr[HV_RDX] << 32);

	/*
	 * The ones the VMCS does not hold exit only outside both bitmap
	 * ranges (SDM 25.6.9) or when an event asks: they are forwarded.
	 */
	if (hv_guest_msr(c, msr, &v, write))
		return false;
	if (!write) {
		r->gpr[HV_RAX] = (u32)v;
		r->gpr[HV_RDX] = v >> 32;
	}
	return true;
}

int hv_exit_msr(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	if (hv_emul_msr(c, r, x->reason == EXIT_WRMSR)) {
		x->result = HV_EXIT_DONE;
	} else {
		hv_inject(HV_VEC_GP, true, 0);
		x->result = HV_EXIT_FAULT;
	}
	return HV_RESUME;
}

/* ---- TSC, PMC ---- */

/* hvgdb sets no TSC offsetting or scaling (vmcs.c): the guest reads the
 * host's TSC; TSC_AUX is not switched either. */
int hv_exit_tsc(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	u64 t = rdtsc_ordered();

	r->gpr[HV_RAX] = (u32)t;
	r->gpr[HV_RDX] = t >> 32;
	if (x->reason == EXIT_RDTSCP)
		r->gpr[HV_RCX] = (u32)native_read_msr(MSR_TSC_AUX);
	x->result = HV_EXIT_DONE;
	return HV_RESUME;
}

/* RDPMC with an invalid counter faults (#GP): caught, given to the guest. */
static bool hv_rdpmc(u32 idx, u32 *lo, u32 *hi)
{
	int err = 1;

	asm volatile("1: rdpmc\n\t"
		     "xor %[err], %[err]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [err] "+r"(err), "=a"(*lo), "=d"(*hi)
		     : "c"(idx));
	return !err;
}

int hv_exit_pmc(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	u32 lo, hi;

	if (!hv_rdpmc((u32)r->gpr[HV_RCX], &lo, &hi)) {
		hv_inject(HV_VEC_GP, true, 0);
		x->result = HV_EXIT_FAULT;
		return HV_RESUME;
	}
	r->gpr[HV_RAX] = lo;
	r->gpr[HV_RDX] = hi;
	x->result = HV_EXIT_DONE;
	return HV_RESUME;
}

/* ---- I/O ---- */

static u32 hv_port_in(u16 port, u8 size)
{
	switch (size) {
	case 1: return inb(port);
	case 2: return inw(port);
	default: return inl(port);
	}
}

static void hv_port_out(u16 port, u8 size, u32 v)
{
	switch (size) {
	case 1: outb((u8)v, port); break;
	case 2: outw((u16)v, port); break;
	default: outl(v, port); break;
	}
}

#define HV_STR_IO_BATCH	256	/* iterations per exit, then re-exit */

/*
 * INS/OUTS, REP or not (SDM vol. 2 "INS", "OUTS", "REP"): the address
 * size and (for OUTS) segment come from the VM-exit instruction
 * information (SDM 28.2.5, Table 28-8).  Guest memory goes through the
 * guest's page tables (hv_exit_ops read_guest/write_guest).  false: that
 * memory cannot be reached.  *done: the instruction completed.
 */
static bool hv_io_string(struct hv_regs *r, const struct hv_io_access *a,
			 bool *done)
{
	const struct hv_exit_ops *ops = hv_exit_ops_cur;
	u32 info = (u32)hv_vmread(VMCS_EXIT_INSN_INFO);
	u32 seg = (info >> 15) & 7;
	u64 amask = event_addr_mask(info);
	u64 base = 0, cnt, step, i;
	u32 idx = a->in ? HV_RDI : HV_RSI;
	bool df = hv_vmread(VMCS_GUEST_RFLAGS) & X86_EFLAGS_DF;

	if (!ops->read_guest || !ops->write_guest)
		return false;
	if (!a->in && seg == 4)
		base = hv_vmread(VMCS_GUEST_FS_BASE);
	else if (!a->in && seg == 5)
		base = hv_vmread(VMCS_GUEST_GS_BASE);
	cnt = a->rep ? r->gpr[HV_RCX] & amask : 1;
	step = df ? -(u64)a->size : a->size;
	*done = true;
	for (i = 0; i < cnt && i < HV_STR_IO_BATCH; i++) {
		u64 off = r->gpr[idx] & amask;
		u32 v = 0;

		if (a->in) {
			v = hv_port_in(a->port, a->size);
			if (ops->write_guest(base + off, (u8 *)&v, a->size))
				return false;
		} else {
			if (ops->read_guest(base + off, (u8 *)&v, a->size) !=
			    a->size)
				return false;
			hv_port_out(a->port, a->size, v);
		}
		r->gpr[idx] = (r->gpr[idx] & ~amask) | ((off + step) & amask);
		if (a->rep)
			r->gpr[HV_RCX] = (r->gpr[HV_RCX] & ~amask) |
					 ((r->gpr[HV_RCX] - 1) & amask);
	}
	/* Left over: RIP stays, the guest re-executes the REP (it may take
	 * interrupts in between, as on hardware). */
	if (a->rep && (r->gpr[HV_RCX] & amask))
		*done = false;
	return true;
}

int hv_exit_io(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	struct hv_io_access a;
	bool done = true;

	hv_decode_io(hv_vmread(VMCS_EXIT_QUALIFICATION), &a);
	if (!a.string) {
		/* IN/OUT (SDM vol. 2 "IN", "OUT"): AL/AX keep the rest of
		 * RAX, EAX zero-extends (vol. 1 3.4.1.1). */
		if (a.in)
			r->gpr[HV_RAX] = event_in_rax(r->gpr[HV_RAX],
						      hv_port_in(a.port, a.size),
						      a.size);
		else
			hv_port_out(a.port, a.size, (u32)r->gpr[HV_RAX]);
	} else if (!hv_io_string(r, &a, &done)) {
		/* Guest memory not reachable: the page walk would give the
		 * guest a #PF we cannot build here; #GP stops it cleanly. */
		hv_inject(HV_VEC_GP, true, 0);
		x->result = HV_EXIT_FAULT;
		return HV_RESUME;
	}
	x->result = done ? HV_EXIT_DONE : HV_EXIT_PARTIAL;
	return HV_RESUME;
}

/* ---- MOV DR, VMCALL, XSETBV ---- */

/* The split of DR0-3 between gdb and the guest is dr.c's (ops->mov_dr). */
int hv_exit_mov_dr(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	bool (*emul)(struct hv_regs *r, u64 qual) = hv_exit_ops_cur->mov_dr;

	if (!emul)
		return hv_exit_unexpected(c, r, x->reason);
	x->result = emul(r, hv_vmread(VMCS_EXIT_QUALIFICATION)) ?
		    HV_EXIT_DONE : HV_EXIT_FAULT;
	return HV_RESUME;
}

#define HV_HC_SLOTS	4
static struct {
	u32 nr;
	hv_hypercall_fn fn;
} hv_hc[HV_HC_SLOTS];

int hv_hypercall_set(u32 nr, hv_hypercall_fn fn)
{
	int i, free = -1;

	for (i = 0; i < HV_HC_SLOTS; i++) {
		if (READ_ONCE(hv_hc[i].fn) && hv_hc[i].nr == nr) {
			WRITE_ONCE(hv_hc[i].fn, fn);
			return 0;
		}
		if (!hv_hc[i].fn && free < 0)
			free = i;
	}
	if (!fn)
		return 0;
	if (free < 0)
		return -ENOSPC;
	hv_hc[free].nr = nr;
	WRITE_ONCE(hv_hc[free].fn, fn);
	return 0;
}

bool hv_hypercall_is_own(const struct hv_regs *r)
{
	/* Ring 0 only. */
	return hv_guest_cpl() == 0 &&
	       (r->gpr[HV_RAX] & HV_HC_MAGIC_MASK) == HV_HC_MAGIC;
}

/* hvgdb's own hypercalls (hypercall.h); any other VMCALL is #UD, as on a
 * machine without a hypervisor that answers it (SDM vol. 2 "VMCALL"). */
int hv_exit_vmcall(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	u32 nr = r->gpr[HV_RAX] & 0xffff;
	int i;

	if (!hv_hypercall_is_own(r))
		goto ud;
	switch (nr) {
	case HV_HC_PING:
		r->gpr[HV_RAX] = 0;
		r->gpr[HV_RBX] = c->exit_total;
		x->result = HV_EXIT_DONE;
		return HV_RESUME;
	case HV_HC_TEST_EPT:
		r->gpr[HV_RAX] = hv_ept_test_misconfig(r->gpr[HV_RBX]) ?
				 HV_HC_ERR_UNKNOWN : 0;
		x->result = HV_EXIT_DONE;
		return HV_RESUME;
	case HV_HC_DEVIRT:
		r->gpr[HV_RAX] = 0;
		hv_leave_vmx(c, r, hv_vmread(VMCS_GUEST_RIP) +
			     hv_vmread(VMCS_EXIT_INSN_LEN));
		return HV_LEAVE;
	}
	for (i = 0; i < HV_HC_SLOTS; i++) {
		hv_hypercall_fn fn = READ_ONCE(hv_hc[i].fn);

		if (fn && hv_hc[i].nr == nr)
			return fn(c, r);	/* HV_EXIT_OWN */
	}
ud:
	hv_inject(HV_VEC_UD, false, 0);
	x->result = HV_EXIT_RAISED;
	return HV_RESUME;
}

int hv_exit_xsetbv(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	u64 v = (r->gpr[HV_RAX] & 0xffffffff) | (r->gpr[HV_RDX] << 32);
	u32 a = 0xd, b, cx = 0, d;
	unsigned long cr4;

	/* XCR0 rules of SDM Vol. 1 13.3 (monitor-cmds/event_emul.c). */
	native_cpuid(&a, &b, &cx, &d);
	if ((u32)r->gpr[HV_RCX] != 0 ||
	    !event_xcr0_valid(v, ((u64)d << 32) | a)) {
		hv_inject(HV_VEC_GP, true, 0);
		x->result = HV_EXIT_FAULT;
		return HV_RESUME;
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
	x->result = HV_EXIT_DONE;
	return HV_RESUME;
}

/* ---- CR access ---- */

/*
 * A write to CR0/CR4 that changes a bit owned by the host (mask, SDM
 * 25.6.6; vmcs.c owns CR4.VMXE, events may own more): the guest's view
 * (read shadow) takes the value; the real register gets it adjusted to
 * the VMX fixed bits (SDM 24.8, A.7/A.8), CR4.VMXE stays set and hidden.
 * false: #GP(0) as from the real MOV (SDM vol. 2 "MOV-Move to/from
 * Control Registers").
 */
static bool hv_cr_write(u32 cr, u64 v)
{
	if (cr == 0) {
		u64 fixed0 = hv.msrs.cr0_fixed0;

		if ((v >> 32) || ((v & X86_CR0_NW) && !(v & X86_CR0_CD)) ||
		    ((v & X86_CR0_PG) && !(v & X86_CR0_PE)))
			return false;
		if (hv.ctls.proc2 & HV_PROC2_UNRESTRICTED)
			fixed0 &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
		hv_vmwrite(VMCS_CR0_SHADOW, v);
		hv_vmwrite(VMCS_GUEST_CR0, (v | fixed0) & hv.msrs.cr0_fixed1);
		return true;
	}
	if (v & ~(hv.msrs.cr4_fixed1 | X86_CR4_VMXE))
		return false;
	hv_vmwrite(VMCS_CR4_SHADOW, v);
	hv_vmwrite(VMCS_GUEST_CR4, v | X86_CR4_VMXE);
	hv_invvpid_single(HV_VPID);	/* MOV to CR4 may flush (4.10.4.1) */
	return true;
}

/*
 * MOV to CR3, exiting while !mode follows a process (CR3-load exiting,
 * kmod/events/mon_mode.c).  Bit 63 with CR4.PCIDE keeps the TLB (SDM
 * Vol. 3A 4.10.4.1); otherwise the guest's VPID is flushed (more than the
 * non-global entries of one PCID the CPU would drop: never less).  Bits
 * from MAXPHYADDR to 62 are reserved: #GP.
 */
static bool hv_cr3_write(u64 v)
{
	bool noflush = (hv_vmread(VMCS_GUEST_CR4) & X86_CR4_PCIDE) &&
		       (v & BIT_ULL(63));

	v &= ~BIT_ULL(63);
	if (v >> boot_cpu_data.x86_phys_bits)
		return false;
	hv_vmwrite(VMCS_GUEST_CR3, v);
	if (!noflush)
		hv_invvpid_single(HV_VPID);
	return true;
}

/* MOV to CR0/CR4, CLTS, LMSW, and MOV to CR3 while !mode has CR3-load
 * exiting; hvgdb never sets CR8 or MOV-from exiting, so anything else is
 * unexpected. */
int hv_exit_cr(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x)
{
	struct hv_cr_access a;
	u64 v;

	hv_decode_cr(hv_vmread(VMCS_EXIT_QUALIFICATION), &a);
	if (a.cr == 3 && a.type == HV_CR_MOV_TO) {
		if (hv_cr3_write(hv_guest_gpr(r, a.gpr))) {
			x->result = HV_EXIT_DONE;
		} else {
			hv_inject(HV_VEC_GP, true, 0);
			x->result = HV_EXIT_FAULT;
		}
		return HV_RESUME;
	}
	if (a.cr != 0 && a.cr != 4)
		return hv_exit_unexpected(c, r, x->reason);
	switch (a.type) {
	case HV_CR_MOV_TO:
		v = hv_guest_gpr(r, a.gpr);
		break;
	case HV_CR_CLTS:
		if (a.cr != 0)
			return hv_exit_unexpected(c, r, x->reason);
		v = event_cr0_clts(hv_vmread(VMCS_CR0_SHADOW));
		break;
	case HV_CR_LMSW:
		if (a.cr != 0)
			return hv_exit_unexpected(c, r, x->reason);
		v = event_cr0_lmsw(hv_vmread(VMCS_CR0_SHADOW), a.lmsw_src);
		break;
	default:
		return hv_exit_unexpected(c, r, x->reason);
	}
	if (hv_cr_write(a.cr, v)) {
		x->result = HV_EXIT_DONE;
	} else {
		hv_inject(HV_VEC_GP, true, 0);
		x->result = HV_EXIT_FAULT;
	}
	return HV_RESUME;
}
