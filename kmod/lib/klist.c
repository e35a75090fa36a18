// SPDX-License-Identifier: GPL-2.0
/*
 * klist.c - a bounded walk of a kernel list_head list; see klist.h.
 */
#include "hvgdb/freestanding.h"
#include "kmod/lib/klist.h"

#define KLIST_NEXT	0	/* offsetof(struct list_head, next) */
#define KLIST_PREV	8	/* offsetof(struct list_head, prev) */

bool klist_ptr_ok(u64 p)
{
	/* The upper half of 5-level paging starts at 0xff00000000000000
	 * (Linux's direct map is at 0xff11000000000000 there); under
	 * 4-level paging [0xff00000000000000, 0xffff800000000000) is not
	 * canonical, and the reader's page walk refuses it. */
	return p >= 0xff00000000000000ull && !(p & 7);
}

/* *val = the pointer at addr, checked. */
static int klist_read_ptr(const struct klist_ops *ops, u64 addr, u64 *val,
			  struct klist_result *res)
{
	res->at = addr;
	if (ops->read(ops->ctx, addr, val, 8))
		return KLIST_ERR_READ;
	if (!klist_ptr_ok(*val)) {
		res->bad = *val;
		return KLIST_ERR_PTR;
	}
	return KLIST_OK;
}

static int klist_done(struct klist_result *res, int status)
{
	res->status = status;
	return status;
}

int klist_walk(const struct klist_ops *ops, u64 head, u32 max,
	       int (*visit)(void *vctx, u64 node, bool back_ok), void *vctx,
	       struct klist_result *res)
{
	u64 node, prev = head, next, back;
	int r;

	memset(res, 0, sizeof(*res));
	if (!klist_ptr_ok(head)) {
		res->at = head;
		res->bad = head;
		return klist_done(res, KLIST_ERR_PTR);
	}
	r = klist_read_ptr(ops, head + KLIST_NEXT, &node, res);
	if (r)
		return klist_done(res, r);
	while (node != head) {
		bool back_ok;

		if (res->count == max) {
			res->at = node;
			return klist_done(res, KLIST_ERR_BOUND);
		}
		/* node's prev should be the node we came from. */
		r = klist_read_ptr(ops, node + KLIST_PREV, &back, res);
		back_ok = !r && back == prev;
		if (r == KLIST_ERR_READ)
			return klist_done(res, r);
		r = klist_read_ptr(ops, node + KLIST_NEXT, &next, res);
		if (r)
			return klist_done(res, r);
		res->count++;
		if (!back_ok)
			res->changing++;
		if (visit && visit(vctx, node, back_ok)) {
			res->at = node;
			return klist_done(res, KLIST_STOPPED);
		}
		prev = node;
		node = next;
	}
	return klist_done(res, KLIST_OK);
}

int klist_find_head(const struct klist_ops *ops, u64 start, u32 max,
		    bool (*is_head)(void *hctx, u64 node), void *hctx,
		    u64 *head, struct klist_result *res)
{
	u64 node = start;
	u32 steps;
	int r;

	memset(res, 0, sizeof(*res));
	*head = 0;
	if (!klist_ptr_ok(start)) {
		res->at = start;
		res->bad = start;
		return klist_done(res, KLIST_ERR_PTR);
	}
	for (steps = 0; steps < max; steps++) {
		r = klist_read_ptr(ops, node + KLIST_NEXT, &node, res);
		if (r)
			return klist_done(res, r);
		if (is_head(hctx, node)) {
			*head = node;
			return klist_done(res, KLIST_OK);
		}
		res->count++;
		if (node == start)
			break;
	}
	res->at = node;
	return klist_done(res, KLIST_ERR_BOUND);
}

const char *klist_strerror(int status)
{
	switch (status) {
	case KLIST_OK:
		return "complete";
	case KLIST_STOPPED:
		return "stopped";
	case KLIST_ERR_READ:
		return "a list pointer could not be read (not mapped RAM)";
	case KLIST_ERR_PTR:
		return "a list pointer is not a kernel address";
	case KLIST_ERR_BOUND:
		return "the list does not come back to its head (a cycle, or "
		       "longer than the bound)";
	default:
		return "unknown list error";
	}
}
