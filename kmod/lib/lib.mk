# kmod/lib/lib.mk - the freestanding part of hvgdb.ko: pure functions over
# VMX capability MSRs, EPT and MTRR tables, exit qualifications, the polled
# UART, gdb's register layout, the breakpoint table, guest page walks,
# SYSCALL/SYSRET emulation, x86 instruction lengths and VMX-preemption
# timer counts, bounded kernel-list walks, the SDM's VM-entry checks,
# and the text of the cpu and info registers commands.  The same sources
# build into hvgdb.ko (kmod/Kbuild) and, here, into libhvlib.a for the
# cmocka suites, fuzzers and benchmarks.
HVLIB_SRCS := $(wildcard kmod/lib/*.c)
$(BUILD)/lib/libhvlib.a: $(HVLIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBS += $(BUILD)/lib/libhvlib.a

# libFuzzer targets, compiled from source with clang so the code itself is
# instrumented (ASan catches any read past the end, UBSan the rest).
HVLIB_FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined $(FUZZ_NOCOV) \
	-fno-sanitize-recover=all -std=gnu11 -Wall -Wextra -Werror \
	-I$(CURDIR)/include -I$(CURDIR)

PGWALK_FUZZ := $(BUILD)/fuzz/pgwalk_fuzz
FUZZERS += $(PGWALK_FUZZ)
$(PGWALK_FUZZ): tests/fuzz/pgwalk_fuzz.c kmod/lib/pgwalk.c kmod/lib/pgwalk.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(HVLIB_FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

INSN_FUZZ := $(BUILD)/fuzz/insn_len_fuzz
FUZZERS += $(INSN_FUZZ)
$(INSN_FUZZ): tests/fuzz/insn_len_fuzz.c kmod/lib/insn_len.c \
		kmod/lib/insn_len.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(HVLIB_FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

# The kernel's .text, decompressed from the image that KDIR's headers
# belong to (/lib/modules/V/build or /usr/src/linux-headers-V: the image
# the test VM boots), for tests/unit/insn/test_insn_diff
# and the decoder benchmark.  No image is an error, not a skip.
INSN_KVER = $(patsubst linux-headers-%,%,$(notdir $(patsubst %/build,%,$(KDIR))))
INSN_VMLINUZ ?= /boot/vmlinuz-$(INSN_KVER)
INSN_KTEXT := $(BUILD)/insn/vmlinux-text.bin

$(INSN_KTEXT): tests/unit/insn/extract_text.py gdb-python/hvgdb/btfgen.py \
		$(wildcard $(INSN_VMLINUZ))
	@mkdir -p $(dir $@)
	$(PYTHON) tests/unit/insn/extract_text.py $(INSN_VMLINUZ) $@

unit bench: $(INSN_KTEXT)

# Walk cost and decode throughput (figures in docs/performance.md).
PGWALK_BENCH := $(BUILD)/bench/pgwalk_bench
BENCHES += $(PGWALK_BENCH)
$(PGWALK_BENCH): $(BUILD)/obj/tests/unit/pgwalk/bench_pgwalk.o \
		$(BUILD)/obj/tests/unit/pgwalk/support_physmem.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBS)

INSN_BENCH := $(BUILD)/bench/insn_bench
BENCHES += $(INSN_BENCH)
$(INSN_BENCH): $(BUILD)/obj/tests/bench/insn_bench.o \
		$(BUILD)/obj/tests/unit/insn/support_diff.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBS) -lcapstone

DETOUR_FUZZ := $(BUILD)/fuzz/detour_fuzz
FUZZERS += $(DETOUR_FUZZ)
$(DETOUR_FUZZ): tests/fuzz/detour_fuzz.c kmod/lib/detour.c kmod/lib/detour.h \
		kmod/lib/insn_len.c kmod/lib/insn_len.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(HVLIB_FUZZ_CFLAGS) -o $@ $(filter %.c,$^)
