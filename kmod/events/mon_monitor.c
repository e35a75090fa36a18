// SPDX-License-Identifier: GPL-2.0
/*
 * mon_monitor.c - HyperDbg's !monitor over gdb's EPT watches (debug/bp.c,
 * lib/bptab.c) and the per-CPU EPT views (vmx/ept_host.c).
 *
 * Adding (while every CPU is halted): the range is cut into pages, each
 * translated (va: through gdb's selected CPU's page tables; pa: as is),
 * and the whole command is refused, nothing applied, unless every page
 * fits: watch slots and hooked pages in the bp table, and EPT table pages
 * in the pool for the 4 KiB splits of every CPU's view (`prealloc
 * monitor N` grows that pool).  Then the event is added and one watch per
 * page set, owned by the event's id.  A second monitor on the same bytes
 * is one more owner (HyperDbg #409/#415).  Clearing (`events c`, or a
 * script's event_clear() settled at the next command) removes the
 * event's watches from every CPU's view before the command returns; the
 * other CPUs flush their EPT caches as they leave the halt, before they
 * run guest code again.  Disabled monitors keep their watches: accesses
 * still trap and are stepped, nothing fires.
 *
 * Firing (VMX root, the accessing CPU): bp.c calls mon_monitor_hit() for
 * each monitor an access hits, before the access (pre: sc skips it) and
 * after the single step that performs it (post).  $context is the
 * accessed address, linear for `va`, physical for `pa`.
 *
 * `prealloc monitor N`: N pages' worth of splits in every view, allocated
 * by a workqueue (irq_work first: the command runs halted, in VMX root)
 * and put into the EPT pool at the next command; nothing is allocated in
 * VMX root.
 */
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/bp.h"
#include "kmod/lib/bptab.h"
#include "kmod/events/mon_priv.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/cmd.h"

#define MON_MON_MAX	BPTAB_MAX_WATCHES	/* monitors with watches */
#define MON_MON_PAGE	0x1000ULL

static struct {
	/* The command being added: one guest-physical page per page. */
	u64 pa[BPTAB_MAX_WATCHES];
	u32 npages;
	/* Events that own watches. */
	u32 ids[MON_MON_MAX];
	u32 nids;
	/* prealloc monitor: asked, allocated by the work, taken. */
	struct irq_work iw;
	struct work_struct work;
	u32 want;
	void **pages;
	void **old;			/* taken array, freed by the next work */
	u32 npre;
	bool ready;
	u32 added;			/* pages added to the EPT pool so far */
} mm;

/* A watch's owner in bptab: 0 is gdb's, so event @id owns as id + 1
 * (event 0 is a monitor like any other). */
#define MON_MON_OWNER(id)	((id) + 1)

/* ---- firing (VMX root) ---- */

static bool mon_monitor_hit(struct hv_cpu *c, struct hv_regs *r, u32 owner,
			    u64 ctx, u8 acc, bool post)
{
	struct event_exit x;

	mon_exit_init(&x, EVENT_MONITOR, owner - 1, ctx);
	x.aux = acc;
	x.stage = post ? EVENT_STAGE_POST : EVENT_STAGE_PRE;
	return mon_fire(c, r, &x) && !post;
}

/* ---- adding and clearing (halted) ---- */

static void mon_monitor_track(u32 id)
{
	if (mm.nids < MON_MON_MAX)
		mm.ids[mm.nids++] = id;
}

/*
 * CMD_EVENT for !monitor, before the event is added: translate its pages
 * and check that they fit.  0, or the command is refused (-RSP_EIO, the
 * reason written).
 */
