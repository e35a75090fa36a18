/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mode_view.h - the EPT views behind HyperDbg's !mode (user/kernel
 * transitions of one process), pure functions over ept.h tables.
 *
 * Two mechanisms (SDM Vol. 3C 25.6.2, 29.3.3):
 *
 * - MBEC, "mode-based execute control for EPT" (secondary processor-based
 *   control bit 22): EPT bit 2 allows supervisor-mode fetches and bit 10
 *   user-mode fetches, both needed at every level.  One view without user
 *   execute catches the process's first user-mode fetch, one without
 *   supervisor execute its first kernel-mode fetch.  Exact; needs the base
 *   tables to carry bit 10 wherever bit 2 is set (mode_mbec_fix_base()).
 * - Without MBEC: execute views by guest-physical region.  The "user" view
 *   (loaded while the process runs in user mode) has the kernel's text not
 *   executable, so the first fetch of any entry to the kernel (the IDT and
 *   LSTAR targets are all kernel text) exits; the "kernel" view (loaded
 *   while it runs in the kernel) has nothing executable but the kernel's
 *   text, so the first user-mode fetch exits.  Kernel code outside the text
 *   (modules, BPF, trampolines) that runs in the kernel view is granted
 *   execute as it is met: 4 KiB at a time while private page tables last,
 *   else the 2 MiB region (mode_view_grant()).  The guest's CPL at the exit
 *   says which side fetched.
 *
 * A view copies the base's upper levels (PML4, the PDPT of the first 512
 * GiB, the PDs of the first MV_PDS GiB) and shares every table below them,
 * so base edits under them (breakpoint flips on 4 KiB entries) show
 * through; edits of the copied levels need mode_view_build() again.
 * Views are per CPU: nothing here locks; the caller flushes (INVEPT).
 */
#ifndef HVGDB_KMOD_MODE_VIEW_H
#define HVGDB_KMOD_MODE_VIEW_H

#include "hvgdb/freestanding.h"
#include "kmod/lib/ept.h"

#define MV_PDS		4	/* GiB of the view at 2 MiB granularity */
#define MV_PTS		8	/* private 4 KiB tables for grants */
#define MV_PAGES	(2 + MV_PDS + MV_PTS)

enum mode_mech {
	MODE_MECH_NONE,		/* no EPT: !mode is refused */
	MODE_MECH_MBEC,		/* mode-based execute control */
	MODE_MECH_VIEWS,	/* execute views by region, CPL at the exit */
};

enum mode_view_kind {
	MV_USER,		/* kernel text not executable */
	MV_KERNEL,		/* only kernel text (and grants) executable */
};

struct mv_page {
	u64 *v;
	u64 pa;
};

struct mode_view {
	enum mode_view_kind kind;
	struct mv_page pml4, pdpt, pd[MV_PDS], pt[MV_PTS];
	bool has_pd[MV_PDS];
	u32 pt_used;
	u64 text_lo, text_hi;	/* guest-physical, [lo, hi) */
	u32 grants_4k, grants_2m, grants_1g;
};

/*
 * Which mechanism the CPU allows: @proc2_cap is IA32_VMX_PROCBASED_CTLS2
 * (allowed-1 settings in bits 63:32), @ept whether hvgdb runs with EPT.
 */
enum mode_mech mode_mech_choose(u64 proc2_cap, bool ept);
const char *mode_mech_name(enum mode_mech m);

/*
 * Fill @v (its pages set by the caller, each 4 KiB) as a view of @base of
 * @kind for kernel text [text_lo, text_hi).  0, or -1 when the base has no
 * PML4 entry 0 (nothing to view).  Resets the grants.
 */
int mode_view_build(struct mode_view *v, enum mode_view_kind kind,
		    const struct ept_table *base, u64 text_lo, u64 text_hi);

/* The view's PML4 as an EPTP: @base_eptp's low bits (memory type, walk
 * length, A/D) with the view's table. */
static inline u64 mode_view_eptp(const struct mode_view *v, u64 base_eptp)
{
	return (base_eptp & 0xfffULL) | v->pml4.pa;
}

/*
 * True when a fetch at @gpa is refused by the view but allowed by the base
 * (so an execute violation there is the view's doing).
 */
bool mode_view_blocks_exec(const struct mode_view *v,
			   const struct ept_table *base, u64 gpa);

/* Granularity mode_view_grant() used. */
enum mv_grant { MV_GRANT_NONE, MV_GRANT_4K, MV_GRANT_2M, MV_GRANT_1G };

/*
 * Kernel view: let fetches at @gpa run (kernel code outside the text).
 * 4 KiB when the base maps the region with a 2 MiB leaf and a private
 * table is left, else the whole 2 MiB (or 1 GiB above MV_PDS GiB).
 */
enum mv_grant mode_view_grant(struct mode_view *v,
			      const struct ept_table *base, u64 gpa);

/* ---- MBEC (not the mechanism of every CPU: kept pure and tested) ---- */

/* A base entry with user execute wherever it has (supervisor) execute. */
static inline u64 mode_mbec_fix_entry(u64 e)
{
	return (e & EPT_X) ? (e | EPT_XU) : e;
}

/*
 * An MBEC view's PML4 from the base's: @user_exec false clears bit 10
 * (the view for a process in the kernel: its first user fetch exits),
 * true clears bit 2 (for a process in user mode: its first kernel fetch
 * exits).  512 entries.
 */
void mode_mbec_pml4(u64 *dst, const u64 *src, bool user_exec);

/*
 * An EPT violation's exit qualification (SDM Vol. 3C Table 28-7) under
 * MBEC: 3 when a user-mode fetch was refused for lack of bit 10, 0 when a
 * supervisor-mode fetch was refused for lack of bit 2, -1 otherwise.
 * Bit 2: the access was a fetch; bit 5: the entries allowed supervisor
 * execute; bit 6: they allowed user execute; bit 7 and 8: the linear
 * address was valid and the access was to the final translation; the
 * mode of the fetch is the guest's CPL, given as @cpl.
 */
int mode_mbec_transition(u64 qual, u32 cpl);

#endif /* HVGDB_KMOD_MODE_VIEW_H */
