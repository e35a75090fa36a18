// SPDX-License-Identifier: GPL-2.0
/*
 * vmcs.c - filling the current VMCS so that the running kernel becomes the
 * guest (guest state = the CPU's state right now) and VM exits land on a
 * host that stays valid (SDM Vol. 3 ch. 25 and 27.2-27.3).
 *
 * Host: the kernel's own GDT, IDT, TSS and per-CPU GS base, so an NMI or
 * machine check taken in VMX root runs the kernel's handler on its IST
 * stack; a private top-level page table holding the kernel half (hv.host_cr3),
 * which no process exit can free; a per-CPU host stack.
 */
#include <linux/kernel.h>
#include <asm/desc.h>
#include <asm/special_insns.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/irqflags.h>
#include "kmod/vmx/hv.h"

#define HV_AR_UNUSABLE	(1u << 16)

static u16 hv_sel(int which)
{
	u16 s = 0;

	switch (which) {
	case 0: asm volatile("mov %%es, %0" : "=rm"(s)); break;
	case 1: asm volatile("mov %%cs, %0" : "=rm"(s)); break;
	case 2: asm volatile("mov %%ss, %0" : "=rm"(s)); break;
	case 3: asm volatile("mov %%ds, %0" : "=rm"(s)); break;
	case 4: asm volatile("mov %%fs, %0" : "=rm"(s)); break;
	case 5: asm volatile("mov %%gs, %0" : "=rm"(s)); break;
	case 6: asm volatile("sldt %0" : "=rm"(s)); break;
	case 7: asm volatile("str %0" : "=rm"(s)); break;
	}
	return s;
}

/* Descriptor fields per SDM Vol. 3 3.4.5; AR layout per table 25-2. */
static void hv_describe(const struct desc_ptr *gdt, u16 sel, bool system,
			u64 *base, u32 *limit, u32 *ar)
{
	const u64 *d;
	u64 lo;

	if (!(sel & ~3u) || (sel & 4) || (sel | 7) > gdt->size) {
		*base = 0;
		*limit = 0;
		*ar = HV_AR_UNUSABLE;
		return;
	}
	d = (const u64 *)(gdt->address + (sel & ~7u));
	lo = d[0];
	*limit = (u32)((lo & 0xffff) | ((lo >> 32) & 0xf0000));
	if (lo & (1ULL << 55))		/* G: 4 KiB granularity */
		*limit = (*limit << 12) | 0xfff;
	*base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24);
	if (system)
		*base |= d[1] << 32;	/* 16-byte system descriptor */
	*ar = (u32)((lo >> 40) & 0xf0ff);
}

static void hv_guest_segments(const struct desc_ptr *gdt, u64 *tr_base)
{
	int i;

	for (i = 0; i < HV_GUEST_NSEGS; i++) {
		u16 sel = hv_sel(i);
		u64 base;
		u32 limit, ar;

		hv_describe(gdt, sel, i >= 6, &base, &limit, &ar);
		if (!(ar & HV_AR_UNUSABLE) && i < 6)
			ar |= 1;	/* accessed; 26.3.1.2 requires it */
		if (i == 7)	/* TR: busy 64-bit TSS, 26.3.1.2 */
			ar = (ar & ~0xfu) | 11;
		if (i == 4)
			base = native_read_msr(HV_MSR_FS_BASE);
		if (i == 5)
			base = native_read_msr(HV_MSR_GS_BASE);
		if (i == 7)
			*tr_base = base;
		hv_vmwrite(hv_guest_segs[i].sel, sel);
		hv_vmwrite(hv_guest_segs[i].base, base);
		hv_vmwrite(hv_guest_segs[i].limit, limit);
		hv_vmwrite(hv_guest_segs[i].ar, ar);
	}
}

