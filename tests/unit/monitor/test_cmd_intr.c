/* !idt, !apic and !ioapic (monitor-cmds/cmd_intr.c): parsing with its
 * errors, the host handing them on, and the exact text of each decoder
 * and formatter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"
#include "monitor-cmds/cmd_intr.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)

static void test_parse(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("!idt");
	assert_int_equal(c.kind, CMD_IDT);
	assert_true(c.all);
	c = ok("  !IDT  e ");
	assert_int_equal(c.kind, CMD_IDT);
	assert_false(c.all);
	assert_int_equal(c.addr, 0xe);
	assert_int_equal(c.addr_col, 9);
	assert_int_equal(ok("!idt ff").addr, 0xff);
	assert_int_equal(ok("!idt 0n14").addr, 14);
	assert_int_equal(ok("!idt 0").addr, 0);
	assert_false(ok("!idt 0").all);
	assert_int_equal(ok("!apic").kind, CMD_APIC);
	assert_int_equal(ok("!Apic").kind, CMD_APIC);
	assert_int_equal(ok("!ioapic").kind, CMD_IOAPIC);
}

static void test_parse_errors(void **state)
{
	(void)state;
	err_is("!idt 100", 6, "expected an IDT vector (hex) in 0x0..0xff, "
	       "got 0x100");
	err_is("!idt zz", 6, "expected an IDT vector (hex) after '!idt', got "
	       "'zz'");
	err_is("!idt e f", 8, "expected end of command, got 'f'");
	err_is("!idt {x}", 6, "expected an IDT vector (hex) after '!idt', got "
	       "a {...} block");
	err_is("!apic 0", 7, "expected end of command, got '0'");
	err_is("!ioapic core 1", 9, "expected end of command, got 'core'");
	err_is("idt", 1, "unknown command 'idt': HyperDbg writes it '!idt'");
	err_is("apic", 1, "unknown command 'apic': HyperDbg writes it "
	       "'!apic'");
	err_is("ioapic 1", 1, "unknown command 'ioapic': HyperDbg writes it "
	       "'!ioapic'");
}

static void test_host_runs_them(void **state)
{
	static const char *const lines[] = { "!idt", "!idt e", "!apic",
					     "!ioapic" };
	static struct fixture fx;
	size_t i;

	(void)state;
	fx_init(&fx, true);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		struct event_table before = fx.t;

		if (fx_run(&fx, lines[i]))
			fail_msg("%s: %s", lines[i], fx.out);
		assert_int_equal(fx.req, CMD_REQ_HOST);
		assert_string_equal(fx.out, "");
		assert_memory_equal(&before, &fx.t, sizeof(before));
	}
	assert_int_equal(fx_run(&fx, "help !idt"), 0);
	assert_string_equal(fx.out, "!idt [vector]\n  the selected CPU's IDT: "
			    "each vector's handler and its symbol\n");
}

/* A 64-bit gate for @off, selector 0x10, @type, @dpl, @ist, present @p. */
static void gate(u8 *raw, u64 off, u8 type, u8 dpl, u8 ist, bool p)
{
	memset(raw, 0, 16);
	raw[0] = off & 0xff;
	raw[1] = (off >> 8) & 0xff;
	raw[2] = 0x10;
	raw[4] = ist;
	raw[5] = type | dpl << 5 | (p ? 0x80 : 0);
	raw[6] = (off >> 16) & 0xff;
	raw[7] = (off >> 24) & 0xff;
	raw[8] = (off >> 32) & 0xff;
	raw[9] = (off >> 40) & 0xff;
	raw[10] = (off >> 48) & 0xff;
	raw[11] = (off >> 56) & 0xff;
}

static char out_buf[4096];

#define FMT(call) do { \
	struct cmd_out o; \
	cmd_out_init(&o, out_buf, sizeof(out_buf)); \
	call; \
	assert_false(o.truncated); \
} while (0)

