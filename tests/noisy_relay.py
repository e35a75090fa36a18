#!/usr/bin/env python3
"""A fault-injecting TCP relay for the gdb link: what a bad serial cable or
USB-serial adapter does to the bytes between gdb and the stub.

    tests/noisy_relay.py --target 127.0.0.1:GDB_PORT [--listen PORT]
        [--seed N] [--drop P] [--flip P] [--dup P] [--burst P]
        [--delay P] [--burst-max N] [--delay-max-ms MS] [--dirs both|up|down]

gdb connects to the relay (`target remote 127.0.0.1:PORT`); the relay
connects to the target and forwards both ways.  Each forwarded byte, in a
direction that is noisy (`up`: gdb to stub, `down`: stub to gdb), may be

- dropped (probability --drop),
- flipped in one random bit (--flip),
- sent twice (--dup),
- followed by a burst of 1..--burst-max random bytes (--burst),
- and each chunk read may be held back 1..--delay-max-ms ms (--delay,
  per byte too, so a long packet is more likely to stall);

the first --after UP DOWN bytes of each direction pass intact (a session whose
handshake, target.xml and all, got through, to put the faults on the
commands).

The faults come from random.Random(seed + direction): the same seed and
the same byte stream give the same faults.  One client at a time; a new
client replaces the old one (as the VM tool's own relay does).  Counters
of what was done are in Relay.stats (and printed on SIGTERM/exit by the
command line form).
"""
import argparse
import queue
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time

FAULTS = ("drop", "flip", "dup", "burst", "delay")


class Rates:
    """Per-byte probabilities of each fault."""

    def __init__(self, drop=0.0, flip=0.0, dup=0.0, burst=0.0, delay=0.0,
                 burst_max=16, delay_max_ms=200):
        self.drop, self.flip, self.dup = drop, flip, dup
        self.burst, self.delay = burst, delay
        self.burst_max, self.delay_max_ms = burst_max, delay_max_ms

    def __repr__(self):
        return ("drop={0.drop:g} flip={0.flip:g} dup={0.dup:g} "
                "burst={0.burst:g}x{0.burst_max} delay={0.delay:g}"
                "x{0.delay_max_ms}ms".format(self))


class Mangler:
    """The faults of one direction: a pure function of its seed and the
    bytes it was given (so a unit test can check rates and determinism)."""

    def __init__(self, rates, seed, after=0):
        self.rates = rates
        self.after = after      # bytes passed intact before any fault
        self.rng = random.Random(seed)
        self.stats = dict.fromkeys(FAULTS + ("bytes_in", "bytes_out"), 0)

    def mangle(self, data):
        """(bytes to send, seconds to wait before sending them)."""
        r, rng, st = self.rates, self.rng, self.stats
        out = bytearray()
        wait = 0.0
        for b in data:
            st["bytes_in"] += 1
            if st["bytes_in"] <= self.after:
                out.append(b)
                continue
            if r.delay and rng.random() < r.delay:
                st["delay"] += 1
                wait += rng.uniform(1, r.delay_max_ms) / 1000
            if r.drop and rng.random() < r.drop:
                st["drop"] += 1
                continue
            if r.flip and rng.random() < r.flip:
                st["flip"] += 1
                b ^= 1 << rng.randrange(8)
            out.append(b)
            if r.dup and rng.random() < r.dup:
                st["dup"] += 1
                out.append(b)
            if r.burst and rng.random() < r.burst:
                st["burst"] += 1
                out += bytes(rng.randrange(256)
                             for _ in range(rng.randint(1, r.burst_max)))
        st["bytes_out"] += len(out)
        return bytes(out), wait


class Relay:
    """Listens on 127.0.0.1:port (0: any free port, see .port) and relays
    each client to target through two Manglers, in a daemon thread."""

    def __init__(self, target, rates, seed=1, dirs="both", port=0,
                 after=(0, 0)):
        self.target = target
        self.up = Mangler(rates if dirs in ("both", "up") else Rates(),
                          seed * 2, after[0])
        self.down = Mangler(rates if dirs in ("both", "down") else Rates(),
                            seed * 2 + 1, after[1])
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", port))
        self.lsock.listen(4)
        self.port = self.lsock.getsockname()[1]
        self.clients = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def stats(self):
        return {"up": dict(self.up.stats), "down": dict(self.down.stats),
                "clients": self.clients}

    def close(self):
        self._stop = True
        self.lsock.close()
        self.thread.join(5)

    def _serve(self):
        client = upstream = None
        while not self._stop:
            socks = [self.lsock] + [s for s in (client, upstream) if s]
            try:
                r, _, _ = select.select(socks, [], [], 0.2)
            except (OSError, ValueError):
                break
            if self.lsock in r:
                try:
                    c, _ = self.lsock.accept()
                except OSError:
                    break
                for s in (client, upstream):
                    if s:
                        s.close()
                client = c
                upstream = socket.create_connection(self.target)
                for s in (client, upstream):
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.clients += 1
                continue
            for src, dst, m in ((client, upstream, self.up),
                                (upstream, client, self.down)):
                if not src or src not in r:
                    continue
                try:
                    data = src.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    client.close()
                    upstream.close()
                    client = upstream = None
                    break
                out, wait = m.mangle(data)
                if wait:
                    time.sleep(wait)
                try:
                    if out:
                        dst.sendall(out)
                except OSError:
                    client.close()
                    upstream.close()
                    client = upstream = None
                    break
        for s in (client, upstream):
            if s:
                s.close()


def run_gdb(argv, timeout=600, stall=30):
    """Runs gdb (batch) as a user at a noisy line would: when gdb has
    printed nothing for `stall` seconds it gets a Ctrl-C (SIGINT; gdb sends
    the stub 0x03).  gdb's "Ignoring packet error, continuing..." is no
    progress: gdb prints it on each round of waiting for a stop reply.  Returns (output, number of Ctrl-Cs, hung): hung when
    gdb was still running after `timeout` seconds (then killed)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         text=True, errors="replace")
    lines = queue.Queue()

    def read():
        for line in p.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    out, ints, end = [], 0, time.time() + timeout
    last = time.time()
    while True:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if time.time() > end:
                p.kill()
                p.wait()
                return "".join(out), ints, True
            if time.time() - last > stall:
                p.send_signal(signal.SIGINT)
                ints += 1
                last = time.time()
            continue
        if line is None:
            p.wait()
            return "".join(out), ints, False
        out.append(line)
        if not line.startswith("Ignoring packet error"):
            last = time.time()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", required=True, help="HOST:PORT")
    ap.add_argument("--listen", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dirs", choices=("both", "up", "down"), default="both")
    for f in FAULTS:
        ap.add_argument(f"--{f}", type=float, default=0.0,
                        help=f"probability per byte of a {f}")
    ap.add_argument("--burst-max", type=int, default=16)
    ap.add_argument("--delay-max-ms", type=float, default=200)
    ap.add_argument("--after", type=int, nargs=2, default=(0, 0),
                    metavar=("UP", "DOWN"),
                    help="bytes gdb->stub and stub->gdb passed intact first")
    a = ap.parse_args()
    host, port = a.target.rsplit(":", 1)
    rates = Rates(a.drop, a.flip, a.dup, a.burst, a.delay, a.burst_max,
                  a.delay_max_ms)
    relay = Relay((host, int(port)), rates, a.seed, a.dirs, a.listen,
                  tuple(a.after))
    print(f"PORT={relay.port} {rates!r} seed={a.seed}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        print(relay.stats, file=sys.stderr)


if __name__ == "__main__":
    main()
