// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the engine and dispatcher: every packet and error path,
 * through an in-memory transport and a fake target (support_fake.c).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gdbstub/gdbstub.h"
#include "gdbstub/rsp_codec.h"
#include "support_fake.h"

struct fx {
	struct fake f;
	struct rsp_engine eng;
	struct rsp_resume res;
	char in[1 << 17];
	size_t in_len;
	int seen;		/* output packets already looked at */
};

static struct fx *fx_new(bool reliable)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct rsp_transport tr;
	struct rsp_config cfg = { .byte_timeout_ms = 10, .idle_ms = 1,
				  .rle_replies = true };

	fake_init(&x->f);
	tr = fake_transport(&x->f, reliable);
	rsp_init(&x->eng, &tr, &fake_ops, &x->f, &cfg);
	fake_set_input(&x->f, x->in, 0);
	return x;
}

static int fx_teardown(void **state)
{
	struct fx *x = *state;

	fake_free(&x->f);
	free(x);
	return 0;
}

static int fx_setup(void **state)
{
	*state = fx_new(true);
	return 0;
}

static void fx_raw(struct fx *x, const void *b, size_t n)
{
	memcpy(x->in + x->in_len, b, n);
	x->in_len += n;
	x->f.in_len = x->in_len;
}

static void fx_send(struct fx *x, const char *payload)
{
	char buf[1 << 16];

	fx_raw(x, buf, fake_frame(buf, payload));
}

/* Serves until input runs out or a resume; returns the last new packet. */
static const char *fx_serve(struct fx *x, const struct rsp_stop *why)
{
	int n;

	x->res = rsp_serve(&x->eng, why);
	n = fake_npackets(&x->f);
	if (n == x->seen)
		return NULL;
	x->seen = n;
	return fake_packet(&x->f, n - 1);
}

static const char *fx_req(struct fx *x, const char *payload)
{
	fx_send(x, payload);
	return fx_serve(x, NULL);
}

/* Every packet the engine sent carries a correct checksum. */
static void assert_checksums(struct fx *x)
{
	size_t i = 0;
	const u8 *o = x->f.out;

	while (i < x->f.out_len) {
		size_t s;
		u8 sum = 0;

		if (o[i] != '$') {
			assert_true(o[i] == '+' || o[i] == '-');
			i++;
			continue;
		}
		for (s = i + 1; s < x->f.out_len && o[s] != '#'; s++)
			sum += o[s];
		assert_true(s + 2 < x->f.out_len);
		assert_int_equal(rsp_hex_val(o[s + 1]) << 4 |
				 rsp_hex_val(o[s + 2]), sum);
		i = s + 3;
	}
}

#define X (*(struct fx **)state)

/* --- framing ------------------------------------------------------------ */

static void test_ack_and_reply(void **state)
{
	assert_string_equal(fx_req(X, "qC"), "QC1");
	assert_int_equal(X->f.out[0], '+');
	assert_int_equal(X->res.kind, RSP_RESUME_IDLE);
	assert_checksums(X);
}

static void test_bad_checksum_nack(void **state)
{
	fx_raw(X, "$qC#00", 6);
	assert_null(fx_serve(X, NULL));
	assert_int_equal(X->f.out[0], '-');
	assert_int_equal(X->eng.bad_csum, 1);
	fx_raw(X, "$qC#zz", 6);			/* non-hex checksum */
	assert_null(fx_serve(X, NULL));
	assert_int_equal(X->eng.bad_csum, 2);
}

static void test_garbage_and_interrupt_ignored_between_packets(void **state)
{
	fx_raw(X, "xyz\x03\xff+-", 7);
	assert_string_equal(fx_req(X, "qC"), "QC1");
}

static void test_retransmit_on_nack(void **state)
{
	fx_send(X, "qC");
	fx_raw(X, "-", 1);
	fx_serve(X, NULL);
	assert_int_equal(fake_npackets(&X->f), 2);
	assert_string_equal(fake_packet(&X->f, 1), "QC1");
	assert_int_equal(X->eng.retransmits, 1);
}

static void test_retransmit_gives_up(void **state)
{
	int i;

	fx_send(X, "qC");
	for (i = 0; i < 20; i++)
		fx_raw(X, "-", 1);
	fx_serve(X, NULL);
	assert_int_equal(fake_npackets(&X->f), 8);	/* bounded */
}

static void test_lost_ack_next_request_counts_as_ack(void **state)
{
	/* gdb's '+' for our reply was lost; its next packet arrives while we
	 * wait for the ack: that packet must be served, not swallowed. */
	fx_send(X, "qC");
	fx_send(X, "qAttached");
	fx_serve(X, NULL);
	assert_int_equal(fake_npackets(&X->f), 2);
	assert_string_equal(fake_packet(&X->f, 0), "QC1");
	assert_string_equal(fake_packet(&X->f, 1), "1");
	assert_int_equal(X->eng.retransmits, 0);
}

static void test_ctrl_c_during_ack_wait_ignored(void **state)
{
	fx_send(X, "qC");
	fx_raw(X, "\x03\x03+", 3);
	fx_send(X, "qAttached");
	fx_serve(X, NULL);
	assert_int_equal(fake_npackets(&X->f), 2);
	assert_string_equal(fake_packet(&X->f, 1), "1");
}

static void test_timeouts_inside_rle_and_checksum(void **state)
{
	fx_raw(X, "$M1000,1:0*", 11);		/* stops after '*' */
	assert_null(fx_serve(X, NULL));
	fx_raw(X, "$qC#b", 5);			/* one checksum digit */
	assert_null(fx_serve(X, NULL));
	fx_raw(X, "$qC#", 4);			/* none */
	assert_null(fx_serve(X, NULL));
	assert_string_equal(fx_req(X, "qC"), "QC1");
}

