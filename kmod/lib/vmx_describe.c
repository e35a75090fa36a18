// SPDX-License-Identifier: GPL-2.0
/*
 * vmx_describe.c - the `cpu` monitor command's decode of the VT-x
 * capability MSRs (see vmx_describe.h for the contract and the format).
 *
 * Field names and positions follow the SDM (Vol. 3 appendix A, tables
 * 25-5 to 25-7, 25-13 and 25-15 for the controls; Vol. 4 table 2-2 for
 * IA32_FEATURE_CONTROL).  The "->" texts say what hvgdb does with a
 * field, from the code that uses it: vmx_caps.c (load checks and control
 * policy), debug/step.c (MTF or TF), debug/gdb_main.c (NMI halting),
 * debug/gdb_link.c (the preemption-timer poll), debug/bp.c (execute-only
 * views), vmx/ept_host.c and vmx/vmx.c (EPT leaves, INVEPT, INVVPID) and
 * the events' intercepts.  Freestanding: no snprintf, one line buffer.
 */
#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/vmx_describe.h"
#include "kmod/lib/linebuf.h"

/* One field: a flag, or a control bit; mask is its single bit. */
struct vd_bit {
	u64 mask;
	const char *name;
	const char *yes;	/* set / may be 1: what hvgdb does with it */
	const char *no;		/* clear / must be 0: what that rules out */
	const char *forced;	/* a control that must be 1 (else: yes) */
};

/* A field hvgdb does not use; one it uses; a control hvgdb wants off. */
#define FLAG(m, n)		{ m, n, NULL, NULL, NULL }
#define USED(m, n, y, no)	{ m, n, y, no, NULL }
#define FORCED(m, n, y, f)	{ m, n, y, NULL, f }

#define REFUSED		"hvgdb refuses to load"
#define HALT_ALL	": gdb halts every CPU"
#define HALT_ONE	"only the CPU that talks to gdb halts"
#define HOLD_IRQ	": interrupts are held during single-steps; !interrupt"
#define NO_HOLD_IRQ	"interrupts are not held during single-steps; !interrupt never fires"

static const struct vd_bit vd_fc[] = {
	USED(HV_FC_LOCK, "lock", "required (VMXON faults without it)",
	     REFUSED ": the BIOS left VMX unconfigured"),
	FLAG(HV_FC_VMX_IN_SMX, "VMX in SMX operation"),
	USED(HV_FC_VMX_OUTSIDE_SMX, "VMX outside SMX operation",
	     "required (hvgdb runs VMX outside SMX)",
	     REFUSED ": VMXON faults"),
};

static const struct vd_bit vd_fc_senter[] = {
	FLAG(HV_FC_SENTER_GLOBAL, "SENTER global enable"),
};

static const struct vd_bit vd_basic[] = {
	FLAG(HV_BASIC_DUAL_MONITOR, "dual-monitor treatment of SMIs and SMM"),
};

static const struct vd_bit vd_basic2[] = {
	USED(HV_BASIC_INOUT_INFO, "instruction information on INS/OUTS exits",
	     "!ioin and !ioout emulate INS/OUTS with its address size and segment",
	     "!ioin and !ioout emulate INS/OUTS without a reported address size and segment"),
	USED(HV_BASIC_TRUE_CTLS, "TRUE control MSRs",
	     "required (their allowed-0 settings let CR3 exiting be off)",
	     REFUSED),
	FLAG(HV_BASIC_ANY_ERRCODE,
	     "VM entry delivers hardware exceptions with any error-code setting"),
};

static const struct vd_bit vd_pin[] = {
	USED(HV_PIN_EXT_INTR_EXITING, "external-interrupt exiting",
	     "with acknowledge interrupt on exit" HOLD_IRQ, NO_HOLD_IRQ),
	USED(HV_PIN_NMI_EXITING, "NMI exiting",
	     "with virtual NMIs and NMI-window exiting" HALT_ALL, HALT_ONE),
	USED(HV_PIN_VIRTUAL_NMIS, "virtual NMIs",
	     "with NMI exiting and NMI-window exiting" HALT_ALL, HALT_ONE),
	USED(HV_PIN_PREEMPT_TIMER, "activate VMX-preemption timer",
	     "gdb is polled from VMX root (poll=auto)",
	     "gdb is polled by a guest hrtimer's VMCALL; poll=preempt refuses to load"),
	FLAG(HV_PIN_POSTED_INTR, "process posted interrupts"),
};

