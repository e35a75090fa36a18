/* Control adjustment, load-time checks and capability decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_caps.h"
#include "kmod/lib/vmx_defs.h"

#define CAP(must1, may1) (((u64)(may1) << 32) | (u32)(must1))

/*
 * Facts like Bochs 2.7 corei7_skylake_x reports them (IA32_VMX_BASIC as
 * read in the test VM); control MSRs simplified to what matters here.
 */
static void good_facts(struct hv_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->vendor[0] = 0x756e6547;	/* Genu */
	f->vendor[1] = 0x49656e69;	/* ineI */
	f->vendor[2] = 0x6c65746e;	/* ntel */
	f->cpuid1_ecx = 1u << 5;
	f->msrs.feature_control = HV_FC_LOCK | HV_FC_VMX_OUTSIDE_SMX;
	f->cr4 = 0x3706f0;
	f->msrs.basic = 0xd810000000002bULL;
	f->msrs.true_pin = CAP(0x16, 0x7f);
	f->msrs.proc = CAP(0x0401e172, 0xf7f9fffe);
	f->msrs.true_proc = CAP(0x04006172, 0xf7f9fffe);
	f->msrs.proc2 = CAP(0, HV_PROC2_EPT | HV_PROC2_RDTSCP | HV_PROC2_VPID |
			    HV_PROC2_UNRESTRICTED | HV_PROC2_INVPCID |
			    HV_PROC2_XSAVES);
	f->msrs.true_exit = CAP(0x000011fb, 0x003fffff);
	f->msrs.true_entry = CAP(0x000011fb, 0x0000ffff);
	f->msrs.ept_vpid = HV_EPTCAP_WALK4 | HV_EPTCAP_WB | HV_EPTCAP_2M |
			   HV_EPTCAP_1G | HV_EPTCAP_INVEPT |
			   HV_EPTCAP_INVEPT_ALL | HV_EPTCAP_INVEPT_SINGLE |
			   HV_VPIDCAP_INVVPID | HV_VPIDCAP_INVVPID_ALL;
	f->msrs.misc = 0;	/* preemption timer rate 0, as in Bochs */
}

static void test_adjust(void **state)
{
	u32 v;

	(void)state;
	/* Must-be-one bits are forced on. */
	assert_int_equal(hv_adjust_ctl(CAP(0x16, 0xff), 0, 0, &v), 0);
	assert_int_equal(v, 0x16);
	/* Optional bits only where allowed. */
	assert_int_equal(hv_adjust_ctl(CAP(0, 0x0f), 0x1, 0x30, &v), 0);
	assert_int_equal(v, 0x1);
	assert_int_equal(hv_adjust_ctl(CAP(0, 0xff), 0x1, 0x30, &v), 0);
	assert_int_equal(v, 0x31);
	/* A required bit the CPU cannot set is an error. */
	assert_int_equal(hv_adjust_ctl(CAP(0, 0x0f), 0x10, 0, &v), -1);
	/* An MSR whose must-be-one bits are not allowed is inconsistent. */
	assert_int_equal(hv_adjust_ctl(CAP(0x100, 0xff), 0, 0, &v), -1);
}

static void test_good_facts_pass(void **state)
{
	struct hv_facts f;

	(void)state;
	good_facts(&f);
	assert_int_equal(hv_check_facts(&f), HV_OK);
}

static void test_each_refusal(void **state)
{
	static const struct { const char *fake; enum hv_refusal want; } t[] = {
		{ "intel", HV_REFUSE_NOT_INTEL },
		{ "vmx", HV_REFUSE_NO_VMX },
		{ "fclock", HV_REFUSE_FC_UNLOCKED },
		{ "fcvmx", HV_REFUSE_FC_VMX_OFF },
		{ "vmxe", HV_REFUSE_VMXE_SET },
		{ "basic", HV_REFUSE_BASIC_MEMTYPE },
		{ "ept", HV_REFUSE_NO_EPT },
	};
	struct hv_facts f;
	struct hv_caps caps;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		good_facts(&f);
		assert_true(hv_facts_fake(&f, t[i].fake));
		assert_int_equal(hv_check_facts(&f), t[i].want);
		assert_true(strlen(hv_refusal_text(t[i].want)) > 10);
	}
	/* A capability, not a requirement: hvgdb loads without it. */
	good_facts(&f);
	f.msrs.proc |= (u64)HV_PROC_MTF << 32;
	f.msrs.true_proc |= (u64)HV_PROC_MTF << 32;
	hv_caps_decode(&f.msrs, &caps);
	assert_true(caps.mtf);
	assert_true(hv_facts_fake(&f, "mtf"));
	assert_int_equal(hv_check_facts(&f), HV_OK);
	hv_caps_decode(&f.msrs, &caps);
	assert_false(caps.mtf);
	good_facts(&f);
	assert_false(hv_facts_fake(&f, "nonsense"));
	assert_false(hv_facts_fake(&f, "vmx2"));
	assert_int_equal(hv_check_facts(&f), HV_OK);
	/* Conditions the fake hook does not cover. */
	good_facts(&f);
	f.msrs.basic &= ~HV_BASIC_TRUE_CTLS;
	assert_int_equal(hv_check_facts(&f), HV_REFUSE_BASIC_NO_TRUE);
	good_facts(&f);
	f.msrs.basic |= HV_BASIC_32BIT_ADDR;
	assert_int_equal(hv_check_facts(&f), HV_REFUSE_BASIC_32BIT);
	good_facts(&f);
	f.msrs.ept_vpid &= ~HV_EPTCAP_WALK4;
	assert_int_equal(hv_check_facts(&f), HV_REFUSE_EPT_WALK);
	good_facts(&f);
	f.msrs.true_exit = CAP(0, 0xff);	/* no host address-space size */
	assert_int_equal(hv_check_facts(&f), HV_REFUSE_CONTROLS);
}

