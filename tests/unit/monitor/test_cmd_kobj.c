/* HyperDbg's kernel-object commands (monitor-cmds/cmd_kobj.c): lm,
 * .process and .thread, every form and the fields it sets, every error
 * with its column, the host handing, and the exact text of the reply
 * formatters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"

#define ok(line)			fx_parse_ok(line)
#define err_is(line, col, msg)	fx_parse_err_is(line, col, msg)
#include "monitor-cmds/cmd_exec.h"
#include "monitor-cmds/cmd_kobj.h"

static void test_lm(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok("lm");
	assert_int_equal(c.kind, CMD_LM);
	assert_int_equal(c.kobj.op, CMD_KOBJ_LIST);
	assert_int_equal(c.kobj.name_len, 0);
	c = ok("LM km m Hvg");
	assert_int_equal(c.kind, CMD_LM);
	assert_int_equal(c.kobj.name_len, 3);
	assert_string_equal(c.kobj.name, "Hvg");
	c = ok("lm m ext4 km");
	assert_string_equal(c.kobj.name, "ext4");
	err_is("lm m", 5, "expected a module name (or part of one) after "
	       "'m', got end of line");
	err_is("lm m {x}", 6, "expected a module name (or part of one) after "
	       "'m', got a {...} block");
	err_is("lm m a m b", 8, "'m' given twice (first at column 4)");
	err_is("lm km km", 7, "'km' given twice (first at column 4)");
	err_is("lm um", 4, "um: user-mode modules are not listed (hvgdb "
	       "debugs the kernel; a process's mappings are in "
	       "/proc/<pid>/maps)");
	err_is("lm km pid 4", 7, "pid selects user-mode modules, which hvgdb "
	       "does not list");
	err_is("lm nt", 4, "expected 'm', 'km' or end of command after 'lm', "
	       "got 'nt'");
	err_is("lm km nt", 7, "expected 'm', 'km' or end of command, got "
	       "'nt'");
	err_is("lm m 0123456789012345678901234567890123456789012345678901234"
	       "5", 6, "a module name has at most 55 characters");
	c = ok("lm m 0123456789012345678901234567890123456789012345678901234");
	assert_int_equal(c.kobj.name_len, 55);
}

static void test_process(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok(".process");
	assert_int_equal(c.kind, CMD_PROCESS);
	assert_int_equal(c.kobj.op, CMD_KOBJ_SHOW);
	c = ok(".process list");
	assert_int_equal(c.kobj.op, CMD_KOBJ_LIST);
	c = ok(".Process pid 1f4");
	assert_int_equal(c.kobj.op, CMD_KOBJ_PID);
	assert_int_equal(c.kobj.id, 0x1f4);
	assert_int_equal(c.kobj.id_col, 14);
	assert_int_equal(ok(".process pid 0n500").kobj.id, 500);
	assert_int_equal(ok(".process pid 400000").kobj.id, 0x400000);
	c = ok(".process process ffff8880`04160000");
	assert_int_equal(c.kobj.op, CMD_KOBJ_OBJECT);
	assert_int_equal(c.kobj.id, 0xffff888004160000ull);
	assert_int_equal(c.kobj.id_col, 18);
	err_is(".process pid", 13, "expected a process id (hex) after 'pid', "
	       "got end of line");
	err_is(".process pid 400001", 14, "expected a process id (hex) in "
	       "0x0..0x400000, got 0x400001");
	err_is(".process pid 1 2", 16, "expected end of command, got '2'");
	err_is(".process list 1", 15, "expected end of command, got '1'");
	err_is(".process 1f4", 10, "expected 'list', 'pid', 'process' or end "
	       "of command after '.process', got '1f4'");
	err_is(".process process", 17, "expected a task_struct address (hex) "
	       "after 'process', got end of line");
	err_is(".process2 pid 4", 1, "unknown command '.process2' (.help "
	       "lists the commands)");
}

static void test_thread(void **state)
{
	struct cmd_parsed c;

	(void)state;
	c = ok(".thread");
	assert_int_equal(c.kind, CMD_THREAD);
	assert_int_equal(c.kobj.op, CMD_KOBJ_SHOW);
	c = ok(".thread list");
	assert_int_equal(c.kobj.op, CMD_KOBJ_LIST);
	c = ok(".thread list process ffff888004160000");
	assert_int_equal(c.kobj.op, CMD_KOBJ_OBJECT);
	assert_int_equal(c.kobj.id, 0xffff888004160000ull);
	assert_int_equal(c.kobj.id_col, 22);
	err_is(".thread tid 23f8", 9, "switching threads is not available: "
	       "gdb's threads are the CPUs (thread n+1 is CPU n); '.process "
	       "pid' switches the address space");
	err_is(".thread thread ffff888004160000", 9, "switching threads is "
	       "not available: gdb's threads are the CPUs (thread n+1 is CPU "
	       "n); '.process pid' switches the address space");
	err_is(".thread process 1", 9, "expected 'list' or end of command "
	       "after '.thread', got 'process'");
	err_is(".thread list pid 1", 14, "expected 'process' or end of "
	       "command after 'list', got 'pid'");
	err_is(".thread list process", 21, "expected a task_struct address "
	       "(hex) after 'process', got end of line");
	err_is(".thread list process 1 2", 24, "expected end of command, got "
	       "'2'");
}

/* The host runs them: cmd_execute() only asks for it. */
static void test_host_runs_them(void **state)
{
	const char *lines[] = { "lm", ".process list", ".thread" };
	struct cmd_parsed c;
	char out[64];
	size_t i;
	u32 req;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		c = ok(lines[i]);
		req = 0;
		assert_int_equal(cmd_execute_parsed(NULL, lines[i], &c, out,
						    sizeof(out), &req), 0);
		assert_true(req & CMD_REQ_HOST);
	}
}

