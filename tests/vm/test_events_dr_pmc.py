"""!dr and !pmc in hvgdb.ko, and the debug registers shared between the
guest and gdb's hardware breakpoints (issues 5 and 6).

MOV DR and CPL-0 RDPMC come from the ring-0 test module hvtest.ko
(tests/guest-kmod/hvtest.c): `dr N` runs 3N + 4 MOV DR and leaves the
kernel's debug registers as they were, `drset V`/`drget` write/read DR0,
`pmc N` runs N RDPMC of counter 0 and counts the #GPs a CPU without that
counter gives.  Each command runs in a `sh` whose pid the events filter on
(the `echo` is a builtin: the write to /proc/hvtest is that pid's).
Checked: exact counts through script counters, $context (0 for both, as
HyperDbg's reference says), pre then post stage, `sc on` (the MOV or
RDPMC does not run: the output register keeps what it held, a DR0 write
is lost), and exact emulation (the guest reads what it would without the
event).  Then an `hbreak` from gdb while the guest writes DR0: gdb's
breakpoint still stops, the guest reads back its own DR0 and DR7 bits,
and after `delete` the guest's value is in the real DR0.
"""
import re
import time

import pytest

from hvvm import (assert_clean_dmesg, gdb, hvgdb_loaded, kallsym, new_dmesg,
                  script_vars, values, wait_file)

MARK = 0x6d61726b6d61726b      # hvtest: what a skipped MOV/RDPMC leaves
HVTEST_DR0 = 0x4856dbdb        # hvtest: the value `dr N` writes to DR0
GETPID = "/hvgdb/bin/vmx_getpid"
STATS = "/sys/kernel/debug/hvgdb/gdb"
EXITS = "/sys/kernel/debug/hvgdb/exits"
EXIT_DR_ACCESS = 29         # SDM Vol. 3 Appendix C


@pytest.fixture(scope="module")
def ev(vm):
    if vm.exec("test -e /hvgdb/hvtest.ko")[0]:
        pytest.skip("image without tests/guest-kmod/hvtest.ko")
    vm.exec("insmod /hvgdb/hvtest.ko")
    try:
        with hvgdb_loaded(vm) as dmark:
            yield vm
            assert_clean_dmesg(new_dmesg(vm, dmark))
    finally:
        vm.exec("rmmod hvtest")


def hvtest(vm, cmd):
    """Run one hvtest command on CPU 0 (debug registers are per CPU)."""
    return vm.sh(f"taskset 1 sh -c 'echo {cmd} > /proc/hvtest && "
                 "cat /proc/hvtest'").strip()


def waiting(vm, cmd, out):
    """hvtest `cmd` on CPU 0 once /tmp/go exists, in a background sh
    whose pid (returned) is the one that executes it."""
    script = ("while [ ! -e /tmp/go ]; do sleep 1; done; "
              f"echo {cmd} > /proc/hvtest && cat /proc/hvtest")
    return int(vm.sh(f"rm -f {out}; taskset 1 sh -c '{script}' > {out} "
                     "2>&1 & echo $!").strip())


def fields(line):
    """'name k=v k=v' -> {k: int(v)}."""
    return {k: int(v, 0) for k, v in re.findall(r"(\w+)=(\S+)", line)}


def run_with_events(vm, events, cmds):
    """Start each hvtest command of `cmds` ({key: cmd}) waiting, set the
    events (each a function of the pids), let them run, read their
    output; the events are cleared before returning."""
    vm.sh("rm -f /tmp/go")
    pids = {k: waiting(vm, c, f"/tmp/h_{k}.out") for k, c in cmds.items()}
    out = gdb(vm, *[e(pids) for e in events], "monitor events")
    assert out.count(" enabled: ") == len(events), out
    vm.sh("touch /tmp/go")
    return {k: wait_file(vm, f"/tmp/h_{k}.out", r"\w=", timeout=180).strip()
            for k in cmds}


