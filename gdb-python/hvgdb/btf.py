# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  kernel types in gdb from the target kernel's BTF: `hv types`, and on
#  connect when that is cheap.  The BTF comes from, in this order:
#    1. the cache, keyed by the kernel's linux_banner (btfgen.cache_*);
#    2. the kernel image of the same build on this machine
#       (/boot/vmlinuz-<release>, or `hv types --image FILE`);
#    3. the target over the link (only when asked, `hv types`): hvgdb.ko's
#       qXfer object hvgdb-btf (the BTF compressed with zlib at insmod,
#       binary on the wire: about a sixth of the bytes of a hex read),
#       else the memory between __start_BTF and __stop_BTF (`m` packets,
#       hex; the fallback for another stub, or `hv types --plain`).
#  btfgen turns it into an object file with DWARF, which gdb loads with
#  add-symbol-file.  Reference: docs/types.md.

import os
import re
import time
import zlib

import gdb

from hvgdb import btfgen
from hvgdb import remote
from hvgdb import symbols

# The object file gdb has loaded for the types (one at a time).
_loaded = {"path": None}
# The connections whose connect has been handled ({connection number}).
_seen = set()

_CHUNK = 0x10000
# One qXfer request: what fits in hvgdb.ko's 16 KiB packet with room for
# the escapes ('}' doubles some bytes of the binary reply).
_XFER_CHUNK = 0x3000


class TypesError(gdb.GdbError):
    """The types cannot be loaded; the message says why, in one line."""


