// SPDX-License-Identifier: GPL-2.0
/*
 * detour.c - relocate a function's first instructions into a trampoline
 * (see detour.h).
 *
 * Three steps, all over caller-given bytes:
 *  1. decode instructions from A until they cover DETOUR_JMP_LEN bytes,
 *     classifying each (plain, RIP-relative, relative branch, refused);
 *  2. sweep the scan region for relative branches into A+1 .. A+n-1 and
 *     for an instruction that straddles A;
 *  3. emit the trampoline: entry, each instruction at its new address,
 *     jmp back to A+n; and the patch: jmp T, int3 padding.
 * Encodings: SDM Vol. 2A 2.2.1.6 (RIP-relative), Vol. 2B Jcc/JMP/CALL/
 * LOOP/JrCXZ, Vol. 2D Appendix A (the opcodes as insn_len.c has them).
 */
#include "hvgdb/freestanding.h"
#include "kmod/lib/insn_len.h"
#include "kmod/lib/detour.h"

/* What a moved instruction needs. */
enum {
	DT_PLAIN,	/* copied as is */
	DT_RIPREL,	/* copied, disp32 at lay.disp_off adjusted */
	DT_REL32,	/* copied, rel32 at lay.imm_off adjusted */
	DT_JCC8,	/* 7x rel8 -> 0F 8x rel32 */
	DT_JMP8,	/* EB rel8 -> E9 rel32 */
	DT_LOOP8,	/* E0-E3 rel8 -> op +2; jmp +5; jmp rel32 */
};

struct dt_insn {
	struct insn_layout lay;
	u32 off;	/* from A */
	u8 kind;	/* DT_* */
	bool ends;	/* no fall-through (ret, jmp, iret...) */
	u64 target;	/* branch or operand target, for rel kinds */
};

static const char *const detour_whys[DETOUR_NWHY] = {
	[DETOUR_OK] = "no error",
	[DETOUR_E_ARG] = "bad request (no bytes, or an entry longer than the trampoline allows)",
	[DETOUR_E_DECODE] = "not a valid x86-64 instruction",
	[DETOUR_E_SHORT] = "the function ends before the 5 bytes the jmp needs",
	[DETOUR_E_RIPREL] = "RIP-relative operand out of rel32 reach of the trampoline",
	[DETOUR_E_RIPREL32] = "EIP-relative operand (67h): cannot be moved",
	[DETOUR_E_BRANCH_FAR] = "branch target out of rel32 reach of the trampoline",
	[DETOUR_E_BRANCH_IN] = "a branch targets the bytes the jmp replaces",
	[DETOUR_E_BRANCH_66] = "operand-size prefix on a relative branch",
	[DETOUR_E_TRAP] = "int3/int1/int n: its handler finds it by address (kprobes, another debugger)",
	[DETOUR_E_UD2] = "ud2: the kernel finds its BUG/WARN entry by address",
	[DETOUR_E_MIDINSN] = "the address is inside an instruction",
};

const char *detour_why_text(unsigned int why)
{
	if (why >= DETOUR_NWHY || !detour_whys[why])
		return "unknown";
	return detour_whys[why];
}

