/*
 * vmx_describe: the text of the `cpu` monitor command (kmod/lib/
 * vmx_describe.c) for capability MSR sets like Bochs 2.7's, like recent
 * hardware's, and one hvgdb refuses: exact lines for the fields hvgdb
 * relies on, the shape of every line, and agreement with hv_caps_decode().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/vmx_caps.h"
#include "kmod/lib/vmx_describe.h"

#define CAP(must1, may1) (((u64)(may1) << 32) | (u32)(must1))
#define MAX_LINES 256

static char lines[MAX_LINES][HV_VMX_LINE_MAX];
static int nlines;

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(nlines < MAX_LINES);
	/* Shorter than the buffer: nothing was cut. */
	assert_true(strlen(line) < HV_VMX_LINE_MAX - 1);
	strcpy(lines[nlines++], line);
}

static void describe(const struct hv_vmx_msrs *m)
{
	nlines = 0;
	hv_vmx_describe(m, collect, NULL);
}

static int find(const char *want)
{
	int i;

	for (i = 0; i < nlines; i++)
		if (!strcmp(lines[i], want))
			return i;
	return -1;
}

static void has(const char *want)
{
	int i;

	if (find(want) >= 0)
		return;
	for (i = 0; i < nlines; i++)
		fprintf(stderr, "%s\n", lines[i]);
	fail_msg("missing line: \"%s\"", want);
}

/* The line that starts with prefix (the field's "[bit] name: "). */
static const char *field(const char *prefix)
{
	int i;

	for (i = 0; i < nlines; i++)
		if (!strncmp(lines[i], prefix, strlen(prefix)))
			return lines[i];
	fail_msg("no line starts with \"%s\"", prefix);
	return NULL;
}

/*
 * Like Bochs 2.7's corei7_skylake_x: IA32_VMX_BASIC as read in the test
 * VM, the control MSRs of test_vmx_caps.c (no MTF, no "save
 * VMX-preemption timer value") with the exit controls' default1 bits
 * (SDM A.4), MISC and EPT/VPID as Bochs's source builds them (timer rate
 * 0, 4 CR3 targets; execute-only, 2M/1G pages, A/D, the INVVPID types).
 * Only IA32_VMX_BASIC was read from the VM: the rest is a model.
 */
static void bochs_like(struct hv_vmx_msrs *m)
{
	memset(m, 0, sizeof(*m));
	m->feature_control = HV_FC_LOCK | HV_FC_VMX_OUTSIDE_SMX;
	m->basic = 0xd810000000002bULL;
	m->pin = CAP(0x16, 0x7f);
	m->true_pin = CAP(0x16, 0x7f);
	m->proc = CAP(0x0401e172, 0xf7f9fffe);
	m->true_proc = CAP(0x04006172, 0xf7f9fffe);
	m->proc2 = CAP(0, HV_PROC2_EPT | HV_PROC2_RDTSCP | HV_PROC2_VPID |
		       HV_PROC2_UNRESTRICTED | HV_PROC2_INVPCID |
		       HV_PROC2_XSAVES);
	m->exit = CAP(0x00036dff, 0x003fffff);
	m->true_exit = CAP(0x00036dfb, 0x003fffff);
	m->entry = CAP(0x000011ff, 0x0000ffff);
	m->true_entry = CAP(0x000011fb, 0x0000ffff);
	m->misc = HV_MISC_STORE_LMA | HV_MISC_ACT_HLT | HV_MISC_ACT_SHUTDOWN |
		  HV_MISC_ACT_WAIT_SIPI | 0x40000;	/* 4 CR3 targets */
	m->ept_vpid = HV_EPTCAP_XONLY | HV_EPTCAP_WALK4 | HV_EPTCAP_UC |
		      HV_EPTCAP_WB | HV_EPTCAP_2M | HV_EPTCAP_1G |
		      HV_EPTCAP_INVEPT | HV_EPTCAP_AD |
		      HV_EPTCAP_INVEPT_SINGLE | HV_EPTCAP_INVEPT_ALL |
		      HV_VPIDCAP_INVVPID | HV_VPIDCAP_INVVPID_ADDR |
		      HV_VPIDCAP_INVVPID_SINGLE | HV_VPIDCAP_INVVPID_ALL |
		      HV_VPIDCAP_INVVPID_SINGLE_NG;
}

