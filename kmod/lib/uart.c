// SPDX-License-Identifier: GPL-2.0
/*
 * uart.c - polled 16550 driver (see uart.h for the contract).
 *
 * Polling only: the module must talk to gdb from VMX root with interrupts
 * off, and while the guest kernel runs it must not fight Linux's 8250
 * driver for interrupts, so IER stays 0 and OUT2 (the IRQ gate on PC
 * boards) stays low.
 */
#include "kmod/lib/uart.h"

static u8 uart_rd(struct uart *u, u16 reg)
{
	return u->io.in(u->io.ctx, u->base + reg);
}

static void uart_wr(struct uart *u, u16 reg, u8 val)
{
	u->io.out(u->io.ctx, u->base + reg, val);
}

int uart_init(struct uart *u, const struct uart_io *io, u16 base, u32 baud,
	      u64 ticks_per_ms)
{
	u32 div;

	memset(u, 0, sizeof(*u));
	u->io = *io;
	u->base = base;
	u->baud = baud;
	u->ticks_per_ms = ticks_per_ms ? ticks_per_ms : 1;
	/* Divisor = 1.8432 MHz / (16 * baud); only exact rates. */
	if (!baud || baud > UART_CLOCK_BAUD || UART_CLOCK_BAUD % baud)
		return -22;
	div = UART_CLOCK_BAUD / baud;
	/* A missing chip floats the bus (reads 0xff): the scratch register
	 * is the one register any 16450/16550 holds as written. */
	uart_wr(u, UART_SCR, 0x5a);
	if (uart_rd(u, UART_SCR) != 0x5a)
		return -19;
	uart_wr(u, UART_SCR, 0xa5);
	if (uart_rd(u, UART_SCR) != 0xa5)
		return -19;
	uart_wr(u, UART_IER, 0);
	uart_wr(u, UART_LCR, UART_LCR_DLAB);
	uart_wr(u, UART_DLL, (u8)div);
	uart_wr(u, UART_DLM, (u8)(div >> 8));
	uart_wr(u, UART_LCR, UART_LCR_8N1);
	uart_wr(u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR);
	/* THRE on a 16550A with FIFOs means the 16-byte FIFO is empty, so a
	 * FIFO's worth may follow (as Linux's 8250 driver sends); a 16450
	 * (IIR bits 7:6 stay clear) holds one byte. */
	u->tx_burst = (uart_rd(u, UART_IIR) & UART_IIR_FIFOS) ==
		      UART_IIR_FIFOS ? UART_TX_FIFO : 1;
	uart_wr(u, UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	uart_drain(u);
	return 0;
}

static bool uart_expired(struct uart *u, u64 start, u32 ms, u32 spins)
{
	if (spins >= UART_MAX_SPINS)
		return true;
	return u->io.now(u->io.ctx) - start >= (u64)ms * u->ticks_per_ms;
}

static bool uart_ring_full(const struct uart *u)
{
	return u->r_tail - u->r_head >= UART_RING;
}

/* One status read; a byte that is ready goes to the ring. */
static u8 uart_status(struct uart *u)
{
	u8 lsr = uart_rd(u, UART_LSR);

	if (lsr & UART_LSR_ERRS)
		u->line_errors++;
	if ((lsr & UART_LSR_DR) && !uart_ring_full(u)) {
		u->ring[u->r_tail++ % UART_RING] = uart_rd(u, UART_RBR);
		u->rx_bytes++;
	}
	return lsr;
}

u32 uart_pump(struct uart *u)
{
	u32 n = 0;

	while (!uart_ring_full(u) && (uart_status(u) & UART_LSR_DR))
		n++;
	return n;
}

int uart_get_byte(struct uart *u, u32 timeout_ms)
{
	u64 start = u->io.now(u->io.ctx);
	u32 spins = 0;

	if (u->r_head != u->r_tail)
		return u->ring[u->r_head++ % UART_RING];
	for (;;) {
		u8 lsr = uart_rd(u, UART_LSR);

		if (lsr & UART_LSR_ERRS)
			u->line_errors++;
		if (lsr & UART_LSR_DR) {
			u->rx_bytes++;
			return uart_rd(u, UART_RBR);
		}
		if (!timeout_ms || uart_expired(u, start, timeout_ms, ++spins))
			return -1;
	}
}

size_t uart_put_bytes(struct uart *u, const u8 *buf, size_t len)
{
	/* A full 16-byte FIFO drains in 160 bit times; allow that plus
	 * 10 ms before deciding the transmitter is stuck. */
	u32 ms = 10 + 160000 / u->baud;
	size_t i;

	u32 burst = u->tx_burst ? u->tx_burst : 1;
	for (i = 0; i < len;) {
		u64 start = u->io.now(u->io.ctx);
		u32 spins = 0, n;

		while (!(uart_status(u) & UART_LSR_THRE)) {
			if (uart_expired(u, start, ms, ++spins)) {
				/* Do not pay the wait for every byte left. */
				u->tx_timeouts++;
				return i;
			}
		}
		for (n = 0; n < burst && i < len; n++, i++) {
			uart_wr(u, UART_THR, buf[i]);
			u->tx_bytes++;
		}
	}
	return len;
}

u32 uart_drain(struct uart *u)
{
	u32 held = u->r_tail - u->r_head, n = 0;

	u->r_head = u->r_tail;
	/* Bounded: a chip that always says "data ready" stops us at 4096. */
	while (n < 4096 && (uart_rd(u, UART_LSR) & UART_LSR_DR)) {
		uart_rd(u, UART_RBR);
		n++;
	}
	return held + n;
}
