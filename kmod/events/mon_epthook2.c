// SPDX-License-Identifier: GPL-2.0
/*
 * mon_epthook2.c - HyperDbg's !epthook2 (a hidden detour hook) in hvgdb.ko.
 *
 * The page of the hooked address A gets two EPT views, as gdb's Z0 does
 * (kmod/debug/bp.c): "exec", a shadow copy of the page whose bytes at A
 * are kmod/lib/detour.c's patch (jmp T; int3 ...), mapped execute-only;
 * "data", the original page, read/write, not executable.  A fetch in the
 * data view or a read/write in the exec view is an EPT violation that
 * flips the view (mon_eh2_ept_violation); reads, gdb's `x` and the
 * guest's own, see the original bytes.  Each flip to the exec view copies
 * the original page into the shadow again (a write to the original, e.g.
 * a static key elsewhere on the page, reaches the exec view), with the
 * patch on top.  An instruction that needs both views at once (same RIP,
 * same page, flipping back) gets the page opened (original, RWX, the hook
 * off) until the next monitor command re-arms it; counted in `unarmed`.
 *
 * T, the trampoline, is a 128-byte slot of hv_eh2_area, an "ax" area of
 * this module's own text (within rel32 reach of the kernel and modules),
 * written from VMX root through hv_gdb_write_phys() at the physical
 * addresses recorded at load.  It holds VMCALL (0f 01 c1), the displaced
 * instructions relocated, jmp A+n.  mon_eh2_vmcall(), asked first at
 * every VMCALL exit (hv_vmcall_rip_set()), recognises a slot by the
 * guest's RIP: it sets RIP to A (scripts and a break see the function's
 * own registers and $rip = A), fires the event (EVENT_EPTHOOK2, key and
 * $context A) and resumes at T+3, the relocated bytes, unless gdb or a
 * script moved RIP meanwhile.  One VM exit per hit, no step.
 *
 * Slots are never erased: a cleared hook's slot keeps its bytes (a CPU
 * that was between the jmp and the jmp back finishes through them, its
 * VMCALL only advancing RIP) and is reused only two resumes after the
 * clear and when no halted CPU's RIP is in it; never-used slots go first.
 *
 * Pools: the shadow pages (4 at load; `prealloc epthook2 N` adds N,
 * allocated by a workqueue after the system resumes and taken at the next
 * command, as mon.c's prealloc) and the slots (EH2_SLOTS, fixed).
 *
 * Contexts: mon_eh2_check/commit/sync/prealloc/show run in hv_mon_command
 * (every CPU halted, the link's holder); mon_eh2_vmcall and
 * mon_eh2_ept_violation in VMX root on any CPU, reading the hooks and
 * changing only a hook's view (under the EPT lock of hv_ept_set_4k);
 * mon_eh2_on_resume on each CPU leaving a halt (INVEPT when the views
 * changed); mon_eh2_init/exit in process context at load/unload.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/kallsyms.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include <asm/io.h>
#include "kmod/vmx/hv.h"
#include "kmod/vmx/prof.h"
#include "kmod/vmx/exit.h"
#include "kmod/debug/gdb.h"
#include "kmod/events/mon_priv.h"
#include "kmod/lib/detour.h"
#include "kmod/lib/ept.h"
#include "kmod/lib/vmx_defs.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/cmd.h"

#define EH2_SLOT		128
#define EH2_SLOTS		CMD_PREALLOC_EPTHOOK2_MAX
#define EH2_AREA		(EH2_SLOT * EH2_SLOTS)
#define EH2_AREA_PAGES		(EH2_AREA / PAGE_SIZE)
#define EH2_POOL_AT_LOAD	4
#define EH2_FN_MAX		16384	/* function bytes scanned */
#define EH2_QUAL_FETCH		(1ULL << 2)

static_assert(DETOUR_TRAMP_MAX <= EH2_SLOT);
static_assert(EH2_AREA % PAGE_SIZE == 0);

asm(".pushsection .text.hvgdb_eh2, \"ax\"\n"
    ".balign 4096\n"
    ".globl hv_eh2_area\n"
    "hv_eh2_area:\n"
    ".fill 32768, 1, 0xcc\n"
    ".popsection\n");
