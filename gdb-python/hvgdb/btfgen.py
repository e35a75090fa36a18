# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  kernel types from BTF, without gdb: BTF parsed, found in a kernel image
#  (vmlinuz or vmlinux), turned into C by bpftool and into DWARF by gcc,
#  and cached by the kernel's linux_banner.  btf.py loads the result into
#  gdb; tests/python/test_btfgen.py runs this module in plain Python.
#  Reference: docs/types.md.
#
# Why BTF -> C -> gcc -g and not a BTF -> DWARF writer: bpftool's C is
# the kernel's own layout (it adds explicit padding and `packed` where the
# natural layout would differ), gcc's DWARF is the DWARF gdb is tested
# against, and the whole path is two Debian packages and ~2 s for a 4 MB
# BTF.  A writer of our own would be ~1000 lines of DWARF encoding to get
# the same bytes.
#
# Typed variables: BTF (pahole of Debian 12) describes only the per-CPU
# variables (DATASEC .data..percpu); the well-known globals the kernel
# commands need (init_task, modules, prb, ...) get their types from the
# table WELL_KNOWN.  Each becomes an `extern` declaration with no
# definition: gcc -fno-eliminate-unused-debug-symbols emits a DWARF
# declaration, and gdb resolves a declared variable without a location
# through the minimal symbol of the same name, which the kallsyms symbol
# file (hvgdb-syms) gives at the live address.  A per-CPU variable's
# kallsyms address is its offset in the per-CPU area, as in a vmlinux.

import hashlib
import lzma
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

BTF_MAGIC = 0xEB9F

# Bump when the generated C or the gcc options change: the cache keeps
# the BTF and rebuilds the object.
GEN_VERSION = 1

(KIND_INT, KIND_PTR, KIND_ARRAY, KIND_STRUCT, KIND_UNION, KIND_ENUM,
 KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT,
 KIND_FUNC, KIND_FUNC_PROTO, KIND_VAR, KIND_DATASEC, KIND_FLOAT,
 KIND_DECL_TAG, KIND_TYPE_TAG, KIND_ENUM64) = range(1, 20)

# Bytes after the 12-byte common part: fixed, and per vlen entry.
_EXTRA = {KIND_INT: (4, 0), KIND_ARRAY: (12, 0), KIND_STRUCT: (0, 12),
          KIND_UNION: (0, 12), KIND_ENUM: (0, 8), KIND_FUNC_PROTO: (0, 8),
          KIND_VAR: (4, 0), KIND_DATASEC: (0, 12), KIND_DECL_TAG: (4, 0),
          KIND_ENUM64: (0, 12)}


class BtfError(Exception):
    """The BTF (or the image it should come from) cannot be used; the
    message says why."""


class Type:
    """One BTF type: kind, name, size (or referenced type id in ref),
    vlen, and members [(name, type id, bit offset, bitfield size or 0)]
    for structs and
    unions, [(type id, offset, size)] for a DATASEC, (elem, nelems) in
    array for an array, params [(name, type id)] for a FUNC_PROTO."""
    __slots__ = ("id", "kind", "name", "size", "ref", "vlen", "kflag",
                 "members", "array", "params", "linkage")

    def __init__(self, tid, kind, name):
        self.id, self.kind, self.name = tid, kind, name
        self.size = self.ref = 0
        self.vlen = self.kflag = 0
        self.members = self.array = self.params = self.linkage = None


