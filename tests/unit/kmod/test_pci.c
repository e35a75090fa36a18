/*
 * pci: configuration mechanism #1 addresses and the 0xCF8 save/restore,
 * the ACPI MCFG table and ECAM addresses, and the bus walk of !pcitree,
 * over a fake machine: a few functions' configuration space behind fake
 * ports 0xCF8/0xCFC (kmod/lib/pci.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/pci.h"

/* ---- a fake segment 0 ---- */

struct fake_fn {
	u8 bus, dev, fn;
	u8 cfg[PCI_CFG_EXT];
};

#define FAKE_FNS 8

struct fake_pci {
	struct fake_fn fn[FAKE_FNS];
	u32 n;
	u32 cf8;		/* the address register */
	u32 reads;		/* dwords read through 0xCFC */
	u32 in_cf8, out_cf8;	/* port accesses to 0xCF8 */
	int fail_at;		/* the walk's read callback fails at read n */
	int visit_stop;		/* visit returns this at the nth function */
	u32 visited;
	struct pci_fn_info seen[16];
};

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static struct fake_fn *fake_add(struct fake_pci *m, u8 bus, u8 dev, u8 fn,
				u16 vendor, u16 device, u32 cls, u8 hdr)
{
	struct fake_fn *f = &m->fn[m->n++];

	memset(f, 0, sizeof(*f));
	f->bus = bus;
	f->dev = dev;
	f->fn = fn;
	put32(f->cfg, (u32)device << 16 | vendor);
	put32(f->cfg + 8, cls << 8 | 0x02);	/* revision 2 */
	f->cfg[0xe] = hdr;
	f->cfg[0x100] = 0xec;	/* extended space: only ECAM sees it */
	return f;
}

/* Reads as a PC chipset answers: all ones where nothing decodes. */
static u32 fake_cfg32(struct fake_pci *m, u8 bus, u8 dev, u8 fn, u16 off)
{
	u32 i, v;

	for (i = 0; i < m->n; i++) {
		const struct fake_fn *f = &m->fn[i];

		if (f->bus == bus && f->dev == dev && f->fn == fn) {
			memcpy(&v, f->cfg + (off & 0xffc), 4);
			return v;
		}
	}
	return 0xffffffffu;
}

static u32 fake_in32(void *ctx, u16 port)
{
	struct fake_pci *m = ctx;
	struct pci_cf8 a;

	if (port == PCI_CF8_ADDR) {
		m->in_cf8++;
		return m->cf8;
	}
	assert_int_equal(port, PCI_CF8_DATA);
	pci_cf8_decode(m->cf8, &a);
	m->reads++;
	if (!a.enable)
		return 0xffffffffu;
	return fake_cfg32(m, a.bus, a.dev, a.fn, a.reg);
}

static void fake_out32(void *ctx, u16 port, u32 v)
{
	struct fake_pci *m = ctx;

	assert_int_equal(port, PCI_CF8_ADDR);
	m->out_cf8++;
	m->cf8 = v;
}

/* The walk's reads, through the fake ports as the module makes them. */
static int fake_read(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, u32 *v)
{
	struct fake_pci *m = ctx;
	struct pci_port_ops ops = { fake_in32, fake_out32, m };

	if (m->fail_at && (int)m->reads + 1 == m->fail_at)
		return -5;
	*v = pci_cf8_read(&ops, bus, dev, fn, off);
	return 0;
}

static int fake_visit(void *ctx, const struct pci_fn_info *f)
{
	struct fake_pci *m = ctx;

	if (m->visited < ARRAY_SIZE(m->seen))
		m->seen[m->visited] = *f;
	m->visited++;
	if (m->visit_stop && (int)m->visited == m->visit_stop)
		return 7;
	return 0;
}

/* An i440fx-like bus 0 (Bochs), a bridge to bus 2 with one device, and
 * traps: function 1 of a single-function device, and a function 1
 * whose function 0 is absent. */
static void fake_machine(struct fake_pci *m)
{
	memset(m, 0, sizeof(*m));
	fake_add(m, 0, 0, 0, 0x8086, 0x1237, 0x060000, 0x00);
	fake_add(m, 0, 1, 0, 0x8086, 0x7000, 0x060100, 0x80);
	fake_add(m, 0, 1, 1, 0x8086, 0x7010, 0x010180, 0x00);
	fake_add(m, 0, 1, 3, 0x8086, 0x7113, 0x068000, 0x00);
	fake_add(m, 0, 3, 1, 0x1234, 0x0001, 0x020000, 0x00); /* no fn 0 */
	fake_add(m, 0, 5, 0, 0x8086, 0x244e, 0x060400, 0x01);
	fake_add(m, 0, 5, 2, 0x8086, 0x9999, 0x020000, 0x00); /* not multi */
	fake_add(m, 2, 0x1f, 0, 0x10ec, 0x8168, 0x020000, 0x00);
}

