/* From enabled events to the VMCS: MSR and I/O bitmap bits at the SDM's
 * offsets, control bits, exception bitmap, CR masks, the SYSCALL hook, and
 * the exact baseline once the last event is gone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/event_intercepts.h"
#include "monitor-cmds/event_vmx.h"

static struct fixture fx;
static u8 base_msr[HV_BITMAP_PAGE];
static u8 msr[HV_BITMAP_PAGE], ioa[HV_BITMAP_PAGE], iob[HV_BITMAP_PAGE];
static struct hv_intercept_base base;
static struct hv_intercepts hv;

/* A plausible debugger baseline: #DB/#BP for breakpoints, NMI exiting
 * for halting, CR4.VMXE owned by the hypervisor, its own MSRs. */
static int setup(void **state)
{
	(void)state;
	fx_init(&fx, false);
	memset(base_msr, 0, sizeof(base_msr));
	base_msr[HV_MSR_WRITE_LOW + 0x3a / 8] |= 1u << (0x3a % 8);
	base_msr[HV_MSR_READ_LOW + 0x480 / 8] |= 1u << (0x480 % 8);
	base = (struct hv_intercept_base){
		.pin_based = VMX_PIN_NMI_EXITING | VMX_PIN_VIRTUAL_NMIS,
		.proc_based = VMX_PROC_USE_MSR_BITMAPS |
			      VMX_PROC_ACTIVATE_SECONDARY,
		.proc_based2 = VMX_PROC2_ENABLE_EPT | VMX_PROC2_ENABLE_RDTSCP,
		.exit_ctls = VMX_EXIT_HOST_ADDR_SPACE_SIZE,
		.entry_ctls = VMX_ENTRY_IA32E_MODE_GUEST,
		.exception_bitmap = (1u << VMX_VECTOR_DB) |
				    (1u << VMX_VECTOR_BP),
		.pf_ec_mask = 0xf,
		.pf_ec_match = 0x5,
		.cr0_mask = 0,
		.cr4_mask = 1ull << 13,
		.msr_bitmap = base_msr,
	};
	memset(&hv, 0, sizeof(hv));
	hv.msr_bitmap = msr;
	hv.io_bitmap_a = ioa;
	hv.io_bitmap_b = iob;
	return 0;
}

static void add(const char *line)
{
	if (fx_run(&fx, line))
		fail_msg("'%s' failed: %s", line, fx.out);
}

static void compute(void)
{
	memset(msr, 0x5a, sizeof(msr));		/* stale contents */
	memset(ioa, 0x5a, sizeof(ioa));
	memset(iob, 0x5a, sizeof(iob));
	event_intercepts_compute(&fx.t, &base, &hv);
}

static bool page_zero(const u8 *p)
{
	size_t i;

	for (i = 0; i < HV_BITMAP_PAGE; i++)
		if (p[i])
			return false;
	return true;
}

/* The result equals the baseline, field by field and byte by byte. */
static void is_baseline(void)
{
	assert_int_equal(hv.pin_based, base.pin_based);
	assert_int_equal(hv.proc_based, base.proc_based);
	assert_int_equal(hv.proc_based2, base.proc_based2);
	assert_int_equal(hv.exit_ctls, base.exit_ctls);
	assert_int_equal(hv.entry_ctls, base.entry_ctls);
	assert_int_equal(hv.exception_bitmap, base.exception_bitmap);
	assert_int_equal(hv.pf_ec_mask, base.pf_ec_mask);
	assert_int_equal(hv.pf_ec_match, base.pf_ec_match);
	assert_int_equal(hv.cr0_mask, base.cr0_mask);
	assert_int_equal(hv.cr4_mask, base.cr4_mask);
	assert_false(hv.syscall_hook);
	assert_false(hv.syscall_read_opcode);
	assert_memory_equal(msr, base_msr, HV_BITMAP_PAGE);
	assert_true(page_zero(ioa));
	assert_true(page_zero(iob));
}

static void test_no_events_is_baseline(void **state)
{
	(void)state;
	compute();
	is_baseline();
}

