// SPDX-License-Identifier: GPL-2.0
/*
 * test_insn_diff.c - insn_len() against libcapstone 4, the way a user of
 * disassemble_len would check it: every instruction of the Debian kernel's
 * .text and of the C/C++ libraries' .text (linear capstone sweeps, 64- and
 * 32-bit), and a seeded corpus of random 15-byte strings in both modes;
 * binutils' objdump gives a second opinion where capstone 4 is blind.
 * Figures and disagreement classes are printed; docs/insn-len.md explains
 * the thresholds and lists the capstone defects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "support_diff.h"

#define RANDOM_INPUTS	1000000	/* per mode */
#define RANDOM_SEED	0x68766764625f6c6eULL

/*
 * Thresholds, over the inputs capstone decodes, after setting aside the
 * documented capstone-4 defects (support_diff.c, insn_diff_known()):
 * - kernel text: 100 %.  It is the code disassemble_len meets, and every
 *   one of its 6.5 million instructions is accounted for.
 * - random bytes: at most 10 unexplained per million.  The corpus is
 *   seeded, so today's figure (0) is reproducible; the slack only lets a
 *   new odd capstone quirk in one or two exotic encodings through.  A real
 *   decoder bug hits a whole opcode class, hundreds of inputs here.
 */
#define KTEXT_MIN_PPM	1000000UL
#define RANDOM_MIN_PPM	999990UL

/*
 * Where capstone 4 rejects bytes we size (mostly instructions newer than
 * it), ask binutils' objdump instead: it knows AMX, AVX512-FP16, PKU and
 * the rest.  Reported, and for real code (kernel, libraries) any
 * disagreement fails the test; random bytes are reported only, since
 * there objdump and we both size reserved encodings by their format.
 */
#define HELD_MAX	20000

static struct insn_objdump last_objdump;

static void second_opinion(const struct insn_diff *d, const char *title)
{
	const char *why = NULL;
	struct insn_objdump *r = &last_objdump;

	if (insn_objdump_check(d, r, 20, stdout, &why) < 0) {
		printf("objdump second opinion, %s: skipped: %s\n", title,
		       why);
		memset(r, 0, sizeof(*r));
		return;
	}
	printf("objdump second opinion on %u capstone rejects we size, %s: "
	       "checked %lu, agreed %lu, objdump (bad) %lu, objdump shows "
	       "a stray prefix alone %lu, disagreed %lu\n", d->nheld, title,
	       r->checked, r->agreed, r->objdump_bad, r->prefix_only,
	       r->disagreed);
}

/*
 * objdump's own full sweep of a corpus: a second, independent oracle with
 * its own resync points.  The libraries (about 1 million instructions,
 * some seconds) are swept in every run; the kernel (6.5 million, about
 * 30 s of objdump) only with INSN_OBJDUMP_KERNEL=1 in the environment.
 */
static void objdump_sweep_report(const struct insn_objdump *r,
				 const char *title)
{
	printf("objdump full sweep, %s: compared %lu, agreed %lu, objdump "
	       "(bad) %lu, FWAIT+x87 shown as one %lu, stray prefix shown "
	       "alone %lu, disagreed %lu\n", title, r->checked, r->agreed,
	       r->objdump_bad, r->fwait_merged, r->prefix_only,
	       r->disagreed);
}

static void test_kernel_text_64(void **state)
{
	static struct insn_diff d;
	const char *why = NULL;
	size_t size;
	u64 vaddr;
	u8 *text = insn_ktext_load(&size, &vaddr, &why);

	(void)state;
	if (!text)
		fail_msg("kernel text: %s", why);
	assert_int_equal(insn_diff_init(&d, 64), 0);
	assert_int_equal(insn_diff_hold(&d, HELD_MAX), 0);
	insn_diff_sweep(&d, text, size);
	printf("kernel .text at %#llx, %zu bytes\n",
	       (unsigned long long)vaddr, size);
	insn_diff_report(&d, "kernel .text, 64-bit", 20, stdout);
	second_opinion(&d, "kernel .text, 64-bit");
	insn_diff_fini(&d);
	assert_int_equal(last_objdump.disagreed, 0);
	if (getenv("INSN_OBJDUMP_KERNEL")) {
		struct insn_objdump r;

		memset(&r, 0, sizeof(r));
		if (insn_objdump_sweep(text, size, 64, &r, 20, stdout,
				       &why) == 0) {
			objdump_sweep_report(&r, "kernel .text, 64-bit");
			assert_int_equal(r.disagreed, 0);
		} else {
			printf("objdump full sweep: skipped: %s\n", why);
		}
	}
	free(text);
	/* The sweep must have decoded most of 14 MB of code. */
	assert_true(d.compared > size / 8);
	assert_true(insn_diff_ppm(&d) >= KTEXT_MIN_PPM);
}

