/*
 * Breakpoint/watchpoint bookkeeping: the EPT permissions of each view,
 * the shadow page's 0xCC bytes, and which accesses hit which watch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/bptab.h"

#define VA0 0xffffffff81000000ULL
#define PA0 0x1000000ULL

static struct bptab T;

static int setup(void **state)
{
	(void)state;
	bptab_init(&T);
	return 0;
}

static void test_bp_views_and_shadow(void **state)
{
	u8 orig[4096], shadow[4096];
	bool np;
	int p, i;

	(void)state;
	for (i = 0; i < 4096; i++)
		orig[i] = (u8)i;
	p = bptab_add_bp(&T, VA0 + 0x10, PA0 + 0x10, 0x10, &np);
	assert_true(p >= 0);
	assert_true(np);
	/* A second breakpoint on the same page shares it. */
	assert_int_equal(bptab_add_bp(&T, VA0 + 0xfff, PA0 + 0xfff, 0xff, &np),
			 p);
	assert_false(np);
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x10, PA0 + 0x10, 0, &np), -17);
	assert_int_equal(bptab_page_of(&T, PA0 + 0x123), p);
	assert_int_equal(bptab_page_of(&T, PA0 + 0x1000), -1);

	/* Fetches see the shadow only; reads and writes the original. */
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_EXEC), BPTAB_X);
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_DATA),
			 BPTAB_R | BPTAB_W);

	bptab_patch(&T, p, orig, shadow);
	assert_int_equal(shadow[0x10], 0xcc);
	assert_int_equal(shadow[0xfff], 0xcc);
	assert_int_equal(shadow[0x11], 0x11);
	assert_memory_equal(shadow, orig, 0x10);
	assert_int_equal(bptab_find_bp(&T, VA0 + 0x10)->orig, 0x10);

	/* The page goes with its last breakpoint. */
	assert_int_equal(bptab_del_bp(&T, VA0 + 0x10), p);
	assert_true(bptab_page_used(&T, p));
	bptab_patch(&T, p, orig, shadow);
	assert_int_equal(shadow[0x10], 0x10);
	assert_int_equal(bptab_del_bp(&T, VA0 + 0xfff), p);
	assert_false(bptab_page_used(&T, p));
	assert_int_equal(bptab_del_bp(&T, VA0 + 0xfff), -2);
	assert_null(bptab_find_bp(&T, VA0 + 0xfff));
}

static void test_tables_fill_up(void **state)
{
	bool np;
	int i;

	(void)state;
	for (i = 0; i < BPTAB_MAX_PAGES; i++)
		assert_true(bptab_add_bp(&T, VA0 + i * 4096ULL,
					 PA0 + i * 4096ULL, 0x90, &np) >= 0);
	/* No page left for a new one; an existing page still takes more. */
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x100000, PA0 + 0x100000, 0,
				      &np), -28);
	for (i = 0; i < BPTAB_MAX_BPS - BPTAB_MAX_PAGES; i++)
		assert_true(bptab_add_bp(&T, VA0 + 1 + i, PA0 + 1 + i, 0,
					 &np) >= 0);
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x800, PA0 + 0x800, 0, &np),
			 -28);
}

/* gdb's Z0 and events (!epthook) share one breakpoint; each drops only
 * itself and the 0xCC stays while anyone holds it. */
