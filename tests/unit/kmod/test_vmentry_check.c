/*
 * The VM-entry checker (kmod/lib/vmentry_check.c): for every rule, a good
 * image that passes and a bad image that breaks exactly that rule, judged
 * against each MSR set of vmentry_cpus.h (Bochs, two real CPUs, a strict
 * SDM set, a permissive one for features none of them has).  The good
 * image is what kmod/vmx/vmcs.c builds: controls from hv_ctls_compute(),
 * guest and host state of a 64-bit Linux kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_defs.h"
#include "kmod/lib/vmx_caps.h"
#include "kmod/lib/vmentry_check.h"
#include "vmentry_cpus.h"

#define CR0_PE		(1ULL << 0)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_PCIDE	(1ULL << 17)
#define EFER_LMA	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define RFLAGS_TF	(1ULL << 8)
#define RFLAGS_IF	(1ULL << 9)
#define RFLAGS_VM	(1ULL << 17)
#define AR_DB		(1u << 14)
#define PDBG_BS		(1ULL << 14)
#define NONCANONICAL	0x0000800000000000ULL

/* What kmod/vmx/vmcs.c writes (vmentry_cpus.h), or the test fails. */
static void good_image(const struct hv_ve_cpu *c, struct hv_vmcs_image *v)
{
	assert_true(ve_linux_image(c, v));
}

static bool may1(u64 cap, u32 bit)
{
	return ((u32)(cap >> 32) & bit) == bit;
}

static bool has_proc2(const struct hv_ve_cpu *c, u32 bit)
{
	return may1(c->msrs.true_proc, HV_PROC_SECONDARY) &&
	       may1(c->msrs.proc2, bit);
}

static bool has_mtf(const struct hv_ve_cpu *c)
{
	return may1(c->msrs.true_proc, HV_PROC_MTF);
}

static bool has_hlt(const struct hv_ve_cpu *c)
{
	return c->msrs.misc & HV_MISC_ACT_HLT;
}

static void inject(struct hv_vmcs_image *v, u32 type, u32 vec, bool err)
{
	v->entry_intr_info = HV_INTR_INFO_VALID | type | vec |
			     (err ? HV_INTR_DELIVER_ERROR : 0);
}

/* A 64-bit host outside IA-32e mode is not a thing: a 32-bit host. */
static void host32(struct hv_vmcs_image *v, struct hv_ve_cpu *c)
{
	c->host_lma = false;
	v->exit &= ~HV_EXIT_HOST_ADDR64;
	v->host_efer &= ~(EFER_LMA | EFER_LME);
}

/*
 * One case per rule: set up the good (bad = false) or bad image from the
 * base; return false when the CPU lacks what the case needs.
 */
typedef bool (*ve_case_fn)(struct hv_vmcs_image *v, struct hv_ve_cpu *c,
			   bool bad);

#define CASE(name) \
	static bool case_##name(struct hv_vmcs_image *v,		\
				struct hv_ve_cpu *c __attribute__((unused)), \
				bool bad)
#define UNUSED (void)v

