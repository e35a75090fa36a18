// SPDX-License-Identifier: GPL-2.0
/*
 * mon_mode.c - HyperDbg's !mode: one process's kernel-to-user ($context 3)
 * and user-to-kernel ($context 0) transitions, in VMX root.
 *
 * Mechanism (kmod/lib/mode_view.h): per-CPU EPT execute views.  While an
 * enabled !mode event names a process, every CPU runs with CR3-load
 * exiting (owner HV_OWN_MODE); a CPU that loads the process's page table
 * switches to the "kernel" view (only the kernel's text executable), any
 * other load back to the base EPT.  In the kernel view the process's
 * first user-mode fetch exits: a u transition; the CPU goes to the "user"
 * view (kernel text not executable), where the first fetch of the next
 * entry to the kernel exits: a k transition.  The guest's CPL at the
 * exit tells the two sides apart; a kernel-mode fetch outside the text in
 * the kernel view (a module) is granted and goes on.  `sc` on a u
 * transition leaves the CPU in the kernel view, so the same fetch exits
 * again: the process makes no progress in user mode, while interrupts
 * still reach the kernel (the fetch is retried with RFLAGS.IF set) and
 * the scheduler runs the other tasks.
 *
 * Where IA32_VMX_PROCBASED_CTLS2 allows mode-based execute control (MBEC,
 * SDM Vol. 3C 25.6.2, 29.3.3.2), that is the mechanism instead: the EPT
 * views carry user execute (bit 10) wherever execute (bit 2) from load
 * (ept_host.c, ept.h's xu), and while a !mode runs each CPU sets
 * secondary control bit 22; the "user" view is the base with supervisor
 * execute cleared in its PML4 (the next kernel-mode fetch exits: k), the
 * "kernel" view the base with user execute cleared (the next user-mode
 * fetch exits: u); no kernel text and no grants.  The choice is the
 * capability's (mode_mech_choose()); Bochs 2.7 offers no MBEC, so only
 * the pure parts of that path (mode_view.c, ept.c) are tested here.
 *
 * State: mmode is set at load (process context) and by mon_mode_settle()
 * while every CPU is halted; each struct mon_mode_cpu is written only by
 * its CPU in VMX root (on_resume, the CR3 observer, the EPT hook).
 * Nothing here allocates, sleeps or takes a lock in VMX root.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <asm/msr.h>
#include <asm/pgtable.h>
#include <asm/cpufeature.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/events/mon_priv.h"
#include "kmod/lib/mode_view.h"
#include "kmod/lib/exitqual.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/cmd.h"

#define MM_QUAL_FETCH	(1ULL << 2)	/* EPT violation: a fetch (28-7) */
#define MM_CR3_ADDR	0x000ffffffffff000ULL

enum mm_state { MM_BASE, MM_USER, MM_KERNEL };

struct mon_mode_cpu {
	int cpu;			/* whose EPT the views are built on */
	struct mode_view vu, vk;
	enum mm_state state;
	u64 k, u, held, grants, resyncs;
};

static struct {
	enum mode_mech mech;		/* what the CPU offers */
	u64 text_lo, text_hi;		/* kernel text, guest-physical */
	u64 text_lo_va, text_hi_va;	/* the same, virtual */
	bool ready;			/* views allocated */
	bool active;			/* an enabled !mode and its process */
	u32 pid;
	u64 pgd;
	struct mon_mode_cpu *cpu[NR_CPUS];
} mmode;

/* ---- load ---- */

static bool mon_mode_kexec(unsigned long va)
{
	unsigned int level;
	pte_t *p = lookup_address(va, &level);

	return p && pte_present(*p) && !(pte_val(*p) & _PAGE_NX);
}

/*
 * The kernel's text: the executable pages of the kernel image's mapping
 * around the SYSCALL entry point (LSTAR), as [lo, hi) physical.  The
 * image is contiguous in physical memory; x86-64 aligns the end of its
 * text to 2 MiB (X86_ALIGN_RODATA_BEGIN), so rodata and the vDSO image
 * that user space runs lie outside.
 */
