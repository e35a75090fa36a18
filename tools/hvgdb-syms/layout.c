// SPDX-License-Identifier: GPL-2.0
/*
 * layout - sections and symbol sizes of the symbol file (see layout.h).
 *
 * The kernel image's sections are bracketed by marker symbols the linker
 * script defines (arch/x86/kernel/vmlinux.lds.S and
 * include/asm-generic/vmlinux.lds.h): _text.._etext, _sinittext..
 * _einittext, __start_rodata..__end_rodata, _sdata.._edata,
 * __init_begin..__init_end, __bss_start..__bss_stop, __brk_base..
 * __brk_limit, and _end after everything.  Per-CPU variables are 'A'
 * (absolute) on x86-64 (CONFIG_KALLSYMS_ABSOLUTE_PERCPU): their values
 * are offsets into each CPU's area, not addresses, so they stay SHN_ABS.
 */
#define _GNU_SOURCE	/* qsort_r */
#include <stdlib.h>
#include <string.h>
#include <elf.h>

#include "layout.h"

struct region_def {
	const char *name;
	const char *start[2];	/* first present wins; lowest address */
	const char *end;
	unsigned int flags;
};

/* Earlier entries win where two overlap (.init.text inside .init.data). */
static const struct region_def kernel_regions[] = {
	{ ".text", { "_text", "_stext" }, "_etext", LAYOUT_EXEC },
	{ ".init.text", { "_sinittext", NULL }, "_einittext", LAYOUT_EXEC },
	{ ".rodata", { "__start_rodata", NULL }, "__end_rodata", 0 },
	{ ".data", { "_sdata", NULL }, "_edata", LAYOUT_WRITE },
	{ ".init.data", { "__init_begin", NULL }, "__init_end", LAYOUT_WRITE },
	{ ".bss", { "__bss_start", NULL }, "__bss_stop", LAYOUT_WRITE },
	{ ".brk", { "__brk_base", NULL }, "__brk_limit", LAYOUT_WRITE },
};

struct secvec {
	struct layout_sec *v;
	size_t n, cap;
};

static int secvec_push(struct secvec *sv, const char *name, uint64_t start,
		       uint64_t end, unsigned int flags)
{
	struct layout_sec *s;

	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 32;
		struct layout_sec *v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return -1;
		sv->v = v;
		sv->cap = cap;
	}
	s = &sv->v[sv->n++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->start = start;
	s->end = end;
	s->flags = flags;
	return 0;
}

/*
 * Adds [start, end) minus whatever earlier sections already cover, as one
 * or more sections of the same name.  The part left of an overlapping
 * section is carved again against all of them (the recursion is at most
 * as deep as there are sections, LAYOUT_MAX_SECTIONS); the scan then goes
 * on with what is right of it.
 */
static int carve(struct secvec *sv, const char *name, uint64_t start,
		 uint64_t end, unsigned int flags)
{
	size_t i, have = sv->n;

	if (start >= end)
		return 0;
	for (i = 0; i < have; i++) {
		const struct layout_sec *e = &sv->v[i];

		if (e->end <= start || e->start >= end)
			continue;
		if (e->start > start &&
		    carve(sv, name, start, e->start, flags))
			return -1;
		start = sv->v[i].end;	/* sv->v may have moved */
		if (start >= end)
			return 0;
	}
	return secvec_push(sv, name, start, end, flags);
}

static int cmp_sec(const void *a, const void *b)
{
	const struct layout_sec *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* input order: names were pooled in that order */
	return x->name_off < y->name_off ? -1 : x->name_off > y->name_off;
}

static bool is_abs_type(char type)
{
	return type == 'A' || type == 'a';
}

static bool is_text_type(char type)
{
	return type == 'T' || type == 't' || type == 'W' || type == 'i';
}

bool layout_find(const struct ksym_table *t, const char *name,
		 uint64_t *addr)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct ksym *s = &t->v[i];

		if (!s->mod_off && !is_abs_type(s->type) &&
		    !strcmp(ksym_name(t, s), name)) {
			*addr = s->addr;
			return true;
		}
	}
	return false;
}