CASE(PIN_CTLS) { UNUSED; if (bad) v->pin &= ~(u32)c->msrs.true_pin; return true; }
CASE(PROC_CTLS) { UNUSED; if (bad) v->proc |= 1u; return true; }
CASE(PROC2_CTLS)
{
	u32 not_allowed = ~(u32)(c->msrs.proc2 >> 32);

	if (!not_allowed)
		return false;
	/* With secondary controls off the field does not count (25.6.2). */
	v->proc2 |= not_allowed & -not_allowed;
	if (!bad) {
		v->proc &= ~HV_PROC_SECONDARY;
		v->proc2 = not_allowed & -not_allowed;
	}
	return true;
}
CASE(CR3_TARGETS)
{
	UNUSED;
	v->cr3_target_count = HV_MISC_CR3_TARGETS(c->msrs.misc) + bad;
	return true;
}
CASE(IO_BITMAP_ADDR)
{
	if (!may1(c->msrs.true_proc, HV_PROC_USE_IO_BITMAPS))
		return false;
	v->proc |= HV_PROC_USE_IO_BITMAPS;
	v->io_bitmap_a = 0x7000000;
	v->io_bitmap_b = bad ? 0x7001800 : 0x7001000;
	return true;
}
CASE(MSR_BITMAP_ADDR) { UNUSED; if (bad) v->msr_bitmap |= 0x10; return true; }
CASE(TPR_SHADOW_DEPS)
{
	if (!has_proc2(c, HV_PROC2_VIRT_X2APIC) ||
	    !may1(c->msrs.true_proc, HV_PROC_TPR_SHADOW))
		return false;
	v->proc2 |= HV_PROC2_VIRT_X2APIC;
	if (!bad)
		v->proc |= HV_PROC_TPR_SHADOW;
	return true;
}
CASE(VNMI_NEEDS_NMI_EXIT)
{
	if (!may1(c->msrs.true_pin, HV_PIN_VIRTUAL_NMIS | HV_PIN_NMI_EXITING))
		return false;
	v->pin |= HV_PIN_VIRTUAL_NMIS | (bad ? 0 : HV_PIN_NMI_EXITING);
	return true;
}
CASE(NMI_WINDOW_NEEDS_VNMI)
{
	if (!may1(c->msrs.true_pin, HV_PIN_VIRTUAL_NMIS | HV_PIN_NMI_EXITING) ||
	    !may1(c->msrs.true_proc, HV_PROC_NMI_WINDOW))
		return false;
	v->proc |= HV_PROC_NMI_WINDOW;
	v->pin |= HV_PIN_NMI_EXITING | (bad ? 0 : HV_PIN_VIRTUAL_NMIS);
	return true;
}
CASE(X2APIC_AND_APIC_ACCESS)
{
	if (!has_proc2(c, HV_PROC2_VIRT_X2APIC | HV_PROC2_VIRT_APIC_ACCESS) ||
	    !may1(c->msrs.true_proc, HV_PROC_TPR_SHADOW))
		return false;
	v->proc |= HV_PROC_TPR_SHADOW;
	v->proc2 |= HV_PROC2_VIRT_X2APIC |
		    (bad ? HV_PROC2_VIRT_APIC_ACCESS : 0);
	return true;
}
CASE(VID_NEEDS_EXT_INTR_EXIT)
{
	if (!has_proc2(c, HV_PROC2_VIRT_INTR_DELIVERY) ||
	    !may1(c->msrs.true_proc, HV_PROC_TPR_SHADOW))
		return false;
	v->proc |= HV_PROC_TPR_SHADOW;
	v->proc2 |= HV_PROC2_VIRT_INTR_DELIVERY;
	if (!bad)
		v->pin |= HV_PIN_EXT_INTR_EXITING;
	return true;
}
CASE(POSTED_INTR_DEPS)
{
	if (!has_proc2(c, HV_PROC2_VIRT_INTR_DELIVERY) ||
	    !may1(c->msrs.true_pin, HV_PIN_POSTED_INTR) ||
	    !may1(c->msrs.true_exit, HV_EXIT_ACK_INTR))
		return false;
	v->proc |= HV_PROC_TPR_SHADOW;
	v->proc2 |= HV_PROC2_VIRT_INTR_DELIVERY;
	v->pin |= HV_PIN_EXT_INTR_EXITING | HV_PIN_POSTED_INTR;
	if (!bad)
		v->exit |= HV_EXIT_ACK_INTR;
	return true;
}
CASE(VPID_ZERO)
{
	if (!has_proc2(c, HV_PROC2_VPID))
		return false;
	v->proc2 |= HV_PROC2_VPID;
	v->vpid = bad ? 0 : 1;
	return true;
}
CASE(EPTP_MEMTYPE) { UNUSED; if (bad) v->eptp = (v->eptp & ~7ULL) | 2; return true; }
CASE(EPTP_WALK) { UNUSED; if (bad) v->eptp = (v->eptp & ~(7ULL << 3)) | (2ULL << 3); return true; }
CASE(EPTP_AD)
{
	bool ad = c->msrs.ept_vpid & HV_EPTCAP_AD;

	if (bad && ad)
		return false;
	if (bad || ad)
		v->eptp |= 1ULL << 6;
	return true;
}
CASE(EPTP_RESERVED) { UNUSED; if (bad) v->eptp |= 1ULL << 7; return true; }
static bool needs_ept(struct hv_vmcs_image *v, struct hv_ve_cpu *c, bool bad,
		      u32 bit)
{
	if (!has_proc2(c, bit))
		return false;
	v->proc2 |= bit;
	if (bad)
		v->proc2 &= ~HV_PROC2_EPT;
	return true;
}
CASE(UNRESTRICTED_NEEDS_EPT) { return needs_ept(v, c, bad, HV_PROC2_UNRESTRICTED); }
CASE(PML_NEEDS_EPT) { return needs_ept(v, c, bad, HV_PROC2_PML); }
CASE(MBEC_NEEDS_EPT) { return needs_ept(v, c, bad, HV_PROC2_MODE_BASED_EPT_EXEC); }
CASE(SPP_NEEDS_EPT) { return needs_ept(v, c, bad, HV_PROC2_SUBPAGE_WRITE); }
CASE(EXIT_CTLS) { UNUSED; if (bad) v->exit &= ~(u32)c->msrs.true_exit; return true; }
CASE(EXIT_SAVE_TIMER)
{
	if (!may1(c->msrs.true_exit, HV_EXIT_SAVE_PREEMPT_TIMER) ||
	    !may1(c->msrs.true_pin, HV_PIN_PREEMPT_TIMER))
		return false;
	v->exit |= HV_EXIT_SAVE_PREEMPT_TIMER;
	if (!bad)
		v->pin |= HV_PIN_PREEMPT_TIMER;
	return true;
}
/* An area of two entries: misaligned, or its last byte past MAXPHYADDR. */
static u64 msr_area(const struct hv_ve_cpu *c, bool bad, bool misalign)
{
	if (!bad)
		return (1ULL << c->maxphyaddr) - 32;
	return misalign ? 0x8000008 : (1ULL << c->maxphyaddr) - 16;
}
CASE(EXIT_MSR_STORE_ADDR)
{
	v->exit_msr_store_count = 2;
	v->exit_msr_store_addr = msr_area(c, bad, true);
	return true;
}
CASE(EXIT_MSR_LOAD_ADDR)
{
	v->exit_msr_load_count = 2;
	v->exit_msr_load_addr = msr_area(c, bad, false);
	return true;
}
CASE(ENTRY_CTLS) { UNUSED; if (bad) v->entry &= ~(u32)c->msrs.true_entry; return true; }
CASE(ENTRY_SMM)
{
	if (!may1(c->msrs.true_entry, HV_ENTRY_SMM))
		return false;
	if (bad)
		v->entry |= HV_ENTRY_SMM;
	return true;
}
CASE(ENTRY_MSR_LOAD_ADDR)
{
	v->entry_msr_load_count = 2;
	v->entry_msr_load_addr = msr_area(c, bad, true);
	return true;
}
CASE(EVT_RESERVED)
{
	UNUSED;
	inject(v, HV_INTR_TYPE_HW_EXCEPTION, HV_VEC_UD, false);
	if (bad)
		v->entry_intr_info |= 1u << 12;	/* NMI unblocking: exit only */
	return true;
}
CASE(EVT_TYPE)
{
	if (bad) {
		inject(v, 1u << 8, 0x20, false);
	} else if (has_mtf(c)) {
		inject(v, HV_INTR_TYPE_OTHER, 0, false);
	} else {
		inject(v, HV_INTR_TYPE_EXT_INTR, 0x20, false);
		v->guest_rflags |= RFLAGS_IF;
	}
	return true;
}
CASE(EVT_NMI_VECTOR) { UNUSED; inject(v, HV_INTR_TYPE_NMI, bad ? 3 : 2, false); return true; }
CASE(EVT_HW_EXC_VECTOR) { UNUSED; inject(v, HV_INTR_TYPE_HW_EXCEPTION, bad ? 32 : 31, false); return true; }
CASE(EVT_OTHER_VECTOR)
{
	if (!has_mtf(c))
		return false;
	inject(v, HV_INTR_TYPE_OTHER, bad, false);
	return true;
}
CASE(EVT_ERROR_CODE)
{
	UNUSED;
	if (bad) {	/* an external interrupt pushes no error code */
		inject(v, HV_INTR_TYPE_EXT_INTR, 0x20, true);
		v->guest_rflags |= RFLAGS_IF;
	} else {
		inject(v, HV_INTR_TYPE_HW_EXCEPTION, HV_VEC_GP, true);
	}
	return true;
}
CASE(EVT_ERROR_CODE_RESERVED)
{
	UNUSED;
	inject(v, HV_INTR_TYPE_HW_EXCEPTION, HV_VEC_PF, true);
	v->entry_exc_error = bad ? 0x10000 : 0xffff;
	return true;
}
CASE(EVT_INSN_LEN)
{
	UNUSED;
	inject(v, HV_INTR_TYPE_SW_EXCEPTION, HV_VEC_BP, false);
	v->entry_insn_len = bad ? 16 : 1;
	return true;
}
CASE(HOST_CR0) { UNUSED; if (bad) v->host_cr0 &= ~CR0_NE; return true; }
CASE(HOST_CR4) { UNUSED; if (bad) v->host_cr4 &= ~HV_CR4_VMXE; return true; }
CASE(HOST_CR3) { UNUSED; if (bad) v->host_cr3 |= 1ULL << c->maxphyaddr; return true; }
CASE(HOST_CANONICAL)
{
	UNUSED;
	v->host_sysenter_eip = bad ? NONCANONICAL : 0xffff800000000000ULL;
	return true;
}
CASE(HOST_PAT)
{
	if (!(v->exit & HV_EXIT_LOAD_PAT))
		return false;
	if (bad)
		v->host_pat = 0x0407050600070102ULL;	/* type 2 */
	return true;
}
CASE(HOST_EFER_RESERVED) { UNUSED; if (bad) v->host_efer |= 1ULL << 1; return true; }
CASE(HOST_EFER_LMA) { UNUSED; if (bad) v->host_efer &= ~EFER_LMA; return true; }
CASE(HOST_SEL_RPL_TI) { UNUSED; v->host_ds_sel = bad ? 0x1b : 0x18; return true; }
CASE(HOST_CS_NULL) { UNUSED; if (bad) v->host_cs_sel = 0; return true; }
CASE(HOST_TR_NULL) { UNUSED; if (bad) v->host_tr_sel = 0; return true; }
CASE(HOST_SS_NULL)
{
	/* Only a 32-bit host needs SS; a 64-bit one may have 0. */
	v->host_ss_sel = 0;
	if (bad)
		host32(v, c);
	return true;
}
CASE(HOST_BASE_CANONICAL) { UNUSED; if (bad) v->host_gs_base = NONCANONICAL; return true; }
CASE(HOST_ADDR_SPACE)
{
	if (bad) {
		v->exit &= ~HV_EXIT_HOST_ADDR64;
		v->host_efer &= ~(EFER_LMA | EFER_LME);
	}
	return true;
}
CASE(GUEST_IA32E_OUTSIDE) { if (bad) host32(v, c); return true; }
CASE(HOST_ADDR64_PAE) { UNUSED; if (bad) v->host_cr4 &= ~CR4_PAE; return true; }
CASE(HOST_PCIDE_NEEDS_ADDR64)
{
	if (!(c->msrs.cr4_fixed1 & CR4_PCIDE))
		return false;
	v->host_cr4 |= CR4_PCIDE;
	if (bad) {
		host32(v, c);
		v->entry &= ~HV_ENTRY_IA32E;
	}
	return true;
}
CASE(HOST_RIP) { UNUSED; if (bad) v->host_rip = NONCANONICAL; return true; }
CASE(GUEST_CR0) { UNUSED; if (bad) v->guest_cr0 &= ~CR0_NE; return true; }
CASE(GUEST_CR0_PG_PE)
{
	if (!has_proc2(c, HV_PROC2_UNRESTRICTED))
		return false;
	v->proc2 |= HV_PROC2_UNRESTRICTED;
	if (bad)
		v->guest_cr0 &= ~CR0_PE;
	return true;
}
CASE(GUEST_CR4) { UNUSED; if (bad) v->guest_cr4 &= ~HV_CR4_VMXE; return true; }
CASE(GUEST_DEBUGCTL)
{
	if (!(v->entry & HV_ENTRY_LOAD_DEBUG))
		return false;
	v->guest_debugctl = bad ? 1ULL << 2 : 1;
	return true;
}
CASE(GUEST_IA32E_PG_PAE) { UNUSED; if (bad) v->guest_cr4 &= ~CR4_PAE; return true; }
CASE(GUEST_PCIDE_NEEDS_IA32E)
{
	if (!(c->msrs.cr4_fixed1 & CR4_PCIDE))
		return false;
	v->guest_cr4 |= CR4_PCIDE;
	if (bad)
		v->entry &= ~HV_ENTRY_IA32E;
	return true;
}
CASE(GUEST_CR3) { UNUSED; if (bad) v->guest_cr3 |= 1ULL << c->maxphyaddr; return true; }
CASE(GUEST_DR7)
{
	if (!(v->entry & HV_ENTRY_LOAD_DEBUG))
		return false;
	if (bad)
		v->guest_dr7 |= 1ULL << 32;
	return true;
}
CASE(GUEST_SYSENTER) { UNUSED; if (bad) v->guest_sysenter_esp = NONCANONICAL; return true; }
CASE(GUEST_PAT)
{
	if (!(v->entry & HV_ENTRY_LOAD_PAT))
		return false;
	if (bad)
		v->guest_pat = 0x0407050600070103ULL;	/* type 3 */
	return true;
}
CASE(GUEST_EFER_RESERVED) { UNUSED; if (bad) v->guest_efer |= 1ULL << 2; return true; }
CASE(GUEST_EFER_LMA) { UNUSED; if (bad) v->guest_efer &= ~EFER_LMA; return true; }
CASE(GUEST_TR_TI) { UNUSED; if (bad) v->seg[HV_VE_TR].sel |= 4; return true; }
CASE(GUEST_LDTR_TI)
{
	UNUSED;
	v->seg[HV_VE_LDTR] = (struct hv_ve_segment){
		bad ? 0x54 : 0x50, 0xffff888000100000ULL, 0xfff, 0x82 };
	return true;
}
CASE(GUEST_SS_RPL) { UNUSED; if (bad) v->seg[HV_VE_SS].sel = 0x1b; return true; }
CASE(GUEST_SEG_BASE) { UNUSED; if (bad) v->seg[HV_VE_FS].base = NONCANONICAL; return true; }
CASE(GUEST_CS_TYPE) { UNUSED; if (bad) v->seg[HV_VE_CS].ar = 0xa093; return true; }
CASE(GUEST_SS_TYPE) { UNUSED; if (bad) v->seg[HV_VE_SS].ar = 0xc091; return true; }
static void usable_ds(struct hv_vmcs_image *v, u16 sel, u32 limit, u32 ar)
{
	v->seg[HV_VE_DS] = (struct hv_ve_segment){ sel, 0, limit, ar };
}
CASE(GUEST_DATA_TYPE) { UNUSED; usable_ds(v, 0x18, 0xffffffff, bad ? 0xc092 : 0xc093); return true; }
CASE(GUEST_SEG_S) { UNUSED; usable_ds(v, 0x18, 0xffffffff, bad ? 0xc083 : 0xc093); return true; }
CASE(GUEST_CS_DPL) { UNUSED; if (bad) v->seg[HV_VE_CS].ar = 0xa0fb; return true; }
CASE(GUEST_SS_DPL)
{
	UNUSED;
	/* A conforming CS of DPL 0 lets SS.DPL alone be wrong. */
	v->seg[HV_VE_CS].ar = 0xa09f;
	if (bad)
		v->seg[HV_VE_SS].ar = 0xc0f3;
	return true;
}
CASE(GUEST_DATA_DPL) { UNUSED; usable_ds(v, bad ? 0x1b : 0x18, 0xffffffff, 0xc093); return true; }
CASE(GUEST_SEG_PRESENT) { UNUSED; usable_ds(v, 0x18, 0xffffffff, bad ? 0xc013 : 0xc093); return true; }
CASE(GUEST_SEG_AR_RESERVED) { UNUSED; if (bad) v->seg[HV_VE_CS].ar |= 1u << 8; return true; }
CASE(GUEST_CS_L_D) { UNUSED; if (bad) v->seg[HV_VE_CS].ar |= AR_DB; return true; }
CASE(GUEST_SEG_G) { UNUSED; usable_ds(v, 0x18, bad ? 0x12345 : 0xffffffff, 0xc093); return true; }
CASE(GUEST_TR_TYPE) { UNUSED; if (bad) v->seg[HV_VE_TR].ar = 0x89; return true; }
CASE(GUEST_TR_AR) { UNUSED; if (bad) v->seg[HV_VE_TR].ar = 0x9b; return true; }
CASE(GUEST_LDTR_AR)
{
	UNUSED;
	v->seg[HV_VE_LDTR] = (struct hv_ve_segment){
		0x50, 0xffff888000100000ULL, 0xfff, bad ? 0x83 : 0x82 };
	return true;
}
CASE(GUEST_DT_BASE) { UNUSED; if (bad) v->gdtr_base = NONCANONICAL; return true; }
CASE(GUEST_DT_LIMIT) { UNUSED; v->idtr_limit = bad ? 0x10000 : 0xffff; return true; }
CASE(GUEST_RIP) { UNUSED; v->guest_rip = bad ? NONCANONICAL : 0x00007fffffffffffULL; return true; }
CASE(GUEST_RFLAGS_RESERVED) { UNUSED; if (bad) v->guest_rflags = 0; return true; }
CASE(GUEST_RFLAGS_VM) { UNUSED; if (bad) v->guest_rflags |= RFLAGS_VM; return true; }
CASE(GUEST_RFLAGS_IF)
{
	UNUSED;
	inject(v, HV_INTR_TYPE_EXT_INTR, 0x20, false);
	if (!bad)
		v->guest_rflags |= RFLAGS_IF;
	return true;
}
CASE(GUEST_ACTIVITY)
{
	UNUSED;
	/* 4 is no activity state; without HLT support, HLT is not one either. */
	v->activity = bad ? (has_hlt(c) ? 4 : HV_ACTIVITY_HLT) :
		      (has_hlt(c) ? HV_ACTIVITY_HLT : HV_ACTIVITY_ACTIVE);
	return true;
}
CASE(GUEST_ACTIVITY_HLT_DPL)
{
	if (!has_hlt(c))
		return false;
	/* User mode: CS and SS of DPL/RPL 3. */
	v->seg[HV_VE_CS] = (struct hv_ve_segment){ 0x33, 0, 0xffffffff, 0xa0fb };
	v->seg[HV_VE_SS] = (struct hv_ve_segment){ 0x2b, 0, 0xffffffff, 0xc0f3 };
	v->guest_rip = 0x401000;
	v->activity = bad ? HV_ACTIVITY_HLT : HV_ACTIVITY_ACTIVE;
	return true;
}
CASE(GUEST_ACTIVITY_BLOCKING)
{
	if (!has_hlt(c))
		return false;
	v->activity = HV_ACTIVITY_HLT;
	v->guest_rflags |= RFLAGS_IF;
	if (bad)
		v->interruptibility = HV_BLOCK_BY_STI;
	return true;
}
CASE(EVT_ACTIVITY)
{
	if (!has_hlt(c))
		return false;
	/* The rule found by reading: #UD into HLT fails on hardware. */
	v->activity = HV_ACTIVITY_HLT;
	inject(v, HV_INTR_TYPE_HW_EXCEPTION, bad ? HV_VEC_UD : HV_VEC_DB,
	       false);
	return true;
}
CASE(GUEST_INTR_RESERVED) { UNUSED; if (bad) v->interruptibility = 1u << 5; return true; }
CASE(GUEST_INTR_STI_MOVSS)
{
	UNUSED;
	v->guest_rflags |= RFLAGS_IF;
	v->interruptibility = HV_BLOCK_BY_STI | (bad ? HV_BLOCK_BY_MOVSS : 0);
	return true;
}
CASE(GUEST_INTR_STI_IF)
{
	UNUSED;
	v->interruptibility = HV_BLOCK_BY_STI;
	if (!bad)
		v->guest_rflags |= RFLAGS_IF;
	return true;
}
CASE(GUEST_INTR_EXTINT)
{
	UNUSED;
	inject(v, HV_INTR_TYPE_EXT_INTR, 0x20, false);
	v->guest_rflags |= RFLAGS_IF;
	if (bad)
		v->interruptibility = HV_BLOCK_BY_MOVSS;
	return true;
}
CASE(GUEST_INTR_NMI)
{
	UNUSED;
	inject(v, HV_INTR_TYPE_NMI, HV_VEC_NMI, false);
	v->guest_rflags |= RFLAGS_IF;
	if (bad)
		v->interruptibility = HV_BLOCK_BY_STI;
	return true;
}
CASE(GUEST_INTR_SMI) { UNUSED; if (bad) v->interruptibility = HV_BLOCK_BY_SMI; return true; }
CASE(GUEST_PENDING_DBG_RESERVED) { UNUSED; v->pending_dbg = bad ? 1ULL << 4 : 0xf; return true; }
CASE(GUEST_PENDING_DBG_BS)
{
	UNUSED;
	/* STI blocking with TF set: the single step is pending (BS). */
	v->guest_rflags |= RFLAGS_IF | RFLAGS_TF;
	v->interruptibility = HV_BLOCK_BY_STI;
	v->pending_dbg = bad ? 0 : PDBG_BS;
	return true;
}
CASE(GUEST_LINK_POINTER) { UNUSED; if (bad) v->link_pointer = 0x1234; return true; }

