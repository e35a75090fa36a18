"""HyperDbg's interrupt-controller commands through `monitor` at a stop
(issue 17): !idt against /proc/kallsyms, !ioapic against the kernel's boot
log and /proc/interrupts, !apic on each CPU against /proc/cpuinfo and
IA32_APIC_BASE as the guest reads it, and the descriptor-table registers
($gdtr $idtr $ldtr $tr, with their limits and selectors) in gdb and in
scripts.  !apic runs on 1 and 2 CPUs (each selected thread's own APIC);
the rest on 1 CPU.
"""
import re

import pytest

from hvvm import (assert_clean_dmesg, gdb, gdb_server, kallsym, mark,
                  new_dmesg, sections, values)

APIC_BASE = 0x1B
# Linux's system vectors (arch/x86/include/asm/irq_vectors.h).
LOCAL_TIMER_VECTOR = 0xEC
ERROR_APIC_VECTOR = 0xFE
SPURIOUS_APIC_VECTOR = 0xFF

IDT_LINE = re.compile(r"^IDT\[0x([0-9a-f]+):(\d+)\] *: ([0-9a-f]{8})`"
                      r"([0-9a-f]{8})(?:     (\S+))?(.*)$")


def guest_msr(vm, cpu, msr):
    return int(vm.sh(f"/hvgdb/bin/gdb_rdmsr {cpu} {msr:#x}").strip(), 16)


def kallsyms_of(vm, names):
    """{name: address} for core-kernel names, in one grep."""
    kallsym(vm, "idt_table")        # builds /tmp/kallsyms once per boot
    pats = " ".join(f"-e ' {n}'" for n in sorted(names))
    out = vm.sh(f"grep -F {pats} /tmp/kallsyms", timeout=240)
    found = {}
    for a, n in re.findall(r"^([0-9a-f]+) \w (\S+)$", out, re.M):
        if n in names:
            found[n] = int(a, 16)
    return found


def idt_lines(text):
    """[(vector, handler, symbol or None, rest of the line)]."""
    rows = []
    for line in text.splitlines():
        m = IDT_LINE.match(line)
        assert m, f"not an !idt line: {line!r}\n{text}"
        assert int(m.group(1), 16) == int(m.group(2)), line
        rows.append((int(m.group(2)), int(m.group(3) + m.group(4), 16),
                     m.group(5), m.group(6)))
    return rows


def split_sym(sym):
    """'name+0x10' -> ('name', 0x10)."""
    name, _, off = sym.partition("+")
    return name, int(off, 16) if off else 0


@pytest.fixture(scope="module")
def session(vm1):
    vm = vm1
    facts = {
        "boot": vm.sh("dmesg | grep -E 'IOAPIC\\[[0-9]+\\]:|\\.\\.TIMER:'"),
        "interrupts": vm.sh("cat /proc/interrupts"),
        # irq: the CPUs its interrupts go to, and each CPU's APIC ID.
        "affinity": vm.sh("for i in /proc/irq/*/effective_affinity_list; "
                          "do echo $i $(cat $i); done"),
        "apicids": vm.sh("grep -E '^(processor|apicid)' /proc/cpuinfo"),
        "idt_table": kallsym(vm, "idt_table"),
    }
    cmds = [
        mark("idt"), "monitor !idt",
        mark("idt_pf"), "monitor !idt e",
        mark("idt_bad"), "monitor !idt 100",
        mark("idt_nobang"), "monitor idt",
        mark("ioapic"), "monitor !ioapic",
        mark("ioapic_extra"), "monitor !ioapic 1",
        mark("regs"), "p/x $idtr", "p/x $idtr_limit", "p/x $gdtr",
        "p/x $gdtr_limit", "p/x $ldtr", "p/x $ldtr_limit", "p/x $ldtr_sel",
        "p/x $tr", "p/x $tr_limit", "p/x $tr_sel",
        mark("inforegs"), "info registers idtr gdtr tr_sel",
        mark("script"), 'monitor ? { printf("%llx %llx %llx %llx\\n", @idtr, '
        '@gdtr, @ldtr, @tr); }',
        mark("qemu"), "monitor info registers",
        mark("setidtr"), "set $idtr = 0x1000",
        mark("idtr_after"), "p/x $idtr",
        mark("end"),
    ]
    with gdb_server(vm) as dmark:
        out = gdb(vm, *cmds)
        s = sections(out)
        idtr = int(values(s["regs"])[0], 16)
        pa = sections(gdb(vm, mark("idtr"), f"monitor !va2pa {idtr:x}",
                          mark("table"),
                          f"monitor !va2pa {facts['idt_table']:x}",
                          mark("end")))
        dmesg = new_dmesg(vm, dmark)
    rows = idt_lines(s["idt"].split("\n", 1)[1])
    names = {split_sym(sym)[0] for _, _, sym, _ in rows if sym}
    facts["ksyms"] = kallsyms_of(vm, names | {"irq_entries_start",
                                              "asm_exc_page_fault"})
    return {"out": out, "s": s, "rows": rows, "pa": pa, "dmesg": dmesg,
            **facts}


