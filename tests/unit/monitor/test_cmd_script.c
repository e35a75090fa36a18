/* The real script engine behind the compile hook, end to end in pure code:
 * the issue's `!msrread 0xc0000082 script { printf(...) }` is parsed,
 * compiled, matched at an RDMSR exit and run, and its output lands in the
 * batched output buffer; conditions and post-stage register writes work;
 * script errors name the column of the whole gdb line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "monitor-cmds/cmd_exec.h"
#include "monitor-cmds/cmd_script.h"
#include "monitor-cmds/event.h"
#include "monitor-cmds/event_output.h"
#include "monitor-cmds/script.h"

#define NPROGS 3

static struct script_compiler scratch;
static struct script_globals globals;
static struct script_prog progs[NPROGS];
static bool used[NPROGS];
static struct cmd_script_pool pool;
static struct event_script_ops ops;

static struct event ev[8];
static char text[1024];
static struct event_table t;
static char out[512];
static u32 req;

/* The machine as a script sees it at one exit. */
static struct {
	u64 regs[SCRIPT_REG_COUNT];
	u64 context;
	u32 event_id;
	u64 locals[SCRIPT_MAX_LOCALS];
	u64 globals[SCRIPT_MAX_GLOBALS];
	struct event_outbuf ob;
	char ring[256];
} m;

static u64 reg_get(void *ctx, u32 reg)
{
	(void)ctx;
	return reg < SCRIPT_REG_COUNT ? m.regs[reg] : 0;
}

static bool reg_set(void *ctx, u32 reg, u64 val)
{
	(void)ctx;
	if (reg >= SCRIPT_REG_COUNT)
		return false;
	m.regs[reg] = val;
	return true;
}

static u64 pseudo_get(void *ctx, u32 id)
{
	(void)ctx;
	if (id == SCRIPT_PS_CONTEXT)
		return m.context;
	if (id == SCRIPT_PS_EVENT_ID)
		return m.event_id;
	return 0;
}

static u64 *local_vars(void *ctx)
{
	(void)ctx;
	return m.locals;
}

static u64 *global_vars(void *ctx)
{
	(void)ctx;
	return m.globals;
}

static void output(void *ctx, const char *s, u32 len)
{
	(void)ctx;
	event_outbuf_put(&m.ob, s, len);
}

static const struct script_ops machine = {
	.reg_get = reg_get, .reg_set = reg_set, .pseudo_get = pseudo_get,
	.local_vars = local_vars, .global_vars = global_vars,
	.output = output,
};

static int setup(void **state)
{
	(void)state;
	memset(used, 0, sizeof(used));
	memset(&globals, 0, sizeof(globals));
	pool = (struct cmd_script_pool){ .scratch = &scratch,
		.globals = &globals, .progs = progs, .used = used,
		.n = NPROGS };
	cmd_script_ops_init(&ops, &pool);
	event_table_init(&t, ev, 8, text, sizeof(text), &ops);
	memset(&m, 0, sizeof(m));
	event_outbuf_init(&m.ob, m.ring, sizeof(m.ring));
	return 0;
}

static void run_ok(const char *line)
{
	if (cmd_execute(&t, line, strlen(line), out, sizeof(out), &req))
		fail_msg("'%s' failed: %s", line, out);
}

/* Fire the exit: run the script of every matching event, like the module
 * will; returns how many fired. */
static u32 fire(enum event_type type, u64 key, enum event_stage stage)
{
	const struct event *hits[8];
	struct event_exit x = { .type = type, .key = key, .context = key,
				.stage = stage };
	struct script_vm vm;
	u32 n = event_match(&t, &x, hits, 8), i;

	for (i = 0; i < n; i++) {
		m.context = x.context;
		m.event_id = hits[i]->id;
		if (hits[i]->script_prog)
			assert_int_equal(script_eval(&vm, hits[i]->script_prog,
						     &machine, NULL, 0),
					 SCRIPT_OK);
	}
	return n;
}

static const char *drained(void)
{
	static char buf[256];

	event_outbuf_drain(&m.ob, buf, sizeof(buf));
	return buf;
}

