"""Packet-level behaviour of the engine, seen from a raw socket client.

These are the checks a stub author makes with a hand-written client:
framing, acks, escapes, error codes, thread queries, resume semantics.
"""
import re

import pytest
import socket
import struct
import time

from conftest import CODE, DATA, WVAR, Rsp


def le64(hexstr):
    return struct.unpack("<Q", bytes.fromhex(hexstr))[0]


def test_qsupported_advertises_features(rsp):
    r = rsp.connect().decode()
    feats = r.split(";")
    assert "PacketSize=4000" in feats          # 16 KiB, in hex
    for f in ("qXfer:features:read+", "qXfer:threads:read+", "swbreak+",
              "hwbreak+", "vContSupported+", "QStartNoAckMode+"):
        assert f in feats


def test_unreliable_transport_has_no_noack(target_factory):
    t = target_factory("--unreliable")
    c = Rsp(t)
    assert "QStartNoAckMode" not in c.connect().decode()
    # lldb sends it anyway: it must get the empty "unsupported" reply.
    assert c.cmd("QStartNoAckMode") == b""
    assert c.cmd("qC") == b"QC1"
    c.close()


def test_stop_reply_expedites_registers(rsp):
    rsp.connect()
    # What gdb connects with carries no registers: it reads 'g' once.
    assert rsp.cmd("?") == b"T05thread:1;"
    assert rsp.cmd("Z0,%x,1" % (CODE + 0x100)) == b"OK"
    r = rsp.cmd("c").decode()
    m = re.match(r"T05thread:1;06:([0-9a-f]{16});07:([0-9a-f]{16});"
                 r"10:([0-9a-f]{16});", r)
    assert m, r
    assert le64(m.group(3)) == CODE + 0x100         # rip of CPU 1
    assert le64(m.group(2)) == 0xFFFFC9000000FF00   # rsp


def test_garbage_between_packets_is_ignored(rsp):
    rsp.raw(b"+")
    rsp.raw(b"garbage\x00\xff\x03+-" + Rsp.frame("qC"))
    rsp.expect_ack()
    assert rsp.read_packet() == b"QC1"


def test_bad_checksum_is_nacked_then_accepted(rsp):
    rsp.connect()
    rsp.raw(b"$qC#00")
    assert rsp.read_byte() == b"-"
    assert rsp.cmd("qC") == b"QC1"


def test_nack_makes_stub_retransmit(rsp):
    rsp.connect()
    rsp.raw(Rsp.frame("qC"))
    rsp.expect_ack()
    first = rsp.read_packet(send_ack=False)
    rsp.raw(b"-")
    assert rsp.read_packet() == first == b"QC1"


def test_run_length_encoded_input(rsp):
    rsp.connect()
    # "a" then "*" + chr(29 + 15): sixteen 'a' = 8 bytes of 0xaa.
    payload = ("M%x,8:a*" % DATA) + chr(29 + 15)
    assert rsp.cmd(payload) == b"OK"
    assert rsp.cmd("m%x,8" % DATA) == b"aa" * 8


def test_rle_in_replies_decodes_to_the_same_bytes(rsp):
    rsp.connect()
    assert rsp.cmd("M%x,20:%s" % (DATA, "00" * 32)) == b"OK"
    rsp.raw(Rsp.frame("m%x,20" % DATA))
    rsp.expect_ack()
    # Look at the raw bytes: 64 zeros must travel compressed.
    while rsp.read_byte() != b"$":
        pass
    raw = b""
    while not raw.endswith(b"#"):
        raw += rsp.read_byte()
    rsp.read_byte(), rsp.read_byte()
    rsp.raw(b"+")
    assert b"*" in raw and len(raw) < 20
    assert rsp.cmd("m%x,20" % DATA) == b"00" * 32


def test_binary_write_with_escapes(rsp):
    rsp.connect()
    # '#', '$', '}', '*' and 0x03 escaped as '}' + (byte ^ 0x20).
    data = b"}" + bytes([0x23 ^ 0x20]) + b"}" + bytes([0x24 ^ 0x20]) + \
        b"}" + bytes([0x7D ^ 0x20]) + b"}" + bytes([0x2A ^ 0x20]) + b"\x03"
    pkt = b"X%x,5:" % DATA + data
    rsp.raw(Rsp.frame(pkt))
    rsp.expect_ack()
    assert rsp.read_packet() == b"OK"
    assert rsp.cmd("m%x,5" % DATA) == b"23247d2a03"
    # X with length 0 is gdb's probe for binary support.
    assert rsp.cmd("X%x,0:" % DATA) == b"OK"


