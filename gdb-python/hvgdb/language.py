# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  the monitor command language, as far as the package needs it: words and
#  {...} blocks, HyperDbg numbers, which word of a command is what (for tab
#  completion and for sending a symbol as its address), and the command
#  names.  The parser that decides is hvgdb.ko's own (monitor-cmds/,
#  docs/commands.md); this module only has to agree with it on where the
#  words are.
#
# No gdb here: tests/python/test_language.py runs it in plain Python.

import collections
import re

BLANKS = " \t\r\n\v\f"

# The commands of hvgdb.ko's `.help`, in its order (monitor-cmds/cmd_help.c):
# the names `hv` completes when the module cannot be asked.
COMMAND_NAMES = (
    "!msrread", "!msrwrite", "!cpuid", "!tsc", "!pmc", "!ioin", "!ioout",
    "!dr", "!vmcall", "!xsetbv", "!crwrite", "!exception", "!interrupt",
    "!syscall", "!syscall2", "!sysret", "!sysret2", "!monitor", "!epthook",
    "!epthook2", "!mode",
    "events", "prealloc", "flush", "stop", "settings", "preactivate",
    "status",
    "cpus",
    "rdmsr", "wrmsr", "!va2pa", "!pa2va", "!pte",
    "!db", "!dc", "!dd", "!dq", "!eb", "!ed", "!eq",
    "sb", "sd", "sq", "!sb", "!sd", "!sq", "cpu", "info", "xp",
    "!pcitree", "!pcicam", "lm", ".process", ".thread", "!track",
    "!lbr", "!lbrdump", "!idt", "!apic", "!ioapic", ".output",
    ".help", "help", "?", "print",
)

Token = collections.namedtuple("Token", "start end text block closed")
Token.__doc__ = """A word or a {...} block of a command line: line[start:end]
is text; closed is False for a block that the line leaves open."""

# What goes in an argument slot, for completion and symbol conversion.
ADDRESS = "address"     # a virtual address: a kernel symbol may stand for it
NUMBER = "number"       # a number (hex by default): nothing to offer
NAMES = "names"         # a command name (help's topic)
CORES = "cores"         # a CPU number (the caller knows which are online)
BLOCK = "block"         # a {...} block

# Options and what each takes.
OPTION_ARGS = {
    "pid": ("all",), "core": CORES, "imm": ("yes", "no"),
    "sc": ("on", "off"), "stage": ("pre", "post", "all"), "buffer": NUMBER,
    "script": BLOCK, "condition": BLOCK, "mask": NUMBER, "l": NUMBER,
    "output": BLOCK, "steps": NUMBER,
}

EVENT_OPTIONS = ("pid", "core", "imm", "sc", "stage", "buffer", "script",
                 "condition", "output", "steps")
CRWRITE_OPTIONS = ("mask", "pid", "core", "imm", "buffer", "script",
                   "condition", "output", "steps")
# !epthook has no calling stages and no short-circuiting (HyperDbg).
HOOK_OPTIONS = ("pid", "core", "imm", "buffer", "script", "condition",
                "output", "steps")
EVENTS_VERBS = ("e", "d", "c", "enable", "disable", "clear", "sc")


class Spec(collections.namedtuple("Spec", "slots options repeat event rest")):
    """A command's shape: its positional argument slots in order, the
    options it takes, whether the last slot repeats (!eb's values), whether
    it is an event (written with or without `!`), and whether the rest of
    the line is a script (`?`, `print`)."""


def _spec(slots=(), options=(), repeat=False, event=False, rest=False):
    return Spec(tuple(slots), tuple(options), repeat, event, rest)


