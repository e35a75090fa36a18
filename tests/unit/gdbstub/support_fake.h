/* SPDX-License-Identifier: GPL-2.0 */
/*
 * support_fake.h - in-memory transport and fake target for engine tests
 * (shared by the cmocka suites and the fuzzer).
 *
 * The transport replays a fixed input and records everything sent; it
 * never really waits, so an engine configured with idle_ms returns IDLE as
 * soon as the input is used up.  The fake target has fake_nthreads CPUs,
 * 4 KiB of memory at FAKE_MEM, 4 KiB of physical memory at FAKE_PHYS
 * (read_phys/write_phys; bytes 0xff - i, unlike the virtual i), and
 * records breakpoint calls.  Thread
 * queries accept nthreads up to RSP_MAX_THREADS; registers exist only for
 * the first FAKE_THREADS.
 */
#ifndef TESTS_GDBSTUB_SUPPORT_FAKE_H
#define TESTS_GDBSTUB_SUPPORT_FAKE_H

#include "gdbstub/gdbstub.h"

#define FAKE_MEM	0x1000ULL
#define FAKE_MEM_SIZE	0x1000ULL
#define FAKE_PHYS	0x8000ULL
#define FAKE_PHYS_SIZE	0x1000ULL
#define FAKE_OUT_MAX	(1 << 20)
#define FAKE_THREADS	3

struct fake {
	const u8 *in;
	size_t in_len, in_pos;
	u8 *out;
	size_t out_len;
	unsigned timeouts;

	int nthreads;
	u8 regs[FAKE_THREADS][RSP_G_BYTES];
	int fail_reg;			/* read_reg fails for this regno */
	u8 mem[FAKE_MEM_SIZE];
	u8 phys[FAKE_PHYS_SIZE];
	int bp_calls, bp_inserted, hw_used;
	enum rsp_bp_type last_type;
	u64 last_addr;
	u32 last_kind;
	int monitor_ret;
	long monitor_bytes;		/* "big" output size */
	bool no_monitor;
	bool long_names;
	bool fail_remove;		/* remove_bp returns -RSP_EIO */		/* 63-char names, mostly '&' */
};

extern const struct rsp_target_ops fake_ops;

void fake_init(struct fake *f);
void fake_free(struct fake *f);
void fake_set_input(struct fake *f, const void *in, size_t len);
struct rsp_transport fake_transport(struct fake *f, bool reliable);
/* Splits f->out into packets; returns the decoded payload of packet idx
 * (RLE expanded, NUL-terminated, in a static buffer) or NULL. */
const char *fake_packet(struct fake *f, int idx);
int fake_npackets(struct fake *f);
/* Frames payload as $payload#cs into buf; returns the length. */
size_t fake_frame(char *buf, const char *payload);

/*
 * A reliable-transport engine over the fake target, fed one packet at a
 * time: fake_session_setup/teardown are cmocka fixtures (*state is the
 * session); fake_session_req() sends payload, serves it and returns the
 * reply (NULL if none); fake_session_restart() starts the engine again
 * over x->ops (a test's variant of fake_ops), keeping the input so far.
 */
struct fake_session {
	struct fake f;
	struct rsp_engine eng;
	struct rsp_target_ops ops;
	struct rsp_resume res;
	char in[1 << 16];
	size_t in_len;
	int seen;			/* output packets already looked at */
};

int fake_session_setup(void **state);
int fake_session_teardown(void **state);
void fake_session_restart(struct fake_session *x);
const char *fake_session_req(struct fake_session *x, const char *payload);

#endif
