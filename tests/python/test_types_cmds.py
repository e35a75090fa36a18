"""`hv types` and the kernel commands in stock gdb against the protocol
test double (docs/types.md): a kernel banner and a small BTF written into
the double's memory, symbols for them made by hvgdb-syms; the BTF read
over the link into the cache, the cache used by the next session; the VM
kernel's image with the double playing that kernel; and the refusals in
one line each (no symbols, no banner, no BTF, another build, no types)."""
import os
import re
import subprocess
import zlib

import pytest

from hvgdb_testlib import HVGDB_SYMS, hv_gdb, proto
from test_btfgen import _members, small_btf

BANNER = ("Linux version 6.1.0-99-test (hvgdb@test) (gcc 12) #1 SMP "
          "Thu Jan 1 00:00:00 UTC 2026\n")
BANNER_AT = proto.DATA + 0x10000
BTF_AT = proto.DATA + 0x20000


def syms(tmp_path, names):
    """A kallsyms symbol file of the given {name: address}."""
    ks = tmp_path / "kallsyms"
    ks.write_text("".join("%016x D %s\n" % (a, n)
                          for n, a in sorted(names.items(),
                                             key=lambda x: x[1])))
    elf = tmp_path / "k.elf"
    subprocess.run([HVGDB_SYMS, "-o", str(elf), str(ks)], check=True)
    return str(elf)


def write(addr, data):
    """A gdb command writing data at addr in the double's memory."""
    return ("python gdb.selected_inferior().write_memory(%#x, %r)" %
            (addr, data))


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("HVGDB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HVGDB_KERNEL_IMAGE", str(tmp_path / "no-image"))
    return tmp_path


def test_types_over_the_link_then_from_the_cache(target, env):
    btf = small_btf()
    elf = syms(env, {"linux_banner": BANNER_AT, "__start_BTF": BTF_AT,
                     "__stop_BTF": BTF_AT + len(btf)})
    setup = ["symbol-file " + elf, write(BANNER_AT, BANNER.encode() + b"\0"),
             write(BTF_AT, btf)]
    out = hv_gdb(target, setup + ["hv types", "ptype struct foo",
                                  "whatis v_parr", "info address v_foo"])
    assert ("types: no cached types and no kernel image here; reading the "
            "BTF over the link") in out, out
    assert "types: BTF 0 of 0 KiB" in out, out     # progress (batch: lines)
    assert re.search(r"^types: from the target's memory, 0 KiB of BTF "
                     r"\([\d.]+ s\), cached in \S+$", out, re.M), out
    assert "type = struct foo {\n    int a;\n    unsigned long b;\n}" in out
    assert "type = unsigned long (*)[4]" in out, out
    # declared, no minimal symbol of that name: gdb says so
    assert 'Symbol "v_foo" is unresolved' in out, out
    d = env / "cache" / "types"
    (key,) = os.listdir(d)
    assert (d / key / "banner").read_text() == BANNER
    assert (d / key / "vmlinux.btf").read_bytes() == btf
    assert (d / key / "source").read_text() == "the target's memory\n"
    # the next session: the cache, the memory not read (the BTF there
    # is wiped first, so a read would fail)
    out = hv_gdb(target, setup + [write(BTF_AT, bytes(len(btf))),
                                  "hv types", "ptype struct foo"])
    assert re.search(r"^types: from the cache \S+ \([\d.]+ s\)$", out,
                     re.M), out
    assert "type = struct foo {" in out, out


