"""Stock gdb in batch mode against the engine (over the TCP test double).

What a user checks by hand: registers, memory, breakpoints, watchpoints,
stepping, threads, Ctrl-C, monitor output, detach/reconnect, and that
`set debug remote 1` never shows a protocol hiccup.
"""
import os
import re
import signal
import subprocess
import time

from conftest import CODE, CODE_SIZE, DATA, RVAR, WVAR, gdb_batch

GPRS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"] + \
    ["r%d" % i for i in range(8, 16)]
SYSREGS = ["fs_base", "gs_base", "k_gs_base", "cr0", "cr2", "cr3", "cr4",
           "cr8", "efer", "dr0", "dr1", "dr2", "dr3", "dr6", "dr7"]
SEGS = ["cs", "ss", "ds", "es", "fs", "gs"]
X87 = ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"]


def values(out):
    """Maps "$N = V" lines to a list of V, in order."""
    return re.findall(r"^\$\d+ = (.*)$", out, re.M)


def test_info_registers_shows_every_register(target):
    out = gdb_batch(target, ["info registers", "info all-registers"])
    for r in GPRS + ["rip", "eflags"] + SEGS + SYSREGS:
        assert re.search(r"^%s\s+0x" % r, out, re.M), r
    for r in ["st%d" % i for i in range(8)] + X87 + \
            ["xmm%d" % i for i in range(16)] + ["mxcsr"]:
        assert re.search(r"^%s\s" % r, out, re.M), r
    assert re.search(r"^rip\s+0xffffffff81000000", out, re.M)
    assert re.search(r"^cr0\s+0x80050033\s+\[ PE MP ET NE WP AM PG \]", out,
                     re.M)
    assert re.search(r"^efer\s+0xd01\s+\[ SCE LME LMA NXE \]", out, re.M)
    assert re.search(r"^eflags\s+0x246\s+\[ PF ZF IF \]", out, re.M)


def test_print_named_registers(target):
    out = gdb_batch(target, ["p/x $cr3", "p/x $cr4", "p/x $fs_base",
                             "p/x $k_gs_base", "p/x $xmm3.v16_int8[0]",
                             "p/x $mxcsr", "p/x $fctrl", "p/x $dr6",
                             "p/x $cs"])
    assert values(out) == ["0x10a000", "0x3506f0", "0x7f0000001000",
                           "0x7f0000002000", "0x30", "0x1f80", "0x37f",
                           "0xffff0ff0", "0x10"]


def test_write_every_register(target):
    """Each register is written with a distinct value, gdb's cache is
    dropped, and the value read back from the stub must match."""
    names = GPRS + ["rip"] + SEGS + X87[:4] + SYSREGS
    cmds = []
    expect = []
    for i, r in enumerate(names):
        v = 0x1000 + i * 0x10 + 1
        # cr0/cr4/efer have 8-byte flags types: gdb only casts a
        # same-sized value to them, hence (long) for small literals.
        cmds.append("set $%s = (long)%#x" % (r, v))
        expect.append(v)
    cmds += ["set $eflags = 0x202", "set $mxcsr = 0x1f81",
             "set $st3 = 1.5",
             "set $xmm7.v2_int64[1] = 0x123456789", "maint flush register-cache"]
    cmds += ["p/x $%s" % r for r in names]
    cmds += ["p/x $eflags", "p/x $mxcsr", "p $st3",
             "p/x $xmm7.v2_int64[1]", "p/x $xmm7.v2_int64[0]"]
    out = gdb_batch(target, cmds)
    got = values(out)
    assert [int(v, 16) for v in got[:len(names)]] == expect
    assert got[len(names):] == ["0x202", "0x1f81", "1.5", "0x123456789",
                                "0x7070707070707070"]


