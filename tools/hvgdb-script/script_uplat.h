/* SPDX-License-Identifier: GPL-2.0 */
/*
 * script_uplat.h - a user-space platform for the script evaluator: plain
 * register and pseudo-register arrays, a memory model made of a few byte
 * regions (physical addresses are identity-mapped onto the same regions),
 * per-CPU locals for one CPU, globals, an output capture and a log of
 * event-control requests.  Used by hvgdb-script, the unit tests, the fuzz
 * harness and the benchmark.
 */
#ifndef HVGDB_SCRIPT_UPLAT_H
#define HVGDB_SCRIPT_UPLAT_H

#include "monitor-cmds/script.h"

#define UPLAT_MAX_REGIONS	16
#define UPLAT_OUT_MAX		8192
#define UPLAT_MAX_TESTS		256
#define UPLAT_MAX_EVENTS	32

struct uplat_region {
	u64 base;
	u32 size;
	bool readonly;
	u8 *data;		/* caller-owned */
};

struct uplat_event {
	u32 op;
	u64 a, b, c;
};

struct uplat {
	u64 regs[SCRIPT_REG_COUNT];
	u64 pseudo[SCRIPT_PS_COUNT];
	struct uplat_region regions[UPLAT_MAX_REGIONS];
	u32 n_regions;
	u64 locals[SCRIPT_MAX_LOCALS];
	u64 globals[SCRIPT_MAX_GLOBALS];
	/* output: captured here unless write_fn is set */
	void (*write_fn)(void *arg, const char *s, u32 len);
	void *write_arg;
	char out[UPLAT_OUT_MAX];
	u32 out_len;
	u64 tests[UPLAT_MAX_TESTS];
	u32 n_tests;
	bool capture_tests;	/* test_statement into tests[], not output */
	struct uplat_event events[UPLAT_MAX_EVENTS];
	u32 n_events;
	u64 tsc;		/* rdtsc returns tsc, then adds 100 */
	u64 slept_us;
	u32 mem_reads, mem_faults;
};

extern const struct script_ops uplat_ops;

void uplat_init(struct uplat *u);
/* Adds a region; false when the table is full or it overlaps another. */
bool uplat_add_region(struct uplat *u, u64 base, u8 *data, u32 size,
		      bool readonly);

#endif /* HVGDB_SCRIPT_UPLAT_H */
