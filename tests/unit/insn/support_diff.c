// SPDX-License-Identifier: GPL-2.0
/*
 * support_diff.c - differential harness: insn_len() against capstone 4.
 * See support_diff.h.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kmod/lib/insn_len.h"
#include "support_diff.h"

int insn_diff_init(struct insn_diff *d, int mode)
{
	memset(d, 0, sizeof(*d));
	d->mode = mode;
	if (cs_open(CS_ARCH_X86, mode == 64 ? CS_MODE_64 : CS_MODE_32,
		    &d->cs) != CS_ERR_OK)
		return -1;
	return 0;
}

void insn_diff_fini(struct insn_diff *d)
{
	cs_close(&d->cs);
	free(d->held);
	d->held = NULL;
	d->nheld = d->maxheld = 0;
}

int insn_diff_hold(struct insn_diff *d, unsigned int max)
{
	d->held = calloc(max, sizeof(*d->held));
	if (!d->held)
		return -1;
	d->maxheld = max;
	d->nheld = 0;
	return 0;
}

/* What the classifier and the known-bug rules need of an encoding. */
struct insn_diff_parse {
	bool p66, p67, lock;
	bool rep_after_66;	/* an F2/F3 follows the 66 */
	bool any_rex;		/* a REX byte anywhere among the prefixes */
	bool rexw;		/* REX.W directly before the opcode */
	u8 rep;			/* last F2/F3 */
	enum { P_NONE, P_ONE, P_0F, P_0F38, P_0F3A, P_VEX, P_EVEX, P_XOP }
		kind;
	unsigned int map;	/* VEX/EVEX/XOP map select */
	int op;			/* opcode byte in its map, -1 if cut off */
	size_t op_at;		/* its offset */
	int modrm;		/* byte after the opcode, -1 if cut off */
};

static int insn_diff_at(const u8 *c, size_t n, size_t i)
{
	return i < n ? c[i] : -1;
}

static void insn_diff_parse(const struct insn_diff *d, const u8 *c, size_t n,
			    struct insn_diff_parse *p)
{
	size_t i = 0, op;

	memset(p, 0, sizeof(*p));
	for (; i < n; i++) {
		u8 b = c[i];

		if (b == 0x66) {
			p->p66 = true;
		} else if (b == 0x67) {
			p->p67 = true;
		} else if (b == 0xf2 || b == 0xf3) {
			p->rep = b;
			p->rep_after_66 = p->p66;
		} else if (b == 0xf0) {
			p->lock = true;
		} else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
			   b == 0x64 || b == 0x65) {
			;
		} else if (d->mode == 64 && (b & 0xf0) == 0x40) {
			p->any_rex = true;
			p->rexw = b & 8;
			continue;
		} else {
			break;
		}
		p->rexw = false;
	}
	p->op = p->modrm = -1;
	if (i >= n)
		return;
	op = i;
	p->kind = P_ONE;
	if (c[i] == 0x0f && i + 1 < n) {
		p->kind = P_0F;
		op = i + 1;
		if (c[i + 1] == 0x38 || c[i + 1] == 0x3a) {
			p->kind = c[i + 1] == 0x38 ? P_0F38 : P_0F3A;
			op = i + 2;
		}
	} else if ((c[i] == 0xc4 || c[i] == 0xc5 || c[i] == 0x62) &&
		   i + 1 < n && (d->mode == 64 || c[i + 1] >= 0xc0)) {
		p->kind = c[i] == 0x62 ? P_EVEX : P_VEX;
		p->map = c[i] == 0xc5 ? 1 :
			 c[i + 1] & (c[i] == 0x62 ? 7 : 0x1f);
		op = i + (c[i] == 0xc5 ? 2 : c[i] == 0xc4 ? 3 : 4);
	} else if (c[i] == 0x8f && i + 1 < n && (c[i + 1] & 0x1f) >= 8) {
		p->kind = P_XOP;
		p->map = c[i + 1] & 0x1f;
		op = i + 3;
	}
	p->op_at = op;
	p->op = insn_diff_at(c, n, op);
	p->modrm = insn_diff_at(c, n, op + 1);
}

/*
 * A short name for the class: mode, escape/map and opcode, prefixes that
 * change lengths, and both lengths (capstone rejects: opcode only).
 */