static int mon_mode_text(void)
{
	unsigned long a = native_read_msr(MSR_LSTAR) & PAGE_MASK, lo, hi;

	if (a < __START_KERNEL_map || !mon_mode_kexec(a))
		return -ENOENT;
	lo = a;
	while (lo - PAGE_SIZE >= __START_KERNEL_map &&
	       mon_mode_kexec(lo - PAGE_SIZE))
		lo -= PAGE_SIZE;
	hi = a + PAGE_SIZE;
	while (hi && mon_mode_kexec(hi))
		hi += PAGE_SIZE;
	mmode.text_lo = __pa(lo);
	mmode.text_hi = __pa(hi - 1) + 1;
	mmode.text_lo_va = lo;
	mmode.text_hi_va = hi;
	return 0;
}

bool mon_mode_text_va(u64 *lo, u64 *hi)
{
	*lo = mmode.text_lo_va;
	*hi = mmode.text_hi_va;
	return *hi > *lo;
}

static int mon_mode_page(struct mv_page *p)
{
	p->v = (u64 *)get_zeroed_page(GFP_KERNEL);
	if (!p->v)
		return -ENOMEM;
	p->pa = virt_to_phys(p->v);
	return 0;
}

static void mon_mode_page_free(struct mv_page *p)
{
	free_page((unsigned long)p->v);
	p->v = NULL;
}

static int mon_mode_view_alloc(struct mode_view *v, bool pts)
{
	int i, err = mon_mode_page(&v->pml4) ?: mon_mode_page(&v->pdpt);

	for (i = 0; !err && i < MV_PDS; i++)
		err = mon_mode_page(&v->pd[i]);
	for (i = 0; !err && pts && i < MV_PTS; i++)
		err = mon_mode_page(&v->pt[i]);
	return err;
}

static void mon_mode_view_free(struct mode_view *v)
{
	int i;

	mon_mode_page_free(&v->pml4);
	mon_mode_page_free(&v->pdpt);
	for (i = 0; i < MV_PDS; i++)
		mon_mode_page_free(&v->pd[i]);
	for (i = 0; i < MV_PTS; i++)
		mon_mode_page_free(&v->pt[i]);
}

static bool mon_mode_ept(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
			 u64 qual);
static const struct hv_exit_observer mon_mode_cr3_observer;

/* At load, process context, before any CPU is virtualized. */
int mon_mode_init(void)
{
	int cpu, err = 0;

	memset(&mmode, 0, sizeof(mmode));
	mmode.mech = mode_mech_choose(hv.msrs.proc2,
				      hv.ctls.proc2 & HV_PROC2_EPT);
	if (mon_mode_text() || mmode.mech == MODE_MECH_NONE)
		return 0;	/* !mode is refused with the reason */
	for_each_possible_cpu(cpu) {
		struct mon_mode_cpu *m = kzalloc(sizeof(*m), GFP_KERNEL);

		if (!m) {
			err = -ENOMEM;
			break;
		}
		mmode.cpu[cpu] = m;
		m->cpu = cpu;
		err = mon_mode_view_alloc(&m->vu, false) ?:
		      mon_mode_view_alloc(&m->vk, true);
		if (err)
			break;
	}
	if (!err)
		err = hv_exit_observer_add(EXIT_CR_ACCESS,
					   &mon_mode_cr3_observer);
	if (err) {
		mon_mode_exit();
		return 0;	/* refused at use: no memory at load */
	}
	WRITE_ONCE(hv_ept_view_hook, mon_mode_ept);
	mmode.ready = true;
	return 0;
}

