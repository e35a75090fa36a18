"""HyperDbg's !monitor (issue 14) over the per-CPU EPT views: a test
module (tests/guest-kmod/hvtest.ko: mbuf, mread, mwrite, mget, mexec) and
a guest program (tests/guest/mon_touch.c) read, write and execute a
monitored range a known number of times, and each event's script counts
its firings: the counts are exact for r, w, rw and x; $context is the
accessed address (linear for va, physical for pa); stage all runs pre then
post; sc (option or event_sc(1)) skips a write, which the guest sees as
the old value; a range across two pages; two monitors on one address;
set and clear 100 times; clear while hits are in flight; rmmod with
monitors set.  On 2 CPUs both CPUs hammer one monitored page and each
CPU's count (core filter) is what its thread did: nothing lost while the
other CPU single-steps an access on it (HyperDbg #91), nothing doubled.
"""
import re
from pathlib import Path

import pytest

from hvvm import (DBG, assert_clean_dmesg, background, ensure_hvtest,
                  gdb, hvgdb_loaded, mark, monitor_pages, new_dmesg,
                  script_vars, sections, wait_file)

TOUCH = "/hvgdb/bin/mon_touch"
REPO = Path(__file__).resolve().parents[2]
MARK = 0x6d61726b6d61726b       # hvtest.c's HVTEST_MARK


@pytest.fixture(scope="module")
def mon(vm):
    with hvgdb_loaded(vm) as dmark:
        ensure_hvtest(vm)
        yield vm
        assert_clean_dmesg(new_dmesg(vm, dmark))


def hvtest(vm, cmd):
    return vm.sh(f"echo {cmd} > /proc/hvtest && cat /proc/hvtest").strip()


def mbuf(vm):
    """hvtest's two zeroed pages: (physical, kernel virtual) address."""
    m = re.search(r"mbuf pa=(0x[0-9a-f]+) va=(0x[0-9a-f]+)",
                  hvtest(vm, "mbuf"))
    assert m
    return int(m.group(1), 16), int(m.group(2), 16)


def mget(vm, off):
    m = re.search(r"value=(0x[0-9a-f]+)", hvtest(vm, f"mget {off:x}"))
    assert m
    return int(m.group(1), 16)


def ids_of(out):
    return [int(i, 16) for i in
            re.findall(r"^event (0x[0-9a-f]+) enabled", out, re.M)]


def ept_info(vm):
    """debugfs ept as {name: int} (views, view<N>_pages, pool_free...)."""
    return {m.group(1): int(m.group(2), 0) for m in
            re.finditer(r"^(\w+) (\S+)$", vm.sh(f"cat {DBG}/ept"), re.M)
            if re.fullmatch(r"(0x[0-9a-f]+|\d+)", m.group(2))}


def test_per_cpu_views_and_their_memory(mon):
    """One EPT view per CPU; a hooked page splits in every view alike.
    The figures go to build/monitor-ept-mem-<cpus>cpu.txt."""
    vm = mon
    pa, va = mbuf(vm)
    before = ept_info(vm)
    assert before["views"] >= vm.cpus, before     # possible CPUs
    gdb(vm, f"monitor !monitor w {va:x} l 8")
    after = ept_info(vm)
    gdb(vm, "monitor events c all")
    per_view = [after[f"view{i}_pages"] - before[f"view{i}_pages"]
                for i in range(vm.cpus)]
    assert len(set(per_view)) == 1 and per_view[0] in (0, 1, 2), per_view
    lines = [f"cpus {vm.cpus}",
             f"identity_pages_per_view {before['view_identity_pages']}",
             f"table_pages_per_view_before {before['view0_pages']}",
             f"split_pages_per_view_for_one_hooked_page {per_view[0]}",
             f"pool_pages {before['pool_pages']}",
             f"pool_free {before['pool_free']}"]
    (REPO / "build").mkdir(exist_ok=True)
    (REPO / "build" / f"monitor-ept-mem-{vm.cpus}cpu.txt").write_text(
        "\n".join(lines) + "\n")
    print("\n".join(lines))


