// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for hvgdb-syms: arbitrary text through the parser, the
 * layout and the ELF writer, checking what gdb relies on: sections sorted
 * and disjoint, every symbol inside (or at the end of) its section, sizes
 * that stay inside it, and an ELF whose symbol table holds them all.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <elf.h>

#include "tools/hvgdb-syms/elf_out.h"
#include "tools/hvgdb-syms/ksyms.h"
#include "tools/hvgdb-syms/layout.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct ksym_table t;
	struct layout l;
	char err[256], *buf = NULL;
	size_t len = 0, i;
	int64_t offset;
	FILE *f;

	if (size < 2)
		return 0;
	ksyms_init(&t, data[0] & 1);
	offset = (int64_t)(int8_t)data[1] * 4096;
	p += 2;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *msg;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (ksyms_parse_line(&t, p, n, &msg) == KSYMS_BAD && !msg)
			abort();	/* a refusal always says why */
		p += n + 1;
	}
	if (layout_build(&t, &l, offset, err, sizeof(err))) {
		ksyms_free(&t);
		return 0;
	}
	for (i = 0; i < l.nsec; i++) {
		if (l.sec[i].start >= l.sec[i].end)
			abort();
		if (i && l.sec[i - 1].end > l.sec[i].start)
			abort();
	}
	for (i = 0; i < t.n; i++) {
		const struct ksym *s = &t.v[i];
		const struct layout_sec *sec;

		if (s->shndx == SHN_ABS) {
			if (s->size)
				abort();
			continue;
		}
		if (!s->shndx || s->shndx > l.nsec)
			abort();
		sec = &l.sec[s->shndx - 1];
		if (s->addr < sec->start || s->addr > sec->end ||
		    s->size > sec->end - s->addr)
			abort();
		if (i && t.v[i - 1].addr > s->addr)
			abort();
	}
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	if (elf_write(f, &t, &l, err, sizeof(err)))
		abort();
	fclose(f);
	{
		const Elf64_Ehdr *eh = (const void *)buf;
		const Elf64_Shdr *sh;

		if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
		    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) != len ||
		    eh->e_shnum != l.nsec + 4)
			abort();
		sh = (const void *)(buf + eh->e_shoff);
		if (sh[l.nsec + 1].sh_type != SHT_SYMTAB ||
		    sh[l.nsec + 1].sh_size != (t.n + 1) * sizeof(Elf64_Sym))
			abort();
	}
	free(buf);
	layout_free(&l);
	ksyms_free(&t);
	return 0;
}