static int kernel_sections(struct ksym_table *t, struct secvec *sv)
{
	const size_t nreg = sizeof(kernel_regions) / sizeof(kernel_regions[0]);
	uint64_t lo = UINT64_MAX, hi = 0, end_sym;
	size_t i, nfound = 0, base;

	for (i = 0; i < nreg; i++) {
		const struct region_def *r = &kernel_regions[i];
		uint64_t s = UINT64_MAX, e, a;
		int k;

		for (k = 0; k < 2 && r->start[k]; k++)
			if (layout_find(t, r->start[k], &a) && a < s)
				s = a;
		if (s == UINT64_MAX || !layout_find(t, r->end, &e) || e <= s)
			continue;
		if (carve(sv, r->name, s, e, r->flags))
			return -1;
		nfound++;
		lo = s < lo ? s : lo;
		hi = e > hi ? e : hi;
	}
	if (layout_find(t, "_end", &end_sym) && end_sym > hi && nfound)
		hi = end_sym;
	if (!nfound) {
		/* No markers (a partial list): one section over the image. */
		for (i = 0; i < t->n; i++) {
			const struct ksym *s = &t->v[i];

			if (s->mod_off || is_abs_type(s->type))
				continue;
			lo = s->addr < lo ? s->addr : lo;
			hi = s->addr > hi ? s->addr : hi;
		}
		if (lo > hi)
			return 0;
		if (hi < UINT64_MAX)
			hi++;
	}
	/* Gaps inside the image: .kernel, so every image address has one. */
	base = sv->n;
	if (carve(sv, ".kernel", lo, hi, 0))
		return -1;
	for (i = base; i < sv->n; i++)
		sv->v[i].flags |= LAYOUT_WRITE | LAYOUT_GAP;
	return 0;
}

static long find_sec(const struct layout *l, uint64_t addr);

static bool is_end_marker(const char *name)
{
	const size_t nreg = sizeof(kernel_regions) / sizeof(kernel_regions[0]);
	size_t i;

	for (i = 0; i < nreg; i++)
		if (!strcmp(name, kernel_regions[i].end))
			return true;
	return !strcmp(name, "_end");
}

/*
 * The section of an address, or -1.  A symbol at a section's end (_etext,
 * __indirect_thunk_end, _edata, _end) marks that end: it belongs to the
 * section it closes, not to the gap or the section that follows.
 */
static long sym_section(const struct ksym_table *t, const struct layout *l,
			const struct ksym *s)
{
	long k = find_sec(l, s->addr);

	if (k < 0 || s->addr > l->sec[k].end)
		return -1;
	if (k > 0 && s->addr == l->sec[k].start &&
	    l->sec[k - 1].end == s->addr &&
	    ((l->sec[k].flags & LAYOUT_GAP) || is_end_marker(ksym_name(t, s))))
		return k - 1;
	return k;
}

/* Loaded modules: a text and a data section each (kernel/module/main.c
 * lays a module's core out as text, rodata, ro_after_init, data). */
static int cmp_mod(const void *a, const void *b, void *arg)
{
	const struct ksym_table *t = arg;
	const struct ksym *x = &t->v[*(const size_t *)a];
	const struct ksym *y = &t->v[*(const size_t *)b];

	if (x->mod_off == y->mod_off)
		return 0;
	return strcmp(t->pool + x->mod_off, t->pool + y->mod_off);
}

static int module_range(struct secvec *sv, const char *kind,
			const char *mname, uint64_t lo, uint64_t hi,
			uint64_t other_lo, unsigned int flags)
{
	/* The allocations are page-granular: a range ends at its last page's
	 * end at the latest, or where the module's other range begins. */
	uint64_t e = (hi | 0xfff) + 1;
	char name[72];

	if (lo > hi)
		return 0;
	if (other_lo > hi && other_lo < e)
		e = other_lo;
	snprintf(name, sizeof(name), ".%s.%s", kind, mname);
	return carve(sv, name, lo, e ? e : UINT64_MAX, flags);
}

