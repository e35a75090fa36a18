#!/usr/bin/python3
"""Counts RSP packets and bytes on the wire for common gdb operations.

Runs the protocol test double (build/bin/rsp-testtarget) with --stats, so
bytes are counted at its transport, and drives stock gdb 13 through the
operations QEMU's gdbstub was measured on (shared/notes/gdb-stub-peers.md):
connect, `info registers`, `x/512xg`, `stepi`, breakpoint hit to prompt.
Round trips = packets gdb sent; bytes = both directions, framing and acks.

usage: tests/bench/gdbstub_wire.py [--unreliable] [--no-rle]
  --unreliable  behave like the UART build: acks stay on (no
                QStartNoAckMode), which is what hvgdb.ko will do.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET = os.path.join(ROOT, "build", "bin", "rsp-testtarget")
CODE = 0xFFFFFFFF81000000
DATA = 0xFFFF888000100000

GDB_SCRIPT = r'''
import gdb, time
STATS = %(stats)r
def stats():
    time.sleep(0.1)          # let the last ack reach the counter
    d = dict(kv.split("=") for kv in open(STATS).read().split())
    return {k: int(v) for k, v in d.items()}
def op(name, cmds):
    a = stats()
    for c in cmds:
        gdb.execute(c, to_string=True)
    b = stats()
    print("WIRE|%%s|%%d|%%d|%%d" %% (name, b["rx_packets"] - a["rx_packets"],
          b["tx_packets"] - a["tx_packets"],
          b["rx_bytes"] + b["tx_bytes"] - a["rx_bytes"] - a["tx_bytes"]))
gdb.execute("set architecture i386:x86-64", to_string=True)
open(STATS, "w").write("rx_bytes=0 tx_bytes=0 rx_packets=0 tx_packets=0\n")
op("target remote (connect, target.xml, threads, first stop)",
   ["target remote %(addr)s"])
op("info registers (right after connect)", ["info registers"])
op("x/512xg ADDR", ["x/512xg %(data)#x"])
op("stepi", ["stepi"])
op("break *ADDR + continue until it hits", ["break *%(bp)#x", "continue"])
op("info threads", ["info threads"])
gdb.execute("detach", to_string=True)
'''


def main():
    args = [a for a in sys.argv[1:] if a in ("--unreliable", "--no-rle")]
    with tempfile.TemporaryDirectory() as tmp:
        stats = os.path.join(tmp, "stats")
        p = subprocess.Popen([TARGET, "--port", "0", "--lifetime", "120",
                              "--stats", stats] + args,
                             stdout=subprocess.PIPE, text=True)
        try:
            port = int(re.match(r"PORT=(\d+)", p.stdout.readline()).group(1))
            script = os.path.join(tmp, "wire.py")
            with open(script, "w") as f:
                f.write(GDB_SCRIPT % {"stats": stats, "data": DATA,
                                      "bp": CODE + 0x100,
                                      "addr": "127.0.0.1:%d" % port})
            out = subprocess.run(["gdb", "-nx", "-batch", "-x", script],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True,
                                 timeout=120).stdout
        finally:
            p.kill()
            p.wait(timeout=10)
    rows = [l.split("|")[1:] for l in out.splitlines()
            if l.startswith("WIRE|")]
    if len(rows) != 6:
        sys.stdout.write(out)
        sys.exit("wire: gdb did not run every operation")
    mode = "acks on (UART-like)" if "--unreliable" in args else \
        "no-ack (reliable transport)"
    if "--no-rle" in args:
        mode += ", RLE off"
    print("hvgdb gdbstub on the wire, %s, gdb 13:" % mode)
    print("| operation | round trips | stub packets | bytes | at 115200 baud |")
    print("| --- | --- | --- | --- | --- |")
    for name, rt, tx, nbytes in rows:
        print("| %s | %s | %s | %s | %.2f s |" % (
            name, rt, tx, format(int(nbytes), ","), int(nbytes) * 10 / 115200))


if __name__ == "__main__":
    main()
