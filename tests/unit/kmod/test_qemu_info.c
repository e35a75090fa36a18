/*
 * qemu_info_registers(): QEMU's x86 `info registers` layout (its
 * x86_cpu_dump_state() with CPU_DUMP_FPU), from a halted CPU's snapshot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/qemu_info.h"

static char text[8192];

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	strcat(text, line);
	strcat(text, "\n");
}

static void seg(struct gdb_cpu *g, int i, u16 sel, u64 base, u32 limit,
		u32 ar)
{
	g->seg[i].sel = sel;
	g->seg[i].base = base;
	g->seg[i].limit = limit;
	g->seg[i].ar = ar;
}

/* A 64-bit kernel stopped in its idle loop, as Linux sets its segments. */
static void kernel_cpu(struct gdb_cpu *g)
{
	int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < GDB_NR_GPRS; i++)
		g->gpr[i] = 0x1111111111111111ULL * (u64)(i % 15 + 1);
	g->gpr[7] = 0xffffffff82a03e48ULL;		/* rsp */
	g->rip = 0xffffffff81a592ebULL;
	g->rflags = 0x246;				/* IF ZF PF */
	seg(g, GDB_SEG_ES, 0, 0, 0xffffffff, 0x1c000);	/* unusable */
	seg(g, GDB_SEG_CS, 0x10, 0, 0xffffffff, 0xa09b);
	seg(g, GDB_SEG_SS, 0x18, 0, 0xffffffff, 0xc093);
	seg(g, GDB_SEG_DS, 0, 0, 0xffffffff, 0x1c000);
	seg(g, GDB_SEG_FS, 0, 0, 0xffffffff, 0x1c000);
	seg(g, GDB_SEG_GS, 0, 0xffff888007a00000ULL, 0xffffffff, 0x1c000);
	seg(g, GDB_SEG_LDTR, 0, 0, 0xffff, 0x10082);
	seg(g, GDB_SEG_TR, 0x40, 0xfffffe0000003000ULL, 0x4087, 0x8b);
	g->gdtr_base = 0xfffffe0000001000ULL;
	g->gdtr_limit = 0x7f;
	g->idtr_base = 0xfffffe0000000000ULL;
	g->idtr_limit = 0xfff;
	g->cr0 = 0x80050033;
	g->cr2 = 0x7f3a1c000000ULL;
	g->cr3 = 0x6096000;
	g->cr4 = 0x3506f0;
	g->dr6 = 0xffff0ff0;
	g->dr7 = 0x400;
	g->efer = 0xd01;
	g->activity = 1;				/* HLT */
	g->fx[0] = 0x7f;				/* FCW 0x037f */
	g->fx[1] = 0x03;
	g->fx[24] = 0x80;				/* MXCSR 0x1f80 */
	g->fx[25] = 0x1f;
	g->fx[160] = 0x01;				/* XMM0 low byte */
	g->fx[175] = 0xab;				/* XMM0 high byte */
}

static void test_kernel_64(void **state)
{
	struct gdb_cpu g;
	const char *want =
"RAX=1111111111111111 RBX=2222222222222222 RCX=3333333333333333 RDX=4444444444444444\n"
"RSI=5555555555555555 RDI=6666666666666666 RBP=7777777777777777 RSP=ffffffff82a03e48\n"
"R8 =9999999999999999 R9 =aaaaaaaaaaaaaaaa R10=bbbbbbbbbbbbbbbb R11=cccccccccccccccc\n"
"R12=dddddddddddddddd R13=eeeeeeeeeeeeeeee R14=ffffffffffffffff R15=1111111111111111\n"
"RIP=ffffffff81a592eb RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n"
"ES =0000 0000000000000000 ffffffff 00000000\n"
"CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]\n"
"SS =0018 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
"DS =0000 0000000000000000 ffffffff 00000000\n"
"FS =0000 0000000000000000 ffffffff 00000000\n"
"GS =0000 ffff888007a00000 ffffffff 00000000\n"
"LDT=0000 0000000000000000 0000ffff 00000000\n"
"TR =0040 fffffe0000003000 00004087 00008b00 DPL=0 TSS64-busy\n"
"GDT=     fffffe0000001000 0000007f\n"
"IDT=     fffffe0000000000 00000fff\n"
"CR0=80050033 CR2=00007f3a1c000000 CR3=0000000006096000 CR4=003506f0\n"
"DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 \n"
"DR6=00000000ffff0ff0 DR7=0000000000000400\n"
"EFER=0000000000000d01\n"
"FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80\n"
"FPR0=0000000000000000 0000 FPR1=0000000000000000 0000\n"
"FPR2=0000000000000000 0000 FPR3=0000000000000000 0000\n"
"FPR4=0000000000000000 0000 FPR5=0000000000000000 0000\n"
"FPR6=0000000000000000 0000 FPR7=0000000000000000 0000\n"
"XMM00=ab00000000000000 0000000000000001 XMM01=0000000000000000 0000000000000000\n";

	(void)state;
	kernel_cpu(&g);
	text[0] = '\0';
	qemu_info_registers(&g, collect, NULL);
	assert_true(strlen(text) > strlen(want));
	if (strncmp(text, want, strlen(want)))
		fail_msg("got:\n%s", text);
	/* 16 XMM registers, two a line, and nothing after them. */
	assert_non_null(strstr(text, "XMM14=0000000000000000 0000000000000000 "
			       "XMM15=0000000000000000 0000000000000000\n"));
	assert_string_equal(strstr(text, "XMM15="),
			    "XMM15=0000000000000000 0000000000000000\n");
}

