// SPDX-License-Identifier: GPL-2.0
/*
 * test_detour.c - kmod/lib/detour.c (the relocator behind !epthook2) and
 * the insn_decode() layout it relies on.
 *
 *  - layout: insn_decode()'s ModRM/displacement/immediate offsets against
 *    libcapstone's encoding details over the whole Debian kernel .text;
 *  - prologues: Debian kernel entries (endbr64, the ftrace nop, push %rbp,
 *    mov %rsp,%rbp, RIP-relative mov, short jcc), byte for byte;
 *  - each refusal, and that its text names the instruction;
 *  - semantics: every relocated instruction, disassembled by capstone at
 *    its new address, is the original one with the same operands and
 *    absolute targets (relocation_same()); run over every function entry
 *    of the kernel text;
 *  - execution: small functions in an RWX mapping, patched, called: same
 *    results, and the entry (a counter) ran exactly once per call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <capstone/capstone.h>
#include "support_diff.h"
#include "kmod/lib/insn_len.h"
#include "kmod/lib/detour.h"

#define KTEXT_TRAMP	0xffffffffc0100000ULL	/* a module-area address */

static csh cs;

static int cs_setup(void **state)
{
	(void)state;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -1;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	return 0;
}

static int cs_teardown(void **state)
{
	(void)state;
	cs_close(&cs);
	return 0;
}

/* One instruction at code (address at), or NULL. */
static cs_insn *cs_one(const u8 *code, size_t len, u64 at)
{
	cs_insn *insn = NULL;

	if (cs_disasm(cs, code, len, at, 1, &insn) != 1)
		return NULL;
	return insn;
}

static bool cs_is_rel_branch(const cs_insn *i)
{
	const cs_x86 *x = &i->detail->x86;
	unsigned int g;

	if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return false;
	for (g = 0; g < i->detail->groups_count; g++)
		if (i->detail->groups[g] == CS_GRP_JUMP ||
		    i->detail->groups[g] == CS_GRP_CALL)
			return true;
	return false;
}

/* Same operands; RIP-relative memory compared by absolute address. */
static bool cs_same_operands(const cs_insn *a, const cs_insn *b, char *why,
			     size_t cap)
{
	const cs_x86 *x = &a->detail->x86, *y = &b->detail->x86;
	unsigned int k;

	if (x->op_count != y->op_count) {
		snprintf(why, cap, "operand count %u vs %u", x->op_count,
			 y->op_count);
		return false;
	}
	for (k = 0; k < x->op_count; k++) {
		const cs_x86_op *p = &x->operands[k], *q = &y->operands[k];

		if (p->type != q->type || p->size != q->size) {
			snprintf(why, cap, "operand %u type/size", k);
			return false;
		}
		if (p->type == X86_OP_REG && p->reg != q->reg) {
			snprintf(why, cap, "operand %u register", k);
			return false;
		}
		if (p->type == X86_OP_IMM && p->imm != q->imm) {
			snprintf(why, cap, "operand %u immediate", k);
			return false;
		}
		if (p->type == X86_OP_MEM) {
			s64 da = p->mem.disp, db = q->mem.disp;

			if (p->mem.segment != q->mem.segment ||
			    p->mem.base != q->mem.base ||
			    p->mem.index != q->mem.index ||
			    p->mem.scale != q->mem.scale) {
				snprintf(why, cap, "operand %u address form",
					 k);
				return false;
			}
			if (p->mem.base == X86_REG_RIP) {
				da += (s64)(a->address + a->size);
				db += (s64)(b->address + b->size);
			}
			if (da != db) {
				snprintf(why, cap, "operand %u address %#llx vs %#llx",
					 k, (unsigned long long)da,
					 (unsigned long long)db);
				return false;
			}
		}
	}
	return true;
}

/*
 * The relocation in out (of req) means what the original meant: each
 * moved instruction, the jmp back and the patch, checked with capstone.
 * On a mismatch, why says which.
 */
