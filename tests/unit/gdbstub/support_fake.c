// SPDX-License-Identifier: GPL-2.0
/* support_fake.c - see support_fake.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/rsp_codec.h"
#include "support_fake.h"

static int ft_get(void *ctx, u32 timeout_ms)
{
	struct fake *f = ctx;

	(void)timeout_ms;
	if (f->in_pos < f->in_len)
		return f->in[f->in_pos++];
	f->timeouts++;
	return RSP_NO_BYTE;
}

static void ft_put(void *ctx, const u8 *buf, size_t len)
{
	struct fake *f = ctx;

	if (f->out_len + len > FAKE_OUT_MAX)
		len = FAKE_OUT_MAX - f->out_len;
	memcpy(f->out + f->out_len, buf, len);
	f->out_len += len;
}

static void ft_flush(void *ctx)
{
	(void)ctx;
}

struct rsp_transport fake_transport(struct fake *f, bool reliable)
{
	struct rsp_transport t = {
		.get_byte = ft_get, .put_bytes = ft_put, .flush = ft_flush,
		.ctx = f, .reliable = reliable,
	};
	return t;
}

void fake_init(struct fake *f)
{
	int t, i;

	memset(f, 0, sizeof(*f));
	f->out = malloc(FAKE_OUT_MAX);
	f->nthreads = 2;
	f->fail_reg = -1;
	for (t = 0; t < FAKE_THREADS; t++)
		for (i = 0; i < RSP_G_BYTES; i++)
			f->regs[t][i] = (u8)(i + 16 * t);
	for (i = 0; i < (int)FAKE_MEM_SIZE; i++)
		f->mem[i] = (u8)i;
	for (i = 0; i < (int)FAKE_PHYS_SIZE; i++)
		f->phys[i] = (u8)(0xff - i);
}

void fake_free(struct fake *f)
{
	free(f->out);
	f->out = NULL;
}

void fake_set_input(struct fake *f, const void *in, size_t len)
{
	f->in = in;
	f->in_len = len;
	f->in_pos = 0;
}

static int fk_read_reg(void *ctx, int tid, int regno, u8 *buf)
{
	struct fake *f = ctx;

	if (tid < 1 || tid > f->nthreads)
		return -RSP_ESRCH;
	if (regno == f->fail_reg)
		return -RSP_EIO;
	memcpy(buf, f->regs[tid - 1] + rsp_reg_offset(regno),
	       rsp_reg_size(regno));
	return 0;
}

static int fk_write_reg(void *ctx, int tid, int regno, const u8 *buf)
{
	struct fake *f = ctx;

	if (tid < 1 || tid > f->nthreads)
		return -RSP_ESRCH;
	if (regno == f->fail_reg)
		return -RSP_EIO;
	memcpy(f->regs[tid - 1] + rsp_reg_offset(regno), buf,
	       rsp_reg_size(regno));
	return 0;
}

static long fk_read_mem(void *ctx, int tid, u64 addr, u8 *buf, size_t len)
{
	struct fake *f = ctx;
	size_t n;

	(void)tid;
	if (addr < FAKE_MEM || addr >= FAKE_MEM + FAKE_MEM_SIZE)
		return -RSP_EFAULT;
	n = FAKE_MEM + FAKE_MEM_SIZE - addr;
	if (n > len)
		n = len;
	memcpy(buf, f->mem + (addr - FAKE_MEM), n);
	return (long)n;
}

static int fk_write_mem(void *ctx, int tid, u64 addr, const u8 *buf,
			size_t len)
{
	struct fake *f = ctx;

	(void)tid;
	if (addr < FAKE_MEM || addr + len > FAKE_MEM + FAKE_MEM_SIZE ||
	    addr + len < addr)
		return -RSP_EFAULT;
	memcpy(f->mem + (addr - FAKE_MEM), buf, len);
	return 0;
}

static long fk_read_phys(void *ctx, u64 addr, u8 *buf, size_t len)
{
	struct fake *f = ctx;
	size_t n;

	if (addr < FAKE_PHYS || addr >= FAKE_PHYS + FAKE_PHYS_SIZE)
		return -RSP_EFAULT;
	n = FAKE_PHYS + FAKE_PHYS_SIZE - addr;
	if (n > len)
		n = len;
	memcpy(buf, f->phys + (addr - FAKE_PHYS), n);
	return (long)n;
}

static int fk_write_phys(void *ctx, u64 addr, const u8 *buf, size_t len)
{
	struct fake *f = ctx;

	if (addr < FAKE_PHYS || addr + len > FAKE_PHYS + FAKE_PHYS_SIZE ||
	    addr + len < addr)
		return -RSP_EFAULT;
	memcpy(f->phys + (addr - FAKE_PHYS), buf, len);
	return 0;
}

static int fk_insert(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind)
{
	struct fake *f = ctx;

	f->bp_calls++;
	f->last_type = type;
	f->last_addr = addr;
	f->last_kind = kind;
	if (addr == 0xdead)
		return -RSP_EFAULT;
	if (addr == 0x5105)
		return -RSP_ENOSYS;
	if (type != RSP_BP_SW) {
		if (f->hw_used == 4)
			return -RSP_ENOSPC;
		f->hw_used++;
	}
	f->bp_inserted++;
	return 0;
}

static int fk_remove(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind)
{
	struct fake *f = ctx;

	if (f->fail_remove)
		return -RSP_EIO;
	f->bp_calls++;
	f->last_type = type;
	f->last_addr = addr;
	f->last_kind = kind;
	if (type != RSP_BP_SW)
		f->hw_used--;
	f->bp_inserted--;
	return 0;
}

static int fk_thread_info(void *ctx, int idx, struct rsp_thread_info *out)
{
	struct fake *f = ctx;

	if (idx < 0 || idx >= f->nthreads)
		return -RSP_ESRCH;
	out->tid = idx + 1;
	out->core = idx;
	if (f->long_names) {
		memset(out->name, '&', sizeof(out->name) - 1);
		out->name[sizeof(out->name) - 1] = 0;
		return 0;
	}
	snprintf(out->name, sizeof(out->name), "CPU %d: t&<%d>", idx + 1,
		 idx);
	if (idx == 2)		/* quotes and control characters */
		snprintf(out->name, sizeof(out->name), "CPU 3: \"q\"\t");
	return 0;
}