/* At unload, after every CPU left VMX. */
void mon_mode_exit(void)
{
	int cpu;

	WRITE_ONCE(hv_ept_view_hook, NULL);
	hv_exit_observer_del(EXIT_CR_ACCESS, &mon_mode_cr3_observer);
	for_each_possible_cpu(cpu) {
		struct mon_mode_cpu *m = mmode.cpu[cpu];

		if (!m)
			continue;
		mon_mode_view_free(&m->vu);
		mon_mode_view_free(&m->vk);
		kfree(m);
		mmode.cpu[cpu] = NULL;
	}
	mmode.ready = false;
}

const char *mon_mode_mech_text(void)
{
	if (!mmode.ready)
		return mmode.mech == MODE_MECH_NONE ?
		       mode_mech_name(MODE_MECH_NONE) :
		       "none (the kernel text was not found or no memory at load)";
	return mode_mech_name(mmode.mech);
}

static bool mon_mode_mbec(void)
{
	return mmode.mech == MODE_MECH_MBEC;
}

/* MBEC views of @cpu's EPT: PML4 copies without supervisor execute (vu)
 * and without user execute (vk); the tables below are the base's. */
static void mon_mode_mbec_build(struct mon_mode_cpu *m)
{
	const struct ept_table *base = hv_ept_view_table(m->cpu);

	mode_mbec_pml4(m->vu.pml4.v, base->pml4, true);
	mode_mbec_pml4(m->vk.pml4.v, base->pml4, false);
}

/* ---- VMX root, on the CPU itself ---- */

static bool mon_mode_target(u64 cr3)
{
	u64 mask = MM_CR3_ADDR;

	/* With PTI the user half of the pair differs in bit 12. */
	if (boot_cpu_has(X86_FEATURE_PTI))
		mask &= ~(1ULL << 12);
	return mmode.active && (cr3 & mask) == mmode.pgd;
}

static void mon_mode_write(struct mon_mode_cpu *m, enum mm_state s)
{
	hv_vmwrite(VMCS_EPT_POINTER,
		   s == MM_USER ? mode_view_eptp(&m->vu, hv_ept_eptp(m->cpu)) :
		   s == MM_KERNEL ? mode_view_eptp(&m->vk, hv_ept_eptp(m->cpu)) :
		   hv_ept_eptp(m->cpu));
	m->state = s;
}

static void mon_mode_load(struct mon_mode_cpu *m, enum mm_state s)
{
	if (m->state != s)
		mon_mode_write(m, s);
}

static bool mon_mode_fire(struct hv_cpu *c, struct hv_regs *r, u64 ctx)
{
	struct event_exit x;

	mon_exit_init(&x, EVENT_MODE, ctx, ctx);
	return mon_fire(c, r, &x);
}

/* MBEC: the violation says which mode fetched and what it lacked. */
static bool mon_mode_ept_mbec(struct hv_cpu *c, struct hv_regs *r,
			      struct mon_mode_cpu *m, u64 qual)
{
	int t = mode_mbec_transition(qual, hv_guest_cpl());

	if ((m->state == MM_USER && t != 0) ||
	    (m->state == MM_KERNEL && t != 3)) {
		/* Not the view's: the base may have a new PML4 entry. */
		mon_mode_mbec_build(m);
		hv_invept_all();
		m->resyncs++;
		return false;
	}
	if (t == 0) {
		mon_mode_load(m, MM_KERNEL);
		m->k++;
		mon_mode_fire(c, r, 0);
		return true;
	}
	m->u++;
	if (mon_mode_fire(c, r, 3)) {
		m->held++;	/* sc: the same user fetch exits again */
		return true;
	}
	mon_mode_load(m, MM_USER);
	return true;
}