static void insn_diff_key(const struct insn_diff *d, const u8 *c, size_t n,
			  int ours, unsigned int cs_len, char *key, size_t ksz)
{
	static const char *const kinds[] = {
		"prefixes", "", "0F ", "0F38 ", "0F3A ", "VEX", "EVEX", "XOP",
	};
	struct insn_diff_parse p;
	char map[24];

	insn_diff_parse(d, c, n, &p);
	if (p.kind >= P_VEX)
		snprintf(map, sizeof(map), "%s.m%u %02X", kinds[p.kind],
			 p.map, p.op & 0xff);
	else if (p.kind != P_NONE)
		snprintf(map, sizeof(map), "%s%02X", kinds[p.kind],
			 p.op & 0xff);
	else
		snprintf(map, sizeof(map), "%s", kinds[p.kind]);
	if (!cs_len) {
		snprintf(key, ksz, "%d %s", d->mode, map);
		return;
	}
	snprintf(key, ksz, "%d %s%s%s%s%s ours=%d cs=%u", d->mode, map,
		 p.p66 ? " 66" : "", p.p67 ? " 67" : "",
		 p.rep == 0xf2 ? " F2" : p.rep == 0xf3 ? " F3" : "",
		 p.rexw ? " W" : "", ours, cs_len);
}

/*
 * Documented capstone-4 defects (docs/insn-len.md lists them with
 * examples).  Each names the rule capstone breaks and where it is
 * written; anything else that disagrees is our bug until shown not.
 */
const char *const insn_diff_bugs[INSN_DIFF_NBUGS] = {
	[INSN_BUG_UD01] =
		"UD1/UD0 take a ModRM (SDM Vol. 2B, UD: 0F B9 /r, "
		"0F FF /r); capstone stops after the opcode",
	[INSN_BUG_BRANCH66] =
		"64-bit near CALL/JMP/Jcc keep rel32 under 66h/67h (SDM "
		"Vol. 2A 2.2.1.7; CALL/JMP/Jcc list rel16 as N.S. in 64-bit "
		"mode); capstone reads rel16, the AMD rule",
	[INSN_BUG_RETW] =
		"RET/RETF imm16 is always iw (SDM Vol. 2B, RET: C2 iw, "
		"CA iw); capstone reads 4 bytes under REX.W with 66h/67h",
	[INSN_BUG_66ORDER] =
		"66h keeps its meaning in any prefix order (SDM Vol. 2A, "
		"2.1.1); capstone drops 66h when an F2/F3 follows it",
	[INSN_BUG_VEXPFX] =
		"VEX/EVEX/XOP after 66h/F2h/F3h/F0h/REX is #UD (SDM Vol. 2A, "
		"2.3.2 and 2.7.1); capstone decodes it",
	[INSN_BUG_EVEXRC] =
		"EVEX register form with EVEX.b=0 has no rounding control "
		"and mod=11 no displacement (SDM Vol. 2A, 2.7); capstone "
		"shows {r?-sae} and takes one byte more",
};

static int insn_diff_known(const struct insn_diff *d, const u8 *c,
			   size_t n, int ours, const cs_insn *ci)
{
	unsigned int cs_len = ci->size;
	struct insn_diff_parse p;
	int op;

	insn_diff_parse(d, c, n, &p);
	op = p.op;

	if (p.kind == P_0F && (op == 0xb9 || op == 0xff) &&
	    cs_len == p.op_at + 1 && ours > (int)cs_len)
		return INSN_BUG_UD01;

	if (d->mode == 64 && ours == (int)cs_len + 2 &&
	    ((p.kind == P_ONE && (op == 0xe8 || op == 0xe9)) ||
	     (p.kind == P_0F && op >= 0x80 && op <= 0x8f)) &&
	    (p.p66 || p.p67))
		return INSN_BUG_BRANCH66;

	if (p.kind == P_ONE && (op == 0xc2 || op == 0xca) &&
	    cs_len == (unsigned int)ours + 2)
		return INSN_BUG_RETW;

	if (p.kind == P_ONE && p.p66 && p.rep_after_66 &&
	    cs_len == (unsigned int)ours + 2)
		return INSN_BUG_66ORDER;

	if (ours == INSN_LEN_INVALID &&
	    (p.kind == P_VEX || p.kind == P_EVEX || p.kind == P_XOP) &&
	    (p.p66 || p.rep || p.lock || p.any_rex))
		return INSN_BUG_VEXPFX;

	/* P2 is the byte before the opcode; its bit 4 is EVEX.b. */
	if (p.kind == P_EVEX && p.modrm >= 0xc0 &&
	    cs_len == (unsigned int)ours + 1 && !(c[p.op_at - 1] & 0x10) &&
	    strstr(ci->op_str, "-sae}"))
		return INSN_BUG_EVEXRC;
	return INSN_BUG_NONE;
}