static void test_rle_expansion_overflow(void **state)
{
	static char big[RSP_PACKET_SIZE];
	size_t n;

	/* RLE that would expand past PacketSize is rejected. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "M1000,1:", 8);
	n = sizeof(big) - 40;
	big[n] = '*';
	big[n + 1] = 126;
	big[n + 2] = 0;
	assert_string_equal(fx_req(X, big), "E07");
	assert_string_equal(fx_req(X, "qC"), "QC1");
}

static void test_rle_off(void **state)
{
	X->eng.cfg.rle_replies = false;
	memset(X->f.mem, 0, 16);
	fx_req(X, "m1000,10");
	assert_null(memchr(X->f.out, '*', X->f.out_len));
	assert_string_equal(fake_packet(&X->f, 0),
			    "00000000000000000000000000000000");
}

static void test_rle_input(void **state)
{
	char p[64];

	snprintf(p, sizeof(p), "M1000,8:5*%c", 29 + 15);
	assert_string_equal(fx_req(X, p), "OK");
	assert_string_equal(fx_req(X, "m1000,8"), "5555555555555555");
	/* A run with nothing to repeat, or a bad count, is rejected. */
	snprintf(p, sizeof(p), "*%c", 29 + 5);
	fx_send(X, p);
	assert_string_equal(fx_serve(X, NULL), "E07");
	fx_send(X, "qC*\x01");
	assert_string_equal(fx_serve(X, NULL), "E07");
}

static void test_rle_output_is_used(void **state)
{
	const u8 *o;

	memset(X->f.mem, 0, 64);
	assert_string_equal(fx_req(X, "m1000,40"),
			    "00000000000000000000000000000000"
			    "00000000000000000000000000000000"
			    "00000000000000000000000000000000"
			    "00000000000000000000000000000000");
	o = memchr(X->f.out, '$', X->f.out_len);
	assert_non_null(memchr(o, '*', X->f.out_len - (size_t)(o - X->f.out)));
	assert_true(X->f.out_len < 40);
	assert_checksums(X);
}

static void test_oversized_packet(void **state)
{
	static char big[RSP_PACKET_SIZE + 100];

	memset(big, 'a', sizeof(big) - 1);
	big[0] = 'M';
	assert_string_equal(fx_req(X, big), "E07");
	assert_string_equal(fx_req(X, "qC"), "QC1");
}

static void test_endless_noise_returns_to_caller(void **state)
{
	static char noise[6 * RSP_PACKET_SIZE];

	/* Junk between packets: IDLE comes back although bytes keep coming. */
	memset(noise, 'j', sizeof(noise));
	fx_raw(X, noise, sizeof(noise));
	fx_serve(X, NULL);
	assert_int_equal(X->res.kind, RSP_RESUME_IDLE);
	/* A packet that never ends is dropped, then serving goes on. */
	X->in_len = 0;
	X->f.in_pos = 0;
	noise[0] = '$';
	fx_raw(X, noise, sizeof(noise));
	fx_send(X, "qC");
	{
		const char *r = NULL;
		int calls;

		/* The caller sees IDLE now and then and calls again. */
		for (calls = 0; !r && calls < 100; calls++)
			r = fx_serve(X, NULL);
		assert_non_null(r);
		assert_string_equal(r, "QC1");
		assert_true(calls > 1);
	}
}

static void test_truncated_packet_times_out(void **state)
{
	fx_raw(X, "$m1000,4", 8);		/* peer vanished */
	assert_null(fx_serve(X, NULL));
	assert_int_equal(X->res.kind, RSP_RESUME_IDLE);
	fx_raw(X, "$m10", 4);			/* '$' restarts a packet */
	fx_send(X, "qC");
	assert_string_equal(fx_serve(X, NULL), "QC1");
}

static void test_noack_mode(void **state)
{
	assert_string_equal(fx_req(X, "QStartNoAckMode"), "OK");
	assert_true(X->eng.no_ack);
	X->f.out_len = 0;
	X->seen = 0;
	assert_string_equal(fx_req(X, "qC"), "QC1");
	assert_int_equal(X->f.out[0], '$');		/* no '+' */
	/* lldb's order: no-ack first, then qSupported; acks stay off. */
	fx_req(X, "qSupported:xmlRegisters=i386");
	assert_true(X->eng.no_ack);
	/* A new gdb announces itself with '+': acks come back on. */
	fx_raw(X, "+", 1);
	fx_send(X, "qSupported:swbreak+");
	fx_serve(X, NULL);
	assert_false(X->eng.no_ack);
}

static void test_noack_reset_while_running(void **state)
{
	fx_req(X, "QStartNoAckMode");
	fx_req(X, "c");
	fx_raw(X, "+", 1);
	fx_send(X, "qSupported");
	assert_true(rsp_poll_running(&X->eng));
	assert_false(X->eng.no_ack);
}

static void test_noack_refused_on_unreliable(void **state)
{
	struct fx *u = fx_new(false);

	assert_null(strstr(fx_req(u, "qSupported"), "QStartNoAckMode"));
	assert_string_equal(fx_req(u, "QStartNoAckMode"), "");
	assert_false(u->eng.no_ack);
	fx_teardown((void **)&u);
	(void)state;
}

static void test_reset_connection(void **state)
{
	fx_req(X, "QStartNoAckMode");
	rsp_reset_connection(&X->eng);
	assert_false(X->eng.no_ack);
}

/* --- queries ------------------------------------------------------------ */

static void test_qsupported(void **state)
{
	const char *r = fx_req(X, "qSupported:multiprocess+;swbreak+;xmlRegisters=i386");

	assert_string_equal(r, "PacketSize=4000;qXfer:features:read+;"
			    "qXfer:threads:read+;swbreak+;hwbreak+;"
			    "vContSupported+;QStartNoAckMode+");
	assert_true(X->eng.peer_swbreak);
	assert_false(X->eng.peer_hwbreak);
}