def test_counts_context_stages_va_pa_and_two_pages(mon):
    vm = mon
    pa, va = mbuf(vm)
    fn = int(re.search(r"fn=(0x[0-9a-f]+)", hvtest(vm, "mexec 0")).group(1),
             16)
    out = gdb(vm,
              f"monitor !monitor r {va:x} l 8 script "
              "{ .r = .r + 1; .rctx = $context; }",
              f"monitor !monitor w {va + 8:x} {va + 15:x} script "
              "{ .w = .w + 1; .wctx = $context; }",
              f"monitor !monitor rw {va + 16:x} l 8 script "
              "{ .rw = .rw + 1; }",
              f"monitor !monitor x {fn:x} l 1 script "
              "{ .x = .x + 1; .xctx = $context; }",
              f"monitor !monitor pa w {pa + 0x18:x} l 8 stage all script "
              "{ .st = .st * 10 + $event_stage + 1; .pctx = $context; }",
              f"monitor !monitor rw {va + 0xff8:x} {va + 0x1007:x} script "
              "{ .two = .two + 1; .tctx = $context; }",
              mark("list"), "monitor events", mark("end"))
    assert len(ids_of(out)) == 6, out
    assert sections(out)["list"].count("(enabled) !monitor") == 6, out
    assert "mread n=7" in hvtest(vm, "mread 7 0")
    hvtest(vm, "mwrite 5 8")
    hvtest(vm, "mread 3 10")
    hvtest(vm, "mwrite 4 10")
    assert "mexec n=9" in hvtest(vm, "mexec 9")
    hvtest(vm, "mwrite 1 18")
    hvtest(vm, "mread 2 ff8")
    hvtest(vm, "mwrite 3 1000")
    v = script_vars(vm, ["r", "rctx", "w", "wctx", "rw", "x", "xctx", "st",
                         "pctx", "two", "tctx"])
    gdb(vm, "monitor events c all")
    assert (v["r"], v["w"], v["rw"], v["x"], v["two"]) == (7, 5, 7, 9, 5), v
    assert v["rctx"] == va and v["wctx"] == va + 8, v
    assert v["xctx"] == fn, v
    assert v["st"] == 0x12 and v["pctx"] == pa + 0x18, v     # pre, post
    assert v["tctx"] == va + 0x1000, v
    # The writes went through: the last value each loop stored.
    assert mget(vm, 8) == MARK + 4 and mget(vm, 0x1000) == MARK + 2
    assert monitor_pages(vm) == 0


def test_both_cpus_hammer_one_page(mon):
    vm = mon
    if vm.cpus < 2:
        pytest.skip("needs 2 CPUs")
    n = 300
    vm.sh("rm -f /tmp/mgo /tmp/mhold")
    background(vm, f"{TOUCH} --wait /tmp/mgo --hold /tmp/mhold 2 {n}",
               "/tmp/mt.out")
    out = wait_file(vm, "/tmp/mt.out", r"pa=0x")
    pa = int(re.search(r"pa=(0x[0-9a-f]+)", out).group(1), 16)
    gdb(vm, *[f"monitor !monitor {acc} {pa:x} l 1000 pa core {c} script "
              f"{{ .{acc}{c} = .{acc}{c} + 1; }}"
              for acc in ("r", "w") for c in (0, 1)])
    vm.sh("touch /tmp/mgo")
    out = wait_file(vm, "/tmp/mt.out", r"reads=", timeout=900)
    assert f"reads={2 * n} writes={2 * n} " in out, out
    v = script_vars(vm, ["r0", "r1", "w0", "w1"])
    gdb(vm, "monitor events c all")
    vm.sh("touch /tmp/mhold")
    assert v == {"r0": n, "r1": n, "w0": n, "w1": n}, v


def test_sc_skips_the_write(mon):
    vm = mon
    pa, va = mbuf(vm)
    gdb(vm, f"monitor !monitor w {va + 0x20:x} l 8 sc on script "
        "{ .sc = .sc + 1; }",
        f"monitor !monitor w {va + 0x28:x} l 8 script "
        "{ .sc2 = .sc2 + 1; event_sc(1); }",
        f"monitor !monitor w {va + 0x30:x} l 8 stage post script "
        "{ .post = .post + 1; }")
    hvtest(vm, "mwrite 3 20")
    hvtest(vm, "mwrite 4 28")
    hvtest(vm, "mwrite 2 30")
    v = script_vars(vm, ["sc", "sc2", "post"])
    gdb(vm, "monitor events c all")
    assert (v["sc"], v["sc2"], v["post"]) == (3, 4, 2), v
    # The guest sees the old values where sc skipped the stores.
    assert mget(vm, 0x20) == 0 and mget(vm, 0x28) == 0
    assert mget(vm, 0x30) == MARK + 1


