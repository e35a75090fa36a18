"""The SDM's VM-entry checks on the VMCS hvgdb.ko really builds (issue 19):
with vmentry_check=1 each CPU's VMCS is judged before VMLAUNCH against the
VMX capability MSRs Bochs reports (kmod/vmx/vmentry.c,
kmod/lib/vmentry_check.c).  The load must succeed, every CPU must be
virtualized and the kernel log must say each one passed; without the
parameter the check does not run.  A violation (made with the test-only
vmentry_check_fake=hlt_ud, which edits the judged image, not the VMCS:
Bochs itself would accept the entry) is reported with its SDM section,
rule and field, and the module refuses to load.  The passing load runs
on 1 and 2 CPUs, the rest on the 1-CPU VM.

Every test leaves the module unloaded.
"""
import re

from hvvm import (DBG, KO, assert_clean_dmesg, cpu_states, dmesg_mark,
                  hvgdb_loaded, loaded, new_dmesg)

CHECK_RE = re.compile(r"hvgdb: cpu(\d+): VM-entry check: (.*)")


def check_lines(lines):
    return [CHECK_RE.search(l) for l in lines if CHECK_RE.search(l)]


def test_vmentry_check_passes_at_load(vm):
    """On 1 and 2 CPUs: the boot CPU and an AP each pass."""
    vm1 = vm
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


def test_vmentry_check_refuses_violation(vm1):
    assert not loaded(vm1)
    before = dmesg_mark(vm1)
    rc, out = vm1.exec(f"insmod {KO} uart_port=0x3e8 vmentry_check=1 "
                       f"vmentry_check_fake=hlt_ud 2>&1")
    assert rc != 0, out
    assert "invalid argument" in out.decode().lower(), out
    assert not loaded(vm1)
    lines = new_dmesg(vm1, before)
    text = "\n".join(lines)
    assert re.search(
        r"hvgdb: cpu0: VM-entry check: SDM 27\.3\.1\.5 EVT_ACTIVITY: "
        r"injected event allowed in the activity state: .*; "
        r"field ENTRY_INTR_INFO = 0x80000306$", text, re.M), text
    assert re.search(r"hvgdb: cpu0: cannot enter VMX: error -22", text), text
    assert not [m for m in check_lines(lines) if m.group(2).startswith("passed")]
    assert_clean_dmesg(lines)
    # An unknown fake is refused too, not ignored.
    rc, out = vm1.exec(f"insmod {KO} uart_port=0x3e8 vmentry_check=1 "
                       f"vmentry_check_fake=bogus 2>&1")
    assert rc != 0 and not loaded(vm1), out
    assert "unknown vmentry_check_fake=bogus" in "\n".join(
        new_dmesg(vm1, before))
    # Nothing was left half-done: a checked load still works.
    with hvgdb_loaded(vm1, "vmentry_check=1"):
        assert set(cpu_states(vm1).values()) == {"virtualized"}
