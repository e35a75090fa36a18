// SPDX-License-Identifier: GPL-2.0
/*
 * script_compile.c - one-pass recursive-descent compiler from dslang to
 * the stack code of script_int.h.
 *
 * Recursion is bounded by SCRIPT_MAX_NEST (c->depth) so the kernel stack
 * stays small.  Precedence, high to low, follows HyperDbg's summary:
 * unary - + ~ *;  * / %;  + -;  << >>;  &;  ^;  |;  then, in conditions
 * only, comparisons (signed), &&, ||.  Unlike C, comparisons bind looser
 * than & ^ |, so "@rax & 0xff == 5" tests the masked value.
 */
#include "script_lex.h"
#include "script_int.h"

#define EX_COND 1	/* comparisons and && || allowed */

#define K_BITWISE 1	/* an & ^ | at the top of this operand */
#define K_CMP 2		/* a comparison */

static const char *const type_names[] = {
	"void", "int", "uint", "long", "ulong", "char", "uchar", "short",
	"ushort", "bool", "int8", "int16", "int32", "int64", "uint8",
	"uint16", "uint32", "uint64", "unsigned", "signed", "float",
	"double",
};

static const char *const keywords[] = {
	"if", "elsif", "else", "while", "do", "for", "break", "continue",
	"return",
};

static bool is_type(const char *s)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(type_names); i++)
		if (script_streq(type_names[i], s))
			return true;
	return false;
}

/* After a first type word: more words ("unsigned long") and '*'s.  All
 * values are 64-bit; types are accepted for HyperDbg compatibility. */
static void skip_type_tail(struct script_compiler *c)
{
	while ((c->tok == ST_IDENT && is_type(c->tok_text)) || c->tok == '*')
		script_next(c);
}

static bool is_keyword(const char *s)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (script_streq(keywords[i], s))
			return true;
	return is_type(s);
}

static u32 emit(struct script_compiler *c, u8 op, u8 a, u16 b, u32 cc)
{
	struct script_prog *p = c->prog;
	struct script_insn *in;

	if (c->failed)
		return 0;
	if (p->n_insns >= SCRIPT_MAX_INSNS) {
		script_fail(c, "expected a shorter script (code pool full)");
		return 0;
	}
	in = &p->code[p->n_insns];
	in->op = op;
	in->a = a;
	in->b = b;
	in->c = cc;
	return p->n_insns++;
}

static u32 here(struct script_compiler *c)
{
	return c->prog->n_insns;
}

static void patch(struct script_compiler *c, u32 at, u32 target)
{
	if (!c->failed)
		c->prog->code[at].c = target;
}

static void emit_const(struct script_compiler *c, u64 v)
{
	struct script_prog *p = c->prog;
	u32 i;

	if (v <= 0xffffffffULL) {
		emit(c, SOP_PUSHI, 0, 0, (u32)v);
		return;
	}
	for (i = 0; i < p->n_consts; i++)
		if (p->consts[i] == v)
			break;
	if (i == p->n_consts) {
		if (p->n_consts >= SCRIPT_MAX_CONSTS) {
			script_fail(c, "expected fewer 64-bit constants (pool full)");
			return;
		}
		p->consts[p->n_consts++] = v;
	}
	emit(c, SOP_PUSHK, 0, 0, i);
}

static bool accept(struct script_compiler *c, int tok)
{
	if (c->tok != tok)
		return false;
	script_next(c);
	return true;
}

static bool expect(struct script_compiler *c, int tok, const char *what)
{
	if (accept(c, tok))
		return true;
	if (!c->failed)
		script_fail(c, what);
	return false;
}

static bool enter(struct script_compiler *c)
{
	if (c->failed)
		return false;
	if (c->depth >= SCRIPT_MAX_NEST) {
		script_fail(c, "expected less nesting (limit 48 levels)");
		return false;
	}
	c->depth++;
	return true;
}

/* ---- variables ---- */

enum target_kind { TG_LOCAL, TG_GLOBAL, TG_FRAME, TG_REG, TG_MEM };

struct target {
	u8 kind;
	u8 a;
	u16 b;
	u32 idx;
};

static int find_name(char (*names)[SCRIPT_NAME_MAX], u32 n, const char *s)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (script_streq(names[i], s))
			return i;
	return -1;
}

/* Name i of a pool table (offsets into a NUL-terminated pool). */
static const char *pool_name(const char *pool, u32 pool_len, const u16 *off,
			     u32 n, u32 i)
{
	if (i >= n || off[i] >= pool_len || off[i] >= SCRIPT_NAME_POOL)
		return "";
	return pool + off[i];
}

const char *script_local_name(const struct script_prog *p, u32 i)
{
	return pool_name(p->names, p->names_len, p->local_name,
			 p->n_locals < SCRIPT_MAX_LOCALS ? p->n_locals :
			 SCRIPT_MAX_LOCALS, i);
}

const char *script_global_name(const struct script_globals *g, u32 i)
{
	return pool_name(g->names, g->names_len, g->name,
			 g->count < SCRIPT_MAX_GLOBALS ? g->count :
			 SCRIPT_MAX_GLOBALS, i);
}

static int pool_find(const char *pool, const u16 *off, u32 n, const char *s)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (script_streq(pool + off[i], s))
			return i;
	return -1;
}

/* Appends name to a pool; false (and an error) when the pool is full. */
static bool pool_add(struct script_compiler *c, char *pool, u32 *len,
		     u16 *off, const char *name)
{
	size_t n = strlen(name) + 1;

	if (*len + n > SCRIPT_NAME_POOL) {
		script_fail_at(c, c->name_line, c->name_col,
			       "expected shorter variable names (2048 bytes of names in all)",
			       NULL);
		return false;
	}
	memcpy(pool + *len, name, n);
	*off = (u16)*len;
	*len += (u32)n;
	return true;
}

