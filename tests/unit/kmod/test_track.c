/* !track's pure parts (kmod/lib/track.c): calls and returns among real
 * encodings (checked against capstone), and the tree's lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <capstone/capstone.h>
#include "hvgdb/freestanding.h"
#include "kmod/lib/track.h"

struct enc {
	const char *name;
	u8 b[15];
	u32 n;
	enum track_kind want;
};

static const struct enc encs[] = {
	{ "call rel32", { 0xe8, 1, 2, 3, 4 }, 5, TRACK_CALL },
	{ "call *%rax", { 0xff, 0xd0 }, 2, TRACK_CALL },
	{ "call *0x10(%rbx)", { 0xff, 0x53, 0x10 }, 3, TRACK_CALL },
	{ "call *%r11", { 0x41, 0xff, 0xd3 }, 3, TRACK_CALL },
	{ "call *%gs:0x28", { 0x65, 0xff, 0x14, 0x25, 0x28, 0, 0, 0 }, 8,
	  TRACK_CALL },
	{ "lcall *(%rax)", { 0xff, 0x18 }, 2, TRACK_CALL },
	{ "ret", { 0xc3 }, 1, TRACK_RET },
	{ "rep ret", { 0xf3, 0xc3 }, 2, TRACK_RET },
	{ "ret $8", { 0xc2, 8, 0 }, 3, TRACK_RET },
	{ "lret", { 0xcb }, 1, TRACK_RET },
	{ "iretq", { 0x48, 0xcf }, 2, TRACK_IRET },
	{ "jmp *%rax", { 0xff, 0xe0 }, 2, TRACK_OTHER },
	{ "jmp rel32", { 0xe9, 1, 2, 3, 4 }, 5, TRACK_OTHER },
	{ "push *(%rax)", { 0xff, 0x30 }, 2, TRACK_OTHER },
	{ "inc %eax", { 0xff, 0xc0 }, 2, TRACK_OTHER },
	{ "nopl 0(%rax,%rax)", { 0x0f, 0x1f, 0x44, 0, 0 }, 5, TRACK_OTHER },
	{ "endbr64", { 0xf3, 0x0f, 0x1e, 0xfa }, 4, TRACK_OTHER },
	{ "mov %rsp,%rbp", { 0x48, 0x89, 0xe5 }, 3, TRACK_OTHER },
	{ "syscall", { 0x0f, 0x05 }, 2, TRACK_OTHER },
};

static void test_classify(void **state)
{
	csh cs;
	u32 i;

	(void)state;
	assert_int_equal(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	for (i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
		const struct enc *e = &encs[i];
		cs_insn *insn;
		bool call, ret;
		size_t k;

		if (track_classify(e->b, e->n) != e->want)
			fail_msg("%s: got %d", e->name,
				 track_classify(e->b, e->n));
		/* capstone agrees on what the bytes are. */
		assert_int_equal(cs_disasm(cs, e->b, e->n, 0, 1, &insn), 1);
		call = ret = false;
		for (k = 0; k < insn->detail->groups_count; k++) {
			call |= insn->detail->groups[k] == CS_GRP_CALL;
			ret |= insn->detail->groups[k] == CS_GRP_RET ||
			       insn->detail->groups[k] == CS_GRP_IRET;
		}
		if (call != (e->want == TRACK_CALL) ||
		    ret != (e->want == TRACK_RET || e->want == TRACK_IRET))
			fail_msg("%s: capstone says %s %s", e->name,
				 insn->mnemonic, insn->op_str);
		cs_free(insn, 1);
	}
	cs_close(&cs);
	assert_int_equal(track_classify((const u8 *)"\x66\x48", 2), TRACK_BAD);
	assert_int_equal(track_classify((const u8 *)"\xff", 1), TRACK_BAD);
	assert_int_equal(track_classify(NULL, 0), TRACK_BAD);
}

static void test_format(void **state)
{
	char buf[256];
	char sym[] = "do_sys_openat2+0x5/0x120";
	size_t n;

	(void)state;
	track_trim_symbol(sym);
	assert_string_equal(sym, "do_sys_openat2+0x5");
	n = track_format(buf, sizeof(buf), TRACK_CALL, 0, sym,
			 0xffffffff8133e0b5ULL);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x80 "
			    "do_sys_openat2+0x5 (0xffffffff8133e0b5)\n");
	track_format(buf, sizeof(buf), TRACK_RET, 2, NULL, 0x401000);
	assert_string_equal(buf, "\xe2\x94\x82  \xe2\x94\x82  "
			    "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 "
			    "0x0000000000401000\n");
	/* Deep trees are drawn at the cap; short buffers are cut. */
	track_format(buf, sizeof(buf), TRACK_CALL, 1000, "f", 1);
	assert_int_equal(strlen(buf), TRACK_INDENT_MAX * 5 + 10 + 22 + 1);
	assert_int_equal(track_format(buf, 8, TRACK_CALL, 0, "f", 1), 7);
	assert_int_equal(strlen(buf), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
