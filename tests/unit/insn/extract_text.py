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
import os
import struct
import sys

# The image is opened as hvgdb's types loader opens it (kernel types from
# BTF, docs/types.md): one implementation of bzImage -> vmlinux.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "gdb-python"))
from hvgdb.btfgen import elf_section, vmlinux_of  # noqa: E402


def text_section(elf):
    sec = elf_section(elf, ".text")
    if sec is None:
        raise ValueError("no .text section")
    return sec


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
    elf = vmlinux_of(blob)
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