static s64 dt_rd32(const u8 *p)
{
	return (s32)((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 |
		     (u32)p[3] << 24);
}

static void dt_wr32(u8 *p, s64 v)
{
	u32 u = (u32)v;

	p[0] = (u8)u;
	p[1] = (u8)(u >> 8);
	p[2] = (u8)(u >> 16);
	p[3] = (u8)(u >> 24);
}

static bool dt_fits32(s64 v)
{
	return v >= -0x80000000LL && v <= 0x7fffffffLL;
}

static int dt_fail(struct detour_out *out, unsigned int why, const u8 *code,
		   size_t avail, s32 off, u64 addr, int len, u64 target)
{
	struct detour_err *e = &out->err;
	size_t k, nb = len > 0 ? (size_t)len : 15;


	memset(e, 0, sizeof(*e));
	e->why = (u8)why;
	e->len = len > 0 ? (u8)len : 0;
	if (nb > avail)
		nb = avail;
	for (k = 0; k < nb; k++)
		e->bytes[k] = code[k];
	e->nbytes = (u8)nb;
	e->off = off;
	e->insn_addr = addr;
	e->target = target;
	return -1;
}

/*
 * Relative branch of this layout: rel8 or rel32 at imm_off.  Returns the
 * kind (DT_*), or DT_PLAIN when it is not a relative branch.
 */
static unsigned int dt_branch_kind(const u8 *code,
				   const struct insn_layout *l)
{
	if (l->enc != INSN_ENC_LEGACY)
		return DT_PLAIN;
	if (l->map == 0) {
		if (l->opcode >= 0x70 && l->opcode <= 0x7f)
			return DT_JCC8;
		if (l->opcode == 0xeb)
			return DT_JMP8;
		if (l->opcode >= 0xe0 && l->opcode <= 0xe3)
			return DT_LOOP8;
		if (l->opcode == 0xe8 || l->opcode == 0xe9)
			return DT_REL32;
		/* C7 F8: XBEGIN rel32 (rel16 under 66h, refused) */
		if (l->opcode == 0xc7 && l->modrm_off &&
		    code[l->modrm_off] == 0xf8)
			return DT_REL32;
	} else if (l->map == 1 && l->opcode >= 0x80 && l->opcode <= 0x8f) {
		return DT_REL32;
	}
	return DT_PLAIN;
}

/* No fall-through: the bytes after it need not be this function's. */
static bool dt_ends_flow(const u8 *code, const struct insn_layout *l)
{
	unsigned int reg;

	if (l->enc != INSN_ENC_LEGACY || l->map != 0)
		return false;
	switch (l->opcode) {
	case 0xc2: case 0xc3: case 0xca: case 0xcb: case 0xcf:
	case 0xe9: case 0xeb: case 0xea:
		return true;
	case 0xff:
		reg = (code[l->modrm_off] >> 3) & 7;
		return reg == 4 || reg == 5;	/* jmp near/far indirect */
	}
	return false;
}

/* Classify the instruction at code[0..l->len) found at address at. */
static int dt_classify(const u8 *code, u64 at, struct dt_insn *in,
		       unsigned int *why)
{
	const struct insn_layout *l = &in->lay;
	unsigned int kind = dt_branch_kind(code, l);
	u64 next = at + l->len;

	in->ends = dt_ends_flow(code, l);
	if (l->enc == INSN_ENC_LEGACY && l->map == 0 &&
	    (l->opcode == 0xcc || l->opcode == 0xcd || l->opcode == 0xf1)) {
		*why = DETOUR_E_TRAP;
		return -1;
	}
	if (l->enc == INSN_ENC_LEGACY && l->map == 1 && l->opcode == 0x0b) {
		*why = DETOUR_E_UD2;
		return -1;
	}
	if (kind != DT_PLAIN) {
		/* 66h would make a rel16 (XBEGIN) or, on AMD, cut the
		 * target to 16 bits. */
		if (l->opsize) {
			*why = DETOUR_E_BRANCH_66;
			return -1;
		}
		in->kind = (u8)kind;
		if (l->imm_size == 1)
			in->target = next + (u64)(s64)(s8)code[l->imm_off];
		else
			in->target = next + (u64)dt_rd32(code + l->imm_off);
		return 0;
	}
	if (l->rip_rel) {
		if (l->adsize) {
			*why = DETOUR_E_RIPREL32;
			return -1;
		}
		in->kind = DT_RIPREL;
		in->target = next + (u64)dt_rd32(code + l->disp_off);
		return 0;
	}
	in->kind = DT_PLAIN;
	return 0;
}

/*
 * Prefix bytes kept on a widened branch: none on Jcc/JMP (2E/3E hints and
 * F2 BND change nothing there, and keeping them could pass the 15-byte
 * limit), 67h alone on LOOP/JrCXZ (it selects ECX).
 */
static u32 dt_new_pfx(const struct dt_insn *in)
{
	switch (in->kind) {
	case DT_JCC8:
	case DT_JMP8:
		return 0;
	case DT_LOOP8:
		return in->lay.adsize ? 1 : 0;
	default:
		return in->lay.opcode_off;
	}
}

/* Bytes the moved instruction takes in the trampoline. */
static u32 dt_new_len(const struct dt_insn *in)
{
	u32 pfx = dt_new_pfx(in);

	switch (in->kind) {
	case DT_JCC8:
		return pfx + 6;
	case DT_JMP8:
		return pfx + 5;
	case DT_LOOP8:
		return pfx + 2 + 2 + 5;
	default:
		return in->lay.len;
	}
}

/*
 * Write the instruction in at trampoline address t into dst: copy or
 * re-encode, then point its relative field at the same target.
 */
static int dt_emit(const u8 *code, const struct dt_insn *in, u64 t, u8 *dst,
		   unsigned int *why)
{
	const struct insn_layout *l = &in->lay;
	u32 pfx = dt_new_pfx(in), nl = dt_new_len(in);
	s64 rel = (s64)(in->target - (t + nl));
	u8 *p = dst + pfx;

	if (pfx && in->kind == DT_LOOP8)
		dst[0] = 0x67;
	switch (in->kind) {
	case DT_PLAIN:
		memcpy(dst, code, l->len);
		return 0;
	case DT_RIPREL:
		memcpy(dst, code, l->len);
		if (!dt_fits32(rel)) {
			*why = DETOUR_E_RIPREL;
			return -1;
		}
		/* disp is relative to the end, the immediate after it
		 * moves along: same length, same layout */
		dt_wr32(dst + l->disp_off, rel);
		return 0;
	case DT_REL32:
		memcpy(dst, code, l->len);
		p = dst + l->imm_off;
		break;
	case DT_JCC8:
		p[0] = 0x0f;
		p[1] = (u8)(0x80 | (l->opcode & 0x0f));
		p += 2;
		break;
	case DT_JMP8:
		p[0] = 0xe9;
		p += 1;
		break;
	case DT_LOOP8:
		/* op +2 -> taken path; jmp +5 over it; jmp rel32 target */
		p[0] = l->opcode;
		p[1] = 2;
		p[2] = 0xeb;
		p[3] = 5;
		p[4] = 0xe9;
		p += 5;
		break;
	}
	if (!dt_fits32(rel)) {
		*why = DETOUR_E_BRANCH_FAR;
		return -1;
	}
	dt_wr32(p, rel);
	return 0;
}

/*
 * Sweep code[0..len) at address base for relative branches into
 * (lo, hi) and for an instruction straddling lo.  Returns bytes covered,
 * or -1 with out->err set (the instruction named by its offset from lo).
 */
static long dt_scan(const u8 *code, size_t len, u64 base, u64 lo, u64 hi,
		    struct detour_out *out)
{
	struct dt_insn in;
	unsigned int why;
	size_t off = 0;
	int r;

	while (off < len) {
		u64 at = base + off;

		memset(&in, 0, sizeof(in));
		r = insn_decode(code + off, len - off, 64, &in.lay);
		if (r <= 0)
			break;
		if (at < lo && at + (u64)r > lo)
			return dt_fail(out, DETOUR_E_MIDINSN, code + off,
				       len - off, (s32)(at - lo), at, r, lo);
		if (dt_branch_kind(code + off, &in.lay) != DT_PLAIN &&
		    !(at >= lo && at < hi) &&
		    dt_classify(code + off, at, &in, &why) == 0 &&
		    in.target > lo && in.target < hi)
			return dt_fail(out, DETOUR_E_BRANCH_IN, code + off,
				       len - off, (s32)(at - lo), at, r,
				       in.target);
		off += (size_t)r;
	}
	return (long)off;
}

int detour_build(const struct detour_req *req, struct detour_out *out)
{
	struct dt_insn ins[DETOUR_INSN_MAX];
	const u8 *code = req->code;
	unsigned int why = 0;
	u32 off = 0, n, i, t;
	long scanned;
	int r;

	memset(out, 0, sizeof(*out));
	if (!code || !req->avail || req->entry_len > DETOUR_ENTRY_MAX ||
	    (req->entry_len && !req->entry))
		return dt_fail(out, DETOUR_E_ARG, code, 0, 0, req->addr, 0, 0);

	/* 0. an address inside an instruction of the scanned code is named
	 * as such, before its bytes are taken for instructions */
	if (req->scan && dt_scan(req->scan, req->scan_len, req->scan_addr,
				 req->addr, req->addr + 1, out) < 0 &&
	    out->err.why == DETOUR_E_MIDINSN)
		return -1;
	memset(out, 0, sizeof(*out));

	/* 1. the displaced instructions */
	for (i = 0; off < DETOUR_JMP_LEN; i++) {
		struct dt_insn *in = &ins[i];
		u64 at = req->addr + off;

		memset(in, 0, sizeof(*in));
		r = insn_decode(code + off, req->avail - off, 64, &in->lay);
		if (r == INSN_LEN_TRUNCATED || (r < 0 && off == req->avail))
			return dt_fail(out, DETOUR_E_SHORT, code + off,
				       req->avail - off, off, at, 0, 0);
		if (r <= 0)
			return dt_fail(out, DETOUR_E_DECODE, code + off,
				       req->avail - off, off, at, 0, 0);
		in->off = off;
		if (dt_classify(code + off, at, in, &why))
			return dt_fail(out, why, code + off, (u32)r, off, at,
				       r, in->target);
		off += (u32)r;
		if (in->ends && off < DETOUR_JMP_LEN)
			return dt_fail(out, DETOUR_E_SHORT, code + in->off,
				       (u32)r, in->off, at, r, in->target);
		if (off < DETOUR_JMP_LEN && off >= req->avail)
			return dt_fail(out, DETOUR_E_SHORT, code + off, 0, off,
				       req->addr + off, 0, 0);
	}
	n = off;
	out->n = n;
	out->ninsn = i;

	/* 2. nothing may land inside the patched bytes */
	for (i = 0; i < out->ninsn; i++) {
		struct dt_insn *in = &ins[i];

		if (in->kind != DT_PLAIN && in->kind != DT_RIPREL &&
		    in->target > req->addr && in->target < req->addr + n)
			return dt_fail(out, DETOUR_E_BRANCH_IN, code + in->off,
				       in->lay.len, in->off,
				       req->addr + in->off, in->lay.len,
				       in->target);
	}
	if (req->scan)
		scanned = dt_scan(req->scan, req->scan_len, req->scan_addr,
				  req->addr, req->addr + n, out);
	else
		scanned = dt_scan(code + n, req->avail - n, req->addr + n,
				  req->addr, req->addr + n, out);
	if (scanned < 0)
		return -1;
	out->scanned = (size_t)scanned;

	/* 3. the trampoline and the patch */
	if (req->entry_len)
		memcpy(out->tramp, req->entry, req->entry_len);
	t = (u32)req->entry_len;
	for (i = 0; i < out->ninsn; i++) {
		struct dt_insn *in = &ins[i];

		out->insn_off[i] = (u8)in->off;
		out->tramp_off[i] = (u8)t;
		if (dt_emit(code + in->off, in, req->tramp + t,
			    out->tramp + t, &why))
			return dt_fail(out, why, code + in->off, in->lay.len,
				       in->off, req->addr + in->off,
				       in->lay.len, in->target);
		t += dt_new_len(in);
	}
	out->back_off = t;
	out->tramp[t] = 0xe9;
	if (!dt_fits32((s64)(req->addr + n - (req->tramp + t + 5))))
		return dt_fail(out, DETOUR_E_BRANCH_FAR, code, n, 0, req->addr,
			       0, req->addr + n);
	dt_wr32(out->tramp + t + 1, (s64)(req->addr + n -
					   (req->tramp + t + 5)));
	out->tramp_len = t + 5;

	if (!dt_fits32((s64)(req->tramp - (req->addr + DETOUR_JMP_LEN))))
		return dt_fail(out, DETOUR_E_BRANCH_FAR, code, n, 0, req->addr,
			       0, req->tramp);
	out->patch[0] = 0xe9;
	dt_wr32(out->patch + 1, (s64)(req->tramp - (req->addr +
						     DETOUR_JMP_LEN)));
	memset(out->patch + DETOUR_JMP_LEN, 0xcc, n - DETOUR_JMP_LEN);
	return 0;
}

/* ---- text ---- */

struct dt_text {
	char *buf;
	size_t cap, n;
};

static void dt_putc(struct dt_text *o, char c)
{
	if (o->n + 1 < o->cap)
		o->buf[o->n++] = c;
}

static void dt_puts(struct dt_text *o, const char *s)
{
	while (*s)
		dt_putc(o, *s++);
}

static void dt_hex(struct dt_text *o, u64 v, unsigned int width, bool prefix)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	unsigned int k = 0;

	if (prefix)
		dt_puts(o, "0x");
	do {
		tmp[k++] = digits[v & 15];
		v >>= 4;
	} while (v && k < 16);
	while (k < width && k < 16)
		tmp[k++] = '0';
	while (k)
		dt_putc(o, tmp[--k]);
}

