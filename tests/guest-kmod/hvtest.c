// SPDX-License-Identifier: GPL-2.0
/*
 * hvtest.ko - test-only guest module for tests/vm/test_vmx_exits.py.
 *
 * Executes, on the CPU of the writing task, instructions that only ring 0
 * can run and that exit to hvgdb: write one command to /proc/hvtest, read
 * the result line back.  Faults are caught through the exception table
 * (EX_TYPE_FAULT puts the vector in RAX), so the module reports them
 * instead of oopsing; results must be the same with and without hvgdb.ko.
 *
 *   xsetbv            XSETBV with the current XCR0   -> "xsetbv ok xcr0=0x.."
 *   xsetbv_bad        XSETBV of XCR0 = 0 (bit 0 clear: #GP, SDM Vol. 1 13.3)
 *   vmxon vmread vmcall vmcall_hv
 *                     -> "<insn> trap=<vector>" or "<insn> ok"
 *                        (vmcall: RAX = 0, not hvgdb's magic;
 *                         vmcall_hv: hvgdb's magic with an unknown number)
 *   wbinvd invd       -> "<insn> ok"
 *   rdmsr MSR         -> "rdmsr 0x.. value=0x.." or "rdmsr 0x.. trap=13"
 *   wrmsr MSR VALUE   -> "wrmsr 0x.. ok" or "wrmsr 0x.. trap=13"
 *                     (MSR and VALUE in hex)
 *   alloc             a zeroed page filled with a pattern -> "page pa=0x.."
 *   touch             check the pattern, write and re-read it -> "touch ok"
 *   detour N [1]      (hex) an !epthook2-style hit, timed: hvtest_detour.c
 *   triple            interrupts off, IDT limit 0, UD2: a triple fault.
 *                     Only under hvgdb.ko (without it Bochs stops).
 *   dr N              N times MOV from DR7, MOV of that value to DR7, MOV
 *                     from DR0; then MOV from DR0, MOV to DR0 of
 *                     HVTEST_DR0, MOV from DR0, MOV of the old value back:
 *                     3N + 4 MOV DR, the kernel's state unchanged
 *                     -> "dr n=N dr7=0x.. dr0=0x.. read=0x.."
 *                     (read: DR0 after the write; a MOV from DR that did
 *                     not run leaves HVTEST_MARK)
 *   drset V           MOV to DR0 of V (hex), then MOV from DR0 and DR7
 *                     -> "drset dr0=0x.. dr7=0x.." (DR0 keeps V: Linux
 *                     leaves slot 0 disabled in DR7 unless it uses it)
 *   drget             MOV from DR0 and DR7 -> "drget dr0=0x.. dr7=0x.."
 *   pmc N             N RDPMC of counter 0 at CPL 0, RAX/RDX preset to
 *                     HVTEST_MARK halves -> "pmc n=N faults=F vector=V
 *                     value=0x.." (value of the last one that completed;
 *                     a PMU-less CPU gives #GP, vector 13)
 *   mbuf              two zeroed contiguous pages (allocated once, zeroed
 *                     at each call) -> "mbuf pa=0x.. va=0x.."
 *                     (for !monitor, tests/vm/test_monitor_ept.py)
 *   mread N OFF       N 8-byte reads (one instruction each) at byte OFF
 *                     of mbuf -> "mread n=N"
 *   mwrite N OFF      N 8-byte writes of HVTEST_MARK + i at byte OFF
 *                     -> "mwrite n=N"
 *   mget OFF          the qword at OFF, read once -> "mget value=0x.."
 *   mexec N           N calls of hvtest_mfn() (one instruction and a
 *                     return) -> "mexec n=N fn=0x.."
 *   kpeek ADDR        the 8 bytes the kernel reads at ADDR (a data read
 *                     of kernel text, as kprobes or ftrace would make)
 *                     -> "kpeek 0x.. bytes=0f 1f 44 00 00 .. .. .."
 *   peek N            qword N of the page of alloc, not filled again
 *                     -> "peek N value=0x.."
 *   probe V           calls hvtest_probe(V), a function that returns its
 *                     argument (RDI): a debugger that stops at its first
 *                     instruction and writes RDI changes what it returns
 *                     -> "probe in=0x.. out=0x.."
 *   nmi_start US      on every online CPU a kthread sends itself an NMI
 *                     (local APIC, NMI_VECTOR) every US microseconds, and
 *                     waits up to 1 s for its NMI handler to count it
 *                     before it sends the next (NMIs pending on one CPU
 *                     merge, so only one is ever in flight)
 *                     -> "nmi_start us=US cpus=N"
 *   nmi_stop          stops them -> as nmi
 *   nmi               -> "nmi sent=S got=G late=L" and " cpuN sent=.. got=.."
 *                     per CPU (late: sends whose NMI had not arrived after
 *                     1 s; got counts only NMIs this module sent)
 *
 * Not for use outside the test VM.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>
#include <linux/mutex.h>
#include <linux/gfp.h>
#include <linux/smp.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include <asm/apic.h>
#include <asm/nmi.h>
#include <asm/asm.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/fpu/xcr.h>
#include <asm/special_insns.h>
#include "kmod/vmx/hypercall.h"

#define HVTEST_PATTERN	0x6876746573740000ULL	/* "hvtest" */
#define HVTEST_NO_TRAP	(~0UL)
#define HVTEST_MARK	0x6d61726b6d61726bULL	/* "markmark" */
#define HVTEST_DR0	0x4856dbdbULL		/* slot 0 stays disabled */

