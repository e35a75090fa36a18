"""tests/vm/vm itself, without booting a guest: `vm stop` on an instance
whose guest never answers (halted by a gdb that was killed, or hung) kills
the emulator after a bounded wait and says so.

The instance here is a stand-in: a "daemon" that holds the exec socket
and never answers (as the real one does while the guest is halted; its
queue of unanswered connections is full, as after many timed-out execs)
and an "emulator" that would run for good.
"""
import json
import os
import subprocess
import sys
import time

from hvvm import VM_TOOL

# The stand-in daemon: listens on exec.sock, fills its own backlog (a new
# connect() then blocks), never accepts; prints "ready" when it is.
DAEMON = r"""
import socket, sys, time
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
l.bind(sys.argv[1])
l.listen(1)
held = []
for _ in range(2):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.setblocking(False)
    try:
        c.connect(sys.argv[1])
    except BlockingIOError:
        pass
    held.append(c)
print("ready", flush=True)
time.sleep(600)
"""


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_stop_kills_a_guest_that_does_not_power_off(tmp_path):
    daemon = subprocess.Popen([sys.executable, "-c", DAEMON,
                               str(tmp_path / "exec.sock")],
                              stdout=subprocess.PIPE, text=True)
    emulator = subprocess.Popen(["sleep", "600"])
    try:
        assert daemon.stdout.readline() == "ready\n"
        (tmp_path / "state.json").write_text(json.dumps({
            "daemon_pid": daemon.pid, "emulator_pid": emulator.pid,
            "cpus": 1, "status": "up", "backend": "bochs", "gdb_port": 1}))
        t0 = time.time()
        r = subprocess.run([str(VM_TOOL), "stop"], capture_output=True,
                           text=True, timeout=120,
                           env=dict(os.environ, HVGDB_VM_DIR=str(tmp_path)))
        took = time.time() - t0
        daemon.wait(timeout=10)
        emulator.wait(timeout=10)
    finally:
        daemon.kill()
        emulator.kill()
    assert r.returncode == 0, r.stderr
    assert "vm stop: guest did not shut down in 30 s; emulator killed" in \
        r.stderr, r.stderr
    assert 30 <= took < 45, (took, r.stderr)
    assert not alive(daemon.pid) and not alive(emulator.pid)
    assert not (tmp_path / "state.json").exists()
