"""Kernel symbols loaded by the package (hvgdb.ksyms, hvgdb.kcache): in
plain Python the cache's layout, sources (file, |command, gzip) and the
KASLR slide; in stock gdb against the protocol test double, the first
session reads the kallsyms source, checks it against the target's banner
and caches it, the second loads the cache without running the source, and
nothing is loaded when gdb has kernel symbols already.

The test double is not hvgdb.ko (its `info version` is refused) and holds
no "Linux version" banner: the gdb tests tell the package it is talking to
hvgdb and that the test double's text at DATA + 0x7000 is a banner.  The
VM test (tests/vm/test_ksyms_cache.py) runs it on hvgdb.ko."""
import gzip
import json
import os
import subprocess

import pytest

from hvgdb_testlib import KALLSYMS, hv_gdb, proto, results
from hvgdb import kcache

BANNER_ADDR = proto.DATA + 0x7000
BANNER = proto.PHYS_TEXT        # the test double's text there


def kallsyms_text(banner_addr=BANNER_ADDR):
    syms = dict(KALLSYMS)
    syms["linux_banner"] = (banner_addr, "D")
    syms["entry_SYSCALL_64"] = (proto.CODE + 0x200, "T")
    return "".join("%016x %s %s\n" % (addr, kind, name)
                   for name, (addr, kind) in syms.items()) + \
        "ffffffffc0000000 t mod_fn\t[some_module]\n"


# --- plain Python ---------------------------------------------------------

