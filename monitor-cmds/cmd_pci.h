/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_pci.h - HyperDbg's !pcitree and !pcicam: the text of their replies
 * (cmd_pci.c; the parser, cmd_parse_pci(), is in cmd_priv.h).  Pure
 * functions; the host (kmod/events/mon_pci.c) reads configuration space
 * at a stop and formats with these.  Every line ends in '\n'; output
 * that does not fit is cut as cmd_out.h does.  A function is written as
 * HyperDbg writes it, "0000:00:1f:3" (segment:bus:device:function).
 */
#ifndef HVGDB_CMD_PCI_H
#define HVGDB_CMD_PCI_H

#include "hvgdb/freestanding.h"
#include "cmd_out.h"

/* !pcicam x without `l`: the first 0x100 bytes, as HyperDbg; at most
 * CMD_PCI_DUMP_MAX (the 4 KiB of a PCI Express function). */
#define CMD_PCI_DUMP_DEFAULT	0x100u
#define CMD_PCI_DUMP_MAX	0x1000u
/* Bytes of the header !pcicam decodes (types 0 and 1). */
#define CMD_PCI_HEADER		0x40u

/* "0000:00:1f:3" */
void cmd_out_pci_dbdf(struct cmd_out *o, u16 seg, u8 bus, u8 dev, u8 fn);

/* The PCI SIG's name of a base class (PCI Code and ID Assignment 1.12):
 * "bridge" for 0x06, "unknown class" for one not assigned. */
const char *cmd_pci_class_name(u8 base);

/* !pcitree: the two header lines, then one line per function:
 * "0000:00:01:1 | 8086:7010 | 010180 mass storage controller" (ids in
 * lower-case hex, the class code as 6 digits and its base class name). */
void cmd_fmt_pci_tree_head(struct cmd_out *o);
void cmd_fmt_pci_tree_line(struct cmd_out *o, u16 seg, u8 bus, u8 dev,
			   u8 fn, u16 vendor, u16 device, u32 class_code);

/* !pcicam's first line: "PCI configuration space (CAM) for device
 * 0000:00:01:1". */
void cmd_fmt_pci_title(struct cmd_out *o, u16 seg, u8 bus, u8 dev, u8 fn);

/*
 * !pcicam x: the column header, then one line per 16 bytes at offset
 * @off: "10: 00 00 a0 fe ... 00 00 ....@..." (each byte in lower-case hex
 * and a blank, then the bytes as text, '.' outside 0x20-0x7e).  A short
 * last line (@n < 16) is padded so its text lines up.  @wide (a dump past
 * 0xff) gives offsets 3 digits and the header one more blank.
 */
void cmd_fmt_pci_dump_head(struct cmd_out *o, bool wide);
void cmd_fmt_pci_dump_line(struct cmd_out *o, u16 off, const u8 *b, u32 n,
			   bool wide);

/*
 * !pcicam without x: the first 0x40 bytes (@cfg) decoded in HyperDbg's
 * layout: "Common Header:" (ids, command with its I/O, memory and bus
 * master bits, status, revision, class code, cache line size, latency
 * timer, header type with the multi-function bit, BIST), a blank line,
 * then "Device Header:" for header type 0 (six BARs with type, value,
 * the address they hold, prefetchable; a 64-bit BAR takes the next one
 * as its upper half; CardBus CIS pointer, subsystem ids, ROM BAR,
 * capabilities pointer, interrupt line and pin, min grant, max latency)
 * or type 1 (two BARs, bus numbers, I/O, memory and prefetchable
 * windows, capability pointer, ROM BAR, interrupt, bridge control).
 * Other header types say they are not decoded.  HyperDbg's vendor and
 * device names (from the pci.ids database) and BAR sizes (found by
 * writing all ones to the BAR) are not shown.
 */
void cmd_fmt_pci_header(struct cmd_out *o, const u8 *cfg);

#endif /* HVGDB_CMD_PCI_H */
