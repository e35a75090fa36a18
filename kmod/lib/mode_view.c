// SPDX-License-Identifier: GPL-2.0
/* mode_view.c - EPT views for !mode; see mode_view.h. */
#include "hvgdb/freestanding.h"
#include "kmod/lib/mode_view.h"
#include "kmod/lib/vmx_defs.h"

#define MV_ENTRIES	512
#define MV_2M		(1ULL << 21)
#define MV_1G		(1ULL << 30)
/* Non-leaf entries: permissions and the table address only (29.3.2). */
#define MV_TABLE_BITS	(EPT_RWX | EPT_ADDR_MASK)

enum mode_mech mode_mech_choose(u64 proc2_cap, bool ept)
{
	if (!ept)
		return MODE_MECH_NONE;
	if ((proc2_cap >> 32) & HV_PROC2_MODE_BASED_EPT_EXEC)
		return MODE_MECH_MBEC;
	return MODE_MECH_VIEWS;
}

const char *mode_mech_name(enum mode_mech m)
{
	switch (m) {
	case MODE_MECH_MBEC:
		return "mode-based execute control (MBEC)";
	case MODE_MECH_VIEWS:
		return "EPT execute views switched at the process's CR3 loads "
		       "and execute violations (no MBEC on this CPU)";
	default:
		return "none (hvgdb runs without EPT)";
	}
}

static bool present(u64 e)
{
	return (e & EPT_RWX) != 0;
}

static bool overlaps(u64 a, u64 size, u64 lo, u64 hi)
{
	return a < hi && a + size > lo;
}

/* A view entry covering [gpa, gpa + size) with X as the kind wants. */
static u64 shape(const struct mode_view *v, u64 e, u64 gpa, u64 size)
{
	bool text = overlaps(gpa, size, v->text_lo, v->text_hi);

	if (!present(e))
		return e;
	if (v->kind == MV_USER)
		return text && size == MV_2M ? e & ~EPT_X : e;
	return text ? e : e & ~EPT_X;
}

static const u64 *base_table(const struct ept_table *base, u64 e)
{
	return base->pg.phys_to_virt(base->pg.ctx, e & EPT_ADDR_MASK);
}

/* PD i of the view from the base's PDPT entry @e (1 GiB leaf or table). */
static void build_pd(struct mode_view *v, const struct ept_table *base,
		     u32 i, u64 e)
{
	u64 *pd = v->pd[i].v;
	u64 gpa0 = (u64)i * MV_1G;
	u32 j;

	if (e & EPT_LARGE) {
		u64 attrs = e & (EPT_RWX | EPT_MT_MASK | EPT_IPAT);

		for (j = 0; j < MV_ENTRIES; j++)
			pd[j] = ((e & EPT_ADDR_MASK) + (u64)j * MV_2M) |
				attrs | EPT_LARGE;
	} else {
		memcpy(pd, base_table(base, e), 4096);
	}
	for (j = 0; j < MV_ENTRIES; j++)
		pd[j] = shape(v, pd[j], gpa0 + (u64)j * MV_2M, MV_2M);
	v->has_pd[i] = true;
	/* The view's PDPT entry: a table, executable (its PD decides). */
	v->pdpt.v[i] = v->pd[i].pa | (e & EPT_RWX) | EPT_X;
}

int mode_view_build(struct mode_view *v, enum mode_view_kind kind,
		    const struct ept_table *base, u64 text_lo, u64 text_hi)
{
	const u64 *bpml4 = base->pml4, *bpdpt;
	u32 i;

	v->kind = kind;
	v->text_lo = text_lo;
	v->text_hi = text_hi;
	v->pt_used = 0;
	v->grants_4k = v->grants_2m = v->grants_1g = 0;
	memset(v->has_pd, 0, sizeof(v->has_pd));
	if (!present(bpml4[0]) || (bpml4[0] & EPT_LARGE))
		return -1;
	/* PML4: entry 0 to our PDPT; above 512 GiB the base's, without X
	 * in the kernel view (no kernel text up there). */
	for (i = 0; i < MV_ENTRIES; i++) {
		u64 e = bpml4[i];

		v->pml4.v[i] = kind == MV_KERNEL && present(e) ? e & ~EPT_X : e;
	}
	v->pml4.v[0] = v->pdpt.pa | (bpml4[0] & EPT_RWX);
	bpdpt = base_table(base, bpml4[0]);
	for (i = 0; i < MV_ENTRIES; i++) {
		u64 e = bpdpt[i];

		if (i < MV_PDS && present(e)) {
			build_pd(v, base, i, e);
			continue;
		}
		v->pdpt.v[i] = shape(v, e, (u64)i * MV_1G, MV_1G);
	}
	return 0;
}

/* Walk the view for @gpa: the entries of each level, top first; returns
 * how many were read (the last is the leaf or a non-present entry). */
