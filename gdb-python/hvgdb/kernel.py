# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  the kernel's own state through its types (btf.py): tasks(), modules()
#  (with their kallsyms symbols loaded), dmesg(), per_cpu(), current(),
#  the `hv ps|lsmod|dmesg|current|types` commands and $hv_per_cpu,
#  $hv_current.  Modeled on Linux's scripts/gdb (lx-ps, lx-lsmod,
#  lx-dmesg, lx-per-cpu, lx-current), written for hvgdb: every read goes
#  through gdb's memory packets, so the code reads each field it needs
#  and no more (the link may be a serial line).  Reference:
#  docs/python.md, docs/types.md.

import atexit
import collections
import os
import subprocess
import tempfile

import gdb

from hvgdb import btf
from hvgdb import kcache


class Task(collections.namedtuple("Task", "pid tgid comm state cpu addr")):
    """A task: pid, tgid, comm, state (ps's letter: R S D T t X Z P I),
    cpu (the CPU it last ran on), addr (its task_struct)."""


class Module(collections.namedtuple("Module",
                                    "name base size refcount state addr")):
    """A loaded module: name, base (its core's address), size (as
    /proc/modules counts it: core and init), refcount, state ("live",
    "coming", "going", "unformed"), addr (its struct module)."""


class Message(collections.namedtuple("Message",
                                     "seq time_ns level text")):
    """A printk record: seq, time_ns (its timestamp), level (0-7), text
    (without the line break; a record may hold several lines)."""


_offsets = {}


def _ulong():
    return gdb.lookup_type("unsigned long")


def offsetof(ctype, member):
    """offsetof(ctype, member) from gdb's types (through anonymous
    structs, as C)."""
    key = (ctype, member)
    if key not in _offsets:
        _offsets[key] = int(gdb.parse_and_eval(
            "(unsigned long)&((%s *)0)->%s" % (ctype, member)))
    return _offsets[key]


def _forget(event=None):
    _offsets.clear()
    _ptypes.clear()
    _spans.clear()


gdb.events.new_objfile.connect(_forget)
gdb.events.clear_objfiles.connect(_forget)


def container_of(ptr, ctype, member):
    """The ctype * whose member is at ptr."""
    addr = int(ptr.cast(_ulong())) - offsetof(ctype, member)
    return gdb.Value(addr).cast(_pointer(ctype))


_ptypes = {}


def _pointer(ctype):
    if ctype not in _ptypes:
        _ptypes[ctype] = gdb.parse_and_eval("(%s *)0" % ctype).type
    return _ptypes[ctype]


def list_entries(head, ctype, member):
    """The ctype * entries of the list whose head (a struct list_head *)
    is head, linked through member."""
    head_addr = int(head.cast(_ulong()))
    node = head["next"]
    seen = 0
    while int(node.cast(_ulong())) != head_addr:
        if not int(node.cast(_ulong())):
            raise gdb.GdbError("a NULL link in the list at %#x" % head_addr)
        yield container_of(node, ctype, member)
        node = node["next"]
        seen += 1
        if seen > 1 << 20:
            raise gdb.GdbError("the list at %#x does not end" % head_addr)


def _has(val, field):
    try:
        val[field]
        return True
    except gdb.error:
        return False


# ------------------------------------------------------------- per-CPU

def cpu_of_thread():
    """gdb's selected thread's CPU (thread N is CPU N-1)."""
    th = gdb.selected_thread()
    if th is None:
        raise gdb.GdbError("no thread selected: not connected?")
    return th.ptid[1] - 1


def per_cpu_ptr(name, cpu):
    """A pointer to CPU cpu's copy of the per-CPU variable name (typed
    when BTF knows the variable)."""
    btf.require()
    try:
        var = gdb.parse_and_eval("&%s" % name)
    except gdb.error:
        raise gdb.GdbError("no per-CPU variable %s" % name) from None
    nr = int(gdb.parse_and_eval("nr_cpu_ids"))
    if not 0 <= cpu < nr:
        raise gdb.GdbError("cpu %d: the kernel has %d CPU ids" % (cpu, nr))
    off = int(gdb.parse_and_eval("__per_cpu_offset[%d]" % cpu))
    return gdb.Value(int(var.cast(_ulong())) + off).cast(var.type)


