# The protocol test double (tests/protocol/harness/): a simulated target
# served by libgdbstub over TCP, for the gdb/MI/lldb suites.  It links only
# libgdbstub.a so the engine is tested on its own.
RSP_TESTTARGET := $(BUILD)/bin/rsp-testtarget
HELPERS += $(RSP_TESTTARGET)

$(RSP_TESTTARGET): $(BUILD)/obj/tests/protocol/harness/rsp_testtarget.o \
		$(BUILD)/lib/libgdbstub.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $^
