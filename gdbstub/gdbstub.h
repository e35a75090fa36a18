/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdbstub.h - the GDB Remote Serial Protocol engine, as an embedder sees it.
 *
 * Contract: the caller owns a struct rsp_engine (about 60 KiB, no malloc)
 * and gives it a byte transport and a target operations table.  While the
 * whole target is halted ONE CPU calls rsp_serve(), which answers gdb until
 * gdb resumes, detaches or the idle timeout passes, and returns what to do
 * as a struct rsp_resume.  While the target runs, the caller calls
 * rsp_poll_running() now and then; it never blocks and keeps any bytes it
 * reads for the next rsp_serve().  No global state, no recursion, no
 * floating point; every wait is bounded by the transport timeouts.
 *
 * Threads are numbered from 1 (thread = CPU number + 1); 0 and -1 in
 * packets mean "any" and "all" and never reach the target.
 * Target operations return 0 (or a byte count) on success and a negative
 * RSP_E* code on failure; the codes equal the Linux errno values so the
 * kernel side may return -EFAULT etc. directly.  See docs/protocol.md.
 */
#ifndef HVGDB_GDBSTUB_H
#define HVGDB_GDBSTUB_H

#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_regs.h"

/* Largest packet payload we accept and send (advertised as PacketSize). */
#define RSP_PACKET_SIZE		16384
/* CPUs the engine can name; a build may raise it (-DRSP_MAX_THREADS=N):
 * struct rsp_resume grows by 2 bytes and the threads XML buffer by 160
 * bytes per thread. */
#ifndef RSP_MAX_THREADS
#define RSP_MAX_THREADS		64
#endif
#define RSP_MAX_BREAKPOINTS	128
#define RSP_XFER_BUF_SIZE	(RSP_MAX_THREADS * 160 + 64)

/* Error codes (negated in return values, sent to gdb as Exx in hex). */
#define RSP_ESRCH	3	/* no such thread */
#define RSP_EIO		5	/* target failure, failed monitor command */
#define RSP_E2BIG	7	/* packet longer than PacketSize */
#define RSP_EFAULT	14	/* memory fault */
#define RSP_EINVAL	22	/* bad argument or malformed packet */
#define RSP_ENOSPC	28	/* no resources (e.g. a 5th hardware slot) */
#define RSP_ENOSYS	38	/* operation unsupported: empty reply */
#define RSP_ENOENT	2	/* no such object (qXfer) */

/* Transport.  get_byte returns 0..255, or RSP_NO_BYTE after timeout_ms. */
#define RSP_NO_BYTE	(-1)
struct rsp_transport {
	int (*get_byte)(void *ctx, u32 timeout_ms);
	void (*put_bytes)(void *ctx, const u8 *buf, size_t len);
	void (*flush)(void *ctx);
	void *ctx;
	bool reliable;		/* lossless link: QStartNoAckMode allowed */
};

/* Z/z packet types, numbered as on the wire (Z0..Z4). */
enum rsp_bp_type {
	RSP_BP_SW = 0,
	RSP_BP_HW = 1,
	RSP_WP_WRITE = 2,
	RSP_WP_READ = 3,
	RSP_WP_ACCESS = 4,
};

struct rsp_thread_info {
	int tid;		/* >= 1 */
	int core;		/* CPU number, -1 if unknown */
	char name[64];		/* NUL-terminated, e.g. "CPU 1: bash [412]" */
};

/*
 * Monitor output sink handed to target_ops.monitor.  Text is buffered and
 * sent as O packets of up to 8 KiB; rsp_output_flush() sends what is
 * buffered now (e.g. after each line of a long-running command) so gdb
 * shows it while the command is still running.
 */
struct rsp_output;
void rsp_output_write(struct rsp_output *out, const char *buf, size_t len);
void rsp_output_flush(struct rsp_output *out);
/*
 * rsp_output_keepalive: for a command that runs longer than gdb's
 * `remotetimeout` (2 s by default) without output: sends what is
 * buffered, or an empty O packet, which gdb takes as output and prints
 * nothing for; each packet restarts gdb's wait.  Call it at most every
 * half second or so: each costs a packet and its ack on the line.
 */