#define ENTRY(name) { HV_VE_##name, case_##name, #name }
static const struct { enum hv_ve_rule rule; ve_case_fn fn; const char *name; }
cases[] = {
	ENTRY(PIN_CTLS), ENTRY(PROC_CTLS), ENTRY(PROC2_CTLS),
	ENTRY(CR3_TARGETS), ENTRY(IO_BITMAP_ADDR), ENTRY(MSR_BITMAP_ADDR),
	ENTRY(TPR_SHADOW_DEPS), ENTRY(VNMI_NEEDS_NMI_EXIT),
	ENTRY(NMI_WINDOW_NEEDS_VNMI), ENTRY(X2APIC_AND_APIC_ACCESS),
	ENTRY(VID_NEEDS_EXT_INTR_EXIT), ENTRY(POSTED_INTR_DEPS),
	ENTRY(VPID_ZERO), ENTRY(EPTP_MEMTYPE), ENTRY(EPTP_WALK),
	ENTRY(EPTP_AD), ENTRY(EPTP_RESERVED), ENTRY(UNRESTRICTED_NEEDS_EPT),
	ENTRY(PML_NEEDS_EPT), ENTRY(MBEC_NEEDS_EPT), ENTRY(SPP_NEEDS_EPT),
	ENTRY(EXIT_CTLS), ENTRY(EXIT_SAVE_TIMER), ENTRY(EXIT_MSR_STORE_ADDR),
	ENTRY(EXIT_MSR_LOAD_ADDR), ENTRY(ENTRY_CTLS), ENTRY(ENTRY_SMM),
	ENTRY(ENTRY_MSR_LOAD_ADDR), ENTRY(EVT_RESERVED), ENTRY(EVT_TYPE),
	ENTRY(EVT_NMI_VECTOR), ENTRY(EVT_HW_EXC_VECTOR),
	ENTRY(EVT_OTHER_VECTOR), ENTRY(EVT_ERROR_CODE),
	ENTRY(EVT_ERROR_CODE_RESERVED), ENTRY(EVT_INSN_LEN),
	ENTRY(HOST_CR0), ENTRY(HOST_CR4), ENTRY(HOST_CR3),
	ENTRY(HOST_CANONICAL), ENTRY(HOST_PAT), ENTRY(HOST_EFER_RESERVED),
	ENTRY(HOST_EFER_LMA), ENTRY(HOST_SEL_RPL_TI), ENTRY(HOST_CS_NULL),
	ENTRY(HOST_TR_NULL), ENTRY(HOST_SS_NULL), ENTRY(HOST_BASE_CANONICAL),
	ENTRY(HOST_ADDR_SPACE), ENTRY(GUEST_IA32E_OUTSIDE),
	ENTRY(HOST_ADDR64_PAE), ENTRY(HOST_PCIDE_NEEDS_ADDR64),
	ENTRY(HOST_RIP), ENTRY(GUEST_CR0), ENTRY(GUEST_CR0_PG_PE),
	ENTRY(GUEST_CR4), ENTRY(GUEST_DEBUGCTL), ENTRY(GUEST_IA32E_PG_PAE),
	ENTRY(GUEST_PCIDE_NEEDS_IA32E), ENTRY(GUEST_CR3), ENTRY(GUEST_DR7),
	ENTRY(GUEST_SYSENTER), ENTRY(GUEST_PAT), ENTRY(GUEST_EFER_RESERVED),
	ENTRY(GUEST_EFER_LMA), ENTRY(GUEST_TR_TI), ENTRY(GUEST_LDTR_TI),
	ENTRY(GUEST_SS_RPL), ENTRY(GUEST_SEG_BASE), ENTRY(GUEST_CS_TYPE),
	ENTRY(GUEST_SS_TYPE), ENTRY(GUEST_DATA_TYPE), ENTRY(GUEST_SEG_S),
	ENTRY(GUEST_CS_DPL), ENTRY(GUEST_SS_DPL), ENTRY(GUEST_DATA_DPL),
	ENTRY(GUEST_SEG_PRESENT), ENTRY(GUEST_SEG_AR_RESERVED),
	ENTRY(GUEST_CS_L_D), ENTRY(GUEST_SEG_G), ENTRY(GUEST_TR_TYPE),
	ENTRY(GUEST_TR_AR), ENTRY(GUEST_LDTR_AR), ENTRY(GUEST_DT_BASE),
	ENTRY(GUEST_DT_LIMIT), ENTRY(GUEST_RIP), ENTRY(GUEST_RFLAGS_RESERVED),
	ENTRY(GUEST_RFLAGS_VM), ENTRY(GUEST_RFLAGS_IF), ENTRY(GUEST_ACTIVITY),
	ENTRY(GUEST_ACTIVITY_HLT_DPL), ENTRY(GUEST_ACTIVITY_BLOCKING),
	ENTRY(EVT_ACTIVITY), ENTRY(GUEST_INTR_RESERVED),
	ENTRY(GUEST_INTR_STI_MOVSS), ENTRY(GUEST_INTR_STI_IF),
	ENTRY(GUEST_INTR_EXTINT), ENTRY(GUEST_INTR_NMI), ENTRY(GUEST_INTR_SMI),
	ENTRY(GUEST_PENDING_DBG_RESERVED), ENTRY(GUEST_PENDING_DBG_BS),
	ENTRY(GUEST_LINK_POINTER),
};