static const struct vd_bit vd_proc[] = {
	USED(HV_PROC_INTR_WINDOW, "interrupt-window exiting",
	     "interrupts held for a single-step are delivered when the guest can take them", NULL),
	FLAG(HV_PROC_TSC_OFFSET, "use TSC offsetting"),
	USED(HV_PROC_HLT_EXITING, "HLT exiting",
	     "on while interrupts are held for a single-step (wakes a CPU in HLT)", NULL),
	FLAG(HV_PROC_INVLPG_EXITING, "INVLPG exiting"),
	FLAG(HV_PROC_MWAIT_EXITING, "MWAIT exiting"),
	USED(HV_PROC_RDPMC_EXITING, "RDPMC exiting", "!pmc",
	     "!pmc cannot be used"),
	USED(HV_PROC_RDTSC_EXITING, "RDTSC exiting", "!tsc",
	     "!tsc cannot be used"),
	FORCED(HV_PROC_CR3_LOAD, "CR3-load exiting",
	       "off: the kernel switches address spaces without exits",
	       "every MOV to CR3 exits"),
	FORCED(HV_PROC_CR3_STORE, "CR3-store exiting",
	       "off: reading CR3 does not exit",
	       "every MOV from CR3 exits"),
	FLAG(HV_PROC_TERTIARY, "activate tertiary controls"),
	FLAG(HV_PROC_CR8_LOAD, "CR8-load exiting"),
	FLAG(HV_PROC_CR8_STORE, "CR8-store exiting"),
	FLAG(HV_PROC_TPR_SHADOW, "use TPR shadow"),
	USED(HV_PROC_NMI_WINDOW, "NMI-window exiting",
	     "with NMI exiting and virtual NMIs" HALT_ALL, HALT_ONE),
	USED(HV_PROC_MOV_DR, "MOV-DR exiting",
	     "on while gdb holds a debug register (hardware breakpoints); !dr",
	     "hardware breakpoints and !dr cannot be used"),
	FLAG(HV_PROC_UNCOND_IO, "unconditional I/O exiting"),
	USED(HV_PROC_USE_IO_BITMAPS, "use I/O bitmaps", "!ioin, !ioout",
	     "!ioin and !ioout cannot be used"),
	USED(HV_PROC_MTF, "monitor trap flag", "single-steps use MTF",
	     "single-steps use RFLAGS.TF with #DB intercepted"),
	USED(HV_PROC_USE_MSR_BITMAPS, "use MSR bitmaps",
	     "required; !msrread, !msrwrite", REFUSED),
	FLAG(HV_PROC_MONITOR_EXITING, "MONITOR exiting"),
	FLAG(HV_PROC_PAUSE_EXITING, "PAUSE exiting"),
	USED(HV_PROC_SECONDARY, "activate secondary controls",
	     "required (EPT is a secondary control)", REFUSED),
};

