// SPDX-License-Identifier: GPL-2.0
/*
 * bptab.c - breakpoint and watchpoint bookkeeping (see bptab.h).
 */
#include "kmod/lib/bptab.h"

#define BPTAB_PAGE_MASK	0xfffULL

void bptab_init(struct bptab *t)
{
	memset(t, 0, sizeof(*t));
	t->max_pages = BPTAB_MAX_PAGES;
}

void bptab_set_page_limit(struct bptab *t, u16 n)
{
	t->max_pages = n > BPTAB_MAX_PAGES ? BPTAB_MAX_PAGES : n;
}

u32 bptab_pages_used(const struct bptab *t)
{
	u32 i, n = 0;

	for (i = 0; i < BPTAB_MAX_PAGES; i++)
		n += t->pages[i].used;
	return n;
}

int bptab_page_of(const struct bptab *t, u64 gpa)
{
	int i;

	gpa &= ~BPTAB_PAGE_MASK;
	for (i = 0; i < t->max_pages; i++)
		if (t->pages[i].used && t->pages[i].gpa == gpa)
			return i;
	return -1;
}

/* The page for @gpa, hooking it if needed; -28 when none is free. */
static int bptab_get_page(struct bptab *t, u64 gpa, bool *new_page)
{
	int i = bptab_page_of(t, gpa);

	*new_page = false;
	if (i >= 0)
		return i;
	for (i = 0; i < t->max_pages; i++) {
		if (!t->pages[i].used) {
			memset(&t->pages[i], 0, sizeof(t->pages[i]));
			t->pages[i].used = true;
			t->pages[i].gpa = gpa & ~BPTAB_PAGE_MASK;
			t->pages[i].view = BPTAB_VIEW_EXEC;
			*new_page = true;
			return i;
		}
	}
	return -28;
}

static void bptab_put_page(struct bptab *t, int page)
{
	struct bptab_page *p = &t->pages[page];

	if (!p->nbps && !p->nwatches)
		p->used = false;
}

const struct bptab_bp *bptab_find_bp(const struct bptab *t, u64 va)
{
	int i;

	/* On every #BP exit: only up to the highest slot in use. */
	for (i = 0; i < t->bps_hi; i++)
		if (t->bps[i].used && t->bps[i].va == va)
			return &t->bps[i];
	return NULL;
}

bool bptab_bp_owned(const struct bptab_bp *b, u32 owner)
{
	int i;

	for (i = 0; i < b->nowners; i++)
		if (b->owner[i] == owner)
			return true;
	return false;
}

bool bptab_bp_has_events(const struct bptab_bp *b)
{
	return b->nowners > 1 ||
	       (b->nowners == 1 && b->owner[0] != BPTAB_OWNER_GDB);
}

int bptab_add_bp_owner(struct bptab *t, u64 va, u64 pa, u8 orig, u32 owner,
		       bool *new_page, bool *new_bp)
{
	struct bptab_bp *b = (struct bptab_bp *)bptab_find_bp(t, va);
	int i, page;

	*new_page = false;
	if (new_bp)
		*new_bp = !b;
	if (b) {
		if (bptab_bp_owned(b, owner))
			return -17;
		if (t->pages[b->page].gpa + b->off != pa)
			return -22;
		if (b->nowners == BPTAB_OWNERS)
			return -28;
		b->owner[b->nowners++] = owner;
		return b->page;
	}
	for (i = 0; i < BPTAB_MAX_BPS && t->bps[i].used; i++)
		;
	if (i == BPTAB_MAX_BPS)
		return -28;
	page = bptab_get_page(t, pa, new_page);
	if (page < 0)
		return page;
	t->bps[i] = (struct bptab_bp){ .va = va, .page = (u16)page,
				       .off = (u16)(pa & BPTAB_PAGE_MASK),
				       .orig = orig, .used = true,
				       .nowners = 1, .owner = { owner } };
	if (i >= t->bps_hi)
		t->bps_hi = (u16)(i + 1);
	t->pages[page].nbps++;
	return page;
}

