/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mon_priv.h - state shared by mon.c (commands, while halted),
 * mon_events.c (exit handlers in VMX root) and mon_script.c (the kernel
 * struct script_ops).
 *
 * Contract: everything is allocated by hv_mon_init() and changed by
 * commands only while every CPU is halted.  In VMX root a CPU reads the
 * table and writes only its own struct mon_cpu and the shared .globals,
 * except a script's event_enable/disable/clear: ev->enabled and the
 * clear queue below (mon_script.c says why that is safe).
 * mon.gen counts changes of the intercepts: a CPU whose cpu->gen differs
 * loads them in hv_mon_on_resume() before it runs the guest again.
 */
#ifndef HVGDB_KMOD_MON_PRIV_H
#define HVGDB_KMOD_MON_PRIV_H

#include <linux/threads.h>
#include <linux/types.h>
#include "monitor-cmds/event.h"
#include "monitor-cmds/event_intercepts.h"
#include "monitor-cmds/event_output.h"
#include "monitor-cmds/event_forward.h"
#include "monitor-cmds/script.h"
#include "monitor-cmds/cmd_script.h"
#include "kmod/lib/gdb_cpu.h"

struct hv_cpu;
struct hv_regs;

#define MON_EVENTS		64	/* event slots at load */
#define MON_TEXT		(16 * 1024)
#define MON_DATA		(64 * 1024)
#define MON_PROGS		48	/* compiled scripts at load, ~20 KiB each */
#define MON_OUTBUF		4096	/* imm-no batch, per CPU */
#define MON_MATCH_MAX		16	/* events handled per window of an exit */
#define MON_LINE		512	/* one message of a script */
#define MON_CLEARQ		64	/* script clears until the next command */
#define MON_PROGS_MAX		512	/* prealloc's cap on compiled scripts */
#define MON_FWDBUF		8192	/* forwarded records, per CPU */
#define MON_OUT			4096	/* one command's reply (mon.out) */

/* Where a script runs: a halted CPU (monitor ?) or an exit (an event). */
struct mon_ctx {
	struct hv_cpu *c;		/* NULL: halted, use g */
	struct hv_regs *r;
	struct gdb_cpu *g;		/* halted CPU's snapshot */
	struct gdb_cpu walk;		/* CR0/3/4/EFER for page walks */
	const struct event *ev;
	const struct event_exit *x;
	u8 *buffer;			/* $buffer of ev */
	bool sc;			/* script asked to skip the insn */
	bool pause;			/* script asked to break */
	bool trace;			/* event_trace_*: step, then stop */
	bool imm;
	struct event_outbuf *ob;	/* imm no target */
	char *line;			/* output of this evaluation */
	u32 line_len;
	void (*direct)(void *arg, const char *s, u32 len);	/* monitor ? */
	void *direct_arg;
};

struct mon_cpu {
	struct mon_ctx ctx;		/* of the event being handled */
	struct script_vm vm;
	u64 locals[SCRIPT_MAX_LOCALS];
	struct event_outbuf ob;
	char obuf[MON_OUTBUF];
	char line[MON_LINE];
	u32 gen;			/* intercepts loaded on this CPU */
	u32 io_loaded;			/* I/O bitmap addresses written */
	u64 base_cr0_mask, base_cr4_mask;	/* vmcs.c's, read once */
	bool base_read;
	u64 fired;			/* events acted on, for debugfs */
	/* SYSCALL hook (mon_sys.c): SCE is clear in this CPU's VMCS guest
	 * EFER; sce is what the guest believes it set. */
	bool sys_loaded;
	bool sce;
	u64 sys_emulated;		/* SYSCALL/SYSRET emulated here */
	/* The event of the exit being observed, pre to post stage. */
	struct event_exit exit;
	/* Forwarded output (mon_output.c): records waiting for the spool,
	 * what became of them (lost_full is fob.lost). */
	struct event_outbuf fob;
	char fobuf[MON_FWDBUF];
	char frec[MON_LINE + EVENT_FWD_TAG_MAX + 1];
	u64 fwd_written, fwd_lost_write;
	int fwd_error;
};

