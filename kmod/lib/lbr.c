// SPDX-License-Identifier: GPL-2.0
/*
 * lbr.c - Last Branch Record: detection, MSR layout, record decoding,
 * HyperDbg's filter and record line (see lbr.h).
 */
#include "kmod/lib/lbr.h"

/* Legacy LBR stacks by family 6 model (SDM Vol. 4 per-model MSR tables;
 * the same families as Linux's intel_pmu_init()). */
struct lbr_model {
	const char *family;
	u8 depth;
	bool nhm;		/* MSRs 0x680/0x6c0, else 0x40/0x60 */
	bool select;		/* MSR_LBR_SELECT */
	bool info;		/* MSR_LBR_INFO_x */
	bool call_stack;	/* LBR_SELECT.EN_CALLSTACK (Haswell on) */
	u8 models[12];		/* 0-terminated */
};

static const struct lbr_model lbr_models[] = {
	{ "Core", 4, false, false, false, false,
	  { 0x0f, 0x16, 0x17, 0x1d } },
	{ "Atom (Bonnell/Saltwell)", 8, false, false, false, false,
	  { 0x1c, 0x26, 0x27, 0x35, 0x36 } },
	{ "Silvermont/Airmont", 8, false, true, false, false,
	  { 0x37, 0x4a, 0x4c, 0x4d, 0x5a, 0x5d, 0x75 } },
	{ "Nehalem/Westmere", 16, true, true, false, false,
	  { 0x1a, 0x1e, 0x1f, 0x2e, 0x25, 0x2c, 0x2f } },
	{ "Sandy Bridge/Ivy Bridge", 16, true, true, false, false,
	  { 0x2a, 0x2d, 0x3a, 0x3e } },
	{ "Haswell/Broadwell", 16, true, true, false, true,
	  { 0x3c, 0x3f, 0x45, 0x46, 0x3d, 0x47, 0x4f, 0x56 } },
	{ "Knights Landing/Mill", 8, true, true, false, false,
	  { 0x57, 0x85 } },
	{ "Skylake and later client/server", 32, true, true, true, true,
	  { 0x4e, 0x5e, 0x55, 0x8e, 0x9e, 0xa5, 0xa6, 0x66, 0x7d, 0x7e,
	    0x6a, 0x6c } },
	{ "Tiger Lake/Rocket Lake", 32, true, true, true, true,
	  { 0x8c, 0x8d, 0xa7 } },
	{ "Goldmont/Tremont", 32, true, true, true, true,
	  { 0x5c, 0x5f, 0x7a, 0x86, 0x96, 0x9c } },
};

