# RSP engine throughput benchmark (run by `make bench`), and the wire
# counter tests/bench/gdbstub_wire.py (run by hand, see docs/performance.md).
GDBSTUB_BENCH := $(BUILD)/bench/gdbstub_bench
BENCHES += $(GDBSTUB_BENCH)

$(GDBSTUB_BENCH): $(BUILD)/obj/tests/bench/gdbstub_bench.o \
		$(BUILD)/obj/tests/unit/gdbstub/support_fake.o \
		$(BUILD)/lib/libgdbstub.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^
