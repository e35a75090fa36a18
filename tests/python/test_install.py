"""make install puts the package where stock gdb finds it with no path set;
a checkout's gdb-python/ works with one sys.path entry."""
import os
import subprocess

from hvgdb_testlib import ROOT

MODULES = ["__init__.py", "btf.py", "btfgen.py", "eventctl.py",
           "functions.py", "hv.py", "kernel.py", "language.py", "machine.py",
           "memory.py", "remote.py", "symbols.py"]


def make(*args):
    r = subprocess.run(["make", "--no-print-directory", "-C", ROOT] +
                       list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    assert r.returncode == 0, r.stdout
    return r.stdout


def gdb(*args):
    return subprocess.run(["gdb", "-nx", "-batch"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=60, stdin=subprocess.DEVNULL,
                          cwd=ROOT).stdout


def test_install_honours_destdir_and_prefix(tmp_path):
    pydir = gdb("-ex", "python print(gdb.PYTHONDIR)").strip()
    assert pydir.startswith("/") and "\n" not in pydir, pydir
    make("install", "DESTDIR=%s" % tmp_path, "PREFIX=/opt/hv")
    assert sorted(os.listdir("%s%s/hvgdb" % (tmp_path, pydir))) == MODULES
    for tool in ["hvgdb-script", "hvgdb-syms"]:
        assert os.access(tmp_path / "opt/hv/bin" / tool, os.X_OK)
    make("uninstall", "DESTDIR=%s" % tmp_path, "PREFIX=/opt/hv")
    assert not os.path.exists("%s%s/hvgdb" % (tmp_path, pydir))
    assert os.listdir(tmp_path / "opt/hv/bin") == []


def test_installed_package_imports_with_no_path_set(tmp_path):
    """gdb's data directory, as Debian's but in tmp_path: its python/ holds
    gdb's own package and what make install-python put there."""
    data = tmp_path / "data"
    (data / "python").mkdir(parents=True)
    pydir = gdb("-ex", "python print(gdb.PYTHONDIR)").strip()
    os.symlink(os.path.join(pydir, "gdb"), data / "python" / "gdb")
    make("install-python", "GDB_PYTHONDIR=%s" % (data / "python"))
    out = gdb("-data-directory", str(data),
              "-ex", "python import hvgdb; print(hvgdb.__file__)",
              "-ex", "help hv")
    assert out.startswith(str(data / "python" / "hvgdb" / "__init__.py")), out
    assert "Run a HyperDbg command of hvgdb.ko." in out, out


def test_checkout_import():
    out = gdb("-ex", "python import sys; sys.path.insert(0, 'gdb-python'); "
              "import hvgdb; print(hvgdb.monitor, hvgdb.MonitorError)")
    assert "<function monitor at" in out, out
    assert "<class 'hvgdb.remote.MonitorError'>" in out, out
