// SPDX-License-Identifier: GPL-2.0
/*
 * rsp_fileio.c - File-I/O requests to gdb (Fopen, Fwrite); see gdbstub.h.
 *
 * The exchange (gdb/remote-fileio.c): we send "Fwrite,fd,addr,count"
 * while gdb waits for a stop; gdb reads [addr, addr + count) with m
 * packets, writes on its side and answers "Fretcode[,errno[,C]]".  Our
 * buffer is the caller's own, shown to gdb at RSP_FIO_ADDR for the
 * exchange only.
 */
#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_internal.h"
#include "gdbstub/rsp_codec.h"

#define RSP_FIO_ROUNDS	64	/* packets of gdb's per call, at most */

void rsp_fileio_reset(struct rsp_engine *eng)
{
	eng->fio_peer++;
	eng->fio_dead = false;
	eng->fio_ctrlc = false;
	eng->fio_data = NULL;
	eng->fio_len = 0;
}

u32 rsp_fileio_peer(const struct rsp_engine *eng)
{
	return eng->fio_peer;
}

/* m addr,len inside the request's buffer: its bytes in hex, else E0e. */
static void rsp_fio_read(struct rsp_engine *eng, struct rsp_cursor *c)
{
	u64 addr, len, off;

	if (!rsp_parse_hex(c, &addr) || !rsp_expect(c, ',') ||
	    !rsp_parse_hex(c, &len) || c->p != c->end) {
		rsp_out_err(eng, RSP_EINVAL);
		return;
	}
	if (len > RSP_PACKET_SIZE / 2)
		len = RSP_PACKET_SIZE / 2;
	if (addr < RSP_FIO_ADDR || addr - RSP_FIO_ADDR >= eng->fio_len) {
		rsp_out_err(eng, RSP_EFAULT);
		return;
	}
	off = addr - RSP_FIO_ADDR;
	if (len > eng->fio_len - off)
		len = eng->fio_len - off;
	rsp_hex_encode(eng->out, eng->fio_data + off, (size_t)len);
	eng->out_len = (size_t)len * 2;
}

/* "Fretcode[,errno[,C]]" (c past the 'F'); false when malformed. */
static bool rsp_fio_reply(struct rsp_engine *eng, struct rsp_cursor *c,
			  long *ret)
{
	bool neg = rsp_expect(c, '-');
	u64 v, err = 0;

	if (!rsp_parse_hex(c, &v) || v > 0x7fffffff)
		return false;
	if (rsp_expect(c, ',')) {
		if (!rsp_parse_hex(c, &err) || err > 0x7fffffff)
			return false;
		if (rsp_expect(c, ',')) {
			if (!rsp_expect(c, 'C'))
				return false;
			eng->fio_ctrlc = true;
		}
	}
	if (c->p != c->end)
		return false;
	/* A failed call: -1 and the errno; report the errno. */
	*ret = neg ? (err ? -(long)err : -(long)v) : (long)v;
	return true;
}

/* eng->out holds the request; data[0..len) is what gdb may read. */
static long rsp_fio_call(struct rsp_engine *eng, const void *data,
			 size_t len)
{
	u32 idle = eng->cfg.idle_ms;
	long ret = -RSP_EIO;
	int round;

	eng->fio_data = data;
	eng->fio_len = len;
	eng->cfg.idle_ms = RSP_FIO_WAIT_MS;
	rsp_send_out(eng);
	for (round = 0; round < RSP_FIO_ROUNDS; round++) {
		enum rsp_rx rx = rsp_read_packet(eng);
		struct rsp_cursor c;

		if (rx == RSP_RX_IDLE) {
			eng->fio_dead = true;	/* gdb does not answer */
			break;
		}
		if (rx != RSP_RX_PACKET)
			continue;
		c.p = eng->in;
		c.end = eng->in + eng->in_len;
		eng->out_len = 0;
		if (rsp_expect(&c, 'F')) {
			if (rsp_fio_reply(eng, &c, &ret))
				break;
			ret = -RSP_EIO;		/* malformed: keep waiting */
			continue;
		}
		if (rsp_expect(&c, 'm'))
			rsp_fio_read(eng, &c);
		else if (rsp_expect(&c, 'H'))	/* thread choice: harmless */
			rsp_out_str(eng, "OK");
		rsp_send_out(eng);
	}
	if (round == RSP_FIO_ROUNDS)
		eng->fio_dead = true;
	eng->cfg.idle_ms = idle;
	eng->fio_data = NULL;
	eng->fio_len = 0;
	return ret;
}

static bool rsp_fio_can(const struct rsp_engine *eng)
{
	return eng->gdb_waiting && !eng->fio_dead;
}

long rsp_fileio_open(struct rsp_engine *eng, const char *path, u32 flags,
		     u32 mode)
{
	size_t n = strlen(path) + 1;	/* gdb reads the NUL too */

	if (!eng->gdb_waiting)
		return -RSP_EAGAIN;
	if (!rsp_fio_can(eng))
		return -RSP_EIO;
	if (n > RSP_FIO_MAX)
		return -RSP_EINVAL;
	eng->out_len = 0;
	rsp_out_str(eng, "Fopen,");
	rsp_out_hex(eng, RSP_FIO_ADDR);
	rsp_out_str(eng, "/");
	rsp_out_hex(eng, n);
	rsp_out_str(eng, ",");
	rsp_out_hex(eng, flags);
	rsp_out_str(eng, ",");
	rsp_out_hex(eng, mode);
	return rsp_fio_call(eng, path, n);
}

long rsp_fileio_write(struct rsp_engine *eng, int fd, const void *buf,
		      size_t len)
{
	if (!eng->gdb_waiting)
		return -RSP_EAGAIN;
	if (!rsp_fio_can(eng))
		return -RSP_EIO;
	if (fd < 0 || !len || len > RSP_FIO_MAX)
		return -RSP_EINVAL;
	eng->out_len = 0;
	rsp_out_str(eng, "Fwrite,");
	rsp_out_hex(eng, (u64)fd);
	rsp_out_str(eng, ",");
	rsp_out_hex(eng, RSP_FIO_ADDR);
	rsp_out_str(eng, ",");
	rsp_out_hex(eng, len);
	return rsp_fio_call(eng, buf, len);
}
