// SPDX-License-Identifier: GPL-2.0
/*
 * vmx.c - turning VMX on and off on one CPU.
 *
 * hv_cpu_start() runs on the CPU it virtualizes with interrupts off:
 * CR4.VMXE, VMXON, VMCLEAR/VMPTRLD, VMCS set-up, VMLAUNCH; the caller then
 * continues as the guest.  hv_cpu_stop() asks the hypervisor, through the
 * HV_HC_DEVIRT hypercall, to leave VMX on this CPU (exit.c does the work in
 * VMX root).  The kernel's cached CR4 never sees VMXE: the CR4 guest/host
 * mask hides it (vmcs.c), so cpu_emergency_vmxoff() and KVM see a CPU
 * without VMX.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/ktime.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/invpcid.h>
#include <asm/msr.h>
#include "kmod/vmx/hv.h"
#include "kmod/vmx/hypercall.h"

static inline void hv_write_cr4(unsigned long v)
{
	/* Bypass the kernel's CR4 cache on purpose: see the file comment. */
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static int hv_vmxon(phys_addr_t pa)
{
	u8 fail;

	asm volatile("vmxon %1; setna %0"
		     : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static void hv_vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

static int hv_vmclear(phys_addr_t pa)
{
	u8 fail;

	asm volatile("vmclear %1; setna %0"
		     : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static int hv_vmptrld(phys_addr_t pa)
{
	u8 fail;

	asm volatile("vmptrld %1; setna %0"
		     : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

/* INVEPT/INVVPID descriptors, SDM Vol. 3 31.3. */
static int hv_invept(u64 type, u64 eptp)
{
	struct { u64 eptp, zero; } d = { eptp, 0 };
	u8 fail;

	asm volatile("invept %1, %2; setna %0"
		     : "=qm"(fail) : "m"(d), "r"(type) : "cc", "memory");
	return fail ? -EIO : 0;
}

static int hv_invvpid(u64 type, u16 vpid)
{
	struct { u64 vpid, addr; } d = { vpid, 0 };
	u8 fail;

	asm volatile("invvpid %1, %2; setna %0"
		     : "=qm"(fail) : "m"(d), "r"(type) : "cc", "memory");
	return fail ? -EIO : 0;
}

/*
 * This CPU's EPT-derived caches (SDM Vol. 3C 29.4.3.1: INVEPT acts on
 * the executing logical processor only).  Single-context names this
 * CPU's own view, the only EPTP it runs on (ept_host.c).
 */
int hv_invept_all(void)
{
	if (hv.caps.invept_all)
		return hv_invept(2, 0);
	if (hv.caps.invept_single)
		return hv_invept(1, hv_ept_eptp(smp_processor_id()));
	return -EOPNOTSUPP;
}

int hv_invvpid_all(void)
{
	if (!(hv.ctls.proc2 & HV_PROC2_VPID))
		return 0;
	if (hv.caps.invvpid_all)
		return hv_invvpid(2, 0);
	return hv_invvpid_single(HV_VPID);
}

int hv_invvpid_single(u16 vpid)
{
	if (!(hv.ctls.proc2 & HV_PROC2_VPID))
		return 0;
	if (hv.caps.invvpid_single)
		return hv_invvpid(1, vpid);
	if (hv.caps.invvpid_all)
		return hv_invvpid(2, 0);
	return -EOPNOTSUPP;
}

u64 hv_hypercall(u64 nr, u64 arg)
{
	u64 ret;

	asm volatile("vmcall"
		     : "=a"(ret), "+b"(arg)
		     : "a"(HV_HC_MAGIC | nr)
		     : "rcx", "rdx", "cc", "memory");
	return ret;
}

/* Call with interrupts off, on the CPU that @c describes. */
int hv_cpu_start(struct hv_cpu *c)
{
	unsigned long cr4 = __read_cr4(), cr0 = read_cr0();
	u64 t0 = ktime_get_mono_fast_ns();
	int err;

	c->error = 0;
	c->insn_error = 0;
	if (cr4 & X86_CR4_VMXE) {
		err = -EBUSY;
		goto fail;
	}
	/* SDM 24.8: CR0 and CR4 must honour the VMX fixed bits. */
	if ((cr0 & hv.msrs.cr0_fixed0) != hv.msrs.cr0_fixed0 ||
	    (cr0 & ~hv.msrs.cr0_fixed1) ||
	    ((cr4 | X86_CR4_VMXE) & hv.msrs.cr4_fixed0) != hv.msrs.cr4_fixed0 ||
	    ((cr4 | X86_CR4_VMXE) & ~hv.msrs.cr4_fixed1)) {
		err = -EOPNOTSUPP;
		goto fail;
	}
	hv_write_cr4(cr4 | X86_CR4_VMXE);
	if (hv_vmxon(c->vmxon_pa)) {
		err = -EIO;
		goto fail_cr4;
	}
	if (hv_vmclear(c->vmcs_pa) || hv_vmptrld(c->vmcs_pa)) {
		err = -EIO;
		goto fail_vmxoff;
	}
	hv_vmcs_setup(c, cr4);
	/*
	 * Stale translations from an earlier load could survive in the EPT,
	 * the guest VPID, and PCID 0 of VPID 0 (our host CR3), since these
	 * tables were freed and reused since: drop them all.
	 */
	hv_invept_all();
	hv_invvpid_all();
	if (boot_cpu_has(X86_FEATURE_INVPCID))
		invpcid_flush_single_context(0);
	/* vmentry_check=1: the SDM's entry checks first (vmentry.c). */
	err = hv_vmentry_check_launch(c);
	if (err) {
		hv_vmclear(c->vmcs_pa);
		goto fail_vmxoff;
	}
	this_cpu_write(hv_this_cpu, c);
	c->state = HV_CPU_VIRTUALIZED;
	c->launch_ns = ktime_get_mono_fast_ns() - t0;
	if (hv_vmx_launch() == 0)
		return 0;	/* we are the guest now */
	c->state = HV_CPU_FAILED;
	c->insn_error = (u32)hv_vmread(VMCS_INSN_ERROR);
	err = -EIO;
	hv_vmclear(c->vmcs_pa);
fail_vmxoff:
	hv_vmxoff();
fail_cr4:
	hv_write_cr4(cr4);
fail:
	c->state = HV_CPU_FAILED;
	c->error = err;
	return err;
}

/* Call with interrupts off, on the CPU that @c describes. */
int hv_cpu_stop(struct hv_cpu *c)
{
	u64 ret;

	if (c->state != HV_CPU_VIRTUALIZED)
		return 0;
	ret = hv_hypercall(HV_HC_DEVIRT, 0);
	if (ret)
		return -EIO;
	c->state = HV_CPU_OFF;
	return 0;
}
