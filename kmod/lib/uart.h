/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uart.h - polled 16550 UART, the link between hvgdb.ko and gdb.
 *
 * Contract: pure register logic.  The caller supplies port I/O and a
 * monotonic clock (TSC in the kernel) through struct uart_io; nothing
 * sleeps, nothing takes interrupts (IER = 0, MCR.OUT2 = 0), so it works
 * with interrupts off in VMX root.  Every wait is bounded by the clock,
 * and additionally by a spin count so a stuck clock cannot hang us.
 * Register layout and bits: PC16550D data sheet, "Register Summary".
 */
#ifndef HVGDB_KMOD_UART_H
#define HVGDB_KMOD_UART_H

#include "hvgdb/freestanding.h"

#define UART_DEFAULT_PORT	0x3f8	/* COM1 */
#define UART_DEFAULT_BAUD	115200
#define UART_CLOCK_BAUD		115200	/* 1.8432 MHz / 16 */

/* Register offsets from the base port. */
#define UART_RBR	0	/* receive buffer (read, DLAB=0) */
#define UART_THR	0	/* transmit holding (write, DLAB=0) */
#define UART_DLL	0	/* divisor latch low (DLAB=1) */
#define UART_IER	1	/* interrupt enable (DLAB=0) */
#define UART_DLM	1	/* divisor latch high (DLAB=1) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_SCR	7	/* scratch */

#define UART_LCR_8N1	0x03
#define UART_LCR_DLAB	0x80
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLEAR	0x06	/* clear both FIFOs */
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_ERRS	0x1e	/* overrun, parity, framing, break */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_IIR_FIFOS	0xc0	/* both set: FIFOs enabled (16550A) */
#define UART_TX_FIFO	16	/* a 16550A's transmit FIFO */

/* Received bytes held in software: a 16550 FIFO holds 16, and gdb
 * sends a 200-byte qSupported while the owner is still halting CPUs. */
#define UART_RING	2048	/* power of two */

/* Spins of one status read each, a backstop behind the clock. */
#define UART_MAX_SPINS	(1u << 24)

struct uart_io {
	u8 (*in)(void *ctx, u16 port);
	void (*out)(void *ctx, u16 port, u8 val);
	u64 (*now)(void *ctx);		/* monotonic ticks */
	void *ctx;
};

struct uart {
	struct uart_io io;
	u16 base;
	u32 baud;
	u64 ticks_per_ms;		/* clock rate of io.now, >= 1 */
	u8 ring[UART_RING];
	u32 r_head, r_tail;		/* free-running; tail - head = held */
	u8 tx_burst;			/* bytes per THRE: 16, or 1 without FIFO */
	/* statistics */
	u64 rx_bytes, tx_bytes, line_errors, tx_timeouts;
};

/*
 * uart_init: program 8N1 at @baud with FIFOs on and interrupts off.
 * Returns 0, -22 (EINVAL) if @baud is 0 or not 115200/n with n <= 65535,
 * or -19 (ENODEV) if the scratch register does not hold a value (no chip).
 */
int uart_init(struct uart *u, const struct uart_io *io, u16 base, u32 baud,
	      u64 ticks_per_ms);

/* Move what the FIFO holds into the ring (call it while busy elsewhere so
 * nothing overruns); returns the bytes moved.  Stops when the ring is full:
 * bytes are then left in the chip, never dropped here. */
u32 uart_pump(struct uart *u);

/* One received byte (0..255), held ones first, or -1 if none arrived
 * within @timeout_ms (0 = just look). */
int uart_get_byte(struct uart *u, u32 timeout_ms);

/* Send @len bytes, a FIFO's worth (tx_burst) each time THRE says the
 * transmitter is empty; gives up after 10 ms plus a full FIFO's frame time
 * with THRE still clear.  Returns bytes sent.  Bytes received meanwhile
 * are pumped into the ring. */
size_t uart_put_bytes(struct uart *u, const u8 *buf, size_t len);

/* Drop whatever sits in the ring and the receive FIFO; returns the bytes
 * dropped. */
u32 uart_drain(struct uart *u);

#endif /* HVGDB_KMOD_UART_H */
