/* SPDX-License-Identifier: GPL-2.0 */
/*
 * support_diff.h - insn_len() against libcapstone, for the unit tests and
 * the benchmark.
 *
 * A struct insn_diff counts compared/agreed instructions for one mode and
 * groups disagreements into classes (map, opcode, our length, capstone's
 * length), keeping the first byte string of each.  Classes matching a
 * documented capstone-4 defect (insn_diff_known()) are counted apart.
 */
#ifndef HVGDB_TEST_INSN_DIFF_H
#define HVGDB_TEST_INSN_DIFF_H

#include <stdio.h>
#include <capstone/capstone.h>
#include "hvgdb/freestanding.h"

#define INSN_DIFF_CLASSES	2048

/* Documented capstone-4 defects; insn_diff_bugs[] says what each is. */
enum {
	INSN_BUG_NONE,
	INSN_BUG_UD01,
	INSN_BUG_BRANCH66,
	INSN_BUG_RETW,
	INSN_BUG_66ORDER,
	INSN_BUG_VEXPFX,
	INSN_BUG_EVEXRC,
	INSN_DIFF_NBUGS,
};
extern const char *const insn_diff_bugs[INSN_DIFF_NBUGS];

struct insn_diff_class {
	char key[80];		/* "64 0F 84 66 ours=7 cs=5" */
	int known;		/* INSN_BUG_* it matches, or 0 */
	bool rejected;		/* capstone rejected, we gave a length */
	u8 bytes[16];
	unsigned int nbytes;
	char text[200];		/* capstone's rendering of the example */
	unsigned long count;
};

struct insn_diff {
	csh cs;
	int mode;
	unsigned long compared;		/* capstone decoded */
	unsigned long agreed;
	unsigned long known;		/* disagreed, documented capstone bug */
	unsigned long known_by[INSN_DIFF_NBUGS];
	unsigned long cs_rejects;	/* capstone failed to decode */
	unsigned long cs_rejects_ours_ok; /* ... but we returned a length */
	unsigned long class_overflow;
	unsigned long reject_overflow;
	unsigned int nclasses;
	struct insn_diff_class classes[INSN_DIFF_CLASSES];
	unsigned int nrejects;		/* capstone rejects we size, by opcode */
	struct insn_diff_class rejects[INSN_DIFF_CLASSES];
	/* Up to maxheld of those byte strings, for a second opinion. */
	u8 (*held)[16];
	unsigned int nheld, maxheld;
};

/* What objdump (binutils) says of the held byte strings. */
struct insn_objdump {
	unsigned long checked, agreed, objdump_bad, disagreed;
	unsigned long prefix_only;	/* objdump split off a stray prefix */
	unsigned long fwait_merged;	/* objdump joined FWAIT to an x87 op */
};

int insn_diff_init(struct insn_diff *d, int mode);

/* Keep up to max byte strings capstone rejects and we size. */
int insn_diff_hold(struct insn_diff *d, unsigned int max);

/*
 * Run objdump over the held strings (each alone in a 32-byte slot padded
 * with NOPs, so its linear sweep resyncs before the next) and compare its
 * length with ours; print up to max_show disagreements.  Returns -1 and
 * sets *why when objdump cannot be run.
 */
int insn_objdump_check(const struct insn_diff *d, struct insn_objdump *r,
		       unsigned int max_show, FILE *f, const char **why);

/* objdump's own linear sweep over code[0..size), compared with insn_len
 * at every instruction start it reports; counts add into *r. */
int insn_objdump_sweep(const u8 *code, size_t size, int mode,
		       struct insn_objdump *r, unsigned int max_show, FILE *f,
		       const char **why);
void insn_diff_fini(struct insn_diff *d);

/* Compare at code[0..avail) when capstone decodes it; returns capstone's
 * length, or 0 if capstone rejects the bytes. */
unsigned int insn_diff_one(struct insn_diff *d, const u8 *code, size_t avail);

/* Linear capstone sweep of a code buffer (skip a byte where capstone
 * fails), comparing at every instruction start. */
void insn_diff_sweep(struct insn_diff *d, const u8 *code, size_t size);

/* Agreement in parts per million, over compared minus known bugs. */
unsigned long insn_diff_ppm(const struct insn_diff *d);
/* Figures, every disagreement class, and the max_rejects largest classes
 * of inputs capstone rejects but we size. */
void insn_diff_report(const struct insn_diff *d, const char *title,
		      unsigned int max_rejects, FILE *f);

/* Kernel .text as written by extract_text.py; NULL and *why set if absent.
 * Caller frees *code. */
u8 *insn_ktext_load(size_t *size, u64 *vaddr, const char **why);

/* Copy of the .text section of the ELF file at path; *bits is 32 or 64.
 * NULL and *why set if absent or not ELF.  Caller frees. */
u8 *insn_elf_text(const char *path, size_t *size, int *bits,
		  const char **why);

/* Deterministic xorshift64* stream for the random-bytes corpus. */
u64 insn_rand_next(u64 *state);

#endif
