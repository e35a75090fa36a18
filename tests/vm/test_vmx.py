"""hvgdb.ko's VMX core in the Bochs VM (issue 3): load virtualizes every
CPU, the kernel keeps working as a guest, unload hands the CPUs back, and
the load-time checks refuse cleanly.  Run on 1 and on 2 CPUs.

Every test leaves the module unloaded.  debugfs formats are described in
docs/design-vmx.md.
"""
import re

import pytest

from hvvm import (DBG, KO, assert_clean_dmesg, cpu_states, dmesg_mark,
                  exit_counts, hvgdb_loaded, loaded, new_dmesg)


def foreign_vmcalls(vm):
    """VMCALL exits that were not hvgdb's own gdb polls.  With the
    preemption-timer poll (debugfs gdb: "poll preemption_timer") no poll is
    a VMCALL; with the hrtimer fallback each is a ring-0 hypercall every
    50 ms of guest time, so both counters are read with no poll in between
    (the count read twice agrees)."""
    for _ in range(20):
        out = vm.sh(f"cat {DBG}/exits; echo @@; cat {DBG}/gdb; echo @@; "
                    f"cat {DBG}/exits")
        a, g, b = out.split("@@")
        va = exit_counts(vm, a).get("VMCALL", (0, {}))[0]
        vb = exit_counts(vm, b).get("VMCALL", (0, {}))[0]
        mode = re.search(r"^poll (\w+)", g, re.M)
        assert mode, g
        if va != vb:
            continue
        if mode.group(1) == "preemption_timer":
            return va
        return va - int(re.search(r"^polls (\d+)", g, re.M).group(1))
    raise AssertionError("gdb polls kept coming between two reads")


def run_cpuid(vm, n, cpu=None):
    pin = f"taskset -c {cpu} " if cpu is not None else ""
    out = vm.sh(f"{pin}vmx_cpuid {n}", timeout=600)
    m = re.search(r"cpuid=(\d+) rdtscp=(\d+) tsc_per_cpuid=(\d+) "
                  r"tsc_per_rdtscp=(\d+) ok", out)
    assert m, out
    return [int(x) for x in m.groups()]


def workload(vm):
    """The guest workload of the issue; asserts its results."""
    # 200 fork+exec of busybox tools, each result checked.
    out = vm.sh("n=0; i=0; while [ $i -lt 100 ]; do "
                "[ \"$(/bin/busybox echo x$i)\" = x$i ] && n=$((n+1)); "
                "/bin/busybox true && n=$((n+1)); i=$((i+1)); done; echo n=$n",
                timeout=600)
    assert "n=200" in out, out
    # 100,000 getpid system calls.
    out = vm.sh("vmx_getpid 100000", timeout=600)
    assert re.search(r"getpid=100000 tsc_per_call=\d+ ok", out), out
    # File I/O on a tmpfs.
    out = vm.sh("d=$(mktemp -d) && mount -t tmpfs tmpfs $d && "
                "dd if=/dev/urandom of=$d/a bs=4096 count=256 2>/dev/null && "
                "cp $d/a $d/b && cat $d/a $d/b > $d/c && "
                "a=$(md5sum < $d/a) && b=$(md5sum < $d/b) && "
                "[ \"$a\" = \"$b\" ] && [ $(wc -c < $d/c) -eq 2097152 ] && "
                "rm $d/a $d/b $d/c && umount $d && rmdir $d && echo io-ok",
                timeout=600)
    assert "io-ok" in out, out


def check_load_and_workload(vm):
    ncpu = int(vm.sh("nproc").strip())
    before = dmesg_mark(vm)
    with hvgdb_loaded(vm):
        states = cpu_states(vm)
        online = range(ncpu)
        assert all(states.get(c) == "virtualized" for c in online), states
        caps = vm.sh(f"cat {DBG}/caps")
        assert re.search(r"^ept yes$", caps, re.M), caps
        assert re.search(r"^true_controls yes$", caps, re.M), caps
        workload(vm)
        for cpu in online:
            c0 = exit_counts(vm).get("CPUID", (0, {}))[1].get(cpu, 0)
            executed = run_cpuid(vm, 20000, cpu if ncpu > 1 else None)[0]
            c1 = exit_counts(vm)["CPUID"][1][cpu]
            # Every CPUID the program executed on that CPU exited.
            assert c1 - c0 >= executed, (cpu, c0, c1, executed)
        assert all(s == "virtualized" for s in cpu_states(vm).values())
        assert "count=0" in vm.sh(f"cat {DBG}/unexpected")
    assert_clean_dmesg(new_dmesg(vm, before))


