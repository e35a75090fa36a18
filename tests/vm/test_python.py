"""The hvgdb Python package (gdb-python/hvgdb, issue 15) in stock gdb
against hvgdb.ko in the VM: hvgdb.monitor() returns what the module said,
a refusal is hvgdb.MonitorError in the module's words, and the `hv`
command runs monitor commands.  Checked against the guest's own view."""
import re
import time

from hvvm import REPO, gdb, gdb_server, hvtest_page, kallsym, mark, sections

MSR_KO = "/hvgdb/msr.ko"
LSTAR = 0xC0000082


def test_package_drives_the_module(vm):
    vm.exec(f"insmod {MSR_KO}")
    lstar = int(vm.sh(f"/hvgdb/bin/gdb_rdmsr 0 {LSTAR:#x}").strip(), 16)
    banner = kallsym(vm, "linux_banner")
    with gdb_server(vm):
        out = gdb(
            vm,
            f"python import sys; sys.path.insert(0, '{REPO}/gdb-python')",
            "python import hvgdb",
            mark("msr"),
            f"python print(hvgdb.monitor('rdmsr {LSTAR:x} core 0'), end='')",
            mark("va2pa"),
            f"python print(int(hvgdb.monitor('!va2pa {banner:x}'), 16))",
            mark("refused"),
            'python exec("try:\\n hvgdb.monitor(\'rdmsr 1b core 7\')'
            '\\nexcept hvgdb.MonitorError as e:\\n print(\'REFUSED\', e)")',
            mark("hv"), f"hv !va2pa {banner:x}",
            mark("end"))
    s = sections(out)
    assert s["msr"] == (f"core : 0x0 - msr[c0000082] = "
                        f"{lstar >> 32:08x}`{lstar & 0xffffffff:08x}"), out
    # nokaslr: the kernel image's physical address is va - 0xffffffff80000000
    assert int(s["va2pa"].strip()) == banner - 0xFFFFFFFF80000000, out
    assert re.search(r"^REFUSED column \d+: core 0x7 is not online",
                     s["refused"], re.M), out
    assert "Protocol error" not in s["refused"], out
    assert int(s["hv"].strip(), 16) == banner - 0xFFFFFFFF80000000, out


PATTERN = 0x6876746573740000        # hvtest.ko's page: PATTERN | index


def test_read_phys_and_dump_against_the_guest(vm1, tmp_path):
    """hvgdb.read_phys() and `hv !dump` on hvgdb.ko: the kernel's banner at
    its physical address reads as /proc/version, the page hvtest.ko filled
    dumps to a file of PATTERN | index, and virtual reads are virtual
    again afterwards."""
    vm = vm1
    page = hvtest_page(vm)
    banner = kallsym(vm, "linux_banner")
    version = vm.sh("cat /proc/version").strip()
    f = tmp_path / "page.dmp"
    with gdb_server(vm):
        out = gdb(
            vm,
            f"python import sys; sys.path.insert(0, '{REPO}/gdb-python')",
            "python import hvgdb",
            mark("phys"), "python print(hvgdb.read_phys("
            f"{banner - 0xFFFFFFFF80000000:#x}, 40).decode())",
            mark("dump"), f"hv !dump {page:x} {page + 0x1000:x} {f}",
            mark("virt"), f"x/s {banner:#x}",
            mark("end"))
    s = sections(out)
    assert s["phys"].strip() == version[:40], out
    assert f"the dump file is saved at: {f} (0x1000 bytes" in s["dump"], out
    data = f.read_bytes()
    assert [int.from_bytes(data[i:i + 8], "little")
            for i in range(0, 0x1000, 8)] == [PATTERN | i
                                              for i in range(512)]
    assert version[:40] in s["virt"], out