def test_refusals_in_one_line(target, env):
    # no kernel symbols at all
    out = hv_gdb(target, ["hv types"])
    assert ("types: gdb knows no symbol linux_banner: load the kernel's "
            "symbols first (hvgdb-syms, docs/symbols.md)") in out, out
    # a linux_banner that is no banner
    elf = syms(env, {"linux_banner": BANNER_AT})
    out = hv_gdb(target, ["symbol-file " + elf, "hv types"])
    assert "types: no kernel banner at linux_banner (%#x)" % BANNER_AT \
        in out, out
    # a kernel without BTF: no __start_BTF
    out = hv_gdb(target, ["symbol-file " + elf,
                          write(BANNER_AT, BANNER.encode() + b"\0"),
                          "hv types", "hv types --no-memory",
                          "hv types --bogus"])
    assert ("types: the kernel has no BTF (no __start_BTF/__stop_BTF in "
            "its symbols: built without CONFIG_DEBUG_INFO_BTF)") in out, out
    assert ("types: none cached for 6.1.0-99-test and no image of it here"
            in out), out
    assert "usage: hv types [--image FILE] [--no-memory]" in out, out
    # bytes at __start_BTF that are not BTF
    elf = syms(env, {"linux_banner": BANNER_AT, "__start_BTF": BTF_AT,
                     "__stop_BTF": BTF_AT + 0x100})
    out = hv_gdb(target, ["symbol-file " + elf,
                          write(BANNER_AT, BANNER.encode() + b"\0"),
                          "hv types"])
    assert ("types: no BTF at __start_BTF (%#x): the magic is 0x0000" %
            BTF_AT) in out, out
    assert "Traceback" not in out, out


def test_kernel_commands_need_types(target):
    out = hv_gdb(target, ["hv ps", "hv lsmod", "hv dmesg", "hv current 0",
                          'p $hv_per_cpu("runqueues", 0)',
                          "p $hv_current(0)", "python hvgdb.tasks()"])
    msg = ("no kernel types in gdb: `hv types` loads them from the "
           "kernel's BTF (docs/types.md)")
    assert out.count(msg) == 7, out
    assert "Traceback" not in out.replace("Traceback (most recent call "
                                          "last):\n  File \"<string>\"",
                                          ""), out


def test_types_from_a_kernel_image(target, env):
    """The image path: `hv types --image` with the VM kernel's image, the
    double playing that kernel (its banner in memory): another build is
    refused, the same build gives the kernel's types and typed
    variables."""
    from test_btfgen import kernel_image
    from hvgdb import btfgen
    image = kernel_image()
    with open(image, "rb") as f:
        elf = btfgen.vmlinux_of(f.read())
    real = re.search(rb"Linux version [^\0]*\n\0", elf).group(0)
    elf_syms = syms(env, {"linux_banner": BANNER_AT,
                          "init_task": proto.DATA + 0x40000})
    out = hv_gdb(target, ["symbol-file " + elf_syms,
                          write(BANNER_AT, BANNER.encode() + b"\0"),
                          "hv types --image " + image], timeout=120)
    assert ("types: %s: another build of the kernel (its banner differs "
            "from the target's)" % image) in out, out
    out = hv_gdb(target, ["symbol-file " + elf_syms,
                          write(BANNER_AT, real),
                          "hv types --image " + image,
                          "whatis init_task", "p &init_task.comm"],
                 timeout=120)
    assert re.search(r"^types: from the image %s, \d+ KiB of BTF "
                     r"\([\d.]+ s\), cached in \S+$" % re.escape(image),
                     out, re.M), out
    assert "type = struct task_struct\n" in out, out
    raw = btfgen.btf_from_image(image)
    b = btfgen.Btf(raw)
    comm = dict(_members(b, b.find(btfgen.KIND_STRUCT, "task_struct")))
    assert "$1 = (char (*)[16]) %#x" % (proto.DATA + 0x40000 +
                                        comm["comm"]) in out, out


def test_dmesg_needs_the_printk_ring_buffer(target, env):
    """Types without `prb` (the small BTF): one line, no traceback."""
    btf = small_btf()
    elf = syms(env, {"linux_banner": BANNER_AT, "__start_BTF": BTF_AT,
                     "__stop_BTF": BTF_AT + len(btf)})
    out = hv_gdb(target, ["symbol-file " + elf,
                          write(BANNER_AT, BANNER.encode() + b"\0"),
                          write(BTF_AT, btf), "hv types",
                          # types present: struct task_struct stands in
                          "python hvgdb.btf.have_types = lambda: True",
                          "hv dmesg"])
    assert ("dmesg: no printk ring buffer (prb, struct printk_ringbuffer: "
            "kernels 5.10 and later)") in out, out