static bool relocation_same(const struct detour_req *req,
			    const struct detour_out *out, char *why,
			    size_t cap)
{
	u32 i;
	cs_insn *a, *b, *c;
	bool ok = true;

	if (memcmp(out->tramp, req->entry, req->entry_len)) {
		snprintf(why, cap, "entry not at the trampoline's start");
		return false;
	}
	for (i = 0; i < out->ninsn && ok; i++) {
		u32 o = out->insn_off[i], t = out->tramp_off[i];
		u32 tend = i + 1 < out->ninsn ? out->tramp_off[i + 1] :
			   out->back_off;

		a = cs_one(req->code + o, req->avail - o, req->addr + o);
		b = cs_one(out->tramp + t, tend - t, req->tramp + t);
		if (!a || !b) {
			snprintf(why, cap, "+%u: capstone cannot decode %s", o,
				 a ? "the copy" : "the original");
			if (a)
				cs_free(a, 1);
			if (b)
				cs_free(b, 1);
			return false;
		}
		if (strcmp(a->mnemonic, b->mnemonic)) {
			snprintf(why, cap, "+%u: %s became %s", o, a->mnemonic,
				 b->mnemonic);
			ok = false;
		} else if (cs_is_rel_branch(a) && b->size + t < tend) {
			/* widened LOOP/JrCXZ: op +2; jmp +5; jmp target */
			u64 taken = b->detail->x86.operands[0].imm;

			c = cs_one(out->tramp + (taken - req->tramp),
				   tend - (taken - req->tramp), taken);
			if (!c || strcmp(c->mnemonic, "jmp") ||
			    c->detail->x86.operands[0].imm !=
			    a->detail->x86.operands[0].imm ||
			    taken + c->size != req->tramp + tend) {
				snprintf(why, cap, "+%u: widened %s wrong", o,
					 a->mnemonic);
				ok = false;
			}
			if (c)
				cs_free(c, 1);
		} else if (b->size + t != tend) {
			snprintf(why, cap, "+%u: copy is %u bytes of %u", o,
				 b->size, tend - t);
			ok = false;
		} else if (!cs_same_operands(a, b, why, cap)) {
			ok = false;
		}
		cs_free(a, 1);
		cs_free(b, 1);
	}
	if (!ok)
		return false;
	a = cs_one(out->tramp + out->back_off, 5, req->tramp + out->back_off);
	ok = a && !strcmp(a->mnemonic, "jmp") &&
	     (u64)a->detail->x86.operands[0].imm == req->addr + out->n &&
	     out->tramp_len == out->back_off + 5;
	if (a)
		cs_free(a, 1);
	if (!ok) {
		snprintf(why, cap, "no jmp back to A+n");
		return false;
	}
	a = cs_one(out->patch, 5, req->addr);
	ok = a && !strcmp(a->mnemonic, "jmp") &&
	     (u64)a->detail->x86.operands[0].imm == req->tramp;
	if (a)
		cs_free(a, 1);
	for (i = 5; i < out->n; i++)
		ok = ok && out->patch[i] == 0xcc;
	if (!ok)
		snprintf(why, cap, "patch is not jmp T + int3 padding");
	return ok;
}

static const u8 vmcall[] = { 0x0f, 0x01, 0xc1 };

static int build(const u8 *code, size_t len, u64 addr, u64 tramp,
		 struct detour_out *out)
{
	struct detour_req req = {
		.addr = addr, .code = code, .avail = len, .tramp = tramp,
		.entry = vmcall, .entry_len = sizeof(vmcall),
	};
	char why[200];
	int r = detour_build(&req, out);

	if (r == 0 && !relocation_same(&req, out, why, sizeof(why)))
		fail_msg("relocation differs: %s", why);
	return r;
}

/* ---- prologues ---- */

#define A	0xffffffff81234560ULL
#define T	0xffffffffc0a01000ULL

static void test_prologue_ibt_fentry(void **state)
{
	/* endbr64; nop5 (ftrace); push %rbp; mov %rsp,%rbp */
	static const u8 f[] = { 0xf3, 0x0f, 0x1e, 0xfa,
				0x0f, 0x1f, 0x44, 0x00, 0x00,
				0x55, 0x48, 0x89, 0xe5, 0xc3 };
	static const u8 tramp[] = { 0x0f, 0x01, 0xc1,
				    0xf3, 0x0f, 0x1e, 0xfa,
				    0x0f, 0x1f, 0x44, 0x00, 0x00 };
	struct detour_out out;
	u64 back = A + 9 - (T + sizeof(tramp) + 5);

	(void)state;
	assert_int_equal(build(f, sizeof(f), A, T, &out), 0);
	assert_int_equal(out.n, 9);
	assert_int_equal(out.ninsn, 2);
	assert_memory_equal(out.tramp, tramp, sizeof(tramp));
	assert_int_equal(out.tramp[sizeof(tramp)], 0xe9);
	assert_int_equal(out.tramp_len, sizeof(tramp) + 5);
	assert_int_equal((u32)back, out.tramp[13] | out.tramp[14] << 8 |
			 out.tramp[15] << 16 | (u32)out.tramp[16] << 24);
	assert_int_equal(out.patch[0], 0xe9);
	assert_int_equal(out.patch[5], 0xcc);
	assert_int_equal(out.patch[8], 0xcc);
}

