/*
 * hv_reinject_intr_info(): the VM-entry interruption information and
 * interruptibility state that give the guest again an event a VM exit
 * reported (SDM Vol. 3C 28.2.2-28.2.4, 32.7.1.2, 27.2.1.3, 27.3.1.5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/reinject.h"
#include "kmod/lib/vmx_defs.h"

#define V	HV_INTR_INFO_VALID
#define HW	(V | HV_INTR_TYPE_HW_EXCEPTION)
#define EC	HV_INTR_DELIVER_ERROR
#define U12	HV_INTR_NMI_UNBLOCK_IRET

/* #GP on an IRET that unblocked NMIs: blocking comes back, bit 12 goes. */
static void test_iret_fault_blocks_nmi(void **state)
{
	u32 intr = HV_BLOCK_BY_STI;

	(void)state;
	assert_int_equal(hv_reinject_intr_info(HW | EC | U12 | HV_VEC_GP, 0,
					       &intr),
			 HW | EC | HV_VEC_GP);
	assert_int_equal(intr, HV_BLOCK_BY_STI | HV_BLOCK_BY_NMI);
	/* Already blocked: unchanged. */
	intr = HV_BLOCK_BY_NMI;
	hv_reinject_intr_info(HW | U12 | HV_VEC_PF | EC, 0, &intr);
	assert_int_equal(intr, HV_BLOCK_BY_NMI);
}

/* Bit 12 is undefined for a #DF and when IDT-vectoring is valid. */
static void test_bit12_undefined(void **state)
{
	u32 intr = 0;

	(void)state;
	assert_int_equal(hv_reinject_intr_info(HW | EC | U12 | HV_VEC_DF, 0,
					       &intr),
			 HW | EC | HV_VEC_DF);
	assert_int_equal(intr, 0);
	assert_int_equal(hv_reinject_intr_info(HW | EC | U12 | HV_VEC_PF,
					       V | 0x30, &intr),
			 HW | EC | HV_VEC_PF);
	assert_int_equal(intr, 0);
}

/* Without bit 12 the state is left alone, whatever the event. */
static void test_plain_events(void **state)
{
	const u32 all = HV_BLOCK_BY_STI | HV_BLOCK_BY_MOVSS | HV_BLOCK_BY_NMI;
	const u32 sw = V | HV_INTR_TYPE_SW_EXCEPTION | HV_VEC_BP;
	u32 intr = all;

	(void)state;
	assert_int_equal(hv_reinject_intr_info(HW | HV_VEC_UD, 0, &intr),
			 HW | HV_VEC_UD);
	assert_int_equal(intr, all);
	assert_int_equal(hv_reinject_intr_info(sw, 0, &intr), sw);
	assert_int_equal(intr, all);
	intr = 0;
	assert_int_equal(hv_reinject_intr_info(sw, 0, &intr), sw);
	assert_int_equal(intr, 0);
}

/* An IDT-vectoring event: its bit 12 is undefined and never copied. */
static void test_idt_vectoring(void **state)
{
	const u32 ext = V | HV_INTR_TYPE_EXT_INTR | 0xec;
	const u32 swi = V | HV_INTR_TYPE_SW_INTR | 0x80;
	u32 intr = 0;

	(void)state;
	assert_int_equal(hv_reinject_intr_info(ext | U12, ext | U12, &intr),
			 ext);
	assert_int_equal(intr, 0);
	assert_int_equal(hv_reinject_intr_info(swi, swi, &intr), swi);
	assert_int_equal(intr, 0);
}

/* An NMI whose delivery was cut short left virtual-NMI blocking set; an
 * entry injecting an NMI needs it clear (27.3.1.5). */
static void test_nmi_clears_blocking(void **state)
{
	const u32 nmi = V | HV_INTR_TYPE_NMI | HV_VEC_NMI;
	u32 intr = HV_BLOCK_BY_NMI | HV_BLOCK_BY_STI;

	(void)state;
	assert_int_equal(hv_reinject_intr_info(nmi, nmi, &intr), nmi);
	assert_int_equal(intr, HV_BLOCK_BY_STI);
}

static void test_invalid(void **state)
{
	u32 intr = HV_BLOCK_BY_MOVSS;

	(void)state;
	assert_int_equal(hv_reinject_intr_info(U12 | (HW & ~V), 0, &intr), 0);
	assert_int_equal(intr, HV_BLOCK_BY_MOVSS);
}

/* The predicates of vmx_defs.h the helper is built on. */
static void test_predicates(void **state)
{
	(void)state;
	assert_int_equal(hv_intr_info_vector(HW | EC | HV_VEC_GP), 13);
	assert_int_equal(hv_intr_info_type(HW | 6), 3u << 8);
	assert_true(hv_is_nmi(V | (2u << 8) | 2));
	assert_false(hv_is_nmi((2u << 8) | 2));
	assert_true(hv_is_hw_exception(HW | EC | U12 | 14, HV_VEC_PF));
	assert_false(hv_is_hw_exception(V | (6u << 8) | 14, HV_VEC_PF));
	assert_true(hv_is_exception_with_error_code(HW | EC | 13));
	assert_false(hv_is_exception_with_error_code(HW | 6));
	assert_false(hv_is_exception_with_error_code(EC | 13));
	assert_true(hv_is_software_event(V | (4u << 8) | 0x80));
	assert_true(hv_is_software_event(V | (5u << 8) | 1));
	assert_true(hv_is_software_event(V | (6u << 8) | 3));
	assert_false(hv_is_software_event(HW | 3));
	assert_false(hv_is_software_event(V | (7u << 8)));
	assert_true(hv_blocks_nmi(1u << 0));
	assert_true(hv_blocks_nmi(1u << 1));
	assert_true(hv_blocks_nmi(1u << 3));
	assert_false(hv_blocks_nmi(1u << 2));
	assert_true(hv_blocks_interrupts(1u << 0));
	assert_true(hv_blocks_interrupts(1u << 1));
	assert_false(hv_blocks_interrupts(1u << 3));
	/* CPL is SS.DPL, AR bits 6:5: ring-0 and ring-3 data segments. */
	assert_int_equal(hv_ss_ar_cpl(0xc093), 0);
	assert_int_equal(hv_ss_ar_cpl(0xc0f3), 3);
	assert_int_equal(hv_ss_ar_cpl(0x10000 | 0xb3), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iret_fault_blocks_nmi),
		cmocka_unit_test(test_bit12_undefined),
		cmocka_unit_test(test_plain_events),
		cmocka_unit_test(test_idt_vectoring),
		cmocka_unit_test(test_nmi_clears_blocking),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_predicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
