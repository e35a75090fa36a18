"""hvgdb.on_event() on hvgdb.ko (docs/python.md): a guest program pinned
to the last CPU runs CPUID with a leaf a break event watches; in gdb batch
mode with the package loaded, the handler sees each stop's event (id,
type, context, core, pid as the guest saw them), a plain `continue` calls
it but cannot resume (no prompt in batch mode: a note says so), `hv
continue` resumes while it returns True, and the system is stopped at the
event where it returned False.  On 1 and 2 CPUs."""
import ast
import re
import time

from hvvm import (REPO, background, gdb, gdb_server, gdb_start, mark,
                  sections, wait_file)

LEAF = 0x4733
RUNS = 6            # CPUIDs the program executes
STOP_AT = 4         # the handler returns False at the 4th hit

HANDLER = """
import hvgdb
seen = []


@hvgdb.on_event
def count(hit):
    seen.append(tuple(hit))
    return len(seen) < %d
""" % STOP_AT


def test_on_event_resumes_until_the_handler_says_stop(vm, tmp_path):
    last = vm.cpus - 1
    vm.sh("rm -f /tmp/go_oe")
    handler = tmp_path / "handler.py"
    handler.write_text(HANDLER)
    pre = [f"python import sys; sys.path.insert(0, '{REPO}/gdb-python')",
           "python import hvgdb"]
    with gdb_server(vm):
        pid = background(vm, f"/hvgdb/bin/ev_trigger --wait /tmp/go_oe "
                         f"--cpu {last} cpuid {LEAF:#x} {RUNS}",
                         "/tmp/oe.out")
        out0 = gdb(vm, *pre, mark("eid"),
                   f"python print(hvgdb.add_event('!cpuid {LEAF:x}').id)",
                   mark("end"))
        g = gdb_start(vm, *pre, f"source {handler}", "continue",
                      mark("plain"), "python print(len(seen))",
                      "hv continue", mark("seen"), "python print(seen)",
                      mark("stopped"), "python print(tuple(hvgdb.stop()))",
                      "monitor events c all", mark("end"))
        time.sleep(5)
        vm.sh("touch /tmp/go_oe")
        out, _ = g.communicate(timeout=600)
        # The rest of the CPUIDs ran without events once gdb detached.
        wait_file(vm, "/tmp/oe.out", r"eax=")
    eid = int(sections(out0)["eid"].strip())
    s = sections(out)
    # Batch mode: the handler ran at the first stop and said resume, but
    # nothing can resume from there; the system stayed stopped.
    assert s["plain"].splitlines()[0] == "1", out
    assert "use `hv continue` or hvgdb.run() in scripts" in \
        out.split("@@plain")[0], out
    seen = ast.literal_eval(s["seen"].splitlines()[-1])
    hit = (eid, "!cpuid", LEAF, last, pid, "pre", None)
    assert seen == [hit] * STOP_AT, out
    # Stopped at the 4th hit's event, where the handler said False.
    assert s["stopped"].splitlines()[0] == repr(hit), out
    # The module's stop line of each of the 4 stops reached gdb.
    lines = re.findall(rf"^event {eid:#x} !cpuid "
                       rf"context={LEAF:#x} stage=pre core={last:#x} "
                       rf"pid={pid:#x}", out, re.M)
    assert len(lines) == STOP_AT, out
