// SPDX-License-Identifier: GPL-2.0
/*
 * script_include.c - `#include "path"` resolution for hvgdb-script; see
 * script_include.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_include.h"

#define MAX_DEPTH	8
#define MAX_TEXT	(1024 * 1024)

struct buf {
	char *s;
	size_t n, cap;
};

static int put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > MAX_TEXT)
		return -1;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *p = realloc(b->s, cap);

		if (!p)
			return -1;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
	return 0;
}

struct ctx {
	const char *stack[MAX_DEPTH];	/* files being expanded */
	int depth;
	char *err;
	size_t errlen;
};

static void where(const char *src, size_t pos, unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < pos; i++) {
		if (src[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int fail(struct ctx *x, const char *src, size_t pos, const char *msg,
		const char *arg, const char *why)
{
	unsigned line, col;

	where(src, pos, &line, &col);
	snprintf(x->err, x->errlen, "line %u, column %u: %s%s%s%s", line, col,
		 msg, arg ? arg : "", why ? ": " : "", why ? why : "");
	return -1;
}

/* The text of an included file as one line: `? {` ... `}` removed, line
 * breaks and // comments made blanks. */
static void flatten(char *s, size_t *len)
{
	size_t i = 0, n = *len, a, z;
	char q = 0;

	/* skip blanks and comments, then an optional "? {" ... "}" */
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
			 s[i] == '\n'))
		i++;
	if (i < n && s[i] == '?') {
		a = i + 1;
		while (a < n && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' ||
				 s[a] == '\n'))
			a++;
		z = n;
		while (z > a && (s[z - 1] == ' ' || s[z - 1] == '\t' ||
				 s[z - 1] == '\r' || s[z - 1] == '\n' ||
				 s[z - 1] == ';'))
			z--;
		if (a < n && s[a] == '{' && z > a && s[z - 1] == '}') {
			memset(s, ' ', a + 1);
			memset(s + z - 1, ' ', n - (z - 1));
		}
	}
	for (i = 0; i < n; i++) {
		if (q) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == q)
				q = 0;
		} else if (s[i] == '"') {
			q = '"';
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
			while (i < n && s[i] != '\n')
				s[i++] = ' ';
			i--;
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
			for (i += 2; i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'); i++)
				if (s[i] == '\n' || s[i] == '\r')
					s[i] = ' ';
			i++;
		}
		if (i < n && (s[i] == '\n' || s[i] == '\r'))
			s[i] = ' ';
	}
	*len = n;
}

static int expand(struct ctx *x, const char *src, size_t len, const char *dir,
		  struct buf *out);

static int include_file(struct ctx *x, const char *src, size_t at,
			const char *dir, const char *name, struct buf *out)
{
	char path[8200], sub[8200];
	char *text, *slash;
	size_t n;
	FILE *f;
	int i, rc;

	if (strlen(dir) + strlen(name) + 2 > sizeof(path))
		return fail(x, src, at, "expected a shorter path: ", name, NULL);
	path[0] = 0;
	if (name[0] != '/' && dir[0]) {
		strcpy(path, dir);
		strcat(path, "/");
	}
	strcat(path, name);
	for (i = 0; i < x->depth; i++)
		if (!strcmp(x->stack[i], path))
			return fail(x, src, at, "expected no include cycle: ",
				    name, "already being included");
	if (x->depth >= MAX_DEPTH)
		return fail(x, src, at, "expected at most 8 nested includes: ",
			    name, NULL);
	f = fopen(path, "rb");
	if (!f)
		return fail(x, src, at, "cannot read the included file ", path,
			    strerror(errno));
	text = malloc(MAX_TEXT + 1);
	if (!text) {
		fclose(f);
		return -1;
	}
	n = fread(text, 1, MAX_TEXT, f);
	fclose(f);
	text[n] = 0;
	flatten(text, &n);
	snprintf(sub, sizeof(sub), "%s", path);
	slash = strrchr(sub, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(sub, sizeof(sub), ".");
	x->stack[x->depth++] = path;
	rc = expand(x, text, n, sub, out);
	x->depth--;
	if (rc && !strstr(x->err, " (in ")) {
		size_t l = strlen(x->err);

		snprintf(x->err + l, x->errlen - l, " (in %s)", path);
	}
	free(text);
	return rc;
}

static int expand(struct ctx *x, const char *src, size_t len, const char *dir,
		  struct buf *out)
{
	size_t i = 0, start = 0, p, q;
	char name[4096], quote = 0;

	while (i < len) {
		char ch = src[i];

		if (quote) {
			if (ch == '\\')
				i++;
			else if (ch == quote)
				quote = 0;
			i++;
			continue;
		}
		if (ch == '"') {
			quote = ch;
			i++;
			continue;
		}
		if (ch == '/' && i + 1 < len && src[i + 1] == '/') {
			while (i < len && src[i] != '\n')
				i++;
			continue;
		}
		if (ch == '/' && i + 1 < len && src[i + 1] == '*') {
			for (i += 2; i + 1 < len && !(src[i] == '*' && src[i + 1] == '/'); i++)
				;
			i += 2;
			continue;
		}
		if (ch != '#' || len - i < 8 || strncmp(src + i, "#include", 8)) {
			i++;
			continue;
		}
		p = i + 8;
		while (p < len && (src[p] == ' ' || src[p] == '\t'))
			p++;
		if (p >= len || src[p] != '"')
			return fail(x, src, p, "expected \"path\" after #include",
				    NULL, NULL);
		q = ++p;
		while (q < len && src[q] != '"' && src[q] != '\n')
			q++;
		if (q >= len || src[q] != '"' || q == p || q - p >= sizeof(name))
			return fail(x, src, p - 1, "expected \"path\" after #include",
				    NULL, NULL);
		memcpy(name, src + p, q - p);
		name[q - p] = 0;
		q++;
		while (q < len && (src[q] == ' ' || src[q] == '\t'))
			q++;
		if (q < len && src[q] == ';')
			q++;
		if (put(out, src + start, i - start) ||
		    include_file(x, src, i, dir, name, out) ||
		    put(out, " ", 1))
			return -1;
		i = start = q;
	}
	return put(out, src + start, len - start);
}

char *script_expand_includes(const char *src, size_t len, const char *dir,
			     size_t *out_len, char *err, size_t errlen)
{
	struct ctx x = { .err = err, .errlen = errlen };
	struct buf out = { 0 };

	err[0] = 0;
	if (expand(&x, src, len, dir, &out) || put(&out, "", 0)) {
		if (!err[0])
			snprintf(err, errlen, "line 1, column 1: included text too large (1 MiB at most)");
		free(out.s);
		return NULL;
	}
	*out_len = out.n;
	return out.s;
}
