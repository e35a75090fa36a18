"""The VM-entry check before VMRESUME and the VMCS images hvgdb.ko really
builds (issue 19).  With vmentry_check=1 every resume whose entry fields
changed is judged in VMX root (kmod/vmx/vmentry_resume.c); nothing may be
broken while the guest works, takes an injected #UD (hvtest.ko's VMCALL),
is stepped by gdb, runs a monitor event with `sc on`, and idles in HLT.
The first image of each kind per CPU is captured (debugfs "vmentry") and
judged here by build/tests/unit/kmod/vmentry_judge against every MSR set
of tests/unit/kmod/vmentry_cpus.h: Bochs's, two real CPU generations
(Skylake client, Sandy Bridge-E), the strict SDM set.  1 and 2 CPUs.

A refused resume (test-only vmentry_check_fake=resume_hlt_ud edits the
first image judged before a VMRESUME, never the VMCS) is recorded in VMX
root, the CPU leaves VMX instead of entering, and the violation reaches
the kernel log from process context.
"""
import re
import subprocess

from hvvm import (DBG, REPO, assert_clean_dmesg, cpu_states, ensure_hvtest,
                  gdb, hvgdb_loaded, loaded, mark, new_dmesg, sections)

JUDGE = REPO / "build" / "tests" / "unit" / "kmod" / "vmentry_judge"
KINDS = ("load", "inject", "step", "sc", "hlt")
# The sets every capture must pass: the test VM and two real CPUs.
MUST_PASS = ("bochs-2.7-corei7_skylake_x", "skylake-i7-6700k",
             "sandybridge-e-i7-3960x")


def judge(dump):
    r = subprocess.run([str(JUDGE)], input=dump, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [l.split(" ", 3) for l in r.stdout.splitlines()]


def test_resume_checks_and_captures_pass(vm):
    ensure_hvtest(vm)
    with hvgdb_loaded(vm, "vmentry_check=1") as dmark:
        # An injection: VMCALL without hvgdb's magic raises #UD.
        assert vm.sh("echo vmcall > /proc/hvtest; cat /proc/hvtest"
                     ).strip() == "vmcall trap=6"
        # A step (monitor trap flag) and an event with sc on.
        s = sections(gdb(vm, mark("step"), "stepi", "p/x $pc",
                         mark("ev"), "monitor !vmcall sc on script "
                         "{ .vmc = .vmc + 1; }", mark("end")))
        assert re.search(r"^\$1 = 0x", s["step"], re.M), s
        out = vm.sh("echo vmcall > /proc/hvtest; cat /proc/hvtest")
        assert out.strip() == "vmcall ok", out      # short-circuited
        gdb(vm, "monitor events c all")
        vm.sh("sleep 2")                             # idle: HLT
        dump = vm.sh(f"cat {DBG}/vmentry")
        states = cpu_states(vm)
        lines = new_dmesg(vm, dmark)
    head = [l for l in dump.splitlines() if l.startswith("cpu")]
    print("\n".join(head))
    assert set(states.values()) == {"virtualized"}, states
    assert "vmentry_check on" in dump
    per = {int(m.group(1)): (int(m.group(2)), int(m.group(3)))
           for m in re.finditer(r"^cpu(\d+) checks=(\d+) violations=(\d+)",
                                dump, re.M)}
    assert sorted(per) == list(range(vm.cpus)), dump
    assert all(v == 0 for _, v in per.values()), "\n".join(head)
    assert all(c > 0 for c, _ in per.values()), "\n".join(head)
    caps = re.findall(r"^capture (\w+) cpu(\d+)", dump, re.M)
    kinds = {k for k, _ in caps}
    assert kinds == set(KINDS), caps
    assert {int(c) for k, c in caps if k == "load"} == set(range(vm.cpus))
    verdicts = judge(dump)
    print("\n".join(" ".join(v) for v in verdicts))
    assert len(verdicts) >= len(caps) * len(MUST_PASS)
    bad = [v for v in verdicts if v[2] in MUST_PASS and v[3] != "ok"]
    assert not bad, bad
    assert_clean_dmesg(lines)


def test_resume_violation_is_refused_and_reported(vm1):
    vm = vm1
    with hvgdb_loaded(vm, "vmentry_check=1 "
                      "vmentry_check_fake=resume_hlt_ud") as dmark:
        assert loaded(vm)
        # The first checked resume was refused: the CPU left VMX and
        # the kernel runs on natively.
        assert vm.sh("echo alive").strip() == "alive"
        assert cpu_states(vm) == {0: "left"}, cpu_states(vm)
        dump = vm.sh(f"cat {DBG}/vmentry")
        lines = new_dmesg(vm, dmark)
    assert re.search(r"^cpu0 checks=1 violations=1 first=EVT_ACTIVITY "
                     r"field=ENTRY_INTR_INFO value=0x80000306 exit=\d+$",
                     dump, re.M), dump
    text = "\n".join(lines)
    assert re.search(r"hvgdb: cpu0: VM-entry check before VMRESUME: SDM "
                     r"27\.3\.1\.5 EVT_ACTIVITY: .*; field ENTRY_INTR_INFO "
                     r"= 0x80000306 \(exit reason \d+, guest rip 0x[0-9a-f]+"
                     r"\); the entry was refused$", text, re.M), text
    # Printed once, however often debugfs is read.
    assert len(re.findall("before VMRESUME", text)) == 1, text
    assert_clean_dmesg(lines)
