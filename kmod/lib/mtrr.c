// SPDX-License-Identifier: GPL-2.0
/* mtrr.c - MTRR memory-type computation (see mtrr.h). */
#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/mtrr.h"

#define MTRR_FIXED_END	0x100000ULL
#define MTRR_VAR_VALID	(1ULL << 11)

void hv_mtrr_set_fixed(struct hv_mtrr *m, const u64 msr[11])
{
	unsigned int i, b;

	/* FIX64K_00000, FIX16K_80000, FIX16K_A0000, FIX4K_C0000..F8000. */
	for (i = 0; i < 11; i++)
		for (b = 0; b < 8; b++)
			m->fixed[i * 8 + b] = (u8)(msr[i] >> (8 * b));
}

static int mtrr_fixed_type(const struct hv_mtrr *m, u64 a)
{
	if (a < 0x80000)
		return m->fixed[a >> 16];
	if (a < 0xc0000)
		return m->fixed[8 + ((a - 0x80000) >> 14)];
	return m->fixed[24 + ((a - 0xc0000) >> 12)];
}

/*
 * SDM 12.11.4.1: overlapping variable ranges: UC wins, WT beats WB, other
 * mixes are undefined, so we take UC for them.
 */
static int mtrr_combine(int acc, int t)
{
	if (acc < 0 || acc == t)
		return t;
	if (acc == HV_MEMTYPE_UC || t == HV_MEMTYPE_UC)
		return HV_MEMTYPE_UC;
	if ((acc == HV_MEMTYPE_WT && t == HV_MEMTYPE_WB) ||
	    (acc == HV_MEMTYPE_WB && t == HV_MEMTYPE_WT))
		return HV_MEMTYPE_WT;
	return HV_MEMTYPE_UC;
}

/* Valid EPT memory types only; reserved MTRR encodings become UC. */
static int mtrr_sane(int t)
{
	switch (t) {
	case HV_MEMTYPE_UC: case HV_MEMTYPE_WC: case HV_MEMTYPE_WT:
	case HV_MEMTYPE_WP: case HV_MEMTYPE_WB:
		return t;
	}
	return HV_MEMTYPE_UC;
}

/*
 * 1 if the variable range covers all of [start, end), 0 if none of it,
 * -1 if part of it.  Ranges whose mask is not contiguous are only judged
 * per 4 KiB page, where every address shares the bits the mask tests.
 */
static int mtrr_var_covers(const struct hv_mtrr *m, unsigned int i,
			   u64 start, u64 end)
{
	u64 addr_mask = ((1ULL << m->phys_bits) - 1) & ~0xfffULL;
	u64 mask = m->var[i].mask & addr_mask;
	u64 base = m->var[i].base & mask;
	u64 low, rs, re;

	if (end - start == 0x1000)
		return (start & mask) == base;
	if (!mask)
		return 1;
	low = mask & -mask;
	if ((mask | (low - 1)) != (addr_mask | 0xfff))
		return -1;	/* not contiguous: decide page by page */
	rs = base;
	re = base + low;
	if (end <= rs || start >= re)
		return 0;
	if (start >= rs && end <= re)
		return 1;
	return -1;
}

int hv_mtrr_type(const struct hv_mtrr *m, u64 start, u64 size)
{
	u64 end = start + size, a;
	int acc = -1, t, c;
	unsigned int i;

	if (!m->enabled)
		return HV_MEMTYPE_UC;	/* SDM 12.11.2.1: E clear means UC */
	if (m->fixed_enabled && start < MTRR_FIXED_END) {
		if (end > MTRR_FIXED_END)
			return -1;
		for (a = start; a < end; a += 0x1000) {
			t = mtrr_fixed_type(m, a);
			if (acc >= 0 && t != acc)
				return -1;
			acc = t;
		}
		return mtrr_sane(acc);
	}
	for (i = 0; i < m->nvar && i < HV_MTRR_MAX_VAR; i++) {
		if (!(m->var[i].mask & MTRR_VAR_VALID))
			continue;
		c = mtrr_var_covers(m, i, start, end);
		if (c < 0)
			return -1;
		if (c)
			acc = mtrr_combine(acc, (int)(m->var[i].base & 0xff));
	}
	return mtrr_sane(acc < 0 ? m->def_type : acc);
}
