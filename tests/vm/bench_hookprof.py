"""Where the instructions of a hook's hit go (docs/performance.md, "Where
an !epthook hit goes"): the hook benchmarks' loops over the profiling
builds of hvgdb.ko in the image (`make vm-prof`: kmod/vmx/prof.h's TSC
stamps; /hvgdb/hvgdb-prof.ko, and any older build kept beside it as
/hvgdb/hvgdb-prof-NAME.ko to compare), each of which counts per exit kind
the emulated instructions between stamps in VMX root (debugfs "prof").

Phases, each with its own profile: the bare CPUID exit, an !epthook on
__x64_sys_getpid with a counting script, the same hook disabled, an
!epthook2 with the same script, and a counting `!monitor w` per watched
write.  The stamps cost a few instructions each, so the per-call figures
here are a little above bench_epthook.py's (the figures of record).
Results go to build/hookprof-bench.txt.  Checked: each module is a
profiling one, each phase's events fired, and each phase's exits were
profiled.  1 CPU only.
"""
import re

import pytest

from bench_epthook import counter, cpuid_cost, getpid_cost, monitor, record
from bench_monitor import touch_cost
from hvvm import PROF, hvgdb_loaded, kallsym, prof_take


def profile(vm, ko, a):
    """One module's phases: per-call figures and profile lines."""
    name = ko.rsplit("/", 1)[-1][:-3]
    lines = []

    def fig(key, value):
        lines.append(f"{name} {key} {value}")

    with hvgdb_loaded(vm, ko=ko):
        assert not vm.exec(f"test -f {PROF}")[0], f"{ko}: not a profiling build"
        prof_take(vm, "-")
        fig("cpuid_bare_per_iter", cpuid_cost(vm))
        lines += prof_take(vm, f"{name} cpuid")
        fig("getpid_bare_per_call", getpid_cost(vm))

        monitor(vm, f"!epthook {a:x} script {{ .n = .n + 1; }}")
        prof_take(vm, "-")
        fig("getpid_epthook_count_per_call", getpid_cost(vm))
        count = prof_take(vm, f"{name} epthook-count")
        assert counter(vm, "n") >= 20000
        monitor(vm, "events d all")
        prof_take(vm, "-")
        fig("getpid_epthook_disabled_per_call", getpid_cost(vm))
        off = prof_take(vm, f"{name} epthook-disabled")
        monitor(vm, "events c all",
                f"!epthook2 {a:#x} script {{ .g = .g + 1; }}")
        prof_take(vm, "-")
        fig("getpid_epthook2_count_per_call", getpid_cost(vm))
        eh2 = prof_take(vm, f"{name} epthook2-count")
        assert counter(vm, "g") >= 20000
        monitor(vm, "events c all")
        prof_take(vm, "-")
        w, bw = touch_cost(vm, 2000, "!monitor w {pa:x} l 10 pa script "
                           "{{ .b = .b + 1; }}")
        fig("mon_touch_monitor_w_per_iter", w)
        mon = prof_take(vm, f"{name} monitor-w")
        assert bw == 2000, bw
    for tag, got, kind in (("epthook-count", count, "epthook"),
                           ("epthook-disabled", off, "epthook"),
                           ("epthook2-count", eh2, "epthook2"),
                           ("monitor-w", mon, "eptv")):
        assert any(re.match(rf"prof {name} {tag} {kind} n=[1-9]", l)
                   for l in got), (tag, got)
    return lines + count + off + eh2 + mon


def test_hook_profile(vm1):
    vm = vm1
    kos = vm.sh("ls /hvgdb/hvgdb-prof*.ko 2>/dev/null || true").split()
    if not kos:
        pytest.skip("no profiling module /hvgdb/hvgdb-prof*.ko in the "
                    "image (make vm-prof builds one)")
    a = kallsym(vm, "__x64_sys_getpid")
    lines = []
    for ko in sorted(kos):
        lines += profile(vm, ko, a)
    record("hookprof-bench.txt", lines)
