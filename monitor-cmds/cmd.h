/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h - lexer and parser for one `monitor` command line.
 *
 * Contract: cmd_parse() reads line[0..len) as gdb passed it (qRcmd text,
 * verbatim) and fills a struct cmd_parsed whose spans point into that line;
 * it changes nothing else.  On error it returns -1 and fills a cmd_error
 * with the 1-based column and a message saying what was expected.  Syntax
 * is HyperDbg's: numbers hex by default (0x hex, 0n decimal, 0t octal,
 * 0y binary, ` as a digit separator), options in any order, {...} blocks
 * that nest and skip braces inside "strings" and comments.  Command and
 * keyword names are case-insensitive; the '!' of event commands is
 * optional.  docs/commands.md is the reference.
 */
#ifndef HVGDB_CMD_H
#define HVGDB_CMD_H

#include "hvgdb/freestanding.h"
#include "event.h"

enum cmd_kind {
	CMD_EVENT,		/* !msrread ...: spec */
	CMD_EVENTS_LIST,	/* events */
	CMD_EVENTS_ENABLE,	/* events e <id|all>: all / id */
	CMD_EVENTS_DISABLE,	/* events d <id|all> */
	CMD_EVENTS_CLEAR,	/* events c <id|all> */
	CMD_EVENTS_SC,		/* events sc on|off: on */
	CMD_HELP,		/* .help / help [topic] */
	CMD_PREALLOC,		/* prealloc [regular-event] <count>,
				 * prealloc buffer <bytes>: buffer_pool */
	CMD_FLUSH,		/* flush */
	CMD_STOP,		/* stop: no fields (the event of this stop) */
	CMD_SETTINGS,		/* settings [name [value]]: setting (index in
				 * cmd_settings.h, CMD_SETTING_ALL alone),
				 * set, on */
	/* Run by the host on gdb's selected CPU (hvgdb.ko: kmod/events/
	 * mon.c), not by cmd_execute(), which answers CMD_REQ_HOST: */
	CMD_EVAL,		/* ? {script} | ? statement: script */
	CMD_PRINT,		/* print expr: script is the expression */
	CMD_PREALLOC_SHOW,	/* prealloc (alone): show the pools */
	CMD_PREALLOC_SCRIPT,	/* prealloc script <count>: count */
	CMD_PREALLOC_MONITOR,	/* prealloc monitor <count>: count (pages) */
	CMD_PREALLOC_EPTHOOK,	/* prealloc epthook <count>: count */
	CMD_PREALLOC_EPTHOOK2,	/* prealloc epthook2 <count>: count */
	/* HyperDbg's inspection commands (cmd_inspect.c), run by the host at
	 * a stop; numbers are hex as in HyperDbg: */
	CMD_RDMSR,		/* rdmsr msr [core n]: msr, core */
	CMD_WRMSR,		/* wrmsr msr value [core n]: msr, value, core */
	CMD_VA2PA,		/* !va2pa va [core n]: addr, core */
	CMD_PA2VA,		/* !pa2va pa: addr */
	CMD_PTE,		/* !pte va [core n]: addr, core */
	CMD_PHYS_DUMP,		/* !db|!dc|!dd|!dq pa [l n]: addr, length,
				 * unit (1, 4, 8), ascii (!db, !dc) */
	CMD_PHYS_EDIT,		/* !eb|!ed|!eq pa v [v ...]: addr, unit,
				 * values[nvalues] */
	CMD_CPU,		/* cpu: no fields (the VMX capabilities) */
	CMD_STATUS,		/* status: no fields (the debuggee's state) */
	CMD_CPUS,		/* cpus: no fields (each CPU and its task) */
	CMD_SEARCH,		/* sb|sd|sq and !sb|!sd|!sq from to|l n
				 * v [v ...]: addr, span, unit, phys,
				 * values[nvalues] (the pattern) */
	CMD_IDT,		/* !idt [vector]: all, or addr (cmd_intr.h) */
	CMD_APIC,		/* !apic: the selected CPU's local APIC */
	CMD_IOAPIC,		/* !ioapic: no fields */
	/* QEMU's monitor, for the tools that probe for it (docs/
	 * qemu-dialect.md); answered by cmd_execute() itself: */
	CMD_INFO_VERSION,	/* info version: no fields */
	CMD_INFO_REGISTERS,	/* info registers: run by the host on gdb's
				 * selected CPU, in QEMU's layout */
	CMD_INFO_MEM,		/* info mem: the same, QEMU's mapped ranges */
	CMD_INFO_TLB,		/* info tlb: the same, QEMU's page list */
	CMD_XP,			/* xp /fmt addr: addr, unit (1, 2, 4, 8;
				 * 1 for format c), length (count * size),
				 * count (bytes per line), format */
	CMD_PCITREE,		/* !pcitree: no fields */
	CMD_PCICAM,		/* !pcicam b d f [x] [l n]: bus, dev, fn,
				 * raw, length (cmd_pci.c) */
	/* Kernel objects (cmd_kobj.c), run by the host at a stop: kobj */
	CMD_LM,			/* lm [m name] [km] */
	CMD_PROCESS,		/* .process [list | pid p | process a] */
	CMD_THREAD,		/* .thread [list [process a]] */
	CMD_OUTPUT,		/* .output [create name | spool path|off |
				 * tap on|off]: output_op, output_arg */
	CMD_PREACTIVATE,	/* preactivate mode: run by the host (!mode's
				 * mechanism, kmod/events/mon_mode.c) */
	CMD_TRACK,		/* !track [tree|reg] [count]: on (reg),
				 * value (count) when set (cmd_track.h) */
	CMD_LBR,		/* !lbr op [options]: count, value */
	CMD_LBRDUMP,		/* !lbrdump [core n]: core (cmd_lbr.h) */
};

/* lm, .process, .thread: what to do (cmd_kobj.h). */
enum cmd_kobj_op {
	CMD_KOBJ_SHOW,		/* .process, .thread: the current one */
	CMD_KOBJ_LIST,		/* .process list, .thread list, lm */
	CMD_KOBJ_PID,		/* .process pid p: id */
	CMD_KOBJ_OBJECT,	/* .process process a, .thread list process
				 * a: id is the task_struct address */
};

struct cmd_kobj {
	enum cmd_kobj_op op;
	u64 id;
	u32 id_col;		/* column of id, 0 if none */
	/* lm m name: a copy (a module name has at most 55 characters);
	 * name_len 0 = every module. */
	char name[56];
	u32 name_len;
};

/* The reply to `info version` (QEMU prints its version; Linux's
 * scripts/gdb only needs an answer to take the stub for QEMU's, whose
 * thread N is CPU N-1, as hvgdb's). */
#define CMD_INFO_VERSION_TEXT \
	"hvgdb: VT-x debugger for Linux; answers QEMU's gdbstub dialect " \
	"(docs/qemu-dialect.md)\n"

/* core of rdmsr/wrmsr when none is named: every CPU, as in HyperDbg. */
#define CMD_CORE_ALL		0xffffffffu
/* !db ... without `l`: HyperDbg's 0x80 bytes; at most CMD_DUMP_MAX. */
#define CMD_DUMP_DEFAULT	0x80u
#define CMD_DUMP_MAX		0x10000u
/* Values one !eb/!ed/!eq takes, and the values of a search pattern. */
#define CMD_EDIT_MAX		32u
/* The longest range one search covers: RSP_SEARCH_MAX (gdbstub/
 * rsp_search.h), which runs both the monitor's searches and gdb's find. */
#define CMD_SEARCH_MAX		0x10000000ull

struct cmd_parsed {
	enum cmd_kind kind;
	struct event_span text;	/* the command without outer blanks (and
				 * without a `.kv` prefix) */
	bool kv;		/* `.kv COMMAND`: answer as records (cmd_kv.h) */
	struct event_spec spec;	/* CMD_EVENT; spans relative to line */
	bool all;		/* events e|d|c all */
	u32 id;
	u32 id_col;		/* column of the id (events sc: of 'sc'),
				 * for errors found when applying */
	bool on;		/* events sc on */
	u32 count;		/* prealloc */
	bool buffer_pool;	/* prealloc buffer: count is in bytes */
	struct event_span topic;	/* help topic, len 0 = none */
	u32 topic_col;
	/* CMD_EVAL: the script (without the braces of `? {...}`); CMD_PRINT:
	 * the expression.  Never empty.  A compile error at byte k of it is
	 * at column script.off + k + 1. */
	struct event_span script;
	/* Inspection commands (see the kinds above). */
	u64 addr;
	u64 value;
	u32 msr;
	u32 core;		/* CMD_CORE_ALL or a CPU number (rdmsr,
				 * wrmsr; !va2pa and !pte: CMD_CORE_ALL
				 * for gdb's selected CPU; 0 for others) */
	u32 core_col;		/* column of the core number, 0 if none */
	u32 addr_col;		/* column of the address */
	u32 length;		/* bytes: multiple of unit, 1..CMD_DUMP_MAX */
	u8 unit;		/* 1, 4 or 8 */
	bool ascii;
	u32 nvalues;
	u64 values[CMD_EDIT_MAX];	/* each fits in unit bytes */
	u64 span;		/* search: bytes from addr, 1..CMD_SEARCH_MAX */
	u32 setting;		/* settings: which one (cmd_settings.h) */
	char format;		/* xp: x, d, u, o or c */
	bool set;		/* settings: a value was given (in on) */
	bool phys;		/* search: !sb/!sd/!sq (physical memory) */
	/* !pcicam: the function, `x` (raw), length (bytes: 0x40 decoded,
	 * else 0x100 or `l`), and the columns of each, for the host. */
	u8 bus, dev, fn;
	bool raw;
	u32 bus_col, dev_col, fn_col, length_col;
	struct cmd_kobj kobj;	/* CMD_LM, CMD_PROCESS, CMD_THREAD */
	u8 output_op;		/* CMD_OUTPUT: CMD_OUTPUT_* (cmd_output.h) */
	struct event_span output_arg;	/* its name or path (len 0: off) */
};

#define CMD_ERR_MSG 128

struct cmd_error {
	u32 col;		/* 1-based; len + 1 means "at end of line" */
	char msg[CMD_ERR_MSG];
};

/* Largest `prealloc` count and `buffer` size accepted. */
#define CMD_PREALLOC_MAX	0x1000u
#define CMD_PREALLOC_DATA_MAX	0x1000000u	/* prealloc buffer */
#define CMD_BUFFER_MAX		0x100000u
/* Largest `prealloc script` count: the host's cap on script programs. */
#define CMD_PREALLOC_SCRIPT_MAX	0x200u
/* prealloc epthook: hooked pages (shadow pages) in all, BPTAB_MAX_PAGES */
#define CMD_PREALLOC_EPTHOOK_MAX	0x100u
/* Largest `prealloc epthook2` count: the host's trampoline slots. */
#define CMD_PREALLOC_EPTHOOK2_MAX	0x100u

/*
 * `print expr` runs the script "print(expr);": cmd_print_script() writes
 * it into buf (at least CMD_PRINT_SRC bytes; the result is not
 * NUL-terminated) and returns its length.  Byte k of the expression is
 * byte CMD_PRINT_SHIFT + k of the script.  The parser refuses expressions
 * longer than CMD_PRINT_EXPR_MAX, so they always fit.
 */
#define CMD_PRINT_SRC		1024u
#define CMD_PRINT_SHIFT		6u	/* strlen("print(") */
#define CMD_PRINT_EXPR_MAX	(CMD_PRINT_SRC - 10u)
u32 cmd_print_script(const char *line, const struct cmd_parsed *c, char *buf,
		     size_t cap);

int cmd_parse(const char *line, size_t len, struct cmd_parsed *out,
	      struct cmd_error *err);

/* Number parsing as the command language does it (also for tests).
 * Returns 0, or one of the CMD_NUM_ERR_* codes. */
#define CMD_NUM_ERR_DIGIT	(-1)	/* a character not valid in the base */
#define CMD_NUM_ERR_RANGE	(-2)	/* more than 64 bits */
#define CMD_NUM_ERR_EMPTY	(-3)	/* prefix without digits */
int cmd_parse_number(const char *s, size_t len, u64 *val);

/* Lexer, shared with the fuzz target. */
enum cmd_tok_kind { CMD_TOK_END, CMD_TOK_WORD, CMD_TOK_BLOCK };

struct cmd_tok {
	enum cmd_tok_kind kind;
	u32 off;		/* WORD: the word; BLOCK: the '{' */
	u32 len;		/* WORD: its length; BLOCK: through the '}' */
};

struct cmd_lex {
	const char *s;
	u32 len;
	u32 pos;
};

void cmd_lex_init(struct cmd_lex *lx, const char *s, u32 len);
int cmd_lex_next(struct cmd_lex *lx, struct cmd_tok *tok,
		 struct cmd_error *err);

/* Case-insensitive compare of s[0..n) with the NUL-terminated word w. */
bool cmd_word_is(const char *s, size_t n, const char *w);

#endif /* HVGDB_CMD_H */
