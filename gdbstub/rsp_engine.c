// SPDX-License-Identifier: GPL-2.0
/*
 * rsp_engine.c - packet framing, acknowledgements and the serve loop.
 *
 * Framing follows the gdb manual, "Overview": $payload#cc, '+'/'-' acks
 * until QStartNoAckMode, '*' run-length encoding, 0x03 as interrupt.
 * Every read has a timeout so a vanished peer leaves us back in the loop.
 */
#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_internal.h"
#include "gdbstub/rsp_codec.h"

#define RSP_ACK_TRIES		8	/* sends of one packet before giving up */
#define RSP_ACK_JUNK_MAX	4096	/* stray bytes tolerated while waiting */
#define RSP_DEFAULT_TIMEOUT_MS	2000
#define RSP_IDLE_SLICE_MS	1000
#define RSP_TX_CHUNK		256	/* RLE staging on the stack */

void rsp_init(struct rsp_engine *eng, const struct rsp_transport *tr,
	      const struct rsp_target_ops *ops, void *target_ctx,
	      const struct rsp_config *cfg)
{
	memset(eng, 0, sizeof(*eng));
	eng->tr = *tr;
	eng->ops = ops;
	eng->tctx = target_ctx;
	if (cfg) {
		eng->cfg = *cfg;
	} else {
		eng->cfg.rle_replies = true;
	}
	if (!eng->cfg.byte_timeout_ms)
		eng->cfg.byte_timeout_ms = RSP_DEFAULT_TIMEOUT_MS;
	eng->stop.tid = 1;
	eng->stop.signal = RSP_SIGTRAP;
	rsp_qemu_reset(eng);
}

void rsp_reset_connection(struct rsp_engine *eng)
{
	eng->no_ack = false;
	eng->gdb_waiting = false;
	eng->stop_unconfirmed = false;
	eng->pend_head = eng->pend_tail = 0;
	eng->peer_swbreak = eng->peer_hwbreak = false;
	rsp_qemu_reset(eng);
	rsp_fileio_reset(eng);
}

static bool rsp_pend_has(const struct rsp_engine *eng, u8 b)
{
	u16 i;

	for (i = eng->pend_head; i != eng->pend_tail;
	     i = (i + 1) % sizeof(eng->pend))
		if (eng->pend[i] == b)
			return true;
	return false;
}

static bool rsp_pend_push(struct rsp_engine *eng, u8 b)
{
	u16 next = (eng->pend_tail + 1) % sizeof(eng->pend);

	if (next == eng->pend_head)
		return false;
	eng->pend[eng->pend_tail] = b;
	eng->pend_tail = next;
	return true;
}

/* Pushes b back so it is read next. */
static void rsp_unget(struct rsp_engine *eng, u8 b)
{
	u16 prev = (eng->pend_head + sizeof(eng->pend) - 1) % sizeof(eng->pend);

	if (prev == eng->pend_tail)
		return;		/* full: cannot happen for one byte after a get */
	eng->pend_head = prev;
	eng->pend[prev] = b;
}

static int rsp_get(struct rsp_engine *eng, u32 timeout_ms)
{
	int b;

	if (eng->pend_head != eng->pend_tail) {
		b = eng->pend[eng->pend_head];
		eng->pend_head = (eng->pend_head + 1) % sizeof(eng->pend);
		return b;
	}
	b = eng->tr.get_byte(eng->tr.ctx, timeout_ms);
	if (b >= 0)
		eng->rx_bytes++;
	return b;
}

/*
 * A peer in no-ack mode never sends '+' (gdb manual, "Packet
 * Acknowledgment"), so a '+' now comes from a new gdb that starts in ack
 * mode.  Keying on qSupported instead would break lldb, which turns acks
 * off before it sends qSupported.
 */
static void rsp_peer_acks(struct rsp_engine *eng)
{
	eng->no_ack = false;
}