_EVENT_ARG = _spec((NUMBER,), EVENT_OPTIONS, event=True)
_EVENT_NOARG = _spec((), EVENT_OPTIONS, event=True)
_DUMP = _spec((NUMBER,), ("l",))
_EDIT = _spec((NUMBER, NUMBER), repeat=True)
# sb from to|l n values...: the start may be a symbol in virtual memory.
_SEARCH_VIRT = _spec((ADDRESS, NUMBER), ("l",), repeat=True)
_SEARCH_PHYS = _spec((NUMBER, NUMBER), ("l",), repeat=True)

SPECS = {
    "!msrread": _EVENT_ARG, "!msrwrite": _EVENT_ARG, "!cpuid": _EVENT_ARG,
    "!tsc": _EVENT_NOARG, "!pmc": _EVENT_NOARG, "!ioin": _EVENT_ARG,
    "!ioout": _EVENT_ARG, "!dr": _EVENT_NOARG, "!vmcall": _EVENT_NOARG,
    "!xsetbv": _EVENT_ARG,
    "!crwrite": _spec((("0", "4"),), CRWRITE_OPTIONS, event=True),
    "!exception": _EVENT_ARG, "!interrupt": _EVENT_ARG,
    "!syscall": _EVENT_ARG, "!syscall2": _EVENT_ARG,
    "!sysret": _EVENT_NOARG, "!sysret2": _EVENT_NOARG,
    # Their address may be a kernel symbol (issue 15's `hv !epthook
    # __x64_sys_openat ...`).
    "!epthook": _spec((ADDRESS,), HOOK_OPTIONS, event=True),
    "!epthook2": _spec((ADDRESS,), HOOK_OPTIONS, event=True),
    # !mode u|k|uk pid X: no stages (HyperDbg), sc holds the process.
    "!mode": _spec((("u", "k", "uk"),),
                   ("pid", "core", "imm", "sc") + HOOK_OPTIONS[3:],
                   event=True),
    # !monitor attr from to|l n [va|pa]: from and to may be symbols.
    "!monitor": _spec((("r", "w", "x", "rw", "rx", "wx", "rwx"), ADDRESS,
                       ADDRESS, ("va", "pa")), ("l",) + EVENT_OPTIONS,
                      event=True),
    "events": _spec((EVENTS_VERBS, None)),      # second slot: see _slot()
    "prealloc": _spec((("regular-event", "script", "buffer", "monitor",
                        "epthook", "epthook2"),
                       NUMBER)),
    "flush": _spec(), "stop": _spec(),
    "rdmsr": _spec((NUMBER,), ("core",)),
    "wrmsr": _spec((NUMBER, NUMBER), ("core",)),
    "!va2pa": _spec((ADDRESS,), ("core",)), "!pte": _spec((ADDRESS,), ("core",)),
    "!pa2va": _spec((NUMBER,)),
    "!db": _DUMP, "!dc": _DUMP, "!dd": _DUMP, "!dq": _DUMP,
    "!eb": _EDIT, "!ed": _EDIT, "!eq": _EDIT,
    "sb": _SEARCH_VIRT, "sd": _SEARCH_VIRT, "sq": _SEARCH_VIRT,
    "!sb": _SEARCH_PHYS, "!sd": _SEARCH_PHYS, "!sq": _SEARCH_PHYS,
    "settings": _spec((("autoflush", "autounpause", "syntax",
                        "addressconversion"), ("on", "off"))),
    "preactivate": _spec((("mode",),)), "status": _spec(), "cpus": _spec(),
    "cpu": _spec(),
    "info": _spec((("version", "registers", "mem", "tlb"),)),
    "xp": _spec((NUMBER, NUMBER)),
    # bus, device, function, then HyperDbg's x (l: hvgdb's dump length).
    # lm [m name] [km]; .process [list | pid p | process task]; .thread
    # [list [process task]].
    "lm": _spec((("m", "km"), None, ("km",))),
    ".process": _spec((("list", "pid", "process"), NUMBER)),
    ".thread": _spec((("list",), ("process",), NUMBER)),
    "!track": _spec((("tree", "reg"), NUMBER)),
    # !lbr enable|disable|flush | !lbr filter [option ...]; !lbrdump
    # [core n].
    "!lbr": _spec((("enable", "disable", "flush", "filter"),), rest=True),
    "!lbrdump": _spec((), ("core",)),
    "!pcitree": _spec(), "!pcicam": _spec((NUMBER, NUMBER, NUMBER, ("x",)),
                                          ("l",)),
    "!idt": _spec((NUMBER,)), "!apic": _spec(), "!ioapic": _spec(),
    ".help": _spec((NAMES,)), "help": _spec((NAMES,)),
    "?": _spec(rest=True), "print": _spec(rest=True),
}