/*
 * Compiled user-space code: the C libraries carry the SSE/AVX/AVX2/
 * AVX-512 string and math routines the kernel never uses, so this is
 * where real VEX and EVEX encodings come from; /usr/lib32 gives real
 * 32-bit code.  Each library that is absent is skipped with a note.
 */
static const char *const user_libs[] = {
	"/usr/lib/x86_64-linux-gnu/libc.so.6",
	"/usr/lib/x86_64-linux-gnu/libm.so.6",
	"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
	"/usr/lib/x86_64-linux-gnu/libcapstone.so.4",
	"/usr/lib32/libc.so.6",
	"/usr/lib32/libm.so.6",
	"/usr/lib32/libstdc++.so.6",
};

static void user_code_run(int mode)
{
	static struct insn_diff d;
	struct insn_objdump full;
	const char *od_why = NULL;
	unsigned int i, used = 0;
	char title[64];

	assert_int_equal(insn_diff_init(&d, mode), 0);
	assert_int_equal(insn_diff_hold(&d, HELD_MAX), 0);
	memset(&full, 0, sizeof(full));
	for (i = 0; i < ARRAY_SIZE(user_libs); i++) {
		const char *why = NULL;
		size_t size;
		int bits = 0;
		u8 *text = insn_elf_text(user_libs[i], &size, &bits, &why);

		if (!text) {
			printf("note: %s: %s\n", user_libs[i], why);
			continue;
		}
		if (bits == mode) {
			printf("%s: .text %zu bytes\n", user_libs[i], size);
			insn_diff_sweep(&d, text, size);
			if (!od_why && insn_objdump_sweep(text, size, mode,
							  &full, 20, stdout,
							  &od_why) < 0)
				printf("objdump full sweep: skipped: %s\n",
				       od_why);
			used++;
		}
		free(text);
	}
	if (!used) {
		insn_diff_fini(&d);
		printf("SKIP user code, %d-bit: no library found\n", mode);
		skip();
	}
	snprintf(title, sizeof(title), "shared-library .text, %d-bit", mode);
	insn_diff_report(&d, title, 20, stdout);
	second_opinion(&d, title);
	if (!od_why)
		objdump_sweep_report(&full, title);
	insn_diff_fini(&d);
	assert_true(insn_diff_ppm(&d) >= KTEXT_MIN_PPM);
	assert_int_equal(last_objdump.disagreed, 0);
	assert_int_equal(full.disagreed, 0);
}

static void test_user_code_64(void **state)
{
	(void)state;
	user_code_run(64);
}

static void test_user_code_32(void **state)
{
	(void)state;
	user_code_run(32);
}

/* One random input: a shape that reaches every opcode map, then noise. */
static void random_input(u64 *rng, unsigned long i, u8 *b)
{
	static const u8 prefixes[] = {
		0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x64, 0x65,
		0x36, 0x40, 0x41, 0x48, 0x4c, 0x4f,
	};
	unsigned int j, n = 0;
	u64 r;

	for (j = 0; j < 15; j += 8) {
		r = insn_rand_next(rng);
		memcpy(b + j, &r, j + 8 <= 15 ? 8 : 15 - j);
	}
	switch (i % 8) {
	case 0:
	case 1:
		break;			/* pure noise */
	case 2:
		b[0] = 0x0f;
		break;
	case 3:
		b[0] = 0x0f;
		b[1] = (b[1] & 1) ? 0x38 : 0x3a;
		break;
	case 4:
		n = 1 + b[14] % 4;
		for (j = 0; j < n; j++)
			b[j] = prefixes[b[j] % sizeof(prefixes)];
		break;
	case 5:
		b[0] = (b[0] & 1) ? 0xc4 : 0xc5;
		break;
	case 6:
		b[0] = 0x62;
		break;
	case 7:
		b[0] = 0x8f;
		break;
	}
}

static void random_run(int mode)
{
	static struct insn_diff d;
	u64 rng = RANDOM_SEED + (u64)mode;
	u8 b[15];
	unsigned long i;
	char title[64];

	assert_int_equal(insn_diff_init(&d, mode), 0);
	assert_int_equal(insn_diff_hold(&d, HELD_MAX), 0);
	for (i = 0; i < RANDOM_INPUTS; i++) {
		random_input(&rng, i, b);
		insn_diff_one(&d, b, sizeof(b));
	}
	snprintf(title, sizeof(title), "random 15-byte strings, %d-bit", mode);
	insn_diff_report(&d, title, 12, stdout);
	second_opinion(&d, title);
	insn_diff_fini(&d);
	assert_true(d.compared > RANDOM_INPUTS / 3);
	assert_true(insn_diff_ppm(&d) >= RANDOM_MIN_PPM);
}

static void test_random_64(void **state)
{
	(void)state;
	random_run(64);
}

static void test_random_32(void **state)
{
	(void)state;
	random_run(32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_text_64),
		cmocka_unit_test(test_user_code_64),
		cmocka_unit_test(test_user_code_32),
		cmocka_unit_test(test_random_64),
		cmocka_unit_test(test_random_32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
