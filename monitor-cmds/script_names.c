// SPDX-License-Identifier: GPL-2.0
/*
 * script_names.c - name tables of the script language: registers with
 * their sub-registers and RFLAGS bits, pseudo-registers, built-ins.
 */
#include "script_int.h"

#define R(n, r, s, w) { n, SCRIPT_REG_##r, s, w }
#define GPR(q, d, w, l, r) \
	R(q, r, 0, 64), R(d, r, 0, 32), R(w, r, 0, 16), R(l, r, 0, 8)
#define XGPR(n, r) \
	R(n, r, 0, 64), R(n "d", r, 0, 32), R(n "w", r, 0, 16), \
	R(n "l", r, 0, 8), R(n "b", r, 0, 8)

const struct script_reg_desc script_regs[] = {
	GPR("rax", "eax", "ax", "al", RAX), R("ah", RAX, 8, 8),
	GPR("rbx", "ebx", "bx", "bl", RBX), R("bh", RBX, 8, 8),
	GPR("rcx", "ecx", "cx", "cl", RCX), R("ch", RCX, 8, 8),
	GPR("rdx", "edx", "dx", "dl", RDX), R("dh", RDX, 8, 8),
	GPR("rsi", "esi", "si", "sil", RSI),
	GPR("rdi", "edi", "di", "dil", RDI),
	GPR("rbp", "ebp", "bp", "bpl", RBP),
	GPR("rsp", "esp", "sp", "spl", RSP),
	XGPR("r8", R8), XGPR("r9", R9), XGPR("r10", R10), XGPR("r11", R11),
	XGPR("r12", R12), XGPR("r13", R13), XGPR("r14", R14),
	XGPR("r15", R15),
	R("rip", RIP, 0, 64), R("eip", RIP, 0, 32), R("ip", RIP, 0, 16),
	R("rflags", RFLAGS, 0, 64), R("eflags", RFLAGS, 0, 32),
	R("flags", RFLAGS, 0, 16),
	/* RFLAGS bits, SDM Vol. 1, 3.4.3 */
	R("cf", RFLAGS, 0, 1), R("pf", RFLAGS, 2, 1), R("af", RFLAGS, 4, 1),
	R("zf", RFLAGS, 6, 1), R("sf", RFLAGS, 7, 1), R("tf", RFLAGS, 8, 1),
	R("if", RFLAGS, 9, 1), R("df", RFLAGS, 10, 1),
	R("of", RFLAGS, 11, 1), R("iopl", RFLAGS, 12, 2),
	R("nt", RFLAGS, 14, 1), R("rf", RFLAGS, 16, 1),
	R("vm", RFLAGS, 17, 1), R("ac", RFLAGS, 18, 1),
	R("vif", RFLAGS, 19, 1), R("vip", RFLAGS, 20, 1),
	R("id", RFLAGS, 21, 1),
	R("es", ES, 0, 16), R("cs", CS, 0, 16), R("ss", SS, 0, 16),
	R("ds", DS, 0, 16), R("fs", FS, 0, 16), R("gs", GS, 0, 16),
	/* Bases of the four, as HyperDbg reads them. */
	R("ldtr", LDTR, 0, 64), R("tr", TR, 0, 64),
	R("gdtr", GDTR, 0, 64), R("idtr", IDTR, 0, 64),
	R("cr0", CR0, 0, 64), R("cr2", CR2, 0, 64), R("cr3", CR3, 0, 64),
	R("cr4", CR4, 0, 64), R("cr8", CR8, 0, 64),
	R("dr0", DR0, 0, 64), R("dr1", DR1, 0, 64), R("dr2", DR2, 0, 64),
	R("dr3", DR3, 0, 64), R("dr6", DR6, 0, 64), R("dr7", DR7, 0, 64),
};

const u32 script_n_regs = ARRAY_SIZE(script_regs);

