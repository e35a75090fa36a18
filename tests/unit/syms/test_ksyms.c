// SPDX-License-Identifier: GPL-2.0
/*
 * hvgdb-syms' parser and layout, tested on their own: line formats of
 * System.map and /proc/kallsyms, section derivation from marker symbols,
 * end markers, sizes, relocation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include "tools/hvgdb-syms/elf_out.h"
#include "tools/hvgdb-syms/ksyms.h"
#include "tools/hvgdb-syms/layout.h"

static enum ksyms_status parse(struct ksym_table *t, const char *line,
			       const char **msg)
{
	return ksyms_parse_line(t, line, strlen(line), msg);
}

static const struct ksym *find(const struct ksym_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(ksym_name(t, &t->v[i]), name))
			return &t->v[i];
	return NULL;
}

static void load(struct ksym_table *t, const char *const *lines)
{
	const char *msg;

	for (; *lines; lines++)
		assert_int_not_equal(parse(t, *lines, &msg), KSYMS_BAD);
}

static void test_line_formats(void **state)
{
	struct ksym_table t;
	const char *msg;

	(void)state;
	ksyms_init(&t, true);
	/* kallsyms, System.map (same), 0x prefix, CRLF, module suffix */
	assert_int_equal(parse(&t, "ffffffff81000000 T _text\n", &msg),
			 KSYMS_OK);
	assert_int_equal(parse(&t, "0xffffffff810be350 t foo_bar.cold\r\n",
			       &msg), KSYMS_OK);
	assert_int_equal(parse(&t, "ffffffffc0201000 t msr_devnode\t[msr]",
			       &msg), KSYMS_OK);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.v[0].addr, 0xffffffff81000000ull);
	assert_int_equal(t.v[0].type, 'T');
	assert_string_equal(ksym_name(&t, &t.v[1]), "foo_bar.cold");
	assert_int_equal(t.v[1].addr, 0xffffffff810be350ull);
	assert_string_equal(t.pool + t.v[2].mod_off, "msr");
	assert_int_equal(t.v[0].mod_off, 0);
	assert_int_equal(t.pool[0], '\0');	/* a valid ELF strtab */

	/* lines without a usable symbol are skipped, not refused */
	assert_int_equal(parse(&t, "", &msg), KSYMS_SKIP);
	assert_int_equal(parse(&t, "   \n", &msg), KSYMS_SKIP);
	assert_int_equal(parse(&t, "0000000000000000 U printk", &msg),
			 KSYMS_SKIP);
	assert_int_equal(parse(&t, "0000000000000000 w weak_undef", &msg),
			 KSYMS_SKIP);
	assert_int_equal(parse(&t, "ffffffff81000010 N debug", &msg),
			 KSYMS_SKIP);
	assert_int_equal(parse(&t, "ffffffffc0300000 t bpf_prog_1\t[bpf]",
			       &msg), KSYMS_SKIP);
	assert_int_equal(parse(&t, "ffffffffc0400000 t tramp\t"
			       "[__builtin__ftrace]", &msg), KSYMS_SKIP);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.skipped, 3);
	assert_int_equal(t.module_skipped, 2);

	/* and what is not this format at all says why */
	assert_int_equal(parse(&t, "ffffffffffffffff B The real System.map "
			       "is in the linux-image-<version>-dbg package",
			       &msg), KSYMS_BAD);
	assert_non_null(strstr(msg, "placeholder"));
	assert_int_equal(parse(&t, "1ffffffff81000000 T toolong", &msg),
			 KSYMS_BAD);
	assert_int_equal(parse(&t, "ffffffff81000000 TT x", &msg), KSYMS_BAD);
	assert_int_equal(parse(&t, "ffffffff81000000 T", &msg), KSYMS_BAD);
	assert_int_equal(parse(&t, "xyz T foo", &msg), KSYMS_BAD);
	assert_int_equal(parse(&t, "ffffffff81000000 t f [mod", &msg),
			 KSYMS_BAD);
	assert_int_equal(t.n, 3);
	ksyms_free(&t);
}

static void test_modules_skipped_by_default(void **state)
{
	struct ksym_table t;
	const char *msg;

	(void)state;
	ksyms_init(&t, false);
	assert_int_equal(parse(&t, "ffffffffc0201000 t msr_devnode\t[msr]",
			       &msg), KSYMS_SKIP);
	assert_int_equal(t.module_syms, 1);
	assert_int_equal(t.n, 0);
	ksyms_free(&t);
}

