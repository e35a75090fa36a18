// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_nmi.c - NMIs under hvgdb.ko: the ones it sends to halt CPUs, and
 * the guest's own (perf, watchdog), which go back to the guest.
 *
 * With NMI exiting and virtual NMIs on (SDM Vol. 3 25.2, 25.3), every NMI
 * that arrives while the guest runs exits.  One with a halt request parks
 * the CPU (gdb_halt.c); one with none is the guest's and is injected at
 * once, or from an NMI-window exit while the guest blocks NMIs (STI, MOV
 * SS or NMI blocking, SDM 25.4.2).  An NMI that lands while the CPU is in
 * root enters root's own IDT (kmod/vmx/host_idt.c), never the kernel's
 * handlers: gdb_root_nmi() counts it as one of ours while any is
 * outstanding, and otherwise as the guest's, given to the guest at the end
 * of that exit (after the halt request it may carry is served).  An NMI
 * carries no sender, so ours and the guest's are told apart by count: of
 * the NMIs that reach a CPU, as many as we sent are ours, whichever
 * arrive first; the guest gets exactly the rest.  Where root has no IDT of
 * its own (no virtual NMIs), the kernel's handler runs and our NMI_LOCAL
 * handler claims ours.
 *
 * Context: VMX root (exit handlers), NMI in root (gdb_root_nmi) and in the
 * kernel (gdb_nmi_handler).  pc->nmi_ours, pc->nmi_root and pc->req are
 * atomics because other CPUs and NMI context touch them; pc->nmi_pending
 * only by the CPU itself in root.
 */
#include <linux/kernel.h>
#include <asm/apic.h>
#include <asm/nmi.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"

void gdb_send_nmi(int cpu, struct hv_gdb_cpu *pc)
{
	atomic_inc(&pc->nmi_ours);
	apic->send_IPI(cpu, NMI_VECTOR);
}

/* Give the guest its NMI now, or from the next NMI-window exit. */
static void gdb_queue_guest_nmi(struct hv_cpu *c, struct hv_gdb_cpu *pc)
{
	u32 block = (u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (!pc->nmi_pending && !hv_event_queued() && !hv_blocks_nmi(block)) {
		hv_inject_nmi();
		return;
	}
	/* Real hardware latches one NMI; keep at most two in flight. */
	if (pc->nmi_pending < 2)
		pc->nmi_pending++;
	c->ctls.proc |= HV_PROC_NMI_WINDOW;
	c->ctls_dirty = true;
}

/*
 * A VM exit caused by an NMI leaves NMIs blocked until the next IRET
 * (SDM Vol. 3 27.1 and 6.7.1); root code never executes one, so without
 * this the CPU would take no NMI again.  Return to the next instruction
 * through an IRET frame built on the stack: SS, RSP, RFLAGS, CS, RIP.
 */
static void gdb_unblock_nmis(void)
{
	unsigned long tmp;

	asm volatile("mov %%ss, %k0\n\t"
		     "pushq %0\n\t"
		     "pushq %%rsp\n\t"
		     "addq $8, (%%rsp)\n\t"
		     "pushfq\n\t"
		     "mov %%cs, %k0\n\t"
		     "pushq %0\n\t"
		     "leaq 1f(%%rip), %0\n\t"
		     "pushq %0\n\t"
		     "iretq\n"
		     "1:"
		     : "=&r"(tmp) : : "cc", "memory");
}

int gdb_on_nmi(struct hv_cpu *c, struct hv_regs *r,
		      struct hv_gdb_cpu *pc)
{
	/* From here an NMI in root runs the kernel's handler, where
	 * gdb_nmi_handler() claims ours. */
	gdb_unblock_nmis();
	/* An event cut short by this exit is delivered again (SDM 28.2.4). */
	hv_redeliver_idt_vectoring();
	if (atomic_xchg(&pc->req, 0)) {
		atomic_dec_if_positive(&pc->nmi_ours);
		gdb_park(c, r);
		return HV_RESUME;
	}
	if (atomic_dec_if_positive(&pc->nmi_ours) >= 0)
		return HV_RESUME;	/* a re-sent one of ours, late */
	gdb.foreign_nmis++;
	gdb_queue_guest_nmi(c, pc);
	return HV_RESUME;
}

/* NMI context in root, from root's own IDT (kmod/vmx/host_idt.c). */
void gdb_root_nmi(void)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);

	if (!pc)
		return;
	if (atomic_dec_if_positive(&pc->nmi_ours) >= 0)
		return;		/* ours: a halt request, or a late resend */
	atomic_inc(&pc->nmi_root);
}

/* The end of an exit: the guest's NMIs that landed in root. */
void gdb_give_root_nmis(struct hv_cpu *c, struct hv_gdb_cpu *pc)
{
	int n = atomic_xchg(&pc->nmi_root, 0);

	while (n-- > 0) {
		gdb.foreign_nmis++;
		gdb_queue_guest_nmi(c, pc);
	}
}

int hv_gdb_on_nmi_window(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);
	u32 block = (u32)hv_vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (pc && pc->nmi_pending && !hv_event_queued() &&
	    !hv_blocks_nmi(block)) {
		hv_inject_nmi();
		pc->nmi_pending--;
	}
	if (!pc || !pc->nmi_pending) {
		c->ctls.proc &= ~HV_PROC_NMI_WINDOW;
		c->ctls_dirty = true;
	}
	return HV_RESUME;
}

/*
 * The kernel's NMI handlers run for the guest's NMIs, and, where root has
 * no IDT of its own, for NMIs that land in root.  With root's own IDT an
 * NMI this handler sees on a virtualized CPU is the guest's by
 * construction: taking a count of ours for it would give the guest one of
 * ours later.
 */
int gdb_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	struct hv_gdb_cpu *pc = this_cpu_read(hv_gdb_pcpu);
	struct hv_cpu *c = this_cpu_read(hv_this_cpu);

	if (!pc)
		return NMI_DONE;
	if (gdb.root_idt && c && c->state == HV_CPU_VIRTUALIZED)
		return NMI_DONE;
	if (atomic_read(&pc->req))
		return NMI_HANDLED;	/* parked at the end of this exit */
	if (atomic_dec_if_positive(&pc->nmi_ours) >= 0)
		return NMI_HANDLED;
	return NMI_DONE;
}

