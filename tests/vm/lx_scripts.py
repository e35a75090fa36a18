"""Linux's own scripts/gdb (lx-*) against hvgdb, with the vmlinux of the
VM's kernel (issue 16, docs/types.md, "Linux's scripts/gdb with a real
vmlinux"): gdb loads the vmlinux with debug information, sources
vmlinux-gdb.py and connects to hvgdb.ko on the 2-CPU VM; lx-version,
lx-cmdline, lx-ps, lx-dmesg, lx-lsmod, lx-cpus, $lx_current(),
$lx_per_cpu() and lx-symbols are checked against the guest's own view
(/proc), CPU 1's values against a busy loop pinned to CPU 1.

Not collected by `make check` (the file is not test_*.py): it needs the
800 MB linux-image-<release>-dbg package and the kernel's scripts/gdb with
a generated constants.py.  Run it by name (docs/types.md says how to
prepare both):

    HVGDB_LX_VMLINUX=/usr/lib/debug/boot/vmlinux-6.1.0-57-amd64 \\
    HVGDB_LX_SCRIPTS=/path/to/dir/with/vmlinux-gdb.py \\
    HVGDB_TEST_CPUS=2 python3 -m pytest tests/vm/lx_scripts.py

A missing vmlinux or scripts directory fails the test (it is run on
purpose: a skip would read as a pass)."""
import os
import re
import subprocess

import pytest

from hvvm import (REMOTE_TIMEOUT, REPO, check_gdb_output, ensure_hvtest,
                  gdb_server, mark, sections)

MARKER = "hvgdb-lx-marker"


@pytest.fixture(scope="module")
def lx(tmp_path_factory):
    """(a directory holding `vmlinux`, the scripts' directory)."""
    vmlinux = os.environ.get("HVGDB_LX_VMLINUX", "")
    scripts = os.environ.get("HVGDB_LX_SCRIPTS", "")
    assert vmlinux and os.path.isfile(vmlinux), (
        "HVGDB_LX_VMLINUX must name the VM kernel's vmlinux with debug "
        "information (linux-image-<release>-dbg: /usr/lib/debug/boot/"
        "vmlinux-<release>); it is %r" % vmlinux)
    assert scripts and os.path.isfile(os.path.join(scripts,
                                                   "vmlinux-gdb.py")), (
        "HVGDB_LX_SCRIPTS must name a directory with vmlinux-gdb.py and "
        "scripts/gdb/linux/ (constants.py generated; docs/types.md); it is "
        "%r" % scripts)
    assert os.path.isfile(os.path.join(scripts, "scripts", "gdb", "linux",
                                       "constants.py")), (
        "%s/scripts/gdb/linux/constants.py is missing: generate it from "
        "constants.py.in (docs/types.md)" % scripts)
    # lx-symbols reloads the objfile whose name ends in "vmlinux"
    d = tmp_path_factory.mktemp("lx")
    (d / "vmlinux").symlink_to(os.path.abspath(vmlinux))
    return d, scripts


