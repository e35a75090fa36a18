"""The script functions event_trace_* (HyperDbg's engine; issue 18) and
the LBR commands where the CPU has no Last Branch Record.

An !epthook on __x64_sys_getpid whose script calls event_trace_step_in()
lets the hooked instruction run on that CPU and stops gdb (SIGTRAP) at the
instruction after it, with the registers of that point; the hook fires
and stops again at the next call, and once cleared the program finishes.
event_trace_instrumentation_step() steps by MTF where the CPU has it and
says it is missing where it does not; event_trace_step_out() is refused
when the script is compiled; in `monitor ?` (system halted) the functions
say gdb's stepi is the way.  The MTF cases run twice: with the CPU's MTF
and as if it had none (fake_missing=mtf), where a step that an injected
exception would swallow is counted and told.  `!lbr enable` and the lbr_*
functions name what the CPU lacks.  1 CPU.
"""
import re

import pytest

from hvvm import (assert_clean_dmesg, finished, gdb, gdb_server, kallsym,
                  later, mark, new_dmesg, sections)

BIN = "/hvgdb/bin/hook_calls"
ILL = "/hvgdb/bin/sb_ill"


@pytest.fixture
def server1(vm1):
    with gdb_server(vm1) as dmark:
        yield vm1
    assert_clean_dmesg(new_dmesg(vm1, dmark))


def insns(text):
    """(address, text) of gdb's `x/Ni` lines."""
    return [(int(m.group(1), 16), m.group(2).strip()) for m in
            re.finditer(r"^(?:=> |\s+)0x([0-9a-f]+)(?: <[^>]*>)?:\s+(.*)$",
                        text, re.M)]


def value(text):
    m = re.search(r"= (0x[0-9a-f]+|\d+)", text)
    assert m, text
    return int(m.group(1), 0)


def test_trace_step_in_stops_after_the_hooked_instruction(server1):
    """The hook's script saves RSP and RIP and calls event_trace_step_in():
    gdb stops with SIGTRAP at the second instruction of the function, RSP
    as the first instruction left it; a second call stops the same way;
    cleared, the program finishes (exit 0)."""
    vm = server1
    a = kallsym(vm, "__x64_sys_getpid")
    first = gdb(vm, f"x/2i {a:#x}")
    ins = insns(first)
    assert len(ins) == 2 and ins[0][0] == a, first
    nxt, op = ins[1][0], ins[0][1]
    # What the first instruction does to RSP.
    if op.startswith(("nop", "endbr64", "xchg   %ax,%ax")):
        drsp = 0
    elif op.startswith("push"):
        drsp = -8
    else:
        pytest.fail(f"unexpected first instruction {op!r}: add its RSP effect")
    later(vm, f"{BIN} getpid 3")
    out = gdb(vm, f"monitor !epthook {a:x} script {{ .n = .n + 1; "
              ".rsp0 = @rsp; .rip0 = @rip; event_trace_step_in(); }",
              "continue",
              mark("at"), "p/x $pc", mark("rsp"), "p/x $rsp",
              mark("rsp0"), "monitor print .rsp0",
              mark("rip0"), "monitor print .rip0",
              mark("n1"), "monitor print .n", "info threads",
              "continue",
              mark("at2"), "p/x $pc", mark("n2"), "monitor print .n",
              "monitor events c all", mark("end"), timeout=900)
    s = sections(out)
    print(out)
    assert out.count("SIGTRAP") >= 2, out
    assert value(s["at"]) == nxt, out
    assert int(s["rip0"].split()[0], 16) == a, out
    assert value(s["rsp"]) == int(s["rsp0"].split()[0], 16) + drsp, out
    assert int(s["n1"].split()[0], 16) == 1, out
    assert value(s["at2"]) == nxt, out
    assert int(s["n2"].split()[0], 16) == 2, out
    # No event line: a trace step is not a break.
    assert "!epthook context=" not in out, out
    assert finished(vm) == "0"
    # The system goes on: gdb connects again and the kernel answers.
    assert "getpid=3 done" in vm.sh(f"{BIN} getpid 3")


_CPU_MTF = {}     # test name -> whether the "cpu" case found MTF