/* Recent hardware: MTF, the timer with its save control, rate 5. */
static void hw_like(struct hv_vmx_msrs *m)
{
	bochs_like(m);
	m->true_proc |= (u64)HV_PROC_MTF << 32;
	m->true_exit |= (u64)HV_EXIT_SAVE_PREEMPT_TIMER << 32;
	m->misc |= 5;
}

/* A CPU with the bare minimum: no timer, no virtual NMIs, EPT without
 * execute-only, 1 GiB pages or a write-back EPTP, one type of each
 * invalidation. */
static void minimal(struct hv_vmx_msrs *m)
{
	bochs_like(m);
	m->true_pin = CAP(0x16, 0x1f);		/* no virtual NMIs, no timer */
	m->true_proc &= ~((u64)HV_PROC_NMI_WINDOW << 32);
	m->proc2 = CAP(0, HV_PROC2_EPT | HV_PROC2_VPID);
	m->misc = 5;
	m->ept_vpid = HV_EPTCAP_WALK4 | HV_EPTCAP_UC | HV_EPTCAP_2M |
		      HV_EPTCAP_INVEPT | HV_EPTCAP_INVEPT_SINGLE |
		      HV_VPIDCAP_INVVPID | HV_VPIDCAP_INVVPID_SINGLE;
}

static void test_bochs_like(void **state)
{
	struct hv_vmx_msrs m;

	(void)state;
	bochs_like(&m);
	describe(&m);
	assert_string_equal(lines[0], "IA32_FEATURE_CONTROL (0x3a) = "
			    "0x0000000000000005");
	has("  [0] lock: set -> required (VMXON faults without it)");
	has("  [1] VMX in SMX operation: not set");
	has("  [2] VMX outside SMX operation: set -> required (hvgdb runs VMX "
	    "outside SMX)");
	has("  [14:8] SENTER local function enables: 0x0");
	has("  [15] SENTER global enable: not set");
	has("IA32_VMX_BASIC (0x480) = 0x00d810000000002b");
	has("  [30:0] VMCS revision identifier: 0x2b -> written at the start "
	    "of the VMXON region and each VMCS");
	has("  [44:32] VMXON region and VMCS size: 0x1000 bytes -> fits the "
	    "page hvgdb gives each");
	has("  [53:50] memory type of VMX structures: 0x6 (write-back) -> "
	    "required");
	has("  [55] TRUE control MSRs: supported -> required (their allowed-0 "
	    "settings let CR3 exiting be off)");
	/* The TRUE MSRs are the ones decoded. */
	has("IA32_VMX_TRUE_PINBASED_CTLS (0x48d) = 0x0000007f00000016");
	assert_int_equal(find("IA32_VMX_PINBASED_CTLS (0x481) = "
			      "0x0000007f00000016"), -1);
	has("  [3] NMI exiting: may be 0 or 1 -> with virtual NMIs and "
	    "NMI-window exiting: gdb halts every CPU");
	has("  [6] activate VMX-preemption timer: may be 0 or 1 -> gdb is "
	    "polled from VMX root (poll=auto)");
	has("  [7] process posted interrupts: must be 0 (not supported)");
	has("  other bits: must be 1 0x16; may be 0 or 1 0x0");
	has("IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) = 0xf7f9fffe04006172");
	has("  [15] CR3-load exiting: may be 0 or 1 -> off: the kernel "
	    "switches address spaces without exits");
	has("  [27] monitor trap flag: must be 0 (not supported) -> "
	    "single-steps use RFLAGS.TF with #DB intercepted");
	has("  [28] use MSR bitmaps: may be 0 or 1 -> required; !msrread, "
	    "!msrwrite");
	has("  [1] enable EPT: may be 0 or 1 -> required: hvgdb's identity "
	    "map, breakpoint views, MMIO mapped on demand");
	has("  [5] enable VPID: may be 0 or 1 -> set: the guest's TLB entries "
	    "(VPID 1) survive VM exits");
	has("  [7] unrestricted guest: may be 0 or 1 -> left off (the kernel "
	    "runs in long mode)");
	has("IA32_VMX_TRUE_EXIT_CTLS (0x48f) = 0x003fffff00036dfb");
	has("  [2] save debug controls: may be 0 or 1 -> set: the guest's DR7 "
	    "and IA32_DEBUGCTL are saved in the VMCS");
	has("  [22] save VMX-preemption timer value: must be 0 (not "
	    "supported) -> each exit on the polling CPU re-arms the timer "
	    "with what is left of the period");
	has("  other bits: must be 1 0x36dfb; may be 0 or 1 0x0");
	has("IA32_VMX_TRUE_ENTRY_CTLS (0x490) = 0x0000ffff000011fb");
	has("  [9] IA-32e mode guest: may be 0 or 1 -> required (the kernel "
	    "runs in 64-bit mode)");
	has("IA32_VMX_MISC (0x485) = 0x00000000000401e0");
	has("  [4:0] VMX-preemption timer rate: 0x0 (one tick per 0x1 TSC "
	    "ticks) -> scales the gdb poll's timer count");
	has("  [6] HLT activity state: supported -> a HLT hvgdb emulates "
	    "with nothing to inject leaves the CPU halted");
	has("  [24:16] CR3-target values: 0x4");
	has("  [27:25] recommended maximum of MSR-list entries: 0x200");
	has("IA32_VMX_EPT_VPID_CAP (0x48c) = 0x00000f0106334141");
	has("  [0] execute-only EPT translations: supported -> software "
	    "breakpoints (Z0) hidden from reads; read/access watchpoints "
	    "(Z3, Z4)");
	has("  [6] page-walk length 4: supported -> required (hvgdb's EPT has "
	    "4 levels)");
	has("  [7] page-walk length 5: not supported");
	has("  [17] 1-GiB EPT pages: supported -> the identity map uses 1-GiB "
	    "leaves where the memory type is uniform");
	has("  [21] accessed and dirty flags for EPT: supported");
	has("  [26] all-context INVEPT: supported -> used to flush EPT changes");
	has("  [41] single-context INVVPID: supported -> used to flush VPID 1");
	assert_string_equal(lines[nlines - 1], "  [43] single-context-retaining-"
			    "globals INVVPID: supported");
}