def test_cache_dir_follows_xdg():
    assert kcache.cache_dir({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == \
        "/x/hvgdb"
    assert kcache.cache_dir({"HOME": "/h"}) == "/h/.cache/hvgdb"
    assert kcache.cache_dir({"XDG_CACHE_HOME": "", "HOME": "/h"}) == \
        "/h/.cache/hvgdb"


def test_sources_file_command_and_gzip(tmp_path):
    text = kallsyms_text()
    plain, packed = tmp_path / "ks", tmp_path / "ks.gz"
    plain.write_text(text)
    packed.write_bytes(gzip.compress(text.encode()))
    assert kcache.read_source(str(plain)) == text
    assert kcache.read_source(str(packed)) == text
    assert kcache.read_source("|cat %s" % packed) == text
    with pytest.raises(kcache.SourceError, match="exit status 3"):
        kcache.read_source("|echo nope >&2; exit 3")
    with pytest.raises(kcache.SourceError, match="No such file"):
        kcache.read_source(str(tmp_path / "absent"))
    a = kcache.addresses(text, ("linux_banner", "mod_fn", "_text"))
    assert a == {"linux_banner": BANNER_ADDR, "_text": proto.CODE}


def test_store_and_entries(tmp_path):
    tool = kcache.find_tool()
    assert os.access(tool, os.X_OK)
    text = kallsyms_text()
    addrs = kcache.addresses(text)
    root = str(tmp_path / "cache")
    d = kcache.store(root, text, "Linux version A", addrs, "src", tool)
    assert os.path.basename(d) == kcache.entry_name("Linux version A")
    assert sorted(os.listdir(d)) == ["meta.json", "syms.elf"]
    meta = json.loads(open(os.path.join(d, "meta.json")).read())
    assert meta == {"banner": "Linux version A", "banner_addr": BANNER_ADDR,
                    "syscall_addr": proto.CODE + 0x200,
                    "symbols": len(KALLSYMS) + 2, "source": "src"}
    d2 = kcache.store(root, text, "Linux version B", addrs, "src", tool)
    os.utime(os.path.join(d, "syms.elf"), (1, 1))        # older
    assert [e[0] for e in kcache.entries(root)] == [d2, d]
    # The same banner again replaces its entry; no temporary is left.
    kcache.store(root, text, "Linux version A", addrs, "src2", tool)
    assert sorted(os.listdir(root)) == sorted([os.path.basename(d),
                                               os.path.basename(d2)])
    assert kcache.read_meta(d)["source"] == "src2"
    # hvgdb-syms refusing the text leaves nothing behind.
    with pytest.raises(kcache.SourceError, match="hvgdb-syms"):
        kcache.store(root, "garbage line\n", "Linux version C", addrs,
                     "src", tool)
    assert len(os.listdir(root)) == 2


def test_slide_and_banner_bytes():
    meta = {"syscall_addr": 0xFFFFFFFF81C00080}
    assert kcache.slide(meta, 0xFFFFFFFF9AC00080) == 0x19000000
    assert kcache.slide(meta, None) == 0
    assert kcache.slide({"syscall_addr": None}, 0xFFFFFFFF9AC00080) == 0
    assert kcache.banner_of(b"Linux version 6.1 (x)\n\0junk") == \
        "Linux version 6.1 (x)\n"
    assert kcache.banner_of(b"\0\0\0") is None


# --- in gdb ---------------------------------------------------------------

# Before `target remote`: the package is told that the test double is
# hvgdb.ko and that its text is a banner.
SETUP = ("python import hvgdb.ksyms as k, hvgdb.kcache as c; "
         "k.is_hvgdb = lambda: True; c.BANNER_PREFIX = 'hvgdb test target'")


def session(target, tmp_path, cmds):
    return hv_gdb(target, [SETUP, "target remote " + target.addr] +
                  list(cmds), connect=False)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """XDG_CACHE_HOME in tmp_path; HVGDB_KALLSYMS a command that counts its
    runs in tmp_path/runs."""
    ks = tmp_path / "kallsyms.gz"
    ks.write_bytes(gzip.compress(kallsyms_text().encode()))
    runs = tmp_path / "runs"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HVGDB_KALLSYMS",
                       "|echo run >> %s; cat %s" % (runs, ks))
    return runs


def addr_of(name):
    return "python print('RESULT', hex(int(gdb.parse_and_eval(\"&'%s'\"))))" \
        % name


def test_first_session_reads_the_source_second_the_cache(target, tmp_path,
                                                         env):
    out1 = session(target, tmp_path, [addr_of("hv_test_store"),
                                      "info symbol %#x" % (proto.CODE + 0x44)])
    assert "[hvgdb] kernel symbols: reading kallsyms from |echo run" in out1
    assert "symbols from |echo run" in out1 and "cached in" in out1, out1
    assert results(out1) == [proto.CODE + 0x40], out1
    assert "hv_test_store + 4 in section" in out1, out1
    assert env.read_text() == "run\n"
    root = tmp_path / "cache" / "hvgdb"
    (entry,) = os.listdir(root)
    assert entry == kcache.entry_name(BANNER)
    assert kcache.read_meta(str(root / entry))["banner"] == BANNER

    out2 = session(target, tmp_path, [addr_of("hv_test_store"),
                                      "break hv_test_load"])
    assert env.read_text() == "run\n", out2          # the source not run
    assert "reading kallsyms" not in out2, out2
    assert "[hvgdb] kernel symbols: from the cache, %s" % (root / entry) \
        in out2, out2
    assert results(out2) == [proto.CODE + 0x40], out2
    assert "Breakpoint 1 at %#x" % (proto.CODE + 0x80) in out2, out2


def test_a_source_of_another_kernel_is_refused(target, tmp_path, env,
                                               monkeypatch):
    ks = tmp_path / "other"
    ks.write_text(kallsyms_text(banner_addr=proto.DATA + 0x100))
    monkeypatch.setenv("HVGDB_KALLSYMS", str(ks))
    out = session(target, tmp_path, ["info address hv_test_store"])
    assert ("[hvgdb] kernel symbols: not loaded: %s is not the connected "
            "kernel's: no banner at its linux_banner (%#x)"
            % (ks, proto.DATA + 0x100)) in out, out
    assert 'No symbol "hv_test_store"' in out, out
    assert not (tmp_path / "cache" / "hvgdb").exists() or \
        os.listdir(tmp_path / "cache" / "hvgdb") == []


def test_nothing_is_loaded_when_gdb_has_kernel_symbols(target, tmp_path,
                                                       env):
    """make run's case: its vm-syms.elf loaded before connecting."""
    elf = str(tmp_path / "vm-syms.elf")
    subprocess.run([kcache.find_tool(), "-o", elf, "-"], check=True,
                   input=kallsyms_text().encode(), timeout=60)
    out = hv_gdb(target, [SETUP, "symbol-file " + elf,
                          "target remote " + target.addr,
                          "python print('RESULT', hvgdb.kernel_symbols())",
                          "info symbol %#x" % (proto.CODE + 0x44)],
                 connect=False)
    assert "[hvgdb] kernel symbols" not in out, out
    assert not env.exists()                 # the source never ran
    assert results(out) == [None], out
    assert "hv_test_store + 4 in section" in out, out


def test_no_source_is_said_once(target, tmp_path, env, monkeypatch):
    monkeypatch.delenv("HVGDB_KALLSYMS")
    out = session(target, tmp_path, [
        "python print('RESULT', hvgdb.kernel_symbols())"])
    assert out.count("no kallsyms source named: set HVGDB_KALLSYMS") == 1, \
        out
    assert results(out) == [None], out


def test_force_reads_the_source_again(target, tmp_path, env):
    session(target, tmp_path, [])
    out = session(target, tmp_path, [
        "python print('RESULT', "
        "hvgdb.kernel_symbols(force=True) is not None)"])
    assert env.read_text() == "run\nrun\n", out
    assert results(out) == [True], out