def test_lx_scripts_against_hvgdb(vm2, lx):
    vm = vm2
    wd, scripts = lx
    ensure_hvtest(vm)
    version = vm.sh("cat /proc/version").strip()
    cmdline = vm.sh("cat /proc/cmdline").strip()
    online = vm.sh("cat /sys/devices/system/cpu/online").strip()
    hvtest_read = [l.split()[0] for l in
                   vm.sh("grep -F hvtest_read /proc/kallsyms").splitlines()
                   if l.split()[2] == "hvtest_read"]
    pid = int(vm.sh("taskset 2 sh -c 'while :; do :; done' "
                    "> /dev/null 2>&1 & echo $!").strip())
    try:
        stat = vm.sh(f"cat /proc/{pid}/stat")
        assert stat.rsplit(")", 1)[1].split()[36] == "1", stat
        with gdb_server(vm):
            mods = {l.split()[0]: (int(l.split()[1]), int(l.split()[5], 16))
                    for l in vm.sh("cat /proc/modules").splitlines()}
            vm.sh(f"echo {MARKER}-{pid} > /dev/kmsg")
            cmds = ["file vmlinux", f"source {scripts}/vmlinux-gdb.py",
                    f"target remote 127.0.0.1:{vm.gdb_port}",
                    mark("server"),
                    "python import linux.utils as u; print("
                    "u.get_gdbserver_type() == u.GDBSERVER_QEMU)",
                    mark("version"), "lx-version",
                    mark("cmdline"), "lx-cmdline",
                    mark("cpus"), "lx-cpus",
                    "thread 1",
                    mark("cur"), "p $lx_current().pid",
                    "p $lx_current(1).pid",
                    'p $lx_per_cpu("cpu_number", 1)',
                    'p $lx_per_cpu("cpu_number", 0)',
                    'p $lx_per_cpu("runqueues", 1).curr->pid',
                    "thread 2",
                    "p $lx_current().pid",
                    'p $lx_per_cpu("cpu_number")',
                    "thread 1",
                    mark("ps"), "lx-ps",
                    mark("lsmod"), "lx-lsmod",
                    mark("dmesg"), "lx-dmesg",
                    mark("symbols"),
                    f"lx-symbols {REPO}/kmod {REPO}/tests/guest-kmod",
                    "info address hvtest_read",
                    "delete",
                    mark("end"), "detach"]
            args = ["gdb", "-nx", "-batch",
                    "-ex", f"set remotetimeout {REMOTE_TIMEOUT}"]
            for c in cmds:
                args += ["-ex", c]
            r = subprocess.run(args, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               timeout=1800, cwd=str(wd),
                               stdin=subprocess.DEVNULL)
            out = r.stdout
            print(out)
            check_gdb_output(out)
        stat2 = vm.sh(f"cat /proc/{pid}/stat")
    finally:
        vm.sh(f"kill {pid}")
    s = sections(out)
    # the scripts take hvgdb for QEMU (monitor info version answers)
    assert s["server"].strip() == "True", out
    assert s["version"].strip() == version, out
    assert s["cmdline"].strip() == cmdline, out
    assert re.search(r"^Online CPUs\s*: \[0, 1\]$", s["cpus"], re.M), \
        (online, out)
    vals = re.findall(r"^\$\d+ = (.*)$", s["cur"], re.M)
    assert vals[1:5] == [str(pid), "1", "0", str(pid)], out
    assert vals[5:7] == [str(pid), "1"], out   # thread 2 is CPU 1
    assert vals[0] != str(pid), out            # thread 1 is CPU 0
    ps = s["ps"]
    assert re.search(rf"^0x[0-9a-f]+\s+{pid}\s+sh$", ps, re.M), out
    assert re.search(r"^0x[0-9a-f]+\s+1\s+\S+$", ps, re.M), out
    got = {}
    for line in s["lsmod"].splitlines():
        f = line.split()
        if len(f) >= 3 and f[0].startswith("0x"):
            got[f[1]] = (int(f[2]), int(f[0], 16))
    assert got == mods, out
    last = [l for l in s["dmesg"].splitlines() if l.strip()][-1]
    assert re.match(r"^\[\s*\d+\.\d{6}\] " + MARKER + f"-{pid}$", last), out
    sy = s["symbols"]
    assert re.search(r"^loading @0x[0-9a-f]+: \S+/hvtest\.ko$", sy, re.M), \
        out
    assert hvtest_read, "hvtest_read not in the guest's kallsyms"
    m = re.search(r'Symbol "hvtest_read" is a function at address '
                  r'(0x[0-9a-f]+)\.', sy)
    assert m and int(m.group(1), 16) == int(hvtest_read[0], 16), out
    assert stat2.rsplit(")", 1)[1].split()[36] == "1", stat2