static void test_msr_bits_at_sdm_offsets(void **state)
{
	(void)state;
	add("!msrread c0000082");	/* LSTAR: read-high 0x410 bit 2 */
	add("!msrwrite 1d9");		/* DEBUGCTL: write-low 0x83b bit 1 */
	add("!msrwrite c0000100");	/* FS_BASE: write-high 0xc20 bit 0 */
	add("!msrread 40000000");	/* outside both ranges */
	compute();
	assert_int_equal(msr[0x410], 1u << 2);
	assert_int_equal(msr[0xc20], 1u << 0);
	assert_int_equal(msr[0x83b], 1u << 1);
	assert_true(hv_msr_bitmap_test(msr, 0xc0000082, false));
	assert_false(hv_msr_bitmap_test(msr, 0xc0000082, true));
	assert_true(hv_msr_bitmap_test(msr, 0x1d9, true));
	assert_false(hv_msr_bitmap_test(msr, 0x1d9, false));
	assert_true(hv_msr_bitmap_test(msr, 0xc0000100, true));
	/* Out-of-range MSRs always exit (SDM 26.1.3): nothing to set. */
	assert_true(hv_msr_bitmap_test(msr, 0x40000000, false));
	/* Only those bits plus the baseline's. */
	msr[0x410] &= (u8)~(1u << 2);
	msr[0xc20] &= (u8)~1u;
	msr[0x83b] &= (u8)~(1u << 1);
	assert_memory_equal(msr, base_msr, HV_BITMAP_PAGE);
	assert_int_equal(hv.proc_based, base.proc_based);
}

static void test_all_msrs_with_exclusions(void **state)
{
	u32 m;

	(void)state;
	add("!msrread");
	compute();
	for (m = 0; m < 0x2000; m++) {
		bool want = m != 0xe7 && m != 0xe8;

		if (hv_msr_bitmap_test(msr, m, false) != want)
			fail_msg("read %x", m);
		if (hv_msr_bitmap_test(msr, 0xc0000000 + m, false) !=
		    (0xc0000000 + m != 0xc0000102))
			fail_msg("read %x", 0xc0000000 + m);
	}
	/* The write half keeps only the baseline's bit. */
	assert_memory_equal(msr + HV_MSR_WRITE_LOW,
			    base_msr + HV_MSR_WRITE_LOW, 0x800);

	add("!msrwrite");
	add("!msrwrite 48");	/* named: intercepted though excluded */
	compute();
	assert_true(hv_msr_bitmap_test(msr, 0x48, true));
	assert_false(hv_msr_bitmap_test(msr, 0x49, true));
	assert_false(hv_msr_bitmap_test(msr, 0xe7, true));
	assert_false(hv_msr_bitmap_test(msr, 0xe8, true));
	assert_false(hv_msr_bitmap_test(msr, 0xc0000102, true));
	assert_true(hv_msr_bitmap_test(msr, 0xc0000080, true));
	assert_true(hv_msr_bitmap_test(msr, 0x3a, true));
	/* Baseline bits survive even where "all" excludes. */
	base_msr[HV_MSR_READ_LOW + 0xe7 / 8] |= 1u << (0xe7 % 8);
	compute();
	assert_true(hv_msr_bitmap_test(msr, 0xe7, false));
}

static void test_io_bitmaps(void **state)
{
	u32 p;

	(void)state;
	add("!ioin 60");
	add("!ioout 8001");
	compute();
	assert_true(hv.proc_based & VMX_PROC_USE_IO_BITMAPS);
	assert_int_equal(ioa[0x60 / 8], 1u << 0);
	assert_int_equal(iob[0x0001 / 8], 1u << 1);
	for (p = 0; p < 0x10000; p++)
		if (hv_io_bitmap_test(ioa, iob, (u16)p) !=
		    (p == 0x60 || p == 0x8001))
			fail_msg("port %x", p);
	add("!ioin");
	compute();
	for (p = 0; p < HV_BITMAP_PAGE; p++)
		assert_true(ioa[p] == 0xff && iob[p] == 0xff);
	/* Unconditional I/O exiting without bitmaps already exits on every
	 * port; turning bitmaps on would narrow it. */
	base.proc_based |= VMX_PROC_UNCONDITIONAL_IO_EXITING;
	compute();
	assert_false(hv.proc_based & VMX_PROC_USE_IO_BITMAPS);
}

static void test_instruction_controls(void **state)
{
	(void)state;
	add("!tsc");
	compute();
	assert_int_equal(hv.proc_based,
			 base.proc_based | VMX_PROC_RDTSC_EXITING);
	add("!pmc");
	add("!dr");
	compute();
	assert_int_equal(hv.proc_based, base.proc_based |
			 VMX_PROC_RDTSC_EXITING | VMX_PROC_RDPMC_EXITING |
			 VMX_PROC_MOV_DR_EXITING);
	assert_int_equal(VMX_PROC_RDTSC_EXITING, 1u << 12);
	assert_int_equal(VMX_PROC_RDPMC_EXITING, 1u << 11);
	assert_int_equal(VMX_PROC_MOV_DR_EXITING, 1u << 23);
	add("events c all");
	/* Unconditional exits need no control. */
	add("!cpuid");
	add("!vmcall");
	add("!xsetbv");
	compute();
	is_baseline();
}