def test_load_virtualizes_every_cpu_and_kernel_runs_1cpu(vm1):
    check_load_and_workload(vm1)


def test_load_virtualizes_every_cpu_and_kernel_runs_2cpu(vm2):
    check_load_and_workload(vm2)


def check_unload_cycles(vm):
    before = dmesg_mark(vm)
    for cycle in range(3):
        with hvgdb_loaded(vm):
            assert set(cpu_states(vm).values()) == {"virtualized"}
            hv_cost = run_cpuid(vm, 2000)[2]
        assert not loaded(vm)
        assert vm.exec(f"test -e {DBG}")[0] != 0
        # CPUID no longer exits: its cost falls back to the bare instruction.
        bare_cost = run_cpuid(vm, 2000)[2]
        assert bare_cost * 2 < hv_cost, (cycle, bare_cost, hv_cost)
    # The unvirtualized kernel still runs the whole workload.
    workload(vm)
    lines = new_dmesg(vm, before)
    assert sum("all CPUs left VMX" in l for l in lines) == 3, lines
    assert_clean_dmesg(lines)


def test_unload_devirtualizes_three_cycles_1cpu(vm1):
    check_unload_cycles(vm1)


def test_unload_devirtualizes_three_cycles_2cpu(vm2):
    check_unload_cycles(vm2)


def test_second_insmod_fails_cleanly(vm1):
    before = dmesg_mark(vm1)
    with hvgdb_loaded(vm1):
        rc, out = vm1.exec(f"insmod {KO} 2>&1")
        assert rc != 0, out
        assert set(cpu_states(vm1).values()) == {"virtualized"}
        run_cpuid(vm1, 100)
    assert_clean_dmesg(new_dmesg(vm1, before))


@pytest.mark.parametrize("fake,message,errtext", [
    ("vmxe", "CR4.VMXE already set", "busy"),
    ("ept", "CPU lacks EPT", "not supported"),
    ("vmx", "CPUID reports no VMX", "No such device"),
    ("fclock", "IA32_FEATURE_CONTROL is not locked", "not permitted"),
    ("intel", "CPU vendor is not GenuineIntel", "No such device"),
])
def test_refuses_with_reason_and_errno(vm1, fake, message, errtext):
    """The real checks run on facts edited by a test-only parameter."""
    assert not loaded(vm1)
    before = dmesg_mark(vm1)
    rc, out = vm1.exec(f"insmod {KO} fake_missing={fake} 2>&1")
    assert rc != 0
    assert errtext.lower() in out.decode().lower(), out
    assert not loaded(vm1)
    lines = new_dmesg(vm1, before)
    assert any("hvgdb: refusing to load: " + message in l for l in lines), \
        lines
    assert_clean_dmesg(lines)
    # Nothing was left half-done: a real load still works.
    with hvgdb_loaded(vm1):
        assert set(cpu_states(vm1).values()) == {"virtualized"}


def test_cpu_hotplug_2cpu(vm2):
    """A CPU going offline leaves VMX first; coming back, it is virtualized."""
    online = "/sys/devices/system/cpu/cpu1/online"
    before = dmesg_mark(vm2)
    with hvgdb_loaded(vm2):
        try:
            vm2.sh(f"echo 0 > {online}", timeout=300)
            assert cpu_states(vm2) == {0: "virtualized", 1: "off"}
            run_cpuid(vm2, 100)
            vm2.sh(f"echo 1 > {online}", timeout=300)
            assert cpu_states(vm2) == {0: "virtualized", 1: "virtualized"}
            c0 = exit_counts(vm2)["CPUID"][1].get(1, 0)
            executed = run_cpuid(vm2, 1000, cpu=1)[0]
            assert exit_counts(vm2)["CPUID"][1][1] - c0 >= executed
        finally:
            vm2.exec(f"echo 1 > {online}", timeout=300)
    assert vm2.sh(f"cat {online}").strip() == "1"
    assert_clean_dmesg(new_dmesg(vm2, before))


