/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mtrr.h - memory types from MTRR values (SDM Vol. 3 12.11).
 *
 * Contract: pure.  The caller fills struct hv_mtrr from the MTRR MSRs;
 * hv_mtrr_type() says which single memory type a physical range has, or -1
 * when parts of it differ (the EPT builder then uses smaller pages).  With
 * EPT on, guest accesses take the EPT memory type instead of the MTRRs
 * (SDM 29.3.7.2), so the identity map must carry these types.
 */
#ifndef HVGDB_KMOD_MTRR_H
#define HVGDB_KMOD_MTRR_H

#include "hvgdb/freestanding.h"

#define HV_MTRR_MAX_VAR		32
#define HV_MTRR_FIXED		88	/* 8 x 64K, 16 x 16K, 64 x 4K */

struct hv_mtrr {
	bool enabled;		/* IA32_MTRR_DEF_TYPE.E */
	bool fixed_enabled;	/* IA32_MTRR_DEF_TYPE.FE (and MTRRCAP.FIX) */
	u8 def_type;
	u8 phys_bits;		/* MAXPHYADDR */
	u8 fixed[HV_MTRR_FIXED];
	u32 nvar;
	struct { u64 base, mask; } var[HV_MTRR_MAX_VAR];
};

/* Fill fixed[] from the 11 fixed-range MSR values in architectural order. */
void hv_mtrr_set_fixed(struct hv_mtrr *m, const u64 msr[11]);

int hv_mtrr_type(const struct hv_mtrr *m, u64 start, u64 size);

#endif /* HVGDB_KMOD_MTRR_H */
