/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mon.h - gdb's `monitor` inside hvgdb.ko: HyperDbg commands and events.
 *
 * Contract: hv_mon_command() runs on the CPU that owns the gdb link while
 * every CPU is halted (gdb's qRcmd); it may use pre-allocated pools only.
 * hv_mon_on_resume() runs on each CPU in VMX root just before it leaves a
 * halt, so that CPU applies what the commands changed (controls, bitmaps)
 * before the guest runs again.  hv_mon_init()/hv_mon_exit() at load and
 * unload (after every CPU left VMX).  hv_mon_drain() empties the batched
 * (`imm no`) event output into buf, up to cap - 1 bytes, and returns the
 * bytes written (0: nothing left): the gdb server calls it in a loop when
 * the system stops, before the stop reply, and sends the text as console
 * output.  Events, scripts and emulation: docs/commands.md.
 *
 * Exit hooks owned by other files call in here, in VMX root:
 * hv_mon_on_exception() for every exception exit gdb did not claim (its
 * own #BP/#DB are gone by then): true when mon dealt with it completely
 * (emulated, or injected itself), false to re-inject it as it came.
 * hv_mon_on_interrupt() for each external interrupt acknowledged on exit,
 * already queued for re-injection by step.c (none is lost).
 * hv_mon_on_hook() for a #BP exit at a hidden breakpoint of !epthook
 * events (mon_ept.c): their actions run.
 */
#ifndef HVGDB_KMOD_MON_H
#define HVGDB_KMOD_MON_H

#include <linux/types.h>

struct hv_cpu;
struct hv_regs;
struct rsp_output;

/* The gdb server's view of the monitor (main.c registers it). */
extern const struct hv_gdb_monitor hv_mon_gdb;

int hv_mon_init(void);
void hv_mon_exit(void);
int hv_mon_command(const char *cmd, struct rsp_output *out);
void hv_mon_on_resume(struct hv_cpu *c, struct hv_regs *r);
size_t hv_mon_drain(char *buf, size_t cap);
/* Before a CPU leaves VMX by any path: the guest state mon changed
 * (EFER.SCE of the syscall hook) goes back to the guest's own. */
void hv_mon_on_leave(struct hv_cpu *c);
bool hv_mon_on_exception(struct hv_cpu *c, struct hv_regs *r, u32 info);
void hv_mon_on_interrupt(struct hv_cpu *c, struct hv_regs *r, u8 vector);
void hv_mon_on_hook(struct hv_cpu *c, struct hv_regs *r, u64 rip);

/* An EPT violation on a page with an !epthook2 detour (its views flip);
 * false when the page is not one (mon_epthook2.c). */
bool mon_eh2_ept_violation(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
			   u64 qual);

#endif /* HVGDB_KMOD_MON_H */
