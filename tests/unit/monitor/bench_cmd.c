// SPDX-License-Identifier: GPL-2.0
/*
 * bench_cmd.c - cost of the monitor command path (run by `make bench`).
 *
 *  - cmd_execute() of a typical event command, then its clear (halted
 *    system, so this is latency a gdb user waits for);
 *  - event_match() per exit with 1, 16 and 64 events in the table (this
 *    runs in VMX root at every intercepted exit);
 *  - event_intercepts_compute() with 16 events (run once per change).
 * One core, user space, gcc -O2.  Prints one line per figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor-cmds/cmd_exec.h"
#include "monitor-cmds/event.h"
#include "monitor-cmds/event_intercepts.h"

#define CAP 64

static struct event ev[CAP];
static char text[CAP * 128];
static u8 data[CAP * 0x100];
static struct event_table t;
static u8 msr[HV_BITMAP_PAGE], ioa[HV_BITMAP_PAGE], iob[HV_BITMAP_PAGE];
static volatile u32 sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run(const char *line)
{
	char out[512];
	u32 req;

	if (cmd_execute(&t, line, strlen(line), out, sizeof(out), &req)) {
		fprintf(stderr, "bench: '%s' failed: %s", line, out);
		exit(1);
	}
}

static void fill(int n)
{
	static const char *const kinds[] = {
		"!cpuid %x", "!msrwrite %x core 1", "!msrread %x pid 1f4",
		"!ioin %x", "!exception %x stage all", "!tsc pid %x",
		"!syscall %x", "!interrupt 2%x",
	};
	char line[64];
	int i;

	run("events c all");
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), kinds[i % 8], (i % 15) + 1);
		run(line);
	}
}

static void bench_match(int n)
{
	const struct event *out[CAP];
	struct event_exit hit = {
		.type = EVENT_CPUID, .key = 1, .tgid = 0x1f4, .cpu = 1,
		.stage = EVENT_STAGE_PRE,
	};
	struct event_exit miss = hit;
	const long iters = 2000000;
	double t0, t1, t2;
	long i;

	fill(n);
	miss.key = 0x40000000;
	t0 = now();
	for (i = 0; i < iters; i++)
		sink += event_match(&t, &hit, out, CAP);
	t1 = now();
	for (i = 0; i < iters; i++)
		sink += event_match(&t, &miss, out, CAP);
	t2 = now();
	printf("cmd_bench: event_match, %2d events: %6.1f ns/exit (one "
	       "fires), %6.1f ns/exit (none fire)\n", n, (t1 - t0) / iters * 1e9,
	       (t2 - t1) / iters * 1e9);
}

int main(void)
{
	struct hv_intercept_base base = { 0 };
	struct hv_intercepts hv = { .msr_bitmap = msr, .io_bitmap_a = ioa,
				    .io_bitmap_b = iob };
	/* 75 bytes, as the figure in docs/performance.md (`output {log}`
	 * is refused now: sc off and decimal numbers take its place). */
	const char *cmd = "!msrread 0xc0000082 pid 0n500 core 0n2 imm no "
			  "stage all sc off buffer 0n256";
	const long iters = 200000;
	double t0, t1;
	long i;

	event_table_init(&t, ev, CAP, text, sizeof(text), NULL);
	event_table_set_data(&t, data, sizeof(data));
	t0 = now();
	for (i = 0; i < iters; i++) {
		run(cmd);
		run("events c all");
	}
	t1 = now();
	printf("cmd_bench: cmd_execute add + clear: %.2f us per pair "
	       "(%zu-byte command)\n", (t1 - t0) / iters * 1e6, strlen(cmd));

	bench_match(1);
	bench_match(16);
	bench_match(64);

	fill(16);
	t0 = now();
	for (i = 0; i < 20000; i++)
		event_intercepts_compute(&t, &base, &hv);
	t1 = now();
	printf("cmd_bench: event_intercepts_compute, 16 events: %.2f us\n",
	       (t1 - t0) / 20000 * 1e6);
	run("!msrread");
	run("!ioin");
	t0 = now();
	for (i = 0; i < 20000; i++)
		event_intercepts_compute(&t, &base, &hv);
	t1 = now();
	printf("cmd_bench: event_intercepts_compute, all MSRs + all ports: "
	       "%.2f us\n", (t1 - t0) / 20000 * 1e6);
	return sink == 0xdeadbeef;
}
