// SPDX-License-Identifier: GPL-2.0
/*
 * bp.c - gdb's breakpoints and watchpoints (see bp.h and bptab.h).
 *
 * A page with software breakpoints has two EPT views: "exec", the shadow
 * copy with 0xCC bytes, execute-only (IA32_VMX_EPT_VPID_CAP bit 0), and
 * "data", the original page, read/write, not executable.  A fetch in the
 * data view or a read/write in the exec view is an EPT violation that
 * flips the view on the spot (SDM Vol. 3 29.3.3.2); no stepping is needed
 * unless one instruction needs both (a fetch and a data access on the same
 * page): then, as for accesses to the unwatched bytes of a watched page,
 * the page is opened fully for one single-stepped instruction.  A watched
 * access is reported after that step, like a hardware watchpoint (a trap:
 * gdb compares the old and new value).  An EPT violation does not say how
 * wide the access is: it counts as reaching the end of its 8-byte word.
 *
 * Views are per CPU (vmx/ept_host.c, SDM Vol. 3C 29.3): inserting or
 * removing a hook writes every CPU's EPT (all halted); a flip, or a page
 * opened for a step, changes only the CPU that took the violation, so
 * another CPU touching the page meanwhile still traps (HyperDbg #91).
 * Each CPU keeps its own view (exec/data) of each hooked page in bp_cpu.
 */
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <asm/debugreg.h>
#include <asm/io.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/bp.h"
#include "kmod/lib/bptab.h"
#include "kmod/lib/bpemul.h"
#include "kmod/debug/dr.h"
#include "kmod/debug/gdb.h"
#include "kmod/lib/gdb_cpu.h"
#include "kmod/debug/step.h"
#include "kmod/lib/insn_len.h"
#include "kmod/debug/gdb_priv.h"
#include "kmod/vmx/prof.h"

#define BP_HW_SLOTS		HV_DR_SLOTS
#define BP_RFLAGS_RF		(1ULL << 16)
#define BP_QUAL_READ		(1ULL << 0)
#define BP_QUAL_WRITE		(1ULL << 1)
#define BP_QUAL_FETCH		(1ULL << 2)
#define BP_OPEN_MAX		4	/* hooked pages one instruction touches */
#define BP_MON_HITS		8	/* !monitor hits one step reports */

#define BP_SHADOW_INIT		64	/* shadow pages allocated at load */

static struct {
	struct bptab tab;
	u32 nshadow;			/* shadow pages allocated */
	struct page *shadow_pg[BPTAB_MAX_PAGES];
	u64 shadow_pa[BPTAB_MAX_PAGES];
	bool dirty[BPTAB_MAX_PAGES];	/* original written: re-patch */
	u64 hw[BP_HW_SLOTS];
	bool hw_used[BP_HW_SLOTS];
	int nsw;			/* software breakpoints, any owner */
	atomic_t gen;			/* bumped by every change */
	bool xonly;
	u64 hits_sw, hits_hw, hits_watch, flips, stepovers, foreign_bp;
	u64 hits_mon, mon_sc;
	hv_bp_mon_hook_t mon_hook;
	u64 hits_hook, emulated;
	/* Each breakpoint's displaced instruction as bpemul decoded it,
	 * packed (bp_emul_pack()) with the patch generation it was read
	 * under: valid until a shadow page is patched again. */
	u32 patch_gen;
	u64 emul[BPTAB_MAX_BPS];
} bp;

struct bp_cpu {
	int seen_gen;
	u8 view[BPTAB_MAX_PAGES];	/* enum bptab_view, this CPU's */
	int opened[BP_OPEN_MAX];	/* pages opened for a step, or -1 */
	u64 last_flip_rip;
	int last_flip_page;
	u64 watch_addr;
	u8 watch_type;
	/* !monitor hits of the instruction being stepped: post stage. */
	u32 nmon;
	u32 mon_owner[BP_MON_HITS];
	u64 mon_ctx[BP_MON_HITS];
	u8 mon_acc[BP_MON_HITS];
	bool track_done;		/* a !track step ended */
};
static DEFINE_PER_CPU(struct bp_cpu, bp_cpu);

static u8 *bp_shadow(int p)
{
	return page_address(bp.shadow_pg[p]);
}

/* The shadow of @p: the original, gdb's and the events' 0xCC, and the
 * events layer's detours on top (one shadow per page). */
static void bp_patch(int p, const u8 *orig)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);

	bptab_patch(&bp.tab, p, orig, bp_shadow(p));
	/* The decoded instructions may have changed. */
	WRITE_ONCE(bp.patch_gen, bp.patch_gen + 1);
	if (m && m->page_shadow)
		m->page_shadow(bp.tab.pages[p].gpa, bp_shadow(p));
}

