// SPDX-License-Identifier: GPL-2.0
/*
 * event_match.c - which events fire at an exit.  Pure: called in VMX root
 * with the table read-only (it only changes while every CPU is halted).
 */
#include "hvgdb/freestanding.h"
#include "event.h"

/* HyperDbg's pages for !msrread / !msrwrite: with no MSR named, these are
 * left alone because intercepting them breaks or slows the system.  Naming
 * one explicitly intercepts it anyway. */
#define MSR_IA32_SPEC_CTRL	0x48u
#define MSR_IA32_PRED_CMD	0x49u
#define MSR_IA32_MPERF		0xe7u
#define MSR_IA32_APERF		0xe8u
#define MSR_IA32_KERNEL_GS_BASE	0xc0000102u

bool event_msr_excluded(enum event_type type, u32 msr)
{
	if (type != EVENT_MSRREAD && type != EVENT_MSRWRITE)
		return false;
	if (msr == MSR_IA32_KERNEL_GS_BASE || msr == MSR_IA32_MPERF ||
	    msr == MSR_IA32_APERF)
		return true;
	return type == EVENT_MSRWRITE &&
	       (msr == MSR_IA32_SPEC_CTRL || msr == MSR_IA32_PRED_CMD);
}

/* SYSCALL2/SYSRET2 only differ in how the #UD is recognised; at an exit
 * both variants of the same instruction fire. */
static enum event_type fold(enum event_type t)
{
	if (t == EVENT_SYSCALL2)
		return EVENT_SYSCALL;
	if (t == EVENT_SYSRET2)
		return EVENT_SYSRET;
	return t;
}

static bool arg_matches(const struct event_spec *s, const struct event_exit *x)
{
	if (s->type == EVENT_MODE)
		return s->arg & (x->key == 3 ? EVENT_MODE_U : EVENT_MODE_K);
	if (s->type == EVENT_CRWRITE) {
		if (s->arg != x->key)
			return false;
		/* The default mask (all ones) fires on every exiting write;
		 * a narrower one only when the write changes one of its
		 * bits. */
		return s->mask == ~0ull || (s->mask & x->aux);
	}
	if (!s->has_arg) {
		return !event_msr_excluded(s->type, (u32)x->key) ||
		       x->key > 0xffffffffull;
	}
	if (s->type == EVENT_IOIN || s->type == EVENT_IOOUT) {
		/* A multi-byte access exits when any byte's port is in the
		 * bitmap (SDM vol. 3C 26.1.3), so match the whole range. */
		u64 size = x->aux ? x->aux : 1;

		return s->arg >= x->key && s->arg < x->key + size;
	}
	return s->arg == x->key;
}

static bool stage_matches(enum event_stage want, enum event_stage at)
{
	return want == EVENT_STAGE_ALL || want == at;
}

static bool fires(const struct event *ev, enum event_type type,
		  const struct event_exit *x)
{
	const struct event_spec *s = &ev->spec;

	if (!ev->enabled || fold(s->type) != type)
		return false;
	if (!stage_matches(s->stage, x->stage))
		return false;
	if (s->has_pid && s->pid != x->tgid)
		return false;
	if (s->has_core && s->core != x->cpu)
		return false;
	/* The EPT side knows which monitor's range was hit. */
	if (s->type == EVENT_MONITOR)
		return ev->id == x->key;
	return arg_matches(s, x);
}

u32 event_match(const struct event_table *t, const struct event_exit *x,
		const struct event **out, u32 max)
{
	enum event_type type = fold(x->type);
	u32 i, n = 0;

	for (i = 0; i < t->count; i++) {
		if (!fires(&t->ev[i], type, x))
			continue;
		if (n < max)
			out[n] = &t->ev[i];
		n++;
	}
	return n;
}

u32 event_match_after(const struct event_table *t, const struct event_exit *x,
		      u32 after_id, const struct event **out, u32 max)
{
	enum event_type type = fold(x->type);
	u32 lo = 0, hi = t->count, n = 0;

	/* Slots are in increasing id order: start past after_id. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (t->ev[mid].id <= after_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < t->count && n < max; lo++)
		if (fires(&t->ev[lo], type, x))
			out[n++] = &t->ev[lo];
	return n;
}
