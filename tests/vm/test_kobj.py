"""HyperDbg's kernel-object commands through `monitor` at a stop (issue
17): lm, .process and .thread, each checked against the guest's own view
(/proc/modules, /proc/<pid>, /proc/<pid>/task), and `.process pid P`
reading a marker string in the heap of a sleeping process while another
task runs on the CPU.  Run on 1 CPU (nothing here depends on the count).
"""
import re

import pytest

from hvvm import (REPO, assert_clean_dmesg, background, ensure_hvtest,
                  finished, gdb, gdb_server, kallsym, later, mark, new_dmesg,
                  sections, wait_file)

MARKER = "/hvgdb/bin/kobj_marker"
GETPID = "/hvgdb/bin/vmx_getpid"
# At a stop: switch to the process running on the selected CPU.
SWITCH_TO_CURRENT = (
    "python pid = re.search(r'^process id: (\\S+)$', "
    "hvgdb.monitor('.process'), re.M).group(1); "
    "print('@@short_pid ' + pid); print(hvgdb.monitor('.process pid ' + pid))")


def proc_modules(vm):
    """{name: (size, state, address)} from /proc/modules (as root)."""
    mods = {}
    for line in vm.sh("cat /proc/modules").splitlines():
        f = line.split()
        mods[f[0]] = (int(f[1]), f[4], int(f[5], 16))
    return mods


def proc_processes(vm):
    """{pid: comm} of every process in /proc."""
    out = vm.sh("for d in /proc/[0-9]*; do "
                "echo \"${d#/proc/} $(cat $d/comm 2>/dev/null)\"; done")
    procs = {}
    for line in out.splitlines():
        f = line.split(" ", 1)
        if len(f) == 2 and f[1]:
            procs[int(f[0])] = f[1]
    return procs


def proc_threads(vm, pid):
    """{tid: (state letter, comm)} from /proc/<pid>/task."""
    out = vm.sh(f"for t in /proc/{pid}/task/*; do cat $t/stat; echo; done")
    threads = {}
    for line in out.splitlines():
        m = re.match(r"^(\d+) \((.*)\) (\S) ", line)
        if m:
            threads[int(m.group(1))] = (m.group(3), m.group(2))
    return threads


LM_LINE = re.compile(r"^([0-9a-f]{8})`([0-9a-f]{8})\s+([0-9a-f]+)\s+(\S+)"
                     r"\s+(\S+)$", re.M)
PROC_ENTRY = re.compile(r"^PROCESS ([0-9a-f]{16})\n\s+Process Id: "
                        r"([0-9a-f]+)  DirBase \(Kernel Cr3\): (.*?)  "
                        r"Image: (.*)$", re.M)
THREAD_ENTRY = re.compile(r"^\s+THREAD  ([0-9a-f]{16}) \(([0-9a-f]+)\."
                          r"([0-9a-f]+)\)  (\S)  cpu ([0-9a-f]+)  (.*)$",
                          re.M)


def lm_of(text):
    return {m.group(4): (int(m.group(1) + m.group(2), 16),
                         int(m.group(3), 16), m.group(5))
            for m in LM_LINE.finditer(text)}


