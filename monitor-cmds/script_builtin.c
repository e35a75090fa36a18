// SPDX-License-Identifier: GPL-2.0
/*
 * script_builtin.c - built-in functions of the script language.  Each one
 * reaches the machine only through struct script_ops; failures of guest
 * memory print a message and yield 0, loops are bounded.
 */
#include "script_int.h"
#include "script_vm.h"
#include "kmod/lib/insn_len.h"

#define SPIN_TRIES	100000	/* spinlock_lock attempts */
#define MAX_USLEEP	1000000	/* microsleep cap: one second */
#define CHUNK		64

static void out(const struct script_ops *ops, void *ctx, const char *s,
		u32 n)
{
	if (ops->output && n)
		ops->output(ctx, s, n);
}

static u64 event(const struct script_ops *ops, void *ctx, u32 op, u64 a,
		 u64 b, u64 c)
{
	return ops->event_ctl ? ops->event_ctl(ctx, op, a, b, c) : 0;
}

static bool ilk(const struct script_ops *ops, void *ctx, u32 op, u64 addr,
		u64 a, u64 b, u64 *old)
{
	*old = 0;
	return ops->interlocked && ops->interlocked(ctx, op, addr, a, b, old);
}

static u64 cmp_strings(struct script_vm *vm, const struct script_prog *p,
		       const struct script_ops *ops, void *ctx,
		       const u64 *args, u32 strs, bool wide, u64 limit)
{
	u32 i;

	if (limit > SCRIPT_MAX_STRLEN)
		limit = SCRIPT_MAX_STRLEN;
	for (i = 0; i < limit; i++) {
		int x = script_str_char(p, ops, ctx, args[0], strs & 1, wide,
					i);
		int y = script_str_char(p, ops, ctx, args[1], strs & 2, wide,
					i);

		if (x < 0 || y < 0) {
			script_vm_error(vm, ops, ctx, "cannot read string at ",
					x < 0 ? args[0] : args[1], true);
			return 0;
		}
		if (x != y)
			return x < y ? (u64)-1 : 1;
		if (!x)
			break;
	}
	return 0;
}

static u64 str_len(struct script_vm *vm, const struct script_prog *p,
		   const struct script_ops *ops, void *ctx, u64 base,
		   bool lit, bool wide)
{
	u32 i;

	for (i = 0; i < SCRIPT_MAX_STRLEN; i++) {
		int ch = script_str_char(p, ops, ctx, base, lit, wide, i);

		if (ch < 0) {
			script_vm_error(vm, ops, ctx, "cannot read string at ",
					base, true);
			return 0;
		}
		if (!ch)
			break;
	}
	return i;
}

/* memcpy (cmp == false) or memcmp over guest memory, CHUNK at a time. */
static u64 mem_op(struct script_vm *vm, const struct script_prog *p,
		  const struct script_ops *ops, void *ctx, const u64 *args,
		  u32 strs, bool cmp, bool phys)
{
	u8 x[CHUNK], y[CHUNK];
	u64 n = args[2], done = 0;

	if (n > SCRIPT_MAX_MEMCPY) {
		script_vm_error(vm, ops, ctx,
				"memcpy/memcmp length above 4096: ", n, true);
		return 0;
	}
	while (done < n) {
		u32 k = n - done > CHUNK ? CHUNK : (u32)(n - done), i;
		int which;

		for (which = cmp ? 0 : 1; which < 2; which++) {
			u8 *buf = which ? y : x;
			u64 base = args[which];

			if ((strs >> which) & 1) {
				for (i = 0; i < k; i++)
					buf[i] = (u8)script_str_char(p, ops,
						ctx, base, true, false,
						(u32)(done + i));
			} else if (!ops->mem_read ||
				   !ops->mem_read(ctx, base + done, buf, k,
						  phys)) {
				script_vm_error(vm, ops, ctx,
						"cannot read memory at ",
						base + done, true);
				return 0;
			}
		}
		if (cmp) {
			int d = memcmp(x, y, k);

			if (d)
				return d < 0 ? (u64)-1 : 1;
		} else if (!ops->mem_write ||
			   !ops->mem_write(ctx, args[0] + done, y, k, phys)) {
			script_vm_error(vm, ops, ctx, "cannot write memory at ",
					args[0] + done, true);
			return 0;
		}
		done += k;
	}
	return 0;
}