def _block_end(line, i):
    """Index after the } closing the { at line[i], or None if the line
    leaves it open.  Braces in a "string", a /* comment */ or a // comment
    do not count (monitor-cmds/cmd_lex.c)."""
    n, depth = len(line), 1
    i += 1
    while i < n:
        c = line[i]
        if c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            if i >= n:
                return None
            i += 1
        elif line.startswith("/*", i):
            j = line.find("*/", i + 2)
            if j < 0:
                return None
            i = j + 2
        elif line.startswith("//", i):
            j = line.find("\n", i)
            i = n if j < 0 else j
        else:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
    return None


def lex(line):
    """The words and blocks of a command line, as Tokens.  A word ends at
    a blank, a { or a }; a stray } is a word of its own."""
    toks, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c in BLANKS:
            i += 1
        elif c == "{":
            end = _block_end(line, i)
            toks.append(Token(i, end or n, line[i:end or n], True,
                              end is not None))
            i = end or n
        else:
            j = i + 1
            while j < n and line[j] not in BLANKS and line[j] not in "{}":
                j += 1
            toks.append(Token(i, j, line[i:j], False, True))
            i = j
    return toks


def parse_number(word):
    """The value of a HyperDbg number (hex by default; 0x, 0n decimal, 0t
    octal, 0y binary; a backtick between digits, as fffff800`12345678),
    or None if word is not one.  Values past 64 bits are returned: the
    module reports them."""
    base, i, v, any_digit = 16, 0, 0, False
    if len(word) >= 2 and word[0] == "0" and word[1] in "xXnNtTyY":
        base = {"x": 16, "n": 10, "t": 8, "y": 2}[word[1].lower()]
        i = 2
    while i < len(word):
        c = word[i]
        i += 1
        if c == "`" and any_digit and i < len(word):
            continue
        d = "0123456789abcdef".find(c.lower())
        if d < 0 or d >= base:
            return None
        v = v * base + d
        any_digit = True
    return v if any_digit else None


def is_number(word):
    return parse_number(word) is not None


_SYMBOL = re.compile(r"([A-Za-z_.$][A-Za-z0-9_.$]*)(?:([+-])(\S+))?\Z")


def symbol_word(word):
    """(name, offset) for a word that names a symbol, optionally with a
    HyperDbg number added or subtracted (`__x64_sys_openat+10`: the offset
    is hex, as every number of the language); None for anything else,
    numbers included (`add` is the number 0xadd)."""
    if is_number(word):
        return None
    m = _SYMBOL.match(word)
    if not m:
        return None
    off = 0
    if m.group(2):
        off = parse_number(m.group(3))
        if off is None:
            return None
        if m.group(2) == "-":
            off = -off
    return m.group(1), off


def canonical(name):
    """The command a first word names: lower case, and with the `!` of an
    event written without it (`cpuid` is `!cpuid`)."""
    name = name.lower()
    if not name.startswith("!") and SPECS.get("!" + name, _spec()).event:
        return "!" + name
    return name


def _slot(name, spec, positionals):
    """What the next positional argument is (a kind or a tuple of words),
    None when anything or nothing may come."""
    k = len(positionals)
    if name == "events" and k == 1:
        verb = positionals[0].text.lower()
        if verb == "sc":
            return ("on", "off")
        return ("all",) if verb in EVENTS_VERBS else None
    if k < len(spec.slots):
        return spec.slots[k]
    if spec.repeat and spec.slots:
        return spec.slots[-1]
    return None