static void test_target_xml(void **state)
{
	char req[64];
	const char *r;
	size_t off = 0;
	char *xml = calloc(1, 1 << 16);

	for (;;) {
		snprintf(req, sizeof(req),
			 "qXfer:features:read:target.xml:%zx,7f", off);
		r = fx_req(X, req);
		assert_true(r[0] == 'm' || r[0] == 'l');
		memcpy(xml + off, r + 1, strlen(r + 1));
		off += strlen(r + 1);
		if (r[0] == 'l')
			break;
	}
	assert_int_equal(off, rsp_target_xml_len);
	assert_memory_equal(xml, rsp_target_xml, off);
	snprintf(req, sizeof(req), "qXfer:features:read:target.xml:%zx,10",
		 off + 5);
	assert_string_equal(fx_req(X, req), "l");
	assert_string_equal(fx_req(X, "qXfer:features:read:a.xml:0,10"),
			    "E00");
	assert_string_equal(fx_req(X, "qXfer:features:read:target.xml:0"),
			    "E16");
	free(xml);
}

/* The description names exactly our registers, each with its regnum and
 * size (the text need not follow regnum order: the descriptor-table
 * registers sit in org.hvgdb.sysregs before the debug registers). */
static void test_target_xml_matches_table(void **state)
{
	const char *p = rsp_target_xml, *q;
	bool seen[RSP_NUM_REGS] = { false };
	int n = 0, regno = -1;
	size_t total = 0;
	char want[96];

	(void)state;
	while ((p = strstr(p, "<reg name=\"")) != NULL) {
		/* gdb's numbering: regnum when given, else one past the last. */
		q = strstr(p, "regnum=\"");
		if (q && q < strstr(p, "/>"))
			regno = atoi(q + strlen("regnum=\""));
		else
			regno++;
		assert_in_range(regno, 0, RSP_NUM_REGS - 1);
		assert_false(seen[regno]);
		seen[regno] = true;
		snprintf(want, sizeof(want),
			 "<reg name=\"%s\" bitsize=\"%zu\"",
			 rsp_reg_name(regno), rsp_reg_size(regno) * 8);
		assert_memory_equal(p, want, strlen(want));
		total += rsp_reg_size(regno);
		n++;
		p++;
	}
	assert_int_equal(n, RSP_NUM_REGS);
	assert_int_equal(total, RSP_G_BYTES);
	assert_int_equal(rsp_reg_offset(RSP_REG_CR3), 576);
	assert_int_equal(rsp_reg_offset(RSP_REG_GDTR), 656);
	assert_int_equal(rsp_reg_offset(RSP_REG_TR_SEL), 708);
	assert_string_equal(rsp_reg_name(RSP_REG_IDTR), "idtr");
	assert_int_equal(rsp_reg_size(RSP_REG_IDTR), 8);
	assert_int_equal(rsp_reg_size(RSP_REG_IDTR_LIMIT), 4);
	assert_int_equal(rsp_reg_size(RSP_NUM_REGS), 0);
	assert_null(rsp_reg_name(-1));
}

static void test_thread_queries(void **state)
{
	char hex[128];

	assert_string_equal(fx_req(X, "qfThreadInfo"), "m1,2");
	assert_string_equal(fx_req(X, "qsThreadInfo"), "l");
	assert_string_equal(fx_req(X, "qC"), "QC1");
	assert_string_equal(fx_req(X, "qAttached"), "1");
	rsp_hex_encode(hex, (const u8 *)"CPU 2: t&<1>", 12);
	hex[24] = 0;
	assert_string_equal(fx_req(X, "qThreadExtraInfo,2"), hex);
	assert_string_equal(fx_req(X, "qThreadExtraInfo,7"), "E03");
	assert_string_equal(fx_req(X, "qThreadExtraInfo,zz"), "E16");
	assert_string_equal(fx_req(X, "qXfer:threads:read::0,1000"),
			    "l<?xml version=\"1.0\"?>\n<threads>\n"
			    "<thread id=\"1\" core=\"0\" name=\"CPU 1: t&amp;&lt;0&gt;\"/>\n"
			    "<thread id=\"2\" core=\"1\" name=\"CPU 2: t&amp;&lt;1&gt;\"/>\n"
			    "</threads>\n");
	/* Chunked reads continue from the cached document. */
	assert_string_equal(fx_req(X, "qXfer:threads:read::0,5"), "m<?xml");
	assert_string_equal(fx_req(X, "qXfer:threads:read::5,4"), "m ver");
}

static void test_many_threads_packed(void **state)
{
	X->f.nthreads = FAKE_THREADS;
	assert_string_equal(fx_req(X, "qfThreadInfo"), "m1,2,3");
	assert_string_equal(fx_req(X, "qsThreadInfo"), "l");
	assert_non_null(strstr(fx_req(X, "qXfer:threads:read::0,1000"),
			       "name=\"CPU 3: &quot;q&quot;?\"/>"));
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static void test_threads_xml_never_malformed(void **state)
{
	char req[64];
	static char xml[RSP_XFER_BUF_SIZE + 1];
	size_t off = 0;
	const char *r;

	/* 64 CPUs with 63 '&' each (315 bytes escaped) cannot all fit. */
	X->f.nthreads = RSP_MAX_THREADS;
	X->f.long_names = true;
	do {
		snprintf(req, sizeof(req), "qXfer:threads:read::%zx,fff", off);
		size_t n;

		r = fx_req(X, req);
		assert_non_null(r);
		n = strlen(r);
		assert_true(n >= 1 && off + n - 1 <= RSP_XFER_BUF_SIZE);
		memcpy(xml + off, r + 1, n - 1);
		off += n - 1;
	} while (r[0] == 'm');
	xml[off] = 0;
	assert_true(off <= RSP_XFER_BUF_SIZE);
	assert_string_equal(xml + off - 11, "</threads>\n");
	assert_true(count(xml, "<thread ") > 10);
	assert_int_equal(count(xml, "<thread "), count(xml, "\"/>\n"));
	/* The packed id list still names every CPU. */
	r = fx_req(X, "qfThreadInfo");
	assert_int_equal(count(r, ","), RSP_MAX_THREADS - 1);
}

static void test_unknown_packets_empty(void **state)
{
	static const char *const unk[] = {
		"vMustReplyEmpty", "qTStatus", "qOffsets", "qSymbol::",
		"QPassSignals:1", "vFile:open:", "b", "!", "Z5,0,1", "Qfoo",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unk); i++)
		assert_string_equal(fx_req(X, unk[i]), "");
	assert_string_equal(fx_req(X, ""), "");
}