def test_dr_counts_context_stages_and_exact_emulation(ev):
    vm = ev
    if vm.cpus > 1:
        pytest.skip("CPU-count independent (emulation per CPU): runs on 1 CPU")
    base = fields(hvtest(vm, "dr 1"))
    got = run_with_events(vm, [
        lambda p: f"monitor !dr pid 0n{p['n']} script {{ .d = .d + 1; "
                  ".dctx = $context + 0x100; }",
        lambda p: f"monitor !dr pid 0n{p['z']} stage all script "
                  "{ .stg = .stg * 10 + $event_stage + 1; }",
        lambda p: "monitor !dr pid 1 script { .p1 = .p1 + 1; }",
    ], {"n": "dr 20", "z": "dr 0"})
    v = script_vars(vm, ["d", "dctx", "stg", "p1"])
    gdb(vm, "monitor events c all")
    after = fields(hvtest(vm, "drget"))
    # 0x20 iterations of 3 MOV DR, then 4: exactly what hvtest ran.
    assert v["d"] == 3 * 0x20 + 4 and v["dctx"] == 0x100, v
    assert v["p1"] == 0, v
    # `dr 0`: 4 MOV DR, each pre (0 + 1) then post (1 + 1).
    assert v["stg"] == 0x12121212, v
    # Emulated exactly: the guest read its own DR7 and DR0, and DR0 held
    # what it wrote; the old DR0 is back.
    n = fields(got["n"])
    assert n["dr7"] == base["dr7"] and n["dr0"] == base["dr0"], (got, base)
    assert n["read"] == HVTEST_DR0, got
    assert after["dr0"] == base["dr0"] and after["dr7"] == base["dr7"], after


def test_dr_short_circuit_leaves_the_old_value(ev):
    vm = ev
    if vm.cpus > 1:
        pytest.skip("CPU-count independent (emulation per CPU): runs on 1 CPU")
    hvtest(vm, "drset 1111")
    got = run_with_events(vm, [
        lambda p: f"monitor !dr pid 0n{p['s']} sc on script "
                  "{ .s = .s + 1; }",
    ], {"s": "dr 1"})
    v = script_vars(vm, ["s"])
    gdb(vm, "monitor events c all")
    back = fields(hvtest(vm, "drget"))
    hvtest(vm, "drset 0")
    s = fields(got["s"])
    assert v["s"] == 7, v
    # No MOV ran: the registers kept hvtest's marker, DR0 its old value.
    assert s["dr7"] == MARK and s["dr0"] == MARK and s["read"] == MARK, got
    assert back["dr0"] == 0x1111, back


def test_pmc_counts_context_stages_sc_and_same_result(ev):
    vm = ev
    if vm.cpus > 1:
        pytest.skip("CPU-count independent (emulation per CPU): runs on 1 CPU")
    base = [fields(hvtest(vm, "pmc 3")) for _ in range(2)]
    got = run_with_events(vm, [
        lambda p: f"monitor !pmc pid 0n{p['n']} script {{ .pm = .pm + 1; "
                  ".pctx = $context + 0x100; }",
        lambda p: f"monitor !pmc pid 0n{p['z']} stage all script "
                  "{ .pst = .pst * 10 + $event_stage + 1; }",
        lambda p: f"monitor !pmc pid 0n{p['s']} sc on script "
                  "{ .ps = .ps + 1; }",
    ], {"n": "pmc 11", "z": "pmc 1", "s": "pmc 5"})
    v = script_vars(vm, ["pm", "pctx", "pst", "ps"])
    gdb(vm, "monitor events c all")
    n, s = fields(got["n"]), fields(got["s"])
    assert v["pm"] == 0x11 and v["pctx"] == 0x100, v
    assert v["ps"] == 5, v
    faults = base[0]["faults"] == 3
    assert base[0]["faults"] in (0, 3), base
    # What the guest gets is what it gets without the event: the same
    # #GP, or a value (compared when the counter stood still).
    assert n["faults"] == (0x11 if faults else 0), (got, base)
    assert n["vector"] == base[0]["vector"], (got, base)
    if not faults and base[0]["value"] == base[1]["value"]:
        assert n["value"] == base[0]["value"], (got, base)
    # A faulting RDPMC has no post stage (nothing completed).
    assert v["pst"] == (0x1 if faults else 0x12), v
    # sc on: RDPMC never ran, so it never faulted and EDX:EAX kept hvtest's
    # marker.
    assert s["faults"] == 0 and s["value"] == MARK, got


