// SPDX-License-Identifier: GPL-2.0
/*
 * mon_track.c - HyperDbg's !track: instrumented stepping of gdb's selected
 * CPU, calls and returns printed as a tree with kernel symbols.
 *
 * `!track [tree|reg] [count]` at a stop arms it; the next resume that is
 * not a gdb step (gdb steps off its breakpoints first) starts stepping
 * that CPU alone (kmod/debug/step.c: MTF, or RFLAGS.TF with #DB; the
 * other CPUs run freely) and the step machinery calls mon_track_step()
 * after each instruction.  Before an instruction runs it is classified
 * (kmod/lib/track.c): after a CALL the new RIP is the callee, printed
 * "┌── " one level deeper (with `reg`, the argument registers follow); a
 * RET is printed "└── " with its own address, and the level goes back.
 * After `count` instructions the system stops with a line that says so;
 * without a count, gdb's Ctrl-C (or any other stop) ends it.
 *
 * Output goes to gdb at once as O packets (hv_gdb_console()) when the
 * link is free, else into the CPU's event batch, sent before the next
 * stop reply; what does not fit is counted and reported there (never
 * lost silently).  At most two lines per instruction.
 *
 * Symbols: sprint_symbol() for addresses in the core kernel's text only,
 * found at load (mon_mode.c): for those, kallsyms is table reads (6.1:
 * kallsyms_lookup_buildid() returns before the module, BPF and ftrace
 * lookups that take RCU), with the buffer here, not on the stack.  Other
 * addresses (modules, user space) are printed bare.  The instruction
 * bytes are read with hv_gdb_read_current() (checked page walk).
 *
 * State: trk is set by the command while every CPU is halted and then
 * written only by the tracked CPU in VMX root.
 */
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/bp.h"
#include "kmod/debug/step.h"
#include "kmod/events/mon_priv.h"
#include "kmod/lib/track.h"
#include "gdbstub/gdbstub.h"
#include "monitor-cmds/cmd.h"

#define TRK_LINE	512

static struct {
	int cpu;
	bool armed, running, reg, bounded;
	u64 left, done, calls, rets;
	u32 depth;
	enum track_kind prev;
	u64 prev_rip;
	char sym[KSYM_SYMBOL_LEN];
	char line[TRK_LINE];
} trk = { .cpu = -1 };

static void trk_emit(struct hv_cpu *c, const char *s, u32 len)
{
	struct mon_cpu *mc = mon.cpu[c->cpu];
	size_t n = hv_gdb_console(s, len);

	if (n >= len || !mc)
		return;
	if (event_outbuf_put(&mc->ob, s + n, len - (u32)n) ==
	    EVENT_OUT_FLUSH)
		mon_push(&mc->ob);
}

static const char *trk_sym(u64 a)
{
	u64 lo, hi;

	if (!mon_mode_text_va(&lo, &hi) || a < lo || a >= hi)
		return NULL;
	sprint_symbol(trk.sym, (unsigned long)a);
	track_trim_symbol(trk.sym);
	return trk.sym;
}

static void trk_line(struct hv_cpu *c, enum track_kind k, u32 depth, u64 a)
{
	size_t n = track_format(trk.line, TRK_LINE, k, depth, trk_sym(a), a);

	trk_emit(c, trk.line, (u32)n);
}

static void trk_regs(struct hv_cpu *c, struct hv_regs *r)
{
	int n = scnprintf(trk.line, TRK_LINE,
			  "    rdi=%#llx rsi=%#llx rdx=%#llx rcx=%#llx r8=%#llx r9=%#llx\n"
			  "    rax=%#llx rbx=%#llx rbp=%#llx rsp=%#llx rip=%#llx rflags=%#llx\n",
			  r->gpr[HV_RDI], r->gpr[HV_RSI], r->gpr[HV_RDX],
			  r->gpr[HV_RCX], r->gpr[HV_R8], r->gpr[HV_R9],
			  r->gpr[HV_RAX], r->gpr[HV_RBX], r->gpr[HV_RBP],
			  hv_vmread(VMCS_GUEST_RSP), hv_vmread(VMCS_GUEST_RIP),
			  hv_vmread(VMCS_GUEST_RFLAGS));

	trk_emit(c, trk.line, n);
}

/* The instruction at RIP, before it runs: a RET is printed now. */
static void trk_look(struct hv_cpu *c)
{
	u64 rip = hv_vmread(VMCS_GUEST_RIP);
	u8 b[15];
	long n = hv_gdb_read_current(rip, b, sizeof(b));

	trk.prev = n > 0 ? track_classify(b, (u32)n) : TRACK_BAD;
	trk.prev_rip = rip;
	if (trk.prev == TRACK_RET) {
		if (trk.depth)
			trk.depth--;
		trk.rets++;
		trk_line(c, TRACK_RET, trk.depth, rip);
	}
}

static void trk_finish(struct hv_cpu *c, struct hv_regs *r)
{
	struct rsp_stop stop = {
		.tid = c->cpu + 1, .signal = RSP_SIGTRAP,
		.reason = RSP_STOP_SIGNAL,
	};
	int n = scnprintf(trk.line, TRK_LINE, "!track: %#llx instructions "
			  "stepped on CPU %d (%#llx calls, %#llx returns)\n",
			  trk.done, c->cpu, trk.calls, trk.rets);

	trk.running = false;
	hv_gdb_stop_here(c, r, &stop, trk.line, n);
}

/* struct hv_gdb_monitor.track, VMX root on the CPU. */
void mon_track_step(struct hv_cpu *c, struct hv_regs *r, bool start)
{
	if (start) {
		/* Any stop ends a running track; an armed one starts. */
		if (c->cpu != trk.cpu)
			return;
		trk.running = false;
		if (!trk.armed)
			return;
		trk.armed = false;
		trk.running = true;
		trk_look(c);
		hv_bp_step(c, HV_STEP_TRACK);
		return;
	}
	if (!trk.running || c->cpu != trk.cpu)
		return;
	trk.done++;
	if (trk.prev == TRACK_CALL) {
		trk.calls++;
		trk_line(c, TRACK_CALL, trk.depth, hv_vmread(VMCS_GUEST_RIP));
		if (trk.reg)
			trk_regs(c, r);
		trk.depth++;
	}
	if (trk.bounded && !--trk.left) {
		trk_finish(c, r);
		return;
	}
	trk_look(c);
	hv_bp_step(c, HV_STEP_TRACK);
}

int mon_track_command(const struct cmd_parsed *p, struct rsp_output *out,
		      bool *handled)
{
	int cpu;

	*handled = p->kind == CMD_TRACK;
	if (!*handled)
		return 0;
	cpu = hv_gdb_selected_cpu();
	if (cpu < 0 || !hv_gdb_cpu_state(cpu))
		return mon_fail(out, 0, "!track: the selected thread's CPU is "
				"not halted\n");
	trk.cpu = cpu;
	trk.armed = true;
	trk.running = false;
	trk.reg = p->on;
	trk.bounded = p->set;
	trk.left = p->set ? p->value : 0;
	trk.done = trk.calls = trk.rets = 0;
	trk.depth = 0;
	if (p->set)
		mon_printf(out, "!track: CPU %d steps %#llx instructions once "
			   "gdb continues (%s); then the system stops\n", cpu,
			   p->value, p->on ? "tree with registers" : "tree");
	else
		mon_printf(out, "!track: CPU %d steps once gdb continues (%s), "
			   "until Ctrl-C\n", cpu,
			   p->on ? "tree with registers" : "tree");
	return 0;
}