static const struct vd_bit vd_proc2[] = {
	FLAG(HV_PROC2_VIRT_APIC_ACCESS, "virtualize APIC accesses"),
	USED(HV_PROC2_EPT, "enable EPT",
	     "required: hvgdb's identity map, breakpoint views, MMIO mapped on demand",
	     REFUSED),
	FLAG(HV_PROC2_DESC_TABLE_EXITING, "descriptor-table exiting"),
	USED(HV_PROC2_RDTSCP, "enable RDTSCP",
	     "set: Linux executes RDTSCP and RDPID", NULL),
	FLAG(HV_PROC2_VIRT_X2APIC, "virtualize x2APIC mode"),
	USED(HV_PROC2_VPID, "enable VPID",
	     "set: the guest's TLB entries (VPID 1) survive VM exits",
	     "every VM entry and exit flushes the TLB"),
	FLAG(HV_PROC2_WBINVD_EXITING, "WBINVD exiting"),
	USED(HV_PROC2_UNRESTRICTED, "unrestricted guest",
	     "left off (the kernel runs in long mode)", NULL),
	FLAG(HV_PROC2_APIC_REG_VIRT, "APIC-register virtualization"),
	FLAG(HV_PROC2_VIRT_INTR_DELIVERY, "virtual-interrupt delivery"),
	FLAG(HV_PROC2_PAUSE_LOOP_EXITING, "PAUSE-loop exiting"),
	FLAG(HV_PROC2_RDRAND_EXITING, "RDRAND exiting"),
	USED(HV_PROC2_INVPCID, "enable INVPCID", "set: Linux executes INVPCID", NULL),
	FLAG(HV_PROC2_VMFUNC, "enable VM functions"),
	FLAG(HV_PROC2_VMCS_SHADOWING, "VMCS shadowing"),
	FLAG(HV_PROC2_ENCLS_EXITING, "ENCLS exiting"),
	FLAG(HV_PROC2_RDSEED_EXITING, "RDSEED exiting"),
	FLAG(HV_PROC2_PML, "enable PML"),
	FLAG(HV_PROC2_EPT_VE, "EPT-violation #VE"),
	FLAG(HV_PROC2_PT_CONCEAL, "conceal VMX from PT"),
	USED(HV_PROC2_XSAVES, "enable XSAVES/XRSTORS",
	     "set: Linux executes XSAVES and XRSTORS", NULL),
	FLAG(HV_PROC2_MODE_BASED_EPT_EXEC, "mode-based execute control for EPT"),
	FLAG(HV_PROC2_SUBPAGE_WRITE, "sub-page write permissions for EPT"),
	FLAG(HV_PROC2_PT_GUEST_PA, "Intel PT uses guest-physical addresses"),
	FLAG(HV_PROC2_TSC_SCALING, "use TSC scaling"),
	FLAG(HV_PROC2_USER_WAIT_PAUSE, "enable user wait and pause"),
	FLAG(HV_PROC2_PCONFIG, "enable PCONFIG"),
	FLAG(HV_PROC2_ENCLV_EXITING, "ENCLV exiting"),
	FLAG(HV_PROC2_BUS_LOCK_DETECT, "VMM bus-lock detection"),
	FLAG(HV_PROC2_INSN_TIMEOUT, "instruction timeout"),
};

static const struct vd_bit vd_exit[] = {
	USED(HV_EXIT_SAVE_DEBUG, "save debug controls",
	     "set: the guest's DR7 and IA32_DEBUGCTL are saved in the VMCS", NULL),
	USED(HV_EXIT_HOST_ADDR64, "host address-space size",
	     "required (hvgdb's host runs in 64-bit mode)", REFUSED),
	FLAG(HV_EXIT_LOAD_PERF_GLOBAL, "load IA32_PERF_GLOBAL_CTRL"),
	USED(HV_EXIT_ACK_INTR, "acknowledge interrupt on exit",
	     "with external-interrupt exiting" HOLD_IRQ, NO_HOLD_IRQ),
	USED(HV_EXIT_SAVE_PAT, "save IA32_PAT",
	     "set: the guest's PAT is saved in the VMCS", NULL),
	USED(HV_EXIT_LOAD_PAT, "load IA32_PAT",
	     "set: the host's PAT is loaded on exit", NULL),
	USED(HV_EXIT_SAVE_EFER, "save IA32_EFER",
	     "required (the guest's EFER is kept in the VMCS)", REFUSED),
	USED(HV_EXIT_LOAD_EFER, "load IA32_EFER",
	     "required (the host's EFER is loaded on exit)", REFUSED),
	USED(HV_EXIT_SAVE_PREEMPT_TIMER, "save VMX-preemption timer value",
	     "the gdb poll's count runs on across other exits",
	     "each exit on the polling CPU re-arms the timer with what is left of the period"),
	FLAG(HV_EXIT_CLEAR_BNDCFGS, "clear IA32_BNDCFGS"),
	FLAG(HV_EXIT_PT_CONCEAL, "conceal VMX from PT"),
	FLAG(HV_EXIT_CLEAR_RTIT_CTL, "clear IA32_RTIT_CTL"),
	FLAG(HV_EXIT_CLEAR_LBR_CTL, "clear IA32_LBR_CTL"),
	FLAG(HV_EXIT_LOAD_CET, "load CET state"),
	FLAG(HV_EXIT_LOAD_PKRS, "load PKRS"),
	FLAG(HV_EXIT_SAVE_PERF_GLOBAL, "save IA32_PERF_GLOBAL_CTL"),
	FLAG(HV_EXIT_SECONDARY, "activate secondary controls"),
};