extern u8 hv_eh2_area[];
static_assert(EH2_AREA == 32768);

static const u8 eh2_entry[] = { 0x0f, 0x01, 0xc1 };	/* vmcall */

enum eh2_state { EH2_FREE, EH2_ACTIVE, EH2_COOLING };
enum eh2_view { EH2_DATA, EH2_EXEC, EH2_OPEN };

struct eh2_hook {
	u8 state;		/* enum eh2_state */
	u8 view;		/* enum eh2_view, when armed */
	bool armed;		/* the exec view is in the EPT */
	u8 n;			/* displaced bytes */
	u32 id;			/* its first event (several may share it) */
	int shadow;		/* pool index while active, else -1 */
	u32 freed_epoch;
	u64 addr, gpa;		/* A, its page */
	u8 patch[DETOUR_PATCH_MAX];
	u64 hits;
};

struct eh2_cpu {
	u32 seen_gen;
	u64 last_rip;
	int last_hook;
	u8 last_view;
};
static DEFINE_PER_CPU(struct eh2_cpu, eh2_cpu);

static struct {
	struct eh2_hook hooks[EH2_SLOTS];	/* hooks[i] uses slot i */
	u64 area_pa[EH2_AREA_PAGES];
	struct page *pool[EH2_SLOTS];
	u64 pool_pa[EH2_SLOTS];
	bool pool_used[EH2_SLOTS];
	u32 npool;
	u32 narmed;
	atomic_t gen;			/* views changed while halted */
	u32 epoch;			/* resumes seen by commands */
	bool resumed;
	bool xonly;
	bool ready;			/* init done */
	/* Between mon_eh2_check() and mon_eh2_commit(): */
	bool pending;
	int pending_slot;
	struct eh2_hook pend;
	struct detour_out dout;
	u8 fn[EH2_FN_MAX];
	char sym[KSYM_SYMBOL_LEN];
	char why[160];
	u64 hits, flips, unarmed, stale_vmcalls;
	/* prealloc epthook2 N */
	struct irq_work iw;
	struct work_struct work;
	u32 want;			/* asked for, not yet allocated */
	struct page *got[EH2_SLOTS];	/* allocated by the work */
	u32 ngot;
	bool got_ready;
} eh2;

/* ---- views ---- */

static void eh2_changed(void)
{
	atomic_inc(&eh2.gen);
	hv_invept_all();	/* this CPU; the others in mon_eh2_on_resume */
}

static u8 *eh2_shadow(const struct eh2_hook *h)
{
	return page_address(eh2.pool[h->shadow]);
}

/* The original page into the shadow, the patch on top. */
static void eh2_fill_shadow(const struct eh2_hook *h)
{
	u8 *orig = hv_gdb_phys(h->gpa, PAGE_SIZE);
	u8 *sh = eh2_shadow(h);
	u32 off = h->addr & ~PAGE_MASK;

	if (orig) {
		memcpy(sh, orig, off);
		memcpy(sh + off + h->n, orig + off + h->n,
		       PAGE_SIZE - off - h->n);
	}
	memcpy(sh + off, h->patch, h->n);
}

static void eh2_load_view(struct eh2_hook *h, enum eh2_view v)
{
	h->view = v;
	switch (v) {
	case EH2_EXEC:
		eh2_fill_shadow(h);
		hv_ept_set_4k(h->gpa, eh2.pool_pa[h->shadow], EPT_X);
		break;
	case EH2_DATA:
		hv_ept_set_4k(h->gpa, h->gpa, EPT_R | EPT_W);
		break;
	case EH2_OPEN:
		hv_ept_set_4k(h->gpa, h->gpa, EPT_RWX);
		break;
	}
}

/*
 * Shared: bp.c hooks @h's page too (gdb's Z0, !epthook): its shadow holds
 * the detour (mon_eh2_page_shadow), its views and flips are bp.c's, and
 * this file leaves the page's EPT leaves alone.
 */
static bool eh2_hosted(const struct eh2_hook *h)
{
	return hv_gdb_page_hooked(h->gpa);
}

