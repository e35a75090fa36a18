// SPDX-License-Identifier: GPL-2.0
/*
 * gdbstub_bench.c - throughput of the RSP engine in user space: 'm' reply
 * encoding (4 KiB reads -> 8 KiB hex) and binary 'X' decoding (4 KiB writes
 * with escapes), through the full engine (framing, checksums, acks, RLE)
 * over the in-memory transport.  Prints MB/s of target memory moved; the
 * goal is >= 100 MB/s so a serial line (11.5 KB/s) is always the limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gdbstub/gdbstub.h"
#include "gdbstub/rsp_codec.h"
#include "tests/unit/gdbstub/support_fake.h"

#define CHUNK	0x1000
#define REQS	2000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *build_input(bool xwrite, size_t *len)
{
	static u8 data[CHUNK];
	char *in = malloc((size_t)REQS * (2 * CHUNK + 64));
	char *pkt = malloc(2 * CHUNK + 64);
	size_t o = 0;
	int i, n;

	/* Data with every byte value: 4 of 256 need escaping. */
	for (i = 0; i < CHUNK; i++)
		data[i] = (u8)(i * 7);
	if (xwrite) {
		size_t took;

		n = sprintf(pkt, "X%llx,%x:", FAKE_MEM, CHUNK);
		n += (int)rsp_escape(pkt + n, 2 * CHUNK, data, CHUNK, &took);
	} else {
		n = sprintf(pkt, "m%llx,%x", FAKE_MEM, CHUNK);
	}
	for (i = 0; i < REQS; i++) {
		in[o++] = '$';
		memcpy(in + o, pkt, (size_t)n);
		o += (size_t)n;
		o += (size_t)sprintf(in + o, "#%02x+",
				     rsp_checksum(pkt, (size_t)n));
	}
	free(pkt);
	*len = o;
	return in;
}

static double run(bool xwrite, bool rle)
{
	static struct rsp_engine eng;
	static struct fake f;
	struct rsp_config cfg = { .byte_timeout_ms = 1, .idle_ms = 1,
				  .rle_replies = rle };
	struct rsp_transport tr;
	size_t len;
	char *in = build_input(xwrite, &len);
	double t0, t;
	int round;

	fake_init(&f);
	tr = fake_transport(&f, true);
	rsp_init(&eng, &tr, &fake_ops, &f, &cfg);
	t0 = now();
	for (round = 0; round < 5; round++) {
		f.out_len = 0;	/* discard output; the sink is not measured */
		fake_set_input(&f, in, len);
		rsp_serve(&eng, NULL);
		if (eng.tx_packets != (u64)REQS * (round + 1))
			abort();
	}
	t = now() - t0;
	if (xwrite && f.mem[1] != 7)
		abort();
	free(in);
	fake_free(&f);
	return 5.0 * REQS * CHUNK / t / 1e6;
}

int main(void)
{
	printf("gdbstub m-reply encode (4 KiB reads, RLE on):  %8.1f MB/s\n",
	       run(false, true));
	printf("gdbstub m-reply encode (4 KiB reads, RLE off): %8.1f MB/s\n",
	       run(false, false));
	printf("gdbstub X decode (4 KiB binary writes):        %8.1f MB/s\n",
	       run(true, true));
	return 0;
}
