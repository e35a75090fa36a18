"""Fixtures for the VM tests: one Bochs VM with 1 CPU and one with 2 CPUs,
shared by every test of the session and booted in parallel at its start.

A test uses `vm1`, `vm2` or `vm` (each of the two in turn): `vm.sh(cmd)`
returns the output and fails the test on a non-zero status; `vm.exec(cmd)`
returns (status, bytes).  The tests' helpers are in hvvm.py.  Both VMs boot without hvgdb.ko loaded; a test that loads it unloads it again.
"""
import atexit
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

# hvvm.py holds the tests' helpers; its asserts explain themselves too.
pytest.register_assert_rewrite("hvvm")
from hvvm import REPO, VM_TOOL  # noqa: E402

EXEC_TIMEOUT = 300


class TestVM:
    """One instance of tests/vm/vm in its own directory."""

    __test__ = False  # not a test class

    def __init__(self, cpus):
        self.cpus = cpus
        # HVGDB_TEST_VM_ROOT lets two test sessions in one tree coexist.
        root = Path(os.environ.get("HVGDB_TEST_VM_ROOT", REPO / "build"))
        self.dir = root / f"vm-test-{cpus}cpu"
        self.env = dict(os.environ, HVGDB_VM_DIR=str(self.dir))
        # A 2-CPU boot takes 125-210 s on the loaded 2-core machine; one
        # that hangs is given up sooner than `vm start`'s default and
        # tried again (tests/vm/vm).
        self.env.setdefault("HVGDB_VM_BOOT_TIMEOUT", "420")
        self.gdb_port = None
        self.boot_seconds = None
        self.error = None
        self.thread = None

    def tool(self, *args, timeout=None, **kw):
        t0 = time.time()
        try:
            return subprocess.run([str(VM_TOOL), *args], env=self.env,
                                  capture_output=True, timeout=timeout, **kw)
        finally:
            # Where a slow test's time went: every tool call, timed.
            self.log(f"{time.time() - t0:7.2f} "
                     f"{os.environ.get('PYTEST_CURRENT_TEST', '-')} "
                     f"{' '.join(args)[:160]!r}")

    def log(self, text):
        """A line of <vm root>/vm-Ncpu-calls.log."""
        with open(self.dir.parent / f"vm-{self.cpus}cpu-calls.log", "a") as f:
            f.write(f"{time.strftime('%H:%M:%S')} {text}\n")

    def _start(self):
        t0 = time.time()
        if KEEP:
            r = self.tool("status")
            m = re.search(rb"status=up GDB_PORT=(\d+)", r.stdout)
            if m and f"cpus={self.cpus} ".encode() in r.stdout:
                self.gdb_port = int(m.group(1))
                self.boot_seconds = 0
                return
        self.tool("stop")  # a VM left over from an interrupted run
        r = self.tool("start", "--cpus", str(self.cpus), "--no-load",
                      "--no-build")
        m = re.search(rb"^GDB_PORT=(\d+)$", r.stdout, re.M)
        if r.returncode or not m:
            self.error = (f"vm start --cpus {self.cpus} failed "
                          f"({r.returncode}):\n{r.stderr.decode(errors='replace')}")
            return
        self.gdb_port = int(m.group(1))
        self.boot_seconds = time.time() - t0

    def start_async(self):
        self.thread = threading.Thread(target=self._start, daemon=True)
        self.thread.start()

    def wait_up(self):
        self.thread.join()
        if self.error:
            pytest.fail(self.error, pytrace=False)

    # A 2-CPU guest that idled in MWAIT answered a trivial command after up
    # to 190 s (Bochs 2.7 lost the wake-up; docs/testing.md): the VM now
    # idles with HLT, and a command still gets 300 s before it fails.
    def exec(self, cmd, timeout=EXEC_TIMEOUT):
        r = self.tool("exec", "--timeout", str(timeout), cmd,
                      timeout=timeout + 30)
        if r.returncode == 255:
            raise AssertionError(f"vm exec failed: {cmd!r}\n"
                                 f"{r.stderr.decode(errors='replace')}")
        return r.returncode, r.stdout

    def sh(self, cmd, timeout=EXEC_TIMEOUT):
        r = self.tool("exec", "--timeout", str(timeout), cmd,
                      timeout=timeout + 30)
        out = r.stdout.decode(errors="replace")
        if r.returncode:
            raise AssertionError(
                f"guest command failed with status {r.returncode}: {cmd!r}\n"
                f"stdout:\n{out}\nstderr:\n{r.stderr.decode(errors='replace')}")
        return out

    def console(self):
        try:
            return (self.dir / "console.log").read_bytes().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, kill=False):
        self.tool("stop", *(["--kill"] if kill else []), timeout=90)


_VMS = {}
# HVGDB_TEST_VM_KEEP=1 (development): reuse a VM that is up in the test
# directory and leave the VMs running at the end.
KEEP = os.environ.get("HVGDB_TEST_VM_KEEP") == "1"


def _item_cpus(item):
    """The VMs (1, 2) a test uses."""
    want = set()
    for item in [item]:
        # Tests take vm1/vm2 directly or through a fixture parametrized
        # with their names (test_gdb.py's `vm`).
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        if callspec:
            names |= {v for v in callspec.params.values()
                      if isinstance(v, str)}
        for name, cpus in (("vm1", 1), ("vm2", 2)):
            if name in names:
                want.add(cpus)
    return want


