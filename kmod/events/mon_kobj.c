// SPDX-License-Identifier: GPL-2.0
/*
 * mon_kobj.c - HyperDbg's kernel-object commands at a stop: lm (the
 * kernel's modules), .process (list processes, show the current one,
 * switch gdb's address space to one) and .thread (show the current
 * thread, list a process's threads).
 *
 * monitor-cmds/cmd_kobj.c parses them and formats the lines; this file
 * walks the kernel's lists.  The module is built against the running
 * kernel's headers, so struct offsets come from them (offsetof); the
 * structures are never dereferenced: every field is read with
 * hv_gdb_read_kernel() (a page walk over the host's table, RAM only, so
 * freed or unmapped memory gives an error, never a fault), and every
 * list is walked with kmod/lib/klist.c: forward as an RCU reader, bounded,
 * with entries another CPU was adding or removing when it stopped marked
 * "list changing here".
 *
 * Where the lists are: the task list from init_task (exported), a
 * process's threads from its signal_struct's thread_head, the modules
 * from this module's own list entry: `modules` is not exported, and it is
 * the one entry of that ring outside the module area
 * [MODULES_VADDR, MODULES_END), where every struct module lives.
 *
 * `.process pid p` sets gdb_mem.c's address-space override to the
 * physical address of the process's mm->pgd (the kernel's top-level
 * table for it: with page-table isolation the user half is mapped there
 * too).  It lasts until `.process` alone, another `.process pid` or a
 * detach.  The table is trusted for one stop only (a process may exit once
 * anything runs): at each later stop gdb_halt.c asks
 * mon_kobj_as_resolve() for it again, by pid and start time, and ends the
 * switch with a console line if the process is gone.
 *
 * Context: VMX root on the link's holder while every CPU is halted
 * (hv_mon_command()); nothing here sleeps, allocates or takes a lock.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/mm_types.h>
#include <linux/percpu.h>
#include <asm/current.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>
#include "kmod/debug/gdb.h"
#include "kmod/lib/klist.h"
#include "kmod/events/mon_priv.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_kobj.h"
#include "gdbstub/gdbstub.h"

/* Bounds of the walks: far above what a test machine has, low enough that
 * a corrupted ring ends in well under a second. */
#define MON_KOBJ_MAX_TASKS	65536u
#define MON_KOBJ_MAX_THREADS	65536u
#define MON_KOBJ_MAX_MODULES	4096u
#define MON_KOBJ_LINE		256

/* The fields of one task, each read on its own. */
struct mon_task {
	u64 addr;
	u32 pid, tgid, state, exit_state, flags, cpu;
	u64 mm, leader, signal;
	u64 start_time;		/* with the pid, who the process is */
	char comm[TASK_COMM_LEN];
};

#define MON_RD(base, type, field, dst) ({				\
	BUILD_BUG_ON(sizeof(dst) != sizeof_field(type, field));		\
	hv_gdb_read_kernel((base) + offsetof(type, field), &(dst),	\
			   sizeof(dst));					\
})

static int mon_task_read(u64 addr, struct mon_task *t)
{
	pid_t pid, tgid;
	unsigned int state, flags;
	int exit_state;
	u32 cpu;
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->addr = addr;
	err |= MON_RD(addr, struct task_struct, pid, pid);
	err |= MON_RD(addr, struct task_struct, tgid, tgid);
	err |= MON_RD(addr, struct task_struct, __state, state);
	err |= MON_RD(addr, struct task_struct, exit_state, exit_state);
	err |= MON_RD(addr, struct task_struct, flags, flags);
	err |= MON_RD(addr, struct task_struct, thread_info.cpu, cpu);
	err |= MON_RD(addr, struct task_struct, mm, t->mm);
	err |= MON_RD(addr, struct task_struct, group_leader, t->leader);
	err |= MON_RD(addr, struct task_struct, signal, t->signal);
	err |= MON_RD(addr, struct task_struct, comm, t->comm);
	err |= MON_RD(addr, struct task_struct, start_time, t->start_time);
	t->pid = pid;
	t->tgid = tgid;
	t->state = state;
	t->exit_state = exit_state;
	t->flags = flags;
	t->cpu = cpu;
	t->comm[TASK_COMM_LEN - 1] = '\0';
	return err ? -EFAULT : 0;
}

