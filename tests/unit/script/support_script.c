// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "support_script.h"

struct srun sr;

static const u8 wide[] = { 'w', 0, 'i', 0, 'd', 0, 'e', 0, 0, 0 };
static u8 str[] = "hello";

void sr_reset(void)
{
	uplat_init(&sr.u);
	memset(sr.mem, 0, sizeof(sr.mem));
	memset(&sr.globals, 0, sizeof(sr.globals));
	uplat_add_region(&sr.u, SR_MEM, sr.mem, sizeof(sr.mem), false);
	uplat_add_region(&sr.u, SR_STR, str, sizeof(str), true);
	uplat_add_region(&sr.u, SR_WSTR, (u8 *)wide, sizeof(wide), true);
	sr.u.regs[SCRIPT_REG_RAX] = 1;
	sr.u.regs[SCRIPT_REG_RDX] = 3;
	sr.u.regs[SCRIPT_REG_RBX] = 4;
	sr.u.regs[SCRIPT_REG_RBP] = 6;
	sr.u.regs[SCRIPT_REG_RSI] = 7;
	sr.u.regs[SCRIPT_REG_RDI] = 8;
	sr.u.regs[SCRIPT_REG_R8] = 9;
	sr.u.regs[SCRIPT_REG_R9] = 0xa;
	sr.u.regs[SCRIPT_REG_R10] = 0xb;
	sr.u.regs[SCRIPT_REG_R11] = 0xc;
	sr.u.regs[SCRIPT_REG_R12] = 0xd;
	sr.u.regs[SCRIPT_REG_R13] = 0xe;
	sr.u.capture_tests = true;
}

int sr_compile(const char *src, u32 flags)
{
	return script_compile(&sr.comp, src, strlen(src), &sr.globals, flags,
			      &sr.prog, sr.err, sizeof(sr.err));
}

int sr_exec(const char *src)
{
	if (sr_compile(src, 0)) {
		print_error("compile failed: %s\n  script: %s\n", sr.err, src);
		fail();
	}
	sr.rc = script_eval(&sr.vm, &sr.prog, &uplat_ops, &sr.u, 0);
	return sr.rc;
}

u64 sr_value(const char *src)
{
	sr_reset();
	assert_int_equal(sr_exec(src), 0);
	if (!sr.u.n_tests) {
		print_error("no test_statement ran: %s\n", src);
		fail();
	}
	return sr.u.tests[sr.u.n_tests - 1];
}

u64 sr_eval(const char *e)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "test_statement(%s);", e);
	return sr_value(buf);
}

const char *sr_output(const char *src)
{
	sr_reset();
	sr_exec(src);
	return sr.u.out;
}

void sr_expect_error(const char *src, const char *want)
{
	sr_reset();
	if (!sr_compile(src, 0)) {
		print_error("compiled but should not: %s\n", src);
		fail();
	}
	if (!strstr(sr.err, want)) {
		print_error("error \"%s\" lacks \"%s\"\n", sr.err, want);
		fail();
	}
}