/* Load @cpu's EPT leaf of hooked page @p for @cpu's view of it. */
static void bp_apply_page_cpu(int cpu, int p)
{
	struct bptab_page *pg = &bp.tab.pages[p];
	u8 view = per_cpu_ptr(&bp_cpu, cpu)->view[p];
	u64 hpa = pg->gpa;
	u8 *orig;

	if (!pg->used) {
		hv_ept_set_4k_cpu(cpu, pg->gpa, pg->gpa, EPT_RWX);
		return;
	}
	if (pg->nbps && view == BPTAB_VIEW_EXEC) {
		if (bp.dirty[p]) {
			orig = hv_gdb_phys(pg->gpa, PAGE_SIZE);
			if (orig)
				bp_patch(p, orig);
			bp.dirty[p] = false;
		}
		hpa = bp.shadow_pa[p];
	}
	hv_ept_set_4k_cpu(cpu, pg->gpa, hpa, bptab_perms(&bp.tab, p, view));
}

/* Every CPU's leaf of @p: only while every CPU is halted. */
static void bp_apply_page(int p)
{
	int cpu;

	for_each_possible_cpu(cpu)
		bp_apply_page_cpu(cpu, p);
}

/* A page newly hooked starts in the exec view on every CPU. */
static void bp_reset_view(int p)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu_ptr(&bp_cpu, cpu)->view[p] = BPTAB_VIEW_EXEC;
}

static void bp_changed(void)
{
	atomic_inc(&bp.gen);
	/* This CPU; the others flush in hv_bp_on_resume(). */
	hv_invept_all();
}

static int bp_err(int e)
{
	switch (e) {
	case -28:
		return -RSP_ENOSPC;
	case -22:
		return -RSP_EINVAL;
	case -2:
		return 0;	/* removing what is not there: done */
	default:
		return -RSP_EIO;
	}
}

/* Give @owner the software breakpoint at @addr (guest-physical @pa):
 * bptab's returns. */
static int bp_add_owner(u64 addr, u64 pa, u32 owner)
{
	bool new_page, new_bp;
	u8 *byte = hv_gdb_phys(pa, 1);
	int p;

	if (!byte)
		return -14;
	bptab_set_page_limit(&bp.tab, (u16)READ_ONCE(bp.nshadow));
	p = bptab_add_bp_owner(&bp.tab, addr, pa, *byte, owner, &new_page,
			       &new_bp);
	if (p < 0 || !new_bp)
		return p;
	bp.nsw++;
	bp.dirty[p] = true;		/* (re)build the shadow */
	if (new_page)
		bp_reset_view(p);
	bp_apply_page(p);
	bp_changed();
	return p;
}

/* After @p's leaves were written: a page bp.c gave up goes back to the
 * events layer's own view (a detour's). */
static void bp_released(int p)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);

	if (!bp.tab.pages[p].used && m && m->page_released)
		m->page_released(bp.tab.pages[p].gpa);
}

/* Drop @owner from the breakpoint at @addr: 0, or -2. */
static int bp_del_owner(u64 addr, u32 owner)
{
	int p = bptab_del_bp_owner(&bp.tab, addr, owner);

	if (p < 0)
		return p;
	if (bptab_find_bp(&bp.tab, addr))
		return 0;		/* another owner keeps it */
	bp.nsw--;
	bp.dirty[p] = true;
	bp_apply_page(p);
	bp_changed();
	bp_released(p);
	return 0;
}

bool hv_gdb_page_hooked(u64 gpa)
{
	return bptab_page_of(&bp.tab, gpa) >= 0;
}

bool hv_gdb_page_watched(u64 gpa)
{
	int p = bptab_page_of(&bp.tab, gpa & ~0xfffULL);

	return p >= 0 && bp.tab.pages[p].nwatches;
}

bool hv_gdb_bp_in(u64 va, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (bptab_find_bp(&bp.tab, va + i))
			return true;
	return false;
}

bool hv_gdb_page_refresh(u64 gpa)
{
	int p = bptab_page_of(&bp.tab, gpa & ~0xfffULL);

	if (p < 0)
		return false;
	bp.dirty[p] = true;
	bp_apply_page(p);
	bp_changed();
	return true;
}

/* A page with an !epthook2 detour: watches refuse it (a watched page
 * has no execute-view copy to hold the detour). */
static bool bp_page_taken(u64 pa)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);

	return m && m->page_taken && m->page_taken(pa & ~0xfffULL);
}

/* One of a detour's patched bytes: breakpoints refuse it (the shadow
 * holds the detour's jmp there); elsewhere on the page they share it. */
static bool bp_bytes_taken(u64 pa)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);

	return m && m->bytes_taken && m->bytes_taken(pa);
}

static int bp_insert_sw(const struct gdb_cpu *g, u64 addr)
{
	u64 pa;
	int p;

	/* Without execute-only EPT, reads would see the 0xCC: refuse rather
	 * than let gdb write it into the text (docs/debugging.md). */
	if (!bp.xonly)
		return -RSP_EIO;
	if (hv_gdb_translate(g, addr, &pa))
		return -RSP_EFAULT;
	if (bp_bytes_taken(pa))
		return -RSP_EIO;
	p = bp_add_owner(addr, pa, BPTAB_OWNER_GDB);
	if (p == -17)
		return 0;
	return p < 0 ? bp_err(p) : 0;
}

