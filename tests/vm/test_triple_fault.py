"""A kernel that triple-faults on one CPU under hvgdb.ko (issue 3).

Natively a triple fault resets the machine.  Under hvgdb.ko it is a VM
exit: that CPU stays stopped in VMX root for good and the debugger is
told.  What a user checks: the gdb that waits in `continue` gets the full
exit information on its console and a SIGSEGV stop on that CPU's thread,
named "... - triple fault"; its registers are those of the fault (RIP at
hvtest's UD2, interrupts off) and cannot be written; stepping it just
stops again; a gdb that connects afterwards still gets a stop and the same
state, even when the dead CPU is the only one (1 CPU: it serves gdb
itself).  The other CPUs run on until they wait for the dead one: on 2
CPUs, CPU 0 still runs the shell afterwards and `rmmod` is refused.  The
test kills its VM, so it runs last in its half (`kills_vm`).
"""
import re
import subprocess
import time

import pytest

from hvvm import (GDB_TIMEOUT, KO, VM_TOOL, ensure_hvtest, gdb, gdb_start,
                  loaded, mark, sections)


@pytest.mark.kills_vm
def test_triple_fault_stops_that_cpu_for_good_and_gdb_sees_it(doomed):
    vm = doomed
    assert not loaded(vm), "hvgdb.ko left loaded by an earlier test"
    vm.sh(f"insmod {KO} uart_port=0x3e8", timeout=300)
    ensure_hvtest(vm)      # earlier tests may have left it loaded
    dead = vm.cpus - 1
    tid = dead + 1
    if vm.cpus > 1:
        # The kernel cannot know the dead CPU never schedules again: a task
        # its scheduler queues there waits until CPU 0's load balancer
        # pulls it (minutes).  The agent ($PPID here) and so every later
        # command stay on CPU 0, as a user would pin work after such a stop.
        vm.sh("taskset -p 1 $PPID")
    g = gdb_start(
        vm, "continue",
        mark("threads"), "info threads",
        mark("regs"), f"thread {tid}", "p/x $pc", "x/i $pc", "p/x $eflags",
        mark("write"), "set var $rax = 1",
        mark("step"), "stepi", "p/x $pc",
        mark("end"), "detach", detach=False)
    time.sleep(5)
    # Whether this runs before gdb's `continue` or after, the report is the
    # same: the dead CPU tells the first gdb that waits for a stop.  In the
    # background and away from the agent's pipes: the writer never returns
    # from its write (its CPU is dead) and the agent would wait for it.  Not
    # waited for: on 1 CPU the agent dies with the CPU.
    trigger = subprocess.Popen(
        [str(VM_TOOL), "exec", "--timeout", str(GDB_TIMEOUT),
         f"(taskset -c {dead} sh -c 'echo triple > /proc/hvtest' "
         "> /dev/null 2>&1 &)"],
        env=vm.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out, _ = g.communicate(timeout=GDB_TIMEOUT + 120)
    finally:
        g.kill()
    assert "Remote communication error" not in out, out
    s = sections(out)
    m = re.search(rf"^hvgdb: CPU {dead}: triple fault \(exit reason 2, "
                  r"TRIPLE_FAULT\): rip (0x[0-9a-f]+) .*rflags (0x[0-9a-f]+) "
                  r".*; it stays stopped"
                  + (", the other CPUs run on" if vm.cpus > 1 else "") + "$",
                  out, re.M)
    assert m, out
    rip, rflags = int(m.group(1), 16), int(m.group(2), 16)
    # gdb names the thread in stop lines only when there are several.
    assert re.search(rf'^(Thread {tid} "CPU {dead}: [^"]* - triple fault" '
                     r"|Program )received signal SIGSEGV", out, re.M), out
    assert re.search(rf"^\*?\s+{tid}\s+Thread {tid} \"CPU {dead}: sh \[\d+\] "
                     r'- triple fault"', s["threads"], re.M), s["threads"]
    # The registers are the fault's: hvtest's UD2, interrupts off.
    pcs = re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", s["regs"], re.M)
    assert int(pcs[0], 16) == rip and int(pcs[1], 16) == rflags, s["regs"]
    assert re.search(r"ud2", s["regs"]), s["regs"]
    assert not rflags & (1 << 9), hex(rflags)
    assert "Could not write register" in s["write"], s["write"]
    # Stepping a CPU that never runs again stops at once, where it was.
    assert "received signal SIGSEGV" in s["step"], s["step"]
    assert int(re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", s["step"], re.M)[-1],
               16) == rip, s["step"]
    assert "[Inferior 1 (Remote target) detached]" in s["end"], out

    # Post mortem: a new gdb gets a stop and the same state.  On 1 CPU only
    # the dead CPU can notice it (it also ran the poll timer).
    # On 2 CPUs, a step of the live CPU (whichever CPU serves gdb) leaves
    # the dead one as it was.
    step = [mark("step"), "thread 1", "stepi", mark("after"),
            "info threads", f"thread {tid}", "x/i $pc"] if vm.cpus > 1 else []
    out = gdb(vm, mark("threads"), "info threads",
              mark("regs"), f"thread {tid}", "x/i $pc", *step, mark("end"),
              "detach", detach=False)
    s = sections(out)
    assert "- triple fault" in s["threads"], out
    assert len(re.findall(r"Thread \d+ ", s["threads"])) == vm.cpus, out
    assert re.search(rf"^=> 0x{rip:x}\b.*ud2", s["regs"], re.M), out
    if step:
        assert re.search(r"^0x[0-9a-f]+ in \?\? \(\)$", s["step"], re.M), out
        assert "SIGSEGV" not in s["step"] and "- triple fault" in s["after"]
        assert re.search(rf"^=> 0x{rip:x}\b.*ud2", s["after"], re.M), out
    if vm.cpus == 1:
        trigger.kill()
        return
    trigger.wait(timeout=GDB_TIMEOUT)
    # Where possible the other CPUs run on: CPU 0 still runs the shell, and
    # rmmod is refused (the dead CPU runs the module's code).
    out = vm.sh("cat /sys/kernel/debug/hvgdb/cpus; rmmod hvgdb; "
                "echo rmmod=$?; grep '^hvgdb ' /proc/modules", timeout=240)
    assert re.search(r"^cpu0 virtualized ", out, re.M), out
    assert re.search(rf"^cpu{dead} parked ", out, re.M), out
    assert "rmmod=1" in out and re.search(r"^hvgdb \d+ 1 ", out, re.M), out
