// SPDX-License-Identifier: GPL-2.0
/*
 * mon_lbr.c - HyperDbg's Last Branch Record: `!lbr enable|disable|flush|
 * filter`, `!lbrdump [core n]` and the script functions lbr_check,
 * lbr_save, lbr_print, lbr_restore, lbr_restore_by_filter.
 *
 * Which LBR the CPU has is decided once at load, in process context
 * before any CPU is virtualized (mon_lbr_init): CPUID, then
 * IA32_PERF_CAPABILITIES and every LBR MSR hvgdb would touch read with
 * rdmsr_safe().  A CPU without a usable LBR (Bochs's corei7_skylake_x:
 * the model table names Skylake's stack, its MSRs fault) keeps the reason,
 * and every command and function gives it as its error.  Only the MSRs
 * read there are ever accessed in VMX root.
 *
 * With legacy LBR, recording is IA32_DEBUGCTL.LBR (bit 0) of the guest:
 * hvgdb's VMCS loads the guest's IA32_DEBUGCTL at VM entry ("load debug
 * controls", SDM Vol. 3C 27.3.2.1) and saves it at VM exit ("save debug
 * controls", 28.3.1), and a VM exit clears the real IA32_DEBUGCTL
 * (28.5.1): the stack stops at the exit, so an event's
 * lbr_save()/lbr_print() read the guest's last branches before it.  The
 * guest's own DEBUGCTL is therefore the VMCS field, written on each CPU
 * through hv_gdb_on_cpu().  MSR_LBR_SELECT is not switched by VM
 * transitions: !lbr filter writes it on each CPU.  A debug exception clears
 * DEBUGCTL.LBR (SDM Vol. 3B 18.4.1, the LBR flag), hence lbr_check() and
 * lbr_restore().
 *
 * Architectural LBR is detected but not driven: IA32_LBR_CTL is not
 * switched by VM transitions unless the "clear IA32_LBR_CTL" exit control
 * and the "load guest IA32_LBR_CTL" entry control are used (SDM 25.7.1,
 * 25.8.1), which hvgdb's VMCS does not set up; its reason says so.
 *
 * Context: mon_lbr_init() at load; the command at a stop, on the link's
 * holder with every CPU halted; the script functions in VMX root on the
 * CPU of the event (or the halted selected CPU for `?`).  Nothing sleeps,
 * allocates or locks.  The positive path is untested on hardware (the
 * test VM has no LBR).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/cpu.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/lib/lbr.h"
#include "kmod/events/mon_priv.h"
#include "monitor-cmds/cmd_lbr.h"
#include "gdbstub/gdbstub.h"

static struct {
	struct lbr_desc d;
	bool ok;		/* usable: detected and every MSR reads */
	char why[224];		/* else what is missing */
	bool enabled;		/* !lbr enable given */
	u64 filter;		/* !lbr filter, HyperDbg's bits */
} lbr;

struct lbr_saved {
	u32 n;			/* records, oldest first; 0: none saved */
	u8 slot[LBR_MAX_DEPTH];
	struct lbr_rec rec[LBR_MAX_DEPTH];
};

static DEFINE_PER_CPU(struct lbr_saved, lbr_saved);

static bool probe(u32 msr)
{
	u64 v;

	return !rdmsrl_safe(msr, &v);
}

static void lbr_why(const char *what, u32 msr)
{
	scnprintf(lbr.why, sizeof(lbr.why), "the model table gives %s's "
		  "%u-record LBR, but reading its %s MSR %#x faults",
		  lbr.d.family, lbr.d.depth, what, msr);
}

