# `make bench-wire`: bytes and round trips on the gdb link, hvgdb.ko in the
# Bochs test VM against QEMU's built-in gdbstub booting the same image
# (tests/bench/kmod_wire.py; figures in docs/performance.md).  A benchmark:
# it boots two VMs (several minutes) and is not part of `make check`.
.PHONY: bench-wire
bench-wire: vm-image
	/usr/bin/python3 tests/bench/kmod_wire.py $(KMOD_WIRE_ARGS)
