"""Breakpoints, watchpoints and stepping from stock gdb (issue 5), on 1 and
2 CPUs: an EPT-hidden int3 on __x64_sys_getpid stops on the CPU that runs
the guest program with the real instruction visible; `ignore` counts run
many hits; debug-register breakpoints (4 at most); write/read/access
watchpoints on the hostname, more than four at once; stepi moves one CPU
while the others stay halted; detach removes everything; a gdb that
vanishes leaves a system that resumes after gone_timeout.
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hvvm import (BAD_DMESG, finished, gdb, gdb_server, kallsym, later,
                  new_dmesg, one_cpu_is_enough, values)

GETPID = "/hvgdb/bin/vmx_getpid"
STATS = "/sys/kernel/debug/hvgdb/gdb"
# init_uts_ns.name is a struct new_utsname: sysname[65], then nodename.
NODENAME = 65
# Many hits cost a few gdb round trips each over the VM's slow UART.
HITS = {1: 1000, 2: 30}


@pytest.fixture(scope="module")
def syms(vm):
    return {"getpid": kallsym(vm, "__x64_sys_getpid"),
            "sethostname": kallsym(vm, "__x64_sys_sethostname"),
            "uts": kallsym(vm, "init_uts_ns")}


@pytest.fixture
def server(vm):
    with gdb_server(vm) as mark:
        yield mark
    assert not [l for l in new_dmesg(vm, mark) if BAD_DMESG.search(l)]


def stats(vm):
    return vm.sh(f"cat {STATS}")


def stat(text, key, field):
    m = re.search(rf"^{key}\b.*?\b{field} (\d+)", text, re.M)
    assert m, f"no {key} {field} in:\n{text}"
    return int(m.group(1))


def test_break_stops_on_the_cpu_running_it(vm, server, syms):
    cpu = vm.cpus - 1
    a = syms["getpid"]
    later(vm, f"taskset {1 << cpu} {GETPID} 3")
    out = gdb(vm, f"x/5xb {a:#x}", f"break *{a:#x}", "continue",
              "echo @@threads\\n", "info threads",
              "echo @@at\\n", "p $pc", f"x/5xb {a:#x}", "x/i $pc",
              "delete", "detach", detach=False)
    assert "Breakpoint 1, " in out, out
    threads = out.split("@@threads")[1].split("@@at")[0]
    cur = [l for l in threads.splitlines() if l.startswith("*")]
    assert cur and f'"CPU {cpu}: vmx_getpid [' in cur[0], out
    assert re.search(rf"^\* {cpu + 1}\s", cur[0]), out
    at = out.split("@@at")[1]
    assert int(re.search(r"= .*(0x[0-9a-f]+)", at).group(1), 16) == a
    # Reads see the real bytes, not the 0xCC only fetches see.
    before = re.findall(r"0x[0-9a-f]{2}\b", out.split("Breakpoint 1 at")[0])
    after = re.findall(r"0x[0-9a-f]{2}\b", at)
    assert before[-5:] == after[:5] and before[-5] != "0xcc", out
    assert "int3" not in at, out
    assert finished(vm) == "0"


def test_break_by_symbol_name(vm, server, syms, tmp_path):
    """What a user types: the kallsyms symbol file (tests/vm/fetch-syms,
    as `make run` does), then `break __x64_sys_getpid`."""
    if vm.cpus > 1:
        pytest.skip("the symbol file is the same on 2 CPUs: once is enough")
    elf = tmp_path / "vm-syms.elf"
    fetch = Path(__file__).resolve().parent / "fetch-syms"
    r = subprocess.run([sys.executable, str(fetch), "-o", str(elf)],
                       env=vm.env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    later(vm, f"{GETPID} 2")
    out = gdb(vm, f"symbol-file {elf}", "break __x64_sys_getpid",
              "continue", "x/i $pc", "delete", "detach", detach=False)
    assert f"Breakpoint 1 at {syms['getpid']:#x}" in out, out
    assert re.search(r"Breakpoint 1, 0x[0-9a-f]+ in __x64_sys_getpid", out), \
        out
    assert re.search(r"=> 0x[0-9a-f]+ <__x64_sys_getpid(\+0)?>:\s+nop", out), \
        out
    assert finished(vm) == "0"


def test_ignore_count_many_hits(vm, server, syms):
    n = HITS[vm.cpus]
    later(vm, f"{GETPID} {n}")
    out = gdb(vm, f"break *{syms['getpid']:#x}", f"ignore 1 {n - 1}",
              "continue", "info breakpoints", "delete", "detach",
              timeout=900, detach=False)
    assert f"breakpoint already hit {n} times" in out, out
    assert finished(vm) == "0"
    assert stat(stats(vm), "breakpoints", "sw") == 0


def test_hardware_breakpoints_four_at_most(vm, server, syms):
    a = syms["getpid"]
    later(vm, f"{GETPID} 2")
    hits = stat(stats(vm), "hits", "hw")
    # gdb inserts no breakpoint at the pc it resumes from: five below.
    out = gdb(vm, f"hbreak *{a:#x}", "continue", "p $pc",
              "echo @@five\\n",
              *[f"hbreak *{a + 1 + i:#x}" for i in range(5)],
              "continue", "delete", "detach", detach=False)
    assert "Hardware assisted breakpoint 1 at" in out, out
    assert "Breakpoint 1, " in out, out
    assert values(out)[0].endswith(f"{a:#x}"), out
    # The fifth debug register does not exist: a clear error, no stop.
    five = out.split("@@five")[1]
    assert re.search(r"[Cc]ould not insert hardware breakpoint", five), out
    assert finished(vm) == "0"
    s = stats(vm)
    assert stat(s, "breakpoints", "hw") == 0
    assert stat(s, "hits", "hw") == hits + 1


def test_watchpoints_on_the_hostname(vm, server, syms):
    name = syms["uts"] + NODENAME
    vm.sh("hostname hvgdb-vm")
    later(vm, 'hostname "watched$((i=i%9+1))"')
    out = gdb(vm, f"watch *(char (*)[8]){name:#x}",
              # Four more than the debug registers could hold.
              *[f"watch *(char *){name + 40 + i:#x}" for i in range(4)],
              "continue", "echo @@where\\n", "info threads",
              "delete", "detach", detach=False)
    assert "Hardware watchpoint 1: " in out, out
    # The first write may have come before gdb's watchpoint: then the old
    # value is an earlier "watchedN".
    assert re.search(r'Old value = "(hvgdb-vm|watched\d+)"\s+'
                     r'New value = "watched', out), out
    where = out.split("@@where")[1]
    assert re.search(r'"CPU \d+: hostname \[', where), out
    assert finished(vm) == "0"
    assert vm.sh("hostname").strip().startswith("watched")

    # Reads: `hostname` reads the nodename through uname(2).
    later(vm, "hostname")
    out = gdb(vm, f"rwatch *(char (*)[4]){name:#x}", "continue",
              "delete", "detach", detach=False)
    assert re.search(r"Hardware read watchpoint 1: .*\s+Value = ", out), out
    assert finished(vm) == "0"
    later(vm, "hostname again")
    out = gdb(vm, f"awatch *(char (*)[4]){name:#x}", "continue",
              "delete", "detach", detach=False)
    assert "Hardware access (read/write) watchpoint 1: " in out, out
    assert finished(vm) == "0"
    vm.sh("hostname hvgdb-vm")
    s = stats(vm)
    assert stat(s, "breakpoints", "watch") == 0
    assert stat(s, "hits", "watch") >= 3


def test_stepi_moves_one_cpu(vm, server, syms):
    a = syms["getpid"]
    cpu = vm.cpus - 1
    later(vm, f"taskset {1 << cpu} {GETPID} 2")
    steps = []
    for _ in range(20):
        steps += ["stepi", "p $pc"]
    out = gdb(vm, f"break *{a:#x}", "continue", "delete",
              "echo @@before\\n", "info threads", *steps,
              "echo @@after\\n", "info threads", "detach", detach=False)
    assert "Breakpoint 1, " in out, out
    pcs = [int(re.search(r"(0x[0-9a-f]+)", v).group(1), 16)
           for v in values(out)]
    # Every stepi ran one instruction of the kernel: the first the
    # 5-byte nopl at the breakpoint (ftrace's), each one moved on.
    assert len(pcs) == 20 and pcs[0] == a + 5, out
    assert all(p >= 0xffffffff80000000 for p in pcs), out
    assert all(x != y for x, y in zip(pcs, pcs[1:])), out
    before = out.split("@@before")[1].split("@@after")[0]
    after = out.split("@@after")[1]
    cur = [re.search(r"^\* (\d+) ", part, re.M) for part in (before, after)]
    assert cur[0] and cur[1] and cur[0].group(1) == cur[1].group(1) == \
        str(cpu + 1), out
    if vm.cpus > 1:
        # The other CPU stayed halted where it was.
        frames = [re.findall(r"^\s+1\s+Thread 1 .*?(0x[0-9a-f]+)", part,
                             re.M) for part in (before, after)]
        assert frames[0] and frames[0] == frames[1], out
    assert finished(vm) == "0"


def test_detach_removes_everything(vm, server, syms):
    one_cpu_is_enough(vm)
    a = syms["getpid"]
    out = gdb(vm, f"break *{a:#x}", f"hbreak *{a + 5:#x}",
              f"watch *(char *){syms['uts'] + NODENAME:#x}",
              "info breakpoints", "detach", detach=False)
    assert "detached" in out, out
    s = stats(vm)
    assert (stat(s, "breakpoints", "sw"), stat(s, "breakpoints", "hw"),
            stat(s, "breakpoints", "watch")) == (0, 0, 0), s
    # Nothing stops the guest any more.
    assert vm.sh(f"{GETPID} 100; hostname x; hostname hvgdb-vm; echo ok",
                 timeout=60).strip().endswith("ok")


def test_vanished_gdb_lets_the_system_resume(vm, server, syms):
    one_cpu_is_enough(vm)
    vm.sh("echo 1 > /sys/module/hvgdb/parameters/gone_timeout")
    gone = stat(stats(vm), "polls", "gone")
    args = ["gdb", "-nx", "-batch", "-ex", "set architecture i386:x86-64",
            "-ex", "set remotetimeout 60",
            "-ex", f"target remote 127.0.0.1:{vm.gdb_port}",
            # Only the guest command below calls sethostname(2).
            "-ex", f"break *{syms['sethostname']:#x}", "-ex", "continue"]
    p = subprocess.Popen(args, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    try:
        # gdb has set the breakpoint and resumed the system (the guest
        # answers again), and then dies without a word.
        for line in p.stdout:
            if line.startswith("Breakpoint 1 at"):
                break
        time.sleep(2)
        assert vm.exec("true")[0] == 0
        os.kill(p.pid, signal.SIGKILL)
    finally:
        p.wait()
    # The breakpoint halts the system for nobody, until gone_timeout.
    assert vm.sh("hostname vanished && hostname", timeout=300).strip() == \
        "vanished"
    s = stats(vm)
    assert stat(s, "polls", "gone") == gone + 1, s
    assert stat(s, "breakpoints", "sw") == 0, s
    vm.sh("echo 10 > /sys/module/hvgdb/parameters/gone_timeout; "
          "hostname hvgdb-vm")