def _walk(spec, toks):
    """Sorts the tokens after the command name into options and
    positionals.  Returns (options used, positional tokens, option waiting
    for its value or None, the slot kind of each positional)."""
    used, positionals, i = set(), [], 0
    while i < len(toks):
        t = toks[i]
        w = t.text.lower()
        if not t.block and w in spec.options and w not in used:
            used.add(w)
            if i + 1 == len(toks):
                return used, positionals, w
            i += 2
            continue
        positionals.append(t)
        i += 1
    return used, positionals, None


Completion = collections.namedtuple("Completion", "words token symbol")
Completion.__doc__ = """What may come at the end of a line: words (full,
not only the rest) that start with token, the word being typed; or
symbol=True for a kernel symbol (gdb's own symbol completion)."""


def complete(line, names=COMMAND_NAMES, cores=()):
    """Completion of the last word of a command line.  names are the
    command names (the module's .help), cores the CPU numbers as the
    module writes them (hex), or a function giving them (called only when
    a CPU number goes at the end of the line)."""
    toks = lex(line)
    if toks and toks[-1].block and not toks[-1].closed:
        return Completion([], "", False)            # inside a script
    token = ""
    if toks and not toks[-1].block and toks[-1].end == len(line):
        token = toks.pop().text

    def offer(words):
        seen = []
        for w in words:
            if w.startswith(token) and w not in seen:
                seen.append(w)
        return Completion(seen, token, False)

    if not toks:
        return offer(names)
    name = canonical(toks[0].text)
    spec = SPECS.get(name)
    if spec is None or spec.rest:
        return offer(())
    used, positionals, pending = _walk(spec, toks[1:])
    if pending:
        what = OPTION_ARGS.get(pending)
        if what == CORES:
            return offer(cores() if callable(cores) else cores)
        return offer(what if isinstance(what, tuple) else ())
    slot = _slot(name, spec, positionals)
    if slot == ADDRESS:
        return Completion([], token, True)
    words = []
    if isinstance(slot, tuple):
        words += slot
    elif slot == NAMES:
        words += names
    words += [o for o in spec.options if o not in used]
    return offer(words)


def address_words(line):
    """The word tokens of a command line where a virtual address goes."""
    toks = lex(line)
    if not toks:
        return []
    name = canonical(toks[0].text)
    spec = SPECS.get(name)
    if spec is None or spec.rest or ADDRESS not in spec.slots:
        return []
    _, positionals, _ = _walk(spec, toks[1:])
    return [t for k, t in enumerate(positionals)
            if not t.block and _slot(name, spec, positionals[:k]) == ADDRESS]


def substitute(line, resolve):
    """The line with each symbol where an address goes replaced by its
    address in hex (as the module reads numbers); resolve(name) gives a
    symbol's address or None (the word is then sent as typed, and the
    module says what is wrong with it).  Returns (line, edits), edits
    being (start, typed length, sent length) for map_columns()."""
    parts, edits, last = [], [], 0
    for t in address_words(line):
        sym = symbol_word(t.text)
        if sym is None:
            continue
        addr = resolve(sym[0])
        if addr is None:
            continue
        text = "%x" % ((addr + sym[1]) & 0xffffffffffffffff)
        parts += [line[last:t.start], text]
        edits.append((t.start, t.end - t.start, len(text)))
        last = t.end
    parts.append(line[last:])
    return "".join(parts), edits


def typed_column(col, edits):
    """The column (1-based) of the typed line that column col of the sent
    line comes from; a column inside a replaced word is the word's."""
    off, delta = col - 1, 0
    for start, typed, sent in edits:
        if off < start + delta:
            break
        if off < start + delta + sent:
            return start + 1
        delta += sent - typed
    return off - delta + 1


