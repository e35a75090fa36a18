# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  kernel symbols loaded by the package: at the first stop of a connection
#  to hvgdb.ko (and when the package is imported while connected) gdb
#  gets the kernel's symbols from the cache (one ELF per kernel build,
#  kcache.py) or, the first time, from the kallsyms text of a source the
#  user names ($HVGDB_KALLSYMS), through hvgdb-syms.  Reference:
#  docs/python.md, "Kernel symbols".
#
# Over the gdb link only the check goes: the bytes at linux_banner (one
# memory read) and IA32_LSTAR (the KASLR slide).  kallsyms itself does not:
# the stub cannot run `cat /proc/kallsyms`, and the kernel's compressed
# tables (~1.3 MB on Debian 6.1, by estimate) would take minutes at 115200
# baud.

import os

import gdb

from hvgdb import kcache
from hvgdb import remote
from hvgdb import symbols

LSTAR = 0xC0000082
BANNER_MAX = 512        # bytes read at linux_banner (a banner is ~200)

# The connections already looked at ({connection number}); the file we
# loaded, so that a later check knows the kernel symbols are ours.
_seen = set()
_loaded = [None]
_told = [False]


def _say(text):
    gdb.write("[hvgdb] kernel symbols: %s\n" % text)
    gdb.flush()


def is_hvgdb():
    """True when the connected stub is hvgdb.ko (its `info version`)."""
    try:
        return remote.monitor("info version").startswith("hvgdb:")
    except gdb.error:
        return False


def _read(addr, n):
    try:
        return bytes(gdb.selected_inferior().read_memory(addr, n))
    except (gdb.MemoryError, gdb.error, OverflowError, ValueError):
        return None


def read_banner(addr):
    """The banner at addr over the link, or None when there is none."""
    for n in (BANNER_MAX, 256, 128):
        data = _read(addr, n)
        if data is not None:
            return kcache.banner_of(data)
    return None


def _lstar():
    try:
        from hvgdb import machine
        return machine.msr(LSTAR, cpu=0)
    except gdb.error:
        return None


def _symbol_file(path, offset):
    """symbol-file path (relocated by offset), asking nothing."""
    confirm = gdb.parameter("confirm")
    gdb.execute("set confirm off", to_string=True)
    try:
        gdb.execute("symbol-file %s%s" % (
            "-o %#x " % offset if offset else "", path), to_string=True)
    finally:
        if confirm:
            gdb.execute("set confirm on", to_string=True)
    _loaded[0] = path


def present():
    """gdb knows the kernel already (a vmlinux, make run's vm-syms.elf,
    or what we loaded): linux_banner has an address."""
    return symbols.address(kcache.BANNER) is not None


def from_cache(root=None):
    """Loads the cached symbols of the connected kernel, if the cache has
    them; returns the entry's directory or None.  Each entry is checked
    against the live kernel: its banner must be at its linux_banner
    (moved by the KASLR slide IA32_LSTAR gives)."""
    root = root or kcache.cache_dir()
    cands = kcache.entries(root)
    if not cands:
        return None
    lstar = _lstar()
    for d, meta in cands:
        off = kcache.slide(meta, lstar)
        if read_banner(meta["banner_addr"] + off) != meta["banner"]:
            continue
        _symbol_file(os.path.join(d, "syms.elf"), off)
        _say("from the cache, %s (%s%s)" % (
            d, meta["banner"].split(" (")[0],
            ", KASLR slide %#x" % off if off else ""))
        return d
    return None


def from_source(source, root=None):
    """Reads the kallsyms text of source (a file, or `|command`), checks
    it against the live kernel (linux_banner's address must hold the
    banner), makes its ELF with hvgdb-syms, caches it under the banner and
    loads it; returns the entry's directory.  kcache.SourceError when the
    source cannot be read, is not this kernel's or hvgdb-syms refuses it."""
    root = root or kcache.cache_dir()
    tool = kcache.find_tool()
    _say("reading kallsyms from %s ..." % source)
    text = kcache.read_source(source)
    addrs = kcache.addresses(text)
    if kcache.BANNER not in addrs:
        raise kcache.SourceError("%s has no %s: not a kernel's kallsyms"
                                 % (source, kcache.BANNER))
    banner = read_banner(addrs[kcache.BANNER])
    if banner is None:
        raise kcache.SourceError(
            "%s is not the connected kernel's: no banner at its %s (%#x)"
            % (source, kcache.BANNER, addrs[kcache.BANNER]))
    d = kcache.store(root, text, banner, addrs, source, tool)
    _symbol_file(os.path.join(d, "syms.elf"), 0)
    n = kcache.read_meta(d).get("symbols")
    _say("%s from %s, cached in %s" % (
        "%d symbols" % n if n else "loaded", source, d))
    return d


def load(source=None, force=False):
    """The connected kernel's symbols into gdb: from the cache, else from
    source (default $HVGDB_KALLSYMS).  Nothing when gdb knows the kernel's
    symbols already, unless force (which also skips the cache: the entry
    is made again from the source).  Returns the entry's directory, or
    None when nothing was loaded (said why, once a session, when no source
    is named)."""
    if remote.connection() is None:
        raise gdb.GdbError("not connected to hvgdb.ko")
    if not force and present():
        return None
    if not force:
        d = from_cache()
        if d:
            return d
    source = source or os.environ.get("HVGDB_KALLSYMS")
    if not source:
        if not _told[0]:
            _told[0] = True
            _say("not in the cache (%s) and no kallsyms source named: set "
                 "HVGDB_KALLSYMS to a file or |command (docs/python.md)"
                 % kcache.cache_dir())
        return None
    return from_source(source)


def auto(event=None):
    """The first stop of each connection (and the package's import while
    connected): load() when the stub is hvgdb.ko and gdb does not know the
    kernel's symbols yet.  Errors are said, not raised: a stop handler
    must not fail."""
    conn = remote.connection()
    if conn is None or conn.num in _seen:
        return
    _seen.add(conn.num)
    if present() or not is_hvgdb():
        return
    try:
        load()
    except (kcache.SourceError, gdb.error) as e:
        _say("not loaded: %s" % e)


def at_import():
    """The package imported in a gdb already connected and stopped: as at
    a connection's first stop."""
    try:
        thread = gdb.selected_thread()
        if thread is not None and thread.is_stopped():
            auto()
    except gdb.error:
        pass


def _forget(event=None):
    conn = getattr(event, "connection", None)
    if conn is not None:
        _seen.discard(conn.num)


gdb.events.stop.connect(auto)
gdb.events.connection_removed.connect(_forget)
