"""HyperDbg events in hvgdb.ko through gdb's `monitor` (issue 6, module
side): each event fires the number of times a guest program
(tests/guest/ev_trigger.c) executes its instruction, with its $context,
pid/core filters, conditions, stages, short-circuiting, script output at
once or batched, `events` list/disable/enable/clear (clear takes effect at
once, even inside the firing that stopped), a break stopping gdb on the
trapping CPU's thread with the event's O-line, and unloading with events
set.  One module load per VM; run on 1 and on 2 CPUs.

!xsetbv and kernel-mode VMCALL go through tests/guest-kmod/hvtest.ko.
!dr and !pmc (privileged MOV DR, RDPMC at CPL 0 through hvtest.ko) are
in test_events_dr_pmc.py; !exception, !interrupt, !syscall and !sysret in
test_events_sys.py.
"""
import re
import time

import pytest

from hvvm import (TSC_AUX, assert_clean_dmesg, background, gdb, gdb_start,
                  hvgdb_loaded, mark, new_dmesg, one_cpu_is_enough,
                  script_vars, sections, wait_file)

BIN = "/hvgdb/bin/ev_trigger"
SCRATCH = 0x3FF             # COM1 scratch register (SDM-free: 8250 UART)


@pytest.fixture(scope="module")
def ev(vm):
    vm.exec("insmod /hvgdb/msr.ko")
    with hvgdb_loaded(vm) as dmark:
        yield vm
        assert_clean_dmesg(new_dmesg(vm, dmark))


@pytest.fixture(scope="module")
def fifteen(ev):
    """15 events of every kind of ev_trigger's, set in one session; the
    programs that trigger them run once; their script counters read in one
    session, then the events are cleared.  Each kind's checks are one test
    (test_counts_context_stages_filters_and_sc[<kind>])."""
    vm = ev
    last = vm.cpus - 1
    vm.sh("rm -f /tmp/go")
    p_tsc = background(vm, f"{BIN} --wait /tmp/go rdtsc 50", "/tmp/t1.out")
    p_tscp = background(vm, f"{BIN} --wait /tmp/go rdtscp 7", "/tmp/t2.out")
    p_cpuid = background(vm, f"{BIN} --wait /tmp/go cpuid 0x4713 20",
                         "/tmp/t3.out")
    user = "condition { (@cs & 3) == 3 }"
    out = gdb(vm,
              "monitor !cpuid 4711 script { .cpuid = .cpuid + 1; "
              ".cctx = $context; }",
              "monitor !cpuid 4712 stage post script { @rax = 0x1234; }",
              "monitor !cpuid 4716 stage all script "
              "{ .stg = .stg * 10 + $event_stage + 1; }",
              f"monitor !msrread {TSC_AUX:x} script {{ .mr = .mr + 1; "
              ".mctx = $context; }",
              f"monitor !msrwrite {TSC_AUX:x} sc on script "
              "{ .mw = .mw + 1; }",
              f"monitor !tsc pid 0n{p_tsc} {user} script "
              "{ .t1 = .t1 + 1; .t1ctx = $context; }",
              f"monitor !tsc pid 0n{p_tscp} {user} script "
              "{ .t2 = .t2 + 1; .t2ctx = $context; }",
              f"monitor !ioout {SCRATCH:x} script {{ .oo = .oo + 1; "
              ".octx = $context; }",
              f"monitor !ioin {SCRATCH:x} stage post script "
              "{ .ii = .ii + 1; }",
              "monitor !vmcall sc on script { .vm = .vm + 1; }",
              "monitor !crwrite 4 mask 4 script { .cr = .cr + 1; "
              ".crctx = $context; }",
              f"monitor !cpuid 4713 pid 0n{p_cpuid} script "
              "{ .pp = .pp + 1; }",
              "monitor !cpuid 4713 pid 1 script { .p1 = .p1 + 1; }",
              "monitor !cpuid 4714 core 0 script { .k0 = .k0 + 1; }",
              "monitor !cpuid 4714 core 1 script { .k1 = .k1 + 1; }",
              "monitor events")
    assert out.count(" enabled: ") == 15, out
    vm.sh("touch /tmp/go")
    got = {
        "c1": vm.sh(f"{BIN} cpuid 0x4711 17"),
        "c2": vm.sh(f"{BIN} cpuid 0x4712 2"),
        "c6": vm.sh(f"{BIN} cpuid 0x4716 1"),
        "mr": vm.sh(f"{BIN} msrr 0 {TSC_AUX:#x} 5"),
        "mw": vm.sh(f"{BIN} msrw 0 {TSC_AUX:#x} 5"),
        "io": vm.sh(f"{BIN} io {SCRATCH:#x} 0x5a 9"),
        "vmcall": vm.sh(f"{BIN} vmcall 4"),
        "tsd": vm.sh(f"{BIN} tsd 5"),
        "c3": vm.sh(f"{BIN} cpuid 0x4713 6"),
        "c4": vm.sh(f"{BIN} --cpu {last} cpuid 0x4714 7"),
    }
    wait_file(vm, "/tmp/t1.out", r"tsc=")
    wait_file(vm, "/tmp/t2.out", r"aux=")
    wait_file(vm, "/tmp/t3.out", r"eax=")
    v = script_vars(vm, ["cpuid", "cctx", "stg", "mr", "mctx", "mw", "t1",
                         "t1ctx", "t2", "t2ctx", "oo", "octx", "ii", "vm",
                         "cr", "crctx", "pp", "p1", "k0", "k1"])
    gdb(vm, "monitor events c all")
    return {"v": v, "got": got, "last": last,
            "t1": vm.sh("cat /tmp/t1.out")}


