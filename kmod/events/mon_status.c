// SPDX-License-Identifier: GPL-2.0
/*
 * mon_status.c - HyperDbg's `status` at a stop: how gdb reaches the
 * module, which CPUs it holds, and the events set.  HyperDbg answers
 * "local debugging ('vmi mode')" or the remote debugger's address; hvgdb
 * is always in what HyperDbg calls debugger mode, over gdb's protocol.
 *
 * Context: VMX root on the link's holder while every CPU is halted
 * (hv_mon_command()); reads only.
 */
#include <linux/kernel.h>
#include <linux/cpumask.h>
#include "kmod/debug/gdb.h"
#include "kmod/events/mon_priv.h"
#include "monitor-cmds/cmd.h"
#include "gdbstub/gdbstub.h"

int mon_status(struct rsp_output *out)
{
	static char b[256];
	u32 i, enabled = 0, halted = 0;
	int cpu, sel = hv_gdb_selected_cpu(), n;

	rsp_output_write(out, b, hv_gdb_link_text(b, sizeof(b)));
	for_each_online_cpu(cpu)
		if (hv_gdb_cpu_state(cpu))
			halted++;
	n = scnprintf(b, sizeof(b), "cpus: %u online, %u halted at this stop; gdb's thread %d (CPU %d) selected\n",
		      num_online_cpus(), halted, sel + 1, sel);
	rsp_output_write(out, b, n);
	for (i = 0; i < mon.table.count; i++)
		if (mon.table.ev[i].enabled)
			enabled++;
	n = scnprintf(b, sizeof(b), "events: %#x (%#x enabled, %#x disabled); autoflush %s\n",
		      mon.table.count, enabled, mon.table.count - enabled,
		      mon.table.autoflush ? "on" : "off");
	rsp_output_write(out, b, n);
	return 0;
}
