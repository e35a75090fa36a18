"""The RSP engine behind a noisy line (issue 19), without a VM: stock gdb
talks to the test double (rsp-testtarget --unreliable: acks stay on, as
on hvgdb.ko's serial link) through tests/noisy_relay.py, which drops,
flips, duplicates and delays bytes and inserts noise bursts.  The faults
start after the connection handshake (target.xml and all) so that they
land on the commands: memory writes and reads, register reads, steps,
monitor commands, detach.  tests/vm/test_noisy_line.py runs the same idea
against hvgdb.ko in Bochs, handshake included.

Each session must end (no hang: a stalled gdb gets a Ctrl-C, as a user
would press it), every value gdb shows is right unless gdb printed an
error for that command, memory holds only old or written values, and a
clean connection afterwards works.
"""
import re
import sys
from pathlib import Path

import pytest

from conftest import DATA, Target

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from noisy_relay import Mangler, Rates, Relay, run_gdb  # noqa: E402

RATE = Rates(drop=3e-4, flip=3e-4, dup=3e-4, burst=3e-4, delay=2e-3,
             delay_max_ms=50)
HANDSHAKE = (600, 10500)    # bytes gdb->stub, stub->gdb of the connect
WORDS = 6
ERROR = re.compile(r"Ignoring packet error|Remote communication error|"
                   r"Cannot access memory|not being run|No registers|"
                   r"not supported by this target|Invalid|odd length|"
                   r"too long|Remote connection closed|Timed out")


def value(i):
    return 0x1111111111111111 * (i + 1)


def gdb_argv(port, cmds):
    argv = ["gdb", "-nx", "-batch", "-ex", "set architecture i386:x86-64",
            "-ex", "set remotetimeout 3",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for c in cmds:
        argv += ["-ex", c]
    return argv


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_noisy_session_ends_right_or_with_an_error(seed):
    t = Target(["--unreliable"])
    try:
        relay = Relay(("127.0.0.1", t.port), RATE, seed, after=HANDSHAKE)
        cmds = []
        for i in range(WORDS):
            a = DATA + 8 * i
            cmds += [f"echo @@{i}\\n", f"set {{long}}{a:#x} = {value(i):#x}",
                     f"x/1gx {a:#x}", "stepi", "monitor echo line-ok"]
        cmds += ["echo @@end\\n", "detach"]
        out, ctrl_c, hung = run_gdb(gdb_argv(relay.port, cmds),
                                    timeout=150, stall=10)
        relay.close()
        assert not hung, f"gdb hung (relay {relay.stats}):\n{out}"
        parts = re.split(r"^@@(\w+)$", out, flags=re.M)
        for name, text in zip(parts[1::2], parts[2::2]):
            if name == "end" or ERROR.search(text):
                continue
            i = int(name)
            m = re.search(r"^0x[0-9a-f]+:\t(0x[0-9a-f]+)$", text, re.M)
            assert m and int(m.group(1), 16) == value(i), (
                f"word {i}: a wrong value and no error:\n{text}")
            assert "line-ok" in text, text
        # A clean connection: the stub is not wedged; memory holds what
        # was there (0) or what gdb wrote, nothing else.
        clean, _, hung = run_gdb(gdb_argv(t.port, [
            f"x/{WORDS}gx {DATA:#x}", "detach"]), timeout=60)
        assert not hung and "detached]" in clean, clean
        words = [int(v, 16) for v in
                 re.findall(r"\t(0x[0-9a-f]{16})", clean)][:WORDS]
        assert len(words) == WORDS, clean
        for i, w in enumerate(words):
            assert w in (0, value(i)), (i, hex(w), out)
        print(f"seed {seed}: {relay.stats} ctrl_c={ctrl_c}")
    finally:
        t.stop()


def test_relay_faults_are_repeatable_and_at_their_rates():
    data = bytes(range(256)) * 400                  # 102,400 bytes
    r = Rates(drop=0.01, flip=0.02, dup=0.01, burst=0.005, delay=0.0)
    a, b = Mangler(r, 7), Mangler(r, 7)
    assert a.mangle(data) == b.mangle(data)         # same seed, same faults
    assert Mangler(r, 8).mangle(data) != Mangler(r, 7).mangle(data)
    for name, p in (("drop", 0.01), ("flip", 0.02), ("dup", 0.01),
                    ("burst", 0.005)):
        n = a.stats[name]
        # Within 5 standard deviations of the expected count.
        mean = p * len(data)
        assert abs(n - mean) < 5 * (mean ** 0.5), (name, n, mean)
    clean = Mangler(Rates(), 1)
    assert clean.mangle(data) == (data, 0.0)
    late = Mangler(Rates(drop=1.0), 1, after=1000)
    out, _ = late.mangle(data)
    assert out == data[:1000]                       # then every byte dropped
