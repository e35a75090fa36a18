// SPDX-License-Identifier: GPL-2.0
/*
 * gdbstub_fuzz.c - libFuzzer harness over the RSP engine: the input is what
 * "gdb" sends, through the in-memory transport of the unit tests, to the
 * fake target.  Byte 0 picks options (reliable link, RLE, thread count,
 * stop reason given after a resume; bit 6: each resume is followed by
 * File-I/O requests, the input then also being gdb's answers to them).  Besides ASan/UBSan, every reply must
 * be a well-formed packet with a correct checksum that fits PacketSize.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/gdbstub.h"
#include "gdbstub/rsp_codec.h"
#include "tests/unit/gdbstub/support_fake.h"

static struct rsp_engine eng;
static struct fake fk, fk_template;

static void check_output(const struct fake *f)
{
	size_t i = 0;

	while (i < f->out_len) {
		size_t s;
		u8 sum = 0;

		if (f->out[i] != '$') {
			if (f->out[i] != '+' && f->out[i] != '-')
				abort();	/* stray byte on the wire */
			i++;
			continue;
		}
		for (s = i + 1; s < f->out_len && f->out[s] != '#'; s++) {
			if (f->out[s] == '$')
				abort();	/* unescaped '$' */
			sum += f->out[s];
		}
		/* The fake keeps FAKE_OUT_MAX bytes of what the engine sent:
		 * a packet cut there is the fake's limit, not the engine's. */
		if (s + 2 >= f->out_len && f->out_len == FAKE_OUT_MAX)
			break;
		if (s + 2 >= f->out_len || s - i - 1 > RSP_PACKET_SIZE)
			abort();
		if ((rsp_hex_val(f->out[s + 1]) << 4 |
		     rsp_hex_val(f->out[s + 2])) != sum)
			abort();
		i = s + 3;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct rsp_transport tr;
	struct rsp_config cfg = { .byte_timeout_ms = 1, .idle_ms = 1 };
	struct rsp_stop st = { .tid = 1, .signal = RSP_SIGTRAP };
	u8 *out;
	int loops;
	u8 opt;

	if (size < 1)
		return 0;
	opt = data[0];
	if (!fk_template.out)
		fake_init(&fk_template);
	out = fk_template.out;
	fk = fk_template;	/* fresh target state, shared out buffer */
	fk.out = out;
	fk.nthreads = 1 + (opt >> 2) % FAKE_THREADS;
	fk.monitor_bytes = (opt & 0x80) ? 20000 : 10;
	cfg.rle_replies = opt & 2;
	tr = fake_transport(&fk, opt & 1);
	rsp_init(&eng, &tr, &fake_ops, &fk, &cfg);
	fake_set_input(&fk, data + 1, size - 1);

	for (loops = 0; loops < 100000; loops++) {
		struct rsp_resume r = rsp_serve(&eng, loops ? &st : NULL);

		if (r.kind == RSP_RESUME_IDLE && fk.in_pos >= fk.in_len)
			break;
		if (r.kind == RSP_RESUME_RUN && (opt & 0x40)) {
			static const char text[] = "0x1 a hit\n";
			long fd = rsp_fileio_open(&eng, "/tmp/spool",
						  RSP_FIO_O_WRONLY, 0600);

			rsp_fileio_write(&eng, fd < 0 ? 3 : (int)fd, text,
					 sizeof(text) - 1);
		}
		if (r.kind == RSP_RESUME_RUN) {
			/* "Run" until the poll sees something, like a CPU. */
			while (fk.in_pos < fk.in_len &&
			       !rsp_poll_running(&eng))
				;
			st.tid = 1 + (int)(fk.in_pos % (size_t)fk.nthreads);
			st.reason = (enum rsp_stop_reason)(fk.in_pos % 6);
			st.signal = fk.in_pos & 1 ? RSP_SIGINT : RSP_SIGTRAP;
			st.addr = fk.in_pos * 0x1000;
		}
		if (r.kind == RSP_RESUME_DETACH)
			rsp_reset_connection(&eng);
	}
	check_output(&fk);
	if (fk.bp_inserted < 0)
		abort();	/* removed something never inserted */
	return 0;
}
