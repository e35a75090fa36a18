/* HyperDbg's !pcitree and !pcicam (monitor-cmds/cmd_pci.c): every form and
 * the fields it sets, every error with its column, the host handing, and
 * the exact text of the tree, the hex dump and the decoded header, over a
 * fake configuration space. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/cmd_pci.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static void test_parse(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("!pcitree");
	assert_int_equal(c.kind, CMD_PCITREE);
	assert_int_equal(c.length, 0);
	c = ok("  !PCITREE  ");
	assert_int_equal(c.kind, CMD_PCITREE);

	c = ok("!pcicam 3 0 0");
	assert_int_equal(c.kind, CMD_PCICAM);
	assert_int_equal(c.bus, 3);
	assert_int_equal(c.dev, 0);
	assert_int_equal(c.fn, 0);
	assert_int_equal(c.bus_col, 9);
	assert_int_equal(c.dev_col, 11);
	assert_int_equal(c.fn_col, 13);
	assert_false(c.raw);
	assert_int_equal(c.length, CMD_PCI_HEADER);
	assert_int_equal(c.length_col, 0);
	/* HyperDbg's hex dump: 0x100 bytes. */
	c = ok("!pcicam 0 17 7 x");
	assert_int_equal(c.dev, 0x17);
	assert_int_equal(c.fn, 7);
	assert_true(c.raw);
	assert_int_equal(c.length, 0x100);
	/* Limits, other bases, keywords anywhere and in any case. */
	c = ok("!pcicam ff 1f 7");
	assert_int_equal(c.bus, 0xff);
	assert_int_equal(c.dev, 0x1f);
	assert_int_equal(c.fn, 7);
	c = ok("!pcicam L 0x1000 X 0n2 0t3 0y1");
	assert_true(c.raw);
	assert_int_equal(c.length, 0x1000);
	assert_int_equal(c.length_col, 11);
	assert_int_equal(c.bus, 2);
	assert_int_equal(c.dev, 3);
	assert_int_equal(c.fn, 1);
	assert_int_equal(c.bus_col, 20);
	c = ok("!pcicam 0 1 1 x l 24");
	assert_int_equal(c.length, 0x24);
	assert_int_equal(c.length_col, 19);
	/* Nothing else is set. */
	assert_int_equal(c.addr, 0);
	assert_int_equal(c.core, 0);
	assert_int_equal(c.unit, 0);
	assert_int_equal(c.nvalues, 0);
}

static void test_parse_errors(void **state)
{
	(void)state;
	err_is("!pcitree 0", 10, "expected end of command, got '0'");
	err_is("pcitree", 1, "unknown command 'pcitree': HyperDbg writes it "
	       "'!pcitree'");
	err_is("pcicam 0 0 0", 1, "unknown command 'pcicam': HyperDbg writes "
	       "it '!pcicam'");
	err_is("!pcicam", 8, "expected a bus number (hex) after '!pcicam', got "
	       "end of line");
	err_is("!pcicam 0", 10, "expected a device number (hex), got end of "
	       "line");
	err_is("!pcicam 0 1", 12, "expected a function number (hex), got end "
	       "of line");
	err_is("!pcicam 0 1 x", 14, "expected a function number (hex), got "
	       "end of line");
	err_is("!pcicam zz", 9, "expected a bus number (hex) after '!pcicam', "
	       "got 'zz'");
	err_is("!pcicam {1}", 9, "expected a bus number (hex) after "
	       "'!pcicam', got a {...} block");
	err_is("!pcicam 100 0 0", 9, "expected a bus number (hex) in 0x0..0xff, "
	       "got 0x100");
	err_is("!pcicam 0 20 0", 11, "expected a device number (hex) in "
	       "0x0..0x1f, got 0x20");
	err_is("!pcicam 0 0 8", 13, "expected a function number (hex) in "
	       "0x0..0x7, got 0x8");
	err_is("!pcicam 0 0 0 0", 15, "expected 'x', 'l' or end of command, "
	       "got '0'");
	err_is("!pcicam 0 0 0 y", 15, "expected 'x', 'l' or end of command, "
	       "got 'y'");
	err_is("!pcicam 0 0 0 x x", 17, "'x' given twice (first at column 15)");
	err_is("!pcicam 0 0 0 x l 10 l 20", 22, "'l' given twice (first at "
	       "column 17)");
	err_is("!pcicam 0 0 0 x l", 18, "expected a length in bytes (hex) after "
	       "'l', got end of line");
	err_is("!pcicam 0 0 0 x l 0", 19, "expected a length in bytes (hex) in "
	       "0x4..0x1000, got 0x0");
	err_is("!pcicam 0 0 0 x l 1004", 19, "expected a length in bytes (hex) "
	       "in 0x4..0x1000, got 0x1004");
	err_is("!pcicam 0 0 0 x l 6", 19, "expected a length in dwords (a "
	       "multiple of 0x4), got 0x6");
	/* `l` is the hex dump's: without `x` it is refused, not ignored. */
	err_is("!pcicam 0 0 0 l 40", 15, "'l' is the length of the hex dump: "
	       "give 'x' too (the decoded header is 0x40 bytes)");
	/* HyperDbg's pcicam has no pid. */
	err_is("!pcicam 0 0 0 pid 4", 15, "expected 'x', 'l' or end of command, "
	       "got 'pid'");
}