def test_idt_lists_256_vectors_with_kallsyms_symbols(vm1, session):
    s, rows, ks = session["s"], session["rows"], session["ksyms"]
    assert s["idt"].splitlines()[0] == "IDT Entries:", session["out"]
    assert [r[0] for r in rows] == list(range(256)), session["out"]
    # Every symbol shown is where /proc/kallsyms puts it.
    named = [r for r in rows if r[2]]
    assert len(named) == 256, session["out"]
    for v, handler, sym, rest in named:
        name, off = split_sym(sym)
        assert name in ks, (sym, sorted(ks))
        assert ks[name] + off == handler, (v, sym, hex(handler))
        assert rest == "", (v, rest)     # present gates, as at load
    # #PF, the APIC timer, error and spurious vectors: their handlers.
    by_v = {r[0]: r for r in rows}
    assert by_v[0xE][2] == "asm_exc_page_fault"
    assert by_v[0xE][1] == ks["asm_exc_page_fault"]
    assert by_v[0][2] == "asm_exc_divide_error"
    assert by_v[LOCAL_TIMER_VECTOR][2] == "asm_sysvec_apic_timer_interrupt"
    assert by_v[SPURIOUS_APIC_VECTOR][2] == \
        "asm_sysvec_spurious_apic_interrupt"
    # External vectors: the kernel's stubs from irq_entries_start on (the
    # first, 0x20, is the IRQ move cleanup vector).
    stubs = [r for r in rows if r[2].startswith("irq_entries_start")]
    assert stubs and stubs[0][0] == 0x21, session["out"]
    assert by_v[0x20][2] == "asm_sysvec_irq_move_cleanup"
    step = (stubs[1][1] - stubs[0][1]) // (stubs[1][0] - stubs[0][0])
    assert step in (8, 16), stubs[:2]
    for v, handler, _, _ in stubs:
        assert handler == ks["irq_entries_start"] + step * (v - 0x20)


def test_idt_one_vector_and_errors(vm1, session):
    s, ks = session["s"], session["ksyms"]
    pf = f"{ks['asm_exc_page_fault']:016x}"
    assert s["idt_pf"] == (f"IDT[0xe:14]     : {pf[:8]}`{pf[8:]}     "
                           "asm_exc_page_fault"), session["out"]
    assert re.search(r"column 6: expected an IDT vector \(hex\) in "
                     r"0x0\.\.0xff", s["idt_bad"]), s["idt_bad"]
    assert "HyperDbg writes it '!idt'" in s["idt_nobang"], s["idt_nobang"]
    assert_clean_dmesg(session["dmesg"])


def test_idtr_register_is_the_idt_idt_uses(vm1, session):
    s = session["s"]
    v = [int(x, 16) for x in values(s["regs"])]
    idtr, idtr_limit, gdtr, gdtr_limit, ldtr, ldtr_limit, ldtr_sel, tr, \
        tr_limit, tr_sel = v
    # Linux maps idt_table read-only in the CPU entry area and loads that
    # address: a different address, the same page (nokaslr).
    pa = session["pa"]
    assert pa["idtr"].strip() == pa["table"].strip(), pa
    assert idtr != session["idt_table"]
    assert idtr_limit == 256 * 16 - 1
    # The same values QEMU's layout and the script registers show.
    q = s["qemu"]
    assert re.search(rf"^IDT=\s+{idtr:016x} {idtr_limit:08x}$", q, re.M), q
    assert re.search(rf"^GDT=\s+{gdtr:016x} {gdtr_limit:08x}$", q, re.M), q
    assert re.search(rf"^TR =({tr_sel:04x}) {tr:016x} {tr_limit:08x}", q,
                     re.M), q
    assert re.search(rf"^LDT=({ldtr_sel:04x}) {ldtr:016x} "
                     rf"{ldtr_limit:08x}", q, re.M), q
    # x86-64 Linux: a 64-bit TSS in the GDT, no LDT for the kernel.
    assert tr_sel and tr_sel & 7 == 0 and tr_limit >= 0x67
    assert ldtr_sel == 0
    assert s["script"].strip() == f"{idtr:x} {gdtr:x} {ldtr:x} {tr:x}"
    # gdb's info registers by name.
    info = s["inforegs"]
    assert re.search(rf"^idtr\s+0x{idtr:x}\s", info, re.M), info
    assert re.search(rf"^gdtr\s+0x{gdtr:x}\s", info, re.M), info
    assert re.search(rf"^tr_sel\s+0x{tr_sel:x}\s", info, re.M), info
    # Read-only: a write is refused and the value stays.
    assert "Could not" in s["setidtr"] or "E16" in s["setidtr"] or \
        "rror" in s["setidtr"], s["setidtr"]
    assert int(values(s["idtr_after"])[0], 16) == idtr


