"""hvgdb-syms: System.map / kallsyms in, ELF symbol file out, checked the way
a user would: our own ELF reader, binutils' readelf, and gdb in batch mode
(docs/symbols.md)."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from syms_elf import (REPO, TOOL, expected_kind, parse_kallsyms, read_elf)

# A small kernel laid out like Debian's 6.1 amd64 kernel under nokaslr
# (marker addresses taken from its /proc/kallsyms), deliberately not
# sorted, with aliases, locals, weak symbols, per-CPU 'A' symbols, lines the
# tool must skip and module lines.
KALLSYMS = """\
ffffffff81000000 T _text
ffffffff81000000 T _stext
ffffffff81000000 T startup_64
ffffffff81000100 t early_helper
ffffffff810be380 T __x64_sys_getppid
ffffffff810be350 T __x64_sys_getpid
ffffffff810be380 W weak_alias_fn
ffffffff81e01d00 t last_text_fn
ffffffff81e01d32 T _etext
ffffffff81e01d32 T __indirect_thunk_end
ffffffff82000000 D __start_rodata
ffffffff82161900 D linux_banner
ffffffff821619a0 r local_rodata
ffffffff828eb000 D __end_rodata
ffffffff82a00000 D _sdata
ffffffff82a00040 d local_data
ffffffff82a01000 D init_task
ffffffff82c48980 D _edata
ffffffff83044000 D __init_begin
ffffffff83044100 d init_data_thing
ffffffff83079000 T _sinittext
ffffffff83079000 T x86_64_start_kernel
ffffffff830e7c00 t last_init_fn
ffffffff830e7c04 T _einittext
ffffffff83304588 t amd_uncore_exit
ffffffff83306000 R __init_end
ffffffff83310000 B __bss_start
ffffffff83310040 b local_bss
ffffffff83400000 B jiffies_like
ffffffff84400000 B __brk_base
ffffffff84400000 B __bss_stop
ffffffff84430000 B _end
ffffffff84430000 B __brk_limit
ffffffff82a02000 V weak_object
0000000000000000 A fixed_percpu_data
0000000000031c40 A runqueues
0000000000000000 U undefined_thing
0000000000000000 w weak_undefined
ffffffff82000010 N debug_thing
ffffffffc0201000 t msr_devnode\t[msr]
ffffffffc0201040 T msr_read\t[msr]
ffffffffc02033c8 b msr_class\t[msr]
ffffffffc0300000 t bpf_prog_6deef7357e7b4530\t[bpf]
ffffffffc0400000 t ftrace_trampoline\t[__builtin__ftrace]
"""

# name: (section, size) worked out by hand from the layout above.
EXPECTED = {
    "_text": (".text", 0x100),
    "startup_64": (".text", 0x100),
    "early_helper": (".text", 0x810be350 - 0x81000100),
    "__x64_sys_getpid": (".text", 0x30),
    "__x64_sys_getppid": (".text", 0x81e01d00 - 0x810be380),
    "weak_alias_fn": (".text", 0x81e01d00 - 0x810be380),
    "last_text_fn": (".text", 0x32),
    "_etext": (".text", 0),              # end marker closes .text
    "__indirect_thunk_end": (".text", 0),
    "linux_banner": (".rodata", 0xa0),
    "local_rodata": (".rodata", 0x828eb000 - 0x821619a0),
    "__end_rodata": (".rodata", 0),
    "local_data": (".data", 0xfc0),
    "init_task": (".data", 0x1000),
    "weak_object": (".data", 0x82c48980 - 0x82a02000),
    "_edata": (".data", 0),
    "__init_begin": (".init.data", 0x100),
    "init_data_thing": (".init.data", 0x83079000 - 0x83044100),
    "x86_64_start_kernel": (".init.text", 0x830e7c00 - 0x83079000),
    "last_init_fn": (".init.text", 4),
    "_einittext": (".init.text", 0),
    "amd_uncore_exit": (".init.data", 0x83306000 - 0x83304588),
    "__init_end": (".init.data", 0),
    "local_bss": (".bss", 0x83400000 - 0x83310040),
    "jiffies_like": (".bss", 0x84400000 - 0x83400000),
    "__bss_stop": (".bss", 0),
    "__brk_base": (".brk", 0x30000),
    "_end": (".brk", 0),
    "runqueues": ("ABS", 0),
    "fixed_percpu_data": ("ABS", 0),
}


def run_tool(*args, input=None):
    assert TOOL.exists(), f"{TOOL} not built (make)"
    return subprocess.run([str(TOOL), *map(str, args)], input=input,
                          capture_output=True, timeout=120)


def gdb_batch(*cmds):
    argv = ["gdb", "-nx", "-batch"]
    for c in cmds:
        argv += ["-ex", c]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return r.stdout + r.stderr


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("syms")
    src = d / "kallsyms"
    src.write_text(KALLSYMS)
    out = d / "small.elf"
    r = run_tool("-v", "-o", out, src)
    assert r.returncode == 0, r.stderr.decode()
    return out, read_elf(out), r.stderr.decode()


def by_name(syms):
    d = {}
    for s in syms:
        assert s["name"] not in d, f"{s['name']} written twice"
        d[s["name"]] = s
    return d


def test_every_symbol_with_value_type_binding(small):
    _, (hdr, secs, syms), _ = small
    assert hdr["type"] == 2 and hdr["machine"] == 62  # ET_EXEC, x86-64
    got = by_name(syms)
    want = parse_kallsyms(KALLSYMS)
    assert sorted(got) == sorted(n for _, _, n, _ in want)
    for addr, letter, name, _ in want:
        s = got[name]
        assert s["value"] == addr, name
        assert (s["type"], s["bind"]) == expected_kind(letter), name
    for skipped in ("undefined_thing", "weak_undefined", "debug_thing",
                    "msr_read", "bpf_prog_6deef7357e7b4530",
                    "ftrace_trampoline"):
        assert skipped not in got


def test_sections_and_sizes(small):
    _, (_, secs, syms), _ = small
    got = by_name(syms)
    for name, (sec, size) in EXPECTED.items():
        assert (got[name]["section"], got[name]["size"]) == (sec, size), name
    named = {s["name"]: s for s in secs if s["name"] != ".kernel"}
    assert named[".text"]["addr"] == 0xffffffff81000000
    assert named[".text"]["size"] == 0x81e01d32 - 0x81000000
    assert named[".text"]["flags"] & 4            # SHF_EXECINSTR
    assert not named[".rodata"]["flags"] & 5      # neither W nor X
    assert named[".bss"]["flags"] & 1             # SHF_WRITE


def test_sections_do_not_overlap_and_cover_the_image(small):
    _, (_, secs, _), _ = small
    alloc = sorted((s["addr"], s["addr"] + s["size"], s["name"])
                   for s in secs if s["flags"] & 2)
    assert alloc[0][0] == 0xffffffff81000000
    assert alloc[-1][1] == 0xffffffff84430000     # _end
    for (s0, e0, n0), (s1, e1, n1) in zip(alloc, alloc[1:]):
        assert e0 == s1, f"{n0} and {n1} overlap or leave a hole"
        assert s0 < e0


def test_locals_first_as_gabi_requires(small):
    _, (hdr, _, syms), _ = small
    binds = [s["bind"] for s in syms]
    first = hdr["first_global"]
    assert all(b == "LOCAL" for b in binds[:first - 1])
    assert all(b != "LOCAL" for b in binds[first - 1:])


def test_readelf_agrees(small):
    out, (_, _, syms), _ = small
    r = subprocess.run(["readelf", "-sSW", str(out)], capture_output=True,
                       text=True)
    assert r.returncode == 0 and not r.stderr, r.stderr
    rows = {}
    for m in re.finditer(r"^\s*\d+: ([0-9a-f]{16})\s+(\S+) (\w+)\s+(\w+)"
                         r"\s+\w+\s+(\S+) (\S+)$", r.stdout, re.M):
        size = int(m[2], 16) if m[2].startswith("0x") else int(m[2])
        rows[m[6]] = (int(m[1], 16), size, m[3], m[4])
    for s in syms:
        assert rows[s["name"]] == (s["value"], s["size"], s["type"],
                                   s["bind"]), s["name"]


GDB_CHECKS = [
    ("info address linux_banner",
     'Symbol "linux_banner" is at 0xffffffff82161900 in a file compiled '
     "without debugging."),
    ("info address runqueues", 'Symbol "runqueues" is at 0x31c40 in a file'),
    ("info symbol 0xffffffff810be360", "__x64_sys_getpid + 16 in section "
     ".text"),
    ("info symbol 0xffffffff81e01d31", "last_text_fn + 49 in section .text"),
    ("info symbol 0xffffffff82a00044", "local_data + 4 in section .data"),
    ("info symbol 0xffffffff830e7c01", "last_init_fn + 1 in section "
     ".init.text"),
    ("break __x64_sys_getpid", "Breakpoint 1 at 0xffffffff810be350"),
    ("break last_init_fn", "Breakpoint 2 at 0xffffffff830e7c00"),
    ("x/s &linux_banner", "0xffffffff82161900 <linux_banner>:"),
    ("info line *0xffffffff810be350", "<__x64_sys_getpid>"),
]


@pytest.mark.parametrize("load", ["symbol-file", "add-symbol-file"])
def test_gdb_offline_addresses(small, load):
    out = small[0]
    text = gdb_batch("set architecture i386:x86-64", f"{load} {out}",
                     *(c for c, _ in GDB_CHECKS))
    assert "warning" not in text.lower(), text
    for cmd, want in GDB_CHECKS:
        assert want in text, f"{cmd!r}: want {want!r} in\n{text}"


def test_stdin_and_stdout(small):
    r = run_tool("-", input=KALLSYMS.encode())
    assert r.returncode == 0, r.stderr
    assert r.stdout == small[0].read_bytes()


def test_offset_and_text_relocate_all_but_absolute(tmp_path):
    src = tmp_path / "kallsyms"
    src.write_text(KALLSYMS)
    delta = 0x1a000000
    for args in (["--offset", hex(delta)],
                 ["--text", hex(0xffffffff81000000 + delta)]):
        out = tmp_path / "k.elf"
        r = run_tool(*args, "-o", out, src)
        assert r.returncode == 0, r.stderr
        got = by_name(read_elf(out)[2])
        for addr, letter, name, _ in parse_kallsyms(KALLSYMS):
            moved = addr if letter in "Aa" else addr + delta
            assert got[name]["value"] == moved, (args, name)
        assert got["__x64_sys_getpid"]["section"] == ".text"
    r = run_tool("--offset", "-" + hex(delta), "-o", out, src)
    assert by_name(read_elf(out)[2])["_text"]["value"] == \
        0xffffffff81000000 - delta


def test_modules_on_request(tmp_path):
    src = tmp_path / "kallsyms"
    src.write_text(KALLSYMS)
    out = tmp_path / "m.elf"
    r = run_tool("--modules", "-o", out, src)
    assert r.returncode == 0, r.stderr
    got = by_name(read_elf(out)[2])
    assert got["msr_read"]["section"] == ".text.msr"
    assert got["msr_read"]["type"] == "FUNC"
    assert got["msr_devnode"]["size"] == 0x40
    assert got["msr_class"]["section"] == ".data.msr"
    assert "bpf_prog_6deef7357e7b4530" not in got
    text = gdb_batch("set architecture i386:x86-64", f"symbol-file {out}",
                     "info symbol 0xffffffffc0201044", "break msr_read")
    assert "msr_read + 4 in section .text.msr" in text, text
    assert "Breakpoint 1 at 0xffffffffc0201040" in text, text


@pytest.mark.parametrize("text,msg", [
    ("ffffffffffffffff B The real System.map is in the "
     "linux-image-<version>-dbg package\n", "placeholder System.map"),
    ("0000000000000000 T _text\n0000000000000000 t foo\n", "every address "
     "is 0"),
    ("ffffffff81000000 T _text\nnot a symbol line\n", "line 2:"),
    ("ffffffff81000000 TT _text\n", "one-letter symbol type"),
    ("ffffffff81000000 t foo [unterminated\n", "[module]"),
    ("0000000000000000 U only_undefined\n", "no symbols"),
])
def test_bad_input_is_refused_with_a_reason(tmp_path, text, msg):
    out = tmp_path / "bad.elf"
    r = run_tool("-o", out, "-", input=text.encode())
    assert r.returncode == 1
    assert msg in r.stderr.decode()
    assert not out.exists()


def test_host_kallsyms_whole(tmp_path):
    """The machine's own /proc/kallsyms: a real kernel's full list (another
    kernel than the VM's; we run as root, so addresses are real)."""
    text = Path("/proc/kallsyms").read_text()
    want = parse_kallsyms(text)
    if not any(a for a, _, _, _ in want) or len(want) < 10000:
        pytest.skip("/proc/kallsyms hides addresses here (not root?)")
    src = tmp_path / "kallsyms"
    src.write_text(text)
    out = tmp_path / "host.elf"
    r = run_tool("-o", out, src)
    assert r.returncode == 0, r.stderr
    _, secs, syms = read_elf(out)
    assert len(syms) == len(want)
    got = {}
    for s in syms:
        got.setdefault(s["name"], set()).add((s["value"], s["type"],
                                              s["bind"]))
    for addr, letter, name, _ in want:
        assert (addr, *expected_kind(letter)) in got[name], name
    # a function of every kernel gdb can resolve both ways
    addr = next(a for a, l, n, _ in want if n == "_text")
    funcs = [n for a, l, n, _ in want if l == "T" and a > addr]
    name = next((n for n in funcs if n.startswith("__x64_sys_")), funcs[0])
    faddr = next(a for a, l, n, _ in want if n == name)
    text = gdb_batch("set architecture i386:x86-64", f"symbol-file {out}",
                     f"info address {name}", f"info symbol {faddr + 1:#x}")
    assert f'"{name}" is at {faddr:#x}' in text, text
    assert re.search(rf"\b{name} \+ 1 in section", text), text