static const struct vd_bit vd_entry[] = {
	USED(HV_ENTRY_LOAD_DEBUG, "load debug controls",
	     "set: the guest's DR7 and IA32_DEBUGCTL are loaded on entry", NULL),
	USED(HV_ENTRY_IA32E, "IA-32e mode guest",
	     "required (the kernel runs in 64-bit mode)", REFUSED),
	FLAG(HV_ENTRY_SMM, "entry to SMM"),
	FLAG(HV_ENTRY_DEACT_DUAL_MONITOR, "deactivate dual-monitor treatment"),
	FLAG(HV_ENTRY_LOAD_PERF_GLOBAL, "load IA32_PERF_GLOBAL_CTRL"),
	USED(HV_ENTRY_LOAD_PAT, "load IA32_PAT",
	     "set with both exit PAT controls: the guest's PAT is loaded on entry", NULL),
	USED(HV_ENTRY_LOAD_EFER, "load IA32_EFER",
	     "required (the guest's EFER is loaded on entry)", REFUSED),
	FLAG(HV_ENTRY_LOAD_BNDCFGS, "load IA32_BNDCFGS"),
	FLAG(HV_ENTRY_PT_CONCEAL, "conceal VMX from PT"),
	FLAG(HV_ENTRY_LOAD_RTIT_CTL, "load IA32_RTIT_CTL"),
	FLAG(HV_ENTRY_LOAD_CET, "load CET state"),
	FLAG(HV_ENTRY_LOAD_LBR_CTL, "load guest IA32_LBR_CTL"),
	FLAG(HV_ENTRY_LOAD_PKRS, "load PKRS"),
};

static const struct vd_bit vd_misc[] = {
	FLAG(HV_MISC_STORE_LMA, "exits store EFER.LMA in IA-32e mode guest"),
	USED(HV_MISC_ACT_HLT, "HLT activity state",
	     "a HLT hvgdb emulates with nothing to inject leaves the CPU halted", NULL),
	FLAG(HV_MISC_ACT_SHUTDOWN, "shutdown activity state"),
	FLAG(HV_MISC_ACT_WAIT_SIPI, "wait-for-SIPI activity state"),
	FLAG(HV_MISC_PT_IN_VMX, "Intel PT in VMX operation"),
	FLAG(HV_MISC_SMBASE_RDMSR, "RDMSR of IA32_SMBASE in SMM"),
};

static const struct vd_bit vd_misc2[] = {
	FLAG(HV_MISC_SMM_MONITOR_CTL, "IA32_SMM_MONITOR_CTL bit 2 can be set"),
	FLAG(HV_MISC_VMWRITE_ANY, "VMWRITE to VM-exit information fields"),
	FLAG(HV_MISC_INJECT_LEN0,
	     "VM entry injects software events with instruction length 0"),
};

static const struct vd_bit vd_ept[] = {
	USED(HV_EPTCAP_XONLY, "execute-only EPT translations",
	     "software breakpoints (Z0) hidden from reads; read/access watchpoints (Z3, Z4)",
	     "software breakpoints (Z0) and read/access watchpoints (Z3, Z4) are refused; hardware ones remain"),
	USED(HV_EPTCAP_WALK4, "page-walk length 4",
	     "required (hvgdb's EPT has 4 levels)", REFUSED),
	FLAG(HV_EPTCAP_WALK5, "page-walk length 5"),
	FLAG(HV_EPTCAP_UC, "uncacheable EPT paging structures"),
	USED(HV_EPTCAP_WB, "write-back EPT paging structures",
	     "the EPT pointer uses write-back",
	     "the EPT pointer uses uncacheable"),
	USED(HV_EPTCAP_2M, "2-MiB EPT pages",
	     "the identity map uses 2-MiB leaves",
	     "without 1-GiB pages either, " REFUSED),
	USED(HV_EPTCAP_1G, "1-GiB EPT pages",
	     "the identity map uses 1-GiB leaves where the memory type is uniform",
	     "the identity map uses 2-MiB leaves at most"),
	USED(HV_EPTCAP_INVEPT, "INVEPT",
	     "flushes EPT changes (breakpoint views, on-demand maps)",
	     "EPT changes cannot be flushed"),
	FLAG(HV_EPTCAP_AD, "accessed and dirty flags for EPT"),
	FLAG(HV_EPTCAP_ADV_EXIT_INFO, "advanced EPT-violation exit information"),
	FLAG(HV_EPTCAP_SSS, "supervisor shadow-stack control"),
	USED(HV_EPTCAP_INVEPT_SINGLE, "single-context INVEPT",
	     "used when all-context INVEPT is not supported", NULL),
	USED(HV_EPTCAP_INVEPT_ALL, "all-context INVEPT",
	     "used to flush EPT changes", NULL),
	USED(HV_VPIDCAP_INVVPID, "INVVPID",
	     "flushes VPID 1 after a MOV to CR4 and on leaving VMX", NULL),
	FLAG(HV_VPIDCAP_INVVPID_ADDR, "individual-address INVVPID"),
	USED(HV_VPIDCAP_INVVPID_SINGLE, "single-context INVVPID",
	     "used to flush VPID 1", NULL),
	USED(HV_VPIDCAP_INVVPID_ALL, "all-context INVVPID",
	     "used on leaving VMX, and for VPID 1 without single-context", NULL),
	FLAG(HV_VPIDCAP_INVVPID_SINGLE_NG,
	     "single-context-retaining-globals INVVPID"),
};