class Btf:
    """Parsed BTF: types[id] (id 0 is void, None), by_name."""

    def __init__(self, data):
        self.data = bytes(data)
        if len(data) < 24:
            raise BtfError("BTF: %d bytes, shorter than its header" %
                           len(data))
        magic, ver, _flags, hdr_len = struct.unpack_from("<HBBI", data, 0)
        if magic != BTF_MAGIC:
            raise BtfError("not BTF: magic %#06x, expected %#06x"
                           % (magic, BTF_MAGIC))
        if ver != 1:
            raise BtfError("BTF version %d (only 1 is known)" % ver)
        type_off, type_len, str_off, str_len = struct.unpack_from(
            "<IIII", data, 8)
        t0, s0 = hdr_len + type_off, hdr_len + str_off
        if t0 + type_len > len(data) or s0 + str_len > len(data):
            raise BtfError("BTF: sections past the end (%d bytes)" %
                           len(data))
        strs = data[s0:s0 + str_len]

        def name(off):
            if off >= len(strs):
                raise BtfError("BTF: string offset %#x past the strings"
                               % off)
            return strs[off:strs.index(b"\0", off)].decode("latin-1")

        self.types = [None]
        self.by_name = {}
        pos, end = t0, t0 + type_len
        while pos < end:
            name_off, info, size = struct.unpack_from("<III", data, pos)
            pos += 12
            kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
            if kind not in range(1, 20):
                raise BtfError("BTF: type %d has unknown kind %d" %
                               (len(self.types), kind))
            t = Type(len(self.types), kind, name(name_off))
            t.vlen, t.kflag = vlen, info >> 31
            if kind in (KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM,
                        KIND_DATASEC, KIND_FLOAT, KIND_ENUM64):
                t.size = size
            else:
                t.ref = size
            fixed, per = _EXTRA.get(kind, (0, 0))
            if kind == KIND_ARRAY:
                elem, _index, n = struct.unpack_from("<III", data, pos)
                t.array = (elem, n)
            elif kind in (KIND_STRUCT, KIND_UNION):
                t.members = []
                for i in range(vlen):
                    mn, mt, mo = struct.unpack_from("<III", data,
                                                    pos + 12 * i)
                    # kind_flag: bitfield size in the top 8 bits
                    t.members.append((name(mn), mt,
                                      mo & 0xFFFFFF if t.kflag else mo,
                                      mo >> 24 if t.kflag else 0))
            elif kind == KIND_DATASEC:
                t.members = [struct.unpack_from("<III", data, pos + 12 * i)
                             for i in range(vlen)]
            elif kind == KIND_FUNC_PROTO:
                t.params = [(name(struct.unpack_from("<I", data,
                                                     pos + 8 * i)[0]),
                             struct.unpack_from("<I", data,
                                                pos + 8 * i + 4)[0])
                            for i in range(vlen)]
            elif kind == KIND_VAR:
                t.linkage, = struct.unpack_from("<I", data, pos)
            pos += fixed + per * vlen
            self.types.append(t)
            if t.name:
                self.by_name.setdefault((kind, t.name), t)
        if pos != end:
            raise BtfError("BTF: the type section ends inside a type")

    def find(self, kind, name):
        return self.by_name.get((kind, name))

    def percpu_vars(self):
        """[(name, type id, offset)] of the DATASEC .data..percpu."""
        sec = self.find(KIND_DATASEC, ".data..percpu")
        if sec is None:
            return []
        return [(self.types[v].name, self.types[v].ref, off)
                for v, off, _size in sec.members
                if self.types[v].kind == KIND_VAR]

    def declaration(self, tid, name):
        """The C declaration of name with type tid (`struct rq runqueues`,
        `unsigned long (*x)[4]`), or None for a type C cannot name (an
        anonymous struct, union or enum)."""
        t = self.types[tid] if tid else None
        if t is None:
            return ("void " + name).strip()
        k = t.kind
        if k in (KIND_INT, KIND_FLOAT, KIND_TYPEDEF):
            return (t.name + " " + name).strip()
        if k in (KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_ENUM64, KIND_FWD):
            if not t.name:
                return None
            tag = ("union" if k == KIND_UNION or
                   (k == KIND_FWD and t.kflag) else
                   "enum" if k in (KIND_ENUM, KIND_ENUM64) else "struct")
            return ("%s %s %s" % (tag, t.name, name)).strip()
        if k == KIND_PTR:
            inner = self._skip_mods(t.ref)
            wrap = inner is not None and inner.kind in (KIND_ARRAY,
                                                        KIND_FUNC_PROTO)
            return self.declaration(t.ref, "(*%s)" % name if wrap else
                                    "*" + name)
        if k in (KIND_CONST, KIND_VOLATILE, KIND_RESTRICT):
            q = {KIND_CONST: "const", KIND_VOLATILE: "volatile",
                 KIND_RESTRICT: "restrict"}[k]
            inner = self._skip_mods(t.ref)
            if inner is not None and inner.kind == KIND_PTR:
                return self.declaration(t.ref, q + " " + name)
            d = self.declaration(t.ref, name)
            return None if d is None else q + " " + d
        if k == KIND_TYPE_TAG:
            return self.declaration(t.ref, name)
        if k == KIND_ARRAY:
            elem, n = t.array
            return self.declaration(elem, "%s[%d]" % (name, n))
        if k == KIND_FUNC_PROTO:
            ps = []
            for pn, pt in t.params:
                if pt == 0:
                    ps.append("...")
                    continue
                d = self.declaration(pt, "")
                if d is None:
                    return None
                ps.append(d)
            return self.declaration(t.ref, "%s(%s)" % (
                name, ", ".join(ps) or "void"))
        return None

    def _skip_mods(self, tid):
        while tid:
            t = self.types[tid]
            if t.kind not in (KIND_CONST, KIND_VOLATILE, KIND_RESTRICT,
                              KIND_TYPE_TAG):
                return t
            tid = t.ref
        return None


