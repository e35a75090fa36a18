"""EPT events together (issue 14's "clear while hits are in flight", "two
hooks and a monitor on one page", "rmmod with every kind set").

- Clearing an !epthook while a guest program calls the hooked function in
  a loop (on 2 CPUs one program pinned to each CPU): the clear returns,
  the programs finish, nothing counts any more (the script's counter and
  the module's own hook hits stay), gdb's `x` and /proc/kcore show the
  original bytes, dmesg is clean.  The same for a !monitor read by
  hvtest.ko's mread loop (one per CPU).
- Two !epthook on two syscall functions of one 4 KiB page (kernel/sys.c's
  getpid and a neighbour, found in /proc/kallsyms) and a !monitor x on a
  third function of that page: one program (tests/guest/hook_calls.c)
  calls the three a known number of times per round; each count is
  exact; clearing one event leaves the others exact.
- rmmod with an !epthook, an !epthook2, a !monitor, a !mode, a gdb
  breakpoint and a gdb watchpoint set at once (gdb still connected and
  running): the kernel's bytes are as before, the kernel runs, dmesg is
  clean, and a new load starts with no events.  (!track has no state that
  outlives the resume it steps, so it is not part of this.)
"""
import re
import subprocess
import time

import pytest

from hvvm import (DBG, HOOK_CALLS as BIN, assert_clean_dmesg, background,
                  check_gdb_output, ensure_hvtest, gdb, gdb_server, gdb_start,
                  kallsym, kcore_bytes, loaded, mark, monitor_pages,
                  new_dmesg, script_vars, sections, wait_file, xbytes)
# Argument-less syscalls whose kernel entries sit next to getpid's
# (kernel/sys.c); hook_calls calls each by name.
NEIGHBOURS = ("getppid", "gettid", "getuid", "geteuid", "getgid", "getegid")


def hook_hits(vm):
    """The module's own count of hidden-breakpoint hits (debugfs gdb)."""
    text = vm.sh(f"cat {DBG}/gdb")
    m = re.search(r"hooks: hits (\d+)", text)
    assert m, text
    return int(m.group(1))


def hvtest(vm, cmd):
    return vm.sh(f"echo {cmd} > /proc/hvtest && cat /proc/hvtest").strip()


def pool_line(out, pool):
    m = re.search(rf"^{pool} pool: .*$", out, re.M)
    assert m, out
    return m.group(0)


@pytest.fixture
def server(vm):
    with gdb_server(vm) as dmark:
        yield vm
        assert_clean_dmesg(new_dmesg(vm, dmark))


def test_clear_epthook_while_hits_are_in_flight(server):
    vm = server
    a = kallsym(vm, "__x64_sys_getpid")
    orig = kcore_bytes(vm)
    vm.sh("rm -f /tmp/go /tmp/until")
    names = [f"f{c}" for c in range(vm.cpus)]
    for c, name in enumerate(names):
        background(vm, f"{BIN} --wait /tmp/go --cpu {c} --until /tmp/until "
                   "getpid 100000000", f"/tmp/{name}.out")
    out = gdb(vm, f"monitor !epthook {a:x} script {{ .f = .f + 1; }}")
    assert "enabled: !epthook" in out, out
    vm.sh("touch /tmp/go")
    # Hits in flight: the programs are in their loops, counted.
    deadline = time.time() + 300
    while script_vars(vm, ["f"])["f"] < 1000 * vm.cpus:
        assert time.time() < deadline, "the hooked loops did not start"
        time.sleep(2)
    out = gdb(vm, mark("clear"), "monitor events c all",
              mark("x"), f"x/16xb {a:#x}",
              mark("pool"), "monitor prealloc", mark("end"))
    s = sections(out)
    running = vm.sh(" ".join(f"cat /tmp/{n}.out;" for n in names))
    assert "done" not in running, ("the loops ended before the clear: "
                                   "nothing was in flight", running)
    f1 = script_vars(vm, ["f"])["f"]
    h1 = hook_hits(vm)
    # Unhooked, the loops run on at native speed for a while.
    time.sleep(5)
    vm.sh("touch /tmp/until")
    res = [wait_file(vm, f"/tmp/{n}.out", r"done|rror", timeout=600)
           for n in names]
    assert all(re.search(r"getpid=\d+ done", r) for r in res), res
    assert "getpid=7 done" in vm.sh(f"{BIN} getpid 7")
    assert script_vars(vm, ["f"])["f"] == f1
    assert hook_hits(vm) == h1
    assert xbytes(s["x"]) == orig, out
    assert kcore_bytes(vm) == orig
    assert "0x0 of" in pool_line(s["pool"], "epthook"), out
    print(f"\n{res}\ncounted {f1} before the clear")