static int bp_insert_watch(const struct gdb_cpu *g, enum rsp_bp_type type,
			   u64 addr, u32 len)
{
	bool new_page;
	u64 pa;
	int p;

	if ((type == RSP_WP_READ || type == RSP_WP_ACCESS) && !bp.xonly)
		return -RSP_EIO;
	if (hv_gdb_translate(g, addr, &pa))
		return -RSP_EFAULT;
	if (bp_page_taken(pa))
		return -RSP_EIO;
	p = bptab_add_watch(&bp.tab, addr, pa, len, (u8)type, &new_page);
	if (p == -17)
		return 0;
	if (p < 0)
		return bp_err(p);
	if (new_page)
		bp_reset_view(p);
	bp_apply_page(p);
	bp_changed();
	return 0;
}

int hv_bp_insert(const struct gdb_cpu *g, enum rsp_bp_type type, u64 addr,
		 u32 kind)
{
	int i, free = -1;

	switch (type) {
	case RSP_BP_SW:
		return bp_insert_sw(g, addr);
	case RSP_BP_HW:
		for (i = 0; i < BP_HW_SLOTS; i++) {
			if (bp.hw_used[i] && bp.hw[i] == addr)
				return 0;
			if (!bp.hw_used[i] && free < 0)
				free = i;
		}
		if (free < 0)
			return -RSP_ENOSPC;	/* 4 debug registers */
		bp.hw[free] = addr;
		bp.hw_used[free] = true;
		atomic_inc(&bp.gen);
		return 0;
	case RSP_WP_WRITE:
	case RSP_WP_READ:
	case RSP_WP_ACCESS:
		return bp_insert_watch(g, type, addr, kind);
	}
	return -RSP_EINVAL;
}

int hv_bp_remove(const struct gdb_cpu *g, enum rsp_bp_type type, u64 addr,
		 u32 kind)
{
	int i, p;

	switch (type) {
	case RSP_BP_SW:
		p = bp_del_owner(addr, BPTAB_OWNER_GDB);
		return p < 0 ? bp_err(p) : 0;
	case RSP_BP_HW:
		for (i = 0; i < BP_HW_SLOTS; i++)
			if (bp.hw_used[i] && bp.hw[i] == addr)
				bp.hw_used[i] = false;
		atomic_inc(&bp.gen);
		return 0;
	case RSP_WP_WRITE:
	case RSP_WP_READ:
	case RSP_WP_ACCESS:
		p = bptab_del_watch(&bp.tab, addr, kind, (u8)type);
		if (p < 0)
			return bp_err(p);
		bp_apply_page(p);
		bp_changed();
		return 0;
	}
	return -RSP_EINVAL;
}

/* gdb's breakpoints and watchpoints go (detach); the events' stay. */
void hv_bp_remove_all(void)
{
	int i, p;

	for (i = 0; i < BPTAB_MAX_BPS; i++)
		if (bp.tab.bps[i].used &&
		    bptab_bp_owned(&bp.tab.bps[i], BPTAB_OWNER_GDB))
			bp_del_owner(bp.tab.bps[i].va, BPTAB_OWNER_GDB);
	/* gdb's watches only: !monitor's belong to their events. */
	for (i = 0; i < BPTAB_MAX_WATCHES; i++) {
		const struct bptab_watch *w = &bp.tab.watches[i];

		if (!w->used || w->owner)
			continue;
		p = bptab_del_watch(&bp.tab, w->va, w->len, w->type);
		if (p >= 0)
			bp_apply_page(p);
	}
	memset(bp.hw_used, 0, sizeof(bp.hw_used));
	bp_changed();
}

/* The debug-register slots gdb's hardware breakpoints use (bit i = DRi). */
static u32 bp_hw_slots(void)
{
	u32 v = 0;
	int i;

	for (i = 0; i < BP_HW_SLOTS; i++)
		if (bp.hw_used[i])
			v |= 1u << i;
	return v;
}

void hv_bp_on_resume(struct hv_cpu *c)
{
	struct bp_cpu *bc = this_cpu_ptr(&bp_cpu);
	struct hv_ctl_extra *x = &c->extra[HV_OWN_GDB];
	int gen = atomic_read(&bp.gen);
	u32 slots = bp_hw_slots();
	int i;

	if (bc->seen_gen != gen) {
		hv_invept_all();
		bc->seen_gen = gen;
	}
	x->exception_bitmap &= ~((1u << 1) | (1u << 3));
	if (bp.nsw)
		x->exception_bitmap |= 1u << 3;		/* #BP */
	if (slots) {
		x->exception_bitmap |= 1u << 1;		/* #DB */
		/* Do not trap again on the instruction we stopped at
		 * (RF, SDM Vol. 3 18.3.1.1). */
		for (i = 0; i < BP_HW_SLOTS; i++)
			if (bp.hw_used[i] &&
			    bp.hw[i] == hv_vmread(VMCS_GUEST_RIP))
				hv_vmwrite(VMCS_GUEST_RFLAGS,
					   hv_vmread(VMCS_GUEST_RFLAGS) |
					   BP_RFLAGS_RF);
	}
	/* gdb's slots in the real DR0-3 and DR7, the guest's kept in a
	 * shadow meanwhile and given back when gdb lets go (dr.c). */
	hv_dr_load(c, bp.hw, slots);
	c->ctls_dirty = true;
}

