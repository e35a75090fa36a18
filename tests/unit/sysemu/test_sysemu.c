/*
 * SYSCALL/SYSRET emulation (kmod/sysemu.c) with the MSR values Linux 6.1
 * programs (arch/x86/kernel/cpu/common.c syscall_init), every resulting
 * field checked against the SDM Vol. 2B Operation sections; expected
 * access rights are written out from SDM Vol. 3C table 24-2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <capstone/capstone.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/sysemu.h"

/* Linux GDT selectors (arch/x86/include/asm/segment.h). */
#define KERNEL_CS	0x10
#define KERNEL_DS	0x18
#define USER32_CS	0x23
#define USER_DS		0x2b
#define USER_CS		0x33

/* CF|PF|AF|ZF|SF|TF|IF|DF|OF|IOPL|NT|RF|AC|ID */
#define LINUX_FMASK	0x257fd5ULL
#define LINUX_STAR	(((u64)USER32_CS << 48) | ((u64)KERNEL_CS << 32))
#define LINUX_LSTAR	0xffffffff82000040ULL	/* entry_SYSCALL_64 */
#define EFER_LINUX	0xd01ULL		/* SCE|LME|LMA|NXE */

/* VMCS access rights, by hand from table 24-2. */
#define AR_KCODE64	0xa09b	/* type B, S, DPL0, P, L, G */
#define AR_KDATA	0xc093	/* type 3, S, DPL0, P, B, G */
#define AR_UCODE64	0xa0fb	/* type B, S, DPL3, P, L, G */
#define AR_UCODE32	0xc0fb	/* type B, S, DPL3, P, D, G */
#define AR_UDATA	0xc0f3	/* type 3, S, DPL3, P, B, G */

#define RF	(1ULL << 16)
#define TF	(1ULL << 8)

static const struct sysemu_msrs linux_msrs = {
	.star = LINUX_STAR, .lstar = LINUX_LSTAR,
	.cstar = 0xffffffff82001000ULL, .fmask = LINUX_FMASK,
	.efer = EFER_LINUX,
};

static void seg(struct sysemu_seg *s, u16 sel, u32 ar)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->ar = ar;
}

/* A 64-bit process about to SYSCALL, as the #UD exit leaves it (RF=1). */
static struct sysemu_state user_state(void)
{
	struct sysemu_state s;

	memset(&s, 0, sizeof(s));
	s.rip = 0x7f0012345670ULL;
	s.rflags = 0x246 | RF;		/* IF ZF PF, RF from the fault */
	s.rcx = 0x1111111111111111ULL;
	s.r11 = 0x2222222222222222ULL;
	s.rsp = 0x7ffc00001000ULL;
	seg(&s.cs, USER_CS, AR_UCODE64);
	seg(&s.ss, USER_DS, AR_UDATA);
	s.cpl = 3;
	s.insn_len = 2;
	return s;
}

/* Linux about to `sysretq` back to a 64-bit process. */
static struct sysemu_state kernel_state(void)
{
	struct sysemu_state s;

	memset(&s, 0, sizeof(s));
	s.rip = 0xffffffff820001c0ULL;
	s.rflags = 0x46 | RF;
	s.rcx = 0x7f0012345672ULL;
	s.r11 = 0x246;
	s.rsp = 0x7ffc00001000ULL;	/* user RSP already restored */
	seg(&s.cs, KERNEL_CS, AR_KCODE64);
	seg(&s.ss, KERNEL_DS, AR_KDATA);
	s.cpl = 0;
	s.insn_len = 3;
	return s;
}

static void assert_seg(const struct sysemu_seg *s, u16 sel, u32 ar)
{
	assert_int_equal(s->sel, sel);
	assert_int_equal(s->base, 0);
	assert_int_equal(s->limit, 0xffffffff);
	assert_int_equal(s->ar, ar);
}

