/*
 * The displaced instructions a hidden breakpoint runs in VMX root: what
 * Linux's function entries hold, and nothing else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/bpemul.h"

static void is(const u8 *b, u32 n, u8 kind, u8 len, u8 reg)
{
	struct bpemul e;

	assert_int_equal(bpemul_decode(b, n, &e), kind != BPEMUL_NONE);
	assert_int_equal(e.kind, kind);
	assert_int_equal(e.len, len);
	assert_int_equal(e.reg, reg);
}

static void test_function_entries(void **state)
{
	static const u8 endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x0f };
	static const u8 fentry_nop[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55 };
	static const u8 push_rbp[] = { 0x55, 0x48, 0x89, 0xe5 };
	static const u8 push_r15[] = { 0x41, 0x57 };
	static const u8 push_r12_w[] = { 0x49, 0x54 };
	static const u8 nop1[] = { 0x90 };
	static const u8 nop9[] = { 0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 };
	static const u8 mov_rsp_rbp[] = { 0x48, 0x89, 0xe5, 0x41 };
	static const u8 mov_rsp_rbp_8b[] = { 0x48, 0x8b, 0xec };
	static const u8 mov_r8_r15[] = { 0x4d, 0x89, 0xc7 };	/* mov %r8,%r15 */
	static const u8 mov_rdi_r12[] = { 0x49, 0x89, 0xfc };	/* mov %rdi,%r12 */
	struct bpemul e;

	(void)state;
	is(endbr64, sizeof(endbr64), BPEMUL_NOP, 4, 0);
	is(fentry_nop, sizeof(fentry_nop), BPEMUL_NOP, 5, 0);
	is(push_rbp, sizeof(push_rbp), BPEMUL_PUSH, 1, 5);
	is(push_r15, sizeof(push_r15), BPEMUL_PUSH, 2, 15);
	is(push_r12_w, sizeof(push_r12_w), BPEMUL_PUSH, 2, 12);
	is(nop1, 1, BPEMUL_NOP, 1, 0);
	is(nop9, sizeof(nop9), BPEMUL_NOP, 9, 0);
	/* reg is the destination, src the source. */
	is(mov_rsp_rbp, sizeof(mov_rsp_rbp), BPEMUL_MOV, 3, 5);
	assert_true(bpemul_decode(mov_rsp_rbp, 3, &e) && e.src == 4);
	is(mov_rsp_rbp_8b, sizeof(mov_rsp_rbp_8b), BPEMUL_MOV, 3, 5);
	assert_true(bpemul_decode(mov_rsp_rbp_8b, 3, &e) && e.src == 4);
	is(mov_r8_r15, sizeof(mov_r8_r15), BPEMUL_MOV, 3, 15);
	assert_true(bpemul_decode(mov_r8_r15, 3, &e) && e.src == 8);
	is(mov_rdi_r12, sizeof(mov_rdi_r12), BPEMUL_MOV, 3, 12);
	assert_true(bpemul_decode(mov_rdi_r12, 3, &e) && e.src == 7);
}

static void test_others_are_stepped(void **state)
{
	static const u8 call_fentry[] = { 0xe8, 0x10, 0x20, 0x30, 0x40 };
	static const u8 mov_mem[] = { 0x48, 0x89, 0x65, 0x08 };	/* to memory */
	static const u8 mov32[] = { 0x89, 0xe5 };		/* no REX.W */
	static const u8 mov_cut[] = { 0x48, 0x89 };
	static const u8 rex_r_push[] = { 0x44, 0x55 };	/* REX.R: still rbp */
	static const u8 push_imm[] = { 0x6a, 0x01 };
	static const u8 nop_modrm_other[] = { 0x0f, 0x1f, 0x44, 0x00, 0x01 };
	static const u8 endbr_cut[] = { 0xf3, 0x0f, 0x1e };
	static const u8 fentry_cut[] = { 0x0f, 0x1f, 0x44, 0x00 };

	(void)state;
	is(call_fentry, sizeof(call_fentry), BPEMUL_NONE, 0, 0);
	is(mov_mem, sizeof(mov_mem), BPEMUL_NONE, 0, 0);
	is(mov32, sizeof(mov32), BPEMUL_NONE, 0, 0);
	is(mov_cut, sizeof(mov_cut), BPEMUL_NONE, 0, 0);
	is(rex_r_push, sizeof(rex_r_push), BPEMUL_NONE, 0, 0);
	is(push_imm, sizeof(push_imm), BPEMUL_NONE, 0, 0);
	is(nop_modrm_other, sizeof(nop_modrm_other), BPEMUL_NONE, 0, 0);
	/* Bytes cut at the end of what could be read: not decoded. */
	is(endbr_cut, sizeof(endbr_cut), BPEMUL_NONE, 0, 0);
	is(fentry_cut, sizeof(fentry_cut), BPEMUL_NONE, 0, 0);
	is(NULL, 0, BPEMUL_NONE, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_function_entries),
		cmocka_unit_test(test_others_are_stepped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
