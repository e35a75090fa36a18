"""The test VM itself: the guest is the kernel we build against, it sees
VT-x, `vm exec` behaves like a remote shell, and the gdb link reaches COM3."""
import base64
import os
import re
import socket
import subprocess
import threading
import time

from hvvm import VM_TOOL


def vmx_cpus(vm):
    return int(vm.sh(r"grep -c '^flags.*\bvmx\b' /proc/cpuinfo").strip())


def test_guest_runs_the_kernel_we_build_against(vm1, kernel_release):
    assert vm1.sh("uname -r").strip() == kernel_release


def test_one_cpu_with_vmx(vm1):
    assert vm1.sh("nproc").strip() == "1"
    assert vmx_cpus(vm1) == 1
    # EPT is what the module needs beyond VMX.
    assert re.search(r"\bept\b", vm1.sh("grep -m1 '^vmx flags' /proc/cpuinfo"))


def test_two_cpus_with_vmx(vm2):
    assert vm2.sh("nproc").strip() == "2"
    assert vmx_cpus(vm2) == 2


def test_exec_returns_the_command_status(vm1):
    assert vm1.exec("exit 7")[0] == 7
    assert vm1.exec("true")[0] == 0
    assert vm1.exec("kill -9 $$")[0] == 128 + 9


def test_exec_keeps_stdout_and_stderr_apart(vm1):
    r = vm1.tool("exec", "echo out; echo err >&2")
    assert r.stdout == b"out\n"
    assert r.stderr == b"err\n"


def test_exec_is_binary_safe_with_long_command_lines(vm1):
    blob = os.urandom(2800)
    cmd = f"echo {base64.b64encode(blob).decode()} | base64 -d"
    assert len(cmd) > 3700
    rc, out = vm1.exec(cmd)
    assert rc == 0 and out == blob


def test_concurrent_execs_do_not_mix(vm1):
    outs = {}

    def run(i):
        outs[i] = vm1.sh(f"for j in 1 2 3; do echo {i}-$j; sleep 0.1; done")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        assert outs[i] == "".join(f"{i}-{j}\n" for j in (1, 2, 3))


def test_exec_timeout_kills_the_command_and_next_exec_works(vm1):
    # Guest time, not wall time: an idle guest at ips 20 million sleeps a
    # minute in about 2 s of Bochs (HLT jumps to the next timer).
    r = vm1.tool("exec", "--timeout", "2", "sleep 100000; echo late")
    assert r.returncode == 255 and b"timed out" in r.stderr
    assert vm1.sh("echo next") == "next\n"
    assert vm1.sh("pgrep -x sleep || true").strip() == ""


def test_starting_a_running_vm_is_refused(vm1):
    r = vm1.tool("start", "--no-build")
    assert r.returncode == 1
    assert b"already running" in r.stderr


def test_no_vm_gives_clear_messages(tmp_path):
    env = dict(os.environ, HVGDB_VM_DIR=str(tmp_path))
    for args, code in ((["exec", "true"], 255), (["stop"], 0),
                       (["status"], 1)):
        r = subprocess.run([str(VM_TOOL), *args], env=env,
                           capture_output=True, timeout=30)
        assert r.returncode == code, args
        assert b"no VM is running" in r.stderr + r.stdout or \
            b"not running" in r.stdout


def _gdb_link_roundtrip(vm, text_out, text_in):
    with socket.create_connection(("127.0.0.1", vm.gdb_port), timeout=30) as s:
        vm.sh(f"uart_probe send {text_out}")
        got = b""
        deadline = time.time() + 30
        while len(got) < len(text_out) and time.time() < deadline:
            chunk = s.recv(100)
            if not chunk:
                break
            got += chunk
        assert got == text_out.encode()
        s.sendall(text_in.encode())
        assert vm.sh(f"uart_probe recv {len(text_in)} 20") == text_in


def test_gdb_port_reaches_com3_and_survives_reconnects(vm1):
    _gdb_link_roundtrip(vm1, "hello", "world")
    _gdb_link_roundtrip(vm1, "again", "there")


def test_a_new_gdb_connection_replaces_a_stale_one(vm1):
    with socket.create_connection(("127.0.0.1", vm1.gdb_port), timeout=30):
        time.sleep(0.5)  # the relay has taken this one as its client
        _gdb_link_roundtrip(vm1, "newer", "wins!")


def test_boot_timeout_prints_console_and_leaves_no_emulator(tmp_path, vm1):
    # vm1 only orders this after the image is built; the VM here is its own.
    env = dict(os.environ, HVGDB_VM_DIR=str(tmp_path),
               HVGDB_VM_BOOT_TIMEOUT="6")
    t0 = time.time()
    r = subprocess.run([str(VM_TOOL), "start", "--no-build", "--no-load"],
                       env=env, capture_output=True, timeout=120)
    assert r.returncode == 1
    assert time.time() - t0 < 60
    assert b"boot failed" in r.stderr and b"last console lines" in r.stderr
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True)
    assert left.stdout == b"", left.stdout


def test_exec_while_the_guest_is_halted_waits_for_it(vm1):
    # While gdb holds the system halted no guest process runs; to the tool
    # that is the same as a frozen emulator.
    import json
    import signal
    pid = json.loads((vm1.dir / "state.json").read_text())["emulator_pid"]
    result = {}
    os.kill(pid, signal.SIGSTOP)
    try:
        t = threading.Thread(target=lambda: result.update(
            out=vm1.sh("echo resumed", timeout=300)))
        t.start()
        time.sleep(5)
        assert t.is_alive() and not result
    finally:
        os.kill(pid, signal.SIGCONT)
    t.join(300)
    assert result.get("out") == "resumed\n"


def test_background_job_with_redirected_output_does_not_hold_exec(vm1):
    t0 = time.time()
    assert vm1.sh("sleep 30 >/dev/null 2>&1 & echo started") == "started\n"
    assert time.time() - t0 < 20
    vm1.sh("pkill -x sleep || true")
