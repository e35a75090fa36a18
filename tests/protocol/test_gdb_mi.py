"""gdb/MI as an IDE drives it (VS Code cppdbg, CLion), and lldb's
gdb-remote client, against the engine."""
import queue
import re
import subprocess
import threading
import time

from conftest import CODE, DATA


class Mi:
    def __init__(self):
        self.p = subprocess.Popen(
            ["gdb", "-nx", "--interpreter=mi2"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace", bufsize=1)
        self.q = queue.Queue()
        self.log = []
        threading.Thread(target=self._reader, daemon=True).start()
        self.token = 100

    def _reader(self):
        for line in self.p.stdout:
            self.q.put(line.rstrip("\n"))
        self.q.put(None)

    def wait_for(self, pattern, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            try:
                line = self.q.get(timeout=max(0.05, end - time.time()))
            except queue.Empty:
                break
            if line is None:
                break
            self.log.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError("no %r in MI output:\n%s" %
                             (pattern, "\n".join(self.log[-40:])))

    def cmd(self, c, expect=r"\^(done|connected|running)"):
        self.token += 1
        self.p.stdin.write("%d%s\n" % (self.token, c))
        self.p.stdin.flush()
        return self.wait_for(r"^%d(%s|\^error)" % (self.token, expect))

    def close(self):
        try:
            self.p.stdin.write("-gdb-exit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=10)
        except Exception:
            pass
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=10)


def test_mi_session_like_an_ide(target):
    mi = Mi()
    try:
        mi.wait_for(r"^\(gdb\)")
        mi.cmd("-gdb-set architecture i386:x86-64")
        # IDEs turn this on so -exec-interrupt works while running.
        mi.cmd("-gdb-set mi-async on")
        mi.cmd("-gdb-set debug remote 1")
        r = mi.cmd("-target-select remote " + target.addr)
        assert "^connected" in r
        # The first stop arrives before ^connected.
        assert any(line.startswith("*stopped") and 'thread-id="1"' in line
                   for line in mi.log)
        r = mi.cmd("-thread-info")
        assert 'name="CPU 1: bash [412]"' in r
        assert 'name="CPU 2: kworker/1:0 <&>"' in r
        assert 'current-thread-id="1"' in r
        r = mi.cmd("-data-write-memory-bytes %#x 0102030405060708" % DATA)
        assert "^done" in r
        r = mi.cmd("-data-read-memory-bytes %#x 8" % DATA)
        assert 'contents="0102030405060708"' in r
        r = mi.cmd("-data-read-memory-bytes 0x10 8")
        assert "^error" in r and "Unable to read memory" in r
        r = mi.cmd("-data-list-register-names")
        assert '"cr3"' in r and '"dr7"' in r and '"xmm15"' in r
        r = mi.cmd("-data-evaluate-expression $cr3")
        assert 'value="1089536"' in r
        r = mi.cmd("-exec-continue", expect=r"\^running")
        mi.wait_for(r"^\*running")
        time.sleep(0.5)
        r = mi.cmd("-exec-interrupt")
        assert "^done" in r
        r = mi.wait_for(r"^\*stopped")
        assert 'signal-name="SIGINT"' in r and 'thread-id="1"' in r
        r = mi.cmd("-break-insert *%#x" % (CODE + 0x100))
        assert "^done" in r
        mi.cmd("-exec-continue", expect=r"\^running")
        r = mi.wait_for(r"^\*stopped")
        assert 'reason="breakpoint-hit"' in r
        assert 'addr="0xffffffff81000100"' in r
        r = mi.cmd("-exec-next-instruction", expect=r"\^running")
        r = mi.wait_for(r"^\*stopped")
        assert 'addr="0xffffffff81000104"' in r
        r = mi.cmd("-target-detach")
        assert "^done" in r
        log = "\n".join(mi.log)
        assert "Sending packet: $vCont;c" in log
        assert "Packet instead of Ack" not in log
    finally:
        mi.close()


def test_lldb_gdb_remote(target):
    out = subprocess.run(
        ["lldb", "--batch", "-o", "gdb-remote " + target.addr,
         "-o", "register read rip rsp cr3",
         "-o", "register write rax 0x4242",
         "-o", "register read rax",
         "-o", "memory write %#x 0x11 0x22 0x33 0x44" % DATA,
         "-o", "memory read --size 1 --count 4 %#x" % DATA,
         "-o", "thread list",
         "-o", "thread step-inst",
         "-o", "register read rip",
         "-o", "process detach"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        errors="replace", timeout=90, stdin=subprocess.DEVNULL).stdout
    assert re.search(r"rip = 0xffffffff81000000", out), out
    assert re.search(r"cr3 = 0x000000000010a000", out), out
    assert re.search(r"rax = 0x0000000000004242", out), out
    assert re.search(r"0xffff888000100000: 11 22 33 44", out), out
    assert "thread #2" in out
    assert re.search(r"rip = 0xffffffff81000004", out), out