static void expect(const struct hv_vmcs_image *v, const struct hv_ve_cpu *c,
		   enum hv_ve_rule want, const char *cpu, const char *what)
{
	struct hv_ve_result r = hv_vmentry_check(v, c);
	u64 val;

	if (r.rule != want)
		fail_msg("%s on %s: got %s (%s, field %s), want %s", what, cpu,
			 hv_ve_rule_name(r.rule), hv_ve_rule_sdm(r.rule),
			 hv_ve_field_name(r.field), hv_ve_rule_name(want));
	if (want != HV_VE_OK && !strcmp(hv_ve_field_name(r.field), "?"))
		fail_msg("%s on %s: field 0x%x has no name", what, cpu,
			 r.field);
	if (want != HV_VE_OK && !hv_ve_image_field(v, r.field, &val))
		fail_msg("%s on %s: field %s not in the image", what, cpu,
			 hv_ve_field_name(r.field));
}

/* What the module builds passes on every CPU. */
static void test_module_image_passes(void **state)
{
	size_t s;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(ve_cpu_sets); s++) {
		struct hv_vmcs_image v;

		good_image(&ve_cpu_sets[s].cpu, &v);
		expect(&v, &ve_cpu_sets[s].cpu, HV_VE_OK,
		       ve_cpu_sets[s].name, "module image");
	}
}

