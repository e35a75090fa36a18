"""Memory searches in the target (issue 17): sb/sd/sq over the selected
CPU's virtual memory, !sb/!sd/!sq over physical memory, and gdb's `find`
answered by qSearch:memory with the same code, so no memory crosses the
serial line.  Checked against what the guest says: kallsyms (the kernel's
banner), /proc/iomem (RAM and the holes between), a page hvtest.ko filled
with a known pattern.  CPU-count independent: the 1-CPU VM.
"""
import re

import pytest

from hvvm import gdb, gdb_server, hvtest_page, kallsym, mark, sections

PAGE_OFFSET = 0xFFFF888000000000    # nokaslr: the direct map
KERNEL_MAP = 0xFFFFFFFF80000000     # nokaslr: kernel image at physical 0
PATTERN = 0x6876746573740000        # hvtest.ko's page: PATTERN | index
BANNER = b"Linux version "


def hexbytes(b):
    return " ".join(f"{c:02x}" for c in b)


def hits(text):
    """The addresses a search printed (HyperDbg's backtick form)."""
    return [int(a + b, 16) for a, b in
            re.findall(r"^([0-9a-f]{8})`([0-9a-f]{8})$", text, re.M)]


def iomem_ram(vm):
    out = vm.sh("cat /proc/iomem")
    return [(int(a, 16), int(b, 16) + 1) for a, b in
            re.findall(r"^([0-9a-f]+)-([0-9a-f]+) : System RAM$", out, re.M)]


def pages_not_ram(ram, lo, hi):
    """Pages of [lo, hi) not wholly inside one System RAM range."""
    n = 0
    for p in range(lo & ~0xFFF, hi, 0x1000):
        if not any(a <= p and p + 0x1000 <= b for a, b in ram):
            n += 1
    return n


@pytest.fixture(scope="module")
def session(vm1):
    vm = vm1
    page = hvtest_page(vm)
    banner = kallsym(vm, "linux_banner")
    ram = iomem_ram(vm)
    # The first hole between two RAM ranges below 1 MiB (the legacy VGA
    # and BIOS area), with a page of RAM on each side.
    low = sorted(r for r in ram if r[0] < 0x100000)
    assert len(low) >= 1 and low[0][1] < 0x100000, ram
    hole = ((low[0][1] & ~0xFFF) - 0x1000, 0x101000)
    page_va = PAGE_OFFSET + page
    want5 = PATTERN | 5
    bpage = banner & ~0xFFF
    cmds = [
        mark("sb"), f"monitor sb {bpage:x} l 2000 {hexbytes(BANNER)}",
        mark("sq"), f"monitor sq {page_va:x} {page_va + 0x1000:x} {want5:x}",
        mark("sd"), f"monitor sd {page_va:x} l 1000 {want5 & 0xffffffff:x} "
        f"{want5 >> 32:x}",
        mark("sq_phys"), f"monitor !sq {page:x} l 1000 {want5:x}",
        mark("sb_phys"), f"monitor !sb {bpage - KERNEL_MAP:x} l 2000 "
        f"{hexbytes(BANNER)}",
        mark("none"), f"monitor sq {page_va:x} l 1000 {PATTERN | 0x200:x}",
        mark("unmapped"), "monitor sb 0 l 3000 41",
        mark("holes"), f"monitor !sb {hole[0]:x} {hole[1]:x} 5a a5 5a a5 5a",
        mark("many"), f"monitor !sb {page:x} l 1000 68",
        mark("pid"), f"monitor sb {bpage:x} l 10 41 pid 1",
        mark("x"), f"x/s {banner:#x}",
        "set debug remote 1",
        mark("find"), f"find /b {bpage:#x}, +0x2000, " +
        ", ".join(f"{c:#x}" for c in BANNER),
        mark("find_page"), f"find /g {page_va:#x}, +0x1000, {want5:#x}",
        "set debug remote 0",
        "maintenance packet Qqemu.PhyMemMode:1",
        mark("find_phys"), f"find /g {page:#x}, +0x1000, {want5:#x}",
        "maintenance packet Qqemu.PhyMemMode:0",
        mark("end"),
    ]
    with gdb_server(vm):
        out = gdb(vm, *cmds)
    return {"s": sections(out), "out": out, "page": page, "banner": banner,
            "hole": hole, "ram": ram}


def test_virtual_search_finds_the_banner_and_the_pattern(session):
    s, b, page = session["s"], session["banner"], session["page"]
    assert b in hits(s["sb"]), s["sb"]
    # Every match really is the banner's start (gdb's x agrees below).
    assert "not found" not in s["sb"]
    assert BANNER.decode() in s["x"], s["x"]
    # The page holds PATTERN | i at qword i: one match, at qword 5.
    assert hits(s["sq"]) == [PAGE_OFFSET + page + 0x28], s["sq"]
    assert hits(s["sd"]) == [PAGE_OFFSET + page + 0x28], s["sd"]
    assert hits(s["none"]) == [] and "not found" in s["none"], s["none"]


def test_physical_search_agrees_with_the_virtual_one(session):
    s, b, page = session["s"], session["banner"], session["page"]
    assert hits(s["sq_phys"]) == [page + 0x28], s["sq_phys"]
    assert b - KERNEL_MAP in hits(s["sb_phys"]), s["sb_phys"]
    assert len(hits(s["sb_phys"])) == len(hits(s["sb"])), s


def test_holes_are_counted_not_searched(session):
    s = session["s"]
    assert "not found" in s["unmapped"], s["unmapped"]
    assert "0x3 pages skipped: not mapped" in s["unmapped"], s["unmapped"]
    lo, hi = session["hole"]
    n = pages_not_ram(session["ram"], lo, hi)
    assert n > 0x10, (session["ram"], lo, hi)
    assert (f"0x{n:x} pages skipped: not System RAM (device memory is not "
            "searched)") in s["holes"], s["holes"]


def test_a_long_list_of_matches_says_where_to_go_on(session):
    """0x68 ('h' of "hvtest") is in all 512 qwords of the page: the first
    0x100 matches, then where the next search starts."""
    s, page = session["s"], session["page"]
    got = hits(s["many"])
    assert len(got) == 0x100, s["many"]
    assert got[:2] == [page + 7, page + 0xf], got[:4]
    assert (f"stopped after 0x100 matches: search again from "
            f"{page + 0x7ff:x}") in s["many"], s["many"]
    assert "pid is not available yet" in s["pid"], s["pid"]


def test_gdb_find_runs_in_the_target(session):
    """gdb's find: the matches the monitor's search gives, one
    qSearch:memory packet per match and one more, no memory read."""
    s, b, page = session["s"], session["banner"], session["page"]
    found = [int(a, 16) for a in
             re.findall(r"^(0x[0-9a-f]+)(?: <[^>]*>)?$", s["find"], re.M)]
    assert found == hits(s["sb"]), s["find"]
    sent = re.findall(r"Sending packet: \$(\w)", s["find"])
    assert sent.count("q") == len(found) + 1, s["find"]
    assert "m" not in sent, s["find"]
    assert re.search(rf"^{PAGE_OFFSET + page + 0x28:#x}$", s["find_page"],
                     re.M), s["find_page"]
    assert "m" not in re.findall(r"Sending packet: \$(\w)", s["find_page"])
    # With PhyMemMode the search is physical.
    assert re.search(rf"^{page + 0x28:#x}$", s["find_phys"], re.M), \
        s["find_phys"]
