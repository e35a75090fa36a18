"""hvgdb.monitor() and hvgdb.MonitorError in stock gdb against the test
double: the output as a string, the stub's refusals in its own words."""
import re


def test_monitor_returns_the_output(target, gdb_py):
    out, r = gdb_py(target, """
result(hvgdb.monitor("echo hello world"))
big = hvgdb.monitor("big 40000")
result((len(big), big.count("\\n"), big.splitlines()[-1]))
result(hvgdb.monitor("slow 3"))
""")
    assert r == ["hello world\n", (40000, 1250,
                                   "big-output line 001249 ........"),
                 "tick 0\ntick 1\ntick 2\n"], out
    # Captured, not printed.
    assert "hello world" not in out.replace("RESULT 'hello world\\n'", "")
    assert "big-output line 000000" not in out


def test_refusal_is_monitor_error_in_the_stubs_words(target, gdb_py):
    out, r = gdb_py(target, """
try:
    hvgdb.monitor("fail column 6: expected 'yes' or 'no' after 'imm'")
except hvgdb.MonitorError as e:
    result((str(e), e.command, e.output))
    result((isinstance(e, gdb.error), isinstance(e, gdb.GdbError)))
for cmd in ["fail", "nosuch 1"]:
    try:
        hvgdb.monitor(cmd)
    except gdb.error as e:          # a MonitorError is a gdb.error
        result((type(e).__name__, str(e)))
result(hvgdb.monitor("echo still connected"))
""")
    assert r == [
        ("column 6: expected 'yes' or 'no' after 'imm'",
         "fail column 6: expected 'yes' or 'no' after 'imm'",
         "column 6: expected 'yes' or 'no' after 'imm'\n"),
        (True, True),
        ("MonitorError", "error: the test target refuses this command"),
        ("MonitorError", "unknown command: nosuch 1"),
        "still connected\n"], out
    assert "Protocol error with Rcmd" not in out


def test_gdbs_own_errors_stay_gdb_errors(gdb_py):
    """Not connected: gdb refuses, not the stub."""
    out, r = gdb_py(None, """
try:
    hvgdb.monitor("echo x")
except gdb.error as e:
    result((type(e).__name__, str(e)))
""", connect=False)
    assert r == [("error", '"monitor" command not supported by this '
                           'target.')], out


def test_a_command_over_several_lines(target, gdb_py):
    out, r = gdb_py(target, """
result(hvgdb.monitor("echo a {\\n  // b }\\n  c\\n}"))
try:
    hvgdb.monitor('echo { printf("a\\nb"); }')
except ValueError as e:
    result(str(e))
""")
    assert r == ["a {" + " " * 12 + "c }\n",      # columns kept
                 "a line break inside a script string at column 17: "
                 "write \\n"], out


def test_a_refusal_through_a_python_command_is_a_gdb_error(target, gdb_py):
    """MonitorError is a gdb.GdbError: a user's own command that lets it
    through prints the stub's words, no traceback."""
    out, _ = gdb_py(target, """
class Mine(gdb.Command):
    def __init__(self):
        super().__init__("mine", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        hvgdb.monitor("fail column 3: no " + arg)


Mine()
""", after=["mine good", "p 42"])
    assert re.search(r"^column 3: no good\n\$1 = 42$", out, re.M), out
    assert "Traceback" not in out and "Python Exception" not in out


def test_debug_remote_stays_out_of_the_output(target, gdb_py):
    """gdb 13 captures `set debug remote` lines with to_string: monitor()
    turns it off while the command runs and back on after."""
    out, r = gdb_py(target, """
result(hvgdb.monitor("echo hi"))
result(gdb.parameter("debug remote"))
""", before=["set debug remote 1"])
    assert r == ["hi\n", 1], out
    assert "[hvgdb] monitor 'echo hi': 3 bytes of output, OK" in out, out