/* --- registers ---------------------------------------------------------- */

static void test_read_all_registers(void **state)
{
	const char *r = fx_req(X, "g");

	assert_int_equal(strlen(r), 2 * RSP_G_BYTES);
	assert_memory_equal(r, "0001020304050607", 16);
	X->f.fail_reg = RSP_REG_CR2;
	r = fx_req(X, "g");
	assert_memory_equal(r + 2 * rsp_reg_offset(RSP_REG_CR2),
			    "xxxxxxxxxxxxxxxx", 16);
	assert_memory_equal(r + 2 * rsp_reg_offset(RSP_REG_CR3), "4041", 4);
}

static void test_write_all_registers(void **state)
{
	static char g[2 * RSP_G_BYTES + 2];

	memset(g + 1, 'a', 2 * RSP_G_BYTES);
	g[0] = 'G';
	assert_string_equal(fx_req(X, g), "OK");
	assert_int_equal(X->f.regs[0][RSP_G_BYTES - 1], 0xaa);
	g[2 * RSP_G_BYTES] = 0;				/* one char short */
	assert_string_equal(fx_req(X, g), "E16");
	X->f.fail_reg = 3;
	g[2 * RSP_G_BYTES] = 'a';
	assert_string_equal(fx_req(X, g), "E05");
}

static void test_single_registers(void **state)
{
	assert_string_equal(fx_req(X, "p10"), "8081828384858687");
	assert_string_equal(fx_req(X, "P10=1122334455667788"), "OK");
	assert_string_equal(fx_req(X, "p10"), "1122334455667788");
	assert_string_equal(fx_req(X, "p11"), "88898a8b");	/* eflags */
	assert_string_equal(fx_req(X, "p52"), "E16");	/* 82: none */
	assert_string_equal(fx_req(X, "p"), "E16");
	assert_string_equal(fx_req(X, "p1x"), "E16");
	assert_string_equal(fx_req(X, "P11=00"), "E16");	/* size */
	assert_string_equal(fx_req(X, "P10"), "E16");
	assert_string_equal(fx_req(X, "P52=00"), "E16");
	X->f.fail_reg = 0;
	assert_string_equal(fx_req(X, "p0"), "E05");
	assert_string_equal(fx_req(X, "P0=0000000000000000"), "E05");
}

static void test_thread_selection(void **state)
{
	assert_string_equal(fx_req(X, "Hg2"), "OK");
	assert_string_equal(fx_req(X, "p0"), "1011121314151617");
	assert_string_equal(fx_req(X, "Hg9"), "E03");
	assert_string_equal(fx_req(X, "Hg-1"), "OK");
	assert_string_equal(fx_req(X, "p0"), "0001020304050607");
	assert_string_equal(fx_req(X, "Hc2"), "OK");
	assert_string_equal(fx_req(X, "Hx1"), "E16");
	assert_string_equal(fx_req(X, "H"), "E16");
	assert_string_equal(fx_req(X, "Hg1z"), "E16");
	assert_string_equal(fx_req(X, "T1"), "OK");
	assert_string_equal(fx_req(X, "T3"), "E03");
	assert_string_equal(fx_req(X, "T0"), "E03");
	assert_string_equal(fx_req(X, "Tq"), "E16");
}

/* --- memory ------------------------------------------------------------- */

static void test_memory_read(void **state)
{
	assert_string_equal(fx_req(X, "m1000,4"), "00010203");
	assert_string_equal(fx_req(X, "m1ffe,8"), "feff");	/* partial */
	assert_string_equal(fx_req(X, "m0,4"), "E0e");
	assert_string_equal(fx_req(X, "m1000"), "E16");
	assert_string_equal(fx_req(X, "m1000,4x"), "E16");
	assert_string_equal(fx_req(X, "mffffffffffffffff,2"), "E16");
	assert_string_equal(fx_req(X, "m1000,0"), "");
	/* Larger than a reply can hold: clamped to PacketSize / 2. */
	assert_int_equal(strlen(fx_req(X, "m1000,100000")), 2 * 0x1000);
}

static void test_memory_write_hex(void **state)
{
	assert_string_equal(fx_req(X, "M1000,2:abcd"), "OK");
	assert_int_equal(X->f.mem[0], 0xab);
	assert_string_equal(fx_req(X, "M1000,2:abc"), "E16");
	assert_string_equal(fx_req(X, "M1000,1:abcd"), "E16");
	assert_string_equal(fx_req(X, "M1000,2abcd"), "E16");
	assert_string_equal(fx_req(X, "M0,1:00"), "E0e");
	assert_string_equal(fx_req(X, "M1000,ffffff:00"), "E16");
}

static void test_memory_write_binary(void **state)
{
	const char pkt[] = "X1000,5:}\x03}\x04}\x5d}\x0a\x00";

	fx_send(X, "");		/* keep the packet count in step */
	fx_serve(X, NULL);
	{
		char buf[64];
		u8 sum = rsp_checksum(pkt, sizeof(pkt) - 1);
		int n = 0;

		buf[n++] = '$';
		memcpy(buf + n, pkt, sizeof(pkt) - 1);
		n += sizeof(pkt) - 1;
		n += snprintf(buf + n, 4, "#%02x", sum);
		fx_raw(X, buf, (size_t)n);
	}
	assert_string_equal(fx_serve(X, NULL), "OK");
	assert_memory_equal(X->f.mem, "#$}*\0", 5);
	assert_string_equal(fx_req(X, "X1000,0:"), "OK");	/* probe */
	assert_string_equal(fx_req(X, "X1000,2:a"), "E16");
	assert_string_equal(fx_req(X, "X1000,1:}"), "E16");
	assert_string_equal(fx_req(X, "X0,1:a"), "E0e");
}

