// SPDX-License-Identifier: GPL-2.0
/*
 * ev_sys - trigger hvgdb's !syscall/!sysret, !exception and !interrupt
 * events a known number of times, for tests/vm/test_events_sys.py.
 *
 *   ev_sys [--wait FILE] [--cpu N] OP ARGS...
 *
 *   getpid N       N x SYSCALL getpid (inline, nothing else in between);
 *                  prints "ret=<last return, decimal> pid=<pid>
 *                  cyc=<rdtsc ticks per call>"
 *   fpe N          N x integer divide by zero (#DE), each caught as
 *                  SIGFPE; prints "sigfpe=<n>"
 *   int3 N         N x INT3 (#BP), each caught as SIGTRAP: "sigtrap=<n>"
 *   ud2 N          N x UD2 (#UD), each caught as SIGILL: "sigill=<n>"
 *   pf N           N x a read of a PROT_NONE page at 0x5a5a0000 (#PF),
 *                  each caught as SIGSEGV; prints "sigsegv=<n>
 *                  addr=0x5a5a0000"
 *   irq MS         on this CPU: CPUID(0x4858, ECX=1) as a start marker,
 *                  the local timer count of /proc/interrupts ("LOC"), a
 *                  busy loop of MS ms, the count again, CPUID(0x4858,
 *                  ECX=0) as a stop marker; prints "loc=<delta>"
 *
 * --wait FILE waits (polling every 10 ms) until FILE exists, so a test can
 * start the program, read its pid and set events filtered on it first.
 * --cpu N pins the program to CPU N first.  Numbers are C literals.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MARK_LEAF	0x4858
#define PF_PAGE		0x5a5a0000ul	/* free in a static binary */

static sigjmp_buf jmp;
static volatile int n_sig;

static void on_sig(int sig)
{
	(void)sig;
	n_sig++;
	siglongjmp(jmp, 1);
}

static void catch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static long raw_getpid(void)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_getpid)
			 : "rcx", "r11", "memory");
	return ret;
}

static void op_getpid(unsigned long n)
{
	unsigned long i;
	uint64_t t0, t1;
	long ret = 0;

	t0 = rdtsc();
	for (i = 0; i < n; i++)
		ret = raw_getpid();
	t1 = rdtsc();
	printf("ret=%ld pid=%d cyc=%llu\n", ret, getpid(),
	       (unsigned long long)(n ? (t1 - t0) / n : 0));
}

static void op_fault(const char *op, unsigned long n)
{
	volatile int sink = 0;
	unsigned long i;
	volatile char *volatile page = NULL;

	n_sig = 0;
	if (!strcmp(op, "fpe")) {
		catch(SIGFPE);
	} else if (!strcmp(op, "int3")) {
		catch(SIGTRAP);
	} else if (!strcmp(op, "ud2")) {
		catch(SIGILL);
	} else {
		catch(SIGSEGV);
		page = mmap((void *)PF_PAGE, 4096, PROT_NONE, MAP_PRIVATE |
			    MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (page == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
	}
	for (i = 0; i < n; i++) {
		if (sigsetjmp(jmp, 1))
			continue;
		if (!strcmp(op, "fpe"))
			__asm__ volatile("xor %%ecx, %%ecx\n\t"
					 "mov $1, %%eax\n\t"
					 "cltd\n\t"
					 "idivl %%ecx" : : : "eax", "ecx", "edx");
		else if (!strcmp(op, "int3"))
			__asm__ volatile("int3");
		else if (!strcmp(op, "ud2"))
			__asm__ volatile("ud2");
		else
			sink = page[0];
	}
	(void)sink;
	if (!strcmp(op, "fpe"))
		printf("sigfpe=%d\n", n_sig);
	else if (!strcmp(op, "int3"))
		printf("sigtrap=%d\n", n_sig);
	else if (!strcmp(op, "ud2"))
		printf("sigill=%d\n", n_sig);
	else
		printf("sigsegv=%d addr=%p\n", n_sig, (void *)page);
}

static void mark(unsigned int on)
{
	unsigned int a = MARK_LEAF, b, c = on, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
}

/* This CPU's column of the "LOC:" line of /proc/interrupts. */
static unsigned long loc_count(int cpu)
{
	char line[4096];
	unsigned long v = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f) {
		perror("/proc/interrupts");
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		int i;

		while (*p == ' ')
			p++;
		if (strncmp(p, "LOC:", 4))
			continue;
		p += 4;
		for (i = 0; i <= cpu; i++)
			v = strtoul(p, &p, 10);
	}
	fclose(f);
	return v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void op_irq(unsigned long ms)
{
	int cpu = sched_getcpu();
	unsigned long a, b;
	double t0;

	mark(1);
	a = loc_count(cpu);
	t0 = now_ms();
	while (now_ms() - t0 < ms)
		;
	b = loc_count(cpu);
	mark(0);
	printf("loc=%lu cpu=%d\n", b - a, cpu);
}

int main(int argc, char **argv)
{
	int i = 1;

	while (i + 1 < argc && !strncmp(argv[i], "--", 2)) {
		if (!strcmp(argv[i], "--wait")) {
			while (access(argv[i + 1], F_OK))
				usleep(10000);
		} else if (!strcmp(argv[i], "--cpu")) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(strtoul(argv[i + 1], NULL, 0), &set);
			if (sched_setaffinity(0, sizeof(set), &set)) {
				perror("sched_setaffinity");
				return 1;
			}
		}
		i += 2;
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: ev_sys [--wait FILE] [--cpu N] "
			"getpid|fpe|int3|ud2|pf|irq N\n");
		return 2;
	}
	if (!strcmp(argv[i], "getpid"))
		op_getpid(strtoul(argv[i + 1], NULL, 0));
	else if (!strcmp(argv[i], "irq"))
		op_irq(strtoul(argv[i + 1], NULL, 0));
	else
		op_fault(argv[i], strtoul(argv[i + 1], NULL, 0));
	fflush(stdout);
	return 0;
}