struct mon_state {
	struct event_table table;
	struct event_script_ops sops;
	struct cmd_script_pool pool;
	struct script_compiler *scratch;
	struct script_globals globals;
	u64 global_vals[SCRIPT_MAX_GLOBALS];
	bool *used;			/* per program; pool.n of each */
	struct script_prog *progs;
	struct script_prog *eval_prog;	/* monitor ? / print */
	struct script_vm *eval_vm;
	u64 eval_locals[SCRIPT_MAX_LOCALS];
	struct mon_ctx eval_ctx;
	char *out;			/* cmd_execute reply */
	/* Intercepts: computed while halted, loaded by each CPU. */
	struct hv_intercepts icpt;
	u8 *msr_base;			/* hv.msr_bitmap before any event */
	u8 *io_a, *io_b;
	phys_addr_t io_a_pa, io_b_pa;
	u32 gen;
	bool base_taken;
	struct mon_cpu *cpu[NR_CPUS];
	/* Scripts' event_enable/disable/clear (mon_script.c), settled by
	 * the next monitor command (mon.c): clears wait in clear_ids. */
	bool keep_disabled;		/* disabled events' intercepts loaded */
	bool script_changed;
	atomic_t n_clear;
	u32 clear_ids[MON_CLEARQ];
	/* Output sources and the spool (.output, mon_output.c); losses
	 * already reported on gdb's console. */
	struct event_outputs outputs;
	u64 fwd_reported;
	u32 tap_peer;			/* the gdb that turned tap on */
};

extern struct mon_state mon;

/* mon_script.c */
extern const struct script_ops mon_script_ops;
void mon_ctx_halted(struct mon_ctx *m, struct gdb_cpu *g);
void mon_ctx_exit(struct mon_ctx *m, struct hv_cpu *c, struct hv_regs *r);
bool mon_clear_pending(u32 id);

/* mon_events.c */
int mon_events_register(void);
void mon_events_unregister(void);
void mon_events_hooks(bool on);
void mon_events_load(struct hv_cpu *c);
void mon_events_unload_all(void);
u32 mon_flush_all(char *buf, u32 cap,
		  void (*emit)(void *arg, const char *s, u32 len), void *arg);
void mon_exit_init(struct event_exit *x, enum event_type type, u64 key,
		   u64 context);
bool mon_fire(struct hv_cpu *c, struct hv_regs *r, struct event_exit *x);

/* mon_monitor.c: !monitor (halted, except the hit hook). */
struct cmd_parsed;
struct rsp_output;
int mon_monitor_check(const struct cmd_parsed *p, struct rsp_output *out);
void mon_monitor_commit(const struct cmd_parsed *p, u32 id);
void mon_monitor_sync(void);
void mon_monitor_take(void);
void mon_monitor_prealloc(u32 n, struct rsp_output *out);
void mon_monitor_show(struct rsp_output *out);
int mon_monitor_init(void);
void mon_monitor_exit(void);

/* mon_sys.c: !syscall/!sysret (EFER.SCE cleared, #UD emulated). */
void mon_sys_load(struct hv_cpu *c, bool hook);
bool mon_sys_on_ud(struct hv_cpu *c, struct hv_regs *r);
u64 mon_sys_efer_read(struct hv_cpu *c, u64 hw);
int mon_sys_register(void);
void mon_sys_unregister(void);

/* mon_inspect.c: rdmsr, wrmsr, !va2pa, !pa2va, !pte, !d*, !e* at a
 * stop; *handled false for other commands. */
struct cmd_parsed;
struct rsp_output;
int mon_inspect(const struct cmd_parsed *p, struct rsp_output *out,
		bool *handled);
/* A reply line of at most 255 bytes, printf-style (mon.c). */
__printf(2, 3)
void mon_printf(struct rsp_output *out, const char *fmt, ...);
/* A refusal: "column <col>: " (none when col is 0) and the text, at most
 * 255 bytes; returns -RSP_EIO for the command's result (mon.c). */
__printf(3, 4)
int mon_fail(struct rsp_output *out, u32 col, const char *fmt, ...);
/* mon_output.c: forwarding.  mon_forward() in VMX root on the event's
 * CPU: the records of s[0..len) for the spool; mon_forward_flush() the
 * forward hook (every CPU halted, link held); mon_output() runs .output
 * at a stop. */
void mon_forward(struct mon_ctx *m, const char *s, u32 len);
/* `.output tap on`, by the gdb connected now. */
bool mon_tapped(void);
void mon_forward_flush(void);
int mon_output(const char *cmd, const struct cmd_parsed *p,
	       struct rsp_output *out);
