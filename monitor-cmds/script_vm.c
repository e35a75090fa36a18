// SPDX-License-Identifier: GPL-2.0
/*
 * script_vm.c - the evaluator.  One loop over the program with a bounded
 * value stack and call stack; no C recursion, no allocation.  It runs in
 * VMX root, so every instruction is checked against the program bounds
 * (a damaged program stops with SCRIPT_E_PROG rather than faulting) and
 * each one costs a step of the budget.
 */
#include "script_int.h"
#include "script_vm.h"

void script_vm_error(struct script_vm *vm, const struct script_ops *ops,
		     void *ctx, const char *msg, u64 val, bool show_val)
{
	static const char more[] = "script error: further errors not shown\n";

	vm->err[0] = 0;
	script_cat(vm->err, sizeof(vm->err), "script error: ");
	script_cat(vm->err, sizeof(vm->err), msg);
	if (show_val) {
		script_cat(vm->err, sizeof(vm->err), "0x");
		script_cat_u64(vm->err, sizeof(vm->err), val, 16);
	}
	script_cat(vm->err, sizeof(vm->err), "\n");
	/* a loop over bad memory must not flood the output buffer */
	if (vm->n_msgs < SCRIPT_MAX_MSGS && ops->output)
		ops->output(ctx, vm->err, (u32)strlen(vm->err));
	else if (vm->n_msgs == SCRIPT_MAX_MSGS && ops->output)
		ops->output(ctx, more, sizeof(more) - 1);
	vm->n_msgs++;
}