def per_cpu(name, cpu):
    """CPU cpu's copy of the per-CPU variable name."""
    return per_cpu_ptr(name, cpu).dereference()


def current(cpu=None):
    """The task running on CPU cpu (gdb's selected thread's when None),
    as a struct task_struct * Value: the per-CPU current_task (before
    6.2) or pcpu_hot.current_task."""
    if cpu is None:
        cpu = cpu_of_thread()
    try:
        return per_cpu("current_task", cpu)
    except gdb.GdbError:
        return per_cpu("pcpu_hot", cpu)["current_task"]


# ------------------------------------------------------------- tasks

# fs/proc/array.c task_state_array, indexed by fls(state & TASK_REPORT)
_STATE_LETTERS = "RSDTtXZPI"
_TASK_REPORT = 0x7F
_TASK_IDLE = 0x402


def state_letter(state, exit_state):
    if state == _TASK_IDLE:
        return "I"
    s = (state | exit_state) & _TASK_REPORT
    return _STATE_LETTERS[s.bit_length()] if s.bit_length() < 9 else "?"


def _struct_type(ctype):
    return _pointer(ctype).target()


_spans = {}
# Two fields closer than this are read in one piece: a round trip costs
# about as much as 256 bytes more (hex) on a 115200-baud line.
_GAP = 256


def fetch(addr, ctype, fields):
    """The ctype at addr as a gdb.Value (without an address) in which only
    the given fields (C member paths) hold the target's bytes: read in as
    few pieces as their offsets allow, a round trip costing more than a
    few hundred bytes on a serial line."""
    key = (ctype, tuple(fields))
    if key not in _spans:
        parts = sorted((offsetof(ctype, f), int(gdb.parse_and_eval(
            "sizeof(((%s *)0)->%s)" % (ctype, f)))) for f in fields)
        spans = []
        for off, size in parts:
            if spans and off <= spans[-1][1] + _GAP:
                spans[-1][1] = max(spans[-1][1], off + size)
            else:
                spans.append([off, off + size])
        _spans[key] = spans
    t = _struct_type(ctype)
    buf = bytearray(t.sizeof)
    inf = gdb.selected_inferior()
    for lo, hi in _spans[key]:
        buf[lo:hi] = bytes(inf.read_memory(addr + lo, hi - lo))
    return gdb.Value(bytes(buf), t)


def _task_fields():
    t = gdb.parse_and_eval("(struct task_struct *)0").dereference()
    f = ["tasks", "pid", "tgid", "comm", "exit_state",
         "__state" if _has(t, "__state") else "state",
         "cpu" if _has(t, "cpu") else "thread_info.cpu"]
    f += ["thread_group"] if _has(t, "thread_group") else ["signal"]
    return f


def _task_record(addr, v):
    s = v["__state"] if _has(v, "__state") else v["state"]
    cpu = v["cpu"] if _has(v, "cpu") else v["thread_info"]["cpu"]
    comm = bytes(int(c) & 0xFF for c in (v["comm"][i] for i in range(16)))
    return Task(int(v["pid"]), int(v["tgid"]),
                comm.split(b"\0")[0].decode("latin-1"),
                state_letter(int(s), int(v["exit_state"])), int(cpu), addr)


def _ptr(v):
    return int(v.cast(_ulong())) if v.type.code == gdb.TYPE_CODE_PTR \
        else int(v)


def task_values():
    """(address, Value) of every task, thread group by thread group from
    init_task (lx's task_lists()); each Value holds the fields of
    _task_fields() only."""
    btf.require()
    ct = "struct task_struct"
    fields = _task_fields()
    init = int(gdb.parse_and_eval("&init_task").cast(_ulong()))
    g, n = init, 0
    while True:
        gv = fetch(g, ct, fields)
        for t, tv in _threads(g, gv, fields):
            yield t, tv
        g = _ptr(gv["tasks"]["next"]) - offsetof(ct, "tasks")
        n += 1
        if g == init:
            return
        if n > 1 << 20 or not g:
            raise gdb.GdbError("the task list does not end")