static int module_sections(struct ksym_table *t, struct secvec *sv)
{
	size_t *idx = malloc((t->module_syms + 1) * sizeof(*idx));
	size_t n = 0, i, j;
	int ret = 0;

	if (!idx)
		return -1;
	for (i = 0; i < t->n; i++)
		if (t->v[i].mod_off && !is_abs_type(t->v[i].type))
			idx[n++] = i;
	if (n)
		qsort_r(idx, n, sizeof(*idx), cmp_mod, t);
	for (i = 0; i < n && !ret; i = j) {
		uint64_t tlo = UINT64_MAX, thi = 0, dlo = UINT64_MAX, dhi = 0;
		const char *mname = t->pool + t->v[idx[i]].mod_off;

		for (j = i; j < n && !cmp_mod(&idx[i], &idx[j], t); j++) {
			const struct ksym *s = &t->v[idx[j]];

			if (is_text_type(s->type)) {
				tlo = s->addr < tlo ? s->addr : tlo;
				thi = s->addr > thi ? s->addr : thi;
			} else {
				dlo = s->addr < dlo ? s->addr : dlo;
				dhi = s->addr > dhi ? s->addr : dhi;
			}
		}
		if (sv->n > LAYOUT_MAX_SECTIONS) {
			ret = -2;
			break;
		}
		ret = module_range(sv, "text", mname, tlo, thi, dlo,
				   LAYOUT_EXEC) ||
		      module_range(sv, "data", mname, dlo, dhi, tlo,
				   LAYOUT_WRITE) ? -1 : 0;
	}
	free(idx);
	return ret;
}

/* Last section with start <= addr, or -1. */
static long find_sec(const struct layout *l, uint64_t addr)
{
	long lo = 0, hi = (long)l->nsec - 1, best = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (l->sec[mid].start <= addr) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

int layout_build(struct ksym_table *t, struct layout *l, int64_t offset,
		 char *err, size_t errlen)
{
	struct secvec sv = { 0 };
	size_t i, j;
	int ret;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < t->n; i++)
		if (!is_abs_type(t->v[i].type))
			t->v[i].addr += (uint64_t)offset;
	ret = kernel_sections(t, &sv);
	if (!ret && t->want_modules)
		ret = module_sections(t, &sv);
	if (!ret && sv.n > LAYOUT_MAX_SECTIONS)
		ret = -2;
	if (ret) {
		free(sv.v);
		snprintf(err, errlen, ret == -2 ? "more than %d sections: too "
			 "many modules" : "out of memory", LAYOUT_MAX_SECTIONS);
		return -1;
	}
	if (sv.n)
		qsort(sv.v, sv.n, sizeof(*sv.v), cmp_sec);
	l->sec = sv.v;
	l->nsec = sv.n;

	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_sym);
	for (i = 0; i < t->n; i++) {
		struct ksym *s = &t->v[i];
		long k = is_abs_type(s->type) ? -1 : sym_section(t, l, s);

		if (k < 0) {
			s->shndx = SHN_ABS;
			l->abs_syms++;
			continue;
		}
		s->shndx = (uint32_t)k + 1;
		if (is_text_type(s->type) && s->addr < l->sec[k].end)
			l->sec[k].flags |= LAYOUT_EXEC;
	}
	/* Sizes: up to the next higher address in the same section. */
	for (i = 0; i < t->n; i = j) {
		uint64_t lim = 0;

		for (j = i + 1; j < t->n && t->v[j].addr == t->v[i].addr; j++)
			;
		for (size_t k = i; k < j; k++) {
			struct ksym *s = &t->v[k];

			if (s->shndx == SHN_ABS) {
				s->size = 0;
				continue;
			}
			lim = l->sec[s->shndx - 1].end;
			if (j < t->n && t->v[j].addr < lim)
				lim = t->v[j].addr;
			s->size = lim > s->addr ? lim - s->addr : 0;
		}
	}
	return 0;
}

void layout_free(struct layout *l)
{
	free(l->sec);
	memset(l, 0, sizeof(*l));
}
