// SPDX-License-Identifier: GPL-2.0
/* cmd_lbr.c - parsing HyperDbg's !lbr and !lbrdump; see cmd_lbr.h. */
#include "hvgdb/freestanding.h"
#include "cmd.h"
#include "cmd_out.h"
#include "cmd_priv.h"
#include "cmd_lbr.h"
#include "kmod/lib/lbr.h"

/* (other_branches, architectural LBR's name for far, is taken too) */
#define FILTER_WORDS "kernel, user, jcc, rel_call, ind_call, return, " \
	"ind_jmp, rel_jmp, far or call_stack"

static int parse_filter(struct cmd_parser *p, struct cmd_parsed *c)
{
	struct cmd_tok t;
	u64 bit;
	u32 stack_col = 0;

	c->value = 0;
	for (;;) {
		if (cmd_next(p, &t))
			return -1;
		if (t.kind == CMD_TOK_END)
			break;
		bit = t.kind == CMD_TOK_WORD ?
		      lbr_filter_word(cmd_tok_s(p, &t), t.len) : 0;
		if (!bit)
			return cmd_expected(p, &t, FILTER_WORDS, NULL);
		if (bit == LBR_FILTER_CALL_STACK)
			stack_col = t.off + 1;
		c->value |= bit;
	}
	/* HyperDbg: "for this option, you can only additionally specify
	 * user or kernel" */
	if (stack_col && (c->value & ~(LBR_FILTER_CALL_STACK | 3ULL))) {
		cmd_err(p->err, stack_col, "expected only 'user' or 'kernel' "
			"with 'call_stack' (it records calls and returns only)",
			NULL, 0, "");
		return -1;
	}
	/* call_stack keeps calls and returns: the others are filtered */
	if (stack_col)
		c->value |= 0x1c4;
	return 0;
}

int cmd_parse_lbr(struct cmd_parser *p, enum cmd_kind kind,
		  struct cmd_parsed *c)
{
	static const char *const ops[] = {
		[CMD_LBR_ENABLE] = "enable", [CMD_LBR_DISABLE] = "disable",
		[CMD_LBR_FLUSH] = "flush", [CMD_LBR_FILTER] = "filter",
	};
	struct cmd_tok t;
	u64 core;
	u32 i;

	c->kind = kind;
	if (cmd_next(p, &t))
		return -1;
	if (kind == CMD_LBRDUMP) {
		c->core = CMD_CORE_ALL;
		if (t.kind == CMD_TOK_END)
			return 0;
		if (t.kind != CMD_TOK_WORD ||
		    !cmd_word_is(cmd_tok_s(p, &t), t.len, "core"))
			return cmd_expected(p, &t, "'core' or end of command",
					    NULL);
		if (cmd_next(p, &t))
			return -1;
		if (cmd_number(p, &t, "a core number (hex)", "core", 0,
			       0xfffffffeu, &core))
			return -1;
		c->core = (u32)core;
		c->core_col = t.off + 1;
		return cmd_end_of_command(p);
	}
	for (i = 0; t.kind == CMD_TOK_WORD && i < ARRAY_SIZE(ops); i++)
		if (cmd_word_is(cmd_tok_s(p, &t), t.len, ops[i]))
			break;
	if (t.kind != CMD_TOK_WORD || i == ARRAY_SIZE(ops))
		return cmd_expected(p, &t, "'enable', 'disable', 'flush' or "
				    "'filter'", NULL);
	c->count = i;
	if (i == CMD_LBR_FILTER)
		return parse_filter(p, c);
	return cmd_end_of_command(p);
}