def ioapic_rows(text):
    head = re.match(r"^IoApic @ ([0-9a-f]+)  ID:([0-9a-f]+) \(([0-9a-f]+)\)"
                    r"  Arb:([0-9a-f]+)  GSI:([0-9a-f]+)-([0-9a-f]+)$",
                    text.splitlines()[0])
    assert head, text
    pins = {}
    for line in text.splitlines()[1:]:
        m = re.match(r"^Inti([0-9A-F]{2})\.: ([0-9a-f]{8})`([0-9a-f]{8})  "
                     r"Vec:([0-9A-F]{2})  (\S+) +(Phys|Log)Dest:([0-9A-F]{2})"
                     r"       (edge |level)  (high|low)(.*)$", line)
        assert m, line
        e = int(m.group(2) + m.group(3), 16)
        pins[int(m.group(1), 16)] = {
            "entry": e, "vector": int(m.group(4), 16), "dm": m.group(5),
            "dest": int(m.group(7), 16), "dest_mode": m.group(6),
            "trigger": m.group(8).strip(),
            "masked": "masked" in m.group(10)}
        # The decoding agrees with the raw entry.
        assert (e & 0xff) == int(m.group(4), 16), line
        assert bool(e & 0x10000) == ("masked" in m.group(10)), line
        assert bool(e & 0x8000) == (m.group(8) == "level"), line
    return head, pins


def test_ioapic_matches_the_kernel(vm1, session):
    s = session["s"]
    head, pins = ioapic_rows(s["ioapic"])
    # IOAPIC[0]: apic_id 2, version 17, address 0xfec00000, GSI 0-23
    m = re.search(r"IOAPIC\[0\]: apic_id (\d+), version (\d+), address "
                  r"0x([0-9a-f]+), GSI (\d+)-(\d+)", session["boot"])
    assert m, session["boot"]
    assert int(head.group(1), 16) == int(m.group(3), 16)
    assert int(head.group(2), 16) == int(m.group(1))
    assert int(head.group(3), 16) == int(m.group(2))
    assert int(head.group(5), 16) == int(m.group(4))
    assert int(head.group(6), 16) == int(m.group(5))
    assert sorted(pins) == list(range(int(m.group(5)) - int(m.group(4)) + 1))
    # /proc/interrupts: "  4:  ...  IO-APIC   4-edge      ttyS0".  Each
    # pin the kernel uses is unmasked with its trigger mode (fasteoi is
    # level-triggered) and a vector whose IDT entry is an external-vector
    # stub; the pins it does not list are masked.
    irqs = re.findall(r"^\s*(\d+):.*IO-APIC\s+(\d+)-(edge|fasteoi)",
                      session["interrupts"], re.M)
    used = {int(p): t for _, p, t in irqs}
    irq_of = {int(p): int(i) for i, p, _ in irqs}
    assert used, session["interrupts"]
    aff = {int(i): [int(c) for c in re.split(r"[,-]", cpus)]
           for i, cpus in re.findall(r"^/proc/irq/(\d+)/\S+ (\S+)$",
                                     session["affinity"], re.M)}
    procs = re.findall(r"^processor\s*: (\d+)$", session["apicids"], re.M)
    ids = re.findall(r"^apicid\s*: (\d+)$", session["apicids"], re.M)
    apicid = {int(p): int(a) for p, a in zip(procs, ids)}
    assert apicid, session["apicids"]
    rows = {r[0]: r for r in session["rows"]}
    for pin, e in pins.items():
        if pin not in used:
            assert e["masked"], (pin, e)
            continue
        # The timer pin may be masked once the LAPIC timer takes over.
        if e["masked"]:
            continue
        assert e["trigger"] == ("level" if used[pin] == "fasteoi" else
                                "edge"), (pin, e)
        assert e["dm"] == "FixedDel", (pin, e)
        assert rows[e["vector"]][2].startswith("irq_entries_start"), \
            (pin, e, rows[e["vector"]])
        # The destination: the CPU the kernel routes the IRQ to
        # (/proc/irq/N/effective_affinity_list), by its APIC ID in
        # physical mode, in logical (flat) mode as the bit Linux gives
        # that CPU in its logical ID (1 << CPU number).
        cpus = aff[irq_of[pin]]
        assert len(cpus) == 1, (pin, cpus)
        want = apicid[cpus[0]]
        if e["dest_mode"] == "Log":
            want = 1 << cpus[0]
        assert e["dest"] == want, (pin, e, cpus, apicid)
    unmasked = [p for p, e in pins.items() if not e["masked"]]
    assert set(unmasked) <= set(used), (unmasked, used)
    assert len(unmasked) >= len(used) - 1, (unmasked, used)
    # "..TIMER: vector=0x30 apic1=0 pin1=2": the timer pin's vector.
    t = re.search(r"\.\.TIMER: vector=0x([0-9a-f]+) apic1=0 pin1=(\d+)",
                  session["boot"])
    if t and not pins[int(t.group(2))]["masked"]:
        assert pins[int(t.group(2))]["vector"] == int(t.group(1), 16)
    assert "column 9: expected end of command" in s["ioapic_extra"], \
        s["ioapic_extra"]


