/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdb.h - the gdb server inside hvgdb.ko (kmod/debug/gdb_*.c), as the
 * VMX core, main.c and the events layer call it.
 *
 * Contract: hv_gdb_init() runs at load before any CPU is virtualized (it
 * adds NMI-exiting and virtual NMIs to hv.ctls and pre-allocates every
 * buffer); hv_gdb_start() after all CPUs are virtualized starts the 50 ms
 * poll timer; hv_gdb_stop() before devirtualizing stops it; hv_gdb_exit()
 * frees.  hv_gdb_set_monitor() (main.c, at load and unload, while no CPU
 * is virtualized) connects the events layer: debug/ never calls up into
 * events/ by name.  The hv_gdb_on_*() hooks run in VMX root on the exiting CPU and
 * return enum hv_action; hv_gdb_before_resume() (struct hv_exit_ops, wired
 * by main.c) is called at the end of every exit that resumes the guest and parks the CPU there if a halt was
 * requested while it sat in root.  Nothing in root allocates, sleeps,
 * prints or takes a lock the guest could hold.  See docs/debugging.md.
 */
#ifndef HVGDB_KMOD_GDB_H
#define HVGDB_KMOD_GDB_H

#include <linux/types.h>

struct hv_cpu;
struct hv_regs;

/* Poll period (guest time): bytes are seen within this many ms. */
#define HV_GDB_POLL_MS		50

struct rsp_output;
/*
 * What the events layer offers the gdb server.  command: gdb's qRcmd,
 * on the link's holder while every CPU is halted.  drain: batched event
 * output, before a stop reply.  on_resume: each CPU in VMX root as it
 * leaves a halt.  on_exception: an exception exit gdb did not claim;
 * true when the monitor dealt with it.  on_interrupt: each external
 * interrupt held on exit (step.c), already queued for re-injection.
 * as_resolve: at a stop on the link's holder, the top-level table of
 * process @pid whose identity hv_gdb_as_set() was given as @tag: 0 and
 * *pgd_pa, -ESRCH when no such process runs any more, another error when
 * it cannot be used (exiting, unreadable).
 */
struct hv_gdb_monitor {
	int (*command)(const char *cmd, struct rsp_output *out);
	size_t (*drain)(char *buf, size_t cap);
	void (*on_resume)(struct hv_cpu *c, struct hv_regs *r);
	bool (*on_exception)(struct hv_cpu *c, struct hv_regs *r, u32 info);
	void (*on_interrupt)(struct hv_cpu *c, struct hv_regs *r, u8 vector);
	int (*as_resolve)(u32 pid, u64 tag, u64 *pgd_pa);
	/* forward: batched forwarded output (`output {NAME}`), before a
	 * stop reply, link held: writes it with hv_gdb_spool_write(). */
	void (*forward)(void);
	/* on_hook: a #BP exit at @rip, a hidden breakpoint some event owns
	 * (hv_gdb_hook_add): run the events' actions, in VMX root on the
	 * trapping CPU.  Afterwards gdb's own breakpoint there (if any)
	 * stops, and the CPU goes past the hidden breakpoint, unless an
	 * action stopped the world (the resume steps it) or moved @rip. */
	void (*on_hook)(struct hv_cpu *c, struct hv_regs *r, u64 rip);
	/* page_taken: the guest-physical page @gpa has an !epthook2 detour:
	 * gdb's Z2-Z4 refuse it (one view per page: a watched page has no
	 * execute-view copy to hold the detour). */
	bool (*page_taken)(u64 gpa);
	/* Shared shadow pages (every CPU halted, or bp.c re-patching a dirty
	 * shadow in VMX root): bytes_taken: @gpa is one of a detour's
	 * patched bytes (gdb's Z0 and !epthook refuse it); page_shadow: put
	 * the armed detours of page @gpa over bp.c's @shadow (its 0xCC
	 * already in); page_released: bp.c no longer hooks page @gpa, whose
	 * EPT leaves it set to the identity, RWX: the events layer loads its
	 * own view of it again. */
	bool (*bytes_taken)(u64 gpa);
	void (*page_shadow)(u64 gpa, u8 *shadow);
	void (*page_released)(u64 gpa);
	/* track: !track's stepping, VMX root on the CPU: @start at a resume
	 * that is not a gdb step, else at the end of each HV_STEP_TRACK
	 * step. */
	void (*track)(struct hv_cpu *c, struct hv_regs *r, bool start);
};
void hv_gdb_set_monitor(const struct hv_gdb_monitor *m);