# What each kind of event of `fifteen` must have done: counts are exactly
# what the programs executed; emulation: a post-stage script's @rax is
# what CPUID returned, the guest's I/O reached the port, sc skipped the
# WRMSR and the VMCALL's #UD, RDTSC never went backwards.
def _cpuid(r):
    v, got = r["v"], r["got"]
    assert v["cpuid"] == 17 and v["cctx"] == 0x4711, v
    assert "eax=0x1234" not in got["c1"], got


def _cpuid_post_stage(r):
    assert "eax=0x1234" in r["got"]["c2"], r["got"]


def _cpuid_stage_all(r):
    # Stages: pre (0 + 1) then post (1 + 1), in that order.
    assert r["v"]["stg"] == 0x12, r["v"]


def _msrread(r):
    v = r["v"]
    assert v["mr"] == 6 and v["mctx"] == TSC_AUX, v     # 5 + msrw's read


def _msrwrite_sc(r):
    assert "msr=0\n" in r["got"]["mw"], r["got"]
    assert r["v"]["mw"] == 1, r["v"]


def _tsc_rdtsc(r):
    v = r["v"]
    assert v["t1"] == 50 and v["t1ctx"] == 0, v         # RDTSC
    assert "tsc=ok" in r["t1"]


def _tsc_rdtscp(r):
    v = r["v"]
    assert v["t2"] == 7 and v["t2ctx"] == 1, v          # RDTSCP


def _io(r):
    v = r["v"]
    assert v["oo"] == 9 and v["octx"] == SCRATCH and v["ii"] == 1, v
    assert "in=0x5a" in r["got"]["io"], r["got"]


def _vmcall_sc(r):
    assert r["v"]["vm"] == 4, r["v"]
    assert "sigill=0" in r["got"]["vmcall"], r["got"]


def _crwrite(r):
    v = r["v"]
    # Each switch to and from the TSD task writes CR4.TSD.
    assert v["cr"] >= 2 and v["crctx"] == 4, v
    assert "tsd=done" in r["got"]["tsd"], r["got"]


def _pid_filter(r):
    v = r["v"]
    assert v["pp"] == 20 and v["p1"] == 0, v


def _core_filter(r):
    v = r["v"]
    assert (v["k0"], v["k1"]) == ((0, 7) if r["last"] else (7, 0)), v


EVENT_KINDS = {
    "cpuid": _cpuid, "cpuid_post_stage": _cpuid_post_stage,
    "cpuid_stage_all": _cpuid_stage_all, "msrread": _msrread,
    "msrwrite_sc": _msrwrite_sc, "tsc_rdtsc": _tsc_rdtsc,
    "tsc_rdtscp": _tsc_rdtscp, "io": _io, "vmcall_sc": _vmcall_sc,
    "crwrite": _crwrite, "pid_filter": _pid_filter,
    "core_filter": _core_filter,
}


@pytest.mark.parametrize("kind", list(EVENT_KINDS))
def test_counts_context_stages_filters_and_sc(fifteen, kind):
    EVENT_KINDS[kind](fifteen)


def test_msrwrite_without_sc_is_emulated(ev):
    vm = ev
    one_cpu_is_enough(vm)
    gdb(vm, f"monitor !msrwrite {TSC_AUX:x} script {{ .w2 = .w2 + 1; }}")
    first = vm.sh(f"{BIN} msrw 0 {TSC_AUX:#x} 5")
    back = vm.sh(f"{BIN} msrw 0 {TSC_AUX:#x} 0")
    v = script_vars(vm, ["w2"])
    gdb(vm, "monitor events c all")
    assert "msr=0x5" in first and "msr=0\n" in back
    assert v["w2"] == 2


