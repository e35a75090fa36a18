"""HyperDbg's PCI commands through `monitor` at a stop (issue 17): !pcitree
against /sys/bus/pci/devices (every function there, with its vendor, device
and class, and nothing more) and !pcicam against each function's sysfs
`config` file (the bytes the guest reads, and the decoded header), and
their errors.  The test VM (Bochs's i440fx) has no ACPI MCFG table, so
hvgdb.ko reads through ports 0xCF8/0xCFC: the test checks that it says so
at load, and that the extended configuration space is refused for that
reason.  One CPU is enough: configuration space is the machine's.
"""
import re

import pytest

from hvvm import assert_clean_dmesg, gdb, gdb_server, mark, new_dmesg, sections

SYS = "/sys/bus/pci/devices"
STATUS = (6, 7)     # the status register: bits the device sets as it runs


def sysfs_view(vm):
    """What the guest's sysfs shows, in one guest command: {(bus, dev,
    fn): {"ids": (vendor, device, class), "config": bytes (256 for root),
    "resource": lines}} for segment 0 (the commands name no other), and
    whether the guest has an ACPI MCFG table."""
    out = vm.sh(f"for d in {SYS}/*; do echo == ${{d##*/}} $(cat $d/vendor "
                "$d/device $d/class); od -An -tx1 -v $d/config; "
                "echo --; cat $d/resource; done; "
                "test -e /sys/firmware/acpi/tables/MCFG && echo MCFG; true")
    funcs = {}
    for part in out.split("== ")[1:]:
        head, rest = part.split("\n", 1)
        config, resource = rest.split("--\n", 1)
        m = re.match(r"^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) "
                     r"0x([0-9a-f]{4}) 0x([0-9a-f]{4}) 0x([0-9a-f]{6})$",
                     head)
        assert m and m.group(1) == "0000", out
        bdf = tuple(int(m.group(i), 16) for i in (2, 3, 4))
        funcs[bdf] = {
            "ids": tuple(int(m.group(i), 16) for i in (5, 6, 7)),
            "config": bytes(int(x, 16) for x in config.split()),
            "resource": [l for l in resource.splitlines()
                         if l.startswith("0x")],
        }
    return funcs, out.rstrip().endswith("MCFG")


def name(bdf):
    b, d, f = bdf
    return f"{b:x}_{d:x}_{f:x}"


def dump_bytes(text):
    """The bytes of `!pcicam ... x` (after its title and column header),
    checking each line's offset."""
    lines = text.splitlines()
    assert re.match(r"^PCI configuration space \(CAM\) for device "
                    r"0000:[0-9a-f]{2}:[0-9a-f]{2}:[0-7]$", lines[0]), text
    assert lines[1] == "    " + " ".join(f"{i:02x}" for i in range(16)), text
    data = b""
    for i, line in enumerate(lines[2:]):
        m = re.match(r"^([0-9a-f]{2}): ((?:[0-9a-f]{2} ){16})(.{16})$", line)
        assert m, text
        assert int(m.group(1), 16) == 16 * i, text
        row = bytes(int(x, 16) for x in m.group(2).split())
        # The text column shows the printable bytes.
        assert m.group(3) == "".join(chr(c) if 0x20 <= c < 0x7f else "."
                                     for c in row), line
        data += row
    return data