@pytest.fixture(scope="module")
def session(vm1):
    vm = vm1
    ensure_hvtest(vm)
    pid = background(vm, MARKER, "/tmp/kobj_marker.out")
    text = wait_file(vm, "/tmp/kobj_marker.out", r"heap=0x[0-9a-f]+")
    m = re.search(r"pid=(\d+) heap=(0x[0-9a-f]+) marker=(\S+)", text)
    assert m and int(m.group(1)) == pid, text
    heap, marker = int(m.group(2), 16), m.group(3)
    facts = {"pid": pid, "heap": heap, "marker": marker}
    try:
        with gdb_server(vm) as dmark:
            facts["modules"] = proc_modules(vm)
            procs_before = proc_processes(vm)
            facts["threads"] = proc_threads(vm, pid)
            out = gdb(
                vm,
                mark("lm"), "monitor lm",
                mark("lm_m"), "monitor lm km m HVG",
                mark("lm_none"), "monitor lm m no-such-module",
                mark("lm_um"), "monitor lm um",
                mark("lm_pid"), "monitor lm pid 1",
                mark("plist"), "monitor .process list",
                mark("cur"), "monitor .process",
                mark("thread"), "monitor .thread",
                mark("before"), f"x/s {heap:#x}",
                mark("switch"), f"monitor .process pid {pid:x}",
                mark("read"), f"x/s {heap:#x}",
                mark("va2pa"), f"monitor !va2pa {heap:x}",
                mark("tlist"), "monitor .thread list",
                mark("back"), "monitor .process",
                mark("after"), f"x/s {heap:#x}",
                mark("nopid"), "monitor .process pid 3fffff",
                mark("kthread"), "monitor .process pid 2",
                mark("badobj"), "monitor .process process ffff888000001000",
                mark("tid"), "monitor .thread tid 1",
                mark("again"), f"monitor .process pid {pid:x}",
                mark("end"))
            s = sections(out)
            entries = {int(e.group(2), 16): e for e in
                       PROC_ENTRY.finditer(s["plist"])}
            task = entries[pid].group(1) if pid in entries else None
            # A second session: the switch of the first ended when gdb
            # detached (the system ran); threads by task_struct address.
            out2 = gdb(vm,
                       mark("resumed"), f"x/s {heap:#x}",
                       mark("tobj"), f"monitor .thread list process {task}",
                       mark("end"))
            # A third: the switch outlasts gdb's resumes.  The marker's
            # holds across a breakpoint stop; the switch to a getpid
            # program that makes one call (`vmx_getpid 0`) ends at the
            # first stop after it exited (the loop's next program stops),
            # with a line before the stop.
            later(vm, f"{GETPID} 0")
            out3 = gdb(vm,
                       f"python import sys, re; sys.path.insert(0, "
                       f"'{REPO}/gdb-python')",
                       "python import hvgdb",
                       f"monitor .process pid {pid:x}",
                       f"break *{kallsym(vm, '__x64_sys_getpid'):#x}",
                       "continue",
                       mark("kept"), f"x/s {heap:#x}", "monitor .thread list",
                       mark("short"), SWITCH_TO_CURRENT,
                       mark("cont"), "continue",
                       mark("gone"), "monitor .process",
                       mark("end"), "delete", "detach", detach=False)
            facts["getpid_rc"] = finished(vm)
            facts["procs"] = {p: c for p, c in proc_processes(vm).items()
                              if procs_before.get(p) == c}
            dmesg = new_dmesg(vm, dmark)
    finally:
        vm.sh(f"kill {pid}; true")
    print(out, out2, out3)    # shown with -s, or when a test fails
    return {"out": out, "s": s, "out2": out2, "s2": sections(out2),
            "out3": out3, "s3": sections(out3),
            "entries": entries, "dmesg": dmesg, **facts}


def test_lm_lists_proc_modules(session):
    s = session["s"]
    assert s["lm"].startswith("kernel mode\nstart"), session["out"]
    lm = lm_of(s["lm"])
    mods = session["modules"]
    assert set(lm) == set(mods), (s["lm"], mods)
    state = {"Live": "Live", "Loading": "Loading",
             "Unloading": "Unloading"}
    for name, (base, size, st) in lm.items():
        psize, pstate, paddr = mods[name]
        assert base == paddr, (name, hex(base), hex(paddr))
        assert size == psize, (name, size, psize)
        assert st == state[pstate], (name, st, pstate)
    assert "hvgdb" in lm and "hvtest" in lm


def test_lm_filters_and_refusals(session):
    s = session["s"]
    assert set(lm_of(s["lm_m"])) == {"hvgdb"}, s["lm_m"]
    assert lm_of(s["lm_none"]) == {}, s["lm_none"]
    assert re.search(r"^column 4: um: user-mode modules are not listed",
                     s["lm_um"], re.M), s["lm_um"]
    assert re.search(r"^column 4: pid selects user-mode modules",
                     s["lm_pid"], re.M), s["lm_pid"]


def test_process_list_matches_proc(session):
    entries = session["entries"]
    procs = session["procs"]
    assert procs, session["out"]
    for pid, comm in procs.items():
        assert pid in entries, (pid, comm, session["s"]["plist"])
        ours = entries[pid].group(4).split(" (")[0]
        if ours.startswith("kworker/"):
            # /proc adds a worker's current workqueue: "kworker/0:1-events"
            assert comm == ours or comm.startswith(ours + "-"), \
                (pid, comm, entries[pid].group(0))
        else:
            assert ours == comm[:15], (pid, comm, entries[pid].group(0))
    # pid 0 (the idle task) heads the list; kernel threads have no mm,
    # user processes a page-aligned top-level table.
    assert 0 in entries and 2 in entries, session["s"]["plist"]
    assert entries[2].group(3) == "none (kernel thread)"
    assert re.fullmatch(r"[0-9a-f]{13}000",
                        entries[session["pid"]].group(3)), \
        entries[session["pid"]].group(0)
    assert entries[1].group(4) == procs[1][:15]