bool rsp_poll_running(struct rsp_engine *eng)
{
	unsigned int budget;
	int b;

	if (rsp_pend_has(eng, '$'))
		return true;
	if (eng->fio_ctrlc) {	/* Ctrl-C during a File-I/O request */
		eng->fio_ctrlc = false;
		return true;
	}
	/* Cheap and bounded even if the line floods us with noise. */
	for (budget = sizeof(eng->pend); budget; budget--) {
		b = eng->tr.get_byte(eng->tr.ctx, 0);
		if (b < 0)
			return false;
		eng->rx_bytes++;
		if (b == 0x03)
			return true;
		if (b == '+' && eng->no_ack)
			rsp_peer_acks(eng);	/* a new gdb is connecting */
		if (b == '+' || b == '-')
			continue;	/* acks of what we sent before running */
		if (!rsp_pend_push(eng, (u8)b)) {
			/* Full of junk with no packet start: drop it. */
			eng->pend_head = eng->pend_tail = 0;
			rsp_pend_push(eng, (u8)b);
		}
		if (b == '$')
			return true;
	}
	return false;
}

/* --- sending ------------------------------------------------------------ */

static void rsp_wire_put(struct rsp_engine *eng, size_t *fill, const char *s,
			 size_t n)
{
	while (n) {
		size_t room = sizeof(eng->wire) - *fill;
		size_t k = n < room ? n : room;

		memcpy(eng->wire + *fill, s, k);
		*fill += k;
		s += k;
		n -= k;
		if (*fill == sizeof(eng->wire)) {
			eng->tr.put_bytes(eng->tr.ctx, eng->wire, *fill);
			eng->tx_bytes += *fill;
			*fill = 0;
		}
	}
}

/*
 * Frames eng->out.  RLE is applied chunk by chunk so no second packet-sized
 * buffer is needed; a run split at a chunk border only costs a few bytes.
 */
static void rsp_transmit(struct rsp_engine *eng)
{
	char tmp[RSP_TX_CHUNK];
	char cs_txt[3];
	size_t fill = 0, off = 0;
	u8 cs = 0;

	rsp_wire_put(eng, &fill, "$", 1);
	while (off < eng->out_len) {
		size_t n = eng->out_len - off;
		size_t k;

		if (n > RSP_TX_CHUNK)
			n = RSP_TX_CHUNK;
		/* Our RLE never makes a chunk longer than its input. */
		if (eng->cfg.rle_replies)
			k = rsp_rle_encode(tmp, sizeof(tmp), eng->out + off, n);
		else
			k = (memcpy(tmp, eng->out + off, n), n);
		cs += rsp_checksum(tmp, k);
		rsp_wire_put(eng, &fill, tmp, k);
		off += n;
	}
	cs_txt[0] = '#';
	cs_txt[1] = "0123456789abcdef"[cs >> 4];
	cs_txt[2] = "0123456789abcdef"[cs & 0xf];
	rsp_wire_put(eng, &fill, cs_txt, 3);
	if (fill) {
		eng->tr.put_bytes(eng->tr.ctx, eng->wire, fill);
		eng->tx_bytes += fill;
	}
	eng->tx_packets++;
	if (eng->tr.flush)
		eng->tr.flush(eng->tr.ctx);
}

void rsp_send_out(struct rsp_engine *eng)
{
	int tries, junk = 0;

	rsp_transmit(eng);
	eng->sent_clean = true;
	if (eng->no_ack)
		return;
	for (tries = 1; tries <= RSP_ACK_TRIES; ) {
		int b = rsp_get(eng, eng->cfg.byte_timeout_ms);

		if (b < 0)
			eng->sent_clean = false;
		if (b == '+' || b < 0)
			return;	/* acked, or peer silent: do not hang */
		if (b == '-') {
			eng->sent_clean = false;
			if (++tries > RSP_ACK_TRIES)
				return;
			eng->retransmits++;
			rsp_transmit(eng);
			continue;
		}
		if (b == '$') {
			/* A new request means our reply arrived. */
			rsp_unget(eng, (u8)b);
			return;
		}
		/* 0x03 or line noise while stopped: ignore, but bounded. */
		if (++junk > RSP_ACK_JUNK_MAX)
			return;
	}
}

