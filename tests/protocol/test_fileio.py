"""File-I/O requests (gdbstub/rsp_fileio.c) with stock gdb: while gdb
waits in `continue`, the target opens a file on gdb's machine and writes
to it (the path event forwarding takes, docs/architecture.md).  The test
double's `monitor fwrite PATH N` does it at the next continue."""
import os
import re

from conftest import CODE, gdb_batch


def fwrite(target, path, n):
    out = gdb_batch(target, ["monitor fwrite %s %d" % (path, n),
                             "break *0x%x" % (CODE + 0x400), "continue",
                             "monitor fwrite", "p/x $rip"])
    m = re.search(r"fwrite: fd (-?\d+), (\d+) bytes written, last (-?\d+)",
                  out)
    assert m, out
    # The target ran on to the breakpoint: the requests were not stops.
    assert "hit Breakpoint 1" in out and "= 0x%x" % (CODE + 0x400) in out
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), out


def test_thousand_lines_reach_the_file_in_order(target, tmp_path):
    path = tmp_path / "spool"
    fd, written, last, out = fwrite(target, path, 1000)
    assert fd >= 3 and written == 16000 and last == 640
    assert path.read_text().splitlines() == \
        ["fio line %06d" % i for i in range(1000)]
    assert "fio line" not in out        # nothing on gdb's console


def test_open_failure_is_gdbs_errno(target, tmp_path):
    fd, written, _, _ = fwrite(target, tmp_path / "no" / "such", 5)
    assert fd == -2 and written == 0    # ENOENT


def test_gdb_refuses_a_fifo(target, tmp_path):
    """gdb opens only regular files (remote-fileio.c: ENODEV otherwise),
    which is why the package spools to a regular file, not a FIFO."""
    path = tmp_path / "fifo"
    os.mkfifo(path)
    fd, written, _, _ = fwrite(target, path, 5)
    assert fd == -19 and written == 0
