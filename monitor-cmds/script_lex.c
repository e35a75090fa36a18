// SPDX-License-Identifier: GPL-2.0
/*
 * script_lex.c - tokenizer.  Numbers are hexadecimal unless prefixed
 * (0x hex, 0n decimal, 0t octal, 0y binary), as in HyperDbg and WinDbg;
 * a backtick may separate digit groups (fffff800`00001000).  Numbers start
 * with a digit, so "ff" alone is a variable name.
 */
#include "script_lex.h"
#include "script_int.h"

static int peekc(struct script_compiler *c, size_t ahead)
{
	size_t p = c->pos + ahead;

	return p < c->len ? (u8)c->src[p] : -1;
}

static void advance(struct script_compiler *c)
{
	if (c->pos >= c->len)
		return;
	if (c->src[c->pos] == '\n') {
		c->line++;
		c->col = 1;
	} else {
		c->col++;
	}
	c->pos++;
}

static bool is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '_';
}

static bool is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int digit_value(int ch)
{
	if (is_digit(ch))
		return ch - '0';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	return 99;
}

void script_fail_at(struct script_compiler *c, u32 line, u32 col,
		    const char *msg, const char *detail)
{
	if (c->failed)
		return;
	c->failed = true;
	c->tok = ST_ERR;
	if (!c->err || !c->errlen)
		return;
	c->err[0] = 0;
	script_cat(c->err, c->errlen, "line ");
	script_cat_u64(c->err, c->errlen, line, 10);
	script_cat(c->err, c->errlen, ", column ");
	script_cat_u64(c->err, c->errlen, col, 10);
	script_cat(c->err, c->errlen, ": ");
	script_cat(c->err, c->errlen, msg);
	if (detail)
		script_cat(c->err, c->errlen, detail);
}

void script_fail(struct script_compiler *c, const char *msg)
{
	script_fail_at(c, c->tok_line, c->tok_col, msg, NULL);
}

/* Skips blanks and comments; false after an unterminated comment. */
static bool skip_space(struct script_compiler *c)
{
	for (;;) {
		int ch = peekc(c, 0);

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		    ch == '\f' || ch == '\v') {
			advance(c);
		} else if (ch == '/' && peekc(c, 1) == '/') {
			while (peekc(c, 0) >= 0 && peekc(c, 0) != '\n')
				advance(c);
		} else if (ch == '/' && peekc(c, 1) == '*') {
			u32 l = c->line, col = c->col;

			advance(c);
			advance(c);
			while (!(peekc(c, 0) == '*' && peekc(c, 1) == '/')) {
				if (peekc(c, 0) < 0) {
					script_fail_at(c, l, col,
						"expected '*/' closing this comment",
						NULL);
					return false;
				}
				advance(c);
			}
			advance(c);
			advance(c);
		} else {
			return true;
		}
	}
}

/* "fffff800`5b660000": hex digits then a backtick are a number even when
 * the first digit is a letter (HyperDbg's docs write addresses so). */
static bool hex_with_backtick(struct script_compiler *c)
{
	size_t i = 0;

	while (digit_value(peekc(c, i)) < 16)
		i++;
	return i && peekc(c, i) == '`' && digit_value(peekc(c, i + 1)) < 16;
}

static void lex_number(struct script_compiler *c)
{
	u32 base = 16, ndig = 0;
	u64 v = 0;
	int ch = peekc(c, 0), p1 = peekc(c, 1);

	if (ch == '0' && p1 >= 0) {
		switch (p1 | 0x20) {
		case 'x': base = 16; break;
		case 'n': base = 10; break;
		case 't': base = 8; break;
		case 'y': base = 2; break;
		default: base = 0; break;
		}
		if (base) {
			advance(c);
			advance(c);
		} else {
			base = 16;
		}
	}
	for (;;) {
		int d;

		ch = peekc(c, 0);
		if (ch == '`' && ndig) {
			advance(c);
			continue;
		}
		d = digit_value(ch);
		if (ch < 0 || !(is_alpha(ch) || is_digit(ch)))
			break;
		if (d >= (int)base) {
			script_fail_at(c, c->line, c->col,
				       "expected a digit of base ",
				       base == 16 ? "16" : base == 10 ? "10" :
				       base == 8 ? "8" : "2");
			return;
		}
		if (v > (~0ULL - d) / base) {
			script_fail(c, "expected a number that fits in 64 bits");
			return;
		}
		v = v * base + d;
		ndig++;
		advance(c);
	}
	if (!ndig) {
		script_fail(c, "expected digits after the number prefix");
		return;
	}
	c->tok = ST_NUM;
	c->tok_val = v;
}

/* Reads an identifier into tok_text; false when too long. */
static bool lex_name(struct script_compiler *c)
{
	u32 n = 0;

	while (is_alpha(peekc(c, 0)) || is_digit(peekc(c, 0))) {
		if (n + 1 >= SCRIPT_NAME_MAX) {
			script_fail(c, "expected a name shorter than 256 characters");
			return false;
		}
		c->tok_text[n++] = (char)peekc(c, 0);
		advance(c);
	}
	c->tok_text[n] = 0;
	return true;
}