static void rsp_send_ctl(struct rsp_engine *eng, char c)
{
	u8 b = (u8)c;

	eng->tr.put_bytes(eng->tr.ctx, &b, 1);
	if (eng->tr.flush)
		eng->tr.flush(eng->tr.ctx);
	eng->tx_bytes++;
}

/* --- receiving ---------------------------------------------------------- */

/* Waits for '$', skipping acks, 0x03 and garbage between packets. */
static enum rsp_rx rsp_wait_start(struct rsp_engine *eng)
{
	u32 waited = 0, junk = 0;

	for (;;) {
		u32 slice = RSP_IDLE_SLICE_MS;
		int b;

		if (eng->cfg.idle_ms && eng->cfg.idle_ms - waited < slice)
			slice = eng->cfg.idle_ms - waited;
		b = rsp_get(eng, slice);
		if (b == '$')
			return RSP_RX_PACKET;
		if (b == '+')
			rsp_peer_acks(eng);
		if (b == 0x03 && eng->stop_unconfirmed) {
			/*
			 * gdb interrupts a target we stopped, and our stop
			 * reply went through NAKs or got no ack: gdb may never
			 * have got it (it drops a reply after three bad
			 * checksums and acks it all the same).  Send it again
			 * rather than leave gdb waiting for good.
			 */
			eng->out_len = 0;
			rsp_build_stop(eng, true);
			rsp_send_out(eng);
			eng->stop_resends++;
			continue;
		}
		if (b >= 0) {
			/* A noisy line must not keep the caller out for ever
			 * either: a burst of junk counts as an idle slice. */
			if (eng->cfg.idle_ms && ++junk >= RSP_ACK_JUNK_MAX) {
				junk = 0;
				waited += slice;
				if (waited >= eng->cfg.idle_ms)
					return RSP_RX_IDLE;
			}
			continue;
		}
		waited += slice;
		if (eng->cfg.idle_ms && waited >= eng->cfg.idle_ms)
			return RSP_RX_IDLE;
	}
}

/* Fast path of rsp_get: most bytes come straight from the transport. */
static inline int rsp_get_fast(struct rsp_engine *eng, u32 timeout_ms)
{
	int b;

	if (eng->pend_head != eng->pend_tail)
		return rsp_get(eng, timeout_ms);
	b = eng->tr.get_byte(eng->tr.ctx, timeout_ms);
	eng->rx_bytes += b >= 0;
	return b;
}

/*
 * Reads one packet into eng->in (RLE expanded, escapes kept for 'X'),
 * checks the checksum, acks it, and NUL-terminates the payload.
 */
enum rsp_rx rsp_read_packet(struct rsp_engine *eng)
{
	u32 tmo = eng->cfg.byte_timeout_ms;
	bool overflow = false, after_escape = false;
	size_t len = 0, raw = 0;
	u8 sum = 0;
	int b, hi, lo;
	enum rsp_rx st;

