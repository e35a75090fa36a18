"""HyperDbg's inspection commands through `monitor` at a stop (issue 17):
rdmsr and wrmsr on each CPU, !va2pa, !pa2va, !pte and physical memory
(!db/!dc/!dd/!dq, !eb/!ed/!eq), each checked against the guest's own view:
/dev/cpu/N/msr, /proc/iomem, kallsyms, a page the test module filled with
a known pattern.  Run on 1 and on 2 CPUs, gdb in batch mode.
"""
import re

import pytest

from hvvm import (DBG, assert_clean_dmesg, ensure_hvtest, gdb, gdb_server,
                  kallsym, mark, new_dmesg, sections)

MSR_KO = "/hvgdb/msr.ko"
TSC_AUX = 0xC0000103        # Linux keeps the CPU number in it (RDTSCP)
APIC_BASE = 0x1B            # bit 8: the bootstrap processor
PAGE_OFFSET = 0xFFFF888000000000    # nokaslr: the direct map
PATTERN = 0x6876746573740000        # hvtest.ko's page: PATTERN | index


def guest_msr(vm, cpu, msr):
    return int(vm.sh(f"/hvgdb/bin/gdb_rdmsr {cpu} {msr:#x}").strip(), 16)


def tick(v):
    """HyperDbg's 64-bit form: 00000000`00000001 (addresses, MSRs)."""
    return f"{v >> 32:08x}`{v & 0xffffffff:08x}"


def qword(v):
    """A qword of !dq: the same in upper case."""
    return tick(v).upper()


def session_ram_end(vm):
    """The last 16 bytes of the first System RAM range above 1 MiB, so
    that a 32-byte read runs past its end."""
    out = vm.sh("cat /proc/iomem")
    for a, b in re.findall(r"^([0-9a-f]+)-([0-9a-f]+) : System RAM$", out,
                           re.M):
        if int(a, 16) >= 0x100000:
            return int(b, 16) + 1 - 0x10
    raise AssertionError("no System RAM above 1 MiB:\n" + out)


def iomem_kernel(vm):
    """The Kernel code/rodata/data/bss ranges of /proc/iomem."""
    out = vm.sh("cat /proc/iomem")
    return [(int(a, 16), int(b, 16)) for a, b in
            re.findall(r"^\s*([0-9a-f]+)-([0-9a-f]+) : Kernel \w+$", out,
                       re.M)]


