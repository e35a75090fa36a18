/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rsp_internal.h - what the engine's files share; not for embedders.
 *
 * Contract: rsp_engine.c owns the wire (framing, acks, timeouts) and
 * rsp_dispatch.c turns one decoded request in eng->in into a reply in
 * eng->out and, for resume packets, a decision; rsp_qemu.c serves QEMU's
 * own packets (qqemu.* / Qqemu.*) and owns the memory access path, which
 * PhyMemMode switches.
 */
#ifndef HVGDB_RSP_INTERNAL_H
#define HVGDB_RSP_INTERNAL_H

#include "gdbstub/gdbstub.h"

struct rsp_output {
	struct rsp_engine *eng;
};

enum rsp_handled {
	RSP_REPLY = 0,		/* eng->out holds the reply; keep serving */
	RSP_NO_REPLY,		/* nothing to send; keep serving */
	RSP_RESUMED,		/* reply (if any) sent; return the decision */
};

enum rsp_rx {
	RSP_RX_PACKET,		/* eng->in holds a checked, decoded payload */
	RSP_RX_NONE,		/* timeout or bad packet: go round again */
	RSP_RX_IDLE,		/* idle_ms passed without a packet */
};

/*
 * Reads one packet into eng->in (RLE expanded, checksum checked, acked,
 * NUL-terminated); waits at most cfg.idle_ms for its start (for ever when
 * 0).  rsp_serve()'s loop and the File-I/O exchange (rsp_fileio.c).
 */
enum rsp_rx rsp_read_packet(struct rsp_engine *eng);

/* A new gdb (qSupported, rsp_reset_connection): no File-I/O file is open
 * and the link is trusted again (rsp_fileio.c). */
void rsp_fileio_reset(struct rsp_engine *eng);

/* Appends to eng->out; silently truncates at RSP_PACKET_SIZE. */
void rsp_out_str(struct rsp_engine *eng, const char *s);
void rsp_out_hex(struct rsp_engine *eng, u64 v);
void rsp_out_err(struct rsp_engine *eng, int code);

/* Frames eng->out[0..out_len) and sends it, waiting for the ack. */
void rsp_send_out(struct rsp_engine *eng);
/* Builds the stop reply for eng->stop into eng->out. */
/* A stop reply into eng->out; expedite: with rbp, rsp and rip. */
void rsp_build_stop(struct rsp_engine *eng, bool expedite);

enum rsp_handled rsp_dispatch(struct rsp_engine *eng, struct rsp_resume *res);

/* --- QEMU's dialect (rsp_qemu.c) ----------------------------------------- */

struct rsp_cursor;

/*
 * c is past "qqemu." (set false) or "Qqemu." (set true); answers QEMU's
 * sstepbits, sstep, sstep=, sstep:, Supported, PhyMemMode and PhyMemMode:
 * as QEMU does, and anything else under "qemu." with the empty reply.
 */
enum rsp_handled rsp_h_qemu(struct rsp_engine *eng, struct rsp_cursor *c,
			    bool set);
/* A new gdb: PhyMemMode off, step flags back to RSP_SSTEP_DEFAULT. */
void rsp_qemu_reset(struct rsp_engine *eng);
/*
 * Every memory access a packet makes goes through these two, so
 * PhyMemMode applies to all of them: read_phys/write_phys while it is on,
 * else read_mem/write_mem of thread tid.  Returns as those ops do.
 */
long rsp_mem_read(struct rsp_engine *eng, int tid, u64 addr, u8 *buf,
		  size_t len);
int rsp_mem_write(struct rsp_engine *eng, int tid, u64 addr, const u8 *buf,
		  size_t len);

/* The thread register and memory packets apply to (Hg, else the stop's). */
int rsp_g_thread(struct rsp_engine *eng);
/* qSearch:memory:, c past that prefix (rsp_search.c). */
enum rsp_handled rsp_h_search(struct rsp_engine *eng, struct rsp_cursor *c);

#endif /* HVGDB_RSP_INTERNAL_H */