def test_memory_errors_and_partial_reads(rsp):
    rsp.connect()
    assert rsp.cmd("m0,8") == b"E0e"               # unmapped: EFAULT
    assert rsp.cmd("mzz,8") == b"E16"              # malformed: EINVAL
    assert rsp.cmd("M0,1:00") == b"E0e"
    assert rsp.cmd("M%x,2:00" % DATA) == b"E16"    # length mismatch
    # Read running off the end of CODE: the readable part comes back.
    end = CODE + 0x10000
    assert rsp.cmd("m%x,10" % (end - 4)) == b"0f1f4000"


def test_register_packets(rsp):
    rsp.connect()
    g = rsp.cmd("g")
    assert len(g) == 712 * 2
    assert le64(g[16 * 16:16 * 16 + 16].decode()) == CODE
    assert rsp.cmd("p3e") == g[576 * 2:584 * 2]     # cr3 at its offset
    assert rsp.cmd("P0=efbeadde00000000") == b"OK"
    assert rsp.cmd("p0") == b"efbeadde00000000"
    assert rsp.cmd("p52") == b"E16"                 # no register 82
    assert rsp.cmd("P0=12") == b"E16"               # wrong size
    assert rsp.cmd("G" + "00" * 10) == b"E16"
    g2 = bytearray(rsp.cmd("g"))
    g2[0:16] = b"1122334455667788"
    assert rsp.cmd("G" + g2.decode()) == b"OK"
    assert rsp.cmd("p0") == b"1122334455667788"


def test_threads_and_selection(rsp):
    rsp.connect()
    assert rsp.cmd("qfThreadInfo") == b"m1,2"       # packed list
    assert rsp.cmd("qsThreadInfo") == b"l"
    assert rsp.cmd("qC") == b"QC1"
    assert rsp.cmd("qAttached") == b"1"
    assert bytes.fromhex(rsp.cmd("qThreadExtraInfo,2").decode()) == \
        b"CPU 2: kworker/1:0 <&>"
    x = rsp.cmd("qXfer:threads:read::0,fff").decode()
    assert x.startswith("l")
    assert '<thread id="1" core="0" name="CPU 1: bash [412]"/>' in x
    assert 'name="CPU 2: kworker/1:0 &lt;&amp;&gt;"' in x
    assert rsp.cmd("T2") == b"OK"
    assert rsp.cmd("T9") == b"E03"
    assert rsp.cmd("Hg9") == b"E03"
    assert rsp.cmd("Hg2") == b"OK"
    assert le64(rsp.cmd("p10").decode()) == CODE + 0x1000
    assert rsp.cmd("Hg0") == b"OK"
    assert le64(rsp.cmd("p10").decode()) == CODE


def test_target_xml_in_chunks(rsp):
    rsp.connect()
    whole = b""
    off = 0
    while True:
        r = rsp.cmd("qXfer:features:read:target.xml:%x,200" % off)
        assert r[:1] in (b"m", b"l")
        whole += r[1:]
        off += len(r) - 1
        if r[:1] == b"l":
            break
    assert whole.startswith(b"<?xml")
    assert b"<architecture>i386:x86-64</architecture>" in whole
    assert b'name="org.hvgdb.debugregs"' in whole
    assert rsp.cmd("qXfer:features:read:other.xml:0,100") == b"E00"


def test_unknown_packets_get_empty_reply(rsp):
    rsp.connect()
    for p in ("vMustReplyEmpty", "qTStatus", "vFooBar", "!", "qOffsets",
              "Z9,0,1", "bc"):
        assert rsp.cmd(p) == b"", p


def test_breakpoint_errors_and_hw_slots(rsp):
    rsp.connect()
    assert rsp.cmd("Z0,zz,1") == b"E16"
    assert rsp.cmd("Z0,10,1") == b"E0e"             # unmapped address
    for i in range(4):
        assert rsp.cmd("Z1,%x,1" % (CODE + 0x100 * i)) == b"OK"
    assert rsp.cmd("Z1,%x,1" % (CODE + 0x400)) == b"E1c"   # no resources
    assert rsp.cmd("z1,%x,1" % CODE) == b"OK"
    assert rsp.cmd("Z2,%x,8" % WVAR) == b"OK"       # slot free again