# ------------------------------------------------------------ !apic, per CPU

APIC_HEAD = re.compile(
    r"^\*\*\*  \((X2APIC|XAPIC) Mode\) PHYSICAL LAPIC ID = (\d+), Ver = "
    r"0x([0-9a-f]+), MaxLvtEntry = (\d+), DirectedEOI = P([01])/E([01]), "
    r"\(SW: '(Enabled|Disabled)'\)$")


def apic_regs(text):
    return {k: int(v, 16) for k, v in
            re.findall(r"(\w+) *= 0x([0-9a-f]+)", text)}


@pytest.fixture(scope="module")
def apic_session(vm):
    cpuinfo = vm.sh("grep -E '^(processor|apicid|initial apicid)' "
                    "/proc/cpuinfo")
    ids = {}
    cur = None
    for k, v in re.findall(r"^(processor|apicid|initial apicid)\s*: (\d+)",
                           cpuinfo, re.M):
        if k == "processor":
            cur = int(v)
            ids[cur] = {}
        else:
            ids[cur][k] = int(v)
    base = [guest_msr(vm, c, APIC_BASE) for c in range(vm.cpus)]
    cmds = []
    for c in range(vm.cpus):
        cmds += [mark(f"t{c}"), f"thread {c + 1}", mark(f"apic{c}"),
                 "monitor !apic"]
    cmds += [mark("idt"), "monitor !idt ec", mark("end")]
    with gdb_server(vm) as dmark:
        out = gdb(vm, *cmds)
        dmesg = new_dmesg(vm, dmark)
    return {"out": out, "s": sections(out), "ids": ids, "base": base,
            "dmesg": dmesg}


def test_apic_of_each_cpu_matches_the_guest(vm, apic_session):
    a = apic_session
    s = a["s"]
    timer = kallsym(vm, "asm_sysvec_apic_timer_interrupt")
    for c in range(vm.cpus):
        text = s[f"apic{c}"]
        lines = text.splitlines()
        m = APIC_HEAD.match(lines[0])
        assert m, a["out"]
        mode, apic_id = m.group(1), int(m.group(2))
        base = a["base"][c]
        # The mode as IA32_APIC_BASE says (EXTD, bit 10), on that CPU.
        assert mode == ("X2APIC" if base & 0x400 else "XAPIC"), (c, text)
        assert f"IA32_APIC_BASE = {base:#x}" in text, (c, text)
        assert ("(BSP)" in text) == bool(base & 0x100), (c, text)
        if mode == "XAPIC":
            assert f"MMIO at {base & ~0xfff:#x}" in text, text
        # The APIC ID the guest sees for that CPU.
        assert apic_id == a["ids"][c]["apicid"], (c, text, a["ids"])
        assert apic_id == a["ids"][c]["initial apicid"], (c, a["ids"])
        r = apic_regs(text)
        # Linux enabled it in the SVR with its spurious vector, and the
        # timer and error LVTs carry its vectors.
        assert m.group(7) == "Enabled"
        assert r["SVR"] & 0xff == SPURIOUS_APIC_VECTOR, text
        assert r["LVT_TMR"] & 0xff == LOCAL_TIMER_VECTOR, text
        assert r["LVT_ERR"] & 0xff == ERROR_APIC_VECTOR, text
        ver = int(m.group(3), 16)
        assert (ver >> 16) & 0xff == int(m.group(4)), text
        # An integrated APIC (0x10-0x15, SDM 11.4.8).
        assert 0x10 <= ver & 0xff <= 0x15, text
        assert re.search(r"^ISR :.*\nTMR :.*\nIRR :.*$", text, re.M), text
    # The timer LVT's vector is the kernel's APIC timer entry.
    pf = f"{timer:016x}"
    assert a["s"]["idt"] == (f"IDT[0xec:236]   : {pf[:8]}`{pf[8:]}     "
                             "asm_sysvec_apic_timer_interrupt"), a["out"]
    assert_clean_dmesg(a["dmesg"])
