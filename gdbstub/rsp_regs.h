/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rsp_regs.h - the x86-64 register set the engine exposes to gdb.
 *
 * Contract: register numbers are gdb's remote numbers, equal to the regnum
 * order of rsp_target_xml; 'g' packets carry them in this order with no
 * gaps.  The first 57 follow gdb's own amd64 numbering (core + sse); the
 * rest are our additions, all fillable from the VMCS and saved guest state.
 */
#ifndef HVGDB_RSP_REGS_H
#define HVGDB_RSP_REGS_H

#include "hvgdb/freestanding.h"

enum rsp_regno {
	RSP_REG_RAX = 0, RSP_REG_RBX, RSP_REG_RCX, RSP_REG_RDX,
	RSP_REG_RSI, RSP_REG_RDI, RSP_REG_RBP, RSP_REG_RSP,
	RSP_REG_R8, RSP_REG_R9, RSP_REG_R10, RSP_REG_R11,
	RSP_REG_R12, RSP_REG_R13, RSP_REG_R14, RSP_REG_R15,
	RSP_REG_RIP = 16, RSP_REG_EFLAGS,
	RSP_REG_CS, RSP_REG_SS, RSP_REG_DS, RSP_REG_ES, RSP_REG_FS, RSP_REG_GS,
	RSP_REG_ST0 = 24,			/* st0..st7: 80-bit */
	RSP_REG_FCTRL = 32, RSP_REG_FSTAT, RSP_REG_FTAG, RSP_REG_FISEG,
	RSP_REG_FIOFF, RSP_REG_FOSEG, RSP_REG_FOOFF, RSP_REG_FOP,
	RSP_REG_XMM0 = 40,			/* xmm0..xmm15: 128-bit */
	RSP_REG_MXCSR = 56,
	RSP_REG_FS_BASE = 57, RSP_REG_GS_BASE, RSP_REG_K_GS_BASE,
	RSP_REG_CR0 = 60, RSP_REG_CR2, RSP_REG_CR3, RSP_REG_CR4, RSP_REG_CR8,
	RSP_REG_EFER = 65,
	RSP_REG_DR0 = 66, RSP_REG_DR1, RSP_REG_DR2, RSP_REG_DR3,
	RSP_REG_DR6 = 70, RSP_REG_DR7,
	/* Descriptor-table and task registers, read-only.  The bare name is
	 * the base, as HyperDbg's @gdtr @idtr @ldtr @tr in scripts. */
	RSP_REG_GDTR = 72, RSP_REG_GDTR_LIMIT, RSP_REG_IDTR,
	RSP_REG_IDTR_LIMIT, RSP_REG_LDTR, RSP_REG_LDTR_LIMIT,
	RSP_REG_LDTR_SEL, RSP_REG_TR, RSP_REG_TR_LIMIT, RSP_REG_TR_SEL,
	RSP_NUM_REGS = 82,
};

/* Bytes of a 'g' packet payload before hex encoding. */
#define RSP_G_BYTES	712
#define RSP_REG_MAX_BYTES 16

/* Size in bytes of regno, 0 if there is no such register. */
size_t rsp_reg_size(int regno);
/* Byte offset of regno inside the 'g' block. */
size_t rsp_reg_offset(int regno);
const char *rsp_reg_name(int regno);

extern const char rsp_target_xml[];
extern const size_t rsp_target_xml_len;

#endif /* HVGDB_RSP_REGS_H */
