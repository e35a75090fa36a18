"""Fixtures of the gdb Python package's tests (helpers: hvgdb_testlib.py)."""
import atexit
import os
import shutil
import subprocess
import tempfile

import pytest

from hvgdb_testlib import HVGDB_SYMS, KALLSYMS, hv_gdb, proto, results

target = proto.target           # a fresh test double (2 CPUs) per test
target_factory = proto.target_factory   # doubles with options


def pytest_configure(config):
    """gdb with the package loads the kernel symbols a user's own sessions
    cached (docs/python.md): the tests' gdb sessions get an empty cache of
    their own, removed at the end."""
    d = tempfile.mkdtemp(prefix="hvgdb-test-cache-")
    os.environ["XDG_CACHE_HOME"] = d
    atexit.register(shutil.rmtree, d, True)


@pytest.fixture
def gdb_py(tmp_path):
    """gdb_py(target, code, before=(), after=(), connect=True): runs Python
    code in gdb with the package loaded (result(v) prints v for results()),
    between the gdb commands of before and after; returns (output,
    results)."""
    count = [0]

    def run(target, code, before=(), after=(), connect=True, timeout=60):
        count[0] += 1
        path = tmp_path / ("script%d.py" % count[0])
        path.write_text("import gdb\nimport hvgdb\n\n\ndef result(v):\n"
                        "    print('RESULT ' + repr(v))\n\n\n" + code)
        out = hv_gdb(target, list(before) + ["source %s" % path] +
                     list(after), connect=connect, timeout=timeout)
        return out, results(out)
    return run


@pytest.fixture(scope="session")
def syms_elf(tmp_path_factory):
    """An ELF symbol file of KALLSYMS, made by hvgdb-syms as `make run`
    makes the kernel's (docs/symbols.md)."""
    if not os.path.exists(HVGDB_SYMS):
        pytest.fail("%s missing: run make" % HVGDB_SYMS)
    d = tmp_path_factory.mktemp("syms")
    (d / "kallsyms").write_text("".join(
        "%016x %s %s\n" % (addr, kind, name)
        for name, (addr, kind) in KALLSYMS.items()))
    subprocess.run([HVGDB_SYMS, "-o", str(d / "syms.elf"),
                    str(d / "kallsyms")], check=True, timeout=60)
    return str(d / "syms.elf")