def test_step_one_thread_with_vcont(rsp):
    rsp.connect()
    assert rsp.cmd("vCont?") == b"vCont;c;C;s;S;t"
    r = rsp.cmd("vCont;s:2").decode()
    assert r.startswith("T05thread:2;")
    rsp.cmd("Hg1")
    assert le64(rsp.cmd("p10").decode()) == CODE             # CPU 1 stayed
    rsp.cmd("Hg2")
    assert le64(rsp.cmd("p10").decode()) == CODE + 0x1004    # CPU 2 moved
    assert rsp.cmd("vCont;x") == b"E16"


def test_breakpoint_hit_reports_swbreak(rsp):
    rsp.connect()
    assert rsp.cmd("Z0,%x,1" % (CODE + 0x100)) == b"OK"
    r = rsp.cmd("c").decode()
    assert r.startswith("T05thread:1;") and "swbreak:;" in r
    assert "10:%s;" % struct.pack("<Q", CODE + 0x100).hex() in r


def test_watchpoint_reports_data_address(rsp):
    rsp.connect()
    assert rsp.cmd("Z2,%x,8" % WVAR) == b"OK"
    r = rsp.cmd("vCont;c").decode()
    assert "watch:%x;" % WVAR in r


def test_ctrl_c_while_running_stops_with_sigint(rsp):
    rsp.connect()
    rsp.raw(Rsp.frame("c"))
    rsp.expect_ack()
    time.sleep(0.3)
    rsp.raw(b"\x03")
    r = rsp.read_packet().decode()
    assert r.startswith("T02thread:1;")
    assert rsp.cmd("qC") == b"QC1"


def test_ctrl_c_while_stopped_does_not_wedge(rsp):
    rsp.connect()
    rsp.raw(b"\x03")
    assert rsp.cmd("qC") == b"QC1"


def test_oversized_packet_rejected(rsp):
    rsp.connect()
    assert rsp.cmd("M%x,4000:" % DATA + "00" * 0x3000) == b"E07"
    assert rsp.cmd("qC") == b"QC1"


def test_peer_vanishing_mid_packet_does_not_hang(rsp):
    rsp.connect()
    rsp.raw(b"$m%x,8" % DATA)          # never finished
    time.sleep(2.5)                    # engine gives up after 2 s
    assert rsp.cmd("qC") == b"QC1"


def test_noack_mode_and_reset_on_reconnect(target):
    c = Rsp(target)
    c.connect()
    assert c.cmd("QStartNoAckMode") == b"OK"
    c.ack = False
    assert c.cmd("qC") == b"QC1"
    c.close()
    time.sleep(0.2)
    c2 = Rsp(target)
    r = c2.connect()                   # acks expected again
    assert b"PacketSize" in r
    assert c2.cmd("qC") == b"QC1"
    c2.close()


def test_lldb_order_noack_before_qsupported(rsp):
    """lldb turns acks off before qSupported: they must stay off."""
    rsp.raw(b"+")
    assert rsp.cmd("QStartNoAckMode") == b"OK"
    rsp.ack = False
    rsp.raw(Rsp.frame("qSupported:xmlRegisters=i386"))
    # The very next byte is the reply itself: no '+' from the stub.
    assert rsp.read_byte() == b"$"
    rsp.buf = b"$" + rsp.buf
    assert b"PacketSize" in rsp.read_packet()
    assert rsp.cmd("qC") == b"QC1"


def test_vanished_gdb_leaves_no_breakpoint(target):
    c = Rsp(target)
    c.connect()
    assert c.cmd("Z0,%x,1" % (CODE + 0x100)) == b"OK"
    c.close()                          # no z0, no D
    time.sleep(0.3)
    c2 = Rsp(target)
    c2.connect()
    c2.raw(Rsp.frame("c"))
    c2.expect_ack()
    time.sleep(0.5)
    c2.raw(b"\x03")
    assert c2.read_packet().startswith(b"T02")
    c2.close()


def test_detach_and_kill(target):
    c = Rsp(target)
    c.connect()
    assert c.cmd("Z0,%x,1" % (CODE + 0x100)) == b"OK"
    assert c.cmd("D") == b"OK"
    c.close()
    time.sleep(0.2)
    c2 = Rsp(target)
    c2.connect()
    # The target ran after the detach: rip moved on from its start.
    assert le64(c2.cmd("p10").decode()) != CODE
    c2.raw(Rsp.frame("k"))             # kill: detaches, no reply
    c2.expect_ack()
    c2.close()
    time.sleep(0.2)
    c3 = Rsp(target)
    assert b"PacketSize" in c3.connect()
    c3.close()