def test_clear_monitor_while_hits_are_in_flight(server):
    """hvtest.ko's mread loop (one 8-byte read per iteration, one loop
    pinned to each CPU) reads a monitored qword and the monitor is
    cleared before the loops end: what was counted is less than what the
    loops read (the clear came while they ran), nothing is counted after
    it, and the loops finish.  (A user-space hammer, mon_touch with 2M
    iterations, slowed the whole Bochs VM past gdb's and the agent's
    timeouts; the loops here are short.)"""
    vm = server
    # Long enough that no loop ends in the 10 s before the clear (a
    # monitored read is some 7,400 emulated instructions; unmonitored, the
    # rest takes moments).
    n = 0x40000
    ensure_hvtest(vm)
    m = re.search(r"mbuf pa=(0x[0-9a-f]+) va=(0x[0-9a-f]+)",
                  hvtest(vm, "mbuf"))
    assert m
    va = int(m.group(2), 16)
    out = gdb(vm, f"monitor !monitor r {va:x} l 8 script {{ .m = .m + 1; }}")
    assert "enabled: !monitor" in out, out
    assert monitor_pages(vm) == 1
    vm.sh("rm -f /tmp/k0 /tmp/k1")
    for c in range(vm.cpus):
        vm.sh(f"(taskset {1 << c} sh -c 'echo mread {n:x} 0 > /proc/hvtest'"
              f"; echo rc=$? > /tmp/k{c}) > /dev/null 2>&1 &")
    time.sleep(10)
    out = gdb(vm, mark("m"), "monitor print .m", mark("clear"),
              "monitor events c all", mark("list"), "monitor events",
              mark("end"))
    s = sections(out)
    assert s["list"] == "no events", out
    m1 = int(s["m"].strip(), 16)
    total = vm.cpus * n
    assert 0 < m1 < total, ("not cleared while the loops ran", m1, total)
    for c in range(vm.cpus):
        assert "rc=0" in wait_file(vm, f"/tmp/k{c}", r"rc=", timeout=900)
    hvtest(vm, "mread 5 0")
    assert script_vars(vm, ["m"])["m"] == m1
    assert monitor_pages(vm) == 0
    print(f"\ncounted {m1:#x} of {total:#x} reads before the clear")


def same_page_neighbours(vm, a):
    """(name, address) of the NEIGHBOURS whose __x64_sys_ entry is on a's
    page, nearest first."""
    found = []
    for name in NEIGHBOURS:
        x = kallsym(vm, f"__x64_sys_{name}")
        if x >> 12 == a >> 12:
            found.append((name, x))
    return sorted(found, key=lambda t: abs(t[1] - a))