static void test_bp_owners(void **state)
{
	u8 orig[4096], shadow[4096];
	const struct bptab_bp *b;
	bool np, nb;
	int p, i;

	(void)state;
	memset(orig, 0x90, sizeof(orig));
	p = bptab_add_bp_owner(&T, VA0 + 0x40, PA0 + 0x40, 0xf3, 7, &np, &nb);
	assert_true(p >= 0 && np && nb);
	b = bptab_find_bp(&T, VA0 + 0x40);
	assert_true(bptab_bp_has_events(b));
	assert_false(bptab_bp_owned(b, BPTAB_OWNER_GDB));
	/* gdb joins: same page, same breakpoint, no new one. */
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x40, PA0 + 0x40, 0xcc, &np),
			 p);
	assert_false(np);
	assert_int_equal(bptab_add_bp_owner(&T, VA0 + 0x40, PA0 + 0x40, 0, 9,
					    &np, &nb), p);
	assert_false(nb);
	/* The original byte is the first owner's, not a later 0xCC. */
	assert_int_equal(b->orig, 0xf3);
	assert_int_equal(b->nowners, 3);
	assert_int_equal(bptab_add_bp_owner(&T, VA0 + 0x40, PA0 + 0x40, 0, 9,
					    &np, &nb), -17);
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x40, PA0 + 0x40, 0, &np), -17);
	/* Another physical address under the same va: refused. */
	assert_int_equal(bptab_add_bp_owner(&T, VA0 + 0x40, PA0 + 0x2040, 0,
					    11, &np, &nb), -22);

	/* gdb's z0 drops gdb only. */
	assert_int_equal(bptab_del_bp(&T, VA0 + 0x40), p);
	assert_int_equal(bptab_del_bp(&T, VA0 + 0x40), -2);
	assert_non_null(bptab_find_bp(&T, VA0 + 0x40));
	bptab_patch(&T, p, orig, shadow);
	assert_int_equal(shadow[0x40], 0xcc);
	/* An event's clear drops that event only. */
	assert_int_equal(bptab_del_bp_owner(&T, VA0 + 0x40, 7), p);
	assert_int_equal(bptab_del_bp_owner(&T, VA0 + 0x40, 7), -2);
	b = bptab_find_bp(&T, VA0 + 0x40);
	assert_non_null(b);
	assert_true(bptab_bp_owned(b, 9));
	assert_true(bptab_bp_has_events(b));
	assert_int_equal(bptab_del_bp_owner(&T, VA0 + 0x40, 9), p);
	assert_null(bptab_find_bp(&T, VA0 + 0x40));
	assert_false(bptab_page_used(&T, p));
	bptab_patch(&T, p, orig, shadow);
	assert_int_equal(shadow[0x40], 0x90);

	/* gdb alone is not an event owner. */
	assert_true(bptab_add_bp(&T, VA0, PA0, 0x55, &np) >= 0);
	assert_false(bptab_bp_has_events(bptab_find_bp(&T, VA0)));
	/* An owner set is bounded. */
	for (i = 0; i < BPTAB_OWNERS - 1; i++)
		assert_true(bptab_add_bp_owner(&T, VA0, PA0, 0, (u32)i, &np,
					       &nb) >= 0);
	assert_int_equal(bptab_add_bp_owner(&T, VA0, PA0, 0, 100, &np, &nb),
			 -28);
	/* Set, clear and set again: no slot leaks. */
	for (i = 0; i < 1000; i++) {
		assert_true(bptab_add_bp_owner(&T, VA0 + 0x123, PA0 + 0x123,
					       0x41, 5, &np, &nb) >= 0);
		assert_true(nb);
		assert_true(bptab_del_bp_owner(&T, VA0 + 0x123, 5) >= 0);
	}
	assert_int_equal(T.bps_hi, 1);
}

/* Page slots beyond the limit (shadow pages not allocated) are not used. */
static void test_page_limit(void **state)
{
	bool np;

	(void)state;
	bptab_set_page_limit(&T, 2);
	assert_true(bptab_add_bp(&T, VA0, PA0, 0, &np) >= 0);
	assert_true(bptab_add_watch(&T, VA0 + 0x1000, PA0 + 0x1000, 8,
				    BPTAB_WRITE, &np) >= 0);
	assert_int_equal(bptab_pages_used(&T), 2);
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x2000, PA0 + 0x2000, 0, &np),
			 -28);
	/* The hooked pages still take more. */
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x1001, PA0 + 0x1001, 0, &np),
			 1);
	bptab_set_page_limit(&T, 3);
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x2000, PA0 + 0x2000, 0, &np),
			 2);
	assert_int_equal(bptab_page_of(&T, PA0 + 0x2fff), 2);
	bptab_set_page_limit(&T, 60000);
	assert_int_equal(T.max_pages, BPTAB_MAX_PAGES);
}