@pytest.fixture(scope="module")
def pci(vm1):
    vm = vm1
    view, mcfg = sysfs_view(vm)
    funcs = {bdf: v["ids"] for bdf, v in view.items()}
    assert len(funcs) >= 2, view
    # A device number no function uses on bus 0: nothing answers there.
    absent = max(d for d in range(32) if (0, d, 0) not in funcs)
    cmds = [mark("tree"), "monitor !pcitree"]
    for bdf in sorted(funcs):
        b, d, f = bdf
        cmds += [mark("x_" + name(bdf)), f"monitor !pcicam {b:x} {d:x} {f:x} x",
                 mark("dec_" + name(bdf)), f"monitor !pcicam {b:x} {d:x} {f:x}"]
    cmds += [
        mark("short"), "monitor !pcicam 0 0 0 x l 24",
        mark("ext"), "monitor !pcicam 0 0 0 x l 1000",
        mark("absent"), f"monitor !pcicam 0 {absent:x} 0",
        mark("bad_dev"), "monitor !pcicam 0 20 0",
        mark("bad_fn"), "monitor !pcicam 0 1 8",
        mark("bad_bus"), "monitor !pcicam 100 0 0",
        mark("missing"), "monitor !pcicam 0 1",
        mark("l_alone"), "monitor !pcicam 0 0 0 l 40",
        mark("tree_arg"), "monitor !pcitree 0",
        mark("nobang"), "monitor pcitree",
        mark("help"), "monitor help !pcicam",
        mark("end"),
    ]
    with gdb_server(vm) as dmark:
        out = gdb(vm, *cmds)
        dmesg = new_dmesg(vm, dmark)
    after, _ = sysfs_view(vm)
    return {"vm": vm, "funcs": funcs, "absent": absent,
            "before": {bdf: v["config"] for bdf, v in view.items()},
            "after": {bdf: v["config"] for bdf, v in after.items()},
            "resource": {bdf: v["resource"] for bdf, v in view.items()},
            "out": out, "s": sections(out), "dmesg": dmesg, "mcfg": mcfg}


def test_access_path_is_the_one_the_firmware_allows(vm1, pci):
    """hvgdb.ko says at load how it reaches configuration space: ECAM when
    the guest has an MCFG table, else ports 0xCF8/0xCFC.  The test VM has
    none (Bochs's i440fx)."""
    load = [l for l in pci["dmesg"] if "PCI configuration space" in l]
    assert len(load) == 1, pci["dmesg"]
    if pci["mcfg"]:
        assert "through ECAM at 0x" in load[0], load
    else:
        assert load[0].endswith("through ports 0xCF8/0xCFC (no ACPI MCFG "
                                "table)"), load
    assert_clean_dmesg(pci["dmesg"])


def test_pcitree_lists_what_sysfs_lists(vm1, pci):
    lines = pci["s"]["tree"].splitlines()
    assert lines[0] == "DBDF         | VID:DID   | Class", pci["s"]["tree"]
    assert re.match(r"^-{70}$", lines[1]), lines[1]
    shown = []
    for line in lines[2:]:
        m = re.match(r"^0000:([0-9a-f]{2}):([0-9a-f]{2}):([0-7]) \| "
                     r"([0-9a-f]{4}):([0-9a-f]{4}) \| ([0-9a-f]{6}) "
                     r"([a-z -]+)$", line)
        assert m, line
        shown.append((tuple(int(m.group(i), 16) for i in (1, 2, 3)),
                      tuple(int(m.group(i), 16) for i in (4, 5, 6))))
    # Every function, each once, in bus/device/function order.
    assert [bdf for bdf, _ in shown] == sorted(pci["funcs"]), \
        pci["s"]["tree"]
    assert dict(shown) == pci["funcs"], pci["s"]["tree"]
    bridge = [l for l in lines if re.search(r"\| 06[0-9a-f]{4} ", l)]
    assert bridge and all(l.endswith(" bridge") for l in bridge), lines


def test_pcicam_x_shows_the_bytes_the_guest_reads(vm1, pci):
    """All 0x100 bytes of each function against its sysfs config file,
    except what changed on its own: the status register, and bytes that
    differ between the guest's reads before and after the session."""
    assert len(pci["funcs"]) >= 2
    for bdf in pci["funcs"]:
        got = dump_bytes(pci["s"]["x_" + name(bdf)])
        before, after = pci["before"][bdf], pci["after"][bdf]
        assert len(got) == 0x100 and len(before) == 0x100, bdf
        moving = {i for i in range(0x100) if before[i] != after[i]}
        assert not moving & set(range(0x40)) - set(STATUS), (bdf, moving)
        for i in range(0x100):
            if i in STATUS or i in moving:
                continue
            assert got[i] == before[i], (bdf, hex(i), got[i], before[i])
        # The ids, which are what the tree shows.
        vendor, device, cls = pci["funcs"][bdf]
        assert got[0:4] == bytes([vendor & 0xff, vendor >> 8, device & 0xff,
                                  device >> 8])
        assert int.from_bytes(got[9:12], "little") == cls