/* ---- CF8 ---- */

static void test_cf8_address(void **state)
{
	struct pci_cf8 a;

	(void)state;
	assert_int_equal(pci_cf8_addr(0, 0, 0, 0), 0x80000000u);
	/* Bus 23:16, device 15:11, function 10:8, register 7:2. */
	assert_int_equal(pci_cf8_addr(0x12, 0x1f, 7, 0xfc), 0x8012fffcu);
	assert_int_equal(pci_cf8_addr(3, 1, 2, 0x42), 0x80030a40u);
	/* Only the first 0x100 bytes: bits 11:8 of the offset are not in
	 * the address. */
	assert_int_equal(pci_cf8_addr(0, 0, 0, 0x104), 0x80000004u);
	pci_cf8_decode(0x8012fffcu, &a);
	assert_true(a.enable);
	assert_int_equal(a.bus, 0x12);
	assert_int_equal(a.dev, 0x1f);
	assert_int_equal(a.fn, 7);
	assert_int_equal(a.reg, 0xfc);
	/* Reserved bits 30:24 and 1:0 are ignored; no enable bit. */
	pci_cf8_decode(0x7f030a43u, &a);
	assert_false(a.enable);
	assert_int_equal(a.bus, 3);
	assert_int_equal(a.dev, 1);
	assert_int_equal(a.fn, 2);
	assert_int_equal(a.reg, 0x40);
	/* Round trip over every device and function. */
	for (u32 d = 0; d < 32; d++)
		for (u32 f = 0; f < 8; f++) {
			pci_cf8_decode(pci_cf8_addr(0xab, d, f, 0x3c), &a);
			assert_true(a.enable && a.bus == 0xab && a.dev == d &&
				    a.fn == f && a.reg == 0x3c);
		}
}

/*
 * A CPU halted between its write of 0xCF8 and its read of 0xCFC finds
 * its own address there when it resumes: the read puts 0xCF8 back, and
 * the interrupted read then gets what it asked for.
 */
static void test_cf8_read_puts_the_address_back(void **state)
{
	static struct fake_pci m;
	struct pci_port_ops ops = { fake_in32, fake_out32, &m };
	u32 halted;

	(void)state;
	fake_machine(&m);
	/* The halted CPU had selected 00:01.1's class register. */
	halted = pci_cf8_addr(0, 1, 1, 8);
	m.cf8 = halted;
	assert_int_equal(pci_cf8_read(&ops, 0, 1, 0, 0), 0x70008086u);
	assert_int_equal(pci_cf8_read(&ops, 2, 0x1f, 0, 0), 0x816810ecu);
	assert_int_equal(pci_cf8_read(&ops, 0, 2, 0, 0), 0xffffffffu);
	assert_int_equal(m.cf8, halted);
	assert_int_equal(m.in_cf8, 3);
	assert_int_equal(m.out_cf8, 6);
	/* The halted CPU resumes at its IN from 0xCFC. */
	assert_int_equal(fake_in32(&m, PCI_CF8_DATA), 0x01018002u);
	/* A disabled address (enable bit clear) is put back as it was. */
	m.cf8 = 0x12345678 & ~PCI_CF8_ENABLE;
	pci_cf8_read(&ops, 0, 0, 0, 0);
	assert_int_equal(m.cf8, 0x12345678 & ~PCI_CF8_ENABLE);
}

/* ---- MCFG and ECAM ---- */

static u32 mcfg_build(u8 *t, const struct pci_ecam *e, u32 n)
{
	u32 len = 44 + 16 * n, i;

	memset(t, 0, len);
	memcpy(t, "MCFG", 4);
	put32(t + 4, len);
	t[8] = 1;		/* revision */
	memcpy(t + 10, "BOCHS ", 6);
	for (i = 0; i < n; i++) {
		u8 *p = t + 44 + 16 * i;
		u64 b = e[i].base;

		memcpy(p, &b, 8);
		p[8] = e[i].seg & 0xff;
		p[9] = e[i].seg >> 8;
		p[10] = e[i].bus_lo;
		p[11] = e[i].bus_hi;
	}
	return len;
}

