"""make install puts the package where stock gdb finds it with no path set;
a checkout's gdb-python/ works with one sys.path entry; make
install-module puts hvgdb.ko in the kernel's module tree under DESTDIR."""
import glob
import os
import subprocess

from hvgdb_testlib import ROOT

MODULES = sorted(os.path.basename(p) for p in
                 glob.glob(os.path.join(ROOT, "gdb-python", "hvgdb", "*.py")))
KO = os.path.join(ROOT, "kmod", "hvgdb.ko")


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
    # make install also puts the module in the kernel's tree.
    release = modinfo("vermagic", KO).split()[0]
    ko = tmp_path / "lib" / "modules" / release / "extra" / "hvgdb.ko"
    # (signed where the kernel tree has a key: the built bytes first)
    assert ko.read_bytes().startswith(open(KO, "rb").read())
    make("uninstall", "DESTDIR=%s" % tmp_path, "PREFIX=/opt/hv")
    assert not os.path.exists("%s%s/hvgdb" % (tmp_path, pydir))
    assert os.listdir(tmp_path / "opt/hv/bin") == []
    assert not ko.exists()


def test_install_host_leaves_the_module_out(tmp_path):
    make("install-host", "DESTDIR=%s" % tmp_path, "PREFIX=/opt/hv")
    assert os.access(tmp_path / "opt/hv/bin" / "hvgdb-syms", os.X_OK)
    assert not (tmp_path / "lib").exists()
    make("uninstall-host", "DESTDIR=%s" % tmp_path, "PREFIX=/opt/hv")
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


def modinfo(field, path):
    return subprocess.run(["/sbin/modinfo", "-F", field, path],
                          stdout=subprocess.PIPE, text=True, timeout=60,
                          check=True).stdout.strip()


def test_install_module_honours_destdir(tmp_path):
    """hvgdb.ko lands in <DESTDIR>/lib/modules/<release>/extra/, release
    being the kernel it was built for (its vermagic, what modprobe on that
    kernel looks under), and is the module that was built; nothing else
    is written (no depmod files: depmod is for the system's own tree)."""
    make("kmod")
    release = modinfo("vermagic", KO).split()[0]
    out = make("install-module", "DESTDIR=%s" % tmp_path)
    assert "depmod -a" not in out, out
    dest = tmp_path / "lib" / "modules" / release / "extra" / "hvgdb.ko"
    files = sorted(str(p.relative_to(tmp_path))
                   for p in tmp_path.rglob("*") if p.is_file())
    assert files == [str(dest.relative_to(tmp_path))], (files, out)
    assert modinfo("name", str(dest)) == "hvgdb"
    assert modinfo("vermagic", str(dest)) == modinfo("vermagic", KO)
    # Signed only where the kernel tree has a key (a distribution's
    # headers have none): the same bytes, or those bytes and a signature.
    data = dest.read_bytes()
    with open(KO, "rb") as f:
        built = f.read()
    assert data == built or (
        data.startswith(built) and
        data.endswith(b"~Module signature appended~\n")), out
    make("uninstall-module", "DESTDIR=%s" % tmp_path)
    assert not dest.exists()


def test_install_module_honours_install_mod_path(tmp_path):
    make("kmod")
    release = modinfo("vermagic", KO).split()[0]
    make("install-module", "INSTALL_MOD_PATH=%s" % (tmp_path / "root"),
         "INSTALL_MOD_DIR=hv")
    dest = tmp_path / "root" / "lib" / "modules" / release / "hv" / "hvgdb.ko"
    assert dest.exists() and modinfo("name", str(dest)) == "hvgdb"
