// SPDX-License-Identifier: GPL-2.0
/*
 * script_bench.c - throughput of the script evaluator on a typical event
 * script (a global counter, a condition on $context, a printf into an
 * output ring), and compile time of a 100-line script.  One core, user
 * space, over the script_uplat platform.  Times are CPU time of this
 * thread, so that other load on the machine does not count.  Prints one
 * line per figure.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "monitor-cmds/script.h"
#include "tools/hvgdb-script/script_uplat.h"

static struct script_compiler comp;
static struct script_prog prog;
static struct script_vm vm;
static struct script_globals globals;
static struct uplat u;

static char ring[1 << 16];
static u32 ring_pos;

/* Like the module's output buffer: copy into a ring, never block. */
static void ring_write(void *arg, const char *s, u32 len)
{
	(void)arg;
	while (len--) {
		ring[ring_pos++ & (sizeof(ring) - 1)] = *s++;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char event_script[] =
	".hits += 1;\n"
	"if ($context == 0xc0000080 && @rcx != 0) {\n"
	"	printf(\"msr %llx read by pid %d, hit %d\\n\", $context, $pid, .hits);\n"
	"}\n";

static int compile(const char *src)
{
	char err[128];

	memset(&globals, 0, sizeof(globals));
	if (script_compile(&comp, src, strlen(src), &globals, 0, &prog, err,
			   sizeof(err))) {
		fprintf(stderr, "compile failed: %s\n", err);
		return -1;
	}
	return 0;
}

/* Evaluations per second with $context set to ctx_val. */
static double run(u64 ctx_val, const char *what)
{
	u64 n = 0, batch = 100000, i;
	double t0 = now(), t;

	uplat_init(&u);
	u.write_fn = ring_write;
	u.pseudo[SCRIPT_PS_CONTEXT] = ctx_val;
	u.pseudo[SCRIPT_PS_PID] = 1234;
	u.regs[SCRIPT_REG_RCX] = 0xc0000080;
	do {
		for (i = 0; i < batch; i++)
			if (script_eval(&vm, &prog, &uplat_ops, &u, 0))
				return -1;
		n += batch;
		t = now() - t0;
	} while (t < 1.0);
	printf("script_bench: %-44s %10.2f M evaluations/s (%llu insns each)\n",
	       what, n / t / 1e6, (unsigned long long)vm.steps);
	if (u.globals[0] != n) {
		fprintf(stderr, "counter mismatch\n");
		return -1;
	}
	return n / t;
}

/* Time of one evaluation of src (a statement run many times). */
static int per_eval(const char *src, const char *what)
{
	u64 n = 0, i;
	double t0, t;

	if (compile(src))
		return -1;
	uplat_init(&u);
	u.write_fn = ring_write;
	t0 = now();
	do {
		for (i = 0; i < 100000; i++)
			if (script_eval(&vm, &prog, &uplat_ops, &u, 0))
				return -1;
		n += 100000;
		t = now() - t0;
	} while (t < 1.0);
	printf("script_bench: %-44s %10.2f M evaluations/s (%llu insns each)\n",
	       what, n / t / 1e6, (unsigned long long)vm.steps);
	return 0;
}

static u8 mem4k[4096];

/* Time of one evaluation that uses the whole default budget. */
static int full_budget(const char *src, const char *what)
{
	double t0, t;
	int i, n = 20;

	if (compile(src))
		return -1;
	uplat_init(&u);
	u.write_fn = ring_write;
	memset(mem4k, 'a', sizeof(mem4k) - 1);
	uplat_add_region(&u, 0x10000, mem4k, sizeof(mem4k), false);
	t0 = now();
	for (i = 0; i < n; i++)
		if (script_eval(&vm, &prog, &uplat_ops, &u, 0) != SCRIPT_E_STEPS)
			return -1;
	t = now() - t0;
	printf("script_bench: full budget (%u steps), %-24s %8.2f ms per evaluation\n",
	       SCRIPT_DEFAULT_STEPS, what, t / n * 1e3);
	return 0;
}

static char big[16384];

static void make_100_lines(void)
{
	int i;

	big[0] = 0;
	for (i = 0; i < 100; i++) {
		char line[160];

		switch (i % 5) {
		case 0:
			snprintf(line, sizeof(line),
				 "v%d = @rax + 0x%x * (@rbx >> 3) - $pid;\n", i, i);
			break;
		case 1:
			snprintf(line, sizeof(line),
				 "if (v%d > 0n%d && $context != 0) { .g%d += 1; }\n",
				 i - 1, i, i % 7);
			break;
		case 2:
			snprintf(line, sizeof(line),
				 "printf(\"line %d: %%llx %%d\\n\", v%d, .g%d);\n",
				 i, i - 2, i % 7);
			break;
		case 3:
			snprintf(line, sizeof(line),
				 "while (v%d < 0x%x) { v%d += 3; }\n", i - 3, i,
				 i - 3);
			break;
		default:
			snprintf(line, sizeof(line),
				 "if (poi(@rsp + 8) == 0x%x) { @rax = v%d; } else { eq(@rsp, %d); }\n",
				 i, i - 4, i);
			break;
		}
		strcat(big, line);
	}
}

int main(void)
{
	double t0, t, per;
	int i, n = 2000;

	if (compile(event_script))
		return 1;
	if (run(0x1b, "event script, condition false (counter)") < 0 ||
	    run(0xc0000080, "event script, condition true (counter+printf)") < 0)
		return 1;
	if (per_eval("int add(int a, int b) { return a + b; } .r = add(.r, 1);",
		     "typed function call (.r = add(.r, 1))") ||
	    per_eval("int t1[8] = {1,2,3,4,5,6,7,8}; .r += t1[.r & 7];",
		     "array of 8: declare + element read") ||
	    per_eval("int t1[8]; .r += t1[.r & 7];",
		     "array of 8: zeroing + element read"))
		return 1;
	/* worst case per event: loops that run out of the step budget, with
	 * the cheapest and the most expensive steps (built-ins pay per
	 * machine access, script_charge.c) */
	if (full_budget("while (1 == 1) { x += 1; }", "x += 1") ||
	    full_budget("while (1 == 1) { memcpy(0x10000, 0x10000, 0n4096); }",
			"memcpy 4 KiB") ||
	    full_budget("while (1 == 1) { x = strlen(0x10000); }",
			"strlen of 4095 bytes") ||
	    full_budget("while (1 == 1) { printf(\"%s%s%s%s\", 0x10000, 0x10000, 0x10000, 0x10000); }",
			"printf 4 x %s of 4095 bytes") ||
	    full_budget("while (1 == 1) { x = poi(0x10000); }",
			"x = poi(a)") ||
	    full_budget("while (1 == 1) { x = disassemble_len(0x10000); }",
			"disassemble_len") ||
	    full_budget("while (1 == 1) { x = interlocked_increment(0x10000); }",
			"interlocked_increment"))
		return 1;
	make_100_lines();
	if (compile(big))
		return 1;
	t0 = now();
	for (i = 0; i < n; i++)
		compile(big);
	t = now() - t0;
	per = t / n * 1e6;
	printf("script_bench: compile 100-line script (%zu bytes) %10.1f us (%u insns)\n",
	       strlen(big), per, prog.n_insns);
	return 0;
}
