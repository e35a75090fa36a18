/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elf_out - write the symbol file: an ELF64 x86-64 ET_EXEC with one
 * SHT_NOBITS section per layout section (addresses only, no contents: gdb
 * reads the bytes from the live target) and a .symtab/.strtab.
 *
 * Contract: elf_write() takes a table sorted and sized by layout_build()
 * and writes the whole file to f; returns 0, or -1 with a message in err.
 * The nm letter decides type and binding: T/t/W/w/i STT_FUNC, A/a
 * STT_NOTYPE, the rest STT_OBJECT; W/V/w/v STB_WEAK, other lower case
 * STB_LOCAL, other upper case STB_GLOBAL.
 */
#ifndef HVGDB_SYMS_ELF_OUT_H
#define HVGDB_SYMS_ELF_OUT_H

#include <stdio.h>

#include "ksyms.h"
#include "layout.h"

int elf_write(FILE *f, const struct ksym_table *t, const struct layout *l,
	      char *err, size_t errlen);
/* The st_info byte elf_write() gives an nm type letter. */
unsigned char elf_sym_info(char type);

#endif
