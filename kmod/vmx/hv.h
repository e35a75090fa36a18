/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv.h - kernel-side state of the VMX core, shared by vmx.c (per-CPU on and
 * off), vmcs.c (VMCS contents), exit.c (exit handlers), ept_host.c (EPT
 * memory) and debugfs.c (reports).
 *
 * One struct hv_cpu per possible CPU, allocated at load and freed at
 * unload; it is only written by its own CPU (in VMX root or with
 * interrupts off), and read by debugfs.  Per-CPU control values live in
 * hv_cpu.ctls: code that changes them while the CPU sits in VMX root sets
 * ctls_dirty and hv_exit_handler() writes them before VMRESUME.
 */
#ifndef HVGDB_KMOD_HV_H
#define HVGDB_KMOD_HV_H

#include <linux/types.h>
#include <linux/percpu.h>
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/vmx_caps.h"
#include "kmod/lib/ptimer.h"
#include "kmod/lib/ept.h"
#include "kmod/lib/mtrr.h"
#include "kmod/lib/exitqual.h"
#include "kmod/vmx/exit.h"

#define HV_STACK_SIZE		(16 * 1024)
#define HV_VPID			1

/*
 * Guest registers at a VM exit, pushed by entry.S in this order (the
 * GPR order of exit qualifications).  gpr[HV_RSP] is filled from the VMCS
 * by the handlers that need it.  rip/rflags are scratch for the leave path.
 */
struct hv_regs {
	u64 gpr[HV_NR_GPRS];
	u64 rip;
	u64 rflags;
};

/* Full information about an exit we did not expect, for debugfs. */
struct hv_exit_record {
	u64 count;
	u32 reason, intr_info, intr_error, idt_vectoring, insn_len, insn_err;
	u64 qual, gpa, gla, rip, rsp, cr3, rflags;
	u32 action;		/* enum hv_action taken */
};

enum hv_action {
	HV_RESUME = 0,		/* VMRESUME the guest */
	HV_LEAVE = 1,		/* VMXOFF done, return to the guest natively */
	HV_PARK = 2,		/* guest state unusable: stop this CPU */
};

/*
 * OFF: not in VMX.  VIRTUALIZED: running as our guest.  FAILED: VMX entry
 * failed at start.  LEFT: devirtualized after an unexpected exit (see
 * debugfs "unexpected").  PARKED: stopped in VMX root (triple fault).
 */
enum hv_cpu_state {
	HV_CPU_OFF, HV_CPU_VIRTUALIZED, HV_CPU_FAILED, HV_CPU_LEFT,
	HV_CPU_PARKED,
};

/*
 * Optional VM exits, by the part of hvgdb that wants them (gdb: breakpoints,
 * step: single-stepping, mon: monitor events).  Each owner sets only its own
 * struct and then c->ctls_dirty; the VMCS gets c->ctls OR every owner's
 * bits at the end of the exit (hv_sync_controls in exit.c), so no owner
 * can clear another's.  Changed only by the CPU itself, in VMX root.
 */
enum hv_ctl_owner { HV_OWN_GDB, HV_OWN_STEP, HV_OWN_MON, HV_OWN_MODE,
		     HV_OWN_MAX };
struct hv_ctl_extra {
	u32 pin, proc, proc2, exit, exception_bitmap;
};

struct hv_cpu {
	int cpu;
	enum hv_cpu_state state;
	int error;			/* errno of the last failed start */
	u32 insn_error;			/* VM-instruction error of that failure */
	void *vmxon;
	phys_addr_t vmxon_pa;
	void *vmcs;
	phys_addr_t vmcs_pa;
	void *stack;
	struct hv_ctls ctls;
	struct hv_ctl_extra extra[HV_OWN_MAX];
	bool ctls_dirty;
	bool timer_rearm;		/* timer CPU without the save control */
	struct hv_regs *regs;		/* exit frame while in VMX root */
	u64 exit_total;
	u64 exits[HV_EXIT_REASON_MAX + 1];	/* last slot: reasons >= MAX */
	struct hv_exit_record unexpected;
	u64 ept_violations;
	u64 last_ept_gpa, last_ept_qual;
	u64 launch_ns;			/* time VMXON..VMLAUNCH took */
	u64 timer_deadline;		/* TSC of the next timer exit (hv.timer) */
};

