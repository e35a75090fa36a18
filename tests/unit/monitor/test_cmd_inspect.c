/* HyperDbg's inspection commands (monitor-cmds/cmd_inspect.c): every form
 * and the fields it sets, every error with its column, the host handing,
 * and the exact text of the reply formatters (cmd_inspect_fmt.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)
#include "monitor-cmds/cmd_inspect.h"

static void test_rdmsr_wrmsr(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("rdmsr c0000082");
	assert_int_equal(c.kind, CMD_RDMSR);
	assert_int_equal(c.msr, 0xc0000082);
	assert_int_equal(c.core, CMD_CORE_ALL);
	assert_int_equal(c.core_col, 0);
	c = ok("rdmsr c0000082 core 2");
	assert_int_equal(c.msr, 0xc0000082);
	assert_int_equal(c.core, 2);
	assert_int_equal(c.core_col, 21);
	/* Keywords anywhere, any case, numbers in any base. */
	c = ok("  RDMSR Core 0n10 0x1b  ");
	assert_int_equal(c.kind, CMD_RDMSR);
	assert_int_equal(c.msr, 0x1b);
	assert_int_equal(c.core, 10);
	assert_int_equal(c.core_col, 14);
	assert_int_equal(c.text.off, 2);
	assert_int_equal(c.text.len, strlen("RDMSR Core 0n10 0x1b"));
	assert_int_equal(ok("rdmsr ffffffff").msr, 0xffffffffu);
	assert_int_equal(ok("rdmsr 0 core fffffffe").core, 0xfffffffeu);

	c = ok("wrmsr c0000082 fffff807`73553180");
	assert_int_equal(c.kind, CMD_WRMSR);
	assert_int_equal(c.msr, 0xc0000082);
	assert_int_equal(c.value, 0xfffff80773553180ull);
	assert_int_equal(c.core, CMD_CORE_ALL);
	assert_int_equal(c.core_col, 0);
	c = ok("wrmsr c0000082 fffff807`73553180 core 2");
	assert_int_equal(c.core, 2);
	assert_int_equal(c.core_col, 39);
	c = ok("wrmsr core 3 10 0");
	assert_int_equal(c.msr, 0x10);
	assert_int_equal(c.value, 0);
	assert_int_equal(c.core, 3);
	assert_int_equal(ok("wrmsr 10 ffffffffffffffff").value, ~0ull);
	/* Nothing else is set. */
	assert_int_equal(c.addr, 0);
	assert_int_equal(c.nvalues, 0);
	assert_int_equal(c.length, 0);
}

static void test_rdmsr_wrmsr_errors(void **state)
{
	(void)state;
	err_is("rdmsr", 6, "expected an MSR number (hex) after 'rdmsr', got "
	       "end of line");
	err_is("rdmsr zz", 7, "expected an MSR number (hex) after 'rdmsr', "
	       "got 'zz'");
	err_is("rdmsr {x}", 7, "expected an MSR number (hex) after 'rdmsr', "
	       "got a {...} block");
	err_is("rdmsr 100000000", 7, "expected an MSR number (hex) in "
	       "0x0..0xffffffff, got 0x100000000");
	err_is("rdmsr 10000000000000000", 7, "number '10000000000000000' does "
	       "not fit in 64 bits");
	err_is("rdmsr core 1", 13, "expected an MSR number (hex), got end of "
	       "line");
	err_is("rdmsr 10 20", 10, "expected 'core' or end of command, got "
	       "'20'");
	err_is("rdmsr 10 core", 14, "expected a CPU number (hex) after "
	       "'core', got end of line");
	err_is("rdmsr 10 core x", 15, "expected a CPU number (hex) after "
	       "'core', got 'x'");
	err_is("rdmsr 10 core ffffffff", 15, "expected a CPU number (hex) in "
	       "0x0..0xfffffffe, got 0xffffffff");
	err_is("rdmsr 10 core 1 core 2", 17, "'core' given twice (first at "
	       "column 10)");
	/* rdmsr has no pid in HyperDbg either. */
	err_is("rdmsr 10 pid 4", 10, "expected 'core' or end of command, got "
	       "'pid'");
	err_is("!rdmsr 10", 1, "unknown command '!rdmsr' (.help lists the "
	       "commands)");
	err_is("wrmsr", 6, "expected an MSR number (hex) after 'wrmsr', got "
	       "end of line");
	err_is("wrmsr c0000082", 15, "expected a value to write (hex), got "
	       "end of line");
	err_is("wrmsr c0000082 core 1", 22, "expected a value to write (hex), "
	       "got end of line");
	err_is("wrmsr 10 nt!foo", 10, "expected a value to write (hex), got "
	       "'nt!foo'");
	err_is("wrmsr 10 10000000000000000", 10, "number '10000000000000000' "
	       "does not fit in 64 bits");
	err_is("wrmsr 10 1 2", 12, "expected 'core' or end of command, got "
	       "'2'");
	err_is("wrmsr 100000000 1", 7, "expected an MSR number (hex) in "
	       "0x0..0xffffffff, got 0x100000000");
}