static void eh2_arm(struct eh2_hook *h, bool on)
{
	if (eh2_hosted(h)) {
		if (on == h->armed)
			return;
		h->armed = on;
		if (on)
			eh2.narmed++;
		else
			eh2.narmed--;
		hv_gdb_page_refresh(h->gpa);	/* with or without the jmp */
		eh2_changed();
		return;
	}
	if (on == h->armed && !(on && h->view == EH2_OPEN))
		return;
	if (on) {
		eh2_load_view(h, EH2_EXEC);
		if (!h->armed)
			eh2.narmed++;
	} else {
		hv_ept_set_4k(h->gpa, h->gpa, EPT_RWX);
		eh2.narmed--;
	}
	h->armed = on;
	eh2_changed();
}

static int eh2_hook_of_gpa(u64 page)
{
	int i;

	for (i = 0; i < EH2_SLOTS; i++)
		if (eh2.hooks[i].state == EH2_ACTIVE &&
		    eh2.hooks[i].armed && eh2.hooks[i].gpa == page)
			return eh2_hosted(&eh2.hooks[i]) ? -1 : i;
	return -1;
}

/* bp.c's shared shadow of @page: the armed detours' bytes on top. */
void mon_eh2_page_shadow(u64 page, u8 *shadow)
{
	int i;

	for (i = 0; i < EH2_SLOTS; i++) {
		const struct eh2_hook *h = &eh2.hooks[i];

		if (h->state == EH2_ACTIVE && h->armed && h->gpa == page)
			memcpy(shadow + (h->addr & ~PAGE_MASK), h->patch,
			       h->n);
	}
}

/* bp.c gave @page up (its identity leaves written): the detour's own
 * views again, every CPU halted. */
void mon_eh2_page_released(u64 page)
{
	int i;

	for (i = 0; i < EH2_SLOTS; i++) {
		struct eh2_hook *h = &eh2.hooks[i];

		if (h->state == EH2_ACTIVE && h->armed && h->gpa == page) {
			eh2_load_view(h, EH2_EXEC);
			eh2_changed();
		}
	}
}

/* @gpa is one of an active detour's patched bytes. */
bool mon_eh2_bytes_taken(u64 gpa)
{
	int i;

	for (i = 0; i < EH2_SLOTS; i++) {
		const struct eh2_hook *h = &eh2.hooks[i];
		u64 at = h->gpa + (h->addr & ~PAGE_MASK);

		if (h->state == EH2_ACTIVE && gpa >= at && gpa < at + h->n)
			return true;
	}
	return false;
}

bool mon_eh2_page_taken(u64 page)
{
	int i;

	for (i = 0; i < EH2_SLOTS; i++)
		if (eh2.hooks[i].state == EH2_ACTIVE &&
		    eh2.hooks[i].gpa == page)
			return true;
	return false;
}

bool mon_eh2_ept_violation(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
			   u64 qual)
{
	struct eh2_cpu *ec = this_cpu_ptr(&eh2_cpu);
	u64 rip = hv_vmread(VMCS_GUEST_RIP);
	enum eh2_view want;
	struct eh2_hook *h;
	int i;

	if (!READ_ONCE(eh2.narmed))
		return false;
	i = eh2_hook_of_gpa(gpa & PAGE_MASK);
	if (i < 0)
		return false;
	h = &eh2.hooks[i];
	want = (qual & EH2_QUAL_FETCH) ? EH2_EXEC : EH2_DATA;
	/* The same instruction flipping the same page back: it needs both
	 * views at once. */
	if (ec->last_rip == rip && ec->last_hook == i &&
	    ec->last_view != want) {
		eh2.unarmed++;
		want = EH2_OPEN;
	}
	ec->last_rip = rip;
	ec->last_hook = i;
	ec->last_view = want;
	eh2.flips++;
	eh2_load_view(h, want);
	hv_invept_all();
	return true;
}

/* ---- the hit ---- */

