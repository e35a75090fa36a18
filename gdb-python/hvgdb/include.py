# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - HyperDbg's `#include "path"` in scripts sent by `hv` and
# hvgdb.monitor(): the target has no files, so the debugging machine
# inserts them before sending.  Same rules as hvgdb-script
# (tools/hvgdb-script/script_include.h):
#
#  - `#include "path";` (the ';' optional), outside strings and comments,
#    is replaced by the file's text;
#  - a `? { ... }` around that text is removed (HyperDbg's included files
#    are written as `?` commands);
#  - a relative path starts from the including file's directory (the
#    current directory for the command line itself), at most 8 files
#    deep, no cycles;
#  - the inserted text is one line (line breaks and // comments become
#    blanks), so that the command stays one line for gdb's monitor.
#
# Plain Python: no gdb import, tested by tests/python/test_include.py.

import os

MAX_DEPTH = 8


class IncludeError(ValueError):
    pass


def _flatten(text):
    """The included text as one line, `? { ... }` removed."""
    s = text.strip()
    if s.startswith("?"):
        inner = s[1:].lstrip()
        tail = s.rstrip("; \t\r\n")
        if inner.startswith("{") and tail.endswith("}"):
            s = inner[1:len(inner) - (len(s) - len(tail))].rstrip()
            s = s[:-1] if s.endswith("}") else s
    out, i, n = [], 0, len(s)
    while i < n:
        c = s[i]
        if c == '"':
            j = i + 1
            while j < n and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            out.append(s[i:j + 1])
            i = j + 1
            continue
        if s.startswith("//", i):
            while i < n and s[i] != "\n":
                out.append(" ")
                i += 1
            continue
        if s.startswith("/*", i):
            j = s.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(s[i:j].replace("\n", " ").replace("\r", " "))
            i = j
            continue
        out.append(" " if c in "\r\n" else c)
        i += 1
    return "".join(out)


def expand(text, base_dir=None, _stack=()):
    """text with every #include replaced; IncludeError names the file
    and why."""
    if "#include" not in text:
        return text
    base_dir = os.getcwd() if base_dir is None else base_dir
    out, i, start, n = [], 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if not text.startswith("#include", i):
            i += 1
            continue
        p = i + len("#include")
        while p < n and text[p] in " \t":
            p += 1
        q = text.find('"', p + 1) if p < n and text[p] == '"' else -1
        if q < 0 or q == p + 1 or "\n" in text[p:q]:
            raise IncludeError('column %d: expected "path" after #include'
                               % (p + 1))
        name = text[p + 1:q]
        q += 1
        while q < n and text[q] in " \t":
            q += 1
        if q < n and text[q] == ";":
            q += 1
        path = os.path.normpath(os.path.join(base_dir, name))
        if path in _stack:
            raise IncludeError("include cycle: %s is already being included"
                               % name)
        if len(_stack) >= MAX_DEPTH:
            raise IncludeError("more than %d nested includes at %s"
                               % (MAX_DEPTH, name))
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                body = f.read()
        except OSError as e:
            raise IncludeError("cannot read the included file %s: %s"
                               % (path, e.strerror)) from None
        body = expand(_flatten(body), os.path.dirname(path),
                      _stack + (path,))
        out.append(text[start:i])
        out.append(body + " ")
        i = start = q
    out.append(text[start:])
    return "".join(out)