static void test_prologue_push_mov(void **state)
{
	/* nop5; push %rbp; mov %rsp,%rbp: the nop alone, n = 5 */
	static const u8 f[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55,
				0x48, 0x89, 0xe5, 0x5d, 0xc3 };
	/* push %rbp; mov %rsp,%rbp; push %rbx: n = 5 */
	static const u8 g[] = { 0x55, 0x48, 0x89, 0xe5, 0x53, 0x5b, 0x5d,
				0xc3 };
	/* push %rbp; push %r15; mov %rsp,%rbp: n = 6 */
	static const u8 h[] = { 0x55, 0x41, 0x57, 0x48, 0x89, 0xe5, 0xc3 };
	struct detour_out out;

	(void)state;
	assert_int_equal(build(f, sizeof(f), A, T, &out), 0);
	assert_int_equal(out.n, 5);
	assert_int_equal(out.ninsn, 1);
	assert_int_equal(out.tramp[3 + 5], 0xe9);
	/* hooked after the nop: push; mov; pop: n = 5 */
	assert_int_equal(build(f + 5, sizeof(f) - 5, A, T, &out), 0);
	assert_int_equal(out.n, 5);
	assert_int_equal(out.ninsn, 3);
	assert_int_equal(out.tramp[3], 0x55);
	assert_int_equal(build(g, sizeof(g), A, T, &out), 0);
	assert_int_equal(out.n, 5);
	assert_int_equal(out.ninsn, 3);
	assert_int_equal(build(h, sizeof(h), A, T, &out), 0);
	assert_int_equal(out.n, 6);
	assert_int_equal(out.patch[5], 0xcc);
}

static void test_prologue_riprel(void **state)
{
	/* mov 0x100(%rip),%rax; ret.  Target A+7+0x100. */
	static const u8 f[] = { 0x48, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00,
				0xc3 };
	/* cmpl $0x5,0x10(%rip): disp then imm8 */
	static const u8 g[] = { 0x83, 0x3d, 0x10, 0x00, 0x00, 0x00, 0x05,
				0xc3 };
	struct detour_out out;
	s32 d;

	(void)state;
	assert_int_equal(build(f, sizeof(f), A, T, &out), 0);
	assert_int_equal(out.n, 7);
	memcpy(&d, out.tramp + 3 + 3, 4);
	assert_true((u64)(T + 3 + 7) + (u64)(s64)d == A + 7 + 0x100);
	assert_int_equal(build(g, sizeof(g), A, T, &out), 0);
	assert_int_equal(out.tramp[3 + 6], 0x05);
}

static void test_prologue_short_jcc(void **state)
{
	/* test %rdi,%rdi; je +6; ... : je widened to 0f 84 rel32 */
	static const u8 f[] = { 0x48, 0x85, 0xff, 0x74, 0x06,
				0xb8, 1, 0, 0, 0, 0xc3,
				0xb8, 2, 0, 0, 0, 0xc3 };
	/* jmp rel8 first, then more: widened to e9 */
	static const u8 g[] = { 0x55, 0x48, 0x85, 0xff, 0xeb, 0x10,
				0x90, 0x90 };
	/* jrcxz: op +2; jmp +5; jmp rel32 */
	static const u8 h[] = { 0x48, 0x89, 0xf9, 0xe3, 0x06,
				0xb8, 7, 0, 0, 0, 0xc3,
				0xb8, 9, 0, 0, 0, 0xc3 };
	struct detour_out out;

	(void)state;
	assert_int_equal(build(f, sizeof(f), A, T, &out), 0);
	assert_int_equal(out.n, 5);
	assert_int_equal(out.tramp[3 + 3], 0x0f);
	assert_int_equal(out.tramp[3 + 4], 0x84);
	assert_int_equal(out.back_off, 3 + 3 + 6);
	assert_int_equal(build(g, sizeof(g), A, T, &out), 0);
	assert_int_equal(out.n, 6);
	assert_int_equal(out.tramp[3 + 4], 0xe9);
	assert_int_equal(build(h, sizeof(h), A, T, &out), 0);
	assert_int_equal(out.tramp[3 + 3], 0xe3);
	assert_int_equal(out.tramp[3 + 4], 0x02);
	assert_int_equal(out.tramp[3 + 5], 0xeb);
	assert_int_equal(out.back_off, 3 + 3 + 9);
}