static int local_slot(struct script_compiler *c, const char *name)
{
	struct script_prog *p = c->prog;
	int i = pool_find(p->names, p->local_name, p->n_locals, name);

	if (i >= 0)
		return i;
	if (p->n_locals >= SCRIPT_MAX_LOCALS) {
		script_fail(c, "expected at most 64 variables");
		return -1;
	}
	if (!pool_add(c, p->names, &p->names_len, &p->local_name[p->n_locals],
		      name))
		return -1;
	return p->n_locals++;
}

static int global_slot(struct script_compiler *c, const char *name)
{
	struct script_globals *g = c->globals;
	int i = pool_find(g->names, g->name, g->count, name);

	if (i >= 0)
		return i;
	if (g->count >= SCRIPT_MAX_GLOBALS) {
		script_fail(c, "expected at most 64 global variables");
		return -1;
	}
	if (!pool_add(c, g->names, &g->names_len, &g->name[g->count], name))
		return -1;
	return g->count++;
}

/* A plain name: a frame slot inside a function, else a per-CPU local. */
static bool name_target(struct script_compiler *c, const char *name,
			struct target *t)
{
	int i = -1;

	if (c->cur_func >= 0)
		i = find_name(c->frame_names, c->n_frame, name);
	if (i >= 0) {
		t->kind = TG_FRAME;
		t->idx = i;
		return true;
	}
	i = local_slot(c, name);
	t->kind = TG_LOCAL;
	t->idx = i < 0 ? 0 : i;
	return i >= 0;
}

static bool reg_target(struct script_compiler *c, const char *name,
		       struct target *t)
{
	int r = script_find_reg(name);

	if (r < 0) {
		script_fail_at(c, c->tok_line, c->tok_col,
			       "expected a register name, got @", name);
		return false;
	}
	t->kind = TG_REG;
	t->a = script_regs[r].reg;
	t->b = (u16)(script_regs[r].shift << 8 | script_regs[r].width);
	return true;
}

static void emit_load(struct script_compiler *c, const struct target *t)
{
	switch (t->kind) {
	case TG_LOCAL: emit(c, SOP_LDL, 0, 0, t->idx); break;
	case TG_GLOBAL: emit(c, SOP_LDG, 0, 0, t->idx); break;
	case TG_FRAME: emit(c, SOP_LDF, 0, 0, t->idx); break;
	case TG_REG: emit(c, SOP_LDR, t->a, t->b, 0); break;
	case TG_MEM:
		emit(c, SOP_DUP, 0, 0, 0);
		emit(c, SOP_LOAD, 8, 0, 0);
		break;
	}
}

static void emit_store(struct script_compiler *c, const struct target *t)
{
	switch (t->kind) {
	case TG_LOCAL: emit(c, SOP_STL, 0, 0, t->idx); break;
	case TG_GLOBAL: emit(c, SOP_STG, 0, 0, t->idx); break;
	case TG_FRAME: emit(c, SOP_STF, 0, 0, t->idx); break;
	case TG_REG: emit(c, SOP_STR, t->a, t->b, 0); break;
	case TG_MEM: emit(c, SOP_STORE, 8, 0, 0); break;
	}
}

/* ---- expressions ---- */

static u8 parse_binary(struct script_compiler *c, int flags, int min_prec);

static u8 parse_expr(struct script_compiler *c, int flags)
{
	return parse_binary(c, flags, 1);
}

/* Memory keywords: size in bytes, physical flag; hi/low are 16-bit
 * halves of the dword at the address (WinDbg MASM semantics). */
struct mem_kw {
	const char *name;
	u8 size;
	u8 phys;
	u8 half;	/* 0 = none, 1 = hi, 2 = low */
};

static const struct mem_kw mem_kws[] = {
	{ "poi", 8, 0, 0 }, { "dq", 8, 0, 0 }, { "dd", 4, 0, 0 },
	{ "dw", 2, 0, 0 }, { "db", 1, 0, 0 }, { "hi", 4, 0, 1 },
	{ "low", 4, 0, 2 },
	{ "poi_pa", 8, 1, 0 }, { "dq_pa", 8, 1, 0 }, { "dd_pa", 4, 1, 0 },
	{ "dw_pa", 2, 1, 0 }, { "db_pa", 1, 1, 0 }, { "hi_pa", 4, 1, 1 },
	{ "low_pa", 4, 1, 2 },
};

static const struct mem_kw *find_mem_kw(const char *s)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(mem_kws); i++)
		if (script_streq(mem_kws[i].name, s))
			return &mem_kws[i];
	return NULL;
}

/* printf format check: returns the number of value conversions or -1. */
static int count_conversions(struct script_compiler *c, const char *f)
{
	int n = 0;

	while (*f) {
		if (*f++ != '%')
			continue;
		if (*f == '%') {
			f++;
			continue;
		}
		while (*f == '-' || *f == '+' || *f == ' ' || *f == '#' ||
		       *f == '0')
			f++;
		while (*f >= '0' && *f <= '9')
			f++;
		if (*f == '.') {
			f++;
			while (*f >= '0' && *f <= '9')
				f++;
		}
		while (*f == 'h' || *f == 'l' || *f == 'w' || *f == 'I' ||
		       *f == '6' || *f == '4' || *f == '3' || *f == '2')
			f++;
		if (!*f || !(*f == 'd' || *f == 'i' || *f == 'u' ||
			     *f == 'o' || *f == 'x' || *f == 'X' ||
			     *f == 'c' || *f == 'p' || *f == 's')) {
			script_fail(c, "expected a printf conversion (%d %i %u %o %x %X %c %p %s %ws %ls %%) in the format");
			return -1;
		}
		f++;
		n++;
	}
	return n;
}

