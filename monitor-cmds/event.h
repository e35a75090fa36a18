/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event.h - the event table behind `monitor !msrread ...` and friends.
 *
 * Contract: every table lives in a struct the caller owns, backed by arrays
 * the caller provides (event slots, a text arena for the commands as typed).
 * Nothing here allocates; the kernel module changes the table only while
 * every CPU is halted, then recomputes the intercepts (event_intercepts.h)
 * and loads them on every CPU before it resumes.  event_match() is the only
 * function meant for VMX root at exit time: it reads the table, never
 * writes it.  Ids are handed out in increasing order and never reused
 * within a session; the slot array is kept in id order.
 *
 * Semantics are HyperDbg's (docs.hyperdbg.org, "Extension Commands" and
 * "Event calling stage" / "Event short-circuiting"); see docs/commands.md.
 */
#ifndef HVGDB_EVENT_H
#define HVGDB_EVENT_H

#include "hvgdb/freestanding.h"

enum event_type {
	EVENT_NONE = 0,
	EVENT_MSRREAD,
	EVENT_MSRWRITE,
	EVENT_CPUID,
	EVENT_TSC,
	EVENT_PMC,
	EVENT_IOIN,
	EVENT_IOOUT,
	EVENT_DR,
	EVENT_VMCALL,
	EVENT_XSETBV,
	EVENT_CRWRITE,
	EVENT_EXCEPTION,
	EVENT_INTERRUPT,
	EVENT_SYSCALL,		/* decides SYSCALL by reading 0F 05 at RIP */
	EVENT_SYSCALL2,		/* decides by RIP being a user address */
	EVENT_SYSRET,		/* decides by reading 48 0F 07 at RIP */
	EVENT_SYSRET2,		/* decides by RIP being a kernel address */
	EVENT_MONITOR,		/* EPT: an access to a watched range; fired
				 * by id (event_exit.key), see cmd_monitor.c */
	EVENT_EPTHOOK,		/* a hidden breakpoint: arg the address */
	EVENT_EPTHOOK2,		/* arg: the hooked address (a detour, kmod/
				 * events/mon_epthook2.c); key = context = it */
	EVENT_MODE,		/* !mode: arg = EVENT_MODE_U | EVENT_MODE_K */
	EVENT_TYPE_COUNT
};

/* !mode's argument (event_spec.arg): which transitions fire; at an exit
 * the key is the $context, 3 (kernel to user) or 0 (user to kernel). */
#define EVENT_MODE_U		1u
#define EVENT_MODE_K		2u

enum event_stage {
	EVENT_STAGE_PRE = 0,	/* default: before the instruction is emulated */
	EVENT_STAGE_POST = 1,
	EVENT_STAGE_ALL = 2,	/* only in an event's options, never an exit */
};

/* A span of text: offset and length into the buffer it was parsed from
 * (or, once stored, into the event's own copy of its command). */
struct event_span {
	u32 off;
	u32 len;
};

/* `steps N` bound: SCRIPT_MAX_STEPS of script.h (hard bound, VMX root) */
#define EVENT_STEPS_MAX	16000000

/* Everything a command line says about one event. */
struct event_spec {
	enum event_type type;
	bool has_arg;		/* [msr] [leaf] [port] [vector] [num] [xcr] */
	u64 arg;		/* for !crwrite: the CR number, always set */
	u64 mask;		/* !crwrite: bits of interest, default ~0 */
	bool has_pid;
	u32 pid;		/* Linux tgid of current on the trapping CPU */
	bool has_core;
	u32 core;
	bool imm;		/* default true */
	bool sc;		/* short-circuit, default false */
	enum event_stage stage;
	u32 buffer_size;	/* `buffer N`, 0 when absent */
	u32 steps;		/* `steps N`: script budget, 0 = default */
	struct event_span script;	/* inside the braces; len 0 = none */
	struct event_span condition;
	struct event_span output;	/* trimmed name */
	bool has_script;
	bool has_condition;
	bool has_output;
	/* !monitor: [mon_from, mon_to] (inclusive, as HyperDbg), the
	 * accesses (EVENT_MON_R/W/X) and whether the range is physical. */
	u64 mon_from, mon_to;
	u8 mon_acc;
	bool mon_phys;
};

