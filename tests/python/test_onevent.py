"""hvgdb.on_event() in stock gdb against the protocol test double: the
handlers run at each stop, `hv continue` and hvgdb.run() resume while they
return True (batch mode), a plain `continue` resumes at the next prompt
when a user typed it (gdb on a terminal), and in batch mode stays stopped
with a note.

The test double has no events (no `.kv stop`), so its stops at a gdb
breakpoint stand in for event stops: the test replaces onevent._hit, the
one function that asks the module, by one that makes a Hit of the stop's
thread.  The VM test (tests/vm/test_onevent.py) runs it on hvgdb.ko."""
import os
import pty
import re
import select
import time

from hvgdb_testlib import GDB_PYTHON, hv_gdb, proto, results

BP = proto.CODE + 0x100

FAKE = """
import gdb, hvgdb
from hvgdb import onevent


def fake_hit(event):
    if not onevent.loop.handlers or \\
            not isinstance(event, gdb.BreakpointEvent):
        return None
    cpu = gdb.selected_thread().num - 1
    return hvgdb.Hit(7, "!cpuid", 0x4711, cpu, 100 + cpu, "pre", None)


onevent._hit = fake_hit
seen = []


@hvgdb.on_event
def count(hit):
    seen.append(tuple(hit))
    return len(seen) < LIMIT


def result(v):
    print("RESULT " + repr(v))
"""


def script(tmp_path, limit):
    p = tmp_path / "fake.py"
    p.write_text(FAKE.replace("LIMIT", str(limit)))
    return str(p)


def test_hv_continue_resumes_while_the_handler_says_so(target, tmp_path):
    """Batch mode: `continue` calls the handler, which says resume, but
    gdb shows no prompt, so the system stays stopped and a note says to
    use `hv continue`; `hv continue` then resumes until the 4th stop,
    where the handler said False, and the system is stopped there."""
    out = hv_gdb(target, [
        "source %s" % script(tmp_path, 4), "break *%#x" % BP, "continue",
        "python result(len(seen))", "python result(int(gdb.parse_and_eval("
        "'$pc')))", "hv continue", "python result(seen)",
        "python result(int(gdb.parse_and_eval('$pc')))",
        "python result(hvgdb.run() is None)"])
    r = results(out)
    assert r[0] == 1 and r[1] == BP, out
    assert "use `hv continue` or hvgdb.run() in scripts" in out, out
    assert out.count("[hvgdb] an on_event handler returned True") == 1, out
    # 3 more stops: seen[1] and seen[2] resumed, seen[3] said False.
    assert len(r[2]) == 4, out
    assert [h[:3] for h in r[2]] == [(7, "!cpuid", 0x4711)] * 4, out
    assert all(h[4] == 100 + h[3] for h in r[2]), out
    assert r[3] == BP, out                  # stopped after the last
    # The handler says False from now on: run() continues once and ends
    # at that stop, whose Hit it returns (not None).
    assert r[4] is False, out
    assert out.count("hit Breakpoint 1") == 5, out


def test_run_returns_the_hit_and_none_for_other_stops(target, tmp_path):
    out = hv_gdb(target, [
        "source %s" % script(tmp_path, 2), "break *%#x" % BP,
        "python result(tuple(hvgdb.run()))",
        "python hvgdb.remove_event_handler(count)",
        # No handler: one continue, a stop that is asked nothing.
        "python result(hvgdb.run())", "python result(len(seen))",
        "python hvgdb.remove_event_handler(count)"])
    r = results(out)
    assert len(r) == 3 and r[0][:3] == (7, "!cpuid", 0x4711), out
    assert r[1] is None and r[2] == 2, out
    assert "ValueError" in out, out         # removed twice


def test_a_raising_handler_keeps_the_system_stopped(target, tmp_path):
    out = hv_gdb(target, [
        "source %s" % script(tmp_path, 100), "break *%#x" % BP,
        "python hvgdb.on_event(lambda hit: 1 / 0)", "hv continue",
        "python result(len(seen))"])
    assert results(out) == [1], out
    assert "[hvgdb] on_event handler <lambda> raised:" in out, out
    assert "ZeroDivisionError" in out, out


def strip_escapes(text):
    return re.sub(r"\x1b\[[?0-9;]*[a-zA-Z]", "", text)


def interactive(target, cmds, timeout=60):
    """gdb on a terminal (a pty): each command typed at its prompt, as a
    user does; returns what the terminal showed."""
    argv = ["gdb", "-nx", "-q", "-ex", "set architecture i386:x86-64",
            "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", "python import sys; sys.path.insert(0, %r)" % GDB_PYTHON,
            "-ex", "python import hvgdb",
            "-ex", "target remote " + target.addr]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    out, queue, t0 = "", list(cmds) + ["quit"], time.time()
    try:
        while time.time() - t0 < timeout:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:         # gdb quit: the pty is closed
                    break
                if not data:
                    break
                out += data.decode(errors="replace")
                continue
            # Idle: type the next command when gdb shows its prompt.
            if queue and strip_escapes(out).endswith("(gdb) "):
                cmd = queue.pop(0)
                os.write(fd, cmd.encode() + b"\n")
                out += "<typed>"        # so each prompt is answered once
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    assert not queue, "gdb did not prompt for %r:\n%s" % (queue, out)
    return strip_escapes(out).replace("\r", "")


def test_typed_continue_resumes_at_the_prompt(target, tmp_path):
    """At the prompt, a typed `continue` stops at the breakpoint, the
    handler says resume and gdb resumes before showing its prompt, until
    the 3rd stop; the next prompt finds the system stopped there."""
    out = interactive(target, [
        "source %s" % script(tmp_path, 3), "break *%#x" % BP, "continue",
        "python result(len(seen))",
        "python result(int(gdb.parse_and_eval('$pc')))", "continue",
        "python result(len(seen))"])
    r = results(out)
    assert r == [3, BP, 4], out
    assert "[hvgdb] an on_event handler" not in out, out
    # Three stops shown between the first `continue` and the next prompt.
    first = [part for part in out.split("(gdb) <typed>")
             if part.startswith("continue")][0]
    assert first.count("hit Breakpoint 1") == 3, out
