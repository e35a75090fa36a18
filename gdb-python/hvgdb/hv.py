# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  the `hv` command: HyperDbg's commands with completion, symbols sent as
#  addresses, and the module's refusals as gdb errors

import gdb

from hvgdb import eventctl
from hvgdb import include
from hvgdb import kernel
from hvgdb import language
from hvgdb import memory
from hvgdb import onevent
from hvgdb import output
from hvgdb import remote
from hvgdb import symbols

# The command names of each connection's `.help` ({connection number:
# names}); a connection that refused `.help` gets language.COMMAND_NAMES.
_names = {}


def _forget(event=None):
    _names.clear()


gdb.events.connection_removed.connect(_forget)


def command_names():
    """The commands `hv` completes: those the connected module lists in
    `.help`, asked once per connection; language.COMMAND_NAMES when not
    connected, when the stub has no `.help`, or while the target runs
    (then it is asked again next time)."""
    conn = remote.connection()
    if conn is None:
        return language.COMMAND_NAMES
    if conn.num not in _names:
        try:
            names = language.help_names(remote.monitor(".help"))
        except remote.MonitorError:
            names = []
        except gdb.error:
            return language.COMMAND_NAMES
        _names[conn.num] = names or language.COMMAND_NAMES
    return _names[conn.num]


def resolve(line):
    """The line as `hv` sends it: a kernel symbol where an address goes
    becomes its address (language.substitute); returns (line, edits)."""
    return language.substitute(line, symbols.address)


class Hv(gdb.Command):
    """Run a HyperDbg command of hvgdb.ko.

Usage: hv COMMAND

Sends COMMAND to hvgdb.ko as `monitor COMMAND` does and prints the
reply; a refused command is a gdb error in the module's words.  Where an
address goes (!va2pa, !pte, !epthook), a kernel symbol is sent as its
address (`hv !va2pa linux_banner`); `sym+10` adds a hex offset, and
numbers (`0x10`, `fffff800`12345678`) are sent as typed.  Tab completes
the command names (those of the module's .help), their options and
values, and kernel symbols where an address goes.
`hv` alone lists the commands; `hv events` shows the events as a table;
`hv !dump FROM TO [path] FILE` saves physical memory to a file here;
`hv continue` continues while the hvgdb.on_event() handlers return True;
`hv output create NAME file PATH | tcp HOST:PORT`, `hv output open|close
NAME` and `hv output` manage HyperDbg's output sources (here, where gdb
runs) for events with `output {NAME}`.
From the kernel's types (docs/types.md): `hv types` loads them, `hv ps`,
`hv lsmod`, `hv dmesg`, `hv current [CPU]`.
See docs/commands.md and docs/python.md."""

    def __init__(self):
        super().__init__("hv", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        self.dont_repeat()          # Enter must not add the event again
        words = arg.split(None, 1)
        if words and words[0].lower() == "!dump":
            return self.dump(words[1] if len(words) > 1 else "", from_tty)
        if [w.lower() for w in words] == ["events"]:
            return self.events_table()
        if [w.lower() for w in words] == ["continue"]:
            return onevent.cont_command()
        if words and words[0].lower() == "output":
            return output.command(words[1] if len(words) > 1 else "")
        if words and words[0].lower() in kernel.COMMANDS:
            return kernel.COMMANDS[words[0].lower()](
                words[1] if len(words) > 1 else "", from_tty)
        try:    # #include "path": the files are here, not on the target
            arg = include.expand(arg)
        except include.IncludeError as e:
            raise gdb.GdbError("#include: %s" % e) from None
        line, edits = resolve(arg.strip() or ".help")
        try:
            out = remote.monitor(line)
        except remote.MonitorError as e:
            raise gdb.GdbError(language.map_columns(str(e), edits)) from None
        except gdb.error as e:
            raise gdb.GdbError(str(e)) from None
        gdb.write(out)

    @staticmethod
    def events_table():
        """`hv events`: the events as a table (from `.kv events`)."""
        evs = eventctl.events()
        if not evs:
            gdb.write("no events\n")
            return
        gdb.write("%-6s %-8s %-6s %s\n" % ("id", "state", "action",
                                           "command"))
        for e in evs:
            gdb.write("%-6s %-8s %-6s %s\n" % (
                "%#x" % e.id, "enabled" if e.enabled else "disabled",
                e.action, e.command))

    @staticmethod
    def dump(args, from_tty):
        """HyperDbg's !dump: the file is on this machine, so the package
        reads the memory (hvgdb.memory) and writes it."""
        start, end, path = memory.parse_dump(args)
        last = [0]

        def progress(done, total):
            # A line every 64 KiB at the terminal; nothing in batch mode.
            if from_tty and (done - last[0] >= 0x10000 or done == total):
                last[0] = done
                gdb.write("\r!dump: %#x of %#x bytes" % (done, total))
                gdb.flush()

        n = memory.dump(start, end, path, progress)
        if from_tty:
            gdb.write("\n")
        gdb.write("the dump file is saved at: %s (%#x bytes of physical "
                  "memory from %#x)\n" % (path, n, start))

    def complete(self, text, word):
        c = language.complete(text, list(command_names()) + sorted(
            kernel.COMMANDS), remote.cpus_online)
        if c.symbol:
            return gdb.COMPLETE_SYMBOL
        if word is None:            # the break-characters pass: defaults
            return []
        # gdb completes `word`, which its break characters (`!`, `.`, `?`,
        # ...) may have cut shorter than the language's word.
        cut = len(c.token) - len(word)
        if cut < 0:
            return []
        return [w[cut:] for w in c.words]


Hv()