static void test_idt_gates(void **state)
{
	/* Linux's #PF gate as the 6.1 kernel in the test VM has it. */
	static const u8 pf[16] = {
		0xe0, 0x0b, 0x10, 0x00, 0x00, 0x8e, 0xc0, 0x81,
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	};
	struct cmd_idt_gate g;
	u8 raw[16];

	(void)state;
	cmd_idt_gate_decode(pf, &g);
	assert_int_equal(g.offset, 0xffffffff81c00be0ull);
	assert_int_equal(g.sel, 0x10);
	assert_int_equal(g.type, 0xe);
	assert_int_equal(g.dpl, 0);
	assert_int_equal(g.ist, 0);
	assert_true(g.present);
	gate(raw, 0x123456789abcdef0ull, 0xf, 3, 5, true);
	cmd_idt_gate_decode(raw, &g);
	assert_int_equal(g.offset, 0x123456789abcdef0ull);
	assert_int_equal(g.type, 0xf);
	assert_int_equal(g.dpl, 3);
	assert_int_equal(g.ist, 5);
	assert_true(g.present);

	cmd_idt_gate_decode(pf, &g);
	FMT(cmd_fmt_idt_line(&o, 0xe, &g, "asm_exc_page_fault", NULL));
	assert_string_equal(out_buf, "IDT[0xe:14]     : ffffffff`81c00be0     "
			    "asm_exc_page_fault\n");
	FMT(cmd_fmt_idt_line(&o, 0, &g, NULL, NULL));
	assert_string_equal(out_buf, "IDT[0x0:0]      : ffffffff`81c00be0\n");
	FMT(cmd_fmt_idt_line(&o, 0xff, &g, "hvgdb!x+0x10", "changed"));
	assert_string_equal(out_buf, "IDT[0xff:255]   : ffffffff`81c00be0     "
			    "hvgdb!x+0x10  (changed)\n");
	gate(raw, 0x1000, 0xe, 0, 0, false);
	cmd_idt_gate_decode(raw, &g);
	FMT(cmd_fmt_idt_line(&o, 0x20, &g, "", NULL));
	assert_string_equal(out_buf, "IDT[0x20:32]    : 00000000`00001000  "
			    "(not present)\n");
	gate(raw, 0x1000, 0xc, 0, 0, true);	/* a call gate */
	cmd_idt_gate_decode(raw, &g);
	FMT(cmd_fmt_idt_line(&o, 0x80, &g, NULL, NULL));
	assert_string_equal(out_buf, "IDT[0x80:128]   : 00000000`00001000  "
			    "(type 0xc: not an interrupt or trap gate)\n");
}

static void test_idt_sym_index(void **state)
{
	static u64 at_load[256];
	static bool named[256];
	bool changed;
	u32 i;

	(void)state;
	for (i = 0; i < 256; i++) {
		at_load[i] = 0xffffffff81c00000ull + 8 * i;
		named[i] = i != 0x30;
	}
	/* Unchanged: the vector's own entry, named or not. */
	assert_int_equal(cmd_idt_sym_index(at_load, named, 0xe,
					   at_load[0xe], &changed), 0xe);
	assert_false(changed);
	assert_int_equal(cmd_idt_sym_index(at_load, named, 0x30,
					   at_load[0x30], &changed), 0x30);
	assert_false(changed);
	/* Hooked to another vector's handler: that one's symbol. */
	assert_int_equal(cmd_idt_sym_index(at_load, named, 0xe,
					   at_load[0x80], &changed), 0x80);
	assert_true(changed);
	/* ... unless it had none; or a handler nobody had. */
	assert_int_equal(cmd_idt_sym_index(at_load, named, 0xe,
					   at_load[0x30], &changed), -1);
	assert_true(changed);
	assert_int_equal(cmd_idt_sym_index(at_load, named, 0xe,
					   0xffffffffc0001000ull, &changed),
			 -1);
	assert_true(changed);
	/* Two vectors with one handler at load: the first named. */
	at_load[0x41] = at_load[0x40];
	assert_int_equal(cmd_idt_sym_index(at_load, named, 0x41,
					   at_load[0x40], &changed), 0x41);
	assert_int_equal(cmd_idt_sym_index(at_load, named, 0x42,
					   at_load[0x40], &changed), 0x40);
	assert_true(changed);
}

