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
#   dispatch  on_event's handlers and resume decisions; needs no gdb
#   onevent   on_event(), run(), `hv continue` (gdb's stop/prompt events)
#   kcache    the kernel symbol cache, kallsyms sources; needs no gdb
#   ksyms     kernel symbols loaded at connection, from the cache or kallsyms
#   forward   output sources and the routing of forwarded event output;
#             needs no gdb
#   output    `hv output`, on_output(): the spool and its reader thread
#   btfgen    kernel types from BTF: parse, C, DWARF, the cache; needs no
#             gdb
#   btf       the types in gdb: `hv types`, and on connect when cheap
#   kernel    tasks(), modules(), dmesg(), per_cpu(), current(); hv ps,
#             lsmod, dmesg, current; $hv_per_cpu, $hv_current
#   hv        the `hv` command

try:
    import gdb
except ImportError:     # plain Python: language, dispatch, kcache, forward
    gdb = None

if gdb is not None:
    from hvgdb.remote import MonitorError, monitor
    from hvgdb.memory import read_phys
    from hvgdb.machine import Cpu, cpus, msr, pa2va, va2pa, write_msr
    from hvgdb.eventctl import Event, Hit, add_event, events, stop
    from hvgdb.onevent import on_event, remove_event_handler, run
    from hvgdb.output import on_output
    from hvgdb import hv        # registers the command
    from hvgdb import functions  # registers $hv_msr and the others
    from hvgdb import ksyms     # kernel symbols at each connection's stop
    from hvgdb.ksyms import load as kernel_symbols
    from hvgdb import btf
    btf.watch()                 # after ksyms's: the types need the symbols
    from hvgdb.kernel import (Message, Module, Task, current, dmesg,
                              modules, per_cpu, tasks)

    __all__ = ["MonitorError", "monitor", "read_phys", "Cpu", "cpus", "msr",
               "write_msr", "va2pa", "pa2va", "Event", "events",
               "add_event", "Hit", "stop", "on_event",
               "remove_event_handler", "run", "kernel_symbols",
               "on_output", "Task", "tasks", "Module", "modules", "Message",
               "dmesg", "per_cpu", "current"]

    ksyms.at_import()
    btf.at_import()             # after the symbols: the types need them
