"""!mode in hvgdb.ko (issue 14): a guest program (tests/guest/ev_sys.c)
makes a known number of getpid syscalls; the events count the process's
user-to-kernel (k, $context 0) and kernel-to-user (u, $context 3)
transitions through script counters: exactly one k at the SYSCALL entry
point (LSTAR) per getpid and one u after each, never for another
process, k and u alternating.  `sc` on u holds the process out of user
mode (no progress while the system runs on) until the event is cleared.
The mechanism `cpu` and `preactivate mode` name matches the capability
MSR the module read: MBEC where it is allowed, else the execute views
(Bochs 2.7's corei7_skylake_x has no MBEC, so the views are what runs
here).
One module load per VM; 1 and 2 CPUs (views and CR3 exiting are per CPU,
and on 2 CPUs the process moves between them).
"""
import re
import time

import pytest

from hvvm import (assert_clean_dmesg, background, gdb, hvgdb_loaded, mark,
                  new_dmesg, script_vars, sections, wait_file)

BIN = "/hvgdb/bin/ev_sys"
GETPID = 0x27
LSTAR = 0xC0000082


@pytest.fixture(scope="module")
def md(vm):
    vm.exec("insmod /hvgdb/msr.ko")
    with hvgdb_loaded(vm) as dmark:
        yield vm
        assert_clean_dmesg(new_dmesg(vm, dmark))


def lstar(vm):
    m = re.search(r"msr=(0x[0-9a-f]+|0)\b",
                  vm.sh(f"/hvgdb/bin/ev_trigger msrr 0 {LSTAR:#x} 1"))
    assert m
    return int(m.group(1), 16)


def test_mechanism_is_what_the_cpu_offers(md):
    s = sections(gdb(md, mark("cpu"), "mon cpu", mark("pre"),
                     "mon preactivate mode", mark("end")))
    m = re.search(r"\[22\] mode-based execute control for EPT: "
                  r"(must be 0 \(not supported\)|may be 0 or 1)", s["cpu"])
    assert m, s["cpu"]
    mbec = m.group(1) == "may be 0 or 1"
    line = re.search(r"^!mode runs on: (.*)$", s["cpu"], re.M)
    assert line, s["cpu"]
    # MBEC where the capability MSR allows it, else the execute views.
    assert line.group(1).startswith(
        "mode-based execute control (MBEC)" if mbec else
        "EPT execute views"), line.group(0)
    assert ("this CPU offers MBEC" in s["pre"]) == mbec, s["pre"]
    assert "ready since load" in s["pre"], s["pre"]
    print(f"\nBochs corei7_skylake_x MBEC: {mbec}; {s['pre']}")


def test_counts_exact_for_the_pid_and_none_for_others(md):
    vm = md
    n = 50
    entry = lstar(vm)
    vm.sh("rm -f /tmp/gm")
    p = background(vm, f"{BIN} --wait /tmp/gm getpid {n}", "/tmp/m1.out")
    q = background(vm, f"{BIN} --wait /tmp/gm getpid {n}", "/tmp/m2.out")
    out = gdb(vm,
              f"monitor !mode k pid 0n{p} script {{ .ka = .ka + 1; "
              f".last = 0; if (@rip == {entry:#x} && @rax == {GETPID:#x}) "
              "{ .ks = .ks + 1; .last = 1; } "
              f"if ($pid != 0n{p}) {{ .kx = .kx + 1; }} "
              ".kc = .kc + $context; }",
              f"monitor !mode u pid 0n{p} script {{ .ua = .ua + 1; "
              "if (.last == 1) { .us = .us + 1; } .last = 0; "
              f"if ($pid != 0n{p}) {{ .ux = .ux + 1; }} "
              "if ($context != 3) { .uc = .uc + 1; } }")
    assert out.count(" enabled: ") == 2, out
    assert "!mode runs on EPT execute views" in out, out
    vm.sh("touch /tmp/gm")
    t1 = wait_file(vm, "/tmp/m1.out", r"ret=")
    t2 = wait_file(vm, "/tmp/m2.out", r"ret=")
    v = script_vars(vm, ["ka", "ks", "kx", "kc", "ua", "us", "ux", "uc"])
    pre = gdb(vm, "mon preactivate mode")
    gdb(vm, "monitor events c all")
    assert f"ret={p}" in t1 and f"ret={q}" in t2, (t1, t2)
    # n raw getpids and libc's getpid() for the "pid=" it prints: each
    # enters at LSTAR with RAX 0x27 and comes back once.
    assert v["ks"] == n + 1, v
    assert v["us"] == n + 1, v
    # Other entries too (the polling nanosleep, write, exit, interrupts),
    # alternating with returns; never the other process.
    assert v["ka"] > n + 1 and abs(v["ka"] - v["ua"]) <= 1, v
    assert v["kx"] == 0 and v["ux"] == 0, v
    assert v["kc"] == 0 and v["uc"] == 0, v
    assert f"following pid {p:#x}" in pre, pre
    print(f"\n{out}\n{v}\n{pre}")


def test_sc_on_u_holds_the_process_until_cleared(md):
    vm = md
    vm.sh("rm -f /tmp/gh")
    p = background(vm, f"{BIN} --wait /tmp/gh getpid 20", "/tmp/h.out")
    out = gdb(vm, f"monitor !mode u pid 0n{p} script {{ .h = .h + 1; "
              "event_sc(1); }")
    assert " enabled: " in out, out
    vm.sh("touch /tmp/gh")
    time.sleep(10)
    # Held: no output although the file it waits for is there; alive;
    # the rest of the system (this shell) runs on.
    held = vm.sh(f"cat /tmp/h.out; ls /proc/{p} > /dev/null && echo alive")
    h1 = script_vars(vm, ["h"])["h"]
    time.sleep(3)
    h2 = script_vars(vm, ["h"])["h"]
    gdb(vm, "monitor events c all")
    text = wait_file(vm, "/tmp/h.out", r"ret=")
    assert held.strip() == "alive", held
    assert h2 > h1 > 0, (h1, h2)
    assert f"ret={p}" in text, text
    print(f"\nheld: {h1:#x} then {h2:#x} tries; {out}")


def test_refusals(md):
    vm = md
    p = background(vm, "sleep 100", "/tmp/s.out")
    out = gdb(vm, "mon !mode u pid 0n99999",
              f"mon !mode u pid 0n{p} script {{ .z = 1; }}",
              "mon !mode k pid 1 script { .z = 1; }",
              "monitor events", "monitor events c all")
    vm.sh(f"kill {p}")
    assert "!mode: no process with pid 0x1869f" in out, out
    assert "follows one process at a time" in out, out
    assert out.count("(enabled) !mode") == 1, out
    print(f"\n{out}")