static u64 write_mem(struct script_vm *vm, const struct script_ops *ops,
		     void *ctx, u64 addr, u64 val, u32 size, bool phys)
{
	if (ops->mem_write && ops->mem_write(ctx, addr, &val, size, phys))
		return 1;
	script_vm_error(vm, ops, ctx, "cannot write memory at ", addr, true);
	return 0;
}

static u64 insn_length(const struct script_ops *ops, void *ctx, u64 addr,
		       int mode)
{
	u8 code[15];
	u32 avail = 0;
	int len;

	/* Near the end of a mapping only some bytes may be readable. */
	if (ops->mem_read && ops->mem_read(ctx, addr, code, 15, false)) {
		avail = 15;
	} else {
		while (avail < 15 && ops->mem_read &&
		       ops->mem_read(ctx, addr + avail, &code[avail], 1, false))
			avail++;
	}
	if (!avail)
		return 0;
	len = insn_len(code, avail, mode);
	return len > 0 ? (u64)len : 0;
}

static void spin_lock(struct script_vm *vm, const struct script_ops *ops,
		      void *ctx, u64 addr, u64 tries)
{
	u64 old, i;

	for (i = 0; i < tries; i++) {
		if (!ilk(ops, ctx, SCRIPT_ILK_CMPXCHG, addr, 1, 0, &old)) {
			script_vm_error(vm, ops, ctx, "cannot lock at ", addr,
					true);
			return;
		}
		if (!old)
			return;
	}
	script_vm_error(vm, ops, ctx, "spinlock still held, gave up at ",
			addr, true);
}

static void print_formats(const struct script_ops *ops, void *ctx, u64 v)
{
	char b[200];
	u32 i;

	b[0] = 0;
	script_cat(b, sizeof(b), "Hex:        ");
	script_cat_u64(b, sizeof(b), v, 16);
	script_cat(b, sizeof(b), "\nDecimal:    ");
	if ((s64)v < 0) {
		script_cat(b, sizeof(b), "-");
		script_cat_u64(b, sizeof(b), 0 - v, 10);
	} else {
		script_cat_u64(b, sizeof(b), v, 10);
	}
	script_cat(b, sizeof(b), "\nOctal:      ");
	script_cat_u64(b, sizeof(b), v, 8);
	script_cat(b, sizeof(b), "\nBinary:     ");
	script_cat_u64(b, sizeof(b), v, 2);
	script_cat(b, sizeof(b), "\nChar:       ");
	for (i = 0; i < 8; i++) {
		char ch[2] = { (char)(v >> (56 - 8 * i)), 0 };

		if (ch[0] < 0x20 || ch[0] > 0x7e)
			ch[0] = '.';
		script_cat(b, sizeof(b), ch);
	}
	script_cat(b, sizeof(b), "\n");
	out(ops, ctx, b, (u32)strlen(b));
}