def _read(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def banner():
    """The target kernel's linux_banner (the text, with its line break),
    read at its kallsyms address.  TypesError without that symbol."""
    addr = symbols.address("linux_banner")
    if addr is None:
        raise TypesError("types: gdb knows no symbol linux_banner: load the "
                         "kernel's symbols first (hvgdb-syms, "
                         "docs/symbols.md)")
    try:
        data = _read(addr, 0x200)
    except gdb.MemoryError:
        raise TypesError("types: linux_banner at %#x cannot be read" % addr)
    end = data.find(b"\0")
    if end <= 0 or not data.startswith(b"Linux version "):
        raise TypesError("types: no kernel banner at linux_banner (%#x)"
                         % addr)
    return data[:end].decode("latin-1")


def loaded():
    """The path of the loaded types object, or None."""
    p = _loaded["path"]
    if p and any(o.filename == p for o in gdb.objfiles()):
        return p
    return None


def _load(path):
    old = loaded()
    if old == path:
        return
    if old:
        gdb.execute("remove-symbol-file %s" % old, to_string=True)
    gdb.execute("add-symbol-file %s" % path, to_string=True)
    _loaded["path"] = path


def _from_image(ban, image=None):
    """The BTF of the kernel image (the given one, or the first of
    btfgen.image_candidates that exists); None when there is none here.
    TypesError when the image given, or the one found, does not fit."""
    if image:
        paths = [image]
    else:
        paths = [p for p in btfgen.image_candidates(ban)
                 if os.path.exists(p)]
    for p in paths:
        try:
            return p, btfgen.btf_from_image(p, ban)
        except btfgen.BtfError as e:
            if image:
                raise TypesError("types: %s" % e) from None
            last = e
    if paths:
        raise TypesError("types: %s" % last)
    return None


_ESCAPED = re.compile(rb"\}(.)", re.S)


def _unescape(data):
    """A binary reply's bytes: '}' then c is c ^ 0x20."""
    return _ESCAPED.sub(lambda m: bytes((m.group(1)[0] ^ 0x20,)), data)


class _NoObject(Exception):
    """The stub offers no hvgdb-btf object: the memory is read instead."""


def _from_module(progress, total):
    """The BTF as hvgdb.ko gives it: the qXfer object hvgdb-btf made at
    insmod (kmod/debug/gdb_btf.c): two little-endian u32, the zlib
    stream's length and the BTF's, then the zlib stream of the kernel's
    /sys/kernel/btf/vmlinux.  progress(done, total, seconds, what) counts
    the compressed bytes.  Returns (the BTF, the bytes read).  _NoObject
    when the stub has none (another stub, an older module, btf_xfer=N, or
    the module could not make it)."""
    conn = remote.connection()
    if conn is None or not hasattr(conn, "send_packet"):
        raise _NoObject("not a remote connection")
    t0 = time.time()
    buf, size = b"", None
    while True:
        reply = conn.send_packet("qXfer:hvgdb-btf:read::%x,%x" %
                                 (len(buf), _XFER_CHUNK))
        if isinstance(reply, str):
            reply = reply.encode("latin-1")
        reply = reply or b""        # gdb gives None for an empty reply
        if reply == b"E0b":
            raise TypesError(
                "types: hvgdb.ko is still compressing the BTF (it does so "
                "once, in the seconds after insmod): `continue`, stop "
                "again and `hv types` again; `hv types --plain` reads the "
                "plain memory instead (much slower)")
        if not reply or reply[:1] not in (b"m", b"l"):
            raise _NoObject("it answered %r" % reply[:8].decode("latin-1")
                            if reply else "it does not know the object")
        # gdb undoes the run-length encoding, not the escapes
        buf += _unescape(reply[1:])
        if size is None and len(buf) >= 8:
            size = 8 + int.from_bytes(buf[:4], "little")
            raw = int.from_bytes(buf[4:8], "little")
            if raw != total:
                raise TypesError("types: hvgdb.ko's BTF is %d bytes, "
                                 "__start_BTF..__stop_BTF %d" % (raw, total))
        if progress and size:
            progress(min(len(buf), size), size, time.time() - t0,
                     "compressed ")
        if reply[:1] == b"l":
            break
    if size is None or len(buf) != size:
        raise TypesError("types: hvgdb.ko's BTF object ended at %d bytes "
                         "of %s" % (len(buf), size))
    try:
        data = zlib.decompress(buf[8:])
    except zlib.error as e:
        raise TypesError("types: hvgdb.ko's BTF object: %s" % e) from None
    if len(data) != total:
        raise TypesError("types: hvgdb.ko's BTF object is %d bytes, "
                         "__start_BTF..__stop_BTF %d" % (len(data), total))
    return data, len(buf)


def _btf_range():
    start = symbols.address("__start_BTF")
    stop = symbols.address("__stop_BTF")
    if start is None or stop is None or stop <= start:
        raise TypesError("types: the kernel has no BTF (no __start_BTF/"
                         "__stop_BTF in its symbols: built without "
                         "CONFIG_DEBUG_INFO_BTF)")
    total = stop - start
    if total > 64 << 20:
        raise TypesError("types: __start_BTF..__stop_BTF is %#x bytes, "
                         "not a BTF" % total)
    return start, total


def _from_link(progress, plain=False, say=None):
    """The BTF over the link: hvgdb.ko's compressed object, else (or with
    plain) the memory.  Returns (data, source words)."""
    start, total = _btf_range()
    if not plain:
        try:
            data, wire = _from_module(progress, total)
            try:
                btfgen.Btf(data)
            except btfgen.BtfError as e:
                raise TypesError("types: the BTF from hvgdb.ko: %s" % e) \
                    from None
            return data, ("hvgdb.ko's compressed copy (%d KiB on the link)"
                          % (wire // 1024))
        except _NoObject as e:
            if say:
                say("types: no compressed BTF from the stub (%s); reading "
                    "the memory at __start_BTF" % e)
    return _from_memory(progress), "the target's memory"


def _from_memory(progress):
    """The BTF between __start_BTF and __stop_BTF in the target's memory,
    read over the link; progress(done, total, seconds)."""
    start, total = _btf_range()
    t0 = time.time()
    parts, done = [], 0
    try:
        head = _read(start, 24)
        if int.from_bytes(head[:2], "little") != btfgen.BTF_MAGIC:
            raise TypesError("types: no BTF at __start_BTF (%#x): the "
                             "magic is %#06x" %
                             (start, int.from_bytes(head[:2], "little")))
        while done < total:
            n = min(_CHUNK, total - done)
            parts.append(_read(start + done, n))
            done += n
            if progress:
                progress(done, total, time.time() - t0)
    except gdb.MemoryError as e:
        raise TypesError("types: reading BTF at %#x failed: %s" %
                         (start + done, e)) from None
    data = b"".join(parts)
    try:
        btfgen.Btf(data)
    except btfgen.BtfError as e:
        raise TypesError("types: the BTF read from memory: %s" % e) \
            from None
    return data


def load(image=None, memory=True, progress=None, say=None, plain=False):
    """Loads the target kernel's types into gdb; returns a line saying
    where they came from and how long it took.  image: a kernel image file
    to take the BTF from (else /boot/vmlinuz-<release> when it is the
    same build); memory: read the BTF over the link when neither the
    cache nor an image has it (plain: as memory, not hvgdb.ko's
    compressed copy).  TypesError says why there are none."""
    t0 = time.time()
    ban = banner()
    say = say or (lambda s: None)
    obj = None
    if image is None:
        try:
            obj = btfgen.cached_object(ban)
        except btfgen.BtfError as e:
            raise TypesError("types: %s" % e) from None
        if obj:
            _load(obj)
            return "types: from the cache %s (%.1f s)" % (
                os.path.dirname(obj), time.time() - t0)
    found = _from_image(ban, image)
    if found:
        source, data = found
        source = "the image " + source
    elif not memory:
        raise TypesError(
            "types: none cached for %s and no image of it here (%s); "
            "`hv types` reads the BTF over the link" % (
                btfgen.banner_version(ban) or "this kernel",
                ", ".join(btfgen.image_candidates(ban)[:1]) or "-"))
    else:
        say("types: no cached types and no kernel image here; reading "
            "the BTF over the link")
        data, source = _from_link(progress, plain, say)
    btfgen.cache_store(ban, data, source)
    try:
        obj = btfgen.cached_object(ban, data)
    except btfgen.BtfError as e:
        raise TypesError("types: %s" % e) from None
    _load(obj)
    return "types: from %s, %d KiB of BTF (%.1f s), cached in %s" % (
        source, len(data) // 1024, time.time() - t0, os.path.dirname(obj))


def have_types():
    try:
        gdb.lookup_type("struct task_struct")
        return True
    except gdb.error:
        return False


def require():
    """TypesError unless gdb knows the kernel's types."""
    if not have_types():
        raise TypesError("no kernel types in gdb: `hv types` loads them "
                         "from the kernel's BTF (docs/types.md)")


def _progress_printer(from_tty):
    last = [0.0]

    def progress(done, total, secs, what=""):
        if from_tty:
            gdb.write("\rtypes: %sBTF %d of %d KiB, %.0f s, %.1f KiB/s   " % (
                what, done // 1024, total // 1024, secs,
                done / 1024 / max(secs, 0.001)))
            if done == total:
                gdb.write("\n")
        elif secs - last[0] >= 30 or done == total:
            last[0] = secs
            gdb.write("types: %sBTF %d of %d KiB, %.0f s\n" % (
                what, done // 1024, total // 1024, secs))
        gdb.flush()
    return progress


def types_command(arg, from_tty):
    """`hv types [--image FILE] [--no-memory] [--plain]`."""
    words = arg.split()
    image, memory, plain = None, True, False
    while words:
        w = words.pop(0)
        if w == "--image" and words:
            image = words.pop(0)
        elif w == "--no-memory":
            memory = False
        elif w == "--plain":
            plain = True
        else:
            raise TypesError("usage: hv types [--image FILE] [--no-memory] "
                             "[--plain]")
    if plain and not memory:
        raise TypesError("hv types: --plain reads the memory, --no-memory "
                         "forbids it")
    gdb.write(load(image, memory, _progress_printer(from_tty),
                   lambda s: gdb.write(s + "\n"), plain) + "\n")


def _on_stop(event):
    """On the first stop of a connection (gdb stops on connect): the
    types, if they are cheap (cached, or an image here)."""
    conn = remote.connection()
    if conn is None or conn.num in _seen:
        return
    _seen.add(conn.num)
    if os.environ.get("HVGDB_TYPES") == "off" or loaded():
        return
    if symbols.address("linux_banner") is None:
        return              # no kernel symbols: `hv types` says so
    if have_types():
        return              # a vmlinux with debug information
    try:
        banner()
    except gdb.error:
        return              # not a Linux kernel's banner: nothing to say
    try:
        gdb.write(load(memory=False) + "\n")
    except gdb.error as e:
        gdb.write("%s\n" % e)


def _on_connection_removed(event):
    _seen.discard(getattr(event.connection, "num", None))


def at_import():
    """The package imported in a gdb already connected and stopped: as at
    a connection's first stop."""
    try:
        thread = gdb.selected_thread()
        if thread is not None and thread.is_stopped():
            _on_stop(None)
    except gdb.error:
        pass


def watch():
    """Load the types at each connection's first stop.  The package calls
    it after ksyms has connected its own stop handler: gdb calls them in
    that order, and the types need the symbols (linux_banner)."""
    gdb.events.stop.connect(_on_stop)
    gdb.events.connection_removed.connect(_on_connection_removed)
