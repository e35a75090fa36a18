// SPDX-License-Identifier: GPL-2.0
/*
 * mon.c - gdb's `monitor` in hvgdb.ko (see mon.h).  The HyperDbg command
 * language lives in monitor-cmds/ and is not wired in yet: every command
 * answers with an error that says so.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include "kmod/mon.h"
#include "gdbstub/gdbstub.h"

int hv_mon_init(void)
{
	return 0;
}

void hv_mon_exit(void)
{
}

int hv_mon_command(const char *cmd, struct rsp_output *out)
{
	static const char msg[] =
		"hvgdb: monitor commands are not available in this build\n";

	rsp_output_write(out, msg, sizeof(msg) - 1);
	return -RSP_EIO;
}

void hv_mon_on_resume(struct hv_cpu *c, struct hv_regs *r)
{
}
