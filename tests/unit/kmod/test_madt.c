/* The I/O APICs of an ACPI MADT (kmod/lib/madt.c): Bochs's table, several
 * I/O APICs among other entries, and every malformed shape refused
 * without reading past the buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "kmod/lib/madt.h"

static u8 tab[256];
static u32 tab_len;

static void put32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void start(void)
{
	memset(tab, 0, sizeof(tab));
	memcpy(tab, "APIC", 4);
	tab_len = MADT_HEADER_LEN;
	put32(tab + 36, 0xfee00000);
	put32(tab + 40, 1);		/* PCAT_COMPAT */
}

static void add(u8 type, u8 len, const u8 *body)
{
	tab[tab_len] = type;
	tab[tab_len + 1] = len;
	if (len > 2)
		memcpy(tab + tab_len + 2, body, len - 2);
	tab_len += len;
	put32(tab + 4, tab_len);
}

static void add_lapic(u8 uid, u8 id)
{
	u8 b[6] = { uid, id, 1, 0, 0, 0 };

	add(0, 8, b);
}

static void add_ioapic(u8 id, u32 addr, u32 gsi)
{
	u8 b[10] = { id, 0 };

	put32(b + 2, addr);
	put32(b + 6, gsi);
	add(MADT_TYPE_IOAPIC, 12, b);
}

static void add_iso(u8 irq, u32 gsi)
{
	u8 b[8] = { 0, irq };

	put32(b + 2, gsi);
	add(2, 10, b);
}

static void test_bochs(void **state)
{
	struct madt_ioapic io[4];
	u32 n;

	(void)state;
	/* As Bochs's BIOS builds it (0x52 bytes): two CPUs, the I/O APIC
	 * with ID 2 at 0xfec00000, IRQ 0 on GSI 2, IRQ 9 level. */
	start();
	add_lapic(0, 0);
	add_lapic(1, 1);
	add_ioapic(2, 0xfec00000, 0);
	add_iso(0, 2);
	add_iso(9, 9);
	assert_int_equal(madt_ioapics(tab, tab_len, io, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(io[0].id, 2);
	assert_int_equal(io[0].addr, 0xfec00000);
	assert_int_equal(io[0].gsi_base, 0);
	/* A buffer longer than the table: the table's length counts. */
	memset(tab + tab_len, 0xff, 16);
	assert_int_equal(madt_ioapics(tab, tab_len + 16, io, 4, &n), 0);
	assert_int_equal(n, 1);
}

static void test_several(void **state)
{
	struct madt_ioapic io[2];
	u32 n;

	(void)state;
	start();
	add_ioapic(8, 0xfec00000, 0);
	add_lapic(0, 0);
	add_ioapic(9, 0xfec01000, 24);
	add_ioapic(10, 0xfec40000, 48);
	assert_int_equal(madt_ioapics(tab, tab_len, io, 2, &n), 0);
	assert_int_equal(n, 3);		/* one more than fits */
	assert_int_equal(io[0].id, 8);
	assert_int_equal(io[1].id, 9);
	assert_int_equal(io[1].addr, 0xfec01000);
	assert_int_equal(io[1].gsi_base, 24);
	/* None. */
	start();
	add_lapic(0, 0);
	assert_int_equal(madt_ioapics(tab, tab_len, io, 2, &n), 0);
	assert_int_equal(n, 0);
}

static void test_malformed(void **state)
{
	struct madt_ioapic io[2];
	u32 n;

	(void)state;
	start();
	add_ioapic(2, 0xfec00000, 0);
	/* Not a MADT, or shorter than its header. */
	memcpy(tab, "FACP", 4);
	assert_int_equal(madt_ioapics(tab, tab_len, io, 2, &n), -1);
	memcpy(tab, "APIC", 4);
	assert_int_equal(madt_ioapics(tab, MADT_HEADER_LEN - 1, io, 2, &n),
			 -1);
	/* A length beyond the buffer, or below the header. */
	assert_int_equal(madt_ioapics(tab, tab_len - 1, io, 2, &n), -1);
	put32(tab + 4, MADT_HEADER_LEN - 1);
	assert_int_equal(madt_ioapics(tab, tab_len, io, 2, &n), -1);
	put32(tab + 4, tab_len);
	/* An entry of length 0 or 1 (would loop), one running past the
	 * end, an I/O APIC entry too short for its fields.  The entries
	 * before are kept. */
	start();
	add_ioapic(2, 0xfec00000, 0);
	add(0, 0, NULL);
	put32(tab + 4, tab_len + 2);
	assert_int_equal(madt_ioapics(tab, tab_len + 2, io, 2, &n), -1);
	assert_int_equal(n, 1);
	tab[tab_len + 1] = 1;
	assert_int_equal(madt_ioapics(tab, tab_len + 2, io, 2, &n), -1);
	start();
	add_ioapic(2, 0xfec00000, 0);
	put32(tab + 4, tab_len - 1);
	assert_int_equal(madt_ioapics(tab, tab_len, io, 2, &n), -1);
	start();
	{
		u8 b[6] = { 2 };

		add(MADT_TYPE_IOAPIC, 8, b);
	}
	assert_int_equal(madt_ioapics(tab, tab_len, io, 2, &n), -1);
	assert_int_equal(n, 0);
	/* One byte left after the last entry: not an entry. */
	start();
	add_ioapic(2, 0xfec00000, 0);
	put32(tab + 4, tab_len + 1);
	assert_int_equal(madt_ioapics(tab, tab_len + 1, io, 2, &n), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bochs),
		cmocka_unit_test(test_several),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