@pytest.fixture(scope="module")
def session(vm):
    """One gdb session with every command, and the guest's view around
    it."""
    vm.exec(f"insmod {MSR_KO}")
    ensure_hvtest(vm)
    page = int(re.search(r"page pa=(0x[0-9a-f]+)",
                         vm.sh("echo alloc > /proc/hvtest; "
                               "cat /proc/hvtest")).group(1), 16)
    last = vm.cpus - 1
    facts = {
        "page": page, "last": last,
        "banner": kallsym(vm, "linux_banner"),
        "aux": [guest_msr(vm, c, TSC_AUX) for c in range(vm.cpus)],
        "apic": [guest_msr(vm, c, APIC_BASE) for c in range(vm.cpus)],
        "kernel": iomem_kernel(vm),
        "boot": vm.sh("dmesg | grep -E 'hpet0:|IOAPIC\\[0\\]'"),
        "version": vm.sh("cat /proc/version").strip(),
        # The VMX capability MSRs as the guest reads them without hvgdb.
        "vmx": {i: guest_msr(vm, 0, i) for i in (0x3A, 0x480, 0x485, 0x48C)},
    }
    b = facts["banner"]
    cmds = [
        mark("rdall"), f"monitor rdmsr {TSC_AUX:x}",
        mark("rdone"), f"monitor rdmsr {APIC_BASE:x} core {last:x}",
        mark("rdbad"), "monitor rdmsr 12345678",
        mark("rdcore"), f"monitor rdmsr {APIC_BASE:x} core 7",
        mark("va2pa"), f"monitor !va2pa {b:x}",
        mark("pa2va"), f"monitor !pa2va {page:x}",
        mark("pte"), f"monitor !pte {b:x}",
        mark("db"), f"monitor !db {page:x} l 20",
        mark("dq"), f"monitor !dq {page:x} l 10",
        mark("dd"), f"monitor !dd {page + 8:x} l 8",
        mark("eq"), f"monitor !eq {page + 0x80:x} 1122334455667788 "
        "99aabbccddeeff00",
        mark("eb"), f"monitor !eb {page + 0x90:x} de ad be ef",
        mark("after"), f"monitor !dq {page + 0x80:x} l 18",
        mark("viagdb"), f"x/2gx {PAGE_OFFSET + page + 0x80:#x}",
        mark("unaligned"), f"monitor !ed {page + 0x82:x} 1",
        mark("hpet"), "monitor !dq fed00000 l 8",
        mark("ioapic_sel"), "monitor !ed fec00000 1",
        mark("ioapic"), "monitor !dd fec00010 l 4",
        mark("mixed"), f"monitor !db {session_ram_end(vm):x} l 20",
        mark("mmio_unaligned"), "monitor !dd fed00002 l 4",
        mark("pidref"), f"monitor !va2pa {b:x} pid 1",
        mark("wr"), f"monitor wrmsr {TSC_AUX:x} 77 core {last:x}",
        mark("wrback"), f"monitor rdmsr {TSC_AUX:x} core {last:x}",
        mark("wrbad"), "monitor wrmsr 12345678 1",
        mark("phys_on"), "maintenance packet Qqemu.PhyMemMode:1",
        mark("phys_banner"), f"x/s {b - 0xFFFFFFFF80000000:#x}",
        mark("phys_hpet"), "x/2xw 0xfed00000",
        mark("phys_off"), "maintenance packet Qqemu.PhyMemMode:0",
        mark("virt_banner"), f"x/s {b:#x}",
        mark("sstepbits"), "maintenance packet Qqemu.sstepbits",
        mark("sstep_set"), "maintenance packet Qqemu.sstep=1",
        mark("sstep"), "maintenance packet qqemu.sstep",
        mark("info"), "monitor info version",
        mark("inforegs"), "monitor info registers",
        mark("pc"), "p/x $pc", "p/x $cr3",
        mark("cpu"), "monitor cpu",
        mark("cpu_bad"), "monitor cpu 1",
        mark("end"),
    ]
    with gdb_server(vm) as dmark:
        facts["caps"] = vm.sh(f"cat {DBG}/caps")
        out = gdb(vm, *cmds)
        # The IDT QEMU's layout shows is the kernel's idt_table (Linux
        # maps it read-only in the CPU entry area): the same page.
        idt = re.search(r"^IDT=\s+([0-9a-f]{16})\s+([0-9a-f]{8})$", out,
                        re.M)
        assert idt, out
        facts["idt"] = (int(idt.group(1), 16), int(idt.group(2), 16))
        facts["idt_pa"] = sections(gdb(
            vm, mark("fix"), f"monitor !va2pa {facts['idt'][0]:x}",
            mark("table"), f"monitor !va2pa {kallsym(vm, 'idt_table'):x}",
            mark("end")))
        facts["aux_after"] = guest_msr(vm, last, TSC_AUX)
        # Put the CPU number back, and see that the guest sees it.
        gdb(vm, f"monitor wrmsr {TSC_AUX:x} {facts['aux'][last]:x} core "
            f"{last:x}")
        facts["aux_restored"] = guest_msr(vm, last, TSC_AUX)
        touch = vm.sh("echo touch > /proc/hvtest; cat /proc/hvtest")
        dmesg = new_dmesg(vm, dmark)
    return {"out": out, "s": sections(out), "touch": touch, "dmesg": dmesg,
            **facts}


