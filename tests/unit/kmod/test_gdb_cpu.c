/*
 * gdb register view of a halted CPU.  The x87/SSE part is checked against
 * this machine's own FXSAVE64/FNSTENV/FXRSTOR64, so the FXSAVE layout and
 * the tag-word rebuild are judged by hardware, not by our own tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_regs.h"
#include "kmod/lib/gdb_cpu.h"

static u64 rd(const struct gdb_cpu *c, int regno)
{
	u8 buf[RSP_REG_MAX_BYTES] = { 0 };
	u64 v = 0;
	size_t i, n = rsp_reg_size(regno);

	assert_int_equal(gdb_cpu_read_reg(c, regno, buf), 0);
	for (i = 0; i < n && i < 8; i++)
		v |= (u64)buf[i] << (8 * i);
	return v;
}

static int wr(struct gdb_cpu *c, int regno, u64 v)
{
	u8 buf[RSP_REG_MAX_BYTES] = { 0 };
	size_t i;

	for (i = 0; i < 8; i++)
		buf[i] = (u8)(v >> (8 * i));
	return gdb_cpu_write_reg(c, regno, buf);
}

static void test_gprs_sdm_order(void **state)
{
	static const char *sdm_names[16] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	struct gdb_cpu c = { 0 };
	u64 sdm[16], back[16];
	int i, j;

	(void)state;
	for (i = 0; i < 16; i++)
		sdm[i] = 0x1111111111111111ULL * (u64)(i + 1);
	gdb_cpu_gprs_from_sdm(&c, sdm);
	/* Each gdb register shows the SDM slot of the same name. */
	for (i = 0; i < 16; i++) {
		for (j = 0; j < 16; j++)
			if (!strcmp(rsp_reg_name(i), sdm_names[j]))
				break;
		assert_true(j < 16);
		assert_int_equal(rd(&c, i), sdm[j]);
	}
	memset(back, 0, sizeof(back));
	gdb_cpu_gprs_to_sdm(&c, back);
	assert_memory_equal(back, sdm, sizeof(sdm));
}

struct fenv {
	u16 fcw, r0, fsw, r1, ftw, r2;
	u32 fip;
	u16 fcs, fop;
	u32 fdp;
	u16 fds, r3;
};

/* x87 stack: ST0=NaN-ish special, ST1=0, ST2=1, ST3=denormal, rest empty. */
static void capture_x87(struct gdb_cpu *c, struct fenv *env)
{
	static const u8 denorm[10] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const u8 inf[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x7f };
	static const u8 xmm3[16] = "0123456789abcdef";

	asm volatile("movdqu %0, %%xmm3\n\tldmxcsr %1"
		     : : "m"(xmm3), "m"((u32){ 0x1f80 | 0x8000 }) : "xmm3");
	asm volatile("fninit\n\t"
		     "fldt %1\n\t"
		     "fld1\n\t"
		     "fldz\n\t"
		     "fldt %2\n\t"
		     "fxsave64 %0\n\t"
		     "fnstenv %3\n\t"
		     "fninit"
		     : "=m"(c->fx) : "m"(denorm), "m"(inf), "m"(*env)
		     : "memory");
}

static void test_x87_matches_hardware(void **state)
{
	static struct gdb_cpu c;
	struct fenv env;
	u8 buf[16];

	(void)state;
	memset(&c, 0, sizeof(c));
	capture_x87(&c, &env);
	/* The CPU's own full tag word (valid, zero, special, empty). */
	assert_int_equal(rd(&c, RSP_REG_FTAG), env.ftw);
	assert_int_equal(rd(&c, RSP_REG_FCTRL), env.fcw);
	assert_int_equal(rd(&c, RSP_REG_FSTAT), env.fsw);
	/* Pushed from TOP=0 into physical 7..4: denormal (special), 1.0
	 * (valid), 0 (zero), inf (special); physical 0..3 empty. */
	assert_int_equal(rd(&c, RSP_REG_FTAG), 0x86ff);
	/* ST0 = +inf (top of stack), ST2 = 1.0 */
	assert_int_equal(gdb_cpu_read_reg(&c, RSP_REG_ST0, buf), 0);
	assert_int_equal(buf[9], 0x7f);
	assert_int_equal(buf[8], 0xff);
	assert_int_equal(gdb_cpu_read_reg(&c, RSP_REG_ST0 + 2, buf), 0);
	assert_int_equal(buf[9], 0x3f);
	assert_int_equal(buf[8], 0xff);
	assert_int_equal(buf[7], 0x80);
	assert_int_equal(gdb_cpu_read_reg(&c, RSP_REG_XMM0 + 3, buf), 0);
	assert_memory_equal(buf, "0123456789abcdef", 16);
	assert_int_equal(rd(&c, RSP_REG_MXCSR), 0x1f80 | 0x8000);	/* FZ */
}