int hv_gdb_init(void);
void hv_gdb_start(void);
void hv_gdb_stop(void);
void hv_gdb_exit(void);

int hv_gdb_on_poll(struct hv_cpu *c, struct hv_regs *r);
/* hv_gdb_on_poll: the HV_HC_GDB_POLL hypercall (hv_hypercall_set).
 * Exit handlers (hv_exit_set_handler): EXIT_EXCEPTION_NMI (NMIs for halting,
 * #BP and #DB for breakpoints and steps; other vectors are given back),
 * EXIT_NMI_WINDOW, EXIT_MTF. */
int hv_gdb_on_exception(struct hv_cpu *c, struct hv_regs *r, u32 reason);
int hv_gdb_on_mtf(struct hv_cpu *c, struct hv_regs *r, u32 reason);
int hv_gdb_on_nmi_window(struct hv_cpu *c, struct hv_regs *r, u32 reason);
void hv_gdb_before_resume(struct hv_cpu *c, struct hv_regs *r);

/*
 * For breakpoints and event actions, in VMX root on the trapping CPU:
 * hv_gdb_stop_here() halts every CPU, sends @text (if any) to gdb's
 * console, then the stop @why, and serves gdb until it resumes; false
 * (nothing done) when no gdb waits for a stop (none attached).
 * hv_gdb_console() sends text to gdb's console now if gdb waits for a stop
 * and no other CPU is talking to it; returns the bytes sent (0: keep it).
 * While halted (monitor commands): hv_gdb_selected_cpu() is the CPU of
 * gdb's selected thread, hv_gdb_cpu_state() a halted CPU's registers.
 */
struct rsp_stop;
/*
 * hv_gdb_trace_step(): the script functions event_trace_*, in VMX root on
 * the CPU handling an event.  At the end of this exit (after the
 * emulation, before VM entry) the CPU steps the instruction it resumes
 * at, through step.c, and at the step's end stops the system as gdb's
 * stepi would (SIGTRAP on its thread).  A step already armed for this
 * exit over a breakpoint or a hooked page reports instead.  Without MTF
 * a step cannot start on an entry that delivers an event: it is counted
 * (debugfs gdb: trace_unarmed) and the next stop tells gdb's console.
 * hv_gdb_trace_pending(): such a step is asked for on this CPU.
 */
void hv_gdb_trace_step(struct hv_cpu *c);
bool hv_gdb_trace_pending(void);
bool hv_gdb_stop_here(struct hv_cpu *c, struct hv_regs *r,
		      const struct rsp_stop *why, const char *text, size_t len);
size_t hv_gdb_console(const char *text, size_t len);
/*
 * Event forwarding (gdb_fileio.c): buf[0..len) appended to the file at
 * @path on gdb's machine through gdb's File-I/O, opened again when @gen
 * (the path's generation) or the gdb connection changes.  Only while gdb
 * waits for a stop.  hv_gdb_spool_write() with the link held (the
 * forward hook), hv_gdb_forward() takes it (tried: VMX root while the
 * system runs).  0 when all was written; -EAGAIN when not now (gdb not
 * waiting, link busy: keep the text); another -errno (gdb's: -ENOENT
 * for a missing spool; -EIO when gdb does not answer; -EDESTADDRREQ for
 * no path) when it cannot be written.  hv_gdb_spool_open(): the spool is
 * open for the current gdb.
 */
int hv_gdb_spool_write(const char *path, u32 gen, const char *buf,
		       size_t len);
int hv_gdb_forward(const char *path, u32 gen, const char *buf, size_t len);
bool hv_gdb_spool_open(void);
/* Which gdb connection this is (rsp_fileio_peer()); any context. */
u32 hv_gdb_peer(void);
/*
 * hv_gdb_dead(): this CPU's guest state is lost (triple fault, failed VM
 * entry) and it never resumes.  It stays a halted thread gdb can inspect
 * (named "... - @what"), tells a waiting gdb (@text on the console, then a
 * SIGSEGV stop on its thread) and keeps noticing a gdb that connects or
 * interrupts later, in case it was the polling CPU.  Never returns (not
 * marked __noreturn: objtool cannot see that across objects).
 */
