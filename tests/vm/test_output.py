"""Event forwarding (issue 15): `hv output create|open|close`, events with
`output {NAME}` and hvgdb.on_output(), in stock gdb with the package
loaded against hvgdb.ko in the 1-CPU VM.  Two events forward 1,000
batched lines each, one to a file and one to a TCP listener here; a third
event without output {} keeps its lines on gdb's console.  What arrived
is compared with what the guest executed: every line, in order, at its
own output only.  Opening a bad path or a closed port fails with the
reason."""
import re
import socket
import threading
import time

from hvvm import REPO, gdb_server, gdb_start, check_gdb_output, mark, \
    sections

BIN = "/hvgdb/bin/ev_trigger"
N = 1000


class Listener:
    """A TCP listener on this machine (where gdb runs) that keeps what one
    connection sends."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(400)
        self.port = self.sock.getsockname()[1]
        self.data = b""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        conn.settimeout(400)
        while True:
            b = conn.recv(1 << 16)
            if not b:
                break
            self.data += b
        conn.close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_forwarding_to_file_and_tcp(vm1, tmp_path):
    vm = vm1
    lst = Listener()
    fa = tmp_path / "fa.txt"
    bad = tmp_path / "no" / "such" / "file"
    dead = closed_port()
    # The guest's side, started now and waiting for /tmp/go: 1,000 CPUID
    # 0x4721 (forwarded to the file), 1,000 of 0x4722 (to TCP), 20 of
    # 0x4723 (console), then one 0x4724, which breaks.
    vm.sh("rm -f /tmp/go")
    vm.sh(f"({BIN} --wait /tmp/go cpuid 0x4721 {N}; {BIN} cpuid 0x4722 {N}; "
          f"{BIN} cpuid 0x4723 20; {BIN} cpuid 0x4724 1) > /tmp/out.log "
          "2>&1 &")
    with gdb_server(vm):
        g = gdb_start(
            vm,
            f"python import sys; sys.path.insert(0, '{REPO}/gdb-python')",
            "python import hvgdb",
            "python got = []",
            "python hvgdb.on_output(lambda i, t: got.append((i, t)))",
            mark("create"),
            f"hv output create fa file {fa}",
            f"hv output create tb tcp 127.0.0.1:{lst.port}",
            f"hv output create bad file {bad}",
            f"hv output create dead tcp 127.0.0.1:{dead}",
            mark("open"),
            "hv output open fa", "hv output open tb",
            mark("bad"), "hv output open bad",
            mark("dead"), "hv output open dead",
            mark("nope"), "hv !cpuid 4725 output {nope}",
            mark("events"),
            "hv !cpuid 4721 imm no output {fa} script "
            '{ printf("fa %d\\n", .fa); .fa = .fa + 1; }',
            "hv !cpuid 4722 imm no output {tb} script "
            '{ printf("tb %d\\n", .tb); .tb = .tb + 1; }',
            "hv !cpuid 4723 imm no script "
            '{ printf("console %d\\n", .co); .co = .co + 1; }',
            "hv !cpuid 4724",
            mark("run"), "continue",
            mark("after"),
            "python hvgdb.output.sync()",
            "python import collections",
            "python print('GOT', sorted(collections.Counter("
            "i for i, t in got).items()))",
            "python print('ORDER', [t for i, t in got][:2], "
            "[t for i, t in got][-2:])",
            mark("list"), "hv output",
            mark("close"), "hv output close fa", "hv output close tb",
            "monitor events c all",
            mark("end"))
        time.sleep(5)
        vm.sh("touch /tmp/go")
        out, _ = g.communicate(timeout=600)
    check_gdb_output(out)
    lst.thread.join(30)
    s = sections(out)
    # Opening fails with the reason; the event naming no output is
    # refused and not added.
    assert f"output bad: cannot open file {bad}: No such file or " \
        "directory" in s["bad"], out
    assert f"output dead: cannot open tcp 127.0.0.1:{dead}: Connection " \
        "refused" in s["dead"], out
    assert "no output source named 'nope'" in s["nope"], out
    ids = [int(x, 16) for x in
           re.findall(r"^event (0x[0-9a-f]+) enabled:", s["events"], re.M)]
    assert len(ids) == 4, out
    # The stop the break event made: the guest ran everything before.
    assert "received signal SIGTRAP" in s["run"], out
    # Every line, in order, at its own output only.
    assert fa.read_text().splitlines() == ["fa %d" % i for i in range(N)]
    assert lst.data.decode().splitlines() == ["tb %d" % i for i in range(N)]
    assert "console" not in fa.read_text() + lst.data.decode()
    # The console event's lines on gdb's console; none of the others.
    assert sorted(re.findall(r"^console (\d+)$", s["run"], re.M),
                  key=int) == [str(i) for i in range(20)], out
    assert not re.search(r"^(fa|tb) \d+$", out, re.M), out
    # on_output saw every line with its event's id.
    assert f"GOT [({ids[0]}, {N}), ({ids[1]}, {N}), ({ids[2]}, 20)]" \
        in s["after"], out
    assert "ORDER ['fa 0', 'fa 1']" in s["after"], out
    # Counts: everything delivered, nothing lost in the module.
    assert f"fa: file {fa}, open, {N} lines delivered" in s["list"], out
    assert f"tb: tcp 127.0.0.1:{lst.port}, open, {N} lines delivered" \
        in s["list"], out
    assert re.search(r"module: \d+ lines forwarded, 0 lost \(buffer full\), "
                     r"0 not written", s["list"]), out
    assert "closed" in s["close"], out
