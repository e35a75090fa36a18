// SPDX-License-Identifier: GPL-2.0
/*
 * hvgdb-syms - turn a kernel's System.map or /proc/kallsyms into an ELF
 * symbol file gdb loads with `symbol-file`, for kernels without a vmlinux.
 * See docs/symbols.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_out.h"
#include "ksyms.h"
#include "layout.h"

static const char usage[] =
"usage: hvgdb-syms [-o OUT.elf] [--modules] [--offset DELTA | --text ADDR]\n"
"                  [-v] [INPUT|-]\n"
"Reads System.map or /proc/kallsyms lines (INPUT, or standard input) and\n"
"writes an ELF symbol file for gdb's `symbol-file` (to OUT.elf, or to\n"
"standard output when it is not a terminal).\n"
"  -o OUT          output file\n"
"  --modules       keep symbols of loaded modules ([name] suffix)\n"
"  --offset DELTA  add DELTA (hex, may be negative) to every address\n"
"  --text ADDR     relocate so that _text lands at ADDR (KASLR: the\n"
"                  target's live _text)\n"
"  -v              print a summary and the sections to standard error\n";

static int parse_hex(const char *s, int64_t *out)
{
	bool neg = *s == '-';
	unsigned long long v;
	char *end;

	if (neg || *s == '+')
		s++;
	if (!*s)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno || *end)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "modules", no_argument, NULL, 'm' },
		{ "offset", required_argument, NULL, 'O' },
		{ "text", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL, *in_path = "-";
	bool modules = false, verbose = false, have_off = false;
	bool have_text = false;
	int64_t offset = 0, text_addr = 0;
	struct ksym_table t;
	struct layout l;
	char err[256];
	FILE *in, *out;
	int c;

	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'm':
			modules = true;
			break;
		case 'O':
			if (parse_hex(optarg, &offset)) {
				fprintf(stderr, "hvgdb-syms: bad --offset %s "
					"(hex, e.g. 0x1e000000 or -0x1000)\n",
					optarg);
				return 2;
			}
			have_off = true;
			break;
		case 'T':
			if (parse_hex(optarg, &text_addr)) {
				fprintf(stderr, "hvgdb-syms: bad --text %s "
					"(hex address)\n", optarg);
				return 2;
			}
			have_text = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc)
		in_path = argv[optind++];
	if (optind < argc || (have_off && have_text)) {
		fputs(usage, stderr);
		return 2;
	}
	if (!out_path && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "hvgdb-syms: not writing ELF to a terminal: "
			"use -o OUT.elf\n");
		return 2;
	}

	in = strcmp(in_path, "-") ? fopen(in_path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "hvgdb-syms: %s: %s\n", in_path,
			strerror(errno));
		return 1;
	}
	ksyms_init(&t, modules);
	if (ksyms_read(&t, in, err, sizeof(err))) {
		fprintf(stderr, "hvgdb-syms: %s: %s\n", in_path, err);
		return 1;
	}
	if (in != stdin)
		fclose(in);
	if (!t.n) {
		fprintf(stderr, "hvgdb-syms: %s: no symbols\n", in_path);
		return 1;
	}
	if (!t.nonzero_addrs) {
		fprintf(stderr, "hvgdb-syms: %s: every address is 0: "
			"kallsyms hides addresses from readers without "
			"CAP_SYSLOG (kernel.kptr_restrict): read it as root\n",
			in_path);
		return 1;
	}
	if (have_text) {
		uint64_t a;

		if (!layout_find(&t, "_text", &a)) {
			fprintf(stderr, "hvgdb-syms: --text: %s has no _text "
				"symbol\n", in_path);
			return 1;
		}
		offset = (int64_t)((uint64_t)text_addr - a);
	}
	if (layout_build(&t, &l, offset, err, sizeof(err))) {
		fprintf(stderr, "hvgdb-syms: %s\n", err);
		return 1;
	}

	out = out_path ? fopen(out_path, "wb") : stdout;
	if (!out) {
		fprintf(stderr, "hvgdb-syms: %s: %s\n", out_path,
			strerror(errno));
		return 1;
	}
	if (elf_write(out, &t, &l, err, sizeof(err)) ||
	    (out != stdout ? fclose(out) : fflush(out))) {
		fprintf(stderr, "hvgdb-syms: %s: %s\n",
			out_path ? out_path : "stdout", err);
		if (out_path)
			unlink(out_path);
		return 1;
	}
	if (verbose) {
		fprintf(stderr, "hvgdb-syms: %zu lines, %zu symbols written "
			"(%zu absolute), %zu skipped (no address), "
			"%zu module symbols %s, %zu sections, offset %#llx\n",
			t.lines, t.n, l.abs_syms, t.skipped, t.module_syms,
			modules ? "kept (except bpf/ftrace)" : "skipped",
			l.nsec, (unsigned long long)offset);
		for (size_t i = 0; i < l.nsec; i++)
			fprintf(stderr, "  %-20s %016llx-%016llx%s\n",
				l.sec[i].name,
				(unsigned long long)l.sec[i].start,
				(unsigned long long)l.sec[i].end,
				l.sec[i].flags & LAYOUT_EXEC ? " code" : "");
	}
	layout_free(&l);
	ksyms_free(&t);
	return 0;
}