static bool mon_eh2_vmcall(struct hv_cpu *c, struct hv_regs *r)
{
	u64 t = hv_vmread(VMCS_GUEST_RIP);
	u64 off = t - (u64)hv_eh2_area;
	struct mon_cpu *mc = mon.cpu[c->cpu];
	struct eh2_hook *h;
	u64 a;

	if (off >= EH2_AREA || off % EH2_SLOT)
		return false;
	h = &eh2.hooks[off / EH2_SLOT];
	if (h->state == EH2_FREE)
		return false;		/* never written: not a trampoline */
	if (h->state != EH2_ACTIVE || !mc) {
		/* Cleared while this CPU was between the jmp and here. */
		eh2.stale_vmcalls++;
		hv_vmwrite(VMCS_GUEST_RIP, t + sizeof(eh2_entry));
		return true;
	}
	hv_prof_kind(HV_PROF_K_EPTHOOK2);
	hv_prof(HV_PROF_LOOKUP);
	a = h->addr;
	h->hits++;
	eh2.hits++;
	hv_vmwrite(VMCS_GUEST_RIP, a);
	mon_exit_init(&mc->exit, EVENT_EPTHOOK2, a, a);
	mon_fire(c, r, &mc->exit);
	/* A break may have cleared the hook: its slot stays intact. */
	if (hv_vmread(VMCS_GUEST_RIP) == a)
		hv_vmwrite(VMCS_GUEST_RIP, t + sizeof(eh2_entry));
	return true;
}

void mon_eh2_on_resume(struct hv_cpu *c)
{
	struct eh2_cpu *ec = this_cpu_ptr(&eh2_cpu);
	u32 gen = atomic_read(&eh2.gen);

	WRITE_ONCE(eh2.resumed, true);
	if (ec->seen_gen != gen) {
		hv_invept_all();
		ec->seen_gen = gen;
	}
	ec->last_rip = 0;
	ec->last_hook = -1;
}

/* ---- commands (every CPU halted) ---- */

static int eh2_free_shadow(void)
{
	u32 i;

	for (i = 0; i < eh2.npool; i++)
		if (!eh2.pool_used[i])
			return i;
	return -1;
}

static u32 eh2_shadows_used(void)
{
	u32 i, n = 0;

	for (i = 0; i < eh2.npool; i++)
		n += eh2.pool_used[i];
	return n;
}

/* Is a halted CPU's RIP inside slot @s? */
static bool eh2_slot_busy(int s)
{
	u64 lo = (u64)hv_eh2_area + (u64)s * EH2_SLOT;
	int cpu;

	for_each_online_cpu(cpu) {
		struct gdb_cpu *g = hv_gdb_cpu_state(cpu);

		if (g && g->rip >= lo && g->rip < lo + EH2_SLOT)
			return true;
	}
	return false;
}

/* A slot for a new hook: a never-used one, else the one cleared longest
 * ago, two resumes back at least; -1 if none. */
static int eh2_pick_slot(void)
{
	int i, best = -1;

	for (i = 0; i < EH2_SLOTS; i++)
		if (eh2.hooks[i].state == EH2_FREE)
			return i;
	for (i = 0; i < EH2_SLOTS; i++) {
		const struct eh2_hook *h = &eh2.hooks[i];

		if (h->state != EH2_COOLING || eh2.epoch < h->freed_epoch + 2 ||
		    eh2_slot_busy(i))
			continue;
		if (best < 0 || h->freed_epoch < eh2.hooks[best].freed_epoch)
			best = i;
	}
	return best;
}

/* Take what `prealloc epthook2` allocated, count the resumes. */
void mon_eh2_take(void)
{
	u32 i;

	if (!eh2.ready)
		return;
	if (READ_ONCE(eh2.resumed)) {
		WRITE_ONCE(eh2.resumed, false);
		eh2.epoch++;
	}
	if (!READ_ONCE(eh2.got_ready))
		return;
	smp_rmb();
	for (i = 0; i < eh2.ngot && eh2.npool < EH2_SLOTS; i++) {
		eh2.pool[eh2.npool] = eh2.got[i];
		eh2.pool_pa[eh2.npool] = page_to_phys(eh2.got[i]);
		eh2.pool_used[eh2.npool] = false;
		eh2.npool++;
		eh2.got[i] = NULL;
	}
	eh2.ngot = 0;
	WRITE_ONCE(eh2.got_ready, false);
}