/* --- breakpoints -------------------------------------------------------- */

static void test_breakpoints(void **state)
{
	assert_string_equal(fx_req(X, "Z0,1000,1"), "OK");
	assert_int_equal(X->f.bp_inserted, 1);
	assert_string_equal(fx_req(X, "Z0,1000,1"), "OK");	/* idempotent */
	assert_int_equal(X->f.bp_inserted, 1);
	assert_string_equal(fx_req(X, "Z2,1008,8"), "OK");
	assert_int_equal(X->f.last_type, RSP_WP_WRITE);
	assert_int_equal(X->f.last_kind, 8);
	assert_string_equal(fx_req(X, "Z3,1010,4"), "OK");
	assert_string_equal(fx_req(X, "Z4,1018,2"), "OK");
	assert_string_equal(fx_req(X, "Z1,1020,1"), "OK");
	assert_string_equal(fx_req(X, "Z1,1024,1"), "E1c");	/* no slot */
	assert_string_equal(fx_req(X, "Z0,dead,1"), "E0e");
	assert_string_equal(fx_req(X, "Z0,5105,1"), "");	/* ENOSYS */
	assert_string_equal(fx_req(X, "Z0,1000"), "E16");
	assert_string_equal(fx_req(X, "Z0,1000,1ffffffff"), "E16");
	assert_string_equal(fx_req(X, "Z7,1000,1"), "");
	assert_string_equal(fx_req(X, "z2,1008,8"), "OK");
	assert_string_equal(fx_req(X, "z2,1008,8"), "OK");	/* gone: ok */
	/* A failed removal is reported, and the entry is forgotten. */
	X->f.fail_remove = true;
	assert_string_equal(fx_req(X, "z3,1010,4"), "E05");
	X->f.fail_remove = false;
	assert_string_equal(fx_req(X, "z3,1010,4"), "OK");
	assert_int_equal(X->f.bp_inserted, 4);
	X->f.bp_inserted--;		/* the failed removal above */
	/* Detach removes the rest. */
	fx_req(X, "D");
	assert_int_equal(X->f.bp_inserted, 0);
	assert_int_equal(X->res.kind, RSP_RESUME_DETACH);
}

static void test_breakpoint_table_full(void **state)
{
	char p[32];
	int i;

	for (i = 0; i < RSP_MAX_BREAKPOINTS; i++) {
		snprintf(p, sizeof(p), "Z0,%x,1", 0x1000 + i);
		assert_string_equal(fx_req(X, p), "OK");
	}
	assert_string_equal(fx_req(X, "Z0,2000,1"), "E1c");
	rsp_remove_all_breakpoints(&X->eng);
	assert_int_equal(X->f.bp_inserted, 0);
}

static void test_qsupported_forgets_old_breakpoints(void **state)
{
	fx_req(X, "Z0,1000,1");
	fx_req(X, "qSupported");
	assert_int_equal(X->f.bp_inserted, 0);
}

/* --- execution and stop replies ----------------------------------------- */

static void test_continue_and_step(void **state)
{
	assert_null(fx_req(X, "c"));
	assert_int_equal(X->res.kind, RSP_RESUME_RUN);
	assert_int_equal(X->res.action[0], RSP_ACT_CONTINUE);
	assert_int_equal(X->res.action[1], RSP_ACT_CONTINUE);
	assert_true(X->eng.gdb_waiting);

	/* The stop reply goes out at once when gdb waits for it. */
	{
		struct rsp_stop st = { .tid = 2, .signal = 5,
				       .reason = RSP_STOP_SIGNAL };
		const char *r = fx_serve(X, &st);

		assert_string_equal(r, "T05thread:2;06:4041424344454647;"
				    "07:48494a4b4c4d4e4f;"
				    "10:9091929394959697;");
	}
	assert_false(X->eng.gdb_waiting);
	fx_req(X, "Hc2");
	assert_null(fx_req(X, "s"));
	assert_int_equal(X->res.action[0], RSP_ACT_STOP);
	assert_int_equal(X->res.action[1], RSP_ACT_STEP);
	assert_null(fx_req(X, "C0f"));
	assert_int_equal(X->res.signal[1], 0x0f);
	assert_int_equal(X->res.signal[0], 0);
	assert_null(fx_req(X, "S09;2000"));
	assert_int_equal(X->res.action[1], RSP_ACT_STEP);
	assert_int_equal(X->f.regs[1][rsp_reg_offset(RSP_REG_RIP) + 1], 0x20);
	assert_string_equal(fx_req(X, "C"), "E16");
	assert_string_equal(fx_req(X, "C05x1000"), "E16");
	assert_string_equal(fx_req(X, "C05x"), "E16");
	assert_string_equal(fx_req(X, "c12z"), "E16");
	assert_string_equal(fx_req(X, "C100"), "E16");
}

