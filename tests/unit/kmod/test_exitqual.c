/* Exit-qualification and exit-reason decoding (SDM Vol. 3 28.2.1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/exitqual.h"
#include "kmod/lib/vmx_defs.h"

static void test_cr_access(void **state)
{
	struct hv_cr_access a;

	(void)state;
	hv_decode_cr(0x4, &a);			/* mov %rax, %cr4 */
	assert_int_equal(a.cr, 4);
	assert_int_equal(a.type, HV_CR_MOV_TO);
	assert_int_equal(a.gpr, HV_RAX);
	hv_decode_cr(0x313, &a);		/* mov %cr3, %rbx */
	assert_int_equal(a.cr, 3);
	assert_int_equal(a.type, HV_CR_MOV_FROM);
	assert_int_equal(a.gpr, HV_RBX);
	hv_decode_cr(0xf04, &a);		/* mov %r15, %cr4 */
	assert_int_equal(a.gpr, HV_R15);
	hv_decode_cr(0x80010030, &a);		/* lmsw $0x8001 */
	assert_int_equal(a.type, HV_CR_LMSW);
	assert_int_equal(a.lmsw_src, 0x8001);
	assert_false(a.lmsw_mem);
	hv_decode_cr(0x20, &a);			/* clts */
	assert_int_equal(a.type, HV_CR_CLTS);
	assert_int_equal(a.cr, 0);
}

static void test_ept_violation(void **state)
{
	struct hv_ept_violation v;

	(void)state;
	hv_decode_ept_violation(0x181, &v);	/* read, not present */
	assert_true(v.read);
	assert_false(v.write || v.fetch);
	assert_false(v.readable || v.writable || v.executable);
	assert_true(v.gla_valid && v.gla_translated);
	hv_decode_ept_violation(0x18a | 0x20, &v);	/* write to r-x page */
	assert_true(v.write);
	assert_true(v.readable && v.executable);
	assert_false(v.writable);
	hv_decode_ept_violation(0x1004 | 0x8, &v);	/* fetch, NMI unblock */
	assert_true(v.fetch && v.nmi_unblocking);
	assert_false(v.gla_valid || v.gla_translated);
	hv_decode_ept_violation(0x100, &v);	/* bit 8 means nothing alone */
	assert_false(v.gla_translated);
}

static void test_io(void **state)
{
	struct hv_io_access io;

	(void)state;
	hv_decode_io(0x3f80000, &io);		/* out %al, %dx to 0x3f8 */
	assert_int_equal(io.port, 0x3f8);
	assert_int_equal(io.size, 1);
	assert_false(io.in || io.string || io.rep || io.imm);
	hv_decode_io(0x00600000 | 0x3 | 0x8 | 0x10 | 0x20, &io); /* rep insd */
	assert_int_equal(io.port, 0x60);
	assert_int_equal(io.size, 4);
	assert_true(io.in && io.string && io.rep);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(hv_exit_reason_name(EXIT_CPUID), "CPUID");
	assert_string_equal(hv_exit_reason_name(EXIT_EPT_VIOLATION),
			    "EPT_VIOLATION");
	assert_string_equal(hv_exit_reason_name(EXIT_TRIPLE_FAULT),
			    "TRIPLE_FAULT");
	assert_string_equal(hv_exit_reason_name(EXIT_XSETBV), "XSETBV");
	assert_null(hv_exit_reason_name(35));	/* reserved */
	assert_null(hv_exit_reason_name(HV_EXIT_REASON_MAX));
	assert_null(hv_exit_reason_name(0xffffffffu));
	assert_non_null(strstr(hv_insn_error_text(7), "control"));
	assert_null(hv_insn_error_text(1000));
}

