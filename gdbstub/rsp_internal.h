/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rsp_internal.h - what the engine's files share; not for embedders.
 *
 * Contract: rsp_engine.c owns the wire (framing, acks, timeouts) and
 * rsp_dispatch.c turns one decoded request in eng->in into a reply in
 * eng->out and, for resume packets, a decision.
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

#endif /* HVGDB_RSP_INTERNAL_H */