/* ---- a line at a time (linebuf.h) ---- */

/* "0x" and at least @width (at most 16) lower-case hex digits. */
static void vd_hex(struct linebuf *o, u64 v, u32 width)
{
	linebuf_hex(o, v, width, true);
}

static void vd_header(struct linebuf *o, const char *name, u32 index, u64 v)
{
	linebuf_str(o, name);
	linebuf_str(o, " (");
	vd_hex(o, index, 0);
	linebuf_str(o, ") = ");
	vd_hex(o, v, 16);
	linebuf_end(o);
}

/* "<NAME> (<index>): not present (<why>)[ -> <effect>]" */
static void vd_absent(struct linebuf *o, const char *name, u32 index,
		      const char *why, const char *effect)
{
	linebuf_str(o, name);
	linebuf_str(o, " (");
	vd_hex(o, index, 0);
	linebuf_str(o, "): not present (");
	linebuf_str(o, why);
	linebuf_str(o, ")");
	if (effect) {
		linebuf_str(o, " -> ");
		linebuf_str(o, effect);
	}
	linebuf_end(o);
}

/* "  [hi:lo] name: " ([bit] when hi == lo) */
static void vd_field(struct linebuf *o, u32 hi, u32 lo, const char *name)
{
	linebuf_str(o, "  [");
	linebuf_dec(o, hi);
	if (hi != lo) {
		linebuf_str(o, ":");
		linebuf_dec(o, lo);
	}
	linebuf_str(o, "] ");
	linebuf_str(o, name);
	linebuf_str(o, ": ");
}

static void vd_effect(struct linebuf *o, const char *effect)
{
	if (effect) {
		linebuf_str(o, " -> ");
		linebuf_str(o, effect);
	}
	linebuf_end(o);
}

static u32 vd_bitno(u64 mask)
{
	u32 b = 0;

	while (b < 63 && !(mask & 1)) {
		mask >>= 1;
		b++;
	}
	return b;
}

/* One line per flag of @v: "set"/"not set" words given by the caller. */
static void vd_flags(struct linebuf *o, u64 v, const struct vd_bit *t,
		     u32 n, const char *on, const char *off)
{
	u32 i, b;

	for (i = 0; i < n; i++) {
		b = vd_bitno(t[i].mask);
		vd_field(o, b, b, t[i].name);
		linebuf_str(o, (v & t[i].mask) ? on : off);
		vd_effect(o, (v & t[i].mask) ? t[i].yes : t[i].no);
	}
}

/*
 * A control MSR (SDM A.3): bits 31:0 are the allowed-0 settings (1: the
 * control must be 1), bits 63:32 the allowed-1 settings (0: it must be 0).
 */
