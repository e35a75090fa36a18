"""QEMU's gdbstub dialect (gdbstub/rsp_qemu.c, docs/qemu-dialect.md).

pwndbg takes a stub for QEMU's when `maintenance packet Qqemu.sstepbits`
answers with "ENABLE=", and for QEMU's system mode when qOffsets has no
"Text="; these checks send what those tools send, as raw packets and
through stock gdb, against the test double's physical memory and its
record of the last step (`monitor laststep`).
"""
import re
import time

from conftest import (CODE_PHYS, DATA, DATA_PHYS, PHYS_TEXT, PHYS_TEXT_ADDR,
                      Rsp, gdb_batch)

SSTEPBITS = "ENABLE=1,NOIRQ=2,NOTIMER=4"


def received(out):
    """The replies `maintenance packet` printed, in order."""
    return re.findall(r'^received: "(.*)"$', out, re.M)


# --- raw packets -------------------------------------------------------------


def test_sstepbits_after_either_letter(rsp):
    rsp.connect()
    assert rsp.cmd("Qqemu.sstepbits") == SSTEPBITS.encode()   # pwndbg's
    assert rsp.cmd("qqemu.sstepbits") == SSTEPBITS.encode()


def test_sstep_query_set_and_errors(rsp):
    rsp.connect()
    assert rsp.cmd("qqemu.sstep") == b"0x7"         # QEMU's default
    assert rsp.cmd("Qqemu.sstep=1") == b"OK"
    assert rsp.cmd("qqemu.sstep") == b"0x1"
    for bad in ("Qqemu.sstep=8", "Qqemu.sstep=f", "Qqemu.sstep=",
                "Qqemu.sstep=zz"):
        assert rsp.cmd(bad) == b"E22", bad          # QEMU's literal E22
    assert rsp.cmd("qqemu.sstep") == b"0x1"
    assert rsp.cmd("Qqemu.sstep:0x6") == b"OK"
    assert rsp.cmd("qqemu.sstep") == b"0x6"


def test_qsupported_and_unknown_packets_unchanged(rsp):
    feats = rsp.connect().decode().split(";")
    assert not [f for f in feats if "qemu" in f.lower()]
    assert rsp.cmd("qqemu.Supported") == b"sstepbits;sstep;PhyMemMode"
    for unk in ("qqemu.bogus", "qqemu.PhyMemMode:1", "Qqemu.PhyMemMode",
                "qqemu.sstepbitsx", "qOffsets", "qTStatus", "QFoo"):
        assert rsp.cmd(unk) == b"", unk
    assert rsp.cmd("qqemu.PhyMemMode") == b"0"


def test_phys_mode_raw_memory_packets(rsp):
    rsp.connect()
    want = PHYS_TEXT.encode().hex()
    n = len(PHYS_TEXT)
    assert rsp.cmd("m%x,%x" % (PHYS_TEXT_ADDR, n)) == b"E0e"  # virtual
    assert rsp.cmd("Qqemu.PhyMemMode:1") == b"OK"
    assert rsp.cmd("qqemu.PhyMemMode") == b"1"
    assert rsp.cmd("m%x,%x" % (PHYS_TEXT_ADDR, n)).decode() == want
    assert rsp.cmd("m%x,4" % CODE_PHYS) == b"0f1f4000"     # the nops
    assert rsp.cmd("m%x,4" % DATA) == b"E0e"               # not physical
    # Writes land in physical memory, seen through the direct map after.
    assert rsp.cmd("M%x,4:44434241" % (DATA_PHYS + 0x8000)) == b"OK"
    assert rsp.cmd("X%x,2:hv" % (DATA_PHYS + 0x8004)) == b"OK"
    assert rsp.cmd("Qqemu.PhyMemMode:0") == b"OK"
    assert rsp.cmd("m%x,6" % (DATA + 0x8000)) == b"444342416876"
    assert rsp.cmd("m%x,%x" % (DATA + 0x7000, n)).decode() == want
    assert rsp.cmd("m%x,4" % PHYS_TEXT_ADDR) == b"E0e"