static void insn_diff_record(struct insn_diff *d, const u8 *c, size_t n,
			     int ours, const cs_insn *ci)
{
	struct insn_diff_class *k, *tab = ci ? d->classes : d->rejects;
	unsigned int *n_tab = ci ? &d->nclasses : &d->nrejects;
	char key[80];
	unsigned int cs_len = ci ? ci->size : 0;
	int known = ci ? insn_diff_known(d, c, n, ours, ci) : INSN_BUG_NONE;
	unsigned int i;

	if (known) {
		d->known++;
		d->known_by[known]++;
	}
	insn_diff_key(d, c, n, ours, cs_len, key, sizeof(key));
	for (i = 0; i < *n_tab; i++) {
		if (!strcmp(tab[i].key, key)) {
			tab[i].count++;
			return;
		}
	}
	if (*n_tab == INSN_DIFF_CLASSES) {
		if (ci)
			d->class_overflow++;
		else
			d->reject_overflow++;
		return;
	}
	k = &tab[(*n_tab)++];
	snprintf(k->key, sizeof(k->key), "%s", key);
	k->known = known;
	k->rejected = !ci;
	k->nbytes = n < 15 ? n : 15;
	memcpy(k->bytes, c, k->nbytes);
	if (ci)
		snprintf(k->text, sizeof(k->text), "%s %s", ci->mnemonic,
			 ci->op_str);
	else
		snprintf(k->text, sizeof(k->text), "rejected");
	k->count = 1;
}

/* Capstone rejected code[0..avail): note it if we gave a length. */
static void insn_diff_reject(struct insn_diff *d, const u8 *code,
			     size_t avail)
{
	int ours = insn_len(code, avail, d->mode);

	d->cs_rejects++;
	if (ours > 0) {
		d->cs_rejects_ours_ok++;
		insn_diff_record(d, code, avail, ours, NULL);
		if (d->nheld < d->maxheld) {
			u8 *h = d->held[d->nheld++];

			memset(h, 0x90, 16);
			memcpy(h, code, avail < 15 ? avail : 15);
		}
	}
}

#define INSN_SLOT	32

/* objdump line "  1e0:\t62 f1 ...\tvprord ..." -> address, byte count. */
static bool insn_objdump_line(const char *line, unsigned long *addr,
			      unsigned int *nbytes, const char **text)
{
	const char *p = strchr(line, '\t');
	char *end;
	unsigned int n = 0;

	*addr = strtoul(line, &end, 16);
	if (!p || end == line || *end != ':')
		return false;
	for (p++; *p && *p != '\t'; p++) {
		if (p[0] != ' ' && p[1] && p[1] != ' ' && p[1] != '\t') {
			n++;
			p++;
		}
	}
	*nbytes = n;
	*text = *p ? p + 1 : "";
	return n > 0;
}

/*
 * objdump prints a REX that a later legacy prefix cancels (and prefixes
 * it cannot attach) as an instruction of its own: "rex.W", "lock rex".
 * That is a display choice, not a length, so such lines are set apart.
 */
static bool insn_objdump_prefix_only(const char *text)
{
	static const char *const names[] = {
		"cs", "ds", "es", "ss", "fs", "gs", "lock", "data16",
		"addr32", "addr16", "data32", "repz", "repnz", "rep", "bnd",
		"notrack", "xacquire", "xrelease",
	};
	char word[32];
	unsigned int i, n;
	bool any = false;

	while (*text) {
		bool known = false;

		text += strspn(text, " ");
		n = strcspn(text, " \n");
		if (!n)
			break;
		if (n >= sizeof(word))
			return false;
		memcpy(word, text, n);
		word[n] = 0;
		text += n;
		if (!strncmp(word, "rex", 3))
			known = true;
		for (i = 0; !known && i < ARRAY_SIZE(names); i++)
			known = !strcmp(word, names[i]);
		if (!known)
			return false;
		any = true;
	}
	return any;
}

