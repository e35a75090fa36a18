"""hvgdb.language in plain Python: words and blocks, numbers, completion
contexts, symbols sent as addresses, columns, multi-line commands."""
import os
import re

import pytest

from hvgdb_testlib import ROOT
from hvgdb import language as L


def words(line):
    return [(t.text, t.block, t.closed) for t in L.lex(line)]


def test_lex_words_and_blocks():
    assert words('!cpuid 1 script { printf("}\\n"); } core 0') == [
        ("!cpuid", False, True), ("1", False, True),
        ("script", False, True), ('{ printf("}\\n"); }', True, True),
        ("core", False, True), ("0", False, True)]
    # Braces in comments do not count; a word ends at a brace.
    assert words("x{ /* } */ a // }\n}y") == [
        ("x", False, True), ("{ /* } */ a // }\n}", True, True),
        ("y", False, True)]
    assert words("a { b { c }") == [("a", False, True),
                                    ("{ b { c }", True, False)]
    assert words('{ "open') == [('{ "open', True, False)]
    assert words(" \t") == []


@pytest.mark.parametrize("word,value", [
    ("10", 0x10), ("0x10", 0x10), ("0n10", 10), ("0t10", 8), ("0y10", 2),
    ("fffff800`12345678", 0xfffff80012345678), ("0xFF", 0xff),
    ("add", 0xadd), ("0b", 0xb),
])
def test_numbers_as_the_module_reads_them(word, value):
    assert L.parse_number(word) == value


@pytest.mark.parametrize("word", ["0x", "`1", "1`", "0n1a", "0y2", "g",
                                  "linux_banner", "-1", ""])
def test_not_numbers(word):
    assert L.parse_number(word) is None


def test_symbol_words():
    assert L.symbol_word("linux_banner") == ("linux_banner", 0)
    assert L.symbol_word("__x64_sys_openat+10") == ("__x64_sys_openat", 0x10)
    assert L.symbol_word("f.cold-0n8") == ("f.cold", -8)
    for w in ["add", "0x10", "fffff800`12345678", "a+b+c", "x+", "1abc_"]:
        assert L.symbol_word(w) is None, w


def test_static_names_agree_with_the_modules_help():
    """COMMAND_NAMES is .help's list, in its order (monitor-cmds/
    cmd_help.c's table)."""
    src = open(os.path.join(ROOT, "monitor-cmds", "cmd_help.c")).read()
    table = src[src.index("cmd_infos[] = {"):]
    names = []
    for kind, name, rest in re.findall(
            r'\b(EV|PLAIN|HOST|INSPECT)\("([^"]+)",(\s*\w+)?', table):
        bang = kind == "EV" or (kind == "INSPECT" and rest.strip() == "true")
        names.append(("!" if bang else "") + name)
    # .help lists the host commands (?, print) after the others.
    names = [n for n in names if n not in ("?", "print")] + ["?", "print"]
    assert list(L.COMMAND_NAMES) == names


def test_help_names():
    text = ("hvgdb monitor commands (help <command> for its syntax):\n"
            "  !msrread    RDMSR executed\n  events      list\n"
            "Numbers are hex; 0n decimal, 0t octal, 0y binary.\n"
            "  ?           run a script\n")
    assert L.help_names(text) == ["!msrread", "events", "?"]


def comp(line, names=L.COMMAND_NAMES, cores=()):
    c = L.complete(line, names, cores)
    return "symbol" if c.symbol else c.words


def test_complete_command_names():
    assert comp("!cp") == ["!cpuid"]
    assert comp("!sys") == ["!syscall", "!syscall2", "!sysret", "!sysret2"]
    assert comp("") == list(L.COMMAND_NAMES)
    assert comp("ev", names=["echo", "events"]) == ["events"]


def test_complete_event_options():
    assert comp("!cpuid 1 s") == ["sc", "stage", "script", "steps"]
    assert comp("cpuid s") == ["sc", "stage", "script", "steps"]      # without !
    assert comp("!cpuid sc on s") == ["stage", "script", "steps"]     # once each
    assert comp("!cpuid imm ") == ["yes", "no"]
    assert comp("!cpuid stage p") == ["pre", "post"]
    assert comp("!msrread pid ") == ["all"]
    assert comp("!tsc core ", cores=["0", "1"]) == ["0", "1"]
    assert comp("!cpuid script { x } c") == ["core", "condition"]
    assert comp("!cpuid script { printf(\"") == []           # in a script
    assert comp("!crwrite ") == ["0", "4", "mask", "pid", "core", "imm",
                                 "buffer", "script", "condition", "output",
                                 "steps"]
    assert comp("!cpuid o") == ["output"]
    assert comp("!cpuid output { x } o") == []               # once
    assert "sc" not in comp("!crwrite 0 ")