static DEFINE_MUTEX(hvtest_lock);
static char hvtest_result[512];
static u64 *hvtest_page;
static u64 *hvtest_mbuf;		/* 2 pages */

/* Called by `mexec`: its first instruction is what an execute monitor
 * watches. */
static noinline void hvtest_mfn(void)
{
	asm volatile("nop" ::: "memory");
}

/*
 * Each helper returns HVTEST_NO_TRAP, or the vector of the exception the
 * instruction raised: the EX_TYPE_FAULT fixup resumes at 2: with the vector
 * in RAX, skipping the "mov $1, ok" that only a completed instruction runs.
 */
#define HVTEST_TRY(insn)					\
	"1: " insn "\n\tmov $1, %[ok]\n2:\n"			\
	_ASM_EXTABLE_FAULT(1b, 2b)

static unsigned long hvtest_xsetbv(u32 index, u64 v)
{
	unsigned long rax = (u32)v, ok = 0;

	asm volatile(HVTEST_TRY("xsetbv")
		     : "+a"(rax), [ok] "+r"(ok)
		     : "c"(index), "d"((u32)(v >> 32)) : "memory");
	return ok ? HVTEST_NO_TRAP : rax;
}

static unsigned long hvtest_vmxon(void)
{
	unsigned long rax = 0, ok = 0;
	u64 region = 0;

	asm volatile(HVTEST_TRY("vmxon %[region]")
		     : "+a"(rax), [ok] "+r"(ok) : [region] "m"(region)
		     : "cc", "memory");
	return ok ? HVTEST_NO_TRAP : rax;
}

static unsigned long hvtest_vmread(void)
{
	unsigned long rax = 0, ok = 0, field = 0x681e, v = 0;

	asm volatile(HVTEST_TRY("vmread %[field], %[v]")
		     : "+a"(rax), [ok] "+r"(ok), [v] "+r"(v)
		     : [field] "r"(field) : "cc", "memory");
	return ok ? HVTEST_NO_TRAP : rax;
}

static unsigned long hvtest_vmcall(u64 nr)
{
	unsigned long rax = nr, rbx = 0, ok = 0;

	asm volatile(HVTEST_TRY("vmcall")
		     : "+a"(rax), "+b"(rbx), [ok] "+r"(ok)
		     : : "rcx", "rdx", "cc", "memory");
	return ok ? HVTEST_NO_TRAP : rax;
}

static unsigned long hvtest_rdmsr(u32 msr, u64 *v)
{
	unsigned long rax = 0, rdx = 0, ok = 0;

	asm volatile(HVTEST_TRY("rdmsr")
		     : "+a"(rax), "+d"(rdx), [ok] "+r"(ok)
		     : "c"(msr) : "memory");
	if (!ok)
		return rax;
	*v = ((u64)(u32)rdx << 32) | (u32)rax;
	return HVTEST_NO_TRAP;
}

static unsigned long hvtest_wrmsr(u32 msr, u64 v)
{
	unsigned long rax = (u32)v, ok = 0;

	asm volatile(HVTEST_TRY("wrmsr")
		     : "+a"(rax), [ok] "+r"(ok)
		     : "c"(msr), "d"((u32)(v >> 32)) : "memory");
	return ok ? HVTEST_NO_TRAP : rax;
}

