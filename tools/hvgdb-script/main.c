// SPDX-License-Identifier: GPL-2.0
/*
 * hvgdb-script - check a dslang script before sending it to a live
 * machine, or evaluate it against given register values.
 *
 *   hvgdb-script FILE                 compile; errors as the module reports
 *   hvgdb-script --eval FILE [--reg rax=1 ...] [--pseudo pid=0x10 ...]
 *
 * Exit status: 0 ok, 1 compile error, 2 runtime error, 64 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor-cmds/script.h"
#include "monitor-cmds/script_int.h"
#include "script_uplat.h"
#include "script_include.h"

#define MAX_SRC (256 * 1024)

static void usage(FILE *f)
{
	fprintf(f,
"usage: hvgdb-script [options] FILE|-\n"
"       hvgdb-script [options] -e 'SCRIPT'\n"
"Compiles a HyperDbg-language script and reports errors as\n"
"\"FILE: line L, column C: expected X\".\n"
"  --eval               evaluate it (prints print/printf output and\n"
"                       'test_statement: VALUE' lines)\n"
"  --reg NAME=VALUE     register value (rax, eax, al, rip, rflags, cr3...)\n"
"  --pseudo NAME=VALUE  pseudo-register value (pid, tid, core, proc,\n"
"                       thread, ip, buffer, context, event_id, ...)\n"
"  --pseudo pname=TEXT  the process name $pname points at (15 characters\n"
"                       at most, as the kernel's comm)\n"
"  --mem ADDR=HEXBYTES  writable memory initialised with these bytes\n"
"  --zero ADDR+SIZE     writable zeroed memory (SIZE up to 1 MiB)\n"
"  --str ADDR=TEXT      read-only NUL-terminated string at ADDR\n"
"  --condition          FILE is one condition; prints 'condition: 0|1'\n"
"  --strict             reject what HyperDbg (script-engine-test cf27bae)\n"
"                       rejects: & ^ | inside a comparison operand\n"
"  --steps N            step budget (default %u)\n"
"  --repeat N           evaluate N times (per-CPU locals persist)\n"
"  --dump               print the compiled code\n"
"  --vars               print the variables after evaluation\n"
"VALUEs and ADDRs are C numbers (0x.. hex, else decimal).\n",
		SCRIPT_DEFAULT_STEPS);
}

static void write_stdout(void *arg, const char *s, u32 len)
{
	(void)arg;
	fwrite(s, 1, len, stdout);
}

static bool parse_u64(const char *s, u64 *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return *s && !*end && !errno;
}

static bool set_reg(struct uplat *u, const char *arg)
{
	char name[40];
	const char *eq = strchr(arg, '=');
	u64 v, m;
	int r;

	if (!eq || eq - arg >= (long)sizeof(name) || !parse_u64(eq + 1, &v))
		return false;
	memcpy(name, arg, eq - arg);
	name[eq - arg] = 0;
	if (name[0] == '@')
		memmove(name, name + 1, strlen(name));
	r = script_find_reg(name);
	if (r < 0)
		return false;
	m = script_regs[r].width >= 64 ? ~0ULL :
	    (1ULL << script_regs[r].width) - 1;
	u->regs[script_regs[r].reg] &= ~(m << script_regs[r].shift);
	u->regs[script_regs[r].reg] |= (v & m) << script_regs[r].shift;
	return true;
}

static bool set_pseudo(struct uplat *u, const char *arg)
{
	char name[40];
	const char *eq = strchr(arg, '=');
	u64 v;
	int i;

	if (!eq || eq - arg >= (long)sizeof(name) || !parse_u64(eq + 1, &v))
		return false;
	memcpy(name, arg, eq - arg);
	name[eq - arg] = 0;
	i = script_find_pseudo(name[0] == '$' ? name + 1 : name);
	if (i < 0)
		return false;
	u->pseudo[i] = v;
	return true;
}

/* --pseudo pname=TEXT: $pname is the address of the task's comm, so the
 * text goes into a read-only region of 16 bytes (TASK_COMM_LEN, the
 * text cut to 15 characters as the kernel cuts it) at PNAME_ADDR. */
#define PNAME_ADDR	0xfffffe0000000000ULL

