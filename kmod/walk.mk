# kmod/walk.mk - the guest page walker and SYSCALL/SYSRET emulation,
# freestanding parts of hvgdb.ko built for user space as libhvwalk.a
# (tests/unit/pgwalk, tests/unit/sysemu), plus the page-walk fuzzer.
HVWALK_SRCS := kmod/pgwalk.c kmod/sysemu.c
$(BUILD)/lib/libhvwalk.a: $(HVWALK_SRCS:%.c=$(BUILD)/obj/%.o)
LIBS += $(BUILD)/lib/libhvwalk.a

# libFuzzer target, compiled from source with clang so the walker itself
# is instrumented (ASan, UBSan).
PGWALK_FUZZ := $(BUILD)/fuzz/pgwalk_fuzz
FUZZERS += $(PGWALK_FUZZ)
$(PGWALK_FUZZ): tests/fuzz/pgwalk_fuzz.c kmod/pgwalk.c kmod/pgwalk.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -std=gnu11 -Wall -Wextra -Werror \
		-I$(CURDIR)/include -I$(CURDIR) -o $@ \
		tests/fuzz/pgwalk_fuzz.c kmod/pgwalk.c

# Walk cost in user space (figures in docs/design-memory.md).
PGWALK_BENCH := $(BUILD)/bench/pgwalk_bench
BENCHES += $(PGWALK_BENCH)
$(PGWALK_BENCH): $(BUILD)/obj/tests/unit/pgwalk/bench_pgwalk.o \
		$(BUILD)/obj/tests/unit/pgwalk/support_physmem.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBS)