static void test_prologue_call_jmp32(void **state)
{
	/* call rel32 (the ftrace call when tracing is on); jmp rel32 */
	static const u8 f[] = { 0xe8, 0x10, 0x20, 0x00, 0x00, 0x55, 0xc3 };
	static const u8 g[] = { 0xe9, 0x00, 0x00, 0x10, 0x00, 0xcc };
	struct detour_out out;

	(void)state;
	assert_int_equal(build(f, sizeof(f), A, T, &out), 0);
	assert_int_equal(out.n, 5);
	assert_int_equal(build(g, sizeof(g), A, T, &out), 0);
	assert_int_equal(out.n, 5);
}

/* ---- refusals ---- */

static void expect_refusal(const u8 *code, size_t len, u64 tramp,
			   unsigned int why, u32 off, const char *text)
{
	struct detour_out out;
	char buf[300];

	assert_int_equal(build(code, len, A, tramp, &out), -1);
	assert_int_equal(out.err.why, why);
	assert_int_equal(out.err.off, off);
	detour_describe(&out.err, buf, sizeof(buf));
	printf("  %s\n", buf);
	if (!strstr(buf, text))
		fail_msg("\"%s\" lacks \"%s\"", buf, text);
}

static void test_refusals(void **state)
{
	static const u8 ret_early[] = { 0x31, 0xc0, 0xc3, 0xcc, 0xcc, 0xcc };
	static const u8 too_short[] = { 0x31, 0xc0, 0xc3 };
	static const u8 trunc[] = { 0x55, 0x48, 0x8b };
	static const u8 bad[] = { 0x55, 0x06, 0x90, 0x90, 0x90 };
	static const u8 far_rip[] = { 0x48, 0x8b, 0x05, 0x00, 0x00, 0x00,
				      0x70, 0xc3 };
	static const u8 eip_rel[] = { 0x67, 0x48, 0x8b, 0x05, 0, 0, 0, 0 };
	static const u8 loop_in[] = { 0x31, 0xc0, 0xff, 0xc0, 0xeb, 0xfc,
				      0xc3 };
	static const u8 later_in[] = { 0x55, 0x48, 0x89, 0xe5, 0x90, 0x90,
				       0x74, 0xf9, 0xc3 };
	static const u8 int3[] = { 0xcc, 0x55, 0x48, 0x89, 0xe5 };
	static const u8 ud2[] = { 0x55, 0x0f, 0x0b, 0x90, 0x90 };
	static const u8 br66[] = { 0x66, 0xe9, 0x00, 0x00, 0x90, 0x90 };

	(void)state;
	expect_refusal(ret_early, sizeof(ret_early), T, DETOUR_E_SHORT, 2,
		       "+0x2 (0xffffffff81234562: c3)");
	expect_refusal(too_short, 2, T, DETOUR_E_SHORT, 2,
		       "+0x2 (0xffffffff81234562: the end of the bytes)");
	expect_refusal(trunc, sizeof(trunc), T, DETOUR_E_SHORT, 1,
		       "+0x1 (0xffffffff81234561: 48 8b ...)");
	expect_refusal(bad, sizeof(bad), T, DETOUR_E_DECODE, 1,
		       "06 90 90 90 ...): not a valid");
	/* target A+8+0x70000000: out of reach of a T 2 GiB below A */
	expect_refusal(far_rip, sizeof(far_rip), A - 0x40000000ULL,
		       DETOUR_E_RIPREL, 0, "(target 0xfffffffff1234567)");
	expect_refusal(eip_rel, sizeof(eip_rel), T, DETOUR_E_RIPREL32, 0,
		       "67 48 8b 05 00 00 00 00): EIP-relative");
	expect_refusal(loop_in, sizeof(loop_in), T, DETOUR_E_BRANCH_IN, 4,
		       "eb fc): a branch targets the bytes the jmp replaces (target 0xffffffff81234562)");
	expect_refusal(later_in, sizeof(later_in), T, DETOUR_E_BRANCH_IN, 6,
		       "(0xffffffff81234566: 74 f9)");
	expect_refusal(int3, sizeof(int3), T, DETOUR_E_TRAP, 0, "cc): int3");
	expect_refusal(ud2, sizeof(ud2), T, DETOUR_E_UD2, 1, "0f 0b): ud2");
	expect_refusal(br66, sizeof(br66), T, DETOUR_E_BRANCH_66, 0,
		       "operand-size prefix");
}

