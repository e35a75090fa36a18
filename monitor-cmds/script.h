/* SPDX-License-Identifier: GPL-2.0 */
/*
 * script.h - HyperDbg's script language (dslang): compiler and evaluator.
 *
 * Contract:
 *  - script_compile() runs when a command arrives (system halted).  It
 *    writes only into the caller's struct script_compiler (scratch) and
 *    struct script_prog (result); no allocation.  Errors come back as
 *    "line L, column C: expected X" in the caller's buffer.
 *  - A struct script_prog is self-contained and index based (no pointers):
 *    it may be copied or kept in a pre-allocated pool.
 *  - script_eval() runs in VMX root at each event: no allocation, no C
 *    recursion, a fixed value stack and call stack in struct script_vm, a
 *    step budget, and every machine access goes through struct script_ops.
 *    Bad memory yields a message and a zero value; it never faults.
 *
 * The language is described in docs/script.md.
 */
#ifndef HVGDB_SCRIPT_H
#define HVGDB_SCRIPT_H

#include "hvgdb/freestanding.h"

#ifndef SCRIPT_MAX_INSNS
#define SCRIPT_MAX_INSNS	2048	/* 8-byte instructions per program */
#endif
#define SCRIPT_MAX_CONSTS	128	/* 64-bit constants per program */
#define SCRIPT_MAX_STRBYTES	1024	/* string literal pool */
#define SCRIPT_MAX_LOCALS	64	/* per-CPU variables per program */
#define SCRIPT_MAX_GLOBALS	64	/* ".name" variables, shared */
#define SCRIPT_NAME_MAX		256	/* identifier size with its NUL */
#define SCRIPT_NAME_POOL	2048	/* bytes of variable names per table */
#define SCRIPT_MAX_FUNCS	16	/* user-defined functions */
#define SCRIPT_MAX_PARAMS	16	/* parameters + typed locals */
#define SCRIPT_MAX_FRAME	64	/* frame slots (arrays take several) */
#define SCRIPT_MAX_AGGS		16	/* arrays, structs, struct pointers */
#define SCRIPT_MAX_STYPES	8	/* struct types */
#define SCRIPT_MAX_FIELDS	16	/* fields of a struct type */
#define SCRIPT_MAX_DIMS		3	/* array dimensions */
#define SCRIPT_STACK_SLOTS	256	/* evaluator value stack */
#define SCRIPT_MAX_CALL_DEPTH	32	/* script recursion bound */
#ifndef SCRIPT_MAX_NEST
#define SCRIPT_MAX_NEST		48	/* compiler recursion, ~100 B each */
#endif
#define SCRIPT_DEFAULT_STEPS	1000000	/* steps per evaluation */
#define SCRIPT_MAX_STEPS	16000000 /* largest budget an event may ask */
/* A built-in that starts within the budget runs to its end: the most one
 * costs (strcmp of two 4096-byte strings: 2 x 4096 reads of 8 steps;
 * printf of 15 %s of 256 characters, read twice) is under this. */
#define SCRIPT_MAX_BUILTIN_STEPS 70000
#define SCRIPT_MAX_MEMCPY	4096	/* bytes per memcpy/memcmp call */
#define SCRIPT_MAX_STRING	256	/* characters printed by %s */
#define SCRIPT_MAX_STRLEN	4096	/* scanned by strlen/strcmp */
#define SCRIPT_MAX_MSGS		8	/* runtime messages per eval */

/* script_compile() flags */
#define SCRIPT_F_CONDITION	0x1	/* source is one condition */
#define SCRIPT_F_HDBG_STRICT	0x2	/* HyperDbg's rejections */

/* script_eval() results (0 = ran to the end or to a top-level return) */
enum script_status {
	SCRIPT_OK = 0,
	SCRIPT_E_STEPS = -1,	/* step budget exhausted */
	SCRIPT_E_STACK = -2,	/* value stack overflow */
	SCRIPT_E_DEPTH = -3,	/* call depth exceeded */
	SCRIPT_E_DIV0 = -4,	/* division or modulo by zero */
	SCRIPT_E_PROG = -5,	/* malformed program */
	SCRIPT_E_BOUNDS = -6,	/* array index out of bounds */
};