int mon_monitor_check(const struct cmd_parsed *p, struct rsp_output *out)
{
	const struct event_spec *sp = &p->spec;
	const struct gdb_cpu *g = NULL;
	u64 first = sp->mon_from & ~(MON_MON_PAGE - 1);
	u64 last = sp->mon_to & ~(MON_MON_PAGE - 1), page, pa, last2m = ~0ULL;
	u64 npages = (last - first) / MON_MON_PAGE + 1;
	u32 i, new_pages = 0, ept = 0, cpu;

	if ((sp->mon_acc & EVENT_MON_R) && !hv_bp_xonly())
		return mon_fail(out, 0, "!monitor: watching reads needs "
				"execute-only EPT entries, which this CPU "
				"lacks (IA32_VMX_EPT_VPID_CAP bit 0)\n");
	if (!sp->mon_phys) {
		cpu = hv_gdb_selected_cpu();
		g = (int)cpu >= 0 ? hv_gdb_cpu_state(cpu) : NULL;
		if (!g)
			return mon_fail(out, 0, "!monitor: the selected "
					"thread's CPU is not halted\n");
	}
	if (npages > BPTAB_MAX_WATCHES || !hv_bp_mon_room((u32)npages, 0))
		return mon_fail(out, 0, "!monitor: the range covers %llu "
				"pages; the monitor pool (the EPT watch "
				"table, %u watches shared with gdb's "
				"watchpoints) cannot hold them: clear a "
				"monitor first (`prealloc monitor` grows the "
				"EPT pages only)\n", npages,
				BPTAB_MAX_WATCHES);
	for (i = 0, page = first; i < npages; i++, page += MON_MON_PAGE) {
		if (sp->mon_phys)
			pa = page;
		else if (hv_gdb_translate(g, page, &pa))
			return mon_fail(out, 0, "!monitor: %#llx is not "
					"mapped to RAM (page %u of the "
					"range)\n", page, i);
		if (!hv_gdb_phys(pa & ~(MON_MON_PAGE - 1), MON_MON_PAGE))
			return mon_fail(out, 0, "!monitor: %#llx is not "
					"RAM (EPT hooks are for RAM pages)\n",
					pa);
		mm.pa[i] = pa & ~(MON_MON_PAGE - 1);
		if (mon_eh2_page_taken(mm.pa[i]))
			return mon_fail(out, 0, "!monitor: page %#llx has an "
					"!epthook2 detour, whose EPT view is "
					"its own: clear that event first\n",
					mm.pa[i]);
		if (!hv_bp_page_hooked(mm.pa[i])) {
			new_pages++;
			if ((mm.pa[i] >> 21) != last2m)
				ept += hv_ept_split_cost(mm.pa[i]);
			last2m = mm.pa[i] >> 21;
		}
	}
	if (!hv_bp_mon_room((u32)npages, new_pages))
		return mon_fail(out, 0, "!monitor: the range needs %llu "
				"watches on %u new pages; the monitor pool "
				"(the EPT watch table, %u watches and pages, "
				"shared with gdb's watchpoints) is too full: "
				"clear a monitor first\n", npages, new_pages,
				BPTAB_MAX_WATCHES);
	if (ept > hv_ept_pool_free())
		return mon_fail(out, 0, "!monitor: the range needs %u EPT "
				"table pages to split its pages in every "
				"CPU's view, the monitor pool has %u free: "
				"`prealloc monitor %x` makes room\n", ept,
				hv_ept_pool_free(),
				(ept - hv_ept_pool_free() + hv.ept_nviews - 1) /
				hv.ept_nviews);
	if (mm.nids >= MON_MON_MAX)
		return mon_fail(out, 0, "!monitor: %u monitors are set, the "
				"most there can be\n", MON_MON_MAX);
	mm.npages = (u32)npages;
	return 0;
}

/* After the event @id was added: its watches, one per page. */
void mon_monitor_commit(const struct cmd_parsed *p, u32 id)
{
	const struct event_spec *sp = &p->spec;
	u64 page = sp->mon_from & ~(MON_MON_PAGE - 1);
	u32 i;

	for (i = 0; i < mm.npages; i++, page += MON_MON_PAGE) {
		u64 lo = max(page, sp->mon_from);
		u64 hi = min(page + MON_MON_PAGE - 1, sp->mon_to);
		u64 ctx = sp->mon_phys ? mm.pa[i] + (lo - page) : lo;

		/* Checked to fit: cannot fail. */
		hv_bp_mon_add(MON_MON_OWNER(id), ctx, mm.pa[i] + (lo - page),
			      (u32)(hi - lo + 1), sp->mon_acc);
	}
	mon_monitor_track(id);
	mm.npages = 0;
}

