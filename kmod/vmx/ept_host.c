// SPDX-License-Identifier: GPL-2.0
/*
 * ept_host.c - the module's EPT: page pool, MTRR snapshot, identity map,
 * one view (EPT paging-structure hierarchy and EPTP) per possible CPU.
 *
 * Per-CPU views: each CPU runs on its own copy of the identity map (SDM
 * Vol. 3C 29.3: the EPTP in each VMCS names the hierarchy that CPU's
 * guest-physical accesses walk).  A hook (breakpoint shadow, watch) is
 * written into every view while every CPU is halted (hv_ept_set_4k());
 * a flip or a page opened for a single step changes the stepping CPU's
 * view only (hv_ept_set_4k_cpu()), so no other CPU ever runs on an opened
 * page (HyperDbg issue #91).  INVEPT invalidates the caches of the
 * logical processor that executes it only (SDM Vol. 3C 29.4.3.1 and the
 * INVEPT instruction, Vol. 3C 31.3): each CPU flushes its own view, the
 * others as they leave a halt (debug/bp.c).  With 1 GiB or 2 MiB leaves a
 * view costs a few table pages; a hooked page splits to 4 KiB in every
 * view (one PT, plus a PD under a 1 GiB leaf, per view; docs/
 * performance.md).
 *
 * The table pages come from a pool allocated at load, so the EPT-violation
 * handler can add mappings in VMX root without calling the page allocator.
 * The map covers [0, top of the iomem resource tree rounded up to 1 GiB,
 * at least 4 GiB) with the largest pages the CPU and the MTRRs allow; a
 * guest access above that (e.g. a BAR assigned later) is mapped 4 KiB at a
 * time, uncached, on its first EPT violation.
 */
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/ioport.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "kmod/vmx/hv.h"

#define HV_EPT_POOL_SPARE	64	/* pages for on-demand mappings */
#define HV_EPT_VIEW_SPARE	16	/* per view: splits for hooks */
#define HV_EPT_POOL_GROW_MAX	65536	/* pages `prealloc monitor` may add */
#define HV_EPT_MAX_TOP		(1ULL << 46)

/*
 * The pool: pages[0..count) allocated, [0..used) handed out.  count grows
 * (hv_ept_pool_add(), `prealloc monitor N`) up to cap, the array's size
 * fixed at load, under the EPT lock in VMX root.
 */
struct hv_pool {
	void **pages;
	u32 count, used, cap;
};

static struct hv_pool hv_pool;
static arch_spinlock_t hv_ept_lock = __ARCH_SPIN_LOCK_UNLOCKED;

static void *hv_pool_alloc(void *ctx, u64 *pa)
{
	struct hv_pool *p = ctx;
	void *v;

	if (p->used >= p->count)
		return NULL;
	v = p->pages[p->used++];
	*pa = __pa(v);
	return v;
}

static void *hv_pool_virt(void *ctx, u64 pa)
{
	return __va(pa);
}

static int hv_mtrr_cb(void *ctx, u64 start, u64 size)
{
	return hv_mtrr_type(ctx, start, size);
}

static void hv_mtrr_read(struct hv_mtrr *m)
{
	static const u32 fixed_msrs[11] = {
		0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c,
		0x26d, 0x26e, 0x26f,
	};
	u64 cap = 0, def = 0, fixed[11] = { 0 };
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->phys_bits = boot_cpu_data.x86_phys_bits;
	if (!boot_cpu_has(X86_FEATURE_MTRR)) {
		/* No MTRRs: everything write-back (SDM 12.11.1). */
		m->enabled = true;
		m->def_type = HV_MEMTYPE_WB;
		return;
	}
	rdmsrl_safe(HV_MSR_MTRRCAP, &cap);
	rdmsrl_safe(HV_MSR_MTRR_DEF_TYPE, &def);
	m->enabled = def & (1 << 11);
	m->fixed_enabled = (def & (1 << 10)) && (cap & (1 << 8));
	m->def_type = def & 0xff;
	m->nvar = min_t(u32, cap & 0xff, HV_MTRR_MAX_VAR);
	for (i = 0; i < m->nvar; i++) {
		rdmsrl_safe(HV_MSR_MTRR_PHYSBASE0 + 2 * i, &m->var[i].base);
		rdmsrl_safe(HV_MSR_MTRR_PHYSBASE0 + 2 * i + 1, &m->var[i].mask);
	}
	if (m->fixed_enabled) {
		for (i = 0; i < 11; i++)
			rdmsrl_safe(fixed_msrs[i], &fixed[i]);
		hv_mtrr_set_fixed(m, fixed);
	}
}

