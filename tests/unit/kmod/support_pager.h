/* support_pager.h - a user-space page allocator for the EPT tests. */
#ifndef HVGDB_TEST_SUPPORT_PAGER_H
#define HVGDB_TEST_SUPPORT_PAGER_H

#include "hvgdb/freestanding.h"
#include "kmod/lib/ept.h"

#define TEST_PAGER_MAX 4096

struct test_pager {
	void *pages[TEST_PAGER_MAX];
	unsigned int used, limit;
};

/* Pages are 4 KiB aligned; their "physical" address is their address. */
void test_pager_init(struct test_pager *tp, unsigned int limit,
		     struct ept_pager *out);
void test_pager_free(struct test_pager *tp);

#endif
