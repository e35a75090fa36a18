/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_inspect.h - HyperDbg's inspection commands: parsing (cmd_inspect.c,
 * called by cmd_parse(); see cmd.h for the fields each command sets) and
 * the text of their replies, in HyperDbg's layout (cmd_inspect_fmt.c).
 * Pure functions; the host (kmod/events/mon_inspect.c) reads MSRs and
 * memory at a stop and formats with these.  Every line they write ends
 * in '\n'; output that does not fit is cut as cmd_out.h does.
 */
#ifndef HVGDB_CMD_INSPECT_H
#define HVGDB_CMD_INSPECT_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"

/* 64 bits as HyperDbg prints them: 16 hex digits with a backtick between
 * the halves, "fffff807`73553180". */
void cmd_out_hex_tick(struct cmd_out *o, u64 v);

/* rdmsr: "core : 0x2 - msr[c0000082] = fffff807`73553180\n" (the core
 * as cmd_out_hex(), the MSR in lower-case hex without 0x or padding). */
void cmd_fmt_msr(struct cmd_out *o, u32 core, u32 msr, u64 v);

/*
 * One line of !db/!dc/!dd/!dq: the address (backtick form), then @n bytes
 * of @buf (n <= 16, a multiple of @unit) as units of 1, 4 or 8 bytes in
 * upper-case hex (little-endian; 8-byte units in backtick form), then with
 * @ascii the bytes as text ('.' for anything outside 0x20-0x7e), padded so
 * the text column lines up on a short last line.  Two blanks after the
 * address and before the text, one between units; !dq's line is
 * "00000000`00001000  00000000`0000000B 000210D3`80860000\n", !db's has
 * 16 units like "0B", !dc's and !dd's 4 like "0000000B".
 */
void cmd_fmt_dump_line(struct cmd_out *o, u64 addr, const u8 *buf, u32 n,
		       u8 unit, bool ascii);

/*
 * !pte: "VA <va>", then one line per paging-structure entry the walk read,
 * from the top (PML5E when @levels is 5, PML4E, PDPTE, PDE, PTE):
 * "PDE at <va of the entry> contains <entry>  <flags>"; the entry's
 * address is its physical address (from @cr3 and the entries above) plus
 * @direct_map (the kernel's page_offset_base).  After a large leaf:
 * "PDE is a large page, so it doesn't have a PTE".  @entry is indexed by
 * level - 1 as struct pgwalk_info's; @leaf is the last level read (the
 * leaf, or the entry that was not present); @present false ends with
 * "<name> is not present".
 *
 * Lines: "VA fffff80040f00c28", then e.g.
 * "PTE at ffff888006470800 contains 8000000006470863  P RW A D NX pfn 6470"
 * (addresses and entries as 16 lower-case hex digits).  A present entry
 * gets two blanks and its flags: P, then those set of RW US PWT PCD A,
 * D and G in a leaf only (ignored elsewhere), PS (looked at on levels
 * 2-3 only), NX (bit 63), and "pfn" = its address field (bits 51:12; of a large page bits
 * 51:21 or 51:30) >> 12 in hex.  A non-present entry gets no flags.  The
 * closing lines use the short names (PML5E, PML4E, PDPTE, PDE, PTE):
 * "PDPTE is a large page, so it doesn't have a PDE", "PML4E is not
 * present"; a present PTE needs none.  @levels other than 5 is taken as
 * 4, @leaf is clamped to 1..@levels.
 */
void cmd_fmt_pte(struct cmd_out *o, u64 va, u64 cr3, u8 levels,
		 const u64 *entry, u8 leaf, bool present, u64 direct_map);

/*
 * A change made on several targets (wrmsr on every CPU): all of them, or,
 * as far as the hardware lets, none.  save(i) reads and keeps target i's
 * old value, apply(i) writes the new one, undo(i) writes back what save
 * kept.  cmd_apply_all() saves every target first (a failure there writes
 * nothing), then applies in order; when apply(i) fails it undoes targets
 * i-1 ... 0.  Returns 0, or the failing callback's (negative) result
 * with *at = i, *saving = true if it was save(i), and *undone = how many
 * targets were put back.
 */
struct cmd_apply_ops {
	int (*save)(void *ctx, u32 i);
	int (*apply)(void *ctx, u32 i);
	int (*undo)(void *ctx, u32 i);
	void *ctx;
};
int cmd_apply_all(const struct cmd_apply_ops *ops, u32 n, u32 *at,
		  bool *saving, u32 *undone);

#endif /* HVGDB_CMD_INSPECT_H */
