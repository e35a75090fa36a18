// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of QEMU's dialect (gdbstub/rsp_qemu.c): qqemu.sstepbits,
 * qqemu.sstep / Qqemu.sstep=, qqemu.Supported, qqemu.PhyMemMode /
 * Qqemu.PhyMemMode: and memory packets in physical mode, with the error
 * replies and the reset a new gdb brings.  Same in-memory transport and
 * fake target as test_rsp_engine.c (support_fake.c's fake_session).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gdbstub/gdbstub.h"
#include "support_fake.h"

#define X (*(struct fake_session **)state)

/* --- single-step flags --------------------------------------------------- */

static void test_sstepbits(void **state)
{
	/* pwndbg sends the Q form; QEMU answers both letters. */
	assert_string_equal(fake_session_req(X, "Qqemu.sstepbits"),
			    "ENABLE=1,NOIRQ=2,NOTIMER=4");
	assert_string_equal(fake_session_req(X, "qqemu.sstepbits"),
			    "ENABLE=1,NOIRQ=2,NOTIMER=4");
	assert_int_equal(RSP_SSTEP_ALL, 7);
}

static void test_sstep_default_query_and_set(void **state)
{
	assert_string_equal(fake_session_req(X, "qqemu.sstep"), "0x7");
	assert_int_equal(rsp_sstep_flags(&X->eng), RSP_SSTEP_DEFAULT);
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=1"), "OK");
	assert_string_equal(fake_session_req(X, "qqemu.sstep"), "0x1");
	assert_int_equal(rsp_sstep_flags(&X->eng), RSP_SSTEP_ENABLE);
	/* Also as a q packet, and QEMU's Q form with ':'. */
	assert_string_equal(fake_session_req(X, "qqemu.sstep=3"), "OK");
	assert_string_equal(fake_session_req(X, "Qqemu.sstep"), "0x3");
	assert_string_equal(fake_session_req(X, "Qqemu.sstep:5"), "OK");
	assert_string_equal(fake_session_req(X, "qqemu.sstep"), "0x5");
	/* Values are hex, with an optional 0x as QEMU's strtoul takes. */
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=0x6"), "OK");
	assert_string_equal(fake_session_req(X, "qqemu.sstep"), "0x6");
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=0X7"), "OK");
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=0"), "OK");
	assert_string_equal(fake_session_req(X, "qqemu.sstep"), "0x0");
}

static void test_sstep_errors(void **state)
{
	static const char *const bad[] = {
		"Qqemu.sstep=8", "Qqemu.sstep=f", "Qqemu.sstep=ffffffff",
		"Qqemu.sstep=100000001", "Qqemu.sstep=",
		"Qqemu.sstep=zz", "Qqemu.sstep=1x", "Qqemu.sstep=0x",
		"Qqemu.sstep=-1", "Qqemu.sstep=10000000000000001",
		"qqemu.sstep=8", "Qqemu.sstep:8",
	};
	size_t i;

	assert_string_equal(fake_session_req(X, "Qqemu.sstep=2"), "OK");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* QEMU's literal E22, not the engine's hex errno (E16). */
		assert_string_equal(fake_session_req(X, bad[i]), "E22");
		assert_int_equal(rsp_sstep_flags(&X->eng), RSP_SSTEP_NOIRQ);
	}
}

/* A target that can only step one way (hvgdb.ko: sstep_settable 0)
 * refuses any other value rather than taking it and stepping as before. */
static void test_sstep_only_what_the_target_honours(void **state)
{
	struct rsp_transport tr = fake_transport(&X->f, true);
	struct rsp_config cfg = { .byte_timeout_ms = 10, .idle_ms = 1 };

	rsp_init(&X->eng, &tr, &X->ops, &X->f, &cfg);
	assert_string_equal(fake_session_req(X, "Qqemu.sstepbits"),
			    "ENABLE=1,NOIRQ=2,NOTIMER=4");
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=1"), "E22");
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=5"), "E22");
	assert_string_equal(fake_session_req(X, "qqemu.sstep"), "0x7");
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=7"), "OK");
	/* Settable NOIRQ only: 5 (NOIRQ off) is taken, 3 is not. */
	cfg.sstep_settable = RSP_SSTEP_NOIRQ;
	rsp_init(&X->eng, &tr, &X->ops, &X->f, &cfg);
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=5"), "OK");
	assert_string_equal(fake_session_req(X, "Qqemu.sstep=3"), "E22");
	assert_string_equal(fake_session_req(X, "qqemu.sstep"), "0x5");
}

