/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klist.h - a bounded walk of a kernel doubly linked list (struct
 * list_head: next at offset 0, prev at offset 8) through a read callback.
 *
 * Contract: pure.  Every pointer comes from ops->read (8 bytes at a time);
 * nothing else is touched, so a list that another CPU was changing when
 * it stopped, or one whose memory was freed, gives an error or a marked
 * entry, never a fault.  The walk follows next pointers only, as an RCU
 * reader does (list_add_rcu() and list_del_rcu() keep every next chain
 * whole), and visits at most @max nodes: a cycle that misses the head
 * ends with KLIST_ERR_BOUND, never an endless loop.  A node whose
 * successor's prev does not point back at it is passed with
 * back_ok = false: the list was being changed at that node (an entry half
 * added or half removed).  No locking; the caller keeps the list still
 * (every CPU halted) or accepts a racy view.
 */
#ifndef HVGDB_KMOD_KLIST_H
#define HVGDB_KMOD_KLIST_H

#include "hvgdb/freestanding.h"

enum klist_status {
	KLIST_OK = 0,		/* back at the head */
	KLIST_STOPPED,		/* visit() asked to stop */
	KLIST_ERR_READ,		/* read() failed at res->at */
	KLIST_ERR_PTR,		/* res->at holds a pointer that is not a
				 * canonical, 8-byte aligned kernel address:
				 * res->bad */
	KLIST_ERR_BOUND,	/* more than max nodes: a cycle or a list
				 * that is not what it should be */
};

struct klist_ops {
	/* 0 on success, nonzero if [addr, addr + len) cannot be read. */
	int (*read)(void *ctx, u64 addr, void *buf, u32 len);
	void *ctx;
};

struct klist_result {
	enum klist_status status;
	u32 count;		/* nodes visited */
	u32 changing;		/* of them, with back_ok false */
	u64 at;			/* the address read last (errors) */
	u64 bad;		/* KLIST_ERR_PTR: the value found there */
};

/*
 * Walk the list whose head is at @head: visit(vctx, node, back_ok) for
 * each node after the head, in next order, until the head comes back.
 * visit() returns nonzero to stop (KLIST_STOPPED).  Returns the status,
 * also in res->status.
 */
int klist_walk(const struct klist_ops *ops, u64 head, u32 max,
	       int (*visit)(void *vctx, u64 node, bool back_ok), void *vctx,
	       struct klist_result *res);

/*
 * Find a list's head from one of its nodes: follow next from @start until
 * is_head(hctx, node) says yes (at most @max steps).  Returns KLIST_OK
 * with *head, or an error as klist_walk()'s (KLIST_ERR_BOUND when the walk
 * came back to @start, or ran @max steps, without finding it).
 */
int klist_find_head(const struct klist_ops *ops, u64 start, u32 max,
		    bool (*is_head)(void *hctx, u64 node), void *hctx,
		    u64 *head, struct klist_result *res);

/* A kernel pointer a list may hold: in the upper half of 4- or 5-level
 * paging (>= 0xff00000000000000), 8-aligned. */
bool klist_ptr_ok(u64 p);

/* A short English description of an enum klist_status value. */
const char *klist_strerror(int status);

#endif /* HVGDB_KMOD_KLIST_H */