def test_two_hooks_and_a_monitor_on_one_page(vm1):
    vm = vm1
    a = kallsym(vm, "__x64_sys_getpid")
    near = same_page_neighbours(vm, a)
    assert len(near) >= 2, ("getpid's page holds fewer than two of "
                            f"{NEIGHBOURS}", hex(a), near)
    (bn, b), (cn, c) = near[:2]
    orig = kcore_bytes(vm)
    with gdb_server(vm) as dmark:
        vm.sh("rm -f /tmp/r1 /tmp/r2 /tmp/r3")
        p = background(vm, f"{BIN} --wait /tmp/r1 getpid 100 {bn} 70 "
                       f"{cn} 40 wait /tmp/r2 getpid 10 {bn} 20 {cn} 30 "
                       f"wait /tmp/r3 getpid 5 {bn} 6 {cn} 7",
                       "/tmp/pg.out")
        out = gdb(vm, mark("x0"), f"x/8xb {a:#x}", f"x/8xb {b:#x}",
                  f"x/8xb {c:#x}",
                  mark("set"),
                  f"monitor !epthook {a:x} pid {p:x} script "
                  "{ .a = .a + 1; }",
                  f"monitor !epthook {b:x} pid {p:x} script "
                  "{ .b = .b + 1; .bctx = $context; }",
                  f"monitor !monitor x {c:x} l 1 pid {p:x} script "
                  "{ .c = .c + 1; .cctx = $context; }",
                  mark("x1"), f"x/8xb {a:#x}", f"x/8xb {b:#x}",
                  f"x/8xb {c:#x}",
                  mark("pool"), "monitor prealloc", mark("end"))
        s = sections(out)
        ids = [int(i, 16) for i in
               re.findall(r"^event (0x[0-9a-f]+) enabled", s["set"], re.M)]
        assert len(ids) == 3, out
        assert xbytes(s["x0"]) == xbytes(s["x1"]), out
        assert xbytes(s["x1"])[:8] == orig[:8], out
        assert kcore_bytes(vm) == orig
        assert "0x1 of" in pool_line(s["pool"], "epthook"), out
        # Round 1: all three.
        vm.sh("touch /tmp/r1")
        wait_file(vm, "/tmp/pg.out", rf"{cn}=40 done|rror")
        v1 = script_vars(vm, ["a", "b", "c", "bctx", "cctx"])
        # Round 2: the first hook cleared.
        gdb(vm, f"monitor events c {ids[0]:x}")
        vm.sh("touch /tmp/r2")
        wait_file(vm, "/tmp/pg.out", rf"{cn}=30 done|rror")
        v2 = script_vars(vm, ["a", "b", "c"])
        # Round 3: the monitor cleared too; the program's last getppid
        # counts for the second hook when that is getppid's.
        out = gdb(vm, f"monitor events c {ids[2]:x}")
        vm.sh("touch /tmp/r3")
        res = wait_file(vm, "/tmp/pg.out", rf"{cn}=7 done|rror")
        time.sleep(2)       # its end mark (getppid) and exit
        v3 = script_vars(vm, ["a", "b", "c"])
        out = gdb(vm, "monitor events c all", mark("x"), f"x/8xb {a:#x}",
                  f"x/8xb {b:#x}", f"x/8xb {c:#x}",
                  mark("pool"), "monitor prealloc", mark("end"))
        s2 = sections(out)
        assert monitor_pages(vm) == 0
        assert_clean_dmesg(new_dmesg(vm, dmark))
    print(f"\n{bn} {b:#x}, {cn} {c:#x} on getpid's page {a:#x}\n{res}")
    end = 1 if bn == "getppid" else 0
    assert v1 == {"a": 100, "b": 70, "c": 40, "bctx": b, "cctx": c}, v1
    assert v2 == {"a": 100, "b": 90, "c": 70}, v2
    assert v3 == {"a": 100, "b": 96 + end, "c": 70}, v3
    assert xbytes(s2["x"]) == xbytes(s["x0"]), out
    assert "0x0 of" in pool_line(s2["pool"], "epthook"), out
    assert kcore_bytes(vm) == orig


