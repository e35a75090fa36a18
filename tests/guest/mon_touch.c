// SPDX-License-Identifier: GPL-2.0
/*
 * mon_touch - reads and writes of one locked page, for tests/vm/
 * test_monitor_ept.py (!monitor).
 *
 *   mon_touch [--wait FILE] [--hold FILE2] THREADS N
 *
 * Prints "pa=0x.. va=0x.." (the page's physical address from
 * /proc/self/pagemap, so a `pa` monitor can watch it), waits for FILE to
 * exist, then starts THREADS threads, thread i pinned to CPU i, all
 * released together: each does N 8-byte reads of qword 8*i and N writes
 * to qword 8*i+1 (one instruction each).  Prints "reads=R writes=W ok"
 * with the totals and thread 0's rdtsc difference per iteration
 * (tsc_per_iter: emulated instructions in Bochs), then (--hold) keeps the page until FILE2 exists, so a
 * `pa` monitor can be cleared before the page goes back to the kernel.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile uint64_t *buf;
static long n;
static pthread_barrier_t start;
static volatile uint64_t sink;
static uint64_t tsc_per_iter;		/* thread 0's loop */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void *worker(void *arg)
{
	long i, t = (long)arg;
	cpu_set_t set;
	uint64_t s = 0, t0;

	CPU_ZERO(&set);
	CPU_SET((int)t, &set);
	sched_setaffinity(0, sizeof(set), &set);
	pthread_barrier_wait(&start);
	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		s += buf[8 * t];		/* one read */
		buf[8 * t + 1] = (uint64_t)i;	/* one write */
	}
	if (!t && n)
		tsc_per_iter = (rdtsc() - t0) / (uint64_t)n;
	sink += s;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *wait = NULL, *hold = NULL;
	pthread_t th[64];
	uint64_t ent = 0;
	long threads, i;
	int fd;

	if (argc > 2 && !strcmp(argv[1], "--wait")) {
		wait = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc > 2 && !strcmp(argv[1], "--hold")) {
		hold = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3)
		return 2;
	threads = atol(argv[1]);
	n = atol(argv[2]);
	if (threads < 1 || threads > 64)
		return 2;
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED,
		   -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	buf[0] = 1;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, 8, ((uintptr_t)buf / 4096) * 8) != 8)
		return 1;
	printf("pa=%#llx va=%p\n",
	       (unsigned long long)((ent & ((1ULL << 55) - 1)) * 4096),
	       (void *)buf);
	fflush(stdout);
	while (wait && access(wait, F_OK))
		usleep(100000);
	pthread_barrier_init(&start, NULL, (unsigned)threads);
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	printf("reads=%ld writes=%ld tsc_per_iter=%llu ok\n", threads * n,
	       threads * n, (unsigned long long)tsc_per_iter);
	fflush(stdout);
	while (hold && access(hold, F_OK))
		usleep(100000);
	return 0;
}
