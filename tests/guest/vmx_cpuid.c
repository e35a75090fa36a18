// SPDX-License-Identifier: GPL-2.0
/*
 * vmx_cpuid - execute CPUID and RDTSCP in a loop and check the results, as
 * a guest workload under hvgdb (every CPUID is a VM exit).
 *
 *   vmx_cpuid [N]   N iterations (default 100000) of CPUID leaf 0 and
 *                   leaf 1 and RDTSCP; prints
 *                   "cpuid=<executed> rdtscp=<executed> tsc_per_cpuid=<n>
 *                    tsc_per_rdtscp=<n> ok"
 *                   and exits 1 on any inconsistency.
 * tsc_per_cpuid is the in-guest rdtsc difference around N CPUID(0) alone,
 * divided by N: in Bochs, emulated instructions per iteration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdtscp(uint32_t *aux)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(*aux));
	return ((uint64_t)hi << 32) | lo;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, i;
	uint32_t a, b, c, d, a0, b0, c0, d0, max_leaf, sig1, aux;
	uint64_t t0, t1, prev = 0, cpuid_cost, rdtscp_cost;
	long cpuids = 0, rdtscps = 0;

	cpuid(0, &a0, &b0, &c0, &d0);
	max_leaf = a0;
	cpuid(1, &sig1, &b, &c, &d);
	if (memcmp(&b0, "Genu", 4) || max_leaf < 1) {
		fprintf(stderr, "unexpected CPUID leaf 0\n");
		return 1;
	}
	cpuids = 2;
	for (i = 0; i < n; i++) {
		cpuid(0, &a, &b, &c, &d);
		cpuids++;
		if (a != a0 || b != b0 || c != c0 || d != d0) {
			fprintf(stderr, "CPUID(0) changed at %ld\n", i);
			return 1;
		}
		cpuid(1, &a, &b, &c, &d);
		cpuids++;
		if (a != sig1) {
			fprintf(stderr, "CPUID(1) signature changed at %ld\n", i);
			return 1;
		}
		t0 = rdtscp(&aux);
		rdtscps++;
		if (t0 < prev || (aux & 0xfff) >= 4096) {
			fprintf(stderr, "RDTSCP went backwards at %ld\n", i);
			return 1;
		}
		prev = t0;
	}
	t0 = rdtsc();
	for (i = 0; i < n; i++)
		cpuid(0, &a, &b, &c, &d);
	t1 = rdtsc();
	cpuids += n;
	cpuid_cost = n ? (t1 - t0) / n : 0;
	t0 = rdtsc();
	for (i = 0; i < n; i++)
		rdtscp(&aux);
	t1 = rdtsc();
	rdtscps += n;
	rdtscp_cost = n ? (t1 - t0) / n : 0;
	printf("cpuid=%ld rdtscp=%ld tsc_per_cpuid=%llu tsc_per_rdtscp=%llu ok\n",
	       cpuids, rdtscps, (unsigned long long)cpuid_cost,
	       (unsigned long long)rdtscp_cost);
	return 0;
}