def test_rdmsr_reads_every_cpu_as_the_guest_does(vm, session):
    s = session["s"]
    lines = re.findall(r"^core : (0x[0-9a-f]+) - msr\[c0000103\] = "
                       r"([0-9a-f]{8})`([0-9a-f]{8})$", s["rdall"], re.M)
    assert [int(c, 16) for c, _, _ in lines] == list(range(vm.cpus)), \
        session["out"]
    assert [int(h + l, 16) for _, h, l in lines] == session["aux"]
    last = session["last"]
    assert s["rdone"] == (f"core : {last:#x} - msr[1b] = "
                          f"{tick(session['apic'][last])}"), session["out"]
    # Bit 8 of APIC_BASE: only CPU 0 is the bootstrap processor.
    assert [bool(v & 0x100) for v in session["apic"]] == \
        [c == 0 for c in range(vm.cpus)]


def test_msr_errors_leave_the_system_alone(vm, session):
    s = session["s"]
    assert re.search(r"rdmsr 12345678 on core 0x0: the access faults",
                     s["rdbad"]), session["out"]
    assert re.search(r"^column \d+: core 0x7 is not online", s["rdcore"],
                     re.M), session["out"]
    assert re.search(r"wrmsr 12345678: reading it on core 0x0 first: the "
                     r"access faults .*; nothing written", s["wrbad"]), \
        session["out"]
    assert_clean_dmesg(session["dmesg"])


def test_wrmsr_writes_the_named_cpu(vm, session):
    s = session["s"]
    last = session["last"]
    assert s["wr"] == "", session["out"]
    assert s["wrback"] == f"core : {last:#x} - msr[c0000103] = {tick(0x77)}"
    assert session["aux_after"] == 0x77
    assert session["aux_restored"] == session["aux"][last]


def test_va2pa_pa2va_and_pte_agree_with_the_kernel(vm, session):
    s = session["s"]
    pa = int(s["va2pa"].strip(), 16)
    assert any(a <= pa <= b for a, b in session["kernel"]), \
        (hex(pa), session["kernel"])
    # nokaslr, the kernel at its link address: va - __START_KERNEL_map.
    assert pa == session["banner"] - 0xFFFFFFFF80000000
    assert int(s["pa2va"].strip(), 16) == PAGE_OFFSET + session["page"]
    pte = s["pte"].splitlines()
    assert pte[0] == f"VA {session['banner']:x}", s["pte"]
    assert pte[1].startswith("PML4E (PXE) at "), s["pte"]
    assert pte[2].startswith("PDPTE (PPE) at "), s["pte"]
    assert pte[3].startswith("PDE at "), s["pte"]
    # Each entry lives in the direct map and points at the next table.
    for line in pte[1:]:
        m = re.match(r"^\S+(?: \(\w+\))? at ([0-9a-f]+) contains "
                     r"([0-9a-f]{16})", line)
        if m:
            assert int(m.group(1), 16) >= PAGE_OFFSET, line
            assert int(m.group(2), 16) & 1, line  # present
    # The leaf maps the banner's page.
    leaf = [l for l in pte if re.match(r"^(PDE|PTE) at ", l)][-1]
    entry = int(re.search(r"contains ([0-9a-f]{16})", leaf).group(1), 16)
    size = 0x200000 if leaf.startswith("PDE") else 0x1000
    assert entry & 0x000FFFFFFFFFF000 & ~(size - 1) == pa & ~(size - 1)
    if size == 0x200000:
        assert pte[-1] == "PDE is a large page, so it doesn't have a PTE"


def test_physical_dumps_show_the_pattern(vm, session):
    s, page = session["s"], session["page"]
    db = s["db"].splitlines()
    # Bytes of PATTERN | 0 and | 1, little-endian, then the text column.
    assert db[0] == (f"{tick(page)}  00 00 74 73 65 74 76 68 01 00 74 73 "
                     "65 74 76 68  ..tsetvh..tsetvh"), s["db"]
    assert len(db) == 2 and db[1].startswith(tick(page + 0x10))
    assert s["dq"] == (f"{tick(page)}  {qword(PATTERN)} "
                       f"{qword(PATTERN | 1)}"), s["dq"]
    assert s["dd"] == f"{tick(page + 8)}  73740001 68767465", s["dd"]


