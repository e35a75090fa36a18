/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_emul.h - vmx/ internal: the core handlers of instruction exits
 * (exit_emul.c) for exit.c's table.  Each runs in VMX root, emulates the
 * instruction as the CPU would (SDM vol. 2 for each), sets x->result
 * (exit.h) and returns HV_RESUME or HV_LEAVE; it never advances RIP for a
 * completed instruction (exit.c does, after the observers' pre stage).
 */
#ifndef HVGDB_KMOD_EXIT_EMUL_H
#define HVGDB_KMOD_EXIT_EMUL_H

#include <asm/processor.h>
#include "kmod/vmx/hv.h"

typedef int (*hv_core_fn)(struct hv_cpu *c, struct hv_regs *r,
			  struct hv_exit *x);

/* The callbacks main.c wired (never NULL: an empty set by default). */
extern const struct hv_exit_ops *hv_exit_ops_cur;

/* CPUID (SDM vol. 2 "CPUID"): the host's answer.  Inline: exit.c's fast
 * path for an unobserved CPUID exit (docs/performance.md). */
static __always_inline void hv_emul_cpuid(struct hv_regs *r)
{
	u32 a = (u32)r->gpr[HV_RAX], b, cx = (u32)r->gpr[HV_RCX], d;

	native_cpuid(&a, &b, &cx, &d);
	r->gpr[HV_RAX] = a;
	r->gpr[HV_RBX] = b;
	r->gpr[HV_RCX] = cx;
	r->gpr[HV_RDX] = d;
}

int hv_exit_cpuid(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
int hv_exit_msr(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
int hv_exit_tsc(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
int hv_exit_pmc(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
int hv_exit_io(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
int hv_exit_mov_dr(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
int hv_exit_vmcall(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
int hv_exit_xsetbv(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);
int hv_exit_cr(struct hv_cpu *c, struct hv_regs *r, struct hv_exit *x);

/* exit.c: for a CR access or EPT exit the core cannot make sense of. */
int hv_exit_unexpected(struct hv_cpu *c, struct hv_regs *r, u32 reason);

#endif /* HVGDB_KMOD_EXIT_EMUL_H */