# The globals the kernel commands read, with their C types: BTF of
# Debian 12's kernels has no VARs outside the per-CPU section.  A
# declaration is made only when the BTF has every struct it names.
WELL_KNOWN = (
    ("init_task", "struct task_struct init_task"),
    ("init_mm", "struct mm_struct init_mm"),
    ("modules", "struct list_head modules"),
    ("init_uts_ns", "struct uts_namespace init_uts_ns"),
    ("init_pid_ns", "struct pid_namespace init_pid_ns"),
    ("init_net", "struct net init_net"),
    ("prb", "struct printk_ringbuffer *prb"),
    ("printk_rb_static", "struct printk_ringbuffer printk_rb_static"),
    ("printk_rb_dynamic", "struct printk_ringbuffer printk_rb_dynamic"),
    ("__per_cpu_offset", "unsigned long __per_cpu_offset[]"),
    ("nr_cpu_ids", "unsigned int nr_cpu_ids"),
    ("__cpu_online_mask", "struct cpumask __cpu_online_mask"),
    ("__cpu_possible_mask", "struct cpumask __cpu_possible_mask"),
    ("__cpu_present_mask", "struct cpumask __cpu_present_mask"),
    ("linux_banner", "const char linux_banner[]"),
    ("jiffies_64", "u64 jiffies_64"),
    ("jiffies", "volatile unsigned long jiffies"),
    ("saved_command_line", "char *saved_command_line"),
    ("super_blocks", "struct list_head super_blocks"),
    ("init_thread_union", "union thread_union init_thread_union"),
)


def _named_ok(btf, decl):
    words = decl.replace("*", " ").split()
    for tag, kind in (("struct", KIND_STRUCT), ("union", KIND_UNION)):
        for i, w in enumerate(words[:-1]):
            if w == tag and btf.find(kind, words[i + 1]) is None:
                return False
    if words[0] == "u64" and btf.find(KIND_TYPEDEF, "u64") is None:
        return False
    return True


def variables_c(btf):
    """The C text declaring the typed variables: the per-CPU ones of the
    BTF, then WELL_KNOWN; one declaration per line, so a line gcc refuses
    can be left out (generate())."""
    lines, seen = [], set()
    for name, tid, _off in btf.percpu_vars():
        d = btf.declaration(tid, name)
        if d is not None and name not in seen:
            seen.add(name)
            lines.append("extern %s;" % d)
    for name, decl in WELL_KNOWN:
        if name not in seen and _named_ok(btf, decl):
            seen.add(name)
            lines.append("extern %s;" % decl)
    return "".join(l + "\n" for l in lines)


# ------------------------------------------------------------- images