def test_process_switch_reads_the_heap_marker(session):
    s = session["s"]
    pid, heap, marker = session["pid"], session["heap"], session["marker"]
    # Another task runs on the CPU: the marker process sleeps.
    cur = re.search(r"^process id: ([0-9a-f]+)$", s["cur"], re.M)
    assert cur and int(cur.group(1), 16) != pid, s["cur"]
    assert marker not in s["before"], session["out"]
    pgd = session["entries"][pid].group(3)
    assert s["switch"].splitlines()[:3] == [
        f"process id: {pid:x}",
        "process (task_struct): " + session["entries"][pid].group(1)[:8] +
        "`" + session["entries"][pid].group(1)[8:],
        "process name (16-Byte): kobj_marker"], s["switch"]
    assert s["switch"].splitlines()[3] == \
        f"gdb's memory accesses use this process's address space (pgd at " \
        f"{int(pgd, 16):x}) until '.process'", s["switch"]
    assert re.search(rf'^{heap:#x}:\s+"{re.escape(marker)}"$', s["read"],
                     re.M), session["out"]
    assert re.fullmatch(r"[0-9a-f]+", s["va2pa"].strip()), s["va2pa"]
    # `.process` alone goes back to the CPU's own page tables.
    assert re.search(rf"^gdb's memory accesses use CPU 0's page tables "
                     rf"again \(not pid {pid:x}'s\)$", s["back"], re.M), \
        s["back"]
    assert s["back"].splitlines()[1:] == s["cur"].splitlines(), s["back"]
    assert marker not in s["after"], session["out"]
    # A detach ends a switch.
    assert marker not in session["s2"]["resumed"], session["out2"]


def test_process_switch_outlasts_resumes(session):
    s3, out3 = session["s3"], session["out3"]
    pid, heap, marker = session["pid"], session["heap"], session["marker"]
    # After a continue and a breakpoint stop in another process, gdb still
    # reads the marker process's heap, and .thread lists its threads.
    assert 0 <= out3.find("Breakpoint 1, ") < out3.index("@@kept"), out3
    assert re.search(rf'^{heap:#x}:\s+"{re.escape(marker)}"$', s3["kept"],
                     re.M), out3
    assert re.search(r"^PROCESS [0-9a-f]{16}\s+IMAGE\s+kobj_marker$",
                     s3["kept"], re.M), out3
    # The switch to the getpid program, which exits after its one call.
    short = re.search(r"^@@short_pid ([0-9a-f]+)$", out3, re.M)
    assert short and int(short.group(1), 16) != pid, out3
    assert "process name (16-Byte): vmx_getpid" in s3["short"], out3
    # The next stop (the loop's next program): the switch ended, and gdb
    # was told before the stop.
    gone = (f"hvgdb: .process: pid {short.group(1)} has exited: gdb's "
            "memory accesses use each CPU's own page tables again")
    cont = s3["cont"]
    assert gone in cont, out3
    assert cont.index(gone) < cont.index("Breakpoint 1, "), out3
    # `.process` alone: nothing to switch back from, the current process.
    assert "page tables again" not in s3["gone"], out3
    assert "process name (16-Byte): vmx_getpid" in s3["gone"], out3
    assert session["getpid_rc"] == "0"


def test_process_errors(session):
    s = session["s"]
    assert re.search(r"^column 14: no process with pid 3fffff \(.process "
                     r"list lists them\)$", s["nopid"], re.M), s["nopid"]
    assert re.search(r"^column 14: pid 2 \(kthreadd\) is a kernel thread: "
                     r"it has no user address space$", s["kthread"], re.M), \
        s["kthread"]
    assert re.search(r"^column 18: ffff888000001000 is not a process's "
                     r"task_struct", s["badobj"], re.M), s["badobj"]
    assert re.search(r"^column 9: switching threads is not available",
                     s["tid"], re.M), s["tid"]
    assert_clean_dmesg(session["dmesg"])


def test_thread_list_matches_proc_task(session):
    pid = session["pid"]
    want = session["threads"]
    assert len(want) == 3, want
    for text in (session["s"]["tlist"], session["s2"]["tobj"]):
        head = re.search(r"^PROCESS ([0-9a-f]{16})        IMAGE   (.*)$",
                         text, re.M)
        assert head and head.group(2) == "kobj_marker", text
        got = {int(m.group(3), 16): (m.group(4), m.group(6))
               for m in THREAD_ENTRY.finditer(text)}
        assert got == want, (text, want)
        assert all(int(m.group(2), 16) == pid
                   for m in THREAD_ENTRY.finditer(text)), text
        assert head.group(1) == session["entries"][pid].group(1)


def test_thread_shows_the_current_task(session):
    s = session["s"]
    m = re.match(r"thread id: ([0-9a-f]+) \(pid: ([0-9a-f]+)\)\n"
                 r"thread \(task_struct\): [0-9a-f]{8}`[0-9a-f]{8}\n"
                 r"process \(task_struct\): ([0-9a-f]{8})`([0-9a-f]{8})\n"
                 r"process name \(16-Byte\): (.*)$", s["thread"])
    assert m, s["thread"]
    cur = s["cur"].splitlines()
    assert cur[0] == f"process id: {m.group(2)}"
    assert cur[1] == f"process (task_struct): {m.group(3)}`{m.group(4)}"
    assert cur[2] == f"process name (16-Byte): {m.group(5)}"