@pytest.fixture(params=["cpu", "fake_missing=mtf"])
def server_mtf(request, vm1):
    """hvgdb with the CPU's own MTF, then as if the CPU had none (on a CPU
    without MTF, such as Bochs's, the first case already was that)."""
    name = request.node.originalname
    if request.param != "cpu" and _CPU_MTF.get(name) is False:
        pytest.skip("this CPU has no MTF: the 'cpu' case ran without it")
    with gdb_server(vm1, "" if request.param == "cpu" else
                    request.param) as dmark:
        caps = vm1.sh("cat /sys/kernel/debug/hvgdb/caps")
        mtf = re.search(r"^mtf (yes|no)$", caps, re.M).group(1) == "yes"
        if request.param == "cpu":
            _CPU_MTF[name] = mtf
        else:
            assert not mtf, caps
        yield vm1, mtf
    assert_clean_dmesg(new_dmesg(vm1, dmark))


def test_instrumentation_step_mtf_or_its_absence(server_mtf):
    """event_trace_instrumentation_step(): where the CPU has MTF (debugfs
    caps), a stop at the next instruction as above; where it has not, the
    script says what is missing, nothing stops, and every call is
    counted."""
    vm, mtf = server_mtf
    a = kallsym(vm, "__x64_sys_getpid")
    nxt = insns(gdb(vm, f"x/2i {a:#x}"))[1][0]
    if mtf:
        later(vm, f"{BIN} getpid 3")
        out = gdb(vm, f"monitor !epthook {a:x} script "
                  "{ event_trace_instrumentation_step(); }", "continue",
                  mark("at"), "p/x $pc", "monitor events c all",
                  mark("end"), timeout=900)
        print(out)
        assert "SIGTRAP" in out, out
        assert value(sections(out)["at"]) == nxt, out
        assert finished(vm) == "0"
        return
    # The third call breaks (pause), so gdb sees the script's output.
    later(vm, f"{BIN} getpid 3")
    out = gdb(vm, f"monitor !epthook {a:x} script {{ .m = .m + 1; "
              "event_trace_instrumentation_step_in(); "
              "if (.m == 3) { pause(); } }", "continue",
              mark("at"), "p/x $pc", mark("m"), "monitor print .m",
              "monitor events c all", mark("end"), timeout=900)
    s = sections(out)
    print(out)
    assert ("script error: event_trace_instrumentation_step needs the "
            "monitor trap flag, which this CPU's VMX lacks") in out, out
    # pause() stops at the hooked instruction, not after it: no step.
    assert value(s["at"]) == a, out
    assert int(s["m"].split()[0], 16) == 3, out
    assert finished(vm) == "0"


def test_trace_step_without_mtf_at_an_injected_event(server_mtf):
    """Without MTF a trace step is RFLAGS.TF, which cannot start on a VM
    entry that delivers an exception (event_inject): each such step is
    not taken, counted in debugfs, and the next stop tells gdb how many in
    all.  With MTF every step is taken."""
    vm, mtf = server_mtf
    gdb(vm, "monitor !cpuid 4750 script { .t = .t + 1; event_inject(6); "
        "event_trace_step_in(); }")
    # With MTF each step is taken (and ends in the #UD handler; no gdb
    # waits, so the system goes on); either way the guest sees 3 #UD.
    out = vm.sh(f"{ILL} 0x4750 3")
    assert "sigill=3 sigsegv=0 at=0 after=3" in out, out
    dbg = vm.sh("cat /sys/kernel/debug/hvgdb/gdb")
    m = re.search(r"^trace_unarmed((?: \d+)+)$", dbg, re.M)
    assert m, dbg
    unarmed = sum(int(n) for n in m.group(1).split())
    assert unarmed == (0 if mtf else 3), dbg
    later(vm, f"{ILL} 0x4751 1")
    out = gdb(vm, "monitor !cpuid 4751", "continue",
              mark("t"), "monitor print .t", "monitor events c all",
              mark("end"), timeout=900)
    print(out)
    told = ("hvgdb: 0x3 event_trace_* steps not taken in all: the CPU has "
            "no monitor trap flag and the VM entry that would start the "
            "step delivered an event")
    assert (told in out) == (not mtf), out
    assert int(sections(out)["t"].split()[0], 16) == 3, out
    assert finished(vm) == "0"


def test_step_out_refused_and_halted_use(server1):
    """event_trace_step_out() is refused at compile time with the reason;
    event_trace_step() in `monitor ?` says the system is halted."""
    vm = server1
    a = kallsym(vm, "__x64_sys_getpid")
    out = gdb(vm, mark("out"),
              f"monitor !epthook {a:x} script {{ event_trace_step_out(); }}",
              mark("q"), "monitor ? { event_trace_step(); }",
              mark("ev"), "monitor events", mark("end"))
    s = sections(out)
    print(out)
    assert "event_trace_step_out is not supported (empty in HyperDbg's " \
        "engine); use gdb's finish" in s["out"], out
    assert "the system is already halted (step with gdb's stepi)" in \
        s["q"], out
    assert "!epthook" not in s["ev"], out