static void test_mcfg_parse(void **state)
{
	static const struct pci_ecam in[] = {
		{ 0xb0000000ull, 0, 0, 0xff },		/* q35's */
		{ 0x4000000000ull, 1, 0x80, 0xbf },	/* another segment */
		{ 0xe0000000ull, 0, 0x40, 0x3f },	/* start > end: skipped */
		{ 0, 0, 0, 0x10 },			/* no base: skipped */
	};
	struct pci_ecam out[4];
	u8 t[256];
	u32 len;

	(void)state;
	len = mcfg_build(t, in, 4);
	memset(out, 0, sizeof(out));
	assert_int_equal(pci_mcfg_parse(t, len, out, 4), 2);
	assert_int_equal(out[0].base, 0xb0000000ull);
	assert_int_equal(out[0].seg, 0);
	assert_int_equal(out[0].bus_lo, 0);
	assert_int_equal(out[0].bus_hi, 0xff);
	assert_int_equal(out[1].base, 0x4000000000ull);
	assert_int_equal(out[1].seg, 1);
	assert_int_equal(out[1].bus_lo, 0x80);
	assert_int_equal(out[1].bus_hi, 0xbf);
	/* Counted past max, stored up to it. */
	memset(out, 0, sizeof(out));
	assert_int_equal(pci_mcfg_parse(t, len, out, 1), 2);
	assert_int_equal(out[1].base, 0);
	/* No entries. */
	len = mcfg_build(t, in, 0);
	assert_int_equal(pci_mcfg_parse(t, len, out, 4), 0);
	/* A trailing partial entry is not read. */
	len = mcfg_build(t, in, 1);
	put32(t + 4, len + 8);
	assert_int_equal(pci_mcfg_parse(t, len + 8, out, 4), 1);
	/* Broken tables. */
	assert_int_equal(pci_mcfg_parse(t, 43, out, 4), PCI_MCFG_ERR_SHORT);
	len = mcfg_build(t, in, 1);
	assert_int_equal(pci_mcfg_parse(t, len - 1, out, 4),
			 PCI_MCFG_ERR_LEN);
	put32(t + 4, 40);
	assert_int_equal(pci_mcfg_parse(t, len, out, 4), PCI_MCFG_ERR_SHORT);
	len = mcfg_build(t, in, 1);
	memcpy(t, "APIC", 4);
	assert_int_equal(pci_mcfg_parse(t, len, out, 4), PCI_MCFG_ERR_SIG);
}

static void test_ecam_address(void **state)
{
	static const struct pci_ecam e[] = {
		{ 0xb0000000ull, 0, 0, 0x3f },
		{ 0xc0000000ull, 0, 0x80, 0x8f },	/* base is bus 0's */
		{ 0x4000000000ull, 1, 0, 0xff },
	};

	(void)state;
	assert_ptr_equal(pci_ecam_find(e, 3, 0, 0), &e[0]);
	assert_ptr_equal(pci_ecam_find(e, 3, 0, 0x3f), &e[0]);
	assert_null(pci_ecam_find(e, 3, 0, 0x40));
	assert_null(pci_ecam_find(e, 3, 0, 0x7f));
	assert_ptr_equal(pci_ecam_find(e, 3, 0, 0x80), &e[1]);
	assert_ptr_equal(pci_ecam_find(e, 3, 0, 0x8f), &e[1]);
	assert_null(pci_ecam_find(e, 3, 0, 0x90));
	assert_ptr_equal(pci_ecam_find(e, 3, 1, 0x90), &e[2]);
	assert_null(pci_ecam_find(e, 2, 1, 0));
	assert_null(pci_ecam_find(e, 0, 0, 0));
	/* 1 MiB per bus, 32 KiB per device, 4 KiB per function. */
	assert_int_equal(pci_ecam_addr(&e[0], 0, 0, 0, 0), 0xb0000000ull);
	assert_int_equal(pci_ecam_addr(&e[0], 0, 0x1f, 7, 0xffc),
			 0xb00ffffcull);
	assert_int_equal(pci_ecam_addr(&e[0], 3, 2, 1, 0x100),
			 0xb0000000ull + (3 << 20) + (2 << 15) + (1 << 12) +
			 0x100);
	/* A region that starts at bus 0x80 is still based at bus 0. */
	assert_int_equal(pci_ecam_addr(&e[1], 0x81, 0, 0, 0x10),
			 0xc0000000ull + (0x81ull << 20) + 0x10);
	assert_int_equal(pci_ecam_addr(&e[2], 0xff, 0x1f, 7, 0xfff),
			 0x4000000000ull + 0xfffffff);
}

