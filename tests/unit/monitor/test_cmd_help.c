/* .help and help <command>, and docs/commands.md agreeing with them: every
 * syntax line is in the doc, and every `(gdb) monitor` example in the doc
 * gets exactly the reply printed under it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "support_monitor.h"

#define DOC "docs/commands.md"

static const char *const commands[] = {
	"msrread", "msrwrite", "cpuid", "tsc", "pmc", "ioin", "ioout", "dr",
	"vmcall", "xsetbv", "crwrite", "exception", "interrupt", "syscall",
	"syscall2", "sysret", "sysret2", "monitor", "epthook", "epthook2",
	"mode",
	/* N_EVENT_COMMANDS event commands above, plain commands below. */
	"events", "prealloc", "flush", "stop",
	"settings", "preactivate", "status", "cpus", ".help", "help",
};
#define N_EVENT_COMMANDS	21

/* HyperDbg's inspection commands, as written (the '!' is required). */
static const char *const inspect_commands[] = {
	"rdmsr", "wrmsr", "!va2pa", "!pa2va", "!pte", "!db", "!dc", "!dd",
	"!dq", "!eb", "!ed", "!eq", "cpu", "info",
	/* Both forms are commands: virtual and physical searches. */
	"sb", "!sb", "sd", "!sd", "sq", "!sq", "xp", "!pcitree", "!pcicam",
	"lm", ".process", ".thread", "!idt", "!apic", "!ioapic", ".output",
	"!lbr", "!lbrdump",
};

/* name is in inspect_commands. */
static bool inspect_listed(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(inspect_commands); i++)
		if (!strcmp(inspect_commands[i], name))
			return true;
	return false;
}

static struct fixture fx;

static char *read_doc(void)
{
	FILE *f = fopen(DOC, "r");
	static char buf[1 << 18];
	size_t n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", DOC);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	/* All of it, or the examples past the end would go unchecked. */
	if (n == sizeof(buf) - 1)
		fail_msg("%s is larger than %zu bytes: grow the buffer", DOC,
			 sizeof(buf) - 1);
	buf[n] = '\0';
	return buf;
}

static void test_dot_help_lists_everything(void **state)
{
	const char *line;
	size_t i;

	(void)state;
	fx_init(&fx, false);
	assert_int_equal(fx_run(&fx, ".help"), 0);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		char want[32];

		snprintf(want, sizeof(want), "\n  %s%s ",
			 i < N_EVENT_COMMANDS ? "!" : "", commands[i]);
		if (!strstr(fx.out, want))
			fail_msg("'%s' missing from .help", commands[i]);
	}
	/* Readable on an 80-column terminal. */
	for (line = fx.out; *line;) {
		const char *nl = strchr(line, '\n');

		assert_non_null(nl);
		assert_true(nl - line <= 80);
		line = nl + 1;
	}
	assert_int_equal(fx_run(&fx, "help"), 0);
	assert_non_null(strstr(fx.out, "!msrread"));
}

static void test_help_each_command(void **state)
{
	const char *doc = read_doc();
	char line[64], syntax[256];
	size_t i;

	(void)state;
	fx_init(&fx, false);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		const char *nl;

		snprintf(line, sizeof(line), "help %s", commands[i]);
		if (fx_run(&fx, line))
			fail_msg("%s: %s", line, fx.out);
		nl = strchr(fx.out, '\n');
		assert_non_null(nl);
		/* The syntax line starts with the command's name... */
		if (strncmp(fx.out + (i < N_EVENT_COMMANDS), commands[i],
			    strlen(commands[i])))
			fail_msg("%s: %s", line, fx.out);
		/* ...and appears as a whole line in the reference. */
		snprintf(syntax, sizeof(syntax), "\n%.*s\n",
			 (int)(nl - fx.out), fx.out);
		if (!strstr(doc, syntax))
			fail_msg("syntax of %s not in %s:%s", commands[i], DOC,
				 syntax);
		/* With the '!' too, for event commands. */
		if (i < N_EVENT_COMMANDS) {
			char again[sizeof(fx.out)];

			strcpy(again, fx.out);
			snprintf(line, sizeof(line), ".help !%s", commands[i]);
			assert_int_equal(fx_run(&fx, line), 0);
			assert_string_equal(fx.out, again);
		}
	}
	assert_string_equal(commands[N_EVENT_COMMANDS], "events");
	assert_int_equal(fx_run(&fx, "help !nosuch"), -1);
	assert_string_equal(fx.out, "column 6: no help for '!nosuch' (.help "
			    "lists the commands)\n");
	assert_int_equal(fx_run(&fx, "help !events"), -1);
}

