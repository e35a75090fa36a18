"""Symbols of the VM's stock Debian kernel without a vmlinux: fetch its
/proc/kallsyms with tests/vm/fetch-syms (what `make run` does), and check
offline with gdb that the ELF symbol file gives the addresses the guest
itself reports (docs/symbols.md)."""
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "syms"))
from syms_elf import expected_kind, parse_kallsyms, read_elf  # noqa: E402

FETCH = REPO / "tests" / "vm" / "fetch-syms"
NAMES = ("linux_banner", "__x64_sys_getpid", "_text", "_etext", "jiffies",
         "init_task")


@pytest.fixture(scope="module")
def fetched(vm1, tmp_path_factory):
    d = tmp_path_factory.mktemp("vmsyms")
    out, text = d / "vm-syms.elf", d / "kallsyms"
    t0 = time.time()
    r = subprocess.run([sys.executable, str(FETCH), "-o", str(out),
                        "--kallsyms", str(text)], env=vm1.env,
                       capture_output=True, text=True, timeout=400)
    assert r.returncode == 0, r.stderr
    print(f"\n{r.stdout.strip()} (total {time.time() - t0:.1f} s)")
    return out, text.read_text()


@pytest.fixture(scope="module")
def guest_lines(vm1):
    """What the guest says, asked separately from the bulk transfer (grep -F:
    busybox grep -E takes ~20 s over kallsyms in Bochs, -F ~3 s)."""
    pats = " ".join(f"-e ' {n}'" for n in NAMES)
    out = vm1.sh(f"grep -F {pats} /proc/kallsyms")
    lines = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] in NAMES:
            lines.setdefault(f[2], line)
    assert set(lines) == set(NAMES), out
    return lines


@pytest.fixture(scope="module")
def guest_addrs(guest_lines):
    return {n: int(ln.split()[0], 16) for n, ln in guest_lines.items()}


def test_transfer_is_complete(fetched, guest_lines):
    # gzip's trailer (CRC-32, length) already vouches for the bytes
    _, text = fetched
    have = set(text.splitlines())
    for line in guest_lines.values():
        assert line in have
    assert text.endswith("\n") and len(have) > 50000


def test_every_kernel_symbol_in_the_elf(fetched):
    out, text = fetched
    want = parse_kallsyms(text)
    assert len(want) > 50000
    got = {}
    for s in read_elf(out)[2]:
        got.setdefault(s["name"], set()).add((s["value"], s["type"],
                                              s["bind"]))
    for addr, letter, name, _ in want:
        assert (addr, *expected_kind(letter)) in got[name], name


def test_gdb_addresses_match_the_guest(fetched, guest_addrs):
    out, _ = fetched
    banner = guest_addrs["linux_banner"]
    getpid = guest_addrs["__x64_sys_getpid"]
    r = subprocess.run(
        ["gdb", "-nx", "-batch", "-ex", "set architecture i386:x86-64",
         "-ex", f"symbol-file {out}",
         "-ex", "info address linux_banner",
         "-ex", "info address jiffies",
         "-ex", f"info symbol {getpid + 4:#x}",
         "-ex", "break __x64_sys_getpid",
         "-ex", "x/s &linux_banner",
         "-ex", f"info symbol {guest_addrs['init_task'] + 8:#x}"],
        capture_output=True, text=True, timeout=120)
    text = r.stdout + r.stderr
    assert f'"linux_banner" is at {banner:#x} ' in text, text
    assert f'"jiffies" is at {guest_addrs["jiffies"]:#x} ' in text, text
    assert "__x64_sys_getpid + 4 in section .text" in text, text
    assert f"Breakpoint 1 at {getpid:#x}" in text, text
    assert f"{banner:#x} <linux_banner>:" in text, text
    assert "init_task + 8 in section .data" in text, text
    # the VM boots with nokaslr: the kernel sits at its link address
    assert guest_addrs["_text"] == 0xffffffff81000000
    _, secs, _ = read_elf(out)
    text_sec = next(s for s in secs if s["name"] == ".text")
    assert text_sec["addr"] == guest_addrs["_text"]
    assert text_sec["addr"] + text_sec["size"] == guest_addrs["_etext"]


def kcore_read(vm, addr, length):
    """length bytes of kernel memory at addr, read in the guest through
    /proc/kcore (an ELF core file: PT_LOAD headers map addresses to file
    offsets)."""
    rc, hdr = vm.exec("head -c 8192 /proc/kcore")
    assert rc == 0 and hdr[:4] == b"\x7fELF"
    phoff, = struct.unpack_from("<Q", hdr, 32)
    phentsize, phnum = struct.unpack_from("<HH", hdr, 54)
    for i in range(phnum):
        typ, _, off, va, _, _, memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", hdr, phoff + i * phentsize)
        if typ == 1 and va <= addr and addr + length <= va + memsz:
            pos = off + addr - va
            blocks = (pos % 4096 + length + 4095) // 4096
            rc, data = vm.exec(f"dd if=/proc/kcore bs=4096 "
                               f"skip={pos // 4096} count={blocks} "
                               "2>/dev/null")
            assert rc == 0
            return data[pos % 4096:pos % 4096 + length]
    raise AssertionError(f"{addr:#x} is in no PT_LOAD of /proc/kcore")


def test_linux_banner_address_holds_the_banner(vm1, fetched):
    """What `x/s &linux_banner` prints once gdb is attached: the bytes at
    the symbol file's address are the kernel's banner (/proc/version prints
    the same string)."""
    out, _ = fetched
    banner = next(s for s in read_elf(out)[2] if s["name"] == "linux_banner")
    version = vm1.sh("cat /proc/version").encode()
    data = kcore_read(vm1, banner["value"], len(version) + 1)
    assert data == version + b"\0"