static void test_syscall_linux(void **state)
{
	struct sysemu_state s = user_state();

	(void)state;
	assert_int_equal(sysemu_syscall(&s, &linux_msrs), SYSEMU_DONE);
	assert_int_equal(s.rcx, 0x7f0012345672ULL);	/* next RIP */
	assert_int_equal(s.r11, 0x246);			/* RF not saved */
	assert_int_equal(s.rip, LINUX_LSTAR);
	assert_int_equal(s.rflags, 0x2);		/* IF, ZF, PF masked */
	assert_seg(&s.cs, KERNEL_CS, AR_KCODE64);
	assert_seg(&s.ss, KERNEL_DS, AR_KDATA);
	assert_int_equal(s.cpl, 0);
	assert_int_equal(s.rsp, 0x7ffc00001000ULL);	/* untouched */
	assert_false(s.pending_bs);
}

static void test_syscall_fmask(void **state)
{
	struct sysemu_msrs m = linux_msrs;
	struct sysemu_state s = user_state();

	(void)state;
	/* Everything FMASK names is cleared; the rest survives. */
	s.rflags = 0x3d7fd7;		/* every flag but VM (bit 17) */
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_DONE);
	assert_int_equal(s.r11, 0x3c7fd7);	/* ... and RF */
	assert_int_equal(s.rflags, 0x180002);	/* VIF VIP and bit 1 */
	/* FMASK 0: RFLAGS kept, except RF, which no completed SYSCALL
	 * leaves set. */
	s = user_state();
	m.fmask = 0;
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_DONE);
	assert_int_equal(s.rflags, 0x246);
	/* Bit 1 is always 1 even if FMASK names it. */
	m.fmask = 0xffffffff;
	s = user_state();
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_DONE);
	assert_int_equal(s.rflags, 0x2);
}

static void test_syscall_single_step(void **state)
{
	struct sysemu_msrs m = linux_msrs;
	struct sysemu_state s = user_state();

	(void)state;
	/* gdb stepping over a syscall in the process: TF=1 at the start,
	 * so #DB after SYSCALL although FMASK clears TF. */
	s.rflags |= TF;
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_DONE);
	assert_true(s.pending_bs);
	assert_int_equal(s.rflags & TF, 0);
	assert_int_equal(s.r11, 0x346);
	/* FMASK without TF: TF stays, #DB still pending. */
	m.fmask &= ~TF;
	s = user_state();
	s.rflags |= TF;
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_DONE);
	assert_true(s.pending_bs);
	assert_int_equal(s.rflags & TF, TF);
}

static void test_syscall_star_rpl(void **state)
{
	struct sysemu_msrs m = linux_msrs;
	struct sysemu_state s = user_state();

	(void)state;
	/* CS gets RPL 0 forced, SS is STAR[47:32] + 8 as is. */
	m.star = ((u64)USER32_CS << 48) | (0x13ULL << 32);
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_DONE);
	assert_int_equal(s.cs.sel, 0x10);
	assert_int_equal(s.ss.sel, 0x1b);
	/* Non-flat user segments do not leak into the kernel's. */
	s = user_state();
	s.cs.base = 0x1000;
	s.cs.limit = 0xfff;
	s.ss.ar |= SYSEMU_AR_UNUSABLE;
	assert_int_equal(sysemu_syscall(&s, &linux_msrs), SYSEMU_DONE);
	assert_seg(&s.cs, KERNEL_CS, AR_KCODE64);
	assert_seg(&s.ss, KERNEL_DS, AR_KDATA);
}

static void test_syscall_ud(void **state)
{
	struct sysemu_msrs m = linux_msrs;
	struct sysemu_state s = user_state(), before = s;

	(void)state;
	/* The guest cleared SCE itself: the real CPU would #UD. */
	m.efer &= ~SYSEMU_EFER_SCE;
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_INJECT_UD);
	assert_memory_equal(&s, &before, sizeof(s));
	/* Compatibility mode (CS.L=0): #UD on Intel. */
	m = linux_msrs;
	s.cs.ar = AR_UCODE32;
	s.cs.sel = USER32_CS;
	before = s;
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_INJECT_UD);
	assert_memory_equal(&s, &before, sizeof(s));
	/* Not IA-32e mode. */
	s = user_state();
	m.efer &= ~SYSEMU_EFER_LMA;
	assert_int_equal(sysemu_syscall(&s, &m), SYSEMU_INJECT_UD);
}