def dr_exits(vm):
    """DR-access exits so far, all CPUs (hvgdb's debugfs)."""
    m = re.search(rf"^\S+ {EXIT_DR_ACCESS} total=(\d+)",
                  vm.sh(f"cat {EXITS}"), re.M)
    return int(m.group(1)) if m else 0


def test_gdb_hbreak_and_guest_dr0_share_the_registers(ev):
    vm = ev
    a = kallsym(vm, "__x64_sys_getpid")
    hits = int(re.search(r"hits sw \d+ hw (\d+)",
                         vm.sh(f"cat {STATS}")).group(1))
    # Without a gdb hbreak (and without !dr) MOV DR does not exit.
    before = dr_exits(vm)
    hvtest(vm, "dr 10")
    assert dr_exits(vm) == before
    # Each round: the guest writes DR0 (a new value), calls getpid (gdb's
    # hbreak), reads DR0 and DR7 back; all on CPU 0.
    vm.sh("rm -f /tmp/stop /tmp/done /tmp/dr.out; (i=1; while [ ! -e "
          "/tmp/stop ]; do v=$(printf %x $((i * 0x1000 + 0x42))); "
          "taskset 1 sh -c \"echo drset $v > /proc/hvtest; cat /proc/hvtest"
          f"; {GETPID} 1 >/dev/null; echo drget > /proc/hvtest; "
          "cat /proc/hvtest\"; i=$((i + 1)); sleep 1; done; touch /tmp/done)"
          " >> /tmp/dr.out 2>&1 &")
    out = gdb(vm, f"hbreak *{a:#x}", "continue", "continue",
              "p $pc", "delete", "detach", detach=False)
    # Two more rounds once gdb let go (any getpid stops gdb, so both of its
    # stops may fall in one round): the rounds cover before, during, after.
    n0 = vm.sh("grep -c drget /tmp/dr.out || true").strip()
    for _ in range(300):
        if int(vm.sh("grep -c drget /tmp/dr.out || true").strip()) >= \
                int(n0) + 2:
            break
        time.sleep(1)
    vm.sh("touch /tmp/stop")
    for _ in range(300):
        if vm.exec("test -e /tmp/done")[0] == 0:
            break
        time.sleep(1)
    held = dr_exits(vm)
    final = fields(hvtest(vm, "drget"))
    hvtest(vm, "dr 10")
    after = dr_exits(vm)
    log = vm.sh("cat /tmp/dr.out")
    hvtest(vm, "drset 0")
    # gdb's breakpoint stopped twice: the guest's DR0 writes between the
    # two stops did not take its slot.
    assert out.count("Breakpoint 1, ") == 2, out
    assert values(out)[-1].endswith(f"{a:#x}"), out
    s = vm.sh(f"cat {STATS}")
    assert int(re.search(r"hits sw \d+ hw (\d+)", s).group(1)) == hits + 2
    # Every round, before, during and after gdb held DR0: the guest read
    # back what it wrote, and DR7 never showed gdb's enable bits for
    # slot 0 (L0/G0) nor its R/W-LEN bits.
    rounds = re.findall(r"drset dr0=(\S+) dr7=(\S+)\ndrget dr0=(\S+) "
                        r"dr7=(\S+)", log)
    assert len(rounds) >= 2, log
    for set0, set7, get0, get7 in rounds:
        assert set0 == get0, log
        for d7 in (int(set7, 16), int(get7, 16)):
            assert d7 & 0xf0003 == 0, log
    # gdb let go: the real DR0 holds the guest's last value.
    assert final["dr0"] == int(rounds[-1][2], 16), (final, log)
    assert final["dr7"] & 0xf0003 == 0, final
    # The guest's MOV DR exited while gdb held DR0, and no longer does.
    assert held > before and after == held, (before, held, after)