static char buf[1024];

static const char *fmt(void (*f)(struct cmd_out *o))
{
	struct cmd_out o;

	cmd_out_init(&o, buf, sizeof(buf));
	f(&o);
	return buf;
}

static void lm_sample(struct cmd_out *o)
{
	cmd_fmt_lm_header(o);
	cmd_fmt_lm_line(o, 0xffffffffc0000000ull, 0x5000, "hvgdb", 0);
	cmd_fmt_lm_line(o, 0xffffffffc0a00000ull, 0x123456789ull,
			"a_module_name_longer_than_thirty_two_chars", 2);
	cmd_fmt_lm_line(o, 0, 0, "x\x01y", 9);
}

static void process_sample(struct cmd_out *o)
{
	cmd_fmt_process(o, 0x1e98, 0xffff888004160000ull, "kobj_marker");
	cmd_fmt_process_entry(o, 1, 0xffff888004160000ull, 0x4e2c000, false,
			      "init", NULL);
	cmd_fmt_process_entry(o, 0x12345, 0xffff888004161000ull, ~0ull, true,
			      "kthreadd", NULL);
	cmd_fmt_process_entry(o, 7, 0xffff888004162000ull, ~0ull, false,
			      "0123456789abcdefOVER", "exiting");
}

static void thread_sample(struct cmd_out *o)
{
	cmd_fmt_thread(o, 0xe80, 0x40c, 0xffff888004161000ull,
		       0xffff888004160000ull, "sh");
	cmd_fmt_thread_head(o, 0xffff888004160000ull, "kobj_marker");
	cmd_fmt_thread_entry(o, 0x40c, 0x40c, 0xffff888004160000ull, 'S', 0,
			     "kobj_marker", NULL);
	cmd_fmt_thread_entry(o, 0x40c, 0x40e, 0xffff888004163000ull, 'R', 1,
			     "worker", "list changing here");
}