/* The inspection commands: listed by .help with the others, `help` gives
 * the syntax line of docs/commands.md; the '!' ones only with the '!'. */
static void test_help_inspection_commands(void **state)
{
	const char *doc = read_doc();
	char line[64], syntax[256], list[4096];
	size_t i;

	(void)state;
	fx_init(&fx, false);
	assert_int_equal(fx_run(&fx, ".help"), 0);
	strcpy(list, fx.out);
	for (i = 0; i < ARRAY_SIZE(inspect_commands); i++) {
		const char *name = inspect_commands[i], *nl, *host;

		snprintf(line, sizeof(line), "\n  %s ", name);
		if (!strstr(list, line))
			fail_msg("'%s' missing from .help", name);
		/* Before the host's own commands. */
		host = strstr(list, "Numbers are hex");
		assert_non_null(host);
		assert_true(strstr(list, line) < host);
		snprintf(line, sizeof(line), "help %s", name);
		if (fx_run(&fx, line))
			fail_msg("%s: %s", line, fx.out);
		nl = strchr(fx.out, '\n');
		assert_non_null(nl);
		/* The name, then its arguments (cpu takes none). */
		if (strncmp(fx.out, name, strlen(name)) ||
		    (fx.out[strlen(name)] != ' ' &&
		     fx.out + strlen(name) != nl))
			fail_msg("%s: %s", line, fx.out);
		snprintf(syntax, sizeof(syntax), "\n%.*s\n",
			 (int)(nl - fx.out), fx.out);
		if (!strstr(doc, syntax))
			fail_msg("syntax of %s not in %s:%s", name, DOC,
				 syntax);
		/* Without its '!' the name is not found (db is HyperDbg's
		 * virtual-memory dump). */
		if (name[0] == '!' && !inspect_listed(name + 1)) {
			snprintf(line, sizeof(line), "help %s", name + 1);
			assert_int_equal(fx_run(&fx, line), -1);
		} else if (name[0] != '!') {
			snprintf(line, sizeof(line), "!%s", name);
			if (inspect_listed(line))
				continue;
			snprintf(line, sizeof(line), "help !%s", name);
			assert_int_equal(fx_run(&fx, line), -1);
		}
	}
}

/* `?` and `print` are commands of the language that the host runs: help
 * knows them, and .help lists them after the note on numbers. */
static void test_help_of_host_commands(void **state)
{
	const char *nums;

	(void)state;
	fx_init(&fx, false);
	assert_int_equal(fx_run(&fx, "help ?"), 0);
	assert_string_equal(fx.out, "? {script} | ? statement\n  run a script "
			    "once on the CPU of gdb's selected thread\n");
	assert_int_equal(fx_run(&fx, ".HELP PRINT"), 0);
	assert_string_equal(fx.out, "print expr\n  print the value of a script "
			    "expression (hex) on the selected CPU\n");
	assert_int_equal(fx_run(&fx, "help !print"), -1);
	assert_string_equal(fx.out, "column 6: no help for '!print' (.help "
			    "lists the commands)\n");
	assert_int_equal(fx_run(&fx, ".help"), 0);
	nums = strstr(fx.out, "Numbers are hex; 0n decimal, 0t octal, 0y "
		      "binary.\n");
	assert_non_null(nums);
	assert_string_equal(strchr(nums, '\n') + 1,
			    "  ?           run a script on the selected CPU: "
			    "? { printf(\"%llx\\n\", @rip); }\n"
			    "  print       print an expression: print @rax + 8\n");
}

