"""Kernel types from BTF on the VM's stock Debian kernel, no vmlinux
anywhere (issue 16, docs/types.md): the kallsyms symbol file of
fetch-syms, the package loaded before connecting, and the types loaded on
connect from the kernel image of the same build on this machine
(/boot/vmlinuz-<release>, which the VM boots), then from the cache.
`ptype`, typed variables, `hv ps`, `hv lsmod`, `hv dmesg`, `hv current`,
$hv_per_cpu and a breakpoint on a module function by name, each checked
against the guest's own view (/proc)."""
import ast
import re
import time
import zlib

import pytest

from hvvm import (btf_ready, ensure_hvtest, fetch_syms, gdb_server,
                  image_btf, mark, package_session, sections)

MARKER = "hvgdb-types-marker"


@pytest.fixture(scope="module")
def syms(vm1, tmp_path_factory):
    return fetch_syms(vm1, tmp_path_factory)


@pytest.fixture(scope="module")
def syms2(vm2, tmp_path_factory):
    return fetch_syms(vm2, tmp_path_factory)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("typecache")


def session(vm, syms, cache, *cmds, image=None, types=None, timeout=600):
    """package_session() with the kernel image (HVGDB_KERNEL_IMAGE) and
    HVGDB_TYPES given; returns (output without the @@t lines, seconds
    from start to the first command after connect)."""
    env = {}
    if image is not None:
        env["HVGDB_KERNEL_IMAGE"] = image
    if types is not None:
        env["HVGDB_TYPES"] = types
    out = package_session(vm, syms, cache, *cmds, env=env, timeout=timeout)
    m = re.search(r"^@@connect ([\d.]+)$", out, re.M)
    assert m, out
    times = re.findall(r"^@@t ([\d.]+) (.*)$", out, re.M)
    print("\n" + "".join(l + "\n" for l in out.splitlines()
                         if l.startswith("types:")) +
          "".join("%7s s  %s\n" % t for t in times if float(t[0]) >= 0.5),
          end="")
    return re.sub(r"^@@t .*\n", "", out, flags=re.M), float(m.group(1))


def guest_modules(vm):
    """{name: (size, address)} of the guest's /proc/modules."""
    mods = {}
    for line in vm.sh("cat /proc/modules").splitlines():
        f = line.split()
        mods[f[0]] = (int(f[1]), int(f[5], 16))
    return mods


