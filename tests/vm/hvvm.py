"""Helpers shared by the VM tests (tests/vm/test_*.py): every test module
imports its helpers from here and from no other test module.

- gdb sessions: gdb(), gdb_start(), gdb_args(), mark(), sections(),
  values(), script_vars(); GdbMI (gdb/MI as an IDE drives it);
- hvgdb.ko in the guest: loaded(), hvgdb_loaded(), gdb_server(),
  ensure_hvtest(), cpu_states(), exit_counts();
- the kernel log: dmesg_mark(), new_dmesg(), BAD_DMESG,
  assert_clean_dmesg();
- guest facts and programs: kallsym(), one_cpu_is_enough(), background(),
  wait_file().

The VMs themselves (`vm1`, `vm2`, the parametrized `vm`) are fixtures of
conftest.py.
"""
import contextlib
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VM_TOOL = REPO / "tests" / "vm" / "vm"
# HVGDB_TEST_KO names another module file inside the guest (e.g. one
# copied in by hand while developing).
KO = os.environ.get("HVGDB_TEST_KO", "/hvgdb/hvgdb.ko")
HVTEST = "/hvgdb/hvtest.ko"
HOOK_CALLS = "/hvgdb/bin/hook_calls"     # tests/guest/hook_calls.c
DBG = "/sys/kernel/debug/hvgdb"
TSC_AUX = 0xC0000103        # IA32_TSC_AUX: harmless to write back

# ------------------------------------------------------------ gdb sessions

# One gdb batch run (connect, every command, detach) gets GDB_TIMEOUT real
# seconds, then subprocess.TimeoutExpired fails the test.  240 s covers the
# longest fixed session (test_monitor's ~30 commands on a loaded 2-CPU
# Bochs); a session that waits for the guest (`continue` to a breakpoint
# hit many times) or sends many more commands passes its own timeout=.
GDB_TIMEOUT = 240
# gdb's own bound on an ack or a reply (`set remotetimeout`).  On connect
# hvgdb.ko halts every CPU before it reads gdb's first packet.  When that
# takes longer than remotetimeout (it did with 20 s on a loaded 2-CPU
# Bochs) gdb sends qSupported again; the stub answers both copies, and
# gdb takes the second answer for the reply to its next packet,
# vMustReplyEmpty: the session fails with STALE below.  (Reproduced with a
# stand-in stub that acks its first packet 3 s late, remotetimeout 2.)
# 60 s has not been reached; a session must not be retried on STALE, it
# names a real fault: a late first ack, or bytes from an earlier session.
REMOTE_TIMEOUT = 60
STALE = "Remote replied unexpectedly to 'vMustReplyEmpty'"
DETACHED = "[Inferior 1 (Remote target) detached]"


def gdb_args(vm, cmds, detach=True):
    args = ["gdb", "-nx", "-batch",
            "-ex", "set architecture i386:x86-64",
            "-ex", f"set remotetimeout {REMOTE_TIMEOUT}"]
    log = os.environ.get("HVGDB_TEST_GDB_LOG")
    if log:
        # gdb's packet trace, appended per session and timestamped (how
        # long the first ack took), for a failure's post mortem.
        args += ["-ex", f"set logging file {log}",
                 "-ex", "set logging debugredirect on",
                 "-ex", "set debug timestamp on",
                 "-ex", "set debug remote 1", "-ex", "set logging enabled on"]
    args += ["-ex", f"target remote 127.0.0.1:{vm.gdb_port}"]
    for c in list(cmds) + (["detach"] if detach else []):
        args += ["-ex", c]
    return args


def check_gdb_output(out, detach=True):
    """The checks every gdb session passes (gdb() makes them)."""
    assert STALE not in out, (
        "gdb's handshake got a reply meant for an earlier packet: stale "
        "bytes on the gdb link (gdb resent qSupported after "
        f"remotetimeout={REMOTE_TIMEOUT} s without an ack and the stub "
        "answered both, or a reply from an earlier session was still in "
        "flight); HVGDB_TEST_GDB_LOG=<file> keeps the packet trace:\n"
        + out)
    assert "Remote communication error" not in out, out
    assert "Remote connection closed" not in out, out
    if detach:
        assert DETACHED in out, out


