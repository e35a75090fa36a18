// SPDX-License-Identifier: GPL-2.0
/*
 * hook_calls - make kernel functions run a known number of times, for
 * tests/vm/test_epthook.py and test_ept_mix.py (hidden breakpoints on them).
 *
 *   hook_calls [--wait FILE] [--cpu N] [--until FILE] OP N [OP N | wait FILE]...
 *
 *   getpid N       N x getpid(2) (the raw syscall, never cached)
 *   openat N       N x openat(2) of /dev/null, each closed
 *   hostname N     N x sethostname(2) with the current name
 *   getppid|gettid|getuid|geteuid|getgid|getegid N
 *                  N x that argument-less syscall (the raw syscall); their
 *                  kernel entries sit next to getpid's (kernel/sys.c), so
 *                  a test can hook several functions of one page
 *   kcore          reads the first bytes of __x64_sys_getpid through
 *                  /proc/kcore (its address from /proc/kallsyms) and
 *                  prints them in hex: "bytes=0f1f440000..."
 *
 * The OP N pairs run in order; `wait FILE` between them waits until FILE
 * exists.  Prints "OP=N done tsc_per_call=T" after each (T: in-guest
 * rdtsc per call, emulated instructions in Bochs), then, at the end,
 * makes one getppid(2) call, an end mark a test can hook.  --wait FILE
 * waits (polling every 10 ms) until FILE exists, so a test can start the
 * program, read its pid and set events filtered on it first.  --cpu N
 * pins it to CPU N.  --until FILE ends each loop early once FILE exists
 * (checked every 1000 calls); N in "OP=N done" is then the calls made.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "guest_opts.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Argument-less syscalls a test may call by name. */
static const struct {
	const char *name;
	long nr;
} plain[] = {
	{ "getppid", SYS_getppid }, { "gettid", SYS_gettid },
	{ "getuid", SYS_getuid },   { "geteuid", SYS_geteuid },
	{ "getgid", SYS_getgid },   { "getegid", SYS_getegid },
};

static long plain_nr(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(plain[i].name, name))
			return plain[i].nr;
	return strcmp(name, "getpid") && strcmp(name, "openat") &&
	       strcmp(name, "hostname") ? -2 : -1;
}

/* One call of OP: 0, or -1 with a message (unknown OP: plain_nr -2). */
static int run_op(const char *op)
{
	if (!strcmp(op, "getpid")) {
		syscall(SYS_getpid);
	} else if (!strcmp(op, "openat")) {
		int fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);

		if (fd < 0) {
			perror("openat");
			return -1;
		}
		close(fd);
	} else if (!strcmp(op, "hostname")) {
		char name[65] = "";

		gethostname(name, sizeof(name) - 1);
		if (sethostname(name, strlen(name))) {
			perror("sethostname");
			return -1;
		}
	} else if (plain_nr(op) >= 0) {
		syscall(plain_nr(op));
	} else {
		fprintf(stderr, "hook_calls: unknown op %s\n", op);
		return -1;
	}
	return 0;
}

static unsigned long num(const char *s)
{
	return strtoul(s, NULL, 0);
}

/* The kernel's bytes at @va through /proc/kcore's program headers. */
static int kcore_read(unsigned long va, unsigned char *buf, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open("/proc/kcore", O_RDONLY), i;

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph))
			return -1;
		if (ph.p_type != PT_LOAD || va < ph.p_vaddr ||
		    va + len > ph.p_vaddr + ph.p_memsz)
			continue;
		return pread(fd, buf, len, ph.p_offset + (va - ph.p_vaddr)) ==
		       (ssize_t)len ? 0 : -1;
	}
	return -1;
}

static unsigned long kallsym(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256], sym[200], type;
	unsigned long a;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %199s", &a, &type, sym) == 3 &&
		    !strcmp(sym, name))
			return a;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t t0, t1;
	long n, i;
	const char *until = NULL;
	int a = 1;

	if (guest_opts(argc, argv, &a, &until))
		return 2;
	if (argc - a == 1 && !strcmp(argv[a], "kcore")) {
		unsigned long va = kallsym("__x64_sys_getpid");
		unsigned char b[16];

		if (!va || kcore_read(va, b, sizeof(b))) {
			fprintf(stderr, "kcore: cannot read __x64_sys_getpid\n");
			return 1;
		}
		printf("bytes=");
		for (i = 0; i < (long)sizeof(b); i++)
			printf("%02x", b[i]);
		printf("\n");
		return 0;
	}
	if (argc - a < 2 || (argc - a) % 2) {
		fprintf(stderr, "usage: hook_calls [--wait FILE] [--cpu N] "
			"[--until FILE] OP N [OP N | wait FILE]... | kcore\n"
			"OP: getpid|openat|hostname|getppid|gettid|getuid|"
			"geteuid|getgid|getegid\n");
		return 2;
	}
	for (; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "wait")) {
			while (access(argv[a + 1], F_OK))
				usleep(10000);
			continue;
		}
		n = num(argv[a + 1]);
		t0 = rdtsc();
		for (i = 0; i < n; i++) {
			if (run_op(argv[a]))
				return plain_nr(argv[a]) == -2 ? 2 : 1;
			if (until && !(i % 1000) && !access(until, F_OK)) {
				i++;
				break;
			}
		}
		t1 = rdtsc();
		printf("%s=%ld done tsc_per_call=%llu\n", argv[a], i,
		       (unsigned long long)(i ? (t1 - t0) / i : 0));
		fflush(stdout);
	}
	syscall(SYS_getppid);
	return 0;
}
