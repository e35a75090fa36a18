# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  monitor commands: their output as a string, and the module's refusals
#  as MonitorError in the module's own words
#
# gdb 13 (Debian 12) runs `monitor CMD` as a qRcmd packet; the stub answers
# with O packets (the text) and then OK, or an E reply when it refuses the
# command.  gdb.execute("monitor CMD", to_string=True) returns the text
# after OK, but after an E reply it raises gdb.error("Protocol error with
# Rcmd") and the text captured so far is thrown away with its buffer:
# exactly the module's explanation ("column 5: expected ...") is lost.
# Without to_string the text is printed, so a script cannot have it.
#
# monitor() therefore nests two gdb.execute calls.  The outer one captures
# (to_string=True) a `python` command that runs the inner one; the inner
# one runs `monitor CMD` without to_string, so its text goes to the outer
# capture, and catches gdb's error itself.  The outer command thus always
# ends normally and returns all the text, and the inner error tells a
# refusal from success.

import gdb

from hvgdb import include
from hvgdb import language

# gdb's error when the stub answers a qRcmd with an E reply (remote.c).
RCMD_REFUSED = "Protocol error with Rcmd"


class MonitorError(gdb.GdbError, gdb.error):
    """hvgdb.ko (the stub) refused a monitor command.

    str(e) is the stub's own words: the text it sent before refusing,
    without the last line break (gdb's "Protocol error with Rcmd" when it
    sent none).  e.command is the command as sent, e.output the text as
    sent.

    It is a gdb.error, as gdb.execute's errors, so `except gdb.error`
    catches it; and a gdb.GdbError, so a gdb command written in Python
    that lets it through prints the stub's words and no traceback."""

    def __init__(self, message, command="", output=""):
        super().__init__(message)
        self.command = command
        self.output = output


# The requests of the monitor() calls under way, innermost last: [command,
# gdb.error or None].
_pending = []
_RUN_PENDING = ("python __import__('sys').modules[%r]._run_pending()" %
                __name__)


def _run_pending():
    """The inner half of monitor(), run through gdb's `python` command."""
    req = _pending[-1]
    try:
        gdb.execute("monitor " + req[0], to_string=False)
    except gdb.error as e:
        req[1] = e


def monitor(cmd):
    """Runs a monitor command and returns its output (a str, with the
    stub's line breaks).

    cmd is what follows `monitor` at the gdb prompt.  It may span lines
    (a script block written over several lines): they are joined with
    blanks, columns unchanged (language.one_line).

    Raises MonitorError when the stub refuses the command, with the stub's
    words as the message; gdb.error for gdb's own errors (not connected,
    the target is running, the connection dropped).  The output is not
    printed, and `set debug remote` is off while the command runs."""
    if "#include" in cmd:   # hvgdb.monitor(): files are read here
        try:
            cmd = include.expand(cmd)
        except include.IncludeError as e:
            raise MonitorError("#include: %s" % e) from None
    line = language.one_line(cmd)
    req = [line, None]
    # gdb 13 captures debug output too: `set debug remote` would put its
    # packet lines into the result.  It is off while the command runs, and
    # one line in its stead says what happened.
    debug = gdb.parameter("debug remote")
    if debug:
        gdb.execute("set debug remote 0", to_string=True)
    _pending.append(req)
    try:
        out = gdb.execute(_RUN_PENDING, to_string=True)
    finally:
        _pending.pop()
        if debug:
            gdb.execute("set debug remote %d" % debug, to_string=True)
    err = req[1]
    refused = err is not None and str(err).startswith(RCMD_REFUSED)
    if debug:
        gdb.write("[hvgdb] monitor %r: %d bytes of output, %s\n" %
                  (line, len(out), "OK" if err is None else
                   "refused" if refused else "error: %s" % err), gdb.STDLOG)
    if err is None:
        return out
    if refused:
        raise MonitorError(out.rstrip("\n") or str(err), line, out)
    raise err


def connection():
    """The selected inferior's connection when it is a remote one (where
    a monitor command may reach hvgdb.ko), else None."""
    conn = gdb.selected_inferior().connection
    if conn is None or conn.type not in ("remote", "extended-remote"):
        return None
    return conn


def cpus_online():
    """The CPU numbers of the connected target, in hex as the module reads
    them: the stub's thread id N is CPU N-1 (docs/debugging.md), gdb's
    `thread N` as well when gdb numbered the threads in order.  Empty when
    not connected."""
    if connection() is None:
        return []
    try:
        threads = gdb.selected_inferior().threads()
    except gdb.error:
        return []
    return ["%x" % (tid - 1)
            for tid in sorted(t.ptid[1] or t.num for t in threads)]


def records(cmd):
    """The records of `.kv cmd` (docs/commands.md, "Machine-readable
    replies"): a list of (kind, {key: value}).  MonitorError as monitor()."""
    try:
        return language.parse_records(monitor(".kv " + cmd))
    except MonitorError as e:
        # Columns as in cmd, without the prefix.
        msg = language.shift_columns(str(e), -len(".kv "))
        raise MonitorError(msg, cmd, e.output) from None
