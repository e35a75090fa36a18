/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pci.h - PCI configuration-space addressing and enumeration for the
 * !pcitree and !pcicam monitor commands.  Pure functions, no access of
 * their own: the host (kmod/events/mon_pci.c) reads configuration space
 * and hands the walk a callback.
 *
 * Two ways to reach configuration space of segment 0:
 *  - configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): a dword
 *    address written to port 0xCF8 (bit 31 enable, bus 23:16, device
 *    15:11, function 10:8, register 7:2), data through port 0xCFC; only
 *    the first 0x100 bytes of each function;
 *  - ECAM, the memory-mapped "enhanced configuration access mechanism"
 *    (PCI Express Base 4.0, 7.2.2), whose regions the ACPI MCFG table
 *    lists (PCI Firmware 3.2, 4.1.2): 4 KiB per function at
 *    base + (bus << 20 | device << 15 | function << 12), the base being
 *    that of bus 0 even when the region starts at a later bus.
 */
#ifndef HVGDB_KMOD_PCI_H
#define HVGDB_KMOD_PCI_H

#include "hvgdb/freestanding.h"

#define PCI_CF8_ADDR		0xcf8
#define PCI_CF8_DATA		0xcfc
#define PCI_CF8_ENABLE		0x80000000u
#define PCI_CFG_LEGACY		0x100u	/* bytes CF8/CFC reaches */
#define PCI_CFG_EXT		0x1000u	/* bytes ECAM reaches */
#define PCI_DEV_MAX		31
#define PCI_FN_MAX		7

/* The dword address of register @off (bits 7:2 kept) of bus:dev.fn for
 * port 0xCF8, enable bit set.  dev > 31, fn > 7 are masked off. */
u32 pci_cf8_addr(u8 bus, u8 dev, u8 fn, u16 off);

/*
 * One dword of configuration space through ports 0xCF8/0xCFC, with
 * @ops making the port accesses (dword-sized: a byte or word write to
 * 0xCF8 is another register, 0xCF9 being the reset control on many
 * chipsets).  0xCF8 is read first and written back after the data is
 * read: a CPU halted between its own write of 0xCF8 and its access to
 * 0xCFC then finds its address still there.
 */
struct pci_port_ops {
	u32 (*in32)(void *ctx, u16 port);
	void (*out32)(void *ctx, u16 port, u32 v);
	void *ctx;
};
u32 pci_cf8_read(const struct pci_port_ops *ops, u8 bus, u8 dev, u8 fn,
		 u16 off);

/* What a value of port 0xCF8 addresses: its fields, and whether the
 * enable bit is set (bits 30:24 and 1:0 are reserved and ignored). */
struct pci_cf8 {
	bool enable;
	u8 bus, dev, fn;
	u8 reg;			/* byte offset, a multiple of 4 */
};
void pci_cf8_decode(u32 v, struct pci_cf8 *out);

/* One MCFG allocation: ECAM for buses bus_lo..bus_hi of @seg. */
struct pci_ecam {
	u64 base;		/* of bus 0 */
	u16 seg;
	u8 bus_lo, bus_hi;
};

/* Errors of pci_mcfg_parse(). */
#define PCI_MCFG_ERR_SHORT	(-1)	/* shorter than its header */
#define PCI_MCFG_ERR_SIG	(-2)	/* not "MCFG" */
#define PCI_MCFG_ERR_LEN	(-3)	/* its length field exceeds @len */

/*
 * The allocations of the MCFG table at @tbl (@len bytes readable): the
 * 36-byte ACPI header, 8 reserved bytes, then 16-byte entries (u64 base,
 * u16 segment, u8 start bus, u8 end bus, u32 reserved).  Entries whose
 * start bus is after their end bus, or whose base is 0, are skipped.  At
 * most @max go to @out; returns how many the table holds (valid ones,
 * possibly more than @max), or a PCI_MCFG_ERR_*.
 */
int pci_mcfg_parse(const u8 *tbl, u32 len, struct pci_ecam *out, u32 max);

/* The allocation of @e[0..n) that covers @bus of @seg, or NULL. */
const struct pci_ecam *pci_ecam_find(const struct pci_ecam *e, u32 n,
				     u16 seg, u8 bus);

/* The physical address of byte @off (< 0x1000) of bus:dev.fn in @e. */
u64 pci_ecam_addr(const struct pci_ecam *e, u8 bus, u8 dev, u8 fn, u16 off);

/* Whether the first dword of a function (vendor id, device id) says that
 * a function answers, as Linux judges it: not all ones, not all zeros,
 * and neither half all ones or all zeros alone (a dead link, a bus that
 * floats). */
bool pci_id_present(u32 id);

/* One function the walk found. */
struct pci_fn_info {
	u8 bus, dev, fn;
	u16 vendor, device;
	u32 class_code;		/* base << 16 | sub << 8 | prog-if */
	u8 revision;
	u8 header_type;		/* bits 6:0; bit 7 (multi-function) apart */
	bool multi;
};

/* Reads dword @off (a multiple of 4) of bus:dev.fn; 0 or a negative
 * error, which ends the walk. */
typedef int (*pci_read32_fn)(void *ctx, u8 bus, u8 dev, u8 fn, u16 off,
			     u32 *v);
/* Called for each function found, in bus, device, function order; a
 * non-zero return ends the walk with that value. */
typedef int (*pci_visit_fn)(void *ctx, const struct pci_fn_info *f);

/*
 * Every function on buses bus_lo..bus_hi, as Linux's scan finds them: on
 * each bus devices 0-31; a device whose function 0 is absent is skipped;
 * functions 1-7 are looked at only when function 0's header type has
 * the multi-function bit.  Four reads per function found (dwords 0, 8,
 * 0xc), one per absent device.  Returns 0, the first read error, or the
 * first non-zero visit result; *found counts the functions visited.
 */
int pci_walk(u8 bus_lo, u8 bus_hi, pci_read32_fn read, pci_visit_fn visit,
	     void *ctx, u32 *found);

#endif /* HVGDB_KMOD_PCI_H */