/* Open hooked page @p fully until the step ends; false if too many. */
static bool bp_open(int p)
{
	struct bp_cpu *bc = this_cpu_ptr(&bp_cpu);
	int i;

	for (i = 0; i < BP_OPEN_MAX && bc->opened[i] >= 0; i++)
		if (bc->opened[i] == p)
			return true;
	if (i == BP_OPEN_MAX)
		return false;
	bc->opened[i] = p;
	/* This CPU's view only: the others keep trapping (#91). */
	hv_ept_set_4k_cpu(smp_processor_id(), bp.tab.pages[p].gpa,
			  bp.tab.pages[p].gpa, EPT_RWX);
	return true;
}

/* Open hooked page @p fully for one stepped instruction. */
static void bp_step_over(struct hv_cpu *c, int p, enum hv_step_kind kind)
{
	bp.stepovers++;
	bp_open(p);
	/* The leaf may have pointed at the shadow: this CPU's cached
	 * translations go, or the step could run its 0xCC (SDM 29.4.3.1). */
	hv_invept_all();
	hv_step_start(c, kind);
}

void hv_bp_step(struct hv_cpu *c, enum hv_step_kind kind)
{
	const struct bptab_bp *b = bptab_find_bp(&bp.tab,
						 hv_vmread(VMCS_GUEST_RIP));

	if (hv_step_kind() != HV_STEP_NONE)
		return;
	if (b)		/* run the real byte */
		bp_step_over(c, b->page, kind ? kind : HV_STEP_OVER);
	else if (kind)
		hv_step_start(c, kind);
}

/* A step is over: close the pages it opened. */
static void bp_step_done(void)
{
	struct bp_cpu *bc = this_cpu_ptr(&bp_cpu);
	int i;

	for (i = 0; i < BP_OPEN_MAX && bc->opened[i] >= 0; i++) {
		bp_apply_page_cpu(smp_processor_id(), bc->opened[i]);
		bc->opened[i] = -1;
	}
	if (i)
		hv_invept_all();
}

u32 hv_bp_owners(u64 rip)
{
	const struct bptab_bp *b = bptab_find_bp(&bp.tab, rip);
	u32 own = 0;

	if (!b)
		return 0;
	if (bptab_bp_owned(b, BPTAB_OWNER_GDB))
		own |= HV_BP_OWN_GDB;
	if (bptab_bp_has_events(b)) {
		own |= HV_BP_OWN_EVENTS;
		bp.hits_hook++;
	}
	return own;
}

/* bp.emul[]'s words: the decoded instruction in bits 0-31 (bit 31 set:
 * decoded, kind 0 included), the patch generation in bits 32-63; one
 * 64-bit store, so a CPU reading it never sees half of another's. */
#define BP_EMUL_DONE		(1u << 31)

static u64 bp_emul_pack(const struct bpemul *e, u32 gen)
{
	return (u64)gen << 32 | BP_EMUL_DONE | (u32)e->kind |
	       (u32)e->len << 8 | (u32)(e->reg & 15) << 16 |
	       (u32)(e->src & 15) << 20;
}

/*
 * The displaced instruction of @b, decoded from the original page at its
 * first hit and kept until a shadow page is patched again (a write to
 * the original text marks the page dirty; the cache is not used until
 * its shadow is rebuilt).  A hit thus reads no guest memory.
 */
static bool bp_emul_get(const struct bptab_bp *b, struct bpemul *e)
{
	int i = b - bp.tab.bps;
	u32 gen = READ_ONCE(bp.patch_gen);
	u64 w = READ_ONCE(bp.emul[i]);
	u64 pa = bp.tab.pages[b->page].gpa + b->off;
	u32 n = min_t(u32, 15, PAGE_SIZE - b->off);
	bool dirty = READ_ONCE(bp.dirty[b->page]);
	const u8 *insn;

	if (!dirty && (w & BP_EMUL_DONE) && (u32)(w >> 32) == gen) {
		e->kind = w & 0xff;
		e->len = (w >> 8) & 0xff;
		e->reg = (w >> 16) & 15;
		e->src = (w >> 20) & 15;
		return e->kind != BPEMUL_NONE;
	}
	insn = hv_gdb_phys(pa, n);
	if (!insn)
		return false;
	bpemul_decode(insn, n, e);
	if (!dirty)
		WRITE_ONCE(bp.emul[i], bp_emul_pack(e, gen));
	return e->kind != BPEMUL_NONE;
}

/*
 * Run the displaced instruction of breakpoint @b here, if bpemul knows
 * it: no step, no second exit, and the page never opens (so no other CPU
 * runs the hooked page unmonitored meanwhile).  A push writes the kernel
 * stack through the guest's page tables; user stacks are left to the
 * step (a copy-on-write page must not be written behind the kernel).
 * @rip: the guest's RIP, at @b.
 */