void mon_lbr_init(void)
{
	struct lbr_cpu_id id = { 0 };
	u32 a, b, c, d, max;

	lbr.ok = false;
	cpuid(0, &max, &b, &c, &d);
	id.intel = b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
	cpuid(1, &a, &b, &c, &d);
	id.family = x86_family(a);
	id.model = x86_model(a);
	id.pdcm = c & (1u << 15);
	if (max >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		id.arch_lbr = d & (1u << 19);
	}
	if (id.arch_lbr && max >= 0x1c)
		cpuid_count(0x1c, 0, &id.leaf1c_eax, &id.leaf1c_ebx,
			    &id.leaf1c_ecx, &d);
	if (id.intel && !id.arch_lbr && id.pdcm &&
	    rdmsrl_safe(LBR_MSR_PERF_CAPS, &id.perf_caps)) {
		scnprintf(lbr.why, sizeof(lbr.why), "reading "
			  "IA32_PERF_CAPABILITIES (CPUID.1:ECX.PDCM[15] = 1), "
			  "MSR %#x, faults: the LBR format is unknown",
			  LBR_MSR_PERF_CAPS);
		return;
	}
	if (lbr_detect(&id, &lbr.d, lbr.why, sizeof(lbr.why)))
		return;
	if (lbr.d.kind == LBR_ARCH) {
		scnprintf(lbr.why, sizeof(lbr.why), "architectural LBR "
			  "(CPUID.(EAX=07H,ECX=0):EDX[19], %u records) is not "
			  "driven yet: hvgdb's VMCS neither loads the guest's "
			  "IA32_LBR_CTL at entry nor clears it at exit",
			  lbr.d.depth);
		return;
	}
	if (!probe(LBR_MSR_TOS))
		return lbr_why("TOS", LBR_MSR_TOS);
	if (!probe(lbr.d.from))
		return lbr_why("first FROM", lbr.d.from);
	if (lbr.d.format != LBR_FMT_32 && !probe(lbr.d.to))
		return lbr_why("first TO", lbr.d.to);
	if (lbr.d.info && !probe(lbr.d.info))
		return lbr_why("first INFO", lbr.d.info);
	if (lbr.d.has_select && !probe(LBR_MSR_SELECT))
		return lbr_why("LBR_SELECT", LBR_MSR_SELECT);
	if (!probe(lbr.d.from + lbr.d.depth - 1))
		return lbr_why("last FROM", lbr.d.from + lbr.d.depth - 1);
	lbr.ok = true;
	pr_info("hvgdb: LBR: %s, %u records, format %u\n", lbr.d.family,
		lbr.d.depth, lbr.d.format);
}

/* ---- on one CPU, in VMX root ---- */

static void lbr_set(u64 filter, bool on)
{
	u64 dbg = hv_vmread(VMCS_GUEST_DEBUGCTL);

	if (on && lbr.d.has_select)
		wrmsrl(LBR_MSR_SELECT, lbr_select_value(filter));
	hv_vmwrite(VMCS_GUEST_DEBUGCTL, on ? dbg | LBR_DEBUGCTL_LBR :
		   dbg & ~LBR_DEBUGCTL_LBR);
}

/* The stack as it stands, oldest first, decoded. */
static void lbr_read(struct lbr_saved *s)
{
	u64 tos = 0, from, to = 0, info = 0;
	u32 i, k;

	rdmsrl(LBR_MSR_TOS, tos);
	for (i = 0; i < lbr.d.depth && i < LBR_MAX_DEPTH; i++) {
		k = lbr_slot(&lbr.d, tos, i);
		rdmsrl(lbr.d.from + k, from);
		if (lbr.d.format != LBR_FMT_32)
			rdmsrl(lbr.d.to + k, to);
		if (lbr.d.info)
			rdmsrl(lbr.d.info + k, info);
		s->slot[i] = k;
		lbr_decode(&lbr.d, from, to, info, &s->rec[i]);
	}
	s->n = i;
}

static void lbr_flush_cpu(void)
{
	u32 k;

	for (k = 0; k < lbr.d.depth; k++) {
		wrmsrl(lbr.d.from + k, 0);
		if (lbr.d.format != LBR_FMT_32)
			wrmsrl(lbr.d.to + k, 0);
		if (lbr.d.info)
			wrmsrl(lbr.d.info + k, 0);
	}
	this_cpu_ptr(&lbr_saved)->n = 0;
}

struct lbr_call {
	u32 op;
	u64 filter;
};

static int lbr_on_cpu(struct hv_cpu *c, struct hv_regs *r, void *arg)
{
	struct lbr_call *k = arg;

	if (k->op == CMD_LBR_FLUSH)
		lbr_flush_cpu();
	else
		lbr_set(k->filter, k->op != CMD_LBR_DISABLE);
	return 0;
}

/* ---- the commands ---- */

static void lbr_dump_cpu(struct rsp_output *out, int cpu)
{
	const struct lbr_saved *s = per_cpu_ptr(&lbr_saved, cpu);
	char line[200];
	u32 i, n;

	mon_printf(out, "LBR Chronological Trace on core: %#x\n", cpu);
	if (!s->n) {
		mon_printf(out, "         no LBR entries found for this core\n"
			   "         you can use the 'lbr_save();' function in "
			   "the script engine\n         on the target core to "
			   "save the LBR entries before dumping\n"
			   "         ================================"
			   "===========================\n");
		return;
	}
	for (i = 0; i < s->n; i++) {
		n = lbr_format_rec(&lbr.d, s->slot[i], &s->rec[i], line,
				   sizeof(line));
		rsp_output_write(out, line, n);
	}
}

