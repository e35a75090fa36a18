// SPDX-License-Identifier: GPL-2.0
/*
 * madt.c - the I/O APICs of an ACPI MADT (contract in madt.h).
 */
#include "hvgdb/freestanding.h"
#include "kmod/lib/madt.h"

static u32 madt_u32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 |
	       (u32)p[3] << 24;
}

int madt_ioapics(const u8 *tab, u32 len, struct madt_ioapic *out, u32 max,
		 u32 *n)
{
	u32 off, tlen;

	*n = 0;
	if (len < MADT_HEADER_LEN || tab[0] != 'A' || tab[1] != 'P' ||
	    tab[2] != 'I' || tab[3] != 'C')
		return -1;
	tlen = madt_u32(tab + 4);
	if (tlen < MADT_HEADER_LEN || tlen > len)
		return -1;
	for (off = MADT_HEADER_LEN; off < tlen; off += tab[off + 1]) {
		if (tlen - off < 2 || tab[off + 1] < 2 ||
		    tab[off + 1] > tlen - off)
			return -1;
		if (tab[off] != MADT_TYPE_IOAPIC)
			continue;
		if (tab[off + 1] < 12)
			return -1;
		if (*n < max) {
			out[*n].id = tab[off + 2];
			out[*n].addr = madt_u32(tab + off + 4);
			out[*n].gsi_base = madt_u32(tab + off + 8);
		}
		(*n)++;
	}
	return 0;
}