def test_two_monitors_on_one_address_and_clearing_one(mon):
    vm = mon
    pa, va = mbuf(vm)
    out = gdb(vm, f"monitor !monitor w {va + 0x40:x} l 8 script "
              "{ .a = .a + 1; }",
              f"monitor !monitor w {va + 0x40:x} l 8 script "
              "{ .b = .b + 1; }",
              f"monitor !monitor w {pa + 0x40:x} l 8 pa script "
              "{ .c = .c + 1; }")
    a, b, c = ids_of(out)
    hvtest(vm, "mwrite 4 40")
    gdb(vm, f"monitor events c {a:x}")
    hvtest(vm, "mwrite 2 40")
    gdb(vm, f"monitor events d {c:x}")
    hvtest(vm, "mwrite 1 40")
    v = script_vars(vm, ["a", "b", "c"])
    gdb(vm, "monitor events c all")
    assert (v["a"], v["b"], v["c"]) == (4, 7, 6), v
    assert monitor_pages(vm) == 0


def test_set_and_clear_a_hundred_times(mon):
    vm = mon
    pa, va = mbuf(vm)
    cmds = []
    for _ in range(100):
        cmds += [f"monitor !monitor rw {va:x} l 2000 script "
                 "{ .h = .h + 1; }", "monitor events c all"]
    out = gdb(vm, *cmds, mark("list"), "monitor events", mark("end"))
    assert len(ids_of(out)) == 100, out
    assert sections(out)["list"] == "no events", out
    assert monitor_pages(vm) == 0
    hvtest(vm, "mwrite 3 0")
    out = gdb(vm, f"monitor !monitor rw {va:x} l 2000 script "
              "{ .h = .h + 1; }")
    hvtest(vm, "mwrite 3 1ff8")
    assert script_vars(vm, ["h"])["h"] == 3
    gdb(vm, "monitor events c all")


def test_refused_whole_when_the_pool_is_too_small(mon):
    vm = mon
    pa, va = mbuf(vm)
    out = gdb(vm, f"monitor !monitor r {va:x} l 100000", mark("list"),
              "monitor events", mark("end"), "monitor prealloc monitor 4",
              "monitor prealloc")
    assert "monitor pool" in out, out
    assert sections(out)["list"] == "no events", out
    assert "prealloc monitor: 0x" in out, out


def test_clear_while_hits_are_in_flight(mon):
    vm = mon
    pa, va = mbuf(vm)
    gdb(vm, f"monitor !monitor rw {va:x} l 8 script {{ .f = .f + 1; }}")
    # hvtest's numbers are hex: 0x3000 = 12288 reads.
    background(vm, "echo mread 3000 0 > /proc/hvtest; cat /proc/hvtest",
               "/tmp/inflight.out")
    gdb(vm, "monitor events c all")
    out = wait_file(vm, "/tmp/inflight.out", r"mread n=", timeout=600)
    assert "mread n=12288 " in out, out
    f = script_vars(vm, ["f"])["f"]
    assert 0 <= f <= 12288, f
    hvtest(vm, "mread 5 0")
    assert script_vars(vm, ["f"])["f"] == f
    assert monitor_pages(vm) == 0


def test_rmmod_with_monitors_set(mon):
    vm = mon
    pa, va = mbuf(vm)
    gdb(vm, f"monitor !monitor rw {va:x} l 2000 script {{ .z = .z + 1; }}",
        f"monitor !monitor w {va + 0x50:x} l 8 sc on")
    hvtest(vm, "mwrite 1 0")
    assert script_vars(vm, ["z"])["z"] >= 1
    vm.sh("rmmod hvgdb", timeout=300)
    # Natively: every access goes through, nothing skips the store.
    hvtest(vm, "mwrite 2 50")
    assert mget(vm, 0x50) == MARK + 1
    vm.sh("insmod /hvgdb/hvgdb.ko uart_port=0x3e8", timeout=300)
    out = gdb(vm, mark("list"), "monitor events", mark("end"))
    assert sections(out)["list"] == "no events", out
