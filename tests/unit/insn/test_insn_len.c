// SPDX-License-Identifier: GPL-2.0
/*
 * test_insn_len.c - insn_len() on hand-picked encodings, one table per
 * encoding class.  Each expected length is the one the SDM's encoding
 * gives (opcode maps in Vol. 2D Appendix A, ModRM/SIB in Vol. 2A 2.1.5,
 * AMD APM Vol. 3 for XOP/3DNow!/SSE4A), not what some disassembler says.
 * Every valid case is also replayed with fewer bytes (must say TRUNCATED)
 * and placed against an unmapped page (must not read past avail).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include "kmod/lib/insn_len.h"

#define INV	INSN_LEN_INVALID
#define TRUNC	INSN_LEN_TRUNCATED

struct insn_case {
	int mode;
	const char *hex;	/* the bytes given, avail = their number */
	int want;
	const char *what;
};

static u8 *guard_page;		/* a page followed by a PROT_NONE page */
static long page_size;

static size_t unhex(const char *hex, u8 *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (hex[0] && hex[1] && n < max) {
		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		out[n++] = (u8)v;
		hex += 2;
	}
	return n;
}

static void check_case(const struct insn_case *c)
{
	u8 buf[64];
	size_t n = unhex(c->hex, buf, sizeof(buf));
	int got = insn_len(buf, n, c->mode);
	size_t k;
	u8 *tail;

	if (got != c->want)
		fail_msg("%s (%d-bit %s): got %d, want %d", c->what, c->mode,
			 c->hex, got, c->want);
	if (c->want <= 0)
		return;

	/* The bytes end exactly at an unmapped page: no over-read. */
	tail = guard_page + page_size - n;
	memcpy(tail, buf, n);
	assert_int_equal(insn_len(tail, n, c->mode), c->want);
	/* Any shorter prefix of the encoding is truncated. */
	for (k = 0; k < (size_t)c->want; k++) {
		tail = guard_page + page_size - k;
		memcpy(tail, buf, k);
		if (insn_len(tail, k, c->mode) != TRUNC)
			fail_msg("%s (%d-bit %s) avail %zu: got %d, want "
				 "TRUNCATED", c->what, c->mode, c->hex, k,
				 insn_len(tail, k, c->mode));
	}
}

static void check_table(const struct insn_case *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_case(&t[i]);
}

#define CHECK(t) check_table(t, sizeof(t) / sizeof((t)[0]))

static void test_one_byte_map(void **state)
{
	static const struct insn_case t[] = {
		{ 64, "90", 1, "nop" },
		{ 64, "c3", 1, "ret" },
		{ 64, "04 7f", 2, "add al, ib" },
		{ 64, "05 11223344", 5, "add eax, id" },
		{ 64, "66 05 1122", 4, "add ax, iw (66h)" },
		{ 64, "48 05 11223344", 6, "add rax, id (REX.W keeps iz)" },
		{ 64, "66 48 05 11223344", 7, "REX.W beats 66h" },
		{ 64, "68 11223344", 5, "push iz" },
		{ 64, "66 68 1122", 4, "push iw" },
		{ 64, "6a 7f", 2, "push ib" },
		{ 64, "69 c0 11223344", 6, "imul r, r/m, iz" },
		{ 64, "6b c0 10", 3, "imul r, r/m, ib" },
		{ 64, "80 c0 01", 3, "grp1 Eb, ib" },
		{ 64, "81 c0 11223344", 6, "grp1 Ev, iz" },
		{ 64, "83 c0 01", 3, "grp1 Ev, ib" },
		{ 64, "a8 01", 2, "test al, ib" },
		{ 64, "a9 11223344", 5, "test eax, iz" },
		{ 64, "b0 01", 2, "mov al, ib" },
		{ 64, "b8 11223344", 5, "mov eax, id" },
		{ 64, "66 b8 1122", 4, "mov ax, iw" },
		{ 64, "c0 e0 04", 3, "shl Eb, ib" },
		{ 64, "d1 e0", 2, "shl Ev, 1" },
		{ 64, "cd 80", 2, "int ib" },
		{ 64, "cc", 1, "int3" },
		{ 64, "f1", 1, "int1" },
		{ 64, "70 10", 2, "jo rel8" },
		{ 64, "e3 10", 2, "jrcxz rel8" },
		{ 64, "eb fe", 2, "jmp rel8" },
		{ 64, "e8 11223344", 5, "call rel32" },
		{ 64, "e9 11223344", 5, "jmp rel32" },
		{ 64, "e4 60", 2, "in al, ib" },
		{ 64, "d9 ee", 2, "fldz" },
		{ 64, "dd 04 24", 3, "fld qword [rsp]" },
		{ 64, "8f 00", 2, "pop [rax]" },
		{ 64, "8f c0", 2, "pop rax (ModRM form)" },
		{ 64, "ff 15 11223344", 6, "call [rip+disp32]" },
		{ 64, "fe c0", 2, "inc al" },
		{ 32, "40", 1, "inc eax (32-bit)" },
		{ 32, "48 90", 1, "dec eax, then nop (32-bit)" },
		{ 32, "63 c0", 2, "arpl (32-bit)" },
		{ 64, "63 c0", 2, "movsxd (64-bit)" },
		{ 32, "60", 1, "pusha (32-bit)" },
		{ 32, "d4 0a", 2, "aam (32-bit)" },
		{ 32, "d6", 1, "salc (32-bit)" },
		{ 32, "06", 1, "push es (32-bit)" },
	};

	(void)state;
	CHECK(t);
}