# ------------------------------------------------------------------ LBR

LBR_FNS = ["lbr_check", "lbr_save", "lbr_print", "lbr_restore",
           "lbr_restore_by_filter"]


def cpuinfo(vm):
    """vendor, family, model and flags of CPU 0 as the guest sees them."""
    info = vm.sh("cat /proc/cpuinfo").split("\n\n")[0]
    field = dict(re.findall(r"^([^\t:]+?)\s*: (.*)$", info, re.M))
    return (field["vendor_id"], int(field["cpu family"]),
            int(field["model"]), field["flags"].split())


def test_lbr_names_what_the_cpu_lacks(server1):
    """`!lbr enable`, `!lbr filter`, `!lbrdump` and the five lbr_*
    functions give one reason, the same everywhere, and it agrees with the
    guest's view of the CPU: /proc/cpuinfo's vendor, model and flags, and
    the MSR named as faulting faults for `monitor rdmsr` too.  Where the
    CPU has a usable LBR instead, `!lbr enable` enables it and `!lbrdump`
    shows each CPU."""
    vm = server1
    vendor, family, model, flags = cpuinfo(vm)
    fns = " ".join(f"{f}({'0' if f.endswith('filter') else ''});"
                   for f in LBR_FNS)
    out = gdb(vm, mark("enable"), "monitor !lbr enable",
              mark("filter"), "monitor !lbr filter kernel jcc",
              mark("dump"), "monitor !lbrdump",
              mark("bad"), "monitor !lbr filter call_stack jcc",
              mark("badword"), "monitor !lbr sideways",
              mark("fns"), f"monitor ? {{ {fns} }}",
              mark("disable"), "monitor !lbr disable", mark("end"))
    s = sections(out)
    print(out)
    # The parser's errors come first, whatever the CPU.
    assert "expected only 'user' or 'kernel' with 'call_stack'" in \
        s["bad"], out
    assert "expected 'enable', 'disable', 'flush' or 'filter'" in \
        s["badword"], out
    m = re.search(r"^!lbr: this CPU has no usable LBR: (.*)$", s["enable"],
                  re.M)
    if not m:
        assert re.search(r"^!lbr: enabled \(", s["enable"], re.M), out
        assert "LBR Chronological Trace on core: 0x0" in s["dump"], out
        assert re.search(r"^!lbr: disabled", s["disable"], re.M), out
        return
    why = m.group(1)
    for sec in ("filter", "disable"):
        assert f"!lbr: this CPU has no usable LBR: {why}" in s[sec], out
    assert f"!lbrdump: this CPU has no usable LBR: {why}" in s["dump"], out
    for f in LBR_FNS:
        assert (f"script error: {f}: this CPU has no usable LBR: {why}"
                in s["fns"]), (f, out)
    # The reason agrees with the guest's view.
    if why.startswith("not an Intel CPU"):
        assert vendor != "GenuineIntel", why
    elif why.startswith("architectural LBR"):
        assert "arch_lbr" in flags, (why, flags)
    elif "CPUID.1:ECX.PDCM[15] = 0" in why:
        assert vendor == "GenuineIntel" and "pdcm" not in flags, flags
    elif "no model-specific LBR stack known" in why:
        assert "arch_lbr" not in flags, flags
        assert why.endswith(f"family 6 model {model:#x}" if family == 6
                            else f"family {family:#x}"), (why, model)
    elif why.startswith("LBR format does not fit the model's stack"):
        # The format named is what the CPU says (IA32_PERF_CAPABILITIES,
        # MSR 0x345), and the guest sees a model-specific LBR CPU.
        fmt = int(re.search(r"\[5:0\] = (0x[0-9a-f]+)$", why).group(1), 16)
        assert vendor == "GenuineIntel" and family == 6, (vendor, family)
        assert "pdcm" in flags and "arch_lbr" not in flags, flags
        rd = gdb(vm, mark("rd"), "monitor rdmsr 345 core 0", mark("end"))
        v = re.search(r"msr\[345\] = ([0-9a-f]{8})`([0-9a-f]{8})",
                      sections(rd)["rd"])
        assert v, rd
        assert int(v.group(2), 16) & 0x3f == fmt, (why, rd)
    else:
        f = re.search(r"reading .*MSR (0x[0-9a-f]+),? faults", why)
        assert f, why
        assert vendor == "GenuineIntel" and family == 6, (vendor, family)
        rd = gdb(vm, mark("rd"), f"monitor rdmsr {f.group(1)[2:]}",
                 mark("end"))
        assert "the access faults" in sections(rd)["rd"], rd