def test_remote_registers_agree_with_xml(target):
    out = gdb_batch(target, ["maint print xml-tdesc",
                             "maint print remote-registers"])
    regs = re.findall(r'<reg name="(\w+)" bitsize="(\d+)"[^>]*regnum="(\d+)"',
                      out)
    assert len(regs) == 82
    offset = 0
    for name, bits, num in sorted(regs, key=lambda r: int(r[2])):
        m = re.search(r"^ %s\s+\d+\s+\d+\s+\d+\s+(\d+)\s+\S+\s+(\d+)\s+(\d+)$"
                      % name, out, re.M)
        assert m, name
        size, rmt, goff = (int(x) for x in m.groups())
        assert (size, rmt, goff) == (int(bits) // 8, int(num), offset), name
        offset += size
    assert offset == 712


def test_memory_read_write(target):
    out = gdb_batch(target, [
        "set {unsigned long}%#x = 0x1122334455667788" % DATA,
        "x/2xg %#x" % DATA,
        "x/4xb %#x" % CODE,
        "x/xg 0x1000",
        "p/x *(unsigned int *)%#x" % (DATA + 4),
    ])
    assert "0x1122334455667788\t0x0000000000000000" in out
    assert re.search(r"0xffffffff81000000:\s+0x0f\s+0x1f\s+0x40\s+0x00", out)
    assert "Cannot access memory at address 0x1000" in out
    assert values(out) == ["0x11223344"]


def test_large_binary_transfer(target, tmp_path):
    src = tmp_path / "in.bin"
    dst = tmp_path / "out.bin"
    # Every byte value, so '#', '$', '}' and '*' all need escaping.
    data = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(256 * 1024))
    src.write_bytes(data)
    out = gdb_batch(target, [
        "restore %s binary %#x" % (src, DATA),
        "dump binary memory %s %#x %#x" % (dst, DATA, DATA + len(data)),
    ], debug=True, timeout=120)
    assert dst.read_bytes() == data
    assert "Sending packet: $X" in out              # binary writes used
    # Reads come in large chunks, not 8 bytes at a time.
    reads = re.findall(r"Sending packet: \$m[0-9a-f]+,([0-9a-f]+)", out)
    assert reads and max(int(r, 16) for r in reads) >= 0x1000


def test_software_breakpoint(target):
    bp = CODE + 0x100
    out = gdb_batch(target, ["break *%#x" % bp, "continue", "p/x $pc",
                             "p $_thread", "continue", "p/x $pc",
                             "p $_thread"])
    assert out.count("Breakpoint 1, 0xffffffff81000100 in ?? ()") == 2
    # CPU 1 reaches it first; CPU 2 (starting at +0x1000) after wrapping.
    assert values(out) == ["0xffffffff81000100", "1",
                           "0xffffffff81000100", "2"]


def test_hardware_breakpoints_and_no_resources(target):
    out = gdb_batch(target, ["hbreak *%#x" % (CODE + 0x200), "continue",
                             "p/x $pc"])
    assert "Hardware assisted breakpoint 1" in out
    assert "Breakpoint 1, 0xffffffff81000200" in out
    assert values(out) == ["0xffffffff81000200"]
    cmds = ["hbreak *%#x" % (CODE + 0x100 * i) for i in range(1, 6)]
    out = gdb_batch(target, cmds + ["stepi"])
    assert "Could not insert hardware breakpoints" in out
    assert "too many hardware breakpoints/watchpoints" in out


def test_write_watchpoint(target):
    out = gdb_batch(target, ["watch *(long *)%#x" % WVAR, "continue",
                             "p/x $pc", "continue"], debug=True)
    assert "Hardware watchpoint 1: *(long *)0xffff888000101000" in out
    assert re.search(r"Old value = 0\s+New value = 1", out)
    assert re.search(r"Old value = 1\s+New value = 2", out)
    assert "watch:ffff888000101000;" in out
    assert values(out)[0] == "0xffffffff81000044"   # after the store


def test_read_and_access_watchpoints(target):
    out = gdb_batch(target, ["rwatch *(long *)%#x" % RVAR, "continue",
                             "p/x $pc"], debug=True)
    assert "Hardware read watchpoint 1: *(long *)0xffff888000102000" in out
    assert "rwatch:ffff888000102000;" in out
    assert "Value = 0" in out
    assert values(out) == ["0xffffffff81000084"]
    out = gdb_batch(target, ["awatch *(long *)%#x" % WVAR, "continue"],
                    debug=True)
    assert "Hardware access (read/write) watchpoint 1" in out
    assert "awatch:ffff888000101000;" in out


def test_stepi(target):
    out = gdb_batch(target, ["stepi", "p/x $pc", "stepi 3", "p/x $pc",
                             "x/i $pc"])
    assert values(out) == ["0xffffffff81000004", "0xffffffff81000010"]
    assert "nopl   0x0(%rax)" in out


def test_threads_list_and_switch(target):
    out = gdb_batch(target, ["info threads", "thread 2", "p/x $pc",
                             "p/x $cr3", "thread 1", "p/x $pc"])
    assert re.search(r'\* 1\s+Thread 1 "CPU 1: bash \[412\]"', out)
    assert re.search(r'  2\s+Thread 2 "CPU 2: kworker/1:0 <&>"', out)
    assert "Switching to thread 2" in out
    assert values(out) == ["0xffffffff81001000", "0x10b000",
                           "0xffffffff81000000"]