def test_physical_edits_land_and_are_checked(vm, session):
    s, page = session["s"], session["page"]
    assert s["eq"] == "" and s["eb"] == "", session["out"]
    after = s["after"].splitlines()
    assert after[0] == (f"{tick(page + 0x80)}  {qword(0x1122334455667788)} "
                        f"{qword(0x99aabbccddeeff00)}"), s["after"]
    # !eb de ad be ef: four bytes, the rest of the qword untouched.
    edited = (PATTERN | 0x12) & ~0xFFFFFFFF | 0xEFBEADDE
    assert after[1] == f"{tick(page + 0x90)}  {qword(edited)}", s["after"]
    # gdb's own memory read (page walk of the direct map) sees the edit.
    assert re.search(r":\s+0x1122334455667788\s+0x99aabbccddeeff00",
                     s["viagdb"]), s["viagdb"]
    assert re.search(r"unaligned", s["unaligned"]), s["unaligned"]
    assert re.search(r"is partly System RAM", s["mixed"]), s["mixed"]
    assert re.search(r"^column \d+: pid ", s["pidref"], re.M), s["pidref"]
    # The module's own check of its page still passes elsewhere.
    assert "touch ok" in session["touch"]


def test_device_memory_reads_and_writes_uncached(vm, session):
    """MMIO through the uncached window: the HPET's capabilities register
    and the I/O APIC's version register (selected by a write to its index
    register) say what the kernel found at boot."""
    s, boot = session["s"], session["boot"]
    m = re.search(r"hpet0: (\d+) comparators, 64-bit ([\d.]+) MHz counter",
                  boot)
    assert m, boot
    q = re.match(r"^00000000`fed00000  ([0-9A-F]{8})`([0-9A-F]{8})$",
                 s["hpet"])
    assert q, s["hpet"]
    cap = int(q.group(1) + q.group(2), 16)
    period_fs = cap >> 32
    assert f"{1e9 / period_fs:.6f}" == m.group(2), (hex(cap), boot)
    assert ((cap >> 8) & 0x1F) + 1 == int(m.group(1)), (hex(cap), boot)
    assert s["ioapic_sel"] == "", session["out"]
    m = re.search(r"IOAPIC\[0\]: apic_id \d+, version (\d+), address "
                  r"0xfec00000, GSI 0-(\d+)", boot)
    assert m, boot
    d = re.match(r"^00000000`fec00010  ([0-9A-F]{8})$", s["ioapic"])
    assert d, s["ioapic"]
    ver = int(d.group(1), 16)
    assert ver & 0xFF == int(m.group(1)), (hex(ver), boot)
    assert (ver >> 16) & 0xFF == int(m.group(2)), (hex(ver), boot)
    assert re.search(r"fed00002: device memory is accessed in aligned "
                     r"units of 4 bytes", s["mmio_unaligned"]), \
        s["mmio_unaligned"]


def test_qemu_phymemmode_and_step_flags(vm, session):
    """QEMU's dialect on hvgdb.ko: with PhyMemMode on, gdb's x reads
    physical memory (the banner at its physical address, the HPET's
    registers); off again, virtual.  The step flags stay at QEMU's default
    0x7, the one way hvgdb.ko steps: another value is refused."""
    s = session["s"]
    assert 'received: "OK"' in s["phys_on"], s["phys_on"]
    assert session["version"][:40] in s["phys_banner"], s["phys_banner"]
    w = re.search(r"0xfed00000:\s+0x([0-9a-f]{8})\s+0x([0-9a-f]{8})",
                  s["phys_hpet"])
    assert w, s["phys_hpet"]
    assert s["hpet"].endswith(f"{w.group(2).upper()}`{w.group(1).upper()}")
    assert 'received: "OK"' in s["phys_off"], s["phys_off"]
    assert session["version"][:40] in s["virt_banner"], s["virt_banner"]
    assert 'received: "ENABLE=1,NOIRQ=2,NOTIMER=4"' in s["sstepbits"]
    assert 'received: "E22"' in s["sstep_set"], s["sstep_set"]
    assert 'received: "0x7"' in s["sstep"], s["sstep"]
    # Linux's scripts/gdb recognises QEMU by an answer to this.
    assert s["info"].startswith("hvgdb: VT-x debugger for Linux"), s["info"]


