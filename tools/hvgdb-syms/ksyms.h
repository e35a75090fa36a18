/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksyms - the symbol list of a kernel, as read from System.map or
 * /proc/kallsyms ("ADDR TYPE NAME" or "ADDR TYPE NAME\t[MODULE]").
 *
 * Contract: ksyms_parse_line() takes one line (no need for a NUL or the
 * newline) and appends at most one symbol; it returns KSYMS_OK, KSYMS_SKIP
 * (a line that carries no usable symbol: blank, undefined, debugger-only,
 * module symbol while modules are not wanted) or KSYMS_BAD (not this
 * format; msg says why).  Names are kept NUL-terminated in one pool that
 * starts with a NUL byte, so the pool is a valid ELF string table and
 * name_off an index into it.
 */
#ifndef HVGDB_SYMS_KSYMS_H
#define HVGDB_SYMS_KSYMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#define KSYMS_SHN_UNSET 0xffffffffu

struct ksym {
	uint64_t addr;
	uint64_t size;		/* filled by ksyms_layout() */
	uint32_t name_off;	/* into ksym_table.pool */
	uint32_t mod_off;	/* module name in the pool; 0 = kernel image */
	uint32_t shndx;		/* output section index, or SHN_ABS */
	char type;		/* nm(1) letter as read */
};

struct ksym_table {
	struct ksym *v;
	size_t n, cap;
	char *pool;
	size_t pool_len, pool_cap;
	/* what the input held, for the summary line and format checks */
	size_t lines, skipped, module_syms, module_skipped, nonzero_addrs;
	uint32_t last_mod_off;
	bool want_modules;
};

enum ksyms_status { KSYMS_OK, KSYMS_SKIP, KSYMS_BAD, KSYMS_NOMEM };

void ksyms_init(struct ksym_table *t, bool want_modules);
void ksyms_free(struct ksym_table *t);
enum ksyms_status ksyms_parse_line(struct ksym_table *t, const char *line,
				   size_t len, const char **msg);
/* Reads a whole stream; on error returns -1 with a message in err. */
int ksyms_read(struct ksym_table *t, FILE *f, char *err, size_t errlen);

static inline const char *ksym_name(const struct ksym_table *t,
				    const struct ksym *s)
{
	return t->pool + s->name_off;
}

#endif
