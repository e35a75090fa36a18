# hvgdb-script, the script checker: its user-space platform library, the
# script fuzz harness and the benchmark.  The freestanding compiler and
# evaluator (monitor-cmds/script*.c) are part of libmonitor.a.

SCRIPT_UPLAT_OBJS := $(BUILD)/obj/tools/hvgdb-script/script_uplat.o
$(BUILD)/lib/libscriptuplat.a: $(SCRIPT_UPLAT_OBJS)
LIBS += $(BUILD)/lib/libscriptuplat.a

HVGDB_SCRIPT := $(BUILD)/bin/hvgdb-script
TOOLS += $(HVGDB_SCRIPT)
$(HVGDB_SCRIPT): $(BUILD)/obj/tools/hvgdb-script/main.o \
		$(BUILD)/obj/tools/hvgdb-script/script_include.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBS)

# libFuzzer harness: compiled from source with clang, not from the libs,
# so that every file is instrumented.
SCRIPT_FUZZ := $(BUILD)/fuzz/script_fuzz
FUZZERS += $(SCRIPT_FUZZ)
SCRIPT_FUZZ_SRCS = tests/fuzz/script_fuzz.c $(wildcard monitor-cmds/script*.c) \
	kmod/lib/insn_len.c tools/hvgdb-script/script_uplat.c
$(SCRIPT_FUZZ): $(SCRIPT_FUZZ_SRCS) $(wildcard monitor-cmds/*.h)
	@mkdir -p $(dir $@) $(BUILD)/fuzz-corpus/script_fuzz
	cp tests/fuzz/script_seeds/* $(BUILD)/fuzz-corpus/script_fuzz/
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(FUZZ_NOCOV) \
		-fno-sanitize-recover=undefined -std=gnu11 -Wall -Wextra -Werror \
		-I$(CURDIR)/include -I$(CURDIR) -o $@ $(SCRIPT_FUZZ_SRCS)

SCRIPT_BENCH := $(BUILD)/bench/script_bench
BENCHES += $(SCRIPT_BENCH)
$(SCRIPT_BENCH): $(BUILD)/obj/tests/bench/script_bench.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBS)