static void test_modrm_sib_disp(void **state)
{
	static const struct insn_case t[] = {
		{ 64, "8b 00", 2, "[rax]" },
		{ 64, "8b 45 f8", 3, "[rbp+disp8]" },
		{ 64, "8b 85 00ffffff", 6, "[rbp+disp32]" },
		{ 64, "8b 04 24", 3, "SIB [rsp]" },
		{ 64, "8b 44 24 08", 4, "SIB+disp8" },
		{ 64, "8b 84 24 00010000", 7, "SIB+disp32" },
		{ 64, "8b 04 25 78563412", 7, "SIB no base: disp32" },
		{ 64, "8b 44 25 08", 4, "SIB base=101 mod=01: disp8" },
		{ 64, "8b 05 78563412", 6, "RIP-relative" },
		{ 64, "67 8b 05 78563412", 7, "EIP-relative (67h)" },
		{ 64, "67 8b 04 24", 4, "67h keeps SIB in 64-bit mode" },
		{ 64, "41 8b 04 24", 4, "[r12] still needs SIB" },
		{ 64, "41 8b 45 00", 4, "[r13+0] still needs disp8" },
		{ 64, "c7 44 24 08 01000000", 8, "mov dword [rsp+8], id" },
		{ 64, "48 c7 c0 ffffffff", 7, "mov rax, simm32" },
		{ 64, "66 c7 00 3412", 5, "mov word [rax], iw" },
		{ 64, "66 c7 05 11223344 5566", 9, "RIP-relative + iw" },
		{ 32, "8b 05 11223344", 6, "[disp32] (32-bit)" },
		{ 32, "8b 04 24", 3, "SIB (32-bit)" },
		{ 32, "67 8b 47 10", 4, "[bx+disp8] (16-bit addressing)" },
		{ 32, "67 8b 06 3412", 5, "[disp16] (16-bit addressing)" },
		{ 32, "67 8b 87 3412", 5, "[bx+disp16]" },
		{ 32, "67 8b 04", 3, "[si]: no SIB in 16-bit addressing" },
		{ 32, "67 c7 06 3412 11223344", 9, "[disp16] + id" },
	};

	(void)state;
	CHECK(t);
}

static void test_prefixes(void **state)
{
	static const struct insn_case t[] = {
		{ 64, "f3 48 a5", 3, "rep movsq" },
		{ 64, "f0 48 0f b1 0a", 5, "lock cmpxchg" },
		{ 64, "2e 3e 26 36 64 65 90", 7, "segment overrides" },
		{ 64, "66 66 66 2e 0f 1f 84 00 00000000", 12, "padding nop" },
		{ 64, "40 41 48 90", 4, "several REX, last counts" },
		{ 64, "48 66 b8 1122", 5, "66h after REX.W cancels REX" },
		{ 64, "2e 48 66 b8 1122", 6, "... also after a segment" },
		{ 64, "66 48 b8 1122334455667788", 11, "REX.W after 66h: imm64" },
		{ 64, "49 bb 1122334455667788", 10, "mov r11, imm64" },
		{ 64, "48 b8 1122334455667788", 10, "movabs rax, imm64" },
		{ 64, "4c 90", 2, "REX without W on nop" },
		{ 64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", 15,
		  "14 prefixes + nop = 15 bytes" },
		{ 64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", INV,
		  "15 prefixes + nop: over 15 bytes" },
		{ 64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", INV,
		  "15 prefixes, no opcode within 15 bytes" },
		{ 64, "2e 2e 2e 2e 48 c7 84 24 11223344 55667788", INV,
		  "4 prefixes + 12-byte mov = 16" },
		{ 64, "2e 2e 2e 48 c7 84 24 11223344 55667788", 15,
		  "3 prefixes + 12-byte mov = 15" },
	};

	(void)state;
	CHECK(t);
}

