// SPDX-License-Identifier: GPL-2.0
/*
 * event_intercepts.c - from the enabled events to VMCS controls and
 * bitmaps; see event_intercepts.h.
 */
#include "hvgdb/freestanding.h"
#include "event.h"
#include "event_intercepts.h"
#include "event_vmx.h"

/* Byte offset of msr's bit in the page, or -1 when the MSR lies outside the
 * two ranges the bitmap covers (those always exit, SDM vol. 3C 26.1.3). */
static int msr_byte(u32 msr, bool write, u8 *bit)
{
	u32 base = write ? HV_MSR_WRITE_LOW : HV_MSR_READ_LOW;

	*bit = 0;
	if (msr >= 0xc0000000u && msr <= 0xc0001fffu) {
		base += HV_MSR_READ_HIGH;
		msr -= 0xc0000000u;
	} else if (msr > 0x1fffu) {
		return -1;
	}
	*bit = (u8)(1u << (msr & 7));
	return (int)(base + msr / 8);
}

void hv_msr_bitmap_set(u8 *page, u32 msr, bool write)
{
	u8 bit;
	int off = msr_byte(msr, write, &bit);

	if (off >= 0)
		page[off] |= bit;
}

bool hv_msr_bitmap_test(const u8 *page, u32 msr, bool write)
{
	u8 bit;
	int off = msr_byte(msr, write, &bit);

	/* Out of range: the CPU exits unconditionally. */
	return off < 0 || (page[off] & bit);
}

bool hv_io_bitmap_test(const u8 *a, const u8 *b, u16 port)
{
	const u8 *page = port < 0x8000 ? a : b;
	u16 p = port & 0x7fff;

	return page[p / 8] & (1u << (p % 8));
}

static void io_set(u8 *a, u8 *b, u16 port)
{
	u8 *page = port < 0x8000 ? a : b;
	u16 p = port & 0x7fff;

	page[p / 8] |= (u8)(1u << (p % 8));
}

/* Every MSR of one direction, less HyperDbg's default exclusions. */
static void msr_all(u8 *page, bool write)
{
	enum event_type type = write ? EVENT_MSRWRITE : EVENT_MSRREAD;
	static const u32 excluded[] = {
		0x48, 0x49, 0xe7, 0xe8, 0xc0000102,
	};
	u32 off = write ? HV_MSR_WRITE_LOW : HV_MSR_READ_LOW;
	u32 i;

	memset(page + off, 0xff, 0x400);
	memset(page + off + HV_MSR_READ_HIGH, 0xff, 0x400);
	for (i = 0; i < ARRAY_SIZE(excluded); i++) {
		u8 bit;
		int o;

		if (!event_msr_excluded(type, excluded[i]))
			continue;
		o = msr_byte(excluded[i], write, &bit);
		page[o] &= (u8)~bit;
	}
}

static void copy_page(u8 *dst, const u8 *src)
{
	if (src)
		memcpy(dst, src, HV_BITMAP_PAGE);
	else
		memset(dst, 0, HV_BITMAP_PAGE);
}

/* The baseline's own MSR bits must survive msr_all()'s exclusions. */
static void or_page(u8 *dst, const u8 *src)
{
	u32 i;

	if (!src)
		return;
	for (i = 0; i < HV_BITMAP_PAGE; i++)
		dst[i] |= src[i];
}

