// SPDX-License-Identifier: GPL-2.0
/*
 * hvtest_detour.c - hvtest.ko's "detour N" command (included by hvtest.c):
 * the cost of an !epthook2-style hit in the real kernel, measured in the
 * guest (in Bochs the TSC counts emulated instructions).
 *
 * kmod/lib/detour.c relocates the start of hvtest_dt_target() (its
 * ftrace nop, as every Debian kernel function starts) into a trampoline
 * in this module's text (an "ax" section reserved below, within rel32
 * reach as hvgdb.ko's own would be), and the function's first bytes
 * become jmp trampoline.  Here the patch is written into the text itself
 * with CR0.WP clear (hvgdb.ko would put it in the execute view of an EPT
 * shadow page instead); the hit path is the same.  Timed, N calls each,
 * interrupts off:
 *   base    the function as compiled;
 *   tramp   patched, empty entry: jmp, the relocated bytes, jmp back;
 *   hit     patched, entry = push; VMCALL HV_HC_PING; pop: one exit per
 *           call, the route !epthook2 takes to VMX root for its actions;
 *           "detour N 1": a VMCALL with RAX = 0 instead, which an
 *           `!vmcall sc on script {...}` event handles (see below);
 *   ping    a bare VMCALL HV_HC_PING loop, and
 *   cpuid   a bare CPUID(0) loop, for scale (the bare CPUID exit).
 *   hit5    as hit, hooked at +5 (after the ftrace nop): the body's
 *           lea and its jmp rel32 to the return thunk move.
 * Then the original bytes go back.  The reply:
 *   "detour n=N disp=D base=B tramp=T hit=H ping=P cpuid=C exits=E
 *    disp5=D5 hit5=H5 exits5=E5 ok"
 * (totals in TSC ticks; D the displaced bytes; E the exits the hit loop
 * made, from HV_HC_PING's per-CPU exit count), or "detour error ...";
 * "wrong" instead of "ok" if a patched call returned a wrong value.
 */
#include <linux/irqflags.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/unaligned.h>
#include "kmod/lib/insn_len.c"
#include "kmod/lib/detour.c"

/* 256 bytes of this module's text for the trampoline. */
asm(".pushsection .text.hvtest_tramp, \"ax\"\n"
    ".balign 64\n"
    ".globl hvtest_tramp_area\n"
    "hvtest_tramp_area:\n"
    ".fill 256, 1, 0xcc\n"
    ".popsection\n");
extern u8 hvtest_tramp_area[];

static noinline int hvtest_dt_target(int x)
{
	return 3 * x + 1;
}

static int (*volatile hvtest_dt_fn)(int) = hvtest_dt_target;

/* Write text with CR0.WP clear (interrupts off). */
static void hvtest_text_write(void *dst, const void *src, size_t len)
{
	unsigned long cr0 = native_read_cr0();

	asm volatile("mov %0, %%cr0" : : "r"(cr0 & ~X86_CR0_WP) : "memory");
	memcpy(dst, src, len);
	/* MOV to CR0 serializes: the new bytes are fetched */
	asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
}

static u64 hvtest_dt_ping(void)
{
	unsigned long rax = HV_HC_MAGIC | HV_HC_PING, rbx = 0;

	asm volatile("vmcall" : "+a"(rax), "+b"(rbx) : : "rcx", "rdx", "memory");
	return rbx;
}

/* N calls; false if one returned the wrong value. */
static bool hvtest_dt_calls(u64 n, u64 *ticks)
{
	u64 t0, i;
	bool ok = true;

	t0 = rdtsc_ordered();
	for (i = 0; i < n; i++)
		ok &= hvtest_dt_fn((int)i) == 3 * (int)i + 1;
	*ticks = rdtsc_ordered() - t0;
	return ok;
}

