// SPDX-License-Identifier: GPL-2.0
/*
 * rsp_regs.c - register table and the target description (target.xml).
 *
 * gdb validates an amd64 description by register *names* in the features
 * org.gnu.gdb.i386.core and org.gnu.gdb.i386.sse (gdb manual, "i386
 * Features"); fs_base/gs_base go in org.gnu.gdb.i386.segments so gdb knows
 * them as such.  Control registers and EFER are extra registers gdb shows
 * as $cr3 etc.; debug registers sit in our own org.hvgdb.debugregs.
 * The descriptor-table and task registers (QEMU's description has none)
 * follow in org.hvgdb.sysregs: $gdtr $idtr $ldtr $tr are the bases, as
 * HyperDbg's script registers of those names, with _limit and (LDTR, TR)
 * _sel beside them; regnums 72-81, after the debug registers, so the
 * 'g' packet only grows at its end.
 * Bit positions of the flag types come from the Intel SDM Vol. 3A 2.5
 * (CR0/CR4), 2.2.1 (EFER) and Vol. 1 3.4.3 (EFLAGS), 10.2.3 (MXCSR).
 */
#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_regs.h"

struct rsp_reg_desc {
	const char *name;
	u8 bytes;
};

static const struct rsp_reg_desc rsp_regs[RSP_NUM_REGS] = {
	{ "rax", 8 }, { "rbx", 8 }, { "rcx", 8 }, { "rdx", 8 },
	{ "rsi", 8 }, { "rdi", 8 }, { "rbp", 8 }, { "rsp", 8 },
	{ "r8", 8 }, { "r9", 8 }, { "r10", 8 }, { "r11", 8 },
	{ "r12", 8 }, { "r13", 8 }, { "r14", 8 }, { "r15", 8 },
	{ "rip", 8 }, { "eflags", 4 },
	{ "cs", 4 }, { "ss", 4 }, { "ds", 4 }, { "es", 4 }, { "fs", 4 },
	{ "gs", 4 },
	{ "st0", 10 }, { "st1", 10 }, { "st2", 10 }, { "st3", 10 },
	{ "st4", 10 }, { "st5", 10 }, { "st6", 10 }, { "st7", 10 },
	{ "fctrl", 4 }, { "fstat", 4 }, { "ftag", 4 }, { "fiseg", 4 },
	{ "fioff", 4 }, { "foseg", 4 }, { "fooff", 4 }, { "fop", 4 },
	{ "xmm0", 16 }, { "xmm1", 16 }, { "xmm2", 16 }, { "xmm3", 16 },
	{ "xmm4", 16 }, { "xmm5", 16 }, { "xmm6", 16 }, { "xmm7", 16 },
	{ "xmm8", 16 }, { "xmm9", 16 }, { "xmm10", 16 }, { "xmm11", 16 },
	{ "xmm12", 16 }, { "xmm13", 16 }, { "xmm14", 16 }, { "xmm15", 16 },
	{ "mxcsr", 4 },
	{ "fs_base", 8 }, { "gs_base", 8 }, { "k_gs_base", 8 },
	{ "cr0", 8 }, { "cr2", 8 }, { "cr3", 8 }, { "cr4", 8 }, { "cr8", 8 },
	{ "efer", 8 },
	{ "dr0", 8 }, { "dr1", 8 }, { "dr2", 8 }, { "dr3", 8 },
	{ "dr6", 8 }, { "dr7", 8 },
	{ "gdtr", 8 }, { "gdtr_limit", 4 }, { "idtr", 8 }, { "idtr_limit", 4 },
	{ "ldtr", 8 }, { "ldtr_limit", 4 }, { "ldtr_sel", 4 },
	{ "tr", 8 }, { "tr_limit", 4 }, { "tr_sel", 4 },
};

size_t rsp_reg_size(int regno)
{
	if (regno < 0 || regno >= RSP_NUM_REGS)
		return 0;
	return rsp_regs[regno].bytes;
}

size_t rsp_reg_offset(int regno)
{
	size_t off = 0;
	int i;

	for (i = 0; i < regno && i < RSP_NUM_REGS; i++)
		off += rsp_regs[i].bytes;
	return off;
}