_MAGICS = ((b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b\x08", "gzip"),
           (b"\x28\xb5\x2f\xfd", "zstd"))


def _decompress(blob, off, kind):
    try:
        if kind == "xz":
            return lzma.LZMADecompressor().decompress(blob[off:])
        if kind == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(
                blob[off:])
        if kind == "zstd":
            r = subprocess.run(["zstd", "-dc"], input=blob[off:],
                               capture_output=True, check=False)
            return r.stdout
    except (lzma.LZMAError, zlib.error, OSError):
        return b""
    return b""


def vmlinux_of(blob):
    """The ELF vmlinux in a kernel image: blob itself when it is an ELF,
    else the first xz/gzip/zstd stream after the bzImage's setup code that
    decompresses to an ELF.  None when there is none."""
    if blob[:4] == b"\x7fELF":
        return blob
    for magic, kind in _MAGICS:
        off = blob.find(magic)
        while off >= 0:
            out = _decompress(blob, off, kind)
            if out[:4] == b"\x7fELF":
                return out
            off = blob.find(magic, off + 1)
    return None


def elf_section(elf, want):
    """(address, bytes) of the section named want in a little-endian
    ELF64, or None when it has none."""
    if elf[4] != 2 or elf[5] != 1:
        raise BtfError("not a little-endian ELF64")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)

    def sh(i):
        return struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize)

    strtab = sh(shstrndx)
    for i in range(shnum):
        name, _type, _flags, addr, off, size = sh(i)[:6]
        start = strtab[4] + name
        if elf[start:elf.index(b"\0", start)] == want.encode():
            return addr, elf[off:off + size]
    return None


def banner_version(banner):
    """The release in a linux_banner ("Linux version 6.1.0-57-amd64
    (...)" -> "6.1.0-57-amd64"), or None."""
    w = banner.split()
    if len(w) >= 3 and w[0] == "Linux" and w[1] == "version":
        return w[2]
    return None


def image_candidates(banner):
    """Where this machine may keep the image of the kernel that printed
    banner: /boot/vmlinuz-V, /boot/vmlinux-V, /lib/modules/V/vmlinuz, and
    /usr/lib/debug/boot/vmlinux-V (Debian's -dbg package); only
    $HVGDB_KERNEL_IMAGE when that is set."""
    v = banner_version(banner)
    if os.environ.get("HVGDB_KERNEL_IMAGE"):
        return [os.environ["HVGDB_KERNEL_IMAGE"]]
    if not v:
        return []
    return ["/boot/vmlinuz-" + v, "/boot/vmlinux-" + v,
            "/lib/modules/%s/vmlinuz" % v, "/usr/lib/debug/boot/vmlinux-" + v]


