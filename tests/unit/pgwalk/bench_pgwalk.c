/*
 * bench_pgwalk.c - cost of a guest page walk in user space (no VMX):
 * pgwalk_translate for 4 KiB / 2 MiB / 1 GiB leaves, 4- and 5-level, and
 * pgwalk_read_virt of a 4 KiB gdb 'm' packet's worth across pages.  The
 * tables are built with the test physmem, then copied into a flat 8 MiB
 * array that the callbacks read with a bounds check and memcpy, like the
 * module's direct-map access.  Figures: docs/design-memory.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/pgwalk.h"
#include "tests/unit/pgwalk/support_physmem.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#define FLAT_SIZE	(8u << 20)
static u8 flat[FLAT_SIZE];

static int flat_read(void *opaque, u64 pa, void *buf, size_t len)
{
	(void)opaque;
	if (pa >= FLAT_SIZE || len > FLAT_SIZE - pa)
		return -1;
	memcpy(buf, flat + pa, len);
	return 0;
}

static void flat_from(struct physmem *pm)
{
	unsigned int i;

	for (i = 0; i < pm->nframes; i++) {
		if (pm->frames[i]->pa >= FLAT_SIZE)
			abort();
		memcpy(flat + pm->frames[i]->pa, pm->frames[i]->data, 4096);
	}
}

static void bench_translate(const char *what, const struct pgwalk_ctx *ctx,
			    u64 va)
{
	const unsigned int n = 2000000;
	unsigned int i;
	u64 pa, sum = 0;
	double t0, t1;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (pgwalk_translate(ctx, va + (i & 0xff8), &pa, NULL))
			abort();
		sum += pa;
	}
	t1 = now_ns();
	printf("pgwalk_translate %-14s %6.1f ns/walk (sum %llx)\n", what,
	       (t1 - t0) / n, (unsigned long long)(sum & 0xf));
}

int main(void)
{
	static struct physmem pm;
	struct pgwalk_ctx ctx4, ctx5;
	u64 root4, root5, va = 0xffffffff81000000ULL;
	static u8 buf[4096];
	const unsigned int n = 100000;
	unsigned int i;
	double t0, t1;
	int err;

	pm_init(&pm);
	root4 = pm_new_table(&pm);
	root5 = pm_new_table(&pm);
	pm_ctx(&pm, &ctx4, 4, root4);
	pm_ctx(&pm, &ctx5, 5, root5);
	for (i = 0; i < 4; i++) {
		pm_map(&pm, root4, 4, va + i * 4096, 0x200000 + i * 4096, 1,
		       PGWALK_P);
		pm_frame(&pm, 0x200000 + i * 4096, true);
	}
	pm_map(&pm, root4, 4, 0xffff888000000000ULL, 0, 3, PGWALK_P);
	pm_map(&pm, root4, 4, 0xffffffffc0000000ULL, 0x400000, 2, PGWALK_P);
	pm_map(&pm, root5, 5, va, 0x200000, 1, PGWALK_P);
	pm_frame(&pm, 0x400000, true);
	flat_from(&pm);
	ctx4.read_phys = ctx5.read_phys = flat_read;

	bench_translate("4-level 4K", &ctx4, va);
	bench_translate("4-level 2M", &ctx4, 0xffffffffc0000000ULL);
	bench_translate("4-level 1G", &ctx4, 0xffff888000000000ULL);
	bench_translate("5-level 4K", &ctx5, va);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (pgwalk_read_virt(&ctx4, va + 0x800, buf, sizeof(buf),
				     &err) != sizeof(buf))
			abort();
	t1 = now_ns();
	printf("pgwalk_read_virt 4 KiB over 2 pages %6.0f ns (%.0f MB/s)\n",
	       (t1 - t0) / n, sizeof(buf) * n / ((t1 - t0) / 1e9) / 1e6);
	pm_free(&pm);
	return 0;
}
