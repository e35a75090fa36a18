# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  event forwarding without gdb: HyperDbg's output sources (`hv output
#  create|open|close`), the module's tagged records (monitor-cmds/
#  event_forward.h) read from the spool, and their routing to the
#  sources' files and TCP connections and to on_output callbacks.
#  hvgdb.output is the gdb side (the spool, the reader thread, the
#  module's `.output`).  tests/python/test_forward.py runs this in plain
#  Python.

import socket
import threading

# As the module's (monitor-cmds/event_forward.h).
NAME_MAX = 32
SOURCES_MAX = 8


class OutputError(Exception):
    """A refused `hv output` command, in words for the user."""


def _check_name(name):
    if not name or len(name) > NAME_MAX or \
            not all(c.isascii() and (c.isalnum() or c == "_") for c in name):
        raise OutputError("output names are 1 to %d letters, digits and "
                          "'_': %r" % (NAME_MAX, name))


def parse_address(text):
    """HOST:PORT of a tcp source as (host, port); OutputError if not."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or \
            not 0 < int(port) < 65536:
        raise OutputError("expected HOST:PORT (a port 1-65535) for tcp, "
                          "got %r" % text)
    return host.strip("[]"), int(port)


def parse_command(args):
    """`hv output` ARGS as (verb, name, kind, target): ("list", None, None,
    None), ("create", name, "file"|"tcp", path or (host, port)), ("open",
    name, ...), ("close", name, ...).  OutputError with the reason."""
    words = args.split()
    if not words:
        return ("list", None, None, None)
    verb = words[0].lower()
    if verb == "create":
        if len(words) < 4:
            raise OutputError("usage: hv output create NAME file PATH | "
                              "tcp HOST:PORT")
        name, kind = words[1], words[2].lower()
        _check_name(name)
        target = args.split(None, 3)[3].strip()
        if kind == "file":
            return ("create", name, kind, target)
        if kind == "tcp":
            if len(words) != 4:
                raise OutputError("expected HOST:PORT after tcp, got %r" %
                                  target)
            return ("create", name, kind, parse_address(target))
        if kind in ("namedpipe", "module"):
            raise OutputError("%s outputs are Windows' (a named pipe, a "
                              "DLL): hvgdb has file and tcp" % kind)
        raise OutputError("expected 'file' or 'tcp' after the name, got %r"
                          % words[2])
    if verb in ("open", "close"):
        if len(words) != 2:
            raise OutputError("usage: hv output %s NAME" % verb)
        return (verb, words[1], None, None)
    raise OutputError("expected create, open or close after 'output', got "
                      "%r" % words[0])


def parse_record(line):
    """One record of the spool (bytes, without its line break) as (event
    id, output name or None for a console line, text as str).  None for a
    line that is not a record."""
    parts = line.split(b" ", 2)
    if len(parts) != 3 or not parts[0].startswith(b"0x"):
        return None
    try:
        eid = int(parts[0][2:], 16)
    except ValueError:
        return None
    name = parts[1].decode("ascii", "replace")
    text = parts[2].decode("utf-8", "replace")
    return (eid, None if name == "-" else name, text)


class Source:
    """One output source: where its lines go and what became of them.
    state: "created", "open", "closed" (by the user; HyperDbg's rule: a
    closed source is not opened again) or "broken" (its file or
    connection failed; error says how)."""

    def __init__(self, name, kind, target):
        self.name, self.kind, self.target = name, kind, target
        self.state = "created"
        self.error = None
        self.delivered = 0       # lines written to the destination
        self.undelivered = 0     # lines that came while not open
        self._dest = None

    def describe(self):
        where = self.target if self.kind == "file" else \
            "%s:%d" % self.target
        return "%s %s" % (self.kind, where)

    def open(self, timeout=5):
        if self.state == "open":
            raise OutputError("output %s is open already" % self.name)
        if self.state in ("closed", "broken"):
            raise OutputError("output %s was closed and cannot be opened "
                              "again: create a new one" % self.name)
        try:
            if self.kind == "file":
                self._dest = open(self.target, "ab", buffering=0)
            else:
                self._dest = socket.create_connection(self.target, timeout)
                self._dest.settimeout(timeout)
        except OSError as e:
            raise OutputError("output %s: cannot open %s: %s" %
                              (self.name, self.describe(),
                               e.strerror or e)) from None
        self.state = "open"

    def write(self, data, lines):
        """Called by the router with its lock held; a notice (str) the
        first time lines cannot be delivered, else None."""
        if self.state != "open":
            first = not self.undelivered
            self.undelivered += lines
            if first:
                return ("hvgdb: output %s is %s: its lines are counted, "
                        "not delivered (hv output)\n" % (self.name,
                                                          self.state))
            return None
        try:
            if self.kind == "file":
                self._dest.write(data)
            else:
                self._dest.sendall(data)
            self.delivered += lines
        except OSError as e:
            self.undelivered += lines
            self.state = "broken"
            self.error = e.strerror or str(e)
            self._shut()
            return ("hvgdb: output %s broke (%s): its lines are counted, "
                    "not delivered (hv output)\n" % (self.name, self.error))
        return None

    def close(self):
        if self.state == "open":
            self._shut()
        if self.state != "broken":
            self.state = "closed"

    def _shut(self):
        try:
            self._dest.close()
        except OSError:
            pass
        self._dest = None

    def summary(self):
        s = "%s: %s, %s, %d lines delivered" % (
            self.name, self.describe(), self.state, self.delivered)
        if self.undelivered:
            s += ", %d lines not delivered (%s)" % (
                self.undelivered,
                "broken: %s" % self.error if self.state == "broken" else
                "arrived while not open")
        elif self.state == "broken":
            s += " (broken: %s)" % self.error
        return s


class Router:
    """The sources and the spool's reader side: feed() takes the spool's
    bytes as they come (any cut), routes each record to its source, and
    hands (event id, text) of every record to notify (a list per feed),
    outside the lock; notices (a source that cannot take its lines) wait
    in notices for the caller to show.  Records for a name with no source (made by another
    session) count in unknown; lines that are not records in garbled."""

    def __init__(self, notify=None):
        self.sources = {}
        self.notify = notify
        self.unknown = 0
        self.garbled = 0
        self.records = 0
        self.notices = []
        self._partial = b""
        self._lock = threading.Lock()

    def create(self, name, kind, target):
        _check_name(name)
        with self._lock:
            if name in self.sources:
                raise OutputError("output %s exists already" % name)
            if len(self.sources) >= SOURCES_MAX:
                raise OutputError("no room for another output (%d exist)"
                                  % SOURCES_MAX)
            self.sources[name] = Source(name, kind, target)
            return self.sources[name]

    def get(self, name):
        try:
            return self.sources[name]
        except KeyError:
            raise OutputError("no output named %s (hv output create %s "
                              "file PATH | tcp HOST:PORT)" %
                              (name, name)) from None

    def open(self, name):
        src = self.get(name)
        with self._lock:
            src.open()

    def close(self, name):
        src = self.get(name)
        with self._lock:
            if src.state in ("closed",):
                raise OutputError("output %s is closed already" % name)
            src.close()
        return src.summary()

    def feed(self, data):
        seen = []
        with self._lock:
            data = self._partial + data
            lines = data.split(b"\n")
            self._partial = lines.pop()
            batch = {}          # name -> [bytes]: one write per source
            for line in lines:
                rec = parse_record(line)
                if rec is None:
                    self.garbled += 1
                    continue
                self.records += 1
                eid, name, text = rec
                seen.append((eid, text))
                if name is None:
                    continue
                batch.setdefault(name, []).append(
                    line.split(b" ", 2)[2] + b"\n")
            for name, chunks in batch.items():
                src = self.sources.get(name)
                if src is None:
                    self.unknown += len(chunks)
                else:
                    note = src.write(b"".join(chunks), len(chunks))
                    if note:
                        self.notices.append(note)
        if seen and self.notify:
            self.notify(seen)
        return len(seen)

    def close_all(self):
        with self._lock:
            for src in self.sources.values():
                src.close()