def btf_from_image(path, banner=None):
    """The .BTF section of the kernel image at path.  With banner, the
    image must hold that very banner (the same build, not only the same
    release).  BtfError says why not."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise BtfError("%s: %s" % (path, e.strerror)) from None
    elf = vmlinux_of(blob)
    if elf is None:
        raise BtfError("%s: no ELF kernel in it (not a vmlinux, nor an "
                       "xz/gzip/zstd bzImage)" % path)
    if banner is not None and elf.find(banner.encode("latin-1")) < 0:
        raise BtfError("%s: another build of the kernel (its banner "
                       "differs from the target's)" % path)
    sec = elf_section(elf, ".BTF")
    if sec is None:
        raise BtfError("%s: no .BTF section (a kernel built without "
                       "CONFIG_DEBUG_INFO_BTF)" % path)
    Btf(sec[1])             # it must parse
    return sec[1]


# ------------------------------------------------------------- C, DWARF

def tools_missing():
    """The programs generate() needs that are not installed, as a
    message, or None."""
    miss = [p for p in ("bpftool", "gcc")
            if shutil.which(p) is None and
            not os.path.exists(os.path.join("/usr/sbin", p))]
    if not miss:
        return None
    return ("%s not installed (Debian packages: %s)" %
            (" and ".join(miss), " ".join(
                {"bpftool": "bpftool", "gcc": "gcc"}[p] for p in miss)))


def _bpftool():
    return shutil.which("bpftool") or "/usr/sbin/bpftool"


GCC_FLAGS = ["-g", "-O0", "-c", "-w", "-x", "c",
             "-fno-eliminate-unused-debug-types",
             "-fno-eliminate-unused-debug-symbols",
             "-DBPF_NO_PRESERVE_ACCESS_INDEX"]


def generate(btf_bytes, out_o, c_path=None):
    """The object file out_o, with the DWARF of every BTF type and of the
    typed variables (variables_c).  bpftool writes the C, gcc compiles it;
    declarations gcc refuses (a variable that clashes with a type name)
    are left out and counted.  Returns the number of variables left
    out.  BtfError when bpftool or gcc fails."""
    btf = Btf(btf_bytes)
    miss = tools_missing()
    if miss:
        raise BtfError(miss)
    with tempfile.TemporaryDirectory(prefix="hvgdb-btf-") as d:
        raw = os.path.join(d, "vmlinux.btf")
        with open(raw, "wb") as f:
            f.write(btf_bytes)
        r = subprocess.run([_bpftool(), "btf", "dump", "file", raw,
                            "format", "c"], capture_output=True)
        if r.returncode != 0 or not r.stdout:
            raise BtfError("bpftool btf dump failed: %s" %
                           r.stderr.decode(errors="replace").strip())
        head = r.stdout.decode("latin-1")
        first = head.count("\n") + 2
        var_lines = variables_c(btf).splitlines()
        dropped = 0
        src = c_path or os.path.join(d, "types.c")
        tmp_o = out_o + ".tmp"
        for _attempt in range(3):
            with open(src, "w", encoding="latin-1") as f:
                f.write(head + "\n" + "\n".join(var_lines) + "\n")
            r = subprocess.run(["gcc"] + GCC_FLAGS + ["-o", tmp_o, src],
                               capture_output=True)
            if r.returncode == 0:
                os.replace(tmp_o, out_o)
                return dropped
            bad = set()
            for line in r.stderr.decode(errors="replace").splitlines():
                p = line.split(":")
                if len(p) > 2 and p[0] == src and p[1].isdigit():
                    n = int(p[1]) - first
                    if 0 <= n < len(var_lines):
                        bad.add(n)
            if not bad:
                break
            dropped += len(bad)
            var_lines = [l for i, l in enumerate(var_lines) if i not in bad]
        raise BtfError("gcc could not compile the types: %s" %
                       r.stderr.decode(errors="replace").strip()[-2000:])


# ------------------------------------------------------------- the cache

def cache_root():
    """$HVGDB_CACHE, else $XDG_CACHE_HOME/hvgdb, else ~/.cache/hvgdb."""
    root = os.environ.get("HVGDB_CACHE")
    if not root:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or
                            os.path.expanduser("~/.cache"), "hvgdb")
    return root


def cache_dir(banner):
    """The kernel's directory in the cache: types/<sha256 of the banner,
    20 hex digits>; it holds `banner` (the text), `vmlinux.btf`,
    `types-vN.o` and `source` (where the BTF came from)."""
    key = hashlib.sha256(banner.encode("latin-1")).hexdigest()[:20]
    return os.path.join(cache_root(), "types", key)


def object_name():
    return "types-v%d.o" % GEN_VERSION


def _write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def cache_store(banner, btf_bytes, source):
    """Keeps the BTF under the banner's key; returns the directory."""
    d = cache_dir(banner)
    os.makedirs(d, exist_ok=True)
    _write(os.path.join(d, "banner"), banner.encode("latin-1"))
    _write(os.path.join(d, "vmlinux.btf"), btf_bytes)
    _write(os.path.join(d, "source"), source.encode() + b"\n")
    return d


def cache_lookup(banner):
    """(object path or None, btf path or None) of the cache for this
    banner; the stored banner must be equal (no hash collision)."""
    d = cache_dir(banner)
    try:
        with open(os.path.join(d, "banner"), "rb") as f:
            if f.read() != banner.encode("latin-1"):
                return None, None
    except OSError:
        return None, None
    o = os.path.join(d, object_name())
    b = os.path.join(d, "vmlinux.btf")
    return (o if os.path.exists(o) else None,
            b if os.path.exists(b) else None)


def cached_object(banner, btf_bytes=None):
    """The object of the banner's types, from the cache, building it from
    the cached (or given) BTF when missing.  None when nothing is
    cached and no BTF was given."""
    obj, raw = cache_lookup(banner)
    if obj:
        return obj
    if btf_bytes is None:
        if raw is None:
            return None
        with open(raw, "rb") as f:
            btf_bytes = f.read()
    d = cache_dir(banner)
    os.makedirs(d, exist_ok=True)
    obj = os.path.join(d, object_name())
    generate(btf_bytes, obj, os.path.join(d, "types.c"))
    return obj