static void test_translations(void **state)
{
	static const struct {
		const char *line;
		enum cmd_kind kind;
		u64 addr;
		u32 col;
	} good[] = {
		{ "!va2pa fffff800`4ebc9370", CMD_VA2PA, 0xfffff8004ebc9370ull,
		  8 },
		{ "!VA2PA 0n4096", CMD_VA2PA, 4096, 8 },
		{ "!pa2va 21c9370", CMD_PA2VA, 0x21c9370, 8 },
		{ "  !pte\tffffffffffffffff ", CMD_PTE, ~0ull, 8 },
		{ "!Pte 0", CMD_PTE, 0, 6 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		struct cmd_parsed c = ok(good[i].line);

		assert_int_equal(c.kind, good[i].kind);
		assert_int_equal(c.addr, good[i].addr);
		assert_int_equal(c.addr_col, good[i].col);
		/* !va2pa and !pte: the selected CPU; !pa2va has no core. */
		assert_int_equal(c.core, good[i].kind == CMD_PA2VA ? 0 :
				 CMD_CORE_ALL);
		assert_int_equal(c.core_col, 0);
		assert_int_equal(c.unit, 0);
		assert_int_equal(c.length, 0);
		assert_int_equal(c.nvalues, 0);
	}
}

static void test_translation_errors(void **state)
{
	(void)state;
	err_is("!va2pa", 7, "expected a virtual address (hex) after '!va2pa', "
	       "got end of line");
	err_is("!pte nt!foo", 6, "expected a virtual address (hex) after "
	       "'!pte', got 'nt!foo'");
	err_is("!pa2va xyz", 8, "expected a physical address (hex) after "
	       "'!pa2va', got 'xyz'");
	err_is("!va2pa {x}", 8, "expected a virtual address (hex) after "
	       "'!va2pa', got a {...} block");
	err_is("!va2pa 1000 2000", 13, "expected end of command, got '2000'");
	err_is("!pa2va 1000 core 1", 13, "expected end of command, got "
	       "'core'");
	err_is("!pte 1000 core 1 core 2", 18, "'core' given twice (first at "
	       "column 11)");
	err_is("!va2pa 1000 core", 17, "expected a CPU number (hex) after "
	       "'core', got end of line");
	assert_int_equal(ok("!pte 1000 core 1").core, 1);
	assert_int_equal(ok("!va2pa core 2 1000").core_col, 13);
	/* HyperDbg's pid is refused at its column, wherever it is. */
	err_is("!va2pa 1000 pid 4", 13, "pid is not available yet: !va2pa "
	       "translates with the page tables of gdb's selected CPU");
	err_is("!va2pa PID 4 1000", 8, "pid is not available yet: !va2pa "
	       "translates with the page tables of gdb's selected CPU");
	err_is("!pte 1000 pid", 11, "pid is not available yet: !pte walks the "
	       "page tables of gdb's selected CPU");
	err_is("!pa2va 1000 pid 4", 13, "pid is not available yet: !pa2va "
	       "works in the address space of gdb's selected CPU");
	/* Without the '!' these are not HyperDbg's commands. */
	err_is("va2pa 1000", 1, "unknown command 'va2pa': HyperDbg writes it "
	       "'!va2pa'");
	err_is("  PTE 1000", 3, "unknown command 'PTE': HyperDbg writes it "
	       "'!pte'");
}

static void test_dumps(void **state)
{
	static const struct {
		const char *line;
		u64 addr;
		u32 col, length;
		u8 unit;
		bool ascii;
	} good[] = {
		{ "!db 1000", 0x1000, 5, CMD_DUMP_DEFAULT, 1, true },
		{ "!db 1000 l 50", 0x1000, 5, 0x50, 1, true },
		{ "!dc 1000", 0x1000, 5, 0x80, 4, true },
		{ "!dd 1000 l 10", 0x1000, 5, 0x10, 4, false },
		{ "!DQ 1000 L 0n16", 0x1000, 5, 0x10, 8, false },
		{ "!dd l 8 0x2000", 0x2000, 9, 8, 4, false },
		{ "!db 3 l 1", 3, 5, 1, 1, true },
		{ "!db 0 l 10000", 0, 5, CMD_DUMP_MAX, 1, true },
		/* Unaligned dumps are fine; the range may end at 2^64. */
		{ "!dq 1001", 0x1001, 5, 0x80, 8, false },
		{ "!db ffffffffffffff80", 0xffffffffffffff80ull, 5, 0x80, 1,
		  true },
		{ "!dq fffffffffffffff0 l 10", 0xfffffffffffffff0ull, 5, 0x10, 8,
		  false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		struct cmd_parsed c = ok(good[i].line);

		assert_int_equal(c.kind, CMD_PHYS_DUMP);
		assert_int_equal(c.addr, good[i].addr);
		assert_int_equal(c.addr_col, good[i].col);
		assert_int_equal(c.length, good[i].length);
		assert_int_equal(c.unit, good[i].unit);
		assert_int_equal(c.ascii, good[i].ascii);
		assert_int_equal(c.nvalues, 0);
		assert_int_equal(c.core, 0);
	}
}

static void test_dump_errors(void **state)
{
	(void)state;
	err_is("!db", 4, "expected a physical address (hex) after '!db', got "
	       "end of line");
	err_is("!db l 10", 9, "expected a physical address (hex), got end of "
	       "line");
	err_is("!db 1000 l", 11, "expected a length in bytes (hex) after 'l', "
	       "got end of line");
	err_is("!db 1000 l x", 12, "expected a length in bytes (hex) after "
	       "'l', got 'x'");
	err_is("!db 1000 l 0", 12, "expected a length in bytes (hex) in "
	       "0x1..0x10000, got 0x0");
	err_is("!db 1000 l 10001", 12, "expected a length in bytes (hex) in "
	       "0x1..0x10000, got 0x10001");
	err_is("!dd 1000 l 6", 12, "expected a length in dwords (a multiple "
	       "of 0x4), got 0x6");
	err_is("!dc 1000 l 2", 12, "expected a length in dwords (a multiple "
	       "of 0x4), got 0x2");
	err_is("!dq 1000 l c", 12, "expected a length in qwords (a multiple "
	       "of 0x8), got 0xc");
	err_is("!db 1000 l 10 l 20", 15, "'l' given twice (first at column "
	       "10)");
	err_is("!db 1000 l10", 10, "expected a blank between 'l' and the "
	       "length, got 'l10'");
	err_is("!db 1000 2000", 10, "expected 'l' or end of command, got "
	       "'2000'");
	err_is("!db 1000 {x}", 10, "expected 'l' or end of command, got a "
	       "{...} block");
	err_is("!db 1000 pid 4", 10, "pid does not apply to physical memory");
	err_is("!dq pid 4 1000", 5, "pid does not apply to physical memory");
	err_is("!db ffffffffffffff81", 5, "range 0xffffffffffffff81 + 0x80 "
	       "bytes wraps past 0xffffffffffffffff");
	err_is("!dq fffffffffffffff0 l 18", 5, "range 0xfffffffffffffff0 + "
	       "0x18 bytes wraps past 0xffffffffffffffff");
	/* db without '!' is HyperDbg's virtual-memory dump: not taken as
	 * the physical one. */
	err_is("db 1000", 1, "'db' is HyperDbg's virtual-memory dump: use "
	       "gdb's x command, or '!db' for physical memory");
	err_is(" DQ 1000", 2, "'DQ' is HyperDbg's virtual-memory dump: use "
	       "gdb's x command, or '!dq' for physical memory");
}

static void test_edits(void **state)
{
	struct cmd_parsed c;
	char line[512];
	size_t n;
	u32 i;

	(void)state;
	c = ok("!eb 1000 90 90 90");
	assert_int_equal(c.kind, CMD_PHYS_EDIT);
	assert_int_equal(c.addr, 0x1000);
	assert_int_equal(c.addr_col, 5);
	assert_int_equal(c.unit, 1);
	assert_false(c.ascii);
	assert_int_equal(c.nvalues, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(c.values[i], 0x90);
	assert_int_equal(c.length, 0);
	c = ok("!ed 1000 245C8948");
	assert_int_equal(c.unit, 4);
	assert_int_equal(c.nvalues, 1);
	assert_int_equal(c.values[0], 0x245c8948);
	c = ok("!EQ 1000 88889898`85858686 92929393`97979898");
	assert_int_equal(c.unit, 8);
	assert_int_equal(c.nvalues, 2);
	assert_int_equal(c.values[0], 0x8888989885858686ull);
	assert_int_equal(c.values[1], 0x9292939397979898ull);
	assert_int_equal(ok("!eb 1 ff").values[0], 0xff);
	assert_int_equal(ok("!ed 4 ffffffff").values[0], 0xffffffffu);
	assert_int_equal(ok("!eq 8 ffffffffffffffff").values[0], ~0ull);
	/* The last byte of the address space can be written. */
	c = ok("!eq fffffffffffffff8 1");
	assert_int_equal(c.addr, 0xfffffffffffffff8ull);
	assert_int_equal(ok("!eb ffffffffffffffff 0n1").values[0], 1);

	/* CMD_EDIT_MAX values fit, one more does not. */
	n = (size_t)snprintf(line, sizeof(line), "!eb 0");
	for (i = 0; i < CMD_EDIT_MAX; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %x", i);
	c = ok(line);
	assert_int_equal(c.nvalues, CMD_EDIT_MAX);
	for (i = 0; i < CMD_EDIT_MAX; i++)
		assert_int_equal(c.values[i], i);
	snprintf(line + n, sizeof(line) - n, " 20");
	err_is(line, (unsigned int)n + 2, "!eb takes at most 0x20 values");
}

static void test_edit_errors(void **state)
{
	(void)state;
	err_is("!eb", 4, "expected a physical address (hex) after '!eb', got "
	       "end of line");
	err_is("!eb 1000", 9, "expected a byte to write (hex), got end of "
	       "line");
	err_is("!eq 1000", 9, "expected a qword to write (hex), got end of "
	       "line");
	err_is("!eb 1000 100", 10, "expected a byte to write (hex) in "
	       "0x0..0xff, got 0x100");
	err_is("!ed 1000 1 100000000", 12, "expected a dword to write (hex) in "
	       "0x0..0xffffffff, got 0x100000000");
	err_is("!eq 1000 10000000000000000", 10, "number "
	       "'10000000000000000' does not fit in 64 bits");
	err_is("!eb 1000 1 zz", 12, "expected a byte to write (hex), got 'zz'");
	err_is("!eb 1000 l 10", 10, "expected a byte to write (hex), got 'l'");
	err_is("!eb 1000 {90}", 10, "expected a byte to write (hex), got a "
	       "{...} block");
	err_is("!ed 1002 1", 5, "unaligned address 0x1002: !ed writes dwords "
	       "(a multiple of 0x4)");
	err_is("!eq 1004 1", 5, "unaligned address 0x1004: !eq writes qwords "
	       "(a multiple of 0x8)");
	/* The unaligned address is the first error of the line. */
	err_is("!ed 1 zz", 5, "unaligned address 0x1: !ed writes dwords (a "
	       "multiple of 0x4)");
	err_is("!eq fffffffffffffff8 1 2", 5, "range 0xfffffffffffffff8 + 0x10 "
	       "bytes wraps past 0xffffffffffffffff");
	err_is("!eb ffffffffffffffff 1 2", 5, "range 0xffffffffffffffff + 0x2 "
	       "bytes wraps past 0xffffffffffffffff");
	err_is("!eb 1000 90 pid 4", 13, "pid does not apply to physical "
	       "memory");
	err_is("eb 1000 90", 1, "'eb' is HyperDbg's virtual-memory edit: use "
	       "gdb's set command, or '!eb' for physical memory");
	err_is("Eq 1000 90", 1, "'Eq' is HyperDbg's virtual-memory edit: use "
	       "gdb's set command, or '!eq' for physical memory");
}

/* cpu takes nothing: any word after it is an error at its column. */
static void test_cpu(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("cpu");
	assert_int_equal(c.kind, CMD_CPU);
	assert_int_equal(c.core, 0);
	assert_int_equal(c.addr_col, 0);
	c = ok("  CPU\t");
	assert_int_equal(c.kind, CMD_CPU);
	assert_int_equal(c.text.off, 2);
	assert_int_equal(c.text.len, 3);
	err_is("cpu 1", 5, "expected end of command, got '1'");
	err_is("cpu core 0", 5, "expected end of command, got 'core'");
	err_is("cpu  {x}", 6, "expected end of command, got a {...} block");
	err_is("!cpu", 1, "unknown command '!cpu' (.help lists the commands)");
	/* Not a prefix of !cpuid, nor it of cpu. */
	assert_int_equal(ok("cpuid").kind, CMD_EVENT);
	err_is("cpui", 1, "unknown command 'cpui' (.help lists the commands)");
}

/* cmd_execute() leaves them to the host: nothing changed, nothing said;
 * their parse errors are errors like any other. */
static void test_host_runs_them(void **state)
{
	static const char *const lines[] = {
		"rdmsr c0000082", "wrmsr c0000082 0 core 1", "!va2pa 1000",
		"!pa2va 1000", "!pte 1000", "!db 1000", "!dc 1000 l 10",
		"!dd 1000", "!dq 1000", "!eb 1000 90", "!ed 1000 1",
		"!eq 1000 1 2", "cpu",
	};
	static struct fixture fx;
	size_t i;

	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, "!cpuid 1"), 0);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		struct event_table before = fx.t;

		memset(fx.out, 'x', sizeof(fx.out));
		if (fx_run(&fx, lines[i]))
			fail_msg("%s: %s", lines[i], fx.out);
		assert_int_equal(fx.req, CMD_REQ_HOST);
		assert_string_equal(fx.out, "");
		assert_memory_equal(&before, &fx.t, sizeof(before));
	}
	assert_int_equal(fx_run(&fx, "!ed 1001 1"), -1);
	assert_string_equal(fx.out, "column 5: unaligned address 0x1001: !ed "
			    "writes dwords (a multiple of 0x4)\n");
	assert_int_equal(fx.req, 0);
	assert_int_equal(fx_run(&fx, "events"), 0);
	assert_string_equal(fx.out, "0x0 (enabled) !cpuid 1\n");
}

/* help knows them; the '!' ones only with their '!'. */
static void test_help(void **state)
{
	static struct fixture fx;

	(void)state;
	fx_init(&fx, false);
	assert_int_equal(fx_run(&fx, "help !db"), 0);
	assert_string_equal(fx.out, "!db pa [l length]\n  show physical memory "
			    "as bytes and ASCII\n");
	assert_int_equal(fx_run(&fx, "help RDMSR"), 0);
	assert_string_equal(fx.out, "rdmsr msr [core n]\n  read an MSR on "
			    "every CPU, or on CPU n\n");
	assert_int_equal(fx_run(&fx, "help db"), -1);
	assert_string_equal(fx.out, "column 6: no help for 'db' (.help lists "
			    "the commands)\n");
	assert_int_equal(fx_run(&fx, "help !rdmsr"), -1);
	assert_int_equal(fx_run(&fx, "help CPU"), 0);
	assert_string_equal(fx.out, "cpu\n  the VMX capabilities found at load "
			    "and what hvgdb does with them\n");
}

static const char *fmt_line(char *buf, size_t cap, u64 addr, const u8 *b,
			    u32 n, u8 unit, bool ascii)
{
	struct cmd_out o;

	cmd_out_init(&o, buf, cap);
	cmd_fmt_dump_line(&o, addr, b, n, unit, ascii);
	assert_false(o.truncated);
	return buf;
}

static void test_fmt_hex_tick_and_msr(void **state)
{
	char buf[256];
	struct cmd_out o;

	(void)state;
	cmd_out_init(&o, buf, sizeof(buf));
	cmd_out_hex_tick(&o, 0xfffff80773553180ull);
	cmd_out_char(&o, ' ');
	cmd_out_hex_tick(&o, 0);
	cmd_out_char(&o, ' ');
	cmd_out_hex_tick(&o, 0xabcdef);
	assert_string_equal(buf, "fffff807`73553180 00000000`00000000 "
			    "00000000`00abcdef");

	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_msr(&o, 2, 0xc0000082, 0xfffff80773553180ull);
	cmd_fmt_msr(&o, 0x1f, 0x10, 1);
	cmd_fmt_msr(&o, 0, 0, 0);
	assert_string_equal(buf,
			    "core : 0x2 - msr[c0000082] = fffff807`73553180\n"
			    "core : 0x1f - msr[10] = 00000000`00000001\n"
			    "core : 0x0 - msr[0] = 00000000`00000000\n");
	/* Bounded like every reply: cut, NUL-terminated, flagged. */
	cmd_out_init(&o, buf, 10);
	cmd_fmt_msr(&o, 2, 0xc0000082, 1);
	assert_true(o.truncated);
	assert_string_equal(buf, "core : 0x");
}

/* HyperDbg's example bytes at 0x1000 (d.md). */
static const u8 mem1000[] = {
	0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x86, 0x80, 0xd3, 0x10, 0x02, 0x00,
	0x00, 0x10, 0xfa, 0x39, 0x00, 0xf8, 0xff, 0xff,
	0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_fmt_dump_lines(void **state)
{
	static const u8 tail[] = { 0x41, 0x42, 0x43, 0x0a, 0x7f };
	static const u8 p50[] = { 0x00, 0x50, 0, 0, 0, 0, 0, 0 };
	static const u8 edge[] = { 0x20, 0x7e, 0x80, 0xff };
	char buf[256];

	(void)state;
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1000, mem1000, 16, 1,
				     true),
			    "00000000`00001000  0B 00 00 00 00 00 00 00 00 00 "
			    "86 80 D3 10 02 00  ................\n");
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1020, mem1000 + 16,
				     16, 1, true),
			    "00000000`00001020  00 10 FA 39 00 F8 FF FF 00 00 "
			    "02 00 00 00 00 00  ...9............\n");
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1000, mem1000, 16, 4,
				     true),
			    "00000000`00001000  0000000B 00000000 80860000 "
			    "000210D3  ................\n");
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1020, mem1000 + 16,
				     16, 4, true),
			    "00000000`00001020  39FA1000 FFFFF800 00020000 "
			    "00000000  ...9............\n");
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1000, mem1000, 16, 4,
				     false),
			    "00000000`00001000  0000000B 00000000 80860000 "
			    "000210D3\n");
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1000, mem1000, 16, 8,
				     false),
			    "00000000`00001000  00000000`0000000B "
			    "000210D3`80860000\n");
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1020, mem1000 + 16,
				     16, 8, false),
			    "00000000`00001020  FFFFF800`39FA1000 "
			    "00000000`00020000\n");
	/* Short last lines: the text column stays where a full line has
	 * it (column 69 after the 17-character address for !db, 57 for
	 * !dc); no padding without text. */
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1040, tail, 5, 1,
				     true),
			    "00000000`00001040  41 42 43 0A 7F               "
			    "                    ABC..\n");
	assert_int_equal(strstr(buf, "ABC") - buf, 68);
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1050, p50, 8, 4,
				     true),
			    "00000000`00001050  00005000 00000000            "
			    "        .P......\n");
	assert_int_equal(strstr(buf, ".P") - buf, 56);
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1070, p50, 8, 8,
				     false),
			    "00000000`00001070  00000000`00005000\n");
	assert_string_equal(fmt_line(buf, sizeof(buf), 0x1078, p50, 4, 4,
				     false),
			    "00000000`00001078  00005000\n");
	/* High addresses, and the bytes at the edges of the printable
	 * range. */
	assert_string_equal(fmt_line(buf, sizeof(buf), 0xfffff80039fa1000ull,
				     edge, 4, 4, true),
			    "fffff800`39fa1000  FF807E20                     "
			    "         ~..\n");
	assert_int_equal(strstr(buf, " ~..") - buf, 56);
	assert_string_equal(fmt_line(buf, sizeof(buf), 0xfffff80039fa1000ull,
				     edge, 4, 1, true),
			    "fffff800`39fa1000  20 7E 80 FF                  "
			    "                     ~..\n");
	assert_int_equal(strstr(buf, " ~..") - buf, 68);
}

