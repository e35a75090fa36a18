// SPDX-License-Identifier: GPL-2.0
/*
 * pgwalk_fuzz.c - libFuzzer target for the guest page walker.
 *
 * Input: 16 header bytes (CR3, a flag byte for LA57/PCIDE/NXE/LMA/PG and
 * the memory model, MAXPHYADDR, the VA count), up to 8 VAs of 8 bytes,
 * then the simulated physical memory.  The memory is either strict
 * (addresses past its end fail) or folded (every address wraps into it,
 * so random entries lead to deep walks), optionally with address bits
 * 62:32 of every word cleared so most entries are valid.  Checked on
 * every input:
 *  - every table access is one 8-byte, 8-aligned read below 2^MAXPHYADDR,
 *    at most 5 per walk (so the walk terminates);
 *  - results agree with an independent reference walk written here;
 *  - a success maps the page offset through unchanged, with a page size
 *    that matches the level;
 *  - pgwalk_read_virt returns exactly the bytes a byte-by-byte walk
 *    finds, stops where that walk first fails, and writes no further;
 *  - writing back what was read leaves memory unchanged;
 *  - a write that reports 0 bytes left memory unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kmod/lib/pgwalk.h"

#define FZ_MAX_VA	8
#define FZ_MAX_READ	80

struct fz_mem {
	u8 *mem;
	size_t len;
	bool fold;
	unsigned int table_reads;
	bool in_walk;
	u64 pa_limit;
};

/* The failing line goes to stderr: libFuzzer's trace has no inlined frames. */
#define fz_check(ok) do {						\
		if (!(ok)) {						\
			fprintf(stderr, "pgwalk_fuzz: check failed at line %d\n", \
				__LINE__);				\
			abort();					\
		}							\
	} while (0)

/* The byte at physical @pa, or -1 if the memory model has none. */
static int fz_byte(const struct fz_mem *m, u64 pa)
{
	if (pa < m->len)
		return m->mem[pa];
	if (!m->fold)
		return -1;
	return m->mem[pa % m->len];
}

static int fz_read(void *opaque, u64 pa, void *buf, size_t len)
{
	struct fz_mem *m = opaque;
	u8 *b = buf;
	size_t i;

	if (m->in_walk) {
		fz_check(len == 8 && (pa & 7) == 0 && pa < m->pa_limit);
		m->table_reads++;
		fz_check(m->table_reads <= PGWALK_MAX_LEVELS);
	}
	fz_check(len <= FZ_MAX_READ);
	for (i = 0; i < len; i++) {
		int v = fz_byte(m, pa + i);

		if (v < 0)
			return -1;
		b[i] = (u8)v;
	}
	return 0;
}

static int fz_write(void *opaque, u64 pa, const void *buf, size_t len)
{
	struct fz_mem *m = opaque;
	const u8 *b = buf;
	size_t i;

	fz_check(len <= FZ_MAX_READ);
	for (i = 0; i < len; i++)
		if (fz_byte(m, pa + i) < 0)
			return -1;
	for (i = 0; i < len; i++)
		m->mem[(pa + i) % m->len] = b[i];
	return 0;
}

/* Reference: the SDM 4.5 walk restated independently of pgwalk.c. */
static int ref_walk(const struct pgwalk_ctx *c, const struct fz_mem *m,
		    u64 va, u64 *pa, struct pgwalk_info *ri)
{
	unsigned int pb = c->max_phys_bits;
	int top, lvl, i;
	u64 addr_mask, tbl, width;
	bool nxe = c->efer & PGWALK_EFER_NXE;

	memset(ri, 0, sizeof(*ri));
	ri->writable = ri->user = true;
	if (pb == 0 || pb > 52)
		pb = 52;
	if (pb < 32)
		pb = 32;
	addr_mask = ((1ULL << pb) - 1) & ~0xfffULL;
	if (!(c->cr0 >> 31 & 1) || !(c->cr4 >> 5 & 1) || !(c->efer >> 10 & 1))
		return PGWALK_ERR_MODE;
	top = (c->cr4 >> 12 & 1) ? 5 : 4;
	width = 12 + 9 * top;
	/* Canonical: bits 63..width-1 are all copies of bit width-1. */
	{
		u64 hi = va >> (width - 1);

		if (hi != 0 && hi != (~0ULL >> (width - 1)))
			return PGWALK_ERR_NONCANONICAL;
	}
	tbl = c->cr3 & addr_mask;
	for (lvl = top; lvl > 0; lvl--) {
		u64 e = 0, eaddr = tbl + ((va >> (9 * lvl)) & 0xff8);
		u64 size = 1ULL << (3 + 9 * lvl);
		bool leaf;

		ri->level = (u8)lvl;
		for (i = 0; i < 8; i++) {
			int v = fz_byte(m, eaddr + i);

			if (v < 0)
				return PGWALK_ERR_PHYS;
			e |= (u64)v << (8 * i);
		}
		if (!(e & 1))
			return PGWALK_ERR_NOT_PRESENT;
		leaf = lvl == 1 || (lvl < 4 && (e & 0x80));
		if ((e >> pb) & ((1ULL << (52 - pb)) - 1))
			return PGWALK_ERR_RESERVED;
		if ((e >> 63) && !nxe)
			return PGWALK_ERR_RESERVED;
		if (lvl >= 4 && (e & 0x80))
			return PGWALK_ERR_RESERVED;
		if (leaf && lvl > 1 && (e & (size - 1) & ~0x1fffULL))
			return PGWALK_ERR_RESERVED;
		ri->writable &= (e >> 1) & 1;
		ri->user &= (e >> 2) & 1;
		ri->nx |= nxe && (e >> 63);
		if (leaf) {
			ri->page_size = size;
			*pa = (e & addr_mask & ~(size - 1)) | (va & (size - 1));
			return PGWALK_OK;
		}
		tbl = e & addr_mask;
	}
	return -1;
}

