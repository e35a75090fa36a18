/* SPDX-License-Identifier: GPL-2.0 */
/*
 * madt.h - the I/O APICs an ACPI MADT lists (ACPI 6.5, 5.2.12: the
 * "APIC" table; entry type 1, I/O APIC Structure, table 5.30).
 *
 * Contract: pure.  The kernel side hands the table as acpi_get_table()
 * mapped it, at load in process context, and keeps the result; nothing
 * here reads past @len or trusts an entry's length.
 */
#ifndef HVGDB_KMOD_MADT_H
#define HVGDB_KMOD_MADT_H

#include "hvgdb/freestanding.h"

#define MADT_HEADER_LEN		44	/* SDT header 36, LAPIC address, flags */
#define MADT_TYPE_IOAPIC	1

struct madt_ioapic {
	u8 id;			/* I/O APIC ID as the firmware assigned it */
	u32 addr;		/* physical address of its registers */
	u32 gsi_base;		/* global system interrupt of its pin 0 */
};

/*
 * The I/O APIC entries of the MADT @tab (@len bytes), in table order,
 * into @out (at most @max; *n counts all of them, so *n > @max says some
 * were left out).  Returns 0, or -1 when the table is not a MADT (the
 * signature, a length beyond @len, or an entry whose length is below 2
 * or runs past the table's end; the entries before it are kept).
 */
int madt_ioapics(const u8 *tab, u32 len, struct madt_ioapic *out, u32 max,
		 u32 *n);

#endif /* HVGDB_KMOD_MADT_H */
