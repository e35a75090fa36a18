"""hvgdb.dispatch in plain Python: on_event's handlers, the decision at
each stop, the `hv continue` loop and the resume that waits for gdb's
prompt, with a simulated gdb (cont() stops the system at the next of a
list of stops)."""
import pytest

from hvgdb import dispatch


class FakeGdb:
    """`continue` stops at each of stops in turn (a hit, or None for a
    stop of another kind) and calls loop.stopped() for it, as gdb's stop
    event does."""

    def __init__(self, stops):
        self.stops = list(stops)
        self.conts = 0
        self.notes, self.errors = [], []
        self.loop = dispatch.EventLoop(self.cont, self.notes.append,
                                       self.errors.append)

    def cont(self):
        self.conts += 1
        self.loop.resumed()
        self.loop.stopped(self.stops.pop(0))


def hits(n):
    return [("hit", i) for i in range(n)]


def test_run_resumes_while_the_handler_returns_true():
    g = FakeGdb(hits(10))
    seen = []

    def h(hit):
        seen.append(hit)
        return len(seen) < 4
    assert g.loop.add(h) is h
    assert g.loop.run() == ("hit", 3)
    assert seen == hits(4) and g.conts == 4
    assert not g.loop.pending and not g.loop.looping
    assert g.notes == [] and g.errors == []


def test_run_ends_at_a_stop_that_is_not_an_event():
    g = FakeGdb([("hit", 0), None, ("hit", 1)])
    seen = []
    g.loop.add(lambda hit: seen.append(hit) or True)
    assert g.loop.run() is None
    assert seen == [("hit", 0)] and g.conts == 2


def test_run_without_handlers_is_one_continue():
    g = FakeGdb(hits(3))
    assert g.loop.run() == ("hit", 0)
    assert g.conts == 1 and g.loop.last == (("hit", 0), False)


def test_every_handler_must_say_resume():
    g = FakeGdb(hits(5))
    calls = []
    g.loop.add(lambda hit: calls.append("a") or True)
    g.loop.add(lambda hit: calls.append("b") or hit[1] < 2)
    g.loop.add(lambda hit: calls.append("c"))           # None: stays
    assert g.loop.run() == ("hit", 0)
    assert calls == ["a", "b", "c"]                     # all called
    g.loop.handlers.pop()
    calls.clear()
    assert g.loop.run() == ("hit", 2)
    assert calls == ["a", "b"] * 2


def test_a_raising_handler_is_reported_and_keeps_the_stop():
    g = FakeGdb(hits(5))
    later = []

    def bad(hit):
        raise KeyError("boom")
    g.loop.add(bad)
    g.loop.add(lambda hit: later.append(hit) or True)
    assert g.loop.run() == ("hit", 0)
    assert later == [("hit", 0)]
    assert len(g.errors) == 1 and "bad raised" in g.errors[0]
    assert "KeyError: 'boom'" in g.errors[0]


def test_a_stop_outside_the_loop_waits_for_the_prompt():
    """gdb's own `continue`: the handlers run at the stop, the resume at
    the next prompt, and it goes on from there while they say so."""
    g = FakeGdb(hits(6))
    n = []
    g.loop.add(lambda hit: n.append(hit) or len(n) < 3)
    g.loop.prompt()                     # interactive: a prompt was shown
    g.cont()                            # `continue` typed by the user
    assert g.loop.pending and g.conts == 1 and n == hits(1)
    assert g.loop.prompt() == ("hit", 2)
    assert g.conts == 3 and not g.loop.pending
    assert g.loop.prompt() is None and g.conts == 3     # nothing waits
    assert g.notes == []


def test_batch_mode_is_told_that_no_prompt_will_resume():
    g = FakeGdb(hits(4))
    g.loop.add(lambda hit: True)
    g.cont()
    g.cont()
    assert g.loop.pending
    assert g.notes == [dispatch.EventLoop.DEFERRED_NOTE]     # once
    assert "hv continue" in g.notes[0]


def test_a_later_resume_or_a_lost_connection_cancels_the_wait():
    g = FakeGdb([("hit", 0), None])
    g.loop.add(lambda hit: True)
    g.loop.prompt()
    g.cont()
    assert g.loop.pending
    g.cont()                    # the script continued itself: not an event
    assert not g.loop.pending and g.loop.prompt() is None
    g = FakeGdb(hits(2))
    g.loop.add(lambda hit: True)
    g.cont()
    g.loop.forget()
    assert g.loop.prompt() is None and g.conts == 1


def test_a_stop_in_the_loop_is_not_left_for_the_prompt():
    g = FakeGdb(hits(3))
    g.loop.add(lambda hit: hit[1] < 1)
    assert g.loop.run() == ("hit", 1)
    assert not g.loop.pending and g.loop.prompt() is None


def test_run_is_not_reentrant_and_add_checks():
    g = FakeGdb(hits(3))
    inner = []

    def h(hit):
        try:
            g.loop.run()
        except RuntimeError as e:
            inner.append(str(e))
        return False
    g.loop.add(h)
    assert g.loop.run() == ("hit", 0)
    assert inner and "already running" in inner[0]
    with pytest.raises(TypeError):
        g.loop.add(42)
    g.loop.remove(h)
    with pytest.raises(ValueError):
        g.loop.remove(h)


def test_a_failing_continue_ends_the_loop():
    g = FakeGdb([])             # cont() raises IndexError: gdb.error's role
    g.loop.add(lambda hit: True)
    with pytest.raises(IndexError):
        g.loop.run()
    assert not g.loop.looping
