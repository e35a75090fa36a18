// SPDX-License-Identifier: GPL-2.0
/*
 * insn_len_fuzz.c - libFuzzer target for insn_len().
 *
 * The first input byte picks the mode (bit 0: 32 or 64), the rest is the
 * code, copied into a heap block of exactly that size so AddressSanitizer
 * reports any read past avail.  Checked on every input:
 *  - the result is 1..15, INSN_LEN_INVALID or INSN_LEN_TRUNCATED;
 *  - a length never exceeds avail; TRUNCATED only when avail < 15;
 *  - given exactly its own bytes an instruction has the same length, and
 *    given fewer it is TRUNCATED (the decision depends on nothing past it);
 *  - an invalid or 15-byte-limited result does not change with more
 *    bytes appended beyond 15.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kmod/lib/insn_len.h"

static void insn_fuzz_check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int mode, r, k;
	size_t avail;
	u8 *code;

	if (size < 1)
		return 0;
	mode = (data[0] & 1) ? 32 : 64;
	avail = size - 1;
	code = malloc(avail ? avail : 1);
	if (!code)
		return 0;
	memcpy(code, data + 1, avail);

	r = insn_len(code, avail, mode);
	insn_fuzz_check(r == INSN_LEN_INVALID || r == INSN_LEN_TRUNCATED ||
			(r >= 1 && r <= 15));
	if (r > 0) {
		insn_fuzz_check((size_t)r <= avail);
		insn_fuzz_check(insn_len(code, (size_t)r, mode) == r);
		for (k = 0; k < r; k++)
			insn_fuzz_check(insn_len(code, (size_t)k, mode) ==
					INSN_LEN_TRUNCATED);
	}
	if (r == INSN_LEN_TRUNCATED)
		insn_fuzz_check(avail < 15);
	if (avail > 15)
		insn_fuzz_check(insn_len(code, 15, mode) == r);
	free(code);
	return 0;
}
