/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qemu_info.h - a halted CPU's registers in the layout of QEMU's x86
 * `info registers` (its x86_cpu_dump_state() with the FPU), so tools that
 * read QEMU's monitor get the same text from hvgdb: pwndbg takes the
 * kernel's IDT base from the "IDT=" line.
 *
 * Contract: pure, over a struct gdb_cpu snapshot; each line goes to @emit
 * NUL-terminated without a newline (linebuf.h), nothing else is touched.
 * The 64-bit layout is used when EFER.LMA is set, as QEMU does for a CPU
 * in IA-32e mode; a CPU outside it gets QEMU's 32-bit layout.  Where
 * hvgdb's state is not QEMU's: A20=1 and SMM=0 always (VMX non-root is
 * never in SMM with the A20 mask); the FPU part ends with the XMM
 * registers of the FXSAVE image (QEMU prints YMM/ZMM when XCR0 enables
 * them); FPR<i> is ST(i) as FXSAVE stores it.
 */
#ifndef HVGDB_KMOD_QEMU_INFO_H
#define HVGDB_KMOD_QEMU_INFO_H

#include "hvgdb/freestanding.h"
#include "kmod/lib/gdb_cpu.h"

void qemu_info_registers(const struct gdb_cpu *g,
			 void (*emit)(void *ctx, const char *line),
			 void *ctx);

/*
 * QEMU's `info mem`: the mapped ranges of the address space the paging
 * registers in @w describe, one line per run of pages with the same
 * rights, "<start>-<end> <size> <u|-><r><w|->" (16 hex digits each,
 * addresses sign-extended as canonical); the rights are the U/S and R/W
 * bits ANDed over the levels, as QEMU's mem_info_la48/la57 compute them.
 * "PG disabled" when paging is off.  Only IA-32e paging (4 or 5 levels)
 * is walked: returns -1 for 32-bit and PAE paging, and -2 when a table
 * cannot be read (lines already emitted stand).  Reads each present
 * table once through @w->read_phys; nothing else is touched.
 */
struct pgwalk_ctx;
int qemu_info_mem(const struct pgwalk_ctx *w,
		  void (*emit)(void *ctx, const char *line), void *ctx);

/*
 * QEMU's `info tlb`: one line per present leaf of the same walk, "<va>:
 * <frame> <flags>" (16 hex digits each; the frame masked to the page's
 * size as QEMU's print_pte() does), the flags XGPDACTUW or '-' for each
 * of NX, G, PS, D, A, PCD, PWT, U/S, R/W of the leaf itself (bit 7 of a
 * 4 KiB PTE is PAT and is not shown).  Same returns as qemu_info_mem().
 */
int qemu_info_tlb(const struct pgwalk_ctx *w,
		  void (*emit)(void *ctx, const char *line), void *ctx);

#endif /* HVGDB_KMOD_QEMU_INFO_H */