/* mon_status.c: status and cpus at a stop. */
int mon_status(struct rsp_output *out);
int mon_cpus(const struct cmd_parsed *p, struct rsp_output *out);
/* mon_search.c: sb/sd/sq and !sb/!sd/!sq (CMD_SEARCH) at a stop. */
int mon_search(const struct cmd_parsed *p, struct rsp_output *out);

/* mon_pci.c: !pcitree and !pcicam at a stop (from mon_inspect());
 * mon_pci_init() reads the ACPI MCFG table at load, process context. */
void mon_pci_init(void);
int mon_pci(const struct cmd_parsed *p, struct rsp_output *out);
/* mon_kobj.c: lm, .process, .thread at a stop (from mon_inspect()). */
int mon_kobj(const struct cmd_parsed *p, struct rsp_output *out);
int mon_kobj_as_resolve(u32 pid, u64 tag, u64 *pa);
int mon_kobj_pid_pgd(u32 pid, u64 *pa);
/* mon_mode.c: !mode's views (load: init/exit, process context; at a
 * stop: check, settle, the preactivate and cpu lines; each CPU leaving a
 * halt: on_resume). */
int mon_mode_init(void);
void mon_mode_exit(void);
int mon_mode_command(const struct cmd_parsed *p, struct rsp_output *out,
		     bool *handled);
void mon_mode_added(const struct cmd_parsed *p, struct rsp_output *out);
void mon_mode_settle(void);
void mon_mode_on_resume(struct hv_cpu *c);
const char *mon_mode_mech_text(void);
/* mon_events.c: send a batch's oldest bytes while gdb takes them. */
void mon_push(struct event_outbuf *b);
/* mon_track.c: !track's stepping (struct hv_gdb_monitor.track). */
/* mon_lbr.c: !lbr, !lbrdump and the lbr_* script functions */
void mon_lbr_init(void);
int mon_lbr_command(const struct cmd_parsed *p, struct rsp_output *out,
		    bool *handled);
u64 mon_lbr_script(struct mon_ctx *m, u32 op, u64 arg,
		   void (*emit)(void *ctx, const char *s, u32 len));
void mon_track_step(struct hv_cpu *c, struct hv_regs *r, bool start);
/* mon_mode.c: the kernel's text as virtual addresses [lo, hi), found at
 * load; false when not found. */
bool mon_mode_text_va(u64 *lo, u64 *hi);
/* mon_track.c: !track at a stop (*handled false for other commands). */
int mon_track_command(const struct cmd_parsed *p, struct rsp_output *out,
		      bool *handled);
/* mon_intr.c: !idt, !apic, !ioapic at a stop, as mon_inspect(); and the
 * tables they use, built at load in process context. */
void mon_intr_init(void);
int mon_intr(const struct cmd_parsed *p, struct rsp_output *out,
	     bool *handled);

/* mon_ept.c: !epthook.  mon_ept_check() before an !epthook is added
 * (refuses it whole: 0 or -RSP_EIO with the reply written),
 * mon_ept_added() after, mon_ept_sync() after any change of the table
 * (cleared events' breakpoints go); prealloc epthook and its line in
 * `prealloc`; init/exit at load/unload (process context). */
void mon_ept_init(void);
void mon_ept_exit(void);
int mon_ept_check(const struct cmd_parsed *p, struct rsp_output *out);
int mon_ept_added(const struct cmd_parsed *p, struct rsp_output *out);
void mon_ept_sync(void);
int mon_ept_prealloc(u32 n, struct rsp_output *out);
void mon_ept_sizes(struct rsp_output *out);
/* mon_epthook2.c: !epthook2's detours (contexts there).  check before
 * the event is added (refusals), commit once it has its id, sync after
 * every change of the table; take at each command (prealloc, resumes). */
int mon_eh2_init(void);
void mon_eh2_exit(void);
void mon_eh2_take(void);
int mon_eh2_check(const struct cmd_parsed *p, struct rsp_output *out);
int mon_eh2_commit(u32 id);
void mon_eh2_sync(void);
int mon_eh2_prealloc(u32 n, struct rsp_output *out);
void mon_eh2_show(struct rsp_output *out);
void mon_eh2_on_resume(struct hv_cpu *c);
bool mon_eh2_page_taken(u64 page);
bool mon_eh2_bytes_taken(u64 gpa);
void mon_eh2_page_shadow(u64 page, u8 *shadow);
void mon_eh2_page_released(u64 page);

#endif /* HVGDB_KMOD_MON_PRIV_H */
