/*
 * The bounded list walk (kmod/lib/klist.c) over a fake kernel memory:
 * whole lists, lists being changed (list_add_rcu/list_del_rcu stopped
 * half way), unreadable and bad pointers, cycles that miss the head, the
 * bound, and finding the head from a node.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/klist.h"

#define BASE	0xffff888000100000ull
#define NODES	16
#define POISON2	0xdead000000000122ull

/* Node i's list_head at BASE + 0x100 * i; node 0 is the head. */
static u64 mem[NODES][2];	/* next, prev */
static int unreadable = -1;	/* node whose memory read() refuses */
static u32 reads;

static u64 at(int i)
{
	return BASE + 0x100ull * i;
}

static int fake_read(void *ctx, u64 addr, void *buf, u32 len)
{
	u64 off = addr - BASE;
	int i = (int)(off / 0x100);

	(void)ctx;
	reads++;
	if (addr < BASE || i >= NODES || i == unreadable || len != 8 ||
	    (off % 0x100) + len > 16)
		return -1;
	memcpy(buf, &mem[i][(off % 0x100) / 8], 8);
	return 0;
}

static const struct klist_ops ops = { .read = fake_read };

/* A proper circular list: head 0, then nodes[0..n). */
static void build(const int *nodes, int n)
{
	int i, prev = 0;

	memset(mem, 0, sizeof(mem));
	unreadable = -1;
	for (i = 0; i < n; i++) {
		mem[prev][0] = at(nodes[i]);
		mem[nodes[i]][1] = at(prev);
		prev = nodes[i];
	}
	mem[prev][0] = at(0);
	mem[0][1] = at(prev);
}

struct seen {
	u64 node[NODES * 2];
	bool back[NODES * 2];
	u32 n, stop_at;
};

static int record(void *vctx, u64 node, bool back_ok)
{
	struct seen *s = vctx;

	s->node[s->n] = node;
	s->back[s->n] = back_ok;
	s->n++;
	return s->stop_at && s->n == s->stop_at;
}

static void test_whole_list(void **state)
{
	const int order[] = { 3, 1, 7, 2 };
	struct klist_result res;
	struct seen s = { 0 };
	u32 i;

	(void)state;
	build(order, 4);
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_OK);
	assert_int_equal(res.status, KLIST_OK);
	assert_int_equal(res.count, 4);
	assert_int_equal(res.changing, 0);
	assert_int_equal(s.n, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(s.node[i], at(order[i]));
		assert_true(s.back[i]);
	}
	/* An empty list: the head points at itself. */
	build(NULL, 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_OK);
	assert_int_equal(res.count, 0);
	assert_int_equal(s.n, 0);
	/* visit may be NULL: only count. */
	build(order, 4);
	assert_int_equal(klist_walk(&ops, at(0), 100, NULL, NULL, &res),
			 KLIST_OK);
	assert_int_equal(res.count, 4);
}

static void test_stop(void **state)
{
	const int order[] = { 3, 1, 7, 2 };
	struct klist_result res;
	struct seen s = { .stop_at = 2 };

	(void)state;
	build(order, 4);
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_STOPPED);
	assert_int_equal(s.n, 2);
	assert_int_equal(res.at, at(1));
}

/* list_add_tail_rcu() stopped after prev->next = new but before
 * head->prev = new: the new node is reached, its successor (the head)
 * does not point back at it yet. */
static void test_half_added(void **state)
{
	const int order[] = { 3, 1 };
	struct klist_result res;
	struct seen s = { 0 };

	(void)state;
	build(order, 2);
	mem[5][0] = at(0);	/* new->next = head */
	mem[5][1] = at(1);	/* new->prev = last */
	mem[1][0] = at(5);	/* last->next = new; head->prev still 1 */
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_OK);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.node[2], at(5));
	assert_true(s.back[0]);
	assert_true(s.back[1]);
	assert_true(s.back[2]);	/* 5's prev is 1: back_ok looks at prev */
	/* Now the other half: head->prev not yet updated means nothing for
	 * a forward walk; a node whose prev is stale is marked. */
	mem[5][1] = at(3);
	memset(&s, 0, sizeof(s));
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_OK);
	assert_false(s.back[2]);
	assert_int_equal(res.changing, 1);
}

/* list_del_rcu(): prev->next skips the entry, the entry keeps next and
 * gets prev = LIST_POISON2; a walker stopped on it still gets home. */
static void test_half_removed(void **state)
{
	const int order[] = { 3, 1, 7 };
	struct klist_result res;
	struct seen s = { 0 };

	(void)state;
	build(order, 3);
	/* 1 removed after prev->next = next but before next->prev = prev:
	 * 3 -> 7, 7's prev still 1. */
	mem[3][0] = at(7);
	mem[1][1] = POISON2;
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.node[1], at(7));
	assert_false(s.back[1]);
	assert_int_equal(res.changing, 1);
	/* A poisoned prev on a node still reached is marked, not fatal. */
	build(order, 3);
	mem[1][1] = POISON2;
	memset(&s, 0, sizeof(s));
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_OK);
	assert_int_equal(s.n, 3);
	assert_false(s.back[1]);
}

