// SPDX-License-Identifier: GPL-2.0
/* pgwalk.c - IA-32e guest page walk (see pgwalk.h). */
#include "hvgdb/freestanding.h"
#include "kmod/lib/pgwalk.h"

#define PGWALK_ADDR_BITS_MAX	52

static unsigned int pgwalk_phys_bits(const struct pgwalk_ctx *ctx)
{
	unsigned int b = ctx->max_phys_bits;

	if (b == 0 || b > PGWALK_ADDR_BITS_MAX)
		return PGWALK_ADDR_BITS_MAX;
	return b < 32 ? 32 : b;
}

/*
 * SDM 4.1.1 / 4.5: IA-32e paging needs CR0.PG=1, CR4.PAE=1 and
 * EFER.LMA=1 (the VMCS guest EFER carries LMA); CR4.LA57 picks 5 levels.
 */
static int pgwalk_levels(const struct pgwalk_ctx *ctx)
{
	if (!(ctx->cr0 & PGWALK_CR0_PG) || !(ctx->cr4 & PGWALK_CR4_PAE) ||
	    !(ctx->efer & PGWALK_EFER_LMA))
		return 0;
	return (ctx->cr4 & PGWALK_CR4_LA57) ? 5 : 4;
}

/* SDM 3.3.7.1 / 4.5.1: bits 63:N-1 all equal, N = 48 or 57. */
static bool pgwalk_canonical(u64 va, int levels)
{
	unsigned int shift = 64 - (12 + 9 * levels);

	return (u64)((s64)(va << shift) >> shift) == va;
}

/*
 * Reserved bits of a present entry at @level (SDM 4.5.4, "reserved bit"
 * rows of tables 4-14 .. 4-20): address bits 51:MAXPHYADDR everywhere;
 * XD when EFER.NXE=0; PS in PML5E/PML4E; bits 29:13 of a 1 GiB PDPTE and
 * 20:13 of a 2 MiB PDE (bit 12 is PAT there).  Bits 62:52 are ignored or
 * protection keys, never reserved.
 */
static bool pgwalk_reserved(u64 e, int level, u64 phys_rsvd, bool nxe)
{
	if (e & phys_rsvd)
		return true;
	if (!nxe && (e & PGWALK_XD))
		return true;
	if (level >= 4)
		return e & PGWALK_PS;
	if (level == 3 && (e & PGWALK_PS))
		return e & 0x3fffe000ULL;
	if (level == 2 && (e & PGWALK_PS))
		return e & 0x1fe000ULL;
	return false;
}

int pgwalk_translate(const struct pgwalk_ctx *ctx, u64 va, u64 *pa,
		     struct pgwalk_info *info)
{
	struct pgwalk_info tmp;
	struct pgwalk_info *in = info ? info : &tmp;
	unsigned int pbits = pgwalk_phys_bits(ctx);
	u64 phys_mask = (1ULL << pbits) - 1;
	u64 phys_rsvd = ((1ULL << PGWALK_ADDR_BITS_MAX) - 1) & ~phys_mask;
	bool nxe = ctx->efer & PGWALK_EFER_NXE;
	int levels = pgwalk_levels(ctx);
	int level;
	u64 table, e = 0;

	memset(in, 0, sizeof(*in));
	in->writable = true;
	in->user = true;
	if (!levels)
		return PGWALK_ERR_MODE;
	in->levels = (u8)levels;
	if (!pgwalk_canonical(va, levels))
		return PGWALK_ERR_NONCANONICAL;

	/*
	 * SDM 4.5.2 / 4.10.4.1: with CR4.PCIDE=1 CR3[11:0] is the PCID, else
	 * PWT/PCD; bit 63 of a MOV to CR3 is the no-flush hint and never part
	 * of the stored address.  The table address is CR3[MAXPHYADDR-1:12].
	 */
	table = ctx->cr3 & phys_mask & ~(PGWALK_PAGE_SIZE - 1);

