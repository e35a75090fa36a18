// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_inspect_fmt.c - the text of the inspection commands' replies, in
 * HyperDbg's layout; see cmd_inspect.h.  docs/commands.md describes the
 * formats and tests/unit/monitor/test_cmd_inspect.c pins them down.
 */
#include "hvgdb/freestanding.h"
#include "cmd_inspect.h"

/* Bits 51:12 of a paging-structure entry or CR3 (SDM vol. 3A 4.5). */
#define ADDR_MASK	0x000ffffffffff000ull
#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_A		(1ull << 5)
#define PTE_D		(1ull << 6)
#define PTE_PS		(1ull << 7)
#define PTE_G		(1ull << 8)
#define PTE_NX		(1ull << 63)

/* v as exactly digits hex digits. */
static void hex_fixed(struct cmd_out *o, u64 v, int digits, bool upper)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	while (digits--)
		cmd_out_char(o, d[(v >> (4 * digits)) & 0xf]);
}

/* v in lower-case hex without "0x" or leading zeros. */
static void hex_plain(struct cmd_out *o, u64 v)
{
	int digits = 1;

	while (digits < 16 && (v >> (4 * digits)))
		digits++;
	hex_fixed(o, v, digits, false);
}

static void hex_tick(struct cmd_out *o, u64 v, bool upper)
{
	hex_fixed(o, v >> 32, 8, upper);
	cmd_out_char(o, '`');
	hex_fixed(o, v & 0xffffffffu, 8, upper);
}

void cmd_out_hex_tick(struct cmd_out *o, u64 v)
{
	hex_tick(o, v, false);
}

void cmd_fmt_msr(struct cmd_out *o, u32 core, u32 msr, u64 v)
{
	cmd_out_str(o, "core : ");
	cmd_out_hex(o, core);
	cmd_out_str(o, " - msr[");
	hex_plain(o, msr);
	cmd_out_str(o, "] = ");
	cmd_out_hex_tick(o, v);
	cmd_out_char(o, '\n');
}

static void spaces(struct cmd_out *o, u32 n)
{
	while (n--)
		cmd_out_char(o, ' ');
}

void cmd_fmt_dump_line(struct cmd_out *o, u64 addr, const u8 *buf, u32 n,
		       u8 unit, bool ascii)
{
	u32 i, k, units, per_line, width, shown;

	if (unit != 4 && unit != 8)
		unit = 1;
	if (n > 16)
		n = 16;
	units = n / unit;
	n = units * unit;
	per_line = 16u / unit;
	width = unit == 8 ? 17 : 2u * unit;	/* 8: "xxxxxxxx`xxxxxxxx" */
	cmd_out_hex_tick(o, addr);
	for (i = 0; i < units; i++) {
		u64 v = 0;

		/* Little-endian, as the CPU reads a unit. */
		for (k = unit; k--;)
			v = v << 8 | buf[i * unit + k];
		cmd_out_str(o, i ? " " : "  ");
		if (unit == 8)
			hex_tick(o, v, true);
		else
			hex_fixed(o, v, (int)width, true);
	}
	if (ascii) {
		/* After the address, a full line's units take one blank
		 * more than per_line * (width + 1) columns; the text starts
		 * two blanks after them. */
		shown = units ? 1 + units * (width + 1) : 0;
		spaces(o, 1 + per_line * (width + 1) - shown + 2);
		for (i = 0; i < n; i++)
			cmd_out_char(o, buf[i] >= 0x20 && buf[i] < 0x7f ?
				     (char)buf[i] : '.');
	}
	cmd_out_char(o, '\n');
}

/* HyperDbg's names (pte.md), indexed by level; the short forms start the
 * closing line. */
static const char *const level_name[6] = {
	"", "PTE", "PDE", "PDPTE (PPE)", "PML4E (PXE)", "PML5E",
};
static const char *const level_short[6] = {
	"", "PTE", "PDE", "PDPTE", "PML4E", "PML5E",
};

/*
 * The flags of a present entry at @level, then its frame number: P RW US
 * PWT PCD A, then D and G only in a leaf (elsewhere the SDM says ignored),
 * PS only at levels 2-3 (bit 7 is PAT in a PTE, reserved higher up), NX
 * (bit 63), "pfn" = the address field >> 12 (of a large page, without
 * its PAT bit 12).
 */
static void pte_flags(struct cmd_out *o, u64 e, u8 level)
{
	bool large = (level == 2 || level == 3) && (e & PTE_PS);
	bool leaf = level == 1 || large;
	u64 mask = !large ? ADDR_MASK : level == 2 ? 0x000fffffffe00000ull :
		   0x000fffffc0000000ull;

	cmd_out_str(o, " P");	/* only called when present */
	if (e & PTE_RW)
		cmd_out_str(o, " RW");
	if (e & PTE_US)
		cmd_out_str(o, " US");
	if (e & PTE_PWT)
		cmd_out_str(o, " PWT");
	if (e & PTE_PCD)
		cmd_out_str(o, " PCD");
	if (e & PTE_A)
		cmd_out_str(o, " A");
	if (leaf && (e & PTE_D))
		cmd_out_str(o, " D");
	if (large)
		cmd_out_str(o, " PS");
	if (leaf && (e & PTE_G))
		cmd_out_str(o, " G");
	if (e & PTE_NX)
		cmd_out_str(o, " NX");
	cmd_out_str(o, " pfn ");
	hex_plain(o, (e & mask) >> 12);
}

void cmd_fmt_pte(struct cmd_out *o, u64 va, u64 cr3, u8 levels,
		 const u64 *entry, u8 leaf, bool present, u64 direct_map)
{
	u64 table = cr3 & ADDR_MASK;
	u8 level;

	if (levels != 5)
		levels = 4;
	if (leaf < 1)
		leaf = 1;
	if (leaf > levels)
		leaf = levels;
	cmd_out_str(o, "VA ");
	hex_fixed(o, va, 16, false);
	cmd_out_char(o, '\n');
	for (level = levels; level >= leaf; level--) {
		u64 e = entry[level - 1];
		u64 idx = (va >> (12 + 9 * (level - 1))) & 511;

		cmd_out_str(o, level_name[level]);
		cmd_out_str(o, " at ");
		hex_fixed(o, direct_map + table + 8 * idx, 16, false);
		cmd_out_str(o, " contains ");
		hex_fixed(o, e, 16, false);
		if (e & PTE_P) {
			cmd_out_char(o, ' ');
			pte_flags(o, e, level);
		}
		cmd_out_char(o, '\n');
		table = e & ADDR_MASK;
	}
	if (!present) {
		cmd_out_str(o, level_short[leaf]);
		cmd_out_str(o, " is not present\n");
	} else if (leaf > 1) {
		cmd_out_str(o, level_short[leaf]);
		cmd_out_str(o, " is a large page, so it doesn't have a ");
		cmd_out_str(o, level_short[leaf - 1]);
		cmd_out_char(o, '\n');
	}
}