def test_cpu_decodes_the_vmx_msrs_hvgdb_found(vm, session):
    """`cpu`: each capability MSR with the value the guest reads without
    hvgdb, and the features hvgdb's load decoded (debugfs caps) shown with
    what they do for it."""
    s, caps = session["s"], session["caps"]
    names = {0x3A: "IA32_FEATURE_CONTROL", 0x480: "IA32_VMX_BASIC",
             0x485: "IA32_VMX_MISC", 0x48C: "IA32_VMX_EPT_VPID_CAP"}
    for idx, name in names.items():
        want = f"{name} ({idx:#x}) = {session['vmx'][idx]:#018x}"
        assert re.search("^" + re.escape(want) + "$", s["cpu"], re.M), \
            (want, s["cpu"])

    def cap(name):
        return re.search(rf"^{name} (yes|no)$", caps, re.M).group(1) == "yes"

    timer = re.search(r"^  \[6\] activate VMX-preemption timer: (.*)$",
                      s["cpu"], re.M).group(1)
    assert timer.startswith("may be 0 or 1") == cap("preemption_timer")
    mtf = re.search(r"^  \[27\] monitor trap flag: (.*)$", s["cpu"],
                    re.M).group(1)
    assert mtf.startswith("must be 0") == (not cap("mtf")), mtf
    if not cap("mtf"):
        assert "RFLAGS.TF" in mtf, mtf
    assert re.search(r"^column 5: expected end of command, got '1'",
                     s["cpu_bad"], re.M), s["cpu_bad"]


def test_info_registers_in_qemu_layout(vm, session):
    """QEMU's `info registers` on the selected CPU: the layout pwndbg and
    people read, with values gdb agrees with, and an IDT that is the
    kernel's idt_table."""
    s = session["s"]
    regs = s["inforegs"]
    lines = regs.splitlines()
    assert re.match(r"^RAX=[0-9a-f]{16} RBX=[0-9a-f]{16} RCX=[0-9a-f]{16} "
                    r"RDX=[0-9a-f]{16}$", lines[0]), regs
    rip = re.search(r"^RIP=([0-9a-f]{16}) RFL=([0-9a-f]{8}) \[[-DOSZAPC]{7}\] "
                    r"CPL=([03]) II=[01] A20=1 SMM=0 HLT=[01]$", regs, re.M)
    assert rip, regs
    # The CPU may have been in the kernel (most likely) or in user mode.
    cs = ("0010 0{16} ffffffff 00a09b00 DPL=0" if rip.group(3) == "0" else
          "0033 0{16} ffffffff 00a0fb00 DPL=3")
    pc, cr3 = re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", s["pc"], re.M)
    assert int(rip.group(1), 16) == int(pc, 16)
    assert re.search(rf"CR3={int(cr3, 16):016x} ", regs), regs
    assert re.search(rf"^CS ={cs} CS64 \[-RA\]$", regs, re.M), regs
    assert re.search(r"^TR =0040 [0-9a-f]{16} [0-9a-f]{8} 00008b00 DPL=0 "
                     r"TSS64-busy$", regs, re.M), regs
    assert re.search(r"^EFER=0000000000000d01$", regs, re.M), regs
    # 256 gates of 16 bytes; the page behind the base is idt_table's.
    assert session["idt"][1] == 0xFFF
    fix = int(session["idt_pa"]["fix"].strip(), 16)
    table = int(session["idt_pa"]["table"].strip(), 16)
    assert fix == table, session["idt_pa"]