	for (level = levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 idx = (va >> shift) & 511;

		in->level = (u8)level;
		if (ctx->read_phys(ctx->opaque, table + idx * 8, &e, sizeof(e)))
			return PGWALK_ERR_PHYS;
		in->entry[level - 1] = e;
		/* SDM 4.7: P=0 faults before reserved bits are looked at. */
		if (!(e & PGWALK_P))
			return PGWALK_ERR_NOT_PRESENT;
		if (pgwalk_reserved(e, level, phys_rsvd, nxe))
			return PGWALK_ERR_RESERVED;
		if (!(e & PGWALK_RW))
			in->writable = false;
		if (!(e & PGWALK_US))
			in->user = false;
		if (nxe && (e & PGWALK_XD))
			in->nx = true;
		if (level == 1 || (level <= 3 && (e & PGWALK_PS))) {
			in->page_size = 1ULL << shift;
			in->page_pa = e & phys_mask & ~(in->page_size - 1);
			*pa = in->page_pa | (va & (in->page_size - 1));
			return PGWALK_OK;
		}
		table = e & phys_mask & ~(PGWALK_PAGE_SIZE - 1);
	}
	return PGWALK_ERR_NOT_PRESENT;	/* unreachable: PTEs are leaves */
}

/*
 * Walk once per page (or large page) and, unless @dry, copy the part of
 * the range in it: a large page is physically contiguous, so one callback
 * covers it.
 */
static size_t pgwalk_copy(const struct pgwalk_ctx *ctx, u64 va, u8 *rbuf,
			  const u8 *wbuf, size_t len, bool dry, int *rc)
{
	size_t done = 0;

	*rc = PGWALK_OK;
	while (done < len) {
		struct pgwalk_info info;
		u64 pa, left;
		size_t n;
		int cb = 0;

		*rc = pgwalk_translate(ctx, va, &pa, &info);
		if (*rc != PGWALK_OK)
			break;
		left = info.page_size - (va & (info.page_size - 1));
		n = len - done;
		if ((u64)n > left)
			n = (size_t)left;
		if (!dry && wbuf)
			cb = ctx->write_phys(ctx->opaque, pa, wbuf + done, n);
		else if (!dry)
			cb = ctx->read_phys(ctx->opaque, pa, rbuf + done, n);
		if (cb) {
			*rc = PGWALK_ERR_PHYS;
			break;
		}
		done += n;
		va += n;
	}
	return done;
}

size_t pgwalk_read_virt(const struct pgwalk_ctx *ctx, u64 va, void *buf,
			size_t len, int *err)
{
	int rc;
	size_t done = pgwalk_copy(ctx, va, buf, NULL, len, false, &rc);

	if (err)
		*err = rc;
	return done;
}

/*
 * A write is checked whole before any byte is stored, so a gdb 'M' or a
 * breakpoint that straddles an unmapped page changes nothing and fails,
 * rather than leaving half an instruction patched.  A prefix can still
 * be written if write_phys fails part way, or if the write itself
 * rewrites the page tables the rest of it goes through.
 */
size_t pgwalk_write_virt(const struct pgwalk_ctx *ctx, u64 va,
			 const void *buf, size_t len, int *err)
{
	size_t done = 0;
	int rc = PGWALK_ERR_MODE;

	if (ctx->write_phys &&
	    pgwalk_copy(ctx, va, NULL, buf, len, true, &rc) == len)
		done = pgwalk_copy(ctx, va, NULL, buf, len, false, &rc);
	if (err)
		*err = rc;
	return done;
}

const char *pgwalk_strerror(int err)
{
	switch (err) {
	case PGWALK_OK:
		return "ok";
	case PGWALK_ERR_NONCANONICAL:
		return "non-canonical address";
	case PGWALK_ERR_NOT_PRESENT:
		return "page not present";
	case PGWALK_ERR_RESERVED:
		return "reserved bit set in paging entry";
	case PGWALK_ERR_PHYS:
		return "physical memory not accessible";
	case PGWALK_ERR_MODE:
		return "paging mode not supported";
	}
	return "unknown error";
}