static int find_func(struct script_compiler *c, const char *name)
{
	u32 i;

	for (i = 0; i < c->n_funcs; i++)
		if (script_streq(c->funcs[i].name, name))
			return i;
	return -1;
}

static int declare_func(struct script_compiler *c, const char *name)
{
	int i = find_func(c, name);

	if (i >= 0)
		return i;
	if (c->n_funcs >= SCRIPT_MAX_FUNCS) {
		script_fail(c, "expected at most 16 functions");
		return -1;
	}
	memset(&c->funcs[c->n_funcs], 0, sizeof(c->funcs[0]));
	script_strlcpy(c->funcs[c->n_funcs].name, name, SCRIPT_NAME_MAX);
	c->funcs[c->n_funcs].has_value = true;
	return c->n_funcs++;
}

/*
 * Call of the function named c->name; the '(' has been consumed.  The name
 * is resolved before the arguments are parsed (they reuse c->name), so no
 * name buffer sits on the stack during the recursion.  Leaves one value
 * on the stack (0 for functions without one).
 */
static void parse_call(struct script_compiler *c, u32 line, u32 col,
		       bool need_value)
{
	const struct mem_kw *kw = find_mem_kw(c->name);
	int b = script_find_builtin(c->name);
	int unop = script_streq(c->name, "neg") ? SOP_NEG :
		   script_streq(c->name, "not") ? SOP_NOT : 0;
	u32 argc = 0, strmask = 0;
	int want = -1;

	if (kw || unop) {
		if (!enter(c))
			return;
		parse_expr(c, 0);
		c->depth--;
		if (!expect(c, ')', "expected ')' after the single argument"))
			return;
		if (!kw)
			emit(c, (u8)unop, 0, 0, 0);
		else if (kw->half == 1) {
			emit(c, SOP_LOAD, 4, kw->phys, 0);
			emit(c, SOP_PUSHI, 0, 0, 16);
			emit(c, SOP_SHR, 0, 0, 0);
		} else if (kw->half == 2) {
			emit(c, SOP_LOAD, 2, kw->phys, 0);
		} else {
			emit(c, SOP_LOAD, kw->size, kw->phys, 0);
		}
		return;
	}
	if (b >= 0) {
		const struct script_builtin_desc *d = &script_builtins[b];
		bool short_ok;

		if (need_value && !d->value) {
			script_fail_at(c, line, col,
				"expected a function that returns a value, not ",
				d->name);
			return;
		}
		if (b == SB_PRINTF) {
			if (c->tok != ST_STR) {
				script_fail(c, "expected a format string as printf's first argument");
				return;
			}
			want = count_conversions(c, c->prog->strs + c->str_off);
			if (want < 0)
				return;
			if (want > 15) {
				script_fail(c, "expected at most 15 conversions");
				return;
			}
		}
		if (c->tok != ')') {
			for (;;) {
				if (argc >= 16) {
					script_fail(c, "expected at most 16 arguments");
					return;
				}
				if (c->tok == ST_STR &&
				    (b == SB_PRINTF ? true :
				     argc < 8 && (d->str_ok >> argc) & 1)) {
					emit(c, SOP_PUSHS, 0, 0, c->str_off);
					strmask |= 1u << argc;
					script_next(c);
				} else {
					if (!enter(c))
						return;
					parse_expr(c, 0);
					c->depth--;
				}
				argc++;
				if (c->failed || !accept(c, ','))
					break;
			}
		}
		if (!expect(c, ')', "expected ',' or ')' in the argument list"))
			return;
		/* opt_first: hvgdb's short form, not HyperDbg's grammar */
		short_ok = d->opt_first && !(c->flags & SCRIPT_F_HDBG_STRICT);
		if (b == SB_PRINTF ? (int)argc != want + 1 :
		    (int)argc != d->nargs &&
		    !(short_ok && (int)argc == d->nargs - 1)) {
			char n[12] = { 0 };

			if (short_ok) {
				script_cat_u64(n, sizeof(n), d->nargs - 1, 10);
				script_cat(n, sizeof(n), " or ");
			}
			script_cat_u64(n, sizeof(n),
				       b == SB_PRINTF ? want + 1 : d->nargs,
				       10);
			script_fail_at(c, line, col, "expected this number of arguments: ",
				       n);
			return;
		}
		emit(c, SOP_BUILTIN, (u8)b, (u16)argc, strmask);
		return;
	}
	if (is_keyword(c->name)) {
		script_fail_at(c, line, col, "expected a function name, got ",
			       c->name);
		return;
	}
	/* user-defined function */
	{
		int f = declare_func(c, c->name);

		if (f < 0)
			return;
		if (c->tok != ')') {
			for (;;) {
				if (argc >= SCRIPT_MAX_PARAMS) {
					script_fail(c, "expected at most 16 arguments");
					return;
				}
				if (!enter(c))
					return;
				parse_expr(c, 0);
				c->depth--;
				argc++;
				if (c->failed || !accept(c, ','))
					break;
			}
		}
		if (!expect(c, ')', "expected ',' or ')' in the argument list"))
			return;
		if (c->n_call_fix >= ARRAY_SIZE(c->call_fix)) {
			script_fail(c, "expected at most 64 function calls");
			return;
		}
		c->call_fix[c->n_call_fix] = emit(c, SOP_CALL, (u8)argc, 0, 0);
		c->call_fix_func[c->n_call_fix] = (u8)f;
		c->call_fix_line[c->n_call_fix] = line;
		c->call_fix_col[c->n_call_fix] = col;
		c->call_fix_argc[c->n_call_fix] = (u8)argc;
		c->call_fix_value[c->n_call_fix] = need_value;
		c->n_call_fix++;
	}
}

