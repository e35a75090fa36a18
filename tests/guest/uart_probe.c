// SPDX-License-Identifier: GPL-2.0
/*
 * uart_probe - drive a 16550 directly from user space (ioperm), to test the
 * VM's gdb link (COM3, 0x3e8) end to end without hvgdb.ko.
 *
 *   uart_probe send TEXT        write TEXT to the UART
 *   uart_probe recv N SECONDS   read N bytes (or until SECONDS pass), print them
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <time.h>

#define BASE 0x3e8
#define THR 0
#define RBR 0
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5

static void uart_init(void)
{
	/* Enabling the FIFOs clears them: do it once, not on every call. */
	if ((inb(BASE + FCR) & 0xc0) == 0xc0)
		return;
	outb(0x00, BASE + IER);		/* polled: no interrupts */
	outb(0x80, BASE + LCR);		/* DLAB: divisor 1 = 115200 */
	outb(0x01, BASE + 0);
	outb(0x00, BASE + 1);
	outb(0x03, BASE + LCR);		/* 8N1 */
	outb(0x07, BASE + FCR);		/* FIFO on, both cleared */
	outb(0x03, BASE + MCR);		/* DTR, RTS */
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3 || ioperm(BASE, 8, 1)) {
		fprintf(stderr, "usage: uart_probe send TEXT | recv N SECONDS (root)\n");
		return 2;
	}
	uart_init();
	if (!strcmp(argv[1], "send")) {
		for (const char *p = argv[2]; *p; p++) {
			while (!(inb(BASE + LSR) & 0x20))
				;
			outb(*p, BASE + THR);
		}
		while (!(inb(BASE + LSR) & 0x40))
			;
		return 0;
	}
	if (!strcmp(argv[1], "recv") && argc == 4) {
		long want = atol(argv[2]), got = 0;
		double end = now() + atof(argv[3]);

		while (got < want && now() < end) {
			if (inb(BASE + LSR) & 0x01) {
				putchar(inb(BASE + RBR));
				got++;
			}
		}
		return got == want ? 0 : 1;
	}
	fprintf(stderr, "uart_probe: unknown command %s\n", argv[1]);
	return 2;
}
