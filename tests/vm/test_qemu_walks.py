"""QEMU's `info mem` and `info tlb` walks (kmod/lib/qemu_info.c, issue 17)
over the real page tables of the test VM, checked against the guest's own
view.  On Linux each walk is tens of thousands of lines (espfix maps one
stack page at 65,536 places), minutes over the 115200-baud link, so the
same code is read here through debugfs (`info_mem`, `info_tlb`: the walks
over the reading process's tables) inside the guest, and only the lines
the checks need cross the serial line.  The layout itself is unit-tested
line by line (tests/unit/pgwalk/test_qemu_info.c).

Checked: every line used has QEMU's layout and they ascend without
overlap; the kernel's text and rodata are read-only and its data writable
(kallsyms); the espfix stacks are read-only kernel pages; every user range
lies inside the reading process's /proc/self/maps (read by the same `cat`)
with no write right the mapping lacks, and its stack is mapped; `info tlb`
gives the kernel text's physical frame that /proc/iomem names "Kernel
code", with NX clear on text and set on data.
"""
import re

from hvvm import hvgdb_loaded, kallsym

DBG = "/sys/kernel/debug/hvgdb"
MEM_LINE = re.compile(r"^([0-9a-f]{16})-([0-9a-f]{16}) ([0-9a-f]{16}) "
                      r"([u-])r([w-])$")
TLB_LINE = re.compile(r"^([0-9a-f]{16}): ([0-9a-f]{16}) ([X-][G-][P-][D-]"
                      r"[A-][C-][T-][U-][W-])$")
MAPS_LINE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) ([r-])([w-])([x-])[ps] "
                       r".*?(\S*)$")
USER_END = 0x0000800000000000
ESPFIX = (0xffffff0000000000, 0xffffff8000000000)


def test_info_mem_and_tlb_match_the_guest(vm1):
    vm = vm1
    want = {n: kallsym(vm, n) for n in
            ("_stext", "__start_rodata", "init_uts_ns")}
    # One process reads its maps, then its own walk: the same mm.
    with hvgdb_loaded(vm):
        vm.sh(f"cat /proc/self/maps {DBG}/info_mem > /tmp/im && "
              f"cat {DBG}/info_tlb > /tmp/it", timeout=600)
    # A walk that cannot finish ends with an "error" line.
    last = vm.sh("tail -n 1 /tmp/im; tail -n 1 /tmp/it").splitlines()
    assert len(last) == 2 and not any(l.startswith("error") for l in last), \
        last
    # Cut down in the guest (each pass over the 65,000 lines costs Bochs
    # 15 s or more), so only what the checks need crosses the serial line:
    # the user half, the kernel image's runs and the process's maps; how
    # many espfix runs there are and how many are read-only kernel pages;
    # the info tlb leaves that could hold each kernel address (4 KiB,
    # 2 MiB or 1 GiB).  The layout of every line is the unit tests' job;
    # each line used here must match it exactly.
    leaves = "|".join(sorted({f"{a & ~m:016x}" for a in want.values()
                              for m in (0xFFF, 0x1FFFFF, 0x3FFFFFFF)}))
    out = vm.sh(
        "grep -E '^(0000[0-7]|ffffffff[89]|[0-9a-f]+-[0-9a-f]+ [r-][w-][x-]"
        "[ps] )' /tmp/im; "
        "echo espfix $(grep -c '^ffffff[0-7]' /tmp/im) $(grep -c "
        "'^ffffff[0-7][0-9a-f]*-ffffff[0-7][0-9a-f]* [0-9a-f]* -r-$' "
        "/tmp/im); "
        f"grep -E '^({leaves}):' /tmp/it | sed 's/^/tlb /'; "
        "grep 'Kernel code' /proc/iomem", timeout=600)
    ranges, maps, esp, tlb = [], [], {}, {}
    code = None
    for line in out.splitlines():
        if m := MEM_LINE.match(line):
            ranges.append((int(m[1], 16), int(m[2], 16), m[4], m[5]))
        elif m := MAPS_LINE.match(line):
            maps.append((int(m[1], 16), int(m[2], 16), m[4], m[6]))
        elif line.startswith("espfix "):
            _, n, ro = line.split()
            esp = {"runs": int(n), "read-only": int(ro)}
        elif line.startswith("tlb "):
            m = TLB_LINE.match(line[4:])
            assert m, line
            tlb[int(m[1], 16)] = m
        elif "Kernel code" in line:
            code = int(line.split("-")[0], 16)
        else:
            raise AssertionError(f"not in QEMU's layout: {line!r}")
    user = [r for r in ranges if r[0] < USER_END]
    mem = {a: [r for r in ranges if r[0] <= a < r[1]] for a in want.values()}
    # Kernel text and rodata read-only, data writable; kernel pages.
    for name, rights in (("_stext", "-"), ("__start_rodata", "-"),
                         ("init_uts_ns", "w")):
        r = mem[want[name]]
        assert len(r) == 1, (name, out)
        assert r[0][2:] == ("-", rights), (name, r)
    # Linux maps its espfix stacks read-only (PAGE_KERNEL_RO).
    assert esp["runs"] > 0 and esp["read-only"] == esp["runs"], esp
    # The runs ascend without overlap (fixed-width hex).
    for (s0, e0, _, _), (s1, e1, _, _) in zip(ranges, ranges[1:]):
        assert e0 <= s1 < e1, (hex(s0), hex(e0), hex(s1), hex(e1))
    # The user half: inside the process's mappings, rights no wider.
    assert user and maps, out
    for start, end, u, w in user:
        assert end <= USER_END and u == "u", (hex(start), hex(end))
        a = start
        while a < end:
            vma = [v for v in maps if v[0] <= a < v[1]]
            assert vma, (hex(a), hex(start), hex(end), maps)
            if w == "w":
                assert vma[0][2] == "w", (hex(a), vma)
            a = min(vma[0][1], end)
    stack = [v for v in maps if v[3] == "[stack]"]
    assert stack and any(s < stack[0][1] and stack[0][0] < e
                         for s, e, _, _ in user), (stack, user)
    # info tlb: the frame of the kernel's text is "Kernel code"; NX is
    # clear on text and set on data; both are kernel pages.
    assert code is not None, out
    def leaf(a):
        """The info tlb line of the leaf that maps a."""
        found = [tlb[k] for k in {a & ~m for m in
                                  (0xFFF, 0x1FFFFF, 0x3FFFFFFF)} if k in tlb]
        assert len(found) == 1, (hex(a), out)
        return found[0]
    t = leaf(want["_stext"])
    va, frame, flags = int(t[1], 16), int(t[2], 16), t[3]
    assert frame + (want["_stext"] - va) == code, (t[0], hex(code))
    assert flags[0] == "-" and flags[7] == "-" and flags[8] == "-", t[0]
    d = leaf(want["init_uts_ns"])
    assert d[3][0] == "X" and d[3][7] == "-" and d[3][8] == "W", d[0]