static u64 hv_phys_top(void)
{
	struct resource *r;
	u64 top = 4ULL << 30;

	for (r = iomem_resource.child; r; r = r->sibling)
		if (r->end + 1 > top)
			top = r->end + 1;
	top = ALIGN(top, 1ULL << 30);
	return min(top, HV_EPT_MAX_TOP);
}

static void hv_pool_free(void)
{
	u32 i;

	if (!hv_pool.pages)
		return;
	for (i = 0; i < hv_pool.count; i++)
		free_page((unsigned long)hv_pool.pages[i]);
	kvfree(hv_pool.pages);
	hv_pool.pages = NULL;
	hv_pool.count = hv_pool.used = hv_pool.cap = 0;
	kfree(hv.ept_views);
	hv.ept_views = NULL;
	hv.ept_nviews = 0;
}

/* The view @cpu runs on. */
static struct ept_table *hv_view(int cpu)
{
	return &hv.ept_views[cpu].t;
}

/* This CPU's view (VMX root, or interrupts off). */
static struct ept_table *hv_view_this(void)
{
	return hv_view(smp_processor_id());
}

/* Process context, at load: @n more zeroed pages into the pool. */
static int hv_pool_fill(u32 n)
{
	void *pg;

	while (n--) {
		if (hv_pool.count >= hv_pool.cap)
			return -1;
		pg = (void *)get_zeroed_page(GFP_KERNEL);
		if (!pg)
			return -1;
		hv_pool.pages[hv_pool.count++] = pg;
	}
	return 0;
}

bool hv_ept_mbec(void)
{
	return (hv.ctls.proc2 & HV_PROC2_EPT) &&
	       ((hv.msrs.proc2 >> 32) & HV_PROC2_MODE_BASED_EPT_EXEC);
}

int hv_ept_create(void)
{
	struct ept_pager pg = { hv_pool_alloc, hv_pool_virt, &hv_pool };
	int max_leaf = hv.caps.ept_1g ? EPT_LEVEL_1G :
		       hv.caps.ept_2m ? EPT_LEVEL_2M : EPT_LEVEL_4K;
	u64 gib;
	u32 n, per_view, v;

	hv_mtrr_read(&hv.mtrr);
	hv.ept_top = hv_phys_top();
	gib = hv.ept_top >> 30;
	/*
	 * Worst case for the map itself: PML4 + PDPTs, one PD per GiB without
	 * 1 GiB pages, and PTs where MTRR ranges are not 2 MiB aligned (the
	 * first MiB and a few range edges).  4 KiB-only EPT is not supported.
	 */
	if (max_leaf == EPT_LEVEL_4K)
		return -EOPNOTSUPP;
	hv.ept_nviews = nr_cpu_ids;
	hv.ept_views = kcalloc(hv.ept_nviews, sizeof(*hv.ept_views),
			       GFP_KERNEL);
	if (!hv.ept_views)
		return -ENOMEM;
	/*
	 * View 0 gets the worst case for the map itself; the others need
	 * exactly as many pages as view 0 took (the same map), so only
	 * those are added: a view costs its few table pages, not the
	 * worst case.  Spare: on-demand maps, and splits for hooks.
	 */
	per_view = 2 + (u32)(gib >> 9) + (u32)gib + 32;
	n = per_view + HV_EPT_POOL_SPARE + HV_EPT_VIEW_SPARE * hv.ept_nviews;
	hv_pool.cap = per_view * hv.ept_nviews + n + HV_EPT_POOL_GROW_MAX;
	hv_pool.pages = kvcalloc(hv_pool.cap, sizeof(void *), GFP_KERNEL);
	if (!hv_pool.pages || hv_pool_fill(n))
		goto nomem;
	for (v = 0; v < hv.ept_nviews; v++) {
		struct hv_ept_view *w = &hv.ept_views[v];

		if (v == 1 && hv_pool_fill(hv.ept_views[0].identity_pages *
					   (hv.ept_nviews - 1)))
			goto nomem;
		if (ept_init(&w->t, &pg))
			goto nomem;
		/* A CPU that offers MBEC (!mode uses it, mon_mode.c): user
		 * execute wherever execute, from the start. */
		w->t.xu = hv_ept_mbec();
		if (ept_map_identity(&w->t, 0, hv.ept_top, max_leaf,
				     hv_mtrr_cb, &hv.mtrr))
			goto nomem;
		w->eptp = ept_pointer(&w->t, hv.caps.ept_wb ? HV_MEMTYPE_WB :
							      HV_MEMTYPE_UC);
		w->identity_pages = w->t.pages;
	}
	if (hv_pool.count - hv_pool.used < HV_EPT_POOL_SPARE / 2)
		goto nomem;
	return 0;
nomem:
	hv_pool_free();
	return -ENOMEM;
}

