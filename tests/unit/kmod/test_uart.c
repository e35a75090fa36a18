/*
 * Polled 16550 driver against a simulated chip: register programming,
 * byte I/O in order, and every wait bounded by the clock (or by the spin
 * backstop when the clock is stuck).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/uart.h"

#define BASE 0x3e8
#define TPM 1000		/* simulated clock ticks per ms */

/* A 16550 as far as the driver can see it. */
struct sim {
	bool absent;		/* no chip: the bus reads 0xff */
	bool tx_stuck;		/* THRE never sets (e.g. CTS flow stall) */
	bool no_fifo;		/* a 16450: one transmit holding byte */
	int tx_level;		/* bytes in the transmitter, not yet out */
	u64 tx_lost;		/* written into a full transmitter */
	int run, max_run;	/* THR writes without a status read between */
	bool stuck_clock;
	u8 ier, lcr, mcr, fcr, scr, dll, dlm;
	u8 rx[64];
	int rx_head, rx_tail;
	u64 overruns;		/* bytes lost by a full 16-byte FIFO */
	u8 tx[256];
	int tx_len;
	u8 lsr_extra;		/* error bits reported once */
	u64 clock;
	u64 reads, writes;
};

static u8 sim_in(void *ctx, u16 port)
{
	struct sim *s = ctx;
	bool dlab = s->lcr & UART_LCR_DLAB;
	u8 v = 0;

	s->reads++;
	if (!s->stuck_clock)
		s->clock += 3;		/* each access costs time */
	if (s->absent)
		return 0xff;
	switch (port - BASE) {
	case 0:
		if (dlab)
			return s->dll;
		if (s->rx_head != s->rx_tail)
			v = s->rx[s->rx_head++ % 64];
		return v;
	case 1:
		return dlab ? s->dlm : s->ier;
	case 3:
		return s->lcr;
	case 4:
		return s->mcr;
	case 2:
		return !s->no_fifo && (s->fcr & UART_FCR_ENABLE) ?
		       UART_IIR_FIFOS | 1 : 1;
	case 5:
		/* The line takes a byte per status read: THRE once all of
		 * what was written is out. */
		if (!s->tx_stuck && s->tx_level)
			s->tx_level--;
		s->run = 0;
		v = s->tx_stuck || s->tx_level ? 0 : UART_LSR_THRE | 0x40;
		if (s->rx_head != s->rx_tail)
			v |= UART_LSR_DR;
		v |= s->lsr_extra;
		s->lsr_extra = 0;
		return v;
	case 7:
		return s->scr;
	}
	return 0;
}

static void sim_out(void *ctx, u16 port, u8 val)
{
	struct sim *s = ctx;
	bool dlab = s->lcr & UART_LCR_DLAB;

	s->writes++;
	if (s->absent)
		return;
	switch (port - BASE) {
	case 0:
		if (dlab)
			s->dll = val;
		else if (s->tx_level >= (s->no_fifo ? 1 : 16))
			s->tx_lost++;
		else if (s->tx_len < (int)sizeof(s->tx)) {
			s->tx[s->tx_len++] = val;
			s->tx_level++;
		}
		if (!dlab && ++s->run > s->max_run)
			s->max_run = s->run;
		break;
	case 1:
		if (dlab)
			s->dlm = val;
		else
			s->ier = val;
		break;
	case 2:
		s->fcr = val;
		if (val & 2)
			s->rx_head = s->rx_tail;
		break;
	case 3:
		s->lcr = val;
		break;
	case 4:
		s->mcr = val;
		break;
	case 7:
		s->scr = val;
		break;
	}
}

static u64 sim_now(void *ctx)
{
	return ((struct sim *)ctx)->clock;
}

static void sim_push(struct sim *s, const char *bytes)
{
	while (*bytes)
		s->rx[s->rx_tail++ % 64] = (u8)*bytes++;
}

/* The line delivers @bytes; a 16550 FIFO keeps 16 and overruns. */
static void sim_line(struct sim *s, const char *bytes)
{
	for (; *bytes; bytes++) {
		if (s->rx_tail - s->rx_head >= 16)
			s->overruns++;
		else
			s->rx[s->rx_tail++ % 64] = (u8)*bytes;
	}
}

static const struct uart_io sim_io_tmpl = { sim_in, sim_out, sim_now, NULL };

static int open_sim(struct uart *u, struct sim *s, u32 baud)
{
	struct uart_io io = sim_io_tmpl;

	io.ctx = s;
	return uart_init(u, &io, BASE, baud, TPM);
}