/* Each rule: good passes, bad breaks exactly it, on each CPU that can. */
static void test_each_rule(void **state)
{
	int tested[HV_VE_NRULES] = { 0 };
	int real[HV_VE_NRULES] = { 0 };
	size_t i, s;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (s = 0; s < ARRAY_SIZE(ve_cpu_sets); s++) {
			struct hv_ve_cpu good_c = ve_cpu_sets[s].cpu;
			struct hv_ve_cpu bad_c = ve_cpu_sets[s].cpu;
			struct hv_vmcs_image good, bad;
			char what[96];

			good_image(&good_c, &good);
			good_image(&bad_c, &bad);
			if (!cases[i].fn(&good, &good_c, false) ||
			    !cases[i].fn(&bad, &bad_c, true))
				continue;
			snprintf(what, sizeof(what), "%s good", cases[i].name);
			expect(&good, &good_c, HV_VE_OK, ve_cpu_sets[s].name,
			       what);
			snprintf(what, sizeof(what), "%s bad", cases[i].name);
			expect(&bad, &bad_c, cases[i].rule,
			       ve_cpu_sets[s].name, what);
			tested[cases[i].rule]++;
			/* The permissive set is the last one: not a CPU. */
			if (s + 1 < ARRAY_SIZE(ve_cpu_sets))
				real[cases[i].rule]++;
		}
	}
	for (i = 1; i < HV_VE_NRULES; i++)
		if (!tested[i])
			fail_msg("rule %s has no case", hv_ve_rule_name(i));
	/* Two sets at least for a rule that a CPU-like set can show. */
	for (i = 1; i < HV_VE_NRULES; i++)
		if (real[i] && tested[i] < 2)
			fail_msg("rule %s tested on %d sets", hv_ve_rule_name(i),
				 tested[i]);
}