_COLUMN = re.compile(r"\bcolumn (\d+)")


def map_columns(message, edits):
    """The module's message with every "column N" counted in the typed
    line instead of the sent one."""
    if not edits:
        return message
    return _COLUMN.sub(lambda m: "column %d" % typed_column(int(m.group(1)),
                                                            edits), message)


def shift_columns(message, delta):
    """The message with every "column N" moved by delta (not below 1)."""
    return _COLUMN.sub(lambda m: "column %d" % max(1, int(m.group(1)) +
                                                   delta), message)


def one_line(cmd):
    """cmd as one line for gdb's monitor command, with every column where
    it was: a line break becomes a blank, and so does a // comment in a
    block (it would otherwise run on to the end of the whole command).
    ValueError for a line break inside a "string" of a script."""
    if "\n" not in cmd and "\r" not in cmd:
        return cmd
    out, i, n, depth = list(cmd), 0, len(cmd), 0
    while i < n:
        c = cmd[i]
        if depth and c == '"':
            i += 1
            while i < n and cmd[i] != '"':
                step = 2 if cmd[i] == "\\" else 1
                if "\n" in cmd[i:i + step] or "\r" in cmd[i:i + step]:
                    raise ValueError("a line break inside a script string "
                                     "at column %d: write \\n" % (i + 1))
                i += step
        elif depth and cmd.startswith("//", i):
            while i < n and cmd[i] != "\n":
                out[i] = " "
                i += 1
            continue
        elif depth and cmd.startswith("/*", i):
            j = cmd.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if cmd[k] in "\r\n":
                    out[k] = " "
            i = j
            continue
        elif c in "\r\n":
            out[i] = " "
        elif c == "{":
            depth += 1
        elif c == "}" and depth:
            depth -= 1
        i += 1
    return "".join(out)


def help_names(text):
    """The command names of a `.help` reply ("  name   summary" lines)."""
    names = []
    for m in re.finditer(r"^  (\S+)", text, re.M):
        if m.group(1) not in names:
            names.append(m.group(1))
    return names


def parse_records(text):
    """The records of a `.kv` reply (docs/commands.md, "Machine-readable
    replies"): a list of (kind, {key: value}), values int for 0x numbers
    and 0/1, str for "..." strings (C escapes undone).  Lines that are not
    records (none should come) raise ValueError with the line."""
    out = []
    for line in text.splitlines():
        if not line:
            continue
        kind, _, rest = line.partition(" ")
        fields, i, n = {}, 0, len(rest)
        while i < n:
            eq = rest.find("=", i)
            if eq < 0 or not kind.isidentifier():
                raise ValueError("not a record: %r" % line)
            key = rest[i:eq]
            i = eq + 1
            if i < n and rest[i] == '"':
                val, i = _kv_string(rest, i + 1, line)
            else:
                end = rest.find(" ", i)
                end = n if end < 0 else end
                word = rest[i:end]
                i = end
                if word.startswith("0x"):
                    val = int(word, 16)
                elif word in ("0", "1"):
                    val = int(word)
                else:
                    raise ValueError("not a record value: %r in %r" %
                                     (word, line))
            fields[key] = val
            if i < n:
                if rest[i] != " ":
                    raise ValueError("not a record: %r" % line)
                i += 1
        out.append((kind, fields))
    return out


_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t"}


def _kv_string(s, i, line):
    """The "..." string whose text starts at s[i]: (text, index after the
    closing quote)."""
    buf = []
    while i < len(s):
        c = s[i]
        if c == '"':
            return "".join(buf), i + 1
        if c == "\\":
            e = s[i + 1:i + 2]
            if e == "x":
                buf.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            if e not in _ESCAPES:
                raise ValueError("bad escape in %r" % line)
            buf.append(_ESCAPES[e])
            i += 2
            continue
        buf.append(c)
        i += 1
    raise ValueError("unterminated string in %r" % line)