static void test_instruction_exits(void **state)
{
	(void)state;
	assert_true(hv_exit_is_instruction(EXIT_CPUID));
	assert_true(hv_exit_is_instruction(EXIT_VMCALL));
	assert_true(hv_exit_is_instruction(EXIT_XSETBV));
	assert_true(hv_exit_is_instruction(EXIT_RDMSR));
	/* Events, not instructions: no instruction length to trust. */
	assert_false(hv_exit_is_instruction(EXIT_EXCEPTION_NMI));
	assert_false(hv_exit_is_instruction(EXIT_EXTERNAL_INTR));
	assert_false(hv_exit_is_instruction(EXIT_TRIPLE_FAULT));
	assert_false(hv_exit_is_instruction(EXIT_EPT_VIOLATION));
	assert_false(hv_exit_is_instruction(EXIT_EPT_MISCONFIG));
	assert_false(hv_exit_is_instruction(EXIT_PREEMPT_TIMER));
	assert_false(hv_exit_is_instruction(EXIT_MTF));
	assert_false(hv_exit_is_instruction(1000));
}

static void test_entry_activity(void **state)
{
	const u32 v = HV_INTR_INFO_VALID, hlt = HV_ACTIVITY_HLT;
	const u32 hw = v | HV_INTR_TYPE_HW_EXCEPTION;

	(void)state;
	/* An active CPU stays active whatever is injected. */
	assert_int_equal(hv_entry_activity(HV_ACTIVITY_ACTIVE, hw | 6), 0);
	/* Nothing injected: the CPU goes back to its HLT. */
	assert_int_equal(hv_entry_activity(hlt, 0), hlt);
	assert_int_equal(hv_entry_activity(hlt, HV_INTR_TYPE_HW_EXCEPTION | 6),
			 hlt);
	/* What HLT accepts (SDM 26.3.1.5): external interrupt, NMI, #DB,
	 * #MC, pending MTF. */
	assert_int_equal(hv_entry_activity(hlt, v | 0xec), hlt);
	assert_int_equal(hv_entry_activity(hlt, v | (2u << 8) | 2), hlt);
	assert_int_equal(hv_entry_activity(hlt, hw | 1), hlt);
	assert_int_equal(hv_entry_activity(hlt, hw | 18), hlt);
	assert_int_equal(hv_entry_activity(hlt, v | (7u << 8)), hlt);
	/* Anything else must wake it: #UD, #GP with its code, #PF, INT3,
	 * INT n, INT1, another "other event". */
	assert_int_equal(hv_entry_activity(hlt, hw | 6), 0);
	assert_int_equal(hv_entry_activity(hlt, hw | HV_INTR_DELIVER_ERROR | 13),
			 0);
	assert_int_equal(hv_entry_activity(hlt, hw | 14), 0);
	assert_int_equal(hv_entry_activity(hlt, v | (6u << 8) | 3), 0);
	assert_int_equal(hv_entry_activity(hlt, v | (4u << 8) | 0x80), 0);
	assert_int_equal(hv_entry_activity(hlt, v | (5u << 8) | 1), 0);
	assert_int_equal(hv_entry_activity(hlt, v | (7u << 8) | 1), 0);
}

/* SDM 28.3.4: clear after a fault-like exit, but kept under MOV SS. */
static void test_ept_violation_pending_dbg(void **state)
{
	const u64 bs = 1ull << 14, b0_en = (1ull << 12) | 1;

	(void)state;
	assert_int_equal(hv_ept_violation_pending_dbg(0, bs), 0);
	assert_int_equal(hv_ept_violation_pending_dbg(0, bs | b0_en), 0);
	assert_int_equal(hv_ept_violation_pending_dbg(HV_BLOCK_BY_STI, bs), 0);
	assert_int_equal(hv_ept_violation_pending_dbg(HV_BLOCK_BY_NMI, bs), 0);
	assert_int_equal(hv_ept_violation_pending_dbg(0, 0), 0);
	assert_int_equal(hv_ept_violation_pending_dbg(HV_BLOCK_BY_MOVSS, bs),
			 bs);
	assert_int_equal(hv_ept_violation_pending_dbg(HV_BLOCK_BY_MOVSS |
						      HV_BLOCK_BY_STI, b0_en),
			 b0_en);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr_access),
		cmocka_unit_test(test_ept_violation),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_instruction_exits),
		cmocka_unit_test(test_entry_activity),
		cmocka_unit_test(test_ept_violation_pending_dbg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