int mon_lbr_command(const struct cmd_parsed *p, struct rsp_output *out,
		    bool *handled)
{
	struct lbr_call k = { .op = p->count, .filter = lbr.filter };
	const char *name = p->kind == CMD_LBR ? "!lbr" : "!lbrdump";
	int cpu, err;

	*handled = p->kind == CMD_LBR || p->kind == CMD_LBRDUMP;
	if (!*handled)
		return 0;
	if (!lbr.ok)
		return mon_fail(out, 0, "%s: this CPU has no usable LBR: %s\n",
				name, lbr.why);
	if (p->kind == CMD_LBRDUMP) {
		if (p->core != CMD_CORE_ALL) {
			if (p->core >= nr_cpu_ids || !cpu_online(p->core))
				return mon_fail(out, p->core_col, "no online "
						"CPU %#x\n", p->core);
			lbr_dump_cpu(out, p->core);
			return 0;
		}
		for_each_online_cpu(cpu)
			lbr_dump_cpu(out, cpu);
		return 0;
	}
	if (p->count == CMD_LBR_FILTER) {
		if ((p->value & LBR_FILTER_CALL_STACK) && !lbr.d.call_stack)
			return mon_fail(out, 0, "!lbr filter: call_stack needs "
					"Haswell or later (%s has no "
					"LBR_SELECT.EN_CALLSTACK)\n",
					lbr.d.family);
		lbr.filter = p->value;
		k.filter = p->value;
		if (!lbr.enabled) {
			mon_printf(out, "!lbr filter: %#llx, used at '!lbr "
				   "enable'\n", p->value);
			return 0;
		}
		k.op = CMD_LBR_ENABLE;
	}
	for_each_online_cpu(cpu) {
		err = hv_gdb_on_cpu(cpu, lbr_on_cpu, &k);
		if (err)
			return mon_fail(out, 0, "%s: CPU %d did not answer "
					"(%d); the others are done\n", name,
					cpu, err);
	}
	if (p->count == CMD_LBR_ENABLE || p->count == CMD_LBR_FILTER)
		lbr.enabled = true;
	else if (p->count == CMD_LBR_DISABLE)
		lbr.enabled = false;
	mon_printf(out, "!lbr: %s (%s, %u records, filter %#llx)\n",
		   p->count == CMD_LBR_DISABLE ? "disabled" :
		   p->count == CMD_LBR_FLUSH ? "flushed" : "enabled",
		   lbr.d.family, lbr.d.depth, lbr.filter);
	return 0;
}

/* ---- the script functions ---- */

static const char *const lbr_fn[] = {
	[SCRIPT_LBR_CHECK] = "lbr_check", [SCRIPT_LBR_SAVE] = "lbr_save",
	[SCRIPT_LBR_PRINT] = "lbr_print", [SCRIPT_LBR_RESTORE] = "lbr_restore",
	[SCRIPT_LBR_RESTORE_BY_FILTER] = "lbr_restore_by_filter",
};

u64 mon_lbr_script(struct mon_ctx *m, u32 op, u64 arg,
		   void (*emit)(void *ctx, const char *s, u32 len))
{
	struct lbr_saved *s;
	char line[240];
	u32 i, n;

	if (op > SCRIPT_LBR_RESTORE_BY_FILTER)
		return 0;
	if (!lbr.ok) {
		n = scnprintf(line, sizeof(line), "script error: %s: this CPU "
			      "has no usable LBR: %s\n", lbr_fn[op], lbr.why);
		emit(m, line, n);
		return 0;
	}
	if (!m->c) {
		n = scnprintf(line, sizeof(line), "script error: %s: only in "
			      "an event's script (the CPU's LBR is read where "
			      "the event fired)\n", lbr_fn[op]);
		emit(m, line, n);
		return 0;
	}
	/* HyperDbg: 0, doing nothing, until '!lbr enable' */
	if (!lbr.enabled)
		return 0;
	switch (op) {
	case SCRIPT_LBR_CHECK:
		return !!(hv_vmread(VMCS_GUEST_DEBUGCTL) & LBR_DEBUGCTL_LBR);
	case SCRIPT_LBR_SAVE:
		lbr_read(this_cpu_ptr(&lbr_saved));
		return 1;
	case SCRIPT_LBR_PRINT:
		s = this_cpu_ptr(&lbr_saved);
		lbr_read(s);
		n = scnprintf(line, sizeof(line), "LBR Chronological Trace on "
			      "core: %#x\n", m->c->cpu);
		emit(m, line, n);
		for (i = 0; i < s->n; i++) {
			n = lbr_format_rec(&lbr.d, s->slot[i], &s->rec[i],
					   line, sizeof(line));
			emit(m, line, n);
		}
		return 1;
	case SCRIPT_LBR_RESTORE:
		lbr_set(lbr.filter, true);
		return 1;
	case SCRIPT_LBR_RESTORE_BY_FILTER:
		if ((arg & LBR_FILTER_CALL_STACK) && !lbr.d.call_stack)
			return 0;
		lbr_set(arg & LBR_FILTER_MASK, true);
		return 1;
	}
	return 0;
}