def test_types_from_the_image_then_the_cache(vm1, syms, cache):
    vm = vm1
    ensure_hvtest(vm)
    pid = int(vm.sh("sleep 1000 > /dev/null 2>&1 & echo $!").strip())
    try:
        with gdb_server(vm, "btf_xfer=1") as dmark:
            ready = btf_ready(vm, dmark)
            mods = guest_modules(vm)
            vm.sh(f"echo {MARKER}-{pid} > /dev/kmsg")
            out, first = session(
                vm, syms, cache,
                mark("ptype"), "ptype struct task_struct",
                mark("cast"), "p ((struct task_struct *)&init_task)->comm",
                mark("typed"), "p init_task.comm",
                "p init_uts_ns.name.sysname",
                mark("percpu"),
                'p $hv_per_cpu("this_cpu_off", 0) == __per_cpu_offset[0]',
                'p $hv_per_cpu("cpu_number", 0)',
                mark("current"), "hv current 0",
                "p $hv_current(0)->pid",
                mark("ps"), "hv ps",
                mark("lsmod"), "hv lsmod",
                mark("dmesg"), "hv dmesg",
                mark("calls"),
                "python print([m.name for m in hvgdb.modules()])",
                "python print(int(hvgdb.current(0)['pid']), "
                "int(hvgdb.per_cpu('cpu_number', 0)))",
                mark("link"),
                "python b = hvgdb.btf._read(int(gdb.parse_and_eval("
                "\"(unsigned long)&'__start_BTF'\")), 0x4000); "
                "print(b.hex())",
                # hvgdb.ko's compressed copy: its first 12 KiB, binary
                mark("xfer"),
                "python r = gdb.selected_inferior().connection.send_packet("
                "'qXfer:hvgdb-btf:read::0,3000'); print(r[:1].decode(), "
                "hvgdb.btf._unescape(r[1:]).hex())",
                mark("end"))
            # The second session: the cache, with no image to fall back on.
            out2, cached = session(
                vm, syms, cache, mark("ptype"), "ptype struct module",
                mark("cast"), "p ((struct task_struct *)&init_task)->comm",
                mark("end"), image="/nonexistent/vmlinuz")
            # A third: no types on connect (the connect's own time).
            out3, bare = session(vm, syms, cache, mark("ps"), "hv ps",
                                 mark("end"), types="off")
    finally:
        vm.sh(f"kill {pid}")
    s = sections(out)
    head = out.split("@@connect")[0]
    assert re.search(r"^types: from the image /boot/vmlinuz-\S+, \d+ KiB of "
                     r"BTF", head, re.M), out
    # ptype: the kernel's layout, with members from BTF
    assert s["ptype"].startswith("type = struct task_struct {"), out
    for member in ("pid_t pid;", "pid_t tgid;", "char comm[16];",
                   "struct list_head tasks;", "struct mm_struct *mm;"):
        assert member in s["ptype"], (member, out)
    assert re.search(r'^\$\d+ = "swapper/0(\\000)+"$', s["cast"], re.M), out
    assert re.search(r'^\$\d+ = "swapper/0(\\000)+"$', s["typed"], re.M), out
    assert re.search(r'^\$\d+ = "Linux"', s["typed"], re.M), out
    assert re.findall(r"^\$\d+ = (.*)$", s["percpu"], re.M) == ["1", "0"], \
        out
    cur = s["current"]
    assert re.search(r"^cpu 0: pid \d+ tgid \d+ comm \S+ state [A-Z] "
                     r"\(struct task_struct \*\) 0x[0-9a-f]+$", cur, re.M), out
    # ps: the sleep the test started, and init
    ps = {int(l.split()[0]): l.split() for l in s["ps"].splitlines()[1:]}
    assert ps[pid][2] == "sleep" and ps[pid][1] == str(pid), out
    assert 1 in ps, out
    assert ps[0][2] == "swapper/0", out
    # lsmod: every module of /proc/modules, with its size and address
    lines = s["lsmod"].splitlines()
    got = {l.split()[0]: (int(l.split()[2]), int(l.split()[1], 16))
           for l in lines[1:] if len(l.split()) == 5}
    assert got == mods, out
    assert re.search(r"^\d+ module symbols loaded$", s["lsmod"], re.M), out
    # dmesg ends with the line the test wrote
    last = s["dmesg"].splitlines()[-1]
    assert re.match(r"^\[\s*\d+\.\d{6}\] " + MARKER + f"-{pid}$", last), out
    names, cur_pid = s["calls"].splitlines()
    assert sorted(ast.literal_eval(names)) == sorted(mods), out
    assert cur_pid.split() == [cur.split()[3], "0"], out
    # the BTF in memory is the image's: its first 16 KiB over the link
    btf = image_btf()
    assert bytes.fromhex(s["link"].strip()) == btf[:0x4000], out
    # the compressed copy: the lengths hvgdb.ko logged, and its start
    # inflates to the start of the image's BTF
    kind, blob = s["xfer"].split()
    blob = bytes.fromhex(blob)
    raw, packed, ms = ready
    assert raw == len(btf), (ready, len(btf))
    assert kind == "m" and len(blob) == 0x3000, out
    assert int.from_bytes(blob[:4], "little") == packed, (ready, blob[:8])
    assert int.from_bytes(blob[4:8], "little") == raw, (ready, blob[:8])
    head = zlib.decompressobj().decompress(blob[8:])
    assert len(head) > 0x3000 and head == btf[:len(head)], len(head)
    print(f"\nBTF {raw} bytes, {packed} compressed by hvgdb.ko in {ms} ms "
          "(guest time)")
    s2 = sections(out2)
    assert re.search(r"^types: from the cache \S+ \([\d.]+ s\)$",
                     out2.split("@@connect")[0], re.M), out2
    assert "reading the BTF" not in out2, out2
    assert s2["ptype"].startswith("type = struct module {"), out2
    assert re.search(r'^\$\d+ = "swapper/0(\\000)+"$', s2["cast"], re.M), out2
    assert "types:" not in out3, out3
    assert ("no kernel types in gdb: `hv types` loads them from the "
            "kernel's BTF (docs/types.md)") in sections(out3)["ps"], out3
    print(f"\nfirst connect (image): {first:.1f} s; "
          f"cached connect: {cached:.1f} s; without types: {bare:.1f} s")