/* Architectural registers, numbered for the platform (reg_get/reg_set). */
enum script_reg {
	SCRIPT_REG_RAX, SCRIPT_REG_RCX, SCRIPT_REG_RDX, SCRIPT_REG_RBX,
	SCRIPT_REG_RSP, SCRIPT_REG_RBP, SCRIPT_REG_RSI, SCRIPT_REG_RDI,
	SCRIPT_REG_R8, SCRIPT_REG_R9, SCRIPT_REG_R10, SCRIPT_REG_R11,
	SCRIPT_REG_R12, SCRIPT_REG_R13, SCRIPT_REG_R14, SCRIPT_REG_R15,
	SCRIPT_REG_RIP, SCRIPT_REG_RFLAGS,
	SCRIPT_REG_ES, SCRIPT_REG_CS, SCRIPT_REG_SS, SCRIPT_REG_DS,
	SCRIPT_REG_FS, SCRIPT_REG_GS, SCRIPT_REG_LDTR, SCRIPT_REG_TR,
	SCRIPT_REG_GDTR, SCRIPT_REG_IDTR,
	SCRIPT_REG_CR0, SCRIPT_REG_CR2, SCRIPT_REG_CR3, SCRIPT_REG_CR4,
	SCRIPT_REG_CR8,
	SCRIPT_REG_DR0, SCRIPT_REG_DR1, SCRIPT_REG_DR2, SCRIPT_REG_DR3,
	SCRIPT_REG_DR6, SCRIPT_REG_DR7,
	SCRIPT_REG_COUNT
};

/* Pseudo-registers ($name), numbered for pseudo_get. */
enum script_pseudo {
	SCRIPT_PS_PID, SCRIPT_PS_TID, SCRIPT_PS_PNAME, SCRIPT_PS_CORE,
	SCRIPT_PS_PROC, SCRIPT_PS_THREAD, SCRIPT_PS_IP, SCRIPT_PS_BUFFER,
	SCRIPT_PS_CONTEXT, SCRIPT_PS_EVENT_ID, SCRIPT_PS_EVENT_STAGE,
	SCRIPT_PS_EVENT_TAG, SCRIPT_PS_DATE, SCRIPT_PS_TIME,
	SCRIPT_PS_TEB, SCRIPT_PS_PEB,	/* Windows names, 0 on Linux */
	SCRIPT_PS_COUNT
};

/* interlocked ops on guest memory (8-byte, like HyperDbg's LONG64 ops) */
enum script_ilk {
	SCRIPT_ILK_EXCHANGE,	/* *p = a, old returned */
	SCRIPT_ILK_ADD,		/* *p += a, old returned */
	SCRIPT_ILK_CMPXCHG,	/* if (*p == b) *p = a; old returned */
};

/* event control requests (event_ctl) */
enum script_evt {
	SCRIPT_EVT_ENABLE, SCRIPT_EVT_DISABLE, SCRIPT_EVT_CLEAR,
	SCRIPT_EVT_SC,		/* a != 0: skip the event's instruction */
	SCRIPT_EVT_INJECT,	/* a = type, b = vector */
	SCRIPT_EVT_INJECT_EC,	/* a = type, b = vector, c = error code */
	SCRIPT_EVT_PAUSE,	/* halt into the debugger after this event */
	SCRIPT_EVT_FLUSH,	/* discard pending output */
	SCRIPT_EVT_TRACE,	/* step this CPU, then stop; a = 1: by MTF */
};

/* lbr_* functions (lbr op): HyperDbg v0.19's tracing/lbr/ */
enum script_lbr {
	SCRIPT_LBR_CHECK, SCRIPT_LBR_SAVE, SCRIPT_LBR_PRINT,
	SCRIPT_LBR_RESTORE, SCRIPT_LBR_RESTORE_BY_FILTER,
};

