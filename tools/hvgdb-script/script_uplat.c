// SPDX-License-Identifier: GPL-2.0
/*
 * script_uplat.c - the user-space platform of script_uplat.h.
 */
#include "script_uplat.h"

void uplat_init(struct uplat *u)
{
	memset(u, 0, sizeof(*u));
}

bool uplat_add_region(struct uplat *u, u64 base, u8 *data, u32 size,
		      bool readonly)
{
	u32 i;

	if (u->n_regions >= UPLAT_MAX_REGIONS || !size ||
	    base + size - 1 < base)
		return false;
	for (i = 0; i < u->n_regions; i++) {
		struct uplat_region *r = &u->regions[i];

		if (base < r->base + r->size && r->base < base + size)
			return false;
	}
	u->regions[u->n_regions].base = base;
	u->regions[u->n_regions].size = size;
	u->regions[u->n_regions].data = data;
	u->regions[u->n_regions].readonly = readonly;
	u->n_regions++;
	return true;
}

/* The bytes [addr, addr+len) when one region holds them all. */
static u8 *find(struct uplat *u, u64 addr, u32 len, bool write)
{
	u32 i;

	for (i = 0; i < u->n_regions; i++) {
		struct uplat_region *r = &u->regions[i];

		if (addr >= r->base && len <= r->size &&
		    addr - r->base <= r->size - len) {
			if (write && r->readonly)
				return NULL;
			return r->data + (addr - r->base);
		}
	}
	return NULL;
}

static u64 reg_get(void *ctx, u32 reg)
{
	struct uplat *u = ctx;

	return reg < SCRIPT_REG_COUNT ? u->regs[reg] : 0;
}

static bool reg_set(void *ctx, u32 reg, u64 val)
{
	struct uplat *u = ctx;

	if (reg >= SCRIPT_REG_COUNT)
		return false;
	u->regs[reg] = val;
	return true;
}

static u64 pseudo_get(void *ctx, u32 id)
{
	struct uplat *u = ctx;

	if (id == SCRIPT_PS_IP)
		return u->pseudo[id] ? u->pseudo[id] : u->regs[SCRIPT_REG_RIP];
	return id < SCRIPT_PS_COUNT ? u->pseudo[id] : 0;
}

static bool mem_read(void *ctx, u64 addr, void *buf, u32 len, bool phys)
{
	struct uplat *u = ctx;
	u8 *p = find(u, addr, len, false);

	(void)phys;
	u->mem_reads++;
	if (!p) {
		u->mem_faults++;
		return false;
	}
	memcpy(buf, p, len);
	return true;
}

static bool mem_write(void *ctx, u64 addr, const void *buf, u32 len,
		      bool phys)
{
	u8 *p = find(ctx, addr, len, true);

	(void)phys;
	if (!p)
		return false;
	memcpy(p, buf, len);
	return true;
}

static u64 translate(void *ctx, u64 addr)
{
	return find(ctx, addr, 1, false) ? addr : 0;
}

static bool interlocked(void *ctx, u32 op, u64 addr, u64 a, u64 b, u64 *old)
{
	u8 *p = find(ctx, addr, 8, true);
	u64 v;

	if (!p)
		return false;
	memcpy(&v, p, 8);
	*old = v;
	switch (op) {
	case SCRIPT_ILK_EXCHANGE: v = a; break;
	case SCRIPT_ILK_ADD: v += a; break;
	case SCRIPT_ILK_CMPXCHG: if (v == b) v = a; break;
	default: return false;
	}
	memcpy(p, &v, 8);
	return true;
}

static u64 *local_vars(void *ctx)
{
	return ((struct uplat *)ctx)->locals;
}

static u64 *global_vars(void *ctx)
{
	return ((struct uplat *)ctx)->globals;
}

static void output(void *ctx, const char *s, u32 len)
{
	struct uplat *u = ctx;

	if (u->write_fn) {
		u->write_fn(u->write_arg, s, len);
		return;
	}
	if (len > UPLAT_OUT_MAX - 1 - u->out_len)
		len = UPLAT_OUT_MAX - 1 - u->out_len;
	memcpy(u->out + u->out_len, s, len);
	u->out_len += len;
	u->out[u->out_len] = 0;
}

static void test_statement(void *ctx, u64 val)
{
	struct uplat *u = ctx;
	char b[40] = "test_statement: ";
	u32 i = 16, n = 0;
	char d[17];

	if (u->capture_tests) {
		if (u->n_tests < UPLAT_MAX_TESTS)
			u->tests[u->n_tests++] = val;
		return;
	}
	do {
		d[n++] = "0123456789abcdef"[val & 15];
		val >>= 4;
	} while (val);
	while (n)
		b[i++] = d[--n];
	b[i++] = '\n';
	output(ctx, b, i);
}

static u64 event_ctl(void *ctx, u32 op, u64 a, u64 b, u64 c)
{
	struct uplat *u = ctx;

	if (u->n_events < UPLAT_MAX_EVENTS) {
		u->events[u->n_events].op = op;
		u->events[u->n_events].a = a;
		u->events[u->n_events].b = b;
		u->events[u->n_events].c = c;
		u->n_events++;
	}
	if (op == SCRIPT_EVT_FLUSH)
		u->out_len = 0;
	return 0;
}

static u64 rdtsc(void *ctx, bool rdtscp)
{
	struct uplat *u = ctx;

	(void)rdtscp;
	u->tsc += 100;
	return u->tsc;
}

static void microsleep(void *ctx, u64 us)
{
	((struct uplat *)ctx)->slept_us += us;
}

const struct script_ops uplat_ops = {
	.reg_get = reg_get,
	.reg_set = reg_set,
	.pseudo_get = pseudo_get,
	.mem_read = mem_read,
	.mem_write = mem_write,
	.va_to_pa = translate,
	.pa_to_va = translate,
	.interlocked = interlocked,
	.local_vars = local_vars,
	.global_vars = global_vars,
	.output = output,
	.test_statement = test_statement,
	.event_ctl = event_ctl,
	.rdtsc = rdtsc,
	.microsleep = microsleep,
};