void hv_vmcs_setup(struct hv_cpu *c, unsigned long cr4_before)
{
	const struct hv_ctls *k = &c->ctls;
	unsigned long cr0 = read_cr0(), cr4 = __read_cr4();
	struct desc_ptr gdt, idt;
	u64 tr_base = 0;
	unsigned long dr7;

	native_store_gdt(&gdt);
	store_idt(&idt);

	/* Controls (25.6-25.8). */
	hv_timer_vmcs_setup(c);
	hv_vmwrite(VMCS_PIN_CTLS, k->pin);
	hv_vmwrite(VMCS_PROC_CTLS, k->proc);
	hv_vmwrite(VMCS_PROC2_CTLS, k->proc2);
	hv_vmwrite(VMCS_EXIT_CTLS, k->exit);
	hv_vmwrite(VMCS_ENTRY_CTLS, k->entry);
	hv_vmwrite(VMCS_EXCEPTION_BITMAP, k->exception_bitmap);
	hv_vmwrite(VMCS_PF_ERR_MASK, 0);
	hv_vmwrite(VMCS_PF_ERR_MATCH, 0);
	hv_vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	hv_vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	hv_vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	hv_vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	hv_vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	hv_vmwrite(VMCS_MSR_BITMAP, hv.msr_bitmap_pa);
	hv_vmwrite(VMCS_EPT_POINTER, hv_ept_eptp(c->cpu));
	if (k->proc2 & HV_PROC2_VPID)
		hv_vmwrite(VMCS_VPID, HV_VPID);
	if (k->proc2 & HV_PROC2_XSAVES)
		hv_vmwrite(VMCS_XSS_EXIT_BITMAP, 0);
	/*
	 * CR4.VMXE belongs to us: the guest reads it from the shadow as it was
	 * before VMXON, and a write that changes it exits (25.6.6).
	 */
	hv_vmwrite(VMCS_CR0_MASK, 0);
	hv_vmwrite(VMCS_CR0_SHADOW, cr0);
	hv_vmwrite(VMCS_CR4_MASK, X86_CR4_VMXE);
	hv_vmwrite(VMCS_CR4_SHADOW, cr4_before & ~X86_CR4_VMXE);

	/* Guest state: this CPU as it is now (26.3.1). */
	hv_vmwrite(VMCS_GUEST_CR0, cr0);
	hv_vmwrite(VMCS_GUEST_CR3, __read_cr3());
	hv_vmwrite(VMCS_GUEST_CR4, cr4);
	get_debugreg(dr7, 7);
	hv_vmwrite(VMCS_GUEST_DR7, dr7);
	hv_vmwrite(VMCS_GUEST_RFLAGS, native_save_fl());
	hv_guest_segments(&gdt, &tr_base);
	hv_vmwrite(VMCS_GUEST_GDTR_BASE, gdt.address);
	hv_vmwrite(VMCS_GUEST_GDTR_LIMIT, gdt.size);
	hv_vmwrite(VMCS_GUEST_IDTR_BASE, idt.address);
	hv_vmwrite(VMCS_GUEST_IDTR_LIMIT, idt.size);
	hv_vmwrite(VMCS_GUEST_DEBUGCTL, native_read_msr(HV_MSR_DEBUGCTL));
	hv_vmwrite(VMCS_GUEST_SYSENTER_CS, native_read_msr(HV_MSR_SYSENTER_CS));
	hv_vmwrite(VMCS_GUEST_SYSENTER_ESP, native_read_msr(HV_MSR_SYSENTER_ESP));
	hv_vmwrite(VMCS_GUEST_SYSENTER_EIP, native_read_msr(HV_MSR_SYSENTER_EIP));
	hv_vmwrite(VMCS_GUEST_EFER, native_read_msr(HV_MSR_EFER));
	hv_vmwrite(VMCS_GUEST_PAT, native_read_msr(HV_MSR_PAT));
	hv_vmwrite(VMCS_LINK_POINTER, ~0ULL);
	hv_vmwrite(VMCS_GUEST_ACTIVITY, HV_ACTIVITY_ACTIVE);
	hv_vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	hv_vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	/* GUEST_RSP and GUEST_RIP are written by hv_vmx_launch. */

	/* Host state (26.2.2-26.2.4, 28.5). */
	hv_vmwrite(VMCS_HOST_CR0, cr0);
	hv_vmwrite(VMCS_HOST_CR3, hv.host_cr3);
	hv_vmwrite(VMCS_HOST_CR4, cr4);
	hv_vmwrite(VMCS_HOST_ES_SEL, 0);
	hv_vmwrite(VMCS_HOST_CS_SEL, __KERNEL_CS);
	hv_vmwrite(VMCS_HOST_SS_SEL, __KERNEL_DS);
	hv_vmwrite(VMCS_HOST_DS_SEL, 0);
	hv_vmwrite(VMCS_HOST_FS_SEL, 0);
	hv_vmwrite(VMCS_HOST_GS_SEL, 0);
	hv_vmwrite(VMCS_HOST_TR_SEL, hv_sel(7));
	hv_vmwrite(VMCS_HOST_FS_BASE, native_read_msr(HV_MSR_FS_BASE));
	hv_vmwrite(VMCS_HOST_GS_BASE, native_read_msr(HV_MSR_GS_BASE));
	hv_vmwrite(VMCS_HOST_TR_BASE, tr_base);
	hv_vmwrite(VMCS_HOST_GDTR_BASE, gdt.address);
	hv_vmwrite(VMCS_HOST_IDTR_BASE, hv_host_idt_base(idt.address));
	hv_vmwrite(VMCS_HOST_SYSENTER_CS, native_read_msr(HV_MSR_SYSENTER_CS));
	hv_vmwrite(VMCS_HOST_SYSENTER_ESP, native_read_msr(HV_MSR_SYSENTER_ESP));
	hv_vmwrite(VMCS_HOST_SYSENTER_EIP, native_read_msr(HV_MSR_SYSENTER_EIP));
	hv_vmwrite(VMCS_HOST_EFER, native_read_msr(HV_MSR_EFER));
	hv_vmwrite(VMCS_HOST_PAT, native_read_msr(HV_MSR_PAT));
	/* 16-byte aligned top, as the exit stub's calls expect. */
	hv_vmwrite(VMCS_HOST_RSP, (unsigned long)c->stack + HV_STACK_SIZE - 16);
	hv_vmwrite(VMCS_HOST_RIP, (unsigned long)hv_vmx_exit_stub);
}
