"""The hvgdb Python package (gdb-python/hvgdb, issue 15) in stock gdb
against hvgdb.ko in the VM: hvgdb.monitor() returns what the module said,
a refusal is hvgdb.MonitorError in the module's words, and the `hv`
command runs monitor commands.  Checked against the guest's own view."""
import re

from hvvm import REPO, gdb, gdb_server, kallsym, mark, sections

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