/* The output register holds @pre before the MOV: if the MOV is skipped
 * (an !dr event short-circuits it) the caller sees @pre. */
static unsigned long hvtest_get_dr0(unsigned long pre)
{
	asm volatile("mov %%db0, %0" : "+r"(pre));
	return pre;
}

static unsigned long hvtest_get_dr7(unsigned long pre)
{
	asm volatile("mov %%db7, %0" : "+r"(pre));
	return pre;
}

static void hvtest_set_dr0(unsigned long v)
{
	asm volatile("mov %0, %%db0" : : "r"(v) : "memory");
}

static void hvtest_set_dr7(unsigned long v)
{
	asm volatile("mov %0, %%db7" : : "r"(v) : "memory");
}

static void hvtest_dr(char *r, size_t n, u64 count)
{
	unsigned long flags, v7 = 0, v0 = 0, old, rd;
	u64 i;

	/* Interrupts off: nothing may change DR7 between read and write. */
	local_irq_save(flags);
	for (i = 0; i < count; i++) {
		v7 = hvtest_get_dr7(HVTEST_MARK);
		hvtest_set_dr7(v7);
		v0 = hvtest_get_dr0(HVTEST_MARK);
	}
	old = hvtest_get_dr0(HVTEST_MARK);
	hvtest_set_dr0(HVTEST_DR0);
	rd = hvtest_get_dr0(HVTEST_MARK);
	hvtest_set_dr0(old);
	local_irq_restore(flags);
	snprintf(r, n, "dr n=%llu dr7=%#lx dr0=%#lx read=%#lx\n", count, v7,
		 v0, rd);
}

static unsigned long hvtest_rdpmc(u32 idx, u64 *v)
{
	unsigned long rax = (u32)HVTEST_MARK, rdx = HVTEST_MARK >> 32, ok = 0;

	asm volatile(HVTEST_TRY("rdpmc")
		     : "+a"(rax), "+d"(rdx), [ok] "+r"(ok)
		     : "c"(idx) : "memory");
	if (!ok)
		return rax;
	*v = ((u64)(u32)rdx << 32) | (u32)rax;
	return HVTEST_NO_TRAP;
}

static void __noreturn hvtest_triple(void)
{
	struct desc_ptr none = { .size = 0, .address = 0 };

	local_irq_disable();
	/*
	 * With an IDT of limit 0 the #UD cannot be delivered (#GP), nor can
	 * that #GP (#DF), nor the #DF: a triple fault (SDM Vol. 3 6.15).
	 */
	asm volatile("lidt %0\n\tud2" : : "m"(none) : "memory");
	unreachable();
}

#include "hvtest_detour.c"
/* Returns its argument: see "probe" above. */
static noinline u64 hvtest_probe(u64 v)
{
	asm volatile("" : "+r"(v));
	return v;
}

/* --- self-NMIs ---------------------------------------------------------- */

struct hvtest_nmi_cpu {
	atomic_t sent, got, late;
	struct task_struct *task;
};
static DEFINE_PER_CPU(struct hvtest_nmi_cpu, hvtest_nmi);
static unsigned long hvtest_nmi_us;
static bool hvtest_nmi_registered;

/* NMI context: claims an NMI only while one of ours is outstanding. */
static int hvtest_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	struct hvtest_nmi_cpu *c = this_cpu_ptr(&hvtest_nmi);

	if (atomic_read(&c->got) >= atomic_read(&c->sent))
		return NMI_DONE;
	atomic_inc(&c->got);
	return NMI_HANDLED;
}

static int hvtest_nmi_thread(void *arg)
{
	struct hvtest_nmi_cpu *c = arg;

	while (!kthread_should_stop()) {
		int want, i;

		preempt_disable();
		want = atomic_inc_return(&c->sent);
		/* Not send_IPI_self: x2APIC's SELF IPI is fixed-only. */
		apic->send_IPI(smp_processor_id(), NMI_VECTOR);
		preempt_enable();
		for (i = 0; i < 1000 && atomic_read(&c->got) < want; i++)
			usleep_range(1000, 1100);
		if (atomic_read(&c->got) < want)
			atomic_inc(&c->late);
		usleep_range(hvtest_nmi_us, hvtest_nmi_us + hvtest_nmi_us / 4 + 1);
	}
	return 0;
}