void rsp_output_keepalive(struct rsp_output *out);

struct rsp_target_ops {
	/* Register regno (gdb numbering, see rsp_regs.h) of thread tid.  The
	 * buffer holds rsp_reg_size(regno) bytes, target byte order. */
	int (*read_reg)(void *ctx, int tid, int regno, u8 *buf);
	int (*write_reg)(void *ctx, int tid, int regno, const u8 *buf);
	/* Returns bytes read (may be short; 0 or <0 means a memory fault). */
	long (*read_mem)(void *ctx, int tid, u64 addr, u8 *buf, size_t len);
	/* Returns 0 when all len bytes were written. */
	int (*write_mem)(void *ctx, int tid, u64 addr, const u8 *buf,
			 size_t len);
	/* kind: breakpoint kind (Z0/Z1) or watched length (Z2..Z4).  Return
	 * -RSP_ENOSPC when out of slots, -RSP_ENOSYS if the type is not
	 * supported (gdb then falls back). */
	int (*insert_bp)(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind);
	int (*remove_bp)(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind);
	/* Fill *out for the idx-th thread (idx from 0); -RSP_ESRCH past the
	 * end.  Must be cheap: the engine walks the list to validate ids. */
	int (*thread_info)(void *ctx, int idx, struct rsp_thread_info *out);
	/* Run a monitor command (NUL-terminated); output goes to out as it
	 * is produced.  Return 0 for OK, a negative code for failure (after
	 * writing a human-readable message to out).  May be NULL. */
	int (*monitor)(void *ctx, const char *cmd, struct rsp_output *out);
	/*
	 * Guest-physical memory, for QEMU's PhyMemMode (docs/qemu-dialect.md):
	 * while gdb has it on, every memory packet (m, M, X) goes here
	 * instead of read_mem/write_mem.  Same returns as those; no thread,
	 * as physical memory is the same for every CPU.  Both may be NULL:
	 * without read_phys, Qqemu.PhyMemMode:1 is refused (E22); without
	 * write_phys, writes in that mode fail as memory faults (E0e).
	 */
	long (*read_phys)(void *ctx, u64 addr, u8 *buf, size_t len);
	int (*write_phys)(void *ctx, u64 addr, const u8 *buf, size_t len);
	/*
	 * The qXfer object hvgdb-btf (docs/types.md): the kernel's BTF as a
	 * zlib stream, read-only and unchanging once given.  0 and the bytes;
	 * -RSP_EAGAIN while it is being made, -RSP_ENOENT when there is none
	 * (the reply is then E0b or E02).  May be NULL: an empty reply.
	 */
	int (*btf_blob)(void *ctx, const u8 **data, size_t *len);
};

/* Why the target stopped, as given to rsp_serve(). */
enum rsp_stop_reason {
	RSP_STOP_SIGNAL = 0,	/* plain signal: step done, Ctrl-C, attach */
	RSP_STOP_SWBREAK,	/* software breakpoint, pc at the breakpoint */
	RSP_STOP_HWBREAK,	/* hardware breakpoint */
	RSP_STOP_WATCH,		/* write watchpoint, addr = data address */
	RSP_STOP_RWATCH,
	RSP_STOP_AWATCH,
};

#define RSP_SIGINT	2
#define RSP_SIGTRAP	5
#define RSP_SIGSEGV	11	/* a CPU that cannot go on (triple fault) */

struct rsp_stop {
	int tid;		/* thread that stopped (>= 1) */
	u8 signal;		/* gdb signal number: 5 TRAP, 2 INT */
	enum rsp_stop_reason reason;
	u64 addr;		/* data address for watchpoints */
};

/* What the caller must do when rsp_serve() returns. */
enum rsp_resume_kind {
	RSP_RESUME_RUN = 0,	/* apply action[] and let the target run */
	RSP_RESUME_DETACH,	/* gdb left: breakpoints removed, run all */
	RSP_RESUME_IDLE,	/* nothing decided within idle_ms: stay halted
				 * and call rsp_serve(eng, NULL) again */
};

