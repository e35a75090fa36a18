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


PATTERN = 0x6876746573740000        # hvtest.ko's page: PATTERN | index


def test_read_phys_and_dump_against_the_guest(vm1, tmp_path):
    """hvgdb.read_phys() and `hv !dump` on hvgdb.ko: the kernel's banner at
    its physical address reads as /proc/version, the page hvtest.ko filled
    dumps to a file of PATTERN | index, and virtual reads are virtual
    again afterwards."""
    from hvvm import ensure_hvtest
    vm = vm1
    ensure_hvtest(vm)
    page = int(re.search(r"page pa=(0x[0-9a-f]+)",
                         vm.sh("echo alloc > /proc/hvtest; "
                               "cat /proc/hvtest")).group(1), 16)
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
