// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_fileio.c - the spool on gdb's machine: forwarded event output
 * written there through gdb's File-I/O requests (gdbstub.h,
 * rsp_fileio_open/write), which gdb serves only while it waits for a
 * stop.  See gdb.h (hv_gdb_spool_write, hv_gdb_forward) and
 * docs/architecture.md, "Output".
 *
 * The file is opened once per gdb connection and spool path (the events
 * layer's generation number): O_WRONLY | O_APPEND, never created (the
 * gdb-python package makes it and reads it).
 *
 * Locking: gdb_spool is the link lock's, as the engine is.  Context:
 * VMX root (an event's CPU while the system runs, or the stopping CPU
 * before its stop reply), link held.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include "gdbstub/gdbstub.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"

static struct {
	long fd;
	u32 peer;	/* rsp_fileio_peer() it was opened for */
	u32 gen;	/* the path's generation */
	bool open;
} gdb_spool;

int hv_gdb_spool_write(const char *path, u32 gen, const char *buf,
		       size_t len)
{
	struct rsp_engine *eng = gdb.eng;

	if (!eng || !rsp_gdb_waiting(eng))
		return -EAGAIN;
	if (!path[0])
		return -EDESTADDRREQ;
	if (!gdb_spool.open || gdb_spool.peer != rsp_fileio_peer(eng) ||
	    gdb_spool.gen != gen) {
		long fd = rsp_fileio_open(eng, path, RSP_FIO_O_WRONLY |
					  RSP_FIO_O_APPEND, 0600);

		if (fd < 0) {
			gdb_spool.open = false;
			return (int)fd;
		}
		gdb_spool.fd = fd;
		gdb_spool.peer = rsp_fileio_peer(eng);
		gdb_spool.gen = gen;
		gdb_spool.open = true;
	}
	while (len) {
		size_t n = min_t(size_t, len, RSP_FIO_MAX);
		long w = rsp_fileio_write(eng, (int)gdb_spool.fd, buf, n);

		if (w <= 0 || (size_t)w > n) {
			if (w != -EAGAIN)	/* reopen next time */
				gdb_spool.open = false;
			return w < 0 ? (int)w : -EIO;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int hv_gdb_forward(const char *path, u32 gen, const char *buf, size_t len)
{
	int r;

	if (!gdb.uart_ok || !gdb_link_trylock())
		return -EAGAIN;
	r = hv_gdb_spool_write(path, gen, buf, len);
	gdb_link_unlock();
	return r;
}

u32 hv_gdb_peer(void)
{
	return gdb.eng ? rsp_fileio_peer(gdb.eng) : 0;
}

bool hv_gdb_spool_open(void)
{
	return gdb_spool.open && gdb.eng &&
	       gdb_spool.peer == rsp_fileio_peer(gdb.eng);
}
