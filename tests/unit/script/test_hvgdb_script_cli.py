"""hvgdb-script as a user runs it: check a file, evaluate with registers,
pseudo-registers and memory, see errors with their position."""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
TOOL = os.path.join(ROOT, "build", "bin", "hvgdb-script")


def run(*args, stdin=None):
    if not os.access(TOOL, os.X_OK):
        pytest.fail("%s not built (run make)" % TOOL)
    return subprocess.run([TOOL] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=30)


def test_check_ok(tmp_path):
    f = tmp_path / "count.ds"
    f.write_text(".hits += 1;\nif ($context == 0xc0000080) {\n"
                 "    printf(\"msr read by %d\\n\", $pid);\n}\n")
    p = run(str(f))
    assert p.returncode == 0
    assert p.stdout.startswith(str(f) + ": ok (")


def test_check_error_names_file_line_column(tmp_path):
    f = tmp_path / "bad.ds"
    f.write_text("x = 1;\nif (x == 1) {\n    y = @foo + 1;\n}\n")
    p = run(str(f))
    assert p.returncode == 1
    assert p.stderr.strip() == (
        "%s: line 3, column 9: expected a register name, got @foo" % f)


def test_eval_prints_and_test_statement(tmp_path):
    f = tmp_path / "e.ds"
    f.write_text("printf(\"rax=%llx pid=%d\\n\", @rax, $pid);\n"
                 "test_statement(@rdx * 2 + @eax);\n"
                 "print(@al);\n")
    p = run("--eval", str(f), "--reg", "rax=0x1122334455", "--reg", "rdx=3",
            "--pseudo", "pid=0x10")
    assert p.returncode == 0, p.stderr
    assert p.stdout == ("rax=1122334455 pid=16\n"
                        "test_statement: 2233445b\n"
                        "55\n")


def test_eval_memory_model():
    p = run("--eval", "--mem", "0x1000=4142434400", "--str", "0x2000=comm",
            "--zero", "0x3000+16", "-e",
            "printf(\"%s %s\\n\", 0x1000, 0x2000); eq(0x3000, db(0x1001));"
            " test_statement(poi(0x3000)); x = poi(0x9000);")
    assert p.returncode == 0, p.stderr
    assert p.stdout == ("ABCD comm\ntest_statement: 42\n"
                        "script error: cannot read memory at 0x9000\n")


def test_eval_stdin_and_vars():
    p = run("--eval", "--vars", "-", stdin="i = 0; while (i < 0n10) { i++; }"
            " .total = i * 2;")
    assert p.returncode == 0
    assert "var i = a\n" in p.stdout
    assert "var .total = 14\n" in p.stdout


def test_condition_mode():
    p = run("--eval", "--condition", "--reg", "rcx=0xc0000080", "-e",
            "@ecx == 0xc0000080 && $core == 0")
    assert p.returncode == 0
    assert p.stdout == "condition: 1\n"


def test_runtime_error_exit_status():
    p = run("--eval", "--steps", "1000", "-e", "while (1 == 1) { }")
    assert p.returncode == 2
    assert "step budget exhausted" in p.stdout
    p = run("--eval", "-e", "x = 1 / 0;")
    assert p.returncode == 2
    assert "division by zero" in p.stdout


def test_repeat_keeps_locals():
    p = run("--eval", "--repeat", "5", "-e", "n++; test_statement(n);")
    assert p.returncode == 0
    assert p.stdout.splitlines()[-1] == "test_statement: 5"


def test_usage_errors():
    assert run().returncode == 64
    assert run("--reg", "nosuchreg=1", "-e", "x = 1;").returncode == 64
    assert run("--pseudo", "pid=zz", "-e", "x = 1;").returncode == 64
    assert run("/nonexistent/file.ds").returncode == 64
    p = run("--help")
    assert p.returncode == 0 and "--eval" in p.stdout


def test_pseudo_pname_text():
    """--pseudo pname=TEXT: a script comparing $pname can be checked here;
    the text is cut to 15 characters as the kernel's comm is."""
    src = ('if (strcmp($pname, "bash") == 0) { printf("bash %s\\n", $pname); }'
           ' else { printf("other %s %d\\n", $pname, strlen($pname)); }')
    p = run("--eval", "--pseudo", "pname=bash", "-e", src)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "bash bash\n"
    p = run("--eval", "--pseudo", "$pname=a_rather_long_process", "-e", src)
    assert p.stdout == "other a_rather_long_p 15\n"


def test_include_errors(tmp_path):
    (tmp_path / "lib.ds").write_text("? {\n int twice(int a) {\n"
                                     "  return a * 2; // doubled\n }\n}\n")
    main = tmp_path / "main.ds"
    main.write_text('#include "lib.ds";\nx = twice(0n21);\n'
                    'printf("%d\\n", x);\ny = ;\n')
    p = run("--eval", str(main))
    assert p.returncode == 1
    # the including file keeps its line numbers
    assert p.stderr.strip() == "%s: line 4, column 5: expected an expression" % main
    main.write_text('#include "lib.ds";\nx = twice(0n21);\nprintf("%d\\n", x);\n')
    p = run("--eval", str(main))
    assert (p.returncode, p.stdout) == (0, "42\n"), p.stderr
    main.write_text('x = 1;\n  #include "missing.ds"\n')
    p = run(str(main))
    assert p.returncode == 1
    assert p.stderr.strip() == (
        "%s: line 2, column 3: cannot read the included file %s/missing.ds: "
        "No such file or directory" % (main, tmp_path))
    # what the module answers when the text was not resolved first
    p2 = subprocess.run([TOOL, "-"], input='x = 1; #y', capture_output=True,
                        text=True)
    assert p2.returncode == 1
    assert "line 1, column 8: expected the included text: #include is " \
        "resolved before sending" in p2.stderr