def _threads(g, gv, fields):
    ct = "struct task_struct"
    if "thread_group" in fields:
        t, tv = g, gv
        while True:
            yield t, tv
            t = _ptr(tv["thread_group"]["next"]) - offsetof(ct,
                                                            "thread_group")
            if t == g:
                return
            tv = fetch(t, ct, fields)
    sig = _ptr(gv["signal"])
    if not sig:
        yield g, gv
        return
    head = sig + offsetof("struct signal_struct", "thread_head")
    node = _ptr(fetch(sig, "struct signal_struct",
                      ["thread_head"])["thread_head"]["next"])
    while node != head:
        t = node - offsetof(ct, "thread_node")
        tv = gv if t == g else fetch(t, ct, fields + ["thread_node"])
        yield t, tv
        if t == g:
            tv = fetch(t, ct, ["thread_node"])
        node = _ptr(tv["thread_node"]["next"])


def task_pointers():
    """Every task as a struct task_struct * Value."""
    tp = _pointer("struct task_struct")
    for addr, _v in task_values():
        yield gdb.Value(addr).cast(tp)


def tasks():
    """Every task as a Task record."""
    return [_task_record(a, v) for a, v in task_values()]


# ------------------------------------------------------------- modules

_MOD_STATES = {0: "live", 1: "coming", 2: "going", 3: "unformed"}


def _module_record(m):
    if _has(m, "core_layout"):
        base = int(m["core_layout"]["base"].cast(_ulong()))
        size = int(m["core_layout"]["size"]) + int(m["init_layout"]["size"])
    else:                                   # 6.4+: mem[MOD_*]
        mem = m["mem"]
        lo, hi = mem.type.range()
        base = int(mem[0]["base"].cast(_ulong()))
        size = sum(int(mem[i]["size"]) for i in range(lo, hi + 1))
    name = m["name"].string(length=56).split("\0")[0]
    return Module(name, base, size, int(m["refcnt"]["counter"]),
                  _MOD_STATES.get(int(m["state"]), str(int(m["state"]))),
                  int(m.address.cast(_ulong())))


def module_pointers():
    btf.require()
    return list_entries(gdb.parse_and_eval("&modules"), "struct module",
                        "list")


def modules():
    """The loaded modules, as Module records, newest first (as
    /proc/modules)."""
    return [_module_record(p.dereference()) for p in module_pointers()]


def module_kallsyms(m):
    """The kallsyms lines (`ADDR TYPE NAME\\t[module]`) of struct module
    *m, from its mod_kallsyms: symtab, strtab, typetab, each read in one
    piece."""
    ks = m["kallsyms"]
    if not int(ks.cast(_ulong())):
        return []
    n = int(ks["num_symtab"])
    if n <= 0 or n > 1 << 20:
        return []
    inf = gdb.selected_inferior()
    sym = bytes(inf.read_memory(int(ks["symtab"].cast(_ulong())), 24 * n))
    types = bytes(inf.read_memory(int(ks["typetab"].cast(_ulong())), n))
    entries = [(int.from_bytes(sym[24 * i:24 * i + 4], "little"),
                int.from_bytes(sym[24 * i + 6:24 * i + 8], "little"),
                int.from_bytes(sym[24 * i + 8:24 * i + 16], "little"))
               for i in range(n)]
    top = max((e[0] for e in entries), default=0)
    strtab = bytes(inf.read_memory(int(ks["strtab"].cast(_ulong())),
                                   top + 256))
    name = m["name"].string(length=56).split("\0")[0]
    out = []
    for i, (st_name, shndx, value) in enumerate(entries):
        if not st_name or not shndx or not value:
            continue
        end = strtab.find(b"\0", st_name)
        sname = strtab[st_name:end].decode("latin-1")
        letter = chr(types[i]) if 32 < types[i] < 127 else "t"
        if sname and letter not in "Uu":
            out.append("%016x %s %s\t[%s]" % (value, letter, sname, name))
    return out


