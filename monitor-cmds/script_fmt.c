// SPDX-License-Identifier: GPL-2.0
/*
 * script_fmt.c - the script's printf.  HyperDbg is a Windows debugger and
 * its printf follows the MSVC rules, which we keep so scripts carry over:
 * no length modifier and "l" are 32 bits (LLP64), "ll"/"I64" are 64 bits,
 * "h" 16 and "hh" 8; %p prints 16 upper-case hex digits; %s reads a byte
 * string and %ws/%ls a UTF-16 string from guest memory (checked reads,
 * at most SCRIPT_MAX_STRING characters).
 */
#include "script_int.h"
#include "script_vm.h"

int script_str_char(const struct script_prog *p, const struct script_ops *ops,
		    void *ctx, u64 base, bool lit, bool wide, u32 i)
{
	u16 v = 0;
	u32 size = wide ? 2 : 1;

	if (lit)
		return base + i < p->str_len ? (u8)p->strs[base + i] : 0;
	if (!ops->mem_read ||
	    !ops->mem_read(ctx, base + (u64)i * size, &v, size, false))
		return -1;
	return v;
}

struct outbuf {
	char *s;
	u32 n, cap;
};

static void put(struct outbuf *o, char ch)
{
	if (o->n + 1 < o->cap)
		o->s[o->n++] = ch;
}

static void puts_(struct outbuf *o, const char *s)
{
	while (*s)
		put(o, *s++);
}

#define F_LEFT	1
#define F_ZERO	2
#define F_PLUS	4
#define F_SPACE	8
#define F_ALT	16

static void put_num(struct outbuf *o, u64 v, bool neg, u32 base, bool upper,
		    u32 flags, int width, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[72];
	char sign = 0;
	const char *prefix = "";
	int nd = 0, len, pad, zeros, i;

	while (v) {
		tmp[nd++] = digits[v % base];
		v /= base;
	}
	if (!nd && prec != 0)
		tmp[nd++] = '0';
	if (neg)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';
	if ((flags & F_ALT) && nd && !(nd == 1 && tmp[0] == '0')) {
		if (base == 16)
			prefix = upper ? "0X" : "0x";
		else if (base == 8 && (prec < 0 || prec <= nd))
			prefix = "0";
	}
	zeros = prec > nd ? prec - nd : 0;
	len = nd + zeros + (sign ? 1 : 0) + (int)strlen(prefix);
	pad = width > len ? width - len : 0;
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(flags & F_LEFT))
		for (i = 0; i < pad; i++)
			put(o, ' ');
	if (sign)
		put(o, sign);
	puts_(o, prefix);
	for (i = 0; i < zeros; i++)
		put(o, '0');
	while (nd)
		put(o, tmp[--nd]);
	if (flags & F_LEFT)
		for (i = 0; i < pad; i++)
			put(o, ' ');
}

static void put_str(struct outbuf *o, const struct script_prog *p,
		    const struct script_ops *ops, void *ctx, u64 base,
		    bool lit, bool wide, u32 flags, int width, int prec)
{
	u32 n = 0, i;
	int ch, pad;

	/* measure first so that right alignment works */
	while (n < SCRIPT_MAX_STRING && (prec < 0 || (int)n < prec)) {
		ch = script_str_char(p, ops, ctx, base, lit, wide, n);
		if (ch < 0) {
			if (!n) {
				puts_(o, "(invalid)");
				return;
			}
			break;
		}
		if (!ch)
			break;
		n++;
	}
	pad = width > (int)n ? width - (int)n : 0;
	if (!(flags & F_LEFT))
		while (pad-- > 0)
			put(o, ' ');
	for (i = 0; i < n; i++) {
		ch = script_str_char(p, ops, ctx, base, lit, wide, i);
		put(o, ch > 0 && ch < 0x100 ? (char)ch : '?');
	}
	if (flags & F_LEFT)
		while (pad-- > 0)
			put(o, ' ');
}

u32 script_format(const struct script_prog *p, const char *f,
		  const u64 *args, u32 nargs, u32 str_args,
		  const struct script_ops *ops, void *ctx,
		  char *out, u32 outlen)
{
	struct outbuf o = { out, 0, outlen };
	u32 argi = 0;

	if (!outlen)
		return 0;
	while (*f) {
		u32 flags = 0, bits = 32;
		int width = 0, prec = -1;
		bool wide = false, lit;
		u64 v;
		char conv;

		if (*f != '%') {
			put(&o, *f++);
			continue;
		}
		f++;
		if (*f == '%') {
			put(&o, *f++);
			continue;
		}
		for (;; f++) {
			if (*f == '-')
				flags |= F_LEFT;
			else if (*f == '0')
				flags |= F_ZERO;
			else if (*f == '+')
				flags |= F_PLUS;
			else if (*f == ' ')
				flags |= F_SPACE;
			else if (*f == '#')
				flags |= F_ALT;
			else
				break;
		}
		while (*f >= '0' && *f <= '9' && width < 1000)
			width = width * 10 + (*f++ - '0');
		if (*f == '.') {
			f++;
			prec = 0;
			while (*f >= '0' && *f <= '9' && prec < 1000)
				prec = prec * 10 + (*f++ - '0');
		}
		for (;; f++) {
			if (f[0] == 'l' && f[1] == 'l') {
				bits = 64;
				f++;
			} else if (f[0] == 'h' && f[1] == 'h') {
				bits = 8;
				f++;
			} else if (*f == 'h') {
				bits = 16;
			} else if (*f == 'l') {
				bits = 32;
				wide = true;	/* %ls */
			} else if (*f == 'w') {
				wide = true;
			} else if (f[0] == 'I' && f[1] == '6' && f[2] == '4') {
				bits = 64;
				f += 2;
			} else if (f[0] == 'I' && f[1] == '3' && f[2] == '2') {
				bits = 32;
				f += 2;
			} else {
				break;
			}
		}
		conv = *f;
		if (!conv)
			break;
		f++;
		if (argi >= nargs) {
			puts_(&o, "(missing)");
			continue;
		}
		lit = (str_args >> argi) & 1;
		v = args[argi++];
		if (conv == 's') {
			put_str(&o, p, ops, ctx, v, lit, wide, flags, width,
				prec);
			continue;
		}
		if (conv == 'p') {
			put_num(&o, v, false, 16, true, F_ZERO, 16, -1);
			continue;
		}
		if (bits < 64)
			v &= (1ULL << bits) - 1;
		switch (conv) {
		case 'd':
		case 'i': {
			s64 sv = (s64)v;
			bool neg;

			if (bits < 64 && (v >> (bits - 1)) & 1)
				sv = (s64)(v | ~((1ULL << bits) - 1));
			neg = sv < 0;

			put_num(&o, neg ? 0 - (u64)sv : (u64)sv, neg, 10, false,
				flags, width, prec);
			break;
		}
		case 'u':
			put_num(&o, v, false, 10, false, flags, width, prec);
			break;
		case 'o':
			put_num(&o, v, false, 8, false, flags, width, prec);
			break;
		case 'x':
		case 'X':
			put_num(&o, v, false, 16, conv == 'X', flags, width,
				prec);
			break;
		case 'c': {
			int pad = width > 1 ? width - 1 : 0;

			if (!(flags & F_LEFT))
				while (pad-- > 0)
					put(&o, ' ');
			put(&o, (char)(v & 0xff));
			if (flags & F_LEFT)
				while (pad-- > 0)
					put(&o, ' ');
			break;
		}
		default:
			put(&o, '%');
			put(&o, conv);
			break;
		}
	}
	out[o.n] = 0;
	return o.n;
}
