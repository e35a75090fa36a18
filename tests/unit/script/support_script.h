/* SPDX-License-Identifier: GPL-2.0 */
/*
 * support_script.h - helpers of the script unit tests: compile and run a
 * script over the user-space platform (HyperDbg's test register values,
 * 4 KiB of memory at SR_MEM, a read-only string at SR_STR).
 */
#ifndef TESTS_SUPPORT_SCRIPT_H
#define TESTS_SUPPORT_SCRIPT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "monitor-cmds/script.h"
#include "tools/hvgdb-script/script_uplat.h"

#define SR_MEM		0x10000ULL	/* 4096 writable bytes */
#define SR_STR		0x20000ULL	/* "hello" (read-only) */
#define SR_WSTR		0x20100ULL	/* L"wide" (read-only) */
#define SR_BAD		0xdead0000ULL	/* unmapped */

struct srun {
	struct script_compiler comp;
	struct script_prog prog;
	struct script_vm vm;
	struct script_globals globals;
	struct uplat u;
	u8 mem[4096];
	char err[160];
	int rc;		/* script_eval() result */
};

extern struct srun sr;

/* Fresh platform: rax=1 rdx=3 rbx=4 rbp=6 rsi=7 rdi=8 r8=9 ... r13=0xe. */
void sr_reset(void);
/* Compile with flags; 0 or -1 (message in sr.err). */
int sr_compile(const char *src, u32 flags);
/* Compile (must succeed) and evaluate once; returns script_eval()'s rc. */
int sr_exec(const char *src);
/* Value of expression e: runs "test_statement(e);" on a fresh platform. */
u64 sr_eval(const char *e);
/* The last test_statement value of src run on a fresh platform. */
u64 sr_value(const char *src);
/* Output printed by src on a fresh platform. */
const char *sr_output(const char *src);
/* Asserts that src fails to compile with a message containing want. */
void sr_expect_error(const char *src, const char *want);

#endif