/* Halted: the watches of monitors that left the table go. */
void mon_monitor_sync(void)
{
	u32 i = 0;

	while (i < mm.nids) {
		if (event_table_find(&mon.table, mm.ids[i])) {
			i++;
			continue;
		}
		hv_bp_mon_del(MON_MON_OWNER(mm.ids[i]));
		mm.ids[i] = mm.ids[--mm.nids];
	}
}

/* ---- prealloc monitor N ---- */

static void mon_monitor_work(struct work_struct *w)
{
	u32 n = READ_ONCE(mm.want), i;
	void **pages;

	if (READ_ONCE(mm.ready))
		return;
	kvfree(mm.old);
	mm.old = NULL;
	if (!n)
		return;
	pages = kvcalloc(n, sizeof(void *), GFP_KERNEL);
	if (!pages)
		return;
	for (i = 0; i < n; i++) {
		pages[i] = (void *)get_zeroed_page(GFP_KERNEL);
		if (!pages[i])
			break;
	}
	mm.pages = pages;
	mm.npre = i;
	smp_wmb();
	WRITE_ONCE(mm.ready, true);
}

static void mon_monitor_irq(struct irq_work *iw)
{
	schedule_work(&mm.work);
}

/* Halted, at each command: the pages the work allocated join the pool. */
void mon_monitor_take(void)
{
	u32 took, i;

	if (!READ_ONCE(mm.ready))
		return;
	smp_rmb();
	took = hv_ept_pool_add(mm.pages, mm.npre);
	mm.added += took;
	mm.want -= min(mm.want, took);
	/* Beyond the pool's fixed capacity: given back by unload. */
	for (i = took; i < mm.npre; i++)
		free_page((unsigned long)mm.pages[i]);
	/* The array only (pages are the pool's now): the next work or
	 * unload frees it. */
	mm.old = mm.pages;
	mm.pages = NULL;
	mm.npre = 0;
	WRITE_ONCE(mm.ready, false);
	if (mm.want)
		irq_work_queue(&mm.iw);
}

/* CMD_PREALLOC_MONITOR: room for @n more hooked pages in every view. */
void mon_monitor_prealloc(u32 n, struct rsp_output *out)
{
	/* One PT per view and page: a PD per view comes with it under a
	 * 1 GiB leaf, counted per 2 MiB by the check. */
	mm.want += n * hv.ept_nviews;
	mon_printf(out, "prealloc monitor: %#x EPT table pages requested "
		   "(%#x per hooked page: one per CPU view); %#x free now; "
		   "allocated once the system resumes, usable from the next "
		   "stop\n", n * hv.ept_nviews, hv.ept_nviews,
		   hv_ept_pool_free());
	irq_work_queue(&mm.iw);
}

void mon_monitor_show(struct rsp_output *out)
{
	mon_printf(out, "monitor: %u monitors set; EPT pool %#x table pages "
		   "free (%#x added by prealloc monitor), %u CPU views\n",
		   mm.nids, hv_ept_pool_free(), mm.added, hv.ept_nviews);
}

int mon_monitor_init(void)
{
	memset(&mm, 0, sizeof(mm));
	init_irq_work(&mm.iw, mon_monitor_irq);
	INIT_WORK(&mm.work, mon_monitor_work);
	hv_bp_set_mon_hook(mon_monitor_hit);
	return 0;
}

void mon_monitor_exit(void)
{
	hv_bp_set_mon_hook(NULL);
	irq_work_sync(&mm.iw);
	cancel_work_sync(&mm.work);
	if (mm.ready) {
		u32 i;

		for (i = 0; i < mm.npre; i++)
			free_page((unsigned long)mm.pages[i]);
	}
	kvfree(mm.pages);
	kvfree(mm.old);
	mm.pages = mm.old = NULL;
}
