/*
 * hv_idt_gate_*(): the handler offset of an IA-32e gate (SDM Vol. 3A
 * 6.14.1), replaced without touching the selector, IST, type, DPL or P.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/idt_gate.h"

/* Linux 6.1's NMI gate on x86-64: __KERNEL_CS, IST 2 (1-based: the NMI
 * stack), interrupt gate, DPL 0, present; asm_exc_nmi at a kernel address. */
static const unsigned char nmi_gate[16] = {
	0x40, 0x15, 0x10, 0x00, 0x02, 0x8e, 0xa0, 0x81,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
};

static void test_layout_is_16_bytes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct hv_idt_gate), 16);
}

static void test_offset_read(void **state)
{
	struct hv_idt_gate g;

	(void)state;
	memcpy(&g, nmi_gate, sizeof(g));
	assert_int_equal(hv_idt_gate_offset(&g), 0xffffffff81a01540ull);
	assert_int_equal(g.selector, 0x10);
	assert_int_equal(HV_IDT_GATE_IST(g.bits), 2);
	assert_true(hv_idt_gate_is_intr(&g));
}

static void test_offset_replaced_rest_kept(void **state)
{
	struct hv_idt_gate g;
	unsigned char b[16];

	(void)state;
	memcpy(&g, nmi_gate, sizeof(g));
	hv_idt_gate_set_offset(&g, 0xffffffffc0123456ull);
	assert_int_equal(hv_idt_gate_offset(&g), 0xffffffffc0123456ull);
	memcpy(b, &g, sizeof(b));
	/* Selector, IST/type/DPL/P and the reserved dword unchanged. */
	assert_memory_equal(b + 2, nmi_gate + 2, 4);
	assert_memory_equal(b + 12, nmi_gate + 12, 4);
	assert_int_equal(b[0], 0x56);
	assert_int_equal(b[1], 0x34);
	assert_int_equal(b[6], 0x12);
	assert_int_equal(b[7], 0xc0);
}

/* IST 0 keeps the frame on the interrupted stack (SDM 6.14.5). */
static void test_ist_cleared_rest_kept(void **state)
{
	struct hv_idt_gate g;

	(void)state;
	memcpy(&g, nmi_gate, sizeof(g));
	hv_idt_gate_set_ist(&g, 0);
	assert_int_equal(HV_IDT_GATE_IST(g.bits), 0);
	assert_int_equal(g.bits, 0x8e00);
	assert_true(hv_idt_gate_is_intr(&g));
	assert_int_equal(hv_idt_gate_offset(&g), 0xffffffff81a01540ull);
	hv_idt_gate_set_ist(&g, 9);	/* only 3 bits */
	assert_int_equal(g.bits, 0x8e01);
}

static void test_not_present_or_trap_is_not_intr(void **state)
{
	struct hv_idt_gate g;

	(void)state;
	memcpy(&g, nmi_gate, sizeof(g));
	g.bits &= (u16)~HV_IDT_GATE_PRESENT;
	assert_false(hv_idt_gate_is_intr(&g));
	memcpy(&g, nmi_gate, sizeof(g));
	g.bits = (u16)((g.bits & ~0x0f00u) | 0x0f00u);	/* trap gate */
	assert_false(hv_idt_gate_is_intr(&g));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_is_16_bytes),
		cmocka_unit_test(test_offset_read),
		cmocka_unit_test(test_offset_replaced_rest_kept),
		cmocka_unit_test(test_ist_cleared_rest_kept),
		cmocka_unit_test(test_not_present_or_trap_is_not_intr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
