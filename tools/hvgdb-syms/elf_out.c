// SPDX-License-Identifier: GPL-2.0
/*
 * elf_out - ELF64 writer for the symbol file (see elf_out.h).
 *
 * Written by hand rather than with libelf: the file is a header, three
 * tables and a section header table (System V gABI, "ELF Header",
 * "Sections", "Symbol Table"), and no other dependency is needed.
 */
#include <stdlib.h>
#include <string.h>
#include <elf.h>

#include "elf_out.h"

unsigned char elf_sym_info(char type)
{
	unsigned char bind, kind;

	switch (type) {
	case 'W': case 'w': case 'V': case 'v':
		bind = STB_WEAK;
		break;
	default:
		bind = (type >= 'a' && type <= 'z') ? STB_LOCAL : STB_GLOBAL;
	}
	switch (type) {
	case 'T': case 't': case 'W': case 'w': case 'i':
		kind = STT_FUNC;
		break;
	case 'A': case 'a':
		kind = STT_NOTYPE;
		break;
	default:
		kind = STT_OBJECT;
	}
	return ELF64_ST_INFO(bind, kind);
}

static uint64_t align_of(uint64_t addr)
{
	uint64_t a = 1;

	while (a < 4096 && !(addr & a))
		a <<= 1;
	return a;
}

static void fill_sym(Elf64_Sym *e, const struct ksym *s)
{
	unsigned char info = elf_sym_info(s->type);

	e->st_name = s->name_off;
	e->st_info = info;
	e->st_other = STV_DEFAULT;
	e->st_shndx = (Elf64_Section)s->shndx;
	e->st_value = s->addr;
	e->st_size = ELF64_ST_TYPE(info) == STT_NOTYPE ? 0 : s->size;
}

int elf_write(FILE *f, const struct ksym_table *t, const struct layout *l,
	      char *err, size_t errlen)
{
	static const char tail[] = ".symtab\0.strtab\0.shstrtab";
	const size_t nsh = l->nsec + 4;
	const uint32_t sh_symtab = l->nsec + 1, sh_strtab = l->nsec + 2,
		       sh_shstrtab = l->nsec + 3;
	size_t nsym = t->n + 1, nlocal = 1, i, k, shstr_len = 1;
	size_t strtab_len = t->pool_len ? t->pool_len : 1;
	uint64_t off_sym, off_str, off_shstr, off_sh;
	Elf64_Sym *syms = calloc(nsym, sizeof(*syms));
	Elf64_Shdr *sh = calloc(nsh, sizeof(*sh));
	char *shstr;
	Elf64_Ehdr eh;
	int ret = -1;

	for (i = 0; i < l->nsec; i++)
		shstr_len += strlen(l->sec[i].name) + 1;
	shstr = calloc(1, shstr_len + sizeof(tail));
	if (!syms || !sh || !shstr) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	/* gABI: local symbols precede the others; sh_info = first global. */
	for (k = 0; k < 2; k++)
		for (i = 0; i < t->n; i++) {
			bool local = ELF64_ST_BIND(elf_sym_info(t->v[i].type))
				     == STB_LOCAL;

			if (local == !k)
				fill_sym(&syms[nlocal++], &t->v[i]);
		}
	for (i = 1; i < nsym; i++)
		if (ELF64_ST_BIND(syms[i].st_info) != STB_LOCAL)
			break;

	off_sym = sizeof(eh);
	off_str = off_sym + nsym * sizeof(*syms);
	off_shstr = off_str + strtab_len;
	off_sh = (off_shstr + shstr_len + sizeof(tail) + 7) & ~7ull;

	shstr_len = 1;
	for (k = 0; k < l->nsec; k++) {
		const struct layout_sec *s = &l->sec[k];
		Elf64_Shdr *h = &sh[k + 1];

		h->sh_name = (Elf64_Word)shstr_len;
		strcpy(shstr + shstr_len, s->name);
		shstr_len += strlen(s->name) + 1;
		h->sh_type = SHT_NOBITS;
		h->sh_flags = SHF_ALLOC |
			      (s->flags & LAYOUT_EXEC ? SHF_EXECINSTR : 0) |
			      (s->flags & LAYOUT_WRITE ? SHF_WRITE : 0);
		h->sh_addr = s->start;
		h->sh_offset = off_sym;
		h->sh_size = s->end - s->start;
		h->sh_addralign = align_of(s->start);
	}
	memcpy(shstr + shstr_len, tail, sizeof(tail));

	sh[sh_symtab].sh_name = (Elf64_Word)shstr_len;
	sh[sh_symtab].sh_type = SHT_SYMTAB;
	sh[sh_symtab].sh_offset = off_sym;
	sh[sh_symtab].sh_size = nsym * sizeof(*syms);
	sh[sh_symtab].sh_link = sh_strtab;
	sh[sh_symtab].sh_info = (Elf64_Word)i;
	sh[sh_symtab].sh_addralign = 8;
	sh[sh_symtab].sh_entsize = sizeof(*syms);

	sh[sh_strtab].sh_name = (Elf64_Word)shstr_len + 8;
	sh[sh_strtab].sh_type = SHT_STRTAB;
	sh[sh_strtab].sh_offset = off_str;
	sh[sh_strtab].sh_size = strtab_len;
	sh[sh_strtab].sh_addralign = 1;

	sh[sh_shstrtab].sh_name = (Elf64_Word)shstr_len + 16;
	sh[sh_shstrtab].sh_type = SHT_STRTAB;
	sh[sh_shstrtab].sh_offset = off_shstr;
	sh[sh_shstrtab].sh_size = shstr_len + sizeof(tail);
	sh[sh_shstrtab].sh_addralign = 1;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_shoff = off_sh;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (Elf64_Half)nsh;
	eh.e_shstrndx = (Elf64_Half)sh_shstrtab;

	if (fwrite(&eh, sizeof(eh), 1, f) != 1 ||
	    fwrite(syms, sizeof(*syms), nsym, f) != nsym ||
	    fwrite(t->pool_len ? t->pool : "", 1, strtab_len, f) !=
		strtab_len ||
	    fwrite(shstr, 1, shstr_len + sizeof(tail), f) !=
		shstr_len + sizeof(tail) ||
	    fwrite("\0\0\0\0\0\0\0", 1, off_sh - (off_shstr + shstr_len +
						   sizeof(tail)), f) !=
		off_sh - (off_shstr + shstr_len + sizeof(tail)) ||
	    fwrite(sh, sizeof(*sh), nsh, f) != nsh) {
		snprintf(err, errlen, "write error");
		goto out;
	}
	ret = 0;
out:
	free(syms);
	free(sh);
	free(shstr);
	return ret;
}
