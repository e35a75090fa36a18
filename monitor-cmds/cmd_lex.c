// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_lex.c - tokens and numbers of the monitor command language.
 *
 * A line is words separated by blanks, and {...} blocks.  Blocks nest; a
 * brace inside a "string" (with backslash escapes), a block comment or a
 * line comment does not count, as in HyperDbg's script language, so a script
 * such as  printf("}\n");  stays inside its block.
 */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_priv.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 'a' - 'A') : c;
}

bool cmd_word_is(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!w[i] || lower(s[i]) != lower(w[i]))
			return false;
	}
	return w[n] == '\0';
}

void cmd_err_start(struct cmd_error *e, struct cmd_out *o, u32 col)
{
	e->col = col;
	cmd_out_init(o, e->msg, sizeof(e->msg));
}

void cmd_out_quoted(struct cmd_out *o, const char *s, size_t n)
{
	const size_t max = 24;

	cmd_out_char(o, '\'');
	if (n > max) {
		cmd_out_safe(o, s, max);
		cmd_out_str(o, "...");
	} else {
		cmd_out_safe(o, s, n);
	}
	cmd_out_char(o, '\'');
}

void cmd_err(struct cmd_error *e, u32 col, const char *a,
	     const char *tok, size_t n, const char *b)
{
	struct cmd_out o;

	cmd_err_start(e, &o, col);
	cmd_out_str(&o, a);
	if (tok)
		cmd_out_quoted(&o, tok, n);
	cmd_out_str(&o, b);
}

void cmd_lex_init(struct cmd_lex *lx, const char *s, u32 len)
{
	lx->s = s;
	lx->len = len;
	lx->pos = 0;
}

/* Skip a "string" starting at s[i] == '"'; returns the index after the
 * closing quote, or 0 if there is none. */
static u32 skip_string(const char *s, u32 len, u32 i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

static int scan_block(struct cmd_lex *lx, struct cmd_tok *tok,
		      struct cmd_error *err)
{
	const char *s = lx->s;
	u32 len = lx->len, open = lx->pos, i = open + 1, depth = 1;

	while (i < len) {
		char c = s[i];

		if (c == '"') {
			u32 end = skip_string(s, len, i);

			if (!end) {
				cmd_err(err, i + 1, "expected '\"' to close this "
					"string before the end of the line",
					NULL, 0, "");
				return -1;
			}
			i = end;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			u32 j = i + 2;

			while (j + 1 < len && !(s[j] == '*' && s[j + 1] == '/'))
				j++;
			if (j + 1 >= len) {
				cmd_err(err, i + 1, "expected '*/' to close this "
					"comment before the end of the line",
					NULL, 0, "");
				return -1;
			}
			i = j + 2;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
		} else {
			if (c == '{')
				depth++;
			if (c == '}' && --depth == 0) {
				tok->kind = CMD_TOK_BLOCK;
				tok->off = open;
				tok->len = i + 1 - open;
				lx->pos = i + 1;
				return 0;
			}
			i++;
		}
	}
	{
		struct cmd_out o;

		cmd_err_start(err, &o, len + 1);
		cmd_out_str(&o, "expected '}' to close the '{' at column ");
		cmd_out_dec(&o, open + 1);
	}
	return -1;
}

int cmd_lex_next(struct cmd_lex *lx, struct cmd_tok *tok,
		 struct cmd_error *err)
{
	const char *s = lx->s;
	u32 len = lx->len;

	while (lx->pos < len && is_blank(s[lx->pos]))
		lx->pos++;
	if (lx->pos >= len) {
		tok->kind = CMD_TOK_END;
		tok->off = len;
		tok->len = 0;
		return 0;
	}
	if (s[lx->pos] == '{')
		return scan_block(lx, tok, err);
	if (s[lx->pos] == '}') {
		cmd_err(err, lx->pos + 1, "unexpected '}' with no '{' open",
			NULL, 0, "");
		return -1;
	}
	tok->kind = CMD_TOK_WORD;
	tok->off = lx->pos;
	while (lx->pos < len && !is_blank(s[lx->pos]) && s[lx->pos] != '{' &&
	       s[lx->pos] != '}')
		lx->pos++;
	tok->len = lx->pos - tok->off;
	return 0;
}

static int digit_value(char c)
{
	c = lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return 99;
}

int cmd_parse_number(const char *s, size_t len, u64 *val)
{
	unsigned int base = 16;
	u64 v = 0, limit;
	bool any = false;
	size_t i = 0;

	if (len >= 2 && s[0] == '0') {
		switch (lower(s[1])) {
		case 'x':
			base = 16;
			i = 2;
			break;
		case 'n':
			base = 10;
			i = 2;
			break;
		case 't':
			base = 8;
			i = 2;
			break;
		case 'y':
			base = 2;
			i = 2;
			break;
		}
	}
	limit = ~0ull / base;
	for (; i < len; i++) {
		int d;

		/* WinDbg-style separator: fffff800`12345678. */
		if (s[i] == '`' && any && i + 1 < len)
			continue;
		d = digit_value(s[i]);
		if (d >= (int)base)
			return CMD_NUM_ERR_DIGIT;
		if (v > limit || (v == limit && (u64)d > ~0ull % base))
			return CMD_NUM_ERR_RANGE;
		v = v * base + (u64)d;
		any = true;
	}
	if (!any)
		return CMD_NUM_ERR_EMPTY;
	*val = v;
	return 0;
}
