# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  the package: `python import hvgdb` in gdb (after `make install`, or with
#  gdb-python/ of a checkout on sys.path) gives the calls below and the
#  `hv` command.  Reference: docs/python.md.
#
# Modules, one per concern:
#   remote    monitor(), MonitorError: monitor commands and refusals
#   language  the command language (words, blocks, numbers, completion);
#             needs no gdb
#   symbols   kernel symbol addresses, cached
#   memory    read_phys() and !dump (physical memory through PhyMemMode)
#   machine   msr(), write_msr(), va2pa(), pa2va(), cpus() (`.kv` replies)
#   eventctl  events(), add_event(), Event, stop() (`.kv` replies); not
#             named events: hvgdb.events is the function
#   functions $hv_msr, $hv_va2pa, $hv_pa2va, $hv_cpu
#   btfgen    kernel types from BTF: parse, C, DWARF, the cache; needs no
#             gdb
#   btf       the types in gdb: `hv types`, and on connect when cheap
#   kernel    tasks(), modules(), dmesg(), per_cpu(), current(); hv ps,
#             lsmod, dmesg, current; $hv_per_cpu, $hv_current
#   hv        the `hv` command

try:
    import gdb
except ImportError:     # plain Python: only hvgdb.language is usable
    gdb = None

if gdb is not None:
    from hvgdb.remote import MonitorError, monitor
    from hvgdb.memory import read_phys
    from hvgdb.machine import Cpu, cpus, msr, pa2va, va2pa, write_msr
    from hvgdb.eventctl import Event, Hit, add_event, events, stop
    from hvgdb import btf       # loads types on connect
    from hvgdb.kernel import (Message, Module, Task, current, dmesg,
                              modules, per_cpu, tasks)
    from hvgdb import hv        # registers the command
    from hvgdb import functions  # registers $hv_msr and the others

    __all__ = ["MonitorError", "monitor", "read_phys", "Cpu", "cpus", "msr",
               "write_msr", "va2pa", "pa2va", "Event", "events",
               "add_event", "Hit", "stop", "Task", "tasks", "Module",
               "modules", "Message", "dmesg", "per_cpu", "current"]