/* !monitor access bits, the EPT permission bits (SDM Vol. 3C 29.3.2). */
#define EVENT_MON_R	1u
#define EVENT_MON_W	2u
#define EVENT_MON_X	4u

struct event {
	u32 id;
	bool enabled;
	struct event_spec spec;	/* spans are relative to text_off */
	u32 text_off;		/* the command as typed, in the text arena */
	u32 text_len;
	u32 buf_off;		/* `buffer N`: its bytes in the buffer pool */
	u32 buf_len;		/* N rounded up to 8; 0 = no buffer */
	void *script_prog;	/* handles from the script ops, or NULL */
	void *cond_prog;
};

/*
 * Script compile hook, supplied by the script engine.  compile() turns
 * text[0..len) into a program handle; on error it returns non-zero, writes
 * a message to msg and the 0-based offset of the error in text to *err_off.
 * release() gives a handle back.  Both run while the system is halted.
 */
struct event_script_ops {
	int (*compile)(void *ctx, const char *text, size_t len,
		       bool is_condition, void **prog,
		       char *msg, size_t msg_cap, size_t *err_off);
	void (*release)(void *ctx, void *prog);
	void *ctx;
};

/* What the module knows at an exit; see event_match(). */
struct event_exit {
	enum event_type type;	/* SYSCALL2/SYSRET2 are folded into
				 * SYSCALL/SYSRET: either kind matches both */
	u64 key;		/* what [arg] filters on: MSR, leaf, port,
				 * vector, syscall number, XCR, CR number;
				 * !monitor: the id of the one event hit */
	u64 aux;		/* !ioin/!ioout: access size in bytes;
				 * !crwrite: bits changed (new ^ shadow);
				 * #PF: CR2; !monitor: the access (R/W/X) */
	u64 context;		/* $context (see docs/commands.md) */
	u32 tgid;
	u32 cpu;
	enum event_stage stage;	/* PRE or POST */
};

struct event_table {
	struct event *ev;	/* slots 0..count-1 in increasing id order */
	u32 cap;
	u32 count;
	char *text;		/* arena of stored command texts, compacted */
	u32 text_cap;
	u32 text_used;
	u8 *data;		/* pool for `buffer N`, compacted like text */
	u32 data_cap;
	u32 data_used;
	u32 next_id;
	u32 generation;		/* bumped on every change of the enabled set */
	const struct event_script_ops *ops;	/* NULL: no script engine */
	/* Requests that must be served outside VMX root (see `prealloc`). */
	u32 want_events;	/* extra event slots asked for, 0 = none */
	u32 want_text;		/* extra text arena bytes asked for */
	u32 want_data;		/* extra buffer pool bytes asked for */
	/* The event that caused the current stop, for `events sc on|off`. */
	bool stopped_by_event;
	u32 stop_event_id;
	bool stop_sc;		/* set by `events sc on` at that stop */
	enum event_type stop_type;	/* the firing's event type and exit, */
	struct event_exit stop_exit;	/* for `stop` (cmd_exec.c) */
	/* `settings autoflush on`: `events d|c` send the batched output of
	 * `imm no` events first (cmd_settings.c). */
	bool autoflush;
	/* Output sources `output {NAME}` may name (event_forward.h); NULL:
	 * none exist. */
	const struct event_outputs *outputs;
};

/* Error codes, also the reasons add() refuses. */
#define EVENT_OK		0
#define EVENT_ERR_FULL		(-1)	/* no free event slot */
#define EVENT_ERR_TEXT_FULL	(-2)	/* text arena cannot hold the command */
#define EVENT_ERR_NO_ID		(-3)	/* 2^32 ids used in this session */
#define EVENT_ERR_NOT_FOUND	(-4)
#define EVENT_ERR_DATA_FULL	(-5)	/* buffer pool cannot hold `buffer N` */

void event_table_init(struct event_table *t, struct event *slots, u32 cap,
		      char *text, u32 text_cap,
		      const struct event_script_ops *ops);

