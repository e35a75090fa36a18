#!/usr/bin/python3
"""Bytes and round trips on the gdb link: hvgdb.ko in Bochs vs QEMU's gdbstub.

Boots the test image (build/vm-image/hvgdb.iso) twice, one after the other:
  hvgdb  - Bochs 2.7, 1 CPU, hvgdb.ko loaded with uart_port=0x3e8; gdb
           talks to the module over the emulated COM3 (tests/vm/vm relays
           it to 127.0.0.1:GDB_PORT);
  qemu   - QEMU TCG, 1 CPU, the same image and kernel, gdb talking to
           QEMU's built-in gdbstub (-gdb tcp:...).
In both, gdb 13 connects through a counting TCP relay in this script, so
every byte either way is counted exactly, framing and acks included.
Round trips = packets gdb sent ('$' frames gdb -> stub); stub packets =
'$' frames the other way.  The operations, in one gdb session:
  connect, `info registers`, `x/512xg _text`, `stepi`,
  `break *__x64_sys_getpid` + `continue` while /hvgdb/bin/vmx_getpid runs.
Addresses come from the guest's /proc/kallsyms of that boot.

usage: tests/bench/kmod_wire.py [--only hvgdb|qemu] [--packets]
  --packets  also print every packet gdb sent, per operation
Environment: HVGDB_VM_DIR_BASE (default build/vm-kwire) for the VM
directories.  A VM already running in one of them is reused and left up.
Exits non-zero when any measurement could not be taken.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VM = os.path.join(ROOT, "tests", "vm", "vm")
BASE = os.environ.get("HVGDB_VM_DIR_BASE",
                      os.path.join(ROOT, "build", "vm-kwire"))
OPS = ["connect (target remote to the prompt)",
       "info registers",
       "x/512xg _text",
       "stepi",
       "break *__x64_sys_getpid + continue to the prompt"]
GETPID_LOOP = "/hvgdb/bin/vmx_getpid 2000000000"

GDB_SCRIPT = r'''
import gdb, time
STATS = %(stats)r
MARK = %(mark)r
def stats():
    time.sleep(0.5)          # let the last ack pass the relay
    return [int(v) for v in open(STATS).read().split()]
def op(name, cmds):
    open(MARK, "w").write(name)
    a = stats()
    for c in cmds:
        gdb.execute(c, to_string=True)
    b = stats()
    d = [y - x for x, y in zip(a, b)]
    print("WIRE|%%s|%%d|%%d|%%d|%%d" %% (name, d[0], d[1], d[2], d[3]))
gdb.execute("set architecture i386:x86-64", to_string=True)
gdb.execute("set remotetimeout 120", to_string=True)
ops = %(ops)r
op(ops[0], ["target remote %(addr)s"])
op(ops[1], ["info registers"])
op(ops[2], ["x/512xg %(data)#x"])
op(ops[3], ["stepi"])
op(ops[4], ["break *%(bp)#x", "continue"])
open(MARK, "w").write("teardown")
gdb.execute("delete", to_string=True)
gdb.execute("detach", to_string=True)
print("WIRE-DONE")
'''


class Relay(threading.Thread):
    """Forwards one gdb connection to the stub and counts what passes.

    Counters (gdb->stub bytes, stub->gdb bytes, gdb packets, stub packets)
    are rewritten to a file after every chunk so the gdb script can take
    differences around each operation.  RSP escapes '$' inside packets
    (E.1 "Overview": '}' escapes '#', '$', '}' and '*'), so a '$' on the
    wire always starts a packet.
    """

    def __init__(self, upstream, stats, mark):
        super().__init__(daemon=True)
        self.upstream, self.stats, self.mark = upstream, stats, mark
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(1)
        self.port = self.ls.getsockname()[1]
        self.lock = threading.Lock()
        self.n = [0, 0, 0, 0]
        self.sent = []          # (operation, packet) for every gdb packet
        self.save()

    def save(self):
        tmp = self.stats + ".tmp"
        with open(tmp, "w") as f:
            f.write(" ".join(map(str, self.n)))
        os.replace(tmp, self.stats)

    def pump(self, src, dst, up):
        buf = b""
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return
            with self.lock:
                self.n[0 if up else 1] += len(data)
                self.n[2 if up else 3] += data.count(b"$")
                if up:
                    buf += data
                    while b"$" in buf and b"#" in buf[buf.index(b"$"):]:
                        s = buf.index(b"$")
                        e = buf.index(b"#", s)
                        try:
                            op = open(self.mark).read()
                        except OSError:
                            op = "?"
                        self.sent.append((op, buf[s + 1:e]))
                        buf = buf[e + 3:]
                self.save()
            dst.sendall(data)

    def run(self):
        g, _ = self.ls.accept()
        t = socket.create_connection(("127.0.0.1", self.upstream))
        for s in (g, t):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=self.pump, args=(t, g, False),
                         daemon=True).start()
        self.pump(g, t, True)


def vm(vmdir, *args, timeout=600, env=None, check=True):
    e = dict(os.environ, HVGDB_VM_DIR=vmdir, **(env or {}))
    r = subprocess.run([VM, *args], env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    if check and r.returncode:
        raise RuntimeError("vm %s: rc %d: %s%s" % (
            " ".join(args), r.returncode, r.stdout, r.stderr))
    return r.stdout


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_vm(kind, vmdir, tmp):
    """Boots the VM unless one is up in vmdir; returns (port, started)."""
    st = subprocess.run([VM, "status"], env=dict(os.environ,
                        HVGDB_VM_DIR=vmdir), stdout=subprocess.PIPE,
                        text=True)
    if st.returncode == 0:
        m = re.search(r"GDB_PORT=(\d+)", st.stdout)
        if kind == "hvgdb" and "backend=bochs" in st.stdout:
            return int(m.group(1)), False
        m = re.search(r"QEMU_GDB_PORT=(\d+)",
                      open(os.path.join(vmdir, "qemu-gdb-port")).read()) \
            if os.path.exists(os.path.join(vmdir, "qemu-gdb-port")) else None
        if kind == "qemu" and "backend=qemu" in st.stdout and m:
            return int(m.group(1)), False
        raise RuntimeError("%s: a different VM runs in %s" % (kind, vmdir))
    if kind == "hvgdb":
        out = vm(vmdir, "start", "--cpus", "1", "--no-load", "--no-build",
                 "--backend", "bochs", timeout=900)
        return int(re.search(r"GDB_PORT=(\d+)", out).group(1)), True
    # QEMU: tests/vm/vm starts qemu-system-x86_64 from PATH with the options
    # the image needs (TCG here: no nested VMX); a wrapper first on PATH adds
    # the built-in gdbstub on a port of ours.
    port = free_port()
    shim = os.path.join(tmp, "shim")
    os.makedirs(shim, exist_ok=True)
    real = "/usr/bin/qemu-system-x86_64"
    with open(os.path.join(shim, "qemu-system-x86_64"), "w") as f:
        f.write('#!/bin/sh\nexec %s "$@" -gdb tcp:127.0.0.1:%d\n'
                % (real, port))
    os.chmod(os.path.join(shim, "qemu-system-x86_64"), 0o755)
    os.makedirs(vmdir, exist_ok=True)
    with open(os.path.join(vmdir, "qemu-gdb-port"), "w") as f:
        f.write("QEMU_GDB_PORT=%d\n" % port)
    vm(vmdir, "start", "--cpus", "1", "--no-load", "--no-build",
       "--backend", "qemu", timeout=600,
       env={"PATH": shim + ":" + os.environ["PATH"]})
    return port, True


def ksym(vmdir, name):
    out = vm(vmdir, "exec", "--timeout", "120",
             "grep ' %s$' /proc/kallsyms" % name)
    addr = int(out.split()[0], 16)
    if not addr:
        raise RuntimeError("kallsyms hides %s" % name)
    return addr


def measure(kind, vmdir, tmp, show_packets):
    port, started = start_vm(kind, vmdir, tmp)
    try:
        if kind == "hvgdb":
            lsmod = vm(vmdir, "exec", "--timeout", "60", "lsmod")
            if not re.search(r"^hvgdb\b", lsmod, re.M):
                vm(vmdir, "exec", "--timeout", "300",
                   "insmod /hvgdb/hvgdb.ko uart_port=0x3e8")
        text, getpid = ksym(vmdir, "_text"), ksym(vmdir, "__x64_sys_getpid")
        vm(vmdir, "exec", "--timeout", "60",
           "(%s >/dev/null 2>&1 &)" % GETPID_LOOP)
        stats = os.path.join(tmp, kind + ".stats")
        mark = os.path.join(tmp, kind + ".mark")
        relay = Relay(port, stats, mark)
        relay.start()
        script = os.path.join(tmp, kind + ".py")
        with open(script, "w") as f:
            f.write(GDB_SCRIPT % {"stats": stats, "mark": mark, "ops": OPS,
                                  "data": text, "bp": getpid,
                                  "addr": "127.0.0.1:%d" % relay.port})
        try:
            gdb = subprocess.run(["gdb", "-nx", "-batch", "-x", script],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True,
                                 timeout=1800)
            out = gdb.stdout
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode(errors="replace") + "\n(timeout)"
        rows = [l.split("|")[1:] for l in out.splitlines()
                if l.startswith("WIRE|")]
        if len(rows) != len(OPS) or "WIRE-DONE" not in out:
            sys.stdout.write(out)
            raise RuntimeError("%s: gdb did not run every operation" % kind)
        vm(vmdir, "exec", "--timeout", "120",
           "kill $(pidof vmx_getpid) 2>/dev/null; true", check=False)
        if show_packets:
            print("--- %s: packets gdb sent ---" % kind)
            per_op = {}
            for op, pkt in relay.sent:
                per_op[op] = per_op.get(op, 0) + 1
                if per_op[op] <= 24:
                    print("%-12.12s %5d  %s" % (
                        op, len(pkt), pkt[:70].decode(errors="replace")))
            for op, n in per_op.items():
                if n > 24:
                    print("%-12.12s (%d more)" % (op, n - 24))
            print("--- %s: bytes gdb->stub, stub->gdb, stub packets ---"
                  % kind)
            for r in rows:
                print("%-50.50s %7s %7s %5s" % (r[0], r[1], r[2], r[4]))
        return {r[0]: [int(x) for x in r[1:]] for r in rows}
    finally:
        if started:
            vm(vmdir, "stop", timeout=120, check=False)


def version(argv):
    try:
        return subprocess.run(argv + ["--version"], stdout=subprocess.PIPE,
                              text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "%s (version unknown)" % argv[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=("hvgdb", "qemu"))
    ap.add_argument("--packets", action="store_true")
    a = ap.parse_args()
    iso = os.path.join(ROOT, "build", "vm-image", "hvgdb.iso")
    if not os.path.exists(iso):
        sys.exit("kmod_wire: no %s (run make vm-image)" % iso)
    kinds = [a.only] if a.only else ["hvgdb", "qemu"]
    res, failed = {}, False
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            try:
                res[kind] = measure(kind, BASE + "-" + kind, tmp, a.packets)
            except Exception as e:      # report, then carry on
                print("kmod_wire: %s: %s" % (kind, e), file=sys.stderr)
                failed = True
    gdb = version(["gdb"])
    qemu = version(["/usr/bin/qemu-system-x86_64"])
    print("On the wire, %s; hvgdb.ko in Bochs 2.7 (COM3, acks on) vs %s "
          "gdbstub (TCG, TCP)." % (gdb, qemu))
    print("Round trips = packets gdb sent; bytes = both ways, framing and "
          "acks included.\n")
    print("| operation | hvgdb round trips | hvgdb bytes | QEMU round trips "
          "| QEMU bytes |")
    print("| --- | --- | --- | --- | --- |")
    worse = []
    for op in OPS:
        cells = []
        for kind in ("hvgdb", "qemu"):
            r = res.get(kind, {}).get(op)
            cells += ["-", "-"] if r is None else \
                [str(r[2]), format(r[0] + r[1], ",")]
        print("| %s | %s |" % (op, " | ".join(cells)))
        h, q = res.get("hvgdb", {}).get(op), res.get("qemu", {}).get(op)
        if h and q and (h[2] > q[2] or h[0] + h[1] > q[0] + q[1]):
            worse.append(op)
    for op in worse:
        print("hvgdb is worse than QEMU on: %s" % op)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
