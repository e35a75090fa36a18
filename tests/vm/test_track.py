"""!track in hvgdb.ko (issue 14): from a breakpoint on __x64_sys_getpid,
`!track N` then `continue` steps that CPU N instructions and prints the
calls and returns as a tree with kernel symbols: __task_pid_nr_ns (what
getpid calls, kernel/pid.c) opens a level with its address from the
guest's /proc/kallsyms, the returns close them, and the system stops
after N instructions with a line that says so; `reg` adds the argument
registers at each call, RDI being the task_struct getpid asks about
(nonzero, a kernel address).  1 and 2 CPUs: on 2 the other CPU runs on
while the tracked one steps, and the CPU is whichever called getpid.
"""
import re

import pytest

from hvvm import (assert_clean_dmesg, finished, gdb, hvgdb_loaded, kallsym,
                  later, mark, new_dmesg, sections)

GETPID = "/hvgdb/bin/vmx_getpid"
CALL = "\u250c\u2500\u2500 "     # ┌──
RET = "\u2514\u2500\u2500 "      # └──
N = 0xc0


@pytest.fixture(scope="module")
def tr(vm):
    with hvgdb_loaded(vm) as dmark:
        yield vm
        assert_clean_dmesg(new_dmesg(vm, dmark))


def test_track_tree_and_reg_from_a_breakpoint(tr):
    vm = tr
    a = kallsym(vm, "__x64_sys_getpid")
    callee = kallsym(vm, "__task_pid_nr_ns")
    later(vm, f"{GETPID} 3")
    out = gdb(vm, f"break *{a:#x}", "continue",
              mark("tree"), f"monitor !track {N:x}", "continue",
              mark("again"), "continue",
              mark("reg"), f"monitor !track reg {N:x}", "continue",
              mark("end"), "delete", timeout=600)
    finished(vm)
    s = sections(out)
    assert "Breakpoint 1, " in out, out
    tree = s["tree"]
    m = re.search(rf"CPU (\d+) steps {N:#x} instructions", tree)
    assert m, tree
    cpu = int(m.group(1))
    assert cpu < vm.cpus, tree
    assert re.search(rf"^{CALL}__task_pid_nr_ns\+0x0 \({callee:#018x}\)$",
                     tree, re.M), tree
    assert RET in tree, tree
    # The callee's RET is inside it, one level up from its callees.
    assert re.search(rf"^{RET}__task_pid_nr_ns\+0x[0-9a-f]+ \(0x", tree,
                     re.M), tree
    assert f"!track: {N:#x} instructions stepped on CPU {cpu}" in tree, tree
    assert "SIGTRAP" in tree, tree
    assert "Breakpoint 1, " in s["again"], s["again"]
    reg = s["reg"]
    m = re.search(rf"^{CALL}__task_pid_nr_ns\+0x0 .*\n    rdi=(0x[0-9a-f]+)",
                  reg, re.M)
    assert m, reg
    assert int(m.group(1), 16) >= 0xffff800000000000, reg
    assert re.search(rf"!track: {N:#x} instructions stepped on CPU \d", reg), reg
    print(f"\n{tree}\n{reg}")
