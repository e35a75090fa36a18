"""!epthook2 (issue 14): HyperDbg's detour hook from stock gdb's `monitor`.

A guest program (vmx_getpid) calls getpid a known number of times; an
`!epthook2 __x64_sys_getpid` whose script counts hits counts each call,
exactly for the program's pid (pid filter); the hooked bytes stay hidden
from gdb's `x` and from the kernel's own reads (hvtest.ko's `kpeek`); an
address inside an instruction is refused naming it; a break stops gdb at
the hooked address on the CPU that ran it; gdb's Z0 on the detour's bytes is
refused; the hooked-page pool refuses a command whole and names `prealloc
epthook2`, which fixes it; set / clear / re-set; rmmod with a hook set
leaves the kernel working.  1 and 2 CPUs (the detour lives in every
CPU's EPT view; on 2 the calls run on either CPU).
"""
import re

from hvvm import (BAD_DMESG, ensure_hvtest, finished, gdb, gdb_server,
                  kallsym, later, mark, new_dmesg, script_vars, sections,
                  wait_file)

GETPID = "/hvgdb/bin/vmx_getpid"
N = 300
# Syscalls on other pages than getpid's, for the pool (distinct pages are
# picked from these at run time).
OTHERS = ("__x64_sys_sethostname", "__x64_sys_umask", "__x64_sys_sync",
          "__x64_sys_getcwd", "__x64_sys_uname", "__x64_sys_dup",
          "__x64_sys_pipe", "__x64_sys_setuid", "__x64_sys_times")


def peek(vm, a):
    """The 8 bytes the guest kernel reads at a (hvtest.ko)."""
    ensure_hvtest(vm)
    out = vm.sh(f"echo kpeek {a:x} > /proc/hvtest && cat /proc/hvtest")
    m = re.search(r"bytes=((?:[0-9a-f]{2} ?){8})", out)
    assert m, out
    return m.group(1).split()


def gdb_x(out):
    """The bytes of gdb's `x/5xb` lines."""
    return [b[2:] for b in re.findall(r"\b0x[0-9a-f]{2}\b(?!\w)", out)]


def run_getpid(vm, n):
    """vmx_getpid n in a process whose pid is known before it starts
    calling getpid: (pid, its output).  It makes n + 1 getpid calls."""
    out = vm.sh(f"sh -c 'echo pid=$$; exec {GETPID} {n}'", timeout=600)
    pid = int(re.search(r"pid=(\d+)", out).group(1))
    assert f"getpid={n} " in out and out.rstrip().endswith("ok"), out
    return pid, out