const char *const script_pseudo_names[SCRIPT_PS_COUNT] = {
	[SCRIPT_PS_PID] = "pid", [SCRIPT_PS_TID] = "tid",
	[SCRIPT_PS_PNAME] = "pname", [SCRIPT_PS_CORE] = "core",
	[SCRIPT_PS_PROC] = "proc", [SCRIPT_PS_THREAD] = "thread",
	[SCRIPT_PS_IP] = "ip", [SCRIPT_PS_BUFFER] = "buffer",
	[SCRIPT_PS_CONTEXT] = "context", [SCRIPT_PS_EVENT_ID] = "event_id",
	[SCRIPT_PS_EVENT_STAGE] = "event_stage",
	[SCRIPT_PS_EVENT_TAG] = "event_tag", [SCRIPT_PS_DATE] = "date",
	[SCRIPT_PS_TIME] = "time", [SCRIPT_PS_TEB] = "teb",
	[SCRIPT_PS_PEB] = "peb",
};

/* Bit i of str_ok: argument i may be a "string literal". */
#define S0 0x1
#define S1 0x2
#define B(n, a, s, v) { .name = n, .nargs = a, .str_ok = s, .value = v }
#define B_OPT(n, a, s, v) \
	{ .name = n, .nargs = a, .str_ok = s, .value = v, .opt_first = true }
const struct script_builtin_desc script_builtins[SB_COUNT] = {
	[SB_PRINT] = B("print", 1, S0, false),
	[SB_PRINTF] = B("printf", -1, S0, false),
	[SB_FORMATS] = B("formats", 1, 0, false),
	[SB_TEST_STATEMENT] = B("test_statement", 1, 0, false),
	[SB_MEMCPY] = B("memcpy", 3, S1, false),
	[SB_MEMCPY_PA] = B("memcpy_pa", 3, 0, false),
	[SB_MEMCMP] = B("memcmp", 3, S0 | S1, true),
	[SB_STRLEN] = B("strlen", 1, S0, true),
	[SB_WCSLEN] = B("wcslen", 1, S0, true),
	[SB_STRCMP] = B("strcmp", 2, S0 | S1, true),
	[SB_WCSCMP] = B("wcscmp", 2, S0 | S1, true),
	[SB_STRNCMP] = B("strncmp", 3, S0 | S1, true),
	[SB_WCSNCMP] = B("wcsncmp", 3, S0 | S1, true),
	[SB_EB] = B("eb", 2, 0, true),
	[SB_ED] = B("ed", 2, 0, true),
	[SB_EQ] = B("eq", 2, 0, true),
	[SB_EB_PA] = B("eb_pa", 2, 0, true),
	[SB_ED_PA] = B("ed_pa", 2, 0, true),
	[SB_EQ_PA] = B("eq_pa", 2, 0, true),
	[SB_CHECK_ADDRESS] = B("check_address", 1, 0, true),
	[SB_VIRTUAL_TO_PHYSICAL] = B("virtual_to_physical", 1, 0, true),
	[SB_PHYSICAL_TO_VIRTUAL] = B("physical_to_virtual", 1, 0, true),
	[SB_INTERLOCKED_INCREMENT] = B("interlocked_increment", 1, 0, true),
	[SB_INTERLOCKED_DECREMENT] = B("interlocked_decrement", 1, 0, true),
	[SB_INTERLOCKED_EXCHANGE] = B("interlocked_exchange", 2, 0, true),
	[SB_INTERLOCKED_EXCHANGE_ADD] = 
		B("interlocked_exchange_add", 2, 0, true),
	[SB_INTERLOCKED_COMPARE_EXCHANGE] = 
		B("interlocked_compare_exchange", 3, 0, true),
	[SB_SPINLOCK_LOCK] = B("spinlock_lock", 1, 0, false),
	[SB_SPINLOCK_UNLOCK] = B("spinlock_unlock", 1, 0, false),
	[SB_SPINLOCK_LOCK_CUSTOM_WAIT] = 
		B("spinlock_lock_custom_wait", 2, 0, false),
	[SB_EVENT_ENABLE] = B("event_enable", 1, 0, false),
	[SB_EVENT_DISABLE] = B("event_disable", 1, 0, false),
	[SB_EVENT_CLEAR] = B("event_clear", 1, 0, false),
	[SB_EVENT_SC] = B("event_sc", 1, 0, false),
	/* HyperDbg's (type, vector[, code]); hvgdb also takes (vector[,
	 * code]) for a hardware exception, the only type it injects. */
	[SB_EVENT_INJECT] = B_OPT("event_inject", 2, 0, false),
	[SB_EVENT_INJECT_ERROR_CODE] = 
		B_OPT("event_inject_error_code", 3, 0, false),
	[SB_PAUSE] = B("pause", 0, 0, false),
	[SB_FLUSH] = B("flush", 0, 0, false),
	[SB_RDTSC] = B("rdtsc", 0, 0, true),
	[SB_RDTSCP] = B("rdtscp", 0, 0, true),
	[SB_MICROSLEEP] = B("microsleep", 1, 0, false),
	[SB_DISASSEMBLE_LEN] = B("disassemble_len", 1, 0, true),
	[SB_DISASSEMBLE_LEN32] = B("disassemble_len32", 1, 0, true),
	[SB_DISASSEMBLE_LEN64] = B("disassemble_len64", 1, 0, true),
	/* HyperDbg v0.19's Last Branch Record functions (script_builtin.c) */
	[SB_LBR_CHECK] = B("lbr_check", 0, 0, true),
	[SB_LBR_SAVE] = B("lbr_save", 0, 0, true),
	[SB_LBR_PRINT] = B("lbr_print", 0, 0, true),
	[SB_LBR_RESTORE] = B("lbr_restore", 0, 0, true),
	[SB_LBR_RESTORE_BY_FILTER] = B("lbr_restore_by_filter", 1, 0, true),
	/* HyperDbg's engine (ScriptEngineEval), not in its reference pages */
	[SB_EVENT_TRACE_STEP] = B("event_trace_step", 0, 0, false),
	[SB_EVENT_TRACE_STEP_IN] = B("event_trace_step_in", 0, 0, false),
	[SB_EVENT_TRACE_INSTR_STEP] =
		B("event_trace_instrumentation_step", 0, 0, false),
	[SB_EVENT_TRACE_INSTR_STEP_IN] =
		B("event_trace_instrumentation_step_in", 0, 0, false),
	[SB_EVENT_TRACE_STEP_OUT] = B("event_trace_step_out", 0, 0, false),
};