static void apply_one(const struct event_spec *s, struct hv_intercepts *o,
		      bool *msr_all_r, bool *msr_all_w)
{
	switch (s->type) {
	case EVENT_MSRREAD:
	case EVENT_MSRWRITE:
		if (!s->has_arg) {
			if (s->type == EVENT_MSRREAD)
				*msr_all_r = true;
			else
				*msr_all_w = true;
		} else {
			hv_msr_bitmap_set(o->msr_bitmap, (u32)s->arg,
					  s->type == EVENT_MSRWRITE);
		}
		break;
	case EVENT_IOIN:
	case EVENT_IOOUT:
		/* One bitmap serves IN and OUT (SDM 25.6.4); the direction
		 * is sorted out by event_match().  With unconditional I/O
		 * exiting and no bitmaps every port exits already, and
		 * turning bitmaps on would override that (26.1.3). */
		if (!(o->proc_based & VMX_PROC_UNCONDITIONAL_IO_EXITING))
			o->proc_based |= VMX_PROC_USE_IO_BITMAPS;
		if (s->has_arg) {
			io_set(o->io_bitmap_a, o->io_bitmap_b, (u16)s->arg);
		} else {
			memset(o->io_bitmap_a, 0xff, HV_BITMAP_PAGE);
			memset(o->io_bitmap_b, 0xff, HV_BITMAP_PAGE);
		}
		break;
	case EVENT_TSC:
		/* Covers RDTSCP too when "enable RDTSCP" is set (26.1.3). */
		o->proc_based |= VMX_PROC_RDTSC_EXITING;
		break;
	case EVENT_PMC:
		o->proc_based |= VMX_PROC_RDPMC_EXITING;
		break;
	case EVENT_DR:
		o->proc_based |= VMX_PROC_MOV_DR_EXITING;
		break;
	case EVENT_CPUID:
	case EVENT_VMCALL:
	case EVENT_XSETBV:
		/* Unconditional exits (SDM vol. 3C 26.1.2): nothing to set. */
		break;
	case EVENT_CRWRITE:
		/* A MOV to CR0/CR4 exits when it would change a bit set in
		 * the guest/host mask away from the read shadow (26.1.3). */
		if (s->arg == 0)
			o->cr0_mask |= s->mask;
		else
			o->cr4_mask |= s->mask;
		break;
	case EVENT_EXCEPTION:
		if (s->has_arg)
			o->exception_bitmap |= 1u << (s->arg & 31);
		else
			o->exception_bitmap = 0xffffffffu;
		break;
	case EVENT_INTERRUPT:
		/* Acknowledge on exit so the vector is in the exit
		 * interruption information and can be re-injected
		 * (SDM 25.7.1, 28.2.2). */
		o->pin_based |= VMX_PIN_EXTERNAL_INTERRUPT_EXITING;
		o->exit_ctls |= VMX_EXIT_ACK_INTERRUPT_ON_EXIT;
		break;
	case EVENT_SYSCALL:
	case EVENT_SYSRET:
		o->syscall_read_opcode = true;
		o->syscall_hook = true;
		break;
	case EVENT_SYSCALL2:
	case EVENT_SYSRET2:
		o->syscall_hook = true;
		break;
	default:
		break;
	}
}

void event_intercepts_compute(const struct event_table *t,
			      const struct hv_intercept_base *base,
			      struct hv_intercepts *out)
{
	bool msr_all_r = false, msr_all_w = false;
	u32 i;

	out->pin_based = base->pin_based;
	out->proc_based = base->proc_based;
	out->proc_based2 = base->proc_based2;
	out->exit_ctls = base->exit_ctls;
	out->entry_ctls = base->entry_ctls;
	out->exception_bitmap = base->exception_bitmap;
	out->pf_ec_mask = base->pf_ec_mask;
	out->pf_ec_match = base->pf_ec_match;
	out->cr0_mask = base->cr0_mask;
	out->cr4_mask = base->cr4_mask;
	out->syscall_hook = false;
	out->syscall_read_opcode = false;
	copy_page(out->msr_bitmap, base->msr_bitmap);
	copy_page(out->io_bitmap_a, base->io_bitmap_a);
	copy_page(out->io_bitmap_b, base->io_bitmap_b);

	for (i = 0; i < t->count; i++) {
		if (t->ev[i].enabled)
			apply_one(&t->ev[i].spec, out, &msr_all_r, &msr_all_w);
	}

	if (msr_all_r || msr_all_w) {
		/* Explicitly named MSRs are intercepted even when excluded
		 * from "all": apply "all" first, then re-add the named ones
		 * and the baseline. */
		if (msr_all_r)
			msr_all(out->msr_bitmap, false);
		if (msr_all_w)
			msr_all(out->msr_bitmap, true);
		for (i = 0; i < t->count; i++) {
			const struct event_spec *s = &t->ev[i].spec;

			if (t->ev[i].enabled && s->has_arg &&
			    (s->type == EVENT_MSRREAD ||
			     s->type == EVENT_MSRWRITE))
				hv_msr_bitmap_set(out->msr_bitmap, (u32)s->arg,
						  s->type == EVENT_MSRWRITE);
		}
		or_page(out->msr_bitmap, base->msr_bitmap);
	}

	if (out->exception_bitmap & (1u << VMX_VECTOR_PF) &&
	    !(base->exception_bitmap & (1u << VMX_VECTOR_PF))) {
		/* Mask 0 / match 0: every #PF takes the bitmap's exit
		 * (SDM vol. 3C 25.6.3). */
		out->pf_ec_mask = 0;
		out->pf_ec_match = 0;
	}

	if (out->syscall_hook) {
		/* SYSCALL/SYSRET raise #UD while EFER.SCE is 0 (SDM vol. 2B
		 * SYSCALL); EFER is loaded on entry with SCE clear and saved
		 * on exit, and every guest access to it is emulated. */
		out->exception_bitmap |= 1u << VMX_VECTOR_UD;
		out->entry_ctls |= VMX_ENTRY_LOAD_IA32_EFER;
		out->exit_ctls |= VMX_EXIT_SAVE_IA32_EFER |
				  VMX_EXIT_LOAD_IA32_EFER;
		hv_msr_bitmap_set(out->msr_bitmap, VMX_MSR_IA32_EFER, false);
		hv_msr_bitmap_set(out->msr_bitmap, VMX_MSR_IA32_EFER, true);
	}
}