/* The task state bits cmd_kobj_state_letter() knows (the /proc ABI). */
static_assert(TASK_INTERRUPTIBLE == 1 && TASK_UNINTERRUPTIBLE == 2 &&
	      __TASK_STOPPED == 4 && __TASK_TRACED == 8 &&
	      EXIT_DEAD == 0x10 && EXIT_ZOMBIE == 0x20 &&
	      TASK_PARKED == 0x40 && TASK_NOLOAD == 0x400 &&
	      TASK_RTLOCK_WAIT == 0x1000);

static int mon_klist_read(void *ctx, u64 addr, void *buf, u32 len)
{
	return hv_gdb_read_kernel(addr, buf, len);
}

static const struct klist_ops mon_klist_ops = { .read = mon_klist_read };

static void mon_out(struct rsp_output *out, struct cmd_out *o)
{
	rsp_output_write(out, o->buf, o->len);
}

/* A walk that did not come back to its head: say where, after what it
 * listed. */
static int mon_walk_failed(struct rsp_output *out, const char *what,
			   const struct klist_result *res)
{
	if (res->status == KLIST_ERR_PTR)
		return mon_fail(out, 0, "hvgdb: the %s ends after %u entries: %s (%llx holds %llx)\n",
				 what, res->count, klist_strerror(res->status),
				 res->at, res->bad);
	return mon_fail(out, 0, "hvgdb: the %s ends after %u entries: %s (at %llx)\n",
			 what, res->count, klist_strerror(res->status),
			 res->at);
}

/* ------------------------------------------------------------------ lm */

static bool mon_in_module_area(u64 a)
{
	return a >= MODULES_VADDR && a < MODULES_END;
}

static bool mon_is_modules_head(void *hctx, u64 node)
{
	return !mon_in_module_area(node);
}

struct mon_lm {
	const struct cmd_kobj *k;
	struct rsp_output *out;
};

static int mon_lm_visit(void *vctx, u64 node, bool back_ok)
{
	struct mon_lm *l = vctx;
	u64 mod = node - offsetof(struct module, list);
	char name[MODULE_NAME_LEN];
	unsigned int core_size, init_size;
	char b[MON_KOBJ_LINE];
	enum module_state state;
	struct cmd_out o;
	void *base;

	if (MON_RD(mod, struct module, name, name) ||
	    MON_RD(mod, struct module, state, state) ||
	    MON_RD(mod, struct module, core_layout.base, base) ||
	    MON_RD(mod, struct module, core_layout.size, core_size) ||
	    MON_RD(mod, struct module, init_layout.size, init_size)) {
		rsp_output_write(l->out, b, scnprintf(b, sizeof(b),
			"%016llx  (struct module at %llx unreadable)\n",
			node, mod));
		return 0;
	}
	name[MODULE_NAME_LEN - 1] = '\0';
	if (!cmd_kobj_name_match(name, sizeof(name), l->k->name,
				 l->k->name_len))
		return 0;
	cmd_out_init(&o, b, sizeof(b));
	/* The size /proc/modules shows (kernel/module/procfs.c). */
	cmd_fmt_lm_line(&o, (u64)base, (u64)core_size + init_size, name,
			state);
	if (!back_ok && o.len) {
		o.len--;	/* before the '\n' */
		cmd_out_str(&o, "  (list changing here)\n");
	}
	mon_out(l->out, &o);
	return 0;
}

static int mon_lm(const struct cmd_parsed *p, struct rsp_output *out)
{
	struct mon_lm l = { .k = &p->kobj, .out = out };
	struct klist_result res;
	char b[MON_KOBJ_LINE];
	struct cmd_out o;
	u64 head;

	if (klist_find_head(&mon_klist_ops, (u64)&THIS_MODULE->list,
			    MON_KOBJ_MAX_MODULES, mon_is_modules_head, NULL,
			    &head, &res))
		return mon_walk_failed(out, "module list (looking for its head)",
				       &res);
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_lm_header(&o);
	mon_out(out, &o);
	if (klist_walk(&mon_klist_ops, head, MON_KOBJ_MAX_MODULES,
		       mon_lm_visit, &l, &res))
		return mon_walk_failed(out, "module list", &res);
	return 0;
}

