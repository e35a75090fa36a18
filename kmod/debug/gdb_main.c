// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_main.c - load and unload of hvgdb.ko's gdb server, its statistics.
 *
 * Context: process context (insmod, rmmod, debugfs reads).  hv_gdb_init()
 * runs before any CPU is virtualized and hv_gdb_exit() after every CPU
 * left VMX, so no CPU can be in the exit handlers they install or remove.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/seq_file.h>
#include <asm/nmi.h>
#include <asm/tsc.h>
#include "kmod/vmx/hv.h"
#include "kmod/vmx/hypercall.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"
#include "kmod/debug/bp.h"
#include "kmod/debug/step.h"

uint gdb_gone_timeout = 10;
module_param_named(gone_timeout, gdb_gone_timeout, uint, 0644);
MODULE_PARM_DESC(gone_timeout, "seconds (guest time) a stop the system made by itself waits for gdb to answer before breakpoints are removed and the system resumes (default 10, 0 = wait for ever)");

struct gdb_state gdb;
DEFINE_PER_CPU(struct hv_gdb_cpu *, hv_gdb_pcpu);
const struct hv_gdb_monitor *gdb_monitor_ops;

void hv_gdb_set_monitor(const struct hv_gdb_monitor *m)
{
	WRITE_ONCE(gdb_monitor_ops, m);
}

static u64 gdb_tsc_to_us(u64 t)
{
	return tsc_khz ? t * 1000 / tsc_khz : 0;
}

void hv_gdb_show(struct seq_file *m)
{
	int cpu;

	gdb_link_show(m);
	seq_printf(m, "polls %llu halts %llu missed_halts %llu foreign_nmis %llu gone %llu\n",
		   gdb.polls, gdb.halts, gdb.missed_halts, gdb.foreign_nmis,
		   gdb.gone);
	seq_printf(m, "halt_us last %llu max %llu\n",
		   gdb_tsc_to_us(gdb.halt_tsc_last),
		   gdb_tsc_to_us(gdb.halt_tsc_max));
	seq_printf(m, "steps %llu\n", gdb.steps);
	seq_printf(m, "root_nmi_gate %s\n", gdb.root_idt ? "hvgdb" : "kernel");
	seq_puts(m, "trace_unarmed");
	for_each_possible_cpu(cpu) {
		struct hv_gdb_cpu *pc = per_cpu(hv_gdb_pcpu, cpu);

		seq_printf(m, " %llu", pc ? READ_ONCE(pc->trace_unarmed) : 0);
	}
	seq_putc(m, '\n');
	hv_bp_show(m);
	seq_printf(m, "uart rx %llu tx %llu line_errors %llu tx_timeouts %llu\n",
		   gdb.uart.rx_bytes, gdb.uart.tx_bytes, gdb.uart.line_errors,
		   gdb.uart.tx_timeouts);
}

int hv_gdb_init(void)
{
	struct rsp_config cfg = {
		.byte_timeout_ms = 2000, .idle_ms = 1000, .rle_replies = true,
	};
	u32 pin1 = (u32)((hv.caps.true_ctls ? hv.msrs.true_pin :
			  hv.msrs.pin) >> 32);
	u32 proc1 = (u32)((hv.caps.true_ctls ? hv.msrs.true_proc :
			   hv.msrs.proc) >> 32);
	int cpu, err;

	memset(&gdb, 0, sizeof(gdb));
	err = hv_gdb_mem_init();
	if (!err)
		err = gdb_mmio_init();
	if (err)
		return err;
	gdb.eng = vzalloc(sizeof(*gdb.eng));
	if (!gdb.eng)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct hv_gdb_cpu *pc = kzalloc(sizeof(*pc), GFP_KERNEL);

		if (!pc) {
			hv_gdb_exit();
			return -ENOMEM;
		}
		per_cpu(hv_gdb_pcpu, cpu) = pc;
	}
	err = gdb_link_init();
	if (err) {
		hv_gdb_exit();
		return err;
	}
	rsp_init(gdb.eng, &gdb_transport, &gdb_target_ops, NULL, &cfg);
	/* NMI exiting needs virtual NMIs for the NMI-window control
	 * (SDM 26.2.1.1). */
	if ((pin1 & (HV_PIN_NMI_EXITING | HV_PIN_VIRTUAL_NMIS)) ==
	    (HV_PIN_NMI_EXITING | HV_PIN_VIRTUAL_NMIS) &&
	    (proc1 & HV_PROC_NMI_WINDOW)) {
		hv.ctls.pin |= HV_PIN_NMI_EXITING | HV_PIN_VIRTUAL_NMIS;
		hv_exit_set_handler(EXIT_NMI_WINDOW, hv_gdb_on_nmi_window);
		gdb.can_halt = true;
		/* NMIs in root to gdb_root_nmi(), not the kernel's handlers. */
		err = hv_host_idt_init(gdb_root_nmi);
		gdb.root_idt = !err;
		if (err)
			pr_warn("hvgdb: root keeps the kernel's IDT (%d): an NMI of ours that lands in root runs the kernel's NMI handlers\n",
				err);
	} else {
		pr_warn("hvgdb: no virtual NMIs: only the CPU that talks to gdb halts\n");
	}
	err = register_nmi_handler(NMI_LOCAL, gdb_nmi_handler, 0, "hvgdb");
	if (err) {
		hv_gdb_exit();
		return err;
	}
	gdb.nmi_registered = true;
	hv_exit_set_handler(EXIT_EXCEPTION_NMI, hv_gdb_on_exception);
	hv_exit_set_handler(EXIT_MTF, hv_gdb_on_mtf);
	hv_exit_set_handler(EXIT_EXTERNAL_INTR, hv_step_on_extint);
	hv_exit_set_handler(EXIT_INTR_WINDOW, hv_step_on_intr_window);
	hv_exit_set_handler(EXIT_HLT, hv_step_on_hlt);
	hv_hypercall_set(HV_HC_GDB_POLL, hv_gdb_on_poll);
	err = hv_bp_init();
	if (err) {
		hv_gdb_exit();
		return err;
	}
	gdb_link_announce();
	gdb_btf_init();
	return 0;
}

void hv_gdb_start(void)
{
	gdb_link_start();
}

void hv_gdb_stop(void)
{
	gdb_link_stop();
}

void hv_gdb_exit(void)
{
	int cpu;

	hv_gdb_stop();
	gdb_btf_exit();
	/* Called after every CPU left VMX: no CPU can take these exits. */
	gdb_watchdogs_release();
	hv_host_idt_exit();
	hv_exit_set_handler(EXIT_EXCEPTION_NMI, NULL);
	hv_exit_set_handler(EXIT_NMI_WINDOW, NULL);
	hv_exit_set_handler(EXIT_MTF, NULL);
	hv_exit_set_handler(EXIT_EXTERNAL_INTR, NULL);
	hv_exit_set_handler(EXIT_INTR_WINDOW, NULL);
	hv_exit_set_handler(EXIT_HLT, NULL);
	hv_hypercall_set(HV_HC_GDB_POLL, NULL);
	hv_bp_exit();
	if (gdb.nmi_registered)
		unregister_nmi_handler(NMI_LOCAL, "hvgdb");
	gdb.nmi_registered = false;
	for_each_possible_cpu(cpu) {
		kfree(per_cpu(hv_gdb_pcpu, cpu));
		per_cpu(hv_gdb_pcpu, cpu) = NULL;
	}
	gdb_mmio_exit();
	vfree(gdb.eng);
	gdb.eng = NULL;
}