def test_complete_other_commands():
    assert comp("rdmsr c0000082 ") == ["core"]
    assert comp("wrmsr c0000082 1 c") == ["core"]
    assert comp("!db 1000 ") == ["l"]
    assert comp("!db 1000 l 10 ") == []
    assert comp("events ") == list(L.EVENTS_VERBS)
    assert comp("events d ") == ["all"]
    assert comp("events sc ") == ["on", "off"]
    assert comp("prealloc ") == ["regular-event", "script", "buffer",
                                 "monitor", "epthook", "epthook2"]
    assert comp("info ") == ["version", "registers", "mem", "tlb"]
    assert comp("settings a") == ["autoflush", "autounpause",
                                  "addressconversion"]
    assert comp("settings autoflush ") == ["on", "off"]
    assert comp("preactivate ") == ["mode"]
    assert comp(".process ") == ["list", "pid", "process"]
    assert comp(".thread list ") == ["process"] and comp("lm ") == ["m", "km"]
    # !pcicam: bus, device, function, then x (and l) once each.
    assert comp("!pcit") == ["!pcitree"] and comp("!pcitree ") == []
    assert comp("!pcicam 0 1 ") == ["l"]
    assert comp("!pcicam 0 1 1 ") == ["x", "l"]
    assert comp("!pcicam 0 1 1 x ") == ["l"]
    assert comp("!pcicam 0 1 1 x l 100 ") == []
    assert comp("help !ms") == ["!msrread", "!msrwrite"]
    assert comp("? { x } ") == [] and comp("print 1 ") == []
    assert comp("nosuch ") == []


def test_complete_symbols_where_an_address_goes():
    assert comp("!va2pa ") == "symbol"
    assert comp("!va2pa linux_b") == "symbol"
    assert comp("!pte ") == "symbol"
    # A virtual search starts at an address; a physical one does not.
    assert comp("sb ") == "symbol" and comp("!sb ") == ["l"]
    assert comp("sb linux_banner ") == ["l"]
    assert comp("!epthook __x64_sys_op") == "symbol"
    # HyperDbg's !epthook has no stages and no short-circuiting.
    assert comp("!epthook __x64_sys_openat s") == ["script", "steps"]
    assert comp("!epthook core 0 ") == "symbol"
    assert comp("!va2pa linux_banner ") == ["core"]
    assert comp("!pa2va ") == [] and comp("!db ") == ["l"]  # physical


def test_substitute_symbols_where_an_address_goes():
    syms = {"linux_banner": 0xffffffff82161900, "f.cold": 0x1000}.get
    assert L.substitute("!va2pa linux_banner", syms) == (
        "!va2pa ffffffff82161900", [(7, 12, 16)])
    assert L.substitute("!pte linux_banner+10", syms)[0] == \
        "!pte ffffffff82161910"
    assert L.substitute("!epthook f.cold script { linux_banner }",
                        syms)[0] == "!epthook 1000 script { linux_banner }"
    # Numbers, unknown names and other places are sent as typed.
    for line in ["!va2pa 0x10", "!va2pa fffff800`12345678", "!va2pa add",
                 "!va2pa nosuch", "!pa2va linux_banner",
                 "!cpuid linux_banner", "? linux_banner"]:
        assert L.substitute(line, syms) == (line, []), line


def test_columns_count_in_the_typed_line():
    line, edits = L.substitute("!va2pa x pid 4", {"x": 0xffffffff81000000}.get)
    assert line == "!va2pa ffffffff81000000 pid 4"
    # The module's column 25 ('pid' in what it got) is column 10 as typed.
    assert L.map_columns("column 25: pid is not available yet", edits) == \
        "column 10: pid is not available yet"
    assert L.typed_column(8, edits) == 8 and L.typed_column(20, edits) == 8
    assert L.typed_column(1, edits) == 1
    assert L.map_columns("column 5: a (first at column 3)", []) == \
        "column 5: a (first at column 3)"


def test_one_line_keeps_columns():
    cmd = '!cpuid script {\n  // count }\n  .n = .n + 1; /* a\n b */\n}'
    line = L.one_line(cmd)
    assert "\n" not in line and len(line) == len(cmd)
    assert line == ("!cpuid script {" + " " * 16 +
                    ".n = .n + 1; /* a  b */ }")
    assert [t.text for t in L.lex(line)][:2] == ["!cpuid", "script"]
    assert L.one_line("events") == "events"
    with pytest.raises(ValueError, match="column 26"):
        L.one_line('!cpuid script { printf("a\nb"); }')


def test_records_of_kv_replies():
    text = ('event id=0x0 enabled=1 action="break" command="!cpuid 4711"\n'
            'event id=0x1 enabled=0 action="script" command="!tsc script { '
            'printf(\\"a\\\\tb\\\\n\\"); }"\n'
            'cpu cpu=0x1 tid=0x2 halted=0\n'
            'x d="q\\"\\\\\\x01\\t\\n z" e=0xffffffffffffffff\n')
    assert L.parse_records(text) == [
        ("event", {"id": 0, "enabled": 1, "action": "break",
                   "command": "!cpuid 4711"}),
        ("event", {"id": 1, "enabled": 0, "action": "script",
                   "command": '!tsc script { printf("a\\tb\\n"); }'}),
        ("cpu", {"cpu": 1, "tid": 2, "halted": 0}),
        ("x", {"d": 'q"\\\x01\t\n z', "e": (1 << 64) - 1}),
    ]
    assert L.parse_records("") == []
    for bad in ['event id=12', 'event id=0x1 x="open', 'event id', '-x a=1',
                'event a="\\q"']:
        with pytest.raises(ValueError):
            L.parse_records(bad)


def test_shift_columns():
    assert L.shift_columns("column 16: expected x\ncolumn 3: y", -4) == \
        "column 12: expected x\ncolumn 1: y"
