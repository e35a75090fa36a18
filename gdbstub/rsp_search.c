// SPDX-License-Identifier: GPL-2.0
/*
 * rsp_search.c - the pattern search behind qSearch:memory and the
 * monitor's sb/!sb family (rsp_search.h), and gdb's qSearch:memory packet.
 *
 * The window holds the tail of what was read before (plen - 1 bytes, so a
 * match across two reads is found) and then as much new memory as fits;
 * every offset is compared, first byte first.  A hole (unreadable page)
 * empties the window: a match cannot span memory that is not there.
 */
#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_search.h"
#include "gdbstub/rsp_internal.h"
#include "gdbstub/rsp_codec.h"

static bool rsp_search_at(const struct rsp_search *s, const u8 *w)
{
	return w[0] == s->pat[0] && !memcmp(w, s->pat, s->plen);
}

int rsp_search_mem(struct rsp_search *s, u64 addr, u64 len, u64 *found)
{
	u64 pos = addr;		/* address of win[0] */
	u64 next = addr;	/* next address to read */
	u64 left = len;		/* bytes of the range not read yet */
	size_t have = 0;	/* valid bytes in win */

	s->skipped = 0;
	s->fault = 0;
	if (!s->plen || s->plen > s->win_size / 2 || len > RSP_SEARCH_MAX ||
	    (len && addr + len - 1 < addr))
		return -RSP_EINVAL;
	for (;;) {
		size_t want, i, keep;
		long n;

		if (left) {
			want = s->win_size - have;
			if (want > left)
				want = (size_t)left;
			n = s->read(s->ctx, next, s->win + have, want);
			if (s->tick)
				s->tick(s->tick_ctx);
			if (n <= 0) {
				u64 step = RSP_SEARCH_PAGE -
					   (next & (RSP_SEARCH_PAGE - 1));

				if (!s->skip_faults) {
					s->fault = next;
					return -RSP_EFAULT;
				}
				if (step > left)
					step = left;
				next += step;
				left -= step;
				s->skipped++;
				have = 0;
				pos = next;
				continue;
			}
			if ((size_t)n > want)
				n = (long)want;
			have += (size_t)n;
			next += (u64)n;
			left -= (u64)n;
		}
		for (i = 0; i + s->plen <= have; i++) {
			if (rsp_search_at(s, s->win + i)) {
				*found = pos + i;
				return 1;
			}
		}
		if (!left)
			return 0;
		keep = have < s->plen - 1 ? have : s->plen - 1;
		memmove(s->win, s->win + have - keep, keep);
		pos += have - keep;
		have = keep;
	}
}

/*
 * qSearch:memory:addr;length;pattern (the pattern escaped as in X):
 * "1,<addr>" for the first match, "0" for none.  Unreadable pages are
 * stepped over, as sb does: gdb's own search halts at the first one and
 * gdb 13 reports an error reply of this packet as "Pattern not found",
 * so failing there would hide the matches beyond a hole.  A range longer
 * than RSP_SEARCH_MAX is E07, a malformed packet E16.  The pattern sits
 * at the start of eng->data, the window after it.  Memory is virtual for
 * the g thread, or physical with QEMU's PhyMemMode, as for m packets.
 */
struct rsp_search_ctx {
	struct rsp_engine *eng;
	int tid;
};

static long rsp_search_read(void *ctx, u64 addr, u8 *buf, size_t len)
{
	struct rsp_search_ctx *c = ctx;

	return rsp_mem_read(c->eng, c->tid, addr, buf, len);
}

enum rsp_handled rsp_h_search(struct rsp_engine *eng, struct rsp_cursor *c)
{
	struct rsp_search_ctx ctx = { eng, rsp_g_thread(eng) };
	struct rsp_search s = { .read = rsp_search_read, .ctx = &ctx,
				  .skip_faults = true };
	u64 addr, len, at;
	long n;
	int r;

	if (!rsp_parse_hex(c, &addr) || !rsp_expect(c, ';') ||
	    !rsp_parse_hex(c, &len) || !rsp_expect(c, ';')) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	n = rsp_unescape(eng->data, sizeof(eng->data) / 4, c->p,
			 (size_t)(c->end - c->p));
	if (n <= 0) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	s.pat = eng->data;
	s.plen = (size_t)n;
	s.win = eng->data + n;
	s.win_size = sizeof(eng->data) - (size_t)n;
	if (len > RSP_SEARCH_MAX) {
		rsp_out_err(eng, RSP_E2BIG);
		return RSP_REPLY;
	}
	r = rsp_search_mem(&s, addr, len, &at);
	if (r < 0) {
		rsp_out_err(eng, -r);
		return RSP_REPLY;
	}
	if (!r) {
		rsp_out_str(eng, "0");
		return RSP_REPLY;
	}
	rsp_out_str(eng, "1,");
	rsp_out_hex(eng, at);
	return RSP_REPLY;
}
