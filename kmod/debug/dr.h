/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dr.h - who owns the debug registers of each CPU: gdb or the guest.
 *
 * gdb's hardware breakpoints (Z1, bp.c) take some of the four address
 * slots DR0-3; the guest (ptrace/perf breakpoints, kgdb) owns the others,
 * DR6 and the rest of DR7.  hv_dr_load() runs on each CPU in VMX root as
 * it resumes from a halt with the slots gdb wants: a slot gdb takes has
 * the guest's address and DR7 bits saved in a per-CPU shadow; a slot gdb
 * gives back gets them written back.  While gdb holds a slot, MOV-DR
 * exiting is on (c->extra[HV_OWN_GDB]) and every guest MOV DR goes through
 * hv_dr_emulate(): the guest reads and writes its shadow for gdb's slots
 * and the real registers for its own.  It is the emulation of exit.c's
 * core handler of DR-access exits (struct hv_exit_ops.mov_dr, wired by
 * main.c), which !dr observes: one place knows the split.
 */
#ifndef HVGDB_KMOD_DR_H
#define HVGDB_KMOD_DR_H

#include <linux/types.h>

struct hv_cpu;
struct hv_regs;

#define HV_DR_SLOTS	4

/* Give gdb the slots in @slots (bit i = DRi) with addresses addr[i]
 * (execute breakpoints, 1 byte); the others go back to the guest. */
void hv_dr_load(struct hv_cpu *c, const u64 *addr, u32 slots);

/* Emulate the MOV DR of a DR-access exit (qualification @qual) for the
 * guest; RIP untouched.  false: #UD or #GP injected instead. */
bool hv_dr_emulate(struct hv_regs *r, u64 qual);

#endif /* HVGDB_KMOD_DR_H */