static void test_errors(void **state)
{
	const int order[] = { 3, 1, 7 };
	struct klist_result res;
	struct seen s = { 0 };

	(void)state;
	/* A node whose memory is gone: the error names where, after the
	 * nodes before it were visited. */
	build(order, 3);
	unreadable = 1;
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_ERR_READ);
	assert_int_equal(s.n, 1);
	assert_int_equal(res.at, at(1) + 8);
	/* A next pointer that is not a kernel address. */
	build(order, 3);
	mem[1][0] = 0x10;
	memset(&s, 0, sizeof(s));
	assert_int_equal(klist_walk(&ops, at(0), 100, record, &s, &res),
			 KLIST_ERR_PTR);
	assert_int_equal(res.at, at(1));
	assert_int_equal(res.bad, 0x10);
	assert_int_equal(s.n, 1);
	mem[1][0] = at(7) + 1;	/* misaligned */
	assert_int_equal(klist_walk(&ops, at(0), 100, NULL, NULL, &res),
			 KLIST_ERR_PTR);
	/* A NULL head, a head that cannot be read. */
	assert_int_equal(klist_walk(&ops, 0, 100, NULL, NULL, &res),
			 KLIST_ERR_PTR);
	assert_int_equal(klist_walk(&ops, BASE - 0x100, 100, NULL, NULL, &res),
			 KLIST_ERR_READ);
	/* 5-level paging's direct map is in the upper half too; list
	 * poison and user addresses are not. */
	assert_true(klist_ptr_ok(0xff11000000000000ull));
	assert_true(klist_ptr_ok(0xffffffffc0000000ull));
	assert_false(klist_ptr_ok(POISON2));
	assert_false(klist_ptr_ok(0x00007fffffffe000ull));
	assert_false(klist_ptr_ok(0xff11000000000004ull));
	assert_string_equal(klist_strerror(KLIST_ERR_READ),
			    "a list pointer could not be read (not mapped RAM)");
}

/* A cycle that never comes back to the head ends at the bound, having
 * read a bounded number of words. */
static void test_cycle_is_bounded(void **state)
{
	const int order[] = { 3, 1, 7 };
	struct klist_result res;

	(void)state;
	build(order, 3);
	mem[7][0] = at(3);	/* 3 -> 1 -> 7 -> 3 ... */
	reads = 0;
	assert_int_equal(klist_walk(&ops, at(0), 50, NULL, NULL, &res),
			 KLIST_ERR_BOUND);
	assert_int_equal(res.count, 50);
	assert_true(reads <= 1 + 2 * 50);
	/* A list longer than the bound: the same. */
	build(order, 3);
	assert_int_equal(klist_walk(&ops, at(0), 2, NULL, NULL, &res),
			 KLIST_ERR_BOUND);
	assert_int_equal(klist_walk(&ops, at(0), 3, NULL, NULL, &res),
			 KLIST_OK);
	/* A node pointing at itself. */
	build(order, 3);
	mem[1][0] = at(1);
	assert_int_equal(klist_walk(&ops, at(0), 10, NULL, NULL, &res),
			 KLIST_ERR_BOUND);
}

static bool head_is_0(void *hctx, u64 node)
{
	(void)hctx;
	return node == at(0);
}

static void test_find_head(void **state)
{
	const int order[] = { 3, 1, 7, 2 };
	struct klist_result res;
	u64 head;

	(void)state;
	build(order, 4);
	assert_int_equal(klist_find_head(&ops, at(1), 100, head_is_0, NULL,
					 &head, &res), KLIST_OK);
	assert_int_equal(head, at(0));
	assert_int_equal(klist_find_head(&ops, at(2), 100, head_is_0, NULL,
					 &head, &res), KLIST_OK);
	assert_int_equal(head, at(0));
	/* A ring without the head comes back to the start: bounded. */
	mem[2][0] = at(3);
	assert_int_equal(klist_find_head(&ops, at(1), 100, head_is_0, NULL,
					 &head, &res), KLIST_ERR_BOUND);
	assert_int_equal(head, 0);
	assert_true(res.count <= 4);
	/* A cycle not through the start ends at max. */
	build(order, 4);
	mem[2][0] = at(7);
	assert_int_equal(klist_find_head(&ops, at(3), 20, head_is_0, NULL,
					 &head, &res), KLIST_ERR_BOUND);
	/* Unreadable on the way. */
	build(order, 4);
	unreadable = 7;
	assert_int_equal(klist_find_head(&ops, at(3), 20, head_is_0, NULL,
					 &head, &res), KLIST_ERR_READ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_list),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_half_added),
		cmocka_unit_test(test_half_removed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cycle_is_bounded),
		cmocka_unit_test(test_find_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
