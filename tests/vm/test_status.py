"""HyperDbg's status, settings and preactivate through `monitor`, and
QEMU's xp (issue 17), against the guest's own view: the module's
parameters in /sys, the CPUs online, the events set in the same session,
the page hvtest.ko filled with a known pattern, the kernel's banner, the
HPET's registers as !dd reads them.  CPU-count independent: the 1-CPU VM.
"""
import re

import pytest

from hvvm import gdb, gdb_server, hvtest_page, kallsym, mark, sections

KERNEL_MAP = 0xFFFFFFFF80000000     # nokaslr: kernel image at physical 0
PATTERN = 0x6876746573740000        # hvtest.ko's page: PATTERN | index


@pytest.fixture(scope="module")
def session(vm1):
    vm = vm1
    page = hvtest_page(vm)
    banner_pa = kallsym(vm, "linux_banner") - KERNEL_MAP
    facts = {
        "page": page, "banner_pa": banner_pa,
        "online": vm.sh("cat /sys/devices/system/cpu/online").strip(),
        "version": vm.sh("cat /proc/version").strip(),
    }
    cmds = [
        mark("status0"), "monitor status",
        "monitor !cpuid 4711", "monitor !cpuid 4712",
        "monitor events d 1",
        mark("status1"), "monitor status",
        mark("settings"), "monitor settings",
        mark("af_show"), "monitor settings autoflush",
        mark("af_on"), "monitor settings autoflush on",
        mark("status2"), "monitor status",
        mark("af_d"), "monitor events d 0",
        mark("syntax"), "monitor settings syntax att",
        mark("pre"), "monitor preactivate mode",
        "monitor events c all", "monitor settings autoflush off",
        mark("xp_g"), f"monitor xp /4xg {page:#x}",
        mark("xp_u"), f"monitor xp/1ug {page + 8}",
        mark("xp_c"), f"monitor xp /14cb {banner_pa:#x}",
        mark("xp_hpet"), "monitor xp /2xw 0xfed00000",
        mark("dd_hpet"), "monitor !dd fed00000 l 8",
        mark("xp_none"), "monitor xp /2xg 0xfffffffffff00000",
        mark("xp_i"), f"monitor xp /2i {page:#x}",
        mark("end"),
    ]
    with gdb_server(vm):
        # hvgdb.ko's own parameters, as loaded for the gdb server.
        facts["port"] = int(vm.sh("cat /sys/module/hvgdb/parameters/"
                                  "uart_port"))
        facts["baud"] = int(vm.sh("cat /sys/module/hvgdb/parameters/"
                                  "uart_baud"))
        out = gdb(vm, *cmds)
    return {"s": sections(out), "out": out, **facts}


def test_status_tells_the_link_the_cpus_and_the_events(session):
    s = session["s"]
    link = (f"link: gdb's remote protocol on the 16550 UART at "
            f"{session['port']:#x}, {session['baud']} baud")
    assert link in s["status0"], s["status0"]
    assert session["online"] == "0"
    assert ("cpus: 1 online, 1 halted at this stop; gdb's thread 1 (CPU 0) "
            "selected") in s["status0"], s["status0"]
    assert "events: 0x0 (0x0 enabled, 0x0 disabled); autoflush off" in \
        s["status0"], s["status0"]
    assert "events: 0x2 (0x1 enabled, 0x1 disabled); autoflush off" in \
        s["status1"], s["status1"]
    assert "autoflush on" in s["status2"], s["status2"]


def test_settings_show_change_and_refuse(session):
    s = session["s"]
    assert "autoflush: off (events d|c first send" in s["settings"]
    assert "syntax: does not apply (gdb disassembles" in s["settings"]
    assert "auto-flush is disabled" in s["af_show"], s["af_show"]
    assert "set auto-flush to enabled" in s["af_on"], s["af_on"]
    assert "event 0x0 disabled" in s["af_d"], s["af_d"]
    assert ("'syntax' does not apply to hvgdb: gdb disassembles: use gdb's "
            "'set disassembly-flavor intel|att'") in s["syntax"], s["syntax"]
    # !mode is set up at load: preactivate names its mechanism.
    assert re.search(r"^!mode: (EPT execute views|mode-based)", s["pre"],
                     re.M), s["pre"]
    assert "ready since load: nothing to pre-activate" in s["pre"], s["pre"]


def test_xp_in_qemu_layout(session):
    s, page = session["s"], session["page"]
    q = [PATTERN | i for i in range(4)]
    assert (f"{page:016x}: {q[0]:#018x} {q[1]:#018x}\n"
            f"{page + 16:016x}: {q[2]:#018x} {q[3]:#018x}") in s["xp_g"], \
        s["xp_g"]
    # QEMU pads a decimal qword to 20 columns.
    assert f"{page + 8:016x}: {PATTERN | 1:20d}" in s["xp_u"], s["xp_u"]
    text = session["version"][:14]
    chars = " ".join(f"'{c}'" for c in text)
    bp = session["banner_pa"]
    assert (f"{bp:016x}: {chars[:8 * 4 - 1]}\n"
            f"{bp + 8:016x}: {chars[8 * 4:]}") in s["xp_c"], s["xp_c"]
    # The HPET's first registers, as !dd reads them.
    d = re.search(r"`fed00000  ([0-9A-F]{8}) ([0-9A-F]{8})", s["dd_hpet"])
    assert d, s["dd_hpet"]
    assert (f"00000000fed00000: 0x{d.group(1).lower()} "
            f"0x{d.group(2).lower()}") in s["xp_hpet"], s["xp_hpet"]
    assert "fffffffffff00000: Cannot access memory" in s["xp_none"]
    assert "xp /i is QEMU's disassembly" in s["xp_i"], s["xp_i"]
