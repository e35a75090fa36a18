"""Benchmark of !monitor in the Bochs VM (docs/performance.md): the cost
per watched access, in emulated instructions.  Run by `make vm-bench`; the
behaviour is tested by tests/vm/test_monitor_ept.py."""
import re
from pathlib import Path

import pytest

from hvvm import (assert_clean_dmesg, background, gdb, hvgdb_loaded,
                  new_dmesg, script_vars, wait_file)

TOUCH = "/hvgdb/bin/mon_touch"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mon1(vm1):
    with hvgdb_loaded(vm1) as dmark:
        yield vm1
        assert_clean_dmesg(new_dmesg(vm1, dmark))


def touch_cost(vm, n, monitor=None):
    """mon_touch's emulated instructions per iteration (one read, one
    write), with `monitor` (a format string over the page's pa) set for
    the timed loop; the monitor's counter .b checked."""
    vm.sh("rm -f /tmp/bgo /tmp/bhold")
    background(vm, f"{TOUCH} --wait /tmp/bgo --hold /tmp/bhold 1 {n}",
               "/tmp/bt.out")
    out = wait_file(vm, "/tmp/bt.out", r"pa=0x")
    pa = int(re.search(r"pa=(0x[0-9a-f]+)", out).group(1), 16)
    if monitor:
        gdb(vm, "monitor " + monitor.format(pa=pa))
    vm.sh("touch /tmp/bgo")
    out = wait_file(vm, "/tmp/bt.out", r"tsc_per_iter=\d+", timeout=900)
    if monitor:
        b = script_vars(vm, ["b"])["b"]
        gdb(vm, "monitor events c all", "monitor ? { .b = 0; }")
    vm.sh("touch /tmp/bhold")
    cost = int(re.search(r"tsc_per_iter=(\d+)", out).group(1))
    return cost, (b if monitor else None)



def test_monitor_bench(mon1):
    """Cost per watched access in emulated instructions (docs/
    performance.md), as the CPUID exit's was measured: the guest's rdtsc
    around a loop of one read and one write per iteration, without a
    monitor, with a counting !monitor w on the written qword, and with
    !monitor rw on both.  Not asserted beyond the counts (a figure)."""
    vm = mon1
    n = 2000
    bare, _ = touch_cost(vm, n)
    w, bw = touch_cost(vm, n, "!monitor w {pa:x} l 10 pa script "
                       "{{ .b = .b + 1; }}")
    rw, brw = touch_cost(vm, n, "!monitor rw {pa:x} l 10 pa script "
                         "{{ .b = .b + 1; }}")
    assert bw == n and brw == 2 * n, (bw, brw)
    lines = [f"bare_iter {bare}", f"monitor_w_iter {w}",
             f"monitor_rw_iter {rw}",
             f"per_watched_write {w - bare}",
             f"per_watched_access_rw {(rw - bare) / 2:.0f}"]
    (REPO / "build").mkdir(exist_ok=True)
    (REPO / "build" / "monitor-bench.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