/*
 * `!epthook2 A ...` before the event is added: everything that can refuse
 * it (the address, its page, the pools, the relocation), with the detour
 * built and held for mon_eh2_commit().  0, or -RSP_EIO with the reason
 * written to @out.
 */
int mon_eh2_check(const struct cmd_parsed *p, struct rsp_output *out)
{
	u64 a = p->spec.arg, pa, page, start, size, off, len;
	struct detour_req req = { 0 };
	struct gdb_cpu *g;
	int slot, i, cpu;
	char *plus, *slash;

	eh2.pending = false;
	if (!eh2.ready)
		return mon_fail(out, 0, "!epthook2: no memory at load\n");
	if (!eh2.xonly)
		return mon_fail(out, 0, "!epthook2 needs execute-only EPT "
				"pages (IA32_VMX_EPT_VPID_CAP bit 0), which "
				"this CPU lacks: reads would see the jmp\n");
	if (a < 0xffff800000000000ULL)
		return mon_fail(out, 0, "!epthook2 hooks kernel addresses "
				"only (as HyperDbg), got %#llx\n", a);
	cpu = hv_gdb_selected_cpu();
	g = cpu >= 0 ? hv_gdb_cpu_state(cpu) : NULL;
	if (!g || hv_gdb_translate(g, a, &pa))
		return mon_fail(out, 0, "!epthook2: %#llx is not mapped to "
				"RAM\n", a);
	page = pa & PAGE_MASK;
	for (i = 0; i < EH2_SLOTS; i++) {
		const struct eh2_hook *h = &eh2.hooks[i];

		if (h->state != EH2_ACTIVE || h->gpa != page)
			continue;
		if (h->addr == a)	/* another event on the same detour */
			return 0;
		return mon_fail(out, 0, "!epthook2: the page of %#llx "
				"(physical %#llx) has event %#x's detour at "
				"%#llx already: one !epthook2 address per page "
				"(as HyperDbg)\n", a, page, h->id, h->addr);
	}
	if (hv_gdb_page_watched(page))
		return mon_fail(out, 0, "!epthook2: watchpoints or !monitor "
				"events watch the page of %#llx (physical "
				"%#llx): a watched page has no execute-view "
				"copy to hold a detour; remove them first\n",
				a, page);
	if (eh2_free_shadow() < 0)
		return mon_fail(out, 0, "epthook2 pool full (%#x of %#x "
				"hooked pages in use): clear one with 'events "
				"c' or grow it with 'prealloc epthook2 N'\n",
				eh2_shadows_used(), eh2.npool);
	slot = eh2_pick_slot();
	if (slot < 0)
		return mon_fail(out, 0, "!epthook2: all %#x trampolines are "
				"in use or were cleared too recently (reused "
				"two resumes after their clear)\n", EH2_SLOTS);

	/* The function around A, from kallsyms: "name+0xoff/0xsize". */
	sprint_symbol(eh2.sym, a);
	plus = strrchr(eh2.sym, '+');
	slash = plus ? strchr(plus, '/') : NULL;
	if (!plus || !slash || sscanf(plus + 1, "%llx", &off) != 1 ||
	    sscanf(slash + 1, "%llx", &size) != 1 || off >= size)
		return mon_fail(out, 0, "!epthook2: %#llx is not in a function "
				"kallsyms knows (%s)\n", a, eh2.sym);
	start = a - off;
	len = min_t(u64, size, EH2_FN_MAX);
	if (off + DETOUR_PATCH_MAX > len) {	/* huge function: from A */
		start = a;
		len = min_t(u64, size - off, EH2_FN_MAX);
		off = 0;
	}
	if (hv_gdb_read_kernel(start, eh2.fn, len))
		return mon_fail(out, 0, "!epthook2: cannot read %s at "
				"%#llx\n", eh2.sym, start);
	req.addr = a;
	req.code = eh2.fn + off;
	req.avail = len - off;
	req.tramp = (u64)hv_eh2_area + (u64)slot * EH2_SLOT;
	req.entry = eh2_entry;
	req.entry_len = sizeof(eh2_entry);
	req.scan = eh2.fn;
	req.scan_len = len;
	req.scan_addr = start;
	if (detour_build(&req, &eh2.dout)) {
		detour_describe(&eh2.dout.err, eh2.why, sizeof(eh2.why));
		return mon_fail(out, 0, "!epthook2 %s: %s\n", eh2.sym, eh2.why);
	}
	if ((a & ~PAGE_MASK) + eh2.dout.n > PAGE_SIZE)
		return mon_fail(out, 0, "!epthook2 %s: the %u displaced bytes "
				"cross into the next page (one shadow page per "
				"hook)\n", eh2.sym, eh2.dout.n);
	if (hv_gdb_bp_in(a, eh2.dout.n))
		return mon_fail(out, 0, "!epthook2 %s: a breakpoint (gdb's or "
				"an !epthook) lies in the %u bytes the detour "
				"replaces at %#llx: remove it first\n",
				eh2.sym, eh2.dout.n, a);
	/* Split a large EPT page now (the identity mapping, unchanged), so
	 * that arming and every flip later only rewrite a 4 KiB leaf; a
	 * page bp.c hooks is split and its leaves are bp.c's. */
	if (!hv_gdb_page_hooked(page) && hv_ept_set_4k(page, page, EPT_RWX))
		return mon_fail(out, 0, "!epthook2: no spare EPT table page to "
				"map %#llx by 4 KiB\n", page);
	memset(&eh2.pend, 0, sizeof(eh2.pend));
	eh2.pend.addr = a;
	eh2.pend.gpa = page;
	eh2.pend.n = eh2.dout.n;
	memcpy(eh2.pend.patch, eh2.dout.patch, eh2.dout.n);
	eh2.pending_slot = slot;
	eh2.pending = true;
	return 0;
}

