/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd_kobj.h - HyperDbg's kernel-object commands, lm, .process and
 * .thread: parsing (cmd_kobj.c, called through cmd_parse_inspect(); the
 * fields are struct cmd_kobj in cmd.h) and the text of their replies, in
 * HyperDbg's layout with Linux's objects (task_struct for _EPROCESS and
 * _ETHREAD, struct module for a driver).  Pure functions; the host
 * (kmod/events/mon_kobj.c) walks the kernel's lists at a stop and formats
 * with these.  Every line they write ends in '\n'; output that does not
 * fit is cut as cmd_out.h does.
 */
#ifndef HVGDB_CMD_KOBJ_H
#define HVGDB_CMD_KOBJ_H

#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"

/* Largest pid .process pid takes: Linux's PID_MAX_LIMIT (4M). */
#define CMD_KOBJ_PID_MAX	0x400000u
/* Bytes of a task's comm (TASK_COMM_LEN) and a module's name
 * (MODULE_NAME_LEN); the formatters stop at a NUL or there. */
#define CMD_KOBJ_COMM_LEN	16u
#define CMD_KOBJ_MOD_NAME_LEN	56u

/* lm: "kernel mode", the column header, a blank line. */
void cmd_fmt_lm_header(struct cmd_out *o);
/* lm: one module, "ffffffff`c0000000       5000    hvgdb     ...  Live":
 * the base in backtick form padded to 24 columns, the size in hex
 * padded to 8, the name padded to 32, then what HyperDbg's path column
 * holds for a Linux module, its state: cmd_kobj_mod_state(). */
void cmd_fmt_lm_line(struct cmd_out *o, u64 base, u64 size,
		     const char *name, u32 state);
/* Linux's module states (MODULE_STATE_*) as /proc/modules writes them:
 * 0 "Live", 1 "Loading", 2 "Unloading", 3 "Unformed" (not yet in
 * /proc/modules), anything else "?". */
const char *cmd_kobj_mod_state(u32 state);
/* lm m name: the module name (NUL-terminated within max bytes) contains
 * filter[0..n), compared without case (HyperDbg's rule).  n = 0 matches. */
bool cmd_kobj_name_match(const char *name, u32 max, const char *filter,
			 u32 n);

/* .process: "process id: 1e98\nprocess (task_struct): ffff8880`0412c000\n
 * process name (16-Byte): sh\n" (the comm as cmd_fmt_comm()). */
void cmd_fmt_process(struct cmd_out *o, u32 pid, u64 task, const char *comm);
/*
 * .process list: one process, as HyperDbg's
 *   "PROCESS ffff888004160000\n"
 *   "        Process Id: 0001  DirBase (Kernel Cr3): 0000000004e2c000  "
 *   "Image: init\n\n"
 * pid in hex, at least 4 digits; @pgd_pa the physical address of the
 * process's top-level page table, or ~0 for none: "DirBase (Kernel Cr3):
 * none (kernel thread)" (@kthread) or "none (no mm: exiting)".  @note, if
 * not NULL, is added after the image in parentheses ("exiting", ...).
 */
void cmd_fmt_process_entry(struct cmd_out *o, u32 pid, u64 task, u64 pgd_pa,
			   bool kthread, const char *comm, const char *note);
/* .thread: "thread id: e80 (pid: 40c)\nthread (task_struct): <tick>\n
 * process (task_struct): <tick>\nprocess name (16-Byte): comm\n". */
void cmd_fmt_thread(struct cmd_out *o, u32 tid, u32 pid, u64 task,
		    u64 leader, const char *comm);
/* .thread list: "PROCESS ffff888004160000        IMAGE   init\n". */
void cmd_fmt_thread_head(struct cmd_out *o, u64 leader, const char *comm);
/* .thread list: "        THREAD  ffff888004161000 (1.1)  S  cpu 0  init\n"
 * (pid.tid in hex as HyperDbg, then what Linux adds: the state letter of
 * /proc/<pid>/stat, the CPU it last ran on, its own comm), @note in
 * parentheses at the end when not NULL. */
void cmd_fmt_thread_entry(struct cmd_out *o, u32 pid, u32 tid, u64 task,
			  char state, u32 cpu, const char *comm,
			  const char *note);
/* A task's comm: at most CMD_KOBJ_COMM_LEN bytes up to a NUL, anything
 * not printable as '?'. */
void cmd_fmt_comm(struct cmd_out *o, const char *comm);
/*
 * The state letter /proc/<pid>/stat shows (fs/proc/array.c,
 * task_state_index()) from task_struct's __state and exit_state:
 * R S D T t X Z P I.  Linux's bit values (stable: they are the user
 * ABI of /proc): 1 INTERRUPTIBLE, 2 UNINTERRUPTIBLE, 4 STOPPED, 8 TRACED,
 * 0x10 EXIT_DEAD, 0x20 EXIT_ZOMBIE, 0x40 PARKED, 0x400 NOLOAD (with
 * UNINTERRUPTIBLE: I), 0x1000 RTLOCK_WAIT (shown as D).
 */
char cmd_kobj_state_letter(u32 state, u32 exit_state);

/* Parser entry, from cmd_parse_inspect() (cmd_priv.h's struct cmd_parser). */
struct cmd_parser;
struct cmd_tok;
int cmd_parse_kobj(struct cmd_parser *p, enum cmd_kind kind,
		   const struct cmd_tok *name, struct cmd_parsed *c);

#endif /* HVGDB_CMD_KOBJ_H */