static bool bp_emulate(struct hv_cpu *c, struct hv_regs *r,
		       const struct bptab_bp *b, u64 rip)
{
	struct bpemul e;
	u64 rsp, val;

	if (!bp_emul_get(b, &e))
		return false;
	hv_prof(HV_PROF_FETCH);
	if (hv_vmread(VMCS_GUEST_RFLAGS) & (1ULL << 8))	/* TF: its #DB */
		return false;
	switch (e.kind) {
	case BPEMUL_PUSH:
		if (hv_guest_cpl())
			return false;
		val = hv_guest_gpr(r, e.reg);
		rsp = hv_vmread(VMCS_GUEST_RSP) - 8;
		if (hv_gdb_write_current(rsp, (const u8 *)&val, 8))
			return false;
		hv_vmwrite(VMCS_GUEST_RSP, rsp);
		break;
	case BPEMUL_MOV:
		/* REX.W is 64-bit mode's (CS.L, SDM Vol. 3A 3.4.5): in
		 * compatibility mode 0x48 is dec %eax.  Leave it to the step. */
		if (!(hv_vmread(VMCS_GUEST_CS_AR) & (1u << 13)))
			return false;
		hv_set_guest_gpr(r, e.reg, hv_guest_gpr(r, e.src));
		break;
	}
	hv_vmwrite(VMCS_GUEST_RIP, rip + e.len);
	bp.emulated++;
	hv_prof(HV_PROF_EMUL);
	return true;
}

void hv_bp_pass(struct hv_cpu *c, struct hv_regs *r)
{
	u64 rip = hv_vmread(VMCS_GUEST_RIP);
	const struct bptab_bp *b = bptab_find_bp(&bp.tab, rip);

	hv_prof(HV_PROF_PASS);
	if (!b || hv_step_kind() != HV_STEP_NONE)
		return;
	if (!bp_emulate(c, r, b, rip))
		bp_step_over(c, b->page, HV_STEP_OVER);
}

bool hv_bp_on_int3(struct hv_cpu *c, struct hv_regs *r, struct rsp_stop *stop)
{
	u64 rip = hv_vmread(VMCS_GUEST_RIP);
	const struct bptab_bp *b = bptab_find_bp(&bp.tab, rip);

	if (!b || !bptab_bp_owned(b, BPTAB_OWNER_GDB)) {
		if (!b)
			bp.foreign_bp++;
		return false;
	}
	bp.hits_sw++;
	stop->tid = c->cpu + 1;
	stop->signal = RSP_SIGTRAP;
	stop->reason = RSP_STOP_SWBREAK;
	return true;
}

static void bp_watch_stop(struct rsp_stop *stop, int cpu)
{
	struct bp_cpu *bc = this_cpu_ptr(&bp_cpu);

	stop->tid = cpu + 1;
	stop->signal = RSP_SIGTRAP;
	stop->addr = bc->watch_addr;
	stop->reason = bc->watch_type == BPTAB_WRITE ? RSP_STOP_WATCH :
		       bc->watch_type == BPTAB_READ ? RSP_STOP_RWATCH :
		       RSP_STOP_AWATCH;
}

/* The end of a step (MTF exit or #DB with BS): what to report. */
static void bp_step_finished(struct hv_cpu *c, struct rsp_stop *stop)
{
	struct bp_cpu *bc = this_cpu_ptr(&bp_cpu);
	enum hv_step_kind kind = hv_step_end(c);
	u32 i, n = bc->nmon;

	bp_step_done();
	/* !monitor's post stage: the access is done. */
	bc->nmon = 0;
	for (i = 0; i < n && bp.mon_hook; i++)
		bp.mon_hook(c, c->regs, bc->mon_owner[i], bc->mon_ctx[i],
			    bc->mon_acc[i], true);
	stop->tid = 0;
	if (bc->watch_type) {		/* a watched access: it wins */
		bp.hits_watch++;
		bp_watch_stop(stop, c->cpu);
		bc->watch_type = 0;
	} else if (kind == HV_STEP_GDB) {
		stop->tid = c->cpu + 1;
		stop->signal = RSP_SIGTRAP;
		stop->reason = RSP_STOP_SIGNAL;
	} else if (kind == HV_STEP_TRACK) {
		bc->track_done = true;
	}
}

bool hv_bp_take_track(void)
{
	struct bp_cpu *bc = this_cpu_ptr(&bp_cpu);
	bool t = bc->track_done;

	bc->track_done = false;
	return t;
}

bool hv_bp_on_mtf(struct hv_cpu *c, struct rsp_stop *stop)
{
	if (hv_step_kind() == HV_STEP_NONE)
		return false;
	bp_step_finished(c, stop);
	return true;
}

bool hv_bp_on_db(struct hv_cpu *c, struct hv_regs *r, u64 qual,
		 struct rsp_stop *stop)
{
	int i;

	if (hv_step_is_ours_db(qual)) {
		bp_step_finished(c, stop);
		return true;
	}
	for (i = 0; i < BP_HW_SLOTS; i++) {
		if ((qual & (1ULL << i)) && bp.hw_used[i]) {
			bp.hits_hw++;
			stop->tid = c->cpu + 1;
			stop->signal = RSP_SIGTRAP;
			stop->reason = RSP_STOP_HWBREAK;
			return true;
		}
	}
	return false;
}

