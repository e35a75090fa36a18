# x86 instruction length decoder: kernel text for the differential test,
# fuzzer, benchmark.  (insn_len.c itself is in libmonitor.a with every
# monitor-cmds/*.c; tests/unit/insn/test_*.c are built by tests/build.mk.)

# The Debian kernel's .text, decompressed from the installed bzImage, for
# tests/unit/insn/test_insn_diff and the benchmark.  If the image is
# absent, extract_text.py says so and writes nothing; the test then skips.
INSN_VMLINUZ ?= /boot/vmlinuz-6.1.0-56-amd64
INSN_KTEXT := $(BUILD)/insn/vmlinux-text.bin

$(INSN_KTEXT): tests/unit/insn/extract_text.py $(wildcard $(INSN_VMLINUZ))
	@mkdir -p $(dir $@)
	$(PYTHON) tests/unit/insn/extract_text.py $(INSN_VMLINUZ) $@

unit bench: $(INSN_KTEXT)