/* Rules on the guest's common paths judged on all four CPU-like sets. */
static void test_common_rules_on_every_cpu(void **state)
{
	static const enum hv_ve_rule every[] = {
		HV_VE_GUEST_CR4, HV_VE_HOST_CR0, HV_VE_EVT_ERROR_CODE,
		HV_VE_GUEST_INTR_NMI, HV_VE_GUEST_TR_TYPE, HV_VE_EPTP_WALK,
	};
	size_t i, j, s;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(every); i++) {
		for (j = 0; j < ARRAY_SIZE(cases); j++)
			if (cases[j].rule == every[i])
				break;
		assert_true(j < ARRAY_SIZE(cases));
		for (s = 0; s < ARRAY_SIZE(ve_cpu_sets); s++) {
			struct hv_ve_cpu c = ve_cpu_sets[s].cpu;
			struct hv_vmcs_image v;

			good_image(&c, &v);
			assert_true(cases[j].fn(&v, &c, true));
			expect(&v, &c, every[i], ve_cpu_sets[s].name,
			       cases[j].name);
		}
	}
}

/*
 * What differs between CPUs: the same image passes on one and fails on
 * another.  Sandy Bridge-E has no EPT A/D bits, the strict set no HLT
 * activity state and no PAT loading, and Skylake's CR4_FIXED1 has SMEP.
 */