def test_monitor_output_streamed(rsp):
    rsp.connect()
    rsp.raw(Rsp.frame("qRcmd," + b"big 20000".hex()))
    rsp.expect_ack()
    out, opkts = b"", 0
    while True:
        r = rsp.read_packet()
        if r == b"OK":
            break
        assert r.startswith(b"O"), r
        opkts += 1
        out += bytes.fromhex(r[1:].decode())
    assert len(out) == 20000 and opkts >= 3
    assert out.startswith(b"big-output line 000000")
    assert rsp.cmd("qRcmd," + b"fail".hex()).startswith(b"O")  # text first


def test_rejects_connection_noise(target):
    # A second client while one is attached just waits in the backlog.
    c = Rsp(target)
    c.connect()
    s = socket.create_connection(("127.0.0.1", target.port), timeout=2)
    assert c.cmd("qC") == b"QC1"
    s.close()
    c.close()


def test_interrupt_after_a_lost_stop_reply_gets_it_again(rsp):
    """A noisy line (tests/noisy_relay.py) can cost gdb a stop reply: gdb
    NAKs it, gives up after three bad checksums, acks it all the same, and
    waits for good.  Its Ctrl-C (0x03) to the stopped target then gets the
    stop reply again.  A stop reply acked at once is gdb's: a 0x03 then
    (a Ctrl-C that crossed the stop) gets nothing, as before; so does one
    after gdb sent a packet."""
    rsp.connect()
    rsp.raw(rsp.frame("vCont;s:1"))
    rsp.expect_ack()
    first = rsp.read_packet(send_ack=False).decode()
    rsp.raw(b"-")                               # "bad checksum"
    assert rsp.read_packet().decode() == first  # resent; acked now
    assert first.startswith("T05thread:1;"), first
    rsp.raw(b"\x03")
    again = rsp.read_packet().decode()
    assert again == first
    rsp.raw(b"\x03")                            # still unconfirmed
    assert rsp.read_packet().decode() == first
    assert rsp.cmd("qC") == b"QC1"
    rsp.raw(b"\x03")                            # gdb moved on: ignored
    rsp.s.settimeout(1.0)
    with pytest.raises(socket.timeout):
        rsp.read_byte()
    rsp.s.settimeout(5)
    # Acked at once: a crossing Ctrl-C gets no second stop reply.
    assert rsp.cmd("vCont;s:1").startswith(b"T05thread:1;")
    rsp.raw(b"\x03")
    rsp.s.settimeout(1.0)
    with pytest.raises(socket.timeout):
        rsp.read_byte()
    rsp.s.settimeout(5)
    assert rsp.cmd("qC") == b"QC1"


def test_qxfer_hvgdb_btf(target_factory, tmp_path):
    """hvgdb.ko's BTF object (docs/protocol.md): E02 without one, E0b while
    it is being made, else its bytes in windows, binary with '}' escapes
    (every byte value, so the four that need one are there), 'l' on the
    last window and past the end."""
    c = Rsp(target_factory())
    c.connect()
    assert c.cmd("qXfer:hvgdb-btf:read::0,100") == b"E02"
    c.close()
    c = Rsp(target_factory("--btf-busy"))
    c.connect()
    assert c.cmd("qXfer:hvgdb-btf:read::0,100") == b"E0b"
    c.close()
    blob = bytes(range(256)) * 40           # 10 KiB
    f = tmp_path / "blob"
    f.write_bytes(blob)
    c = Rsp(target_factory("--btf-blob", str(f)))
    c.connect()
    got, off = b"", 0
    while True:
        r = c.cmd("qXfer:hvgdb-btf:read::%x,%x" % (off, 0x1000))
        assert r[:1] in (b"m", b"l"), r[:8]
        data = re.sub(rb"\}(.)", lambda m: bytes((m.group(1)[0] ^ 0x20,)),
                      r[1:], flags=re.S)
        got += data
        off += len(data)
        if r[:1] == b"l":
            break
        assert len(data) == 0x1000
    assert got == blob
    assert c.cmd("qXfer:hvgdb-btf:read::%x,10" % len(blob)) == b"l"
    assert c.cmd("qXfer:hvgdb-btf:read::zz") == b"E16"
    c.close()