static void test_far_trampoline_and_args(void **state)
{
	static const u8 f[] = { 0x55, 0x48, 0x89, 0xe5, 0x53, 0xc3 };
	static const u8 big[DETOUR_ENTRY_MAX + 1];
	struct detour_out out;
	struct detour_req req = {
		.addr = A, .code = f, .avail = sizeof(f),
		.tramp = A + 0x90000000ULL,
	};

	(void)state;
	assert_int_equal(detour_build(&req, &out), -1);
	assert_int_equal(out.err.why, DETOUR_E_BRANCH_FAR);
	req.tramp = T;
	req.entry = big;
	req.entry_len = sizeof(big);
	assert_int_equal(detour_build(&req, &out), -1);
	assert_int_equal(out.err.why, DETOUR_E_ARG);
	req.entry_len = DETOUR_ENTRY_MAX;
	assert_int_equal(detour_build(&req, &out), 0);
	assert_true(out.tramp_len <= DETOUR_TRAMP_MAX);
}

static void test_mid_instruction(void **state)
{
	/* function: mov $0x12345678,%eax; ret; hook at +1 (inside) */
	static const u8 fn[] = { 0xb8, 0x78, 0x56, 0x34, 0x12, 0x90, 0x90,
				 0x90, 0x90, 0x90, 0xc3 };
	struct detour_req req = {
		.addr = A + 1, .code = fn + 1, .avail = sizeof(fn) - 1,
		.tramp = T, .scan = fn, .scan_len = sizeof(fn),
		.scan_addr = A,
	};
	struct detour_out out;
	char buf[200];

	(void)state;
	assert_int_equal(detour_build(&req, &out), -1);
	assert_int_equal(out.err.why, DETOUR_E_MIDINSN);
	assert_int_equal(out.err.off, -1);
	detour_describe(&out.err, buf, sizeof(buf));
	printf("  %s\n", buf);
	assert_non_null(strstr(buf, "at -0x1 (0xffffffff81234560: b8 78 56 34 12): the address is inside an instruction at 0xffffffff81234561"));
	/* at +5 (a boundary) it is fine */
	req.addr = A + 5;
	req.code = fn + 5;
	req.avail = sizeof(fn) - 5;
	assert_int_equal(detour_build(&req, &out), 0);
	assert_int_equal(out.scanned, sizeof(fn));
}

/* ---- the kernel's text ---- */

/* A relative branch (what detour.c widens or re-points). */
static bool dt_test_branch(const struct insn_layout *l)
{
	if (l->enc != INSN_ENC_LEGACY)
		return false;
	if (l->map == 0)
		return (l->opcode >= 0x70 && l->opcode <= 0x7f) ||
		       (l->opcode >= 0xe0 && l->opcode <= 0xe3) ||
		       l->opcode == 0xe8 || l->opcode == 0xe9 ||
		       l->opcode == 0xeb;
	return l->map == 1 && l->opcode >= 0x80 && l->opcode <= 0x8f;
}

/* A 16-byte aligned call to fentry at off. */
static bool ktext_calls(const u8 *text, size_t off, u64 vaddr, u64 fentry)
{
	s32 rel;

	if (text[off] != 0xe8)
		return false;
	memcpy(&rel, text + off + 1, 4);
	return vaddr + off + 5 + (u64)(s64)rel == fentry;
}

/* insn_decode()'s layout against capstone's encoding details. */
static void test_layout_ktext(void **state)
{
	const char *why = NULL;
	size_t size, off = 0;
	u64 vaddr;
	u8 *text = insn_ktext_load(&size, &vaddr, &why);
	unsigned long n = 0, riprel = 0, branches = 0, bad = 0;
	cs_insn *ci = cs_malloc(cs);

	(void)state;
	if (!text)
		fail_msg("kernel text: %s", why);
	while (off < size) {
		struct insn_layout l;
		const u8 *p = text + off;
		size_t left = size - off;
		u64 at = vaddr + off;
		int r = insn_decode(p, left, 64, &l);

		if (!cs_disasm_iter(cs, &p, &left, &at, ci)) {
			off += r > 0 ? (size_t)r : 1;
			continue;
		}
		if (r != (int)ci->size) {	/* insn_diff's business */
			off += ci->size;
			continue;
		}
		n++;
		{
			const cs_x86 *x = &ci->detail->x86;
			bool cs_rip = false;
			unsigned int k;

			for (k = 0; k < x->op_count; k++)
				if (x->operands[k].type == X86_OP_MEM &&
				    x->operands[k].mem.base == X86_REG_RIP)
					cs_rip = true;
			if (cs_rip != l.rip_rel ||
			    (cs_rip && x->encoding.disp_offset != l.disp_off)) {
				if (bad++ < 10)
					printf("rip-rel mismatch at %#llx\n",
					       (unsigned long long)ci->address);
			}
			riprel += cs_rip;
			if (cs_is_rel_branch(ci)) {
				branches++;
				if (x->encoding.imm_offset != l.imm_off ||
				    x->encoding.imm_size != l.imm_size) {
					if (bad++ < 10)
						printf("branch imm mismatch at %#llx\n",
						       (unsigned long long)ci->address);
				}
			}
		}
		off += ci->size;
	}
	cs_free(ci, 1);
	free(text);
	printf("kernel .text: %lu instructions, %lu RIP-relative, %lu "
	       "relative branches; layout mismatches %lu\n", n, riprel,
	       branches, bad);
	assert_true(n > size / 8);
	assert_true(riprel > 10000 && branches > 100000);
	assert_int_equal(bad, 0);
}