static void str_put(struct script_compiler *c, int ch)
{
	struct script_prog *p = c->prog;

	if (p->str_len >= SCRIPT_MAX_STRBYTES - 1) {
		script_fail(c, "expected fewer string literal bytes (pool full)");
		return;
	}
	p->strs[p->str_len++] = (char)ch;
}

static void lex_string(struct script_compiler *c)
{
	u32 start = c->prog->str_len;

	advance(c);	/* opening quote */
	for (;;) {
		int ch = peekc(c, 0);

		if (ch < 0 || ch == '\n') {
			script_fail(c, "expected '\"' closing this string");
			return;
		}
		advance(c);
		if (ch == '"')
			break;
		if (ch == '\\') {
			int e = peekc(c, 0);

			advance(c);
			switch (e) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case '0': ch = 0; break;
			case '\\': case '"': case '\'': ch = e; break;
			case 'x': {
				int d1 = digit_value(peekc(c, 0)), d2;

				if (d1 > 15) {
					script_fail_at(c, c->line, c->col,
						"expected hex digits after \\x",
						NULL);
					return;
				}
				advance(c);
				ch = d1;
				d2 = digit_value(peekc(c, 0));
				if (d2 <= 15) {
					advance(c);
					ch = ch * 16 + d2;
				}
				break;
			}
			default:
				script_fail_at(c, c->line, c->col,
					"expected an escape (\\n \\t \\r \\0 \\\\ \\\" \\xNN)",
					NULL);
				return;
			}
		}
		str_put(c, ch);
		if (c->failed)
			return;
	}
	str_put(c, 0);
	c->tok = ST_STR;
	c->str_off = start;
	c->str_n = c->prog->str_len - start - 1;
}

struct two_char {
	char a, b, c;
	int tok;
};

static const struct two_char two_chars[] = {
	{ '<', '<', '=', ST_SHL_EQ }, { '>', '>', '=', ST_SHR_EQ },
	{ '+', '+', 0, ST_INC }, { '-', '-', 0, ST_DEC },
	{ '-', '>', 0, ST_ARROW },
	{ '<', '<', 0, ST_SHL }, { '>', '>', 0, ST_SHR },
	{ '=', '=', 0, ST_EQ }, { '!', '=', 0, ST_NE },
	{ '<', '=', 0, ST_LE }, { '>', '=', 0, ST_GE },
	{ '&', '&', 0, ST_ANDAND }, { '|', '|', 0, ST_OROR },
	{ '+', '=', 0, ST_ADD_EQ }, { '-', '=', 0, ST_SUB_EQ },
	{ '*', '=', 0, ST_MUL_EQ }, { '/', '=', 0, ST_DIV_EQ },
	{ '%', '=', 0, ST_MOD_EQ }, { '&', '=', 0, ST_AND_EQ },
	{ '^', '=', 0, ST_XOR_EQ }, { '|', '=', 0, ST_OR_EQ },
};

void script_next(struct script_compiler *c)
{
	int ch;
	u32 i;

	if (c->failed) {
		c->tok = ST_ERR;
		return;
	}
	if (!skip_space(c))
		return;
	c->tok_line = c->line;
	c->tok_col = c->col;
	c->tok_pos = c->pos;
	ch = peekc(c, 0);
	if (ch < 0) {
		c->tok = ST_EOF;
		return;
	}
	if (is_digit(ch) || hex_with_backtick(c)) {
		lex_number(c);
		return;
	}
	if (is_alpha(ch)) {
		if (ch == 'L' && peekc(c, 1) == '"') {
			advance(c);
			lex_string(c);
			c->str_wide = true;
			return;
		}
		if (lex_name(c)) {
			c->tok = ST_IDENT;
			c->name_line = c->tok_line;
			c->name_col = c->tok_col;
		}
		return;
	}
	if ((ch == '@' || ch == '$' || ch == '.') && is_alpha(peekc(c, 1))) {
		advance(c);
		if (lex_name(c)) {
			c->tok = ch == '@' ? ST_REG :
				 ch == '$' ? ST_PSEUDO : ST_GLOBAL;
			c->name_line = c->tok_line;
			c->name_col = c->tok_col;
		}
		return;
	}
	if (ch == '"') {
		c->str_wide = false;
		lex_string(c);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(two_chars); i++) {
		const struct two_char *t = &two_chars[i];

		if (ch == t->a && peekc(c, 1) == t->b &&
		    (!t->c || peekc(c, 2) == t->c)) {
			advance(c);
			advance(c);
			if (t->c)
				advance(c);
			c->tok = t->tok;
			return;
		}
	}
	if (ch < 0x7f && ch > ' ' &&
	    !(ch == '\'' || ch == '`' || ch == '\\' || ch == '#')) {
		advance(c);
		c->tok = ch;
		return;
	}
	if (ch == '#') {
		script_fail(c, "expected the included text: #include is resolved before sending, by hvgdb-script and by the gdb-python package's hv command");
		return;
	}
	script_fail(c, "expected a token, got an unexpected character");
}
