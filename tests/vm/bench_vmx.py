"""Benchmark of the VMX core in the Bochs VM (figures for
docs/performance.md): guest-measured cost of a CPUID exit and of a getpid
syscall, without and with hvgdb.ko, and the load time.  In Bochs the guest
TSC counts emulated instructions, so the figures are path lengths.

Speed targets are not asserted here (they are benchmark figures); the test
only checks that each run completed and produced its figures.  Results go to
build/vmx-bench.txt.
"""
import re
from pathlib import Path

from hvvm import DBG, hvgdb_loaded, loaded

REPO = Path(__file__).resolve().parents[2]
N = 100000


def measure(vm):
    cpuid = vm.sh(f"vmx_cpuid {N}", timeout=900)
    getpid = vm.sh(f"vmx_getpid {N}", timeout=900)
    c = re.search(r"tsc_per_cpuid=(\d+)", cpuid)
    g = re.search(r"tsc_per_call=(\d+) ok", getpid)
    assert c and g, (cpuid, getpid)
    return int(c.group(1)), int(g.group(1))


def test_vmx_bench_1cpu(vm1):
    assert not loaded(vm1)
    bare = [measure(vm1) for _ in range(2)]
    with hvgdb_loaded(vm1):
        caps = vm1.sh(f"cat {DBG}/caps") + vm1.sh(f"cat {DBG}/ept")
        hv = [measure(vm1) for _ in range(2)]
    load_tsc = int(re.search(r"^load_tsc (\d+)$", caps, re.M).group(1))
    ept_bytes = int(re.search(r"^table_bytes (\d+)$", caps, re.M).group(1))
    bare_cpuid = min(b[0] for b in bare)
    hv_cpuid = max(h[0] for h in hv)
    bare_getpid = min(b[1] for b in bare)
    hv_getpid = max(h[1] for h in hv)
    lines = [
        f"cpuid_bare_per_iter {bare_cpuid}",
        f"cpuid_hvgdb_per_iter {hv_cpuid}",
        f"cpuid_exit_extra {hv_cpuid - bare_cpuid}",
        f"getpid_bare_per_call {bare_getpid}",
        f"getpid_hvgdb_per_call {hv_getpid}",
        f"getpid_overhead_percent {100.0 * (hv_getpid - bare_getpid) / bare_getpid:.2f}",
        f"load_tsc_1cpu {load_tsc}",
        f"ept_table_bytes {ept_bytes}",
    ]
    out = REPO / "build" / "vmx-bench.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))
    # The module was really there: CPUID got dearer, getpid did not fail.
    assert hv_cpuid > bare_cpuid
    assert ept_bytes > 0 and load_tsc > 0
