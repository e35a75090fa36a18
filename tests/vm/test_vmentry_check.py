"""The SDM's VM-entry checks on the VMCS hvgdb.ko really builds (issue 19):
with vmentry_check=1 each CPU's VMCS is judged before VMLAUNCH against the
VMX capability MSRs Bochs reports (kmod/vmx/vmentry.c,
kmod/lib/vmentry_check.c).  The load must succeed, every CPU must be
virtualized and the kernel log must say each one passed; without the
parameter the check does not run.  Runs on the 1-CPU VM.

Every test leaves the module unloaded.
"""
import re

from hvvm import (DBG, assert_clean_dmesg, cpu_states, hvgdb_loaded, loaded,
                  new_dmesg)

CHECK_RE = re.compile(r"hvgdb: cpu(\d+): VM-entry check: (.*)")


def check_lines(lines):
    return [CHECK_RE.search(l) for l in lines if CHECK_RE.search(l)]


def test_vmentry_check_passes_at_load(vm1):
    with hvgdb_loaded(vm1, "vmentry_check=1") as mark:
        assert loaded(vm1), "\n".join(new_dmesg(vm1, mark))
        assert vm1.sh("cat /sys/module/hvgdb/parameters/vmentry_check"
                      ).strip() == "Y"
        states = cpu_states(vm1)
        lines = new_dmesg(vm1, mark)
        online = int(vm1.sh("nproc").strip())
        virt = sorted(c for c, s in states.items() if s == "virtualized")
        assert virt == list(range(online)), states
        found = check_lines(lines)
        # One verdict per CPU, each a pass naming how many rules ran.
        assert sorted(int(m.group(1)) for m in found) == list(range(online)), \
            "\n".join(lines)
        for m in found:
            assert re.fullmatch(r"passed \(\d+ rules, SDM 27\.2-27\.3\)",
                                m.group(2)), m.group(0)
        assert_clean_dmesg(lines)
        # The guest goes on working under the checked VMCS.
        assert vm1.sh("echo alive").strip() == "alive"
        assert "cpu0" in vm1.sh(f"cat {DBG}/cpus")


def test_vmentry_check_off_by_default(vm1):
    with hvgdb_loaded(vm1) as mark:
        assert loaded(vm1)
        assert vm1.sh("cat /sys/module/hvgdb/parameters/vmentry_check"
                      ).strip() == "N"
        lines = new_dmesg(vm1, mark)
        assert not check_lines(lines), "\n".join(lines)
        assert_clean_dmesg(lines)