/* What MTF, the timer's save control and a timer rate change. */
static void test_hardware_like(void **state)
{
	struct hv_vmx_msrs m;

	(void)state;
	hw_like(&m);
	describe(&m);
	has("  [27] monitor trap flag: may be 0 or 1 -> single-steps use MTF");
	has("  [22] save VMX-preemption timer value: may be 0 or 1 -> the gdb "
	    "poll's count runs on across other exits");
	has("  [4:0] VMX-preemption timer rate: 0x5 (one tick per 0x20 TSC "
	    "ticks) -> scales the gdb poll's timer count");
}

/* Missing features: each line says what hvgdb does without it. */
static void test_minimal(void **state)
{
	struct hv_vmx_msrs m;

	(void)state;
	minimal(&m);
	describe(&m);
	has("  [5] virtual NMIs: must be 0 (not supported) -> only the CPU "
	    "that talks to gdb halts");
	has("  [22] NMI-window exiting: must be 0 (not supported) -> only the "
	    "CPU that talks to gdb halts");
	/* NMI exiting itself is there: its line says what it needs. */
	has("  [3] NMI exiting: may be 0 or 1 -> with virtual NMIs and "
	    "NMI-window exiting: gdb halts every CPU");
	has("  [6] activate VMX-preemption timer: must be 0 (not supported) -> "
	    "gdb is polled by a guest hrtimer's VMCALL; poll=preempt refuses "
	    "to load");
	/* No timer: its rate does not matter to hvgdb. */
	has("  [4:0] VMX-preemption timer rate: 0x5 (one tick per 0x20 TSC "
	    "ticks)");
	has("  [27] monitor trap flag: must be 0 (not supported) -> "
	    "single-steps use RFLAGS.TF with #DB intercepted");
	has("  [3] enable RDTSCP: must be 0 (not supported)");
	has("  [0] execute-only EPT translations: not supported -> software "
	    "breakpoints (Z0) and read/access watchpoints (Z3, Z4) are "
	    "refused; hardware ones remain");
	has("  [14] write-back EPT paging structures: not supported -> the EPT "
	    "pointer uses uncacheable");
	has("  [17] 1-GiB EPT pages: not supported -> the identity map uses "
	    "2-MiB leaves at most");
	has("  [25] single-context INVEPT: supported -> used when all-context "
	    "INVEPT is not supported");
	has("  [26] all-context INVEPT: not supported");
	has("  [42] all-context INVVPID: not supported");
	has("  [6] HLT activity state: not supported");
}