enum rsp_action {
	RSP_ACT_STOP = 0,	/* stay stopped */
	RSP_ACT_CONTINUE,
	RSP_ACT_STEP,
};

/*
 * How a step runs: QEMU's single-step flags (qqemu.sstepbits), which gdb
 * reads with qqemu.sstep and sets with Qqemu.sstep=N.  The target must
 * honour them for every thread whose action is RSP_ACT_STEP:
 *  NOIRQ    no external interrupt is delivered to the stepping CPU
 *           during the step: it executes the instruction at its pc and
 *           stops after it; interrupts held meanwhile come after the
 *           step, none lost.  Without NOIRQ the step may enter a pending
 *           interrupt's handler and stop at its first instruction.
 *  NOTIMER  guest time does not advance during the step (its TSC, local
 *           APIC timer, ...), so a step does not make the next timer
 *           interrupt come due.
 *  ENABLE   informational: hvgdb always steps exactly one instruction
 *           (QEMU would run freely when it is clear; see the docs).
 */
#define RSP_SSTEP_ENABLE	0x1
#define RSP_SSTEP_NOIRQ		0x2
#define RSP_SSTEP_NOTIMER	0x4
#define RSP_SSTEP_ALL		(RSP_SSTEP_ENABLE | RSP_SSTEP_NOIRQ | \
				 RSP_SSTEP_NOTIMER)
/* QEMU's default: a step like a hardware debugger's (ICE) step. */
#define RSP_SSTEP_DEFAULT	RSP_SSTEP_ALL

struct rsp_resume {
	enum rsp_resume_kind kind;
	/* Indexed by tid - 1.  Threads the target does not have are STOP. */
	u8 action[RSP_MAX_THREADS];
	u8 signal[RSP_MAX_THREADS];	/* gdb signal to deliver, 0 = none */
	/* RSP_SSTEP_* in force, for RSP_RESUME_RUN (0 otherwise); applies
	 * to the threads whose action is RSP_ACT_STEP. */
	u32 sstep_flags;
};

struct rsp_bp {
	u64 addr;
	u32 kind;
	u8 type;
	bool used;
};

struct rsp_config {
	u32 byte_timeout_ms;	/* max gap inside a packet / before an ack */
	u32 idle_ms;		/* rsp_serve returns IDLE after this long
				 * without a packet; 0 = wait for ever */
	bool rle_replies;	/* run-length encode replies */
	/* RSP_SSTEP_* bits gdb may change from RSP_SSTEP_DEFAULT with
	 * Qqemu.sstep=: the ones the target can honour either way.  A value
	 * that changes another bit is refused (E22), never taken and
	 * ignored. */
	u32 sstep_settable;
};

/*
 * Everything the engine keeps; treat as opaque.  It is defined here only so
 * the caller can allocate it: read and change it through the functions
 * below (rsp_gdb_waiting() and the rest), never field by field.
 */
struct rsp_engine {
	struct rsp_transport tr;
	const struct rsp_target_ops *ops;
	void *tctx;
	struct rsp_config cfg;

	/* connection state */
	bool no_ack;
	bool gdb_waiting;	/* gdb sent a resume and waits for a stop */
	bool stop_unconfirmed;	/* stop reply not acked at once, no packet
				 * from gdb since */
	bool sent_clean;	/* the last packet's first copy was acked */
	bool peer_swbreak, peer_hwbreak;
	bool have_stop;
	struct rsp_stop stop;	/* current stop, for '?' */
	int g_tid, c_tid;	/* Hg / Hc selections; 0 = any, -1 = all */
	int thread_iter;	/* qsThreadInfo cursor */
	u32 sstep_flags;	/* RSP_SSTEP_*, Qqemu.sstep= */
	bool phys_mode;		/* Qqemu.PhyMemMode:1: memory is physical */
	size_t xfer_len;	/* valid bytes in xfer_buf (threads XML) */