/* &name, &.name: the address of a variable's slot (script_vm.h) */
static void parse_address(struct script_compiler *c)
{
	struct target t;

	script_next(c);	/* & */
	if (c->tok == ST_GLOBAL) {
		int i = global_slot(c, c->tok_text);

		emit(c, SOP_ADDR, 1, 0, i < 0 ? 0 : i);
		script_next(c);
		return;
	}
	if (c->tok != ST_IDENT || is_keyword(c->tok_text)) {
		script_fail(c, "expected a variable after '&' (registers, pseudo-registers and values have no address)");
		return;
	}
	script_strlcpy(c->name, c->tok_text, sizeof(c->name));
	script_next(c);
	if (c->tok == '(') {
		script_fail_at(c, c->name_line, c->name_col,
			       "expected a variable after '&', got a call of ",
			       c->name);
		return;
	}
	if (!name_target(c, c->name, &t))
		return;
	emit(c, SOP_ADDR, t.kind == TG_FRAME ? 2 : 0, 0, t.idx);
}

static u8 parse_primary(struct script_compiler *c, int flags)
{
	struct target t;
	u32 line = c->tok_line, col = c->tok_col;
	int i;

	switch (c->tok) {
	case ST_NUM:
		emit_const(c, c->tok_val);
		script_next(c);
		return 0;
	case ST_REG:
		if (reg_target(c, c->tok_text, &t))
			emit_load(c, &t);
		script_next(c);
		return 0;
	case ST_PSEUDO:
		i = script_find_pseudo(c->tok_text);
		if (i < 0) {
			script_fail_at(c, line, col,
				       "expected a pseudo-register, got $",
				       c->tok_text);
			return 0;
		}
		emit(c, SOP_LDP, 0, 0, i);
		script_next(c);
		return 0;
	case ST_GLOBAL:
		i = global_slot(c, c->tok_text);
		emit(c, SOP_LDG, 0, 0, i < 0 ? 0 : i);
		script_next(c);
		return 0;
	case ST_IDENT:
		script_strlcpy(c->name, c->tok_text, sizeof(c->name));
		if (is_keyword(c->name)) {
			script_fail_at(c, line, col, "expected an expression, got ",
				       c->name);
			return 0;
		}
		script_next(c);
		if (accept(c, '(')) {
			parse_call(c, line, col, true);
			return 0;
		}
		if (name_target(c, c->name, &t))
			emit_load(c, &t);
		return 0;
	case '(': {
		u8 k;

		if (!enter(c))
			return 0;
		script_next(c);
		k = parse_expr(c, flags);
		c->depth--;
		expect(c, ')', "expected ')'");
		/* a parenthesized condition is still a condition */
		return (flags & EX_COND) ? (k & K_CMP) : 0;
	}
	case ST_STR:
		script_fail(c, "expected an expression (a string is only an argument of print, printf and the string functions)");
		return 0;
	case ST_INC:
	case ST_DEC:
		script_fail(c, "expected an expression (++ and -- are statements)");
		return 0;
	case '&':
		parse_address(c);
		return 0;
	default:
		if (!c->failed)
			script_fail(c, "expected an expression");
		return 0;
	}
}

static u8 parse_unary(struct script_compiler *c, int flags)
{
	int tok = c->tok;

	if (!(tok == '-' || tok == '+' || tok == '~' || tok == '*'))
		return parse_primary(c, flags);
	if (!enter(c))
		return 0;
	script_next(c);
	parse_unary(c, flags);
	if (tok == '-')
		emit(c, SOP_NEG, 0, 0, 0);
	else if (tok == '~')
		emit(c, SOP_NOT, 0, 0, 0);
	else if (tok == '*')
		emit(c, SOP_LOAD, 8, 0, 0);
	c->depth--;
	return 0;
}

static int binop(int tok, u8 *op)
{
	switch (tok) {
	case ST_OROR: *op = 0; return 1;
	case ST_ANDAND: *op = 0; return 2;
	case ST_EQ: *op = SOP_EQ; return 3;
	case ST_NE: *op = SOP_NE; return 3;
	case '<': *op = SOP_LT; return 3;
	case '>': *op = SOP_GT; return 3;
	case ST_LE: *op = SOP_LE; return 3;
	case ST_GE: *op = SOP_GE; return 3;
	case '|': *op = SOP_OR; return 4;
	case '^': *op = SOP_XOR; return 5;
	case '&': *op = SOP_AND; return 6;
	case ST_SHL: *op = SOP_SHL; return 7;
	case ST_SHR: *op = SOP_SHR; return 7;
	case '+': *op = SOP_ADD; return 8;
	case '-': *op = SOP_SUB; return 8;
	case '*': *op = SOP_MUL; return 9;
	case '/': *op = SOP_DIV; return 9;
	case '%': *op = SOP_MOD; return 9;
	}
	return 0;
}

/*
 * HyperDbg's boolean grammar (cf27bae) has no bare expression: each
 * operand of && and || and a whole condition must be a comparison.  We
 * accept "if (@rax)" as C does, except in HyperDbg-compatible mode.
 */
static bool strict_cond(struct script_compiler *c, u8 info)
{
	if (!(c->flags & SCRIPT_F_HDBG_STRICT) || (info & K_CMP) || c->failed)
		return true;
	script_fail(c, "expected a comparison in the condition (HyperDbg-compatible mode)");
	return false;
}