static bool set_pname(struct uplat *u, const char *text)
{
	static u8 comm[16];

	memset(comm, 0, sizeof(comm));
	strncpy((char *)comm, text, sizeof(comm) - 1);
	u->pseudo[SCRIPT_PS_PNAME] = PNAME_ADDR;
	return uplat_add_region(u, PNAME_ADDR, comm, sizeof(comm), true);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool add_mem(struct uplat *u, const char *arg, int kind)
{
	const char *sep = strchr(arg, kind == 1 ? '+' : '=');
	char addr[40];
	u64 base, size = 0;
	u8 *data;
	size_t i;

	if (!sep || sep - arg >= (long)sizeof(addr))
		return false;
	memcpy(addr, arg, sep - arg);
	addr[sep - arg] = 0;
	if (!parse_u64(addr, &base))
		return false;
	sep++;
	if (kind == 1) {		/* --zero ADDR+SIZE */
		if (!parse_u64(sep, &size) || !size || size > (1u << 20))
			return false;
		data = calloc(1, size);
	} else if (kind == 0) {		/* --mem ADDR=HEX */
		size = strlen(sep) / 2;
		if (!size || strlen(sep) % 2)
			return false;
		data = calloc(1, size);
		for (i = 0; data && i < size; i++) {
			int h = hexval(sep[2 * i]), l = hexval(sep[2 * i + 1]);

			if (h < 0 || l < 0)
				return false;
			data[i] = (u8)(h * 16 + l);
		}
	} else {			/* --str ADDR=TEXT */
		size = strlen(sep) + 1;
		data = (u8 *)strdup(sep);
	}
	return data && uplat_add_region(u, base, data, (u32)size, kind == 2);
}

static const char *const op_names[SOP_COUNT] = {
	"end", "pushi", "pushk", "pushs", "pop", "ldl", "stl", "ldg", "stg",
	"ldf", "stf", "ldr", "str", "ldp", "add", "sub", "mul", "div", "mod",
	"shl", "shr", "and", "or", "xor", "neg", "not", "eq", "ne", "lt", "gt",
	"le", "ge", "load", "store", "jmp", "jz", "jnz", "call", "enter", "ret",
	"builtin", "setres", "dup", "addr", "bound", "scale",
};

_Static_assert(ARRAY_SIZE(op_names) == SOP_COUNT, "op_names out of date");

static void dump(const struct script_prog *p)
{
	u32 i;

	for (i = 0; i < p->n_insns; i++) {
		const struct script_insn *in = &p->code[i];

		printf("%4u  %-8s a=%u b=%u c=%u", i,
		       in->op < SOP_COUNT ? op_names[in->op] : "?",
		       in->a, in->b, in->c);
		if (in->op == SOP_BUILTIN && in->a < SB_COUNT)
			printf("  ; %s", script_builtins[in->a].name);
		if (in->op == SOP_LDR || in->op == SOP_STR)
			printf("  ; %s", script_reg_name(in->a));
		if (in->op == SOP_LDL || in->op == SOP_STL)
			printf("  ; %s", script_local_name(p, in->c));
		printf("\n");
	}
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(MAX_SRC + 1);
	if (!buf)
		return NULL;
	*len = fread(buf, 1, MAX_SRC, f);
	buf[*len] = 0;
	if (f != stdin)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	static struct script_compiler comp;
	static struct script_prog prog;
	static struct script_vm vm;
	static struct script_globals globals;
	static struct uplat u;
	const char *path = NULL, *inline_src = NULL;
	bool eval = false, cond = false, do_dump = false, vars = false;
	u32 flags = 0;
	u64 steps = 0, repeat = 1, i;
	char err[4400];
	size_t len;
	char *src;
	int a, rc = 0;

	uplat_init(&u);
	u.write_fn = write_stdout;
	for (a = 1; a < argc; a++) {
		const char *o = argv[a];
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;
		bool ok = true;

		if (!strcmp(o, "--eval")) {
			eval = true;
		} else if (!strcmp(o, "--condition")) {
			cond = true;
		} else if (!strcmp(o, "--strict")) {
			flags |= SCRIPT_F_HDBG_STRICT;
		} else if (!strcmp(o, "--dump")) {
			do_dump = true;
		} else if (!strcmp(o, "--vars")) {
			vars = true;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(stdout);
			return 0;
		} else if (v && !strcmp(o, "--reg")) {
			ok = set_reg(&u, v), a++;
		} else if (v && !strcmp(o, "--pseudo") &&
			   (!strncmp(v, "pname=", 6) ||
			    !strncmp(v, "$pname=", 7))) {
			ok = set_pname(&u, strchr(v, '=') + 1), a++;
		} else if (v && !strcmp(o, "--pseudo")) {
			ok = set_pseudo(&u, v), a++;
		} else if (v && !strcmp(o, "--mem")) {
			ok = add_mem(&u, v, 0), a++;
		} else if (v && !strcmp(o, "--zero")) {
			ok = add_mem(&u, v, 1), a++;
		} else if (v && !strcmp(o, "--str")) {
			ok = add_mem(&u, v, 2), a++;
		} else if (v && !strcmp(o, "--steps")) {
			ok = parse_u64(v, &steps), a++;
		} else if (v && !strcmp(o, "--repeat")) {
			ok = parse_u64(v, &repeat) && repeat, a++;
		} else if (v && !strcmp(o, "-e")) {
			inline_src = v, a++;
		} else if (o[0] == '-' && o[1]) {
			ok = false;
		} else if (!path) {
			path = o;
		} else {
			ok = false;
		}
		if (!ok) {
			fprintf(stderr, "hvgdb-script: bad option or value: %s%s%s\n",
				o, v ? " " : "", v && o[0] == '-' ? v : "");
			usage(stderr);
			return 64;
		}
	}
	if (!!path == !!inline_src) {
		usage(stderr);
		return 64;
	}
	if (inline_src) {
		src = strdup(inline_src);
		len = strlen(src);
		path = "<script>";
	} else {
		src = read_all(path, &len);
		if (!src) {
			fprintf(stderr, "hvgdb-script: %s: %s\n", path,
				strerror(errno));
			return 64;
		}
	}
	{
		/* #include "path": resolved here, as the target has no files */
		char dir[4096], *slash, *x;

		snprintf(dir, sizeof(dir), "%s", inline_src || !strcmp(path, "-") ?
			 "." : path);
		slash = strrchr(dir, '/');
		if (inline_src || !strcmp(path, "-") || !slash)
			snprintf(dir, sizeof(dir), ".");
		else
			*slash = 0;
		x = script_expand_includes(src, len, dir, &len, err, sizeof(err));
		if (!x) {
			fprintf(stderr, "%s: %s\n", path, err);
			return 1;
		}
		free(src);
		src = x;
	}
	if (cond)
		flags |= SCRIPT_F_CONDITION;
	if (script_compile(&comp, src, len, &globals, flags, &prog, err,
			   sizeof(err))) {
		fprintf(stderr, "%s: %s\n", path, err);
		return 1;
	}
	if (do_dump)
		dump(&prog);
	if (!eval) {
		printf("%s: ok (%u instructions, %u variables)\n", path,
		       prog.n_insns, prog.n_locals);
		return 0;
	}
	for (i = 0; i < repeat && !rc; i++)
		rc = script_eval(&vm, &prog, &uplat_ops, &u, steps);
	fflush(stdout);
	if (cond)
		printf("condition: %d\n", vm.result != 0);
	if (vars) {
		const char *last = "";
		u64 base = 0;

		for (i = 0; i < prog.n_locals; i++) {
			const char *n = script_local_name(&prog, i);

			if (n[0]) {	/* an array's or struct's first slot */
				last = n;
				base = i;
				printf("var %s = %llx\n", n,
				       (unsigned long long)u.locals[i]);
			} else {	/* its next slots, by 8-byte offset */
				printf("var %s+%llx = %llx\n", last,
				       (unsigned long long)(i - base) * 8,
				       (unsigned long long)u.locals[i]);
			}
		}
		for (i = 0; i < globals.count; i++)
			printf("var .%s = %llx\n", script_global_name(&globals, i),
			       (unsigned long long)u.globals[i]);
	}
	free(src);
	return rc ? 2 : 0;
}