int script_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

void script_strlcpy(char *dst, const char *src, size_t n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

void script_cat(char *dst, size_t n, const char *s)
{
	size_t l = strlen(dst);

	if (l < n)
		script_strlcpy(dst + l, s, n - l);
}

void script_cat_u64(char *dst, size_t n, u64 v, u32 base)
{
	char tmp[24];
	int i = 23;

	tmp[i] = 0;
	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && i > 0);
	script_cat(dst, n, tmp + i);
}

int script_find_reg(const char *name)
{
	u32 i;

	for (i = 0; i < script_n_regs; i++)
		if (script_streq(script_regs[i].name, name))
			return i;
	return -1;
}

int script_find_pseudo(const char *name)
{
	u32 i;

	for (i = 0; i < SCRIPT_PS_COUNT; i++)
		if (script_streq(script_pseudo_names[i], name))
			return i;
	return -1;
}

int script_find_builtin(const char *name)
{
	u32 i;

	for (i = 0; i < SB_COUNT; i++)
		if (script_streq(script_builtins[i].name, name))
			return i;
	return -1;
}

const char *script_reg_name(u32 reg)
{
	u32 i;

	for (i = 0; i < script_n_regs; i++)
		if (script_regs[i].reg == reg && script_regs[i].width == 64 &&
		    script_regs[i].shift == 0)
			return script_regs[i].name;
	for (i = 0; i < script_n_regs; i++)
		if (script_regs[i].reg == reg)
			return script_regs[i].name;
	return "?";
}

const char *script_pseudo_name(u32 id)
{
	return id < SCRIPT_PS_COUNT ? script_pseudo_names[id] : "?";
}