int bptab_add_bp(struct bptab *t, u64 va, u64 pa, u8 orig, bool *new_page)
{
	return bptab_add_bp_owner(t, va, pa, orig, BPTAB_OWNER_GDB, new_page,
				  NULL);
}

int bptab_del_bp_owner(struct bptab *t, u64 va, u32 owner)
{
	struct bptab_bp *b = (struct bptab_bp *)bptab_find_bp(t, va);
	int page, i;

	if (!b || !bptab_bp_owned(b, owner))
		return -2;
	for (i = 0; b->owner[i] != owner; i++)
		;
	b->owner[i] = b->owner[--b->nowners];
	page = b->page;
	if (b->nowners)
		return page;
	b->used = false;
	while (t->bps_hi && !t->bps[t->bps_hi - 1].used)
		t->bps_hi--;
	t->pages[page].nbps--;
	bptab_put_page(t, page);
	return page;
}

int bptab_del_bp(struct bptab *t, u64 va)
{
	return bptab_del_bp_owner(t, va, BPTAB_OWNER_GDB);
}

/* What a gdb watch traps: reads take R and W away (29.3.3.1). */
static u8 bptab_type_acc(u8 type)
{
	return type == BPTAB_WRITE ? BPTAB_W :
	       type == BPTAB_READ ? BPTAB_R : BPTAB_R | BPTAB_W;
}

static bool bptab_watch_type_ok(u8 type)
{
	return type == BPTAB_WRITE || type == BPTAB_READ ||
	       type == BPTAB_ACCESS;
}

/* A free slot for w (checked by the caller) on its page's entry; the
 * page's index, or -28 (no slot) or bptab_get_page()'s error. */
static int bptab_put_watch(struct bptab *t, struct bptab_watch w,
			   bool *new_page)
{
	int i, page;

	for (i = 0; i < BPTAB_MAX_WATCHES && t->watches[i].used; i++)
		;
	if (i == BPTAB_MAX_WATCHES)
		return -28;
	page = bptab_get_page(t, w.pa, new_page);
	if (page < 0)
		return page;
	w.page = (u16)page;
	w.used = true;
	t->watches[i] = w;
	t->pages[page].nwatches++;
	return page;
}

int bptab_add_watch(struct bptab *t, u64 va, u64 pa, u32 len, u8 type,
		    bool *new_page)
{
	int i;

	*new_page = false;
	if (!len || !bptab_watch_type_ok(type) ||
	    (pa & BPTAB_PAGE_MASK) + len > BPTAB_PAGE_MASK + 1)
		return -22;
	for (i = 0; i < BPTAB_MAX_WATCHES; i++) {
		const struct bptab_watch *w = &t->watches[i];

		if (w->used && !w->owner && w->va == va && w->len == len &&
		    w->type == type)
			return -17;
	}
	return bptab_put_watch(t, (struct bptab_watch){
				.va = va, .pa = pa, .len = len, .type = type,
				.acc = bptab_type_acc(type) }, new_page);
}

int bptab_add_mon(struct bptab *t, u32 owner, u64 va, u64 pa, u32 len,
		  u8 acc, bool *new_page)
{
	*new_page = false;
	acc &= BPTAB_R | BPTAB_W | BPTAB_X;
	if (!owner || !len || !acc ||
	    (pa & BPTAB_PAGE_MASK) + len > BPTAB_PAGE_MASK + 1)
		return -22;
	return bptab_put_watch(t, (struct bptab_watch){
				.va = va, .pa = pa, .len = len, .acc = acc,
				.owner = owner }, new_page);
}

int bptab_del_owner(struct bptab *t, u32 owner)
{
	int i, page;

	for (i = 0; owner && i < BPTAB_MAX_WATCHES; i++) {
		struct bptab_watch *w = &t->watches[i];

		if (!w->used || w->owner != owner)
			continue;
		page = w->page;
		w->used = false;
		t->pages[page].nwatches--;
		bptab_put_page(t, page);
		return page;
	}
	return -2;
}

