/* SPDX-License-Identifier: GPL-2.0 */
/*
 * script_int.h - internals shared by the script compiler and evaluator:
 * the instruction set, and the name tables (registers, pseudo-registers,
 * built-in functions).  Not for users of script.h.
 */
#ifndef HVGDB_SCRIPT_INT_H
#define HVGDB_SCRIPT_INT_H

#include "script.h"

/*
 * Stack machine.  Operands: a (u8), b (u16), c (u32).  "pop" and "push"
 * refer to the value stack; fp is the current function frame base.
 */
enum script_op {
	SOP_END,	/* stop */
	SOP_PUSHI,	/* push c (zero-extended) */
	SOP_PUSHK,	/* push consts[c] */
	SOP_PUSHS,	/* push string offset c (built-in argument only) */
	SOP_POP,
	SOP_LDL, SOP_STL,	/* per-CPU local c */
	SOP_LDG, SOP_STG,	/* global c */
	SOP_LDF, SOP_STF,	/* frame slot c */
	SOP_LDR, SOP_STR,	/* register a, field b = shift << 8 | width */
	SOP_LDP,		/* pseudo-register c */
	SOP_ADD, SOP_SUB, SOP_MUL, SOP_DIV, SOP_MOD,
	SOP_SHL, SOP_SHR, SOP_AND, SOP_OR, SOP_XOR,
	SOP_NEG, SOP_NOT,
	SOP_EQ, SOP_NE, SOP_LT, SOP_GT, SOP_LE, SOP_GE,	/* signed */
	SOP_LOAD,	/* pop addr, push a-byte value; b = physical */
	SOP_STORE,	/* pop value, pop addr, store a bytes; b = physical */
	SOP_JMP, SOP_JZ, SOP_JNZ,	/* to c; JZ/JNZ pop */
	SOP_CALL,	/* call c with a arguments on the stack */
	SOP_ENTER,	/* reserve b - a zeroed slots after a parameters */
	SOP_RET,	/* pop value, drop frame, push value, return */
	SOP_BUILTIN,	/* built-in a, b args, c = string literal arg mask */
	SOP_SETRES,	/* pop into vm->result */
	SOP_DUP,	/* push a copy of the top */
	SOP_ADDR,	/* push the address of variable c of kind a */
	SOP_BOUND,	/* stop unless the top < c (an array index) */
	SOP_SCALE,	/* st[top - a] <<= b (pointer + index, scaled) */
	SOP_COUNT
};

enum script_builtin {
	SB_PRINT, SB_PRINTF, SB_FORMATS, SB_TEST_STATEMENT,
	SB_MEMCPY, SB_MEMCPY_PA, SB_MEMCMP,
	SB_STRLEN, SB_WCSLEN, SB_STRCMP, SB_WCSCMP, SB_STRNCMP, SB_WCSNCMP,
	SB_EB, SB_ED, SB_EQ, SB_EB_PA, SB_ED_PA, SB_EQ_PA,
	SB_CHECK_ADDRESS, SB_VIRTUAL_TO_PHYSICAL, SB_PHYSICAL_TO_VIRTUAL,
	SB_INTERLOCKED_INCREMENT, SB_INTERLOCKED_DECREMENT,
	SB_INTERLOCKED_EXCHANGE, SB_INTERLOCKED_EXCHANGE_ADD,
	SB_INTERLOCKED_COMPARE_EXCHANGE,
	SB_SPINLOCK_LOCK, SB_SPINLOCK_UNLOCK, SB_SPINLOCK_LOCK_CUSTOM_WAIT,
	SB_EVENT_ENABLE, SB_EVENT_DISABLE, SB_EVENT_CLEAR, SB_EVENT_SC,
	SB_EVENT_INJECT, SB_EVENT_INJECT_ERROR_CODE,
	SB_PAUSE, SB_FLUSH, SB_RDTSC, SB_RDTSCP, SB_MICROSLEEP,
	SB_DISASSEMBLE_LEN, SB_DISASSEMBLE_LEN32, SB_DISASSEMBLE_LEN64,
	SB_LBR_CHECK, SB_LBR_SAVE, SB_LBR_PRINT, SB_LBR_RESTORE,
	SB_LBR_RESTORE_BY_FILTER,
	SB_EVENT_TRACE_STEP, SB_EVENT_TRACE_STEP_IN,
	SB_EVENT_TRACE_INSTR_STEP, SB_EVENT_TRACE_INSTR_STEP_IN,
	SB_EVENT_TRACE_STEP_OUT,	/* refused by the compiler */
	SB_COUNT
};

struct script_builtin_desc {
	const char *name;
	s8 nargs;		/* -1: printf-style, format + 0..15 values */
	u8 str_ok;		/* bit i: argument i may be a string literal */
	bool value;		/* yields a meaningful value */
	bool opt_first;		/* the first argument may be left out */
};

extern const struct script_builtin_desc script_builtins[SB_COUNT];

/* A register name: full register, bit offset and width of the field. */
struct script_reg_desc {
	const char *name;
	u8 reg;
	u8 shift;
	u8 width;
};

extern const struct script_reg_desc script_regs[];
extern const u32 script_n_regs;
extern const char *const script_pseudo_names[SCRIPT_PS_COUNT];

/* Lookup helpers: index or -1. */
int script_find_reg(const char *name);
int script_find_pseudo(const char *name);
int script_find_builtin(const char *name);

/* Small freestanding string helpers. */
int script_streq(const char *a, const char *b);
void script_strlcpy(char *dst, const char *src, size_t n);
/* Append to a NUL-terminated buffer of size n. */
void script_cat(char *dst, size_t n, const char *s);
void script_cat_u64(char *dst, size_t n, u64 v, u32 base);

#endif /* HVGDB_SCRIPT_INT_H */
