"""Reading hvgdb-syms' output back: a small ELF64 reader (section headers,
.symtab, .strtab) and the nm-letter rules of docs/symbols.md, shared by the
unit and VM tests.  Kept independent of the tool's C code on purpose."""
import struct
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
TOOL = REPO / "build" / "bin" / "hvgdb-syms"

STB = {0: "LOCAL", 1: "GLOBAL", 2: "WEAK"}
STT = {0: "NOTYPE", 1: "OBJECT", 2: "FUNC"}
SHN_ABS = 0xFFF1


def expected_kind(letter):
    """(type, binding) docs/symbols.md promises for an nm letter."""
    if letter in "TtWwi":
        typ = "FUNC"
    elif letter in "Aa":
        typ = "NOTYPE"
    else:
        typ = "OBJECT"
    if letter in "WVwv":
        bind = "WEAK"
    else:
        bind = "LOCAL" if letter.islower() else "GLOBAL"
    return typ, bind


def read_elf(path):
    """Returns (header dict, [section dicts], [symbol dicts])."""
    data = Path(path).read_bytes()
    assert data[:4] == b"\x7fELF", "not an ELF file"
    assert data[4] == 2 and data[5] == 1, "not ELF64 little-endian"
    (e_type, e_machine, _ver, _entry, _phoff, e_shoff, _flags, _ehsize,
     _phentsize, _phnum, e_shentsize, e_shnum, e_shstrndx) = \
        struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
    assert e_shentsize == 64
    secs = []
    for i in range(e_shnum):
        (name, typ, flags, addr, off, size, link, info, align,
         entsize) = struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + 64 * i)
        secs.append(dict(name_off=name, type=typ, flags=flags, addr=addr,
                         offset=off, size=size, link=link, info=info,
                         align=align, entsize=entsize))
    shstr = secs[e_shstrndx]

    def cstr(base, off):
        end = data.index(b"\0", base + off)
        return data[base + off:end].decode()

    for s in secs:
        s["name"] = cstr(shstr["offset"], s["name_off"])
    symtab = next(s for s in secs if s["type"] == 2)  # SHT_SYMTAB
    strtab = secs[symtab["link"]]
    syms = []
    for i in range(1, symtab["size"] // 24):
        name, info, other, shndx, value, size = struct.unpack_from(
            "<IBBHQQ", data, symtab["offset"] + 24 * i)
        syms.append(dict(index=i, name=cstr(strtab["offset"], name),
                         bind=STB.get(info >> 4, info >> 4),
                         type=STT.get(info & 15, info & 15),
                         shndx=shndx, value=value, size=size, other=other,
                         section=("ABS" if shndx == SHN_ABS else
                                  secs[shndx]["name"])))
    hdr = dict(type=e_type, machine=e_machine, first_global=symtab["info"])
    return hdr, secs, syms


def parse_kallsyms(text, modules=False):
    """[(addr, letter, name, module or None)] of the lines the tool keeps."""
    out = []
    for line in text.splitlines():
        f = line.split()
        if len(f) < 3:
            continue
        addr, letter, name = int(f[0], 16), f[1], f[2]
        mod = f[3].strip("[]") if len(f) > 3 else None
        if letter not in "AaBbCDdGgRrSsTtVWiuvw":
            continue
        if letter in "vw" and addr == 0:
            continue
        if mod and (not modules or mod == "bpf" or
                    mod.startswith("__builtin__")):
            continue
        out.append((addr, letter, name, mod))
    return out