static void test_cpu_differences(void **state)
{
	const struct hv_ve_cpu *bochs = &ve_cpu_sets[0].cpu;
	const struct hv_ve_cpu *skl = &ve_cpu_sets[1].cpu;
	const struct hv_ve_cpu *snb = &ve_cpu_sets[2].cpu;
	const struct hv_ve_cpu *strict = &ve_cpu_sets[3].cpu;
	struct hv_vmcs_image v;
	struct hv_ve_result r;

	(void)state;
	good_image(skl, &v);
	v.eptp |= 1ULL << 6;		/* A/D */
	assert_int_equal(hv_vmentry_check(&v, skl).rule, HV_VE_OK);
	good_image(snb, &v);
	v.eptp |= 1ULL << 6;
	assert_int_equal(hv_vmentry_check(&v, snb).rule, HV_VE_EPTP_AD);
	/* Skylake's controls (INVPCID, XSAVES enables) on Sandy Bridge-E. */
	good_image(skl, &v);
	r = hv_vmentry_check(&v, snb);
	assert_int_equal(r.rule, HV_VE_PROC2_CTLS);
	assert_int_equal(r.field, VMCS_PROC2_CTLS);
	/* Skylake's CR4 (FSGSBASE, SMEP, SMAP) on Sandy Bridge-E. */
	good_image(snb, &v);
	v.host_cr4 = v.guest_cr4 = VE_LINUX_CR4 | HV_CR4_VMXE;
	r = hv_vmentry_check(&v, snb);
	assert_int_equal(r.rule, HV_VE_HOST_CR4);
	assert_int_equal(r.field, VMCS_HOST_CR4);
	v.host_cr4 = (VE_LINUX_CR4 & snb->msrs.cr4_fixed1) | HV_CR4_VMXE;
	r = hv_vmentry_check(&v, snb);
	assert_int_equal(r.rule, HV_VE_GUEST_CR4);
	assert_int_equal(r.field, VMCS_GUEST_CR4);
	/* HLT with nothing injected: fine where HLT is an activity state. */
	good_image(bochs, &v);
	v.activity = HV_ACTIVITY_HLT;
	assert_int_equal(hv_vmentry_check(&v, bochs).rule, HV_VE_OK);
	good_image(strict, &v);
	v.activity = HV_ACTIVITY_HLT;
	r = hv_vmentry_check(&v, strict);
	assert_int_equal(r.rule, HV_VE_GUEST_ACTIVITY);
	assert_string_equal(hv_ve_field_name(r.field), "GUEST_ACTIVITY");
}

/* The events HLT accepts (SDM 27.3.1.5), and the ones it refuses. */
static void test_hlt_injection(void **state)
{
	static const struct { u32 type, vec; bool err; bool ok; } t[] = {
		{ HV_INTR_TYPE_EXT_INTR, 0x20, false, true },
		{ HV_INTR_TYPE_NMI, HV_VEC_NMI, false, true },
		{ HV_INTR_TYPE_HW_EXCEPTION, HV_VEC_DB, false, true },
		{ HV_INTR_TYPE_HW_EXCEPTION, HV_VEC_MC, false, true },
		{ HV_INTR_TYPE_HW_EXCEPTION, HV_VEC_UD, false, false },
		{ HV_INTR_TYPE_HW_EXCEPTION, HV_VEC_GP, true, false },
		{ HV_INTR_TYPE_HW_EXCEPTION, HV_VEC_PF, true, false },
		{ HV_INTR_TYPE_SW_EXCEPTION, HV_VEC_BP, false, false },
		{ HV_INTR_TYPE_PRIV_SW_EXCEPTION, HV_VEC_DB, false, false },
		{ HV_INTR_TYPE_SW_INTR, 0x80, false, false },
	};
	const struct hv_ve_cpu *c = &ve_cpu_sets[1].cpu;	/* Skylake */
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct hv_vmcs_image v;
		struct hv_ve_result r;

		good_image(c, &v);
		v.activity = HV_ACTIVITY_HLT;
		v.guest_rflags |= RFLAGS_IF;
		v.entry_insn_len = 2;
		inject(&v, t[i].type, t[i].vec, t[i].err);
		r = hv_vmentry_check(&v, c);
		if (t[i].ok)
			assert_int_equal(r.rule, HV_VE_OK);
		else
			assert_int_equal(r.rule, HV_VE_EVT_ACTIVITY);
		/* Active, every one of them enters. */
		v.activity = HV_ACTIVITY_ACTIVE;
		assert_int_equal(hv_vmentry_check(&v, c).rule, HV_VE_OK);
	}
}