def test_counts_filters_hides_refuses(vm):
    a = kallsym(vm, "__x64_sys_getpid")
    others = []
    for name in OTHERS:
        o = kallsym(vm, name)
        if o >> 12 != a >> 12 and o >> 12 not in [x >> 12 for x in others]:
            others.append(o)
        if len(others) == 4:
            break
    assert len(others) == 4, others
    with gdb_server(vm) as dm:
        orig = peek(vm, a)
        assert orig[0] != "e9", orig
        out = gdb(vm,
                  mark("inside"), f"monitor !epthook2 {a + 1:#x}",
                  mark("set"),
                  f"monitor !epthook2 {a:#x} script {{ .n = .n + 1; }}",
                  mark("x"), f"x/5xb {a:#x}",
                  mark("list"), "monitor events",
                  mark("end"))
        s = sections(out)
        assert re.match(r"event 0x[0-9a-f]+ enabled: !epthook2 ", s["set"]), \
            out
        # Refused, naming the instruction it would split.
        assert "cannot detour" in s["inside"], out
        assert "inside an instruction" in s["inside"], out
        assert f"{a:#x}: {' '.join(orig[:2])}" in s["inside"], out
        # gdb reads the original bytes, not the jmp only fetches see.
        assert gdb_x(s["x"])[:5] == orig[:5], out
        assert f"!epthook2 {a:#x} script" in s["list"], out
        # ... and so does the kernel itself.
        assert peek(vm, a) == orig

        run_getpid(vm, N)
        v = script_vars(vm, ["n"])
        # Every call of the program (n + 1), and the odd getpid of the
        # guest's own shell and agent.
        assert N + 1 <= v["n"] <= N + 1 + 50, v

        # The pid filter: exactly the program's calls (n + 1).  The
        # program waits on a fifo until the event is set.
        vm.sh("rm -f /tmp/go /tmp/pid /tmp/gp.out; mkfifo /tmp/go; "
              f"(sh -c 'echo $$ > /tmp/pid; read x < /tmp/go; exec {GETPID} "
              f"{N}' > /tmp/gp.out 2>&1 &)")
        pid = int(wait_file(vm, "/tmp/pid", r"^\d+").strip())
        out = gdb(vm, "monitor events c all",
                  f"monitor !epthook2 {a:#x} pid {pid:x} script "
                  "{ .p = .p + 1; }",
                  f"monitor !epthook2 {a:#x} pid {pid + 1000:x} script "
                  "{ .q = .q + 1; }")
        assert out.count("enabled: !epthook2") == 2, out
        vm.sh("echo go > /tmp/go")
        wait_file(vm, "/tmp/gp.out", r"ok")
        run_getpid(vm, N)          # another pid: not counted
        v = script_vars(vm, ["p", "q"])
        assert v == {"p": N + 1, "q": 0}, v

        # gdb's breakpoint on the detour's bytes is refused, the hook stays.
        out = gdb(vm, f"break *{a:#x}", "continue", "delete",
                  "monitor events c all")
        assert "Cannot insert breakpoint" in out, out

        # Set / clear / re-set, then the last one counts.
        cmds = []
        for _ in range(20):
            cmds += [f"monitor !epthook2 {a:#x} script {{ .r = .r + 1; }}",
                     "monitor events c all"]
        cmds.append(f"monitor !epthook2 {a:#x} script {{ .r = .r + 1; }}")
        out = gdb(vm, *cmds, timeout=600)
        assert out.count("enabled: !epthook2") == 21, out
        run_getpid(vm, N)
        v = script_vars(vm, ["r"])
        assert N + 1 <= v["r"] <= N + 1 + 50, v
        assert peek(vm, a) == orig

        # The pool of hooked pages: 4 at load (getpid's is one).  A fifth
        # page is refused whole and names the prealloc that fixes it.
        hooks = [f"monitor !epthook2 {o:#x} script {{ .z = .z + 1; }}"
                 for o in others]
        out = gdb(vm, *hooks[:3], mark("full"), hooks[3], mark("pre"),
                  "monitor prealloc epthook2 1", mark("events"),
                  "monitor events", mark("end"))
        s = sections(out)
        assert "epthook2 pool full" in s["full"], out
        assert "prealloc epthook2 N" in s["full"], out
        assert f"{others[3]:#x}" not in s["events"], out
        assert "more epthook2 pages requested" in s["pre"], out
        out = gdb(vm, mark("again"), hooks[3], mark("end"),
                  "monitor events c all")
        assert "enabled: !epthook2" in sections(out)["again"], out
        assert run_getpid(vm, 10)
        assert peek(vm, a) == orig
    bad = [l for l in new_dmesg(vm, dm) if BAD_DMESG.search(l)]
    assert not bad, bad


def test_break_stops_at_the_hooked_address(vm):
    a = kallsym(vm, "__x64_sys_getpid")
    orig = peek(vm, a)
    with gdb_server(vm) as dm:
        later(vm, f"{GETPID} 3")
        out = gdb(vm, f"monitor !epthook2 {a:#x}", "continue",
                  mark("at"), "p/x $pc", "info threads", f"x/5xb {a:#x}",
                  mark("stop"), "monitor stop",
                  mark("end"), "monitor events c all", "detach",
                  detach=False)
        s = sections(out)
        assert re.search(r"event 0x[0-9a-f]+ !epthook2 context=" +
                         f"{a:#x}", out), out
        assert re.search(rf"= {a:#x}\b", s["at"]), out
        m = re.search(r"^\* \d+ .*CPU (\d+): \S+ \[\d+\]", s["at"], re.M)
        assert m and int(m.group(1)) < vm.cpus, out
        assert gdb_x(s["at"])[:5] == orig[:5], out
        assert "!epthook2" in s["stop"], out
        assert finished(vm) == "0"
    bad = [l for l in new_dmesg(vm, dm) if BAD_DMESG.search(l)]
    assert not bad, bad


def test_rmmod_with_a_hook_set(vm):
    a = kallsym(vm, "__x64_sys_getpid")
    orig = peek(vm, a)
    with gdb_server(vm) as dm:
        out = gdb(vm, f"monitor !epthook2 {a:#x} script {{ .n = .n + 1; }}")
        assert "enabled: !epthook2" in out, out
        run_getpid(vm, 10)
        assert script_vars(vm, ["n"])["n"] >= 11
    # rmmod ran with the hook set: the kernel runs the original text.
    run_getpid(vm, N)
    assert peek(vm, a) == orig
    bad = [l for l in new_dmesg(vm, dm) if BAD_DMESG.search(l)]
    assert not bad, bad