static u8 parse_binary(struct script_compiler *c, int flags, int min_prec)
{
	u8 info, rinfo, op = 0;
	int prec, tok;

	if (!enter(c))
		return 0;
	info = parse_unary(c, flags);
	for (;;) {
		tok = c->tok;
		prec = binop(tok, &op);
		if (c->failed || !prec || prec < min_prec)
			break;
		if (prec <= 3 && !(flags & EX_COND)) {
			script_fail(c, "expected an arithmetic operator (comparisons, && and || are only allowed in conditions)");
			break;
		}
		script_next(c);
		if (prec <= 2) {
			/* short-circuit: the right side runs only if needed */
			u32 j1, j2, j3;
			u8 jop = prec == 2 ? SOP_JZ : SOP_JNZ;

			if (!strict_cond(c, info))
				break;
			j1 = emit(c, jop, 0, 0, 0);
			rinfo = parse_binary(c, flags, prec + 1);
			if (!strict_cond(c, rinfo))
				break;
			j2 = emit(c, jop, 0, 0, 0);
			emit(c, SOP_PUSHI, 0, 0, prec == 2);
			j3 = emit(c, SOP_JMP, 0, 0, 0);
			patch(c, j1, here(c));
			patch(c, j2, here(c));
			emit(c, SOP_PUSHI, 0, 0, prec != 2);
			patch(c, j3, here(c));
			info = K_CMP;
			continue;
		}
		rinfo = parse_binary(c, flags, prec + 1);
		if (prec == 3) {
			if ((c->flags & SCRIPT_F_HDBG_STRICT) &&
			    ((info | rinfo) & K_BITWISE)) {
				script_fail(c, "expected no & ^ | in a comparison operand (HyperDbg-compatible mode)");
				break;
			}
			if (binop(c->tok, &op) == 3) {
				script_fail(c, "expected ')' or && or || (comparisons do not chain)");
				break;
			}
			binop(tok, &op);
			emit(c, op, 0, 0, 0);
			info = K_CMP;
			continue;
		}
		emit(c, op, 0, 0, 0);
		if (prec >= 4 && prec <= 6)
			info |= K_BITWISE;
	}
	c->depth--;
	return info;
}

/* ---- statements ---- */

static void parse_block(struct script_compiler *c);
static void parse_stmt(struct script_compiler *c);
static void parse_decl(struct script_compiler *c, bool in_for);

static void parse_cond(struct script_compiler *c)
{
	u8 k;

	if (!expect(c, '(', "expected '(' before the condition"))
		return;
	k = parse_expr(c, EX_COND);
	if (strict_cond(c, k))
		expect(c, ')', "expected ')' after the condition");
}

static int assign_op(int tok, u8 *op)
{
	switch (tok) {
	case '=': *op = 0; return 1;
	case ST_ADD_EQ: *op = SOP_ADD; return 1;
	case ST_SUB_EQ: *op = SOP_SUB; return 1;
	case ST_MUL_EQ: *op = SOP_MUL; return 1;
	case ST_DIV_EQ: *op = SOP_DIV; return 1;
	case ST_MOD_EQ: *op = SOP_MOD; return 1;
	case ST_SHL_EQ: *op = SOP_SHL; return 1;
	case ST_SHR_EQ: *op = SOP_SHR; return 1;
	case ST_AND_EQ: *op = SOP_AND; return 1;
	case ST_XOR_EQ: *op = SOP_XOR; return 1;
	case ST_OR_EQ: *op = SOP_OR; return 1;
	case ST_INC: *op = SOP_ADD; return 2;
	case ST_DEC: *op = SOP_SUB; return 2;
	}
	return 0;
}

static bool parse_target(struct script_compiler *c, struct target *t);

/* Is the current token a plain target followed by a single '='?  Peeks at
 * the source after the token (blanks only) for "a = b = e". */
static bool chained_target(struct script_compiler *c)
{
	size_t p = c->pos;

	if (c->tok != ST_IDENT && c->tok != ST_GLOBAL && c->tok != ST_REG)
		return false;
	if (c->tok == ST_IDENT && is_keyword(c->tok_text))
		return false;
	while (p < c->len && (c->src[p] == ' ' || c->src[p] == '\t'))
		p++;
	return p < c->len && c->src[p] == '=' &&
	       (p + 1 >= c->len || c->src[p + 1] != '=');
}

/* After the target: "= e", "= t2 = e" (up to 4), "op= e", "++", "--". */
static void parse_assign_rest(struct script_compiler *c, struct target *t)
{
	struct target more[4];
	u32 n_more = 0, i;
	u8 op;
	int kind = assign_op(c->tok, &op);

	if (!kind) {
		script_fail(c, "expected an assignment operator (= += -= *= /= %= <<= >>= &= ^= |= ++ --)");
		return;
	}
	script_next(c);
	if (kind == 2) {
		emit_load(c, t);
		emit(c, SOP_PUSHI, 0, 0, 1);
		emit(c, op, 0, 0, 0);
	} else if (op) {
		emit_load(c, t);
		parse_expr(c, 0);
		emit(c, op, 0, 0, 0);
	} else {
		while (t->kind != TG_MEM && chained_target(c) &&
		       n_more < ARRAY_SIZE(more)) {
			if (!parse_target(c, &more[n_more]))
				return;
			n_more++;
			script_next(c);	/* '=' */
		}
		parse_expr(c, 0);
		for (i = n_more; i-- > 0;) {
			emit(c, SOP_DUP, 0, 0, 0);
			emit_store(c, &more[i]);
		}
	}
	emit_store(c, t);
}

/* A variable, global or register target; consumes it. */
static bool parse_target(struct script_compiler *c, struct target *t)
{
	int i;
	bool ok = true;

	if (c->tok == ST_REG) {
		ok = reg_target(c, c->tok_text, t);
	} else if (c->tok == ST_GLOBAL) {
		i = global_slot(c, c->tok_text);
		t->kind = TG_GLOBAL;
		t->idx = i < 0 ? 0 : i;
	} else {
		ok = name_target(c, c->tok_text, t);
	}
	script_next(c);
	return ok && !c->failed;
}