void hv_ept_destroy(void)
{
	hv_pool_free();
}

u32 hv_ept_pool_pages(void)
{
	return hv_pool.count;
}

u32 hv_ept_pool_free(void)
{
	return READ_ONCE(hv_pool.count) - READ_ONCE(hv_pool.used);
}

u64 hv_ept_eptp(int cpu)
{
	return hv.ept_views[cpu].eptp;
}

/*
 * While every CPU is halted (VMX root, the link's holder): add @n zeroed
 * pages allocated in process context (`prealloc monitor`) to the pool.
 * Returns how many were taken (the rest are the caller's to free).
 */
u32 hv_ept_pool_add(void **pages, u32 n)
{
	u32 i;

	arch_spin_lock(&hv_ept_lock);
	for (i = 0; i < n && hv_pool.count < hv_pool.cap; i++)
		hv_pool.pages[hv_pool.count++] = pages[i];
	arch_spin_unlock(&hv_ept_lock);
	return i;
}

/*
 * Table pages a hook on the 4 KiB page at @gpa needs from the pool, over
 * every view: 0 when it is already 4 KiB everywhere, else one PT (and a
 * PD under a 1 GiB leaf) per view.  While halted.
 */
u32 hv_ept_split_cost(u64 gpa)
{
	int level;
	u64 *e;

	if (!hv.ept_views)
		return 0;
	e = ept_lookup(hv_view(0), gpa, &level);
	if (!e || level == EPT_LEVEL_4K)
		return 0;
	return (u32)level * hv.ept_nviews;
}

/*
 * VMX root, any CPU: identity-map the 4 KiB page at @gpa uncached if
 * nothing maps it yet.  The lock is only ever taken in VMX root, so the
 * interrupted guest cannot hold it.
 */
int hv_ept_map_on_demand(u64 gpa)
{
	int ret = -1, level;
	u32 v;
	u64 *e;

	if (gpa >= (1ULL << boot_cpu_data.x86_phys_bits))
		return -1;
	arch_spin_lock(&hv_ept_lock);
	e = ept_lookup(hv_view_this(), gpa, &level);
	if (e) {
		/* Another CPU mapped it meanwhile, or a real permission fault. */
		ret = (*e & EPT_RWX) == EPT_RWX ? 0 : -1;
	} else {
		/* Into every view: the same device page for every CPU. */
		ret = 0;
		for (v = 0; v < hv.ept_nviews && !ret; v++)
			if (!ept_lookup(hv_view(v), gpa, &level) &&
			    ept_map_4k(hv_view(v), gpa & ~0xfffULL,
				       gpa & ~0xfffULL, EPT_RWX, HV_MEMTYPE_UC))
				ret = -1;
		if (!ret)
			hv.ept_on_demand++;
	}
	arch_spin_unlock(&hv_ept_lock);
	if (!ret)
		hv_invept_all();
	return ret;
}

/*
 * An EPT leaf is misconfigured (SDM Vol. 3 29.3.3.1) when it is writable
 * but not readable, or has memory type 2, 3 or 7.  (Reserved bits are
 * never set by ept.c; execute-only needs a capability we never use.)
 */
static bool hv_ept_leaf_misconfigured(u64 e)
{
	int mt = ept_leaf_type(e);

	return ((e & EPT_W) && !(e & EPT_R)) || mt == 2 || mt == 3 || mt == 7;
}

/*
 * VMX root (EPT-misconfiguration exit): rewrite the leaf that maps @gpa as
 * the identity map built it - read/write/execute, memory type from the
 * MTRRs (uncached above ept_top, as hv_ept_map_on_demand() maps).  Returns
 * 0 if a misconfigured leaf was repaired, -1 if the misconfiguration is
 * elsewhere (a non-leaf entry) and nothing was changed.
 */