static void test_fpu_writes_survive_fxrstor(void **state)
{
	static struct gdb_cpu c;
	struct fenv env;
	u8 x[16], got[16];
	u32 mxcsr;
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	capture_x87(&c, &env);
	for (i = 0; i < 16; i++)
		x[i] = (u8)(0xa0 + i);
	c.dirty = 0;
	assert_int_equal(gdb_cpu_write_reg(&c, RSP_REG_XMM0 + 5, x), 0);
	assert_int_equal(wr(&c, RSP_REG_MXCSR, 0x1f80 | 0x6000), 0); /* RZ */
	assert_int_equal(c.dirty, GDB_DIRTY_FPU);
	/* Reserved MXCSR bits would make FXRSTOR fault: refused. */
	assert_int_equal(wr(&c, RSP_REG_MXCSR, 0x10000), -22);
	assert_int_equal(wr(&c, RSP_REG_FCTRL, 0x10000), -22);
	assert_int_equal(wr(&c, RSP_REG_FOP, 0x800), -22);
	/* Tag word: mark all empty except physical 7 (our ST0). */
	assert_int_equal(wr(&c, RSP_REG_FTAG, 0x3fff | (2u << 14)), 0);
	asm volatile("fxrstor64 %2\n\t"
		     "movdqu %%xmm5, %0\n\t"
		     "stmxcsr %1\n\t"
		     "fnstenv %3\n\t"
		     "fninit\n\t"
		     "ldmxcsr %4"
		     : "=m"(got), "=m"(mxcsr)
		     : "m"(c.fx), "m"(env), "m"((u32){ 0x1f80 })
		     : "xmm5", "memory");
	assert_memory_equal(got, x, 16);
	assert_int_equal(mxcsr, 0x1f80 | 0x6000);
	assert_int_equal(env.ftw, 0x3fff | (2u << 14));
}

static void test_rflags_rules(void **state)
{
	struct gdb_cpu c = { .rflags = 0x246 };

	(void)state;
	assert_int_equal(rd(&c, RSP_REG_EFLAGS), 0x246);
	assert_int_equal(wr(&c, RSP_REG_EFLAGS, 0x44), 0);
	assert_int_equal(c.rflags, 0x46);		/* bit 1 stays 1 */
	assert_int_equal(c.dirty, GDB_DIRTY_RFLAGS);
	c.dirty = 0;
	assert_int_equal(wr(&c, RSP_REG_EFLAGS, 0x20246), -22);	/* VM */
	assert_int_equal(wr(&c, RSP_REG_EFLAGS, 0x24e), -22);	/* bit 3 */
	assert_int_equal(wr(&c, RSP_REG_EFLAGS, 0x400246), -22);	/* bit 22 */
	assert_int_equal(c.rflags, 0x46);
	assert_int_equal(c.dirty, 0);
	assert_int_equal(wr(&c, RSP_REG_EFLAGS, 0x346), 0);	/* TF ok */
}

