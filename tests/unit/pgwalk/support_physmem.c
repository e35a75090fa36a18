/* support_physmem.c - see support_physmem.h. */
#include <stdlib.h>
#include <stdio.h>
#include "tests/unit/pgwalk/support_physmem.h"

#define PM_FRAME_MASK	(~0xfffULL)

void pm_init(struct physmem *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->next_table = 0x100000;	/* tables from 1 MiB up */
}

void pm_free(struct physmem *pm)
{
	unsigned int i;

	for (i = 0; i < pm->nframes; i++)
		free(pm->frames[i]);
	pm->nframes = 0;
}

struct pm_frame *pm_frame(struct physmem *pm, u64 pa, bool create)
{
	unsigned int i;
	struct pm_frame *f;

	for (i = 0; i < pm->nframes; i++)
		if (pm->frames[i]->pa == (pa & PM_FRAME_MASK))
			return pm->frames[i];
	if (!create)
		return NULL;
	if (pm->nframes == PM_MAX_FRAMES) {
		fprintf(stderr, "physmem: out of frames\n");
		abort();
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	f->pa = pa & PM_FRAME_MASK;
	pm->frames[pm->nframes++] = f;
	return f;
}

void pm_poke(struct physmem *pm, u64 pa, const void *buf, size_t len)
{
	const u8 *b = buf;

	while (len) {
		struct pm_frame *f = pm_frame(pm, pa, true);
		size_t off = pa & 0xfff, n = 4096 - off;

		if (n > len)
			n = len;
		memcpy(f->data + off, b, n);
		b += n;
		pa += n;
		len -= n;
	}
}

void pm_peek(struct physmem *pm, u64 pa, void *buf, size_t len)
{
	u8 *b = buf;

	while (len) {
		struct pm_frame *f = pm_frame(pm, pa, false);
		size_t off = pa & 0xfff, n = 4096 - off;

		if (n > len)
			n = len;
		if (f)
			memcpy(b, f->data + off, n);
		else
			memset(b, 0, n);
		b += n;
		pa += n;
		len -= n;
	}
}

static int pm_read_cb(void *opaque, u64 pa, void *buf, size_t len)
{
	struct physmem *pm = opaque;
	u8 *b = buf;
	u64 p = pa;
	size_t left = len;

	pm->reads++;
	pm->last_read_pa = pa;
	pm->last_read_len = len;
	if (pm->fail_all)
		return -1;
	/* All or nothing, like a physical mapping that either exists or not. */
	while (left) {
		size_t n = 4096 - (p & 0xfff);

		if (!pm_frame(pm, p, false))
			return -1;
		if (n > left)
			n = left;
		p += n;
		left -= n;
	}
	while (len) {
		struct pm_frame *f = pm_frame(pm, pa, false);
		size_t off = pa & 0xfff, n = 4096 - off;

		if (n > len)
			n = len;
		memcpy(b, f->data + off, n);
		b += n;
		pa += n;
		len -= n;
	}
	return 0;
}

static int pm_write_cb(void *opaque, u64 pa, const void *buf, size_t len)
{
	struct physmem *pm = opaque;
	u64 p = pa;
	size_t left = len;

	pm->writes++;
	if (pm->fail_all)
		return -1;
	while (left) {
		size_t n = 4096 - (p & 0xfff);

		if (!pm_frame(pm, p, false))
			return -1;
		if (n > left)
			n = left;
		p += n;
		left -= n;
	}
	pm_poke(pm, pa, buf, len);
	return 0;
}

u64 pm_new_table(struct physmem *pm)
{
	u64 pa = pm->next_table;

	pm->next_table += 4096;
	pm_frame(pm, pa, true);
	return pa;
}

static u64 pm_idx(u64 va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

static u64 pm_rd64(struct physmem *pm, u64 pa)
{
	u64 v;

	pm_peek(pm, pa, &v, 8);
	return v;
}

u64 pm_entry_pa(struct physmem *pm, u64 root, int levels, u64 va, int level)
{
	u64 table = root;
	int l;

	for (l = levels; l > level; l--)
		table = pm_rd64(pm, table + pm_idx(va, l) * 8) &
			0x000ffffffffff000ULL;
	return table + pm_idx(va, level) * 8;
}

u64 pm_get_entry(struct physmem *pm, u64 root, int levels, u64 va, int level)
{
	return pm_rd64(pm, pm_entry_pa(pm, root, levels, va, level));
}

void pm_set_entry(struct physmem *pm, u64 root, int levels, u64 va,
		  int level, u64 e)
{
	pm_poke(pm, pm_entry_pa(pm, root, levels, va, level), &e, 8);
}

void pm_map(struct physmem *pm, u64 root, int levels, u64 va, u64 pa,
	    int leaf_level, u64 flags)
{
	u64 table = root;
	int l;

	for (l = levels; l > leaf_level; l--) {
		u64 epa = table + pm_idx(va, l) * 8;
		u64 e = pm_rd64(pm, epa);

		if (!(e & PGWALK_P)) {
			e = pm_new_table(pm) | PGWALK_P | PGWALK_RW |
			    PGWALK_US;
			pm_poke(pm, epa, &e, 8);
		}
		table = e & 0x000ffffffffff000ULL;
	}
	if (leaf_level > 1)
		flags |= PGWALK_PS;
	pa |= flags;
	pm_poke(pm, table + pm_idx(va, leaf_level) * 8, &pa, 8);
}

void pm_ctx(struct physmem *pm, struct pgwalk_ctx *ctx, int levels, u64 cr3)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cr0 = PGWALK_CR0_PG | PGWALK_CR0_WP | 1;	/* PE */
	ctx->cr4 = PGWALK_CR4_PAE | (levels == 5 ? PGWALK_CR4_LA57 : 0);
	ctx->efer = PGWALK_EFER_LME | PGWALK_EFER_LMA | PGWALK_EFER_NXE;
	ctx->cr3 = cr3;
	ctx->max_phys_bits = 46;
	ctx->read_phys = pm_read_cb;
	ctx->write_phys = pm_write_cb;
	ctx->opaque = pm;
}
