/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event_output.h - batched event output (`imm no`) that never loses text
 * silently.
 *
 * Contract: one struct event_outbuf per CPU, over a caller-provided byte
 * array; put() runs in VMX root on that CPU only, drain() when the system
 * is halted or by that CPU, so no locking is needed.  A message is queued
 * whole or not at all: one that does not fit is dropped and counted, and
 * the count is reported (as a line of text) by the drain that empties the
 * buffer.  Draining may split a message across calls; gdb prints O-packet
 * text as one stream, so that is invisible to the user.
 */
#ifndef HVGDB_EVENT_OUTPUT_H
#define HVGDB_EVENT_OUTPUT_H

#include "hvgdb/freestanding.h"

struct event_outbuf {
	char *buf;
	u32 cap;
	u32 head;		/* index of the oldest byte */
	u32 count;		/* bytes queued */
	u32 lost;		/* messages dropped since the last report */
};

#define EVENT_OUT_QUEUED	0	/* queued */
#define EVENT_OUT_FLUSH		1	/* queued, and the buffer is 3/4 full:
					 * the module should drain it now */
#define EVENT_OUT_LOST		(-1)	/* did not fit: dropped and counted */

void event_outbuf_init(struct event_outbuf *b, char *buf, u32 cap);
int event_outbuf_put(struct event_outbuf *b, const char *msg, u32 len);

/*
 * Move up to cap - 1 bytes of queued text into out (NUL-terminated) and
 * return their number.  Once the queue is empty, a pending loss count is
 * appended as "hvgdb: 0x<n> event messages lost (output buffer full)\n"
 * if it fits, else left for the next call.  Returns 0 when nothing is left.
 */
u32 event_outbuf_drain(struct event_outbuf *b, char *out, u32 cap);

#endif /* HVGDB_EVENT_OUTPUT_H */
