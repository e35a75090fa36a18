// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_watchdog.c - the kernel's lockup and stall detectors across a stop.
 *
 * While gdb holds the system, time goes on: the soft-lockup detector, the
 * perf NMI watchdog and RCU's stall detector would take the stop for a
 * hung CPU once the guest runs again.  As kgdb does (dbg_touch_watchdogs),
 * each CPU leaving a halt touches its soft-lockup and NMI watchdogs, and
 * RCU stall reports are held from the start of a stop until
 * GDB_WATCHDOG_HOLD_MS after the system resumed: the grace period that the
 * stop stretched ends by then, and the next one is timed afresh.  6.1
 * exports rcu_cpu_stall_suppress but not rcu_cpu_stall_reset(), so the
 * hold saves that knob, sets it, and puts the saved value back (a value
 * written through sysfs during a hold is lost).  The workqueue watchdog
 * (30 s) has no exported touch that knows the new jiffies: a stop longer
 * than that with work queued may still be reported (docs/debugging.md).
 *
 * Context: VMX root.  gdb_watchdogs_hold() and _resumed() run on the
 * link's holder; _touch() on each CPU for itself; _poll() on the polling
 * CPU; _release() at unload.  wd.held, wd.saved and wd.resume_tsc are
 * written only by the link's holder or with it held.
 */
#include <linux/kernel.h>
#include <linux/nmi.h>
#include <asm/msr.h>
#include "kmod/debug/gdb_priv.h"

#define GDB_WATCHDOG_HOLD_MS	2000

/* kernel/rcu/update.c, EXPORT_SYMBOL_GPL; declared only in kernel/rcu/. */
extern int rcu_cpu_stall_suppress;

static struct {
	bool held;
	int saved;
	u64 resume_tsc;		/* 0: the system is stopped */
} wd;

void gdb_watchdogs_hold(void)
{
	wd.resume_tsc = 0;
	if (wd.held)
		return;
	wd.saved = READ_ONCE(rcu_cpu_stall_suppress);
	WRITE_ONCE(rcu_cpu_stall_suppress, 1);
	wd.held = true;
}

void gdb_watchdogs_touch(void)
{
	/* Both are per-CPU stores of a "just touched" mark (kernel/watchdog.c,
	 * kernel/watchdog_hld.c), safe where an NMI handler may run. */
	touch_softlockup_watchdog();
	arch_touch_nmi_watchdog();
}

void gdb_watchdogs_resumed(void)
{
	wd.resume_tsc = rdtsc() | 1;
}

static void gdb_watchdogs_put_back(void)
{
	WRITE_ONCE(rcu_cpu_stall_suppress, wd.saved);
	wd.held = false;
}

void gdb_watchdogs_poll(void)
{
	u64 t = READ_ONCE(wd.resume_tsc);

	if (!READ_ONCE(wd.held) || !t || !gdb_link_trylock())
		return;
	if (wd.held && wd.resume_tsc &&
	    rdtsc() - wd.resume_tsc > gdb_ms_to_tsc(GDB_WATCHDOG_HOLD_MS))
		gdb_watchdogs_put_back();
	gdb_link_unlock();
}

void gdb_watchdogs_release(void)
{
	if (wd.held)
		gdb_watchdogs_put_back();
}