static void test_init_programs_8n1_polled(void **state)
{
	struct sim s = { 0 };
	struct uart u;

	(void)state;
	sim_push(&s, "stale");
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	assert_int_equal(s.dll, 1);
	assert_int_equal(s.dlm, 0);
	assert_int_equal(s.lcr, 0x03);		/* 8N1, DLAB off again */
	assert_int_equal(s.ier, 0);		/* no interrupts */
	assert_int_equal(s.mcr & 0x08, 0);	/* OUT2 low: IRQ gated */
	assert_int_equal(s.mcr & 3, 3);		/* DTR, RTS */
	assert_true(s.fcr & UART_FCR_ENABLE);
	/* Bytes from before we owned the port are not gdb's. */
	assert_int_equal(uart_get_byte(&u, 0), -1);
}

static void test_init_divisors(void **state)
{
	static const struct { u32 baud; u16 div; } t[] = {
		{ 115200, 1 }, { 57600, 2 }, { 38400, 3 }, { 9600, 12 },
		{ 300, 384 }, { 50, 2304 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct sim s = { 0 };
		struct uart u;

		assert_int_equal(open_sim(&u, &s, t[i].baud), 0);
		assert_int_equal(s.dll | (s.dlm << 8), t[i].div);
	}
}

static void test_init_rejects_bad_baud(void **state)
{
	static const u32 bad[] = { 0, 7, 100000, 230400, 921600 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct sim s = { 0 };
		struct uart u;

		assert_int_equal(open_sim(&u, &s, bad[i]), -22);
		assert_int_equal(s.writes, 0);	/* chip left alone */
	}
}

static void test_init_absent_chip(void **state)
{
	struct sim s = { .absent = true };
	struct uart u;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), -19);
}

static void test_bytes_in_order(void **state)
{
	struct sim s = { 0 };
	struct uart u;
	const char *msg = "$qSupported#37\x03";
	size_t i;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	sim_push(&s, msg);
	for (i = 0; i < strlen(msg); i++)
		assert_int_equal(uart_get_byte(&u, 100), (u8)msg[i]);
	assert_int_equal(uart_get_byte(&u, 0), -1);
	assert_int_equal(u.rx_bytes, strlen(msg));
}

static void test_get_timeout_bounded(void **state)
{
	struct sim s = { 0 };
	struct uart u;
	u64 t0;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	t0 = s.clock;
	assert_int_equal(uart_get_byte(&u, 50), -1);
	/* Waited the 50 ms, and not much more (one status read). */
	assert_true(s.clock - t0 >= 50 * TPM);
	assert_true(s.clock - t0 <= 50 * TPM + 10);

	/* timeout 0 looks once */
	t0 = s.reads;
	assert_int_equal(uart_get_byte(&u, 0), -1);
	assert_int_equal(s.reads - t0, 1);
}

static void test_get_stuck_clock_backstop(void **state)
{
	struct sim s = { 0 };
	struct uart u;
	u64 r0;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	s.stuck_clock = true;
	r0 = s.reads;
	assert_int_equal(uart_get_byte(&u, 1000), -1);
	assert_int_equal(s.reads - r0, UART_MAX_SPINS);
}

static void test_line_errors_counted(void **state)
{
	struct sim s = { 0 };
	struct uart u;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	s.lsr_extra = 0x02;	/* overrun */
	sim_push(&s, "x");
	assert_int_equal(uart_get_byte(&u, 10), 'x');
	assert_int_equal(u.line_errors, 1);
}

static void test_put_bytes(void **state)
{
	struct sim s = { 0 };
	struct uart u;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	assert_int_equal(uart_put_bytes(&u, (const u8 *)"+$OK#9a", 7), 7);
	assert_int_equal(s.tx_len, 7);
	assert_memory_equal(s.tx, "+$OK#9a", 7);
	assert_int_equal(u.tx_bytes, 7);
}

/* A FIFO's worth per THRE, never more than it holds; one byte at a time
 * on a 16450. */
static void test_put_fills_the_fifo(void **state)
{
	static const char text[] = "$T05thread:1;06:48bf5b0000c9ffff;07:40bd5b"
				   "0000c9ffff;10:50e30b81ffffffff;swbreak:;#00";
	size_t n = sizeof(text) - 1;
	struct sim s = { 0 }, t = { .no_fifo = true };
	struct uart u;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	assert_int_equal(u.tx_burst, 16);
	assert_int_equal(uart_put_bytes(&u, (const u8 *)text, n), n);
	assert_int_equal(s.tx_len, n);
	assert_memory_equal(s.tx, text, n);
	assert_int_equal(s.tx_lost, 0);
	assert_int_equal(s.max_run, 16);	/* 16 after each THRE */

	assert_int_equal(open_sim(&u, &t, 115200), 0);
	assert_int_equal(u.tx_burst, 1);
	assert_int_equal(uart_put_bytes(&u, (const u8 *)text, n), n);
	assert_memory_equal(t.tx, text, n);
	assert_int_equal(t.tx_lost, 0);
	assert_int_equal(t.max_run, 1);
}