/* The event @id was added: write its trampoline and take a shadow page;
 * mon_eh2_sync() arms it.  0, or -1 (nothing done) if the trampoline
 * could not be written. */
int mon_eh2_commit(u32 id)
{
	struct eh2_hook *h;
	u64 t, pa;
	int s = eh2_free_shadow();

	if (!eh2.pending)	/* the detour exists: the event shares it */
		return 0;
	if (s < 0)
		return -1;
	eh2.pending = false;
	h = &eh2.hooks[eh2.pending_slot];
	t = (u64)eh2.pending_slot * EH2_SLOT;
	/* A slot never crosses a page of the area. */
	pa = eh2.area_pa[t / PAGE_SIZE] + (t & ~PAGE_MASK);
	if (hv_gdb_write_phys(pa, eh2.dout.tramp, eh2.dout.tramp_len))
		return -1;
	*h = eh2.pend;
	h->id = id;
	h->shadow = s;
	h->state = EH2_ACTIVE;
	h->armed = false;
	eh2.pool_used[s] = true;
	return 0;
}

static bool eh2_any_enabled;

/* The first event on @h's address (several may share one detour), and
 * whether any of them is enabled (eh2_any_enabled). */
static const struct event *eh2_event_of(const struct eh2_hook *h)
{
	const struct event_table *t = &mon.table;
	const struct event *first = NULL;
	u32 i;

	eh2_any_enabled = false;
	for (i = 0; i < t->count; i++) {
		const struct event *ev = &t->ev[i];

		if (ev->spec.type != EVENT_EPTHOOK2 || ev->spec.arg != h->addr)
			continue;
		if (!first)
			first = ev;
		eh2_any_enabled |= ev->enabled;
	}
	return first;
}

/* After any change of the table (mon_apply, every CPU halted): a detour
 * whose events are all cleared goes, one with an enabled event is armed,
 * one whose events are all disabled is disarmed. */
