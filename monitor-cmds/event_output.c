// SPDX-License-Identifier: GPL-2.0
/* event_output.c - batched event output; see event_output.h. */
#include "hvgdb/freestanding.h"
#include "cmd_out.h"
#include "event_output.h"

void event_outbuf_init(struct event_outbuf *b, char *buf, u32 cap)
{
	b->buf = buf;
	b->cap = cap;
	b->head = 0;
	b->count = 0;
	b->lost = 0;
}

int event_outbuf_put(struct event_outbuf *b, const char *msg, u32 len)
{
	u32 tail, first;

	if (len > b->cap - b->count) {
		if (b->lost != 0xffffffffu)
			b->lost++;
		return EVENT_OUT_LOST;
	}
	/* The ring wraps at most once per message. */
	tail = b->head + b->count;
	if (tail >= b->cap)
		tail -= b->cap;
	first = b->cap - tail < len ? b->cap - tail : len;
	memcpy(b->buf + tail, msg, first);
	memcpy(b->buf, msg + first, len - first);
	b->count += len;
	/* 3/4 full, without a multiplication that could overflow. */
	if (b->count >= b->cap - b->cap / 4)
		return EVENT_OUT_FLUSH;
	return EVENT_OUT_QUEUED;
}

u32 event_outbuf_drain(struct event_outbuf *b, char *out, u32 cap)
{
	struct cmd_out o;
	u32 n, first;

	if (!cap)
		return 0;
	n = b->count < cap - 1 ? b->count : cap - 1;
	first = b->cap - b->head < n ? b->cap - b->head : n;
	memcpy(out, b->buf + b->head, first);
	memcpy(out + first, b->buf, n - first);
	b->head += n;
	if (b->head >= b->cap)
		b->head -= b->cap;
	b->count -= n;
	out[n] = '\0';
	if (!b->count && b->lost) {
		/* Report the loss after the text that survived it. */
		cmd_out_init(&o, out + n, cap - n);
		cmd_out_str(&o, "hvgdb: ");
		cmd_out_hex(&o, b->lost);
		cmd_out_str(&o, " event messages lost (output buffer full)\n");
		if (o.truncated) {
			out[n] = '\0';
		} else {
			n += (u32)o.len;
			b->lost = 0;
		}
	}
	return n;
}
