"""Script built-ins that act on events and on the guest from VMX root
(issue 7, module side): event_disable/event_clear/event_enable from one
event's script change other events while the system runs (and from
`monitor ?` while it is halted), event_sc skips an instruction,
event_inject[_error_code] raises an exception in the guest, pause() stops
gdb on the trapping CPU's thread, and `prealloc script N` grows the
script program pool so that a script that did not fit compiles.  One
module load per VM; run on 1 and on 2 CPUs.

Guest programs: tests/guest/ev_trigger.c (CPUID, MSR write/read-back)
and tests/guest/sb_ill.c (CPUID under SIGILL/SIGSEGV handlers that report
where the signal saw RIP).
"""
import re
import time

import pytest

from hvvm import (TSC_AUX, assert_clean_dmesg, background, gdb, gdb_start,
                  hvgdb_loaded, mark, new_dmesg, script_vars, sections,
                  wait_file)

BIN = "/hvgdb/bin/ev_trigger"
ILL = "/hvgdb/bin/sb_ill"
EVENT_RE = re.compile(r"^event (0x[0-9a-f]+) enabled", re.M)
# Tests of what does not depend on the CPU count (the halted `monitor ?`
# path, the pool) run on 1 CPU only, to keep vm-check short.
ONE_CPU = "independent of the CPU count: checked on 1 CPU"


@pytest.fixture(scope="module")
def sb(vm):
    vm.exec("insmod /hvgdb/msr.ko")
    with hvgdb_loaded(vm) as dmark:
        yield vm
        assert_clean_dmesg(new_dmesg(vm, dmark))


def add(vm, *cmds):
    """Set events in one session; their ids in order."""
    out = gdb(vm, *cmds)
    ids = [int(i, 16) for i in EVENT_RE.findall(out)]
    assert len(ids) == len(cmds), out
    return ids


def listing(vm):
    out = gdb(vm, mark("list"), "monitor events", mark("end"))
    return sections(out)["list"]


def flushed(vm):
    out = gdb(vm, mark("f"), "monitor flush", mark("end"))
    return sections(out)["f"]


def test_disable_and_clear_from_a_script_stop_another_event_at_n(sb):
    vm = sb
    # The counted events come first: at each CPUID they fire before the
    # controlling one (id order), so they count exactly the hits up to
    # and including the one where the control script acts.
    b, c, a = add(
        vm,
        "monitor !cpuid 4731 script { .b = .b + 1; }",
        "monitor !cpuid 4731 script { .c = .c + 1; }",
        "monitor !cpuid 4731 script { .a = .a + 1; }")
    gdb(vm, f"monitor events c {a:x}")
    a, = add(vm, "monitor !cpuid 4731 script { .a = .a + 1; "
             f"if (.a == 5) {{ event_disable({b:#x}); }} "
             f"if (.a == 7) {{ event_clear({c:#x}); }} }}")
    out = vm.sh(f"{BIN} cpuid 0x4731 20")
    assert "eax=" in out, out
    v = script_vars(vm, ["a", "b", "c"])
    assert (v["a"], v["b"], v["c"]) == (20, 5, 7), v
    # The disabled one is listed so; the cleared one is gone.
    lines = listing(vm).splitlines()
    assert lines == [f"{b:#x} (disabled) !cpuid 4731 script "
                     "{ .b = .b + 1; }",
                     f"{a:#x} (enabled) !cpuid 4731 script {{ .a = .a + 1; "
                     f"if (.a == 5) {{ event_disable({b:#x}); }} "
                     f"if (.a == 7) {{ event_clear({c:#x}); }} }}"], lines
    # event_enable from another event's script: b counts again.
    e, = add(vm, f"monitor !cpuid 4732 script {{ event_enable({b:#x}); }}")
    vm.sh(f"{BIN} cpuid 0x4732 1")
    vm.sh(f"{BIN} cpuid 0x4731 4")
    v = script_vars(vm, ["a", "b", "c"])
    assert (v["a"], v["b"], v["c"]) == (24, 9, 7), v
    gdb(vm, "monitor events c all")


def test_enable_from_a_script_needs_no_stop(sb):
    """An event disabled by `events d` has no intercept of its own; a
    script that can call event_enable keeps it loaded, so enabling it
    from VMX root works at once, on every CPU."""
    vm = sb
    last = vm.cpus - 1
    r, = add(vm, f"monitor !msrread {TSC_AUX:x} script {{ .r = .r + 1; }}")
    gdb(vm, f"monitor events d {r:x}")
    assert "msr=" in vm.sh(f"{BIN} msrr {last} {TSC_AUX:#x} 3")
    add(vm, f"monitor !cpuid 4733 script {{ event_enable({r:#x}); }}")
    assert "msr=" in vm.sh(f"{BIN} msrr {last} {TSC_AUX:#x} 3")
    v0 = script_vars(vm, ["r"])
    vm.sh(f"{BIN} --cpu 0 cpuid 0x4733 1")
    assert "msr=" in vm.sh(f"{BIN} --cpu {last} msrr {last} "
                           f"{TSC_AUX:#x} 4")
    v1 = script_vars(vm, ["r"])
    gdb(vm, "monitor events c all")
    assert v0["r"] == 0, v0
    assert v1["r"] == 4, v1


