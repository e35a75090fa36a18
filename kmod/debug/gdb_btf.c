// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_btf.c - the kernel's BTF, compressed once, for gdb to read whole.
 *
 * The gdb package (gdb-python/hvgdb/btf.py, docs/types.md) needs the
 * kernel's BTF (about 4.2 MiB on Debian 12) when no kernel image of the
 * target's build is on the debugging machine.  Read as memory (gdb's `m`
 * packets) every byte costs two hex digits on a 115200-baud line.  So at
 * load the module reads /sys/kernel/btf/vmlinux (the kernel's own view of
 * __start_BTF..__stop_BTF; the symbols are not exported) and compresses
 * it with the kernel's zlib (a third of the size), and the RSP engine
 * serves the result, binary, as the qXfer object `hvgdb-btf`
 * (gdbstub: qXfer:hvgdb-btf:read::OFFSET,LENGTH): two little-endian u32,
 * the zlib stream's length and the BTF's, then the zlib stream (RFC 1950).
 *
 * Context: gdb_btf_init() at load queues the work on system_unbound_wq
 * and returns; the work (process context, may sleep) reads, compresses
 * and publishes the buffer with smp_store_release(&btf.state, BTF_READY).
 * gdb_btf_exit() at unload stops the work (btf.abort, cancel/flush) and
 * frees.  gdb_btf_blob() runs in VMX root on the link's holder, every CPU
 * halted: it only reads btf.state (acquire) and the published buffer,
 * which nothing changes after BTF_READY until unload, when no CPU is in
 * VMX root any more.  No lock: one writer (the work) before publication.
 * The compression never runs in VMX root.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/zlib.h>
#include <asm/unaligned.h>
#include "kmod/debug/gdb_priv.h"
#include "gdbstub/gdbstub.h"

static bool btf_xfer = true;
module_param(btf_xfer, bool, 0444);
MODULE_PARM_DESC(btf_xfer, "compress the kernel's BTF at load and serve it to gdb as the qXfer object hvgdb-btf (default Y; N: gdb reads the BTF as plain memory)");

#define BTF_PATH	"/sys/kernel/btf/vmlinux"
#define BTF_CHUNK	0x10000
#define BTF_MAX		(64 << 20)
#define BTF_HEAD	8	/* the two lengths before the stream */

enum { BTF_IDLE, BTF_BUSY, BTF_READY, BTF_FAILED };

static struct {
	int state;		/* enum above; BTF_READY published by release */
	bool abort;		/* unload: the work stops at its next chunk */
	u8 *data;		/* the zlib stream (vmalloc) */
	size_t len;
	size_t raw;		/* the BTF's size */
	struct work_struct work;
} btf;

/* Compresses the file's bytes into btf.data; 0 or a negative errno. */
static int gdb_btf_compress(struct file *f, size_t size)
{
	struct z_stream_s zs = {};
	size_t cap = size / 2 + 0x10000;
	u8 *in, *out;
	loff_t pos = 0;
	int err = -ENOMEM, zr;

	in = kvmalloc(BTF_CHUNK, GFP_KERNEL);
	out = vmalloc(cap);
	zs.workspace = vzalloc(zlib_deflate_workspacesize(MAX_WBITS,
							 MAX_MEM_LEVEL));
	if (!in || !out || !zs.workspace)
		goto out;
	err = -EINVAL;
	if (zlib_deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK)
		goto out;
	zs.next_out = out;
	zs.avail_out = cap;
	do {
		ssize_t n = 0;

		if (READ_ONCE(btf.abort)) {
			err = -EINTR;
			goto end;
		}
		if (pos < size) {
			n = kernel_read(f, in, min_t(size_t, BTF_CHUNK,
						     size - pos), &pos);
			if (n <= 0) {
				err = n ? n : -EIO;
				goto end;
			}
		}
		zs.next_in = in;
		zs.avail_in = n;
		zr = zlib_deflate(&zs, pos < size ? Z_NO_FLUSH : Z_FINISH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			err = -EIO;
			goto end;
		}
		if (zs.avail_in) {	/* out of room: BTF compresses to 1/3 */
			err = -EFBIG;
			goto end;
		}
		cond_resched();
	} while (zr != Z_STREAM_END);
	btf.data = vmalloc(BTF_HEAD + zs.total_out);
	err = -ENOMEM;
	if (btf.data) {
		put_unaligned_le32(zs.total_out, btf.data);
		put_unaligned_le32(size, btf.data + 4);
		memcpy(btf.data + BTF_HEAD, out, zs.total_out);
		btf.len = BTF_HEAD + zs.total_out;
		btf.raw = size;
		err = 0;
	}
end:
	zlib_deflateEnd(&zs);
out:
	vfree(zs.workspace);
	vfree(out);
	kvfree(in);
	return err;
}

static void gdb_btf_work(struct work_struct *w)
{
	struct file *f = filp_open(BTF_PATH, O_RDONLY, 0);
	size_t size;
	u64 t0 = ktime_get_ns();
	int err;

	if (IS_ERR(f)) {
		pr_info("hvgdb: %s: error %ld: gdb reads the BTF as memory\n",
			BTF_PATH, PTR_ERR(f));
		smp_store_release(&btf.state, BTF_FAILED);
		return;
	}
	size = i_size_read(file_inode(f));
	err = size && size <= BTF_MAX ? gdb_btf_compress(f, size) : -EINVAL;
	filp_close(f, NULL);
	if (err) {
		if (err != -EINTR)
			pr_info("hvgdb: BTF not compressed (error %d): gdb reads it as memory\n",
				err);
		smp_store_release(&btf.state, BTF_FAILED);
		return;
	}
	pr_info("hvgdb: BTF for gdb: %zu bytes, %zu compressed (%llu ms)\n",
		btf.raw, btf.len - BTF_HEAD, (ktime_get_ns() - t0) / NSEC_PER_MSEC);
	smp_store_release(&btf.state, BTF_READY);
}

void gdb_btf_init(void)
{
	if (!btf_xfer)
		return;
	INIT_WORK(&btf.work, gdb_btf_work);
	btf.state = BTF_BUSY;
	queue_work(system_unbound_wq, &btf.work);
}

void gdb_btf_exit(void)
{
	if (btf.state == BTF_IDLE)
		return;
	WRITE_ONCE(btf.abort, true);
	cancel_work_sync(&btf.work);
	vfree(btf.data);
	memset(&btf, 0, sizeof(btf));
}

int gdb_btf_blob(void *ctx, const u8 **data, size_t *len)
{
	switch (smp_load_acquire(&btf.state)) {
	case BTF_READY:
		*data = btf.data;
		*len = btf.len;
		return 0;
	case BTF_BUSY:
		return -RSP_EAGAIN;
	default:
		return -RSP_ENOENT;
	}
}