static void test_issue_example_end_to_end(void **state)
{
	(void)state;
	run_ok("!msrread 0xc0000082 script { printf(\"rdmsr %llx\\n\", "
	       "$context); }");
	assert_string_equal(out, "event 0x0 enabled: !msrread 0xc0000082 "
			    "script { printf(\"rdmsr %llx\\n\", $context); }  "
			    "[script]\n");
	assert_true(used[0]);
	assert_int_equal(fire(EVENT_MSRREAD, 0xc0000082, EVENT_STAGE_PRE), 1);
	assert_int_equal(fire(EVENT_MSRREAD, 0xc0000080, EVENT_STAGE_PRE), 0);
	assert_string_equal(drained(), "rdmsr c0000082\n");
}

static void test_condition(void **state)
{
	const struct event *e;
	struct script_vm vm;

	(void)state;
	run_ok("!cpuid condition { @rax == 1 }");
	e = event_table_find(&t, 0);
	assert_non_null(e->cond_prog);
	m.regs[SCRIPT_REG_RAX] = 1;
	assert_int_equal(script_eval(&vm, e->cond_prog, &machine, NULL, 0),
			 SCRIPT_OK);
	assert_true(vm.result != 0);
	m.regs[SCRIPT_REG_RAX] = 2;
	assert_int_equal(script_eval(&vm, e->cond_prog, &machine, NULL, 0),
			 SCRIPT_OK);
	assert_true(vm.result == 0);
}

static void test_post_stage_register_write(void **state)
{
	(void)state;
	/* The issue: a !cpuid script that writes @rax in the post stage
	 * changes what the guest sees. */
	run_ok("!cpuid 0 stage post script { @rax = 0x1234; }");
	m.regs[SCRIPT_REG_RAX] = 0xd;
	assert_int_equal(fire(EVENT_CPUID, 0, EVENT_STAGE_PRE), 0);
	assert_int_equal(m.regs[SCRIPT_REG_RAX], 0xd);
	assert_int_equal(fire(EVENT_CPUID, 0, EVENT_STAGE_POST), 1);
	assert_int_equal(m.regs[SCRIPT_REG_RAX], 0x1234);
}

static void test_errors_name_the_line_column(void **state)
{
	const char *line = "!cpuid script { x = ; }";
	int r;

	(void)state;
	r = cmd_execute(&t, line, strlen(line), out, sizeof(out), &req);
	assert_int_equal(r, -1);
	/* ';' is column 21 of the gdb line; the engine's own "line, column"
	 * prefix is replaced by it. */
	assert_memory_equal(out, "column 21: expected", 19);
	assert_null(strstr(out, "line 1"));
	assert_int_equal(t.count, 0);
	assert_false(used[0]);
	/* A multi-line script (from Python) maps lines too. */
	line = "!cpuid script { x = 1;\n  y = ; }";
	assert_int_equal(cmd_execute(&t, line, strlen(line), out, sizeof(out),
				     &req), -1);
	assert_memory_equal(out, "column 30: expected", 19);
	line = "!cpuid condition { @rax == }";
	assert_int_equal(cmd_execute(&t, line, strlen(line), out, sizeof(out),
				     &req), -1);
	assert_memory_equal(out, "column 28: expected", 19);
}

static void test_program_pool(void **state)
{
	const char *line = "!tsc script { x = 1; }";

	(void)state;
	run_ok("!tsc script { x = 1; } condition { 1 }");
	run_ok("!tsc script { x = 2; }");
	assert_int_equal(cmd_execute(&t, line, strlen(line), out, sizeof(out),
				     &req), -1);
	assert_string_equal(out, "column 14: script program pool full: clear "
			    "events with scripts\n");
	/* A condition that compiled is given back when the script fails. */
	line = "!tsc condition { 1 } script { x = ; }";
	run_ok("events c 1");
	assert_int_equal(cmd_execute(&t, line, strlen(line), out, sizeof(out),
				     &req), -1);
	assert_false(used[2] && used[1] && used[0]);
	run_ok("!tsc script { x = 3; }");
	run_ok("events c all");
	assert_false(used[0] || used[1] || used[2]);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_issue_example_end_to_end),
		T(test_condition),
		T(test_post_stage_register_write),
		T(test_errors_name_the_line_column),
		T(test_program_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