	/* File-I/O requests (rsp_fileio.c) */
	const u8 *fio_data;	/* what gdb reads at RSP_FIO_ADDR */
	size_t fio_len;
	u32 fio_peer;		/* bumped for every new gdb */
	bool fio_dead;		/* a request went unanswered: no more */
	bool fio_ctrlc;		/* gdb's reply carried Ctrl-C */

	/* bytes read by rsp_poll_running, or pushed back */
	u8 pend[256];
	u16 pend_head, pend_tail;

	struct rsp_bp bps[RSP_MAX_BREAKPOINTS];

	/* statistics, for benchmarks and docs */
	u64 rx_packets, tx_packets, rx_bytes, tx_bytes, retransmits, bad_csum,
	    stop_resends;

	/* monitor output staging */
	size_t mon_len;
	struct rsp_output *mon_out;

	size_t in_len;
	size_t out_len;
	char in[RSP_PACKET_SIZE + 4];		/* decoded request payload */
	char out[RSP_PACKET_SIZE + 4];		/* reply payload, unframed */
	u8 data[RSP_PACKET_SIZE];		/* memory / register scratch */
	char xfer_buf[RSP_XFER_BUF_SIZE];
	char mon_buf[(RSP_PACKET_SIZE - 2) / 2];
	u8 wire[256];				/* framing staging */
};

/*
 * rsp_init: set up eng with a transport and target.  cfg may be NULL for
 * the defaults (2000 ms byte timeout, wait for ever, RLE on).  The target
 * is assumed halted with thread 1 current until the first rsp_serve().
 */
void rsp_init(struct rsp_engine *eng, const struct rsp_transport *tr,
	      const struct rsp_target_ops *ops, void *target_ctx,
	      const struct rsp_config *cfg);

/*
 * rsp_serve: the target has stopped (why != NULL) or is still stopped after
 * an IDLE return (why == NULL).  If gdb is waiting for a stop, the stop
 * reply is sent at once; otherwise why is recorded for '?'.  Serves packets
 * until gdb resumes or detaches (or idle_ms passes) and says what to do.
 */
struct rsp_resume rsp_serve(struct rsp_engine *eng, const struct rsp_stop *why);

/*
 * rsp_poll_running: call while the target runs.  Reads pending bytes
 * without waiting; true when gdb wants a stop (Ctrl-C, 0x03: stop with
 * SIGINT) or a packet is starting (a new gdb connecting: stop and serve).
 */
bool rsp_poll_running(struct rsp_engine *eng);

/*
 * rsp_reset_connection: the transport knows a new peer connected (e.g. a
 * new TCP connection).  Drops no-ack mode and buffered bytes, turns
 * PhyMemMode off and puts the step flags back to RSP_SSTEP_DEFAULT (as
 * qSupported, the first packet of every gdb, does too).  Breakpoints of
 * the previous session are removed when the new gdb sends qSupported.
 */
void rsp_reset_connection(struct rsp_engine *eng);

/*
 * rsp_console_write: text for gdb's console while the target runs (event
 * output with `imm yes`).  Sent as O packets only when gdb waits for a stop
 * (after c/s/vCont), the one time RSP allows them; returns the bytes sent,
 * 0 when gdb is not waiting (the caller keeps the text for later).
 */
size_t rsp_console_write(struct rsp_engine *eng, const char *buf, size_t len);

