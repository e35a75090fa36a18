"""gdb's `monitor` inside hvgdb.ko (issues 6 and 7, module side): HyperDbg
commands reach the module's command language, `? {script}` and `print`
evaluate on the CPU of gdb's selected thread, errors come back readable
with their column, nothing half-applied.  One gdb session per VM; run on
1 and on 2 CPUs.
"""
import re

import pytest

from hvvm import (BAD_DMESG, gdb, hvgdb_loaded, kallsym, mark, new_dmesg,
                  sections)


@pytest.fixture(scope="module")
def session(vm):
    """One gdb session with every check's command, split by markers."""
    banner = kallsym(vm, "linux_banner")
    # The kernel's IDT descriptor (arch/x86/kernel/idt.c): every CPU
    # loads it with LIDT, .address at offset 2 of the packed desc_ptr.
    idt_descr = kallsym(vm, "idt_descr")
    with hvgdb_loaded(vm) as dmark:
        cmds = [
            mark("pc"), "p/x $pc",
            mark("rip"), 'monitor ? { printf("%llx\\n", @rip); }',
            # gdb keeps its register cache across `monitor`: flush it.
            mark("setrax"), "monitor ? { .saved = @rax; @rax = 0x1234; }",
            "maint flush register-cache", "p/x $rax",
            mark("restore"), "monitor ? { @rax = .saved; }",
            "monitor print .saved", "maint flush register-cache",
            "p/x $rax",
            mark("add"), "monitor print 1+2",
            mark("dec"), "monitor print 0n10 * 3",
            mark("poi"), f"monitor print poi({banner:#x})",
            f"x/gx {banner:#x}",
            mark("str"), f'monitor ? {{ printf("%s\\n", {banner:#x}); }}',
            mark("comm"), 'monitor ? { printf("[%s]\\n", $pname); }',
            mark("badmem"), "monitor print poi(0x10)",
            mark("compile"), "monitor ? { x = 1 +; }",
            mark("multi"), "monitor ? { for (i = 0; i < 3; i++) "
                           '{ printf("%d", i); } printf("\\n"); }',
            mark("help"), "monitor .help",
            mark("helpq"), "monitor help print",
            mark("parse"), "monitor !msrread pid 1 pid 2",
            mark("exc"), "monitor !exception 20",
            mark("events"), "monitor events",
            # The connect stop may be on any CPU: select CPU 0 first.
            mark("sel1"), "thread 1", mark("core1"), "monitor print $core",
            # Descriptor-table registers of CPU 0 at the stop (see
            # test_descriptor_table_registers): IDTR's base and gate 0xe,
            # gdb's own read of the kernel's idt_descr, GDTR's base and
            # its kernel CS (0x10) and TSS (0x40) descriptors, TR's base.
            mark("idtr"), 'monitor ? { printf("%llx %llx %llx\\n", @idtr, '
                          "poi(@idtr + 0xe0), poi(@idtr + 0xe8)); }",
            mark("idtdescr"), f"x/gx {idt_descr + 2:#x}",
            mark("gdtr"), 'monitor ? { printf("%llx %llx %llx %llx %llx'
                          '\\n", @gdtr, poi(@gdtr + 0x10), '
                          "poi(@gdtr + 0x40), poi(@gdtr + 0x48), @tr); }",
            # Forms the command parser now owns (monitor-cmds/).
            mark("helpask"), "monitor help ?",
            mark("noscript"), "monitor ?",
            mark("output"), "monitor !cpuid output {log}",
            mark("prescript"), "monitor prealloc script 201",
            mark("events2"), "monitor events",
        ]
        if vm.cpus > 1:
            cmds += [mark("switch"), "thread 2", mark("core2"), "monitor print $core",
                     'monitor ? { printf("%llx\\n", @rip); }', "p/x $pc",
                     mark("back"), "thread 1"]
        out = gdb(vm, *(cmds + [mark("end")]))
        version = vm.sh("cat /proc/version")
        yield {"s": sections(out), "out": out, "version": version,
               "dmesg": "\n".join(new_dmesg(vm, dmark))}


def test_script_reads_the_selected_cpu(session):
    s = session["s"]
    pc = int(re.search(r"\$\d+ = (0x[0-9a-f]+)", s["pc"]).group(1), 16)
    assert int(s["rip"].strip(), 16) == pc, session["out"]


def test_script_writes_a_register_gdb_then_sees(session):
    s = session["s"]
    assert re.search(r"\$\d+ = 0x1234$", s["setrax"], re.M), session["out"]
    lines = s["restore"].splitlines()
    saved = int(lines[0], 16)
    assert int(lines[1].split("=")[1], 16) == saved, session["out"]


def test_print_evaluates_expressions(session):
    s = session["s"]
    assert s["add"] == "3"
    assert s["dec"] == "1e"


