/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_describe.h - the text of the `cpu` monitor command: the VT-x
 * capability MSRs decoded field by field, each with what it enables in
 * hvgdb or rules out.
 *
 * Contract: hv_vmx_describe() is a pure function of the raw MSR values
 * (struct hv_vmx_msrs as read at load, IA32_FEATURE_CONTROL included); it
 * touches no hardware, allocates nothing, takes no lock and prints
 * nothing.  It hands each line to @emit as a NUL-terminated string
 * without a newline, at most HV_VMX_LINE_MAX - 1 bytes (a longer line
 * would be cut; none is that long).  Its only buffer is one line on the
 * stack, so it runs in VMX root at a stop (kmod/events/mon_inspect.c) as
 * well as in the unit tests (tests/unit/kmod/test_vmx_describe.c).
 *
 * Output, in this order: IA32_FEATURE_CONTROL, IA32_VMX_BASIC, the pin-
 * based, primary and secondary processor-based, VM-exit and VM-entry
 * controls (the TRUE MSRs when IA32_VMX_BASIC[55] says they exist, as
 * hvgdb uses them), IA32_VMX_MISC and IA32_VMX_EPT_VPID_CAP.  Each MSR
 * starts with a header line
 *	<NAME> (<index>) = 0x<16 hex digits>
 * or, for an MSR the CPU does not have, "<NAME> (<index>): not present
 * (<why>)[ -> <effect>]"; then one line per field
 *	"  [<bit>] <name>: <value>[ -> <effect>]"   ([<hi>:<lo>] for a field)
 * where value is "supported" / "not supported" for a capability flag,
 * "set" / "not set" in IA32_FEATURE_CONTROL, "must be 1" / "may be 0 or
 * 1" / "must be 0 (not supported)" for a control (its allowed-0 and
 * allowed-1 settings, SDM Vol. 3 A.3), a hex number for a multi-bit
 * field.  The effect appears only on the fields hvgdb relies on.  A
 * control MSR ends with "  other bits: must be 1 0x..; may be 0 or 1
 * 0x.." when bits without a name here are allowed to be 1.
 */
#ifndef HVGDB_KMOD_VMX_DESCRIBE_H
#define HVGDB_KMOD_VMX_DESCRIBE_H

#include "hvgdb/freestanding.h"
#include "kmod/lib/vmx_caps.h"
#include "kmod/lib/linebuf.h"

#define HV_VMX_LINE_MAX		LINEBUF_MAX

void hv_vmx_describe(const struct hv_vmx_msrs *m,
		     void (*emit)(void *ctx, const char *line), void *ctx);

#endif /* HVGDB_KMOD_VMX_DESCRIBE_H */
