// SPDX-License-Identifier: GPL-2.0
/*
 * wakelat N [CPU_A CPU_B [GAP_US]] - wake-up latency between two CPUs.
 *
 * A process pinned to CPU_B blocks on a pipe; one pinned to CPU_A writes a
 * byte, then waits for the answer.  Each round trip wakes a sleeping CPU
 * once in each direction (with GAP_US, the writer first sleeps that long,
 * so both CPUs are idle when the round starts): an idle CPU is woken by a
 * store to its monitored line (MWAIT idle), by an IPI (HLT idle) or, when
 * the wake-up is lost, only by its next timer interrupt.  Prints the
 * count, the slowest round trip and how many took over 100 ms and over 1 s
 * (CLOCK_MONOTONIC, guest time):
 *   rounds=N max_us=M over_100ms=K over_1s=J ok
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "wakelat: CPU %d: %s\n", cpu, strerror(errno));
		exit(2);
	}
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int xfer(int rfd, int wfd, char *c)
{
	if (wfd >= 0 && write(wfd, c, 1) != 1)
		return -1;
	if (rfd >= 0 && read(rfd, c, 1) != 1)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, i, slow100 = 0, slow1s = 0;
	int a = argc > 3 ? atoi(argv[2]) : 0, b = argc > 3 ? atoi(argv[3]) : 1;
	long gap = argc > 4 ? atol(argv[4]) : 0;
	int to_b[2], to_a[2], status;
	long long max = 0;
	pid_t pid;
	char c = 'x';

	if (n <= 0 || pipe(to_b) || pipe(to_a)) {
		fprintf(stderr, "usage: wakelat N [CPU_A CPU_B [GAP_US]]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		pin(b);
		for (i = 0; i < n; i++)
			if (xfer(to_b[0], -1, &c) || xfer(-1, to_a[1], &c))
				_exit(1);
		_exit(0);
	}
	pin(a);
	for (i = 0; i < n; i++) {
		long long t0, d;

		if (gap)
			usleep(gap);
		t0 = now_us();

		if (xfer(to_a[0], to_b[1], &c)) {
			fprintf(stderr, "wakelat: pipe broke at round %ld\n", i);
			return 1;
		}
		d = now_us() - t0;
		if (d > max)
			max = d;
		slow100 += d > 100000;
		slow1s += d > 1000000;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 1;
	printf("rounds=%ld max_us=%lld over_100ms=%ld over_1s=%ld ok\n", n, max,
	       slow100, slow1s);
	return 0;
}