void mon_eh2_sync(void)
{
	int i;

	if (!eh2.ready)
		return;
	for (i = 0; i < EH2_SLOTS; i++) {
		struct eh2_hook *h = &eh2.hooks[i];
		const struct event *ev;

		if (h->state != EH2_ACTIVE)
			continue;
		ev = eh2_event_of(h);
		if (!ev) {
			if (h->armed)
				eh2_arm(h, false);
			eh2.pool_used[h->shadow] = false;
			h->shadow = -1;
			h->state = EH2_COOLING;
			h->freed_epoch = eh2.epoch;
			continue;
		}
		h->id = ev->id;
		eh2_arm(h, eh2_any_enabled);
	}
}

/* ---- prealloc epthook2 N ---- */

static void eh2_work(struct work_struct *w)
{
	u32 n = READ_ONCE(eh2.want), i;

	if (READ_ONCE(eh2.got_ready) || !n)
		return;
	for (i = 0; i < n && i < EH2_SLOTS; i++) {
		eh2.got[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!eh2.got[i])
			break;
	}
	if (i < n)
		pr_warn("hvgdb: prealloc epthook2: %u of %u pages\n", i, n);
	eh2.ngot = i;
	WRITE_ONCE(eh2.want, n - i);
	smp_wmb();
	WRITE_ONCE(eh2.got_ready, true);
}

static void eh2_irq(struct irq_work *iw)
{
	schedule_work(&eh2.work);
}

int mon_eh2_prealloc(u32 n, struct rsp_output *out)
{
	u32 room = EH2_SLOTS - eh2.npool - eh2.want;

	if (!eh2.ready)
		return mon_fail(out, 0, "!epthook2: no memory at load\n");
	eh2.want += min(n, room);
	mon_printf(out, "prealloc: %#x more epthook2 pages requested (%#x of "
		   "%#x in use, at most %#x); they are allocated once the "
		   "system resumes and are usable from the next stop\n",
		   eh2.want, eh2_shadows_used(), eh2.npool, EH2_SLOTS);
	irq_work_queue(&eh2.iw);
	return 0;
}

void mon_eh2_show(struct rsp_output *out)
{
	mon_printf(out, "epthook2: %#x of %#x hooked pages in use (4 KiB "
		   "each), %#x trampolines of %#x bytes; hits %#llx, view "
		   "flips %#llx, unarmed %#llx\n", eh2_shadows_used(),
		   eh2.npool, EH2_SLOTS, EH2_SLOT, eh2.hits, eh2.flips,
		   eh2.unarmed);
}

/* ---- load / unload ---- */

int mon_eh2_init(void)
{
	int i, cpu;

	memset(&eh2, 0, sizeof(eh2));
	init_irq_work(&eh2.iw, eh2_irq);
	INIT_WORK(&eh2.work, eh2_work);
	eh2.xonly = hv.msrs.ept_vpid & HV_EPTCAP_XONLY;
	for (i = 0; i < EH2_SLOTS; i++)
		eh2.hooks[i].shadow = -1;
	for (i = 0; i < EH2_AREA_PAGES; i++) {
		struct page *pg = vmalloc_to_page(hv_eh2_area + i * PAGE_SIZE);

		if (!pg)
			return 0;	/* !epthook2 refused: not ready */
		eh2.area_pa[i] = page_to_phys(pg);
	}
	for (i = 0; i < EH2_POOL_AT_LOAD; i++) {
		eh2.pool[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!eh2.pool[i])
			break;
		eh2.pool_pa[i] = page_to_phys(eh2.pool[i]);
	}
	eh2.npool = i;
	for_each_possible_cpu(cpu)
		per_cpu_ptr(&eh2_cpu, cpu)->last_hook = -1;
	eh2.ready = true;
	hv_vmcall_rip_set(mon_eh2_vmcall);
	return 0;
}

/* After every CPU left VMX: the EPT is gone with it, and with it every
 * view; the original text was never written. */
void mon_eh2_exit(void)
{
	u32 i;

	hv_vmcall_rip_set(NULL);
	irq_work_sync(&eh2.iw);
	cancel_work_sync(&eh2.work);
	for (i = 0; i < eh2.npool; i++)
		if (eh2.pool[i])
			__free_page(eh2.pool[i]);
	for (i = 0; i < EH2_SLOTS; i++)
		if (eh2.got[i])
			__free_page(eh2.got[i]);
	eh2.ready = false;
	eh2.npool = 0;
}
