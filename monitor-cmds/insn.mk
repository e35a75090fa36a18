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

# libFuzzer target, built from source with clang so the decoder is
# instrumented (ASan catches any read past avail).
INSN_FUZZ := $(BUILD)/fuzz/insn_len_fuzz
FUZZERS += $(INSN_FUZZ)
$(INSN_FUZZ): tests/fuzz/insn_len_fuzz.c monitor-cmds/insn_len.c \
		monitor-cmds/insn_len.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -std=gnu11 -Wall -Wextra \
		-Werror -I$(CURDIR)/include -I$(CURDIR) -o $@ \
		tests/fuzz/insn_len_fuzz.c monitor-cmds/insn_len.c

# Decode throughput over kernel text (docs/performance.md).
INSN_BENCH := $(BUILD)/bench/insn_bench
BENCHES += $(INSN_BENCH)
$(INSN_BENCH): $(BUILD)/obj/tests/bench/insn_bench.o \
		$(BUILD)/obj/tests/unit/insn/support_diff.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBS) -lcapstone