/* cmd_execute() leaves the host's commands to the host, untouched. */
static void test_execute_leaves_host_commands(void **state)
{
	static const char *const lines[] = {
		"? { printf(\"%llx\\n\", @rip); }", "?@rax", "print 1+2",
		"prealloc", "prealloc script 8",
	};
	size_t i;

	(void)state;
	fx_init(&fx, true);
	assert_int_equal(fx_run(&fx, "!cpuid 1"), 0);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		struct event_table before = fx.t;

		memset(fx.out, 'x', sizeof(fx.out));
		assert_int_equal(fx_run(&fx, lines[i]), 0);
		assert_int_equal(fx.req, CMD_REQ_HOST);
		assert_string_equal(fx.out, "");
		assert_memory_equal(&before, &fx.t, sizeof(before));
		assert_int_equal(fx.eng.compiled, 0);
	}
	/* Their errors are errors like any other. */
	assert_int_equal(fx_run(&fx, "prealloc script 0"), -1);
	assert_string_equal(fx.out, "column 17: expected a count of script "
			    "programs (hex, 1-0x200)\n");
	assert_int_equal(fx.req, 0);
	assert_int_equal(fx_run(&fx, "? {}"), -1);
	assert_string_equal(fx.out, "column 4: expected a script after '?'\n");
	/* Refused before anything: nothing added, no script compiled. */
	assert_int_equal(fx_run(&fx, "!cpuid 2 script { x = 1; } output {log}"),
			 -1);
	assert_string_equal(fx.out, "column 36: output {log}: no output "
			    "source named 'log' (create it first: hv output "
			    "create log file PATH | tcp HOST:PORT)\n");
	assert_int_equal(fx_run(&fx, "!interrupt sc on"), -1);
	assert_int_equal(fx_run(&fx, "events"), 0);
	assert_string_equal(fx.out, "0x0 (enabled) !cpuid 1\n");
	assert_int_equal(fx.eng.compiled, 0);
}

static bool reply_end(const char *line)
{
	return !strncmp(line, "(gdb)", 5) || !strncmp(line, "```", 3) ||
	       !strcmp(line, "Continuing.") || !*line;
}

static void test_doc_examples_replay(void **state)
{
	static struct event big_ev[0x20];
	static char big_text[4096];
	static u8 big_data[0x1000];
	char *doc = read_doc(), *save = NULL, *line;
	char want[4096];
	int examples = 0;
	bool pending = false;

	(void)state;
	want[0] = '\0';
	for (line = strtok_r(doc, "\n", &save);; line = strtok_r(NULL, "\n",
								 &save)) {
		if (pending && (!line || reply_end(line))) {
			if (strcmp(fx.out, want))
				fail_msg("doc example reply differs:\n got:\n%s"
					 " doc:\n%s", fx.out, want);
			pending = false;
		}
		if (!line)
			break;
		if (!strncmp(line, "```", 3)) {
			/* Each example block starts from an empty table. */
			fx_init(&fx, true);
			event_table_init(&fx.t, big_ev, 0x20, big_text,
					 sizeof(big_text), &fx.ops);
			event_table_set_data(&fx.t, big_data,
					     sizeof(big_data));
			continue;
		}
		if (pending) {
			strcat(want, line);
			strcat(want, "\n");
		} else if (!strncmp(line, "(gdb) monitor ", 14)) {
			fx_run(&fx, line + 14);
			want[0] = '\0';
			pending = true;
			examples++;
		}
	}
	/* The reference has examples for the events and every command. */
	assert_true(examples >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dot_help_lists_everything),
		cmocka_unit_test(test_help_each_command),
		cmocka_unit_test(test_help_inspection_commands),
		cmocka_unit_test(test_doc_examples_replay),
		cmocka_unit_test(test_help_of_host_commands),
		cmocka_unit_test(test_execute_leaves_host_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
