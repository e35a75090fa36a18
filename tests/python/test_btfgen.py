"""Kernel types from BTF without a target (gdb-python/hvgdb/btfgen.py,
docs/types.md): BTF parsed from hand-made bytes and from the kernel image
the test VM boots (/boot/vmlinuz-<KDIR's release>), C declarations of
typed variables, the generated object checked in gdb against the BTF's
own offsets and sizes, typed variables resolved through a kallsyms symbol
file, the cache, and the refusals (no BTF, another build)."""
import os
import random
import re
import struct
import subprocess

import pytest

from hvgdb import btfgen
from hvgdb_testlib import HVGDB_SYMS, ROOT


def kernel_image():
    kdir = subprocess.run(["sh", os.path.join(ROOT, "kmod", "kdir.sh")],
                          capture_output=True, text=True).stdout.strip()
    rel = os.path.basename(kdir.rstrip("/"))
    if rel == "build":
        rel = os.path.basename(os.path.dirname(kdir))
    rel = rel.replace("linux-headers-", "")
    path = "/boot/vmlinuz-" + rel
    assert os.path.exists(path), ("%s missing: the test VM's kernel image "
                                  "(tests/deps.sh)" % path)
    return path


# ------------------------------------------------------------ hand-made

class Builder:
    """BTF bytes, type by type."""

    def __init__(self):
        self.strs = b"\0"
        self.types = b""
        self.n = 0

    def s(self, name):
        if not name:
            return 0
        off = len(self.strs)
        self.strs += name.encode() + b"\0"
        return off

    def add(self, kind, name, size_or_type, vlen=0, extra=b"", kflag=0):
        self.types += struct.pack("<III", self.s(name),
                                  (kflag << 31) | (kind << 24) | vlen,
                                  size_or_type) + extra
        self.n += 1
        return self.n

    def bytes(self):
        hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(self.types),
                          len(self.types), len(self.strs))
        return hdr + self.types + self.strs


def small_btf():
    b = Builder()
    i_int = b.add(btfgen.KIND_INT, "int", 4, extra=struct.pack("<I", 32))
    i_ul = b.add(btfgen.KIND_INT, "unsigned long", 8,
                 extra=struct.pack("<I", 64))
    s_foo = b.add(btfgen.KIND_STRUCT, "foo", 16, 2,
                  struct.pack("<III", b.s("a"), i_int, 0) +
                  struct.pack("<III", b.s("b"), i_ul, 64))
    p_foo = b.add(btfgen.KIND_PTR, "", s_foo)
    arr = b.add(btfgen.KIND_ARRAY, "", 0,
                extra=struct.pack("<III", i_ul, i_int, 4))
    p_arr = b.add(btfgen.KIND_PTR, "", arr)
    proto = b.add(btfgen.KIND_FUNC_PROTO, "", i_int, 2,
                  struct.pack("<II", 0, p_foo) + struct.pack("<II", 0, 0))
    p_proto = b.add(btfgen.KIND_PTR, "", proto)
    c_int = b.add(btfgen.KIND_CONST, "", i_int)
    c_ptr = b.add(btfgen.KIND_CONST, "", p_foo)
    anon = b.add(btfgen.KIND_STRUCT, "", 4, 1,
                 struct.pack("<III", b.s("x"), i_int, 0))
    td = b.add(btfgen.KIND_TYPEDEF, "foo_t", s_foo)
    vars_ = []
    for name, t in (("v_foo", s_foo), ("v_arr", arr), ("v_parr", p_arr),
                    ("v_fn", p_proto), ("v_cint", c_int), ("v_cptr", c_ptr),
                    ("v_anon", anon), ("v_td", td)):
        vars_.append(b.add(btfgen.KIND_VAR, name, t,
                           extra=struct.pack("<I", 1)))
    b.add(btfgen.KIND_DATASEC, ".data..percpu", 0x100, len(vars_),
          b"".join(struct.pack("<III", v, 8 * i, 8)
                   for i, v in enumerate(vars_)))
    return b.bytes()


def test_parse_and_declarations():
    btf = btfgen.Btf(small_btf())
    foo = btf.find(btfgen.KIND_STRUCT, "foo")
    assert foo.size == 16 and foo.members[1][0] == "b"
    assert foo.members[1][2:] == (64, 0)
    decls = {n: btf.declaration(t, n) for n, t, _ in btf.percpu_vars()}
    assert decls == {
        "v_foo": "struct foo v_foo",
        "v_arr": "unsigned long v_arr[4]",
        "v_parr": "unsigned long (*v_parr)[4]",
        "v_fn": "int (*v_fn)(struct foo *, ...)",
        "v_cint": "const int v_cint",
        "v_cptr": "struct foo *const v_cptr",
        "v_anon": None,                 # C cannot name it: left out
        "v_td": "foo_t v_td",
    }
    assert [off for _, _, off in btf.percpu_vars()] == [8 * i
                                                        for i in range(8)]
    text = btfgen.variables_c(btf)
    assert "extern struct foo v_foo;\n" in text
    assert "v_anon" not in text
    # WELL_KNOWN only when the BTF has the struct: no task_struct here
    assert "init_task" not in text
    assert "extern unsigned long __per_cpu_offset[];\n" in text


