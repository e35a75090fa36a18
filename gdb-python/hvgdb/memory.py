# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  physical memory: read_phys() and HyperDbg's !dump, which writes a file
#  on the debugging machine, so it runs here and not in the module
#
# Physical memory comes through gdb's own memory packets with QEMU's
# PhyMemMode on (docs/qemu-dialect.md): the module answers m packets from
# physical addresses, RAM through the direct map and device memory
# uncached.  The mode is on only for the read, and gdb's memory cache is
# flushed around it, so no virtual read ever sees physical bytes.

import gdb

from hvgdb import language
from hvgdb import remote

# The most one read_phys() or !dump moves: 16 MiB, minutes over a serial
# line already (about 6 KB/s at 115200 baud).
MAX_BYTES = 0x1000000
_CHUNK = 0x1000


class DumpError(gdb.GdbError):
    """`hv !dump` could not run as asked; the message says why."""


def _phys_mode(on):
    conn = remote.connection()
    if conn is None:
        raise gdb.error("not connected to a remote target")
    reply = conn.send_packet("Qqemu.PhyMemMode:%d" % on)
    gdb.execute("maintenance flush dcache", to_string=True)
    if reply != b"OK":
        raise gdb.error("the stub does not give physical memory "
                        "(Qqemu.PhyMemMode:%d answered %r)" % (on, reply))


def read_phys(pa, n):
    """n bytes of physical memory from pa, as bytes.  gdb.MemoryError when
    some of them cannot be read (memory that is neither RAM nor a device),
    ValueError for a negative n or more than MAX_BYTES, gdb.error when the
    stub has no physical view or gdb is not stopped."""
    if n < 0 or n > MAX_BYTES:
        raise ValueError("read_phys: 0 to %#x bytes, not %#x" %
                         (MAX_BYTES, n))
    if not n:
        return b""
    _phys_mode(1)
    try:
        inf = gdb.selected_inferior()
        return bytes(inf.read_memory(pa, n))
    finally:
        _phys_mode(0)


def dump(start, end, path, progress=None):
    """Saves physical memory [start, end) to the file path (HyperDbg's
    !dump), a page at a time; progress(done, total) after each.  Returns
    the number of bytes written.  Nothing is left behind on failure: the
    file is written whole or removed."""
    if end <= start:
        raise DumpError("!dump: the end %#x is not after the start %#x "
                        "(the end is exclusive)" % (end, start))
    if end - start > MAX_BYTES:
        raise DumpError("!dump: %#x bytes; one dump saves at most %#x"
                        % (end - start, MAX_BYTES))
    import os
    tmp = path + ".part"
    done = 0
    try:
        with open(tmp, "wb") as f:
            _phys_mode(1)
            try:
                inf = gdb.selected_inferior()
                while start + done < end:
                    n = min(_CHUNK - ((start + done) % _CHUNK),
                            end - start - done)
                    try:
                        f.write(bytes(inf.read_memory(start + done, n)))
                    except gdb.MemoryError:
                        raise DumpError("!dump: physical %#x cannot be "
                                        "read (not RAM or a device); "
                                        "nothing saved" % (start + done)) \
                            from None
                    done += n
                    if progress:
                        progress(done, end - start)
            finally:
                _phys_mode(0)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return done


def parse_dump(args):
    """`!dump from to [path] file` (HyperDbg's, `path` optional) into
    (start, end, path); numbers as the command language writes them (hex
    by default).  DumpError says what is wrong."""
    words = args.split(None, 2)
    if len(words) < 3:
        raise DumpError("usage: hv !dump FROM TO [path] FILE (physical, "
                        "TO exclusive)")
    start, end = (language.parse_number(w) for w in words[:2])
    for w, v in zip(words[:2], (start, end)):
        if v is None or v >= 1 << 64:
            raise DumpError("!dump: expected a physical address (hex), "
                            "got %r" % w)
    path = words[2]
    head = path.split(None, 1)
    if head[0].lower() == "path":
        if len(head) < 2:
            raise DumpError("!dump: expected a file name after 'path'")
        path = head[1]
    return start, end, path.strip()