static void test_moffs_far_enter_ret(void **state)
{
	static const struct insn_case t[] = {
		{ 64, "a0 1122334455667788", 9, "mov al, moffs64" },
		{ 64, "48 a1 1122334455667788", 10, "mov rax, moffs64" },
		{ 64, "66 a3 1122334455667788", 10, "mov moffs64, ax" },
		{ 64, "67 a0 11223344", 6, "mov al, moffs32 (67h)" },
		{ 32, "a0 11223344", 5, "mov al, moffs32 (32-bit)" },
		{ 32, "67 a0 1122", 4, "mov al, moffs16 (32-bit, 67h)" },
		{ 64, "c8 1000 01", 4, "enter iw, ib" },
		{ 64, "c2 0800", 3, "ret iw" },
		{ 64, "66 c2 0800", 4, "ret iw, 66h" },
		{ 64, "48 c2 0800", 4, "ret iw, REX.W" },
		{ 64, "ca 0800", 3, "retf iw" },
		{ 32, "ea 11223344 5566", 7, "jmp ptr16:32" },
		{ 32, "66 ea 1122 3344", 6, "jmp ptr16:16" },
		{ 32, "9a 11223344 5566", 7, "call ptr16:32" },
		{ 64, "ff 1c 24", 3, "callf m16:32" },
		{ 64, "48 ff 2c 24", 4, "jmpf m16:64" },
		{ 64, "ff d8", INV, "callf needs memory" },
		{ 64, "ff e8", INV, "jmpf needs memory" },
		{ 64, "ff f8", INV, "ff /7 undefined" },
		{ 64, "66 e8 11223344", 6,
		  "66h call: Intel keeps rel32 in 64-bit mode" },
		{ 64, "66 e9 11223344", 6, "66h jmp: rel32" },
		{ 64, "66 0f 84 11223344", 7, "66h jcc: rel32" },
		{ 32, "66 e8 1122", 4, "call rel16 (32-bit)" },
		{ 32, "66 0f 84 1122", 5, "jcc rel16 (32-bit)" },
		{ 32, "0f 84 11223344", 6, "jcc rel32 (32-bit)" },
	};

	(void)state;
	CHECK(t);
}

static void test_group_immediates(void **state)
{
	static const struct insn_case t[] = {
		{ 64, "f6 c0 01", 3, "test al, ib (F6 /0)" },
		{ 64, "f6 48 10 ff", 4, "test [rax+16], ib (F6 /1)" },
		{ 64, "f6 d0", 2, "not al (F6 /2): no imm" },
		{ 64, "f6 f1", 2, "div cl (F6 /6)" },
		{ 64, "f7 c1 11223344", 6, "test ecx, id (F7 /0)" },
		{ 64, "66 f7 c1 1122", 5, "test cx, iw" },
		{ 64, "48 f7 c1 11223344", 7, "test rcx, id" },
		{ 64, "f7 d8", 2, "neg eax (F7 /3)" },
		{ 64, "f7 64 24 08", 4, "mul [rsp+8] (F7 /4)" },
		{ 64, "c6 00 01", 3, "mov byte [rax], ib" },
		{ 64, "c6 f8 01", 3, "xabort ib" },
		{ 64, "c7 f8 11223344", 6, "xbegin rel32" },
		{ 64, "c6 08 01", INV, "C6 /1 undefined" },
		{ 64, "fe 10", INV, "FE /2 undefined" },
	};

	(void)state;
	CHECK(t);
}

