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
	W(c)->cost += SCRIPT_MEM_STEPS + len / 8;
	return W(c)->ops->mem_read(W(c)->ctx, addr, buf, len, phys);
}

static bool c_mem_write(void *c, u64 addr, const void *buf, u32 len,
			bool phys)
{
	W(c)->cost += SCRIPT_MEM_STEPS + len / 8;
	return W(c)->ops->mem_write(W(c)->ctx, addr, buf, len, phys);
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
	W(c)->cost += SCRIPT_MEM_STEPS;
	return W(c)->ops->interlocked(W(c)->ctx, op, addr, a, b, old);
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

#define WRAP(f) (ops->f ? c_##f : NULL)

void script_charge_init(struct script_charge *w, const struct script_ops *ops,
			void *ctx)
{
	w->ops = ops;
	w->ctx = ctx;
	w->cost = 0;
	w->wrapped.reg_get = WRAP(reg_get);
	w->wrapped.reg_set = WRAP(reg_set);
	w->wrapped.pseudo_get = WRAP(pseudo_get);
	w->wrapped.mem_read = WRAP(mem_read);
	w->wrapped.mem_write = WRAP(mem_write);
	w->wrapped.va_to_pa = WRAP(va_to_pa);
	w->wrapped.pa_to_va = WRAP(pa_to_va);
	w->wrapped.interlocked = WRAP(interlocked);
	w->wrapped.local_vars = WRAP(local_vars);
	w->wrapped.global_vars = WRAP(global_vars);
	w->wrapped.output = WRAP(output);
	w->wrapped.test_statement = WRAP(test_statement);
	w->wrapped.event_ctl = WRAP(event_ctl);
	w->wrapped.rdtsc = WRAP(rdtsc);
	w->wrapped.microsleep = WRAP(microsleep);
}