void hv_gdb_dead(struct hv_cpu *c, struct hv_regs *r,
		 const char *what, const char *text, size_t len);
int hv_gdb_selected_cpu(void);
/* `status`: how gdb reaches the module, one line into buf (any context). */
int hv_gdb_link_text(char *buf, size_t cap);
struct gdb_cpu *hv_gdb_cpu_state(int cpu);

/* debugfs "gdb": link and halting statistics. */
struct seq_file;
void hv_gdb_show(struct seq_file *m);
/* The last 4 KiB on the link: "<N" received, ">N" sent by CPU N. */
void hv_gdb_show_wire(struct seq_file *m);
/* "info_mem", "info_tlb": QEMU's `info mem`/`info tlb` over the reading
 * process's page tables (process context; gdb_mem.c). */
void hv_gdb_show_info_mem(struct seq_file *m);
void hv_gdb_show_info_tlb(struct seq_file *m);

/* gdb_mem.c: guest memory for the selected CPU (kernel side of pgwalk). */
struct gdb_cpu;
int hv_gdb_mem_init(void);
long hv_gdb_read_virt(const struct gdb_cpu *g, u64 va, u8 *buf, size_t len);
int hv_gdb_write_virt(const struct gdb_cpu *g, u64 va, const u8 *buf,
		      size_t len);
/* @va -> guest-physical *pa in RAM the module can reach; 0 or -EFAULT. */
int hv_gdb_translate(const struct gdb_cpu *g, u64 va, u64 *pa);
/* Guest memory through this CPU's current guest page tables (VMCS), in
 * VMX root at an exit. */
long hv_gdb_read_current(u64 va, u8 *buf, size_t len);
int hv_gdb_write_current(u64 va, const u8 *buf, size_t len);
/* bp.c: gdb's Z0/Z2-Z4 hook the page of @gpa (its own EPT views). */
bool hv_gdb_page_hooked(u64 gpa);
/* Shared shadows (bp.c; every CPU halted): does page @gpa have watches
 * (gdb's or !monitor's), a breakpoint in [@va, @va + @n)?
 * hv_gdb_page_refresh(): rebuild the shadow of page @gpa (its
 * breakpoints and the events layer's page_shadow) in every CPU's view;
 * false when bp.c does not hook it. */
bool hv_gdb_page_watched(u64 gpa);
bool hv_gdb_bp_in(u64 va, u32 n);
bool hv_gdb_page_refresh(u64 gpa);
/* Kernel pointer to RAM [pa, pa+len), or NULL. */
void *hv_gdb_phys(u64 pa, size_t len);
/* Write RAM [pa, pa+len) even where the direct map is read-only (kernel
 * text); 0 or -EFAULT (not all of it RAM).  VMX root, interrupts off. */
int hv_gdb_write_phys(u64 pa, const void *buf, size_t len);
/*
 * Device memory (gdb_mmio.c): @len bytes at @pa, none of them System RAM,
 * read or written in naturally aligned accesses of @unit bytes (1, 4 or 8)
 * through an uncached mapping, in VMX root on the link's holder.
 * hv_gdb_mmio_check() says whether the access may be made: 0; -EINVAL
 * not aligned to @unit; -ERANGE beyond MAXPHYADDR; -EFAULT touches RAM.
 * The read and write make the same check.
 */
int hv_gdb_mmio_check(u64 pa, u32 len, u8 unit);
int hv_gdb_mmio_read(u64 pa, void *buf, u32 len, u8 unit);
int hv_gdb_mmio_write(u64 pa, const void *buf, u32 len, u8 unit);
/*
 * Physical memory as gdb (PhyMemMode) and the monitor reach it: all of
 * [pa, pa+len) System RAM through the direct map, or all of it device
 * memory through the uncached window in accesses of @unit; never a range
 * that mixes the two (gdb_mmio.c).  0, or hv_gdb_mmio_check()'s error;
 * _check() touches nothing, so a command can refuse before any access.
 */