/* ------------------------------------------------------------ processes */

static u64 mon_task_of(u64 node)
{
	return node - offsetof(struct task_struct, tasks);
}

/* The physical address of mm->pgd (direct-mapped RAM), or -EFAULT. */
static int mon_mm_pgd(u64 mm, u64 *pa)
{
	u64 pgd;

	if (MON_RD(mm, struct mm_struct, pgd, pgd))
		return -EFAULT;
	if (pgd < PAGE_OFFSET || (pgd & ~PAGE_MASK))
		return -EFAULT;
	*pa = pgd - PAGE_OFFSET;
	return hv_gdb_phys(*pa, PAGE_SIZE) ? 0 : -EFAULT;
}

static const char *mon_task_note(const struct mon_task *t, bool back_ok)
{
	if (!back_ok)
		return "list changing here";
	if (t->exit_state & EXIT_ZOMBIE)
		return "zombie";
	if (t->exit_state & EXIT_DEAD)
		return "dead";
	if (t->flags & PF_EXITING)
		return "exiting";
	return NULL;
}

static void mon_process_entry(struct rsp_output *out, u64 addr,
			      bool back_ok)
{
	char b[MON_KOBJ_LINE];
	struct mon_task t;
	struct cmd_out o;
	u64 pa = ~0ull;
	bool kthread;

	if (mon_task_read(addr, &t)) {
		rsp_output_write(out, b, scnprintf(b, sizeof(b),
			"PROCESS %016llx\n        (task_struct unreadable)\n\n",
			addr));
		return;
	}
	kthread = t.flags & PF_KTHREAD;
	if (t.mm && !kthread && mon_mm_pgd(t.mm, &pa))
		pa = ~0ull;
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_process_entry(&o, t.tgid, addr, pa, kthread, t.comm,
			      mon_task_note(&t, back_ok));
	mon_out(out, &o);
}

static int mon_plist_visit(void *vctx, u64 node, bool back_ok)
{
	mon_process_entry(vctx, mon_task_of(node), back_ok);
	return 0;
}

/* Find a process (a thread-group leader on the task list) by pid, or by
 * its task_struct address. */
struct mon_find {
	bool by_pid;
	u64 want;
	u64 found;
};

static int mon_find_visit(void *vctx, u64 node, bool back_ok)
{
	struct mon_find *f = vctx;
	u64 task = mon_task_of(node);
	pid_t pid, tgid;

	if (!f->by_pid) {
		if (task != f->want)
			return 0;
		f->found = task;
		return 1;
	}
	if (MON_RD(task, struct task_struct, pid, pid) ||
	    MON_RD(task, struct task_struct, tgid, tgid))
		return 0;
	if (tgid != (pid_t)f->want || pid != tgid)
		return 0;
	f->found = task;
	return 1;
}

/* 0 and *task, or a message (at @col) and -RSP_EIO. */
static int mon_find_process(bool by_pid, u64 want, u32 col,
			    struct rsp_output *out, u64 *task)
{
	struct mon_find f = { .by_pid = by_pid, .want = want };
	struct klist_result res;
	int r;

	if (!by_pid && want == (u64)&init_task) {
		*task = want;
		return 0;
	}
	r = klist_walk(&mon_klist_ops, (u64)&init_task.tasks,
		       MON_KOBJ_MAX_TASKS, mon_find_visit, &f, &res);
	if (r == KLIST_STOPPED) {
		*task = f.found;
		return 0;
	}
	if (r != KLIST_OK)
		return mon_walk_failed(out, "task list", &res);
	if (by_pid)
		return mon_fail(out, col, "no process with pid %llx (.process list lists them)\n",
				 want);
	return mon_fail(out, col, "%llx is not a process's task_struct (.process list lists them)\n",
			 want);
}

/* hv_gdb_monitor.as_resolve: `.process pid`'s table at a later stop.  The
 * process is the one switched to if its leader has the same pid and start
 * time (a pid may have been given to a new process meanwhile). */
