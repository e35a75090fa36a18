// SPDX-License-Identifier: GPL-2.0
/*
 * script_charge.c - the step cost of built-in functions.  A built-in runs
 * through a copy of struct script_ops whose every op adds its cost to a
 * counter before calling the real one, so that the step budget bounds
 * the time of a script whatever mix of instructions and built-ins it
 * runs: a guest memory access costs SCRIPT_MEM_STEPS plus 1 per 8 bytes
 * (a page walk in the module), as poi() and friends do in the evaluator;
 * an output 1 step per 8 bytes, an interlocked op SCRIPT_MEM_STEPS,
 * microsleep 64 steps per microsecond (docs/performance.md has the
 * figures behind these weights).
 */
#include "script_int.h"
#include "script_vm.h"

#define W(c) ((struct script_charge *)(c))

static u64 c_reg_get(void *c, u32 reg)
{
	W(c)->cost++;
	return W(c)->ops->reg_get(W(c)->ctx, reg);
}

static bool c_reg_set(void *c, u32 reg, u64 val)
{
	W(c)->cost++;
	return W(c)->ops->reg_set(W(c)->ctx, reg, val);
}

static u64 c_pseudo_get(void *c, u32 id)
{
	W(c)->cost++;
	return W(c)->ops->pseudo_get(W(c)->ctx, id);
}

static bool c_mem_read(void *c, u64 addr, void *buf, u32 len, bool phys)
{
	u8 *v = phys ? NULL : script_var_mem(W(c)->vars, addr, len);

	W(c)->cost += (v ? 1 : SCRIPT_MEM_STEPS) + len / 8;
	if (v) {
		memcpy(buf, v, len);
		return true;
	}
	return W(c)->ops->mem_read &&
	       W(c)->ops->mem_read(W(c)->ctx, addr, buf, len, phys);
}

static bool c_mem_write(void *c, u64 addr, const void *buf, u32 len,
			bool phys)
{
	u8 *v = phys ? NULL : script_var_mem(W(c)->vars, addr, len);

	W(c)->cost += (v ? 1 : SCRIPT_MEM_STEPS) + len / 8;
	if (v) {
		memcpy(v, buf, len);
		return true;
	}
	return W(c)->ops->mem_write &&
	       W(c)->ops->mem_write(W(c)->ctx, addr, buf, len, phys);
}

static u64 c_va_to_pa(void *c, u64 va)
{
	W(c)->cost += SCRIPT_MEM_STEPS;
	return W(c)->ops->va_to_pa(W(c)->ctx, va);
}

static u64 c_pa_to_va(void *c, u64 pa)
{
	W(c)->cost += SCRIPT_MEM_STEPS;
	return W(c)->ops->pa_to_va(W(c)->ctx, pa);
}

static bool c_interlocked(void *c, u32 op, u64 addr, u64 a, u64 b, u64 *old)
{
	u8 *v = script_var_mem(W(c)->vars, addr, 8);

	W(c)->cost += SCRIPT_MEM_STEPS;
	if (v && !(addr & 7)) {
		*old = script_var_interlocked(v, op, a, b);
		return true;
	}
	return W(c)->ops->interlocked &&
	       W(c)->ops->interlocked(W(c)->ctx, op, addr, a, b, old);
}

static u64 *c_local_vars(void *c)
{
	return W(c)->ops->local_vars(W(c)->ctx);
}

static u64 *c_global_vars(void *c)
{
	return W(c)->ops->global_vars(W(c)->ctx);
}

static void c_output(void *c, const char *s, u32 len)
{
	W(c)->cost += 1 + len / 8;
	W(c)->ops->output(W(c)->ctx, s, len);
}

static void c_test_statement(void *c, u64 val)
{
	W(c)->cost++;
	W(c)->ops->test_statement(W(c)->ctx, val);
}

static u64 c_event_ctl(void *c, u32 op, u64 a, u64 b, u64 cc)
{
	W(c)->cost += 8;
	return W(c)->ops->event_ctl(W(c)->ctx, op, a, b, cc);
}

static u64 c_rdtsc(void *c, bool rdtscp)
{
	W(c)->cost++;
	return W(c)->ops->rdtsc(W(c)->ctx, rdtscp);
}

static void c_microsleep(void *c, u64 usec)
{
	W(c)->cost += usec * SCRIPT_STEPS_PER_USEC;
	W(c)->ops->microsleep(W(c)->ctx, usec);
}

/* reads or writes up to 3 x 32 MSRs, prints up to 32 lines */
static u64 c_lbr(void *c, u32 op, u64 arg)
{
	W(c)->cost += 256;
	return W(c)->ops->lbr(W(c)->ctx, op, arg);
}

#define WRAP(f) (ops->f ? c_##f : NULL)

void script_varmem_init(struct script_varmem *v, u64 *locals, u64 *globals,
			u64 *stack)
{
	v->base[0] = (u8 *)locals;
	v->size[0] = locals ? SCRIPT_MAX_LOCALS * 8 : 0;
	v->base[1] = (u8 *)globals;
	v->size[1] = globals ? SCRIPT_MAX_GLOBALS * 8 : 0;
	v->base[2] = (u8 *)stack;
	v->size[2] = SCRIPT_STACK_SLOTS * 8;
}

/* gcc's __atomic built-ins: lock xadd / xchg / cmpxchg on x86-64, in the
 * module as in user space (no library call for an aligned 8 bytes). */
u64 script_var_interlocked(u8 *slot, u32 op, u64 a, u64 b)
{
	u64 *p = (u64 *)slot;

	switch (op) {
	case SCRIPT_ILK_EXCHANGE:
		return __atomic_exchange_n(p, a, __ATOMIC_SEQ_CST);
	case SCRIPT_ILK_ADD:
		return __atomic_fetch_add(p, a, __ATOMIC_SEQ_CST);
	case SCRIPT_ILK_CMPXCHG:
		__atomic_compare_exchange_n(p, &b, a, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		return b;	/* the old value either way */
	}
	return *p;
}

void script_charge_init(struct script_charge *w, const struct script_ops *ops,
			void *ctx, const struct script_varmem *vars)
{
	w->ops = ops;
	w->ctx = ctx;
	w->cost = 0;
	w->vars = vars;
	w->wrapped.reg_get = WRAP(reg_get);
	w->wrapped.reg_set = WRAP(reg_set);
	w->wrapped.pseudo_get = WRAP(pseudo_get);
	/* variables are memory even without the platform's accessors */
	w->wrapped.mem_read = c_mem_read;
	w->wrapped.mem_write = c_mem_write;
	w->wrapped.va_to_pa = WRAP(va_to_pa);
	w->wrapped.pa_to_va = WRAP(pa_to_va);
	w->wrapped.interlocked = c_interlocked;
	w->wrapped.local_vars = WRAP(local_vars);
	w->wrapped.global_vars = WRAP(global_vars);
	w->wrapped.output = WRAP(output);
	w->wrapped.test_statement = WRAP(test_statement);
	w->wrapped.event_ctl = WRAP(event_ctl);
	w->wrapped.rdtsc = WRAP(rdtsc);
	w->wrapped.microsleep = WRAP(microsleep);
	w->wrapped.lbr = WRAP(lbr);
}