/* An assignment, ++/--, or a call; no terminator. */
static void parse_simple(struct script_compiler *c)
{
	struct target t = { 0 };
	u32 line = c->tok_line, col = c->tok_col;
	int i;

	switch (c->tok) {
	case ST_INC:
	case ST_DEC: {
		u8 op = c->tok == ST_INC ? SOP_ADD : SOP_SUB;

		script_next(c);
		if (c->tok == ST_IDENT && !is_keyword(c->tok_text))
			name_target(c, c->tok_text, &t);
		else if (c->tok == ST_GLOBAL)
			t.kind = TG_GLOBAL, t.idx = global_slot(c, c->tok_text);
		else if (c->tok == ST_REG)
			reg_target(c, c->tok_text, &t);
		else {
			script_fail(c, "expected a variable or register after ++ or --");
			return;
		}
		script_next(c);
		emit_load(c, &t);
		emit(c, SOP_PUSHI, 0, 0, 1);
		emit(c, op, 0, 0, 0);
		emit_store(c, &t);
		return;
	}
	case ST_REG:
		if (!reg_target(c, c->tok_text, &t))
			return;
		script_next(c);
		parse_assign_rest(c, &t);
		return;
	case ST_GLOBAL:
		i = global_slot(c, c->tok_text);
		t.kind = TG_GLOBAL;
		t.idx = i < 0 ? 0 : i;
		script_next(c);
		parse_assign_rest(c, &t);
		return;
	case '*':
		script_next(c);
		parse_unary(c, 0);
		t.kind = TG_MEM;
		if (c->tok == ST_INC || c->tok == ST_DEC) {
			script_fail(c, "expected '=' or an op= after *address");
			return;
		}
		parse_assign_rest(c, &t);
		return;
	case ST_IDENT:
		script_strlcpy(c->name, c->tok_text, sizeof(c->name));
		if (is_keyword(c->name)) {
			script_fail_at(c, line, col, "expected a statement, got ",
				       c->name);
			return;
		}
		script_next(c);
		if (accept(c, '(')) {
			parse_call(c, line, col, false);
			emit(c, SOP_POP, 0, 0, 0);
			return;
		}
		if (!name_target(c, c->name, &t))
			return;
		parse_assign_rest(c, &t);
		return;
	default:
		if (!c->failed)
			script_fail(c, "expected a statement");
	}
}

static void end_simple(struct script_compiler *c)
{
	/* The final statement of a script may omit its ';' */
	if (c->tok == ST_EOF && c->depth == 1)
		return;
	expect(c, ';', "expected ';'");
}

static void loop_begin(struct script_compiler *c, u32 *nb, u32 *nc)
{
	*nb = c->n_brk;
	*nc = c->n_cont;
	c->loop_depth++;
}

static void loop_end(struct script_compiler *c, u32 nb, u32 nc,
		     u32 cont_to, u32 brk_to)
{
	u32 i;

	for (i = nb; i < c->n_brk; i++)
		patch(c, c->brk[i], brk_to);
	for (i = nc; i < c->n_cont; i++)
		patch(c, c->cont[i], cont_to);
	c->n_brk = nb;
	c->n_cont = nc;
	c->loop_depth--;
}

static void parse_if(struct script_compiler *c)
{
	u32 ends = ~0u, jz, next;

	script_next(c);	/* if */
	parse_cond(c);
	jz = emit(c, SOP_JZ, 0, 0, 0);
	parse_block(c);
	for (;;) {
		bool elsif = c->tok == ST_IDENT &&
			     script_streq(c->tok_text, "elsif");
		bool els = c->tok == ST_IDENT &&
			   script_streq(c->tok_text, "else");

		if (c->failed || (!elsif && !els))
			break;
		/* the jumps to the end form a list through their targets */
		next = emit(c, SOP_JMP, 0, 0, ends);
		ends = next;
		patch(c, jz, here(c));
		script_next(c);
		if (els) {
			/* "else if" reads as elsif, as C users write it */
			if (c->tok == ST_IDENT && script_streq(c->tok_text, "if")) {
				parse_if(c);
			} else {
				parse_block(c);
			}
			jz = ~0u;
			break;
		}
		parse_cond(c);
		jz = emit(c, SOP_JZ, 0, 0, 0);
		parse_block(c);
	}
	if (jz != ~0u)
		patch(c, jz, here(c));
	while (ends != ~0u && !c->failed) {
		next = c->prog->code[ends].c;
		patch(c, ends, here(c));
		ends = next;
	}
}

static void parse_while(struct script_compiler *c)
{
	u32 top, jz, nb, nc;

	script_next(c);
	top = here(c);
	parse_cond(c);
	jz = emit(c, SOP_JZ, 0, 0, 0);
	loop_begin(c, &nb, &nc);
	parse_block(c);
	emit(c, SOP_JMP, 0, 0, top);
	patch(c, jz, here(c));
	loop_end(c, nb, nc, top, here(c));
}

static void parse_do(struct script_compiler *c)
{
	u32 top, cond, nb, nc;

	script_next(c);
	top = here(c);
	loop_begin(c, &nb, &nc);
	parse_block(c);
	if (!(c->tok == ST_IDENT && script_streq(c->tok_text, "while"))) {
		if (!c->failed)
			script_fail(c, "expected 'while' after the do block");
		return;
	}
	script_next(c);
	cond = here(c);
	parse_cond(c);
	emit(c, SOP_JNZ, 0, 0, top);
	loop_end(c, nb, nc, cond, here(c));
	expect(c, ';', "expected ';' after do { } while ( )");
}