static void insn_objdump_show(FILE *f, const char *what, int ours,
			      const char *od, const u8 *code, size_t avail,
			      const char *text)
{
	size_t i;

	fprintf(f, "    %s: ours=%d objdump=%s  ", what, ours, od);
	for (i = 0; i < 15 && i < avail; i++)
		fprintf(f, "%02x", code[i]);
	fprintf(f, "  [objdump: %.*s]\n", (int)strcspn(text, "\n"), text);
}

/*
 * Run objdump over buf[0..size) in the given mode and, at each instruction
 * start it reports that is a multiple of stride, compare its length with
 * insn_len(buf + addr, size - addr).  Counts add up into *r.
 */
static int insn_objdump_run(const u8 *buf, size_t size, int mode,
			    size_t stride, struct insn_objdump *r,
			    unsigned int max_show, FILE *f, const char **why)
{
	char path[] = "/tmp/insn_objdump_XXXXXX";
	char cmd[256], line[512], od[16];
	unsigned long addr, before = r->checked;
	unsigned int nb, shown = 0, bad_shown = 0;
	const char *text;
	FILE *out, *p;
	int fd, ours;

	fd = mkstemp(path);
	if (fd < 0 || !(out = fdopen(fd, "wb"))) {
		*why = "cannot create a temporary file";
		return -1;
	}
	if (fwrite(buf, 1, size, out) != size) {
		fclose(out);
		unlink(path);
		*why = "cannot write a temporary file";
		return -1;
	}
	fclose(out);
	/* -M intel64: 66h on near branches as Intel does, like insn_len. */
	snprintf(cmd, sizeof(cmd), "objdump -D -b binary -m %s "
		 "--insn-width=16 %s 2>/dev/null", mode == 64 ?
		 "i386:x86-64 -M intel64" : "i386", path);
	p = popen(cmd, "r");
	if (!p) {
		unlink(path);
		*why = "cannot run objdump";
		return -1;
	}
	while (fgets(line, sizeof(line), p)) {
		if (!insn_objdump_line(line, &addr, &nb, &text) ||
		    addr % stride || addr >= size)
			continue;
		r->checked++;
		ours = insn_len(buf + addr, size - addr, mode);
		if (strstr(text, "(bad)")) {
			r->objdump_bad++;
			if (bad_shown++ < 5)
				insn_objdump_show(f, "objdump rejects", ours,
						  "(bad)", buf + addr,
						  size - addr, text);
		} else if (ours == (int)nb) {
			r->agreed++;
		} else if (insn_objdump_prefix_only(text)) {
			r->prefix_only++;
		} else if (buf[addr] == 0x9b && ours == 1) {
			/* "fstcw" = FWAIT + FNSTCW: two instructions. */
			r->fwait_merged++;
		} else {
			r->disagreed++;
			snprintf(od, sizeof(od), "%u", nb);
			if (shown++ < max_show)
				insn_objdump_show(f, "DISAGREE", ours, od,
						  buf + addr, size - addr,
						  text);
		}
	}
	if (pclose(p) != 0 && r->checked == before) {
		unlink(path);
		*why = "objdump (binutils) is absent or failed";
		return -1;
	}
	unlink(path);
	return 0;
}

int insn_objdump_check(const struct insn_diff *d, struct insn_objdump *r,
		       unsigned int max_show, FILE *f, const char **why)
{
	u8 *slots;
	unsigned int i;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!d->nheld)
		return 0;
	slots = malloc((size_t)d->nheld * INSN_SLOT);
	if (!slots) {
		*why = "out of memory";
		return -1;
	}
	memset(slots, 0x90, (size_t)d->nheld * INSN_SLOT);
	for (i = 0; i < d->nheld; i++)
		memcpy(slots + (size_t)i * INSN_SLOT, d->held[i], 15);
	ret = insn_objdump_run(slots, (size_t)d->nheld * INSN_SLOT, d->mode,
			       INSN_SLOT, r, max_show, f, why);
	free(slots);
	return ret;
}

int insn_objdump_sweep(const u8 *code, size_t size, int mode,
		       struct insn_objdump *r, unsigned int max_show, FILE *f,
		       const char **why)
{
	return insn_objdump_run(code, size, mode, 1, r, max_show, f, why);
}

static void insn_diff_compare(struct insn_diff *d, const u8 *code,
			      size_t avail, const cs_insn *ci)
{
	int ours = insn_len(code, avail, d->mode);

	d->compared++;
	if (ours == (int)ci->size)
		d->agreed++;
	else
		insn_diff_record(d, code, avail, ours, ci);
}

