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
};

void script_charge_init(struct script_charge *w, const struct script_ops *ops,
			void *ctx);

#endif /* HVGDB_SCRIPT_VM_H */