struct pte_case {
	u64 va, cr3;
	u8 levels;
	u64 entry[5];
	u8 leaf;
	bool present;
	u64 direct_map;
	const char *want;
};

static void pte_is(const struct pte_case *k)
{
	char buf[1024];
	struct cmd_out o;

	cmd_out_init(&o, buf, sizeof(buf));
	cmd_fmt_pte(&o, k->va, k->cr3, k->levels, k->entry, k->leaf,
		    k->present, k->direct_map);
	assert_false(o.truncated);
	if (strcmp(buf, k->want))
		fail_msg("!pte %llx:\n got:\n%s want:\n%s",
			 (unsigned long long)k->va, buf, k->want);
}

#define DMAP 0xffff888000000000ull

static void test_fmt_pte(void **state)
{
	static const struct pte_case cases[] = {
		/* 4 KiB page; CR3's PCID and bit 63 are not address bits;
		 * D (ignored) is not shown in the upper entries. */
		{ 0xffffc90000a3f010ull, 0x8000000002a0c001ull, 4,
		  { 0x8000000006470863ull, 0x4124063, 0x411c067, 0x4108067 },
		  1, true, DMAP,
		  "VA ffffc90000a3f010\n"
		  "PML4E (PXE) at ffff888002a0cc90 contains 0000000004108067"
		  "  P RW US A pfn 4108\n"
		  "PDPTE (PPE) at ffff888004108000 contains 000000000411c067"
		  "  P RW US A pfn 411c\n"
		  "PDE at ffff88800411c028 contains 0000000004124063"
		  "  P RW A pfn 4124\n"
		  "PTE at ffff8880041241f8 contains 8000000006470863"
		  "  P RW A D NX pfn 6470\n" },
		/* 2 MiB page with PAT (bit 12), G and NX. */
		{ 0xffffffff81234567ull, 0x2a0c000, 4,
		  { 0, 0x80000000028019e3ull, 0x4109063, 0x4108063 },
		  2, true, DMAP,
		  "VA ffffffff81234567\n"
		  "PML4E (PXE) at ffff888002a0cff8 contains 0000000004108063"
		  "  P RW A pfn 4108\n"
		  "PDPTE (PPE) at ffff888004108ff0 contains 0000000004109063"
		  "  P RW A pfn 4109\n"
		  "PDE at ffff888004109048 contains 80000000028019e3"
		  "  P RW A D PS G NX pfn 2800\n"
		  "PDE is a large page, so it doesn't have a PTE\n" },
		/* 1 GiB page. */
		{ 0xffff888040201000ull, 0x2a0c000, 4,
		  { 0, 0, 0xc00000e3, 0x4108063 },
		  3, true, DMAP,
		  "VA ffff888040201000\n"
		  "PML4E (PXE) at ffff888002a0c888 contains 0000000004108063"
		  "  P RW A pfn 4108\n"
		  "PDPTE (PPE) at ffff888004108008 contains 00000000c00000e3"
		  "  P RW A D PS pfn c0000\n"
		  "PDPTE is a large page, so it doesn't have a PDE\n" },
		/* A PDE that is not present: no flags, and the walk ends. */
		{ 0x00007f0000001000ull, 0x2a0c000, 4,
		  { 0, 0x0000000012345000ull, 0x411c067, 0x4108067 },
		  2, false, DMAP,
		  "VA 00007f0000001000\n"
		  "PML4E (PXE) at ffff888002a0c7f0 contains 0000000004108067"
		  "  P RW US A pfn 4108\n"
		  "PDPTE (PPE) at ffff888004108000 contains 000000000411c067"
		  "  P RW US A pfn 411c\n"
		  "PDE at ffff88800411c000 contains 0000000012345000\n"
		  "PDE is not present\n" },
		/* Not present at the top. */
		{ 0x1000, 0x2a0c000, 4, { 0 }, 4, false, DMAP,
		  "VA 0000000000001000\n"
		  "PML4E (PXE) at ffff888002a0c000 contains 0000000000000000\n"
		  "PML4E is not present\n" },
		/* 5 levels; a PTE with US PWT PCD G, and its bit 7 (PAT) not
		 * shown as PS; a PS bit in a PML4E (reserved) not shown. */
		{ 0xff11000000123000ull, 0x2a0c000, 5,
		  { 0x123419f, 0x4124063, 0x411c063, 0x41080e3, 0x4107063 },
		  1, true, 0xff11000000000000ull,
		  "VA ff11000000123000\n"
		  "PML5E at ff11000002a0c888 contains 0000000004107063"
		  "  P RW A pfn 4107\n"
		  "PML4E (PXE) at ff11000004107000 contains 00000000041080e3"
		  "  P RW A pfn 4108\n"
		  "PDPTE (PPE) at ff11000004108000 contains 000000000411c063"
		  "  P RW A pfn 411c\n"
		  "PDE at ff1100000411c000 contains 0000000004124063"
		  "  P RW A pfn 4124\n"
		  "PTE at ff11000004124918 contains 000000000123419f"
		  "  P RW US PWT PCD G pfn 1234\n" },
		/* A 5-level walk that stops at the PML5E. */
		{ 0xff11000000123000ull, 0x2a0c000, 5, { 0 }, 5, false,
		  0xff11000000000000ull,
		  "VA ff11000000123000\n"
		  "PML5E at ff11000002a0c888 contains 0000000000000000\n"
		  "PML5E is not present\n" },
		/* Out-of-range levels and leaf are clamped, not followed. */
		{ 0x1000, 0x2a0c000, 7, { 0 }, 9, false, 0,
		  "VA 0000000000001000\n"
		  "PML4E (PXE) at 0000000002a0c000 contains 0000000000000000\n"
		  "PML4E is not present\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		pte_is(&cases[i]);
}

/* cmd_apply_all(): wrmsr on every CPU, all or none. */
struct fake_msrs {
	u64 now[4], kept[4];
	int fail_save, fail_apply, fail_undo;	/* index, or -1 */
	char log[64];
	size_t nlog;
};

static int fake_step(struct fake_msrs *f, char what, u32 i, int fail)
{
	f->log[f->nlog++] = what;
	f->log[f->nlog++] = (char)('0' + i);
	f->log[f->nlog] = 0;
	return (int)i == fail ? -5 : 0;
}

static int fake_save(void *ctx, u32 i)
{
	struct fake_msrs *f = ctx;

	f->kept[i] = f->now[i];
	return fake_step(f, 's', i, f->fail_save);
}

static int fake_apply(void *ctx, u32 i)
{
	struct fake_msrs *f = ctx;
	int r = fake_step(f, 'a', i, f->fail_apply);

	if (!r)
		f->now[i] = 0x77;
	return r;
}

static int fake_undo(void *ctx, u32 i)
{
	struct fake_msrs *f = ctx;
	int r = fake_step(f, 'u', i, f->fail_undo);

	if (!r)
		f->now[i] = f->kept[i];
	return r;
}

static void fake_init(struct fake_msrs *f, struct cmd_apply_ops *ops)
{
	u32 i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < 4; i++)
		f->now[i] = 0x10 + i;
	f->fail_save = f->fail_apply = f->fail_undo = -1;
	ops->save = fake_save;
	ops->apply = fake_apply;
	ops->undo = fake_undo;
	ops->ctx = f;
}

static void test_apply_all(void **state)
{
	struct cmd_apply_ops ops;
	struct fake_msrs f;
	u32 at, undone;
	bool saving;

	(void)state;
	/* Everything works: saved first, then applied in order. */
	fake_init(&f, &ops);
	assert_int_equal(cmd_apply_all(&ops, 4, &at, &saving, &undone), 0);
	assert_string_equal(f.log, "s0s1s2s3a0a1a2a3");
	assert_true(f.now[0] == 0x77 && f.now[3] == 0x77);
	/* A save fails: nothing is written. */
	fake_init(&f, &ops);
	f.fail_save = 2;
	assert_int_equal(cmd_apply_all(&ops, 4, &at, &saving, &undone), -5);
	assert_string_equal(f.log, "s0s1s2");
	assert_true(saving);
	assert_int_equal(at, 2);
	assert_int_equal(undone, 0);
	assert_true(f.now[0] == 0x10 && f.now[1] == 0x11);
	/* The third write fails: the first two are put back, newest first. */
	fake_init(&f, &ops);
	f.fail_apply = 2;
	assert_int_equal(cmd_apply_all(&ops, 4, &at, &saving, &undone), -5);
	assert_string_equal(f.log, "s0s1s2s3a0a1a2u1u0");
	assert_false(saving);
	assert_int_equal(at, 2);
	assert_int_equal(undone, 2);
	assert_true(f.now[0] == 0x10 && f.now[1] == 0x11 && f.now[2] == 0x12 &&
		    f.now[3] == 0x13);
	/* An undo that fails too is not counted as undone. */
	fake_init(&f, &ops);
	f.fail_apply = 2;
	f.fail_undo = 0;
	assert_int_equal(cmd_apply_all(&ops, 4, &at, &saving, &undone), -5);
	assert_int_equal(undone, 1);
	/* The first write fails: nothing to undo. */
	fake_init(&f, &ops);
	f.fail_apply = 0;
	assert_int_equal(cmd_apply_all(&ops, 4, &at, &saving, &undone), -5);
	assert_string_equal(f.log, "s0s1s2s3a0");
	assert_int_equal(undone, 0);
	/* No targets: nothing happens. */
	fake_init(&f, &ops);
	assert_int_equal(cmd_apply_all(&ops, 0, &at, &saving, &undone), 0);
	assert_string_equal(f.log, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rdmsr_wrmsr),
		cmocka_unit_test(test_rdmsr_wrmsr_errors),
		cmocka_unit_test(test_translations),
		cmocka_unit_test(test_translation_errors),
		cmocka_unit_test(test_dumps),
		cmocka_unit_test(test_dump_errors),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_edit_errors),
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_host_runs_them),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_fmt_hex_tick_and_msr),
		cmocka_unit_test(test_fmt_dump_lines),
		cmocka_unit_test(test_fmt_pte),
		cmocka_unit_test(test_apply_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