/*
 * How many bytes the instruction at RIP touches from the faulting address
 * on: a REP string instruction (MOVS, STOS, LODS, CMPS, SCAS) runs all its
 * iterations in one step where TF does not stop between them (Bochs), so
 * it counts as RCX elements; anything else as the rest of its 8-byte word.
 */
static u32 bp_access_len(struct hv_regs *r, u64 gpa)
{
	u8 insn[15];
	u32 size = 4, i;
	bool rep = false, rexw = false, a32 = false;
	u64 count;
	long n = hv_gdb_read_current(hv_vmread(VMCS_GUEST_RIP), insn,
				     sizeof(insn));

	for (i = 0; n > 0 && i < (u32)n; i++) {
		u8 b = insn[i];

		if (b == 0xf3 || b == 0xf2)
			rep = true;
		else if (b == 0x66)
			size = 2;
		else if (b == 0x67)
			a32 = true;
		else if ((b & 0xf0) == 0x40)
			rexw = b & 8;
		else if (b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 ||
			 b == 0x64 || b == 0x65)
			continue;
		else
			break;
	}
	if (n <= 0 || i >= (u32)n || !rep || insn[i] < 0xa4 || insn[i] > 0xaf ||
	    insn[i] == 0xa8 || insn[i] == 0xa9)
		return 8 - (gpa & 7);
	if (!(insn[i] & 1))
		size = 1;
	else if (rexw)
		size = 8;
	count = r->gpr[HV_RCX];
	if (a32)
		count &= 0xffffffff;
	/* Forward copies only (DF=0, as the kernel's are); bounded by the
	 * page, which is all a watch on this page can see. */
	if (!count || count > PAGE_SIZE)
		count = PAGE_SIZE;
	return (u32)min_t(u64, count * size, PAGE_SIZE - (gpa & ~PAGE_MASK));
}

/* Skip the instruction at RIP (a short-circuited access); false when it
 * cannot be read or decoded. */
static bool bp_skip_insn(void)
{
	u64 rip = hv_vmread(VMCS_GUEST_RIP);
	bool l64 = hv_vmread(VMCS_GUEST_CS_AR) & (1u << 13);	/* CS.L */
	u8 insn[15];
	long n = hv_gdb_read_current(rip, insn, sizeof(insn));
	int len = n > 0 ? insn_len(insn, (size_t)n, l64 ? 64 : 32) : -1;

	if (len <= 0)
		return false;
	hv_vmwrite(VMCS_GUEST_RIP, rip + len);
	return true;
}

/*
 * !monitor at an EPT violation on hooked page @p: the pre stage of every
 * monitor the access hits, each with its $context, and the hits kept for
 * the post stage at the end of the step.  True when the violation is
 * done with: a pre stage short-circuited it (reads and writes: the
 * instruction is skipped; execution: blocked, RIP stays unless the
 * script moved it, so the next fetch traps again).  Inside a step (one
 * instruction on several pages) short-circuiting is not honoured: the
 * hits only join the post stage.
 */
static bool bp_mon_hits(struct hv_cpu *c, struct hv_regs *r, int p, u64 gpa,
			u64 qual, u32 *alen)
{
	struct bp_cpu *bc = this_cpu_ptr(&bp_cpu);
	const struct bptab_watch *w;
	u8 acc = (qual & BP_QUAL_FETCH) ? BPTAB_X :
		 (qual & BP_QUAL_WRITE) ? BPTAB_W : BPTAB_R;
	bool stepping = hv_step_kind() != HV_STEP_NONE, sc = false;
	int from = 0;
	u64 addr;
	u32 len;

	if (!bp.mon_hook || !bp.tab.pages[p].nwatches)
		return false;
	if (acc == BPTAB_X)
		len = 1;
	else
		len = *alen = bp_access_len(r, gpa);
	if (!stepping)
		bc->nmon = 0;
	while ((w = bptab_mon_next(&bp.tab, p, gpa, len, acc, &from, &addr))) {
		bp.hits_mon++;
		if (bp.mon_hook(c, r, w->owner, addr, acc, false) && !stepping)
			sc = true;
		if (bc->nmon < BP_MON_HITS) {
			bc->mon_owner[bc->nmon] = w->owner;
			bc->mon_ctx[bc->nmon] = addr;
			bc->mon_acc[bc->nmon] = acc;
			bc->nmon++;
		}
	}
	if (!sc)
		return false;
	bp.mon_sc++;
	bc->nmon = 0;
	if (acc != BPTAB_X)
		bp_skip_insn();
	return true;
}

/* The instruction fetched at @rip from page @p starts at a breakpoint. */
static bool bp_fetch_is_bp(int p, u64 rip)
{
	const struct bptab_bp *b = bptab_find_bp(&bp.tab, rip);

	return b && b->page == p;
}

