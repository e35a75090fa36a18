"""Benchmark of monitor events in the Bochs VM (issue 6's performance
section; figures for docs/performance.md): the guest-measured cost of a
CPUID that triggers an event whose only action counts it, one whose script
prints a line into the batched output, and the slowdown of a getpid loop
with !syscall on.  In Bochs the guest TSC counts emulated instructions, so
the figures are path lengths (docs/testing.md).

Speed is not asserted (benchmark figures); the test checks that each
measurement ran and that the events really fired.  Results go to
build/events-bench.txt.  1 CPU only: the path length does not depend on
the CPU count.
"""
import re
from pathlib import Path

from hvvm import gdb, hvgdb_loaded, mark, sections

REPO = Path(__file__).resolve().parents[2]
N = 20000


def cpuid_cost(vm):
    out = vm.sh(f"vmx_cpuid {N}", timeout=900)
    m = re.search(r"tsc_per_cpuid=(\d+)", out)
    assert m and out.rstrip().endswith("ok"), out
    return int(m.group(1))


def getpid_cost(vm):
    out = vm.sh(f"vmx_getpid {N}", timeout=900)
    m = re.search(r"tsc_per_call=(\d+) ok", out)
    assert m, out
    return int(m.group(1))


def monitor(vm, *cmds):
    out = gdb(vm, *[f"monitor {c}" for c in cmds])
    assert "error" not in out.lower(), out
    return out


def counter(vm, name):
    s = sections(gdb(vm, mark(name), f"monitor print .{name}", mark("end")))
    return int(s[name].strip(), 16)


def test_events_bench(vm1):
    vm = vm1
    with hvgdb_loaded(vm):
        bare_cpuid = min(cpuid_cost(vm) for _ in range(2))
        bare_getpid = min(getpid_cost(vm) for _ in range(2))

        # vmx_cpuid runs leaf 0 in its timed loop (and leaves 0 and 1 in
        # its check loop): the events filter on leaf 0.
        monitor(vm, "!cpuid 0 script { .n = .n + 1; }")
        count_cpuid = cpuid_cost(vm)
        counted = counter(vm, "n")
        monitor(vm, "events c all")

        monitor(vm, '!cpuid 0 imm no script { printf("cpuid %x\\n", '
                    '$context); }')
        print_cpuid = cpuid_cost(vm)
        monitor(vm, "events c all")

        # getpid is syscall 39 on x86-64.
        monitor(vm, "!syscall 27 script { .s = .s + 1; }")
        sys_getpid = getpid_cost(vm)
        syscalls = counter(vm, "s")
        monitor(vm, "events c all")
        after_getpid = getpid_cost(vm)

    lines = [
        f"cpuid_bare_per_iter {bare_cpuid}",
        f"cpuid_count_event_per_iter {count_cpuid}",
        f"cpuid_count_event_extra {count_cpuid - bare_cpuid}",
        f"cpuid_printf_event_per_iter {print_cpuid}",
        f"cpuid_printf_event_extra {print_cpuid - bare_cpuid}",
        f"getpid_bare_per_call {bare_getpid}",
        f"getpid_syscall_event_per_call {sys_getpid}",
        f"getpid_syscall_event_slowdown {sys_getpid / bare_getpid:.1f}x",
        f"getpid_after_clear_per_call {after_getpid}",
    ]
    out = REPO / "build" / "events-bench.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))
    # The events fired on every measured instruction (the program runs
    # more of them than the timed loop), and cost something.
    assert counted >= N and syscalls >= N, (counted, syscalls)
    assert count_cpuid > bare_cpuid and sys_getpid > bare_getpid