/* A CPU hvgdb refuses: the lines say why, the legacy MSRs are decoded. */
static void test_refused(void **state)
{
	struct hv_vmx_msrs m;

	(void)state;
	bochs_like(&m);
	m.feature_control = HV_FC_VMX_IN_SMX | HV_FC_SENTER_GLOBAL | 0x7f00;
	/* UC, 32-bit addresses, more than a page (the SDM says at most
	 * 4096: a check that costs nothing). */
	m.basic = HV_BASIC_32BIT_ADDR | 0x180000000012ULL;
	m.proc = CAP(0x0401e172, 0x7ff9fffe);	/* no secondary controls */
	m.pin = CAP(0x16 | HV_PIN_POSTED_INTR, 0x1f);	/* inconsistent */
	describe(&m);
	has("IA32_FEATURE_CONTROL (0x3a) = 0x000000000000ff02");
	has("  [0] lock: not set -> hvgdb refuses to load: the BIOS left VMX "
	    "unconfigured");
	has("  [1] VMX in SMX operation: set");
	has("  [2] VMX outside SMX operation: not set -> hvgdb refuses to "
	    "load: VMXON faults");
	has("  [14:8] SENTER local function enables: 0x7f");
	has("  [15] SENTER global enable: set");
	has("  [44:32] VMXON region and VMCS size: 0x1800 bytes -> hvgdb "
	    "refuses to load: more than a page");
	has("  [48] address width of VMX structures: 32 bits -> hvgdb refuses "
	    "to load");
	has("  [53:50] memory type of VMX structures: 0x0 (uncacheable) -> "
	    "hvgdb refuses to load: write-back required");
	has("  [55] TRUE control MSRs: not supported -> hvgdb refuses to load");
	has("IA32_VMX_PINBASED_CTLS (0x481) = 0x0000001f00000096");
	has("  [7] process posted interrupts: inconsistent (must be 1, cannot "
	    "be 1)");
	has("IA32_VMX_PROCBASED_CTLS (0x482) = 0x7ff9fffe0401e172");
	has("  [15] CR3-load exiting: must be 1 -> every MOV to CR3 exits");
	has("  [16] CR3-store exiting: must be 1 -> every MOV from CR3 exits");
	has("  [31] activate secondary controls: must be 0 (not supported) -> "
	    "hvgdb refuses to load");
	has("IA32_VMX_PROCBASED_CTLS2 (0x48b): not present (no secondary "
	    "controls) -> hvgdb refuses to load: EPT is a secondary control");
	has("IA32_VMX_EXIT_CTLS (0x483) = 0x003fffff00036dff");
	has("IA32_VMX_ENTRY_CTLS (0x484) = 0x0000ffff000011ff");
	assert_string_equal(lines[nlines - 1], "IA32_VMX_EPT_VPID_CAP (0x48c): "
			    "not present (neither EPT nor VPID) -> hvgdb "
			    "refuses to load: no EPT");
	/* The EPT capability MSR exists for VPID alone. */
	bochs_like(&m);
	m.proc2 = CAP(0, HV_PROC2_VPID);
	describe(&m);
	has("IA32_VMX_EPT_VPID_CAP (0x48c) = 0x00000f0106334141");
	has("  [1] enable EPT: must be 0 (not supported) -> hvgdb refuses to "
	    "load");
}

/* Every line is a header or a field, the MSRs come in order, and the
 * fields of each in ascending bit order. */
