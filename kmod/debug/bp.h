/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bp.h - gdb's breakpoints and watchpoints in hvgdb.ko.
 *
 * Contract: hv_bp_insert()/hv_bp_remove() run on the CPU that serves gdb
 * while every CPU is halted.  Z0 is an int3 that only instruction fetches
 * see (an execute-only EPT view of a shadow page, bptab.h), Z1 uses the
 * debug registers (4 at most), Z2/Z3/Z4 take EPT permissions away from
 * the watched page so any number of any length work.  Each CPU calls
 * hv_bp_on_resume() in VMX root as it leaves a halt: it flushes EPT
 * translations and loads the debug registers and exception bitmap.  The
 * exit handlers return true when the exit was ours and fill *stop when
 * gdb must be told.  hv_bp_remove_all() at detach; hv_bp_init/exit at
 * load/unload (the shadow pages are allocated at load: none in root).
 */
#ifndef HVGDB_KMOD_BP_H
#define HVGDB_KMOD_BP_H

#include <linux/types.h>
#include "gdbstub/gdbstub.h"

struct hv_cpu;
struct hv_regs;
struct gdb_cpu;

int hv_bp_init(void);
void hv_bp_exit(void);
int hv_bp_insert(const struct gdb_cpu *g, enum rsp_bp_type type, u64 addr,
		 u32 kind);
int hv_bp_remove(const struct gdb_cpu *g, enum rsp_bp_type type, u64 addr,
		 u32 kind);
void hv_bp_remove_all(void);
void hv_bp_on_resume(struct hv_cpu *c);

/*
 * A #BP exit at @rip: who owns the breakpoint there (gdb's Z0, monitor
 * events' !epthook; 0 when none).  hv_bp_pass(): go past the breakpoint
 * under RIP, if one is there and no step is armed: run its displaced
 * instruction in root when bpemul.h knows it, else step it with the page
 * opened.
 */
#define HV_BP_OWN_GDB		1u
#define HV_BP_OWN_EVENTS	2u
u32 hv_bp_owners(u64 rip);
void hv_bp_pass(struct hv_cpu *c, struct hv_regs *r);

/* #BP, #DB and EPT-violation exits: true when hvgdb handled the exit
 * (hv_bp_on_int3: a breakpoint gdb owns). */
bool hv_bp_on_int3(struct hv_cpu *c, struct hv_regs *r, struct rsp_stop *stop);
bool hv_bp_on_db(struct hv_cpu *c, struct hv_regs *r, u64 qual,
		 struct rsp_stop *stop);
bool hv_bp_on_ept_violation(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
			    u64 qual);
/* An MTF exit: the end of a step (true), with *stop to report if its
 * tid is non-zero; the same for a #DB that ends a TF step. */
bool hv_bp_on_mtf(struct hv_cpu *c, struct rsp_stop *stop);
/* Step this CPU one instruction (enum hv_step_kind), over the real byte
 * if a breakpoint sits at its RIP; HV_STEP_NONE: only if one does. */
enum hv_step_kind;
void hv_bp_step(struct hv_cpu *c, enum hv_step_kind kind);

/* After hv_bp_on_db()/hv_bp_on_mtf() reported nothing: was it the end of
 * a !track step (HV_STEP_TRACK)?  Clears the mark. */
bool hv_bp_take_track(void);

struct seq_file;
void hv_bp_show(struct seq_file *m);

/*
 * !monitor's watches (kmod/events/mon_monitor.c), on the same hooked
 * pages and per-CPU views as gdb's: while every CPU is halted,
 * hv_bp_mon_add() watches [ctx, ctx+len) at guest-physical @pa (one page
 * at most) for @acc (BPTAB_R/W/X) on behalf of event @owner, ctx being
 * what $context reports (linear or physical); hv_bp_mon_del() removes all
 * of @owner's.  hv_bp_mon_room() says whether @npages more watches, of
 * which @new_pages on pages not hooked yet, fit the table.  The hook runs
 * in VMX root on the accessing CPU: @post false before the access (its
 * return value: short-circuit it), true after the stepped access.
 */
typedef bool (*hv_bp_mon_hook_t)(struct hv_cpu *c, struct hv_regs *r,
				 u32 owner, u64 ctx, u8 acc, bool post);
void hv_bp_set_mon_hook(hv_bp_mon_hook_t fn);
int hv_bp_mon_add(u32 owner, u64 ctx, u64 pa, u32 len, u8 acc);
void hv_bp_mon_del(u32 owner);
bool hv_bp_page_hooked(u64 pa);
bool hv_bp_mon_room(u32 npages, u32 new_pages);
bool hv_bp_xonly(void);

#endif /* HVGDB_KMOD_BP_H */