	st = rsp_wait_start(eng);
	if (st != RSP_RX_PACKET)
		return st;
	for (;;) {
		b = rsp_get_fast(eng, tmo);
		if (b < 0)
			return RSP_RX_NONE;	/* peer went quiet mid-packet */
		if (b == '#')
			break;
		/* No '#' in sight long after PacketSize: line noise. */
		if (++raw > 4 * RSP_PACKET_SIZE)
			return RSP_RX_NONE;
		if (b == '$') {
			/* gdb gave up on the previous packet: restart. */
			len = 0;
			sum = 0;
			overflow = false;
			after_escape = false;
			continue;
		}
		sum += (u8)b;
		if (b == '*' && !after_escape) {
			int n = rsp_get_fast(eng, tmo);
			int k;

			if (n < 0)
				return RSP_RX_NONE;
			sum += (u8)n;
			/* A run with nothing before it is malformed: drop. */
			if (len == 0 || n < 29 + 3 || n > 126) {
				overflow = true;
				continue;
			}
			for (k = 0; k < n - 29; k++) {
				if (len >= RSP_PACKET_SIZE) {
					overflow = true;
					break;
				}
				eng->in[len] = eng->in[len - 1];
				len++;
			}
			continue;
		}
		after_escape = (b == '}' && !after_escape);
		if (len >= RSP_PACKET_SIZE) {
			overflow = true;	/* keep reading to the '#' */
			continue;
		}
		eng->in[len++] = (char)b;
	}
	eng->in_len = len;
	hi = rsp_get(eng, tmo);
	lo = hi < 0 ? -1 : rsp_get(eng, tmo);
	if (lo < 0)
		return RSP_RX_NONE;
	hi = rsp_hex_val(hi);
	lo = rsp_hex_val(lo);
	eng->rx_packets++;
	eng->in[eng->in_len] = '\0';

	if (hi < 0 || lo < 0 || (u8)(hi << 4 | lo) != sum) {
		eng->bad_csum++;
		if (!eng->no_ack)
			rsp_send_ctl(eng, '-');
		return RSP_RX_NONE;
	}
	if (!eng->no_ack)
		rsp_send_ctl(eng, '+');
	if (overflow) {
		eng->out_len = 0;
		rsp_out_err(eng, RSP_E2BIG);
		rsp_send_out(eng);
		return RSP_RX_NONE;
	}
	return RSP_RX_PACKET;
}

/* --- state for the embedder --------------------------------------------- */

bool rsp_gdb_waiting(const struct rsp_engine *eng)
{
	return eng->gdb_waiting;
}

void rsp_forget_stop(struct rsp_engine *eng)
{
	eng->gdb_waiting = false;
}

u64 rsp_rx_packets(const struct rsp_engine *eng)
{
	return eng->rx_packets;
}

int rsp_selected_thread(const struct rsp_engine *eng)
{
	return eng->g_tid;
}

/* --- serving ------------------------------------------------------------ */

struct rsp_resume rsp_serve(struct rsp_engine *eng, const struct rsp_stop *why)
{
	struct rsp_resume res;

	memset(&res, 0, sizeof(res));
	if (why) {
		eng->stop = *why;
		eng->have_stop = true;
		eng->g_tid = 0;
		eng->c_tid = 0;
		/*
		 * In all-stop mode gdb sends nothing but 0x03 while it waits
		 * for a stop; a packet start means a new gdb connected, which
		 * must not get an unsolicited stop reply.
		 */
		if (eng->gdb_waiting && !rsp_pend_has(eng, '$')) {
			eng->out_len = 0;
			rsp_build_stop(eng, true);
			rsp_send_out(eng);
			/* Acked at once: gdb has it (a 0x03 now is a Ctrl-C
			 * that crossed the stop, and gets nothing). */
			eng->stop_unconfirmed = !eng->sent_clean;
		}
		eng->gdb_waiting = false;
	}
	for (;;) {
		enum rsp_rx rx = rsp_read_packet(eng);
		enum rsp_handled h;

		if (rx == RSP_RX_IDLE) {
			res.kind = RSP_RESUME_IDLE;
			return res;
		}
		if (rx != RSP_RX_PACKET)
			continue;
		eng->stop_unconfirmed = false;	/* gdb moved on */
		eng->out_len = 0;
		h = rsp_dispatch(eng, &res);
		if (h == RSP_REPLY)
			rsp_send_out(eng);
		if (h == RSP_RESUMED) {
			eng->gdb_waiting = res.kind == RSP_RESUME_RUN;
			if (res.kind == RSP_RESUME_RUN)
				res.sstep_flags = eng->sstep_flags;
			return res;
		}
	}
}