static void test_ksym_parse(void **state)
{
	const char *name, *mod;
	u32 nlen, mlen;
	u64 off;

	(void)state;
	assert_true(cmd_ksym_parse("asm_exc_page_fault+0x0/0x30", &name,
				   &nlen, &off, &mod, &mlen));
	assert_int_equal(nlen, strlen("asm_exc_page_fault"));
	assert_memory_equal(name, "asm_exc_page_fault", nlen);
	assert_int_equal(off, 0);
	assert_null(mod);
	assert_int_equal(mlen, 0);
	assert_true(cmd_ksym_parse("irq_entries_start+0x1f8/0x660", &name,
				   &nlen, &off, &mod, &mlen));
	assert_int_equal(nlen, strlen("irq_entries_start"));
	assert_int_equal(off, 0x1f8);
	assert_true(cmd_ksym_parse("hv_foo.cold+0x10/0x20 [hvgdb]", &name,
				   &nlen, &off, &mod, &mlen));
	assert_memory_equal(name, "hv_foo.cold", nlen);
	assert_int_equal(nlen, 11);
	assert_int_equal(off, 0x10);
	assert_int_equal(mlen, 5);
	assert_memory_equal(mod, "hvgdb", 5);
	/* With a build id after the module name: the name only. */
	assert_true(cmd_ksym_parse("f+0x1/0x2 [m 0123abcd]", &name, &nlen,
				   &off, &mod, &mlen));
	assert_int_equal(mlen, 0);
	/* No symbol: the kernel prints the address. */
	assert_false(cmd_ksym_parse("0xffffffffc0001000", &name, &nlen, &off,
				    &mod, &mlen));
	assert_false(cmd_ksym_parse("+0x10/0x20", &name, &nlen, &off, &mod,
				    &mlen));
	assert_false(cmd_ksym_parse("f+0x/0x20", &name, &nlen, &off, &mod,
				    &mlen));
	assert_false(cmd_ksym_parse("f+0x1g/0x20", &name, &nlen, &off, &mod,
				    &mlen));
	assert_false(cmd_ksym_parse("", &name, &nlen, &off, &mod, &mlen));
}

static void test_lapic_readable(void **state)
{
	u32 v5 = 0x00050014, v6 = 0x01060015, v3 = 0x00030010;

	(void)state;
	assert_true(cmd_lapic_readable(CMD_LAPIC_ID, v5, false));
	assert_true(cmd_lapic_readable(CMD_LAPIC_TIMER_CUR, v5, true));
	assert_true(cmd_lapic_readable(CMD_LAPIC_ISR + 7, v5, false));
	assert_true(cmd_lapic_readable(CMD_LAPIC_IRR, v5, true));
	assert_true(cmd_lapic_readable(CMD_LAPIC_DFR, v5, false));
	assert_false(cmd_lapic_readable(CMD_LAPIC_DFR, v5, true));
	assert_true(cmd_lapic_readable(CMD_LAPIC_ICR_HI, v5, false));
	assert_false(cmd_lapic_readable(CMD_LAPIC_ICR_HI, v5, true));
	assert_false(cmd_lapic_readable(CMD_LAPIC_LVT_CMCI, v5, false));
	assert_true(cmd_lapic_readable(CMD_LAPIC_LVT_CMCI, v6, true));
	assert_true(cmd_lapic_readable(CMD_LAPIC_LVT_THERMAL, v5, false));
	assert_false(cmd_lapic_readable(CMD_LAPIC_LVT_THERMAL, v3, false));
	assert_false(cmd_lapic_readable(CMD_LAPIC_LVT_PMC, v3, false));
	/* EOI (0x0b), SELF IPI (0x3f), reserved ones: never. */
	assert_false(cmd_lapic_readable(0x0b, v6, false));
	assert_false(cmd_lapic_readable(0x0b, v6, true));
	assert_false(cmd_lapic_readable(0x3f, v6, true));
	assert_false(cmd_lapic_readable(0x00, v6, false));
	assert_false(cmd_lapic_readable(0x3a, v6, false));
}