int hv_ept_repair(u64 gpa)
{
	int ret = -1, level, mt;
	u64 *e, size, base;

	/* The faulting CPU's view: the only one hv_ept_test_misconfig()
	 * touched. */
	arch_spin_lock(&hv_ept_lock);
	e = ept_lookup(hv_view_this(), gpa, &level);
	if (e && hv_ept_leaf_misconfigured(*e)) {
		size = ept_level_size(level);
		base = gpa & ~(size - 1);
		mt = base >= hv.ept_top ? HV_MEMTYPE_UC :
		     hv_mtrr_type(&hv.mtrr, base, size);
		if (mt >= 0) {
			*e = base | ept_perms(hv_view_this(), EPT_RWX) |
			     ((u64)mt << EPT_MT_SHIFT) |
			     (level > EPT_LEVEL_4K ? EPT_LARGE : 0);
			ret = 0;
		}
	}
	arch_spin_unlock(&hv_ept_lock);
	if (!ret)
		hv_invept_all();
	return ret;
}

/*
 * TEST ONLY (debugfs test_ept_misconfig, through HV_HC_TEST_EPT): VMX
 * root, make the 4 KiB page at @gpa misconfigured - write without read,
 * SDM Vol. 3 29.3.3.1 - so the next guest access to it is an
 * EPT-misconfiguration exit that hv_ept_repair() undoes.  Splits a large
 * page first (from the spare pool).  Only this CPU's view and EPT caches:
 * other CPUs keep the good translation.
 */
int hv_ept_test_misconfig(u64 gpa)
{
	int ret = -1, level;
	u64 *e;

	if (gpa >= hv.ept_top)
		return -1;
	arch_spin_lock(&hv_ept_lock);
	if (!ept_split_4k(hv_view_this(), gpa)) {
		e = ept_lookup(hv_view_this(), gpa, &level);
		if (e && level == EPT_LEVEL_4K) {
			*e = (*e & ~EPT_RWX) | EPT_W;
			ret = 0;
		}
	}
	arch_spin_unlock(&hv_ept_lock);
	hv_invept_all();
	return ret;
}

/* With the EPT lock: the 4 KiB leaf of @gpa in view @t. */
static int hv_view_set_4k(struct ept_table *t, u64 gpa, u64 hpa, u64 perms)
{
	int level;
	u64 *e;

	e = ept_lookup(t, gpa, &level);
	if (e && level != EPT_LEVEL_4K && ept_split_4k(t, gpa))
		return -1;
	/* Found present or not: a hooked page's view may have left it no
	 * permissions at all (an X watch on a page of breakpoints). */
	e = ept_slot_4k(t, gpa);
	if (!e)
		return -1;
	/* Keep the memory type (and ignore-PAT) the MTRRs gave. */
	WRITE_ONCE(*e, (*e & (EPT_MT_MASK | EPT_IPAT)) |
		   (hpa & EPT_ADDR_MASK) | ept_perms(t, perms));
	return 0;
}

int hv_ept_set_4k(u64 gpa, u64 hpa, u64 perms)
{
	int ret = 0;
	u32 v;

	arch_spin_lock(&hv_ept_lock);
	for (v = 0; v < hv.ept_nviews; v++)
		ret |= hv_view_set_4k(hv_view(v), gpa, hpa, perms);
	arch_spin_unlock(&hv_ept_lock);
	return ret;
}

int hv_ept_set_4k_cpu(int cpu, u64 gpa, u64 hpa, u64 perms)
{
	int ret;

	arch_spin_lock(&hv_ept_lock);
	ret = hv_view_set_4k(hv_view(cpu), gpa, hpa, perms);
	arch_spin_unlock(&hv_ept_lock);
	return ret;
}

/* The EPT @cpu runs on by default (!mode builds its views over it). */
const struct ept_table *hv_ept_view_table(int cpu)
{
	return hv_view(cpu);
}

u32 hv_ept_view_pages(int cpu)
{
	return hv.ept_views ? hv_view(cpu)->pages : 0;
}

u32 hv_ept_view_identity_pages(int cpu)
{
	return hv.ept_views ? hv.ept_views[cpu].identity_pages : 0;
}