def test_bad_btf_is_refused():
    good = small_btf()
    with pytest.raises(btfgen.BtfError, match="not BTF: magic 0x1234"):
        btfgen.Btf(b"\x34\x12" + good[2:])
    with pytest.raises(btfgen.BtfError, match="shorter than its header"):
        btfgen.Btf(good[:10])
    with pytest.raises(btfgen.BtfError, match="past the end"):
        btfgen.Btf(good[:-5])


def test_banner_version_and_candidates(monkeypatch):
    monkeypatch.delenv("HVGDB_KERNEL_IMAGE", raising=False)
    ban = "Linux version 6.1.0-57-amd64 (debian-kernel@lists) #1 SMP\n"
    assert btfgen.banner_version(ban) == "6.1.0-57-amd64"
    assert btfgen.image_candidates(ban)[0] == "/boot/vmlinuz-6.1.0-57-amd64"
    assert btfgen.banner_version("garbage") is None
    monkeypatch.setenv("HVGDB_KERNEL_IMAGE", "/x/vmlinuz")
    assert btfgen.image_candidates(ban) == ["/x/vmlinuz"]


def test_images_without_btf(tmp_path):
    junk = tmp_path / "junk"
    junk.write_bytes(b"MZ" + bytes(5000))
    with pytest.raises(btfgen.BtfError, match="no ELF kernel in it"):
        btfgen.btf_from_image(str(junk))
    src = tmp_path / "x.c"
    src.write_text("int x;\n")
    obj = tmp_path / "x.o"
    subprocess.run(["gcc", "-c", "-o", str(obj), str(src)], check=True)
    with pytest.raises(btfgen.BtfError,
                       match="no .BTF section.*CONFIG_DEBUG_INFO_BTF"):
        btfgen.btf_from_image(str(obj))
    with pytest.raises(btfgen.BtfError, match="No such file"):
        btfgen.btf_from_image(str(tmp_path / "none"))


# ------------------------------------------------------------ the kernel

@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """The BTF of the VM's kernel image, its banner, and the generated
    object."""
    path = kernel_image()
    with open(path, "rb") as f:
        elf = btfgen.vmlinux_of(f.read())
    m = re.search(rb"Linux version [^\0]*\n\0", elf)
    banner = m.group(0)[:-1].decode("latin-1")
    raw = btfgen.btf_from_image(path, banner)
    d = tmp_path_factory.mktemp("types")
    obj = str(d / "types.o")
    dropped = btfgen.generate(raw, obj, str(d / "types.c"))
    return {"path": path, "banner": banner, "btf": btfgen.Btf(raw),
            "raw": raw, "obj": obj, "dropped": dropped, "dir": d}


def gdb_batch(cmds, timeout=120):
    args = ["gdb", "-nx", "-batch", "-ex", "set architecture i386:x86-64"]
    for c in cmds:
        args += ["-ex", c]
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return r.stdout + r.stderr


def test_the_image_must_be_the_same_build(kernel):
    other = kernel["banner"][:-1] + " rebuilt\n"
    with pytest.raises(btfgen.BtfError, match="another build"):
        btfgen.btf_from_image(kernel["path"], other)


def test_kernel_btf_parses(kernel):
    btf = kernel["btf"]
    assert btf.find(btfgen.KIND_STRUCT, "task_struct") is not None
    names = {n for n, _, _ in btf.percpu_vars()}
    assert {"runqueues", "current_task", "this_cpu_off"} <= names
    assert kernel["dropped"] == 0


