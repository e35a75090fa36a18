/* SPDX-License-Identifier: GPL-2.0 */
/*
 * script_lex.h - tokenizer of the script language.  script_next() reads
 * one token into the compiler state (tok, tok_val, tok_text, position);
 * string literals are appended to the program's string pool.
 */
#ifndef HVGDB_SCRIPT_LEX_H
#define HVGDB_SCRIPT_LEX_H

#include "script.h"

/* Single-character tokens are their own ASCII code. */
enum script_tok {
	ST_EOF = 256,
	ST_ERR,		/* lexical error already reported */
	ST_NUM,		/* tok_val */
	ST_IDENT,	/* tok_text */
	ST_REG,		/* @name, tok_text without '@' */
	ST_PSEUDO,	/* $name */
	ST_GLOBAL,	/* .name */
	ST_STR,		/* str_off, str_n, str_wide */
	ST_INC, ST_DEC,
	ST_SHL, ST_SHR,
	ST_EQ, ST_NE, ST_LE, ST_GE,
	ST_ANDAND, ST_OROR,
	ST_ADD_EQ, ST_SUB_EQ, ST_MUL_EQ, ST_DIV_EQ, ST_MOD_EQ,
	ST_SHL_EQ, ST_SHR_EQ, ST_AND_EQ, ST_XOR_EQ, ST_OR_EQ,
	ST_ARROW,	/* -> */
};

void script_next(struct script_compiler *c);

/* Record "line L, column C: msg" once (the first error wins). */
void script_fail_at(struct script_compiler *c, u32 line, u32 col,
		    const char *msg, const char *detail);
void script_fail(struct script_compiler *c, const char *msg);

#endif /* HVGDB_SCRIPT_LEX_H */