static void lapic_set(struct cmd_lapic *l, u32 idx, u32 v)
{
	l->reg[idx] = v;
	l->read |= 1ull << idx;
}

static void test_fmt_lapic(void **state)
{
	struct cmd_lapic l;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.base_msr = 0xfee00900;
	lapic_set(&l, CMD_LAPIC_ID, 0x01000000);
	lapic_set(&l, CMD_LAPIC_VERSION, 0x00050014);
	lapic_set(&l, CMD_LAPIC_TPR, 0);
	lapic_set(&l, CMD_LAPIC_PPR, 0x10);
	lapic_set(&l, CMD_LAPIC_LDR, 0x01000000);
	lapic_set(&l, CMD_LAPIC_SVR, 0x1ff);
	lapic_set(&l, CMD_LAPIC_ESR, 0);
	lapic_set(&l, CMD_LAPIC_LVT_LINT0, 0x700);
	lapic_set(&l, CMD_LAPIC_LVT_LINT1, 0x400);
	lapic_set(&l, CMD_LAPIC_LVT_PMC, 0x10000);
	lapic_set(&l, CMD_LAPIC_LVT_TIMER, 0x400ec);
	lapic_set(&l, CMD_LAPIC_LVT_THERMAL, 0x10000);
	lapic_set(&l, CMD_LAPIC_LVT_ERROR, 0xfe);
	lapic_set(&l, CMD_LAPIC_TIMER_INIT, 0);
	lapic_set(&l, CMD_LAPIC_TIMER_CUR, 0);
	lapic_set(&l, CMD_LAPIC_TIMER_DIV, 0xb);
	lapic_set(&l, CMD_LAPIC_ISR, 0);
	lapic_set(&l, CMD_LAPIC_ISR + 7, 0x80000000);	/* vector 0xff */
	lapic_set(&l, CMD_LAPIC_TMR + 1, 0x00080000);	/* 0x33 */
	lapic_set(&l, CMD_LAPIC_TMR + 3, 0x00000009);	/* 0x60 0x63 */
	lapic_set(&l, CMD_LAPIC_IRR + 7, 0x00001000);	/* 0xec */
	FMT(cmd_fmt_lapic(&o, 1, &l));
	assert_string_equal(out_buf,
"***  (XAPIC Mode) PHYSICAL LAPIC ID = 1, Ver = 0x50014, MaxLvtEntry = 5, "
"DirectedEOI = P0/E0, (SW: 'Enabled')\n"
"     -> TPR = 0x00000000,  PPR = 0x00000010\n"
"     -> LDR = 0x01000000,  SVR = 0x000001ff,  Err = 0x00000000\n"
"     -> LVT_INT0 = 0x00000700,  LVT_INT1 = 0x00000400\n"
"     -> LVT_CMCI = n/a,  LVT_PMCR = 0x00010000\n"
"     -> LVT_TMR  = 0x000400ec,  LVT_TSR  = 0x00010000\n"
"     -> LVT_ERR  = 0x000000fe\n"
"     -> InitialCount = 0x00000000, CurrentCount = 0x00000000, "
"DivideConfig = 0x0000000b\n"
"     -> IA32_APIC_BASE = 0xfee00900 (BSP), MMIO at 0xfee00000\n"
"ISR : 0xff\n"
"TMR : 0x33 0x60 0x63\n"
"IRR : 0xec\n");

	/* x2APIC: the whole ID, directed EOI, software-disabled. */
	l.base_msr = 0xfee00c00;
	lapic_set(&l, CMD_LAPIC_ID, 0x102);
	lapic_set(&l, CMD_LAPIC_VERSION, 0x01060015);
	lapic_set(&l, CMD_LAPIC_SVR, 0x10ff);
	lapic_set(&l, CMD_LAPIC_LVT_CMCI, 0x10000);
	FMT(cmd_fmt_lapic(&o, 2, &l));
	assert_non_null(strstr(out_buf, "***  (X2APIC Mode) PHYSICAL LAPIC ID "
			       "= 258, Ver = 0x1060015, MaxLvtEntry = 6, "
			       "DirectedEOI = P1/E1, (SW: 'Disabled')\n"));
	assert_non_null(strstr(out_buf, "LVT_CMCI = 0x00010000,"));
	assert_non_null(strstr(out_buf, "\n     -> IA32_APIC_BASE = 0xfee00c00"
			       "\nISR :"));

	/* Off in IA32_APIC_BASE. */
	l.base_msr = 0xfee00100;
	FMT(cmd_fmt_lapic(&o, 0, &l));
	assert_string_equal(out_buf, "***  LAPIC of core 0x0 disabled: "
			    "IA32_APIC_BASE = 0xfee00100\n");
}