static void vd_ctls(struct linebuf *o, const char *name, u32 index, u64 cap,
		    const struct vd_bit *t, u32 n)
{
	u32 must1 = (u32)cap, may1 = (u32)(cap >> 32), named = 0, i, b;

	vd_header(o, name, index, cap);
	for (i = 0; i < n; i++) {
		u32 m = (u32)t[i].mask;
		const char *effect;

		named |= m;
		b = vd_bitno(m);
		vd_field(o, b, b, t[i].name);
		if ((must1 & m) && (may1 & m))
			linebuf_str(o, "must be 1");
		else if (may1 & m)
			linebuf_str(o, "may be 0 or 1");
		else if (must1 & m)
			linebuf_str(o, "inconsistent (must be 1, cannot be 1)");
		else
			linebuf_str(o, "must be 0 (not supported)");
		if (!(may1 & m))
			effect = t[i].no;
		else if ((must1 & m) && t[i].forced)
			effect = t[i].forced;
		else
			effect = t[i].yes;
		vd_effect(o, effect);
	}
	must1 &= ~named;
	may1 &= ~named & ~must1;
	if (!must1 && !may1)
		return;
	linebuf_str(o, "  other bits: must be 1 ");
	vd_hex(o, must1, 0);
	linebuf_str(o, "; may be 0 or 1 ");
	vd_hex(o, may1, 0);
	linebuf_end(o);
}

/* ---- the MSRs ---- */

static void vd_feature_control(struct linebuf *o, u64 fc)
{
	vd_header(o, "IA32_FEATURE_CONTROL", HV_MSR_FEATURE_CONTROL, fc);
	vd_flags(o, fc, vd_fc, ARRAY_SIZE(vd_fc), "set", "not set");
	vd_field(o, 14, 8, "SENTER local function enables");
	vd_hex(o, HV_FC_SENTER_LOCAL(fc), 0);
	linebuf_end(o);
	vd_flags(o, fc, vd_fc_senter, ARRAY_SIZE(vd_fc_senter), "set",
		 "not set");
}

static const char *vd_memtype(u32 t)
{
	switch (t) {
	case HV_MEMTYPE_UC:
		return " (uncacheable)";
	case HV_MEMTYPE_WB:
		return " (write-back)";
	default:
		return " (reserved)";
	}
}

static void vd_basic_msr(struct linebuf *o, u64 v)
{
	u32 size = HV_BASIC_REGION_SIZE(v), type = HV_BASIC_MEMTYPE(v);

	vd_header(o, "IA32_VMX_BASIC", HV_MSR_VMX_BASIC, v);
	vd_field(o, 30, 0, "VMCS revision identifier");
	vd_hex(o, HV_BASIC_REVISION(v), 0);
	vd_effect(o, "written at the start of the VMXON region and each VMCS");
	vd_field(o, 44, 32, "VMXON region and VMCS size");
	vd_hex(o, size, 0);
	linebuf_str(o, " bytes");
	vd_effect(o, size <= 4096 ? "fits the page hvgdb gives each" :
		  REFUSED ": more than a page");
	vd_field(o, 48, 48, "address width of VMX structures");
	if (v & HV_BASIC_32BIT_ADDR) {
		linebuf_str(o, "32 bits");
		vd_effect(o, REFUSED);
	} else {
		linebuf_str(o, "physical-address width");
		vd_effect(o, "required (hvgdb's pages may lie above 4 GiB)");
	}
	vd_flags(o, v, vd_basic, ARRAY_SIZE(vd_basic), "supported",
		 "not supported");
	vd_field(o, 53, 50, "memory type of VMX structures");
	vd_hex(o, type, 0);
	linebuf_str(o, vd_memtype(type));
	vd_effect(o, type == HV_MEMTYPE_WB ? "required" :
		  REFUSED ": write-back required");
	vd_flags(o, v, vd_basic2, ARRAY_SIZE(vd_basic2), "supported",
		 "not supported");
}

static void vd_misc_msr(struct linebuf *o, u64 v, bool timer)
{
	u32 rate = HV_MISC_PREEMPT_RATE(v);

	vd_header(o, "IA32_VMX_MISC", HV_MSR_VMX_MISC, v);
	vd_field(o, 4, 0, "VMX-preemption timer rate");
	vd_hex(o, rate, 0);
	linebuf_str(o, " (one tick per ");
	vd_hex(o, 1ULL << rate, 0);
	linebuf_str(o, " TSC ticks)");
	vd_effect(o, timer ? "scales the gdb poll's timer count" : NULL);
	vd_flags(o, v, vd_misc, ARRAY_SIZE(vd_misc), "supported",
		 "not supported");
	vd_field(o, 24, 16, "CR3-target values");
	vd_hex(o, HV_MISC_CR3_TARGETS(v), 0);
	linebuf_end(o);
	vd_field(o, 27, 25, "recommended maximum of MSR-list entries");
	vd_hex(o, 512ULL * (HV_MISC_MSR_LIST(v) + 1), 0);
	linebuf_end(o);
	vd_flags(o, v, vd_misc2, ARRAY_SIZE(vd_misc2), "supported",
		 "not supported");
	vd_field(o, 63, 32, "MSEG revision identifier");
	vd_hex(o, HV_MISC_MSEG_REVISION(v), 0);
	linebuf_end(o);
}

