"""hvgdb.include in plain Python: HyperDbg's #include resolved on the
debugging machine, as hvgdb-script does (tools/hvgdb-script)."""
import subprocess

import pytest

from hvgdb_testlib import ROOT
from hvgdb import include as I

TOOL = ROOT + "/build/bin/hvgdb-script"

FIB = """? {
    int myfibonacci(int var1) {
        if (var1 == 0) {
            return 0;
        }
        if (var1 == 1) {
            return 1;   // the end
        }
        return myfibonacci(var1 - 1) + myfibonacci(var1 - 2);
    }
}
"""

TEST = """? {
    void my_func(int var, int var2) {
        printf("var = %d, var2 = %d\\n", var, var2);
        return;
        printf("this statement is never shown!\\n");
    }
}
"""

MAIN = """? {
    #include "script/test.ds";
    #include "script/fibonacci.ds";

    for (int i = 0; i < 3; i++) {
        my_func(1, 2);
    }

    var = myfibonacci(9);
    printf("%d", var);
}"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "script").mkdir()
    (tmp_path / "script" / "fibonacci.ds").write_text(FIB)
    (tmp_path / "script" / "test.ds").write_text(TEST)
    return tmp_path


def test_casting_and_inclusion_example(files):
    """The example of casting-and-inclusion.md: the expansion is one line
    per include, the lines of the including text stay where they were,
    and the script prints what HyperDbg's page shows."""
    out = I.expand(MAIN, str(files))
    assert "#include" not in out
    assert out.count("\n") == MAIN.count("\n")
    assert "myfibonacci(var1 - 1)" in out and "// the end" not in out
    body = out[out.index("{") + 1:out.rindex("}")]
    r = subprocess.run([TOOL, "--eval", "-e", body], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "var = 1, var2 = 2\n" * 3 + "34"
    # hvgdb-script resolves the same file the same way
    (files / "main.ds").write_text(body)
    r = subprocess.run([TOOL, "--eval", str(files / "main.ds")],
                       capture_output=True, text=True)
    assert r.stdout == "var = 1, var2 = 2\n" * 3 + "34", r.stderr


def test_nested_relative_and_absolute(files):
    (files / "script" / "outer.ds").write_text('#include "fibonacci.ds"\n')
    out = I.expand('#include "script/outer.ds"\nx = myfibonacci(5);',
                   str(files))
    assert "int myfibonacci" in out
    out2 = I.expand('#include "%s/script/test.ds";' % files, "/")
    assert "void my_func" in out2


def test_errors(files):
    with pytest.raises(I.IncludeError, match="cannot read the included "
                       "file .*nope.ds: No such file"):
        I.expand('#include "nope.ds"', str(files))
    with pytest.raises(I.IncludeError, match='column 10: expected "path"'):
        I.expand("#include nope.ds", str(files))
    (files / "a.ds").write_text('#include "b.ds"')
    (files / "b.ds").write_text('#include "a.ds"')
    with pytest.raises(I.IncludeError, match="include cycle"):
        I.expand('#include "a.ds"', str(files))
    # not a directive inside a string or a comment
    s = 'printf("#include \\"x\\""); // #include "y"'
    assert I.expand(s, str(files)) == s