def test_script_reads_guest_memory(session, vm):
    s = session["s"]
    lines = s["poi"].splitlines()
    assert int(lines[0], 16) == int(lines[1].split(":")[1].strip(), 16)
    assert s["str"] == session["version"].splitlines()[0][:len(s["str"])]
    assert s["str"].startswith("Linux version")
    assert re.fullmatch(r"\[[^\]]+\]", s["comm"]), s["comm"]


def test_bad_memory_is_an_error_not_a_fault(session):
    s = session["s"]
    # A zero value and a message, never a crash of the halted system.
    assert "0" in s["badmem"].splitlines(), s["badmem"]
    assert "script error" in s["badmem"] or "invalid" in s["badmem"] or \
        "cannot" in s["badmem"], s["badmem"]


def test_compile_error_names_the_column(session):
    s = session["s"]
    # `? { x = 1 +; }`: the ';' is column 12 of what gdb sent.
    assert s["compile"].startswith("column 12: expected"), s["compile"]
    assert "Protocol error with Rcmd" in s["compile"]


def test_statements_run(session):
    assert session["s"]["multi"] == "012"


def test_help_lists_commands_and_script_forms(session):
    s = session["s"]
    for name in ("!msrread", "!cpuid", "!crwrite", "events", "prealloc",
                 "flush", "?", "print"):
        assert re.search(r"^  " + re.escape(name) + r"\s", s["help"],
                         re.M), name
    assert s["helpq"].startswith("print expr")


def test_errors_reach_gdb_and_apply_nothing(session):
    s = session["s"]
    assert s["parse"].startswith(
        "column 16: 'pid' given twice (first at column 10)"), s["parse"]
    # Vectors above 0x1f are interrupts (!interrupt), not exceptions.
    assert s["exc"].startswith(
        "column 12: expected vector in 0x0..0x1f, got 0x20"), s["exc"]
    assert s["events"] == "no events", s["events"]


def test_core_is_the_selected_thread(session, vm):
    s = session["s"]
    assert s["core1"] == "0"
    if vm.cpus > 1:
        lines = s["core2"].splitlines()
        assert lines[0] == "1", s["core2"]
        pc = int(re.search(r"\$\d+ = (0x[0-9a-f]+)", s["core2"]).group(1),
                 16)
        assert int(lines[1], 16) == pc


def test_no_kernel_warnings(session):
    assert not BAD_DMESG.search(session["dmesg"]), session["dmesg"]


def test_descriptor_table_registers(session, vm):
    """@idtr/@gdtr/@tr at a stop are the halted CPU's own (the VMCS guest
    bases, as HyperDbg reads them), not 0.  Linux x86-64 loads the IDT
    from the read-only alias in the CPU entry area, whose address
    idt_descr holds: gdb reads it from guest memory, and the gate for #PF
    there points at asm_exc_page_fault.  The GDT has no symbol (each CPU
    uses its entry-area alias), so its contents vouch for it: the kernel
    code descriptor at selector 0x10 (GDT_ENTRY_KERNEL_CS) and, at 0x40
    (GDT_ENTRY_TSS), the TSS descriptor whose base is @tr."""
    s = session["s"]
    idtr, lo, hi = (int(v, 16) for v in s["idtr"].split())
    descr = int(s["idtdescr"].split(":")[1].strip(), 16)
    assert idtr == descr, session["out"]
    assert idtr >= 0xffff800000000000, hex(idtr)
    handler = (lo & 0xffff) | ((lo >> 48) << 16) | ((hi & 0xffffffff) << 32)
    assert handler == kallsym(vm, "asm_exc_page_fault"), hex(handler)
    gdtr, kcs, tss_lo, tss_hi, tr = (int(v, 16) for v in s["gdtr"].split())
    assert gdtr >= 0xffff800000000000 and gdtr != idtr, hex(gdtr)
    # 64-bit ring-0 code, base 0, limit 0xfffff, G (SDM vol. 3A 3.4.5).
    assert kcs == 0x00af9b000000ffff, hex(kcs)
    # Available or busy 64-bit TSS (type 9 or 0xb), present.
    assert (tss_lo >> 40) & 0x9d == 0x89, hex(tss_lo)
    base = ((tss_lo >> 16) & 0xffffff) | ((tss_lo >> 56) << 24) | \
        ((tss_hi & 0xffffffff) << 32)
    assert tr == base and tr >= 0xffff800000000000, (hex(tr), hex(base))


def test_parser_forms_of_the_module(session):
    s = session["s"]
    assert s["helpask"].startswith("? {script} | ? statement\n  run a "
                                   "script once"), s["helpask"]
    assert s["noscript"].startswith(
        "column 2: expected a script after '?'"), s["noscript"]
    # No output source named log: refused, the event not added.
    assert s["output"].startswith(
        "column 16: output {log}: no output source named 'log' (create it "
        "first: hv output create log file PATH | tcp HOST:PORT)"), \
        s["output"]
    assert s["prescript"].startswith(
        "column 17: expected a count of script programs (hex, 1-0x200)"), \
        s["prescript"]
    # The refused `output` added nothing.
    assert s["events2"] == "no events", s["events2"]
