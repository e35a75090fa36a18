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
#define K_PTR 4		/* an array's address: + and - scale by 8 */

static const char *const type_names[] = {
	"void", "int", "uint", "long", "ulong", "char", "uchar", "short",
	"ushort", "bool", "int8", "int16", "int32", "int64", "uint8",
	"uint16", "uint32", "uint64", "unsigned", "signed", "float",
	"double",
};

static const char *const keywords[] = {
	"if", "elsif", "else", "while", "do", "for", "break", "continue",
	"return", "struct",
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
		t->idx = c->frame_slot[i];
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
static u8 parse_unary(struct script_compiler *c, int flags);

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

		if (b == SB_EVENT_TRACE_STEP_OUT) {
			script_fail_at(c, line, col,
				"event_trace_step_out is not supported (empty in HyperDbg's engine); use gdb's finish",
				NULL);
			return;
		}
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

/* ---- arrays and structures ---- */

enum { AR_LVALUE = 1, AR_ADDRESS, AR_VALUE };

static struct script_agg *find_agg(struct script_compiler *c,
				   const char *name)
{
	u32 i;

	if (c->cur_func >= 0) {
		for (i = 0; i < c->n_aggs; i++)
			if (c->aggs[i].func == c->cur_func &&
			    script_streq(c->aggs[i].name, name))
				return &c->aggs[i];
		if (find_name(c->frame_names, c->n_frame, name) >= 0)
			return NULL;	/* a scalar of the function */
	}
	for (i = 0; i < c->n_aggs; i++)
		if (c->aggs[i].func < 0 && script_streq(c->aggs[i].name, name))
			return &c->aggs[i];
	return NULL;
}

static int find_stype(struct script_compiler *c, const char *name)
{
	u32 i;

	for (i = 0; i < c->n_stypes; i++)
		if (script_streq(c->stypes[i].name, name))
			return i;
	return -1;
}

static u32 stype_slots(struct script_compiler *c, int st)
{
	return st < 0 ? 1 : c->stypes[st].slots;
}

/* The member c->tok_text of struct type st: emits "+ offset", returns the
 * member's type (struct index or -1), or -2 after an error. */
static int member(struct script_compiler *c, int st)
{
	struct script_stype *t = &c->stypes[st];
	u32 i;

	for (i = 0; i < t->nfields; i++)
		if (script_streq(c->field_pool + t->field_name[i], c->tok_text))
			break;
	if (i == t->nfields) {
		script_fail_at(c, c->tok_line, c->tok_col,
			       "expected a member of this struct, got ",
			       c->tok_text);
		return -2;
	}
	if (t->field_off[i]) {
		emit(c, SOP_PUSHI, 0, 0, t->field_off[i] * 8u);
		emit(c, SOP_ADD, 0, 0, 0);
	}
	script_next(c);
	return t->field_type[i];
}

/*
 * An array, struct or struct pointer named a, its name consumed: the
 * indexes [e], members .m and ->m that follow.  Leaves on the stack the
 * address of a scalar element (AR_LVALUE), the address of an array or a
 * struct (AR_ADDRESS: the name of an array is its address, as in C), or
 * a struct pointer's value (AR_VALUE).  Returns 0 after an error.
 */
static int agg_postfix(struct script_compiler *c, const struct script_agg *a)
{
	u32 k = 0, j, stride;
	int st = a->stype;

	if (a->is_ptr) {
		emit(c, a->kind == TG_FRAME ? SOP_LDF : SOP_LDL, 0, 0, a->base);
		if (c->tok != ST_ARROW)
			return AR_VALUE;
	} else {
		emit(c, SOP_ADDR, a->kind == TG_FRAME ? 2 : 0, 0, a->base);
	}
	if (c->tok == '[')
		emit(c, SOP_PUSHI, 0, 0, 0);	/* byte offset */
	while (c->tok == '[' && !c->failed) {
		if (k >= a->ndims) {
			script_fail(c, "expected no further index (as many as the array's dimensions)");
			return 0;
		}
		script_next(c);
		if (!enter(c))
			return 0;
		parse_expr(c, 0);
		c->depth--;
		if (!expect(c, ']', "expected ']' after the index"))
			return 0;
		stride = stype_slots(c, st) * 8;
		for (j = k + 1; j < a->ndims; j++)
			stride *= a->dims[j];
		emit(c, SOP_PUSHI, 0, 0, stride);
		emit(c, SOP_MUL, 0, 0, 0);
		emit(c, SOP_ADD, 0, 0, 0);
		k++;
		if (c->tok != '[') {
			/* HyperDbg reads t[0][0][3] of a [3][3][3] array as
			 * the element after t[0][0][2]: only the whole
			 * array bounds the index */
			stride = stype_slots(c, st) * 8;
			for (j = 0; j < a->ndims; j++)
				stride *= a->dims[j];
			emit(c, SOP_BOUND, 0, 0, stride);
			emit(c, SOP_ADD, 0, 0, 0);
		}
	}
	if (k < a->ndims)
		return c->failed ? 0 : AR_ADDRESS;
	/* members: ".m" reads as a global name token, "->m" after a pointer */
	for (;;) {
		if (st >= 0 && c->tok == ST_GLOBAL && !a->is_ptr) {
			st = member(c, st);
		} else if (st >= 0 && c->tok == ST_ARROW && a->is_ptr) {
			script_next(c);
			if (c->tok != ST_IDENT) {
				script_fail(c, "expected a member name after '->'");
				return 0;
			}
			st = member(c, st);
			/* a->b.c: the rest are plain members */
			while (st >= 0 && c->tok == ST_GLOBAL && !c->failed)
				st = member(c, st);
			break;
		} else {
			break;
		}
		if (st == -2 || c->failed)
			return 0;
	}
	if (st == -2 || c->failed)
		return 0;
	return st >= 0 ? AR_ADDRESS : AR_LVALUE;
}

static void zero_slots(struct script_compiler *c, u8 kind, u32 base, u32 n)
{
	u32 k;

	for (k = 0; k < n && !c->failed; k++) {
		emit(c, SOP_PUSHI, 0, 0, 0);
		emit(c, kind == TG_FRAME ? SOP_STF : SOP_STL, 0, 0, base + k);
	}
}

/* { e, { e, e }, ... } flattened in order into n slots at base (HyperDbg
 * fills a multidimensional array's elements in order whatever the
 * braces); the rest are zeroed. */
static void parse_init_list(struct script_compiler *c, u8 kind, u32 base,
			    u32 n)
{
	u32 k = 0, level = 0;
	u8 st = kind == TG_FRAME ? SOP_STF : SOP_STL;

	if (!expect(c, '{', "expected '{' and the initial values"))
		return;
	level = 1;
	while (level && !c->failed) {
		if (accept(c, '{')) {
			if (++level > SCRIPT_MAX_DIMS + 1) {
				script_fail(c, "expected at most 4 levels of braces");
				return;
			}
			continue;
		}
		if (accept(c, '}')) {
			level--;
			if (level)
				accept(c, ',');
			continue;
		}
		if (k >= n) {
			script_fail(c, "expected no more initial values than elements");
			return;
		}
		if (!enter(c))
			return;
		parse_expr(c, 0);
		c->depth--;
		emit(c, st, 0, 0, base + k++);
		if (c->tok != '}' &&
		    !expect(c, ',', "expected ',' or '}' in the initial values"))
			return;
	}
	zero_slots(c, kind, base + k, n - k);
}

/*
 * (TYPE) operand, '(' consumed: the value converted as C converts to that
 * type.  Values are 64-bit; a cast to an 8, 16 or 32-bit type keeps the
 * low bits, sign-extended for signed types (char, short, int and long
 * are 8, 16, 32 and 32 bits, as in HyperDbg's Windows build).  Pointers,
 * 64-bit types and structs' pointers leave the value as it is; bool is
 * value != 0.
 */
static void parse_cast(struct script_compiler *c)
{
	u32 bits = 32;
	bool sign = true, is_bool = false, ptr = false, longs = false;

	if (script_streq(c->tok_text, "struct")) {
		script_next(c);
		if (c->tok != ST_IDENT || find_stype(c, c->tok_text) < 0) {
			script_fail(c, "expected a struct defined before");
			return;
		}
		script_next(c);
		if (c->tok != '*') {
			script_fail(c, "expected '*': a value can be cast to a struct pointer, not to a struct");
			return;
		}
		ptr = true;
	}
	while (c->tok == ST_IDENT && is_type(c->tok_text) && !ptr) {
		const char *w = c->tok_text;

		if (script_streq(w, "float") || script_streq(w, "double")) {
			script_fail(c, "expected an integer type (values are 64-bit integers)");
			return;
		}
		if (script_streq(w, "void")) {
			script_next(c);
			if (c->tok != '*') {
				script_fail(c, "expected '*' after void in a cast");
				return;
			}
			ptr = true;
			break;
		}
		if (script_streq(w, "unsigned") || w[0] == 'u')
			sign = false;
		if (script_streq(w, "char") || script_streq(w, "uchar") ||
		    script_streq(w, "int8") || script_streq(w, "uint8"))
			bits = 8;
		else if (script_streq(w, "short") || script_streq(w, "ushort") ||
			 script_streq(w, "int16") || script_streq(w, "uint16"))
			bits = 16;
		else if (script_streq(w, "int64") || script_streq(w, "uint64") ||
			 (script_streq(w, "long") && longs))
			bits = 64;
		else if (script_streq(w, "bool"))
			is_bool = true;
		if (script_streq(w, "long"))
			longs = true;
		script_next(c);
	}
	while (accept(c, '*'))
		ptr = true;
	if (!expect(c, ')', "expected ')' after the type of the cast"))
		return;
	if (!enter(c))
		return;
	parse_unary(c, 0);
	c->depth--;
	if (ptr || c->failed)
		return;
	if (is_bool) {
		emit(c, SOP_PUSHI, 0, 0, 0);
		emit(c, SOP_NE, 0, 0, 0);
	} else if (bits < 64) {
		emit_const(c, (1ULL << bits) - 1);
		emit(c, SOP_AND, 0, 0, 0);
		if (sign) {	/* (x ^ s) - s sign-extends from bit bits-1 */
			emit_const(c, 1ULL << (bits - 1));
			emit(c, SOP_XOR, 0, 0, 0);
			emit_const(c, 1ULL << (bits - 1));
			emit(c, SOP_SUB, 0, 0, 0);
		}
	}
}

/* &name, &.name: the address of a variable's slot (script_vm.h) */
static void parse_address(struct script_compiler *c)
{
	struct script_agg *a;
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
	a = find_agg(c, c->name);
	if (a && !(a->is_ptr && c->tok != ST_ARROW)) {
		/* &s, &s.m, &t[i], &p->m: the address agg_postfix leaves */
		if (agg_postfix(c, a) == AR_VALUE)
			script_fail(c, "expected a member after the struct pointer");
		return;
	}
	if (!name_target(c, c->name, &t))
		return;
	emit(c, SOP_ADDR, t.kind == TG_FRAME ? 2 : 0, 0, t.idx);
}

static u8 parse_primary(struct script_compiler *c, int flags)
{
	struct script_agg *a;
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
		a = find_agg(c, c->name);
		if (a) {
			i = agg_postfix(c, a);
			if (i == AR_LVALUE)
				emit(c, SOP_LOAD, 8, 0, 0);
			return i == AR_ADDRESS && a->ndims ? K_PTR : 0;
		}
		if (name_target(c, c->name, &t))
			emit_load(c, &t);
		return 0;
	case '(': {
		u8 k;

		if (!enter(c))
			return 0;
		script_next(c);
		if (c->tok == ST_IDENT && (is_type(c->tok_text) ||
		    script_streq(c->tok_text, "struct"))) {
			parse_cast(c);
			c->depth--;
			return 0;
		}
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
		/* array + i, i + array, array - i: scaled by the element */
		if (prec == 8 && ((info ^ rinfo) & K_PTR) &&
		    (op == SOP_ADD || (info & K_PTR))) {
			emit(c, SOP_SCALE, (info & K_PTR) ? 0 : 1, 3, 0);
			emit(c, op, 0, 0, 0);
			info = K_PTR;
			continue;
		}
		emit(c, op, 0, 0, 0);
		info &= ~K_PTR;
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
static void parse_array_decl(struct script_compiler *c, int st);

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
	struct script_agg *a;
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
		a = find_agg(c, c->name);
		if (a && !(a->is_ptr && c->tok != ST_ARROW)) {
			i = agg_postfix(c, a);
			if (i != AR_LVALUE) {
				if (i)
					script_fail_at(c, line, col,
						"expected an element or a member to assign to, got the array or struct ",
						a->name);
				return;
			}
			t.kind = TG_MEM;
			parse_assign_rest(c, &t);
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

/* A new name of the function being compiled, on n consecutive slots. */
static bool add_frame_block(struct script_compiler *c, const char *name,
			    u32 n)
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
	if (c->n_frame_slots + n > SCRIPT_MAX_FRAME) {
		script_fail(c, "expected at most 64 slots of parameters and locals in a function");
		return false;
	}
	c->frame_slot[c->n_frame] = (u8)c->n_frame_slots;
	c->n_frame_slots += n;
	script_strlcpy(c->frame_names[c->n_frame++], name, SCRIPT_NAME_MAX);
	return true;
}

static bool add_frame_name(struct script_compiler *c, const char *name)
{
	return add_frame_block(c, name, 1);
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
	c->n_frame_slots = 0;
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
		c->prog->code[enter_at].b = (u16)c->n_frame_slots;
	c->funcs[f].n_slots = (u8)c->n_frame_slots;
	c->cur_func = -1;
	c->n_frame = 0;
	c->n_frame_slots = 0;
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

	if (c->tok == '[') {
		parse_array_decl(c, -1);
		return;
	}

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

/* n slots for an array or struct named name: a function's frame slots,
 * else consecutive per-CPU locals.  Returns the new entry or NULL. */
static struct script_agg *new_agg(struct script_compiler *c,
				  const char *name, u32 n)
{
	struct script_prog *p = c->prog;
	struct script_agg *a;
	struct target t;
	u32 i;

	if (c->n_aggs >= SCRIPT_MAX_AGGS) {
		script_fail(c, "expected at most 16 arrays, structs and struct pointers");
		return NULL;
	}
	a = &c->aggs[c->n_aggs];
	memset(a, 0, sizeof(*a));
	script_strlcpy(a->name, name, SCRIPT_NAME_MAX);
	a->func = (s8)c->cur_func;
	a->stype = -1;
	if (c->cur_func >= 0) {
		if (!add_frame_block(c, name, n))
			return NULL;
		a->kind = TG_FRAME;
		a->base = c->frame_slot[c->n_frame - 1];
	} else {
		if (pool_find(p->names, p->local_name, p->n_locals, name) >= 0) {
			script_fail_at(c, c->name_line, c->name_col,
				       "expected a new name for the array or struct, got ",
				       name);
			return NULL;
		}
		if (p->n_locals + n > SCRIPT_MAX_LOCALS) {
			script_fail(c, "expected at most 64 variables (array elements count)");
			return NULL;
		}
		if (!name_target(c, name, &t))
			return NULL;
		a->kind = TG_LOCAL;
		a->base = (u16)t.idx;
		/* the other elements: unnamed slots */
		for (i = 1; i < n; i++)
			if (!pool_add(c, p->names, &p->names_len,
				      &p->local_name[p->n_locals++], ""))
				return NULL;
	}
	c->n_aggs++;
	return a;
}

/* name[d1][d2].. [= { ... }] of TYPE st (-1: a scalar type); c->name
 * holds the name and '[' is current. */
static void parse_array_decl(struct script_compiler *c, int st)
{
	u16 dims[SCRIPT_MAX_DIMS];
	u32 nd = 0, n = stype_slots(c, st), i;
	struct script_agg *a;
	char name[SCRIPT_NAME_MAX];

	script_strlcpy(name, c->name, sizeof(name));
	while (c->tok == '[') {
		if (nd >= SCRIPT_MAX_DIMS) {
			script_fail(c, "expected at most 3 dimensions");
			return;
		}
		script_next(c);
		if (c->tok != ST_NUM || !c->tok_val || c->tok_val > 64) {
			script_fail(c, "expected an array size (a number, 1..64 slots in all)");
			return;
		}
		dims[nd++] = (u16)c->tok_val;
		n *= c->tok_val;
		if (n > 64) {
			script_fail(c, "expected an array size (a number, 1..64 slots in all)");
			return;
		}
		script_next(c);
		if (!expect(c, ']', "expected ']' after the array size"))
			return;
	}
	a = new_agg(c, name, n);
	if (!a)
		return;
	a->ndims = (u8)nd;
	a->stype = (s8)st;
	for (i = 0; i < nd; i++)
		a->dims[i] = dims[i];
	if (accept(c, '='))
		parse_init_list(c, a->kind, a->base, n);
	else
		zero_slots(c, a->kind, a->base, n);
}

/* struct T { TYPE m; struct U n; TYPE *p; ... }; ('{' current) */
static void parse_struct_def(struct script_compiler *c, const char *tag)
{
	struct script_stype *t;
	int ft;
	size_t len;

	if (find_stype(c, tag) >= 0) {
		script_fail_at(c, c->name_line, c->name_col,
			       "expected one definition of struct ", tag);
		return;
	}
	if (c->n_stypes >= SCRIPT_MAX_STYPES) {
		script_fail(c, "expected at most 8 struct types");
		return;
	}
	t = &c->stypes[c->n_stypes];
	memset(t, 0, sizeof(*t));
	script_strlcpy(t->name, tag, SCRIPT_NAME_MAX);
	script_next(c);	/* { */
	while (c->tok != '}' && !c->failed) {
		ft = -1;
		if (c->tok == ST_IDENT && script_streq(c->tok_text, "struct")) {
			script_next(c);
			ft = c->tok == ST_IDENT ? find_stype(c, c->tok_text) : -1;
			if (ft < 0) {
				script_fail(c, "expected the name of a struct defined before");
				return;
			}
			script_next(c);
			if (c->tok == '*')
				ft = -1;	/* a pointer member is a value */
			skip_type_tail(c);
		} else if (c->tok == ST_IDENT && is_type(c->tok_text)) {
			script_next(c);
			skip_type_tail(c);
		} else {
			script_fail(c, "expected a member type");
			return;
		}
		if (c->tok != ST_IDENT || is_keyword(c->tok_text)) {
			script_fail(c, "expected a member name");
			return;
		}
		len = strlen(c->tok_text) + 1;
		if (t->nfields >= SCRIPT_MAX_FIELDS ||
		    c->field_pool_len + len > sizeof(c->field_pool) ||
		    t->slots + stype_slots(c, ft) > 64) {
			script_fail(c, "expected a smaller struct (16 members, 64 slots)");
			return;
		}
		memcpy(c->field_pool + c->field_pool_len, c->tok_text, len);
		t->field_name[t->nfields] = (u16)c->field_pool_len;
		c->field_pool_len += (u32)len;
		t->field_off[t->nfields] = t->slots;
		t->field_type[t->nfields] = (s8)ft;
		t->nfields++;
		t->slots += stype_slots(c, ft);
		script_next(c);
		if (!expect(c, ';', "expected ';' after the member (array members are not supported)"))
			return;
	}
	if (!expect(c, '}', "expected '}' closing the struct"))
		return;
	if (!t->nfields) {
		script_fail(c, "expected at least one member");
		return;
	}
	c->n_stypes++;
	end_simple(c);
}

/* struct T name [= {...}], struct T *p [= e], struct T a[N], ...; */
static void parse_struct(struct script_compiler *c)
{
	struct script_agg *a;
	struct target t;
	char tag[SCRIPT_NAME_MAX];
	u32 line, col;
	int st;

	script_next(c);	/* struct */
	if (c->tok != ST_IDENT || is_keyword(c->tok_text)) {
		script_fail(c, "expected a struct name after 'struct'");
		return;
	}
	script_strlcpy(tag, c->tok_text, sizeof(tag));
	line = c->tok_line;
	col = c->tok_col;
	script_next(c);
	if (c->tok == '{') {
		parse_struct_def(c, tag);
		return;
	}
	st = find_stype(c, tag);
	if (st < 0) {
		script_fail_at(c, line, col,
			       "expected a struct defined before, got ", tag);
		return;
	}
	for (;;) {
		bool ptr = accept(c, '*');

		if (c->tok != ST_IDENT || is_keyword(c->tok_text)) {
			script_fail(c, "expected a name after the type");
			return;
		}
		script_strlcpy(c->name, c->tok_text, sizeof(c->name));
		script_next(c);
		if (ptr) {
			if (c->cur_func >= 0 && !declare_frame_name(c, c->name))
				return;
			if (c->n_aggs >= SCRIPT_MAX_AGGS) {
				script_fail(c, "expected at most 16 arrays, structs and struct pointers");
				return;
			}
			if (!name_target(c, c->name, &t))
				return;
			a = &c->aggs[c->n_aggs++];
			memset(a, 0, sizeof(*a));
			script_strlcpy(a->name, c->name, SCRIPT_NAME_MAX);
			a->func = (s8)c->cur_func;
			a->kind = t.kind;
			a->base = (u16)t.idx;
			a->is_ptr = true;
			a->stype = (s8)st;
			if (accept(c, '=')) {
				parse_expr(c, 0);
			} else {
				emit(c, SOP_PUSHI, 0, 0, 0);
			}
			emit_store(c, &t);
		} else if (c->tok == '[') {
			parse_array_decl(c, st);
		} else {
			a = new_agg(c, c->name, stype_slots(c, st));
			if (!a)
				return;
			a->stype = (s8)st;
			if (accept(c, '='))
				parse_init_list(c, a->kind, a->base,
						stype_slots(c, st));
			else
				zero_slots(c, a->kind, a->base,
					   stype_slots(c, st));
		}
		if (c->failed || !accept(c, ','))
			break;
	}
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
	} else if (c->tok == ST_IDENT && script_streq(s, "struct")) {
		parse_struct(c);
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