const char *rsp_reg_name(int regno)
{
	if (regno < 0 || regno >= RSP_NUM_REGS)
		return NULL;
	return rsp_regs[regno].name;
}

/*
 * A register without regnum is numbered one past the register before it
 * (gdb manual, "Target Description Format", Registers), so only the first
 * register after a gap in the numbering names its regnum (REGN).  Every
 * byte of this text crosses the serial line at each connect.  @num stays
 * in REG/REGG as the reader's check; test_target_xml_matches_table
 * verifies it against the numbering gdb computes.
 */
#define REG(n, bits, type, num) \
	"<reg name=\"" n "\" bitsize=\"" #bits "\" type=\"" type "\"/>"
#define REGN(n, bits, type, num) \
	"<reg name=\"" n "\" bitsize=\"" #bits "\" type=\"" type \
	"\" regnum=\"" #num "\"/>"
#define REGG(n, bits, type, num, grp) \
	"<reg name=\"" n "\" bitsize=\"" #bits "\" type=\"" type \
	"\" group=\"" grp "\"/>"
#define FLD(n, b) "<field name=\"" n "\" start=\"" #b "\" end=\"" #b "\"/>"

const char rsp_target_xml[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\">"
	"<architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<flags id=\"i386_eflags\" size=\"4\">"
	FLD("CF", 0) FLD("", 1) FLD("PF", 2) FLD("AF", 4) FLD("ZF", 6)
	FLD("SF", 7) FLD("TF", 8) FLD("IF", 9) FLD("DF", 10) FLD("OF", 11)
	FLD("NT", 14) FLD("RF", 16) FLD("VM", 17) FLD("AC", 18)
	FLD("VIF", 19) FLD("VIP", 20) FLD("ID", 21)
	"</flags>"
	REG("rax", 64, "int64", 0) REG("rbx", 64, "int64", 1)
	REG("rcx", 64, "int64", 2) REG("rdx", 64, "int64", 3)
	REG("rsi", 64, "int64", 4) REG("rdi", 64, "int64", 5)
	REG("rbp", 64, "data_ptr", 6) REG("rsp", 64, "data_ptr", 7)
	REG("r8", 64, "int64", 8) REG("r9", 64, "int64", 9)
	REG("r10", 64, "int64", 10) REG("r11", 64, "int64", 11)
	REG("r12", 64, "int64", 12) REG("r13", 64, "int64", 13)
	REG("r14", 64, "int64", 14) REG("r15", 64, "int64", 15)
	REG("rip", 64, "code_ptr", 16) REG("eflags", 32, "i386_eflags", 17)
	REG("cs", 32, "int32", 18) REG("ss", 32, "int32", 19)
	REG("ds", 32, "int32", 20) REG("es", 32, "int32", 21)
	REG("fs", 32, "int32", 22) REG("gs", 32, "int32", 23)
	REGG("st0", 80, "i387_ext", 24, "float")
	REGG("st1", 80, "i387_ext", 25, "float")
	REGG("st2", 80, "i387_ext", 26, "float")
	REGG("st3", 80, "i387_ext", 27, "float")
	REGG("st4", 80, "i387_ext", 28, "float")
	REGG("st5", 80, "i387_ext", 29, "float")
	REGG("st6", 80, "i387_ext", 30, "float")
	REGG("st7", 80, "i387_ext", 31, "float")
	REGG("fctrl", 32, "int", 32, "float")
	REGG("fstat", 32, "int", 33, "float")
	REGG("ftag", 32, "int", 34, "float")
	REGG("fiseg", 32, "int", 35, "float")
	REGG("fioff", 32, "int", 36, "float")
	REGG("foseg", 32, "int", 37, "float")
	REGG("fooff", 32, "int", 38, "float")
	REGG("fop", 32, "int", 39, "float")
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.sse\">"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\">"
	"<field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/>"
	"<field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/>"
	"<field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/>"
	"<field name=\"uint128\" type=\"uint128\"/>"
	"</union>"
	"<flags id=\"i386_mxcsr\" size=\"4\">"
	FLD("IE", 0) FLD("DE", 1) FLD("ZE", 2) FLD("OE", 3) FLD("UE", 4)
	FLD("PE", 5) FLD("DAZ", 6) FLD("IM", 7) FLD("DM", 8) FLD("ZM", 9)
	FLD("OM", 10) FLD("UM", 11) FLD("PM", 12) FLD("FZ", 15)
	"</flags>"
	REG("xmm0", 128, "vec128", 40) REG("xmm1", 128, "vec128", 41)
	REG("xmm2", 128, "vec128", 42) REG("xmm3", 128, "vec128", 43)
	REG("xmm4", 128, "vec128", 44) REG("xmm5", 128, "vec128", 45)
	REG("xmm6", 128, "vec128", 46) REG("xmm7", 128, "vec128", 47)
	REG("xmm8", 128, "vec128", 48) REG("xmm9", 128, "vec128", 49)
	REG("xmm10", 128, "vec128", 50) REG("xmm11", 128, "vec128", 51)
	REG("xmm12", 128, "vec128", 52) REG("xmm13", 128, "vec128", 53)
	REG("xmm14", 128, "vec128", 54) REG("xmm15", 128, "vec128", 55)
	REGG("mxcsr", 32, "i386_mxcsr", 56, "vector")
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.segments\">"
	REG("fs_base", 64, "int", 57) REG("gs_base", 64, "int", 58)
	"</feature>"
	"<feature name=\"org.hvgdb.sysregs\">"
	"<flags id=\"x86_cr0\" size=\"8\">"
	FLD("PE", 0) FLD("MP", 1) FLD("EM", 2) FLD("TS", 3) FLD("ET", 4)
	FLD("NE", 5) FLD("WP", 16) FLD("AM", 18) FLD("NW", 29) FLD("CD", 30)
	FLD("PG", 31)
	"</flags>"
	"<flags id=\"x86_cr4\" size=\"8\">"
	FLD("VME", 0) FLD("PVI", 1) FLD("TSD", 2) FLD("DE", 3) FLD("PSE", 4)
	FLD("PAE", 5) FLD("MCE", 6) FLD("PGE", 7) FLD("PCE", 8)
	FLD("OSFXSR", 9) FLD("OSXMMEXCPT", 10) FLD("UMIP", 11) FLD("LA57", 12)
	FLD("VMXE", 13) FLD("SMXE", 14) FLD("FSGSBASE", 16) FLD("PCIDE", 17)
	FLD("OSXSAVE", 18) FLD("SMEP", 20) FLD("SMAP", 21) FLD("PKE", 22)
	FLD("CET", 23) FLD("PKS", 24)
	"</flags>"
	"<flags id=\"x86_efer\" size=\"8\">"
	FLD("SCE", 0) FLD("LME", 8) FLD("LMA", 10) FLD("NXE", 11)
	FLD("SVME", 12) FLD("LMSLE", 13) FLD("FFXSR", 14) FLD("TCE", 15)
	"</flags>"
	REG("k_gs_base", 64, "int", 59)
	REG("cr0", 64, "x86_cr0", 60) REG("cr2", 64, "int", 61)
	REG("cr3", 64, "int", 62) REG("cr4", 64, "x86_cr4", 63)
	REG("cr8", 64, "int", 64) REG("efer", 64, "x86_efer", 65)
	REGN("gdtr", 64, "data_ptr", 72) REG("gdtr_limit", 32, "int32", 73)
	REG("idtr", 64, "data_ptr", 74) REG("idtr_limit", 32, "int32", 75)
	REG("ldtr", 64, "data_ptr", 76) REG("ldtr_limit", 32, "int32", 77)
	REG("ldtr_sel", 32, "int32", 78)
	REG("tr", 64, "data_ptr", 79) REG("tr_limit", 32, "int32", 80)
	REG("tr_sel", 32, "int32", 81)
	"</feature>"
	"<feature name=\"org.hvgdb.debugregs\">"
	REGN("dr0", 64, "int", 66) REG("dr1", 64, "int", 67)
	REG("dr2", 64, "int", 68) REG("dr3", 64, "int", 69)
	REG("dr6", 64, "int", 70) REG("dr7", 64, "int", 71)
	"</feature>"
	"</target>";

const size_t rsp_target_xml_len = sizeof(rsp_target_xml) - 1;