static void test_put_stuck_transmitter(void **state)
{
	struct sim s = { 0 };
	struct uart u;
	u64 t0;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	s.tx_stuck = true;
	t0 = s.clock;
	assert_int_equal(uart_put_bytes(&u, (const u8 *)"abcdefgh", 8), 0);
	assert_int_equal(s.tx_len, 0);
	assert_int_equal(u.tx_timeouts, 1);
	/* One byte's timeout (10 ms + a FIFO's frame time), not eight. */
	assert_true(s.clock - t0 >= 10 * TPM);
	assert_true(s.clock - t0 <= 12 * TPM + 10);
}

static void test_drain_bounded(void **state)
{
	struct sim s = { 0 };
	struct uart u;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	sim_push(&s, "abc");
	assert_int_equal(uart_drain(&u), 3);
	assert_int_equal(uart_get_byte(&u, 0), -1);
	/* A broken chip with DR stuck on: bounded. */
	s.rx_tail = s.rx_head + 1000000;
	assert_int_equal(uart_drain(&u), 4096);
}

/* What arrives while the owner is busy (halting CPUs, sending a reply)
 * survives in the ring when it is pumped often enough. */
static void test_pump_keeps_bytes_while_busy(void **state)
{
	struct sim s = { 0 };
	struct uart u;
	char sent[200], got[200];
	int i;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	for (i = 0; i < 199; i++)
		sent[i] = (char)('a' + i % 26);
	sent[199] = 0;
	/* 12 bytes at a time between pumps: the FIFO never overruns. */
	for (i = 0; i < 199; i += 12) {
		char part[13] = { 0 };

		memcpy(part, sent + i, 199 - i < 12 ? 199 - i : 12);
		sim_line(&s, part);
		assert_int_equal(uart_pump(&u), strlen(part));
	}
	/* Sending a reply pumps too. */
	sim_line(&s, "+$g#67");
	assert_int_equal(uart_put_bytes(&u, (const u8 *)"$OK#9a", 6), 6);
	assert_int_equal(s.overruns, 0);
	for (i = 0; i < 199; i++)
		got[i] = (char)uart_get_byte(&u, 0);
	got[199] = 0;
	assert_string_equal(got, sent);
	for (i = 0; i < 6; i++)
		assert_int_equal(uart_get_byte(&u, 0), (u8)"+$g#67"[i]);
	assert_int_equal(uart_get_byte(&u, 0), -1);

	/* Without pumping, the 16550 overruns: what the ring is for. */
	sim_line(&s, sent);
	assert_int_equal(s.overruns, 199 - 16);
}

/* A full ring leaves bytes in the chip instead of dropping them. */
static void test_pump_full_ring_drops_nothing(void **state)
{
	struct sim s = { 0 };
	struct uart u;
	u32 i, n = 0;

	(void)state;
	assert_int_equal(open_sim(&u, &s, 115200), 0);
	for (i = 0; i < UART_RING / 8 + 1; i++) {
		sim_line(&s, "01234567");
		n += uart_pump(&u);
	}
	assert_int_equal(n, UART_RING);
	assert_int_equal(s.rx_tail - s.rx_head, 8);	/* still in the chip */
	for (i = 0; i < UART_RING + 8; i++)
		assert_int_equal(uart_get_byte(&u, 0), '0' + i % 8);
	assert_int_equal(uart_drain(&u), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_programs_8n1_polled),
		cmocka_unit_test(test_pump_keeps_bytes_while_busy),
		cmocka_unit_test(test_pump_full_ring_drops_nothing),
		cmocka_unit_test(test_init_divisors),
		cmocka_unit_test(test_init_rejects_bad_baud),
		cmocka_unit_test(test_init_absent_chip),
		cmocka_unit_test(test_bytes_in_order),
		cmocka_unit_test(test_get_timeout_bounded),
		cmocka_unit_test(test_get_stuck_clock_backstop),
		cmocka_unit_test(test_line_errors_counted),
		cmocka_unit_test(test_put_bytes),
		cmocka_unit_test(test_put_fills_the_fifo),
		cmocka_unit_test(test_put_stuck_transmitter),
		cmocka_unit_test(test_drain_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