def gdb(vm, *cmds, timeout=GDB_TIMEOUT, detach=True):
    """Stock gdb in batch mode connected to the VM's gdb port; runs cmds and
    returns gdb's output (stdout and stderr in one stream, so an error
    stays next to its command's output).

    detach=True (the default) appends `detach` and checks that gdb
    detached; detach=False runs cmds as given (for sessions that place
    their own `detach`).  No retry: a failed session fails the test."""
    r = subprocess.run(gdb_args(vm, cmds, detach), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    check_gdb_output(r.stdout, detach)
    return r.stdout


def gdb_start(vm, *cmds, detach=True):
    """The same in the background (for sessions that `continue`): the
    Popen; its caller waits for it and checks the output."""
    return subprocess.Popen(gdb_args(vm, cmds, detach), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL)


MI_WITHIN = 120


class GdbMI:
    """gdb/MI over a pipe, as an IDE drives gdb: commands with tokens
    (cmd() returns the ^result line), async records by prefix (wait()).
    No answer within the timeout (real seconds; Bochs is slow, the bound
    generous but finite) fails with gdb's last lines."""

    def __init__(self):
        self.p = subprocess.Popen(
            ["gdb", "-nx", "--interpreter=mi2"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            bufsize=1)
        self.lines = queue.Queue()
        self.log = []
        self.token = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _next(self, deadline):
        try:
            line = self.lines.get(timeout=max(0.1, deadline - time.time()))
        except queue.Empty:
            raise AssertionError("gdb: no answer in time:\n"
                                 + "\n".join(self.log[-40:]))
        if line is None:
            raise AssertionError("gdb exited:\n" + "\n".join(self.log[-40:]))
        self.log.append(line)
        return line

    def cmd(self, text, timeout=MI_WITHIN):
        self.token += 1
        tok = str(self.token)
        self.p.stdin.write(f"{tok}{text}\n")
        self.p.stdin.flush()
        deadline = time.time() + timeout
        while True:
            line = self._next(deadline)
            if line.startswith(tok + "^"):
                return line[len(tok):]

    def wait(self, prefix, timeout=MI_WITHIN):
        deadline = time.time() + timeout
        while True:
            line = self._next(deadline)
            if line.startswith(prefix):
                return line

    def close(self):
        try:
            self.p.stdin.write("-gdb-exit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()


def mark(name):
    """A gdb command that prints the marker line sections() splits at."""
    return f"echo @@{name}\\n"


def sections(out):
    """Split gdb output at `echo @@name\\n` markers: {name: text}."""
    parts = re.split(r"^@@(\w+)$", out, flags=re.M)
    return {k: v.strip("\n") for k, v in zip(parts[1::2], parts[2::2])}


def values(out):
    """gdb's `$N = V` results in order."""
    return [v.strip() for v in re.findall(r"^\$\d+ = (.*)$", out, re.M)]


def script_vars(vm, names):
    """`monitor print .x` for each name, in one session: {name: int}."""
    cmds = []
    for n in names:
        cmds += [mark(n), f"monitor print .{n}"]
    s = sections(gdb(vm, *(cmds + [mark("end")])))
    return {n: int(s[n].strip(), 16) for n in names}


# ------------------------------------------------------------ the kernel log

BAD_DMESG = re.compile(r"WARNING:|\bBUG\b|Oops|general protection|"
                       r"Call Trace|NMI received for unknown reason|"
                       r"unchecked MSR|RIP: ")


def dmesg_mark(vm):
    """A mark: how many lines the kernel log has now (keeps transfers
    small)."""
    return int(vm.sh("dmesg | wc -l").strip())


def new_dmesg(vm, mark):
    """Kernel log lines written since the mark."""
    return vm.sh(f"dmesg | tail -n +{mark + 1}").splitlines()


def assert_clean_dmesg(lines):
    bad = [l for l in lines if BAD_DMESG.search(l)]
    assert not bad, "kernel complained:\n" + "\n".join(lines)


# ------------------------------------------------------------ hvgdb.ko

def loaded(vm):
    return re.search(r"^hvgdb\b", vm.sh("cat /proc/modules"),
                     re.M) is not None


@contextlib.contextmanager
def hvgdb_loaded(vm, args="", ko=None):
    """hvgdb.ko (or the module file `ko` in the guest), its gdb server on
    COM3 (the VM's gdb link, not the console), for a with-block; rmmod
    after whatever happens.  Yields the dmesg mark from just before the
    insmod."""
    assert not loaded(vm), "hvgdb.ko left loaded by an earlier test"
    # One guest command: the mark, then the insmod.
    # HVGDB_TEST_KMOD_ARGS: module parameters for every load (e.g.
    # poll=hrtimer to run the tests over the poll fallback).
    args = f"{args} {os.environ.get('HVGDB_TEST_KMOD_ARGS', '')}".strip()
    # The BTF's compression at load (kmod/debug/gdb_btf.c) is about 1.2
    # billion emulated instructions, some 14 s of Bochs per load: only the
    # tests of the BTF's transfer ask for it (btf_xfer=1).
    if "btf_xfer=" not in args:
        args = f"{args} btf_xfer=0".strip()
    mark = int(vm.sh(f"dmesg | wc -l && insmod {ko or KO} uart_port=0x3e8 "
                     f"{args}",
                     timeout=300).split()[0])
    try:
        yield mark
    finally:
        if loaded(vm):
            vm.sh("rmmod hvgdb", timeout=300)


@contextlib.contextmanager
def gdb_server(vm, args=""):
    """hvgdb_loaded(), skipping the test when the module (HVGDB_TEST_KO)
    has no gdb server."""
    with hvgdb_loaded(vm, args) as mark:
        if vm.exec("test -e /sys/module/hvgdb/parameters/uart_port")[0]:
            pytest.skip("this hvgdb.ko has no gdb server")
        yield mark


def ensure_hvtest(vm):
    """The test-only guest module tests/guest-kmod/hvtest.ko, loaded."""
    if not re.search(r"^hvtest\b", vm.sh("cat /proc/modules"), re.M):
        vm.sh(f"insmod {HVTEST}")


def hvtest_page(vm):
    """The physical address of a page hvtest.ko filled with
    0x6876746573740000 | index in each qword (filled again at each call)."""
    ensure_hvtest(vm)
    out = vm.sh("echo alloc > /proc/hvtest; cat /proc/hvtest")
    m = re.search(r"page pa=(0x[0-9a-f]+)", out)
    assert m, out
    return int(m.group(1), 16)


def cpu_states(vm):
    """{cpu: state} from debugfs 'cpus'."""
    out = vm.sh(f"cat {DBG}/cpus")
    return {int(m.group(1)): m.group(2)
            for m in re.finditer(r"^cpu(\d+) (\S+)", out, re.M)}


def exit_counts(vm, text=None):
    """{reason name: (total, {cpu: count})} from debugfs 'exits'."""
    counts = {}
    if text is None:
        text = vm.sh(f"cat {DBG}/exits")
    for line in text.splitlines():
        f = line.split()
        if not f:
            continue
        total = int(f[2].split("=")[1])
        per = {int(k[3:]): int(v) for k, v in
               (x.split("=") for x in f[3:])}
        counts[f[0]] = (total, per)
    return counts


# ------------------------------------------------------- the gdb package

FETCH_SYMS = REPO / "tests" / "vm" / "fetch-syms"


def fetch_syms(vm, tmp_path_factory):
    """The guest kernel's kallsyms as an ELF symbol file (fetch-syms)."""
    out = tmp_path_factory.mktemp("typesyms") / "vm-syms.elf"
    r = subprocess.run([sys.executable, str(FETCH_SYMS), "-o", str(out)],
                       env=vm.env, capture_output=True, text=True,
                       timeout=400)
    assert r.returncode == 0, r.stderr
    return out


def package_session(vm, syms, cache, *cmds, env=None, timeout=600):
    """gdb with the symbols and the package (gdb-python) loaded before
    `target remote`, so the types load on connect, with HVGDB_CACHE=cache
    and `env` added; then cmds (each timed on an `@@t SECONDS CMD` line,
    but for `echo`) and detach.  Returns gdb's output, `@@connect
    SECONDS` (the connect's time) included."""
    env = dict(os.environ, HVGDB_CACHE=str(cache), **(env or {}))
    args = ["gdb", "-nx", "-batch",
            "-ex", "set architecture i386:x86-64",
            "-ex", f"set remotetimeout {REMOTE_TIMEOUT}",
            "-ex", f"symbol-file {syms}",
            "-ex", f"python import sys; sys.path.insert(0, "
                   f"'{REPO}/gdb-python'); import hvgdb",
            "-ex", "python import time; t0 = time.time()",
            "-ex", f"target remote 127.0.0.1:{vm.gdb_port}",
            "-ex", 'python print("@@connect %.1f" % (time.time() - t0))']
    for c in list(cmds) + ["detach"]:
        if c.startswith("echo "):
            args += ["-ex", c]
            continue
        args += ["-ex", "python t0 = time.time()", "-ex", c, "-ex",
                 'python print("@@t %%.2f %s" %% (time.time() - t0))'
                 % c.replace('"', "'").replace("\\", "")]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout, env=env,
                       stdin=subprocess.DEVNULL)
    check_gdb_output(r.stdout)
    return r.stdout


# ------------------------------------------------------------ EPT hooks

def xbytes(text):
    """The bytes of gdb's `x/Nxb` output, in order."""
    return [int(b, 16) for line in text.splitlines() if ":" in line
            for b in re.findall(r"0x([0-9a-f]{2})\b", line.split(":", 1)[1])]


def kcore_bytes(vm):
    """The first 16 bytes of __x64_sys_getpid as the kernel reads them
    (/proc/kcore, through hook_calls)."""
    out = vm.sh(f"{HOOK_CALLS} kcore")
    m = re.search(r"bytes=([0-9a-f]{32})", out)
    assert m, out
    return list(bytes.fromhex(m.group(1)))


def monitor_pages(vm):
    """Hooked pages of the EPT watch table (debugfs gdb)."""
    m = re.search(r"pages (\d+)",
                  vm.sh(f"cat {DBG}/gdb | grep '^breakpoints'"))
    assert m
    return int(m.group(1))


# ------------------------------------------------------------ guest facts

def kallsym(vm, name):
    """A core-kernel symbol's address (nokaslr: the same every boot).
    /proc/kallsyms is read once per boot into tmpfs (generating it costs a
    2-CPU Bochs guest a minute or more under load) and each name once per
    VM, with grep -F (busybox's regex grep -w takes 30 s over it in
    Bochs, -F 3 s); the exact line is picked here."""
    cache = vm.__dict__.setdefault("_kallsyms", {})
    if name in cache:
        return cache[name]
    cmd = ("[ -s /tmp/kallsyms ] || { cat /proc/kallsyms > /tmp/ks.$$ && "
           "mv /tmp/ks.$$ /tmp/kallsyms; }; "
           f"grep -F ' {name}' /tmp/kallsyms")
    out = vm.sh(cmd, timeout=240)
    m = re.search(r"^([0-9a-f]+) \w " + re.escape(name) + r"$", out, re.M)
    assert m, f"{name} not in /proc/kallsyms"
    cache[name] = int(m.group(1), 16)
    return cache[name]


def one_cpu_is_enough(vm):
    """Checks that do not depend on the CPU count run on 1 CPU only: the
    2-CPU half of `make vm-check` runs at half speed (docs/testing.md)."""
    if vm.cpus > 1:
        pytest.skip("CPU-count independent: runs on 1 CPU")


def later(vm, cmd):
    """Run a guest command again and again in the background until
    finished(): gdb connects, sets its breakpoints and continues at a time
    the guest cannot know (an idle Bochs guest's clock runs ahead of the
    wall clock), so a one-shot command could run before them."""
    vm.sh("rm -f /tmp/done /tmp/stop; (while [ ! -e /tmp/stop ]; do "
          f"{cmd}; echo $? > /tmp/rc; sleep 1; done; mv /tmp/rc /tmp/done) "
          "> /tmp/later.out 2>&1 &")


def finished(vm, timeout=300):
    """Stop the loop of later(); the status of its last run."""
    vm.sh("touch /tmp/stop")
    for _ in range(timeout):
        if vm.exec("test -e /tmp/done")[0] == 0:
            return vm.sh("cat /tmp/done").strip()
        time.sleep(1)
    return None


def background(vm, cmd, out):
    """Start cmd in the guest in the background; returns its pid."""
    pid = vm.sh(f"rm -f {out}; {cmd} > {out} 2>&1 & echo $!").strip()
    return int(pid)


def wait_file(vm, path, pattern, timeout=120):
    """The guest file's text once it matches pattern (polled each second)."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        text = vm.sh(f"cat {path} 2>/dev/null; true")
        if re.search(pattern, text):
            return text
        time.sleep(1)
    raise AssertionError(f"{path}: no {pattern!r} after {timeout} s")


PROF = "/sys/kernel/debug/hvgdb/prof"


def prof_take(vm, tag):
    """The exit paths' profile (kmod/vmx/prof.h; only a module built with
    `make kmod HVGDB_PROF=y` has the file) since the last take, as lines
    "prof <tag> <kind> n=... total=... <point>=...", and reset."""
    out = vm.sh(f"cat {PROF} && echo 0 > {PROF}")
    return [f"prof {tag} {l}" for l in out.splitlines() if "n=" in l]
# ------------------------------------------------------------ kernel types

def image_btf():
    """The .BTF of the image the VM boots (/boot/vmlinuz-<the release
    the module is built for>), as the package reads it."""
    sys.path.insert(0, str(REPO / "gdb-python"))
    from hvgdb import btfgen
    rel = subprocess.run(["sh", str(REPO / "kmod" / "kdir.sh")],
                         capture_output=True, text=True).stdout.strip()
    if os.path.basename(rel) == "build":        # /lib/modules/V/build
        rel = os.path.dirname(rel)
    rel = os.path.basename(rel).replace("linux-headers-", "")
    return btfgen.btf_from_image("/boot/vmlinuz-" + rel)


def btf_ready(vm, mark, timeout=300):
    """hvgdb.ko's line once it has compressed the BTF (a work item after
    insmod, kmod/debug/gdb_btf.c): (BTF bytes, compressed bytes, ms)."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        for line in vm.sh(f"dmesg | tail -n +{mark + 1}").splitlines():
            m = re.search(r"hvgdb: BTF for gdb: (\d+) bytes, (\d+) "
                          r"compressed \((\d+) ms\)", line)
            if m:
                return tuple(int(x) for x in m.groups())
            assert "BTF not compressed" not in line, line
        time.sleep(2)
    raise AssertionError("hvgdb.ko did not compress the BTF in %d s" %
                         timeout)