/* The live (not exiting) process @pid: 0 and *t, or -ESRCH / -EFAULT. */
static int mon_pid_task(u32 pid, struct mon_task *t)
{
	struct mon_find f = { .by_pid = true, .want = pid };
	struct klist_result res;

	if (klist_walk(&mon_klist_ops, (u64)&init_task.tasks,
		       MON_KOBJ_MAX_TASKS, mon_find_visit, &f, &res) !=
	    KLIST_STOPPED)
		return -ESRCH;
	if (mon_task_read(f.found, t))
		return -EFAULT;
	if (!t->mm || (t->flags & PF_EXITING) || t->exit_state)
		return -ESRCH;
	return 0;
}

int mon_kobj_as_resolve(u32 pid, u64 tag, u64 *pa)
{
	struct mon_task t;
	int r = mon_pid_task(pid, &t);

	if (r)
		return r;
	if (t.start_time != tag)
		return -ESRCH;
	return mon_mm_pgd(t.mm, pa);
}

/* !mode (mon_mode.c): the page table of the process @pid now. */
int mon_kobj_pid_pgd(u32 pid, u64 *pa)
{
	struct mon_task t;
	int r = mon_pid_task(pid, &t);

	if (r)
		return r;
	return mon_mm_pgd(t.mm, pa);
}

/* The task running on gdb's selected CPU. */
static int mon_current(struct rsp_output *out, int *cpu, u64 *task)
{
	*cpu = hv_gdb_selected_cpu();
	if (*cpu < 0 || !hv_gdb_cpu_state(*cpu))
		return mon_fail(out, 0, "hvgdb: the selected thread's CPU is not halted\n");
	if (hv_gdb_read_kernel((u64)per_cpu_ptr(&current_task, *cpu), task,
			       sizeof(*task)) || !klist_ptr_ok(*task))
		return mon_fail(out, 0, "hvgdb: CPU %d's current task cannot be read\n",
				 *cpu);
	return 0;
}

/* HyperDbg's three lines for the process of task @addr (its leader). */
static int mon_show_process(struct rsp_output *out, u64 addr)
{
	struct mon_task t, lead;
	char b[MON_KOBJ_LINE];
	struct cmd_out o;

	if (mon_task_read(addr, &t) || mon_task_read(t.leader, &lead))
		return mon_fail(out, 0, "hvgdb: task_struct %llx cannot be read\n",
				 addr);
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_process(&o, t.tgid, t.leader, lead.comm);
	mon_out(out, &o);
	return 0;
}

static int mon_process_switch(const struct cmd_parsed *p,
			      struct rsp_output *out)
{
	bool by_pid = p->kobj.op == CMD_KOBJ_PID;
	char b[MON_KOBJ_LINE];
	struct mon_task t;
	u64 task, pa;
	int r;

	r = mon_find_process(by_pid, p->kobj.id, p->kobj.id_col, out, &task);
	if (r)
		return r;
	if (mon_task_read(task, &t))
		return mon_fail(out, p->kobj.id_col, "task_struct %llx cannot be read\n",
				 task);
	if (t.flags & PF_KTHREAD)
		return mon_fail(out, p->kobj.id_col, "pid %x (%s) is a kernel thread: it has no user address space\n",
				 t.tgid, t.comm);
	if (!t.mm)
		return mon_fail(out, p->kobj.id_col, "pid %x (%s) has no mm: it is exiting\n",
				 t.tgid, t.comm);
	if (mon_mm_pgd(t.mm, &pa))
		return mon_fail(out, p->kobj.id_col, "pid %x (%s): its page table (mm %llx) cannot be read\n",
				 t.tgid, t.comm, t.mm);
	hv_gdb_as_set(pa, t.tgid, t.start_time);
	r = mon_show_process(out, task);
	if (r)
		return r;
	rsp_output_write(out, b, scnprintf(b, sizeof(b),
		"gdb's memory accesses use this process's address space (pgd at %llx) until '.process'\n",
		pa));
	return 0;
}

