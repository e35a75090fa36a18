"""The cost of an !epthook2-style hit in the Bochs VM (issue 14): a kernel
function whose first instructions kmod/lib/detour.c moved into a
trampoline, and a trampoline that reaches VMX root with one VMCALL.

hvtest.ko's "detour N" (tests/guest-kmod/hvtest_detour.c) patches one of
its own functions in the guest's text (hvgdb.ko would put the patch in an
EPT execute view; the hit path is the same) and times N calls, interrupts
off, in guest TSC ticks, which Bochs counts in emulated instructions:
unpatched, through the trampoline alone, through a trampoline whose entry
makes hvgdb's own VMCALL (HV_HC_PING), hooked at the entry (the ftrace
nop moves) and at entry + 5 (the body's lea and jmp rel32 move); a bare
VMCALL and a bare CPUID loop for scale.  "detour N 1" makes the entry's
VMCALL a foreign one, which `!vmcall sc on script { .n = .n + 1; }`
counts in VMX root and skips: an !epthook2 hit with a counting script,
compared with `!cpuid 0 script {...}` on the CPUID loop.

Checked: every patched call returns what the unpatched function does, each
hit is one exit (the exit count of the loop), the script counted every
hit exactly, and the figures (build/epthook2-bench.txt; docs/
performance.md).  Speed is not asserted beyond "one exit": a benchmark.
1 CPU only: the path length does not depend on the CPU count.  The
last test times the real !epthook2 of hvgdb.ko on __x64_sys_getpid.
"""
import re
from pathlib import Path

from hvvm import ensure_hvtest, gdb, hvgdb_loaded, kallsym, mark, sections

REPO = Path(__file__).resolve().parents[2]
N = 20000
FIELDS = ("n disp base tramp hit ping cpuid exits disp5 hit5 exits5")


def detour(vm, foreign=False):
    cmd = f"detour {N:x}" + (" 1" if foreign else "")
    out = vm.sh(f"echo {cmd} > /proc/hvtest && cat /proc/hvtest",
                timeout=900)
    pat = " ".join(f"{f}=(\\d+)" for f in FIELDS.split())
    m = re.search(r"detour " + pat + r" (\w+)", out)
    assert m, out
    r = {f: int(v) for f, v in zip(FIELDS.split(), m.groups())}
    assert m.group(len(r) + 1) == "ok", out
    assert r["n"] == N
    return r


def monitor(vm, *cmds):
    out = gdb(vm, *[f"monitor {c}" for c in cmds])
    assert "error" not in out.lower(), out
    return out


def counter(vm, name):
    s = sections(gdb(vm, mark(name), f"monitor print .{name}", mark("end")))
    return int(s[name].strip(), 16)


def per(r, key):
    return r[key] / N


def test_epthook2_hit_cost(vm1):
    vm = vm1
    ensure_hvtest(vm)
    with hvgdb_loaded(vm):
        own = detour(vm)
        monitor(vm, "!vmcall sc on script { .n = .n + 1; }",
                "!cpuid 0 script { .c = .c + 1; }")
        ev = detour(vm, foreign=True)
        counted = counter(vm, "n")
        cpuids = counter(vm, "c")
        monitor(vm, "events c all")

    # One exit per hit: the hit loops' exits are N plus the odd timer or
    # interrupt exit.
    for r in (own, ev):
        for k in ("exits", "exits5"):
            assert N <= r[k] <= N + N // 50, (k, r)
    # The script ran once per hit, exactly: 2 loops and the probe.
    assert counted == 2 * N + 1, counted
    assert cpuids >= N, cpuids
    assert own["disp"] == 5 and own["disp5"] >= 5, own

    base = per(own, "base")
    lines = [
        f"call_unpatched_per_call {base:.0f}",
        f"trampoline_only_extra {per(own, 'tramp') - base:.0f}",
        f"hit_own_vmcall_extra {per(own, 'hit') - base:.0f}",
        f"hit_own_vmcall_body_extra {per(own, 'hit5') - base:.0f}",
        f"bare_vmcall_ping_per_iter {per(own, 'ping'):.0f}",
        f"bare_cpuid_per_iter {per(own, 'cpuid'):.0f}",
        f"hit_counting_script_extra {per(ev, 'hit') - per(ev, 'base'):.0f}",
        f"cpuid_counting_script_per_iter {per(ev, 'cpuid'):.0f}",
        f"displaced_bytes_entry {own['disp']} body {own['disp5']}",
    ]
    out = REPO / "build" / "epthook2-bench.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))


GETPID = "/hvgdb/bin/vmx_getpid"
NG = 3000


def getpid_cost(vm):
    out = vm.sh(f"{GETPID} {NG}", timeout=900)
    m = re.search(r"tsc_per_call=(\d+) ok", out)
    assert m, out
    return int(m.group(1))


def test_epthook2_real_hit_cost(vm1):
    """The real thing: `!epthook2 __x64_sys_getpid` set by hvgdb.ko (the
    jmp in the EPT execute view, the trampoline in hvgdb.ko's text, its
    VMCALL recognised by RIP), timed by vmx_getpid's per-call TSC (each
    call hits once).  With a counting script, with a condition that is
    false (the event path without the script), and the hook cleared."""
    vm = vm1
    a = kallsym(vm, "__x64_sys_getpid")
    with hvgdb_loaded(vm):
        bare = min(getpid_cost(vm) for _ in range(2))
        monitor(vm, f"!epthook2 {a:#x} script {{ .g = .g + 1; }}")
        counted0 = counter(vm, "g")
        script = getpid_cost(vm)
        counted = counter(vm, "g") - counted0
        monitor(vm, "events c all",
                f"!epthook2 {a:#x} condition {{ 0 }}")
        cond = getpid_cost(vm)
        monitor(vm, "events c all")
        after = getpid_cost(vm)
        cpuid = vm.sh(f"vmx_cpuid {NG}", timeout=900)
        m = re.search(r"tsc_per_cpuid=(\d+)", cpuid)
        monitor(vm, "!cpuid script { .c = .c + 1; }")
        cpuid_script = int(re.search(
            r"tsc_per_cpuid=(\d+)",
            vm.sh(f"vmx_cpuid {NG}", timeout=900)).group(1))
        monitor(vm, "events c all")
    # Each of the program's NG + 1 calls hit once (and the odd getpid of
    # the guest's shell).
    assert NG + 1 <= counted <= NG + 50, counted
    assert m, cpuid
    bare_cpuid = int(m.group(1))
    lines = [
        f"getpid_bare_per_call {bare}",
        f"getpid_epthook2_counting_script_per_call {script}",
        f"epthook2_hit_counting_script_extra {script - bare}",
        f"epthook2_hit_condition_false_extra {cond - bare}",
        f"getpid_after_clear_per_call {after}",
        f"cpuid_bare_per_call {bare_cpuid}",
        f"cpuid_counting_script_per_call {cpuid_script}",
    ]
    out = REPO / "build" / "epthook2-hit-bench.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))