def test_events_list_disable_enable_clear(ev):
    vm = ev
    one_cpu_is_enough(vm)
    out = gdb(vm, "monitor !cpuid 4721 script { .d1 = .d1 + 1; }",
              "monitor !cpuid 4721 script { .d2 = .d2 + 1; }")
    ids = [int(i, 16) for i in re.findall(r"^event (0x[0-9a-f]+) enabled",
                                          out, re.M)]
    assert len(ids) == 2, out
    a, b = ids
    out = gdb(vm, f"monitor events d {a:x}", mark("list"), "monitor events",
              mark("end"))
    lines = sections(out)["list"].splitlines()
    assert lines == [f"{a:#x} (disabled) !cpuid 4721 script "
                     "{ .d1 = .d1 + 1; }",
                     f"{b:#x} (enabled) !cpuid 4721 script "
                     "{ .d2 = .d2 + 1; }"], out
    vm.sh(f"{BIN} cpuid 0x4721 3")
    v1 = script_vars(vm, ["d1", "d2"])
    gdb(vm, f"monitor events e {a:x}")
    vm.sh(f"{BIN} cpuid 0x4721 3")
    v2 = script_vars(vm, ["d1", "d2"])
    out = gdb(vm, f"monitor events c {b:x}", mark("list"), "monitor events",
              mark("end"))
    assert sections(out)["list"] == (f"{a:#x} (enabled) !cpuid 4721 "
                                     "script { .d1 = .d1 + 1; }"), out
    vm.sh(f"{BIN} cpuid 0x4721 3")
    v3 = script_vars(vm, ["d1", "d2"])
    out = gdb(vm, "monitor events c all", mark("list"), "monitor events",
              mark("end"))
    assert sections(out)["list"] == "no events"
    assert (v1["d1"], v1["d2"]) == (0, 3)
    assert (v2["d1"], v2["d2"]) == (3, 6)
    assert (v3["d1"], v3["d2"]) == (6, 6)


def test_break_stops_on_the_trapping_thread_and_clear_is_immediate(ev):
    vm = ev
    last = vm.cpus - 1
    vm.sh("rm -f /tmp/go2 /tmp/go3")
    vm.sh(f"({BIN} --wait /tmp/go2 cpuid 0x4720 2 > /tmp/q.out 2>&1; "
          "touch /tmp/go3) > /dev/null 2>&1 &")
    pid = background(vm, f"{BIN} --wait /tmp/go3 --cpu {last} cpuid "
                     "0x4717 3", "/tmp/brk.out")
    gdb(vm, "monitor !cpuid 4720 script { printf(\"live %x\\n\", "
        "$context); }",
        "monitor !cpuid 4717",
        "monitor !cpuid 4717 script { .after = .after + 1; }")
    g = gdb_start(vm, "continue", mark("threads"), "info threads",
                  mark("rax"), "p/x $rax", "monitor events c all",
                  mark("list"), "monitor events", mark("end"))
    time.sleep(5)
    vm.sh("touch /tmp/go2")
    out, _ = g.communicate(timeout=300)
    assert "[Inferior 1 (Remote target) detached]" in out, out
    text = wait_file(vm, "/tmp/brk.out", r"eax=")
    assert "eax=" in text
    v = script_vars(vm, ["after"])
    s = sections(out)
    # Script output while gdb waits: O packets at once, before the stop.
    before = out.split("received signal SIGTRAP")[0]
    assert before.count("live 4720") == 2, out
    # The O-line of the event, then the stop on the trapping CPU's thread.
    assert re.search(r"^event 0x[0-9a-f]+ !cpuid context=0x4717 stage=pre "
                     rf"core={last:#x} pid={pid:#x}$", before, re.M), out
    assert out.count("received signal SIGTRAP") == 1, out
    assert re.search(rf"^\* {last + 1}\s+Thread {last + 1} "
                     rf"\"CPU {last}: ev_trigger \[{pid}\]\"",
                     s["threads"], re.M), out
    assert re.search(r"= 0x4717$", s["rax"], re.M), out
    assert s["list"] == "no events", out
    # Cleared at the stop: the script event after the break in the same
    # firing never ran, nor did anything on the two later CPUIDs.
    assert v["after"] == 0, v


