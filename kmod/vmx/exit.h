/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit.h - how the layers above vmx/ take part in VM-exit handling.
 *
 * Every exit runs in VMX root with interrupts off (no printk, no sleeping,
 * no kernel locks).  exit.c dispatches a basic exit reason to its core
 * handler (exit.c, exit_emul.c), which emulates the instruction and says
 * in struct hv_exit how it ended; exit.c then advances RIP for a completed
 * instruction.  Around a core handler, observers (HyperDbg's pre and post
 * stages) run in the order they were added:
 *
 *   pre(c, r, x)   before the core handler; returns HV_OBS_RUN or HV_OBS_SC
 *                  (short-circuit: exit.c skips the instruction, nothing is
 *                  emulated, no post observer runs).  It may change guest
 *                  registers; the core handler reads them afterwards.
 *   post(c, r, x)  after the core handler, only if it left the result
 *                  HV_EXIT_DONE, HV_EXIT_PARTIAL or HV_EXIT_RAISED (the
 *                  instruction did what it architecturally does); never
 *                  after a fault injected instead (HV_EXIT_FAULT).
 *
 * hv_exit_observer_add()/_del() in process context while no CPU can take
 * that exit (load, unload); hv_exit_observer_enable() at any time (an
 * atomic bit per slot, read once per exit with READ_ONCE): a CPU already
 * past the check finishes the exit with the old set.  An exit nobody
 * observes costs one byte-sized test on top of the core handler.
 *
 * hv_exit_set_handler() gives a handler to a reason vmx/ has no core
 * handler for (debug/: EXCEPTION_NMI, NMI_WINDOW, MTF, EXTERNAL_INTR,
 * INTR_WINDOW, HLT); it refuses (-EBUSY) a reason that has one.  Such a
 * handler owns the exit (RIP, injection) and is not observed.
 *
 * hv_exit_set_ops() (main.c, before the first CPU is virtualized and after
 * the last one left) wires the callbacks vmx/ needs from debug/ and
 * events/, so vmx/ includes neither.  hv_hypercall_set() registers one of
 * hvgdb's own VMCALL numbers (hypercall.h) served outside vmx/.
 */
#ifndef HVGDB_KMOD_EXIT_H
#define HVGDB_KMOD_EXIT_H

#include <linux/types.h>

struct hv_cpu;
struct hv_regs;

enum hv_exit_result {
	HV_EXIT_OWN = 0,	/* the handler did everything (RIP included) */
	HV_EXIT_DONE,		/* instruction completed: exit.c advances RIP */
	HV_EXIT_PARTIAL,	/* REP string: part done, RIP stays (re-exits) */
	HV_EXIT_RAISED,		/* its architectural fault injected (VMCALL
				 * without a hypervisor is #UD) */
	HV_EXIT_FAULT,		/* a fault injected instead of completing */
};

/* One exit as the core handler and the observers see it. */
struct hv_exit {
	u32 reason;			/* basic exit reason */
	enum hv_exit_result result;	/* set by the core handler */
};

enum { HV_OBS_RUN = 0, HV_OBS_SC = 1 };
#define HV_OBS_MAX	4		/* observers per exit reason */

struct hv_exit_observer {
	int (*pre)(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
	void (*post)(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
};

/* Added disabled; 0, -EINVAL or -ENOSPC. */
int hv_exit_observer_add(u32 reason, const struct hv_exit_observer *o);
void hv_exit_observer_del(u32 reason, const struct hv_exit_observer *o);
void hv_exit_observer_enable(u32 reason, const struct hv_exit_observer *o,
			     bool on);

/* A handler of its own for an exit: HV_RESUME or HV_LEAVE. */
typedef int (*hv_exit_fn)(struct hv_cpu *c, struct hv_regs *r, u32 reason);
int hv_exit_set_handler(u32 reason, hv_exit_fn fn);	/* NULL removes */

/* hvgdb's own hypercall @nr (ring 0, HV_HC_MAGIC): the handler sets RAX,
 * advances RIP itself and returns HV_RESUME or HV_LEAVE.  0 or -errno. */
typedef int (*hv_hypercall_fn)(struct hv_cpu *c, struct hv_regs *r);
int hv_hypercall_set(u32 nr, hv_hypercall_fn fn);	/* NULL removes */
/* The VMCALL of this exit is one of hvgdb's own (no event fires). */
bool hv_hypercall_is_own(const struct hv_regs *r);

/*
 * A VMCALL recognised by its RIP (!epthook2's trampolines, kmod/events/
 * mon_epthook2.c): asked first at every VMCALL exit, before the observers
 * and hvgdb's own hypercalls; returns true when it handled the exit (RIP
 * included).  Set at load and cleared at unload, while no CPU is
 * virtualized.
 */
typedef bool (*hv_vmcall_rip_fn)(struct hv_cpu *c, struct hv_regs *r);
void hv_vmcall_rip_set(hv_vmcall_rip_fn fn);

/* Callbacks from above vmx/; any may be NULL (then: nothing to do). */
struct hv_exit_ops {
	/* At the end of every exit that resumes the guest (gdb). */
	void (*before_resume)(struct hv_cpu *c, struct hv_regs *r);
	/* The CPU parks for good; never returns (gdb_halt.c). */
	void (*dead)(struct hv_cpu *c, struct hv_regs *r, const char *what,
		     const char *text, size_t len);
	/* An EPT violation on a page gdb hooked: true when dealt with. */
	bool (*ept_violation)(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
			      u64 qual);
	/* Emulate a MOV DR (qualification @qual), RIP untouched; false
	 * after injecting #UD/#GP (dr.c). */
	bool (*mov_dr)(struct hv_regs *r, u64 qual);
	/* Before the CPU leaves VMX by any path (mon: EFER.SCE back). */
	void (*on_leave)(struct hv_cpu *c);
	/* Guest memory through this CPU's guest page tables, for INS/OUTS:
	 * bytes read (< 0: fault); 0 or -EFAULT (nothing written). */
	long (*read_guest)(u64 va, u8 *buf, size_t len);
	int (*write_guest)(u64 va, const u8 *buf, size_t len);
};
void hv_exit_set_ops(const struct hv_exit_ops *ops);	/* NULL: none */

#endif /* HVGDB_KMOD_EXIT_H */
