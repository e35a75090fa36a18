"""hvgdb.read_phys() and `hv !dump` in stock gdb against the test double,
whose physical memory holds DATA at 0x100000 (its direct map): the bytes
match the virtual view, the file is written whole or not at all, PhyMemMode
is off again afterwards, and the errors say why."""
import os

from hvgdb_testlib import hv_gdb, proto

DATA_PHYS = proto.DATA_PHYS
TEXT = b"hvgdb test target: physical 0x107000"


def test_read_phys_matches_the_virtual_view(target, gdb_py):
    out, r = gdb_py(target, """
inf = gdb.selected_inferior()
result(hvgdb.read_phys(0x107000, 36))
result(hvgdb.read_phys(0x100000, 0x3000) ==
       bytes(inf.read_memory(%#x, 0x3000)))
result(hvgdb.read_phys(0x100000, 0))
# PhyMemMode is off again: virtual reads are virtual.
result(bytes(inf.read_memory(%#x, 36)))
try:
    hvgdb.read_phys(0x5000000, 16)
except gdb.MemoryError as e:
    result("MemoryError")
result(bytes(inf.read_memory(%#x, 4)))
try:
    hvgdb.read_phys(0, -1)
except ValueError as e:
    result(str(e))
""" % (proto.DATA, proto.DATA + 0x7000, proto.DATA + 0x7000))
    assert r == [TEXT, True, b"", TEXT, "MemoryError", TEXT[:4],
                 "read_phys: 0 to 0x1000000 bytes, not -0x1"], out


def test_dump_saves_the_range(target, tmp_path):
    f = tmp_path / "dump1.dmp"
    g = tmp_path / "with space.dmp"
    v = tmp_path / "virtual.bin"
    out = hv_gdb(target, [
        "hv !dump 100000 103000 %s" % f,
        "hv !dump 0x107000 0x107024 path %s" % g,
        "dump binary memory %s %#x %#x" % (v, proto.DATA, proto.DATA + 0x3000),
        "p 1"])
    assert ("the dump file is saved at: %s (0x3000 bytes of physical "
            "memory from 0x100000)" % f) in out, out
    assert g.read_bytes() == TEXT, out
    assert f.read_bytes() == v.read_bytes() and len(v.read_bytes()) == 0x3000
    assert "$1 = 1" in out


def test_dump_errors_leave_no_file(target, tmp_path):
    f = tmp_path / "bad.dmp"
    out = hv_gdb(target, [
        "hv !dump 2000 1000 %s" % f,
        "hv !dump 100000 100010",
        "hv !dump 100000 1100001 %s" % f,
        "hv !dump 10z 2000 %s" % f,
        "hv !dump 1ff000 201000 %s" % f,
        "monitor !dump 1000 2000 x",
        "p 2"])
    assert ("!dump: the end 0x1000 is not after the start 0x2000 (the end "
            "is exclusive)") in out, out
    assert "usage: hv !dump FROM TO [path] FILE" in out, out
    assert "!dump: 0x1000001 bytes; one dump saves at most 0x1000000" in out
    assert "!dump: expected a physical address (hex), got '10z'" in out
    # DATA is 1 MiB at 0x100000: 0x200000 is past it.
    assert ("!dump: physical 0x200000 cannot be read (not RAM or a "
            "device); nothing saved") in out, out
    assert not os.listdir(tmp_path), os.listdir(tmp_path)
    assert "$1 = 2" in out, out