static int mon_process(const struct cmd_parsed *p, struct rsp_output *out)
{
	struct klist_result res;
	char b[MON_KOBJ_LINE];
	u64 task, as;
	u32 as_pid;
	int cpu;

	switch (p->kobj.op) {
	case CMD_KOBJ_LIST:
		mon_process_entry(out, (u64)&init_task, true);
		if (klist_walk(&mon_klist_ops, (u64)&init_task.tasks,
			       MON_KOBJ_MAX_TASKS, mon_plist_visit, out, &res))
			return mon_walk_failed(out, "task list", &res);
		return 0;
	case CMD_KOBJ_PID:
	case CMD_KOBJ_OBJECT:
		return mon_process_switch(p, out);
	default:
		break;
	}
	/* `.process` alone: back to the CPU's own, then the current one. */
	if (mon_current(out, &cpu, &task))
		return -RSP_EIO;
	if (hv_gdb_as_get(&as, &as_pid)) {
		hv_gdb_as_clear();
		rsp_output_write(out, b, scnprintf(b, sizeof(b),
			"gdb's memory accesses use CPU %d's page tables again (not pid %x's)\n",
			cpu, as_pid));
	}
	return mon_show_process(out, task);
}

/* ------------------------------------------------------------- threads */

struct mon_tlist {
	struct rsp_output *out;
};

static int mon_tlist_visit(void *vctx, u64 node, bool back_ok)
{
	struct mon_tlist *l = vctx;
	u64 task = node - offsetof(struct task_struct, thread_node);
	char b[MON_KOBJ_LINE];
	struct mon_task t;
	struct cmd_out o;

	if (mon_task_read(task, &t)) {
		rsp_output_write(l->out, b, scnprintf(b, sizeof(b),
			"        THREAD  %016llx (task_struct unreadable)\n",
			task));
		return 0;
	}
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_thread_entry(&o, t.tgid, t.pid, task,
			     cmd_kobj_state_letter(t.state, t.exit_state),
			     t.cpu, t.comm, mon_task_note(&t, back_ok));
	mon_out(l->out, &o);
	return 0;
}

static int mon_thread_list(struct rsp_output *out, u64 leader)
{
	struct mon_tlist l = { .out = out };
	struct klist_result res;
	char b[MON_KOBJ_LINE];
	struct mon_task t;
	struct cmd_out o;

	if (mon_task_read(leader, &t))
		return mon_fail(out, 0, "hvgdb: task_struct %llx cannot be read\n",
				 leader);
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_thread_head(&o, leader, t.comm);
	mon_out(out, &o);
	if (!klist_ptr_ok(t.signal))
		return mon_fail(out, 0, "hvgdb: pid %x has no signal_struct (%llx): it is being torn down\n",
				 t.tgid, t.signal);
	if (klist_walk(&mon_klist_ops,
		       t.signal + offsetof(struct signal_struct, thread_head),
		       MON_KOBJ_MAX_THREADS, mon_tlist_visit, &l, &res))
		return mon_walk_failed(out, "thread list", &res);
	return 0;
}

static int mon_thread(const struct cmd_parsed *p, struct rsp_output *out)
{
	struct mon_task t, lead;
	char b[MON_KOBJ_LINE];
	struct cmd_out o;
	u64 task, as;
	u32 as_pid;
	int cpu, r;

	if (p->kobj.op == CMD_KOBJ_OBJECT) {
		r = mon_find_process(false, p->kobj.id, p->kobj.id_col, out,
				     &task);
		return r ? r : mon_thread_list(out, task);
	}
	if (p->kobj.op == CMD_KOBJ_LIST) {
		/* The current process: .process's, else the CPU's. */
		if (hv_gdb_as_get(&as, &as_pid)) {
			r = mon_find_process(true, as_pid, 0, out, &task);
			if (r)
				return r;
		} else {
			if (mon_current(out, &cpu, &task))
				return -RSP_EIO;
			if (mon_task_read(task, &t))
				return mon_fail(out, 0, "hvgdb: task_struct %llx cannot be read\n",
						 task);
			task = t.leader;
		}
		return mon_thread_list(out, task);
	}
	if (mon_current(out, &cpu, &task))
		return -RSP_EIO;
	if (mon_task_read(task, &t) || mon_task_read(t.leader, &lead))
		return mon_fail(out, 0, "hvgdb: task_struct %llx cannot be read\n",
				 task);
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_thread(&o, t.pid, t.tgid, task, t.leader, lead.comm);
	mon_out(out, &o);
	return 0;
}

int mon_kobj(const struct cmd_parsed *p, struct rsp_output *out)
{
	switch (p->kind) {
	case CMD_LM:
		return mon_lm(p, out);
	case CMD_PROCESS:
		return mon_process(p, out);
	default:
		return mon_thread(p, out);
	}
}
