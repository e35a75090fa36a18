/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event_intercepts.h - the VMCS settings the enabled events need.
 *
 * Contract: event_intercepts_compute() is pure.  From the enabled events
 * and the debugger's own baseline (breakpoint #BP/#DB, NMI exiting for
 * halting, ...) it computes every control, mask and bitmap the kernel
 * module must load on every CPU before it resumes the system.  With no
 * enabled event the result equals the baseline exactly, so clearing the
 * last event restores the VMCS the module started with.  Bitmap pages are
 * caller-owned 4 KiB buffers; constants are in event_vmx.h.
 */
#ifndef HVGDB_EVENT_INTERCEPTS_H
#define HVGDB_EVENT_INTERCEPTS_H

#include "hvgdb/freestanding.h"
#include "event.h"

#define HV_BITMAP_PAGE		4096u

/* MSR bitmap layout, SDM vol. 3C 25.6.9: four 1 KiB halves, one bit per
 * MSR; MSRs outside both ranges always exit (SDM 26.1.3). */
#define HV_MSR_READ_LOW		0x000u	/* MSRs 0x00000000-0x00001fff */
#define HV_MSR_READ_HIGH	0x400u	/* MSRs 0xc0000000-0xc0001fff */
#define HV_MSR_WRITE_LOW	0x800u
#define HV_MSR_WRITE_HIGH	0xc00u

/* The debugger's own needs: what the VMCS holds with no event. */
struct hv_intercept_base {
	u32 pin_based;
	u32 proc_based;		/* should have VMX_PROC_USE_MSR_BITMAPS:
				 * without it every RDMSR/WRMSR exits and
				 * the MSR page is unused (26.1.3) */
	u32 proc_based2;
	u32 exit_ctls;
	u32 entry_ctls;
	u32 exception_bitmap;	/* e.g. #BP and #DB for breakpoints */
	u32 pf_ec_mask;		/* page-fault error-code mask/match */
	u32 pf_ec_match;	/* (SDM 25.6.3) */
	u64 cr0_mask;		/* CR0/CR4 guest/host masks (SDM 25.6.6) */
	u64 cr4_mask;
	const u8 *msr_bitmap;	/* baseline pages, NULL = all zero */
	const u8 *io_bitmap_a;
	const u8 *io_bitmap_b;
};

struct hv_intercepts {
	u32 pin_based;
	u32 proc_based;
	u32 proc_based2;
	u32 exit_ctls;
	u32 entry_ctls;
	u32 exception_bitmap;
	u32 pf_ec_mask;
	u32 pf_ec_match;
	u64 cr0_mask;
	u64 cr4_mask;
	/* SYSCALL/SYSRET hook: run the guest with EFER.SCE clear (entry
	 * "load IA32_EFER", exit "save IA32_EFER"), intercept #UD and every
	 * RDMSR/WRMSR of EFER so the guest never sees SCE clear. */
	bool syscall_hook;
	/* Some !syscall / !sysret (not the '2' forms) is enabled: decide by
	 * reading the opcode at RIP rather than by RIP alone. */
	bool syscall_read_opcode;
	/* Caller-provided HV_BITMAP_PAGE pages, filled in by compute. */
	u8 *msr_bitmap;
	u8 *io_bitmap_a;	/* ports 0x0000-0x7fff (SDM 25.6.4) */
	u8 *io_bitmap_b;	/* ports 0x8000-0xffff */
};

/* out->msr_bitmap / io_bitmap_a / io_bitmap_b must point at pages. */
void event_intercepts_compute(const struct event_table *t,
			      const struct hv_intercept_base *base,
			      struct hv_intercepts *out);

/* Bitmap accessors (also used by the module's own baseline). */
void hv_msr_bitmap_set(u8 *page, u32 msr, bool write);
bool hv_msr_bitmap_test(const u8 *page, u32 msr, bool write);
bool hv_io_bitmap_test(const u8 *a, const u8 *b, u16 port);

#endif /* HVGDB_EVENT_INTERCEPTS_H */