def test_pcicam_decodes_the_header(vm1, pci):
    for bdf, (vendor, device, cls) in pci["funcs"].items():
        cfg = pci["before"][bdf]
        text = pci["s"]["dec_" + name(bdf)]
        lines = text.splitlines()
        b, d, f = bdf
        assert lines[0] == (f"PCI configuration space (CAM) for device "
                            f"0000:{b:02x}:{d:02x}:{f:x}"), text
        assert f"\nVID:DID: {vendor:04x}:{device:04x}\n" in text, text
        assert re.search(rf"^Class Code: {cls:06x} \(", text, re.M), text
        hdr = cfg[0xE]
        kind = {0: "Endpoint", 1: "PCI-to-PCI Bridge"}[hdr & 0x7F]
        assert f"\nHeaderType: {kind} ({hdr:02x})\n" in text, text
        assert f"\n  Multi-function Device: {bool(hdr & 0x80)}\n" in text
        assert f"\nInterrupt Pin: {cfg[0x3D]:02x}\n" in text, text
        if hdr & 0x7F:
            continue
        assert f"\nSubsystem Vendor ID: {cfg[0x2C] | cfg[0x2D] << 8:04x}\n" \
            in text, text
        # Each 32-bit BAR as the bytes say; an I/O BAR's address is where
        # the kernel put the function's ports (its sysfs resource line).
        res = pci["resource"][bdf]
        for i in range(6):
            v = int.from_bytes(cfg[0x10 + 4 * i:0x14 + 4 * i], "little")
            m = re.search(rf"^BAR{i}(?: \[disabled\])?\n BAR Type: "
                          rf"(Port IO|MMIO)\n BAR: ([0-9a-f]{{8}})\n "
                          rf"BAR \(actual\): ([0-9a-f]{{8}})$", text, re.M)
            assert m, (i, text)
            assert int(m.group(2), 16) == v
            if v & 1:
                assert m.group(1) == "Port IO"
                start = int(res[i].split()[0], 16)
                assert int(m.group(3), 16) == v & ~3 == start, (res, text)


def test_pcicam_lengths_and_errors(vm1, pci):
    s = pci["s"]
    short = s["short"].splitlines()
    assert len(short) == 2 + 3, s["short"]
    assert short[-1].startswith("20: ") and short[-1].endswith(
        " " * 36 + "".join(chr(c) if 0x20 <= c < 0x7f else "."
                           for c in pci["before"][(0, 0, 0)][0x20:0x24])), \
        s["short"]
    # Extended configuration space needs the ECAM the VM does not have.
    assert not pci["mcfg"]
    assert re.search(r"^column 19: bytes past 0xff are the extended "
                     r"configuration space, which needs ECAM; this machine "
                     r"has no ACPI MCFG table", s["ext"], re.M), s["ext"]
    absent = pci["absent"]
    assert re.search(rf"^column 11: no PCI function at 0000:00:"
                     rf"{absent:02x}:0 \(vendor:device id reads ffff:ffff",
                     s["absent"], re.M), s["absent"]
    assert re.search(r"^column 11: expected a device number \(hex\) in "
                     r"0x0..0x1f, got 0x20$", s["bad_dev"], re.M)
    assert re.search(r"^column 13: expected a function number \(hex\) in "
                     r"0x0..0x7, got 0x8$", s["bad_fn"], re.M)
    assert re.search(r"^column 9: expected a bus number \(hex\) in "
                     r"0x0..0xff, got 0x100$", s["bad_bus"], re.M), \
        s["bad_bus"]
    assert re.search(r"^column 12: expected a function number \(hex\), got "
                     r"end of line$", s["missing"], re.M), s["missing"]
    assert re.search(r"^column 15: 'l' is the length of the hex dump: give "
                     r"'x' too", s["l_alone"], re.M), s["l_alone"]
    assert re.search(r"^column 10: expected end of command, got '0'$",
                     s["tree_arg"], re.M), s["tree_arg"]
    assert re.search(r"^column 1: unknown command 'pcitree': HyperDbg writes "
                     r"it '!pcitree'$", s["nobang"], re.M), s["nobang"]
    assert s["help"].startswith("!pcicam bus device function [x] [l length]"
                                "\n"), s["help"]
    # The guest's own reads of configuration space still work afterwards
    # (0xCF8 put back): the ids are unchanged.
    for bdf in pci["funcs"]:
        assert pci["after"][bdf][:4] == pci["before"][bdf][:4]