unsigned int insn_diff_one(struct insn_diff *d, const u8 *code, size_t avail)
{
	cs_insn *ci;
	unsigned int len;

	if (cs_disasm(d->cs, code, avail, 0, 1, &ci) != 1) {
		insn_diff_reject(d, code, avail);
		return 0;
	}
	insn_diff_compare(d, code, avail, ci);
	len = ci->size;
	cs_free(ci, 1);
	return len;
}

void insn_diff_sweep(struct insn_diff *d, const u8 *code, size_t size)
{
	cs_insn *ci = cs_malloc(d->cs);
	const u8 *p = code;
	size_t left = size;
	u64 addr = 0;

	while (left) {
		const u8 *at = p;
		size_t avail = left;

		if (cs_disasm_iter(d->cs, &p, &left, &addr, ci)) {
			insn_diff_compare(d, at, avail, ci);
			continue;
		}
		/* Capstone cannot decode here: resync one byte on. */
		insn_diff_reject(d, p, left);
		p++;
		left--;
		addr++;
	}
	cs_free(ci, 1);
}

unsigned long insn_diff_ppm(const struct insn_diff *d)
{
	unsigned long n = d->compared - d->known;
	unsigned long ok = d->agreed;

	if (!n)
		return 1000000;
	return (unsigned long)((unsigned long long)ok * 1000000ULL / n);
}

static int insn_diff_cmp(const void *a, const void *b)
{
	const struct insn_diff_class *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

static void insn_diff_print_class(const struct insn_diff_class *k, FILE *f)
{
	unsigned int j;

	fprintf(f, "  %8lu  %-36s ", k->count, k->key);
	for (j = 0; j < k->nbytes; j++)
		fprintf(f, "%02x", k->bytes[j]);
	fprintf(f, "  [cs: %s]", k->text);
	if (k->known)
		fprintf(f, " capstone bug %d", k->known);
	fputc('\n', f);
}

void insn_diff_report(const struct insn_diff *d, const char *title,
		      unsigned int max_rejects, FILE *f)
{
	struct insn_diff_class *sorted;
	unsigned long dis = d->compared - d->agreed;
	unsigned int i;

	fprintf(f, "insn-diff %s: compared %lu, agreed %lu, disagreed %lu "
		"(%lu documented capstone-4 bugs); agreement %lu.%04lu%% "
		"excluding those; capstone rejected %lu (we gave a length "
		"for %lu)\n",
		title, d->compared, d->agreed, dis, d->known,
		insn_diff_ppm(d) / 10000, insn_diff_ppm(d) % 10000,
		d->cs_rejects, d->cs_rejects_ours_ok);
	sorted = malloc(sizeof(*sorted) * INSN_DIFF_CLASSES);
	if (!sorted)
		return;
	memcpy(sorted, d->classes, sizeof(*sorted) * d->nclasses);
	qsort(sorted, d->nclasses, sizeof(*sorted), insn_diff_cmp);
	if (dis)
		fprintf(f, "  disagreements by class (count, key, first "
			"bytes):\n");
	for (i = 0; i < d->nclasses; i++)
		insn_diff_print_class(&sorted[i], f);
	memcpy(sorted, d->rejects, sizeof(*sorted) * d->nrejects);
	qsort(sorted, d->nrejects, sizeof(*sorted), insn_diff_cmp);
	if (d->nrejects && max_rejects)
		fprintf(f, "  capstone rejects, we give a length (largest "
			"%u of %u opcode classes):\n", max_rejects,
			d->nrejects);
	for (i = 0; i < d->nrejects && i < max_rejects; i++)
		insn_diff_print_class(&sorted[i], f);
	if (d->reject_overflow)
		fprintf(f, "  (and %lu more inputs in further classes)\n",
			d->reject_overflow);
	if (d->class_overflow)
		fprintf(f, "  (%lu disagreements in unlisted classes)\n",
			d->class_overflow);
	for (i = 1; i < INSN_DIFF_NBUGS; i++)
		if (d->known_by[i])
			fprintf(f, "  capstone bug %u (%lu): %s\n", i,
				d->known_by[i], insn_diff_bugs[i]);
	free(sorted);
}

/* Candidate places for the extracted text, relative to our binary. */
static const char *const insn_ktext_rel[] = {
	"../../../insn/vmlinux-text.bin",	/* build/tests/unit/insn/ */
	"../insn/vmlinux-text.bin",		/* build/bin/ */
};

u8 *insn_ktext_load(size_t *size, u64 *vaddr, const char **why)
{
	static char path[PATH_MAX + 64];
	char exe[PATH_MAX];
	const char *env = getenv("INSN_KTEXT");
	ssize_t n;
	FILE *f = NULL;
	u64 hdr[2];
	u8 *buf;
	unsigned int i;

	if (env) {
		snprintf(path, sizeof(path), "%s", env);
		f = fopen(path, "rb");
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0) {
			*why = "cannot read /proc/self/exe";
			return NULL;
		}
		exe[n] = 0;
		*strrchr(exe, '/') = 0;
		for (i = 0; !f && i < ARRAY_SIZE(insn_ktext_rel); i++) {
			snprintf(path, sizeof(path), "%s/%s", exe,
				 insn_ktext_rel[i]);
			f = fopen(path, "rb");
		}
	}
	if (!f) {
		*why = "no build/insn/vmlinux-text.bin (the kernel image "
		       "of KDIR's version was absent or unreadable when "
		       "kmod/lib/lib.mk ran extract_text.py)";
		return NULL;
	}
	if (fread(hdr, sizeof(hdr), 1, f) != 1 || !hdr[1] ||
	    hdr[1] > (1ULL << 30)) {
		fclose(f);
		*why = "vmlinux-text.bin: bad header";
		return NULL;
	}
	buf = malloc(hdr[1]);
	if (!buf || fread(buf, 1, hdr[1], f) != hdr[1]) {
		free(buf);
		fclose(f);
		*why = "vmlinux-text.bin: short read";
		return NULL;
	}
	fclose(f);
	*size = hdr[1];
	*vaddr = hdr[0];
	return buf;
}