/* cmd_execute() leaves both to the host. */
static void test_host_runs_them(void **state)
{
	static struct fixture fx;

	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, "!pcitree"), 0);
	assert_int_equal(fx.req, CMD_REQ_HOST);
	assert_string_equal(fx.out, "");
	assert_int_equal(fx_run(&fx, "!pcicam 0 1 0 x"), 0);
	assert_int_equal(fx.req, CMD_REQ_HOST);
	assert_int_equal(fx_run(&fx, "!pcicam 0 1"), -1);
	assert_int_equal(fx.req, 0);
	assert_int_equal(fx_run(&fx, "help !pcitree"), 0);
	assert_string_equal(fx.out, "!pcitree\n  the PCI functions of segment "
			    "0, with vendor and device ids\n");
}

static void test_tree_lines(void **state)
{
	char buf[512];
	struct cmd_out o;

	(void)state;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pci_tree_head(&o);
	cmd_fmt_pci_tree_line(&o, 0, 0, 0, 0, 0x8086, 0x1237, 0x060000);
	cmd_fmt_pci_tree_line(&o, 0, 0, 1, 1, 0x8086, 0x7010, 0x010180);
	cmd_fmt_pci_tree_line(&o, 0x10, 0xab, 0x1f, 7, 0x10ec, 0xb852,
			      0xff0000);
	cmd_fmt_pci_tree_line(&o, 0, 2, 0, 0, 0x1b36, 0x000d, 0x400000);
	assert_string_equal(buf,
		"DBDF         | VID:DID   | Class\n"
		"----------------------------------------------------------------------\n"
		"0000:00:00:0 | 8086:1237 | 060000 bridge\n"
		"0000:00:01:1 | 8086:7010 | 010180 mass storage controller\n"
		"0010:ab:1f:7 | 10ec:b852 | ff0000 unknown class\n"
		"0000:02:00:0 | 1b36:000d | 400000 coprocessor\n");
	assert_string_equal(cmd_pci_class_name(0x13),
			    "non-essential instrumentation");
	assert_string_equal(cmd_pci_class_name(0x14), "unknown class");
	assert_string_equal(cmd_pci_class_name(0x0c), "serial bus controller");
}

/* HyperDbg's example bytes (82574L at 03:00.0, pcicam.md). */
static const u8 nic[0x40] = {
	0x86, 0x80, 0xd3, 0x10, 0x07, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xa0, 0xfe, 0x00, 0x00, 0xa2, 0xfe,
	0x01, 0x40, 0x00, 0x00, 0x00, 0x00, 0xa4, 0xfe,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xad, 0x15, 0xd0, 0x07,
	0x00, 0x00, 0xff, 0xff, 0xc8, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0x01, 0x00, 0x00,
};