/* event_inject's type when the script leaves it out: the VMX
 * interruption type "hardware exception" (SDM Vol. 3 25.8.3). */
#define SCRIPT_INJECT_HW_EXCEPTION	3

/*
 * The machine as the evaluator sees it.  Every pointer may be NULL except
 * output; a missing op reads as zero / fails cleanly.
 */
struct script_ops {
	u64 (*reg_get)(void *ctx, u32 reg);
	bool (*reg_set)(void *ctx, u32 reg, u64 val);
	u64 (*pseudo_get)(void *ctx, u32 id);
	/* checked accessors: false when any byte is unmapped */
	bool (*mem_read)(void *ctx, u64 addr, void *buf, u32 len, bool phys);
	bool (*mem_write)(void *ctx, u64 addr, const void *buf, u32 len,
			  bool phys);
	u64 (*va_to_pa)(void *ctx, u64 va);	/* 0 when not mapped */
	u64 (*pa_to_va)(void *ctx, u64 pa);	/* 0 when not mapped */
	/* atomic op on the 8 bytes at addr; false when unmapped */
	bool (*interlocked)(void *ctx, u32 op, u64 addr, u64 a, u64 b,
			    u64 *old);
	u64 *(*local_vars)(void *ctx);	/* this CPU's SCRIPT_MAX_LOCALS */
	u64 *(*global_vars)(void *ctx);	/* shared SCRIPT_MAX_GLOBALS */
	void (*output)(void *ctx, const char *s, u32 len);
	void (*test_statement)(void *ctx, u64 val);
	u64 (*event_ctl)(void *ctx, u32 op, u64 a, u64 b, u64 c);
	u64 (*rdtsc)(void *ctx, bool rdtscp);
	void (*microsleep)(void *ctx, u64 usec);	/* bounded busy wait */
	u64 (*lbr)(void *ctx, u32 op, u64 arg);	/* enum script_lbr */
};

/* One instruction: opcode, two small operands and a 32-bit operand. */
struct script_insn {
	u8 op;
	u8 a;
	u16 b;
	u32 c;
};

struct script_prog {
	u32 n_insns;
	u32 n_consts;
	u32 str_len;
	u32 n_locals;
	u32 flags;
	struct script_insn code[SCRIPT_MAX_INSNS];
	u64 consts[SCRIPT_MAX_CONSTS];
	char strs[SCRIPT_MAX_STRBYTES];
	u32 names_len;
	u16 local_name[SCRIPT_MAX_LOCALS];	/* offsets in names */
	char names[SCRIPT_NAME_POOL];		/* NUL-terminated names */
};

/* Names of ".globals", shared by every program compiled against it. */
struct script_globals {
	u32 count;
	u32 names_len;
	u16 name[SCRIPT_MAX_GLOBALS];		/* offsets in names */
	char names[SCRIPT_NAME_POOL];		/* NUL-terminated names */
};

/* Name of per-CPU variable i of prog / of global i ("" when out of range). */
const char *script_local_name(const struct script_prog *prog, u32 i);
const char *script_global_name(const struct script_globals *g, u32 i);

struct script_func {
	char name[SCRIPT_NAME_MAX];
	u32 entry;		/* instruction index, 0 = not yet defined */
	u8 n_params;
	u8 n_slots;
	bool has_value;		/* declared non-void */
};