bool hv_bp_on_ept_violation(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
			    u64 qual)
{
	struct bp_cpu *bc = this_cpu_ptr(&bp_cpu);
	int p = bptab_page_of(&bp.tab, gpa);
	u64 rip = hv_vmread(VMCS_GUEST_RIP), addr;
	struct bptab_page *pg;
	const struct bptab_watch *w;
	bool write = qual & BP_QUAL_WRITE;
	bool again;
	u32 alen = 0;	/* the access's length, decoded once (a page walk) */

	if (p < 0)
		return false;
	hv_prof_kind(HV_PROF_K_EPTV);
	hv_prof(HV_PROF_LOOKUP);
	pg = &bp.tab.pages[p];
	if (bp_mon_hits(c, r, p, gpa, qual, &alen))
		return true;
	/* An X watch leaves the page no execute view: each fetch is stepped
	 * from the original page, where the shadow's 0xCC is not, so a
	 * breakpoint's own byte fetched here is its hit. */
	if ((qual & BP_QUAL_FETCH) && pg->nbps &&
	    hv_step_kind() == HV_STEP_NONE &&
	    !(bptab_perms(&bp.tab, p, BPTAB_VIEW_EXEC) & BPTAB_X) &&
	    bp_fetch_is_bp(p, rip) && gdb_bp_fetched(c, r))
		return true;
	if (!(qual & BP_QUAL_FETCH)) {
		w = bptab_watch_hit(&bp.tab, p, gpa,
				    alen ? alen : bp_access_len(r, gpa),
				    write, &addr);
		if (write)
			bp.dirty[p] = true;
		if (w && !bc->watch_type) {
			bc->watch_addr = addr;
			bc->watch_type = w->type;
		}
	} else {
		w = NULL;
	}
	/* Inside a step (one instruction touching several hooked pages):
	 * open this one too. */
	if (hv_step_kind() != HV_STEP_NONE) {
		if (!bp_open(p))
			return false;
		hv_invept_all();
		return true;
	}
	if (w) {
		bp_step_over(c, p, HV_STEP_WATCH);
		return true;
	}
	/* The same instruction flipping the same page back: it needs both
	 * views at once. */
	again = bc->last_flip_rip == rip && bc->last_flip_page == p;
	if (qual & BP_QUAL_FETCH) {
		if (!pg->nbps || bc->view[p] == BPTAB_VIEW_EXEC || again) {
			bp_step_over(c, p, HV_STEP_OVER);
			return true;
		}
		bc->view[p] = BPTAB_VIEW_EXEC;
	} else {
		if (!pg->nbps || bc->view[p] == BPTAB_VIEW_DATA || again ||
		    !(bptab_perms(&bp.tab, p, BPTAB_VIEW_DATA) &
		      (write ? BPTAB_W : BPTAB_R))) {
			bp_step_over(c, p, HV_STEP_OVER);
			return true;
		}
		bc->view[p] = BPTAB_VIEW_DATA;
	}
	bp.flips++;
	bc->last_flip_rip = rip;
	bc->last_flip_page = p;
	/* The flip is this CPU's; the others keep their own view. */
	bp_apply_page_cpu(c->cpu, p);
	hv_invept_all();
	return true;
}

/* ---- !monitor's watches (bp.h) ---- */

void hv_bp_set_mon_hook(hv_bp_mon_hook_t fn)
{
	bp.mon_hook = fn;
}

bool hv_bp_xonly(void)
{
	return bp.xonly;
}

bool hv_bp_page_hooked(u64 pa)
{
	return bptab_page_of(&bp.tab, pa) >= 0;
}

bool hv_bp_mon_room(u32 npages, u32 new_pages)
{
	return npages <= bptab_free_watches(&bp.tab) &&
	       new_pages <= bptab_free_pages(&bp.tab);
}

int hv_bp_mon_add(u32 owner, u64 ctx, u64 pa, u32 len, u8 acc)
{
	bool new_page;
	int p = bptab_add_mon(&bp.tab, owner, ctx, pa, len, acc, &new_page);

	if (p < 0)
		return p;
	if (new_page)
		bp_reset_view(p);
	bp_apply_page(p);
	bp_changed();
	return 0;
}

void hv_bp_mon_del(u32 owner)
{
	int p, n = 0;

	while ((p = bptab_del_owner(&bp.tab, owner)) >= 0) {
		bp_apply_page(p);
		n++;
	}
	if (n)
		bp_changed();
}

void hv_bp_show(struct seq_file *m)
{
	int i, pages = 0, watches = 0, hw = 0;

	for (i = 0; i < BPTAB_MAX_PAGES; i++)
		pages += bp.tab.pages[i].used;
	for (i = 0; i < BPTAB_MAX_WATCHES; i++)
		watches += bp.tab.watches[i].used;
	for (i = 0; i < BP_HW_SLOTS; i++)
		hw += bp.hw_used[i];
	seq_printf(m, "breakpoints sw %d hw %d watch %d pages %d xonly %d\n",
		   bp.nsw, hw, watches, pages, bp.xonly);
	seq_printf(m, "hits sw %llu hw %llu watch %llu foreign_bp %llu flips %llu stepovers %llu held_irqs %llu\n",
		   bp.hits_sw, bp.hits_hw, bp.hits_watch, bp.foreign_bp,
		   bp.flips, bp.stepovers, hv_step_held_total());
	seq_printf(m, "monitor hits %llu sc %llu\n", bp.hits_mon, bp.mon_sc);
	seq_printf(m, "hooks: hits %llu emulated %llu; shadow pages %u of %u in use\n",
		   bp.hits_hook, bp.emulated, bptab_pages_used(&bp.tab),
		   READ_ONCE(bp.nshadow));
}

