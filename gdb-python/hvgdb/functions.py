# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  convenience functions for gdb expressions: $hv_msr, $hv_va2pa,
#  $hv_pa2va, $hv_cpu

import gdb

from hvgdb import machine


def _int(v, name):
    try:
        return int(v)
    except (gdb.error, TypeError, ValueError):
        raise gdb.GdbError("%s: expected an integer, got %s" % (name, v))


def _u64(v):
    return gdb.Value(v).cast(gdb.lookup_type("unsigned long long"))


class HvMsr(gdb.Function):
    """$hv_msr(index[, cpu]): the MSR's value on CPU cpu (gdb's selected
thread's CPU when omitted), as the guest there reads it."""

    def __init__(self):
        super().__init__("hv_msr")

    def invoke(self, index, cpu=None):
        if cpu is None:
            cpu = gdb.selected_thread().ptid[1] - 1
        return _u64(machine.msr(_int(index, "index"), _int(cpu, "cpu")))


class HvVa2pa(gdb.Function):
    """$hv_va2pa(addr[, cpu]): the physical address of a virtual one, in
the page tables of CPU cpu (gdb's selected thread's when omitted)."""

    def __init__(self):
        super().__init__("hv_va2pa")

    def invoke(self, addr, cpu=None):
        return _u64(machine.va2pa(_int(addr, "addr") & ((1 << 64) - 1),
                                  None if cpu is None else _int(cpu, "cpu")))


class HvPa2va(gdb.Function):
    """$hv_pa2va(pa): the kernel's direct-map address of physical RAM."""

    def __init__(self):
        super().__init__("hv_pa2va")

    def invoke(self, pa):
        return _u64(machine.pa2va(_int(pa, "pa")))


class HvCpu(gdb.Function):
    """$hv_cpu(): the CPU of gdb's selected thread (thread N is CPU N-1)."""

    def __init__(self):
        super().__init__("hv_cpu")

    def invoke(self):
        return gdb.Value(gdb.selected_thread().ptid[1] - 1)


HvMsr()
HvVa2pa()
HvPa2va()
HvCpu()
