#include <stdlib.h>
#include <string.h>
#include "support_pager.h"

static void *tp_alloc(void *ctx, u64 *pa)
{
	struct test_pager *tp = ctx;
	void *p;

	if (tp->used >= tp->limit)
		return NULL;
	if (posix_memalign(&p, 4096, 4096))
		return NULL;
	memset(p, 0xa5, 4096);	/* the allocator contract says zeroed: */
	memset(p, 0, 4096);	/* make sure ept.c does not rely on more */
	tp->pages[tp->used++] = p;
	*pa = (u64)(uintptr_t)p;
	return p;
}

static void *tp_virt(void *ctx, u64 pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

void test_pager_init(struct test_pager *tp, unsigned int limit,
		     struct ept_pager *out)
{
	memset(tp, 0, sizeof(*tp));
	tp->limit = limit < TEST_PAGER_MAX ? limit : TEST_PAGER_MAX;
	out->alloc = tp_alloc;
	out->phys_to_virt = tp_virt;
	out->ctx = tp;
}

void test_pager_free(struct test_pager *tp)
{
	unsigned int i;

	for (i = 0; i < tp->used; i++)
		free(tp->pages[i]);
	tp->used = 0;
}