static void hvtest_nmi_stop(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hvtest_nmi_cpu *c = per_cpu_ptr(&hvtest_nmi, cpu);

		if (c->task)
			kthread_stop(c->task);
		c->task = NULL;
	}
}

static int hvtest_nmi_start(unsigned long us)
{
	int cpu, err, n = 0;

	if (!hvtest_nmi_registered) {
		err = register_nmi_handler(NMI_LOCAL, hvtest_nmi_handler, 0,
					   "hvtest");
		if (err)
			return err;
		hvtest_nmi_registered = true;
	}
	hvtest_nmi_stop();
	hvtest_nmi_us = us ? us : 1;
	for_each_online_cpu(cpu) {
		struct hvtest_nmi_cpu *c = per_cpu_ptr(&hvtest_nmi, cpu);
		struct task_struct *t;

		atomic_set(&c->sent, 0);
		atomic_set(&c->got, 0);
		atomic_set(&c->late, 0);
		t = kthread_create_on_cpu(hvtest_nmi_thread, c, cpu,
					  "hvtest_nmi/%u");
		if (IS_ERR(t)) {
			hvtest_nmi_stop();
			return PTR_ERR(t);
		}
		c->task = t;
		wake_up_process(t);
		n++;
	}
	return n;
}

static void hvtest_nmi_report(char *r, size_t n)
{
	int cpu, sent = 0, got = 0, late = 0;
	size_t k;

	for_each_possible_cpu(cpu) {
		struct hvtest_nmi_cpu *c = per_cpu_ptr(&hvtest_nmi, cpu);

		sent += atomic_read(&c->sent);
		got += atomic_read(&c->got);
		late += atomic_read(&c->late);
	}
	k = scnprintf(r, n, "nmi sent=%d got=%d late=%d\n", sent, got, late);
	for_each_online_cpu(cpu) {
		struct hvtest_nmi_cpu *c = per_cpu_ptr(&hvtest_nmi, cpu);

		k += scnprintf(r + k, n - k, " cpu%d sent=%d got=%d\n", cpu,
			       atomic_read(&c->sent), atomic_read(&c->got));
	}
}