/*
 * Move the table into larger caller-provided arrays (the answer to a
 * `prealloc` request, allocated by the module outside VMX root).  Returns 0,
 * or EVENT_ERR_FULL / EVENT_ERR_TEXT_FULL if the new arrays are smaller
 * than what is in use.  The old arrays are no longer referenced after
 * success and may be freed by the caller.
 */
int event_table_grow(struct event_table *t, struct event *slots, u32 cap,
		     char *text, u32 text_cap);

/*
 * The pool behind `buffer N` ($buffer in scripts), NULL/0 for none.  Like
 * the text arena it is compacted when an event is cleared, so a buffer may
 * move (contents kept) while the system is halted: scripts must reach it
 * through $buffer at each firing, not keep its address.
 */
void event_table_set_data(struct event_table *t, u8 *data, u32 data_cap);
/* As event_table_grow(), for the buffer pool (`prealloc buffer N`). */
int event_table_grow_data(struct event_table *t, u8 *data, u32 data_cap);

/* Does the table have room for a command of text_len bytes that asks for
 * a buffer of buffer_size bytes? */
int event_table_room(const struct event_table *t, u32 text_len,
		     u32 buffer_size);

/*
 * Add an enabled event: spec's spans are relative to text[0..text_len),
 * which is copied into the arena.  Programs already compiled are owned by
 * the table from here on.  On success *id is the new id.
 */
int event_table_add(struct event_table *t, const struct event_spec *spec,
		    const char *text, u32 text_len, void *script_prog,
		    void *cond_prog, u32 *id);

struct event *event_table_find(struct event_table *t, u32 id);
int event_table_enable(struct event_table *t, u32 id, bool on);
void event_table_enable_all(struct event_table *t, bool on);
/* Clearing releases the event's programs and removes it at once. */
int event_table_clear(struct event_table *t, u32 id);
void event_table_clear_all(struct event_table *t);

/* The event's `buffer N` bytes (zeroed when added), or NULL. */
static inline u8 *event_buffer(const struct event_table *t,
			       const struct event *ev)
{
	return ev->buf_len ? t->data + ev->buf_off : NULL;
}

/* The stored command text of ev. */
static inline const char *event_text(const struct event_table *t,
				     const struct event *ev)
{
	return t->text + ev->text_off;
}

/*
 * The enabled events that fire for x, in id order: at most max pointers are
 * stored in out; the return value is the total number that fire.
 */
u32 event_match(const struct event_table *t, const struct event_exit *x,
		const struct event **out, u32 max);
/*
 * The same, for the events with an id above after_id only, stopping at
 * max: returns how many were stored.  A caller that acts on a window of
 * matches (and may change the table meanwhile) asks again after the last
 * id it handled, until 0 comes back.
 */
u32 event_match_after(const struct event_table *t, const struct event_exit *x,
		      u32 after_id, const struct event **out, u32 max);

/* True when HyperDbg's default exclusions keep msr out of an `all MSRs`
 * event of type EVENT_MSRREAD / EVENT_MSRWRITE. */
bool event_msr_excluded(enum event_type type, u32 msr);

/* Command name of a type, with the '!': "!msrread". */
const char *event_type_name(enum event_type type);

/*
 * The line printed when an event fires (an O packet for gdb), e.g.
 *   event 0x3 !msrwrite context=0xc0000080 stage=pre core=0x1 pid=0x1f4
 * with " cr2=0x..." appended for #PF.  Ends in '\n'.  Returns the length
 * written (the text is truncated to fit cap, always NUL-terminated).
 * event_format_hit_of() takes the event's id and type instead of the
 * event (`stop`, when the event may be gone).
 */
size_t event_format_hit_of(char *buf, size_t cap, u32 id, enum event_type type,
			   const struct event_exit *x);
size_t event_format_hit(char *buf, size_t cap, const struct event *ev,
			const struct event_exit *x);

/* "<id> (enabled|disabled) <command>\n" for one event. */
size_t event_format_list_line(char *buf, size_t cap,
			      const struct event_table *t,
			      const struct event *ev);

#endif /* HVGDB_EVENT_H */