def test_detour_hook_and_break_share_one_page(vm1):
    """An !epthook2 on getpid, an !epthook on a neighbour and gdb's break
    on another, one page and one shadow: each counts (or stops) exactly;
    gdb's break and an !epthook inside the detour's bytes are refused;
    gdb's delete, then clearing the !epthook (the detour takes the page
    back), setting it again and clearing the !epthook2 each leave the
    others exact; `x` and /proc/kcore show the original bytes."""
    vm = vm1
    a = kallsym(vm, "__x64_sys_getpid")
    near = dict(same_page_neighbours(vm, a))
    # The break: a syscall no other guest program makes.
    cn = next((n for n in ("gettid", "getppid") if n in near), None)
    others = [n for n in near if n != cn]
    assert cn and others, ("getpid's page lacks the neighbours this test "
                           "needs", hex(a), near)
    bn = others[0]
    b, c = near[bn], near[cn]
    orig = kcore_bytes(vm)
    with gdb_server(vm) as dmark:
        vm.sh("rm -f /tmp/r1 /tmp/r2 /tmp/r3 /tmp/r4")
        p = background(vm, f"{BIN} --wait /tmp/r1 getpid 100 {bn} 70 "
                       f"{cn} 1 wait /tmp/r2 getpid 10 {bn} 20 "
                       f"wait /tmp/r3 getpid 5 {bn} 6 "
                       f"wait /tmp/r4 getpid 7 {bn} 8", "/tmp/sh.out")
        g = gdb_start(
            vm, mark("x0"), f"x/8xb {a:#x}", f"x/8xb {b:#x}",
            mark("set"),
            f"monitor !epthook2 {a:#x} pid {p:x} script {{ .a = .a + 1; }}",
            f"monitor !epthook {b:x} pid {p:x} script {{ .b = .b + 1; }}",
            mark("in"), f"monitor !epthook {a + 1:x}",
            f"break *{a + 1:#x}", "continue", "delete",
            mark("brk"), f"break *{c:#x}",
            mark("x1"), f"x/8xb {a:#x}", f"x/8xb {b:#x}",
            mark("pool"), "monitor prealloc",
            mark("go"), "continue",
            mark("stop"), "p/x $pc", mark("sa"), "monitor print .a",
            mark("sb"), "monitor print .b", mark("end"), "delete")
        try:
            time.sleep(20)
            vm.sh("touch /tmp/r1", timeout=600)
            out, _ = g.communicate(timeout=900)
        finally:
            g.kill()
        s = sections(out)
        wait_file(vm, "/tmp/sh.out", rf"{cn}=1 done|rror")
        vm.sh("touch /tmp/r2")
        wait_file(vm, "/tmp/sh.out", rf"{bn}=20 done|rror")
        v2 = script_vars(vm, ["a", "b"])
        # The !epthook goes: the detour has the page to itself.
        out2 = gdb(vm, mark("list"), "monitor events", mark("end"))
        hook_id = int(re.search(r"^(0x[0-9a-f]+) \(enabled\) !epthook "
                                rf"{b:x}", out2, re.M).group(1), 16)
        gdb(vm, f"monitor events c {hook_id:x}")
        vm.sh("touch /tmp/r3")
        wait_file(vm, "/tmp/sh.out", rf"{bn}=6 done|rror")
        v3 = script_vars(vm, ["a", "b"])
        # Set again (shared again), then the !epthook2 goes.
        out3 = gdb(vm, f"monitor !epthook {b:x} pid {p:x} script "
                   "{ .b = .b + 1; }", mark("list"), "monitor events",
                   mark("end"))
        det_id = int(re.search(r"^(0x[0-9a-f]+) \(enabled\) !epthook2 ",
                               sections(out3)["list"], re.M).group(1), 16)
        gdb(vm, f"monitor events c {det_id:x}")
        vm.sh("touch /tmp/r4")
        res = wait_file(vm, "/tmp/sh.out", rf"{bn}=8 done|rror")
        time.sleep(2)       # the end mark (getppid) and exit
        v4 = script_vars(vm, ["a", "b"])
        out4 = gdb(vm, "monitor events c all", mark("x"), f"x/8xb {a:#x}",
                   f"x/8xb {b:#x}", mark("pool"), "monitor prealloc",
                   mark("end"))
        s4 = sections(out4)
        assert_clean_dmesg(new_dmesg(vm, dmark))
    print(f"\n{bn} {b:#x} hooked, {cn} {c:#x} gdb's break, on getpid's "
          f"page {a:#x}\n{out}\n{res}")
    check_gdb_output(out)
    assert s["set"].count(" enabled: !epthook") == 2, out
    assert "one of the bytes an !epthook2 detour replaces" in s["in"], out
    assert "Cannot insert breakpoint" in s["in"], out
    assert xbytes(s["x0"]) == xbytes(s["x1"]) and \
        xbytes(s["x1"])[:8] == orig[:8], out
    assert "epthook pool: 0x1 of" in s["pool"], out
    assert "Breakpoint 2, " in s["go"], out
    assert re.search(rf"= {c:#x}\b", s["stop"]), out
    assert (int(s["sa"].strip(), 16), int(s["sb"].strip(), 16)) == \
        (100, 70), out
    end = 1 if bn == "getppid" else 0
    assert v2 == {"a": 110, "b": 90}, v2
    assert v3 == {"a": 115, "b": 90}, v3
    assert v4 == {"a": 115, "b": 98 + end}, v4
    assert xbytes(s4["x"]) == xbytes(s["x0"]), out4
    assert "epthook pool: 0x0 of" in s4["pool"], out4
    assert "epthook2: 0x0 of" in s4["pool"], out4
    assert kcore_bytes(vm) == orig