static void check_shape(void)
{
	static const char *const order[] = {
		"IA32_FEATURE_CONTROL ", "IA32_VMX_BASIC ", "PINBASED_CTLS ",
		"PROCBASED_CTLS ", "IA32_VMX_PROCBASED_CTLS2 ", "EXIT_CTLS ",
		"ENTRY_CTLS ", "IA32_VMX_MISC ", "IA32_VMX_EPT_VPID_CAP ",
	};
	unsigned int hdr = 0;
	int i, last = -1, hi, lo;

	for (i = 0; i < nlines; i++) {
		const char *l = lines[i];

		if (!strncmp(l, "IA32_", 5)) {
			assert_true(hdr < ARRAY_SIZE(order));
			if (!strstr(l, order[hdr]))
				fail_msg("header %u: %s", hdr, l);
			assert_true(strstr(l, ") = 0x") ||
				    strstr(l, "): not present ("));
			hdr++;
			last = -1;
			continue;
		}
		if (!strncmp(l, "  other bits: must be 1 0x", 26))
			continue;
		if (sscanf(l, "  [%d:%d] ", &hi, &lo) == 2)
			assert_true(hi > lo);
		else if (sscanf(l, "  [%d] ", &lo) == 1)
			hi = lo;
		else
			fail_msg("line %d: %s", i, l);
		assert_true(lo > last && hi < 64);
		last = hi;
		/* "name: value", and an effect only after " -> ". */
		assert_non_null(strstr(l, ": "));
		assert_null(strstr(strstr(l, " -> ") ? strstr(l, " -> ") + 4 :
				   l, " -> "));
	}
	assert_int_equal(hdr, ARRAY_SIZE(order));
}

static void test_shape(void **state)
{
	void (*sets[])(struct hv_vmx_msrs *) = { bochs_like, hw_like, minimal };
	struct hv_vmx_msrs m;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		sets[i](&m);
		describe(&m);
		check_shape();
	}
	bochs_like(&m);
	m.basic &= ~HV_BASIC_TRUE_CTLS;
	m.proc &= ~((u64)HV_PROC_SECONDARY << 32);
	describe(&m);
	check_shape();
}

/* The text agrees with what hvgdb decides from the same MSRs. */
static void test_agrees_with_caps(void **state)
{
	void (*sets[])(struct hv_vmx_msrs *) = { bochs_like, hw_like, minimal };
	struct hv_vmx_msrs m;
	struct hv_caps c;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		sets[i](&m);
		hv_caps_decode(&m, &c);
		describe(&m);
		assert_int_equal(c.mtf, !strstr(field("  [27] monitor trap "
						      "flag: "), "must be 0"));
		assert_int_equal(c.preempt_timer,
				 !strstr(field("  [6] activate VMX-preemption "
					       "timer: "), "must be 0"));
		assert_int_equal(c.preempt_save,
				 !strstr(field("  [22] save VMX-preemption "
					       "timer value: "), "must be 0"));
		assert_int_equal(c.vnmi, !strstr(field("  [5] virtual NMIs: "),
						 "must be 0"));
		assert_int_equal(c.ept_1g, !strstr(field("  [17] 1-GiB EPT "
							 "pages: "), "not "));
		assert_int_equal(c.ept_wb, !strstr(field("  [14] write-back EPT "
							 "paging"), "not "));
		assert_int_equal(c.invvpid_single,
				 !strstr(field("  [41] single-context INVVPID: "),
					 "not "));
		assert_int_equal(!!(m.ept_vpid & HV_EPTCAP_XONLY),
				 !strstr(field("  [0] execute-only EPT "), "not "));
	}
}

/* Pure: the same MSRs give the same text. */
static void test_repeatable(void **state)
{
	static char first[MAX_LINES][HV_VMX_LINE_MAX];
	struct hv_vmx_msrs m;
	int n;

	(void)state;
	hw_like(&m);
	describe(&m);
	n = nlines;
	memcpy(first, lines, sizeof(first));
	describe(&m);
	assert_int_equal(n, nlines);
	assert_memory_equal(first, lines, sizeof(first));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bochs_like),
		cmocka_unit_test(test_hardware_like),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_agrees_with_caps),
		cmocka_unit_test(test_repeatable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