def test_new_connection_resets_the_dialect(target):
    c = Rsp(target)
    c.connect()
    assert c.cmd("Qqemu.PhyMemMode:1") == b"OK"
    assert c.cmd("Qqemu.sstep=2") == b"OK"
    c.close()                       # gone without a detach
    time.sleep(0.2)
    # A new peer, without qSupported: the transport's reset alone.
    c2 = Rsp(target)
    c2.raw(b"+")
    assert c2.cmd("qqemu.PhyMemMode") == b"0"
    assert c2.cmd("qqemu.sstep") == b"0x7"
    # And qSupported, which every gdb starts with, resets it too.
    assert c2.cmd("Qqemu.PhyMemMode:1") == b"OK"
    assert c2.cmd("Qqemu.sstep=0") == b"OK"
    c2.cmd("qSupported:swbreak+")
    assert c2.cmd("qqemu.PhyMemMode") == b"0"
    assert c2.cmd("qqemu.sstep") == b"0x7"
    c2.close()


def test_step_carries_the_flags(rsp):
    rsp.connect()
    assert rsp.cmd("Qqemu.sstep=3") == b"OK"
    assert rsp.cmd("vCont;s:2").startswith(b"T05thread:2;")
    out = rsp.cmd("qRcmd," + b"laststep".hex())
    assert out.startswith(b"O")
    assert "thread 2, sstep flags 0x3" in bytes.fromhex(
        out[1:].decode()).decode()
    assert rsp.read_packet() == b"OK"


# --- stock gdb ---------------------------------------------------------------


def test_gdb_maintenance_packet_sstepbits(target):
    out = gdb_batch(target, ["maintenance packet qqemu.sstepbits",
                             "maintenance packet Qqemu.sstepbits",
                             "maintenance packet qqemu.sstep",
                             "maintenance packet qqemu.PhyMemMode"])
    assert received(out) == [SSTEPBITS, SSTEPBITS, "0x7", "0"]


def test_gdb_pwndbg_probes(target):
    """pwndbg's is_qemu() and is_usermode() (pwndbg/aglib/qemu.py), as
    gdb's Python runs them: QEMU, and system mode (so is_qemu_kernel())."""
    out = gdb_batch(target, [
        'python print("is_qemu", "ENABLE=" in gdb.execute('
        '"maintenance packet Qqemu.sstepbits", to_string=True))',
        'python print("is_usermode", "Text=" in gdb.execute('
        '"maintenance packet qOffsets", to_string=True))',
    ])
    assert "is_qemu True" in out
    assert "is_usermode False" in out


def test_gdb_phys_mode_x_s(target):
    out = gdb_batch(target, [
        "x/s %#x" % PHYS_TEXT_ADDR,
        "maintenance packet Qqemu.PhyMemMode:1",
        "x/s %#x" % PHYS_TEXT_ADDR,
        "set {unsigned int}%#x = 0x41424344" % (DATA_PHYS + 0x9000),
        "maintenance packet Qqemu.PhyMemMode:0",
        "x/s %#x" % PHYS_TEXT_ADDR,
        "x/s %#x" % (DATA + 0x7000),
        "x/wx %#x" % (DATA + 0x9000),
    ])
    shown = re.findall(r"^0x[0-9a-f]+:\s+(.*)$", out, re.M)
    bad = "<error: Cannot access memory at address %#x>" % PHYS_TEXT_ADDR
    assert shown == [bad, '"%s"' % PHYS_TEXT, bad, '"%s"' % PHYS_TEXT,
                     "0x41424344"], out
    assert received(out) == ["OK", "OK"]


def test_gdb_phys_mode_bad_value_refused(target):
    out = gdb_batch(target, ["maintenance packet Qqemu.PhyMemMode:x",
                             "maintenance packet qqemu.PhyMemMode"])
    assert received(out) == ["E22", "0"]


def test_gdb_stepi_passes_sstep_flags(target):
    out = gdb_batch(target, [
        "monitor laststep",
        "stepi",
        "monitor laststep",
        "maintenance packet Qqemu.sstep=1",
        "stepi",
        "monitor laststep",
        "maintenance packet Qqemu.sstep=8",
        "thread 2",
        "maintenance packet Qqemu.sstep=0x6",
        "stepi",
        "monitor laststep",
        "maintenance packet qqemu.sstep",
    ])
    assert "no step yet" in out
    steps = re.findall(r"^last step: thread (\d+), sstep flags (0x[0-9a-f]+),"
                       r" (\d+) steps$", out, re.M)
    assert steps == [("1", "0x7", "1"), ("1", "0x1", "2"),
                     ("2", "0x6", "3")], out
    assert received(out) == ["OK", "E22", "OK", "0x6"]
