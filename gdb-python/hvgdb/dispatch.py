# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  on_event's bookkeeping, without gdb (tests/python/test_dispatch.py runs
#  it in plain Python): the handlers, the decision taken at each stop, the
#  loop that resumes while the handlers say so, and the resume that waits
#  for gdb's next prompt.  onevent.py connects it to gdb.
#
# Why the resume is not done where the stop is seen: gdb 13 breaks when a
# gdb.events.stop handler resumes the target (pwndbg #425 and #1653,
# sourceware bug 29831), and gdb.post_event runs its function at whatever
# point gdb next polls its event loop, which in batch mode may be in the
# middle of a later command or never.  So the stop handler only decides;
# the resume runs
#   - in a loop the package runs (hv continue, hvgdb.run()): it runs
#     `continue` itself, so it continues again as soon as that returns;
#   - else at gdb's next prompt (gdb.events.before_prompt), where gdb is
#     done with the stop and would wait for the user.  gdb in batch mode
#     shows no prompt: there the system stays stopped and a note says so.

import traceback


class EventLoop:
    """The handlers of on_event() and the resume decisions.

    cont() resumes the system and returns once it stopped again (gdb's
    `continue`); stopped() must have been called for that stop in
    between.  note(text) tells the user something (a line, no newline);
    error(text) reports a handler's exception."""

    DEFERRED_NOTE = ("[hvgdb] an on_event handler returned True: the system "
                     "resumes at gdb's next prompt, and gdb in batch mode "
                     "shows none; use `hv continue` or hvgdb.run() in "
                     "scripts")

    def __init__(self, cont, note=print, error=print):
        self.handlers = []
        self.cont = cont
        self.note = note
        self.error = error
        self.looping = False    # inside run(): it does the resuming
        self.pending = False    # a resume waits for gdb's next prompt
        self.last = None        # (hit, resume) of the latest stop
        self.prompts = 0        # prompts seen (none: batch mode so far)
        self.noted = False

    def add(self, fn):
        if not callable(fn):
            raise TypeError("on_event: expected a callable, got %r" % (fn,))
        self.handlers.append(fn)
        return fn

    def remove(self, fn):
        """Removes fn (its first registration); ValueError if absent."""
        self.handlers.remove(fn)

    def dispatch(self, hit):
        """Calls every handler with hit, in the order they were added;
        True (resume) when each returned a true value.  A handler that
        raises is reported and counts as not resuming; the others are
        still called."""
        resume = True
        for fn in list(self.handlers):
            try:
                if not fn(hit):
                    resume = False
            except Exception:           # the user's code: report, stay
                resume = False
                self.error("[hvgdb] on_event handler %s raised:\n%s" %
                           (getattr(fn, "__name__", repr(fn)),
                            traceback.format_exc().rstrip("\n")))
        return resume

    def stopped(self, hit):
        """The system stopped; hit is the event's Hit, or None for a stop
        of another kind (no handler is called, nothing resumes).  Returns
        the decision: True when the system is to resume."""
        resume = hit is not None and bool(self.handlers) and \
            self.dispatch(hit)
        self.last = (hit, resume)
        self.pending = resume and not self.looping
        if self.pending and self.prompts == 0 and not self.noted:
            self.noted = True
            self.note(self.DEFERRED_NOTE)
        return resume

    def resumed(self):
        """gdb resumed the system (any command): a resume still waiting
        for the prompt is moot, the next stop decides anew."""
        self.pending = False

    def forget(self):
        """The connection or the inferior is gone."""
        self.pending = False
        self.last = None

    def run(self):
        """Resumes the system, calls the handlers at each event stop and
        resumes again while they return True.  Returns the Hit of the
        stop it ended at, or None when that stop was not an event's
        (Ctrl-C, a breakpoint, a step, no handler registered...)."""
        if self.looping:
            raise RuntimeError("hv continue: already running (from an "
                               "on_event handler?)")
        self.looping = True
        self.pending = False
        try:
            while True:
                self.last = None
                self.cont()
                hit, resume = self.last or (None, False)
                if not resume:
                    return hit
        finally:
            self.looping = False

    def prompt(self):
        """gdb is about to show its prompt: a resume the last stop's
        handlers asked for runs now (and the loop goes on while they ask
        for more)."""
        self.prompts += 1
        if not self.pending or self.looping:
            return None
        return self.run()