static void test_sysretq_linux(void **state)
{
	struct sysemu_state s = kernel_state();

	(void)state;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, true), SYSEMU_DONE);
	assert_int_equal(s.rip, 0x7f0012345672ULL);
	assert_int_equal(s.rflags, 0x246);
	assert_seg(&s.cs, USER_CS, AR_UCODE64);
	assert_seg(&s.ss, USER_DS, AR_UDATA);
	assert_int_equal(s.cpl, 3);
	assert_int_equal(s.rsp, 0x7ffc00001000ULL);
	assert_int_equal(s.rcx, 0x7f0012345672ULL);
	assert_int_equal(s.r11, 0x246);
	assert_false(s.pending_bs);
}

static void test_sysret_rflags(void **state)
{
	struct sysemu_state s = kernel_state();

	(void)state;
	/* RF, VM and reserved bits 3, 5, 15, 22+ dropped; bit 1 set. */
	s.r11 = ~0ULL;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, true), SYSEMU_DONE);
	assert_int_equal(s.rflags, 0x3c7fd7);
	s = kernel_state();
	s.r11 = 0;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, true), SYSEMU_DONE);
	assert_int_equal(s.rflags, 0x2);
	/* TF from R11 is loaded but, set by SYSRET itself, traps only
	 * after the next instruction. */
	s = kernel_state();
	s.r11 = 0x346;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, true), SYSEMU_DONE);
	assert_int_equal(s.rflags, 0x346);
	assert_false(s.pending_bs);
	/* TF already set in the kernel: #DB after SYSRET. */
	s = kernel_state();
	s.rflags |= TF;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, true), SYSEMU_DONE);
	assert_true(s.pending_bs);
}

static void test_sysret_noncanonical(void **state)
{
	static const u64 bad[] = {
		0x0000800000000000ULL, 0xffff7fffffffffffULL,
		0x8000000000000000ULL, 0x00ff000000001000ULL,
	};
	struct sysemu_state s, before;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		s = kernel_state();
		s.rcx = bad[i];
		before = s;
		/* #GP(0) in ring 0, nothing changed yet. */
		assert_int_equal(sysemu_sysret(&s, &linux_msrs, true),
				 SYSEMU_INJECT_GP);
		assert_memory_equal(&s, &before, sizeof(s));
	}
	/* Canonical kernel-half RCX is not the CPU's business. */
	s = kernel_state();
	s.rcx = 0xffff800000000000ULL;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, true), SYSEMU_DONE);
	assert_int_equal(s.rip, 0xffff800000000000ULL);
	/* 5-level paging: 57-bit canonical. */
	s = kernel_state();
	s.la57 = true;
	s.rcx = 0x0000800000000000ULL;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, true), SYSEMU_DONE);
	s = kernel_state();
	s.la57 = true;
	s.rcx = 0x0100000000000000ULL;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, true),
			 SYSEMU_INJECT_GP);
	/* The 32-bit form takes ECX: no canonical check. */
	s = kernel_state();
	s.rcx = 0x8000000008048000ULL;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, false), SYSEMU_DONE);
	assert_int_equal(s.rip, 0x08048000);
}

static void test_sysret_faults(void **state)
{
	struct sysemu_msrs m = linux_msrs;
	struct sysemu_state s = kernel_state(), before;

	(void)state;
	/* From user mode: #GP(0). */
	s.cpl = 3;
	before = s;
	assert_int_equal(sysemu_sysret(&s, &m, true), SYSEMU_INJECT_GP);
	assert_memory_equal(&s, &before, sizeof(s));
	/* #UD is checked before the CPL. */
	m.efer &= ~SYSEMU_EFER_SCE;
	assert_int_equal(sysemu_sysret(&s, &m, true), SYSEMU_INJECT_UD);
	s = kernel_state();
	assert_int_equal(sysemu_sysret(&s, &m, false), SYSEMU_INJECT_UD);
	m = linux_msrs;
	s.cs.ar = 0xc09b;		/* 32-bit kernel code */
	assert_int_equal(sysemu_sysret(&s, &m, true), SYSEMU_INJECT_UD);
}

static void test_sysret32(void **state)
{
	struct sysemu_state s = kernel_state();

	(void)state;
	s.rcx = 0xffffffff08049abcULL;
	s.r11 = 0x202;
	assert_int_equal(sysemu_sysret(&s, &linux_msrs, false), SYSEMU_DONE);
	assert_int_equal(s.rip, 0x08049abc);
	assert_int_equal(s.rflags, 0x202);
	assert_seg(&s.cs, USER32_CS, AR_UCODE32);
	assert_seg(&s.ss, USER_DS, AR_UDATA);
	assert_int_equal(s.cpl, 3);
}

