"""`hv output` and hvgdb.on_output() in stock gdb against the test double,
which answers `.output` as hvgdb.ko does and, with `monitor emit ID NAME
N`, forwards N records per event through gdb's File-I/O at the next
continue (tests/protocol/harness/rsp_testtarget.c).  The spool, its
reader thread, the routing to a file and a TCP listener, the callbacks in
gdb's main thread, the counts, and the refusals with their reasons."""
import re
import socket
import threading

from hvgdb_testlib import hv_gdb, proto


def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    sock.settimeout(60)
    got = []

    def run():
        conn, _ = sock.accept()
        while True:
            b = conn.recv(1 << 16)
            if not b:
                break
            got.append(b)
        conn.close()
        sock.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return sock.getsockname()[1], t, got


def test_forwarded_lines_reach_their_outputs(target, tmp_path):
    port, thread, got = listener()
    fa = tmp_path / "fa.txt"
    out = hv_gdb(target, [
        "python import threading",
        "python got = []",
        "python hvgdb.on_output(lambda i, t: got.append((i, t, "
        "threading.current_thread() is threading.main_thread())))",
        "hv output create fa file %s" % fa,
        "hv output create tb tcp 127.0.0.1:%d" % port,
        "hv output open fa", "hv output open tb",
        "monitor emit 5 fa 500", "monitor emit 6 tb 500",
        "monitor emit 7 - 10",
        "break *0x%x" % (proto.CODE + 0x400), "continue",
        "python hvgdb.output.sync()",
        "python print('GOT', [(i, [t for j, t, m in got if j == i] == "
        "['line %d' % k for k in range(500 if i < 7 else 10)]) "
        "for i in sorted(set(j for j, t, m in got))], len(got), "
        "all(m for i, t, m in got))",
        "echo @@list\\n", "hv output",
        "echo @@close\\n", "hv output close fa", "hv output close tb",
        "hv output open fa"])
    thread.join(30)
    assert fa.read_text().splitlines() == ["line %d" % i for i in range(500)]
    assert b"".join(got).decode().splitlines() == \
        ["line %d" % i for i in range(500)]
    # Nothing forwarded reached gdb's console.
    assert not re.search(r"^line \d+$", out, re.M), out
    # Each event's lines in order, each with its id, in gdb's main thread.
    assert "GOT [(5, True), (6, True), (7, True)] 1010 True" in out, out
    lst, close = out.split("@@list")[1].split("@@close")
    assert "fa: file %s, open, 500 lines delivered" % fa in lst, out
    assert "tb: tcp 127.0.0.1:%d, open, 500 lines delivered" % port in lst
    assert "module: 0 lines forwarded, 0 lost (buffer full), 0 not " \
        "written" in lst, out
    assert "output fa: file %s, closed, 500 lines delivered" % fa in close
    assert "output fa was closed and cannot be opened again: create a new " \
        "one" in close, out


def test_refusals_name_the_reason(target, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()
    bad = tmp_path / "no" / "file"
    out = hv_gdb(target, [
        "hv output create bad file %s" % bad, "hv output open bad",
        "hv output create dead tcp 127.0.0.1:%d" % dead,
        "hv output open dead",
        "hv output create x pipe y", "hv output open nope",
        "hv output"])
    assert "output bad: cannot open file %s: No such file or directory" \
        % bad in out, out
    assert "output dead: cannot open tcp 127.0.0.1:%d: Connection refused" \
        % dead in out, out
    assert "expected 'file' or 'tcp' after the name, got 'pipe'" in out
    assert "no output named nope" in out, out
    assert "bad: file %s, created, 0 lines delivered" % bad in out, out
    assert "Traceback" not in out, out
