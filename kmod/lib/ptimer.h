/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptimer.h - VMX-preemption timer counts for spans of guest time.  Pure
 * functions.
 *
 * The timer counts down by one each time bit X of the TSC changes, X from
 * IA32_VMX_MISC[4:0] (SDM Vol. 3C 26.5.1), so a span of time is a TSC span
 * shifted right by X.  The TSC rate is measured against the kernel's
 * clock at load rather than taken from tsc_khz: in Bochs 2.7 the kernel
 * reads 3.5 GHz from CPUID while the TSC advances 200 million times per
 * second of guest time (ips), which made a 50 ms poll last 0.9 s.
 */
#ifndef HVGDB_KMOD_PTIMER_H
#define HVGDB_KMOD_PTIMER_H

#include "hvgdb/freestanding.h"

/* TSC ticks per millisecond from @dtsc ticks over @dns nanoseconds of the
 * kernel's clock; 0 when nothing was measured. */
u64 ptimer_tsc_per_ms(u64 dtsc, u64 dns);

/* The timer value that expires after @span TSC ticks at rate @rate (at
 * most U32_MAX; 0 expires at once after VM entry, SDM 26.7.4). */
u32 ptimer_count(u64 span, u8 rate);

#endif /* HVGDB_KMOD_PTIMER_H */