def blob_of(btf, stream=None):
    """hvgdb-btf's bytes for btf: the two lengths, then the zlib stream."""
    z = zlib.compress(btf) if stream is None else stream
    return len(z).to_bytes(4, "little") + len(btf).to_bytes(4, "little") + z


def test_types_from_the_stubs_compressed_copy(target_factory, env):
    """hvgdb.ko's qXfer object hvgdb-btf, played by the double with the
    VM kernel's 4 MiB of BTF (about a hundred 12 KiB requests): the types
    come from it, not from the memory (which holds zeros there), with
    the progress lines, into the cache; `--plain` reads the memory."""
    from test_btfgen import kernel_image
    from hvgdb import btfgen
    raw = btfgen.btf_from_image(kernel_image())
    blob = env / "blob"
    blob.write_bytes(blob_of(raw))
    target = target_factory("--btf-blob", str(blob))
    elf = syms(env, {"linux_banner": BANNER_AT, "__start_BTF": BTF_AT,
                     "__stop_BTF": BTF_AT + len(raw)})
    setup = ["symbol-file " + elf, write(BANNER_AT, BANNER.encode() + b"\0")]
    out = hv_gdb(target, setup + ["hv types", "ptype struct list_head"],
                 timeout=180)
    kib = (len(blob.read_bytes())) // 1024
    assert re.search(r"^types: compressed BTF %d of %d KiB, \d+ s$" %
                     (kib, kib), out, re.M), out
    assert re.search(r"^types: from hvgdb.ko's compressed copy \(%d KiB on "
                     r"the link\), %d KiB of BTF \([\d.]+ s\), cached in "
                     r"\S+$" % (kib, len(raw) // 1024), out, re.M), out
    assert "struct list_head *next;" in out, out
    d = env / "cache" / "types"
    (key,) = os.listdir(d)
    assert (d / key / "vmlinux.btf").read_bytes() == raw
    # --plain: the memory, whose zeros are no BTF
    out = hv_gdb(target, setup + ["hv types --plain --image /x",
                                  "hv types --plain --no-memory"])
    assert "types: /x" in out, out
    assert ("hv types: --plain reads the memory, --no-memory forbids it"
            in out), out


def test_compressed_copy_refusals(target_factory, env):
    """The object while the module still makes it (E0b), one that does
    not inflate, one of another size than __start_BTF..__stop_BTF, and
    --plain past a good object: one line each."""
    btf = small_btf()
    elf = syms(env, {"linux_banner": BANNER_AT, "__start_BTF": BTF_AT,
                     "__stop_BTF": BTF_AT + len(btf)})
    setup = ["symbol-file " + elf, write(BANNER_AT, BANNER.encode() + b"\0"),
             write(BTF_AT, btf)]
    out = hv_gdb(target_factory("--btf-busy"), setup + ["hv types"])
    assert ("types: hvgdb.ko is still compressing the BTF (it does so once, "
            "in the seconds after insmod): `continue`, stop again and `hv "
            "types` again; `hv types --plain` reads the plain memory "
            "instead (much slower)") in out, out
    bad = env / "bad"
    bad.write_bytes(blob_of(btf, b"not zlib at all"))
    out = hv_gdb(target_factory("--btf-blob", str(bad)),
                 setup + ["hv types"])
    assert re.search(r"^types: hvgdb.ko's BTF object: Error -3 while "
                     r"decompressing data", out, re.M), out
    other = env / "other"
    other.write_bytes(blob_of(btf + b"\0" * 8))
    out = hv_gdb(target_factory("--btf-blob", str(other)),
                 setup + ["hv types"])
    assert ("types: hvgdb.ko's BTF is %d bytes, __start_BTF..__stop_BTF %d"
            % (len(btf) + 8, len(btf))) in out, out
    good = env / "good"
    good.write_bytes(blob_of(btf))
    out = hv_gdb(target_factory("--btf-blob", str(good)),
                 setup + ["hv types --plain"])
    assert re.search(r"^types: from the target's memory, 0 KiB of BTF",
                     out, re.M), out
    assert "Traceback" not in out, out
