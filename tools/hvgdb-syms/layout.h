/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layout - the sections of the symbol file, derived from the kernel's
 * marker symbols (_text/_etext, __start_rodata/__end_rodata, ...), and
 * each symbol's section and size.
 *
 * Contract: layout_build() relocates every non-absolute symbol by
 * `offset`, derives non-overlapping sections sorted by address (gaps inside
 * the image become ".kernel" sections so every image address has one),
 * sets each symbol's shndx (section index counted from 1, or SHN_ABS for
 * 'A' symbols and addresses outside every section) and its size: the
 * distance to the next higher address in the same section, capped by the
 * section's end.  Returns 0, or -1 with a message in err.
 */
#ifndef HVGDB_SYMS_LAYOUT_H
#define HVGDB_SYMS_LAYOUT_H

#include "ksyms.h"

#define LAYOUT_EXEC	1u	/* holds code (SHF_EXECINSTR) */
#define LAYOUT_WRITE	2u	/* SHF_WRITE */
/* Far above real kernels (two per loaded module); keeps carving cheap. */
#define LAYOUT_MAX_SECTIONS 4096
#define LAYOUT_GAP	4u	/* a .kernel gap between marked regions */

struct layout_sec {
	char name[72];
	uint64_t start, end;	/* [start, end) */
	unsigned int flags;
};

struct layout {
	struct layout_sec *sec;
	size_t nsec;
	size_t abs_syms;	/* symbols that ended up SHN_ABS */
};

int layout_build(struct ksym_table *t, struct layout *l, int64_t offset,
		 char *err, size_t errlen);
void layout_free(struct layout *l);
/* The input's address of a symbol of the kernel image, if present. */
bool layout_find(const struct ksym_table *t, const char *name,
		 uint64_t *addr);

#endif