def test_batched_output_is_flushed_with_a_loss_count(ev):
    vm = ev
    gdb(vm, "monitor !cpuid 4718 imm no script { printf(\"hit %x\\n\", "
        "$context); }",
        "monitor !cpuid 4719 script { printf(\"imm %x\\n\", $context); }")
    vm.sh(f"{BIN} cpuid 0x4718 3")
    # imm yes with no gdb waiting for a stop: kept in the batch.
    vm.sh(f"{BIN} cpuid 0x4719 2")
    out = gdb(vm, mark("f1"), "monitor flush", mark("f2"), "monitor flush",
              mark("end"))
    s = sections(out)
    # Batches are per CPU and flushed CPU by CPU: the two programs may
    # have run on different CPUs, so only the lines count, not their order.
    assert sorted(re.findall(r"^(?:hit|imm) \w+$", s["f1"], re.M)) == \
        ["hit 4718"] * 3 + ["imm 4719"] * 2, out
    assert "hit" not in s["f2"] and "imm" not in s["f2"], out
    # More than a CPU's 4 KiB batch: nothing silently lost.
    vm.sh(f"{BIN} cpuid 0x4718 1000", timeout=300)
    out = gdb(vm, mark("f3"), "monitor flush", mark("end"),
              "monitor events c all")
    s = sections(out)
    hits = len(re.findall(r"^hit 4718$", s["f3"], re.M))
    m = re.search(r"hvgdb: (0x[0-9a-f]+) event messages lost", s["f3"])
    assert m, out
    assert hits + int(m.group(1), 16) == 1000, (hits, m.group(0))


def test_unload_with_events_set_restores_everything(ev):
    vm = ev
    gdb(vm, "monitor !msrread script { .x = .x + 1; }",
        "monitor !msrwrite script { .x = .x + 1; }",
        "monitor !ioin script { .x = .x + 1; }",
        "monitor !ioout script { .x = .x + 1; }",
        "monitor !crwrite 4 mask 4 script { .x = .x + 1; }",
        "monitor !tsc script { .x = .x + 1; }",
        "monitor !vmcall script { .x = .x + 1; }")
    # The system keeps working with every intercept set...
    assert "msr=" in vm.sh(f"{BIN} msrr 0 0x10 2")
    assert "in=0x77" in vm.sh(f"{BIN} io {SCRATCH:#x} 0x77 1")
    assert "sigill=2" in vm.sh(f"{BIN} vmcall 2")
    assert "tsd=done" in vm.sh(f"{BIN} tsd 3")
    assert script_vars(vm, ["x"])["x"] > 0
    # ...and after rmmod with them set, natively.
    vm.sh("rmmod hvgdb", timeout=300)
    assert "in=0x66" in vm.sh(f"{BIN} io {SCRATCH:#x} 0x66 1")
    assert "sigill=1" in vm.sh(f"{BIN} vmcall 1")
    assert "msr=" in vm.sh(f"{BIN} msrr 0 0x10 1")
    vm.sh("insmod /hvgdb/hvgdb.ko uart_port=0x3e8", timeout=300)
    out = gdb(vm, mark("list"), "monitor events", mark("end"))
    assert sections(out)["list"] == "no events", out


def hvtest(vm, cmd):
    return vm.sh(f"echo {cmd} > /proc/hvtest && cat /proc/hvtest").strip()


def test_xsetbv_and_kernel_vmcall(ev):
    """Ring-0 instructions through the test module hvtest.ko: !xsetbv
    counts with the XCR as $context and a bad XCR0 still gets its #GP;
    !vmcall fires for a foreign VMCALL (still #UD) but never for hvgdb's
    own hypercall numbers."""
    vm = ev
    if vm.exec("test -e /hvgdb/hvtest.ko")[0]:
        pytest.skip("image without tests/guest-kmod/hvtest.ko")
    vm.exec("insmod /hvgdb/hvtest.ko")
    gdb(vm, "monitor !xsetbv script { .xs = .xs + 1; .xctx = $context + "
        "0x100; }",
        "monitor !vmcall script { .kv = .kv + 1; }")
    good = hvtest(vm, "xsetbv")
    bad = hvtest(vm, "xsetbv_bad")
    call = hvtest(vm, "vmcall")
    own = hvtest(vm, "vmcall_hv")
    v = script_vars(vm, ["xs", "xctx", "kv"])
    gdb(vm, "monitor events c all")
    vm.exec("rmmod hvtest")
    assert good.startswith("xsetbv ok"), good
    assert "trap=13" in bad, bad
    assert v["xs"] == 2 and v["xctx"] == 0x100, v
    assert "trap=6" in call and "trap=6" in own, (call, own)
    assert v["kv"] == 1, v


def test_more_events_than_one_window_all_act(ev):
    """20 events on one CPUID leaf: more than the 16 one window of
    mon_fire() holds; every one of them acts on every hit."""
    vm = ev
    one_cpu_is_enough(vm)
    n = 20
    gdb(vm, *[f"monitor !cpuid 4730 script {{ .w{i} = .w{i} + 1; }}"
              for i in range(n)])
    vm.sh(f"{BIN} cpuid 0x4730 3")
    v = script_vars(vm, [f"w{i}" for i in range(n)])
    gdb(vm, "monitor events c all")
    assert all(v[f"w{i}"] == 3 for i in range(n)), v
