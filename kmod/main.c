// SPDX-License-Identifier: GPL-2.0
/* main.c - module load/unload (placeholder until the VMX core lands). */
#include <linux/module.h>

static int __init hvgdb_init(void)
{
	pr_info("hvgdb: loaded\n");
	return 0;
}

static void __exit hvgdb_exit(void)
{
	pr_info("hvgdb: unloaded\n");
}

module_init(hvgdb_init);
module_exit(hvgdb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvgdb: VT-x hypervisor debugger with a GDB RSP server");