def _members(btf, t, base=0):
    """(path, byte offset) of the named, non-bitfield members, through
    anonymous structs and unions."""
    for name, tid, bitoff, bits in t.members:
        if bits:
            continue
        mt = btf.types[tid] if tid else None
        while mt is not None and mt.kind in (btfgen.KIND_TYPEDEF,
                                             btfgen.KIND_CONST,
                                             btfgen.KIND_VOLATILE):
            mt = btf.types[mt.ref] if mt.ref else None
        if bitoff % 8:
            continue
        if not name:
            if mt is not None and mt.kind in (btfgen.KIND_STRUCT,
                                              btfgen.KIND_UNION):
                yield from _members(btf, mt, base + bitoff // 8)
            continue
        yield name, base + bitoff // 8


def test_gdb_layout_is_the_btf_layout(kernel):
    """Every named member of these structs, and the sizes of 300 structs
    picked at random, as gdb reads them from the generated DWARF, equal the
    BTF's own offsets and sizes."""
    btf = kernel["btf"]
    checks = []
    for sname in ("task_struct", "module", "prb_desc", "printk_info",
                  "printk_ringbuffer", "rq", "list_head", "mod_kallsyms",
                  "signal_struct"):
        t = btf.find(btfgen.KIND_STRUCT, sname)
        checks.append(("sizeof(struct %s)" % sname, t.size))
        for name, off in _members(btf, t):
            checks.append(("(unsigned long)&((struct %s *)0)->%s" %
                           (sname, name), off))
    structs = sorted({t.name for t in btf.types[1:]
                      if t.kind == btfgen.KIND_STRUCT and t.name and
                      btf.find(btfgen.KIND_STRUCT, t.name) is t})
    random.seed(16)
    for name in random.sample(structs, 300):
        checks.append(("sizeof(struct %s)" % name,
                       btf.find(btfgen.KIND_STRUCT, name).size))
    out = gdb_batch(["add-symbol-file %s" % kernel["obj"]] +
                    ["p %s" % e for e, _ in checks])
    got = [int(v) for v in re.findall(r"^\$\d+ = (\d+)$", out, re.M)]
    assert len(got) == len(checks), out[-3000:]
    bad = [(e, want, g) for (e, want), g in zip(checks, got) if want != g]
    assert not bad, bad[:20]
    assert len(checks) > 500


def test_typed_variables_through_kallsyms(kernel, tmp_path):
    """A kallsyms symbol file (hvgdb-syms) gives the addresses, the types
    object the types: init_task at its kallsyms address as a struct
    task_struct, a per-CPU variable at its offset, with its BTF type."""
    ks = tmp_path / "kallsyms"
    ks.write_text("ffffffff81000000 T _text\nffffffff81e00000 T _etext\n"
                  "ffffffff82600000 D _sdata\n"
                  "ffffffff82614940 D init_task\n"
                  "ffffffff82700000 D modules\n"
                  "ffffffff83000000 D _edata\n"
                  "0000000000031c40 A runqueues\n")
    elf = tmp_path / "syms.elf"
    subprocess.run([HVGDB_SYMS, "-o", str(elf), str(ks)], check=True)
    off = btfgen.Btf(kernel["raw"]).find(btfgen.KIND_STRUCT,
                                          "task_struct")
    comm = dict(_members(kernel["btf"], off))["comm"]
    out = gdb_batch(["symbol-file %s" % elf,
                     "add-symbol-file %s" % kernel["obj"],
                     "whatis init_task", "p &init_task.comm",
                     "p &((struct task_struct *)&init_task)->comm",
                     "whatis modules", "whatis runqueues",
                     "p/x &runqueues", "whatis current_task",
                     "whatis prb"])
    assert "type = struct task_struct\n" in out, out
    assert ("(char (*)[16]) %#x <init_task+%d>" %
            (0xffffffff82614940 + comm, comm)) in out, out
    assert "type = struct list_head\n" in out, out
    assert "type = struct rq\n" in out, out
    assert "= 0x31c40" in out, out
    assert "type = struct task_struct *\n" in out, out
    assert "type = struct printk_ringbuffer *\n" in out, out


def test_the_cache(kernel, tmp_path, monkeypatch):
    monkeypatch.setenv("HVGDB_CACHE", str(tmp_path / "c"))
    ban = kernel["banner"]
    assert btfgen.cache_lookup(ban) == (None, None)
    assert btfgen.cached_object(ban) is None
    d = btfgen.cache_store(ban, kernel["raw"], "the image x")
    assert d.startswith(str(tmp_path / "c" / "types") + "/")
    obj, raw = btfgen.cache_lookup(ban)
    assert obj is None and open(raw, "rb").read() == kernel["raw"]
    obj = btfgen.cached_object(ban)             # built from the cached BTF
    assert obj == os.path.join(d, "types-v%d.o" % btfgen.GEN_VERSION)
    assert os.path.getsize(obj) > 1 << 20
    assert btfgen.cache_lookup(ban) == (obj, raw)
    # another kernel: another key, nothing cached
    assert btfgen.cache_lookup(ban + "x") == (None, None)
    # a hash collision (same directory, other banner) is a miss
    with open(os.path.join(d, "banner"), "w") as f:
        f.write("Linux version other\n")
    assert btfgen.cache_lookup(ban) == (None, None)