/* pwndbg's parse: "IDT=" then base and limit (pwndbg/aglib/regs.py). */
static void test_idt_line_for_pwndbg(void **state)
{
	struct gdb_cpu g;
	const char *idt;

	(void)state;
	kernel_cpu(&g);
	text[0] = '\0';
	qemu_info_registers(&g, collect, NULL);
	idt = strstr(text, "\nIDT=");
	assert_non_null(idt);
	assert_memory_equal(idt, "\nIDT=     fffffe0000000000 00000fff\n", 36);
}

/* Flags, interrupt shadow, a user CS, a 32-bit data segment. */
static void test_flags_and_segments(void **state)
{
	struct gdb_cpu g;

	(void)state;
	kernel_cpu(&g);
	g.rflags = 0xc95;		/* O D S A P C */
	g.interruptibility = 1;		/* blocking by STI */
	g.activity = 0;
	seg(&g, GDB_SEG_CS, 0x33, 0, 0xffffffff, 0xa0fb);	/* user CS64 */
	seg(&g, GDB_SEG_SS, 0x2b, 0, 0xffffffff, 0xc0f3);	/* user SS */
	seg(&g, GDB_SEG_DS, 0x2b, 0, 0xfffff, 0x40f7);	/* E W A, DB */
	text[0] = '\0';
	qemu_info_registers(&g, collect, NULL);
	assert_non_null(strstr(text, " RFL=00000c95 [DOS-APC] CPL=3 II=1 A20=1 "
			       "SMM=0 HLT=0\n"));
	assert_non_null(strstr(text, "CS =0033 0000000000000000 ffffffff "
			       "00a0fb00 DPL=3 CS64 [-RA]\n"));
	assert_non_null(strstr(text, "DS =002b 0000000000000000 000fffff "
			       "0040f700 DPL=3 DS   [EWA]\n"));
}

/* Outside IA-32e mode: QEMU's 32-bit layout. */
static void test_legacy_layout(void **state)
{
	struct gdb_cpu g;

	(void)state;
	kernel_cpu(&g);
	g.efer = 0;
	g.gpr[0] = 0x1234567812345678ULL;
	seg(&g, GDB_SEG_CS, 0x8, 0, 0xffffffff, 0xc09b);	/* CS32 */
	text[0] = '\0';
	qemu_info_registers(&g, collect, NULL);
	assert_memory_equal(text, "EAX=12345678 EBX=22222222 ECX=33333333 "
			    "EDX=44444444\n", 40);
	assert_non_null(strstr(text, "\nEIP=81a592eb EFL=00000246 "));
	assert_non_null(strstr(text, "CS =0008 00000000 ffffffff 00c09b00 "
			       "DPL=0 CS32 [-RA]\n"));
	if (!strstr(text, "TR =0040 00003000 00004087 00008b00 "
		    "DPL=0 TSS32-busy\n"))
		fail_msg("got:\n%s", text);
	assert_non_null(strstr(text, "\nGDT=     00001000 0000007f\n"));
	assert_non_null(strstr(text, " XMM07="));
	assert_null(strstr(text, "XMM08="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_64),
		cmocka_unit_test(test_idt_line_for_pwndbg),
		cmocka_unit_test(test_flags_and_segments),
		cmocka_unit_test(test_legacy_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