/*
 * Function entries of the kernel text: Debian's kernel is built with
 * ftrace, so each traceable function starts, 16-byte aligned, with a
 * call to __fentry__ (a 5-byte nop once the kernel has booted).  The
 * call target found most often at 16-byte boundaries is __fentry__.
 */
static u64 ktext_fentry(const u8 *text, size_t size, u64 vaddr)
{
	static u64 tg[64];
	static unsigned long cnt[64];
	unsigned int k, nt = 0, best = 0;
	size_t off;

	for (off = 0; off + 5 <= size && off < (1u << 22); off += 16) {
		u64 to;

		if (text[off] != 0xe8)
			continue;
		to = vaddr + off + 5 + (u64)(s64)(s32)(text[off + 1] |
			text[off + 2] << 8 | text[off + 3] << 16 |
			(u32)text[off + 4] << 24);
		for (k = 0; k < nt && tg[k] != to; k++)
			;
		if (k == nt && nt < 64)
			tg[nt++] = to;
		if (k < nt)
			cnt[k]++;
	}
	for (k = 1; k < nt; k++)
		if (cnt[k] > cnt[best])
			best = k;
	return nt ? tg[best] : 0;
}

struct ktext_stats {
	unsigned long tried, ok;
	unsigned long by_why[DETOUR_NWHY];
	unsigned long by_n[DETOUR_PATCH_MAX + 1];
	unsigned long riprel, branches;
};

static void ktext_try(struct ktext_stats *st, const u8 *code, size_t avail,
		      u64 addr, const u8 *fn, size_t fn_len, u64 fn_addr)
{
	static struct detour_out out;
	struct detour_req req;
	char msg[200];
	u32 k;

	memset(&req, 0, sizeof(req));
	req.addr = addr;
	req.code = code;
	req.avail = avail;
	req.tramp = KTEXT_TRAMP + (st->tried % 4096) * 256;
	req.entry = vmcall;
	req.entry_len = sizeof(vmcall);
	req.scan = fn;
	req.scan_len = fn_len;
	req.scan_addr = fn_addr;
	st->tried++;
	if (detour_build(&req, &out)) {
		st->by_why[out.err.why]++;
		if (st->by_why[out.err.why] <= 2) {
			detour_describe(&out.err, msg, sizeof(msg));
			printf("  e.g. %s\n", msg);
		}
		return;
	}
	if (!relocation_same(&req, &out, msg, sizeof(msg)))
		fail_msg("%#llx: %s", (unsigned long long)addr, msg);
	st->ok++;
	st->by_n[out.n]++;
	for (k = 0; k < out.ninsn; k++) {
		struct insn_layout l;

		insn_decode(code + out.insn_off[k], avail - out.insn_off[k],
			    64, &l);
		st->riprel += l.rip_rel;
		st->branches += dt_test_branch(&l);
	}
}

static void ktext_report(const struct ktext_stats *st, const char *title)
{
	unsigned int k;

	printf("%s: %lu tried, %lu relocated and verified by capstone "
	       "(moved: %lu RIP-relative, %lu relative branches)\n", title,
	       st->tried, st->ok, st->riprel, st->branches);
	for (k = 1; k < DETOUR_NWHY; k++)
		if (st->by_why[k])
			printf("  refused %lu: %s\n", st->by_why[k],
			       detour_why_text(k));
	for (k = 0; k <= DETOUR_PATCH_MAX; k++)
		if (st->by_n[k])
			printf("  n = %u bytes displaced: %lu\n", k,
			       st->by_n[k]);
}

/*
 * Every function of the kernel text, to the next function: hooked at its
 * entry (the __fentry__ call, and the 5-byte nop it is at run time), and
 * at entry + 5 (the prologue proper: push, mov, RIP-relative loads,
 * jcc), with the whole function swept for branches into the patch.
 */