def test_bad_ids_and_monitor_question_mark(sb):
    vm = sb
    if vm.cpus > 1:
        pytest.skip(ONE_CPU)
    x, y = add(vm, "monitor !cpuid 4734 script { event_disable(0x999); "
               "event_clear(0x998); event_enable(0x997); .q = .q + 1; }",
               "monitor !cpuid 4735 script { .y = .y + 1; }")
    vm.sh(f"{BIN} cpuid 0x4734 1")
    text = flushed(vm)
    for fn, i in (("event_disable", 0x999), ("event_clear", 0x998),
                  ("event_enable", 0x997)):
        assert f"script: {fn}: no event {i:#x} (events lists them)" \
            in text, text
    assert script_vars(vm, ["q"])["q"] == 1
    # Halted: `monitor ?` changes the table as `events d|c` would.
    gdb(vm, f"monitor ? {{ event_disable({y:#x}); }}")
    assert listing(vm).splitlines()[1].startswith(f"{y:#x} (disabled)")
    vm.sh(f"{BIN} cpuid 0x4735 2")
    assert script_vars(vm, ["y"])["y"] == 0
    gdb(vm, f"monitor ? {{ event_clear({x:#x}); event_enable({y:#x}); }}")
    assert listing(vm).splitlines() == [
        f"{y:#x} (enabled) !cpuid 4735 script {{ .y = .y + 1; }}"]
    vm.sh(f"{BIN} cpuid 0x4735 2")
    assert script_vars(vm, ["y"])["y"] == 2
    # What only an event can do, asked at a stop: a message, no effect.
    out = gdb(vm, mark("q"), "monitor ? { event_inject(6); pause(); }",
              mark("end"))
    assert sections(out)["q"].splitlines()[:2] == [
        "script: event_inject works in an event's script only",
        "script: pause: the system is already halted"], out
    gdb(vm, "monitor events c all")


def test_event_sc_leaves_a_harmless_msr_unchanged(sb):
    vm = sb
    add(vm, f"monitor !msrwrite {TSC_AUX:x} script {{ .w = .w + 1; "
        "if (@eax == 5) { event_sc(1); } "
        "if (@eax == 6) { event_sc(1); event_sc(0); } }")
    before = vm.sh(f"{BIN} --cpu 0 msrr 0 {TSC_AUX:#x} 1")
    skipped = vm.sh(f"{BIN} --cpu 0 msrw 0 {TSC_AUX:#x} 5")
    undone = vm.sh(f"{BIN} --cpu 0 msrw 0 {TSC_AUX:#x} 6")
    back = vm.sh(f"{BIN} --cpu 0 msrw 0 {TSC_AUX:#x} 0")
    v = script_vars(vm, ["w"])
    gdb(vm, "monitor events c all")
    assert "msr=0\n" in before, before   # Linux: TSC_AUX = CPU number
    assert "msr=0\n" in skipped, skipped  # the WRMSR never happened
    assert "msr=0x6" in undone, undone    # event_sc(0) took it back
    assert "msr=0\n" in back, back
    assert v["w"] == 3, v


def test_event_inject_reaches_only_the_filtered_program(sb):
    vm = sb
    vm.sh("rm -f /tmp/sbgo")
    pid = background(vm, f"{ILL} --wait /tmp/sbgo 0x4741 10",
                     "/tmp/sb1.out")
    add(vm, f"monitor !cpuid 4741 pid 0n{pid} script {{ .i = .i + 1; "
        "event_inject(6); }",
        "monitor !cpuid 4742 script { event_inject_error_code(0xd, 0); }",
        "monitor !cpuid 4743 script { event_inject(2); event_inject(0x20); "
        "event_inject(4, 3); event_inject(6); event_inject(0xd); }")
    vm.sh("touch /tmp/sbgo")
    ill = wait_file(vm, "/tmp/sb1.out", r"eax=")
    other = vm.sh(f"{BIN} cpuid 0x4741 3")      # not the filtered pid
    gp = vm.sh(f"{ILL} 0x4742 4")
    bad = vm.sh(f"{ILL} 0x4743 2")
    text = flushed(vm)
    v = script_vars(vm, ["i"])
    gdb(vm, "monitor events c all")
    # One #UD per CPUID, delivered after the emulated CPUID (as
    # HyperDbg: the instruction is not undone, RIP is past it).
    assert "sigill=10 sigsegv=0 at=0 after=10" in ill, ill
    assert v["i"] == 10, v
    assert "eax=" in other and "sigill" not in other, other
    assert "sigill=0 sigsegv=4 at=0 after=4" in gp, gp
    # Refused: NMI's vector, a vector that is no exception, another
    # interruption type, and a second exception at the same exit (the
    # first, #UD, is delivered).
    assert "sigill=2 sigsegv=0 at=0 after=2" in bad, bad
    for want in ("event_inject: vector 0x2 is not an exception",
                 "event_inject: vector 0x20 is not an exception",
                 "event_inject: only hardware exceptions (type 3) can be "
                 "injected, not type 0x4",
                 "event_inject: an event is already being delivered at "
                 "this exit, 0xd not injected"):
        assert text.count(want) == 2, (want, text)


