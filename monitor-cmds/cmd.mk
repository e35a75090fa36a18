# monitor-cmds command language: the libFuzzer target over the parser and
# the event table.  The library objects come from monitor-cmds/build.mk.
# cmd_script.c (the script engine adapter) is left out: the fuzzer uses a
# fake engine, and script_fuzz covers the real one.  Seeds in
# tests/fuzz/cmd_seeds/ (command lines separated by 0xff bytes) are copied
# into the corpus directory.
# cmd_lbr.c parses !lbr's filter words with kmod/lib/lbr.c.
CMD_FUZZ_SRCS := tests/fuzz/cmd_fuzz.c $(filter-out monitor-cmds/cmd_script.c, \
	$(wildcard monitor-cmds/cmd_*.c monitor-cmds/event_*.c)) kmod/lib/lbr.c
FUZZERS += $(BUILD)/fuzz/cmd_fuzz

$(BUILD)/fuzz/cmd_fuzz: $(CMD_FUZZ_SRCS) $(wildcard monitor-cmds/cmd*.h \
		monitor-cmds/event*.h tests/fuzz/cmd_seeds/*)
	@mkdir -p $(dir $@) $(BUILD)/fuzz-corpus/cmd_fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(FUZZ_NOCOV) \
		-fno-sanitize-recover=undefined -std=gnu11 -Wall -Wextra -Werror \
		-I$(CURDIR)/include -I$(CURDIR) -o $@ $(CMD_FUZZ_SRCS)
	cp -n tests/fuzz/cmd_seeds/* $(BUILD)/fuzz-corpus/cmd_fuzz/ || true

# Benchmark of the command path (figures in docs/performance.md).
CMD_BENCH := $(BUILD)/bench/cmd_bench
BENCHES += $(CMD_BENCH)
$(CMD_BENCH): $(BUILD)/obj/tests/unit/monitor/bench_cmd.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBS)
