/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdb_cpu.h - one halted CPU as gdb sees it: the register snapshot taken
 * at the halt, gdb-numbered register access to it, and the thread name.
 *
 * Contract: pure.  The kernel side fills struct gdb_cpu from the exit
 * frame, the VMCS and FXSAVE64 when the CPU halts, lets gdb read and write
 * it through gdb_cpu_read_reg()/gdb_cpu_write_reg(), and on resume writes
 * back the groups named in ->dirty.  Writes that the next VM entry or
 * FXRSTOR would refuse (SDM Vol. 3 27.3.1, Vol. 1 10.5.1) are rejected
 * here with -22 (EINVAL), so a bad `set $reg` never reaches the hardware.
 * Registers gdb may not change (segment selectors, CR0/3/4/8, EFER, the
 * descriptor-table and task registers) accept
 * a write of their current value, so a 'G' packet of unchanged values works.
 */
#ifndef HVGDB_KMOD_GDB_CPU_H
#define HVGDB_KMOD_GDB_CPU_H

#include "hvgdb/freestanding.h"

/* Groups of registers a write has changed, for the resume path. */
#define GDB_DIRTY_GPR		(1u << 0)	/* exit frame gprs (not rsp) */
#define GDB_DIRTY_RSP		(1u << 1)	/* VMCS guest RSP */
#define GDB_DIRTY_RIP		(1u << 2)	/* VMCS guest RIP */
#define GDB_DIRTY_RFLAGS	(1u << 3)	/* VMCS guest RFLAGS */
#define GDB_DIRTY_BASES		(1u << 4)	/* FS/GS base (VMCS), KERNEL_GS_BASE (MSR) */
#define GDB_DIRTY_FPU		(1u << 5)	/* FXRSTOR64 of fx[] */
#define GDB_DIRTY_DR		(1u << 6)	/* DR0-3, DR6 registers */
#define GDB_DIRTY_DR7		(1u << 7)	/* VMCS guest DR7 */

/* gdb's order: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 (rsp_regs.h). */
#define GDB_NR_GPRS	16

/* Segment registers in the VMCS's order (SDM Vol. 3C 25.4.1). */
enum gdb_seg_reg {
	GDB_SEG_ES, GDB_SEG_CS, GDB_SEG_SS, GDB_SEG_DS, GDB_SEG_FS,
	GDB_SEG_GS, GDB_SEG_LDTR, GDB_SEG_TR, GDB_NR_SEGS
};

/* A segment register's hidden part as the VMCS holds it: ar is the
 * access-rights field (type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B
 * 14, G 15, unusable 16; SDM Vol. 3C 25.4.1 table 25-2). */
struct gdb_seg {
	u64 base;
	u32 limit, ar;
	u16 sel;
};

struct gdb_cpu {
	int cpu;			/* CPU number; thread id = cpu + 1 */
	u64 gpr[GDB_NR_GPRS];
	u64 rip, rflags;
	u16 sel[6];			/* cs ss ds es fs gs */
	u64 fs_base, gs_base, k_gs_base;
	u64 cr0, cr2, cr3, cr4, cr8, efer;
	u64 dr[4], dr6, dr7;
	/* Descriptor-table and task registers, read-only: their bases
	 * (HyperDbg's @gdtr @idtr @ldtr @tr) */
	u64 gdtr_base, idtr_base, ldtr_base, tr_base;
	/* The whole segment state, read-only (QEMU's info registers). */
	struct gdb_seg seg[GDB_NR_SEGS];
	u32 gdtr_limit, idtr_limit;
	u32 interruptibility, activity;	/* VMCS guest non-register state */
	u8 fx[512] __attribute__((aligned(16)));	/* FXSAVE64 image */
	u32 dirty;			/* GDB_DIRTY_* */
	char name[64];			/* thread name, "CPU 1: bash [412]" */
	/* The task the CPU ran (the kernel's current), for `cpus`. */
	u64 task;
	s32 pid, tgid;
	char comm[16];			/* TASK_COMM_LEN, NUL-padded */
};

/* SDM exit-qualification GPR order (rax rcx rdx rbx rsp rbp rsi rdi
 * r8..r15) <-> gdb order. */
void gdb_cpu_gprs_from_sdm(struct gdb_cpu *c, const u64 *sdm);
void gdb_cpu_gprs_to_sdm(const struct gdb_cpu *c, u64 *sdm);

/* gdb register @regno into @buf (rsp_reg_size(regno) bytes, little
 * endian).  Returns 0 or -22 for an unknown register. */
int gdb_cpu_read_reg(const struct gdb_cpu *c, int regno, u8 *buf);

/* Set gdb register @regno from @buf; marks c->dirty.  Returns 0 or -22. */
int gdb_cpu_write_reg(struct gdb_cpu *c, int regno, const u8 *buf);

/* "CPU <n>: <comm> [<pid>]" (the idle task is "swapper/<n> [0]"), or
 * "CPU <n>" when @comm is NULL.  @comm need not be NUL-terminated within
 * 16 bytes (TASK_COMM_LEN). */
void gdb_cpu_set_name(struct gdb_cpu *c, const char *comm, int pid);

/* 48-bit canonical (57-bit when @la57): bits above the top one copy it. */
bool gdb_canonical(u64 va, bool la57);

#endif /* HVGDB_KMOD_GDB_CPU_H */
