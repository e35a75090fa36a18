// SPDX-License-Identifier: GPL-2.0
/*
 * vmx_getpid - a syscall-heavy loop: N getpid system calls (default
 * 100000), each checked against the first.  Prints
 * "getpid=<n> tsc_per_call=<n> ok"; tsc_per_call is the in-guest rdtsc
 * difference per call (emulated instructions in Bochs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, i;
	long pid = syscall(SYS_getpid);
	uint64_t t0, t1;

	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		if (syscall(SYS_getpid) != pid) {
			fprintf(stderr, "getpid changed at %ld\n", i);
			return 1;
		}
	}
	t1 = rdtsc();
	printf("getpid=%ld tsc_per_call=%llu ok\n", n,
	       (unsigned long long)(n ? (t1 - t0) / n : 0));
	return 0;
}