static void test_ktext_entries(void **state)
{
	const char *why = NULL;
	size_t size, off, next;
	u64 vaddr, fentry;
	u8 *text = insn_ktext_load(&size, &vaddr, &why);
	static struct ktext_stats image, nop, body;
	static const u8 nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	u8 *copy;

	(void)state;
	if (!text)
		fail_msg("kernel text: %s", why);
	fentry = ktext_fentry(text, size, vaddr);
	printf("kernel .text at %#llx, __fentry__ at %#llx\n",
	       (unsigned long long)vaddr, (unsigned long long)fentry);
	copy = malloc(4096 + 16);
	assert_non_null(copy);
	for (off = 0; off + 5 <= size; off += 16) {
		if (!ktext_calls(text, off, vaddr, fentry))
			continue;
		for (next = off + 16; next + 5 <= size; next += 16)
			if (ktext_calls(text, next, vaddr, fentry))
				break;
		if (next > size)
			next = size;
		if (next - off > 4096)
			next = off + 4096;
		ktext_try(&image, text + off, next - off, vaddr + off,
			  text + off, next - off, vaddr + off);
		memcpy(copy, text + off, next - off);
		memcpy(copy, nop5, 5);
		ktext_try(&nop, copy, next - off, vaddr + off,
			  copy, next - off, vaddr + off);
		ktext_try(&body, copy + 5, next - off - 5, vaddr + off + 5,
			  copy, next - off, vaddr + off);
	}
	free(copy);
	free(text);
	ktext_report(&image, "function entries (image: call __fentry__)");
	ktext_report(&nop, "function entries (run time: 5-byte nop)");
	ktext_report(&body, "entry + 5 (the prologue after the ftrace nop)");
	assert_true(image.tried > 20000);
	/* Entries are simple: all of them go. */
	assert_int_equal(image.ok, image.tried);
	assert_int_equal(nop.ok, nop.tried);
	/* Prologues: almost all, and real relocations among them. */
	assert_true(body.ok * 100 >= body.tried * 95);
	assert_true(body.riprel > 100 && body.branches > 100);
}

/* ---- execution ---- */

/*
 * Hand-assembled test functions, placed in an RWX mapping at fn_base.
 * Each ends in ret; the data qword "d" sits at DATA_OFF.
 */
#define MAP_SIZE	(4u << 20)
#define DATA_OFF	0x3000u
#define TRAMP_OFF	0x200000u	/* 2 MiB away: displacements change */
#define COUNT_OFF	0x3ff000u

struct exec_fn {
	const char *name;
	u8 code[48];
	size_t len;
	u32 riprel_at;	/* offset of a disp32 to point at DATA, or 0 */
	u32 call_at;	/* offset of a rel32 to point at HELPER, or 0 */
	long args[3];
	long results[3];
};

#define HELPER_OFF	0x2000u	/* mov %rdi,%rax; add $1,%rax; ret */

static const struct exec_fn exec_fns[] = {
	{ "ibt+fentry+push+riprel",
	  { 0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x1f, 0x44, 0x00, 0x00,
	    0x55, 0x48, 0x89, 0xe5,
	    0x48, 0x8b, 0x05, 0, 0, 0, 0,	/* mov d(%rip),%rax */
	    0x48, 0x01, 0xf8, 0x5d, 0xc3 }, 25, 16, 0,
	  { 0, 5, -7 }, { 1000, 1005, 993 } },
	{ "riprel first",
	  { 0x48, 0x8b, 0x05, 0, 0, 0, 0, 0x48, 0x29, 0xf8, 0xc3 }, 11,
	  3, 0, { 0, 1, 1000 }, { 1000, 999, 0 } },
	{ "test+je rel8",
	  { 0x48, 0x85, 0xff, 0x74, 0x06, 0xb8, 1, 0, 0, 0, 0xc3,
	    0xb8, 2, 0, 0, 0, 0xc3 }, 17, 0, 0,
	  { 0, 1, -1 }, { 2, 1, 1 } },
	{ "mov+jrcxz",
	  { 0x48, 0x89, 0xf9, 0xe3, 0x06, 0xb8, 7, 0, 0, 0, 0xc3,
	    0xb8, 9, 0, 0, 0, 0xc3 }, 17, 0, 0,
	  { 0, 5, 1 }, { 9, 7, 7 } },
	{ "call rel32 first",
	  { 0xe8, 0, 0, 0, 0, 0x48, 0x83, 0xc0, 0x01, 0xc3 }, 10, 0, 1,
	  { 0, 41, -2 }, { 2, 43, 0 } },
	{ "cmpl $imm,riprel + jne rel8",
	  { 0x83, 0x3d, 0, 0, 0, 0, 0x05, 0x75, 0x06,
	    0xb8, 3, 0, 0, 0, 0xc3, 0xb8, 4, 0, 0, 0, 0xc3 }, 21, 2, 0,
	  { 0, 0, 0 }, { 4, 4, 4 } },
};

