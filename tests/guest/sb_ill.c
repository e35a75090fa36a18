// SPDX-License-Identifier: GPL-2.0
/*
 * sb_ill - CPUID a known number of times under SIGILL and SIGSEGV
 * handlers, for tests/vm/test_script_builtins.py: a !cpuid script that
 * calls event_inject(6) (#UD -> SIGILL) or event_inject_error_code(0xd,
 * 0) (#GP -> SIGSEGV) makes each CPUID raise the signal.
 *
 *   sb_ill [--wait FILE] LEAF N [STEP]
 *
 * Prints "sigill=A sigsegv=B at=C after=D eax=0x..": the signals caught,
 * and for how many of them the saved RIP was the CPUID itself (at: the
 * handler then steps over it) or the instruction after it (after: the
 * CPUID completed first).  Any other RIP ends the program with status 3.
 * STEP (default 0) is added to the leaf after each CPUID, so one run can
 * hit N events of consecutive leaves.  --wait FILE polls (10 ms) until
 * FILE exists, so a test can set an event filtered on the program's pid
 * first.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

extern const char sb_cpuid_at[], sb_cpuid_after[];

static volatile unsigned long n_ill, n_segv, n_at, n_after;

static __attribute__((noinline)) unsigned int do_cpuid(unsigned int leaf)
{
	unsigned int a = leaf, b, c = 0, d;

	/* One copy of the instruction, with labels on it and after it. */
	asm volatile(".globl sb_cpuid_at, sb_cpuid_after\n"
		     "sb_cpuid_at: cpuid\n"
		     "sb_cpuid_after:\n"
		     : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return a;
}

static void on_signal(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;
	greg_t *rip = &uc->uc_mcontext.gregs[REG_RIP];

	(void)si;
	if (sig == SIGILL)
		n_ill++;
	else
		n_segv++;
	if (*rip == (greg_t)sb_cpuid_at) {
		n_at++;
		*rip += 2;		/* CPUID is 0F A2 */
	} else if (*rip == (greg_t)sb_cpuid_after) {
		n_after++;
	} else {
		static const char msg[] = "signal at an unknown RIP\n";

		write(2, msg, sizeof(msg) - 1);
		_exit(3);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	unsigned long i, n;
	unsigned int leaf, step = 0, eax = 0;
	int a = 1;

	if (argc > 3 && !strcmp(argv[1], "--wait")) {
		while (access(argv[2], F_OK))
			usleep(10000);
		a = 3;
	}
	if (argc - a != 2 && argc - a != 3) {
		fprintf(stderr, "usage: sb_ill [--wait FILE] LEAF N [STEP]\n");
		return 2;
	}
	leaf = (unsigned int)strtoul(argv[a], NULL, 0);
	n = strtoul(argv[a + 1], NULL, 0);
	if (argc - a == 3)
		step = (unsigned int)strtoul(argv[a + 2], NULL, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	for (i = 0; i < n; i++, leaf += step)
		eax = do_cpuid(leaf);
	printf("sigill=%lu sigsegv=%lu at=%lu after=%lu eax=%#x\n", n_ill,
	       n_segv, n_at, n_after, eax);
	return 0;
}