static void test_vcont(void **state)
{
	assert_string_equal(fx_req(X, "vCont?"), "vCont;c;C;s;S;t");
	X->f.nthreads = 3;
	assert_null(fx_req(X, "vCont;s:2;c"));
	assert_int_equal(X->res.action[0], RSP_ACT_CONTINUE);
	assert_int_equal(X->res.action[1], RSP_ACT_STEP);
	assert_int_equal(X->res.action[2], RSP_ACT_CONTINUE);
	assert_null(fx_req(X, "vCont;C0b:1;t"));
	assert_int_equal(X->res.action[0], RSP_ACT_CONTINUE);
	assert_int_equal(X->res.signal[0], 0x0b);
	assert_int_equal(X->res.action[1], RSP_ACT_STOP);
	assert_null(fx_req(X, "vCont;S05:3"));
	assert_int_equal(X->res.action[2], RSP_ACT_STEP);
	assert_int_equal(X->res.action[0], RSP_ACT_STOP);	/* unnamed */
	fx_req(X, "Hc2");
	assert_null(fx_req(X, "vCont;s:0"));	/* 0 = the Hc thread */
	assert_int_equal(X->res.action[1], RSP_ACT_STEP);
	assert_int_equal(X->res.action[0], RSP_ACT_STOP);
	assert_null(fx_req(X, "vCont;c:-1"));
	assert_int_equal(X->res.action[2], RSP_ACT_CONTINUE);
	assert_string_equal(fx_req(X, "vCont;"), "E16");
	assert_string_equal(fx_req(X, "vCont"), "");
	assert_string_equal(fx_req(X, "vCont;r1,2"), "E16");
	assert_string_equal(fx_req(X, "vCont;c:"), "E16");
	assert_string_equal(fx_req(X, "vCont;C"), "E16");
	assert_string_equal(fx_req(X, "vCont;cc"), "E16");
}

static void test_stop_reasons(void **state)
{
	struct rsp_stop st = { .tid = 1, .signal = 5 };

	fx_req(X, "qSupported:swbreak+;hwbreak+");
	st.reason = RSP_STOP_SWBREAK;
	fx_serve(X, &st);
	assert_non_null(strstr(fx_req(X, "?"), ";swbreak:;"));
	st.reason = RSP_STOP_HWBREAK;
	fx_serve(X, &st);
	assert_non_null(strstr(fx_req(X, "?"), ";hwbreak:;"));
	st.reason = RSP_STOP_WATCH;
	st.addr = 0xffff888000101000ULL;
	fx_serve(X, &st);
	assert_non_null(strstr(fx_req(X, "?"), ";watch:ffff888000101000;"));
	st.reason = RSP_STOP_RWATCH;
	fx_serve(X, &st);
	assert_non_null(strstr(fx_req(X, "?"), ";rwatch:ffff888000101000;"));
	st.reason = RSP_STOP_AWATCH;
	fx_serve(X, &st);
	assert_non_null(strstr(fx_req(X, "?"), ";awatch:ffff888000101000;"));
	/* Without swbreak+ from gdb the reason is left out. */
	fx_req(X, "qSupported");
	st.reason = RSP_STOP_SWBREAK;
	fx_serve(X, &st);
	assert_null(strstr(fx_req(X, "?"), "swbreak"));
	/* Ctrl-C and an unreadable expedited register, in the stop reply
	 * gdb waits for. */
	st.reason = RSP_STOP_SIGNAL;
	st.signal = RSP_SIGINT;
	X->f.fail_reg = RSP_REG_RSP;
	fx_req(X, "c");
	assert_true(X->eng.gdb_waiting);
	assert_string_equal(fx_serve(X, &st), "T02thread:1;"
			    "06:3031323334353637;10:8081828384858687;");
	/* '?' (what gdb connects with) carries no registers. */
	assert_string_equal(fx_req(X, "?"), "T02thread:1;");
}

static void test_initial_stop(void **state)
{
	/* No registers: gdb fetches 'g' once at connect and answers
	 * `info registers` from that (docs/performance.md). */
	assert_string_equal(fx_req(X, "?"), "T05thread:1;");
}

static void test_stop_reply_expedites_pc_sp_fp(void **state)
{
	struct rsp_stop st = { .tid = 1, .signal = RSP_SIGTRAP };

	fx_req(X, "c");
	assert_string_equal(fx_serve(X, &st), "T05thread:1;"
			    "06:3031323334353637;07:38393a3b3c3d3e3f;"
			    "10:8081828384858687;");
}

static void test_new_gdb_gets_no_unsolicited_stop(void **state)
{
	struct rsp_stop st = { .tid = 1, .signal = 2 };

	fx_req(X, "c");
	assert_true(X->eng.gdb_waiting);
	/* A new gdb connects while the target runs. */
	fx_raw(X, "+", 1);
	fx_send(X, "qSupported");
	assert_true(rsp_poll_running(&X->eng));
	assert_true(rsp_poll_running(&X->eng));		/* still pending */
	assert_non_null(strstr(fx_serve(X, &st), "PacketSize"));
	assert_int_equal(fake_npackets(&X->f), X->seen);
	assert_null(memmem(X->f.out, X->f.out_len, "$T02", 4));
}

static void test_poll_running(void **state)
{
	assert_false(rsp_poll_running(&X->eng));
	fx_raw(X, "++-", 3);
	assert_false(rsp_poll_running(&X->eng));
	fx_raw(X, "\x03", 1);
	assert_true(rsp_poll_running(&X->eng));
	/* Junk filling the buffer is dropped, never overflows. */
	{
		char junk[600];

		memset(junk, 'j', sizeof(junk));
		fx_raw(X, junk, sizeof(junk));
		assert_false(rsp_poll_running(&X->eng));
		/* ...and one call reads a bounded number of bytes. */
		assert_true(X->f.in_pos < X->f.in_len);
		while (X->f.in_pos < X->f.in_len)
			assert_false(rsp_poll_running(&X->eng));
	}
	fx_send(X, "qC");
	assert_true(rsp_poll_running(&X->eng));
	assert_string_equal(fx_serve(X, NULL), "QC1");
}

static void test_detach_and_kill(void **state)
{
	fx_req(X, "QStartNoAckMode");
	assert_string_equal(fx_req(X, "D"), "OK");
	assert_int_equal(X->res.kind, RSP_RESUME_DETACH);
	assert_int_equal(X->res.action[0], RSP_ACT_CONTINUE);
	assert_false(X->eng.no_ack);
	assert_null(fx_req(X, "k"));			/* no reply */
	assert_int_equal(X->res.kind, RSP_RESUME_DETACH);
	assert_string_equal(fx_req(X, "D;1"), "OK");
	assert_string_equal(fx_req(X, "vKill;1"), "OK");
	assert_int_equal(X->res.kind, RSP_RESUME_DETACH);
}