static void test_controls_policy(void **state)
{
	struct hv_facts f;
	struct hv_ctls c;

	(void)state;
	good_facts(&f);
	assert_int_equal(hv_ctls_compute(&f.msrs, &c), HV_OK);
	/* TRUE MSRs let CR3 load/store exiting be 0: no CR3 exits. */
	assert_false(c.proc & (HV_PROC_CR3_LOAD | HV_PROC_CR3_STORE));
	assert_false(c.proc & HV_PROC_HLT_EXITING);
	assert_true(c.proc & HV_PROC_USE_MSR_BITMAPS);
	assert_true(c.proc & HV_PROC_SECONDARY);
	assert_int_equal(c.proc2, HV_PROC2_EPT | HV_PROC2_RDTSCP |
			 HV_PROC2_VPID | HV_PROC2_INVPCID | HV_PROC2_XSAVES);
	assert_false(c.pin & (HV_PIN_EXT_INTR_EXITING | HV_PIN_NMI_EXITING));
	assert_int_equal(c.pin, 0x16);		/* must-be-one bits only */
	assert_true(c.exit & HV_EXIT_HOST_ADDR64);
	assert_true(c.exit & HV_EXIT_LOAD_EFER);
	assert_false(c.exit & HV_EXIT_ACK_INTR);
	assert_true(c.entry & HV_ENTRY_IA32E);
	assert_true(c.entry & HV_ENTRY_LOAD_PAT);
	assert_int_equal(c.exception_bitmap, 0);
	/* Without XSAVES/VPID support they are simply left out. */
	f.msrs.proc2 = CAP(0, HV_PROC2_EPT | HV_PROC2_RDTSCP);
	assert_int_equal(hv_ctls_compute(&f.msrs, &c), HV_OK);
	assert_int_equal(c.proc2, HV_PROC2_EPT | HV_PROC2_RDTSCP);
	/* No PAT saving on exit: do not load it on entry either. */
	f.msrs.true_exit = CAP(0x000011fb, 0x003fffff & ~HV_EXIT_SAVE_PAT);
	assert_int_equal(hv_ctls_compute(&f.msrs, &c), HV_OK);
	assert_false(c.entry & HV_ENTRY_LOAD_PAT);
}

static void test_caps_decode(void **state)
{
	struct hv_facts f;
	struct hv_caps c;

	(void)state;
	good_facts(&f);
	hv_caps_decode(&f.msrs, &c);
	assert_int_equal(c.revision, 0x2b);
	assert_int_equal(c.region_size, 4096);
	assert_true(c.true_ctls);
	assert_true(c.ept && c.ept_1g && c.ept_2m && c.ept_wb);
	assert_true(c.vpid && c.invvpid_all);
	assert_false(c.invvpid_single);
	assert_true(c.invept_all && c.invept_single);
	assert_true(c.unrestricted);
	assert_false(c.mtf);			/* Bochs 2.7: no MTF */
	assert_true(c.preempt_timer);
	assert_int_equal(c.preempt_rate, 0);
	assert_false(c.preempt_save);	/* exit allowed-1 bit 22 clear */
	f.msrs.true_exit |= (u64)HV_EXIT_SAVE_PREEMPT_TIMER << 32;
	hv_caps_decode(&f.msrs, &c);
	assert_true(c.preempt_save);
	f.msrs.true_proc |= (u64)HV_PROC_MTF << 32;
	f.msrs.misc = 5;
	hv_caps_decode(&f.msrs, &c);
	assert_true(c.mtf);
	assert_int_equal(c.preempt_rate, 5);
	/* No secondary controls: no EPT whatever the MSR says. */
	f.msrs.true_proc &= ~((u64)HV_PROC_SECONDARY << 32);
	hv_caps_decode(&f.msrs, &c);
	assert_false(c.ept || c.vpid || c.ept_1g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adjust),
		cmocka_unit_test(test_good_facts_pass),
		cmocka_unit_test(test_each_refusal),
		cmocka_unit_test(test_controls_policy),
		cmocka_unit_test(test_caps_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