struct hv_global {
	struct hv_vmx_msrs msrs;
	struct hv_caps caps;
	struct hv_ctls ctls;		/* template for every CPU */
	void *msr_bitmap;
	phys_addr_t msr_bitmap_pa;
	u64 *host_pml4;
	phys_addr_t host_cr3;
	/* One EPT view per possible CPU (ept_host.c), by CPU number. */
	struct hv_ept_view {
		struct ept_table t;
		u64 eptp;
		u32 identity_pages;	/* t.pages after the identity map */
	} *ept_views;
	u32 ept_nviews;
	struct hv_mtrr mtrr;
	u64 ept_top;			/* identity map covers [0, ept_top) */
	u32 ept_on_demand;		/* 4 KiB pages mapped by violations */
	u64 load_ns;			/* insmod: all CPUs virtualized */
	u64 load_tsc;			/* the same in TSC ticks */
	int hp_state;
	struct hv_timer {		/* hv_timer_setup(); constant after load */
		int cpu;		/* the one CPU that gets the exit */
		u32 ticks;		/* timer value for one period */
		u64 period_tsc;
		u64 tsc_per_ms;		/* measured against the kernel's clock */
		bool save;		/* the exit saves the count (no re-arm) */
		int (*fn)(struct hv_cpu *c, struct hv_regs *r, u32 reason);
	} timer;
	struct hv_cpu *cpus[NR_CPUS];
};

extern struct hv_global hv;
DECLARE_PER_CPU(struct hv_cpu *, hv_this_cpu);

/* entry.S */
int hv_vmx_launch(void);
void hv_vmx_exit_stub(void);

/*
 * host_idt.c: VMX root's IDT, the kernel's with gate 2 entering fn (NMI
 * context in root; NULL: no IDT of its own).  Init before any CPU is
 * virtualized, exit after all left VMX; hv_host_idt_base() is what
 * HOST_IDTR_BASE gets, the kernel's IDT when there is no copy.
 */
int hv_host_idt_init(void (*fn)(void));
void hv_host_idt_exit(void);
unsigned long hv_host_idt_base(unsigned long kernel_idt);

/* VMREAD/VMWRITE of the current VMCS (SDM Vol. 3 31.3); errors ignored. */
static __always_inline u64 hv_vmread(u32 field)
{
	u64 v;

	asm volatile("vmread %1, %0" : "=rm"(v) : "r"((u64)field) : "cc");
	return v;
}

static __always_inline void hv_vmwrite(u32 field, u64 value)
{
	asm volatile("vmwrite %1, %0" : : "r"((u64)field), "rm"(value)
		     : "cc", "memory");
}

/* Guest GPR @n (SDM order) at an exit: RSP lives in the VMCS. */
static __always_inline u64 hv_guest_gpr(const struct hv_regs *r, u32 n)
{
	return n == HV_RSP ? hv_vmread(VMCS_GUEST_RSP) : r->gpr[n];
}

/* The guest's CPL: SS.DPL (SDM Vol. 3A 5.5). */
static __always_inline u32 hv_guest_cpl(void)
{
	return hv_ss_ar_cpl(hv_vmread(VMCS_GUEST_SS_AR));
}

static __always_inline void hv_set_guest_gpr(struct hv_regs *r, u32 n, u64 v)
{
	if (n == HV_RSP)
		hv_vmwrite(VMCS_GUEST_RSP, v);
	else
		r->gpr[n] = v;
}

/*
 * exit.c: a periodic VMX-preemption-timer exit (SDM Vol. 3C 26.5.1) on CPU
 * @cpu, every @period_ms of TSC time, calling @fn in VMX root.  Called at
 * load before any CPU is virtualized; -EOPNOTSUPP when the CPU lacks the
 * timer.  Without the "save VMX-preemption timer value" exit control each
 * VM entry restarts the count from the field (SDM 26.7.4), so every exit on
 * that CPU re-arms it with what is left of the period.  The period is
 * guest time: the TSC's rate is measured against the kernel's clock
 * (kmod/lib/ptimer.h says why tsc_khz will not do).
 */
int hv_timer_setup(int cpu, u32 period_ms, int (*fn)(struct hv_cpu *c,
		   struct hv_regs *r, u32 reason));
void hv_timer_vmcs_setup(struct hv_cpu *c);

/*
 * exit_emul.c: MSR @msr as the guest on this CPU sees it, in VMX root: the
 * VMCS guest area for the MSRs an exit switches (SDM 28.3.2), else the
 * real RDMSR/WRMSR.  0; -EIO when the access faults (#GP: no such MSR, a
 * value refused); -EINVAL for a non-canonical base.
 */
int hv_guest_msr(struct hv_cpu *c, u32 msr, u64 *val, bool write);

/*
 * exit.c: an EPT violation is offered here first (the events layer's
 * per-CPU execute views of !mode, kmod/events/mon_mode.c): true when it
 * was the view's doing and is dealt with.  Set at load, NULL otherwise.
 */
extern bool (*hv_ept_view_hook)(struct hv_cpu *c, struct hv_regs *r,
				u64 gpa, u64 qual);

/* vmx.c: per-CPU on/off, TLB invalidation, hypercalls. */
int hv_cpu_start(struct hv_cpu *c);
int hv_cpu_stop(struct hv_cpu *c);
int hv_invept_all(void);
int hv_invvpid_all(void);
int hv_invvpid_single(u16 vpid);
u64 hv_hypercall(u64 nr, u64 arg);

