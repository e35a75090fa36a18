// SPDX-License-Identifier: GPL-2.0
/*
 * mon_ept.c - HyperDbg's !epthook in hvgdb.ko: a hidden breakpoint whose
 * actions run in VMX root while the kernel goes on.
 *
 * The breakpoint is the one gdb's Z0 uses (kmod/debug/bp.c over
 * kmod/lib/bptab.c): an 0xCC in a shadow copy of the page that only
 * instruction fetches see, so gdb's `x` and the kernel's own reads see the
 * original bytes.  Each breakpoint has owners: gdb, and the ids of the
 * !epthook events on it; each drops only itself.  A #BP exit at an
 * address some event owns calls hv_mon_on_hook() (struct hv_gdb_monitor):
 * the events fire with $context = the address; then gdb's own breakpoint
 * there, if any, stops; then the CPU runs the original instruction, in
 * root for function entries (kmod/lib/bpemul.c), else single-stepped.
 *
 * Pool: one shadow page per hooked page (`prealloc epthook N` adds N,
 * through the same irq_work and workqueue as the other pools: nothing is
 * allocated in VMX root).  An !epthook that needs a page when none is free
 * is refused whole, before the event is added.
 *
 * Context: mon_ept_check()/mon_ept_added()/mon_ept_sync() run in a monitor
 * command, every CPU halted; hv_mon_on_hook() in VMX root on the trapping
 * CPU.  The bp table changes only while every CPU is halted, and each CPU
 * flushes its EPT translations as it resumes (hv_bp_on_resume()), so a
 * cleared hook is gone on every CPU before any guest code runs again.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/workqueue.h>
#include <linux/irq_work.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/events/mon.h"
#include "kmod/events/mon_priv.h"
#include "kmod/lib/bptab.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/cmd.h"

static_assert(CMD_PREALLOC_EPTHOOK_MAX == BPTAB_MAX_PAGES);

static struct {
	struct irq_work iw;
	struct work_struct work;
	atomic_t want;			/* shadow pages asked for */
} mon_ept;

static void mon_ept_work(struct work_struct *w)
{
	int n = atomic_xchg(&mon_ept.want, 0);

	if (n > 0 && hv_gdb_hook_grow(n) < n)
		pr_warn("hvgdb: prealloc epthook: fewer than %d pages\n", n);
}

static void mon_ept_irq(struct irq_work *iw)
{
	schedule_work(&mon_ept.work);
}

void mon_ept_init(void)
{
	init_irq_work(&mon_ept.iw, mon_ept_irq);
	INIT_WORK(&mon_ept.work, mon_ept_work);
	atomic_set(&mon_ept.want, 0);
}

void mon_ept_exit(void)
{
	irq_work_sync(&mon_ept.iw);
	cancel_work_sync(&mon_ept.work);
}

void hv_mon_on_hook(struct hv_cpu *c, struct hv_regs *r, u64 rip)
{
	struct event_exit x __uninitialized;	/* mon_exit_init() */

	if (!mon.out)
		return;
	mon_exit_init(&x, EVENT_EPTHOOK, rip, rip);
	mon_fire(c, r, &x);		/* no sc: refused by the parser */
}

/* `prealloc epthook N`, at a stop. */
int mon_ept_prealloc(u32 n, struct rsp_output *out)
{
	u32 used, cap, room;
	int want;

	hv_gdb_hook_pool(&used, &cap);
	room = BPTAB_MAX_PAGES - cap;
	want = min_t(u32, n + atomic_read(&mon_ept.want), room);
	atomic_set(&mon_ept.want, want);
	irq_work_queue(&mon_ept.iw);
	mon_printf(out, "prealloc: %#x more epthook pages requested (%#x of "
		   "%#x in use, at most %#x); they are allocated once the "
		   "system resumes and are usable from the next stop\n",
		   want, used, cap, BPTAB_MAX_PAGES);
	return 0;
}

void mon_ept_sizes(struct rsp_output *out)
{
	u32 used, cap;

	hv_gdb_hook_pool(&used, &cap);
	mon_printf(out, "epthook pool: %#x of %#x hooked pages in use (gdb's "
		   "breakpoints and watchpoints too), %#x hidden breakpoints "
		   "of events\n", used, cap, hv_gdb_hook_count());
	if (atomic_read(&mon_ept.want))
		mon_printf(out, "requested, allocated once the system resumes: "
			   "%#x epthook pages\n", atomic_read(&mon_ept.want));
}

/* Before an !epthook is added: can it be hooked?  0, or the refusal was
 * written. */
int mon_ept_check(const struct cmd_parsed *p, struct rsp_output *out)
{
	u64 va = p->spec.arg;
	bool new_page;
	u32 used, cap;
	int r;

	if (p->kind != CMD_EVENT || p->spec.type != EVENT_EPTHOOK)
		return 0;
	r = hv_gdb_hook_check(va, &new_page);
	switch (r) {
	case 0:
		return 0;
	case -ENOSPC:
		hv_gdb_hook_pool(&used, &cap);
		return mon_fail(out, 1, "epthook pool full (%#x of %#x hooked "
				"pages in use): clear events or gdb "
				"breakpoints, or grow it with 'prealloc "
				"epthook 1'\n", used, cap);
	case -EUSERS:
		return mon_fail(out, 1, "no breakpoint slot left for %#llx "
				"(%#x owners of one address, %#x addresses "
				"in all)\n", va, BPTAB_OWNERS, BPTAB_MAX_BPS);
	case -EFAULT:
		return mon_fail(out, 1, "%#llx is not mapped to RAM in the "
				"selected thread's address space\n", va);
	case -EBUSY:
		return mon_fail(out, 1, "%#llx is one of the bytes an "
				"!epthook2 detour replaces: clear that event "
				"first\n", va);
	case -EOPNOTSUPP:
		return mon_fail(out, 1, "!epthook needs execute-only EPT "
				"(IA32_VMX_EPT_VPID_CAP bit 0), which this CPU "
				"lacks\n");
	default:
		return mon_fail(out, 1, "!epthook: no halted CPU to translate "
				"%#llx\n", va);
	}
}

/* The event just added (the newest id) gets its breakpoint. */
int mon_ept_added(const struct cmd_parsed *p, struct rsp_output *out)
{
	struct event_table *t = &mon.table;
	u32 id = t->next_id - 1;
	int r;

	if (p->kind != CMD_EVENT || p->spec.type != EVENT_EPTHOOK)
		return 0;
	r = hv_gdb_hook_add(p->spec.arg, id);
	if (!r)
		return 0;
	/* mon_ept_check() said it fits: not expected.  Nothing half done. */
	event_table_clear(t, id);
	return mon_fail(out, 0, "!epthook %#llx: cannot set the breakpoint "
			"(%d): event %#x cleared\n", p->spec.arg, r, id);
}

static bool mon_ept_keep(u32 id, u64 va)
{
	const struct event *ev = event_table_find(&mon.table, id);

	return ev && ev->spec.type == EVENT_EPTHOOK && ev->spec.arg == va;
}

/* After the table changed: the breakpoints of cleared events go. */
void mon_ept_sync(void)
{
	hv_gdb_hook_sweep(mon_ept_keep);
}