def test_inject_without_error_code_for_gp_delivers_code_zero(sb):
    """#GP always pushes an error code (SDM 6.15): event_inject(0xd)
    gives code 0 rather than a VM entry the CPU would refuse."""
    vm = sb
    add(vm, "monitor !cpuid 4744 script { event_inject(0xd); }")
    gp = vm.sh(f"{ILL} 0x4744 3")
    gdb(vm, "monitor events c all")
    assert "sigill=0 sigsegv=3 at=0 after=3" in gp, gp


def test_pause_stops_gdb_on_the_trapping_thread(sb):
    vm = sb
    last = vm.cpus - 1
    vm.sh("rm -f /tmp/sbgo2")
    pid = background(vm, f"{BIN} --wait /tmp/sbgo2 --cpu {last} cpuid "
                     "0x4751 3", "/tmp/sbp.out")
    add(vm, "monitor !cpuid 4751 script { .p = .p + 1; "
        "if (.p == 2) { printf(\"pausing %x\\n\", $context); pause(); } }")
    g = gdb_start(vm, "continue", mark("threads"), "info threads",
                  mark("rax"), "p/x $rax", mark("p"), "monitor print .p",
                  mark("clear"), "monitor events c all", mark("end"))
    time.sleep(5)
    vm.sh("touch /tmp/sbgo2")
    out, _ = g.communicate(timeout=300)
    assert "[Inferior 1 (Remote target) detached]" in out, out
    text = wait_file(vm, "/tmp/sbp.out", r"eax=")
    assert "eax=" in text
    s = sections(out)
    before = out.split("received signal SIGTRAP")[0]
    assert "pausing 4751" in before, out
    assert re.search(r"^event 0x[0-9a-f]+ !cpuid context=0x4751 stage=pre "
                     rf"core={last:#x} pid={pid:#x}$", before, re.M), out
    assert out.count("received signal SIGTRAP") == 1, out
    assert re.search(rf"^\* {last + 1}\s+Thread {last + 1} "
                     rf"\"CPU {last}: ev_trigger \[{pid}\]\"",
                     s["threads"], re.M), out
    assert re.search(r"= 0x4751$", s["rax"], re.M), out
    assert s["p"] == "2", out
    # Cleared at the stop: the third CPUID fired nothing.
    assert script_vars(vm, ["p"])["p"] == 2


def test_prealloc_script_grows_the_program_pool(sb):
    vm = sb
    if vm.cpus > 1:
        pytest.skip(ONE_CPU)
    out = gdb(vm, mark("sizes"), "monitor prealloc", mark("end"))
    m = re.search(r"^script programs: 0x0 of (0x[0-9a-f]+) in use",
                  sections(out)["sizes"], re.M)
    assert m, out
    n = int(m.group(1), 16)
    # One leaf each: an exit acts on at most 16 events (MON_MATCH_MAX).
    fill = [f"monitor !cpuid {0x4800 + i:x} script {{ .f = .f + 1; }}"
            for i in range(n)]
    out = gdb(vm, *(fill + [mark("over"),
                            "monitor !cpuid 4760 script { .g = .g + 1; }",
                            mark("end")]))
    assert len(EVENT_RE.findall(out)) == n, out
    assert "script program pool full" in sections(out)["over"], out
    out = gdb(vm, mark("pre"), "monitor prealloc script 8", mark("end"))
    assert sections(out)["pre"].startswith(
        f"prealloc: 0x8 more script programs requested ({n:#x} of "
        f"{n:#x} in use"), out
    # Allocated once the system runs again, taken at the next command.
    deadline = time.time() + 120
    while True:
        out = gdb(vm, mark("sizes"), "monitor prealloc", mark("end"))
        if f"script programs: {n:#x} of {n + 8:#x} in use" in out:
            break
        assert time.time() < deadline, out
        time.sleep(5)
    out = gdb(vm, mark("add"), "monitor !cpuid 4760 script { .g = .g + 1; }",
              mark("end"))
    assert EVENT_RE.search(sections(out)["add"]), out
    # Every program still runs after the move to the larger pool.
    assert "sigill=0" in vm.sh(f"{ILL} 0x4800 {n} 1")
    vm.sh(f"{BIN} cpuid 0x4760 2")
    v = script_vars(vm, ["f", "g"])
    gdb(vm, "monitor events c all")
    assert v == {"f": n, "g": 2}, v