/* Read the whole file at path; NULL if it cannot. */
static u8 *insn_slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Little-endian field of width w at off, bounds-checked against size. */
static u64 insn_le(const u8 *b, size_t size, size_t off, unsigned int w)
{
	u64 v = 0;
	unsigned int i;

	if (off + w > size)
		return 0;
	for (i = 0; i < w; i++)
		v |= (u64)b[off + i] << (8 * i);
	return v;
}

u8 *insn_elf_text(const char *path, size_t *size, int *bits,
		  const char **why)
{
	size_t fsz = 0, shoff, shstr_off, i, name_off;
	unsigned int shentsize, shnum, shstrndx, w;
	u8 *elf = insn_slurp(path, &fsz);
	u8 *text;

	*why = "file absent or unreadable";
	if (!elf)
		return NULL;
	*why = "not a little-endian ELF with a .text section";
	if (fsz < 64 || memcmp(elf, "\177ELF", 4) || elf[5] != 1)
		goto bad;
	*bits = elf[4] == 2 ? 64 : 32;
	w = *bits == 64 ? 8 : 4;
	shoff = insn_le(elf, fsz, *bits == 64 ? 0x28 : 0x20, w);
	shentsize = insn_le(elf, fsz, *bits == 64 ? 0x3a : 0x2e, 2);
	shnum = insn_le(elf, fsz, *bits == 64 ? 0x3c : 0x30, 2);
	shstrndx = insn_le(elf, fsz, *bits == 64 ? 0x3e : 0x32, 2);
	if (!shoff || !shentsize || shstrndx >= shnum)
		goto bad;
	/* sh_offset sits after name, type, flags, addr. */
	shstr_off = insn_le(elf, fsz, shoff + shstrndx * shentsize +
			    (*bits == 64 ? 0x18 : 0x10), w);
	for (i = 0; i < shnum; i++) {
		size_t sh = shoff + i * shentsize;
		size_t off = insn_le(elf, fsz, sh + (*bits == 64 ? 0x18 : 0x10),
				     w);
		size_t sz = insn_le(elf, fsz, sh + (*bits == 64 ? 0x20 : 0x14),
				    w);

		name_off = shstr_off + insn_le(elf, fsz, sh, 4);
		if (name_off + 6 > fsz || memcmp(elf + name_off, ".text", 6))
			continue;
		if (!sz || off + sz > fsz)
			goto bad;
		text = malloc(sz);
		if (!text)
			goto bad;
		memcpy(text, elf + off, sz);
		free(elf);
		*size = sz;
		return text;
	}
bad:
	free(elf);
	return NULL;
}

u64 insn_rand_next(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}