static void test_canonical_checks(void **state)
{
	struct gdb_cpu c = { 0 };

	(void)state;
	assert_int_equal(wr(&c, RSP_REG_RIP, 0xffffffff81000000ULL), 0);
	assert_int_equal(c.rip, 0xffffffff81000000ULL);
	assert_int_equal(wr(&c, RSP_REG_RIP, 0x0000800000000000ULL), -22);
	assert_int_equal(wr(&c, RSP_REG_FS_BASE, 0xff00000000000000ULL), -22);
	assert_int_equal(wr(&c, RSP_REG_DR0, 0x8000000000000000ULL), -22);
	c.cr4 = 1ULL << 12;	/* LA57: 57-bit canonical */
	assert_int_equal(wr(&c, RSP_REG_FS_BASE, 0xff00000000000000ULL), 0);
	assert_int_equal(wr(&c, RSP_REG_RIP, 0x0000800000000000ULL), 0);
	assert_int_equal(wr(&c, RSP_REG_RIP, 0x0100000000000000ULL), -22);
	assert_true(gdb_canonical(0x00007fffffffffffULL, false));
	assert_true(gdb_canonical(0xffff800000000000ULL, false));
	assert_false(gdb_canonical(0xfffe800000000000ULL, false));
}

static void test_readonly_accept_same_value(void **state)
{
	struct gdb_cpu c = { .cr0 = 0x80050033, .cr3 = 0x1234000,
			     .efer = 0xd01, .sel = { 0x10, 0x18 } };

	(void)state;
	assert_int_equal(wr(&c, RSP_REG_CR3, 0x1234000), 0);
	assert_int_equal(wr(&c, RSP_REG_CR3, 0x5678000), -22);
	assert_int_equal(wr(&c, RSP_REG_CR0, 0x80050033), 0);
	assert_int_equal(wr(&c, RSP_REG_EFER, 0x501), -22);
	assert_int_equal(wr(&c, RSP_REG_CS, 0x10), 0);
	assert_int_equal(wr(&c, RSP_REG_CS, 0x33), -22);
	assert_int_equal(c.cr3, 0x1234000);
	assert_int_equal(c.dirty, 0);
	assert_int_equal(rd(&c, RSP_REG_SS), 0x18);
	assert_int_equal(rd(&c, RSP_REG_EFER), 0xd01);
}

static void test_debug_registers(void **state)
{
	struct gdb_cpu c = { 0 };

	(void)state;
	assert_int_equal(wr(&c, RSP_REG_DR7, 0x400), 0);
	assert_int_equal(c.dirty, GDB_DIRTY_DR7);
	assert_int_equal(wr(&c, RSP_REG_DR7, 0x100000400ULL), -22);
	assert_int_equal(wr(&c, RSP_REG_DR6, 0x100000000ULL), -22);
	assert_int_equal(wr(&c, RSP_REG_DR2, 0xffffffff81000000ULL), 0);
	assert_int_equal(rd(&c, RSP_REG_DR2), 0xffffffff81000000ULL);
	assert_int_equal(c.dirty, GDB_DIRTY_DR7 | GDB_DIRTY_DR);
}

static void test_gpr_dirty_groups(void **state)
{
	struct gdb_cpu c = { 0 };

	(void)state;
	assert_int_equal(wr(&c, RSP_REG_RSP, 0xffffc90000001000ULL), 0);
	assert_int_equal(c.dirty, GDB_DIRTY_RSP);
	assert_int_equal(wr(&c, RSP_REG_R15, 42), 0);
	assert_int_equal(c.dirty, GDB_DIRTY_RSP | GDB_DIRTY_GPR);
	assert_int_equal(rd(&c, RSP_REG_R15), 42);
}

/* $gdtr $idtr $ldtr $tr (bases, as HyperDbg's script registers), their
 * limits and the LDTR/TR selectors: from the snapshot, read-only. */