static void put32(u8 *p, s64 v)
{
	u32 u = (u32)v;

	memcpy(p, &u, 4);
}

static void test_exec(void **state)
{
	u8 *m = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static const u8 helper[] = { 0x48, 0x89, 0xf8, 0x48, 0x83, 0xc0, 0x01,
				     0xc3 };
	volatile u64 *count = (volatile u64 *)(m + COUNT_OFF);
	unsigned int i, j;

	(void)state;
	assert_true(m != MAP_FAILED);
	memcpy(m + HELPER_OFF, helper, sizeof(helper));
	*(u64 *)(m + DATA_OFF) = 1000;

	for (i = 0; i < ARRAY_SIZE(exec_fns); i++) {
		const struct exec_fn *f = &exec_fns[i];
		u8 *fn = m + 0x100 * i;
		u8 *tr = m + TRAMP_OFF + 0x100 * i;
		long (*call)(long) = (long (*)(long))(void *)fn;
		/*
		 * Entry, encoded for tr: step over the red zone, keep the
		 * flags, count.  lea -128(%rsp),%rsp; pushfq;
		 * lock incq count(%rip); popfq; lea 128(%rsp),%rsp
		 */
		u8 entry[] = { 0x48, 0x8d, 0x64, 0x24, 0x80, 0x9c,
			       0xf0, 0x48, 0xff, 0x05, 0, 0, 0, 0,
			       0x9d, 0x48, 0x8d, 0xa4, 0x24, 0x80, 0, 0, 0 };
		struct detour_req req;
		struct detour_out out;
		char why[200];
		u64 before;

		put32(entry + 10, (s64)((m + COUNT_OFF) - (tr + 14)));
		memcpy(fn, f->code, f->len);
		if (f->riprel_at)
			put32(fn + f->riprel_at,
			      (s64)((m + DATA_OFF) - (fn + f->riprel_at + 4 +
					(f->code[1] == 0x3d ? 1 : 0))));
		if (f->call_at)
			put32(fn + f->call_at,
			      (s64)((m + HELPER_OFF) - (fn + f->call_at + 4)));
		if (f->code[1] == 0x3d)
			*(u64 *)(m + DATA_OFF) = 1000;
		__builtin___clear_cache((char *)fn, (char *)fn + f->len);
		for (j = 0; j < 3; j++)
			assert_int_equal(call(f->args[j]), f->results[j]);

		memset(&req, 0, sizeof(req));
		req.addr = (u64)(uintptr_t)fn;
		req.code = fn;
		req.avail = f->len;
		req.tramp = (u64)(uintptr_t)tr;
		req.entry = entry;
		req.entry_len = sizeof(entry);
		if (detour_build(&req, &out)) {
			detour_describe(&out.err, why, sizeof(why));
			fail_msg("%s: %s", f->name, why);
		}
		if (!relocation_same(&req, &out, why, sizeof(why)))
			fail_msg("%s: %s", f->name, why);
		memcpy(tr, out.tramp, out.tramp_len);
		memcpy(fn, out.patch, out.n);
		__builtin___clear_cache((char *)fn, (char *)tr + 0x100);

		for (j = 0; j < 3; j++) {
			before = *count;
			assert_int_equal(call(f->args[j]), f->results[j]);
			assert_int_equal(*count, before + 1);
		}
		printf("  %s: n=%u, trampoline %u bytes, 3 calls, 3 counts\n",
		       f->name, out.n, out.tramp_len);
	}
	munmap(m, MAP_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prologue_ibt_fentry),
		cmocka_unit_test(test_prologue_push_mov),
		cmocka_unit_test(test_prologue_riprel),
		cmocka_unit_test(test_prologue_short_jcc),
		cmocka_unit_test(test_prologue_call_jmp32),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_far_trampoline_and_args),
		cmocka_unit_test(test_mid_instruction),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_layout_ktext),
		cmocka_unit_test(test_ktext_entries),
	};

	return cmocka_run_group_tests(tests, cs_setup, cs_teardown);
}