static void test_watch_perms(void **state)
{
	bool np;
	int p;

	(void)state;
	p = bptab_add_watch(&T, VA0 + 8, PA0 + 8, 8, BPTAB_WRITE, &np);
	assert_true(p >= 0 && np);
	/* A write watch only takes W away: reads and fetches run free. */
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_EXEC),
			 BPTAB_R | BPTAB_X);
	/* A read watch takes R, and W with it (W without R is invalid). */
	assert_int_equal(bptab_add_watch(&T, VA0 + 64, PA0 + 64, 4, BPTAB_READ,
					 &np), p);
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_EXEC), BPTAB_X);
	assert_int_equal(bptab_del_watch(&T, VA0 + 64, 4, BPTAB_READ), p);
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_EXEC),
			 BPTAB_R | BPTAB_X);
	/* With a breakpoint too: the data view keeps R, not W. */
	assert_int_equal(bptab_add_bp(&T, VA0 + 0x200, PA0 + 0x200, 0x55, &np),
			 p);
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_DATA), BPTAB_R);
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_EXEC), BPTAB_X);

	/* Bad ranges and types. */
	assert_int_equal(bptab_add_watch(&T, VA0 + 0xffc, PA0 + 0xffc, 8,
					 BPTAB_WRITE, &np), -22);
	assert_int_equal(bptab_add_watch(&T, VA0, PA0, 0, BPTAB_WRITE, &np),
			 -22);
	assert_int_equal(bptab_add_watch(&T, VA0, PA0, 4, 1, &np), -22);
	assert_int_equal(bptab_add_watch(&T, VA0 + 8, PA0 + 8, 8, BPTAB_WRITE,
					 &np), -17);
	assert_int_equal(bptab_del_watch(&T, VA0 + 8, 4, BPTAB_WRITE), -2);
}

static void test_watch_hits(void **state)
{
	const struct bptab_watch *w;
	u64 addr = 0;
	bool np;
	int p;

	(void)state;
	p = bptab_add_watch(&T, VA0 + 0x100, PA0 + 0x100, 4, BPTAB_WRITE, &np);
	assert_int_equal(bptab_add_watch(&T, VA0 + 0x200, PA0 + 0x200, 8,
					 BPTAB_READ, &np), p);
	assert_int_equal(bptab_add_watch(&T, VA0 + 0x300, PA0 + 0x300, 2,
					 BPTAB_ACCESS, &np), p);

	/* Writes hit write watches; the address is the first byte hit. */
	w = bptab_watch_hit(&T, p, PA0 + 0xfe, 4, true, &addr);
	assert_non_null(w);
	assert_int_equal(w->type, BPTAB_WRITE);
	assert_int_equal(addr, VA0 + 0x100);
	w = bptab_watch_hit(&T, p, PA0 + 0x102, 1, true, &addr);
	assert_int_equal(addr, VA0 + 0x102);
	/* Neighbours do not. */
	assert_null(bptab_watch_hit(&T, p, PA0 + 0xf8, 8, true, &addr));
	assert_null(bptab_watch_hit(&T, p, PA0 + 0x104, 4, true, &addr));
	/* A read does not hit a write watch, a write not a read watch. */
	assert_null(bptab_watch_hit(&T, p, PA0 + 0x100, 4, false, &addr));
	assert_null(bptab_watch_hit(&T, p, PA0 + 0x200, 8, true, &addr));
	w = bptab_watch_hit(&T, p, PA0 + 0x204, 8, false, &addr);
	assert_int_equal(w->type, BPTAB_READ);
	assert_int_equal(addr, VA0 + 0x204);
	/* Access watches take both. */
	assert_int_equal(bptab_watch_hit(&T, p, PA0 + 0x301, 1, true,
					 &addr)->type, BPTAB_ACCESS);
	assert_int_equal(bptab_watch_hit(&T, p, PA0 + 0x2ff, 2, false,
					 &addr)->type, BPTAB_ACCESS);
	assert_int_equal(addr, VA0 + 0x300);
}

