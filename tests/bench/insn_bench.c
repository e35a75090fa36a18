// SPDX-License-Identifier: GPL-2.0
/*
 * insn_bench.c - insn_len() throughput over the Debian kernel's .text.
 *
 * Walks the text as a disassembler would (next = here + length; on an
 * error, one byte on) and reports instructions per second and MB/s, best
 * of several passes; capstone 4's linear sweep (no detail) over the same
 * bytes is timed for scale.  Figures go to docs/performance.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <capstone/capstone.h>
#include "kmod/lib/insn_len.h"
#include "tests/unit/insn/support_diff.h"

#define PASSES	5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static unsigned long walk(const u8 *text, size_t size, unsigned long *errs)
{
	size_t off = 0;
	unsigned long n = 0;
	int len;

	*errs = 0;
	while (off < size) {
		len = insn_len(text + off, size - off, 64);
		if (len > 0) {
			off += (size_t)len;
			n++;
		} else {
			off++;
			(*errs)++;
		}
	}
	return n;
}

static unsigned long cs_walk(const u8 *text, size_t size)
{
	csh h;
	cs_insn *ci;
	const u8 *p = text;
	size_t left = size;
	u64 addr = 0;
	unsigned long n = 0;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return 0;
	ci = cs_malloc(h);
	while (left) {
		if (cs_disasm_iter(h, &p, &left, &addr, ci)) {
			n++;
		} else {
			p++;
			left--;
			addr++;
		}
	}
	cs_free(ci, 1);
	cs_close(&h);
	return n;
}

int main(void)
{
	const char *why = NULL;
	size_t size;
	u64 vaddr;
	u8 *text = insn_ktext_load(&size, &vaddr, &why);
	unsigned long n = 0, errs = 0, cn;
	double best = 1e9, t, cs_t;
	int i;

	if (!text) {
		printf("insn_bench: skipped: %s\n", why);
		return 0;
	}
	for (i = 0; i < PASSES; i++) {
		t = now();
		n = walk(text, size, &errs);
		t = now() - t;
		if (t < best)
			best = t;
	}
	printf("insn_len: %lu instructions (%lu resyncs) in %zu bytes of "
	       "kernel .text: best of %d passes %.3f s = %.1f M insn/s, "
	       "%.0f MB/s, %.1f ns/insn\n", n, errs, size, PASSES, best,
	       n / best / 1e6, size / best / 1e6, best * 1e9 / n);
	cs_t = now();
	cn = cs_walk(text, size);
	cs_t = now() - cs_t;
	printf("capstone 4 sweep (no detail), same bytes: %lu instructions "
	       "in %.3f s = %.1f M insn/s (insn_len is %.0fx faster)\n",
	       cn, cs_t, cn / cs_t / 1e6, (cs_t / cn) / (best / n));
	free(text);
	return 0;
}
