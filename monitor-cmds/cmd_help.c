// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_help.c - the command table: names, arguments and the help text that
 * `.help` and `help <command>` print.  docs/commands.md carries the same
 * syntax lines (tests/unit/monitor checks that they agree).
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_priv.h"

#define OPTS_COMMON " [pid X] [core X] [imm yes|no]"
#define OPTS_STAGES " [sc on|off] [stage pre|post|all]"
#define OPTS_ACTIONS " [buffer N] [script {...}] [condition {...}] " \
	"[output {name}] [steps N]"
#define OPTS OPTS_COMMON OPTS_STAGES OPTS_ACTIONS

#define EV(n, t, a, an, lo, hi, st, syn, sum) \
	{ n, true, t, a, an, lo, hi, st, syn, sum, false, NULL, false, false }
#define PLAIN(n, syn, sum) \
	{ n, false, EVENT_NONE, CMD_ARG_NONE, NULL, 0, 0, false, syn, sum, \
	  false, NULL, false, false }
#define HOST(n, syn, sum, list) \
	{ n, false, EVENT_NONE, CMD_ARG_NONE, NULL, 0, 0, false, syn, sum, \
	  true, list, false, false }
/* Inspection commands (cmd_inspect.c): listed with the others (the host
 * runs them, but they are HyperDbg commands, not hvgdb's own like ? and
 * print); the '!' ones only with their '!'. */
#define INSPECT(n, bang, syn, sum) \
	{ n, bang, EVENT_NONE, CMD_ARG_NONE, NULL, 0, 0, false, syn, sum, \
	  false, NULL, bang, true }

