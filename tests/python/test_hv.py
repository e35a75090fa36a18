"""The `hv` command in stock gdb against the test double: output, errors
gdb-style, tab completion, kernel symbols sent as addresses."""
import re

from hvgdb_testlib import KALLSYMS, completions, hv_gdb
from hvgdb import language

PY_ERRORS = ("Traceback", "Python Exception", "Error occurred in Python",
             "Protocol error with Rcmd")


def no_python_errors(out):
    return not any(e in out for e in PY_ERRORS)


def test_hv_prints_the_output_and_the_stubs_refusal(target):
    out = hv_gdb(target, ["hv echo hello", "hv fail column 3: nope",
                          "p 42", "hv", "hv   echo  two  blanks"])
    assert re.search(r"^hello\ncolumn 3: nope\n\$1 = 42\n"
                     r"test target monitor commands:\n  echo ", out, re.M), out
    # Sent as typed (gdb drops the blanks before it): the test double
    # echoes what follows "echo ".
    assert re.search(r"^ two  blanks$", out, re.M), out
    assert no_python_errors(out), out


def test_hv_not_connected_is_a_gdb_error():
    out = hv_gdb(None, ["hv echo x", "p 1"], connect=False)
    assert '"monitor" command not supported by this target.\n$1 = 1' in out
    assert no_python_errors(out), out


# The commands the package answers itself (hvgdb.kernel.COMMANDS).
LOCAL = ("current", "dmesg", "lsmod", "ps", "types")


def test_complete_names_without_a_connection():
    out = hv_gdb(None, ["complete hv !cp", "complete hv .h",
                        "complete hv !sysr", "complete hv cpu"],
                 connect=False)
    assert completions(out) == ["hv !cpuid", "hv .help", "hv !sysret",
                                "hv !sysret2", "hv cpu", "hv cpus"], out
    out = hv_gdb(None, ["complete hv "], connect=False)
    assert completions(out) == sorted("hv " + n for n in
                                      language.COMMAND_NAMES + LOCAL), out


def test_complete_names_from_the_stubs_help_once(target):
    """Connected, the names are the stub's (.help), asked once."""
    out = hv_gdb(target, ["set debug remote 1", "complete hv ",
                          "complete hv ec", "complete hv !cp"])
    assert completions(out) == ["hv .help", "hv big", "hv current",
                                "hv dmesg", "hv echo", "hv fail",
                                "hv laststep", "hv lsmod", "hv ps",
                                "hv slow", "hv types", "hv echo"], out
    # set debug remote is off while monitor() runs: the package's own
    # line in the log stands for the packets.
    assert out.count("[hvgdb] monitor '.help': ") == 1, out
    assert "qRcmd" not in out, out
    # Completing a word that is not a CPU number asks for no thread list.
    assert "qXfer:threads" not in out.split("hv .help")[1], out


def test_complete_falls_back_when_the_stub_has_no_help(target, gdb_py):
    out, _ = gdb_py(target, """
def refuse(cmd):
    raise hvgdb.MonitorError("unknown command: " + cmd)


hvgdb.remote.monitor = refuse
""", after=["complete hv !cp", "complete hv ec"])
    assert completions(out) == ["hv !cpuid"], out


def test_complete_options_and_values(target):
    out = hv_gdb(target, ["complete hv !cpuid 1 s", "complete hv !cpuid imm ",
                          "complete hv msrread core ",
                          "complete hv rdmsr c0000082 ",
                          "complete hv events sc ",
                          "complete hv !cpuid script { pri"])
    assert completions(out) == [
        "hv !cpuid 1 sc", "hv !cpuid 1 script", "hv !cpuid 1 stage",
        "hv !cpuid 1 steps", "hv !cpuid imm no", "hv !cpuid imm yes",
        "hv msrread core 0", "hv msrread core 1",     # the test double's
        "hv rdmsr c0000082 core",
        "hv events sc off", "hv events sc on"], out


def test_complete_kernel_symbols_where_an_address_goes(syms_elf):
    out = hv_gdb(None, ["symbol-file " + syms_elf,
                        "complete hv !va2pa hv_test_",
                        "complete hv !epthook hv_test_st",
                        "complete hv !epthook hv_test_store s",
                        "complete hv !pa2va hv_test_"], connect=False)
    got = completions(out)
    names = [n.replace(".cold", "[cold]")      # how gdb shows x.cold
             for n in KALLSYMS if n.startswith("hv_test_")]
    assert got == sorted("hv !va2pa " + n for n in names) + [
        "hv !epthook hv_test_store",
        "hv !epthook hv_test_store script",
        "hv !epthook hv_test_store steps"], out


def test_a_symbol_is_sent_as_its_address(target, syms_elf):
    """The test double does not know !va2pa: its refusal quotes the
    command as it arrived."""
    wvar = KALLSYMS["hv_test_wvar"][0]
    banner = KALLSYMS["hv_test_banner"][0]
    cold = KALLSYMS["hv_test_helper.cold"][0]
    out = hv_gdb(target, [
        "symbol-file " + syms_elf,
        "hv !va2pa hv_test_wvar", "hv !pte hv_test_banner+10",
        "hv !epthook hv_test_helper.cold core 1",
        "hv !va2pa 0x10", "hv !va2pa fffff800`12345678",
        "hv !va2pa no_such_symbol", "hv !pa2va hv_test_wvar",
        "hv !cpuid script { hv_test_wvar }", "hv echo hv_test_wvar"])
    got = re.findall(r"^unknown command: (.*)$", out, re.M)
    assert got == [
        "!va2pa %x" % wvar, "!pte %x" % (banner + 0x10),
        "!epthook %x core 1" % cold,
        "!va2pa 0x10", "!va2pa fffff800`12345678",
        "!va2pa no_such_symbol", "!pa2va hv_test_wvar",
        "!cpuid script { hv_test_wvar }"], out
    assert re.search(r"^hv_test_wvar$", out, re.M), out
    assert no_python_errors(out), out


def test_hv_cpu_is_the_selected_threads_cpu(target):
    out = hv_gdb(target, ["thread 2", "p $hv_cpu()", "thread 1",
                          "p $hv_cpu()"])
    assert re.findall(r"^\$\d+ = (\d+)$", out, re.M) == ["1", "0"], out
    assert no_python_errors(out), out


def test_hv_events_is_the_packages_table(target):
    """`hv events` alone asks `.kv events` (the table is the package's);
    with a verb it goes to the module as typed.  The test double knows
    neither, so each refusal shows which was sent."""
    out = hv_gdb(target, ["python print(callable(hvgdb.events))",
                          "hv events", "hv events d 1"])
    assert "True\nunknown command: .kv events\n" in out, out
    assert "unknown command: events d 1" in out, out
    assert no_python_errors(out), out
