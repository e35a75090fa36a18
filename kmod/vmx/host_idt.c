// SPDX-License-Identifier: GPL-2.0
/*
 * host_idt.c - VMX root's own IDT: the kernel's, except for the NMI gate.
 *
 * VM exits load IDTR from the host-state area (SDM Vol. 3C 28.5.2).  With
 * the kernel's IDT there, an NMI that lands in root runs the kernel's NMI
 * handlers, which cannot tell an NMI hvgdb sent to halt a CPU from the
 * guest's own: two claim one NMI, and the next is "for unknown reason"
 * (docs/testing.md, "Halting under NMI load").  Root gets a copy of the
 * kernel's IDT whose gate 2 enters hv_root_nmi_entry (entry.S), which
 * hands the NMI to the handler the debug layer set: it keeps its own and
 * gives the guest the others at the next VM entry.  Gate 2 uses no IST
 * stack: root runs on hvgdb's per-CPU host stack, and the kernel's NMI IST
 * stack may hold the frame of a guest NMI handler that this exit cut
 * short (SDM Vol. 3A 6.14.5).  Every other gate is the kernel's.
 *
 * Context: hv_host_idt_init()/_exit() in process context at load and
 * unload, before any CPU uses the copy and after all left VMX;
 * hv_root_nmi() in NMI context in VMX root.
 */
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/string.h>
#include <asm/desc.h>
#include "kmod/vmx/hv.h"
#include "kmod/lib/idt_gate.h"

#define HV_NMI_VECTOR	2

void hv_root_nmi_entry(void);

static struct hv_idt_gate *hv_host_idt;
static void (*hv_root_nmi_fn)(void);

int hv_host_idt_init(void (*fn)(void))
{
	struct desc_ptr idt;
	struct hv_idt_gate *g;
	size_t n;

	store_idt(&idt);
	n = (size_t)idt.size + 1;
	if (n < (HV_NMI_VECTOR + 1) * sizeof(*g) || n > PAGE_SIZE)
		return -EINVAL;
	g = (struct hv_idt_gate *)get_zeroed_page(GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	/* Root's IDTR limit is 0xffff (SDM 28.5.2): the page covers all
	 * 256 vectors, and vectors past the kernel's limit stay not present. */
	memcpy(g, (void *)idt.address, n);
	if (!hv_idt_gate_is_intr(&g[HV_NMI_VECTOR])) {
		free_page((unsigned long)g);
		return -EINVAL;
	}
	hv_idt_gate_set_offset(&g[HV_NMI_VECTOR],
			       (u64)(unsigned long)hv_root_nmi_entry);
	hv_idt_gate_set_ist(&g[HV_NMI_VECTOR], 0);
	hv_root_nmi_fn = fn;
	hv_host_idt = g;
	return 0;
}

void hv_host_idt_exit(void)
{
	if (hv_host_idt)
		free_page((unsigned long)hv_host_idt);
	hv_host_idt = NULL;
	hv_root_nmi_fn = NULL;
}

unsigned long hv_host_idt_base(unsigned long kernel_idt)
{
	return hv_host_idt ? (unsigned long)hv_host_idt : kernel_idt;
}

/* From hv_root_nmi_entry, NMIs blocked until its IRET. */
void hv_root_nmi(void)
{
	void (*fn)(void) = READ_ONCE(hv_root_nmi_fn);

	if (fn)
		fn();
}