/* --- monitor ------------------------------------------------------------ */

static void test_monitor_ok_and_error(void **state)
{
	char req[128], hex[64];

	rsp_hex_encode(hex, (const u8 *)"echo", 4);
	hex[8] = 0;
	snprintf(req, sizeof(req), "qRcmd,%s", hex);
	assert_string_equal(fx_req(X, req), "OK");
	rsp_hex_encode(hex, (const u8 *)"ran: echo", 9);
	hex[18] = 0;
	assert_string_equal(fake_packet(&X->f, X->seen - 2) + 1, hex);
	X->f.monitor_ret = -RSP_EINVAL;
	assert_string_equal(fx_req(X, req), "E16");
	X->f.monitor_ret = -1000;
	assert_string_equal(fx_req(X, req), "E05");
	assert_string_equal(fx_req(X, "qRcmd,6"), "E16");
	assert_string_equal(fx_req(X, "qRcmd,zz"), "E16");
}

static void test_monitor_output_chunked(void **state)
{
	char req[32];
	size_t total = 0;
	int i, first;

	X->f.monitor_bytes = 20000;
	snprintf(req, sizeof(req), "qRcmd,%s", "626967");	/* "big" */
	first = fake_npackets(&X->f);
	assert_string_equal(fx_req(X, req), "OK");
	for (i = first; i < X->seen - 1; i++) {
		const char *p = fake_packet(&X->f, i);

		assert_int_equal(p[0], 'O');
		assert_true(strlen(p) <= RSP_PACKET_SIZE);
		total += strlen(p + 1) / 2;
	}
	assert_int_equal(total, 20000);
	assert_true(X->seen - 1 - first >= 3);
	assert_checksums(X);
}

static void test_monitor_flush_per_line(void **state)
{
	int first = fake_npackets(&X->f);

	/* "lines" writes 3 lines, flushing after each. */
	assert_string_equal(fx_req(X, "qRcmd,6c696e6573"), "OK");
	assert_int_equal(X->seen - first, 4);
	assert_string_equal(fake_packet(&X->f, first), "O6c696e650a");
	assert_string_equal(fake_packet(&X->f, first + 2), "O6c696e650a");
}

/* Event output while the target runs: O packets only while gdb waits. */
static void test_console_write_only_while_gdb_waits(void **state)
{
	int first = fake_npackets(&X->f);

	assert_int_equal(rsp_console_write(&X->eng, "hit\n", 4), 0);
	assert_int_equal(fake_npackets(&X->f), first);
	assert_null(fx_req(X, "c"));
	assert_true(X->eng.gdb_waiting);
	first = fake_npackets(&X->f);
	assert_int_equal(rsp_console_write(&X->eng, "hit\n", 4), 4);
	assert_int_equal(fake_npackets(&X->f), first + 1);
	assert_string_equal(fake_packet(&X->f, first), "O6869740a");
	assert_true(X->eng.gdb_waiting);	/* still waits for the stop */
	assert_int_equal(rsp_console_write(&X->eng, "", 0), 0);
}

/* --- state for the embedder -------------------------------------------- */

static void test_gdb_waiting_and_forget_stop(void **state)
{
	struct rsp_stop st = { .tid = 2, .signal = RSP_SIGTRAP };
	int n;

	assert_false(rsp_gdb_waiting(&X->eng));
	assert_null(fx_req(X, "c"));
	assert_true(rsp_gdb_waiting(&X->eng));
	assert_non_null(fx_serve(X, &st));		/* the stop reply */
	assert_false(rsp_gdb_waiting(&X->eng));
	assert_null(fx_req(X, "vCont;s:1"));
	assert_true(rsp_gdb_waiting(&X->eng));
	/* gdb is gone: nothing is owed, nothing is sent. */
	rsp_forget_stop(&X->eng);
	assert_false(rsp_gdb_waiting(&X->eng));
	assert_int_equal(rsp_console_write(&X->eng, "hit\n", 4), 0);
	n = fake_npackets(&X->f);
	assert_null(fx_serve(X, &st));
	assert_int_equal(fake_npackets(&X->f), n);
	assert_false(rsp_gdb_waiting(&X->eng));
	/* ...and the stop is still there for a gdb that asks. */
	assert_string_equal(fx_req(X, "?"), "T05thread:2;");
	/* Forgetting when nothing is owed changes nothing. */
	rsp_forget_stop(&X->eng);
	assert_false(rsp_gdb_waiting(&X->eng));
	assert_string_equal(fx_req(X, "D"), "OK");
	assert_false(rsp_gdb_waiting(&X->eng));	/* detach owes no stop */
}

static void test_rx_packets(void **state)
{
	assert_true(rsp_rx_packets(&X->eng) == 0);
	fx_raw(X, "+-\x03junk", 7);			/* no packet in it */
	assert_null(fx_serve(X, NULL));
	assert_true(rsp_rx_packets(&X->eng) == 0);
	fx_req(X, "qC");
	assert_true(rsp_rx_packets(&X->eng) == 1);
	fx_raw(X, "$qC#00", 6);				/* bad checksum counts */
	assert_null(fx_serve(X, NULL));
	assert_true(rsp_rx_packets(&X->eng) == 2);
	fx_send(X, "g");
	fx_send(X, "qC");
	fx_serve(X, NULL);
	assert_true(rsp_rx_packets(&X->eng) == 4);
	assert_true(rsp_rx_packets(&X->eng) == X->eng.rx_packets);
}