int script_builtin(struct script_vm *vm, const struct script_prog *p,
		   const struct script_ops *ops, void *ctx, u32 id,
		   const u64 *args, u32 argc, u32 strs, u64 *res)
{
	char buf[256];
	u64 r = 0, old;
	u32 n;

	switch (id) {
	case SB_PRINT:
		if (argc != 1)
			break;
		buf[0] = 0;
		if (strs & 1) {
			n = script_format(p, "%s", args, 1, 1, ops, ctx, buf,
					  sizeof(buf) - 1);
			buf[n++] = '\n';
			buf[n] = 0;
		} else {
			script_cat_u64(buf, sizeof(buf), args[0], 16);
			script_cat(buf, sizeof(buf), "\n");
		}
		out(ops, ctx, buf, (u32)strlen(buf));
		break;
	case SB_PRINTF:
		if (!argc || !(strs & 1))
			return SCRIPT_E_PROG;
		if (args[0] >= p->str_len)
			return SCRIPT_E_PROG;
		n = script_format(p, p->strs + args[0], args + 1, argc - 1,
				  strs >> 1, ops, ctx, buf, sizeof(buf));
		out(ops, ctx, buf, n);
		break;
	case SB_FORMATS:
		print_formats(ops, ctx, args[0]);
		break;
	case SB_TEST_STATEMENT:
		if (ops->test_statement) {
			ops->test_statement(ctx, args[0]);
		} else {
			buf[0] = 0;
			script_cat(buf, sizeof(buf), "test_statement: ");
			script_cat_u64(buf, sizeof(buf), args[0], 16);
			script_cat(buf, sizeof(buf), "\n");
			out(ops, ctx, buf, (u32)strlen(buf));
		}
		break;
	case SB_MEMCPY:
	case SB_MEMCPY_PA:
		mem_op(vm, p, ops, ctx, args, strs, false, id == SB_MEMCPY_PA);
		break;
	case SB_MEMCMP:
		r = mem_op(vm, p, ops, ctx, args, strs, true, false);
		break;
	case SB_STRLEN:
	case SB_WCSLEN:
		r = str_len(vm, p, ops, ctx, args[0], strs & 1,
			    id == SB_WCSLEN);
		break;
	case SB_STRCMP:
	case SB_WCSCMP:
		r = cmp_strings(vm, p, ops, ctx, args, strs, id == SB_WCSCMP,
				~0ULL);
		break;
	case SB_STRNCMP:
	case SB_WCSNCMP:
		r = cmp_strings(vm, p, ops, ctx, args, strs, id == SB_WCSNCMP,
				args[2]);
		break;
	case SB_EB:
	case SB_ED:
	case SB_EQ:
	case SB_EB_PA:
	case SB_ED_PA:
	case SB_EQ_PA:
		r = write_mem(vm, ops, ctx, args[0], args[1],
			      id == SB_EB || id == SB_EB_PA ? 1 :
			      id == SB_ED || id == SB_ED_PA ? 4 : 8,
			      id >= SB_EB_PA);
		break;
	case SB_CHECK_ADDRESS: {
		u8 b;

		r = ops->mem_read && ops->mem_read(ctx, args[0], &b, 1, false);
		break;
	}
	case SB_VIRTUAL_TO_PHYSICAL:
		r = ops->va_to_pa ? ops->va_to_pa(ctx, args[0]) : 0;
		break;
	case SB_PHYSICAL_TO_VIRTUAL:
		r = ops->pa_to_va ? ops->pa_to_va(ctx, args[0]) : 0;
		break;
	/* Windows Interlocked* semantics: increment/decrement return the new
	 * value, exchange/exchange_add/compare_exchange the old one. */
	case SB_INTERLOCKED_INCREMENT:
	case SB_INTERLOCKED_DECREMENT: {
		u64 d = id == SB_INTERLOCKED_INCREMENT ? 1 : (u64)-1;

		if (!ilk(ops, ctx, SCRIPT_ILK_ADD, args[0], d, 0, &old))
			script_vm_error(vm, ops, ctx, "cannot access memory at ",
					args[0], true);
		else
			r = old + d;
		break;
	}
	case SB_INTERLOCKED_EXCHANGE:
	case SB_INTERLOCKED_EXCHANGE_ADD:
	case SB_INTERLOCKED_COMPARE_EXCHANGE:
		if (!ilk(ops, ctx,
			 id == SB_INTERLOCKED_EXCHANGE ? SCRIPT_ILK_EXCHANGE :
			 id == SB_INTERLOCKED_EXCHANGE_ADD ? SCRIPT_ILK_ADD :
			 SCRIPT_ILK_CMPXCHG, args[0], args[1],
			 argc > 2 ? args[2] : 0, &old))
			script_vm_error(vm, ops, ctx, "cannot access memory at ",
					args[0], true);
		else
			r = old;
		break;
	/* each attempt costs a step: the lock gives up within the budget */
	case SB_SPINLOCK_LOCK:
	case SB_SPINLOCK_LOCK_CUSTOM_WAIT:
		old = id == SB_SPINLOCK_LOCK || !args[1] ||
		      args[1] > SPIN_TRIES ? SPIN_TRIES : args[1];
		if (old > vm->left / SCRIPT_MEM_STEPS + 1)
			old = vm->left / SCRIPT_MEM_STEPS + 1;
		spin_lock(vm, ops, ctx, args[0], old);
		break;
	case SB_SPINLOCK_UNLOCK:
		if (!ilk(ops, ctx, SCRIPT_ILK_EXCHANGE, args[0], 0, 0, &old))
			script_vm_error(vm, ops, ctx, "cannot unlock at ",
					args[0], true);
		break;
	case SB_EVENT_ENABLE:
		event(ops, ctx, SCRIPT_EVT_ENABLE, args[0], 0, 0);
		break;
	case SB_EVENT_DISABLE:
		event(ops, ctx, SCRIPT_EVT_DISABLE, args[0], 0, 0);
		break;
	case SB_EVENT_CLEAR:
		event(ops, ctx, SCRIPT_EVT_CLEAR, args[0], 0, 0);
		break;
	case SB_EVENT_SC:
		event(ops, ctx, SCRIPT_EVT_SC, args[0], 0, 0);
		break;
	/* Without the type (argc one short): a hardware exception. */
	case SB_EVENT_INJECT:
		if (argc == 1)
			event(ops, ctx, SCRIPT_EVT_INJECT,
			      SCRIPT_INJECT_HW_EXCEPTION, args[0], 0);
		else
			event(ops, ctx, SCRIPT_EVT_INJECT, args[0], args[1], 0);
		break;
	case SB_EVENT_INJECT_ERROR_CODE:
		if (argc == 2)
			event(ops, ctx, SCRIPT_EVT_INJECT_EC,
			      SCRIPT_INJECT_HW_EXCEPTION, args[0], args[1]);
		else
			event(ops, ctx, SCRIPT_EVT_INJECT_EC, args[0], args[1],
			      args[2]);
		break;
	case SB_PAUSE:
		event(ops, ctx, SCRIPT_EVT_PAUSE, 0, 0, 0);
		break;
	case SB_FLUSH:
		event(ops, ctx, SCRIPT_EVT_FLUSH, 0, 0, 0);
		break;
	case SB_RDTSC:
	case SB_RDTSCP:
		r = ops->rdtsc ? ops->rdtsc(ctx, id == SB_RDTSCP) : 0;
		break;
	case SB_MICROSLEEP:
		/* the sleep, too, fits in the step budget */
		old = args[0] < MAX_USLEEP ? args[0] : MAX_USLEEP;
		if (old > vm->left / SCRIPT_STEPS_PER_USEC)
			old = vm->left / SCRIPT_STEPS_PER_USEC;
		if (ops->microsleep)
			ops->microsleep(ctx, old);
		break;
	case SB_DISASSEMBLE_LEN:
	case SB_DISASSEMBLE_LEN64:
		r = insn_length(ops, ctx, args[0], 64);
		break;
	case SB_DISASSEMBLE_LEN32:
		r = insn_length(ops, ctx, args[0], 32);
		break;
	/* HyperDbg's LBR functions work after `!lbr enable`, and return 0
	 * (doing nothing) while LBR was not enabled that way.  The module
	 * runs them (ops->lbr); without it (hvgdb-script) there is no CPU:
	 * lbr_check() is 0 and the others say why they do nothing. */
	case SB_LBR_CHECK:
	case SB_LBR_SAVE:
	case SB_LBR_PRINT:
	case SB_LBR_RESTORE:
	case SB_LBR_RESTORE_BY_FILTER:
		if (ops->lbr)
			r = ops->lbr(ctx, id - SB_LBR_CHECK,
				     argc ? args[0] : 0);
		else if (id != SB_LBR_CHECK)
			script_vm_error(vm, ops, ctx,
					"LBR functions need the module and '!lbr enable': returned ",
					0, true);
		break;
	/* HyperDbg's engine: step and step_in are a regular step
	 * (TracingPerformRegularStepInInstruction), the instrumentation
	 * ones a step by MTF (TracingPerformInstrumentationStepIn). */
	case SB_EVENT_TRACE_STEP:
	case SB_EVENT_TRACE_STEP_IN:
		event(ops, ctx, SCRIPT_EVT_TRACE, 0, 0, 0);
		break;
	case SB_EVENT_TRACE_INSTR_STEP:
	case SB_EVENT_TRACE_INSTR_STEP_IN:
		event(ops, ctx, SCRIPT_EVT_TRACE, 1, 0, 0);
		break;
	default:
		return SCRIPT_E_PROG;
	}
	*res = r;
	return 0;
}
