"""Every script of HyperDbg's documentation examples (scripting-language/
examples/) and function pages (scripting-language/functions/) compiles
with hvgdb-script; those that make sense on Linux run, with their output
checked.  The pages are read at test time from ../shared/hyperdbg-docs
(HVGDB_HYPERDBG_DOCS overrides).  docs/script.md lists the ones that do
not apply and why; NOT_SCRIPTS and DOC_ERRORS below are that list."""
import json
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
TOOL = os.path.join(ROOT, "build", "bin", "hvgdb-script")
DOCS = os.environ.get("HVGDB_HYPERDBG_DOCS") or os.path.join(
    ROOT, "..", "shared", "hyperdbg-docs")
LANG = os.path.join(DOCS, "commands", "scripting-language")


def _match_brace(s, i):
    depth, q, j = 0, False, i
    while j < len(s):
        c = s[j]
        if q:
            if c == "\\":
                j += 1
            elif c == '"':
                q = False
        elif c == '"':
            q = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if not depth:
                return j
        j += 1
    return -1


def _scripts_of_block(b):
    """The scripts of a fenced block: `script {..}`, `condition {..}`,
    `? {..}`, `? statement` (also after a `kHyperDbg>` prompt), or the
    block itself when it holds no command."""
    b = re.sub(r"(?m)^\s*\d+: kHyperDbg> ", "", b)
    cmd = re.search(r"(?m)^\s*(\?|![a-z]|bp |print |eval |u |g$|bc )", b)
    if not cmd:
        return [b]
    out = []
    for m in re.finditer(r"(\?\s*\{|script\s*\{|condition\s*\{)", b):
        i = b.index("{", m.start())
        j = _match_brace(b, i)
        if j > 0:
            out.append(b[i + 1:j])
    out += [m.group(1) for m in
            re.finditer(r"(?m)^\s*\?\s+([^{\s][^\n]*)$", b)]
    # the print command evaluates one expression
    out += ["print(%s);" % m.group(1) for m in
            re.finditer(r"(?m)^\s*print\s+([^\n]*)$", b)]
    return out


def examples():
    """(id, script): id is "page#n" (n counts the page's scripts)."""
    found = []
    for sub in ("examples", "functions"):
        for d, _, files in sorted(os.walk(os.path.join(LANG, sub))):
            for f in sorted(files):
                if not f.endswith(".md"):
                    continue
                path = os.path.join(d, f)
                page = os.path.relpath(path, LANG)
                text = open(path, encoding="utf-8").read()
                n = 0
                for b in re.findall(r"```[a-zA-Z]*\n(.*?)```", text, re.S):
                    for s in _scripts_of_block(b):
                        found.append(("%s#%d" % (page, n), s))
                        n += 1
                m = re.search(r"### Examples?(.*?)(\n### |\Z)", text, re.S)
                for line in (m.group(1).splitlines() if m else []):
                    mm = re.fullmatch(r"\s*`(?:\? )?([^`]+)`\s*", line)
                    if mm:
                        found.append(("%s#%d" % (page, n), mm.group(1)))
                        n += 1
    return found


# Fenced blocks of the pages that are not scripts.
NOT_SCRIPTS = {
    "examples/patch-the-normal-sequence-of-execution.md#0": "a C++ program",
    "examples/pause-the-debugger-conditionally.md#0": "a Windows C prototype",
    "examples/pause-the-debugger-conditionally.md#1": "a C struct",
    "examples/pause-the-debugger-conditionally.md#2": "WinDbg dt output",
    "examples/pause-the-debugger-conditionally.md#3": "a C struct",
    "examples/pause-the-debugger-conditionally.md#4": "WinDbg dt output",
    "examples/trace-function-calls.md#0": "a Windows C prototype",
    "examples/trace-function-calls.md#1": "a C struct",
    "examples/trace-function-calls.md#2": "WinDbg dt output",
    "examples/trace-function-calls.md#3": "a C struct",
    "examples/trace-function-calls.md#4": "WinDbg dt output",
    "functions/tracing/lbr/lbr_print.md#1": "lbr_print output",
    "functions/tracing/lbr/lbr_print.md#2": "lbr_print output",
}

