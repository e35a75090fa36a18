# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  HyperDbg's events from Python: list, add, enable, disable, clear,
#  through the module's machine-readable replies (`.kv events`)

import collections

from hvgdb import remote


class Event:
    """An event of hvgdb.ko: id, enabled, command (the text as given),
    action ("break" or "script").  The values are those of the listing it
    came from; enable(), disable() and clear() change the module's event
    and this object's fields, and raise MonitorError when the module
    refuses (an event already cleared)."""

    def __init__(self, fields):
        self.id = fields["id"]
        self.enabled = bool(fields["enabled"])
        self.command = fields["command"]
        self.action = fields.get("action", "break")

    def __repr__(self):
        return "Event(id=%#x, enabled=%s, command=%r)" % (
            self.id, self.enabled, self.command)

    def __eq__(self, other):
        return isinstance(other, Event) and (
            (self.id, self.enabled, self.command) ==
            (other.id, other.enabled, other.command))

    def enable(self):
        remote.monitor("events e %x" % self.id)
        self.enabled = True

    def disable(self):
        remote.monitor("events d %x" % self.id)
        self.enabled = False

    def clear(self):
        remote.monitor("events c %x" % self.id)
        self.enabled = False


def events():
    """The module's events, in id order, as Event objects."""
    return [Event(f) for kind, f in remote.records("events")
            if kind == "event"]


def add_event(cmd):
    """Adds an event (an event command as `hv` takes it, "!cpuid 4711
    script { ... }") and returns its Event.  MonitorError with the
    module's words when refused."""
    for kind, f in remote.records(cmd):
        if kind == "event":
            return Event(f)
    raise remote.MonitorError("%r added no event (not an event command)" %
                              cmd, cmd)


class Hit(collections.namedtuple("Hit", "id type context core pid stage "
                                        "cr2")):
    """The event a stop is for: id, type ("!cpuid", "!epthook", ...),
    context ($context), core (the CPU), pid (its process), stage ("pre"
    or "post"), cr2 (the faulting address of a #PF, else None)."""


def stop():
    """The event of the current stop as a Hit, or None when the system
    stopped for something else (Ctrl-C, a breakpoint, a step)."""
    for kind, f in remote.records("stop"):
        if kind == "stop" and f.get("reason") == "event":
            return Hit(f["event"], f["type"], f["context"], f["core"],
                       f["pid"], f["stage"], f.get("cr2"))
    return None