const struct cmd_info cmd_infos[] = {
	EV("msrread", EVENT_MSRREAD, CMD_ARG_OPTIONAL, "MSR", 0, 0xffffffffu,
	   true, "!msrread [msr]" OPTS, "RDMSR executed (all MSRs if none named)"),
	EV("msrwrite", EVENT_MSRWRITE, CMD_ARG_OPTIONAL, "MSR", 0, 0xffffffffu,
	   true, "!msrwrite [msr]" OPTS, "WRMSR executed (all MSRs if none named)"),
	EV("cpuid", EVENT_CPUID, CMD_ARG_OPTIONAL, "leaf", 0, 0xffffffffu,
	   true, "!cpuid [leaf]" OPTS, "CPUID executed"),
	EV("tsc", EVENT_TSC, CMD_ARG_NONE, NULL, 0, 0,
	   true, "!tsc" OPTS, "RDTSC or RDTSCP executed"),
	EV("pmc", EVENT_PMC, CMD_ARG_NONE, NULL, 0, 0,
	   true, "!pmc" OPTS, "RDPMC executed"),
	EV("ioin", EVENT_IOIN, CMD_ARG_OPTIONAL, "port", 0, 0xffff,
	   true, "!ioin [port]" OPTS, "IN/INS from an I/O port"),
	EV("ioout", EVENT_IOOUT, CMD_ARG_OPTIONAL, "port", 0, 0xffff,
	   true, "!ioout [port]" OPTS, "OUT/OUTS to an I/O port"),
	EV("dr", EVENT_DR, CMD_ARG_NONE, NULL, 0, 0,
	   true, "!dr" OPTS, "MOV to or from a debug register"),
	EV("vmcall", EVENT_VMCALL, CMD_ARG_NONE, NULL, 0, 0,
	   true, "!vmcall" OPTS, "VMCALL executed (not hvgdb's own)"),
	EV("xsetbv", EVENT_XSETBV, CMD_ARG_OPTIONAL, "XCR", 0, 0xffffffffu,
	   true, "!xsetbv [xcr]" OPTS, "XSETBV executed"),
	EV("crwrite", EVENT_CRWRITE, CMD_ARG_REQUIRED, "control register",
	   0, 4, false, "!crwrite 0|4 [mask M]" OPTS_COMMON OPTS_ACTIONS,
	   "MOV to CR0 or CR4 changing a bit in the mask"),
	EV("exception", EVENT_EXCEPTION, CMD_ARG_OPTIONAL, "vector", 0, 0x1f,
	   true, "!exception [vector]" OPTS,
	   "exception with vector 0-0x1f (#PF also reports CR2)"),
	EV("interrupt", EVENT_INTERRUPT, CMD_ARG_OPTIONAL, "vector", 0x20, 0xff,
	   true, "!interrupt [vector]" OPTS,
	   "external interrupt with vector 0x20-0xff"),
	EV("syscall", EVENT_SYSCALL, CMD_ARG_OPTIONAL, "syscall number", 0,
	   ~0ull, true, "!syscall [num]" OPTS,
	   "SYSCALL executed (recognised by its opcode)"),
	EV("syscall2", EVENT_SYSCALL2, CMD_ARG_OPTIONAL, "syscall number", 0,
	   ~0ull, true, "!syscall2 [num]" OPTS,
	   "SYSCALL executed (recognised by RIP, no memory read)"),
	EV("sysret", EVENT_SYSRET, CMD_ARG_NONE, NULL, 0, 0,
	   true, "!sysret" OPTS, "SYSRET executed (recognised by its opcode)"),
	EV("sysret2", EVENT_SYSRET2, CMD_ARG_NONE, NULL, 0, 0,
	   true, "!sysret2" OPTS,
	   "SYSRET executed (recognised by RIP, no memory read)"),
	EV("monitor", EVENT_MONITOR, CMD_ARG_NONE, NULL, 0, 0,
	   true, "!monitor r|w|x|rw|rx|wx|rwx from to|l length [va|pa]" OPTS,
	   "EPT: reads, writes or execution in a range (pre/post, sc)"),
	EV("epthook", EVENT_EPTHOOK, CMD_ARG_REQUIRED, "address", 0, ~0ull,
	   false, "!epthook address" OPTS_COMMON OPTS_ACTIONS,
	   "hidden breakpoint: the kernel goes on unless an action breaks"),
	EV("epthook2", EVENT_EPTHOOK2, CMD_ARG_REQUIRED, "address", 0, ~0ull,
	   false, "!epthook2 address" OPTS_COMMON OPTS_ACTIONS,
	   "detour hook hidden by EPT: one VMCALL per hit, no step"),
	EV("mode", EVENT_MODE, CMD_ARG_NONE, "mode", 0, 0, false,
	   "!mode u|k|uk pid X [core X] [imm yes|no] [sc on|off]"
	   OPTS_ACTIONS,
	   "the process's kernel-to-user (u) and user-to-kernel (k) switches"),
	PLAIN("events", "events [e|d|c id|all] | events sc on|off",
	      "list, enable, disable or clear events; sc at an event stop"),
	PLAIN("prealloc", "prealloc [regular-event|script|monitor|epthook|"
	      "epthook2] count | prealloc buffer bytes | prealloc",
	      "grow a pool (allocated once the system resumes), or show them"),
	PLAIN("flush", "flush", "deliver buffered event output now"),
	PLAIN("stop", "stop",
	      "the event this stop is for, as its stop line (.kv stop too)"),
	PLAIN("settings", "settings [name [on|off]]",
	      "show the settings, or show or change one (autoflush)"),
	PLAIN("preactivate", "preactivate mode",
	      "set up !mode ahead (hvgdb: ready at load; shows its mechanism)"),
	PLAIN("status", "status",
	      "the debuggee: link, CPUs, events"),
	PLAIN("cpus", "cpus",
	      "each CPU with the task it runs (.kv cpus for scripts)"),
	INSPECT("rdmsr", false, "rdmsr msr [core n]",
		"read an MSR on every CPU, or on CPU n"),
	INSPECT("wrmsr", false, "wrmsr msr value [core n]",
		"write an MSR on every CPU, or on CPU n"),
	INSPECT("va2pa", true, "!va2pa va [core n]",
		"virtual to physical address (page tables of the selected CPU)"),
	INSPECT("pa2va", true, "!pa2va pa", "physical to virtual address"),
	INSPECT("pte", true, "!pte va [core n]",
		"show the paging-structure entries that map a virtual address"),
	INSPECT("db", true, "!db pa [l length]",
		"show physical memory as bytes and ASCII"),
	INSPECT("dc", true, "!dc pa [l length]",
		"show physical memory as dwords and ASCII"),
	INSPECT("dd", true, "!dd pa [l length]",
		"show physical memory as dwords"),
	INSPECT("dq", true, "!dq pa [l length]",
		"show physical memory as qwords"),
	INSPECT("eb", true, "!eb pa value [value ...]",
		"write bytes to physical memory"),
	INSPECT("ed", true, "!ed pa value [value ...]",
		"write dwords to physical memory"),
	INSPECT("eq", true, "!eq pa value [value ...]",
		"write qwords to physical memory"),
	INSPECT("sb", false, "sb from to|l length byte [byte ...]",
		"search virtual memory (the selected CPU's) for bytes"),
	INSPECT("sd", false, "sd from to|l length dword [dword ...]",
		"search virtual memory for dwords"),
	INSPECT("sq", false, "sq from to|l length qword [qword ...]",
		"search virtual memory for qwords"),
	INSPECT("sb", true, "!sb from to|l length byte [byte ...]",
		"search physical memory (RAM) for bytes"),
	INSPECT("sd", true, "!sd from to|l length dword [dword ...]",
		"search physical memory for dwords"),
	INSPECT("sq", true, "!sq from to|l length qword [qword ...]",
		"search physical memory for qwords"),
	INSPECT("cpu", false, "cpu",
		"the VMX capabilities found at load and what hvgdb does with them"),
	INSPECT("info", false, "info version | info registers | info mem | "
		"info tlb", "QEMU's: who answers; the selected CPU's registers, "
		"mappings, pages"),
	INSPECT("xp", false, "xp /fmt addr",
		"QEMU's: physical memory (fmt: count, x d u o c, b h w g)"),
	INSPECT("pcitree", true, "!pcitree",
		"the PCI functions of segment 0, with vendor and device ids"),
	INSPECT("pcicam", true, "!pcicam bus device function [x] [l length]",
		"a PCI function's configuration space, decoded or as hex (x)"),
	INSPECT("lm", false, "lm [m name] [km]",
		"list the kernel's modules: base, size, name, state"),
	INSPECT(".process", false, ".process [list | pid p | process task]",
		"show, list processes; pid: gdb reads that one's memory"),
	INSPECT(".thread", false, ".thread [list [process task]]",
		"show the current thread, or list a process's threads"),
	INSPECT("track", true, "!track [tree|reg] [count]",
		"step the selected CPU, printing calls and returns as a tree"),
	INSPECT("lbr", true, "!lbr enable|disable|flush | !lbr filter "
		"[option ...]", "Last Branch Record on every CPU (where the CPU "
		"has it)"),
	INSPECT("lbrdump", true, "!lbrdump [core n]",
		"the LBR records lbr_save() kept, per CPU"),
	INSPECT("idt", true, "!idt [vector]",
		"the selected CPU's IDT: each vector's handler and its symbol"),
	INSPECT("apic", true, "!apic",
		"the selected CPU's local APIC (xAPIC or x2APIC)"),
	INSPECT("ioapic", true, "!ioapic",
		"the I/O APICs' redirection tables (from the ACPI MADT)"),
	INSPECT(".output", false, ".output [create name | spool path|off | "
		"tap on|off]", "event forwarding, as 'hv output' sets it up"),
	PLAIN(".help", ".help [command]", "list commands, or show one"),
	PLAIN("help", "help [command]", "same as .help"),
	HOST("?", "? {script} | ? statement",
	     "run a script once on the CPU of gdb's selected thread",
	     "run a script on the selected CPU: ? { printf(\"%llx\\n\", "
	     "@rip); }"),
	HOST("print", "print expr",
	     "print the value of a script expression (hex) on the selected "
	     "CPU", "print an expression: print @rax + 8"),
};

const u32 cmd_info_count = ARRAY_SIZE(cmd_infos);

const struct cmd_info *cmd_info_find(const char *s, size_t n)
{
	bool bang = n && s[0] == '!';
	u32 i;

	if (bang) {
		s++;
		n--;
	}
	for (i = 0; i < cmd_info_count; i++) {
		const struct cmd_info *ci = &cmd_infos[i];

		if (bang ? !ci->bang : ci->bang_only)
			continue;
		if (cmd_word_is(s, n, ci->name))
			return ci;
	}
	return NULL;
}