static void fz_one(struct pgwalk_ctx *c, struct fz_mem *m, u64 va)
{
	struct pgwalk_info info, ri;
	u64 pa = 0, rpa = 0;
	int rc, rr, err;
	u8 *buf, *again;
	size_t len = 1 + (va >> 3) % FZ_MAX_READ, done, i;

	m->table_reads = 0;
	m->in_walk = true;
	rc = pgwalk_translate(c, va, &pa, &info);
	m->in_walk = false;
	rr = ref_walk(c, m, va, &rpa, &ri);
	fz_check(rc == rr);
	fz_check(rc == PGWALK_OK || info.level == ri.level ||
		 rc == PGWALK_ERR_NONCANONICAL || rc == PGWALK_ERR_MODE);
	if (rc == PGWALK_OK) {
		fz_check(pa == rpa);
		fz_check(info.level >= 1 && info.level <= 3);
		fz_check(info.page_size == 1ULL << (12 + 9 * (info.level - 1)));
		fz_check(info.page_size == ri.page_size);
		fz_check((pa & (info.page_size - 1)) ==
			 (va & (info.page_size - 1)));
		fz_check(pa < m->pa_limit);
		fz_check(info.writable == ri.writable && info.user == ri.user &&
			 info.nx == ri.nx);
	}

	/* Exactly @len bytes on the heap: ASan flags any write past them. */
	buf = malloc(len);
	again = malloc(len);
	if (!buf || !again)
		abort();
	done = pgwalk_read_virt(c, va, buf, len, &err);
	fz_check(done <= len);
	fz_check((done == len) == (err == PGWALK_OK));
	for (i = 0; i < done; i++) {
		u64 p;

		fz_check(ref_walk(c, m, va + i, &p, &ri) == PGWALK_OK);
		fz_check(fz_byte(m, p) == buf[i]);
	}
	if (done < len) {
		u64 p;

		rr = ref_walk(c, m, va + done, &p, &ri);
		if (rr == PGWALK_OK)
			fz_check(err == PGWALK_ERR_PHYS);
		else
			fz_check(err == rr);
	}
	/* Writing the same bytes back changes nothing. */
	memcpy(again, buf, done);
	fz_check(pgwalk_write_virt(c, va, again, done, &err) == done);
	fz_check(err == PGWALK_OK);
	fz_check(pgwalk_read_virt(c, va, again, done, &err) == done);
	fz_check(memcmp(again, buf, done) == 0);
	/* A write that fails translation somewhere stores nothing. */
	{
		u8 *snap = malloc(m->len);

		if (!snap)
			abort();
		memcpy(snap, m->mem, m->len);
		memset(buf, 0xa5, len);
		done = pgwalk_write_virt(c, va, buf, len, &err);
		fz_check(done <= len && (done == len) == (err == PGWALK_OK));
		/* (Part way is possible: write_phys failing, or the write
		 * rewriting the tables it runs through.) */
		if (done == 0)
			fz_check(memcmp(snap, m->mem, m->len) == 0);
		memcpy(m->mem, snap, m->len);
		free(snap);
	}
	free(buf);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgwalk_ctx c;
	struct fz_mem m;
	u64 vas[FZ_MAX_VA];
	size_t nva, i;
	u8 flags;
	unsigned int pb;

	if (size < 16 + 8)
		return 0;
	memset(&c, 0, sizeof(c));
	memset(&m, 0, sizeof(m));
	memcpy(&c.cr3, data, 8);
	flags = data[8];
	c.max_phys_bits = data[9];
	nva = 1 + data[10] % FZ_MAX_VA;
	data += 16;
	size -= 16;
	if (size < nva * 8 + 8)
		nva = (size - 8) / 8;
	if (nva == 0)
		return 0;
	memcpy(vas, data, nva * 8);
	data += nva * 8;
	size -= nva * 8;

	c.cr0 = (flags & 0x80) ? 0 : PGWALK_CR0_PG;
	c.cr4 = PGWALK_CR4_PAE | ((flags & 1) ? PGWALK_CR4_LA57 : 0) |
		((flags & 2) ? PGWALK_CR4_PCIDE : 0);
	c.efer = ((flags & 4) ? PGWALK_EFER_NXE : 0) |
		 ((flags & 0x40) ? 0 : PGWALK_EFER_LMA | PGWALK_EFER_LME);
	c.read_phys = fz_read;
	c.write_phys = fz_write;
	c.opaque = &m;
	m.fold = flags & 8;
	m.len = size & ~(size_t)7;
	m.mem = malloc(m.len);
	if (!m.mem)
		abort();
	memcpy(m.mem, data, m.len);
	/* Tame mode: entries keep only bits 31:0 and 63, so most are
	 * free of reserved bits and random walks reach the leaves. */
	if (flags & 0x20)
		for (i = 0; i + 8 <= m.len; i += 8)
			memset(m.mem + i + 4, 0, 3);
	pb = c.max_phys_bits;
	if (pb == 0 || pb > 52)
		pb = 52;
	if (pb < 32)
		pb = 32;
	m.pa_limit = 1ULL << pb;
	/* Small inputs: point CR3 into the memory so walks get going. */
	if (flags & 0x10)
		c.cr3 %= m.len;
	for (i = 0; i < nva; i++)
		fz_one(&c, &m, vas[i]);
	free(m.mem);
	return 0;
}
