// SPDX-License-Identifier: GPL-2.0
/*
 * detour_fuzz.c - libFuzzer target for detour_build() (!epthook2's
 * relocator).
 *
 * Input: 4 bytes of trampoline distance (signed, times 16, so both near
 * and out-of-reach trampolines come up), 1 byte of entry length, then the
 * code at A, copied into a heap block of exactly its size so ASan catches
 * any read past avail.  Checked on every input:
 *  - a refusal has a known reason, at most 15 bytes named, and its text
 *    is NUL-terminated within any cap (1, 16, 300);
 *  - an accepted one: 5 <= n <= DETOUR_PATCH_MAX; the patch is jmp T plus
 *    int3 padding; the trampoline fits DETOUR_TRAMP_MAX and starts with the
 *    entry; the displaced instructions tile [0, n) by insn_len(); each copy
 *    decodes, is byte-identical except for its relative field, and a
 *    RIP-relative operand or branch reaches the same absolute target; the
 *    last jmp goes back to A + n.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kmod/lib/insn_len.h"
#include "kmod/lib/detour.h"

#define A	0xffffffff81400000ULL

static void dt_check(int ok)
{
	if (!ok)
		abort();
}

static s64 rd32(const u8 *p)
{
	return (s32)((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 |
		     (u32)p[3] << 24);
}

static bool is_branch(const struct insn_layout *l, const u8 *c)
{
	if (l->enc != INSN_ENC_LEGACY)
		return false;
	if (l->map == 0)
		return (l->opcode >= 0x70 && l->opcode <= 0x7f) ||
		       (l->opcode >= 0xe0 && l->opcode <= 0xe3) ||
		       l->opcode == 0xe8 || l->opcode == 0xe9 ||
		       l->opcode == 0xeb ||
		       (l->opcode == 0xc7 && c[l->modrm_off] == 0xf8);
	return l->map == 1 && l->opcode >= 0x80 && l->opcode <= 0x8f;
}

static u64 rel_target(const struct insn_layout *l, const u8 *c, u64 at)
{
	s64 rel = l->imm_size == 1 ? (s8)c[l->imm_off] : rd32(c + l->imm_off);

	return at + l->len + (u64)rel;
}

/* The copy at t (trampoline address tt) of the original o at oa. */
static void check_copy(const u8 *o, u64 oa, const u8 *t, u64 ta, u32 room)
{
	struct insn_layout lo, lt;

	dt_check(insn_decode(o, 15, 64, &lo) > 0);
	dt_check(insn_decode(t, room, 64, &lt) > 0);
	if (is_branch(&lo, o)) {
		u64 want = rel_target(&lo, o, oa), got;

		dt_check(is_branch(&lt, t));
		got = rel_target(&lt, t, ta);
		if (lo.map == 0 && lo.opcode >= 0xe0 && lo.opcode <= 0xe3) {
			/* op +2; jmp +5; jmp rel32 */
			dt_check(lt.opcode == lo.opcode &&
				 lt.adsize == lo.adsize);
			dt_check(got == ta + lt.len + 2);
			dt_check(t[lt.len] == 0xeb && t[lt.len + 1] == 5);
			dt_check(t[lt.len + 2] == 0xe9);
			got = ta + lt.len + 7 + (u64)rd32(t + lt.len + 3);
		}
		dt_check(got == want);
		return;
	}
	dt_check(lo.len == lt.len);
	if (lo.rip_rel) {
		dt_check(lt.rip_rel && lt.disp_off == lo.disp_off);
		dt_check(oa + lo.len + (u64)rd32(o + lo.disp_off) ==
			 ta + lt.len + (u64)rd32(t + lt.disp_off));
		dt_check(!memcmp(o, t, lo.disp_off));
		dt_check(!memcmp(o + lo.disp_off + 4, t + lo.disp_off + 4,
				 lo.len - lo.disp_off - 4));
		return;
	}
	dt_check(!memcmp(o, t, lo.len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 entry_src[DETOUR_ENTRY_MAX] = { 0x0f, 0x01, 0xc1 };
	static struct detour_out out;
	struct detour_req req;
	char text[300];
	u8 *code;
	s64 dist;
	size_t elen, avail;
	u32 i, k;

	if (size < 6)
		return 0;
	dist = rd32(data) * 16;
	elen = data[4] % (DETOUR_ENTRY_MAX + 2);
	avail = size - 5;
	code = malloc(avail);
	if (!code)
		return 0;
	memcpy(code, data + 5, avail);

	memset(&req, 0, sizeof(req));
	req.addr = A;
	req.code = code;
	req.avail = avail;
	req.tramp = A + (u64)dist;
	req.entry = entry_src;
	req.entry_len = elen;

	if (detour_build(&req, &out)) {
		dt_check(out.err.why > DETOUR_OK && out.err.why < DETOUR_NWHY);
		dt_check(out.err.nbytes <= 15);
		dt_check(detour_describe(&out.err, text, 1) == 0 && !text[0]);
		dt_check(detour_describe(&out.err, text, 16) <= 15);
		dt_check(strlen(text) <= 15);
		k = (u32)detour_describe(&out.err, text, sizeof(text));
		dt_check(k < sizeof(text) && strlen(text) == k);
		dt_check(elen <= DETOUR_ENTRY_MAX ||
			 out.err.why == DETOUR_E_ARG);
		free(code);
		return 0;
	}
	dt_check(elen <= DETOUR_ENTRY_MAX);
	dt_check(out.n >= DETOUR_JMP_LEN && out.n <= DETOUR_PATCH_MAX);
	dt_check(out.n <= avail);
	dt_check(out.patch[0] == 0xe9);
	dt_check(A + 5 + (u64)rd32(out.patch + 1) == req.tramp);
	for (k = DETOUR_JMP_LEN; k < out.n; k++)
		dt_check(out.patch[k] == 0xcc);
	dt_check(out.tramp_len <= DETOUR_TRAMP_MAX);
	dt_check(!memcmp(out.tramp, entry_src, elen));
	dt_check(out.ninsn >= 1 && out.ninsn <= DETOUR_INSN_MAX);
	dt_check(out.insn_off[0] == 0 && out.tramp_off[0] == elen);
	for (i = 0; i < out.ninsn; i++) {
		u32 o = out.insn_off[i];
		u32 end = i + 1 < out.ninsn ? out.insn_off[i + 1] : out.n;
		u32 tend = i + 1 < out.ninsn ? out.tramp_off[i + 1] :
			   out.back_off;

		dt_check(insn_len(code + o, avail - o, 64) == (int)(end - o));
		dt_check(tend > out.tramp_off[i]);
		check_copy(code + o, A + o, out.tramp + out.tramp_off[i],
			   req.tramp + out.tramp_off[i],
			   tend - out.tramp_off[i]);
	}
	dt_check(out.tramp[out.back_off] == 0xe9);
	dt_check(out.back_off + 5 == out.tramp_len);
	dt_check(req.tramp + out.tramp_len +
		 (u64)rd32(out.tramp + out.back_off + 1) == A + out.n);
	free(code);
	return 0;
}