u32 bptab_free_watches(const struct bptab *t)
{
	u32 i, n = 0;

	for (i = 0; i < BPTAB_MAX_WATCHES; i++)
		n += !t->watches[i].used;
	return n;
}

u32 bptab_free_pages(const struct bptab *t)
{
	u32 i, n = 0;

	for (i = 0; i < BPTAB_MAX_PAGES; i++)
		n += !t->pages[i].used;
	return n;
}

int bptab_del_watch(struct bptab *t, u64 va, u32 len, u8 type)
{
	int i, page;

	for (i = 0; i < BPTAB_MAX_WATCHES; i++) {
		struct bptab_watch *w = &t->watches[i];

		if (!w->used || w->owner || w->va != va || w->len != len ||
		    w->type != type)
			continue;
		page = w->page;
		w->used = false;
		t->pages[page].nwatches--;
		bptab_put_page(t, page);
		return page;
	}
	return -2;
}

u32 bptab_perms(const struct bptab *t, int page, enum bptab_view view)
{
	const struct bptab_page *p = &t->pages[page];
	u32 perms = BPTAB_R | BPTAB_W | BPTAB_X;
	int i;

	if (!p->used)
		return perms;
	/* The shadow with its 0xCC bytes is for instruction fetches only. */
	if (p->nbps)
		perms = view == BPTAB_VIEW_EXEC ? BPTAB_X : BPTAB_R | BPTAB_W;
	for (i = 0; i < BPTAB_MAX_WATCHES; i++) {
		const struct bptab_watch *w = &t->watches[i];

		if (!w->used || w->page != page)
			continue;
		/* Write without read is a misconfiguration (SDM 29.3.3.1):
		 * watching reads takes both away. */
		if (w->acc & BPTAB_R)
			perms &= ~(BPTAB_R | BPTAB_W);
		if (w->acc & BPTAB_W)
			perms &= ~BPTAB_W;
		if (w->acc & BPTAB_X)
			perms &= ~BPTAB_X;
	}
	return perms;
}

void bptab_patch(const struct bptab *t, int page, const u8 *orig, u8 *shadow)
{
	int i;

	memcpy(shadow, orig, BPTAB_PAGE_MASK + 1);
	for (i = 0; i < t->bps_hi; i++)
		if (t->bps[i].used && t->bps[i].page == page)
			shadow[t->bps[i].off] = 0xcc;
}

/* Does [pa, pa+len) touch @w?  *addr: the first byte touched, as @w's
 * address (linear for gdb, what $context shows for a monitor). */
static bool bptab_touches(const struct bptab_watch *w, u64 pa, u32 len,
			  u64 *addr)
{
	u64 lo = pa > w->pa ? pa : w->pa;
	u64 hi = pa + len < w->pa + w->len ? pa + len : w->pa + w->len;

	if (lo >= hi)
		return false;
	*addr = w->va + (lo - w->pa);
	return true;
}

const struct bptab_watch *bptab_watch_hit(const struct bptab *t, int page,
					  u64 pa, u32 len, bool write,
					  u64 *addr)
{
	int i;

	for (i = 0; i < BPTAB_MAX_WATCHES; i++) {
		const struct bptab_watch *w = &t->watches[i];

		if (!w->used || w->owner || w->page != page)
			continue;
		if (w->type == BPTAB_WRITE && !write)
			continue;
		if (w->type == BPTAB_READ && write)
			continue;
		if (bptab_touches(w, pa, len, addr))
			return w;
	}
	return NULL;
}

const struct bptab_watch *bptab_mon_next(const struct bptab *t, int page,
					 u64 pa, u32 len, u8 acc, int *from,
					 u64 *addr)
{
	int i;

	for (i = *from; i < BPTAB_MAX_WATCHES; i++) {
		const struct bptab_watch *w = &t->watches[i];

		if (!w->used || !w->owner || w->page != page ||
		    !(w->acc & acc) || !bptab_touches(w, pa, len, addr))
			continue;
		*from = i + 1;
		return w;
	}
	*from = BPTAB_MAX_WATCHES;
	return NULL;
}
