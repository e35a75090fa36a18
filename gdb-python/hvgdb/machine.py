# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  the machine at a stop: MSRs, address translation, the CPUs and their
#  tasks, through the module's machine-readable replies (`.kv`), never its
#  human layout

import collections

from hvgdb import remote


class Cpu(collections.namedtuple("Cpu", "cpu task pid state tid tgid "
                                        "task_addr halted")):
    """One CPU at a stop: cpu (its number; gdb's thread cpu + 1 = tid),
    task (the name of the task it ran, the kernel's current), pid and
    tgid, state (its activity: "active", "hlt", ...), task_addr (the
    task_struct), halted (False: it did not stop, and the task fields are
    None)."""


def _check_int(name, v, bits):
    if not isinstance(v, int) or v < 0 or v >> bits:
        raise ValueError("%s: expected an integer in 0..%#x, got %r" %
                         (name, (1 << bits) - 1, v))


def msr(index, cpu=None):
    """The MSR's value on CPU cpu, as the guest there reads it; with cpu
    None, a {cpu: value} dict of every online CPU.  MonitorError when the
    MSR faults or the CPU is not online."""
    _check_int("msr", index, 32)
    cmd = "rdmsr %x" % index
    if cpu is not None:
        _check_int("cpu", cpu, 31)
        cmd += " core %x" % cpu
    vals = {f["cpu"]: f["value"] for kind, f in remote.records(cmd)
            if kind == "msr"}
    return vals if cpu is None else vals[cpu]


def write_msr(index, value, cpu=None):
    """Writes the MSR on CPU cpu, or on every online CPU (all of them or,
    when one faults, none).  MonitorError when refused."""
    _check_int("msr", index, 32)
    _check_int("value", value, 64)
    cmd = "wrmsr %x %x" % (index, value)
    if cpu is not None:
        _check_int("cpu", cpu, 31)
        cmd += " core %x" % cpu
    remote.monitor(cmd)


def va2pa(addr, cpu=None):
    """The physical address of the virtual address addr in the page
    tables of CPU cpu (gdb's selected thread's when None).  MonitorError
    when it is not mapped."""
    _check_int("addr", addr, 64)
    cmd = "!va2pa %x" % addr
    if cpu is not None:
        _check_int("cpu", cpu, 31)
        cmd += " core %x" % cpu
    for kind, f in remote.records(cmd):
        if kind == "va2pa":
            return f["pa"]
    raise remote.MonitorError("!va2pa gave no record", cmd)


def pa2va(pa):
    """The kernel's direct-map address of physical RAM address pa.
    MonitorError when pa is not RAM."""
    _check_int("pa", pa, 64)
    for kind, f in remote.records("!pa2va %x" % pa):
        if kind == "pa2va":
            return f["va"]
    raise remote.MonitorError("!pa2va gave no record", "!pa2va %x" % pa)


def cpus():
    """The online CPUs at this stop, as Cpu tuples (cpu, task, pid, state,
    ...) in CPU order."""
    out = []
    for kind, f in remote.records("cpus"):
        if kind != "cpu":
            continue
        halted = bool(f.get("halted"))
        out.append(Cpu(f["cpu"], f.get("comm"), f.get("pid"),
                       f.get("state", "not halted"), f["tid"], f.get("tgid"),
                       f.get("task"), halted))
    return out
