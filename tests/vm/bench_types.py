"""Benchmark of the kernel types over the link (docs/types.md,
docs/performance.md): `hv types` in the Bochs VM with no kernel image and
no cache, so the whole BTF comes over the serial link as hvgdb.ko's
compressed copy (the qXfer object hvgdb-btf); the bytes cached must equal
the image's .BTF, a progress line must show, and the next session must load
the types from the cache.  For scale, 64 KiB of the same BTF read as plain
memory (`m` packets, hex).  Run by `make vm-bench` (about 10-20 minutes);
tests/vm/test_types.py checks the start of both paths in make check."""
import re

from hvvm import (assert_clean_dmesg, btf_ready, fetch_syms, gdb_server,
                  image_btf, mark, new_dmesg, package_session, sections)

def session(vm, syms, cache, *cmds):
    """package_session() with no kernel image to find."""
    out = package_session(vm, syms, cache, *cmds, timeout=3600,
                          env={"HVGDB_KERNEL_IMAGE": "/nonexistent/vmlinuz"})
    print(out)
    return out


def test_types_whole_over_the_link(vm1, tmp_path_factory):
    vm = vm1
    syms = fetch_syms(vm, tmp_path_factory)
    cache = tmp_path_factory.mktemp("benchtypes") / "cache"
    btf = image_btf()
    guest_size = int(vm.sh("wc -c < /sys/kernel/btf/vmlinux").strip())
    assert guest_size == len(btf), (guest_size, len(btf))
    with gdb_server(vm, "btf_xfer=1") as dmark:
        raw, packed, ms = btf_ready(vm, dmark)
        out = session(
            vm, syms, cache,
            mark("none"), "ptype struct task_struct",
            mark("types"), "hv types",
            mark("ptype"), "p ((struct task_struct *)&init_task)->comm",
            mark("plain"),
            "python t1 = time.time(); b = hvgdb.btf._read(int("
            "gdb.parse_and_eval(\"(unsigned long)&'__start_BTF'\")), "
            "0x10000); print(len(b), round(time.time() - t1, 1), "
            "b.hex()[:64])",
            mark("end"))
        out2 = session(vm, syms, cache, mark("ptype"),
                       "ptype struct module", mark("end"))
        assert_clean_dmesg(new_dmesg(vm, dmark))
    s = sections(re.sub(r"^@@t .*\n", "", out, flags=re.M))
    assert "No struct type named task_struct" in s["none"], out
    types = s["types"]
    assert ("types: no cached types and no kernel image here; reading the "
            "BTF over the link") in types, out
    prog = re.findall(r"^types: compressed BTF (\d+) of (\d+) KiB, (\d+) s$",
                      types, re.M)
    assert prog and prog[-1][0] == prog[-1][1] == str((packed + 8) // 1024), \
        out
    m = re.search(r"^types: from hvgdb.ko's compressed copy \((\d+) KiB on "
                  r"the link\), (\d+) KiB of BTF \(([\d.]+) s\), cached in "
                  r"(\S+)$", types, re.M)
    assert m, out
    took = float(re.search(r"^@@t ([\d.]+) hv types$", out, re.M).group(1))
    cached = (cache / "types")
    (entry,) = list(cached.iterdir())
    assert (entry / "vmlinux.btf").read_bytes() == btf
    assert (entry / "source").read_text().startswith(
        "hvgdb.ko's compressed copy"), (entry / "source").read_text()
    assert re.search(r'^\$\d+ = "swapper/0(\\000)+"$', s["ptype"], re.M), out
    n, secs, head = s["plain"].split()
    assert int(n) == 0x10000 and bytes.fromhex(head) == btf[:32], out
    head2 = out2.split("@@connect")[0]
    assert re.search(r"^types: from the cache \S+ \([\d.]+ s\)$", head2,
                     re.M), out2
    assert sections(re.sub(r"^@@t .*\n", "", out2, flags=re.M))[
        "ptype"].startswith("type = struct module {"), out2
    connect2 = float(re.search(r"^@@connect ([\d.]+)$", out2, re.M).group(1))
    wire = packed + 8
    print(f"\nBTF {raw} bytes, {packed} compressed by hvgdb.ko in {ms} ms "
          f"(guest time)")
    print(f"hv types over the link: {took:.1f} s for {wire} bytes "
          f"({wire / 1024 / took:.2f} KiB/s on the wire, "
          f"{raw / 1024 / took:.2f} KiB/s of BTF)")
    print(f"plain memory: 65536 bytes in {secs} s "
          f"({64 / float(secs):.2f} KiB/s of BTF)")
    print(f"cached connect: {connect2:.1f} s")