static void hvtest_run(char *cmd)
{
	char *r = hvtest_result;
	size_t n = sizeof(hvtest_result);
	unsigned long trap;
	u64 a = 0, b = 0, v = 0;
	char name[16];

	if (sscanf(cmd, "%15s %llx %llx", name, &a, &b) < 1) {
		snprintf(r, n, "error empty command\n");
		return;
	}
	if (!strcmp(name, "xsetbv") || !strcmp(name, "xsetbv_bad")) {
		unsigned long flags, cr4;
		u64 xcr0;

		/*
		 * XSETBV is #UD without CR4.OSXSAVE (no exit), and the kernel
		 * leaves XSAVE off in Bochs (xstate size mismatch): enable it
		 * around the instruction only.
		 */
		local_irq_save(flags);
		cr4 = __read_cr4();
		asm volatile("mov %0, %%cr4"
			     : : "r"(cr4 | X86_CR4_OSXSAVE) : "memory");
		xcr0 = name[6] ? 0 : xgetbv(0);
		trap = hvtest_xsetbv(0, xcr0);
		asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
		local_irq_restore(flags);
		if (trap == HVTEST_NO_TRAP)
			snprintf(r, n, "%s ok xcr0=%#llx\n", name, xcr0);
		else
			snprintf(r, n, "%s trap=%lu\n", name, trap);
	} else if (!strcmp(name, "vmxon") || !strcmp(name, "vmread") ||
		   !strcmp(name, "vmcall") || !strcmp(name, "vmcall_hv")) {
		if (!strcmp(name, "vmxon"))
			trap = hvtest_vmxon();
		else if (!strcmp(name, "vmread"))
			trap = hvtest_vmread();
		else if (!strcmp(name, "vmcall"))
			trap = hvtest_vmcall(0);
		else
			trap = hvtest_vmcall(HV_HC_MAGIC | 0xfffe);
		if (trap == HVTEST_NO_TRAP)
			snprintf(r, n, "%s ok\n", name);
		else
			snprintf(r, n, "%s trap=%lu\n", name, trap);
	} else if (!strcmp(name, "wbinvd")) {
		wbinvd();
		snprintf(r, n, "wbinvd ok\n");
	} else if (!strcmp(name, "invd")) {
		/* Under hvgdb the exit handler writes back instead. */
		asm volatile("invd" : : : "memory");
		snprintf(r, n, "invd ok\n");
	} else if (!strcmp(name, "rdmsr")) {
		trap = hvtest_rdmsr((u32)a, &v);
		if (trap == HVTEST_NO_TRAP)
			snprintf(r, n, "rdmsr %#llx value=%#llx\n", a, v);
		else
			snprintf(r, n, "rdmsr %#llx trap=%lu\n", a, trap);
	} else if (!strcmp(name, "wrmsr")) {
		trap = hvtest_wrmsr((u32)a, b);
		if (trap == HVTEST_NO_TRAP)
			snprintf(r, n, "wrmsr %#llx ok\n", a);
		else
			snprintf(r, n, "wrmsr %#llx trap=%lu\n", a, trap);
	} else if (!strcmp(name, "alloc")) {
		unsigned int i;

		if (!hvtest_page)
			hvtest_page = (u64 *)get_zeroed_page(GFP_KERNEL);
		if (!hvtest_page) {
			snprintf(r, n, "error no memory\n");
			return;
		}
		for (i = 0; i < PAGE_SIZE / 8; i++)
			WRITE_ONCE(hvtest_page[i], HVTEST_PATTERN | i);
		snprintf(r, n, "page pa=%#llx\n",
			 (u64)virt_to_phys(hvtest_page));
	} else if (!strcmp(name, "mbuf")) {
		if (!hvtest_mbuf)
			hvtest_mbuf = (u64 *)__get_free_pages(GFP_KERNEL, 1);
		if (!hvtest_mbuf) {
			snprintf(r, n, "error no memory\n");
			return;
		}
		memset(hvtest_mbuf, 0, 2 * PAGE_SIZE);
		snprintf(r, n, "mbuf pa=%#llx va=%#lx\n",
			 (u64)virt_to_phys(hvtest_mbuf),
			 (unsigned long)hvtest_mbuf);
	} else if (!strncmp(name, "m", 1) && strcmp(name, "mexec") &&
		   (!hvtest_mbuf || a > 0x100000 || b > 2 * PAGE_SIZE - 8 ||
		    (b & 7))) {
		snprintf(r, n, "error no mbuf or bad offset\n");
	} else if (!strcmp(name, "mread")) {
		u64 i, s = 0;

		for (i = 0; i < a; i++)
			s += READ_ONCE(hvtest_mbuf[b / 8]);
		snprintf(r, n, "mread n=%llu sum=%#llx\n", a, s);
	} else if (!strcmp(name, "mwrite")) {
		u64 i;

		for (i = 0; i < a; i++)
			WRITE_ONCE(hvtest_mbuf[b / 8], HVTEST_MARK + i);
		snprintf(r, n, "mwrite n=%llu\n", a);
	} else if (!strcmp(name, "mget")) {
		if (a > 2 * PAGE_SIZE - 8)
			snprintf(r, n, "error bad offset\n");
		else
			snprintf(r, n, "mget value=%#llx\n",
				 READ_ONCE(hvtest_mbuf[a / 8]));
	} else if (!strcmp(name, "mexec")) {
		u64 i;

		for (i = 0; i < a && i < 0x100000; i++)
			hvtest_mfn();
		snprintf(r, n, "mexec n=%llu fn=%#lx\n", a,
			 (unsigned long)hvtest_mfn);
	} else if (!strcmp(name, "touch")) {
		u64 *p = hvtest_page;
		bool ok;

		if (!p) {
			snprintf(r, n, "error no page\n");
			return;
		}
		ok = READ_ONCE(p[7]) == (HVTEST_PATTERN | 7);
		WRITE_ONCE(p[8], ~(HVTEST_PATTERN | 8));
		ok = ok && READ_ONCE(p[8]) == ~(HVTEST_PATTERN | 8);
		WRITE_ONCE(p[8], HVTEST_PATTERN | 8);
		snprintf(r, n, "touch %s cpu=%d\n", ok ? "ok" : "bad",
			 raw_smp_processor_id());
	} else if (!strcmp(name, "dr")) {
		hvtest_dr(r, n, a);
	} else if (!strcmp(name, "drset") || !strcmp(name, "drget")) {
		if (name[2] == 's')
			hvtest_set_dr0(a);
		v = hvtest_get_dr0(HVTEST_MARK);
		b = hvtest_get_dr7(HVTEST_MARK);
		snprintf(r, n, "%s dr0=%#llx dr7=%#llx\n", name, v, b);
	} else if (!strcmp(name, "pmc")) {
		u64 i, faults = 0;

		trap = 0;
		for (i = 0; i < a; i++) {
			unsigned long t = hvtest_rdpmc(0, &v);

			if (t != HVTEST_NO_TRAP) {
				faults++;
				trap = t;
			}
		}
		snprintf(r, n, "pmc n=%llu faults=%llu vector=%lu value=%#llx\n",
			 a, faults, trap, v);
	} else if (!strcmp(name, "triple")) {
		hvtest_triple();
	} else if (!strcmp(name, "peek")) {
		if (!hvtest_page || a >= PAGE_SIZE / 8) {
			snprintf(r, n, "error no page or index\n");
			return;
		}
		snprintf(r, n, "peek %llu value=%#llx\n", a,
			 READ_ONCE(hvtest_page[a]));
	} else if (!strcmp(name, "probe")) {
		snprintf(r, n, "probe in=%#llx out=%#llx\n", a, hvtest_probe(a));
	} else if (!strcmp(name, "nmi_start")) {
		int cpus;

		/* Not under preempt_disable: kthreads are created. */
		preempt_enable();
		cpus = hvtest_nmi_start(a);
		preempt_disable();
		if (cpus < 0)
			snprintf(r, n, "error nmi_start %d\n", cpus);
		else
			snprintf(r, n, "nmi_start us=%lu cpus=%d\n",
				 hvtest_nmi_us, cpus);
	} else if (!strcmp(name, "nmi_stop") || !strcmp(name, "nmi")) {
		if (name[3]) {
			preempt_enable();
			hvtest_nmi_stop();
			preempt_disable();
		}
		hvtest_nmi_report(r, n);
	} else if (!strcmp(name, "kpeek")) {
		u8 bytes[8];

		if (copy_from_kernel_nofault(bytes, (void *)(unsigned long)a, 8))
			snprintf(r, n, "kpeek %#llx fault\n", a);
		else
			snprintf(r, n, "kpeek %#llx bytes=%*ph\n", a, 8, bytes);
	} else if (!strcmp(name, "detour")) {
		hvtest_detour(r, n, a, b);
	} else {
		snprintf(r, n, "error unknown command %s\n", name);
	}
}