static const char *const kernel[] = {
	"ffffffff81000000 T _text",
	"ffffffff81000000 T _stext",
	"ffffffff81000040 t a_func",
	"ffffffff81000040 t a_func_alias",
	"ffffffff81000100 T b_func",
	"ffffffff81001000 T _etext",
	"ffffffff81001000 T __indirect_thunk_end",
	"ffffffff81002000 D __start_rodata",
	"ffffffff81002100 R ro_thing",
	"ffffffff81003000 D __end_rodata",
	"ffffffff81004000 D _sdata",
	"ffffffff81004010 d d_thing",
	"ffffffff81005000 D _edata",
	"ffffffff81006000 D __init_begin",
	"ffffffff81006800 T _sinittext",
	"ffffffff81006900 T _einittext",
	"ffffffff81006a00 t exit_fn",
	"ffffffff81007000 R __init_end",
	"ffffffff81008000 B __bss_start",
	"ffffffff81009000 B __bss_stop",
	"ffffffff81009000 B _end",
	"000000000002f000 A runqueues",
	NULL,
};

static const struct layout_sec *sec_of(const struct layout *l,
				       const struct ksym *s)
{
	assert_non_null(s);
	assert_int_not_equal(s->shndx, SHN_ABS);
	return &l->sec[s->shndx - 1];
}

static void test_layout_from_markers(void **state)
{
	static const struct {
		const char *name;
		uint64_t start, end;
	} want[] = {
		{ ".text", 0xffffffff81000000, 0xffffffff81001000 },
		{ ".kernel", 0xffffffff81001000, 0xffffffff81002000 },
		{ ".rodata", 0xffffffff81002000, 0xffffffff81003000 },
		{ ".kernel", 0xffffffff81003000, 0xffffffff81004000 },
		{ ".data", 0xffffffff81004000, 0xffffffff81005000 },
		{ ".kernel", 0xffffffff81005000, 0xffffffff81006000 },
		{ ".init.data", 0xffffffff81006000, 0xffffffff81006800 },
		{ ".init.text", 0xffffffff81006800, 0xffffffff81006900 },
		{ ".init.data", 0xffffffff81006900, 0xffffffff81007000 },
		{ ".kernel", 0xffffffff81007000, 0xffffffff81008000 },
		{ ".bss", 0xffffffff81008000, 0xffffffff81009000 },
	};
	struct ksym_table t;
	struct layout l;
	char err[128];

	(void)state;
	ksyms_init(&t, false);
	load(&t, kernel);
	assert_int_equal(layout_build(&t, &l, 0, err, sizeof(err)), 0);
	assert_int_equal(l.nsec, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < l.nsec; i++) {
		assert_string_equal(l.sec[i].name, want[i].name);
		assert_int_equal(l.sec[i].start, want[i].start);
		assert_int_equal(l.sec[i].end, want[i].end);
	}
	assert_true(l.sec[0].flags & LAYOUT_EXEC);
	assert_false(l.sec[2].flags & LAYOUT_EXEC);
	/* exit text lives in the init area: that piece holds code too */
	assert_true(l.sec[8].flags & LAYOUT_EXEC);
	/* an end marker is not code of the gap after it */
	assert_false(l.sec[1].flags & LAYOUT_EXEC);

	/* aliases share a size; sizes stop at the next address */
	assert_int_equal(find(&t, "a_func")->size, 0xc0);
	assert_int_equal(find(&t, "a_func_alias")->size, 0xc0);
	assert_int_equal(find(&t, "_text")->size, 0x40);
	assert_int_equal(find(&t, "b_func")->size, 0xf00);
	assert_int_equal(find(&t, "d_thing")->size, 0xff0);
	assert_int_equal(find(&t, "exit_fn")->size, 0x600);
	/* end markers close their section, with size 0 */
	assert_string_equal(sec_of(&l, find(&t, "_etext"))->name, ".text");
	assert_string_equal(sec_of(&l, find(&t, "__indirect_thunk_end"))->name,
			    ".text");
	assert_string_equal(sec_of(&l, find(&t, "_einittext"))->name,
			    ".init.text");
	assert_string_equal(sec_of(&l, find(&t, "_end"))->name, ".bss");
	assert_int_equal(find(&t, "_etext")->size, 0);
	/* start markers open theirs */
	assert_string_equal(sec_of(&l, find(&t, "__init_begin"))->name,
			    ".init.data");
	assert_string_equal(sec_of(&l, find(&t, "__start_rodata"))->name,
			    ".rodata");
	/* per-CPU offsets are not addresses */
	assert_int_equal(find(&t, "runqueues")->shndx, SHN_ABS);
	assert_int_equal(l.abs_syms, 1);
	/* sorted by address for the writer */
	for (size_t i = 1; i < t.n; i++)
		assert_true(t.v[i - 1].addr <= t.v[i].addr);
	layout_free(&l);
	ksyms_free(&t);
}