struct cls_case {
	const char *what;
	u8 bytes[16];
	size_t len;
	bool cs_l;
	enum sysemu_insn want;
	u8 want_len;
};

static void test_classify(void **state)
{
	static const struct cls_case cases[] = {
		{ "syscall", { 0x0f, 0x05 }, 2, true, SYSEMU_SYSCALL, 2 },
		{ "syscall+tail", { 0x0f, 0x05, 0x48, 0x3d }, 4, true,
		  SYSEMU_SYSCALL, 2 },
		{ "sysretq", { 0x48, 0x0f, 0x07 }, 3, true, SYSEMU_SYSRETQ, 3 },
		{ "rex.wb sysret", { 0x49, 0x0f, 0x07 }, 3, true,
		  SYSEMU_SYSRETQ, 3 },
		{ "rex.wrxb sysret", { 0x4f, 0x0f, 0x07 }, 3, true,
		  SYSEMU_SYSRETQ, 3 },
		{ "sysretl", { 0x0f, 0x07 }, 2, true, SYSEMU_SYSRET32, 2 },
		{ "rex (W=0) sysret", { 0x40, 0x0f, 0x07 }, 3, true,
		  SYSEMU_SYSRET32, 3 },
		{ "rex.b syscall", { 0x41, 0x0f, 0x05 }, 3, true,
		  SYSEMU_SYSCALL, 3 },
		{ "rex.w syscall", { 0x48, 0x0f, 0x05 }, 3, true,
		  SYSEMU_SYSCALL, 3 },
		{ "two rex, last counts", { 0x48, 0x40, 0x0f, 0x07 }, 4, true,
		  SYSEMU_SYSRET32, 4 },
		{ "66 syscall", { 0x66, 0x0f, 0x05 }, 3, true,
		  SYSEMU_SYSCALL, 3 },
		{ "fs 67 syscall", { 0x64, 0x67, 0x0f, 0x05 }, 4, true,
		  SYSEMU_SYSCALL, 4 },
		{ "66 sysret (16-bit)", { 0x66, 0x0f, 0x07 }, 3, true,
		  SYSEMU_FOREIGN, 0 },
		{ "66 rex.w sysret", { 0x66, 0x48, 0x0f, 0x07 }, 4, true,
		  SYSEMU_SYSRETQ, 4 },
		{ "rex.w cancelled by 66", { 0x48, 0x66, 0x0f, 0x07 }, 4, true,
		  SYSEMU_FOREIGN, 0 },
		{ "rex.w cancelled by ds", { 0x48, 0x3e, 0x0f, 0x07 }, 4, true,
		  SYSEMU_SYSRET32, 4 },
		{ "lock syscall", { 0xf0, 0x0f, 0x05 }, 3, true,
		  SYSEMU_FOREIGN, 0 },
		{ "ud2 (BUG/WARN)", { 0x0f, 0x0b }, 2, true, SYSEMU_FOREIGN, 0 },
		{ "ud1", { 0x0f, 0xb9, 0x00 }, 3, true, SYSEMU_FOREIGN, 0 },
		{ "ud0", { 0x0f, 0xff, 0xc0 }, 3, true, SYSEMU_FOREIGN, 0 },
		{ "sysenter", { 0x0f, 0x34 }, 2, true, SYSEMU_FOREIGN, 0 },
		{ "clts", { 0x0f, 0x06 }, 2, true, SYSEMU_FOREIGN, 0 },
		{ "int3", { 0xcc }, 1, true, SYSEMU_FOREIGN, 0 },
		{ "nothing read", { 0 }, 0, true, SYSEMU_FOREIGN, 0 },
		{ "truncated 0f", { 0x0f }, 1, true, SYSEMU_FOREIGN, 0 },
		{ "truncated 48 0f", { 0x48, 0x0f }, 2, true,
		  SYSEMU_FOREIGN, 0 },
		{ "truncated rex", { 0x48 }, 1, true, SYSEMU_FOREIGN, 0 },
		{ "compat syscall", { 0x0f, 0x05 }, 2, false,
		  SYSEMU_FOREIGN, 0 },
		{ "compat sysret", { 0x0f, 0x07 }, 2, false,
		  SYSEMU_FOREIGN, 0 },
		{ "15 bytes", { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0x0f,
				0x05 }, 15, true, SYSEMU_SYSCALL, 15 },
		{ "16 bytes", { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x48,
				0x0f, 0x05 }, 16, true, SYSEMU_FOREIGN, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct cls_case *c = &cases[i];
		u8 n = 0xaa;
		enum sysemu_insn k = sysemu_classify(c->bytes, c->len, c->cs_l,
						     &n);

		if (k != c->want || n != c->want_len)
			fail_msg("%s: got %d len %u, want %d len %u", c->what,
				 k, n, c->want, c->want_len);
	}
}

/*
 * Capstone as a second opinion on which byte strings are SYSCALL/SYSRET
 * and how long they are: all 2-byte strings, every 0F-second 3-byte
 * string, and every pair of prefixes in front of 0F 05 / 0F 07.  Two
 * deliberate differences, both left to the guest's #UD: LOCK (which
 * makes the CPU #UD on these, SDM "LOCK"), and an operand-size prefix on
 * SYSRET without REX.W right before the opcode (16-bit SYSRET, undefined).
 */
static void cs_compare(csh h, const u8 *code, size_t len, unsigned int *hits)
{
	cs_insn *in;
	size_t n = cs_disasm(h, code, len, 0, 1, &in);
	bool cs_sys = false, cs_ret = false, opsize16 = false, lock = false;
	unsigned int cs_len = 0, i;
	enum sysemu_insn k;
	u8 klen;
	bool ok;

	if (n) {
		cs_sys = !strcmp(in->mnemonic, "syscall");
		cs_ret = !strcmp(in->mnemonic, "sysret");
		cs_len = in->size;
		cs_free(in, n);
	}
	for (i = 0; i + 2 < cs_len; i++) {
		if (code[i] == 0x66)
			opsize16 = true;
		if (code[i] == 0xf0)
			lock = true;
	}
	if (cs_len >= 3 && (code[cs_len - 3] & 0xf8) == 0x48)
		opsize16 = false;
	k = sysemu_classify(code, len, true, &klen);
	if ((cs_sys || cs_ret) && (lock || (cs_ret && opsize16))) {
		if (k != SYSEMU_FOREIGN)
			fail_msg("%02x %02x %02x %02x: want FOREIGN, got %d",
				 code[0], code[1], code[2], code[3], k);
		return;
	}
	if (cs_sys)
		ok = k == SYSEMU_SYSCALL && klen == cs_len;
	else if (cs_ret)
		ok = (k == SYSEMU_SYSRETQ || k == SYSEMU_SYSRET32) &&
		     klen == cs_len;
	else
		ok = k == SYSEMU_FOREIGN;
	if (!ok)
		fail_msg("%02x %02x %02x %02x: capstone %s/%u, got %d/%u",
			 code[0], code[1], code[2], code[3],
			 cs_sys ? "syscall" : cs_ret ? "sysret" : "other",
			 cs_len, k, klen);
	if (cs_sys || cs_ret)
		(*hits)++;
}

static void test_classify_vs_capstone(void **state)
{
	static const u8 pfx[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66,
				  0x67, 0xf0, 0xf2, 0xf3, 0x40, 0x41, 0x44,
				  0x47, 0x48, 0x4c, 0x4f };
	unsigned int a, b, c, hits = 0;
	u8 code[4];
	csh h;

	(void)state;
	assert_int_equal(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			code[0] = (u8)a;
			code[1] = (u8)b;
			cs_compare(h, code, 2, &hits);
			code[1] = 0x0f;
			code[2] = (u8)b;
			cs_compare(h, code, 3, &hits);
		}
	for (a = 0; a < ARRAY_SIZE(pfx); a++)
		for (b = 0; b < ARRAY_SIZE(pfx); b++)
			for (c = 0x05; c <= 0x07; c += 2) {
				code[0] = pfx[a];
				code[1] = pfx[b];
				code[2] = 0x0f;
				code[3] = (u8)c;
				cs_compare(h, code, 4, &hits);
			}
	cs_close(&h);
	/* 0F 05, 0F 07 and the 3-byte forms were all seen. */
	assert_true(hits > 2 + 2 * 18);
}

static void test_ud_dispatch(void **state)
{
	static const u8 ud2[] = { 0x0f, 0x0b }, sc[] = { 0x0f, 0x05, 0x90 };
	static const u8 srq[] = { 0x48, 0x0f, 0x07 };
	struct sysemu_state s = user_state(), before = s;
	enum sysemu_insn k;

	(void)state;
	/* Linux's WARN(): back to the guest as it was. */
	assert_int_equal(sysemu_ud(&s, &linux_msrs, ud2, 2, &k),
			 SYSEMU_INJECT_UD);
	assert_int_equal(k, SYSEMU_FOREIGN);
	assert_memory_equal(&s, &before, sizeof(s));
	/* A syscall: insn_len comes from the decode, not the caller. */
	s.insn_len = 9;
	assert_int_equal(sysemu_ud(&s, &linux_msrs, sc, 3, &k), SYSEMU_DONE);
	assert_int_equal(k, SYSEMU_SYSCALL);
	assert_int_equal(s.rcx, before.rip + 2);
	assert_int_equal(s.rip, LINUX_LSTAR);
	/* sysretq from user mode: #GP, nothing changed. */
	s = user_state();
	before = s;
	assert_int_equal(sysemu_ud(&s, &linux_msrs, srq, 3, &k),
			 SYSEMU_INJECT_GP);
	assert_int_equal(k, SYSEMU_SYSRETQ);
	assert_memory_equal(&s, &before, sizeof(s));
	/* NULL insn pointer is allowed. */
	s = kernel_state();
	assert_int_equal(sysemu_ud(&s, &linux_msrs, srq, 3, NULL),
			 SYSEMU_DONE);
	assert_int_equal(s.cs.sel, USER_CS);
}

/* A syscall and Linux's sysretq bring the process back where it was. */
static void test_round_trip(void **state)
{
	static const u8 sc[] = { 0x0f, 0x05 }, srq[] = { 0x48, 0x0f, 0x07 };
	struct sysemu_state u = user_state(), s = u;

	(void)state;
	assert_int_equal(sysemu_ud(&s, &linux_msrs, sc, 2, NULL), SYSEMU_DONE);
	/* Kernel runs: rcx/r11 kept, rip moves to the sysretq. */
	s.rip = 0xffffffff820001c0ULL;
	assert_int_equal(sysemu_ud(&s, &linux_msrs, srq, 3, NULL),
			 SYSEMU_DONE);
	assert_int_equal(s.rip, u.rip + 2);
	assert_int_equal(s.rflags, u.rflags & ~RF);
	assert_memory_equal(&s.cs, &u.cs, sizeof(u.cs));
	assert_memory_equal(&s.ss, &u.ss, sizeof(u.ss));
	assert_int_equal(s.cpl, 3);
	assert_int_equal(s.rsp, u.rsp);
}

static void test_efer_views(void **state)
{
	(void)state;
	/* The hardware runs without SCE while hooked... */
	assert_int_equal(sysemu_efer_hw(EFER_LINUX, true), 0xd00);
	assert_int_equal(sysemu_efer_hw(EFER_LINUX, false), EFER_LINUX);
	/* ...and RDMSR shows what the guest last wrote. */
	assert_int_equal(sysemu_efer_guest(0xd00, EFER_LINUX), EFER_LINUX);
	assert_int_equal(sysemu_efer_guest(0xd00, 0xd00), 0xd00);
	assert_int_equal(sysemu_efer_guest(0xd01, 0xd00), 0xd00);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_linux),
		cmocka_unit_test(test_syscall_fmask),
		cmocka_unit_test(test_syscall_single_step),
		cmocka_unit_test(test_syscall_star_rpl),
		cmocka_unit_test(test_syscall_ud),
		cmocka_unit_test(test_sysretq_linux),
		cmocka_unit_test(test_sysret_rflags),
		cmocka_unit_test(test_sysret_noncanonical),
		cmocka_unit_test(test_sysret_faults),
		cmocka_unit_test(test_sysret32),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_classify_vs_capstone),
		cmocka_unit_test(test_ud_dispatch),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_efer_views),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