static int fk_monitor(void *ctx, const char *cmd, struct rsp_output *out)
{
	struct fake *f = ctx;
	long i;

	if (!strcmp(cmd, "lines")) {
		for (i = 0; i < 3; i++) {
			rsp_output_write(out, "line\n", 5);
			rsp_output_flush(out);
		}
		rsp_output_flush(out);		/* nothing left: no packet */
	} else if (!strcmp(cmd, "alive")) {
		/* A long command's keepalives: the text so far, then an
		 * empty O packet. */
		rsp_output_write(out, "a", 1);
		rsp_output_keepalive(out);
		rsp_output_keepalive(out);
	} else if (!strcmp(cmd, "big")) {
		/* The alphabet over and over, a run of up to 26 bytes a
		 * call (a byte a call made the fuzzer crawl). */
		for (i = 0; i < f->monitor_bytes; i += 26)
			rsp_output_write(out, "abcdefghijklmnopqrstuvwxyz",
					 f->monitor_bytes - i < 26 ?
					 (size_t)(f->monitor_bytes - i) : 26);
	} else {
		rsp_output_write(out, "ran: ", 5);
		rsp_output_write(out, cmd, strlen(cmd));
	}
	return f->monitor_ret;
}

const struct rsp_target_ops fake_ops = {
	.read_reg = fk_read_reg,
	.write_reg = fk_write_reg,
	.read_mem = fk_read_mem,
	.write_mem = fk_write_mem,
	.insert_bp = fk_insert,
	.remove_bp = fk_remove,
	.thread_info = fk_thread_info,
	.monitor = fk_monitor,
	.read_phys = fk_read_phys,
	.write_phys = fk_write_phys,
};

size_t fake_frame(char *buf, const char *payload)
{
	size_t n = strlen(payload);

	return (size_t)sprintf(buf, "$%s#%02x", payload,
			       rsp_checksum(payload, n));
}

int fake_npackets(struct fake *f)
{
	int n = 0;
	size_t i;

	for (i = 0; i < f->out_len; i++)
		n += f->out[i] == '$';
	return n;
}

const char *fake_packet(struct fake *f, int idx)
{
	static char pkt[FAKE_OUT_MAX];
	size_t i = 0, o = 0;
	int seen = -1;

	for (; i < f->out_len; i++) {
		if (f->out[i] == '$' && ++seen == idx)
			break;
	}
	if (seen != idx)
		return NULL;
	for (i++; i < f->out_len && f->out[i] != '#'; i++) {
		if (f->out[i] == '*' && o > 0 && i + 1 < f->out_len) {
			int k, rep = f->out[++i] - 29;

			for (k = 0; k < rep; k++, o++)
				pkt[o] = pkt[o - 1];
			continue;
		}
		pkt[o++] = (char)f->out[i];
	}
	pkt[o] = 0;
	return pkt;
}

/* --- one packet at a time ------------------------------------------------ */

void fake_session_restart(struct fake_session *x)
{
	struct rsp_transport tr = fake_transport(&x->f, true);
	struct rsp_config cfg = { .sstep_settable = RSP_SSTEP_ALL,
				  .byte_timeout_ms = 10, .idle_ms = 1,
				  .rle_replies = true };

	rsp_init(&x->eng, &tr, &x->ops, &x->f, &cfg);
}

int fake_session_setup(void **state)
{
	struct fake_session *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	fake_init(&x->f);
	fake_set_input(&x->f, x->in, 0);
	x->ops = fake_ops;
	fake_session_restart(x);
	*state = x;
	return 0;
}

int fake_session_teardown(void **state)
{
	struct fake_session *x = *state;

	fake_free(&x->f);
	free(x);
	return 0;
}

const char *fake_session_req(struct fake_session *x, const char *payload)
{
	char buf[4096];
	size_t n = fake_frame(buf, payload);
	int np;

	memcpy(x->in + x->in_len, buf, n);
	x->in_len += n;
	x->f.in_len = x->in_len;
	x->res = rsp_serve(&x->eng, NULL);
	np = fake_npackets(&x->f);
	if (np == x->seen)
		return NULL;
	x->seen = np;
	return fake_packet(&x->f, np - 1);
}
