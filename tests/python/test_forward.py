"""hvgdb.forward in plain Python: `hv output` arguments, the module's
records, and their routing to files and TCP listeners, with the lines of
closed, broken and unknown outputs counted, and the callbacks' view."""
import socket
import threading

import pytest

import hvgdb_testlib  # noqa: F401  (puts gdb-python/ on sys.path)
from hvgdb import forward as F


@pytest.mark.parametrize("args,want", [
    ("", ("list", None, None, None)),
    ("create log file /tmp/a b.txt", ("create", "log", "file",
                                      "/tmp/a b.txt")),
    ("CREATE n_2 TCP 127.0.0.1:9000", ("create", "n_2", "tcp",
                                      ("127.0.0.1", 9000))),
    ("create v6 tcp [::1]:80", ("create", "v6", "tcp", ("::1", 80))),
    ("open log", ("open", "log", None, None)),
    ("close log", ("close", "log", None, None)),
])
def test_parse_command(args, want):
    assert F.parse_command(args) == want


@pytest.mark.parametrize("args,msg", [
    ("create log", "usage: hv output create NAME file PATH | tcp "
     "HOST:PORT"),
    ("create log pipe x", "expected 'file' or 'tcp' after the name, got "
     "'pipe'"),
    ("create log namedpipe x", "namedpipe outputs are Windows' (a named "
     "pipe, a DLL): hvgdb has file and tcp"),
    ("create log tcp host", "expected HOST:PORT (a port 1-65535) for tcp, "
     "got 'host'"),
    ("create log tcp h:0", "expected HOST:PORT (a port 1-65535) for tcp, "
     "got 'h:0'"),
    ("create log tcp h:1 x", "expected HOST:PORT after tcp, got 'h:1 x'"),
    ("create a-b file x", "output names are 1 to 32 letters, digits and "
     "'_': 'a-b'"),
    ("create " + "x" * 33 + " file x", "output names are 1 to 32"),
    ("open", "usage: hv output open NAME"),
    ("close a b", "usage: hv output close NAME"),
    ("list", "expected create, open or close after 'output', got 'list'"),
])
def test_parse_command_errors(args, msg):
    with pytest.raises(F.OutputError) as e:
        F.parse_command(args)
    assert str(e.value).startswith(msg)


def test_parse_record():
    assert F.parse_record(b"0x1f log hit 1") == (0x1f, "log", "hit 1")
    assert F.parse_record(b"0x0 - ") == (0, None, "")
    assert F.parse_record(b"0x2 a  two  blanks ") == (2, "a",
                                                      " two  blanks ")
    for bad in (b"", b"hvgdb: lost", b"0xg a b", b"12 a b", b"0x1 a"):
        assert F.parse_record(bad) is None


def records(n, eid, name, tag):
    return b"".join(b"0x%x %s %s line %d\n" % (eid, name, tag, i)
                    for i in range(n))


class Listener:
    """A TCP listener that keeps what it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.data = b""
        self.conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.conn, _ = self.sock.accept()
        while True:
            b = self.conn.recv(65536)
            if not b:
                return
            self.data += b

    def close(self):
        self.thread.join(5)
        self.sock.close()


def test_routing_file_tcp_and_console(tmp_path):
    seen = []
    r = F.Router(notify=seen.extend)
    lst = Listener()
    r.create("a", "file", str(tmp_path / "a.txt"))
    r.create("b", "tcp", ("127.0.0.1", lst.port))
    r.open("a")
    r.open("b")
    data = records(1000, 1, b"a", b"A") + records(1000, 2, b"b", b"B") + \
        records(5, 3, b"-", b"C")
    # Any cut of the stream: records split across reads.
    for i in range(0, len(data), 777):
        r.feed(data[i:i + 777])
    assert "a: file %s, open, 1000 lines delivered" % (tmp_path / "a.txt") \
        == r.sources["a"].summary()
    r.close("b")
    lst.close()
    r.close("a")
    assert (tmp_path / "a.txt").read_bytes() == b"".join(
        b"A line %d\n" % i for i in range(1000))
    assert lst.data == b"".join(b"B line %d\n" % i for i in range(1000))
    assert len(seen) == 2005 and seen[0] == (1, "A line 0") and \
        seen[-1] == (3, "C line 4")
    assert r.unknown == 0 and r.garbled == 0 and r.records == 2005


def test_closed_created_and_unknown_lines_are_counted(tmp_path):
    r = F.Router()
    r.create("a", "file", str(tmp_path / "a.txt"))
    r.feed(records(3, 1, b"a", b"x"))               # created, not open
    assert r.notices == ["hvgdb: output a is created: its lines are "
                         "counted, not delivered (hv output)\n"]
    r.open("a")
    r.feed(records(2, 1, b"a", b"y"))
    assert r.close("a") == "a: file %s, closed, 2 lines delivered, 3 lines " \
        "not delivered (arrived while not open)" % (tmp_path / "a.txt")
    r.feed(records(4, 1, b"a", b"z") + records(6, 9, b"other", b"q") +
           b"garbage\n")
    assert r.sources["a"].undelivered == 7
    assert r.unknown == 6 and r.garbled == 1
    with pytest.raises(F.OutputError, match="closed and cannot be opened "
                       "again: create a new one"):
        r.open("a")
    with pytest.raises(F.OutputError, match="closed already"):
        r.close("a")
    with pytest.raises(F.OutputError, match="exists already"):
        r.create("a", "file", "x")
    with pytest.raises(F.OutputError, match="no output named nope"):
        r.open("nope")


def test_open_failures_give_the_reason(tmp_path):
    r = F.Router()
    r.create("f", "file", str(tmp_path / "no" / "such"))
    with pytest.raises(F.OutputError) as e:
        r.open("f")
    assert str(e.value) == "output f: cannot open file %s: No such file " \
        "or directory" % (tmp_path / "no" / "such")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                       # nothing listens
    r.create("t", "tcp", ("127.0.0.1", port))
    with pytest.raises(F.OutputError) as e:
        r.open("t")
    assert str(e.value) == "output t: cannot open tcp 127.0.0.1:%d: " \
        "Connection refused" % port
    assert r.sources["t"].state == "created"        # may be tried again
    for i in range(F.SOURCES_MAX - 2):
        r.create("n%d" % i, "file", "x")
    with pytest.raises(F.OutputError, match="no room"):
        r.create("more", "file", "x")


def test_broken_connection_is_counted(tmp_path):
    r = F.Router()
    lst = Listener()
    r.create("b", "tcp", ("127.0.0.1", lst.port))
    r.open("b")
    r.feed(records(1, 1, b"b", b"x"))
    lst.thread.join(0.2)
    lst.conn.shutdown(socket.SHUT_RDWR)
    lst.conn.close()
    lst.sock.close()
    # The peer is gone: a write fails sooner or later (RST), and every
    # line from then on is counted.
    for _ in range(50):
        r.feed(records(100, 1, b"b", b"y"))
        if r.sources["b"].state == "broken":
            break
    src = r.sources["b"]
    assert src.state == "broken" and src.error
    assert src.delivered + src.undelivered == 1 + 100 * (_ + 1)
    assert "broke" in r.notices[-1]
    assert "broken: " in src.summary()