static ssize_t hvtest_write(struct file *f, const char __user *buf,
			    size_t len, loff_t *off)
{
	char cmd[64];

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, buf, len))
		return -EFAULT;
	cmd[len] = 0;
	mutex_lock(&hvtest_lock);
	/* The instruction must run on the CPU the test pinned us to. */
	preempt_disable();
	hvtest_run(cmd);
	preempt_enable();
	mutex_unlock(&hvtest_lock);
	return len;
}

static ssize_t hvtest_read(struct file *f, char __user *buf, size_t len,
			   loff_t *off)
{
	ssize_t ret;

	mutex_lock(&hvtest_lock);
	ret = simple_read_from_buffer(buf, len, off, hvtest_result,
				      strlen(hvtest_result));
	mutex_unlock(&hvtest_lock);
	return ret;
}

static const struct proc_ops hvtest_ops = {
	.proc_read = hvtest_read,
	.proc_write = hvtest_write,
	.proc_lseek = default_llseek,
};

static int __init hvtest_init(void)
{
	return proc_create("hvtest", 0600, NULL, &hvtest_ops) ? 0 : -ENOMEM;
}

static void __exit hvtest_exit(void)
{
	remove_proc_entry("hvtest", NULL);
	hvtest_nmi_stop();
	if (hvtest_nmi_registered)
		unregister_nmi_handler(NMI_LOCAL, "hvtest");
	if (hvtest_page)
		free_page((unsigned long)hvtest_page);
	if (hvtest_mbuf)
		free_pages((unsigned long)hvtest_mbuf, 1);
}

module_init(hvtest_init);
module_exit(hvtest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvgdb VM-test helper: ring-0 instructions that exit");