_mod_syms = {"path": None}


@atexit.register
def _remove_module_symbols():
    if _mod_syms["path"]:
        try:
            os.unlink(_mod_syms["path"])
        except OSError:
            pass


def load_module_symbols():
    """Every module's kallsyms symbols into gdb (one symbol file made by
    hvgdb-syms --modules, replacing the previous one).  Returns the
    number of symbols."""
    lines = []
    for p in module_pointers():
        lines += module_kallsyms(p.dereference())
    try:
        tool = kcache.find_tool()
    except kcache.SourceError as e:
        raise gdb.GdbError("lsmod: %s" % e) from None
    fd, out = tempfile.mkstemp(prefix="hvgdb-modsyms-", suffix=".elf")
    os.close(fd)
    r = subprocess.run([tool, "--modules", "-o", out, "-"],
                       input="\n".join(lines) + "\n", text=True,
                       capture_output=True)
    if r.returncode != 0:
        os.unlink(out)
        raise gdb.GdbError("hvgdb-syms: %s" % r.stderr.strip())
    old = _mod_syms["path"]
    if old and any(o.filename == old for o in gdb.objfiles()):
        gdb.execute("remove-symbol-file %s" % old, to_string=True)
    if old and os.path.exists(old):
        os.unlink(old)
    gdb.execute("add-symbol-file %s" % out, to_string=True)
    _mod_syms["path"] = out
    return len(lines)


# ------------------------------------------------------------- dmesg

_DESC_COMMITTED, _DESC_FINALIZED = 1, 2


def _ring_read(base, elem, first, count, ring):
    """count elements of elem bytes from index first of a ring of ring
    elements at base, in at most two reads."""
    inf = gdb.selected_inferior()
    out = b""
    while count:
        n = min(count, ring - first)
        out += bytes(inf.read_memory(base + first * elem, n * elem))
        count -= n
        first = 0
    return out


def dmesg():
    """The records of the printk ring buffer (5.10+: prb), oldest
    first, as Message records (lx-dmesg's walk).  The descriptors, the
    infos and the text are each read in one or two pieces."""
    btf.require()
    inf = gdb.selected_inferior()
    try:
        prb = gdb.parse_and_eval("prb").dereference()
        prb.type.fields()
    except gdb.error:
        raise gdb.GdbError("dmesg: no printk ring buffer (prb, struct "
                           "printk_ringbuffer: kernels 5.10 and later)") \
            from None
    dr = prb["desc_ring"]
    ring_count = 1 << int(dr["count_bits"])
    descs = _ptr(dr["descs"])
    infos = _ptr(dr["infos"])
    desc_t = gdb.lookup_type("struct prb_desc")
    info_t = gdb.lookup_type("struct printk_info")
    tdr = prb["text_data_ring"]
    text_size = 1 << int(tdr["size_bits"])
    text_data = _ptr(tdr["data"])
    bits = 8 * _ulong().sizeof
    full = (1 << bits) - 1
    flags_shift = bits - 2
    id_mask = (1 << flags_shift) - 1
    tail = int(dr["tail_id"]["counter"]) & id_mask
    head = int(dr["head_id"]["counter"]) & id_mask
    count = min(((head - tail) & id_mask) + 1, ring_count)
    first = tail % ring_count
    dsz, isz = desc_t.sizeof, info_t.sizeof
    dbytes = _ring_read(descs, dsz, first, count, ring_count)
    ibytes = _ring_read(infos, isz, first, count, ring_count)
    recs = []
    for i in range(count):
        desc = gdb.Value(dbytes[i * dsz:(i + 1) * dsz], desc_t)
        sv = int(desc["state_var"]["counter"]) & full
        if 3 & (sv >> flags_shift) not in (_DESC_COMMITTED,
                                           _DESC_FINALIZED):
            continue
        info = gdb.Value(ibytes[i * isz:(i + 1) * isz], info_t)
        begin = int(desc["text_blk_lpos"]["begin"]) % text_size
        end = int(desc["text_blk_lpos"]["next"]) % text_size
        if begin > end:             # the block wrapped: its text is at 0
            begin = 0
        start = begin + _ulong().sizeof     # skip the block's id
        n = int(info["text_len"])
        if end - start < n:
            n = max(end - start, 0)
        recs.append((start, n, info))
    # The text of all records, read as the few runs it makes in the ring.
    runs = []
    for start, n, _info in sorted(recs, key=lambda r: r[0]):
        if not n:
            continue
        if runs and start <= runs[-1][1] + _GAP:
            runs[-1][1] = max(runs[-1][1], start + n)
        else:
            runs.append([start, start + n])
    text = {}
    for lo, hi in runs:
        text[lo] = bytes(inf.read_memory(text_data + lo, hi - lo))
    out = []
    for start, n, info in recs:
        body = b""
        for lo, hi in runs:
            if lo <= start and start + n <= hi:
                body = text[lo][start - lo:start - lo + n]
        out.append(Message(int(info["seq"]), int(info["ts_nsec"]),
                           int(info["level"]),
                           body.decode("utf-8", "replace")))
    return out