static void test_0f_maps(void **state)
{
	static const struct insn_case t[] = {
		{ 64, "0f 05", 2, "syscall" },
		{ 64, "0f 0b", 2, "ud2" },
		{ 64, "0f a2", 2, "cpuid" },
		{ 64, "0f 01 c1", 3, "vmcall" },
		{ 64, "0f 01 00", 3, "sgdt [rax]" },
		{ 64, "0f 20 c0", 3, "mov rax, cr0" },
		{ 64, "0f 22 d8", 3, "mov cr3, rax" },
		{ 64, "0f 21 05", 3, "mov rbp, dr0: mod ignored, no disp" },
		{ 64, "0f b6 c0", 3, "movzx" },
		{ 64, "0f ba e0 05", 4, "bt r/m, ib" },
		{ 64, "0f a4 c2 04", 4, "shld ib" },
		{ 64, "0f c2 c1 00", 4, "cmpps ib" },
		{ 64, "0f 1f 44 00 00", 5, "nopl" },
		{ 64, "f3 0f 1e fa", 4, "endbr64" },
		{ 64, "0f ae f0", 3, "mfence" },
		{ 64, "0f c7 f0", 3, "rdrand" },
		{ 64, "0f 0d 08", 3, "prefetchw" },
		{ 64, "0f b9 cc", 3, "ud1 (ModRM, SDM Vol. 2B UD)" },
		{ 64, "0f ff c0", 3, "ud0 (ModRM)" },
		{ 64, "0f 70 c1 1b", 4, "pshufw ib" },
		{ 64, "66 0f 73 d8 04", 5, "psrldq ib" },
		{ 64, "0f 80 11223344", 6, "jo rel32" },
		{ 64, "0f 78 c8", 3, "vmread" },
		{ 64, "0f 79 c8", 3, "vmwrite" },
		{ 64, "66 0f 78 c0 04 08", 6, "extrq xmm, ib, ib" },
		{ 64, "f2 0f 78 c1 04 08", 6, "insertq xmm, xmm, ib, ib" },
		{ 64, "66 0f 79 c1", 4, "extrq xmm, xmm" },
		{ 64, "f2 0f 79 c1", 4, "insertq xmm, xmm" },
		{ 64, "0f 0f c1 9e", 4, "3DNow! pfadd" },
		{ 64, "0f 0f 40 08 b4", 5, "3DNow! pfmul [rax+8]" },
		{ 64, "66 0f 38 00 c1", 5, "pshufb (0F38)" },
		{ 64, "0f 38 f0 06", 4, "movbe (0F38)" },
		{ 64, "f2 0f 38 f1 c1", 5, "crc32 (0F38)" },
		{ 64, "66 0f 3a 0f c1 08", 6, "palignr (0F3A ib)" },
		{ 64, "66 48 0f 3a 16 c0 01", 7, "pextrq (0F3A ib)" },
		{ 64, "66 0f 3a 44 44 24 10 00", 8, "pclmulqdq [rsp+16], ib" },
		{ 64, "0f 04", INV, "0F 04 undefined" },
		{ 64, "0f 0a", INV, "0F 0A undefined" },
		{ 64, "0f 39", INV, "0F 39 undefined" },
		{ 64, "f3 0f b8 c1", 4, "popcnt" },
		{ 64, "0f b8 c1", INV, "0F B8 without F3 (JMPE, IA-64 only)" },
		{ 64, "66 0f d6 c1", 4, "movq xmm" },
		{ 64, "0f d6 c1", INV, "0F D6 needs a mandatory prefix" },
		{ 64, "f2 0f f0 06", 4, "lddqu" },
		{ 64, "0f f0 06", INV, "0F F0 needs F2" },
	};

	(void)state;
	CHECK(t);
}