def test_user_mode_vmx_instructions_get_ud(vm1):
    """VMCALL (even with hvgdb's magic) and VMXON from ring 3 exit to
    hvgdb, which must inject #UD: the process sees what it sees on a CPU
    without VMX."""
    bare = vm1.sh("vmx_ud").strip()
    assert bare == "vmcall=SIGILL vmxon=SIGILL", bare
    before = dmesg_mark(vm1)
    with hvgdb_loaded(vm1):
        c0, v0 = exit_counts(vm1), foreign_vmcalls(vm1)
        out = vm1.sh("vmx_ud").strip()
        c1, v1 = exit_counts(vm1), foreign_vmcalls(vm1)
        assert out == bare
        assert v1 - v0 == 1, (v0, v1, c1)
        assert c1["VMXON"][0] - c0.get("VMXON", (0, {}))[0] == 1, c1
        assert set(cpu_states(vm1).values()) == {"virtualized"}
        assert "count=0" in vm1.sh(f"cat {DBG}/unexpected")
    assert_clean_dmesg(new_dmesg(vm1, before))


def read_msrs(vm, msrs):
    """{msr: value or 'error'} as CPU 0 reads them through /dev/cpu/0/msr."""
    out = {}
    for m in msrs:
        rc, text = vm.exec(f"gdb_rdmsr 0 {m:#x}")
        out[m] = text.decode().strip() if rc == 0 else "error"
    return out


def test_msrs_outside_the_bitmap_ranges_behave_as_without_hvgdb(vm1):
    # Outside 0-0x1fff and 0xc0000000-0xc0001fff every RDMSR exits (SDM
    # 25.1.3): the module forwards it, or injects #GP where the CPU would.
    # Inside the ranges nothing exits; EFER is the reference that must work.
    msrs = [0xC0000080, 0x2000, 0x40000000, 0xC0010000, 0xC0011000]
    before = read_msrs(vm1, msrs)
    assert before[0xC0000080] != "error"
    with hvgdb_loaded(vm1):
        mark = dmesg_mark(vm1)
        exits0 = exit_counts(vm1).get("RDMSR", (0, {}))[0]
        during = read_msrs(vm1, msrs)
        exits1 = exit_counts(vm1).get("RDMSR", (0, {}))[0]
        assert_clean_dmesg(new_dmesg(vm1, mark))
    assert during == before
    # The four MSRs outside the ranges exited; EFER did not.
    assert exits1 - exits0 >= 4


def ept_field(vm, name):
    m = re.search(rf"^{name} (\S+)$", vm.sh(f"cat {DBG}/ept"), re.M)
    return int(m.group(1), 0)


def test_physical_access_above_the_identity_map_is_mapped_on_demand(vm1):
    # /dev/mem allows non-RAM physical addresses; above the identity map
    # the first access is an EPT violation that maps the page uncached
    # (docs/design-vmx.md) and the guest reads what the bus gives without
    # hvgdb.
    addrs = ["0x100000000", "0x123456000"]
    before = [vm1.sh(f"devmem {a} 32").strip() for a in addrs]
    with hvgdb_loaded(vm1):
        top = ept_field(vm1, "identity_top")
        assert all(int(a, 16) >= top for a in addrs)
        pages0 = ept_field(vm1, "on_demand_pages")
        mark = dmesg_mark(vm1)
        during = [vm1.sh(f"devmem {a} 32").strip() for a in addrs]
        assert ept_field(vm1, "on_demand_pages") - pages0 == 2
        assert exit_counts(vm1)["EPT_VIOLATION"][0] >= 2
        assert_clean_dmesg(new_dmesg(vm1, mark))
    assert during == before