/* hv_ept_view_hook: an EPT violation on a CPU that may be on a view. */
static bool mon_mode_ept(struct hv_cpu *c, struct hv_regs *r, u64 gpa,
			 u64 qual)
{
	struct mon_mode_cpu *m = mmode.cpu[c->cpu];
	struct mode_view *v;

	if (!m || m->state == MM_BASE)
		return false;
	if (mon_mode_mbec())
		return mon_mode_ept_mbec(c, r, m, qual);
	v = m->state == MM_USER ? &m->vu : &m->vk;
	if (!(qual & MM_QUAL_FETCH) || !mode_view_blocks_exec(v, hv_ept_view_table(c->cpu), gpa)) {
		/* Not the view's: the base may have changed under a level
		 * the view copies (a page mapped on demand); copy it again
		 * and let the base's handlers see the exit. */
		mode_view_build(v, v->kind, hv_ept_view_table(c->cpu), mmode.text_lo,
				mmode.text_hi);
		hv_invept_all();
		m->resyncs++;
		return false;
	}
	if (m->state == MM_USER) {
		/* Kernel text fetched: an entry to the kernel. */
		mon_mode_load(m, MM_KERNEL);
		if (hv_guest_cpl() == 0) {
			m->k++;
			mon_mode_fire(c, r, 0);
		}
		return true;
	}
	if (hv_guest_cpl() != 3) {
		/* Kernel code outside the text (a module): let it run. */
		mode_view_grant(&m->vk, hv_ept_view_table(c->cpu), gpa);
		hv_invept_all();
		m->grants++;
		return true;
	}
	m->u++;
	if (mon_mode_fire(c, r, 3)) {
		/* sc: the fetch exits again; the process stays out of user
		 * mode until the event lets it go. */
		m->held++;
		return true;
	}
	mon_mode_load(m, MM_USER);
	return true;
}

/* After a completed MOV to CR3: which process runs on this CPU now. */
static void mon_mode_cr3_post(struct hv_cpu *c, struct hv_regs *r,
			      struct hv_exit *hx)
{
	struct mon_mode_cpu *m = mmode.cpu[c->cpu];
	struct hv_cr_access a;

	if (!m || !mmode.active)
		return;
	hv_decode_cr(hv_vmread(VMCS_EXIT_QUALIFICATION), &a);
	if (a.cr != 3 || a.type != HV_CR_MOV_TO)
		return;
	if (mon_mode_target(hv_vmread(VMCS_GUEST_CR3))) {
		/* A switch to the process, in the kernel. */
		if (m->state == MM_BASE)
			mon_mode_load(m, MM_KERNEL);
	} else {
		mon_mode_load(m, MM_BASE);
	}
}

static const struct hv_exit_observer mon_mode_cr3_observer = {
	.post = mon_mode_cr3_post,
};

/* Each CPU as it leaves a halt: views copied from the base as it is now
 * (breakpoints may have changed it), CR3-load exiting, the view that fits
 * what the CPU runs. */
void mon_mode_on_resume(struct hv_cpu *c)
{
	struct mon_mode_cpu *m = mmode.cpu[c->cpu];
	struct hv_ctl_extra *x = &c->extra[HV_OWN_MODE];
	enum mm_state s = MM_BASE;

	if (!m)
		return;
	if (!mmode.active) {
		mon_mode_load(m, MM_BASE);
		if (x->proc || x->proc2) {
			x->proc = 0;
			x->proc2 = 0;
			c->ctls_dirty = true;
		}
		return;
	}
	if (mon_mode_mbec()) {
		mon_mode_mbec_build(m);
	} else if (mode_view_build(&m->vu, MV_USER, hv_ept_view_table(c->cpu),
				   mmode.text_lo, mmode.text_hi) ||
		   mode_view_build(&m->vk, MV_KERNEL,
				   hv_ept_view_table(c->cpu), mmode.text_lo,
				   mmode.text_hi)) {
		mon_mode_load(m, MM_BASE);
		return;
	}
	if (!x->proc) {
		x->proc = HV_PROC_CR3_LOAD;
		x->proc2 = mon_mode_mbec() ? HV_PROC2_MODE_BASED_EPT_EXEC : 0;
		c->ctls_dirty = true;
	}
	if (mon_mode_target(hv_vmread(VMCS_GUEST_CR3)))
		s = hv_guest_cpl() == 3 ? MM_USER : MM_KERNEL;
	mon_mode_write(m, s);
	hv_invept_all();
}

