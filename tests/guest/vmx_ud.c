// SPDX-License-Identifier: GPL-2.0
/*
 * vmx_ud - execute VMCALL (with hvgdb's hypercall magic in RAX) and VMXON
 * from user mode and report the signal each one raised.  On a CPU without
 * VMX both #UD; under hvgdb both exit and hvgdb must inject #UD, so a user
 * process sees exactly the same: "vmcall=SIGILL vmxon=SIGILL".
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>

static sigjmp_buf jb;

static void on_signal(int sig)
{
	siglongjmp(jb, sig);
}

static const char *signame(int sig)
{
	switch (sig) {
	case 0: return "none";
	case SIGILL: return "SIGILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	}
	return "other";
}

static int try_vmcall(void)
{
	int sig = sigsetjmp(jb, 1);

	if (!sig) {
		uint64_t rax = 0x6876676400000001ULL;	/* HV_HC_PING */

		__asm__ volatile("vmcall" : "+a"(rax) : : "rbx", "memory");
	}
	return sig;
}

static int try_vmxon(void)
{
	static uint64_t region_pa;
	int sig = sigsetjmp(jb, 1);

	if (!sig)
		__asm__ volatile("vmxon %0" : : "m"(region_pa) : "memory", "cc");
	return sig;
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	printf("vmcall=%s ", signame(try_vmcall()));
	printf("vmxon=%s\n", signame(try_vmxon()));
	return 0;
}
