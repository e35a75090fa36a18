"""gdb/MI as an IDE drives it (VS Code's cppdbg, CLion): async target,
-target-select remote, threads, registers, memory, a breakpoint hit,
-exec-next-instruction, -exec-interrupt while the guest runs a busy loop
(the IDE's pause button, gdb's Ctrl-C), -target-detach.  1 and 2 CPUs.
"""
import re
import time

from hvvm import GdbMI, gdb_server, kallsym

# Real seconds; Bochs is slow, the bound is generous but finite.
STOP_WITHIN = 120


def test_ide_session(vm):
    getpid = kallsym(vm, "__x64_sys_getpid")
    with gdb_server(vm):
        # The guest program starts before gdb connects (a `vm exec` waits
        # while gdb holds the system halted) and calls getpid once a
        # second until the session is over, so one call comes after the
        # breakpoint whenever gdb gets there.
        vm.sh("rm -f /tmp/mi-stop; (while [ ! -e /tmp/mi-stop ]; do "
              "/hvgdb/bin/vmx_getpid 2; sleep 1; done) >/dev/null 2>&1 &")
        mi = GdbMI()
        try:
            assert mi.cmd("-gdb-set mi-async on").startswith("^done")
            assert mi.cmd("-gdb-set architecture i386:x86-64") \
                .startswith("^done")
            assert mi.cmd("-gdb-set remotetimeout 60").startswith("^done")
            r = mi.cmd(f"-target-select remote 127.0.0.1:{vm.gdb_port}")
            assert r.startswith("^connected"), "\n".join(mi.log)
            # The IDE's first views: threads, frames, registers, memory.
            r = mi.cmd("-thread-info")
            ids = re.findall(r'\{id="(\d+)",target-id="[^"]*",'
                             r'name="CPU (\d+): ', r)
            assert sorted(int(i) for i, _ in ids) == \
                list(range(1, vm.cpus + 1)), r
            assert all(int(i) == int(c) + 1 for i, c in ids), r
            assert mi.cmd("-stack-list-frames").startswith("^done,stack=")
            r = mi.cmd("-data-list-register-values x 16")
            rip = int(re.search(r'number="16",value="(0x[0-9a-f]+)"', r)
                      .group(1), 16)
            assert rip >= 0xffffffff80000000, r
            r = mi.cmd(f"-data-read-memory-bytes {getpid:#x} 5")
            assert re.search(r'contents="[0-9a-f]{10}"', r), r
            assert 'contents="cc' not in r, r

            # A breakpoint hit while the guest program runs.
            r = mi.cmd(f"-break-insert *{getpid:#x}")
            assert r.startswith("^done,bkpt="), r
            assert mi.cmd("-exec-continue").startswith("^running")
            stop = mi.wait("*stopped")
            assert 'reason="breakpoint-hit"' in stop, stop
            assert f'addr="{getpid:#018x}"' in stop, stop
            assert mi.cmd("-break-delete").startswith("^done")
            assert mi.cmd("-exec-next-instruction").startswith("^running")
            stop = mi.wait("*stopped")
            assert 'reason="end-stepping-range"' in stop, stop
            assert f'addr="{getpid + 5:#018x}"' in stop, stop

            # Pause while the guest is busy (one loop per CPU), started
            # once the system runs again.  The loops end with the session
            # (/tmp/mi-stop): left to run they slowed every later test.
            assert mi.cmd("-exec-continue").startswith("^running")
            vm.sh("for i in $(seq %d); do (timeout 120 sh -c "
                  "'while [ ! -e /tmp/mi-stop ]; do :; done') "
                  ">/dev/null 2>&1 & done" % vm.cpus, timeout=60)
            time.sleep(3)
            t0 = time.time()
            assert mi.cmd("-exec-interrupt").startswith("^done")
            stop = mi.wait("*stopped")
            assert 'signal-name="SIGINT"' in stop, stop
            assert time.time() - t0 < STOP_WITHIN
            r = mi.cmd("-thread-info")
            assert len(re.findall(r'\{id="\d+"', r)) == vm.cpus, r
            assert mi.cmd("-target-detach").startswith("^done")
        finally:
            mi.close()
        assert vm.sh("touch /tmp/mi-stop; echo alive").strip() == "alive"
