#!/usr/bin/python3
"""Pull the .text section out of a compressed Linux bzImage.

usage: extract_text.py VMLINUZ OUT

The bzImage's payload is an xz/gzip/zstd stream somewhere after the setup
code; we scan for each format's magic, decompress the first stream that
yields an ELF, and write OUT as: u64 LE load address of .text, u64 LE
size, then the section bytes.  Standard library only (lzma, zlib); zstd
needs the zstd tool.  A missing or unreadable image is an error (exit 1,
with the reason): the differential test must not pass without its input.
"""
import lzma
import os
import struct
import subprocess
import sys
import zlib

MAGICS = (
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x1f\x8b\x08", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


def decompress(blob, off, kind):
    try:
        if kind == "xz":
            return lzma.LZMADecompressor().decompress(blob[off:])
        if kind == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(
                blob[off:])
        if kind == "zstd":
            r = subprocess.run(["zstd", "-dc"], input=blob[off:],
                               capture_output=True, check=False)
            return r.stdout
    except (lzma.LZMAError, zlib.error, OSError):
        return b""
    return b""


def find_elf(blob):
    for magic, kind in MAGICS:
        off = blob.find(magic)
        while off >= 0:
            out = decompress(blob, off, kind)
            if out[:4] == b"\x7fELF":
                return out
            off = blob.find(magic, off + 1)
    return None


def text_section(elf):
    if elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a little-endian ELF64")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)

    def sh(i):
        return struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize)

    strtab = sh(shstrndx)
    for i in range(shnum):
        name, _type, _flags, addr, off, size = sh(i)[:6]
        start = strtab[4] + name
        if elf[start:elf.index(b"\0", start)] == b".text":
            return addr, elf[off:off + size]
    raise ValueError("no .text section")


def main():
    src, dst = sys.argv[1], sys.argv[2]
    try:
        with open(src, "rb") as f:
            blob = f.read()
    except OSError as e:
        print(f"extract_text: {src}: {e.strerror} (the kernel image of "
              "KDIR's version; make INSN_VMLINUZ=... to name another)",
              file=sys.stderr)
        return 1
    elf = find_elf(blob)
    if elf is None:
        print(f"extract_text: no xz/gzip/zstd ELF payload in {src}",
              file=sys.stderr)
        return 1
    addr, text = text_section(elf)
    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<QQ", addr, len(text)))
        f.write(text)
    os.replace(tmp, dst)
    print(f"extract_text: {src}: .text at {addr:#x}, {len(text)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
