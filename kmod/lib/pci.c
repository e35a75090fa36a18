// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - PCI configuration-space addresses (CF8/CFC and ECAM), the ACPI
 * MCFG table, and the bus walk of !pcitree; see pci.h.
 * tests/unit/kmod/test_pci.c runs them over a fake configuration space.
 */
#include "hvgdb/freestanding.h"
#include "pci.h"

u32 pci_cf8_addr(u8 bus, u8 dev, u8 fn, u16 off)
{
	return PCI_CF8_ENABLE | (u32)bus << 16 | (u32)(dev & 0x1f) << 11 |
	       (u32)(fn & 7) << 8 | (off & 0xfc);
}

u32 pci_cf8_read(const struct pci_port_ops *ops, u8 bus, u8 dev, u8 fn,
		 u16 off)
{
	u32 saved = ops->in32(ops->ctx, PCI_CF8_ADDR), v;

	ops->out32(ops->ctx, PCI_CF8_ADDR, pci_cf8_addr(bus, dev, fn, off));
	v = ops->in32(ops->ctx, PCI_CF8_DATA);
	ops->out32(ops->ctx, PCI_CF8_ADDR, saved);
	return v;
}

void pci_cf8_decode(u32 v, struct pci_cf8 *out)
{
	out->enable = v & PCI_CF8_ENABLE;
	out->bus = (v >> 16) & 0xff;
	out->dev = (v >> 11) & 0x1f;
	out->fn = (v >> 8) & 7;
	out->reg = v & 0xfc;
}

static u64 get_le(const u8 *p, u32 n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

#define MCFG_HDR	44u	/* ACPI header 36, reserved 8 */
#define MCFG_ENTRY	16u

int pci_mcfg_parse(const u8 *tbl, u32 len, struct pci_ecam *out, u32 max)
{
	u32 tlen, off;
	int n = 0;

	if (len < MCFG_HDR)
		return PCI_MCFG_ERR_SHORT;
	if (memcmp(tbl, "MCFG", 4))
		return PCI_MCFG_ERR_SIG;
	tlen = (u32)get_le(tbl + 4, 4);
	if (tlen > len)
		return PCI_MCFG_ERR_LEN;
	if (tlen < MCFG_HDR)
		return PCI_MCFG_ERR_SHORT;
	for (off = MCFG_HDR; off + MCFG_ENTRY <= tlen; off += MCFG_ENTRY) {
		struct pci_ecam e = {
			.base = get_le(tbl + off, 8),
			.seg = (u16)get_le(tbl + off + 8, 2),
			.bus_lo = tbl[off + 10],
			.bus_hi = tbl[off + 11],
		};

		if (!e.base || e.bus_lo > e.bus_hi)
			continue;
		if ((u32)n < max)
			out[n] = e;
		n++;
	}
	return n;
}

const struct pci_ecam *pci_ecam_find(const struct pci_ecam *e, u32 n,
				     u16 seg, u8 bus)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (e[i].seg == seg && bus >= e[i].bus_lo &&
		    bus <= e[i].bus_hi)
			return &e[i];
	return NULL;
}

u64 pci_ecam_addr(const struct pci_ecam *e, u8 bus, u8 dev, u8 fn, u16 off)
{
	return e->base + ((u64)bus << 20 | (u64)(dev & 0x1f) << 15 |
			  (u64)(fn & 7) << 12 | (off & 0xfff));
}

bool pci_id_present(u32 id)
{
	return id != 0xffffffffu && id != 0 && id != 0x0000ffffu &&
	       id != 0xffff0000u;
}

/* Reads function bus:dev.fn; 1 when absent, 0 when *f is filled. */
static int walk_fn(u8 bus, u8 dev, u8 fn, pci_read32_fn read, void *ctx,
		   struct pci_fn_info *f)
{
	u32 id, cls, hdr;
	int r;

	r = read(ctx, bus, dev, fn, 0, &id);
	if (r)
		return r;
	if (!pci_id_present(id))
		return 1;
	r = read(ctx, bus, dev, fn, 8, &cls);
	if (!r)
		r = read(ctx, bus, dev, fn, 0xc, &hdr);
	if (r)
		return r;
	f->bus = bus;
	f->dev = dev;
	f->fn = fn;
	f->vendor = id & 0xffff;
	f->device = id >> 16;
	f->class_code = cls >> 8;
	f->revision = cls & 0xff;
	f->header_type = (hdr >> 16) & 0x7f;
	f->multi = (hdr >> 16) & 0x80;
	return 0;
}

int pci_walk(u8 bus_lo, u8 bus_hi, pci_read32_fn read, pci_visit_fn visit,
	     void *ctx, u32 *found)
{
	struct pci_fn_info f;
	u32 bus;
	u8 dev, fn;
	int r;

	*found = 0;
	for (bus = bus_lo; bus <= bus_hi; bus++) {
		for (dev = 0; dev <= PCI_DEV_MAX; dev++) {
			bool multi = false;

			for (fn = 0; fn <= (multi ? PCI_FN_MAX : 0); fn++) {
				r = walk_fn((u8)bus, dev, fn, read, ctx, &f);
				if (r < 0)
					return r;
				if (r)	/* absent */
					continue;
				if (!fn)
					multi = f.multi;
				(*found)++;
				r = visit(ctx, &f);
				if (r)
					return r;
			}
		}
	}
	return 0;
}