def peek(vm, a):
    """The 8 bytes the guest kernel reads at a (hvtest.ko's kpeek)."""
    out = vm.sh(f"echo kpeek {a:x} > /proc/hvtest && cat /proc/hvtest")
    m = re.search(r"bytes=((?:[0-9a-f]{2} ?){8})", out)
    assert m, out
    return m.group(1).split()


def test_rmmod_with_every_kind_set(vm):
    """!epthook on getpid, !epthook2 on sethostname, !monitor on
    hvtest's page, !mode on a sleeping process, then a gdb breakpoint on
    umask and a gdb watchpoint on hvtest's page; gdb continues, and the
    module is unloaded under it.  (Where the kernel puts getpid and
    sethostname on one page, they share its shadow.)"""
    a = kallsym(vm, "__x64_sys_getpid")
    d = kallsym(vm, "__x64_sys_sethostname")
    u = kallsym(vm, "__x64_sys_umask")
    ensure_hvtest(vm)
    orig = kcore_bytes(vm)
    orig_d, orig_u = peek(vm, d), peek(vm, u)
    m = re.search(r"mbuf pa=(0x[0-9a-f]+) va=(0x[0-9a-f]+)",
                  hvtest(vm, "mbuf"))
    assert m
    va = int(m.group(2), 16)
    sl = background(vm, "sleep 100000", "/tmp/sl.out")
    with gdb_server(vm) as dmark:
        out = gdb(vm,
                  f"monitor !epthook {a:x} script {{ .e = .e + 1; }}",
                  f"monitor !epthook2 {d:x} script {{ .d = .d + 1; }}",
                  f"monitor !monitor rw {va:x} l 100 script "
                  "{ .m = .m + 1; }",
                  f"monitor !mode uk pid 0n{sl} script {{ .o = .o + 1; }}",
                  mark("list"), "monitor events", mark("end"))
        assert sections(out)["list"].count("(enabled) !") == 4, out
        # Each kind works.
        vm.sh(f"{BIN} getpid 5 hostname 5")
        hvtest(vm, "mwrite 3 0")
        vm.sh(f"kill -STOP {sl}; kill -CONT {sl}")
        v = script_vars(vm, ["e", "d", "m", "o"])
        assert v["e"] >= 5 and v["d"] >= 5 and v["m"] == 3 and \
            v["o"] > 0, v
        # gdb's own breakpoint and watchpoint, and gdb running.
        g = gdb_start(vm, f"break *{u:#x}",
                      f"watch *(long *){va + 0x800:#x}", "continue",
                      detach=False)
        try:
            # gdb has connected, set both and sent its continue when the
            # guest runs again (each session holds every CPU).
            time.sleep(30)
            vm.sh("true", timeout=300)
            assert g.poll() is None, g.communicate()[0]
            vm.sh("rmmod hvgdb", timeout=300)
        finally:
            # gdb waits for a stop that cannot come: end it, keeping
            # what it printed.
            g.terminate()
            try:
                gout = g.communicate(timeout=30)[0]
            except subprocess.TimeoutExpired:
                g.kill()
                gout = g.communicate()[0]
        assert not loaded(vm)
        log = new_dmesg(vm, dmark)
    # gdb was in `continue` at the rmmod: alive, with the guest running
    # (a stopped system would not have answered `true`).  Its "Continuing."
    # may be lost with the rest of its buffered output when it is ended.
    assert "Breakpoint 1 at" in gout and "atchpoint 2: " in gout, gout
    # The kernel runs its own text and data again.
    assert kcore_bytes(vm) == orig
    assert peek(vm, d) == orig_d and peek(vm, u) == orig_u
    assert "getpid=5 done" in vm.sh(f"{BIN} getpid 5 hostname 5")
    vm.sh("sh -c umask")
    assert "mwrite" in hvtest(vm, "mwrite 2 800")
    vm.sh(f"kill {sl}")
    assert_clean_dmesg(log)
    assert_clean_dmesg(new_dmesg(vm, dmark))
    # A new load starts with no events.
    with gdb_server(vm):
        out = gdb(vm, mark("list"), "monitor events", mark("end"))
    assert sections(out)["list"] == "no events", out
    print(f"\n{gout}")
