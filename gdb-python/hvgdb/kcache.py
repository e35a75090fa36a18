# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  the kernel symbol cache, without gdb (tests/python/test_kcache.py runs
#  it in plain Python): a kallsyms text from a file or a command, the few
#  addresses the package checks it by, the ELF symbol file hvgdb-syms makes
#  of it, and the cache of those files, one per kernel build, keyed by the
#  kernel's linux_banner.  ksyms.py does the gdb half.
#
# Cache: $XDG_CACHE_HOME/hvgdb (else ~/.cache/hvgdb), one directory per
# kernel build, kernel-<16 hex digits of the banner's SHA-256>/, holding
#   syms.elf   hvgdb-syms's ELF of the kernel image's kallsyms
#   meta.json  {"banner": the banner text, "banner_addr": linux_banner's
#              address in that kallsyms, "syscall_addr": entry_SYSCALL_64's
#              (the IA32_LSTAR value, which gives a later boot's KASLR slide),
#              "symbols": the ELF's symbol count, "source": where the
#              kallsyms came from}
# A directory is written under a temporary name and renamed, so a reader
# sees a whole entry or none.

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

BANNER = "linux_banner"
SYSCALL = "entry_SYSCALL_64"
BANNER_PREFIX = "Linux version "
TOOL = "hvgdb-syms"


class SourceError(Exception):
    """The kallsyms source could not be read or is not kallsyms."""


def cache_dir(env=None):
    """$XDG_CACHE_HOME/hvgdb, else ~/.cache/hvgdb."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "hvgdb")


def entry_name(banner):
    return "kernel-" + hashlib.sha256(banner.encode()).hexdigest()[:16]


def entries(root):
    """The cache's entries, (directory, meta dict), most recently written
    first; directories without a readable meta.json or syms.elf are left
    out."""
    out = []
    try:
        names = os.listdir(root)
    except OSError:
        return out
    for name in names:
        d = os.path.join(root, name)
        if not name.startswith("kernel-"):
            continue
        meta = read_meta(d)
        try:
            mtime = os.stat(os.path.join(d, "syms.elf")).st_mtime
        except OSError:
            continue
        if isinstance(meta.get("banner"), str) and \
                isinstance(meta.get("banner_addr"), int):
            out.append((mtime, d, meta))
    out.sort(key=lambda e: -e[0])
    return [(d, meta) for _, d, meta in out]


def read_meta(d):
    """The meta dict of the entry in directory d ({} when unreadable)."""
    try:
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def read_source(source, timeout=300):
    """The kallsyms text of source: a file name, or `|command` (a shell
    command printing it).  Either may be gzip-compressed (tests/vm/vm exec
    'gzip -c /proc/kallsyms').  SourceError when it cannot be had."""
    if source.startswith("|"):
        try:
            r = subprocess.run(source[1:], shell=True, timeout=timeout,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise SourceError("%r: no end after %d s" % (source[1:], timeout))
        if r.returncode:
            raise SourceError("%r failed (exit status %d): %s" % (
                source[1:], r.returncode,
                r.stderr.decode(errors="replace").strip()[-300:]))
        data = r.stdout
    else:
        try:
            with open(os.path.expanduser(source), "rb") as f:
                data = f.read()
        except OSError as e:
            raise SourceError("%s: %s" % (source, e.strerror))
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise SourceError("%s: broken gzip data: %s" % (source, e))
    return data.decode("ascii", errors="replace")


def addresses(text, names=(BANNER, SYSCALL)):
    """{name: address} of the kernel image's symbols among names (not a
    module's: those lines end in [module])."""
    want, got = set(names), {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] in want and f[2] not in got:
            try:
                got[f[2]] = int(f[0], 16)
            except ValueError:
                pass
    return got


def find_tool(env=None, package_dir=None):
    """The hvgdb-syms to run: $HVGDB_SYMS, else the one on PATH (make
    install), else a checkout's build/bin/ next to gdb-python/."""
    env = os.environ if env is None else env
    if env.get("HVGDB_SYMS"):
        return env["HVGDB_SYMS"]
    found = shutil.which(TOOL, path=env.get("PATH"))
    if found:
        return found
    package_dir = package_dir or os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(package_dir, "..", "..", "build", "bin", TOOL)
    if os.access(built, os.X_OK):
        return os.path.normpath(built)
    raise SourceError("%s not found (make install-tools, or set HVGDB_SYMS)"
                      % TOOL)


def store(root, text, banner, addrs, source, tool):
    """Makes the ELF of text with tool and stores it with its meta as the
    entry of banner (replacing an older one); returns the entry's
    directory.  SourceError when hvgdb-syms refuses the text."""
    os.makedirs(root, exist_ok=True)
    final = os.path.join(root, entry_name(banner))
    tmp = tempfile.mkdtemp(prefix=".new-", dir=root)
    try:
        elf = os.path.join(tmp, "syms.elf")
        r = subprocess.run([tool, "-v", "-o", elf, "-"], input=text.encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=300)
        if r.returncode:
            raise SourceError("%s: %s" % (
                TOOL, r.stderr.decode(errors="replace").strip()))
        meta = {"banner": banner, "banner_addr": addrs[BANNER],
                "syscall_addr": addrs.get(SYSCALL),
                "symbols": _symbol_count(r.stderr.decode(errors="replace")),
                "source": source}
        with open(os.path.join(tmp, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _symbol_count(summary):
    """The symbol count of hvgdb-syms -v's summary ("N symbols ..."), or
    None."""
    for line in summary.splitlines():
        words = line.replace(",", " ").split()
        for i, w in enumerate(words[1:], 1):
            if w == "symbols" and words[i - 1].isdigit():
                return int(words[i - 1])
    return None


def slide(meta, lstar):
    """The KASLR slide of a later boot of the entry's kernel: the live
    IA32_LSTAR (entry_SYSCALL_64 there) minus its address in the cached
    kallsyms; 0 when either is unknown."""
    if lstar is None or not isinstance(meta.get("syscall_addr"), int):
        return 0
    return lstar - meta["syscall_addr"]


def banner_of(data):
    """The banner text in the bytes read at linux_banner: up to its NUL,
    or None when they are not a banner."""
    text = data.split(b"\0", 1)[0].decode("ascii", errors="replace")
    return text if text.startswith(BANNER_PREFIX) else None
