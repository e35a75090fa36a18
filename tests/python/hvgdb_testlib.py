"""Helpers of the gdb Python package's tests (gdb-python/hvgdb); the test
modules import them from here (conftest.py has the fixtures).

Stock gdb in batch mode loads the package of this checkout and talks to
the protocol layer's test double (tests/protocol/harness/): Target and
gdb_batch() are tests/protocol/conftest.py's own, loaded from there under
another module name (`proto`).
"""
import ast
import importlib.util
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GDB_PYTHON = os.path.join(ROOT, "gdb-python")
if GDB_PYTHON not in sys.path:
    sys.path.insert(0, GDB_PYTHON)      # hvgdb.language needs no gdb

_spec = importlib.util.spec_from_file_location(
    "protocol_conftest",
    os.path.join(ROOT, "tests", "protocol", "conftest.py"))
proto = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(proto)

HVGDB_SYMS = os.path.join(proto.BUILD, "bin", "hvgdb-syms")
IMPORT = ["python import sys; sys.path.insert(0, %r)" % GDB_PYTHON,
          "python import hvgdb"]

# Kernel symbols at the test double's addresses (tests/protocol/conftest.py),
# in /proc/kallsyms's format.
KALLSYMS = {
    "_text": (proto.CODE, "T"),
    "hv_test_store": (proto.CODE + 0x40, "T"),   # stores to WVAR
    "hv_test_load": (proto.CODE + 0x80, "t"),    # loads from RVAR
    "hv_test_helper.cold": (proto.CODE + 0x300, "t"),
    "hv_test_wvar": (proto.WVAR, "D"),
    "hv_test_rvar": (proto.RVAR, "d"),
    "hv_test_banner": (proto.DATA + 0x7000, "D"),  # PHYS_TEXT's page
}


def hv_gdb(target, cmds, connect=True, timeout=60):
    """Stock gdb in batch mode with the package loaded (before the commands,
    after connecting); returns its output."""
    return proto.gdb_batch(target, IMPORT + list(cmds), timeout=timeout,
                           connect=connect)


def results(out):
    """The values that result() printed in a gdb session, in order."""
    return [ast.literal_eval(line[len("RESULT "):])
            for line in out.splitlines() if line.startswith("RESULT ")]


def completions(out, prefix="hv "):
    """The lines of `complete` commands' output."""
    return [line for line in out.splitlines() if line.startswith(prefix)]