# Scripts that HyperDbg itself rejects (typos of the pages), or Windows's
# module!symbol syntax.
DOC_ERRORS = {
    "examples/conditional-breakpoints-and-events.md#0":
        "nt!CmpAllocatePoolWithTag: a Windows module!symbol",
    "examples/view-system-state.md#0": "printf(\"Result : %s\", @rcx)); "
        "has one ')' too many",
    "examples/view-system-state.md#14": "print() with a format and two "
        "values (printf meant)",
    "functions/exports/printf.md#1": "print( with a format, no ',' "
        "before dq(@rcx)",
}


def run(args, src):
    if not os.access(TOOL, os.X_OK):
        pytest.fail("%s not built (run make)" % TOOL)
    return subprocess.run([TOOL] + args + ["-"], input=src,
                          capture_output=True, text=True, timeout=30)


def test_pages_found():
    if not os.path.isdir(LANG):
        pytest.fail("HyperDbg docs not found at %s (HVGDB_HYPERDBG_DOCS)"
                    % DOCS)
    ids = [i for i, _ in examples()]
    assert len(ids) == len(set(ids))
    assert len(ids) > 100
    # every entry of the lists names a script of the pages
    assert set(NOT_SCRIPTS) | set(DOC_ERRORS) <= set(ids)


def test_every_example_compiles():
    failed = []
    for i, src in examples():
        p = run([], src)
        expected_fail = i in NOT_SCRIPTS or i in DOC_ERRORS
        if (p.returncode != 0) != expected_fail:
            failed.append("%s: %s\n    %s" % (i, p.stderr.strip() or "ok",
                                              src.strip()[:160]))
    assert not failed, "\n".join(failed)


def script(id_):
    return dict(examples())[id_]


# Examples that make sense on Linux, run with hvgdb-script: (page#n,
# options, expected output).  Memory: a page at 0x10000 (--zero), strings.
MEM = ["--zero", "0x10000+0x1000"]
LBR_MSG = ("script error: LBR functions need the module and '!lbr "
           "enable': returned 0x0\n")