static void why_set(char *why, size_t n, const char *a, u64 v, bool hex)
{
	char num[24];
	int i = 23;
	size_t l;

	if (!n)
		return;
	why[0] = 0;
	l = strlen(a);
	if (l >= n)
		l = n - 1;
	memcpy(why, a, l);
	why[l] = 0;
	if (!hex)
		return;
	num[i] = 0;
	do {
		num[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v && i > 2);
	num[--i] = 'x';
	num[--i] = '0';
	if (l + (23 - i) < n) {
		memcpy(why + l, num + i, 23 - i);
		why[l + 23 - i] = 0;
	}
}

static int detect_arch(const struct lbr_cpu_id *id, struct lbr_desc *d,
		       char *why, size_t n)
{
	u32 mask = id->leaf1c_eax & 0xff, top = 0;

	/* CPUID.1CH:EAX[7:0]: bit k set = depth 8 * (k + 1) supported */
	while (mask >> top)
		top++;
	if (!top) {
		why_set(why, n, "CPUID.(EAX=07H,ECX=0):EDX[19] reports "
			"architectural LBR but CPUID.1CH:EAX[7:0] lists no "
			"depth", 0, false);
		return -1;
	}
	d->kind = LBR_ARCH;
	d->family = "Architectural";
	d->depth = (u8)(top * 8);
	d->format = LBR_FMT_ARCH;
	d->has_select = false;
	/* call stack needs CPL and branch filtering too (EBX[0..2]) */
	d->call_stack = (id->leaf1c_ebx & 7) == 7;
	d->from = LBR_MSR_ARCH_FROM;
	d->to = LBR_MSR_ARCH_TO;
	d->info = LBR_MSR_ARCH_INFO;
	return 0;
}

int lbr_detect(const struct lbr_cpu_id *id, struct lbr_desc *d,
	       char *why, size_t n)
{
	const struct lbr_model *m = NULL;
	u32 i, j;
	u8 fmt;

	memset(d, 0, sizeof(*d));
	if (!id->intel) {
		why_set(why, n, "not an Intel CPU (CPUID.0 vendor)", 0, false);
		return -1;
	}
	if (id->arch_lbr)
		return detect_arch(id, d, why, n);
	if (id->family != 6) {
		why_set(why, n, "no architectural LBR (CPUID.(EAX=07H,ECX=0)"
			":EDX[19] = 0) and no model-specific LBR stack known "
			"for family ", id->family, true);
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(lbr_models) && !m; i++)
		for (j = 0; j < ARRAY_SIZE(lbr_models[i].models) &&
		     lbr_models[i].models[j]; j++)
			if (lbr_models[i].models[j] == id->model)
				m = &lbr_models[i];
	if (!m) {
		why_set(why, n, "no architectural LBR (CPUID.(EAX=07H,ECX=0)"
			":EDX[19] = 0) and no model-specific LBR stack known "
			"for family 6 model ", id->model, true);
		return -1;
	}
	if (!id->pdcm) {
		why_set(why, n, "the LBR record format is unknown: no "
			"IA32_PERF_CAPABILITIES (CPUID.1:ECX.PDCM[15] = 0)", 0,
			false);
		return -1;
	}
	fmt = id->perf_caps & 0x3f;
	if (fmt > LBR_FMT_INFO2) {
		why_set(why, n, "unknown LBR format in "
			"IA32_PERF_CAPABILITIES[5:0]: ", fmt, true);
		return -1;
	}
	/* the formats with an LBR_INFO array are those of the models
	 * that have one; 32-bit records only on the oldest */
	if (((fmt == LBR_FMT_INFO || fmt == LBR_FMT_INFO2) && !m->info) ||
	    (fmt == LBR_FMT_32 && m->nhm)) {
		why_set(why, n, "LBR format does not fit the model's stack: "
			"IA32_PERF_CAPABILITIES[5:0] = ", fmt, true);
		return -1;
	}
	d->kind = LBR_LEGACY;
	d->family = m->family;
	d->depth = m->depth;
	d->format = fmt;
	/* Knights Landing records mispredictions with a LIP format */
	if (m->depth == 8 && m->nhm && fmt == LBR_FMT_LIP)
		d->format = LBR_FMT_EIP_FLAGS;
	d->has_select = m->select;
	d->call_stack = m->call_stack;
	d->from = m->nhm ? LBR_MSR_NHM_FROM : LBR_MSR_CORE_FROM;
	d->to = m->nhm ? LBR_MSR_NHM_TO : LBR_MSR_CORE_TO;
	d->info = m->info ? LBR_MSR_INFO : 0;
	return 0;
}

u32 lbr_slot(const struct lbr_desc *d, u64 tos, u32 i)
{
	u32 depth = d->depth ? d->depth : 1;

	if (d->kind == LBR_ARCH)
		return (depth - 1 - i % depth);
	/* oldest first: TOS + 1, ..., TOS (depth is a power of two) */
	return (u32)((tos + 1 + i) & (depth - 1));
}

static u64 sext(u64 v, u32 bits)
{
	return (u64)((s64)(v << (64 - bits)) >> (64 - bits));
}

void lbr_decode(const struct lbr_desc *d, u64 from, u64 to, u64 info,
		struct lbr_rec *r)
{
	memset(r, 0, sizeof(*r));
	switch (d->format) {
	case LBR_FMT_32:
		r->from = (u32)from;
		r->to = (u32)(from >> 32);
		return;
	case LBR_FMT_LIP:
	case LBR_FMT_EIP:
		r->from = from;
		r->to = to;
		return;
	case LBR_FMT_EIP_FLAGS:
		r->mispred = from >> 63;
		r->from = sext(from, 63);
		r->to = to;
		return;
	case LBR_FMT_EIP_FLAGS2:
		r->mispred = from >> 63;
		r->in_tx = (from >> 62) & 1;
		r->abort = (from >> 61) & 1;
		r->from = sext(from, 61);
		r->to = to;
		return;
	case LBR_FMT_TIME:
		r->mispred = from >> 63;
		r->from = sext(from, 63);
		r->has_cycles = r->cycles_valid = true;
		r->cycles = (u16)(to >> 48);
		r->to = sext(to, 48);
		return;
	case LBR_FMT_INFO:
	case LBR_FMT_INFO2:
		r->from = from;
		r->to = to;
		r->mispred = info >> 63;
		if (d->format == LBR_FMT_INFO) {
			r->in_tx = (info >> 62) & 1;
			r->abort = (info >> 61) & 1;
		}
		r->has_cycles = r->cycles_valid = true;
		r->cycles = (u16)info;
		return;
	case LBR_FMT_ARCH:
		/* IA32_LBR_x_INFO (SDM Vol. 3B 18.1.3.4): 15:0 CYC_CNT,
		 * 59:56 BR_TYPE, 60 CYC_CNT_VALID, 61 TSX_ABORT, 62 IN_TSX,
		 * 63 MISPRED */
		r->from = from;
		r->to = to;
		r->mispred = info >> 63;
		r->in_tx = (info >> 62) & 1;
		r->abort = (info >> 61) & 1;
		r->has_cycles = true;
		r->cycles_valid = (info >> 60) & 1;
		r->cycles = (u16)info;
		r->has_type = true;
		r->type = (info >> 56) & 0xf;
		return;
	}
}

u64 lbr_select_value(u64 filter)
{
	return filter & LBR_FILTER_MASK;
}

u64 lbr_ctl_value(u64 filter)
{
	/* IA32_LBR_CTL: 0 LBREn, 1 OS, 2 USR, 3 CALL_STACK, 16 JCC,
	 * 17 NEAR_REL_JMP, 18 NEAR_IND_JMP, 19 NEAR_REL_CALL,
	 * 20 NEAR_IND_CALL, 21 NEAR_RET, 22 OTHER_BRANCH */
	static const u8 map[][2] = {	/* filter bit, LBR_CTL bit */
		{ 0, 1 }, { 1, 2 }, { 2, 16 }, { 3, 19 }, { 4, 20 },
		{ 5, 21 }, { 6, 18 }, { 7, 17 }, { 8, 22 },
	};
	u64 ctl = 1;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (!(filter & (1ULL << map[i][0])))
			ctl |= 1ULL << map[i][1];
	if (filter & LBR_FILTER_CALL_STACK)
		ctl |= 1ULL << 3;
	return ctl;
}

u64 lbr_filter_word(const char *w, size_t len)
{
	static const char *const words[] = {
		"kernel", "user", "jcc", "rel_call", "ind_call", "return",
		"ind_jmp", "rel_jmp", "far", "call_stack",
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strlen(words[i]) == len && !memcmp(words[i], w, len))
			return 1ULL << i;
	/* architectural LBR's name for bit 8 */
	if (len == 14 && !memcmp(w, "other_branches", 14))
		return 1ULL << 8;
	return 0;
}

/* ---- the record line ---- */

struct lbr_buf {
	char *p;
	u32 n, len;
};

static void put(struct lbr_buf *b, const char *s)
{
	while (*s && b->len + 1 < b->n)
		b->p[b->len++] = *s++;
	b->p[b->len < b->n ? b->len : b->n - 1] = 0;
}

static void put_num(struct lbr_buf *b, u64 v, u32 base, u32 width)
{
	char t[24];
	int i = 23;

	t[i] = 0;
	do {
		t[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && i > 0);
	while (23 - i < (int)width && i > 0)
		t[--i] = '0';
	put(b, t + i);
}

static const char *const arch_types[16] = {
	"COND", "JMP Indirect", "JMP Direct", "CALL Indirect", "CALL Direct",
	"RET", "Reserved", "Reserved", "Other", "Reserved", "Reserved",
	"Reserved", "Reserved", "Reserved", "Reserved", "Reserved",
};

u32 lbr_format_rec(const struct lbr_desc *d, u32 idx,
		   const struct lbr_rec *r, char *out, u32 n)
{
	struct lbr_buf b = { out, n, 0 };
	char pad[16];
	u32 l;

	if (!n)
		return 0;
	out[0] = 0;
	put(&b, "         [");
	if (idx < 10)
		put(&b, " ");
	put_num(&b, idx, 10, 1);
	put(&b, "] Branch Mispredicted: ");
	put(&b, r->mispred ? "true " : "false");
	if (r->has_type) {
		put(&b, ", Branch type: ");
		put(&b, arch_types[r->type & 15]);
		l = strlen(arch_types[r->type & 15]);
		memset(pad, ' ', sizeof(pad));
		pad[l < 13 ? 13 - l : 0] = 0;
		put(&b, pad);
	}
	put(&b, ", Cycle Count (Decimal): ");
	put_num(&b, r->has_cycles ? r->cycles : 0, 10, 4);
	if (d->kind == LBR_ARCH) {
		put(&b, " (is valid? ");
		put(&b, r->cycles_valid ? "true " : "false");
		put(&b, ")");
	}
	put(&b, " - From: ");
	put_num(&b, r->from, 16, 16);
	put(&b, "  To: ");
	put_num(&b, r->to, 16, 16);
	put(&b, "\n");
	return b.len;
}