static void test_descriptor_table_registers(void **state)
{
	struct gdb_cpu c = { 0 };

	(void)state;
	c.gdtr_base = 0xfffffe0000001000ULL;
	c.gdtr_limit = 0x7f;
	c.idtr_base = 0xfffffe0000000000ULL;
	c.idtr_limit = 0xfff;
	c.ldtr_base = 0x1234;
	c.seg[GDB_SEG_LDTR].limit = 0xffff;
	c.seg[GDB_SEG_LDTR].sel = 0x50;
	c.tr_base = 0xfffffe0000003000ULL;
	c.seg[GDB_SEG_TR].limit = 0x4087;
	c.seg[GDB_SEG_TR].sel = 0x40;
	assert_int_equal(rd(&c, RSP_REG_GDTR), 0xfffffe0000001000ULL);
	assert_int_equal(rd(&c, RSP_REG_GDTR_LIMIT), 0x7f);
	assert_int_equal(rd(&c, RSP_REG_IDTR), 0xfffffe0000000000ULL);
	assert_int_equal(rd(&c, RSP_REG_IDTR_LIMIT), 0xfff);
	assert_int_equal(rd(&c, RSP_REG_LDTR), 0x1234);
	assert_int_equal(rd(&c, RSP_REG_LDTR_LIMIT), 0xffff);
	assert_int_equal(rd(&c, RSP_REG_LDTR_SEL), 0x50);
	assert_int_equal(rd(&c, RSP_REG_TR), 0xfffffe0000003000ULL);
	assert_int_equal(rd(&c, RSP_REG_TR_LIMIT), 0x4087);
	assert_int_equal(rd(&c, RSP_REG_TR_SEL), 0x40);
	/* A 'G' packet of unchanged values works; a change is refused. */
	assert_int_equal(wr(&c, RSP_REG_IDTR, 0xfffffe0000000000ULL), 0);
	assert_int_equal(wr(&c, RSP_REG_TR_SEL, 0x40), 0);
	assert_int_equal(wr(&c, RSP_REG_IDTR, 0x1000), -22);
	assert_int_equal(wr(&c, RSP_REG_GDTR_LIMIT, 0xff), -22);
	assert_int_equal(wr(&c, RSP_REG_TR_SEL, 0x48), -22);
	assert_int_equal(wr(&c, RSP_REG_LDTR, 0), -22);
	assert_int_equal(c.dirty, 0);
	assert_int_equal(rd(&c, RSP_REG_IDTR), 0xfffffe0000000000ULL);
}

static void test_unknown_register(void **state)
{
	struct gdb_cpu c = { 0 };
	u8 buf[16];

	(void)state;
	assert_int_equal(gdb_cpu_read_reg(&c, RSP_NUM_REGS, buf), -22);
	assert_int_equal(gdb_cpu_read_reg(&c, -1, buf), -22);
	assert_int_equal(gdb_cpu_write_reg(&c, RSP_NUM_REGS, buf), -22);
}

static void test_every_register_readable(void **state)
{
	static struct gdb_cpu c;
	u8 buf[RSP_REG_MAX_BYTES];
	int r;

	(void)state;
	for (r = 0; r < RSP_NUM_REGS; r++)
		assert_int_equal(gdb_cpu_read_reg(&c, r, buf), 0);
}

static void test_thread_names(void **state)
{
	struct gdb_cpu c = { .cpu = 1 };
	char comm16[16];

	(void)state;
	gdb_cpu_set_name(&c, "bash", 412);
	assert_string_equal(c.name, "CPU 1: bash [412]");
	c.cpu = 0;
	gdb_cpu_set_name(&c, "swapper/0", 0);
	assert_string_equal(c.name, "CPU 0: swapper/0 [0]");
	c.cpu = 63;
	gdb_cpu_set_name(&c, NULL, 0);
	assert_string_equal(c.name, "CPU 63");
	/* TASK_COMM_LEN bytes with no NUL: 16 characters, no overrun. */
	memset(comm16, 'k', sizeof(comm16));
	c.cpu = 7;
	gdb_cpu_set_name(&c, comm16, 4194304);
	assert_string_equal(c.name, "CPU 7: kkkkkkkkkkkkkkkk [4194304]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gprs_sdm_order),
		cmocka_unit_test(test_x87_matches_hardware),
		cmocka_unit_test(test_fpu_writes_survive_fxrstor),
		cmocka_unit_test(test_rflags_rules),
		cmocka_unit_test(test_canonical_checks),
		cmocka_unit_test(test_readonly_accept_same_value),
		cmocka_unit_test(test_debug_registers),
		cmocka_unit_test(test_gpr_dirty_groups),
		cmocka_unit_test(test_descriptor_table_registers),
		cmocka_unit_test(test_unknown_register),
		cmocka_unit_test(test_every_register_readable),
		cmocka_unit_test(test_thread_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