static void test_sstep_flags_reach_the_target(void **state)
{
	X->f.nthreads = 2;
	assert_null(fake_session_req(X, "s"));
	assert_int_equal(X->res.kind, RSP_RESUME_RUN);
	assert_int_equal(X->res.action[0], RSP_ACT_STEP);
	assert_int_equal(X->res.sstep_flags, RSP_SSTEP_DEFAULT);
	fake_session_req(X, "Qqemu.sstep=1");
	assert_null(fake_session_req(X, "vCont;s:2"));
	assert_int_equal(X->res.action[1], RSP_ACT_STEP);
	assert_int_equal(X->res.sstep_flags, RSP_SSTEP_ENABLE);
	assert_null(fake_session_req(X, "S05"));
	assert_int_equal(X->res.sstep_flags, RSP_SSTEP_ENABLE);
	fake_session_req(X, "Qqemu.sstep=3");
	assert_null(fake_session_req(X, "vCont;s:1;c"));
	assert_int_equal(X->res.sstep_flags,
			 RSP_SSTEP_ENABLE | RSP_SSTEP_NOIRQ);
	/* Every RUN carries them; a detach carries none. */
	assert_null(fake_session_req(X, "c"));
	assert_int_equal(X->res.sstep_flags, 3);
	assert_string_equal(fake_session_req(X, "D"), "OK");
	assert_int_equal(X->res.kind, RSP_RESUME_DETACH);
	assert_int_equal(X->res.sstep_flags, 0);
}

/* --- physical memory ----------------------------------------------------- */

static void test_phys_mode_switches_memory_packets(void **state)
{
	assert_string_equal(fake_session_req(X, "qqemu.PhyMemMode"), "0");
	assert_false(rsp_phys_mem_mode(&X->eng));
	assert_string_equal(fake_session_req(X, "m8000,4"), "E0e");	/* virtual */
	assert_string_equal(fake_session_req(X, "m1000,4"), "00010203");

	assert_string_equal(fake_session_req(X, "Qqemu.PhyMemMode:1"), "OK");
	assert_string_equal(fake_session_req(X, "qqemu.PhyMemMode"), "1");
	assert_true(rsp_phys_mem_mode(&X->eng));
	assert_string_equal(fake_session_req(X, "m8000,4"), "fffefdfc");
	assert_string_equal(fake_session_req(X, "m8ffe,8"), "0100");	/* partial */
	assert_string_equal(fake_session_req(X, "m1000,4"), "E0e");	/* physical */
	/* M and X write physical memory; virtual memory is untouched. */
	assert_string_equal(fake_session_req(X, "M8010,2:aabb"), "OK");
	assert_int_equal(X->f.phys[0x10], 0xaa);
	assert_int_equal(X->f.phys[0x11], 0xbb);
	assert_string_equal(fake_session_req(X, "X8020,3:xyz"), "OK");
	assert_memory_equal(X->f.phys + 0x20, "xyz", 3);
	assert_string_equal(fake_session_req(X, "M1000,1:55"), "E0e");
	assert_int_equal(X->f.mem[0], 0);
	assert_string_equal(fake_session_req(X, "M8ffe,4:00000000"), "E0e");

	/* Off again: the same addresses are virtual. */
	assert_string_equal(fake_session_req(X, "Qqemu.PhyMemMode:0"), "OK");
	assert_string_equal(fake_session_req(X, "qqemu.PhyMemMode"), "0");
	assert_string_equal(fake_session_req(X, "m8000,4"), "E0e");
	assert_string_equal(fake_session_req(X, "m1000,4"), "00010203");
	/* QEMU takes any non-zero value for on, hex, 0x allowed. */
	assert_string_equal(fake_session_req(X, "Qqemu.PhyMemMode:0x2"), "OK");
	assert_string_equal(fake_session_req(X, "qqemu.PhyMemMode"), "1");
}

static void test_phys_mode_errors(void **state)
{
	static const char *const bad[] = {
		"Qqemu.PhyMemMode:", "Qqemu.PhyMemMode:x",
		"Qqemu.PhyMemMode:1 ", "Qqemu.PhyMemMode:-1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_string_equal(fake_session_req(X, bad[i]), "E22");
		assert_false(rsp_phys_mem_mode(&X->eng));
	}
}

/* A target without read_phys refuses the mode: never accepted and
 * ignored (gdb would read virtual memory at physical addresses). */