/* vmcs.c */
void hv_vmcs_setup(struct hv_cpu *c, unsigned long cr4_before);
/* vmentry.c: the current VMCS as an image; the vmentry_check=1 gate. */
struct hv_vmcs_image;
void hv_vmcs_image_read(struct hv_vmcs_image *img);
int hv_vmentry_check_launch(struct hv_cpu *c);
void hv_vmentry_fake_resume(struct hv_vmcs_image *img);
extern bool hv_vmentry_checking;	/* module parameter vmentry_check */
/*
 * vmentry_resume.c: the check before VMRESUME (VMX root, no printing):
 * true to enter, false when a rule is broken (recorded for
 * hv_vmentry_report(), process context).  Captures for debugfs.
 */
enum hv_ve_cap {
	HV_VE_CAP_LOAD, HV_VE_CAP_INJECT, HV_VE_CAP_STEP, HV_VE_CAP_SC,
	HV_VE_CAP_HLT, HV_VE_CAP_N
};
bool hv_vmentry_check_resume(struct hv_cpu *c, u32 reason);
void hv_vmentry_note_sc(void);
void hv_vmentry_capture_launch(const struct hv_vmcs_image *img);
void hv_vmentry_report(void);
struct seq_file;
void hv_vmentry_show(struct seq_file *m);

/*
 * exit.c.  Exit handling runs in VMX root (no printk, no sleeping, no
 * kernel locks); who takes part and how: exit.h.  hv_skip_insn() advances
 * the guest RIP past the exiting instruction, hv_inject() queues a
 * hardware exception for the next entry.
 */
void hv_skip_insn(void);
void hv_leave_vmx(struct hv_cpu *c, struct hv_regs *r, u64 rip);
int hv_exit_handler(struct hv_regs *r);
int hv_resume_failed(struct hv_regs *r);

/*
 * inject.c: the only writer of VMCS_ENTRY_INTR_INFO after setup.  Each
 * queues one event for the next VM entry (one per entry: callers check
 * hv_event_queued() where another may be queued) and takes the CPU out
 * of HLT when HLT would not accept the event.
 *   hv_inject()		hardware exception @vector, with @error if
 *				@has_error, at the faulting RIP
 *   hv_inject_nmi()		NMI (the caller checks hv_blocks_nmi())
 *   hv_inject_extint()		external interrupt (IF and
 *				hv_blocks_interrupts() are the caller's)
 *   hv_reinject_event()	the exception of this exit's interruption
 *				information @info, as it came (@error and
 *				@insn_len as the exit reported them)
 *   hv_reinject_exit_event()	the same read from the VMCS, loading CR2
 *				first for a #PF
 *   hv_redeliver_idt_vectoring() the event this exit cut short (SDM
 *				28.2.4), false if none
 * Re-injection sets or clears blocking by NMI as hv_reinject_intr_info()
 * says (lib/reinject.h).
 */
bool hv_event_queued(void);
void hv_inject(u32 vector, bool has_error, u32 error);
void hv_inject_nmi(void);
void hv_inject_extint(u32 vector);
void hv_reinject_event(u32 info, u32 error, u32 insn_len);
void hv_reinject_exit_event(void);
bool hv_redeliver_idt_vectoring(void);

/* ept_host.c */
int hv_ept_create(void);
/* The CPU offers MBEC (secondary control bit 22) and hvgdb runs EPT: the
 * views carry EPT_XU wherever EPT_X (ept.h), and !mode uses MBEC. */
bool hv_ept_mbec(void);
void hv_ept_destroy(void);
int hv_ept_map_on_demand(u64 gpa);
int hv_ept_repair(u64 gpa);
int hv_ept_test_misconfig(u64 gpa);	/* test only: debugfs */
/* Point the 4 KiB EPT leaf of @gpa at @hpa with @perms (EPT_R/W/X),
 * splitting a large page first; 0 or -1.  The caller flushes (INVEPT).
 * hv_ept_set_4k(): in every CPU's view, only while every CPU is halted
 * (or at load); hv_ept_set_4k_cpu(): in @cpu's view only, from VMX root
 * on @cpu itself, or while halted. */
int hv_ept_set_4k(u64 gpa, u64 hpa, u64 perms);
int hv_ept_set_4k_cpu(int cpu, u64 gpa, u64 hpa, u64 perms);
u32 hv_ept_pool_pages(void);
u32 hv_ept_pool_free(void);
u32 hv_ept_pool_add(void **pages, u32 n);
u32 hv_ept_split_cost(u64 gpa);
u64 hv_ept_eptp(int cpu);
u32 hv_ept_view_pages(int cpu);
const struct ept_table *hv_ept_view_table(int cpu);
u32 hv_ept_view_identity_pages(int cpu);

/* debugfs.c; @gdb, @wire, @mem and @tlb show the gdb server's "gdb",
 * "wire", "info_mem" and "info_tlb". */
struct seq_file;
void hv_debugfs_create(void (*gdb)(struct seq_file *m),
		       void (*wire)(struct seq_file *m),
		       void (*mem)(struct seq_file *m),
		       void (*tlb)(struct seq_file *m));
void hv_debugfs_remove(void);

#endif /* HVGDB_KMOD_HV_H */
