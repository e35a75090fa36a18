// SPDX-License-Identifier: GPL-2.0
/*
 * ev_trigger - execute the instructions behind hvgdb's monitor events a
 * known number of times, for tests/vm/test_events*.py.
 *
 *   ev_trigger [--wait FILE] [--cpu N] OP ARGS...
 *
 *   cpuid LEAF N       N x CPUID(LEAF); prints "eax=0x.." of the last
 *   rdtsc N            N x RDTSC; prints "tsc=ok" when they never go back
 *   rdtscp N           N x RDTSCP; prints "aux=0x.." (IA32_TSC_AUX)
 *   msrr CPU MSR N     N x RDMSR through the msr driver; prints "msr=0x.."
 *   msrw CPU MSR VAL   one WRMSR, then reads it back: "msr=0x.."
 *   io PORT VAL N      N x OUT (byte) of VAL to PORT, then one IN:
 *                      "in=0x.."
 *   vmcall N           N x VMCALL from user mode; prints "sigill=<n>"
 *   tsd N              CR4.TSD on for this task (prctl PR_SET_TSC), then N
 *                      sleeps of 1 ms: each switch to/from this task
 *                      writes CR4; prints "tsd=done"
 *
 * --wait FILE waits (polling every 10 ms) until FILE exists, so a test can
 * start the program, read its pid and set events filtered on it first.
 * --cpu N pins the program to CPU N first.  Numbers are C literals.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "guest_opts.h"

static unsigned long num(const char *s)
{
	return strtoul(s, NULL, 0);
}

static sigjmp_buf ill_jmp;
static volatile int n_ill;

static void on_ill(int sig)
{
	(void)sig;
	n_ill++;
	siglongjmp(ill_jmp, 1);
}

static int msr_fd(const char *cpu, int mode)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%lu/msr", num(cpu));
	fd = open(path, mode);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static int usage(void)
{
	fprintf(stderr, "usage: ev_trigger [--wait FILE] [--cpu N] OP ...\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long i, n;
	int a = 1;

	switch (guest_opts(argc, argv, &a, NULL)) {
	case 0:
		break;
	case 2:
		return usage();
	default:
		return 1;
	}
	if (a >= argc)
		return usage();
	if (!strcmp(argv[a], "cpuid") && argc - a == 3) {
		uint32_t ea = 0, eb, ec, ed;

		n = num(argv[a + 2]);
		for (i = 0; i < n; i++)
			__asm__ volatile("cpuid" : "=a"(ea), "=b"(eb), "=c"(ec),
					 "=d"(ed) : "a"((uint32_t)num(argv[a + 1])),
					 "c"(0));
		printf("eax=%#x\n", ea);
	} else if (!strcmp(argv[a], "rdtsc") && argc - a == 2) {
		uint64_t last = 0;
		int ok = 1;

		n = num(argv[a + 1]);
		for (i = 0; i < n; i++) {
			uint32_t lo, hi;
			uint64_t t;

			__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
			t = ((uint64_t)hi << 32) | lo;
			ok &= t >= last;
			last = t;
		}
		printf("tsc=%s\n", ok ? "ok" : "backwards");
	} else if (!strcmp(argv[a], "rdtscp") && argc - a == 2) {
		uint32_t lo, hi, aux = 0;

		n = num(argv[a + 1]);
		for (i = 0; i < n; i++)
			__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi),
					 "=c"(aux));
		printf("aux=%#x\n", aux);
	} else if (!strcmp(argv[a], "msrr") && argc - a == 4) {
		int fd = msr_fd(argv[a + 1], O_RDONLY);
		uint64_t v = 0;

		n = num(argv[a + 3]);
		for (i = 0; i < n; i++)
			if (pread(fd, &v, 8, (off_t)num(argv[a + 2])) != 8) {
				perror("rdmsr");
				return 1;
			}
		printf("msr=%#llx\n", (unsigned long long)v);
	} else if (!strcmp(argv[a], "msrw") && argc - a == 4) {
		int fd = msr_fd(argv[a + 1], O_RDWR);
		uint64_t v = strtoull(argv[a + 3], NULL, 0);
		off_t msr = (off_t)num(argv[a + 2]);

		if (pwrite(fd, &v, 8, msr) != 8 || pread(fd, &v, 8, msr) != 8) {
			perror("wrmsr");
			return 1;
		}
		printf("msr=%#llx\n", (unsigned long long)v);
	} else if (!strcmp(argv[a], "io") && argc - a == 4) {
		unsigned short port = (unsigned short)num(argv[a + 1]);

		if (ioperm(port, 1, 1)) {
			perror("ioperm");
			return 1;
		}
		n = num(argv[a + 3]);
		for (i = 0; i < n; i++)
			outb((unsigned char)num(argv[a + 2]), port);
		printf("in=%#x\n", inb(port));
	} else if (!strcmp(argv[a], "vmcall") && argc - a == 2) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_ill;
		sa.sa_flags = SA_NODEFER;
		sigaction(SIGILL, &sa, NULL);
		n = num(argv[a + 1]);
		for (i = 0; i < n; i++) {
			if (sigsetjmp(ill_jmp, 1))
				continue;
			__asm__ volatile("vmcall" : : "a"(0) : "memory");
		}
		printf("sigill=%d\n", n_ill);
	} else if (!strcmp(argv[a], "tsd") && argc - a == 2) {
		if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0)) {
			perror("prctl");
			return 1;
		}
		n = num(argv[a + 1]);
		for (i = 0; i < n; i++)
			usleep(1000);
		prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
		printf("tsd=done\n");
	} else {
		return usage();
	}
	return 0;
}
