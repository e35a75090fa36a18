// SPDX-License-Identifier: GPL-2.0
/*
 * ksyms - parse System.map / /proc/kallsyms lines (see ksyms.h).
 *
 * Both files use nm(1)'s "ADDR TYPE NAME" line; /proc/kallsyms adds a tab
 * and "[MODULE]" after symbols of loaded modules (kernel/kallsyms.c,
 * s_show()).  The type letters are nm's: upper case global, lower case
 * local; T text, D data, B bss, R read-only, A absolute, W/V weak, U
 * undefined, N debugging.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"

void ksyms_init(struct ksym_table *t, bool want_modules)
{
	memset(t, 0, sizeof(*t));
	t->want_modules = want_modules;
}

void ksyms_free(struct ksym_table *t)
{
	free(t->v);
	free(t->pool);
	memset(t, 0, sizeof(*t));
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends s[0..len) and a NUL to the pool; returns its offset or 0. */
static uint32_t pool_add(struct ksym_table *t, const char *s, size_t len)
{
	size_t need = t->pool_len + len + 1;
	uint32_t off;

	if (!t->pool_len)
		need++;		/* the leading NUL of an ELF string table */
	if (need > UINT32_MAX)
		return 0;
	if (need > t->pool_cap) {
		size_t cap = t->pool_cap ? t->pool_cap * 2 : 1 << 16;
		char *p;

		while (cap < need)
			cap *= 2;
		p = realloc(t->pool, cap);
		if (!p)
			return 0;
		t->pool = p;
		t->pool_cap = cap;
	}
	if (!t->pool_len)
		t->pool[t->pool_len++] = '\0';
	off = (uint32_t)t->pool_len;
	memcpy(t->pool + off, s, len);
	t->pool[off + len] = '\0';
	t->pool_len += len + 1;
	return off;
}

/*
 * Which nm letters carry a symbol worth giving gdb.  U (undefined), N and
 * n (debugging), I (indirect), '-' (stabs) and '?' have no address of
 * their own in the kernel image.
 */
static bool type_wanted(char type, uint64_t addr)
{
	switch (type) {
	case 'A': case 'a': case 'B': case 'b': case 'C': case 'D': case 'd':
	case 'G': case 'g': case 'R': case 'r': case 'S': case 's':
	case 'T': case 't': case 'V': case 'W': case 'i': case 'u':
		return true;
	case 'v': case 'w':
		/* lower-case weak: undefined unless it has a value */
		return addr != 0;
	default:
		return false;
	}
}

/* Pseudo-modules of kallsyms whose addresses are transient code. */
static bool module_transient(const char *m, size_t len)
{
	return (len == 3 && !memcmp(m, "bpf", 3)) ||
	       (len >= 11 && !memcmp(m, "__builtin__", 11));
}

enum ksyms_status ksyms_parse_line(struct ksym_table *t, const char *line,
				   size_t len, const char **msg)
{
	const char *p = line, *end = line + len, *name, *mod = NULL;
	size_t name_len, mod_len = 0, digits = 0;
	uint64_t addr = 0;
	struct ksym *s;
	char type;

	*msg = NULL;
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return KSYMS_SKIP;
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; p < end && hexval(*p) >= 0; p++, digits++)
		addr = addr << 4 | (uint64_t)hexval(*p);
	if (!digits || digits > 16 || p == end || !is_blank(*p)) {
		*msg = "expected a hexadecimal address of at most 16 digits";
		return KSYMS_BAD;
	}
	while (p < end && is_blank(*p))
		p++;
	if (end - p < 2 || !is_blank(p[1]) || is_blank(p[0])) {
		*msg = "expected a one-letter symbol type after the address";
		return KSYMS_BAD;
	}
	type = p[0];
	p += 2;
	while (p < end && is_blank(*p))
		p++;
	name = p;
	while (p < end && !is_blank(*p))
		p++;
	name_len = (size_t)(p - name);
	if (!name_len) {
		*msg = "expected a symbol name after the type";
		return KSYMS_BAD;
	}
	while (p < end && is_blank(*p))
		p++;
	if (p < end && *p == '[') {
		mod = ++p;
		while (p < end && *p != ']' && !is_blank(*p))
			p++;
		if (p == end || *p != ']' || p == mod) {
			*msg = "unterminated [module] suffix";
			return KSYMS_BAD;
		}
		mod_len = (size_t)(p - mod);
		p++;
		while (p < end && is_blank(*p))
			p++;
	}
	if (p != end) {
		/* Debian ships a one-line placeholder /boot/System.map */
		*msg = memmem(line, len, "System.map", 10) ?
		       "this is a placeholder System.map, not the real one: "
		       "use the target's /proc/kallsyms (read as root) or the "
		       "System.map of the linux-image-*-dbg package" :
		       "unexpected text after the symbol name";
		return KSYMS_BAD;
	}

	t->lines++;
	if (!type_wanted(type, addr)) {
		t->skipped++;
		return KSYMS_SKIP;
	}
	if (mod) {
		t->module_syms++;
		if (!t->want_modules || module_transient(mod, mod_len)) {
			t->module_skipped++;
			return KSYMS_SKIP;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct ksym *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return KSYMS_NOMEM;
		t->v = v;
		t->cap = cap;
	}
	s = &t->v[t->n];
	memset(s, 0, sizeof(*s));
	s->addr = addr;
	s->type = type;
	s->shndx = KSYMS_SHN_UNSET;
	s->name_off = pool_add(t, name, name_len);
	if (!s->name_off)
		return KSYMS_NOMEM;
	if (mod) {
		/* kallsyms lists a module's symbols together: pool it once */
		const char *last = t->pool + t->last_mod_off;

		if (t->last_mod_off && strlen(last) == mod_len &&
		    !memcmp(last, mod, mod_len)) {
			s->mod_off = t->last_mod_off;
		} else {
			s->mod_off = pool_add(t, mod, mod_len);
			if (!s->mod_off)
				return KSYMS_NOMEM;
			t->last_mod_off = s->mod_off;
		}
	}
	if (addr)
		t->nonzero_addrs++;
	t->n++;
	return KSYMS_OK;
}

int ksyms_read(struct ksym_table *t, FILE *f, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int ret = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *msg;

		lineno++;
		switch (ksyms_parse_line(t, line, (size_t)len, &msg)) {
		case KSYMS_OK:
		case KSYMS_SKIP:
			continue;
		case KSYMS_NOMEM:
			snprintf(err, errlen, "out of memory at line %zu",
				 lineno);
			ret = -1;
			break;
		case KSYMS_BAD:
			snprintf(err, errlen, "line %zu: %s", lineno, msg);
			ret = -1;
			break;
		}
		break;
	}
	if (!ret && ferror(f)) {
		snprintf(err, errlen, "read error after line %zu", lineno);
		ret = -1;
	}
	free(line);
	return ret;
}