def format_message(m):
    s, ns = divmod(m.time_ns, 1000000000)
    return "".join("[%5d.%06d] %s\n" % (s, ns // 1000, line)
                   for line in (m.text.split("\n") or [""]))


# ------------------------------------------------------------- commands

def _ps(arg, from_tty):
    gdb.write("%7s %7s %-16s %s %3s %s\n" % ("PID", "TGID", "COMM", "S",
                                            "CPU", "TASK"))
    for t in tasks():
        gdb.write("%7d %7d %-16s %s %3d %#x\n" % (t.pid, t.tgid, t.comm,
                                                 t.state, t.cpu, t.addr))


def _lsmod(arg, from_tty):
    mods = modules()
    gdb.write("%-24s %-18s %8s %4s %s\n" % ("Module", "Address", "Size",
                                           "Used", "State"))
    for m in mods:
        gdb.write("%-24s %#018x %8d %4d %s\n" % (m.name, m.base, m.size,
                                                  m.refcount, m.state))
    if arg.strip() != "--no-symbols":
        n = load_module_symbols()
        gdb.write("%d module symbols loaded\n" % n)


def _dmesg(arg, from_tty):
    for m in dmesg():
        gdb.write(format_message(m))


def _current(arg, from_tty):
    arg = arg.strip()
    try:
        cpu = int(arg, 0) if arg else cpu_of_thread()
    except ValueError:
        raise gdb.GdbError("usage: hv current [CPU]") from None
    addr = _ptr(current(cpu))
    r = _task_record(addr, fetch(addr, "struct task_struct",
                                 _task_fields()))
    gdb.write("cpu %d: pid %d tgid %d comm %s state %s "
              "(struct task_struct *) %#x\n" %
              (cpu, r.pid, r.tgid, r.comm, r.state, r.addr))


def _types(arg, from_tty):
    btf.types_command(arg, from_tty)


# The commands `hv` answers itself ({name: fn(arg, from_tty)}).
COMMANDS = {"ps": _ps, "lsmod": _lsmod, "dmesg": _dmesg,
            "current": _current, "types": _types}


class HvPerCpu(gdb.Function):
    """$hv_per_cpu("var"[, cpu]): CPU cpu's copy of the per-CPU variable
var (gdb's selected thread's CPU when omitted)."""

    def __init__(self):
        super().__init__("hv_per_cpu")

    def invoke(self, name, cpu=None):
        return per_cpu(name.string(), cpu_of_thread() if cpu is None
                       else int(cpu))


class HvCurrent(gdb.Function):
    """$hv_current([cpu]): the struct task_struct * running on CPU cpu
(gdb's selected thread's CPU when omitted)."""

    def __init__(self):
        super().__init__("hv_current")

    def invoke(self, cpu=None):
        return current(None if cpu is None else int(cpu))


HvPerCpu()
HvCurrent()
