// SPDX-License-Identifier: GPL-2.0
/*
 * rsp_qemu.c - QEMU's gdbstub dialect, so that tools which recognise
 * QEMU's stub (pwndbg sends Qqemu.sstepbits) turn their kernel features on
 * for hvgdb too.  Packets and replies as QEMU's gdbstub/gdbstub.c and
 * gdbstub/system.c serve them; see docs/qemu-dialect.md.
 *
 * QEMU looks its sstep packets up after either letter, so Qqemu.sstepbits
 * is a query as well; Supported and PhyMemMode are queries only, and
 * PhyMemMode: and sstep: are sets only.  Every error is QEMU's literal
 * "E22" (EINVAL written in decimal), not the engine's hex errno, so
 * scripts written against QEMU see the same bytes.
 */
#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_internal.h"
#include "gdbstub/rsp_codec.h"

#define RSP_QEMU_ERROR	"E22"

static enum rsp_handled rsp_qemu_error(struct rsp_engine *eng)
{
	eng->out_len = 0;
	rsp_out_str(eng, RSP_QEMU_ERROR);
	return RSP_REPLY;
}

/* A value as QEMU reads it (strtoul, base 16): an optional 0x, then hex
 * digits, which must end the packet here. */
static bool rsp_qemu_value(struct rsp_cursor *c, u64 *v)
{
	if (!rsp_accept(c, "0x"))
		rsp_accept(c, "0X");
	return rsp_parse_hex(c, v) && c->p == c->end;
}

void rsp_qemu_reset(struct rsp_engine *eng)
{
	eng->phys_mode = false;
	eng->sstep_flags = RSP_SSTEP_DEFAULT;
}

u32 rsp_sstep_flags(const struct rsp_engine *eng)
{
	return eng->sstep_flags;
}

bool rsp_phys_mem_mode(const struct rsp_engine *eng)
{
	return eng->phys_mode;
}

/* --- memory, virtual or physical ----------------------------------------- */

long rsp_mem_read(struct rsp_engine *eng, int tid, u64 addr, u8 *buf,
		  size_t len)
{
	if (!eng->phys_mode)
		return eng->ops->read_mem(eng->tctx, tid, addr, buf, len);
	if (!eng->ops->read_phys)
		return -RSP_EFAULT;
	return eng->ops->read_phys(eng->tctx, addr, buf, len);
}

int rsp_mem_write(struct rsp_engine *eng, int tid, u64 addr, const u8 *buf,
		  size_t len)
{
	if (!eng->phys_mode)
		return eng->ops->write_mem(eng->tctx, tid, addr, buf, len);
	if (!eng->ops->write_phys)
		return -RSP_EFAULT;	/* a read-only physical view */
	return eng->ops->write_phys(eng->tctx, addr, buf, len);
}

/* --- the packets --------------------------------------------------------- */

/* QEMU: "ENABLE=%x,NOIRQ=%x,NOTIMER=%x". */
static void rsp_qemu_sstepbits(struct rsp_engine *eng)
{
	rsp_out_str(eng, "ENABLE=");
	rsp_out_hex(eng, RSP_SSTEP_ENABLE);
	rsp_out_str(eng, ",NOIRQ=");
	rsp_out_hex(eng, RSP_SSTEP_NOIRQ);
	rsp_out_str(eng, ",NOTIMER=");
	rsp_out_hex(eng, RSP_SSTEP_NOTIMER);
}

/* Qqemu.sstep=N: QEMU refuses bits it does not know with E22; so does
 * the engine for a change the target cannot honour (cfg.sstep_settable). */
static enum rsp_handled rsp_qemu_set_sstep(struct rsp_engine *eng,
					   struct rsp_cursor *c)
{
	u64 v;

	if (!rsp_qemu_value(c, &v) || (v & ~(u64)RSP_SSTEP_ALL) ||
	    ((v ^ RSP_SSTEP_DEFAULT) & ~(u64)eng->cfg.sstep_settable))
		return rsp_qemu_error(eng);
	eng->sstep_flags = (u32)v;
	rsp_out_str(eng, "OK");
	return RSP_REPLY;
}

/*
 * Qqemu.PhyMemMode:N, N non-zero for on (QEMU's test).  A target without
 * read_phys cannot serve the mode, so it is refused rather than accepted
 * and ignored: gdb would read virtual memory at physical addresses.
 */
static enum rsp_handled rsp_qemu_set_phys(struct rsp_engine *eng,
					  struct rsp_cursor *c)
{
	u64 v;

	if (!rsp_qemu_value(c, &v) || (v && !eng->ops->read_phys))
		return rsp_qemu_error(eng);
	eng->phys_mode = v != 0;
	rsp_out_str(eng, "OK");
	return RSP_REPLY;
}

enum rsp_handled rsp_h_qemu(struct rsp_engine *eng, struct rsp_cursor *c,
			    bool set)
{
	/* "sstepbits" before "sstep", which is a prefix of it. */
	if (rsp_accept(c, "sstepbits")) {
		if (c->p == c->end)
			rsp_qemu_sstepbits(eng);
		return RSP_REPLY;
	}
	if (rsp_accept(c, "sstep")) {
		if (c->p == c->end) {
			rsp_out_str(eng, "0x");		/* QEMU: "0x%x" */
			rsp_out_hex(eng, eng->sstep_flags);
			return RSP_REPLY;
		}
		if (rsp_accept(c, "=") || (set && rsp_accept(c, ":")))
			return rsp_qemu_set_sstep(eng, c);
		return RSP_REPLY;
	}
	if (rsp_accept(c, "PhyMemMode")) {
		if (!set && c->p == c->end)
			rsp_out_str(eng, eng->phys_mode ? "1" : "0");
		else if (set && rsp_accept(c, ":"))
			return rsp_qemu_set_phys(eng, c);
		return RSP_REPLY;
	}
	if (!set && rsp_accept(c, "Supported") && c->p == c->end) {
		rsp_out_str(eng, "sstepbits;sstep");
		if (eng->ops->read_phys)
			rsp_out_str(eng, ";PhyMemMode");
		return RSP_REPLY;
	}
	return RSP_REPLY;		/* unknown: empty, as QEMU answers */
}