static void test_text(void **state)
{
	(void)state;
	assert_string_equal(fmt(lm_sample),
		"kernel mode\n"
		"start                   size    name                       "
		"     state\n"
		"\n"
		"ffffffff`c0000000       5000    hvgdb                      "
		"     Live\n"
		"ffffffff`c0a00000       123456789 "
		"a_module_name_longer_than_thirty_two_chars Unloading\n"
		"00000000`00000000       0       x?y                        "
		"     ?\n");
	assert_string_equal(fmt(process_sample),
		"process id: 1e98\n"
		"process (task_struct): ffff8880`04160000\n"
		"process name (16-Byte): kobj_marker\n"
		"PROCESS ffff888004160000\n"
		"        Process Id: 0001  DirBase (Kernel Cr3): "
		"0000000004e2c000  Image: init\n\n"
		"PROCESS ffff888004161000\n"
		"        Process Id: 12345  DirBase (Kernel Cr3): none (kernel "
		"thread)  Image: kthreadd\n\n"
		"PROCESS ffff888004162000\n"
		"        Process Id: 0007  DirBase (Kernel Cr3): none (no mm: "
		"exiting)  Image: 0123456789abcdef (exiting)\n\n");
	assert_string_equal(fmt(thread_sample),
		"thread id: e80 (pid: 40c)\n"
		"thread (task_struct): ffff8880`04161000\n"
		"process (task_struct): ffff8880`04160000\n"
		"process name (16-Byte): sh\n"
		"PROCESS ffff888004160000        IMAGE   kobj_marker\n"
		"        THREAD  ffff888004160000 (40c.40c)  S  cpu 0  "
		"kobj_marker\n"
		"        THREAD  ffff888004163000 (40c.40e)  R  cpu 1  worker "
		"(list changing here)\n");
	assert_string_equal(cmd_kobj_mod_state(1), "Loading");
	assert_string_equal(cmd_kobj_mod_state(3), "Unformed");
}

static void test_name_match(void **state)
{
	(void)state;
	assert_true(cmd_kobj_name_match("hvgdb", 56, "", 0));
	assert_true(cmd_kobj_name_match("hvgdb", 56, "HVG", 3));
	assert_true(cmd_kobj_name_match("hvgdb", 56, "gdb", 3));
	assert_true(cmd_kobj_name_match("hvgdb", 56, "hvgdb", 5));
	assert_false(cmd_kobj_name_match("hvgdb", 56, "hvgdbx", 6));
	assert_false(cmd_kobj_name_match("hvgdb", 56, "xyz", 3));
	/* Only up to max bytes of an unterminated name. */
	assert_false(cmd_kobj_name_match("hvgdb", 3, "gd", 2));
	assert_true(cmd_kobj_name_match("hvgdb", 3, "hvg", 3));
}

/* The letters of /proc/<pid>/stat (fs/proc/array.c). */
static void test_state_letter(void **state)
{
	(void)state;
	assert_int_equal(cmd_kobj_state_letter(0, 0), 'R');
	assert_int_equal(cmd_kobj_state_letter(1, 0), 'S');
	assert_int_equal(cmd_kobj_state_letter(2, 0), 'D');
	assert_int_equal(cmd_kobj_state_letter(0x102, 0), 'D'); /* KILLABLE */
	assert_int_equal(cmd_kobj_state_letter(4, 0), 'T');
	assert_int_equal(cmd_kobj_state_letter(0x104, 0), 'T'); /* STOPPED */
	assert_int_equal(cmd_kobj_state_letter(8, 0), 't');
	assert_int_equal(cmd_kobj_state_letter(0x80, 0x10), 'X');
	assert_int_equal(cmd_kobj_state_letter(0x80, 0x20), 'Z');
	assert_int_equal(cmd_kobj_state_letter(0x40, 0), 'P');
	assert_int_equal(cmd_kobj_state_letter(0x402, 0), 'I');
	assert_int_equal(cmd_kobj_state_letter(0x1000, 0), 'D');
	assert_int_equal(cmd_kobj_state_letter(0x800, 0), 'R'); /* WAKING */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lm),
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_thread),
		cmocka_unit_test(test_host_runs_them),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_name_match),
		cmocka_unit_test(test_state_letter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