/*
 * File-I/O (gdb manual, "File-I/O Remote Protocol Extension"): while gdb
 * waits for a stop (after c/s/vCont) the stub may send a request instead
 * of a stop reply; gdb reads the request's buffer with m packets, makes
 * the call on the debugging machine, answers "Fretcode[,errno[,C]]" and
 * goes on waiting.  The buffer appears to gdb at RSP_FIO_ADDR, a range
 * no target memory uses; only m packets inside it are answered during
 * the exchange (anything else gets the empty reply).  Each call waits at
 * most RSP_FIO_WAIT_MS for each packet of gdb's; a call gdb leaves
 * unanswered marks the link dead for File-I/O until the next gdb
 * (qSupported, rsp_reset_connection()), so a gdb that went away costs
 * one wait, not one per call.
 *
 * Returns: rsp_fileio_open() gdb's fd (>= 0) for path, opened with
 * RSP_FIO_O_* flags and mode (octal permission bits); rsp_fileio_write()
 * the bytes written.  Negative: -errno as gdb gave it (gdb's File-I/O
 * errno values: EPERM 1, ENOENT 2, EBADF 9, EACCES 13, ENODEV 19, ENOSPC
 * 28, ...), -RSP_EAGAIN when gdb is not waiting for a stop (nothing was
 * sent), -RSP_EIO when gdb did not answer (or no longer does).  A Ctrl-C
 * that gdb reports in its reply makes the next rsp_poll_running() true.
 * Like rsp_console_write(), on the link's holder only.
 */
#define RSP_EAGAIN		11
#define RSP_FIO_ADDR		0xfffffffffff00000ULL
#define RSP_FIO_MAX		0x10000u	/* bytes per call */
#define RSP_FIO_WAIT_MS		3000
#define RSP_FIO_O_WRONLY	0x1
#define RSP_FIO_O_APPEND	0x8
#define RSP_FIO_O_CREAT		0x200
#define RSP_FIO_O_TRUNC		0x400
long rsp_fileio_open(struct rsp_engine *eng, const char *path, u32 flags,
		     u32 mode);
long rsp_fileio_write(struct rsp_engine *eng, int fd, const void *buf,
		      size_t len);
/* Bumped by every new gdb (qSupported, rsp_reset_connection()): an fd
 * rsp_fileio_open() returned is valid while this is unchanged. */
u32 rsp_fileio_peer(const struct rsp_engine *eng);

/* Remove every breakpoint/watchpoint gdb inserted (detach, kill, reset). */
void rsp_remove_all_breakpoints(struct rsp_engine *eng);

/* --- engine state, for the embedder ------------------------------------- */

/*
 * rsp_gdb_waiting: gdb resumed the target (c, s, vCont) and waits for a
 * stop reply; the next rsp_serve(eng, why) sends it.
 */
bool rsp_gdb_waiting(const struct rsp_engine *eng);

/*
 * rsp_forget_stop: gdb is gone (e.g. it never answered a stop): no stop
 * reply is owed any more, so rsp_serve() sends none and rsp_console_write()
 * sends nothing.  Breakpoints stay; see rsp_remove_all_breakpoints().
 */
void rsp_forget_stop(struct rsp_engine *eng);

/*
 * rsp_rx_packets: packets received since rsp_init(), counted once framed
 * ('$' to the checksum), so bad checksums and oversized packets count too.
 * Unchanged across a wait means no peer spoke.
 */
u64 rsp_rx_packets(const struct rsp_engine *eng);

/*
 * rsp_selected_thread: gdb's general thread, the one Hg selected for
 * register and memory packets: a thread id >= 1, or 0 ("any") or -1
 * ("all"), for which the engine uses the thread that stopped.  Every stop
 * given to rsp_serve() and every qSupported resets it to 0.
 */
int rsp_selected_thread(const struct rsp_engine *eng);

/*
 * rsp_sstep_flags: the RSP_SSTEP_* flags gdb set with Qqemu.sstep=
 * (RSP_SSTEP_DEFAULT until it does); every RSP_RESUME_RUN carries them
 * in rsp_resume.sstep_flags too.  Reset by qSupported and
 * rsp_reset_connection().
 */
u32 rsp_sstep_flags(const struct rsp_engine *eng);

/*
 * rsp_phys_mem_mode: gdb turned QEMU's PhyMemMode on (Qqemu.PhyMemMode:1):
 * its memory packets name guest-physical addresses and go to read_phys
 * and write_phys.  Off after qSupported and rsp_reset_connection().
 */
bool rsp_phys_mem_mode(const struct rsp_engine *eng);

#endif /* HVGDB_GDBSTUB_H */
