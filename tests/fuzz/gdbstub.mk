# libFuzzer harness over the RSP engine (clang, ASan + UBSan).  The engine
# sources are compiled straight into the fuzzer with sanitizers; seeds in
# tests/fuzz/gdbstub_seeds/ are copied into the corpus directory.
GDBSTUB_FUZZ := $(BUILD)/fuzz/gdbstub_fuzz
FUZZERS += $(GDBSTUB_FUZZ)
GDBSTUB_FUZZ_SRCS := tests/fuzz/gdbstub_fuzz.c tests/unit/gdbstub/support_fake.c \
	$(wildcard gdbstub/*.c)

$(GDBSTUB_FUZZ): $(GDBSTUB_FUZZ_SRCS) $(wildcard gdbstub/*.h) \
		$(wildcard tests/fuzz/gdbstub_seeds/*)
	@mkdir -p $(dir $@) $(BUILD)/fuzz-corpus/gdbstub_fuzz
	$(FUZZ_CC) -g -O1 -std=gnu11 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(FUZZ_NOCOV) \
		-I$(CURDIR)/include -I$(CURDIR) -o $@ $(GDBSTUB_FUZZ_SRCS)
	cp -n tests/fuzz/gdbstub_seeds/* $(BUILD)/fuzz-corpus/gdbstub_fuzz/ || true