static void test_vex_evex_xop(void **state)
{
	static const struct insn_case t[] = {
		{ 64, "c5 f8 77", 3, "vzeroupper: no ModRM" },
		{ 64, "c5 fc 28 c1", 4, "vmovaps ymm" },
		{ 64, "c5 fd 6f 44 24 20", 6, "vmovdqa ymm, [rsp+32]" },
		{ 64, "c5 f9 70 c1 1b", 5, "vpshufd ib (map 0F)" },
		{ 64, "c5 f8 c2 c1 00", 5, "vcmpps ib (map 0F)" },
		{ 64, "c4 e2 7d 18 c0", 5, "vbroadcastss (map 0F38)" },
		{ 64, "c4 e2 fa f7 c1", 5, "sarx (map 0F38)" },
		{ 64, "c4 e3 7d 18 c1 01", 6, "vinsertf128 (map 0F3A)" },
		{ 64, "c4 e3 79 4a c1 20", 6, "vblendvps is4" },
		{ 64, "c4 e1 79 7e 05 11223344", 9, "vmovd [rip]" },
		{ 64, "c4 e0 7d 18 c0", INV, "VEX map 0" },
		{ 64, "c4 e4 7d 18 c0", INV, "VEX map 4" },
		{ 64, "66 c5 f8 77", INV, "66h before VEX is #UD" },
		{ 64, "48 c5 f8 77", INV, "REX before VEX is #UD" },
		{ 64, "f0 c5 f8 77", INV, "LOCK before VEX is #UD" },
		{ 64, "c5 00 58 c0", 4, "C5 in 64-bit is VEX even if mod!=11" },
		{ 32, "c5 f8 77", 3, "VEX in 32-bit (mod==11)" },
		{ 32, "c4 00", 2, "les eax, [eax]" },
		{ 32, "c5 06", 2, "lds eax, [esi]" },
		{ 32, "c4 44 24 08", 4, "les eax, [esp+8]" },
		{ 64, "62 f1 7c 48 58 c0", 6, "vaddps zmm" },
		{ 64, "62 f1 7c 48 58 40 01", 7, "vaddps zmm, [rax+disp8*N]" },
		{ 64, "62 f2 7d 48 18 80 00010000", 10, "vbroadcastss disp32" },
		{ 64, "62 f1 7d 48 70 c1 1b", 7, "vpshufd zmm ib" },
		{ 64, "62 f3 fd 48 1b c1 01", 7, "vextractf64x4 ib (map 0F3A)" },
		{ 64, "62 f5 7c 48 58 c0", 6, "AVX512-FP16 map 5" },
		{ 64, "62 f9 7c 48 58 c0", INV, "EVEX P0 bit 3 set" },
		{ 64, "62 f1 78 48 58 c0", INV, "EVEX P1 bit 2 clear" },
		{ 32, "62 f1 7c 48 58 c0", 6, "EVEX in 32-bit (mod==11)" },
		{ 32, "62 00", 2, "bound eax, [eax]" },
		{ 64, "8f e8 78 c2 c1 01", 6, "XOP map 8: vprotd ib" },
		{ 64, "8f e9 78 80 c1", 5, "XOP map 9: vfrczps" },
		{ 64, "8f ea 78 10 c0 04000000", 9, "XOP map A: bextr id" },
		{ 32, "8f e9 78 80 c1", 5, "XOP in 32-bit" },
		{ 64, "8f eb 78 10 c0", INV, "XOP map B" },
		{ 64, "8f 20", INV, "8F /4 is neither POP nor XOP" },
	};

	(void)state;
	CHECK(t);
}

static void test_invalid_in_64(void **state)
{
	static const u8 ops[] = {
		0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37,
		0x3f, 0x60, 0x61, 0x82, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea,
	};
	u8 buf[15];
	size_t i;

	(void)state;
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < sizeof(ops); i++) {
		buf[0] = ops[i];
		if (insn_len(buf, sizeof(buf), 64) != INV)
			fail_msg("opcode %02x valid in 64-bit mode", ops[i]);
		/* The same bytes are fine in 32-bit mode. */
		assert_true(insn_len(buf, sizeof(buf), 32) > 0);
	}
}

static void test_truncated_and_bad_args(void **state)
{
	static const struct insn_case t[] = {
		{ 64, "", TRUNC, "nothing" },
		{ 64, "48", TRUNC, "REX only" },
		{ 64, "66 66", TRUNC, "prefixes only" },
		{ 64, "0f", TRUNC, "escape only" },
		{ 64, "0f 38", TRUNC, "0F38 escape only" },
		{ 64, "8b 04", TRUNC, "SIB missing" },
		{ 64, "8b 84 24 0001", TRUNC, "disp32 cut" },
		{ 64, "e8 0000", TRUNC, "rel32 cut" },
		{ 64, "48 b8 11223344", TRUNC, "imm64 cut" },
		{ 64, "c4 e2", TRUNC, "VEX payload cut" },
		{ 64, "62 f1 7c", TRUNC, "EVEX payload cut" },
		{ 64, "8f", TRUNC, "POP/XOP undecided" },
		{ 32, "c4", TRUNC, "LES/VEX undecided" },
		{ 64, "66 66 66 66 66 66 66 66 66 66", TRUNC,
		  "10 prefixes, avail ends" },
	};
	u8 nop = 0x90;

	(void)state;
	CHECK(t);
	assert_int_equal(insn_len(&nop, 1, 16), INV);
	assert_int_equal(insn_len(&nop, 1, 0), INV);
}

static int setup(void **state)
{
	(void)state;
	page_size = sysconf(_SC_PAGESIZE);
	guard_page = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard_page == MAP_FAILED)
		return -1;
	return mprotect(guard_page + page_size, page_size, PROT_NONE);
}

static int teardown(void **state)
{
	(void)state;
	return munmap(guard_page, 2 * page_size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_byte_map),
		cmocka_unit_test(test_modrm_sib_disp),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_moffs_far_enter_ret),
		cmocka_unit_test(test_group_immediates),
		cmocka_unit_test(test_0f_maps),
		cmocka_unit_test(test_vex_evex_xop),
		cmocka_unit_test(test_invalid_in_64),
		cmocka_unit_test(test_truncated_and_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