/* ---- the walk ---- */

static void test_id_present(void **state)
{
	(void)state;
	assert_true(pci_id_present(0x12378086));
	assert_true(pci_id_present(0x00010001));
	assert_false(pci_id_present(0xffffffff));
	assert_false(pci_id_present(0));
	assert_false(pci_id_present(0x0000ffff));
	assert_false(pci_id_present(0xffff0000));
}

static void test_walk_finds_what_linux_finds(void **state)
{
	static struct fake_pci m;
	static const struct {
		u8 bus, dev, fn;
		u16 vendor, device;
		u32 cls;
		u8 hdr;
		bool multi;
	} want[] = {
		{ 0, 0, 0, 0x8086, 0x1237, 0x060000, 0, false },
		{ 0, 1, 0, 0x8086, 0x7000, 0x060100, 0, true },
		{ 0, 1, 1, 0x8086, 0x7010, 0x010180, 0, false },
		{ 0, 1, 3, 0x8086, 0x7113, 0x068000, 0, false },
		{ 0, 5, 0, 0x8086, 0x244e, 0x060400, 1, false },
		{ 2, 0x1f, 0, 0x10ec, 0x8168, 0x020000, 0, false },
	};
	u32 found, i;

	(void)state;
	fake_machine(&m);
	m.cf8 = 0x80000a40u;
	assert_int_equal(pci_walk(0, 0xff, fake_read, fake_visit, &m, &found),
			 0);
	assert_int_equal(found, ARRAY_SIZE(want));
	assert_int_equal(m.visited, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct pci_fn_info *f = &m.seen[i];

		assert_int_equal(f->bus, want[i].bus);
		assert_int_equal(f->dev, want[i].dev);
		assert_int_equal(f->fn, want[i].fn);
		assert_int_equal(f->vendor, want[i].vendor);
		assert_int_equal(f->device, want[i].device);
		assert_int_equal(f->class_code, want[i].cls);
		assert_int_equal(f->revision, 2);
		assert_int_equal(f->header_type, want[i].hdr);
		assert_int_equal(f->multi, want[i].multi);
	}
	/* One read per device slot without a function 0 (256 buses of 32,
	 * less the 4 with one; 00:03 is read once and skipped), three per
	 * function found, one per absent function of a multi-function
	 * device (00:01.2 and 00:01.4-7). */
	assert_int_equal(m.reads, 256 * 32 - 4 + 3 * 6 + 5);
	assert_int_equal(m.cf8, 0x80000a40u);
}

static void test_walk_range_errors_and_stop(void **state)
{
	static struct fake_pci m;
	u32 found;

	(void)state;
	/* One bus only. */
	fake_machine(&m);
	assert_int_equal(pci_walk(2, 2, fake_read, fake_visit, &m, &found), 0);
	assert_int_equal(found, 1);
	assert_int_equal(m.seen[0].dev, 0x1f);
	assert_int_equal(m.reads, 31 + 3);
	/* The last bus. */
	fake_machine(&m);
	assert_int_equal(pci_walk(0xff, 0xff, fake_read, fake_visit, &m,
				  &found), 0);
	assert_int_equal(found, 0);
	assert_int_equal(m.reads, 32);
	/* A read that fails ends the walk with its error. */
	fake_machine(&m);
	m.fail_at = 2;		/* 00:00.0's class register */
	assert_int_equal(pci_walk(0, 0xff, fake_read, fake_visit, &m, &found),
			 -5);
	assert_int_equal(found, 0);
	assert_int_equal(m.visited, 0);
	/* A visit that says stop ends it with its value. */
	fake_machine(&m);
	m.visit_stop = 3;
	assert_int_equal(pci_walk(0, 0xff, fake_read, fake_visit, &m, &found),
			 7);
	assert_int_equal(found, 3);
	assert_int_equal(m.seen[2].fn, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cf8_address),
		cmocka_unit_test(test_cf8_read_puts_the_address_back),
		cmocka_unit_test(test_mcfg_parse),
		cmocka_unit_test(test_ecam_address),
		cmocka_unit_test(test_id_present),
		cmocka_unit_test(test_walk_finds_what_linux_finds),
		cmocka_unit_test(test_walk_range_errors_and_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