size_t detour_describe(const struct detour_err *e, char *buf, size_t cap)
{
	struct dt_text o = { .buf = buf, .cap = cap };
	unsigned int k;

	if (!cap)
		return 0;
	dt_puts(&o, "cannot detour: the instruction at ");
	dt_putc(&o, e->off < 0 ? '-' : '+');
	dt_hex(&o, e->off < 0 ? -(s64)e->off : e->off, 1, true);
	dt_puts(&o, " (");
	dt_hex(&o, e->insn_addr, 1, true);
	dt_puts(&o, ":");
	for (k = 0; k < e->nbytes; k++) {
		dt_putc(&o, ' ');
		dt_hex(&o, e->bytes[k], 2, false);
	}
	if (!e->nbytes)
		dt_puts(&o, " the end of the bytes");
	if (!e->len && e->nbytes)
		dt_puts(&o, " ...");
	dt_puts(&o, "): ");
	dt_puts(&o, detour_why_text(e->why));
	switch (e->why) {
	case DETOUR_E_RIPREL:
	case DETOUR_E_BRANCH_FAR:
	case DETOUR_E_BRANCH_IN:
	case DETOUR_E_MIDINSN:
		dt_puts(&o, e->why == DETOUR_E_MIDINSN ? " at " : " (target ");
		dt_hex(&o, e->target, 1, true);
		if (e->why != DETOUR_E_MIDINSN)
			dt_putc(&o, ')');
		break;
	}
	o.buf[o.n] = '\0';
	return o.n;
}