static inline bool size_ok(u32 size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static inline u64 field_mask(u32 width)
{
	return width >= 64 ? ~0ULL : (1ULL << width) - 1;
}

/* The built-ins read exactly their arguments: check the count, and that
 * a printf format is a NUL-terminated string of the pool. */
static bool builtin_call_ok(const struct script_prog *p,
			    const struct script_insn *in, const u64 *args)
{
	const struct script_builtin_desc *d;
	u64 i;

	if (in->a >= SB_COUNT)
		return false;
	d = &script_builtins[in->a];
	if (d->nargs >= 0)
		return in->b == d->nargs ||
		       (d->opt_first && in->b + 1 == d->nargs);
	if (in->b < 1 || in->b > 16 || !(in->c & 1) ||
	    p->str_len > SCRIPT_MAX_STRBYTES)
		return false;
	for (i = args[0]; i < p->str_len; i++)
		if (!p->strs[i])
			return true;
	return false;
}

static int fail(struct script_vm *vm, const struct script_ops *ops,
		void *ctx, int status, const char *msg)
{
	script_vm_error(vm, ops, ctx, msg, 0, false);
	return status;
}

int script_eval(struct script_vm *vm, const struct script_prog *p,
		const struct script_ops *ops, void *ctx, u64 max_steps)
{
	const struct script_insn *code = p->code;
	u64 *st = vm->stack;
	u64 *locals = ops->local_vars ? ops->local_vars(ctx) : NULL;
	u64 *globals = ops->global_vars ? ops->global_vars(ctx) : NULL;
	u64 budget = max_steps ? max_steps : SCRIPT_DEFAULT_STEPS;
	u64 steps = 0, a, b;
	u32 n = p->n_insns, pc = 0, sp = 0, fp = 0, depth = 0;
	int rc = SCRIPT_OK;
	/* Filled before use (charge by script_charge_init() at the first
	 * built-in): not zeroed on every evaluation. */
	struct script_charge charge __uninitialized;
	struct script_varmem vars __uninitialized;
	u8 *slot;

	charge.ops = NULL;
	script_varmem_init(&vars, locals, globals, st);

	vm->err[0] = 0;
	vm->result = 0;
	vm->n_msgs = 0;
	if (n > SCRIPT_MAX_INSNS)
		return fail(vm, ops, ctx, SCRIPT_E_PROG, "malformed program");

#define NEED(k) do { if (sp < (k)) goto bad; } while (0)
#define PUSH(v) do { if (sp >= SCRIPT_STACK_SLOTS) goto overflow; \
		     st[sp++] = (v); } while (0)
#define BIN(expr) do { NEED(2); b = st[--sp]; a = st[sp - 1]; \
		       st[sp - 1] = (expr); } while (0)

	for (;;) {
		const struct script_insn *in;

		if (pc >= n)
			goto bad;
		if (steps >= budget) {
			rc = fail(vm, ops, ctx, SCRIPT_E_STEPS,
				  "step budget exhausted, script stopped");
			goto out;
		}
		steps++;
		in = &code[pc++];
		switch (in->op) {
		case SOP_END:
			goto out;
		case SOP_PUSHI:
			PUSH(in->c);
			break;
		case SOP_PUSHK:
			if (in->c >= p->n_consts || in->c >= SCRIPT_MAX_CONSTS)
				goto bad;
			PUSH(p->consts[in->c]);
			break;
		case SOP_PUSHS:
			if (in->c >= p->str_len)
				goto bad;
			PUSH(in->c);
			break;
		case SOP_POP:
			NEED(1);
			sp--;
			break;
		case SOP_DUP:
			NEED(1);
			a = st[sp - 1];
			PUSH(a);
			break;
		case SOP_LDL:
			if (in->c >= SCRIPT_MAX_LOCALS)
				goto bad;
			PUSH(locals ? locals[in->c] : 0);
			break;
		case SOP_STL:
			NEED(1);
			if (in->c >= SCRIPT_MAX_LOCALS)
				goto bad;
			sp--;
			if (locals)
				locals[in->c] = st[sp];
			break;
		case SOP_LDG:
			if (in->c >= SCRIPT_MAX_GLOBALS)
				goto bad;
			PUSH(globals ? globals[in->c] : 0);
			break;
		case SOP_STG:
			NEED(1);
			if (in->c >= SCRIPT_MAX_GLOBALS)
				goto bad;
			sp--;
			if (globals)
				globals[in->c] = st[sp];
			break;
		case SOP_LDF:
			if (fp + in->c >= sp)
				goto bad;
			PUSH(st[fp + in->c]);
			break;
		case SOP_STF:
			NEED(1);
			sp--;
			if (fp + in->c >= sp)
				goto bad;
			st[fp + in->c] = st[sp];
			break;
		case SOP_LDR:
			if (in->a >= SCRIPT_REG_COUNT || (in->b >> 8) >= 64)
				goto bad;
			a = ops->reg_get ? ops->reg_get(ctx, in->a) : 0;
			PUSH((a >> (in->b >> 8)) & field_mask(in->b & 0xff));
			break;
		case SOP_STR: {
			u64 m = field_mask(in->b & 0xff);
			u32 sh = in->b >> 8;

			NEED(1);
			b = st[--sp];
			if (sh >= 64 || in->a >= SCRIPT_REG_COUNT)
				goto bad;
			a = ops->reg_get ? ops->reg_get(ctx, in->a) : 0;
			a = (a & ~(m << sh)) | ((b & m) << sh);
			if (!ops->reg_set || !ops->reg_set(ctx, in->a, a))
				script_vm_error(vm, ops, ctx,
						"cannot write register ", in->a,
						true);
			break;
		}
		case SOP_LDP:
			if (in->c >= SCRIPT_PS_COUNT)
				goto bad;
			PUSH(ops->pseudo_get ? ops->pseudo_get(ctx, in->c) : 0);
			break;
		case SOP_ADD: BIN(a + b); break;
		case SOP_SUB: BIN(a - b); break;
		case SOP_MUL: BIN(a * b); break;
		case SOP_DIV:
		case SOP_MOD:
			NEED(2);
			if (!st[sp - 1]) {
				rc = fail(vm, ops, ctx, SCRIPT_E_DIV0,
					  "division by zero, script stopped");
				goto out;
			}
			if (in->op == SOP_DIV)
				BIN(a / b);
			else
				BIN(a % b);
			break;
		/* x86 SHL/SHR use the count modulo 64 (SDM Vol. 2B, SAL/SAR/
		 * SHL/SHR), as HyperDbg's compiled C does; >> is logical. */
		case SOP_SHL: BIN(a << (b & 63)); break;
		case SOP_SHR: BIN(a >> (b & 63)); break;
		case SOP_AND: BIN(a & b); break;
		case SOP_OR: BIN(a | b); break;
		case SOP_XOR: BIN(a ^ b); break;
		case SOP_NEG:
			NEED(1);
			st[sp - 1] = 0 - st[sp - 1];
			break;
		case SOP_NOT:
			NEED(1);
			st[sp - 1] = ~st[sp - 1];
			break;
		case SOP_EQ: BIN(a == b); break;
		case SOP_NE: BIN(a != b); break;
		case SOP_LT: BIN((s64)a < (s64)b); break;
		case SOP_GT: BIN((s64)a > (s64)b); break;
		case SOP_LE: BIN((s64)a <= (s64)b); break;
		case SOP_GE: BIN((s64)a >= (s64)b); break;
		case SOP_LOAD:
			NEED(1);
			if (!size_ok(in->a))
				goto bad;
			a = st[sp - 1];
			b = 0;
			slot = in->b ? NULL : script_var_mem(&vars, a, in->a);
			if (slot) {	/* *&x */
				memcpy(&b, slot, in->a);
				st[sp - 1] = b;
				break;
			}
			steps += SCRIPT_MEM_STEPS - 1;	/* a page walk */
			if (!ops->mem_read ||
			    !ops->mem_read(ctx, a, &b, in->a, in->b)) {
				script_vm_error(vm, ops, ctx,
						"cannot read memory at ", a,
						true);
				b = 0;
			}
			st[sp - 1] = b;
			break;
		case SOP_STORE:
			NEED(2);
			if (!size_ok(in->a))
				goto bad;
			b = st[--sp];
			a = st[--sp];
			slot = in->b ? NULL : script_var_mem(&vars, a, in->a);
			if (slot) {
				memcpy(slot, &b, in->a);
				break;
			}
			steps += SCRIPT_MEM_STEPS - 1;
			if (!ops->mem_write ||
			    !ops->mem_write(ctx, a, &b, in->a, in->b))
				script_vm_error(vm, ops, ctx,
						"cannot write memory at ", a,
						true);
			break;
		case SOP_JMP:
			pc = in->c;
			break;
		case SOP_JZ:
			NEED(1);
			if (!st[--sp])
				pc = in->c;
			break;
		case SOP_JNZ:
			NEED(1);
			if (st[--sp])
				pc = in->c;
			break;
		case SOP_CALL:
			NEED(in->a);
			if (depth >= SCRIPT_MAX_CALL_DEPTH) {
				rc = fail(vm, ops, ctx, SCRIPT_E_DEPTH,
					  "call depth limit reached, script stopped");
				goto out;
			}
			vm->ret_pc[depth] = pc;
			vm->ret_fp[depth] = fp;
			depth++;
			fp = sp - in->a;
			pc = in->c;
			break;
		case SOP_ENTER:
			if (sp - fp != in->a || in->b < in->a)
				goto bad;
			for (a = in->a; a < in->b; a++)
				PUSH(0);
			break;
		case SOP_RET:
			NEED(1);
			if (!depth || fp > sp - 1)
				goto bad;
			a = st[sp - 1];
			sp = fp;
			depth--;
			pc = vm->ret_pc[depth];
			fp = vm->ret_fp[depth];
			PUSH(a);
			break;
		case SOP_BUILTIN:
			NEED(in->b);
			if (!builtin_call_ok(p, in, &st[sp - in->b]))
				goto bad;
			/* every machine access of a built-in costs steps */
			if (!charge.ops)
				script_charge_init(&charge, ops, ctx, &vars);
			charge.cost = 0;
			vm->left = budget - steps;
			rc = script_builtin(vm, p, &charge.wrapped, &charge,
					    in->a, &st[sp - in->b], in->b,
					    in->c, &a);
			steps += charge.cost;
			if (rc)
				goto out;
			sp -= in->b;
			PUSH(a);
			break;
		case SOP_ADDR:	/* &variable: a = 0 local, 1 global, 2 frame */
			if (in->a == 0 && in->c < SCRIPT_MAX_LOCALS && locals)
				a = (u64)(uintptr_t)&locals[in->c];
			else if (in->a == 1 && in->c < SCRIPT_MAX_GLOBALS &&
				 globals)
				a = (u64)(uintptr_t)&globals[in->c];
			else if (in->a == 2 && fp + in->c < sp)
				a = (u64)(uintptr_t)&st[fp + in->c];
			else if (in->a > 2)
				goto bad;
			else
				a = 0;	/* no variables on this platform */
			PUSH(a);
			break;
		case SOP_BOUND:
			NEED(1);
			if (st[sp - 1] >= in->c) {
				script_vm_error(vm, ops, ctx,
						"array index out of bounds, script stopped: byte offset ",
						st[sp - 1], true);
				rc = SCRIPT_E_BOUNDS;
				goto out;
			}
			break;
		case SOP_SCALE:
			NEED((u32)in->a + 1);
			st[sp - 1 - in->a] <<= in->b & 63;
			break;
		case SOP_SETRES:
			NEED(1);
			vm->result = st[--sp];
			break;
		default:
			goto bad;
		}
	}
bad:
	rc = fail(vm, ops, ctx, SCRIPT_E_PROG, "malformed program, script stopped");
	goto out;
overflow:
	rc = fail(vm, ops, ctx, SCRIPT_E_STACK,
		  "value stack overflow, script stopped");
out:
	vm->steps = steps;
	return rc;
#undef NEED
#undef PUSH
#undef BIN
}

bool script_prog_calls_event_enable(const struct script_prog *p)
{
	u32 i, n = p->n_insns < SCRIPT_MAX_INSNS ? p->n_insns :
						    SCRIPT_MAX_INSNS;

	for (i = 0; i < n; i++)
		if (p->code[i].op == SOP_BUILTIN &&
		    p->code[i].a == SB_EVENT_ENABLE)
			return true;
	return false;
}
