"""Kernel symbols loaded by the hvgdb package (docs/python.md, "Kernel
symbols"), on hvgdb.ko: the first gdb session reads the kallsyms source
(the guest's /proc/kallsyms, saved beforehand, as a user saves it on the
machine to debug), checks it against the live kernel's banner and caches
it under that banner; the second session loads the cache, at the
package's import and again after a reconnect, without running the source;
`info address` and `break` give the guest's own addresses in both, and a
symbol completed after `hv !epthook` goes to the module as its address."""
import json
import re

from hvvm import REPO, gdb, gdb_server, kallsym, mark, sections

FUNC = "__x64_sys_getpid"
HOOK = "__x64_sys_openat"


def test_symbols_from_kallsyms_then_from_the_cache(vm1, tmp_path,
                                                   monkeypatch):
    vm = vm1
    status, gz = vm.exec("gzip -c /proc/kallsyms")
    assert status == 0 and gz[:2] == b"\x1f\x8b", gz[:200]
    (tmp_path / "kallsyms.gz").write_bytes(gz)
    func = kallsym(vm, FUNC)
    banner_addr = kallsym(vm, "linux_banner")
    version = vm.sh("cat /proc/version")
    runs = tmp_path / "runs"
    cache = tmp_path / "cache"
    source = f"|echo run >> {runs}; cat {tmp_path / 'kallsyms.gz'}"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("HVGDB_KALLSYMS", source)
    pre = [f"python import sys; sys.path.insert(0, '{REPO}/gdb-python')",
           mark("load"), "python import hvgdb"]
    checks = [mark("addr"), f"info address {FUNC}",
              mark("break"), f"break {FUNC}", "delete",
              mark("banner"), "x/s &linux_banner"]
    openat = kallsym(vm, HOOK)
    # The case: a symbol completed after `hv !epthook` is sent as
    # its kallsyms address (a hook the module then sets; cleared at once).
    hook = [mark("complete"), f"complete hv !epthook {HOOK[:-2]}",
            "set debug remote 1", mark("hook"),
            f"hv !epthook {HOOK} script {{ .o = .o + 1; }}",
            "set debug remote 0", "hv events c all"]
    with gdb_server(vm):
        out1 = gdb(vm, *pre, *checks, *hook, mark("end"))
        out2 = gdb(vm, *pre, *checks, "detach", "symbol-file",
                   mark("again"), f"target remote 127.0.0.1:{vm.gdb_port}",
                   f"info address {FUNC}", mark("end"))
    s1, s2 = sections(out1), sections(out2)
    print(s1["load"], s2["load"], sep="\n")     # for -rP: what a user sees
    addr_line = (f'Symbol "{FUNC}" is at {func:#x} in a file compiled '
                 "without debugging.")
    # First session: the source ran once, its ELF went into the cache.
    assert runs.read_text() == "run\n", out1 + out2
    assert f"[hvgdb] kernel symbols: reading kallsyms from {source}" \
        in s1["load"], out1
    m = re.search(r"\[hvgdb\] kernel symbols: (\d+) symbols from .*, "
                  r"cached in (\S+)$", s1["load"], re.M)
    assert m and int(m.group(1)) > 50000, out1
    entry = m.group(2)
    meta = json.loads(open(f"{entry}/meta.json").read())
    assert meta["banner"] == version and meta["banner_addr"] == banner_addr
    assert entry.startswith(str(cache / "hvgdb" / "kernel-")), entry
    for s, out in ((s1, out1), (s2, out2)):
        assert s["addr"].strip() == addr_line, out
        assert s["break"].strip() == f"Breakpoint 1 at {func:#x}", out
        assert f'<linux_banner>:\t"{version[:30]}' in s["banner"], out
    assert f"hv !epthook {HOOK}" in s1["complete"].splitlines(), out1
    # With `debug remote` on, the package names what it sent.
    assert (f"[hvgdb] monitor '!epthook {openat:x} script {{ .o = .o + 1; "
            "}': ") in s1["hook"], out1
    assert f"event 0x0 enabled: !epthook {openat:x} script" in s1["hook"], \
        out1
    # Second session: the cache, at import and at the reconnect's stop;
    # the source did not run again.
    hit = f"[hvgdb] kernel symbols: from the cache, {entry} (Linux version"
    assert hit in s2["load"] and "reading kallsyms" not in out2, out2
    assert hit in s2["again"] and s2["again"].strip().endswith(addr_line), \
        out2