/* ---- at a stop, every CPU halted ---- */

static const struct event *mon_mode_event(u32 skip_id, bool enabled_only)
{
	const struct event_table *t = &mon.table;
	u32 i;

	for (i = 0; i < t->count; i++) {
		const struct event *ev = &t->ev[i];

		if (ev->spec.type == EVENT_MODE && ev->id != skip_id &&
		    (ev->enabled || !enabled_only))
			return ev;
	}
	return NULL;
}

/* After every command: the process the enabled !mode events name. */
void mon_mode_settle(void)
{
	const struct event *ev = mmode.ready ? mon_mode_event(~0u, true) :
				 NULL;
	u64 pgd;

	mmode.active = ev && !mon_kobj_pid_pgd(ev->spec.pid, &pgd);
	if (mmode.active) {
		mmode.pid = ev->spec.pid;
		mmode.pgd = pgd;
	}
	if (mmode.ready)
		hv_exit_observer_enable(EXIT_CR_ACCESS, &mon_mode_cr3_observer,
					mmode.active);
}

static void mon_mode_counts(struct rsp_output *out)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct mon_mode_cpu *m = mmode.cpu[cpu];

		if (!m || !hv.cpus[cpu])
			continue;
		mon_printf(out, "  CPU %d: %s view, k %#llx u %#llx held %#llx "
			   "granted %#llx resynced %#llx\n", cpu,
			   m->state == MM_USER ? "user" :
			   m->state == MM_KERNEL ? "kernel" : "base", m->k,
			   m->u, m->held, m->grants, m->resyncs);
	}
}

/*
 * preactivate mode, and the checks of a !mode command before it is added:
 * *handled false to let cmd_execute_parsed() add it.
 */
int mon_mode_command(const struct cmd_parsed *p, struct rsp_output *out,
		     bool *handled)
{
	const struct event *other;
	u64 pgd;

	*handled = true;
	if (p->kind == CMD_PREACTIVATE) {
		mon_printf(out, "!mode: %s\n", mon_mode_mech_text());
		if (mmode.mech == MODE_MECH_MBEC)
			mon_printf(out, "  (this CPU offers MBEC: !mode sets "
				   "secondary control bit 22 while it runs)\n");
		if (!mmode.ready)
			return 0;
		mon_printf(out, "  kernel text %#llx-%#llx (physical), ready "
			   "since load: nothing to pre-activate\n",
			   mmode.text_lo, mmode.text_hi);
		if (mmode.active)
			mon_printf(out, "  following pid %#x (page table "
				   "%#llx)\n", mmode.pid, mmode.pgd);
		mon_mode_counts(out);
		return 0;
	}
	*handled = false;
	if (p->kind != CMD_EVENT || p->spec.type != EVENT_MODE)
		return 0;
	*handled = true;
	if (!mmode.ready)
		return mon_fail(out, 0, "!mode is not available: %s\n",
				mon_mode_mech_text());
	other = mon_mode_event(~0u, false);
	if (other && other->spec.pid != p->spec.pid)
		return mon_fail(out, 0, "!mode follows one process at a time: "
				"event %#x follows pid %#x (clear it first)\n",
				other->id, other->spec.pid);
	if (mon_kobj_pid_pgd(p->spec.pid, &pgd))
		return mon_fail(out, 0, "!mode: no process with pid %#x "
				"(.process list lists them)\n", p->spec.pid);
	*handled = false;
	return 0;
}

/* After a !mode event was added: which mechanism it runs on. */
void mon_mode_added(const struct cmd_parsed *p, struct rsp_output *out)
{
	if (p->kind == CMD_EVENT && p->spec.type == EVENT_MODE)
		mon_printf(out, "!mode runs on %s\n", mon_mode_mech_text());
}