static void test_offset_moves_all_but_absolute(void **state)
{
	struct ksym_table t;
	struct layout l;
	char err[128];
	uint64_t a;

	(void)state;
	ksyms_init(&t, false);
	load(&t, kernel);
	assert_int_equal(layout_build(&t, &l, -0x1000000, err, sizeof(err)),
			 0);
	assert_true(layout_find(&t, "_text", &a));
	assert_int_equal(a, 0xffffffff80000000ull);
	assert_int_equal(l.sec[0].start, 0xffffffff80000000ull);
	assert_int_equal(find(&t, "runqueues")->addr, 0x2f000);
	layout_free(&l);
	ksyms_free(&t);
}

static void test_no_markers_one_section(void **state)
{
	static const char *const part[] = {
		"ffffffff81000100 T f1",
		"ffffffff81000000 t f0",
		"ffffffff81000200 D d0",
		NULL,
	};
	struct ksym_table t;
	struct layout l;
	char err[128];

	(void)state;
	ksyms_init(&t, false);
	load(&t, part);
	assert_int_equal(layout_build(&t, &l, 0, err, sizeof(err)), 0);
	assert_int_equal(l.nsec, 1);
	assert_int_equal(l.sec[0].start, 0xffffffff81000000ull);
	assert_int_equal(l.sec[0].end, 0xffffffff81000201ull);
	assert_true(l.sec[0].flags & LAYOUT_EXEC);
	assert_int_equal(find(&t, "f0")->size, 0x100);
	assert_int_equal(find(&t, "d0")->size, 1);
	layout_free(&l);
	ksyms_free(&t);
}

static void test_module_sections(void **state)
{
	static const char *const mods[] = {
		"ffffffff81000000 T _text",
		"ffffffff81001000 T _etext",
		"ffffffffc0201000 t m1_fn\t[m1]",
		"ffffffffc0201080 T m1_fn2\t[m1]",
		"ffffffffc0203000 d m1_data\t[m1]",
		"ffffffffc0301000 t m2_fn\t[m2]",
		"ffffffffc0201040 t m1_late\t[m1]",
		NULL,
	};
	struct ksym_table t;
	struct layout l;
	char err[128];

	(void)state;
	ksyms_init(&t, true);
	load(&t, mods);
	assert_int_equal(layout_build(&t, &l, 0, err, sizeof(err)), 0);
	assert_string_equal(sec_of(&l, find(&t, "m1_fn"))->name, ".text.m1");
	assert_string_equal(sec_of(&l, find(&t, "m1_late"))->name,
			    ".text.m1");
	assert_string_equal(sec_of(&l, find(&t, "m1_data"))->name,
			    ".data.m1");
	assert_string_equal(sec_of(&l, find(&t, "m2_fn"))->name, ".text.m2");
	assert_int_equal(find(&t, "m1_fn")->size, 0x40);
	/* text runs to its page end at most */
	assert_int_equal(sec_of(&l, find(&t, "m1_fn2"))->end,
			 0xffffffffc0202000ull);
	layout_free(&l);
	ksyms_free(&t);
}

static void test_st_info(void **state)
{
	(void)state;
	assert_int_equal(elf_sym_info('T'),
			 ELF64_ST_INFO(STB_GLOBAL, STT_FUNC));
	assert_int_equal(elf_sym_info('t'), ELF64_ST_INFO(STB_LOCAL, STT_FUNC));
	assert_int_equal(elf_sym_info('W'), ELF64_ST_INFO(STB_WEAK, STT_FUNC));
	assert_int_equal(elf_sym_info('V'), ELF64_ST_INFO(STB_WEAK,
							  STT_OBJECT));
	assert_int_equal(elf_sym_info('d'), ELF64_ST_INFO(STB_LOCAL,
							  STT_OBJECT));
	assert_int_equal(elf_sym_info('B'), ELF64_ST_INFO(STB_GLOBAL,
							  STT_OBJECT));
	assert_int_equal(elf_sym_info('r'), ELF64_ST_INFO(STB_LOCAL,
							  STT_OBJECT));
	assert_int_equal(elf_sym_info('A'), ELF64_ST_INFO(STB_GLOBAL,
							  STT_NOTYPE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_formats),
		cmocka_unit_test(test_modules_skipped_by_default),
		cmocka_unit_test(test_layout_from_markers),
		cmocka_unit_test(test_offset_moves_all_but_absolute),
		cmocka_unit_test(test_no_markers_one_section),
		cmocka_unit_test(test_module_sections),
		cmocka_unit_test(test_st_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