static void test_dump_lines(void **state)
{
	static const u8 text[16] = "PCI!\x7f\x1f ~ az09@\xff.";
	char buf[1024];
	struct cmd_out o;

	(void)state;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pci_title(&o, 0, 3, 0, 0);
	cmd_fmt_pci_dump_head(&o, false);
	cmd_fmt_pci_dump_line(&o, 0, nic, 16, false);
	cmd_fmt_pci_dump_line(&o, 0x10, nic + 0x10, 16, false);
	cmd_fmt_pci_dump_line(&o, 0xf0, text, 16, false);
	assert_string_equal(buf,
		"PCI configuration space (CAM) for device 0000:03:00:0\n"
		"    00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n"
		"00: 86 80 d3 10 07 00 10 00 00 00 00 02 10 00 00 00 "
		"................\n"
		"10: 00 00 a0 fe 00 00 a2 fe 01 40 00 00 00 00 a4 fe "
		".........@......\n"
		"f0: 50 43 49 21 7f 1f 20 7e 20 61 7a 30 39 40 ff 2e "
		"PCI!.. ~ az09@..\n");
	/* Past 0xff: three-digit offsets; a short last line lines up. */
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pci_dump_head(&o, true);
	cmd_fmt_pci_dump_line(&o, 0x100, text, 16, true);
	cmd_fmt_pci_dump_line(&o, 0xff0, text, 4, true);
	cmd_fmt_pci_dump_line(&o, 0xff0, text, 40, true);
	assert_string_equal(buf,
		"     00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n"
		"100: 50 43 49 21 7f 1f 20 7e 20 61 7a 30 39 40 ff 2e "
		"PCI!.. ~ az09@..\n"
		"ff0: 50 43 49 21                                     PCI!\n"
		"ff0: 50 43 49 21 7f 1f 20 7e 20 61 7a 30 39 40 ff 2e "
		"PCI!.. ~ az09@..\n");
}

static void test_header_endpoint(void **state)
{
	static char buf[4096];
	struct cmd_out o;

	(void)state;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pci_header(&o, nic);
	assert_false(o.truncated);
	assert_string_equal(buf,
		"\n"
		"Common Header:\n"
		"VID:DID: 8086:10d3\n"
		"Command: 0007\n"
		"  I/O Space: 1\n"
		"  Memory Space: 1\n"
		"  Bus Master: 1\n"
		"Status: 0010\n"
		"Revision ID: 00\n"
		"Class Code: 020000 (network controller)\n"
		"CacheLineSize: 10\n"
		"PrimaryLatencyTimer: 00\n"
		"HeaderType: Endpoint (00)\n"
		"  Multi-function Device: False\n"
		"Bist: 00\n"
		"\n"
		"Device Header:\n"
		"BAR0\n BAR Type: MMIO\n BAR: fea00000\n"
		" BAR (actual): fea00000\n Prefetchable: False\n"
		"BAR1\n BAR Type: MMIO\n BAR: fea20000\n"
		" BAR (actual): fea20000\n Prefetchable: False\n"
		"BAR2\n BAR Type: Port IO\n BAR: 00004001\n"
		" BAR (actual): 00004000\n"
		"BAR3\n BAR Type: MMIO\n BAR: fea40000\n"
		" BAR (actual): fea40000\n Prefetchable: False\n"
		"BAR4 [disabled]\n BAR Type: MMIO\n BAR: 00000000\n"
		" BAR (actual): 00000000\n Prefetchable: False\n"
		"BAR5 [disabled]\n BAR Type: MMIO\n BAR: 00000000\n"
		" BAR (actual): 00000000\n Prefetchable: False\n"
		"Cardbus CIS Pointer: 00000000\n"
		"Subsystem Vendor ID: 15ad\n"
		"Subsystem ID: 07d0\n"
		"ROM BAR: ffff0000\n"
		"Capabilities Pointer: c8\n"
		"Interrupt Line: ff\n"
		"Interrupt Pin: 01\n"
		"Min Grant: 00\n"
		"Max latency: 00\n");
}

/* A 64-bit prefetchable BAR takes the next one as its upper half; one in
 * BAR5 has no upper half to take. */