def _wanted_cpus(items):
    want = set()
    for item in items:
        want |= _item_cpus(item)
    return want


# HVGDB_TEST_CPUS=1 (or 2): run only the tests of that VM, so that `make
# vm-check` runs the 1-CPU and the 2-CPU halves in parallel, one Bochs per
# core.  Tests that use no VM belong to the 1-CPU half.
ONLY = os.environ.get("HVGDB_TEST_CPUS")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "kills_vm: leaves its VM unusable (a triple fault); runs "
        "after every other test and stops that VM (use the `doomed` fixture)")
    config.addinivalue_line(
        "markers", "known(why): not yet seen to pass, or a fault it found is "
        "open; left out of `make check` (listed when left out) and run with "
        "HVGDB_TEST_KNOWN=1")
    _empty_symbol_cache()


def _empty_symbol_cache():
    """gdb with the hvgdb package loads the kernel symbols a user's own
    sessions cached (docs/python.md): the tests' gdb sessions get an empty
    cache of their own, removed at the end."""
    d = tempfile.mkdtemp(prefix="hvgdb-test-cache-")
    os.environ["XDG_CACHE_HOME"] = d
    atexit.register(shutil.rmtree, d, True)


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("HVGDB_TEST_KNOWN"):
        known = [i for i in items if i.get_closest_marker("known")]
        if known:
            config.hook.pytest_deselected(items=known)
            items[:] = [i for i in items if i not in known]
            for i in known:
                print(f"\nleft out (HVGDB_TEST_KNOWN=1 runs it): {i.nodeid}: "
                      f"{i.get_closest_marker('known').args[0]}")
    if ONLY:
        keep, drop = [], []
        for item in items:
            want = _item_cpus(item) or {1}
            (keep if int(ONLY) in want else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    # Stable: the other tests keep their order.
    items.sort(key=lambda item: item.get_closest_marker("kills_vm") is not None)


def pytest_collection_finish(session):
    want = _wanted_cpus(session.items)
    if not want or session.config.option.collectonly:
        return  # --collect-only lists tests; it boots nothing
    # One build, then both boots in parallel (Bochs uses one core each).
    r = subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "-s",
                        "vm-image"], capture_output=True)
    if r.returncode:
        raise pytest.UsageError("make vm-image failed:\n" +
                                r.stderr.decode(errors="replace"))
    for cpus in sorted(want):
        vm = TestVM(cpus)
        _VMS[cpus] = vm
        vm.start_async()


def pytest_sessionfinish(session, exitstatus):
    for vm in _VMS.values():
        if vm.thread:
            vm.thread.join()
        if not KEEP:
            vm.stop()


@pytest.fixture(scope="module", autouse=True)
def _no_leftover_processes():
    """After each test module, end the guest processes it left behind (a
    busy loop left running slowed every later test several times over);
    each one is named in <vm root>/vm-Ncpu-calls.log."""
    yield
    for vm in _VMS.values():
        if vm.gdb_port is None or vm.error or vm.thread.is_alive():
            continue
        try:
            rc, out = vm.exec("echo self=$$; ps -o pid,ppid,args", timeout=60)
        except (AssertionError, subprocess.TimeoutExpired):
            continue
        text = out.decode(errors="replace")
        m = re.search(r"^self=(\d+)$", text, re.M)
        if rc or not m:
            continue
        me = m.group(1)     # this shell; its child is the ps
        left = []
        for line in text.splitlines():
            f = line.split(None, 2)
            if (len(f) == 3 and f[0].isdigit() and f[0] not in ("1", me)
                    and f[1] not in (me, "0", "2")
                    and not f[2].startswith(("[", "/hvgdb/agent"))):
                left.append((f[0], f[2]))
        if left:
            vm.exec("kill -9 " + " ".join(p for p, _ in left), timeout=60)
            vm.log(f"killed leftovers: {left!r}")


@pytest.fixture(scope="session")
def vm1():
    vm = _VMS[1]
    vm.wait_up()
    return vm


@pytest.fixture(scope="session")
def vm2():
    vm = _VMS[2]
    vm.wait_up()
    return vm


@pytest.fixture(scope="module", params=["vm1", "vm2"])
def vm(request):
    """vm1, then vm2: a module's tests that take `vm` run on both (one
    module may define its own `vm` instead)."""
    return request.getfixturevalue(request.param)


@pytest.fixture(params=["vm1", "vm2"])
def doomed(request):
    """vm1 or vm2 for a `kills_vm` test: stopped after it, and any later
    test that asks for it fails with this reason instead of hanging."""
    vm = request.getfixturevalue(request.param)
    yield vm
    vm.error = f"this VM was killed on purpose by {request.node.name}"
    vm.stop(kill=True)


@pytest.fixture(scope="session")
def kernel_release():
    kdir = subprocess.run(["sh", str(REPO / "kmod" / "kdir.sh")],
                          capture_output=True, text=True).stdout.strip()
    text = (Path(kdir) / "include/generated/utsrelease.h").read_text()
    return re.search(r'UTS_RELEASE "([^"]+)"', text).group(1)
