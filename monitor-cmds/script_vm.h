/* SPDX-License-Identifier: GPL-2.0 */
/*
 * script_vm.h - what the evaluator loop and the built-in functions share:
 * runtime error reporting and the built-in dispatcher.
 */
#ifndef HVGDB_SCRIPT_VM_H
#define HVGDB_SCRIPT_VM_H

#include "script.h"

/* "script error: msg[0xval]" into vm->err and ops->output. */
void script_vm_error(struct script_vm *vm, const struct script_ops *ops,
		     void *ctx, const char *msg, u64 val, bool show_val);

/* Runs built-in id over args[0..argc); bit i of strs: args[i] is a string
 * literal offset.  Returns 0 (result in *res) or a SCRIPT_E_* status. */
int script_builtin(struct script_vm *vm, const struct script_prog *p,
		   const struct script_ops *ops, void *ctx, u32 id,
		   const u64 *args, u32 argc, u32 strs, u64 *res);

/* Character i of a string: a literal (offset base in p->strs, read as
 * bytes) or guest memory at base (bytes, or UTF-16 units when wide).
 * Returns the character, or -1 when the memory cannot be read. */
int script_str_char(const struct script_prog *p, const struct script_ops *ops,
		    void *ctx, u64 base, bool lit, bool wide, u32 i);

/*
 * The script's own variables as memory: '&x' is the address of x's
 * 8-byte slot (this CPU's locals, the shared globals, or the value stack
 * for a function's parameters and typed locals).  Reads, writes and
 * interlocked operations of a script on such an address (the memory
 * keywords, *p, memcpy, interlocked_*, spinlock_*) go to the slot, not
 * through the platform; interlocked ones are atomic between CPUs.
 */
struct script_varmem {
	u8 *base[3];
	u32 size[3];
};

void script_varmem_init(struct script_varmem *v, u64 *locals, u64 *globals,
			u64 *stack);

/* The slot bytes of [addr, addr + len), or NULL when not a variable. */
static inline u8 *script_var_mem(const struct script_varmem *v, u64 addr,
				 u32 len)
{
	u32 i;

	for (i = 0; i < 3; i++) {
		u64 off = addr - (u64)(uintptr_t)v->base[i];

		if (v->base[i] && off < v->size[i] && len <= v->size[i] - off)
			return v->base[i] + off;
	}
	return NULL;
}

/* Atomic op (enum script_ilk) on an 8-byte slot; returns the old value. */
u64 script_var_interlocked(u8 *slot, u32 op, u64 a, u64 b);

/* Built-ins run through wrapped ops that count their cost in steps
 * (script_charge.c); vm->left is the budget remaining when the call
 * starts (spinlock_lock gives up within it). */
#define SCRIPT_STEPS_PER_USEC	64
#define SCRIPT_MEM_STEPS	8	/* a guest memory access */
struct script_charge {
	struct script_ops wrapped;
	const struct script_ops *ops;
	void *ctx;
	u64 cost;
	const struct script_varmem *vars;
};

void script_charge_init(struct script_charge *w, const struct script_ops *ops,
			void *ctx, const struct script_varmem *vars);

#endif /* HVGDB_SCRIPT_VM_H */
