/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypercall.h - hvgdb's VMCALL interface (constants only).
 *
 * RAX = HV_HC_MAGIC | number, arguments in RBX/RCX/RDX; the result comes
 * back in RAX (0 = done, HV_HC_ERR_* otherwise).  Only ring 0 may call;
 * any other VMCALL gets #UD, as on a machine without hvgdb.
 */
#ifndef HVGDB_KMOD_HYPERCALL_H
#define HVGDB_KMOD_HYPERCALL_H

#define HV_HC_MAGIC		0x6876676400000000ULL	/* "hvgd" << 32 */
#define HV_HC_MAGIC_MASK	0xffffffff00000000ULL
#define HV_HC_PING		1	/* returns 0, RBX = this CPU's exit count */
#define HV_HC_DEVIRT		2	/* leave VMX on this CPU */
/* The gdb poll's hrtimer fallback (kmod/debug/gdb_link.c, poll=hrtimer):
 * look at the UART, halt if gdb wants to. */
#define HV_HC_GDB_POLL		0x10
/* Test only (debugfs test_ept_misconfig): RBX = guest-physical address. */
#define HV_HC_TEST_EPT		0x7e57

#define HV_HC_ERR_UNKNOWN	1

#endif /* HVGDB_KMOD_HYPERCALL_H */