static void test_selected_thread(void **state)
{
	struct rsp_stop st = { .tid = 2, .signal = RSP_SIGTRAP };

	assert_int_equal(rsp_selected_thread(&X->eng), 0);
	assert_string_equal(fx_req(X, "Hg2"), "OK");
	assert_int_equal(rsp_selected_thread(&X->eng), 2);
	assert_string_equal(fx_req(X, "Hc1"), "OK");	/* Hc is not Hg */
	assert_int_equal(rsp_selected_thread(&X->eng), 2);
	assert_string_equal(fx_req(X, "Hg3"), "E03");	/* refused: kept */
	assert_int_equal(rsp_selected_thread(&X->eng), 2);
	assert_string_equal(fx_req(X, "Hg-1"), "OK");
	assert_int_equal(rsp_selected_thread(&X->eng), -1);
	assert_string_equal(fx_req(X, "Hg1"), "OK");
	assert_int_equal(rsp_selected_thread(&X->eng), 1);
	assert_string_equal(fx_req(X, "Hg0"), "OK");
	assert_int_equal(rsp_selected_thread(&X->eng), 0);
	/* A stop and a new session both reset it. */
	fx_req(X, "Hg2");
	assert_null(fx_req(X, "c"));
	fx_serve(X, &st);
	assert_int_equal(rsp_selected_thread(&X->eng), 0);
	fx_req(X, "Hg2");
	fx_req(X, "qSupported");
	assert_int_equal(rsp_selected_thread(&X->eng), 0);
}

/* Packet names match whole, from the start, and nothing is skipped by
 * count: near misses get the empty reply (or their own error). */
static void test_packet_name_near_misses(void **state)
{
	static const char *const empty[] = {
		"qCx", "qCqAttached", "qc", "vCont", "vContX", "vContqC",
		"vKil", "QStartNoAckMod", "qRcmd", "qThreadExtraInfo",
		"qXfer:threads:read:", "qXfer:features:rea", "qSupporte",
		"qfThreadInf", "q", "Q", "v",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(empty); i++)
		assert_string_equal(fx_req(X, empty[i]), "");
	assert_string_equal(fx_req(X, "qC"), "QC1");
	assert_string_equal(fx_req(X, "qXfer:features:read:"), "E00");
	assert_string_equal(fx_req(X, "qXfer:features:read:target.xml"),
			    "E00");
	assert_string_equal(fx_req(X, "qXfer:features:read:target.xml:"),
			    "E16");
	assert_string_equal(fx_req(X, "vCont?x"), "vCont;c;C;s;S;t");
	assert_string_equal(fx_req(X, "qThreadExtraInfo,"), "E16");
	assert_string_equal(fx_req(X, "qAttachedx"), "1");
	assert_string_equal(fx_req(X, "qSupportedx"),
			    fx_req(X, "qSupported"));
	assert_string_equal(fx_req(X, "Hg-1x"), "E16");
	assert_string_equal(fx_req(X, "Hg-"), "E16");
}

static void test_no_monitor(void **state)
{
	struct rsp_target_ops ops = fake_ops;
	struct rsp_transport tr = fake_transport(&X->f, true);

	ops.monitor = NULL;
	rsp_init(&X->eng, &tr, &ops, &X->f, NULL);
	X->eng.cfg.idle_ms = 1;
	assert_string_equal(fx_req(X, "qRcmd,6869"), "");
}

static void test_idle_wait_forever_config(void **state)
{
	/* Defaults: 2 s byte timeout, RLE on, no idle return. */
	struct rsp_transport tr = fake_transport(&X->f, true);

	rsp_init(&X->eng, &tr, &fake_ops, &X->f, NULL);
	assert_int_equal(X->eng.cfg.byte_timeout_ms, 2000);
	assert_int_equal(X->eng.cfg.idle_ms, 0);
	assert_true(X->eng.cfg.rle_replies);
	assert_true(sizeof(struct rsp_engine) < 80 * 1024);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ack_and_reply),
		T(test_bad_checksum_nack),
		T(test_garbage_and_interrupt_ignored_between_packets),
		T(test_retransmit_on_nack),
		T(test_retransmit_gives_up),
		T(test_lost_ack_next_request_counts_as_ack),
		T(test_ctrl_c_during_ack_wait_ignored),
		T(test_timeouts_inside_rle_and_checksum),
		T(test_rle_expansion_overflow),
		T(test_rle_off),
		T(test_rle_input),
		T(test_rle_output_is_used),
		T(test_oversized_packet),
		T(test_truncated_packet_times_out),
		T(test_endless_noise_returns_to_caller),
		T(test_noack_mode),
		T(test_noack_reset_while_running),
		T(test_noack_refused_on_unreliable),
		T(test_reset_connection),
		T(test_qsupported),
		T(test_target_xml),
		T(test_target_xml_matches_table),
		T(test_thread_queries),
		T(test_many_threads_packed),
		T(test_threads_xml_never_malformed),
		T(test_unknown_packets_empty),
		T(test_read_all_registers),
		T(test_write_all_registers),
		T(test_single_registers),
		T(test_thread_selection),
		T(test_memory_read),
		T(test_memory_write_hex),
		T(test_memory_write_binary),
		T(test_breakpoints),
		T(test_breakpoint_table_full),
		T(test_qsupported_forgets_old_breakpoints),
		T(test_continue_and_step),
		T(test_vcont),
		T(test_stop_reasons),
		T(test_initial_stop),
		T(test_stop_reply_expedites_pc_sp_fp),
		T(test_new_gdb_gets_no_unsolicited_stop),
		T(test_poll_running),
		T(test_detach_and_kill),
		T(test_monitor_ok_and_error),
		T(test_monitor_output_chunked),
		T(test_monitor_flush_per_line),
		T(test_console_write_only_while_gdb_waits),
		T(test_gdb_waiting_and_forget_stop),
		T(test_rx_packets),
		T(test_selected_thread),
		T(test_packet_name_near_misses),
		T(test_no_monitor),
		T(test_idle_wait_forever_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
