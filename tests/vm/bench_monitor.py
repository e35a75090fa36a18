"""Benchmark of !monitor in the Bochs VM (docs/performance.md): the cost
per watched access.  Run by `make vm-bench`; the behaviour is tested by
tests/vm/test_monitor_ept.py, whose fixture and helpers this uses."""
from test_monitor_ept import REPO, mon, touch_cost  # noqa: F401 (fixture)


def test_monitor_bench(mon):
    """Cost per watched access in emulated instructions (docs/
    performance.md), as the CPUID exit's was measured: the guest's rdtsc
    around a loop of one read and one write per iteration, without a
    monitor, with a counting !monitor w on the written qword, and with
    !monitor rw on both.  Not asserted beyond the counts (a figure)."""
    vm = mon
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
