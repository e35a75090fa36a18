# hvgdb-syms: System.map / kallsyms -> ELF symbol file (docs/symbols.md).
SYMS_SRCS := $(wildcard tools/hvgdb-syms/*.c)
SYMS_OBJS := $(SYMS_SRCS:%.c=$(BUILD)/obj/%.o)
SYMS_LIB_OBJS := $(filter-out %/main.o,$(SYMS_OBJS))
HVGDB_SYMS := $(BUILD)/bin/hvgdb-syms
TOOLS += $(HVGDB_SYMS)

$(HVGDB_SYMS): $(SYMS_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^

# The cmocka suites of tests/unit/syms test the tool's objects directly:
# the generic unit rule links every .o prerequisite.
$(patsubst %.c,$(BUILD)/%,$(wildcard tests/unit/syms/test_*.c)): \
	$(SYMS_LIB_OBJS)

# libFuzzer harness (clang, ASan + UBSan) over parser, layout and writer.
SYMS_FUZZ := $(BUILD)/fuzz/syms_fuzz
FUZZERS += $(SYMS_FUZZ)
SYMS_FUZZ_SRCS := tests/unit/syms/fuzz_syms.c $(filter-out %/main.c,$(SYMS_SRCS))

$(SYMS_FUZZ): $(SYMS_FUZZ_SRCS) $(wildcard tools/hvgdb-syms/*.h) \
		$(wildcard tests/unit/syms/fuzz_seeds/*)
	@mkdir -p $(dir $@) $(BUILD)/fuzz-corpus/syms_fuzz
	$(FUZZ_CC) -g -O1 -std=gnu11 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(FUZZ_NOCOV) \
		-I$(CURDIR)/include -I$(CURDIR) -o $@ $(SYMS_FUZZ_SRCS)
	cp -n tests/unit/syms/fuzz_seeds/* $(BUILD)/fuzz-corpus/syms_fuzz/ || true

BENCHES += tests/unit/syms/bench_syms