def later(vm, cmd):
    """cmd again and again in the guest until finished() (gdb continues
    at a time the guest cannot know)."""
    vm.sh("rm -f /tmp/done /tmp/stop; (while [ ! -e /tmp/stop ]; do "
          f"{cmd}; sleep 1; done; touch /tmp/done) > /dev/null 2>&1 &")


def finished(vm, timeout=300):
    vm.sh("touch /tmp/stop")
    for _ in range(timeout):
        if vm.exec("test -e /tmp/done")[0] == 0:
            return
        time.sleep(1)
    raise AssertionError("the guest loop did not end")


def test_break_on_a_module_function_by_name(vm1, syms, cache):
    """hv lsmod loads each module's kallsyms symbols: `break hvtest_read`
    (a static function of the test module) stops when the guest reads
    /proc/hvtest."""
    vm = vm1
    ensure_hvtest(vm)
    addr = None
    for line in vm.sh("grep -F hvtest_read /proc/kallsyms").splitlines():
        f = line.split()
        if f[2] == "hvtest_read":
            addr = int(f[0], 16)
    assert addr, "hvtest_read not in the guest's kallsyms"
    with gdb_server(vm):
        later(vm, "cat /proc/hvtest")
        try:
            out, _ = session(vm, syms, cache, "hv lsmod",
                             "info address hvtest_read",
                             "break hvtest_read", "continue", "p/x $pc",
                             "delete")
        finally:
            finished(vm)
    print("".join(l + "\n" for l in out.splitlines()
                  if re.match(r"(Breakpoint|Symbol|\d+ module)", l)), end="")
    assert re.search(r"Breakpoint 1, 0x[0-9a-f]+ in hvtest_read", out), out
    pc = int(re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", out, re.M)[-1], 16)
    assert pc == addr, out


def test_per_cpu_commands_on_cpu_1(vm2, syms2, cache):
    """On 2 CPUs: `hv current 1`, $hv_current(1), $hv_per_cpu(.., 1) and
    `hv current` in gdb's thread 2 give CPU 1's values: a busy loop the
    test pinned to CPU 1 (taskset; the guest's /proc says it runs there)
    is CPU 1's current task at the stop, CPU 1's runqueue has it as curr,
    and CPU 1's per-CPU cpu_number is 1."""
    vm = vm2
    pid = int(vm.sh("taskset 2 sh -c 'while :; do :; done' "
                    "> /dev/null 2>&1 & echo $!").strip())
    try:
        # the guest's own view: the loop runs on CPU 1 (field 39 of stat)
        stat = vm.sh(f"cat /proc/{pid}/stat")
        assert stat.rsplit(")", 1)[1].split()[36] == "1", stat
        with gdb_server(vm):
            out, _ = session(
                vm, syms2, cache,
                mark("c1"), "hv current 1",
                mark("v"), "p $hv_current(1)->pid",
                "p $hv_current(0)->pid != %d" % pid,
                'p $hv_per_cpu("cpu_number", 1)',
                'p $hv_per_cpu("cpu_number", 0)',
                'p $hv_per_cpu("this_cpu_off", 1) == __per_cpu_offset[1]',
                'p $hv_per_cpu("runqueues", 1).curr->pid',
                'p $hv_per_cpu("runqueues", 1).cpu',
                "python print(int(hvgdb.current(1)['pid']))",
                mark("t2"), "thread 2", "hv current",
                mark("ps"), "hv ps",
                mark("end"))
        stat2 = vm.sh(f"cat /proc/{pid}/stat")
    finally:
        vm.sh(f"kill {pid}")
    s = sections(out)
    assert re.search(rf"^cpu 1: pid {pid} tgid {pid} comm sh state R ",
                     s["c1"], re.M), out
    assert re.findall(r"^\$\d+ = (.*)$", s["v"], re.M) == \
        [str(pid), "1", "1", "0", "1", str(pid), "1"], out
    assert s["v"].splitlines()[-1] == str(pid), out
    assert re.search(rf"^cpu 1: pid {pid} ", s["t2"], re.M), out
    ps = {int(l.split()[0]): l.split() for l in s["ps"].splitlines()[1:]}
    assert ps[pid][2:5] == ["sh", "R", "1"], out
    assert stat2.rsplit(")", 1)[1].split()[36] == "1", stat2