/* !monitor watches: owners, access masks, the hits they see. */
static void test_monitor_owners(void **state)
{
	const struct bptab_watch *w;
	bool np;
	u64 addr;
	int p, from;

	(void)state;
	/* Two monitors and a gdb watch on the same bytes. */
	p = bptab_add_mon(&T, 5, VA0 + 0x10, PA0 + 0x10, 8, BPTAB_W, &np);
	assert_true(p >= 0 && np);
	assert_int_equal(bptab_add_mon(&T, 6, PA0 + 0x10, PA0 + 0x10, 8,
				       BPTAB_R | BPTAB_W, &np), p);
	assert_false(np);
	assert_int_equal(bptab_add_watch(&T, VA0 + 0x10, PA0 + 0x10, 8,
					 BPTAB_WRITE, &np), p);
	/* R from monitor 6 takes R and W away; X stays. */
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_EXEC), BPTAB_X);
	/* A write hits both monitors, in table order, with each one's
	 * address ($context: linear for 5, physical for 6). */
	from = 0;
	w = bptab_mon_next(&T, p, PA0 + 0x14, 4, BPTAB_W, &from, &addr);
	assert_non_null(w);
	assert_int_equal(w->owner, 5);
	assert_int_equal(addr, VA0 + 0x14);
	w = bptab_mon_next(&T, p, PA0 + 0x14, 4, BPTAB_W, &from, &addr);
	assert_int_equal(w->owner, 6);
	assert_int_equal(addr, PA0 + 0x14);
	assert_null(bptab_mon_next(&T, p, PA0 + 0x14, 4, BPTAB_W, &from,
				   &addr));
	/* A read only monitor 6; gdb's watch is not a monitor's. */
	from = 0;
	w = bptab_mon_next(&T, p, PA0 + 0x10, 1, BPTAB_R, &from, &addr);
	assert_int_equal(w->owner, 6);
	assert_null(bptab_mon_next(&T, p, PA0 + 0x10, 1, BPTAB_R, &from,
				   &addr));
	/* gdb sees its own watch only. */
	w = bptab_watch_hit(&T, p, PA0 + 0x10, 1, true, &addr);
	assert_int_equal(w->owner, 0);
	assert_null(bptab_watch_hit(&T, p, PA0 + 0x10, 1, false, &addr));
	/* Removing monitor 5 keeps the others and the page. */
	assert_int_equal(bptab_del_owner(&T, 5), p);
	assert_int_equal(bptab_del_owner(&T, 5), -2);
	assert_true(bptab_page_used(&T, p));
	assert_int_equal(bptab_del_watch(&T, VA0 + 0x10, 8, BPTAB_WRITE), p);
	assert_int_equal(bptab_del_owner(&T, 6), p);
	assert_false(bptab_page_used(&T, p));
	assert_int_equal(bptab_free_watches(&T), BPTAB_MAX_WATCHES);
	assert_int_equal(bptab_free_pages(&T), BPTAB_MAX_PAGES);
	/* Execute monitors take X only; a range may not cross its page. */
	p = bptab_add_mon(&T, 7, VA0, PA0, 0x1000, BPTAB_X, &np);
	assert_int_equal(bptab_perms(&T, p, BPTAB_VIEW_EXEC),
			 BPTAB_R | BPTAB_W);
	assert_int_equal(bptab_add_mon(&T, 8, VA0 + 1, PA0 + 1, 0x1000,
				       BPTAB_X, &np), -22);
	assert_int_equal(bptab_add_mon(&T, 0, VA0, PA0, 1, BPTAB_X, &np),
			 -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bp_views_and_shadow, setup),
		cmocka_unit_test_setup(test_tables_fill_up, setup),
		cmocka_unit_test_setup(test_bp_owners, setup),
		cmocka_unit_test_setup(test_page_limit, setup),
		cmocka_unit_test_setup(test_watch_perms, setup),
		cmocka_unit_test_setup(test_watch_hits, setup),
		cmocka_unit_test_setup(test_monitor_owners, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