static void hvtest_detour(char *r, size_t rn, u64 n, u64 foreign)
{
	static const u8 ping_entry[] = {
		0x50,					/* push %rax */
		0x53,					/* push %rbx */
		0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,	/* movabs $.., %rax */
		0x0f, 0x01, 0xc1,			/* vmcall */
		0x5b,					/* pop %rbx */
		0x58,					/* pop %rax */
	};
	u8 entry[sizeof(ping_entry)], orig[DETOUR_PATCH_MAX];
	static struct detour_out out;
	struct detour_req req = { 0 };
	u64 base, tramp, hit, hit5, ping, cpuid, e0, e1, e2, e3, i, t0;
	u32 disp;
	u8 *fn = (u8 *)hvtest_dt_target;
	unsigned long flags;
	char why[200];
	bool ok;

	if (hvtest_vmcall(HV_HC_MAGIC | HV_HC_PING) != HVTEST_NO_TRAP) {
		snprintf(r, rn, "detour error no hvgdb (VMCALL faults)\n");
		return;
	}
	/*
	 * foreign: RAX = 0, not hvgdb's magic, so the VMCALL is the guest's
	 * own and `!vmcall sc on script {...}` runs for it in VMX root and
	 * skips it: an !epthook2 hit's path with its actions.  Without such
	 * an event the VMCALL would be #UD: probe it first, under the
	 * exception table.
	 */
	if (foreign && hvtest_vmcall(0) != HVTEST_NO_TRAP) {
		snprintf(r, rn, "detour error a foreign VMCALL faults (no !vmcall sc on event)\n");
		return;
	}
	memcpy(entry, ping_entry, sizeof(entry));
	put_unaligned(foreign ? 0 : (u64)(HV_HC_MAGIC | HV_HC_PING),
		      (u64 *)(entry + 4));
	memcpy(orig, fn, sizeof(orig));
	req.addr = (u64)fn;
	req.code = orig;
	req.avail = sizeof(orig);
	req.tramp = (u64)hvtest_tramp_area;

	local_irq_save(flags);
	ok = hvtest_dt_calls(n, &base);

	/* the trampoline alone */
	if (detour_build(&req, &out))
		goto refused;
	hvtest_text_write(hvtest_tramp_area, out.tramp, out.tramp_len);
	hvtest_text_write(fn, out.patch, out.n);
	ok &= hvtest_dt_calls(n, &tramp);
	hvtest_text_write(fn, orig, out.n);

	/* one VMCALL per hit */
	req.entry = entry;
	req.entry_len = sizeof(entry);
	if (detour_build(&req, &out))
		goto refused;
	hvtest_text_write(hvtest_tramp_area, out.tramp, out.tramp_len);
	hvtest_text_write(fn, out.patch, out.n);
	e0 = hvtest_dt_ping();
	ok &= hvtest_dt_calls(n, &hit);
	e1 = hvtest_dt_ping();
	hvtest_text_write(fn, orig, out.n);
	ok &= hvtest_dt_fn(5) == 16;
	disp = out.n;

	/* hooked after the ftrace nop: the body, with its jmp rel32 to the
	 * return thunk, moves */
	req.addr = (u64)fn + 5;
	req.code = orig + 5;
	req.avail = sizeof(orig) - 5;
	if (detour_build(&req, &out))
		goto refused;
	hvtest_text_write(hvtest_tramp_area, out.tramp, out.tramp_len);
	hvtest_text_write(fn + 5, out.patch, out.n);
	e2 = hvtest_dt_ping();
	ok &= hvtest_dt_calls(n, &hit5);
	e3 = hvtest_dt_ping();
	hvtest_text_write(fn + 5, orig + 5, out.n);
	ok &= hvtest_dt_fn(5) == 16;

	t0 = rdtsc_ordered();
	for (i = 0; i < n; i++)
		hvtest_dt_ping();
	ping = rdtsc_ordered() - t0;
	t0 = rdtsc_ordered();
	for (i = 0; i < n; i++) {
		u32 a = 0, b, c = 0, d;

		native_cpuid(&a, &b, &c, &d);
	}
	cpuid = rdtsc_ordered() - t0;
	local_irq_restore(flags);

	snprintf(r, rn, "detour n=%llu disp=%u base=%llu tramp=%llu hit=%llu "
		 "ping=%llu cpuid=%llu exits=%llu disp5=%u hit5=%llu "
		 "exits5=%llu %s\n", n, disp, base, tramp, hit, ping, cpuid,
		 e1 - e0 - 1, out.n, hit5, e3 - e2 - 1, ok ? "ok" : "wrong");
	return;

refused:
	local_irq_restore(flags);
	detour_describe(&out.err, why, sizeof(why));
	snprintf(r, rn, "detour error %s\n", why);
}
