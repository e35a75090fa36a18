// SPDX-License-Identifier: GPL-2.0
/*
 * ptimer.c - VMX-preemption timer counts (ptimer.h).
 */
#include "kmod/lib/ptimer.h"

u64 ptimer_tsc_per_ms(u64 dtsc, u64 dns)
{
	if (!dns)
		return 0;
	/* dtsc * 10^6 / dns without overflow for spans of up to hours. */
	if (dtsc < ~0ull / 1000000ull)
		return (dtsc * 1000000ull + dns / 2) / dns;
	return dtsc / (dns / 1000000ull ?: 1);
}

u32 ptimer_count(u64 span, u8 rate)
{
	u64 ticks = rate < 64 ? span >> rate : 0;

	return ticks > 0xffffffffull ? 0xffffffffu : (u32)ticks;
}