static void test_ioapic(void **state)
{
	(void)state;
	assert_int_equal(cmd_ioapic_pins(0x00170011), 24);
	assert_int_equal(cmd_ioapic_pins(0x00000011), 1);
	assert_int_equal(cmd_ioapic_pins(0x00ff0020), CMD_IOAPIC_MAX_PINS);
	FMT(cmd_fmt_ioapic_head(&o, 0xfec00000, 0x02000000, 0x00170011, 0,
				0));
	assert_string_equal(out_buf, "IoApic @ fec00000  ID:2 (11)  Arb:0  "
			    "GSI:0-17\n");
	FMT(cmd_fmt_ioapic_head(&o, 0xfec01000, 0x04000000, 0x00170020,
				0x4000000, 0x18));
	assert_string_equal(out_buf, "IoApic @ fec01000  ID:4 (20)  "
			    "Arb:4000000  GSI:18-2f\n");
	/* HyperDbg's example lines, with the polarity added. */
	FMT(cmd_fmt_ioapic_entry(&o, 0, 0x00000000000100ffull));
	assert_string_equal(out_buf, "Inti00.: 00000000`000100ff  Vec:FF  "
			    "FixedDel  PhysDest:00       edge   high  "
			    "masked\n");
	FMT(cmd_fmt_ioapic_entry(&o, 1, 0x0077000000000080ull));
	assert_string_equal(out_buf, "Inti01.: 00770000`00000080  Vec:80  "
			    "FixedDel  PhysDest:00       edge   high\n");
	FMT(cmd_fmt_ioapic_entry(&o, 9, 0x000000000000a0b0ull));
	assert_string_equal(out_buf, "Inti09.: 00000000`0000a0b0  Vec:B0  "
			    "FixedDel  PhysDest:00       level  low\n");
	/* Logical destination, lowest priority, remote IRR, pending. */
	FMT(cmd_fmt_ioapic_entry(&o, 0x17, 0x030000000000f931ull));
	assert_string_equal(out_buf, "Inti17.: 03000000`0000f931  Vec:31  "
			    "LowestDl  LogDest:03       level  low   "
			    "remoteIRR  pending\n");
	FMT(cmd_fmt_ioapic_entry(&o, 2, 0x0100000000000730ull));
	assert_string_equal(out_buf, "Inti02.: 01000000`00000730  Vec:30  "
			    "ExtINTA   PhysDest:01       edge   high\n");
	FMT(cmd_fmt_ioapic_entry(&o, 3, 0x0000000000000400ull));
	assert_string_equal(out_buf, "Inti03.: 00000000`00000400  Vec:00  "
			    "NMI       PhysDest:00       edge   high\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_host_runs_them),
		cmocka_unit_test(test_idt_gates),
		cmocka_unit_test(test_idt_sym_index),
		cmocka_unit_test(test_ksym_parse),
		cmocka_unit_test(test_lapic_readable),
		cmocka_unit_test(test_fmt_lapic),
		cmocka_unit_test(test_ioapic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