def test_api_against_the_guest(vm, tmp_path):
    """msr(), write_msr(), va2pa() (with cpu), pa2va(), cpus(), events(),
    add_event() and Event's enable/disable/clear on hvgdb.ko, each checked
    against the guest (/dev/cpu/N/msr, kallsyms, /proc) or against the
    module's own human reply; every answer comes from `.kv` records."""
    vm.exec(f"insmod {MSR_KO}")
    last = vm.cpus - 1
    lstar = [int(vm.sh(f"/hvgdb/bin/gdb_rdmsr {c} {LSTAR:#x}").strip(), 16)
             for c in range(vm.cpus)]
    aux = int(vm.sh(f"/hvgdb/bin/gdb_rdmsr {last} 0xc0000103").strip(), 16)
    banner = kallsym(vm, "linux_banner")
    script = tmp_path / "api.py"
    script.write_text(f"""
import gdb, hvgdb, traceback
def out(k, v):
    print("API", k, repr(v))
def run():
    out("msr_all", hvgdb.msr({LSTAR:#x}))
    out("msr_one", hvgdb.msr({LSTAR:#x}, cpu={last}))
    hvgdb.write_msr(0xc0000103, 0x77, cpu={last})
    out("aux", hvgdb.msr(0xc0000103, cpu={last}))
    hvgdb.write_msr(0xc0000103, {aux:#x}, cpu={last})
    out("va2pa", hvgdb.va2pa({banner:#x}))
    out("va2pa_last", hvgdb.va2pa({banner:#x}, cpu={last}))
    out("pa2va", hvgdb.pa2va(hvgdb.va2pa({banner:#x})))
    out("cpus", [tuple(c) for c in hvgdb.cpus()])
    ev = hvgdb.add_event("!cpuid 4711 script {{ printf(\\"x\\\\n\\"); }}")
    b = hvgdb.add_event("!tsc")
    out("added", (ev.id, ev.enabled, ev.command, b.id))
    b.disable()
    out("listed", [(e.id, e.enabled, e.command) for e in hvgdb.events()])
    out("table", gdb.execute("hv events", to_string=True))
    out("fn_msr", int(gdb.parse_and_eval("$hv_msr({LSTAR:#x})")))
    out("fn_va2pa", int(gdb.parse_and_eval("$hv_va2pa({banner:#x}, {last})")))
    out("fn_pa2va", int(gdb.parse_and_eval("$hv_pa2va($hv_va2pa({banner:#x}))")))
    out("fn_cpu", int(gdb.parse_and_eval("$hv_cpu()")))
    b.enable(); ev.clear(); b.clear()
    out("after", hvgdb.events())
    try:
        hvgdb.add_event("!cpuid imm maybe")
    except hvgdb.MonitorError as e:
        out("refused", str(e))
    try:
        b.clear()
    except hvgdb.MonitorError as e:
        out("gone", str(e))
    try:
        hvgdb.msr(0x12345678)
    except hvgdb.MonitorError as e:
        out("msr_bad", str(e))
try:
    run()
except Exception:
    print("API exception", repr(traceback.format_exc()))
""")
    with gdb_server(vm):
        out = gdb(
            vm,
            f"python import sys; sys.path.insert(0, '{REPO}/gdb-python')",
            f"source {script}", "info threads", mark("end"))
    import ast
    got = {m.group(1): ast.literal_eval(m.group(2))
           for m in re.finditer(r"^API (\w+) (.*)$", out, re.M)}
    assert "exception" not in got, got["exception"]
    assert got["msr_all"] == dict(enumerate(lstar)), out
    assert got["msr_one"] == lstar[last], out
    assert got["aux"] == 0x77, out
    pa = banner - 0xFFFFFFFF80000000
    assert got["va2pa"] == pa and got["va2pa_last"] == pa, out
    assert got["pa2va"] == 0xFFFF888000000000 + pa, out
    cpus = got["cpus"]
    assert [c[0] for c in cpus] == list(range(vm.cpus)), out
    for c in cpus:
        cpu, task, pid, state, tid, tgid, addr, halted = c
        assert halted and tid == cpu + 1 and state in ("active", "hlt")
        assert addr >= 0xFFFF800000000000, c
        # gdb's thread names say the same: "CPU n: comm [tgid]".
        assert re.search(rf"\"CPU {cpu}: {re.escape(task)} \[{tgid}\]\"",
                         out), (c, out)
    assert got["added"] == (0, True, '!cpuid 4711 script { printf("x\\n"); }',
                            1), out
    assert got["listed"] == [
        (0, True, '!cpuid 4711 script { printf("x\\n"); }'),
        (1, False, "!tsc")], out
    assert got["after"] == [], out
    assert got["table"] == (
        "id     state    action command\n"
        "0x0    enabled  script !cpuid 4711 script { printf(\"x\\n\"); }\n"
        "0x1    disabled break  !tsc\n"), out
    # gdb's selected thread after attach is the CPU that stopped first.
    sel = got["fn_cpu"]
    assert 0 <= sel < vm.cpus, out
    assert got["fn_msr"] == lstar[sel], out
    assert got["fn_va2pa"] == pa, out
    assert got["fn_pa2va"] == 0xFFFF888000000000 + pa, out
    assert got["refused"].startswith("column 12: expected 'yes' or 'no'"), out
    assert "no event 0x1" in got["gone"], out
    assert "rdmsr 12345678 on core 0x0: the access faults" in \
        got["msr_bad"], out


def test_stop_names_the_event_that_stopped(vm1, tmp_path):
    """hvgdb.stop() at a break event's stop: its id, type, context, core
    and pid, as the guest program that ran CPUID saw them; None at a stop
    that is not an event's (gdb's attach)."""
    from hvvm import background, gdb_start, wait_file
    vm = vm1
    vm.sh("rm -f /tmp/go_py")
    with gdb_server(vm):
        pid = background(vm, "/hvgdb/bin/ev_trigger --wait /tmp/go_py "
                         "cpuid 0x4731 1", "/tmp/py_stop.out")
        pre = [f"python import sys; sys.path.insert(0, '{REPO}/gdb-python')",
               "python import hvgdb"]
        out0 = gdb(vm, *pre, mark("none"), "python print(hvgdb.stop())",
                   "python print(hvgdb.add_event('!cpuid 4731').id)",
                   mark("end"))
        g = gdb_start(vm, *pre, "continue", mark("hit"),
                      "python print(tuple(hvgdb.stop()))",
                      "monitor events c all", mark("end"))
        time.sleep(5)
        vm.sh("touch /tmp/go_py")
        out, _ = g.communicate(timeout=300)
        wait_file(vm, "/tmp/py_stop.out", r"eax=")
    s0, s = sections(out0), sections(out)
    none, eid = s0["none"].split()
    assert none == "None", out0
    assert re.match(rf"^\({eid}, '!cpuid', {0x4731}, 0, {pid}, 'pre', "
                    r"None\)$", s["hit"].splitlines()[0]), out