static void test_header_64bit_bars(void **state)
{
	static char buf[4096];
	struct cmd_out o;
	static const char want[] =
		"Device Header:\n"
		"BAR0\n BAR Type: MMIO (64-bit)\n BAR: 0000000c\n"
		" BAR (actual): 0000000800000000\n Prefetchable: True\n"
		"BAR1: upper 32 bits of BAR0\n"
		"BAR2\n BAR Type: Port IO\n BAR: 0000c041\n"
		" BAR (actual): 0000c040\n"
		"BAR3\n BAR Type: MMIO (64-bit)\n BAR: 00000004\n"
		" BAR (actual): 0000000100000000\n Prefetchable: False\n"
		"BAR4: upper 32 bits of BAR3\n"
		"BAR5\n BAR Type: MMIO\n BAR: feb00004\n"
		" BAR (actual): feb00000\n Prefetchable: False\n"
		"Cardbus CIS Pointer: ";
	u8 cfg[0x40];
	const char *bars;

	(void)state;
	memcpy(cfg, nic, sizeof(cfg));
	cfg[0xe] = 0x80;
	/* BAR0-1: 64-bit prefetchable at 0x8_0000_0000 + 0xc; BAR2: I/O;
	 * BAR3-4 0x0000_0001_0000_0004 with the low half 0; BAR5 64-bit. */
	memcpy(cfg + 0x10, "\x0c\x00\x00\x00\x08\x00\x00\x00", 8);
	memcpy(cfg + 0x18, "\x41\xc0\x00\x00", 4);
	memcpy(cfg + 0x1c, "\x04\x00\x00\x00\x01\x00\x00\x00", 8);
	memcpy(cfg + 0x24, "\x04\x00\xb0\xfe", 4);
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pci_header(&o, cfg);
	assert_non_null(strstr(buf, "HeaderType: Endpoint (80)\n"
			       "  Multi-function Device: True\n"));
	bars = strstr(buf, "Device Header:\n");
	assert_non_null(bars);
	assert_memory_equal(bars, want, strlen(want));
}

/* HyperDbg's root-port example (00:17.7 of a VMware guest). */
static void test_header_bridge_and_others(void **state)
{
	static char buf[4096];
	struct cmd_out o;
	u8 cfg[0x40] = {
		0xad, 0x15, 0xa0, 0x07, 0x06, 0x00, 0x10, 0x00,
		0x01, 0x00, 0x04, 0x06, 0x00, 0x00, 0x81, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x1a, 0x1a, 0x00, 0xf0, 0x00, 0x00, 0x00,
		0x30, 0xfd, 0x30, 0xfd, 0xd1, 0xf8, 0xd1, 0xf8,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00,
	};
	const char *dev;

	(void)state;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pci_header(&o, cfg);
	assert_non_null(strstr(buf, "Class Code: 060400 (bridge)\n"));
	assert_non_null(strstr(buf, "HeaderType: PCI-to-PCI Bridge (81)\n"
			       "  Multi-function Device: True\n"));
	dev = strstr(buf, "\nDevice Header:\n");
	assert_non_null(dev);
	assert_string_equal(dev,
		"\nDevice Header:\n"
		"BAR0: 00000000\n"
		"BAR1: 00000000\n"
		"Primary Bus Number: 00\n"
		"Secondary Bus Number: 1a\n"
		"Subordinate Bus Number: 1a\n"
		"Secondary Latency Timer: 00\n"
		"I/O Base: f0\n"
		"I/O Limit: 00\n"
		"Secondary Status: 0000\n"
		"Memory Base: fd30\n"
		"Memory Limit: fd30\n"
		"Prefetchable Memory Base: f8d1\n"
		"Prefetchable Memory Limit: f8d1\n"
		"Prefetchable Base Upper 32 Bits: 00000000\n"
		"Prefetchable Limit Upper 32 Bits: 00000000\n"
		"I/O Base Upper 16 Bits: 0000\n"
		"I/O Limit Upper 16 Bits: 0000\n"
		"Capability Pointer: 40\n"
		"ROM BAR: 00000000\n"
		"Interrupt Line: ff\n"
		"Interrupt Pin: 00\n"
		"Bridge Control: 0000\n");
	/* CardBus and unknown header types are not decoded. */
	cfg[0xe] = 0x02;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pci_header(&o, cfg);
	assert_non_null(strstr(buf, "HeaderType: CardBus Bridge (02)\n"));
	dev = strstr(buf, "\nDevice Header:\n");
	assert_string_equal(dev, "\nDevice Header:\nnot decoded for this "
			    "header type: 'x' shows the bytes\n");
	cfg[0xe] = 0x7f;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pci_header(&o, cfg);
	assert_non_null(strstr(buf, "HeaderType: Unknown (7f)\n"));
	/* A small buffer is cut, never overrun. */
	cmd_out_init(&o, buf, 40);
	cmd_fmt_pci_header(&o, nic);
	assert_true(o.truncated);
	assert_int_equal(strlen(buf), 39);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_host_runs_them),
		cmocka_unit_test(test_tree_lines),
		cmocka_unit_test(test_dump_lines),
		cmocka_unit_test(test_header_endpoint),
		cmocka_unit_test(test_header_64bit_bars),
		cmocka_unit_test(test_header_bridge_and_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