/* for (a, b; cond; step, step) { } -- each part may be empty */
static void parse_for(struct script_compiler *c)
{
	u32 cond, jz = ~0u, jbody, step, nb, nc;

	script_next(c);
	if (!expect(c, '(', "expected '(' after for"))
		return;
	if (c->tok == ST_IDENT && is_type(c->tok_text)) {
		parse_decl(c, true);	/* for (int i = 0, j = 1; ...) */
	} else {
		while (c->tok != ';' && !c->failed) {
			parse_simple(c);
			if (!accept(c, ','))
				break;
		}
	}
	expect(c, ';', "expected ';' after the for initializer");
	cond = here(c);
	if (c->tok != ';') {
		strict_cond(c, parse_expr(c, EX_COND));
		jz = emit(c, SOP_JZ, 0, 0, 0);
	}
	expect(c, ';', "expected ';' after the for condition");
	jbody = emit(c, SOP_JMP, 0, 0, 0);
	step = here(c);
	while (c->tok != ')' && !c->failed) {
		parse_simple(c);
		if (!accept(c, ','))
			break;
	}
	emit(c, SOP_JMP, 0, 0, cond);
	expect(c, ')', "expected ')' after the for step");
	patch(c, jbody, here(c));
	loop_begin(c, &nb, &nc);
	parse_block(c);
	emit(c, SOP_JMP, 0, 0, step);
	if (jz != ~0u)
		patch(c, jz, here(c));
	loop_end(c, nb, nc, step, here(c));
}

static void parse_jump(struct script_compiler *c, bool is_break)
{
	u32 at;

	if (!c->loop_depth) {
		script_fail(c, is_break ? "expected a loop around 'break'" :
			    "expected a loop around 'continue'");
		return;
	}
	if (c->n_brk >= ARRAY_SIZE(c->brk) ||
	    c->n_cont >= ARRAY_SIZE(c->cont)) {
		script_fail(c, "expected at most 64 break/continue statements");
		return;
	}
	script_next(c);
	at = emit(c, SOP_JMP, 0, 0, 0);
	if (is_break)
		c->brk[c->n_brk++] = at;
	else
		c->cont[c->n_cont++] = at;
	end_simple(c);
}

static void parse_return(struct script_compiler *c)
{
	bool value;

	script_next(c);
	value = c->tok != ';' && c->tok != '}' && c->tok != ST_EOF;
	if (value)
		parse_expr(c, 0);
	if (c->cur_func >= 0) {
		if (!value)
			emit(c, SOP_PUSHI, 0, 0, 0);
		emit(c, SOP_RET, 0, 0, 0);
	} else {
		if (value)
			emit(c, SOP_SETRES, 0, 0, 0);
		emit(c, SOP_END, 0, 0, 0);
	}
	end_simple(c);
}

static bool add_frame_name(struct script_compiler *c, const char *name)
{
	if (find_name(c->frame_names, c->n_frame, name) >= 0) {
		script_fail_at(c, c->tok_line, c->tok_col,
			       "expected a new name, got a second ", name);
		return false;
	}
	if (c->n_frame >= SCRIPT_MAX_PARAMS) {
		script_fail(c, "expected at most 16 parameters and locals");
		return false;
	}
	script_strlcpy(c->frame_names[c->n_frame++], name, SCRIPT_NAME_MAX);
	return true;
}

/* TYPE name ( params ) { body }, at top level; c->tok is '(' */
static void parse_function(struct script_compiler *c, bool is_void,
			   u32 line, u32 col)
{
	const char *name = c->name;
	u32 jover, enter_at, nb = c->loop_depth;
	int f;

	if (c->cur_func >= 0 || c->loop_depth) {
		script_fail_at(c, line, col,
			       "expected functions at top level only: ", name);
		return;
	}
	if (script_find_builtin(name) >= 0 || find_mem_kw(name)) {
		script_fail_at(c, line, col,
			       "expected a name that is not a built-in: ", name);
		return;
	}
	f = declare_func(c, name);
	if (f < 0)
		return;
	if (c->funcs[f].entry) {
		script_fail_at(c, line, col,
			       "expected one definition of function ", name);
		return;
	}
	script_next(c);	/* ( */
	c->n_frame = 0;
	if (c->tok != ')') {
		for (;;) {
			if (c->tok == ST_IDENT && is_type(c->tok_text)) {
				script_next(c);
				skip_type_tail(c);
			}
			if (c->tok != ST_IDENT || is_keyword(c->tok_text)) {
				script_fail(c, "expected a parameter name");
				return;
			}
			if (!add_frame_name(c, c->tok_text))
				return;
			script_next(c);
			if (!accept(c, ','))
				break;
		}
	}
	if (!expect(c, ')', "expected ',' or ')' after a parameter"))
		return;
	jover = emit(c, SOP_JMP, 0, 0, 0);
	/* entry 0 means "undefined"; a JMP always precedes the entry */
	c->funcs[f].entry = here(c);
	c->funcs[f].n_params = (u8)c->n_frame;
	c->funcs[f].has_value = !is_void;
	enter_at = emit(c, SOP_ENTER, (u8)c->n_frame, 0, 0);
	c->cur_func = f;
	c->loop_depth = 0;
	parse_block(c);
	emit(c, SOP_PUSHI, 0, 0, 0);
	emit(c, SOP_RET, 0, 0, 0);
	if (!c->failed)
		c->prog->code[enter_at].b = (u16)c->n_frame;
	c->funcs[f].n_slots = (u8)c->n_frame;
	c->cur_func = -1;
	c->n_frame = 0;
	c->loop_depth = nb;
	patch(c, jover, here(c));
}

/* A typed local of a function: a frame slot; declaring it again (a
 * second "for (int i = 0; ...)") reuses the slot, a parameter may not
 * be declared again. */
static bool declare_frame_name(struct script_compiler *c, const char *name)
{
	int i = find_name(c->frame_names, c->n_frame, name);

	if (i < 0)
		return add_frame_name(c, name);
	if (i < c->funcs[c->cur_func].n_params) {
		script_fail_at(c, c->name_line, c->name_col,
			       "expected a new name, got the parameter ", name);
		return false;
	}
	return true;
}