void hv_vmx_describe(const struct hv_vmx_msrs *m,
		     void (*emit)(void *ctx, const char *line), void *ctx)
{
	static const char *const ctl_names[2][4] = {
		{ "IA32_VMX_PINBASED_CTLS", "IA32_VMX_PROCBASED_CTLS",
		  "IA32_VMX_EXIT_CTLS", "IA32_VMX_ENTRY_CTLS" },
		{ "IA32_VMX_TRUE_PINBASED_CTLS",
		  "IA32_VMX_TRUE_PROCBASED_CTLS", "IA32_VMX_TRUE_EXIT_CTLS",
		  "IA32_VMX_TRUE_ENTRY_CTLS" },
	};
	static const u32 ctl_msrs[2][4] = {
		{ HV_MSR_VMX_PINBASED, HV_MSR_VMX_PROCBASED, HV_MSR_VMX_EXIT,
		  HV_MSR_VMX_ENTRY },
		{ HV_MSR_VMX_TRUE_PINBASED, HV_MSR_VMX_TRUE_PROCBASED,
		  HV_MSR_VMX_TRUE_EXIT, HV_MSR_VMX_TRUE_ENTRY },
	};
	struct linebuf o;
	int t = !!(m->basic & HV_BASIC_TRUE_CTLS);
	u64 pin = t ? m->true_pin : m->pin;
	u64 proc = t ? m->true_proc : m->proc;
	u64 exit = t ? m->true_exit : m->exit;
	u64 entry = t ? m->true_entry : m->entry;
	bool secondary = (proc >> 32) & HV_PROC_SECONDARY;
	u32 proc2_may1 = secondary ? (u32)(m->proc2 >> 32) : 0;

	linebuf_init(&o, emit, ctx);
	vd_feature_control(&o, m->feature_control);
	vd_basic_msr(&o, m->basic);
	vd_ctls(&o, ctl_names[t][0], ctl_msrs[t][0], pin, vd_pin,
		ARRAY_SIZE(vd_pin));
	vd_ctls(&o, ctl_names[t][1], ctl_msrs[t][1], proc, vd_proc,
		ARRAY_SIZE(vd_proc));
	if (secondary)
		vd_ctls(&o, "IA32_VMX_PROCBASED_CTLS2", HV_MSR_VMX_PROCBASED2,
			m->proc2, vd_proc2, ARRAY_SIZE(vd_proc2));
	else
		vd_absent(&o, "IA32_VMX_PROCBASED_CTLS2",
			  HV_MSR_VMX_PROCBASED2, "no secondary controls",
			  REFUSED ": EPT is a secondary control");
	vd_ctls(&o, ctl_names[t][2], ctl_msrs[t][2], exit, vd_exit,
		ARRAY_SIZE(vd_exit));
	vd_ctls(&o, ctl_names[t][3], ctl_msrs[t][3], entry, vd_entry,
		ARRAY_SIZE(vd_entry));
	vd_misc_msr(&o, m->misc, (pin >> 32) & HV_PIN_PREEMPT_TIMER);
	if (proc2_may1 & (HV_PROC2_EPT | HV_PROC2_VPID)) {
		vd_header(&o, "IA32_VMX_EPT_VPID_CAP", HV_MSR_VMX_EPT_VPID_CAP,
			  m->ept_vpid);
		vd_flags(&o, m->ept_vpid, vd_ept, ARRAY_SIZE(vd_ept),
			 "supported", "not supported");
	} else {
		vd_absent(&o, "IA32_VMX_EPT_VPID_CAP", HV_MSR_VMX_EPT_VPID_CAP,
			  "neither EPT nor VPID", REFUSED ": no EPT");
	}
}
