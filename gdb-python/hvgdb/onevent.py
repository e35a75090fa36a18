# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  on_event(fn): fn(hit) at every event stop, True resumes; hvgdb.run()
#  and `hv continue`, the loop that resumes while the handlers say so.
#  The bookkeeping is dispatch.py's (no gdb); this connects it to gdb's
#  stop, cont and before_prompt events.  Semantics: docs/python.md.

import gdb

from hvgdb import dispatch
from hvgdb import eventctl


def _cont():
    gdb.execute("continue")


def _note(text):
    gdb.write(text + "\n")


def _error(text):
    gdb.write(text + "\n", gdb.STDERR)


loop = dispatch.EventLoop(_cont, _note, _error)


def _hit(event):
    """The Hit of the stop gdb reports as event, or None.  A stop at one of
    gdb's own breakpoints or watchpoints is gdb's, not an event's, and is
    not asked about (nor is anything asked when no handler is registered):
    a monitor command from a stop handler at a breakpoint whose `commands`
    continue upsets gdb 13 (sourceware bug 29831)."""
    if not loop.handlers or isinstance(event, gdb.BreakpointEvent):
        return None
    try:
        return eventctl.stop()
    except gdb.error as e:
        _error("[hvgdb] on_event: cannot ask the module for the stop's "
               "event: %s" % e)
        return None


def _on_stop(event):
    loop.stopped(_hit(event))


def _on_cont(event):
    loop.resumed()


def _on_prompt():
    try:
        loop.prompt()
    except gdb.error as e:
        _error("[hvgdb] on_event: resuming failed: %s" % e)


def _on_gone(event=None):
    loop.forget()


gdb.events.stop.connect(_on_stop)
gdb.events.cont.connect(_on_cont)
gdb.events.before_prompt.connect(_on_prompt)
gdb.events.exited.connect(_on_gone)
gdb.events.connection_removed.connect(_on_gone)


def on_event(fn):
    """Calls fn(hit) at every stop of the system at an event (a break
    event of hvgdb.ko), hit being hvgdb.stop()'s Hit (.id, .type,
    .context, .core, .pid, .stage, .cr2).  When every handler returns a
    true value the system resumes: at once inside `hv continue` or
    hvgdb.run(); after a `continue` of gdb's own, at gdb's next prompt
    (never in gdb's batch mode, which shows none).  Returns fn, so it can
    be used as a decorator."""
    return loop.add(fn)


def remove_event_handler(fn):
    """Undoes on_event(fn); ValueError when fn is not registered."""
    loop.remove(fn)


def run():
    """Continues the system and keeps continuing while the on_event
    handlers return True at its event stops; returns the Hit of the stop
    it ended at, or None for a stop that is not an event's (Ctrl-C, a
    breakpoint, a step).  gdb.error as `continue` (not connected, the
    connection dropped)."""
    return loop.run()


def cont_command():
    """`hv continue`: run(), with gdb's errors as gdb errors."""
    try:
        loop.run()
    except RuntimeError as e:
        raise gdb.GdbError(str(e)) from None