/* name [= e] of a declaration; c->name holds the name, the token after
 * it is current. */
static void parse_declarator(struct script_compiler *c)
{
	struct target t;

	if (c->cur_func >= 0 && !declare_frame_name(c, c->name))
		return;
	if (!name_target(c, c->name, &t))
		return;
	if (c->tok == '=') {
		script_next(c);
		parse_expr(c, 0);
	} else {
		emit(c, SOP_PUSHI, 0, 0, 0);
	}
	emit_store(c, &t);
}

/* TYPE name [= e] {, name [= e]} ;  or  TYPE name ( ... ) { ... }.
 * in_for: a for initializer (no ';', no function). */
static void parse_decl(struct script_compiler *c, bool in_for)
{
	bool is_void = script_streq(c->tok_text, "void");
	u32 line, col;
	bool first = true;

	script_next(c);
	skip_type_tail(c);
	for (;;) {
		if (c->tok != ST_IDENT || is_keyword(c->tok_text)) {
			script_fail(c, "expected a name after the type");
			return;
		}
		script_strlcpy(c->name, c->tok_text, sizeof(c->name));
		line = c->tok_line;
		col = c->tok_col;
		script_next(c);
		if (first && !in_for && c->tok == '(') {
			parse_function(c, is_void, line, col);
			return;
		}
		first = false;
		parse_declarator(c);
		if (c->failed || !accept(c, ','))
			break;
		skip_type_tail(c);	/* "int *p, *q" */
	}
	if (!in_for)
		end_simple(c);
}

static void parse_stmt(struct script_compiler *c)
{
	const char *s = c->tok_text;

	if (!enter(c))
		return;
	if (c->tok == ';') {
		script_next(c);
	} else if (c->tok == '{') {
		parse_block(c);		/* a bare block, as in "? { ... }" */
	} else if (c->tok == ST_IDENT && script_streq(s, "if")) {
		parse_if(c);
	} else if (c->tok == ST_IDENT && script_streq(s, "while")) {
		parse_while(c);
	} else if (c->tok == ST_IDENT && script_streq(s, "do")) {
		parse_do(c);
	} else if (c->tok == ST_IDENT && script_streq(s, "for")) {
		parse_for(c);
	} else if (c->tok == ST_IDENT && script_streq(s, "break")) {
		parse_jump(c, true);
	} else if (c->tok == ST_IDENT && script_streq(s, "continue")) {
		parse_jump(c, false);
	} else if (c->tok == ST_IDENT && script_streq(s, "return")) {
		parse_return(c);
	} else if (c->tok == ST_IDENT && is_type(s)) {
		parse_decl(c, false);
	} else if (c->tok == ST_IDENT &&
		   (script_streq(s, "elsif") || script_streq(s, "else"))) {
		script_fail(c, "expected 'if' before elsif/else");
	} else {
		parse_simple(c);
		end_simple(c);
	}
	c->depth--;
}

static void parse_block(struct script_compiler *c)
{
	u32 line = c->tok_line, col = c->tok_col;

	if (!enter(c))
		return;
	if (!expect(c, '{', "expected '{'")) {
		c->depth--;
		return;
	}
	while (c->tok != '}' && !c->failed) {
		if (c->tok == ST_EOF) {
			script_fail_at(c, line, col,
				       "expected '}' closing this '{'", NULL);
			break;
		}
		parse_stmt(c);
	}
	accept(c, '}');
	c->depth--;
}

static void resolve_calls(struct script_compiler *c)
{
	u32 i;

	for (i = 0; i < c->n_call_fix && !c->failed; i++) {
		struct script_func *f = &c->funcs[c->call_fix_func[i]];

		if (!f->entry) {
			script_fail_at(c, c->call_fix_line[i],
				       c->call_fix_col[i],
				       "expected a defined function, got ",
				       f->name);
		} else if (c->call_fix_value[i] && !f->has_value) {
			script_fail_at(c, c->call_fix_line[i],
				       c->call_fix_col[i],
				       "expected a function that returns a value, not void ",
				       f->name);
		} else if (c->call_fix_argc[i] != f->n_params) {
			script_fail_at(c, c->call_fix_line[i],
				       c->call_fix_col[i],
				       "expected as many arguments as the parameters of ",
				       f->name);
		} else {
			patch(c, c->call_fix[i], f->entry);
		}
	}
}

int script_compile(struct script_compiler *c, const char *src, size_t len,
		   struct script_globals *globals, u32 flags,
		   struct script_prog *prog, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->src = src;
	c->len = len;
	c->line = 1;
	c->col = 1;
	c->flags = flags;
	c->err = err;
	c->errlen = errlen;
	c->prog = prog;
	c->globals = globals ? globals : &c->own_globals;
	c->cur_func = -1;
	if (err && errlen)
		err[0] = 0;
	prog->n_insns = 0;
	prog->n_consts = 0;
	prog->str_len = 0;
	prog->n_locals = 0;
	prog->names_len = 0;
	prog->flags = flags;

	script_next(c);
	if (flags & SCRIPT_F_CONDITION) {
		strict_cond(c, parse_expr(c, EX_COND));
		emit(c, SOP_SETRES, 0, 0, 0);
		accept(c, ';');
		if (c->tok != ST_EOF && !c->failed)
			script_fail(c, "expected the end of the condition");
	} else {
		while (c->tok != ST_EOF && !c->failed) {
			if (c->tok == '}') {
				script_fail(c, "expected a statement, got an unmatched '}'");
				break;
			}
			parse_stmt(c);
		}
	}
	emit(c, SOP_END, 0, 0, 0);
	resolve_calls(c);
	if (c->failed) {
		prog->n_insns = 0;
		return -1;
	}
	return 0;
}
