/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lbr.h - Intel's Last Branch Record, as pure functions: which LBR a CPU
 * has (from CPUID and IA32_PERF_CAPABILITIES), where its MSRs are, how a
 * record of each format decodes, HyperDbg's filter bits, and the line
 * !lbrdump / lbr_print show for a record.
 *
 * Contract: freestanding (module and user-space tests); no state, no
 * machine access: the caller reads CPUID and the MSRs (kmod/events/
 * mon_lbr.c, with rdmsr_safe() at load) and hands the values in.
 *
 * Sources: SDM Vol. 3B chapter 18 ("Last Branch Recording Overview",
 * "LBR Stack", "Architectural Last Branch Records"), Vol. 4 (MSR tables
 * per model), and the model families Linux's perf lists in
 * arch/x86/events/intel/lbr.c and core.c (read to learn; written anew).
 */
#ifndef HVGDB_LIB_LBR_H
#define HVGDB_LIB_LBR_H

#include "hvgdb/freestanding.h"

/* Legacy LBR MSRs (SDM Vol. 4) */
#define LBR_MSR_SELECT		0x1c8
#define LBR_MSR_TOS		0x1c9
#define LBR_MSR_CORE_FROM	0x40
#define LBR_MSR_CORE_TO		0x60
#define LBR_MSR_NHM_FROM	0x680
#define LBR_MSR_NHM_TO		0x6c0
#define LBR_MSR_INFO		0xdc0
#define LBR_MSR_PERF_CAPS	0x345	/* IA32_PERF_CAPABILITIES */
/* Architectural LBR MSRs (SDM Vol. 3B 18.1.3, Vol. 4) */
#define LBR_MSR_ARCH_CTL	0x14ce
#define LBR_MSR_ARCH_DEPTH	0x14cf
#define LBR_MSR_ARCH_INFO	0x1200
#define LBR_MSR_ARCH_FROM	0x1500
#define LBR_MSR_ARCH_TO		0x1600

#define LBR_DEBUGCTL_LBR	(1ULL << 0)	/* IA32_DEBUGCTL.LBR */
#define LBR_MAX_DEPTH		64

/* IA32_PERF_CAPABILITIES[5:0]: the record format of legacy LBR */
enum lbr_format {
	LBR_FMT_32 = 0,		/* from and to in one MSR, 32 bits each */
	LBR_FMT_LIP = 1,	/* 64-bit linear addresses */
	LBR_FMT_EIP = 2,	/* 64-bit offsets (= linear on Linux) */
	LBR_FMT_EIP_FLAGS = 3,	/* FROM bit 63: mispredicted */
	LBR_FMT_EIP_FLAGS2 = 4,	/* FROM 63 mispred, 62 in TSX, 61 abort */
	LBR_FMT_INFO = 5,	/* LBR_INFO_x: mispred, TSX, cycles */
	LBR_FMT_TIME = 6,	/* FROM 63 mispred, TO 63:48 cycles */
	LBR_FMT_INFO2 = 7,	/* LBR_INFO_x without the TSX bits */
	LBR_FMT_ARCH = 0x40,	/* not a PERF_CAPABILITIES value */
};

enum lbr_kind { LBR_NONE, LBR_LEGACY, LBR_ARCH };

/* What the caller read: CPUID leaves 0, 1, 7 and 1CH, and
 * IA32_PERF_CAPABILITIES where CPUID.1:ECX.PDCM says it exists. */
struct lbr_cpu_id {
	bool intel;		/* CPUID.0: "GenuineIntel" */
	u32 family, model;	/* display family and model (SDM Vol. 2A) */
	bool pdcm;		/* CPUID.1:ECX[15] */
	u64 perf_caps;		/* valid when pdcm */
	bool arch_lbr;		/* CPUID.(EAX=07H,ECX=0):EDX[19] */
	u32 leaf1c_eax, leaf1c_ebx, leaf1c_ecx;
};

struct lbr_desc {
	enum lbr_kind kind;
	const char *family;	/* "Skylake", ...; "Architectural" */
	u8 depth;		/* records */
	u8 format;		/* enum lbr_format */
	bool has_select;	/* MSR_LBR_SELECT (Nehalem and later) */
	bool call_stack;	/* LBR_SELECT bit 9 / LBR_CTL bit 3 */
	u32 from, to, info;	/* first MSR of each array; info 0: none */
};

/*
 * Which LBR the CPU has.  0 and *d filled, or -1 with why[] naming what
 * is missing (not Intel, no PDCM, an unknown model or format, ...).
 */
int lbr_detect(const struct lbr_cpu_id *id, struct lbr_desc *d,
	       char *why, size_t n);

/* The MSR index (0..depth-1) of the i-th record, i = 0 the oldest of
 * the last @depth branches; legacy stacks rotate around TOS (the most
 * recent), architectural LBR keeps the most recent at index 0. */
u32 lbr_slot(const struct lbr_desc *d, u64 tos, u32 i);

/* One record, decoded. */
struct lbr_rec {
	u64 from, to;
	bool mispred, in_tx, abort;
	bool has_cycles, cycles_valid, has_type;
	u16 cycles;
	u8 type;		/* architectural LBR_INFO[59:56] */
};

/* Decode the raw MSR values (from, to and, where the format has one,
 * info) of one record; for LBR_FMT_32 the pair is in @from. */
void lbr_decode(const struct lbr_desc *d, u64 from, u64 to, u64 info,
		struct lbr_rec *r);

/*
 * HyperDbg's filter (!lbr filter, lbr_restore_by_filter): bit 0 not
 * ring 0, 1 not ring > 0, 2 jcc, 3 rel_call, 4 ind_call, 5 return,
 * 6 ind_jmp, 7 rel_jmp, 8 far (legacy) / other branches (architectural),
 * 9 call stack.  The legacy LBR_SELECT has these very bits (suppress
 * mode, SDM Vol. 3B 18.9.1); IA32_LBR_CTL enables instead (18.1.3).
 */
#define LBR_FILTER_MASK		0x3ffULL
#define LBR_FILTER_CALL_STACK	(1ULL << 9)
u64 lbr_select_value(u64 filter);
u64 lbr_ctl_value(u64 filter);
/* Parse one `!lbr filter` word: its bit, or 0 if it is not one. */
u64 lbr_filter_word(const char *w, size_t len);

/* HyperDbg's line for record @idx (v0.19 lbr_print / !lbrdump), NUL
 * terminated in out[n]; returns its length. */
u32 lbr_format_rec(const struct lbr_desc *d, u32 idx,
		   const struct lbr_rec *r, char *out, u32 n);

#endif /* HVGDB_LIB_LBR_H */