static int walk(const struct ept_table *base, const u64 *top, u64 pa_top,
		const struct mode_view *v, u64 gpa, u64 *ents)
{
	const u64 *t = top;
	int l, n = 0;

	(void)pa_top;
	for (l = 3; l >= 0; l--) {
		u64 e = t[(gpa >> (12 + 9 * l)) & (MV_ENTRIES - 1)];
		u64 next;
		u32 k;

		ents[n++] = e;
		if (!present(e) || (l < 3 && l > 0 && (e & EPT_LARGE)) ||
		    l == 0)
			break;
		next = e & EPT_ADDR_MASK;
		t = NULL;
		if (v) {
			if (next == v->pdpt.pa)
				t = v->pdpt.v;
			for (k = 0; !t && k < MV_PDS; k++)
				if (v->has_pd[k] && next == v->pd[k].pa)
					t = v->pd[k].v;
			for (k = 0; !t && k < v->pt_used; k++)
				if (next == v->pt[k].pa)
					t = v->pt[k].v;
		}
		if (!t)
			t = base_table(base, e);
	}
	return n;
}

static bool exec_ok(const u64 *ents, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!present(ents[i]) || !(ents[i] & EPT_X))
			return false;
	return true;
}

bool mode_view_blocks_exec(const struct mode_view *v,
			   const struct ept_table *base, u64 gpa)
{
	u64 b[4], w[4];
	int nb = walk(base, base->pml4, base->pml4_pa, NULL, gpa, b);
	int nw = walk(base, v->pml4.v, v->pml4.pa, v, gpa, w);

	return exec_ok(b, nb) && !exec_ok(w, nw);
}

enum mv_grant mode_view_grant(struct mode_view *v,
			      const struct ept_table *base, u64 gpa)
{
	u32 i = (u32)(gpa >> 30), j = (u32)(gpa >> 21) & (MV_ENTRIES - 1);
	u32 k = (u32)(gpa >> 12) & (MV_ENTRIES - 1), n;
	u64 *pde, e, *pt;

	(void)base;
	if (v->kind != MV_KERNEL)
		return MV_GRANT_NONE;
	if (gpa >> 39) {
		u32 p = (u32)(gpa >> 39) & (MV_ENTRIES - 1);

		if (!present(v->pml4.v[p]))
			return MV_GRANT_NONE;
		v->pml4.v[p] |= EPT_X;
		v->grants_1g++;
		return MV_GRANT_1G;
	}
	if (i >= MV_PDS || !v->has_pd[i]) {
		if (!present(v->pdpt.v[i]))
			return MV_GRANT_NONE;
		v->pdpt.v[i] |= EPT_X;
		v->grants_1g++;
		return MV_GRANT_1G;
	}
	pde = &v->pd[i].v[j];
	e = *pde;
	if (!present(e))
		return MV_GRANT_NONE;
	/* Already one of our tables: one more page. */
	for (n = 0; n < v->pt_used; n++) {
		if ((e & EPT_ADDR_MASK) == v->pt[n].pa && !(e & EPT_LARGE)) {
			v->pt[n].v[k] |= EPT_X;
			v->grants_4k++;
			return MV_GRANT_4K;
		}
	}
	/* A 2 MiB leaf and a table left: split it in the view only.  A base
	 * table is never copied (the base flips its entries at run time). */
	if ((e & EPT_LARGE) && v->pt_used < MV_PTS) {
		u64 attrs = e & (EPT_RWX | EPT_MT_MASK | EPT_IPAT);

		pt = v->pt[v->pt_used].v;
		for (n = 0; n < MV_ENTRIES; n++)
			pt[n] = (((e & EPT_ADDR_MASK) + (u64)n * 4096) |
				 attrs) & ~EPT_X;
		pt[k] |= EPT_X;
		*pde = v->pt[v->pt_used].pa | (e & EPT_RWX) | EPT_X;
		v->pt_used++;
		v->grants_4k++;
		return MV_GRANT_4K;
	}
	*pde = e | EPT_X;
	v->grants_2m++;
	return MV_GRANT_2M;
}

void mode_mbec_pml4(u64 *dst, const u64 *src, bool user_exec)
{
	u32 i;

	for (i = 0; i < MV_ENTRIES; i++) {
		u64 e = src[i];

		if (present(e))
			e &= user_exec ? ~EPT_X : ~EPT_XU;
		dst[i] = e;
	}
}

#define MV_QUAL_FETCH		(1ULL << 2)
#define MV_QUAL_XS		(1ULL << 5)
#define MV_QUAL_XU		(1ULL << 6)

int mode_mbec_transition(u64 qual, u32 cpl)
{
	if (!(qual & MV_QUAL_FETCH))
		return -1;
	if (cpl == 3)
		return (qual & MV_QUAL_XU) ? -1 : 3;
	return (qual & MV_QUAL_XS) ? -1 : 0;
}