static void test_exceptions_and_interrupts(void **state)
{
	(void)state;
	add("!exception 6");
	compute();
	assert_int_equal(hv.exception_bitmap,
			 base.exception_bitmap | (1u << 6));
	assert_int_equal(hv.pf_ec_mask, 0xf);	/* #PF not involved */
	add("!exception e");
	compute();
	/* Every #PF must reach the bitmap's decision (SDM 25.6.3). */
	assert_int_equal(hv.pf_ec_mask, 0);
	assert_int_equal(hv.pf_ec_match, 0);
	add("!exception");
	compute();
	assert_int_equal(hv.exception_bitmap, 0xffffffffu);
	add("events c all");
	add("!interrupt 20");
	compute();
	assert_int_equal(hv.pin_based,
			 base.pin_based | VMX_PIN_EXTERNAL_INTERRUPT_EXITING);
	assert_int_equal(hv.exit_ctls,
			 base.exit_ctls | VMX_EXIT_ACK_INTERRUPT_ON_EXIT);
	assert_int_equal(VMX_PIN_EXTERNAL_INTERRUPT_EXITING, 1u << 0);
	assert_int_equal(VMX_EXIT_ACK_INTERRUPT_ON_EXIT, 1u << 15);
}

static void test_cr_masks(void **state)
{
	(void)state;
	add("!crwrite 0 mask 80000000");
	add("!crwrite 4 mask 80");
	compute();
	assert_int_equal(hv.cr0_mask, 0x80000000u);
	assert_int_equal(hv.cr4_mask, (1u << 13) | 0x80);
	add("!crwrite 0");
	compute();
	assert_int_equal(hv.cr0_mask, ~0ull);
}

static void test_syscall_hook(void **state)
{
	(void)state;
	add("!syscall2");
	compute();
	assert_true(hv.syscall_hook);
	assert_false(hv.syscall_read_opcode);
	assert_int_equal(hv.exception_bitmap,
			 base.exception_bitmap | (1u << 6));
	assert_true(hv.entry_ctls & VMX_ENTRY_LOAD_IA32_EFER);
	assert_true(hv.exit_ctls & VMX_EXIT_SAVE_IA32_EFER);
	assert_true(hv.exit_ctls & VMX_EXIT_LOAD_IA32_EFER);
	assert_int_equal(VMX_ENTRY_LOAD_IA32_EFER, 1u << 15);
	assert_int_equal(VMX_EXIT_SAVE_IA32_EFER, 1u << 20);
	/* EFER reads and writes are emulated so SCE looks set. */
	assert_true(hv_msr_bitmap_test(msr, VMX_MSR_IA32_EFER, false));
	assert_true(hv_msr_bitmap_test(msr, VMX_MSR_IA32_EFER, true));
	assert_int_equal(msr[HV_MSR_READ_HIGH + 0x10], 1u << 0);
	assert_int_equal(msr[HV_MSR_WRITE_HIGH + 0x10], 1u << 0);
	add("!sysret");
	compute();
	assert_true(hv.syscall_read_opcode);
	add("events d 1");
	compute();
	assert_false(hv.syscall_read_opcode);
	assert_true(hv.syscall_hook);
}

static void test_disable_and_clear_restore_baseline(void **state)
{
	(void)state;
	add("!msrread");
	add("!msrwrite c0000080");
	add("!ioout");
	add("!exception e");
	add("!interrupt");
	add("!crwrite 0");
	add("!syscall");
	add("!dr");
	compute();
	assert_false(hv.proc_based == base.proc_based);
	add("events d all");
	compute();
	is_baseline();
	add("events e all");
	add("events c 0");
	add("events c 1");
	add("events c 2");
	add("events c 3");
	add("events c 4");
	add("events c 5");
	add("events c 6");
	compute();
	assert_true(hv.proc_based & VMX_PROC_MOV_DR_EXITING);
	add("events c 7");	/* the last one */
	compute();
	is_baseline();
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_no_events_is_baseline),
		T(test_msr_bits_at_sdm_offsets),
		T(test_all_msrs_with_exclusions),
		T(test_io_bitmaps),
		T(test_instruction_controls),
		T(test_exceptions_and_interrupts),
		T(test_cr_masks),
		T(test_syscall_hook),
		T(test_disable_and_clear_restore_baseline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
