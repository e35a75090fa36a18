"""Fixtures for the RSP protocol suites.

Every test gets its own rsp-testtarget (the user-space TEST DOUBLE in
tests/protocol/harness/) on a free port and it is killed at the end; all
waits are bounded.
"""
import os
import re
import signal
import socket
import subprocess
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
TESTTARGET = os.path.join(BUILD, "bin", "rsp-testtarget")

# Addresses of the simulated target (see rsp_testtarget.c).
CODE = 0xFFFFFFFF81000000
CODE_SIZE = 0x10000
DATA = 0xFFFF888000100000
STACK = 0xFFFFC90000000000
WVAR = DATA + 0x1000
RVAR = DATA + 0x2000
# Physical memory (QEMU's PhyMemMode): DATA is at physical 0x100000, as a
# kernel's direct map; PHYS_TEXT is at physical PHYS_TEXT_ADDR, which is
# virtual DATA + 0x7000 (and nothing at virtual PHYS_TEXT_ADDR).
DATA_PHYS = 0x100000
CODE_PHYS = 0x1000000
PHYS_TEXT_ADDR = DATA_PHYS + 0x7000
PHYS_TEXT = "hvgdb test target: physical 0x107000"


class Target:
    def __init__(self, args=()):
        if not os.path.exists(TESTTARGET):
            pytest.fail("%s missing: run make" % TESTTARGET)
        self.proc = subprocess.Popen(
            [TESTTARGET, "--port", "0", "--lifetime", "240"] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"PORT=(\d+)", line)
        if not m:
            self.stop()
            pytest.fail("test target did not start: %r" % line)
        self.port = int(m.group(1))
        self.addr = "127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def target():
    t = Target()
    yield t
    t.stop()


@pytest.fixture
def target_factory():
    made = []

    def make(*args):
        t = Target(args)
        made.append(t)
        return t
    yield make
    for t in made:
        t.stop()


def gdb_batch(target, cmds, timeout=60, debug=False, connect=True):
    """Runs stock gdb in batch mode against target; returns its output."""
    argv = ["gdb", "-nx", "-batch", "-ex", "set architecture i386:x86-64",
            "-ex", "set pagination off", "-ex", "set confirm off"]
    if debug:
        argv += ["-ex", "set debug remote 1"]
    if connect:
        argv += ["-ex", "target remote " + target.addr]
    for c in cmds:
        argv += ["-ex", c]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace", timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return r.stdout


class Rsp:
    """A minimal RSP client over a socket, for packet-level tests."""

    def __init__(self, target, timeout=5):
        self.s = socket.create_connection(("127.0.0.1", target.port),
                                          timeout=timeout)
        self.buf = b""
        self.ack = True

    def close(self):
        self.s.close()

    def raw(self, data):
        self.s.sendall(data)

    @staticmethod
    def frame(payload):
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        return b"$" + payload + b"#%02x" % (sum(payload) & 0xFF)

    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def read_byte(self):
        while not self.buf:
            self._fill()
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def read_packet(self, send_ack=True):
        """Returns the decoded payload (RLE expanded) of the next packet."""
        while self.read_byte() != b"$":
            pass
        raw = b""
        while True:
            b = self.read_byte()
            if b == b"#":
                break
            raw += b
        cs = self.read_byte() + self.read_byte()
        assert int(cs, 16) == sum(raw) & 0xFF, "bad checksum from stub"
        if self.ack and send_ack:
            self.raw(b"+")
        out = bytearray()
        i = 0
        while i < len(raw):
            if raw[i:i + 1] == b"*":
                out += out[-1:] * (raw[i + 1] - 29)
                i += 2
            else:
                out.append(raw[i])
                i += 1
        return bytes(out)

    def expect_ack(self):
        b = self.read_byte()
        assert b == b"+", "expected ack, got %r" % b

    def cmd(self, payload):
        self.raw(self.frame(payload))
        if self.ack:
            self.expect_ack()
        return self.read_packet()

    def connect(self, features="swbreak+;hwbreak+"):
        self.raw(b"+")
        return self.cmd("qSupported:" + features)


@pytest.fixture
def rsp(target):
    c = Rsp(target)
    yield c
    c.close()


def wait_for(pred, timeout=10, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return False