int hv_gdb_phys_check(u64 pa, u32 len, u8 unit);
int hv_gdb_phys_read(u64 pa, void *buf, u32 len, u8 unit);
int hv_gdb_phys_write(u64 pa, const void *buf, u32 len, u8 unit);
/* The page walk of @va with @g's paging registers: PGWALK_OK and *pa, or
 * a pgwalk error; *info as far as the walk went (kmod/lib/pgwalk.h). */
struct pgwalk_info;
struct pgwalk_ctx;
/* The walk context itself (RAM through the direct map), for whole-table
 * walks such as QEMU's info mem. */
void hv_gdb_walk_ctx(const struct gdb_cpu *g, struct pgwalk_ctx *w);
int hv_gdb_walk(const struct gdb_cpu *g, u64 va, u64 *pa,
		struct pgwalk_info *info);

/*
 * A process's address space for gdb (`.process pid`), at a stop on the
 * link's holder: hv_gdb_as_set() makes every page walk for a halted CPU
 * (gdb's memory accesses, breakpoints, !va2pa, !pte, info mem) use the
 * top-level table at @pgd_pa (its low 12 bits dropped) until
 * hv_gdb_as_clear() or a detach.  Across a resume the pid and @tag (the
 * caller's identity of the process) are kept and the table is found
 * again at the next stop through hv_gdb_monitor.as_resolve.
 * hv_gdb_as_get(): whether a table is in use this stop, and for which
 * pid.  hv_gdb_read_kernel(): @len bytes of kernel memory at @va
 * (upper half) through the host's page table and the checked RAM
 * access, whatever CPU or process is current; 0 or -EFAULT.
 */
void hv_gdb_as_set(u64 pgd_pa, u32 pid, u64 tag);
void hv_gdb_as_clear(void);
bool hv_gdb_as_get(u64 *pgd_pa, u32 *pid);
int hv_gdb_read_kernel(u64 va, void *buf, size_t len);

/*
 * At a stop, on the link's holder (a monitor command): run @fn on CPU @cpu
 * in VMX root with that CPU's VMCS loaded and its guest registers @r; the
 * caller's own CPU directly, a parked one from its wait loop.  Returns
 * fn's result; -ENODEV when @cpu is not a halted CPU of this stop (offline,
 * not virtualized, dead); -ETIMEDOUT when it did not take the call within
 * a second (then it never runs it).
 */
struct hv_cpu;
struct hv_regs;
int hv_gdb_on_cpu(int cpu, int (*fn)(struct hv_cpu *c, struct hv_regs *r,
				     void *arg), void *arg);

/*
 * Hidden breakpoints of monitor events (`!epthook`, bp.c): the table
 * gdb's Z0 uses, each breakpoint with its owners (gdb and event ids,
 * kmod/lib/bptab.h); the 0xCC lives in an execute-only shadow page, so
 * reads see the original bytes.  While every CPU is halted:
 * hv_gdb_hook_check() says whether event @va (in gdb's selected CPU's
 * address space, or .process's) can be hooked: 0 (*new_page: it needs a
 * shadow page), -ENOSPC (no shadow page left: the epthook pool),
 * -EUSERS (no breakpoint slot or owner left), -EFAULT (no RAM behind
 * @va), -EOPNOTSUPP (no execute-only EPT), -ENODEV (no halted CPU),
 * -EBUSY (@va is one of an !epthook2 detour's patched bytes:
 * bytes_taken; elsewhere on a detour's page it shares the shadow).
 * hv_gdb_hook_add() gives event @id the breakpoint at @va (same errors,
 * -EEXIST if it has it).  hv_gdb_hook_sweep() drops every event owner
 * @keep refuses.  Each CPU flushes its EPT translations as it resumes.
 * hv_gdb_hook_pool(): shadow pages in use and allocated.
 * hv_gdb_hook_grow(): process context, @n more shadow pages (capped at
 * BPTAB_MAX_PAGES); returns how many were added.
 */
int hv_gdb_hook_check(u64 va, bool *new_page);
int hv_gdb_hook_add(u64 va, u32 id);
void hv_gdb_hook_sweep(bool (*keep)(u32 id, u64 va));
int hv_gdb_hook_count(void);
void hv_gdb_hook_pool(u32 *used, u32 *cap);
int hv_gdb_hook_grow(u32 n);

#endif /* HVGDB_KMOD_GDB_H */