int hv_bp_init(void)
{
	int cpu;

	memset(&bp, 0, sizeof(bp));
	bptab_init(&bp.tab);
	bp.xonly = hv.msrs.ept_vpid & HV_EPTCAP_XONLY;
	for_each_possible_cpu(cpu) {
		struct bp_cpu *bc = per_cpu_ptr(&bp_cpu, cpu);

		memset(bc, 0, sizeof(*bc));
		memset(bc->opened, 0xff, sizeof(bc->opened));
		bc->last_flip_page = -1;
	}
	if (hv_gdb_hook_grow(BP_SHADOW_INIT) != BP_SHADOW_INIT) {
		hv_bp_exit();
		return -ENOMEM;
	}
	bptab_set_page_limit(&bp.tab, (u16)bp.nshadow);
	return 0;
}

void hv_bp_exit(void)
{
	int i;

	for (i = 0; i < BPTAB_MAX_PAGES; i++) {
		if (bp.shadow_pg[i])
			__free_page(bp.shadow_pg[i]);
		bp.shadow_pg[i] = NULL;
	}
	bp.nshadow = 0;
}

/* ---- hidden breakpoints of monitor events (gdb.h) ---- */

int hv_gdb_hook_grow(u32 n)
{
	u32 i = READ_ONCE(bp.nshadow), added = 0;

	for (; added < n && i < BPTAB_MAX_PAGES; i++, added++) {
		bp.shadow_pg[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!bp.shadow_pg[i])
			break;
		bp.shadow_pa[i] = page_to_phys(bp.shadow_pg[i]);
		/* The page before the count: a command reads the count. */
		smp_wmb();
		WRITE_ONCE(bp.nshadow, i + 1);
	}
	return added;
}

void hv_gdb_hook_pool(u32 *used, u32 *cap)
{
	*used = bptab_pages_used(&bp.tab);
	*cap = READ_ONCE(bp.nshadow);
}

/* gdb's selected CPU's view of @va (or .process's): its RAM address. */
static int bp_hook_translate(u64 va, u64 *pa)
{
	int cpu = hv_gdb_selected_cpu();
	struct gdb_cpu *g = cpu >= 0 ? hv_gdb_cpu_state(cpu) : NULL;

	if (!g)
		return -ENODEV;
	if (hv_gdb_translate(g, va, pa) || !hv_gdb_phys(*pa, 1))
		return -EFAULT;
	return 0;
}

int hv_gdb_hook_check(u64 va, bool *new_page)
{
	const struct bptab_bp *b = bptab_find_bp(&bp.tab, va);
	u64 pa;
	int r, i, free_bp = 0;

	*new_page = false;
	if (!bp.xonly)
		return -EOPNOTSUPP;
	r = bp_hook_translate(va, &pa);
	if (r)
		return r;
	if (bp_bytes_taken(pa))
		return -EBUSY;
	if (b)
		return b->nowners < BPTAB_OWNERS ? 0 : -EUSERS;
	for (i = 0; i < BPTAB_MAX_BPS && !free_bp; i++)
		free_bp = !bp.tab.bps[i].used;
	if (!free_bp)
		return -EUSERS;
	if (bptab_page_of(&bp.tab, pa) >= 0)
		return 0;
	*new_page = true;
	return bptab_pages_used(&bp.tab) < READ_ONCE(bp.nshadow) ? 0 : -ENOSPC;
}

int hv_gdb_hook_add(u64 va, u32 id)
{
	u64 pa;
	int r = bp.xonly ? bp_hook_translate(va, &pa) : -EOPNOTSUPP;

	if (r)
		return r;
	smp_rmb();
	r = bp_add_owner(va, pa, id);
	switch (r) {
	case -17:
		return -EEXIST;
	case -28:
		return -ENOSPC;
	case -22:
		return -EINVAL;
	case -14:
		return -EFAULT;
	}
	return r < 0 ? -EIO : 0;
}

void hv_gdb_hook_sweep(bool (*keep)(u32 id, u64 va))
{
	int i, j;

	for (i = 0; i < BPTAB_MAX_BPS; i++) {
		struct bptab_bp *b = &bp.tab.bps[i];

		for (j = 0; b->used && j < b->nowners;) {
			u32 id = b->owner[j];

			if (id == BPTAB_OWNER_GDB || keep(id, b->va))
				j++;
			else
				bp_del_owner(b->va, id);	/* moves the last here */
		}
	}
}

int hv_gdb_hook_count(void)
{
	int i, n = 0;

	for (i = 0; i < BPTAB_MAX_BPS; i++)
		n += bp.tab.bps[i].used && bptab_bp_has_events(&bp.tab.bps[i]);
	return n;
}
