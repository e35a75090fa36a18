// SPDX-License-Identifier: GPL-2.0
/*
 * script_fuzz.c - libFuzzer harness for the script compiler and evaluator.
 * The first byte picks the compile flags; the rest is the script text.  A
 * script that compiles runs with a small step budget over the user-space
 * platform (registers, a 256-byte memory region at 0x1000).  Checks: no
 * crash or sanitizer report, errors always have the documented shape, the
 * budget bounds the work, whatever HyperDbg-compatible mode accepts the
 * default mode accepts too, and two runs from the same state print the
 * same output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor-cmds/script.h"
#include "tools/hvgdb-script/script_uplat.h"

static struct script_compiler comp;
static struct script_prog prog;
static struct script_vm vm;
static struct script_globals globals;
static struct uplat u;
static u8 mem[256];
static char first_out[UPLAT_OUT_MAX];

static int run_once(void)
{
	uplat_init(&u);
	memset(mem, 0x41, sizeof(mem));
	mem[sizeof(mem) - 1] = 0;
	uplat_add_region(&u, 0x1000, mem, sizeof(mem), false);
	u.regs[SCRIPT_REG_RAX] = 0x1000;
	u.regs[SCRIPT_REG_RCX] = 0x10f0;
	u.regs[SCRIPT_REG_RDX] = 3;
	return script_eval(&vm, &prog, &uplat_ops, &u, 2000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	u32 flags;
	int rc;

	if (!size)
		return 0;
	flags = data[0] & (SCRIPT_F_CONDITION | SCRIPT_F_HDBG_STRICT);
	memset(&globals, 0, sizeof(globals));
	rc = script_compile(&comp, (const char *)data + 1, size - 1, &globals,
			    flags, &prog, err, sizeof(err));
	if (rc) {
		if (strncmp(err, "line ", 5) || !strstr(err, ": expected")) {
			fprintf(stderr, "bad error message: %s\n", err);
			abort();
		}
		return 0;
	}
	if (prog.n_insns > SCRIPT_MAX_INSNS || prog.n_locals > SCRIPT_MAX_LOCALS)
		abort();
	if (flags & SCRIPT_F_HDBG_STRICT) {
		memset(&globals, 0, sizeof(globals));
		if (script_compile(&comp, (const char *)data + 1, size - 1,
				   &globals, flags & ~SCRIPT_F_HDBG_STRICT,
				   &prog, err, sizeof(err))) {
			fprintf(stderr, "strict accepts, default rejects: %s\n",
				err);
			abort();
		}
	}
	rc = run_once();
	if (vm.steps > 2000 + SCRIPT_MAX_BUILTIN_STEPS)
		abort();
	if (rc && !vm.err[0])
		abort();
	memcpy(first_out, u.out, u.out_len + 1);
	if (run_once() != rc || strcmp(first_out, u.out)) {
		fprintf(stderr, "two runs differ\n");
		abort();
	}
	return 0;
}