static void test_phys_mode_refused_without_read_phys(void **state)
{
	X->ops.read_phys = NULL;
	X->ops.write_phys = NULL;
	fake_session_restart(X);
	assert_string_equal(fake_session_req(X, "Qqemu.PhyMemMode:1"), "E22");
	assert_string_equal(fake_session_req(X, "qqemu.PhyMemMode"), "0");
	assert_false(rsp_phys_mem_mode(&X->eng));
	assert_string_equal(fake_session_req(X, "m1000,4"), "00010203");
	assert_string_equal(fake_session_req(X, "Qqemu.PhyMemMode:0"), "OK");
	assert_string_equal(fake_session_req(X, "qqemu.Supported"), "sstepbits;sstep");
}

static void test_phys_mode_without_write_phys_is_read_only(void **state)
{
	X->ops.write_phys = NULL;
	fake_session_restart(X);
	assert_string_equal(fake_session_req(X, "qqemu.Supported"),
			    "sstepbits;sstep;PhyMemMode");
	assert_string_equal(fake_session_req(X, "Qqemu.PhyMemMode:1"), "OK");
	assert_string_equal(fake_session_req(X, "m8000,2"), "fffe");
	assert_string_equal(fake_session_req(X, "M8000,1:00"), "E0e");
	assert_int_equal(X->f.phys[0], 0xff);
}

/* --- a new gdb, and everything else -------------------------------------- */

static void test_new_gdb_resets_the_dialect(void **state)
{
	const char *r;

	fake_session_req(X, "Qqemu.PhyMemMode:1");
	fake_session_req(X, "Qqemu.sstep=1");
	/* qSupported starts every gdb session; its reply is unchanged. */
	r = fake_session_req(X, "qSupported:swbreak+");
	assert_string_equal(r, "PacketSize=4000;qXfer:features:read+;"
			    "qXfer:threads:read+;swbreak+;hwbreak+;"
			    "vContSupported+;QStartNoAckMode+");
	assert_false(rsp_phys_mem_mode(&X->eng));
	assert_int_equal(rsp_sstep_flags(&X->eng), RSP_SSTEP_DEFAULT);
	assert_string_equal(fake_session_req(X, "m1000,2"), "0001");

	/* A transport that knows a new peer connected resets it too. */
	fake_session_req(X, "Qqemu.PhyMemMode:1");
	fake_session_req(X, "Qqemu.sstep=0");
	rsp_reset_connection(&X->eng);
	assert_false(rsp_phys_mem_mode(&X->eng));
	assert_int_equal(rsp_sstep_flags(&X->eng), RSP_SSTEP_DEFAULT);
	assert_string_equal(fake_session_req(X, "qqemu.PhyMemMode"), "0");
	assert_string_equal(fake_session_req(X, "qqemu.sstep"), "0x7");
}

static void test_unknown_qemu_packets_empty(void **state)
{
	static const char *const empty[] = {
		"qqemu", "qqemu.", "Qqemu.", "qqemu.bogus", "Qqemu.bogus=1",
		"qqemu.sstepbitsx", "Qqemu.sstepbits=1", "qqemu.sstepx",
		"qqemu.sstep:1",		/* ':' only in the Q form */
		"qqemu.PhyMemMode:1",		/* a set, only as Q */
		"Qqemu.PhyMemMode",		/* a query, only as q */
		"qqemu.PhyMemModex", "Qqemu.PhyMemMode=1",
		"Qqemu.Supported", "qqemu.Supportedx", "qqemu.supported",
		"qQemu.sstepbits", "qemu.sstepbits", "qqemu,sstepbits",
		"qqemu.kvm.Rdmsr:10",
	};
	size_t i;

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
		assert_string_equal(fake_session_req(X, empty[i]), "");
	assert_false(rsp_phys_mem_mode(&X->eng));
	assert_int_equal(rsp_sstep_flags(&X->eng), RSP_SSTEP_DEFAULT);
	/* Other q/Q packets are as before. */
	assert_string_equal(fake_session_req(X, "qC"), "QC1");
	assert_string_equal(fake_session_req(X, "qOffsets"), "");
	assert_string_equal(fake_session_req(X, "QPassSignals:1"), "");
	assert_string_equal(fake_session_req(X, "qqemu.Supported"),
			    "sstepbits;sstep;PhyMemMode");
}

#define T(f) cmocka_unit_test_setup_teardown(f, fake_session_setup, fake_session_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sstepbits),
		T(test_sstep_default_query_and_set),
		T(test_sstep_errors),
		T(test_sstep_only_what_the_target_honours),
		T(test_sstep_flags_reach_the_target),
		T(test_phys_mode_switches_memory_packets),
		T(test_phys_mode_errors),
		T(test_phys_mode_refused_without_read_phys),
		T(test_phys_mode_without_write_phys_is_read_only),
		T(test_new_gdb_resets_the_dialect),
		T(test_unknown_qemu_packets_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