RUNS = [
    # access-to-a-shared-variable-from-different-cores: the event script,
    # 3 firings of syscall 0x55; the lock is free again after each
    ("examples/access-to-a-shared-variable-from-different-cores.md#3",
     ["--pseudo", "context=0x55", "--repeat", "3", "--vars"],
     "NtCreateFile syscall (0x0055) is called 1 times\n"
     "NtCreateFile syscall (0x0055) is called 2 times\n"
     "NtCreateFile syscall (0x0055) is called 3 times\n"
     "var .my_lock = 0\nvar .my_counter = 3\n"),
    ("examples/access-to-a-shared-variable-from-different-cores.md#3",
     ["--pseudo", "context=0x54", "--vars"],
     "var .my_lock = 0\nvar .my_counter = 0\n"),
    ("examples/count-occurrences-of-events.md#1", ["--repeat", "5", "--vars"],
     "var .Result = 5\nvar .my_counter = 5\n"),
    ("examples/count-occurrences-of-events.md#2", [], "0\n"),
    ("examples/change-system-state-registers-memory-variables.md#4",
     ["--reg", "rax=0x10", "--reg", "rdx=0x100000003", "--vars"],
     "var .my_global_var = 13\n"),      # @edx is the low 32 bits
    ("examples/change-system-state-registers-memory-variables.md#5",
     ["--reg", "rax=0x10", "--reg", "rdx=0x100000003", "--vars"],
     "var my_local_var = 13\n"),
    ("examples/change-system-state-registers-memory-variables.md#6",
     ["--mem", "0x10000=0000020000000000", "--zero", "0x20000+0x100",
      "--reg", "rcx=0x10000", "--vars"],
     "var IsEditApplied = 1\n"),
    ("examples/change-system-state-registers-memory-variables.md#9",
     MEM + ["--reg", "r11=0x10008"], "address is valid.\n"),
    ("examples/change-system-state-registers-memory-variables.md#9",
     MEM + ["--reg", "r11=0x20000"], "address is invalid.\n"),
    ("examples/change-system-state-registers-memory-variables.md#10",
     MEM + ["--reg", "rcx=0x10ff0", "--vars"], "var IsValid = 0\n"),
    ("examples/change-system-state-registers-memory-variables.md#10",
     MEM + ["--reg", "rcx=0x10fe0", "--vars"], "var IsValid = 1\n"),
    ("examples/patch-the-normal-sequence-of-execution.md#1",
     ["--reg", "rflags=0x246"], ""),
    ("examples/view-system-state.md#1", ["--pseudo", "pname=bash"],
     "Process name: bash"),
    ("examples/view-system-state.md#2",
     ["--mem", "0x10000=efbeadde00000000", "--reg", "rcx=0x10000"],
     "deadbeef\n"),
    ("examples/view-system-state.md#3",
     ["--pseudo", "proc=0xffff888000001000", "--reg", "rdx=0x10"],
     "ffff888000001010\n"),
    ("examples/view-system-state.md#9",
     ["--str", "0x10000=hello", "--reg", "rcx=0x10000"],
     "Result : hello"),
    ("examples/view-system-state.md#6",
     ["--pseudo", "proc=0x10000", "--mem", "0x10010=0001020000000000",
      "--str", "0x20100=comm"], "Result : comm"),
    ("functions/memory/eb-ed-eq.md#0",
     MEM + ["--reg", "r11=0x10010"], "changes are applied.\n"),
    ("functions/memory/eb-ed-eq.md#0",
     MEM + ["--reg", "r11=0x30000"],
     "script error: cannot write memory at 0x30000\n"
     "changes are NOT applied.\n"),
    ("functions/memory/eb_pa-ed_pa-eq_pa.md#0",
     MEM + ["--reg", "r11=0x10010"], "changes are applied.\n"),
    ("functions/memory/memcmp.md#0",
     ["--str", "0x10000=Test1", "--reg", "rcx=0x10000"], ""),
    ("functions/exports/print.md#0", ["--reg", "rcx=0x1234"], "1234\n"),
    ("functions/exports/printf.md#0",
     ["--str", "0x10000=Test String", "--reg", "rcx=0x10000"],
     "Result is Test String"),
    ("functions/strings/strlen.md#3", ["--vars"], "var StringLen = 4\n"),
    ("functions/strings/wcslen.md#3", ["--vars"], "var StringLen = 4\n"),
    ("functions/spinlocks/spinlock_lock.md#1", ["--vars"],
     "var .my_lock = 1\n"),
    ("functions/spinlocks/spinlock_lock_custom_wait.md#1", ["--vars"],
     "var .my_lock = 1\n"),
    ("functions/diassembler/disassemble_len.md#0",
     ["--mem", "0x10010=4889e5c3", "--reg", "rip=0x10000", "--vars"],
     "var InstrLength = 3\n"),
    ("functions/events/event_sc.md#0", [], ""),
    ("functions/timings/microsleep.md#0", [], ""),
    ("functions/tracing/lbr/lbr_save.md#0", [], LBR_MSG),
    ("functions/tracing/lbr/lbr_check.md#0", [], LBR_MSG +
     "LBR is disabled (e.g., because of a #DB) and now it is re-enabled.\n"),
]


@pytest.mark.parametrize("id_,opts,want", RUNS,
                         ids=["%s-%d" % (r[0], n) for n, r in enumerate(RUNS)])
def test_example_runs(id_, opts, want):
    p = run(["--eval"] + opts, script(id_))
    assert p.stdout == want, p.stderr