/* Compiler scratch, owned by the caller (about 5 KiB). */
struct script_compiler {
	/* lexer */
	const char *src;
	size_t len, pos;
	u32 line, col;
	int tok;
	u64 tok_val;
	char tok_text[SCRIPT_NAME_MAX];
	u32 tok_line, tok_col;
	u32 name_line, name_col;	/* of the last name token */
	size_t tok_pos;
	u32 str_off, str_n;	/* string token: in prog->strs */
	bool str_wide;
	/* parser */
	char name[SCRIPT_NAME_MAX];	/* identifier being resolved */
	u32 flags;
	u32 depth;
	bool failed;
	char *err;
	size_t errlen;
	struct script_prog *prog;
	struct script_globals *globals;
	struct script_globals own_globals;
	struct script_func funcs[SCRIPT_MAX_FUNCS];
	u32 n_funcs;
	int cur_func;		/* -1 at top level */
	char frame_names[SCRIPT_MAX_PARAMS][SCRIPT_NAME_MAX];
	u8 frame_slot[SCRIPT_MAX_PARAMS];	/* first slot of each name */
	u32 n_frame;
	u32 n_frame_slots;
	/* arrays, structs and struct pointers (script_compile.c) */
	struct script_agg {
		char name[SCRIPT_NAME_MAX];
		s8 func;	/* function scope, -1 top level */
		u8 kind;	/* local, frame slot */
		u8 ndims;
		bool is_ptr;	/* a scalar holding a struct's address */
		s8 stype;	/* element struct type, -1 scalar */
		u16 base;	/* first slot */
		u16 dims[SCRIPT_MAX_DIMS];
	} aggs[SCRIPT_MAX_AGGS];
	u32 n_aggs;
	struct script_stype {
		char name[SCRIPT_NAME_MAX];
		u16 slots;
		u8 nfields;
		u16 field_name[SCRIPT_MAX_FIELDS];	/* in field_pool */
		u16 field_off[SCRIPT_MAX_FIELDS];	/* slots */
		s8 field_type[SCRIPT_MAX_FIELDS];	/* struct or -1 */
	} stypes[SCRIPT_MAX_STYPES];
	u32 n_stypes;
	char field_pool[1024];
	u32 field_pool_len;
	/* break/continue patch lists of the innermost loops */
	u32 loop_depth;
	u32 brk[64], n_brk;
	u32 cont[64], n_cont;
	/* call sites waiting for a later function definition */
	u32 call_fix[64];
	u32 call_fix_line[64], call_fix_col[64];
	u8 call_fix_argc[64];
	bool call_fix_value[64];	/* the call's value is used */
	u8 call_fix_func[64];
	u32 n_call_fix;
};

struct script_vm {
	u64 stack[SCRIPT_STACK_SLOTS];
	u32 ret_pc[SCRIPT_MAX_CALL_DEPTH];
	u32 ret_fp[SCRIPT_MAX_CALL_DEPTH];
	u64 result;		/* value of a top-level return / condition */
	u64 steps;		/* steps used by the last eval */
	u64 left;		/* budget left when a built-in starts */
	u32 n_msgs;		/* runtime messages of the last eval */
	char err[96];		/* message of the last failure */
};

/* Compile src[0..len).  Returns 0, or -1 with err filled. */
int script_compile(struct script_compiler *c, const char *src, size_t len,
		   struct script_globals *globals, u32 flags,
		   struct script_prog *prog, char *err, size_t errlen);

/* Run prog.  max_steps 0 means SCRIPT_DEFAULT_STEPS.  Runtime errors are
 * also printed through ops->output as "script error: ...". */
int script_eval(struct script_vm *vm, const struct script_prog *prog,
		const struct script_ops *ops, void *ctx, u64 max_steps);

/* Format like the script's printf into out (always NUL terminated); args
 * are the values, str_args bit i set means args[i] is an offset in
 * prog->strs.  Returns the length written. Used by the evaluator. */
u32 script_format(const struct script_prog *prog, const char *fmt,
		  const u64 *args, u32 nargs, u32 str_args,
		  const struct script_ops *ops, void *ctx,
		  char *out, u32 outlen);

/* Can prog call event_enable()?  (A bounded scan of its code: the
 * kernel module keeps the intercepts of disabled events loaded while
 * such a program exists, so the call needs no VMCS change.) */
bool script_prog_calls_event_enable(const struct script_prog *prog);

/* Register / pseudo-register names, for tools and messages. */
const char *script_reg_name(u32 reg);
const char *script_pseudo_name(u32 id);

#endif /* HVGDB_SCRIPT_H */
