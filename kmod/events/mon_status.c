// SPDX-License-Identifier: GPL-2.0
/*
 * mon_status.c - HyperDbg's `status` at a stop: how gdb reaches the
 * module, which CPUs it holds, and the events set; and hvgdb's `cpus`.  HyperDbg answers
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
#include "kmod/lib/vmx_defs.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_kv.h"
#include "monitor-cmds/cmd_out.h"
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

static const char *mon_activity(u32 activity)
{
	switch (activity) {
	case HV_ACTIVITY_ACTIVE:
		return "active";
	case HV_ACTIVITY_HLT:
		return "hlt";
	case HV_ACTIVITY_SHUTDOWN:
		return "shutdown";
	case HV_ACTIVITY_WAIT_SIPI:
		return "wait-for-sipi";
	default:
		return "unknown";
	}
}

/*
 * `cpus`: each online CPU with the task it ran when it stopped and its
 * activity state (SDM 25.4.2: active, or halted in HLT); gdb's thread N is
 * CPU N-1.  `.kv cpus` gives the same as records for scripts.
 */
int mon_cpus(const struct cmd_parsed *p, struct rsp_output *out)
{
	static char b[256];
	struct cmd_out o;
	int cpu;

	for_each_online_cpu(cpu) {
		const struct gdb_cpu *g = hv_gdb_cpu_state(cpu);
		u32 n = strnlen(g ? g->comm : "", 16);

		cmd_out_init(&o, b, sizeof(b));
		if (p->kv) {
			cmd_out_str(&o, "cpu");
			cmd_kv_hex(&o, "cpu", cpu);
			cmd_kv_hex(&o, "tid", cpu + 1);
			cmd_kv_bool(&o, "halted", g != NULL);
			if (g) {
				cmd_kv_hex(&o, "task", g->task);
				cmd_kv_str(&o, "comm", g->comm, n);
				cmd_kv_hex(&o, "pid", (u32)g->pid);
				cmd_kv_hex(&o, "tgid", (u32)g->tgid);
				cmd_kv_str(&o, "state", mon_activity(g->activity),
					   strlen(mon_activity(g->activity)));
			}
			cmd_out_char(&o, '\n');
		} else if (g) {
			cmd_out_str(&o, "cpu ");
			cmd_out_hex(&o, cpu);
			cmd_out_str(&o, " (thread ");
			cmd_out_dec(&o, cpu + 1);
			cmd_out_str(&o, "): ");
			cmd_out_safe(&o, g->comm, n);
			cmd_out_str(&o, " pid ");
			cmd_out_dec(&o, (u32)g->pid);
			cmd_out_str(&o, " tgid ");
			cmd_out_dec(&o, (u32)g->tgid);
			cmd_out_str(&o, ", task ");
			cmd_out_hex(&o, g->task);
			cmd_out_str(&o, ", ");
			cmd_out_str(&o, mon_activity(g->activity));
			cmd_out_char(&o, '\n');
		} else {
			cmd_out_str(&o, "cpu ");
			cmd_out_hex(&o, cpu);
			cmd_out_str(&o, " (thread ");
			cmd_out_dec(&o, cpu + 1);
			cmd_out_str(&o, "): not halted at this stop\n");
		}
		rsp_output_write(out, o.buf, o.len);
	}
	return 0;
}