static void test_rule_texts(void **state)
{
	int i;

	(void)state;
	assert_string_equal(hv_ve_rule_name(HV_VE_EVT_ACTIVITY),
			    "EVT_ACTIVITY");
	assert_string_equal(hv_ve_rule_sdm(HV_VE_EVT_ACTIVITY), "27.3.1.5");
	assert_string_equal(hv_ve_rule_sdm(HV_VE_HOST_RIP), "27.2.4");
	for (i = 1; i < HV_VE_NRULES; i++) {
		assert_memory_equal(hv_ve_rule_sdm(i), "27.", 3);
		assert_true(strlen(hv_ve_rule_text(i)) > 10);
	}
	assert_string_equal(hv_ve_rule_name(HV_VE_NRULES), "?");
	assert_string_equal(hv_ve_field_name(0x7fff), "?");
	assert_string_equal(hv_ve_field_name(VMCS_ENTRY_INTR_INFO),
			    "ENTRY_INTR_INFO");
}

/* The value printed with a violation is the image's. */
static void test_image_field(void **state)
{
	struct hv_vmcs_image v;
	u64 val = 0;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.vpid = 0xbeef;
	v.entry_intr_info = 0x80000306;
	v.guest_rip = 0xffffffffc0012000ULL;
	v.seg[HV_VE_TR].ar = 0x8b;
	v.seg[HV_VE_LDTR].base = 0x1234;
	assert_true(hv_ve_image_field(&v, VMCS_VPID, &val));
	assert_int_equal(val, 0xbeef);
	assert_true(hv_ve_image_field(&v, VMCS_ENTRY_INTR_INFO, &val));
	assert_int_equal(val, 0x80000306);
	assert_true(hv_ve_image_field(&v, VMCS_GUEST_RIP, &val));
	assert_int_equal(val, 0xffffffffc0012000ULL);
	assert_true(hv_ve_image_field(&v, VMCS_GUEST_TR_AR, &val));
	assert_int_equal(val, 0x8b);
	assert_true(hv_ve_image_field(&v, VMCS_GUEST_LDTR_BASE, &val));
	assert_int_equal(val, 0x1234);
	assert_string_equal(hv_ve_field_name(VMCS_GUEST_LDTR_LIMIT),
			    "GUEST_LDTR_LIMIT");
	assert_false(hv_ve_image_field(&v, VMCS_EXIT_REASON, &val));
}

/*
 * A dump (debugfs "vmentry": every field by hv_ve_image_field_at, read
 * back by hv_ve_image_set in vmentry_judge) gives the same image and the
 * same verdict; every field is listed once; values are cut to the width.
 */
static void test_image_dump_round_trip(void **state)
{
	struct hv_vmcs_image a, b;
	u32 f, seen[256];
	size_t i, j, n = 0;
	u64 val;

	(void)state;
	assert_true(ve_linux_image(&ve_cpu_sets[0].cpu, &a));
	a.entry_intr_info = 0x80000306;
	a.activity = HV_ACTIVITY_HLT;
	memset(&b, 0x5a, sizeof(b));
	for (i = 0; hv_ve_image_field_at(i, &f); i++) {
		for (j = 0; j < n; j++)
			assert_int_not_equal(seen[j], f);
		assert_true(n < 256);
		seen[n++] = f;
		assert_true(hv_ve_image_field(&a, f, &val));
		assert_true(hv_ve_image_set(&b, f, val));
	}
	assert_true(n > 90);
	for (i = 0; hv_ve_image_field_at(i, &f); i++) {
		u64 va, vb;

		assert_true(hv_ve_image_field(&a, f, &va));
		assert_true(hv_ve_image_field(&b, f, &vb));
		assert_int_equal(va, vb);
	}
	assert_int_equal(hv_vmentry_check(&a, &ve_cpu_sets[0].cpu).rule,
			 hv_vmentry_check(&b, &ve_cpu_sets[0].cpu).rule);
	assert_int_equal(hv_vmentry_check(&b, &ve_cpu_sets[0].cpu).rule,
			 HV_VE_EVT_ACTIVITY);
	assert_true(hv_ve_image_set(&b, VMCS_GUEST_TR_SEL, 0x12340040));
	assert_true(hv_ve_image_field(&b, VMCS_GUEST_TR_SEL, &val));
	assert_int_equal(val, 0x40);
	assert_false(hv_ve_image_set(&b, VMCS_EXIT_REASON, 1));
	assert_false(hv_ve_image_field_at(n, &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_image_passes),
		cmocka_unit_test(test_each_rule),
		cmocka_unit_test(test_common_rules_on_every_cpu),
		cmocka_unit_test(test_cpu_differences),
		cmocka_unit_test(test_hlt_injection),
		cmocka_unit_test(test_rule_texts),
		cmocka_unit_test(test_image_field),
		cmocka_unit_test(test_image_dump_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