def test_ctrl_c_interrupts_running_target(target):
    p = subprocess.Popen(
        ["gdb", "-nx", "-batch", "-ex", "set architecture i386:x86-64",
         "-ex", "target remote " + target.addr, "-ex", "continue",
         "-ex", "p $_thread", "-ex", "p/x $pc"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        stdin=subprocess.DEVNULL)
    try:
        time.sleep(2)
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert 'Thread 1 "CPU 1: bash [412]" received signal SIGINT' in out
    v = values(out)
    assert v[-2] == "1"                          # back on the same thread
    assert int(v[-1], 16) != CODE                # it really ran


def test_monitor_output_of_several_kib(target):
    out = gdb_batch(target, ["monitor big 12000", "monitor echo done",
                             "monitor fail", "p 42"])
    lines = re.findall(r"^big-output line (\d{6}) \.{8}$", out, re.M)
    assert len(lines) == 12000 // 32
    assert lines[0] == "000000" and lines[-1] == "%06d" % (12000 // 32 - 1)
    assert "\ndone\n" in out
    assert "error: the test target refuses this command" in out
    assert "Protocol error with Rcmd" in out
    assert values(out) == ["42"]
    out = gdb_batch(target, ["monitor big 40000"], debug=True)
    assert out.count("Packet received: O") >= 4     # streamed in pieces


def test_monitor_output_streams_while_command_runs(target):
    """A slow monitor command's lines reach the user as they are made."""
    p = subprocess.Popen(
        ["gdb", "-nx", "-batch", "-ex", "set architecture i386:x86-64",
         "-ex", "target remote " + target.addr, "-ex", "monitor slow 5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        stdin=subprocess.DEVNULL)
    seen = {}
    try:
        end = time.time() + 30
        for line in p.stdout:
            m = re.match(r"tick (\d)", line)
            if m:
                seen[int(m.group(1))] = time.time()
            if time.time() > end:
                break
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert sorted(seen) == [0, 1, 2, 3, 4]
    # 300 ms apart at the source: the first line was not held back.
    assert seen[4] - seen[0] > 0.8


def test_detach_and_reconnect(target):
    out = gdb_batch(target, ["break *%#x" % (CODE + 0x100), "continue",
                             "detach"])
    assert "Breakpoint 1," in out and "detached" in out
    out = gdb_batch(target, ["info breakpoints", "p/x $pc", "kill"])
    assert "No breakpoints or watchpoints." in out
    assert values(out)[0] != "0xffffffff81000100"   # ran after detach
    assert "[Inferior 1 (Remote target) killed]" in out
    # kill only detached: a third session still finds a live target.
    out = gdb_batch(target, ["stepi", "p $_thread"])
    assert values(out) == ["1"]


def test_debug_remote_shows_no_protocol_hiccups(target):
    out = gdb_batch(target, [
        "info registers", "x/64xg %#x" % DATA, "stepi",
        "break *%#x" % (CODE + 0x300), "continue", "delete",
        "watch *(long *)%#x" % WVAR, "continue", "delete",
        "monitor big 5000", "info threads", "thread 2", "stepi",
        "detach"], debug=True)
    assert "Packet received:" in out
    for bad in ("Packet instead of Ack", "Bad checksum", "Timed out",
                "Ack not received", "Remote 'g' packet reply is too long"):
        assert bad not in out


def test_uart_like_link_keeps_acks(target_factory):
    """hvgdb.ko's UART is not "reliable": acks stay on all session long."""
    t = target_factory("--unreliable")
    out = gdb_batch(t, [
        "info registers rip", "x/8xg %#x" % DATA, "stepi",
        "break *%#x" % (CODE + 0x300), "continue", "p/x $pc", "delete",
        "monitor big 20000", "detach"], debug=True)
    assert "QStartNoAckMode" not in out
    assert "swbreak:;" in out
    assert values(out) == ["0xffffffff81000300"]
    assert "big-output line 000624" in out
    assert "Packet instead of Ack" not in out
    assert "Timed out" not in out
    # gdb acknowledged the stub's replies and got acks for its packets.
    assert out.count("Received Ack") > 10


def test_find_runs_in_the_target(target):
    """gdb's find sends one qSearch:memory per match and one more, and
    reads no memory: the search runs in the stub."""
    a, b = DATA + 0x4321, DATA + 0x9ffb
    out = gdb_batch(target, [
        'set {char[7]} %#x = "hvgdb!"' % a,
        'set {char[7]} %#x = "hvgdb!"' % b,
        "set debug remote 1",
        "find /b %#x, +0x100000, 'h', 'v', 'g', 'd', 'b', '!'" % DATA,
        "set debug remote 0",
        "find /b %#x, +0x100000, 'h', 'v', 'g', 'x'" % DATA])
    found = re.findall(r"^(0x[0-9a-f]+)$", out, re.M)
    assert [int(x, 16) for x in found] == [a, b], out
    assert "2 patterns found." in out
    assert "Pattern not found." in out
    sent = re.findall(r"Sending packet: \$(\w)", out)
    assert sent.count("q") == 3, out
    assert "m" not in sent, out
