# Generic cmocka unit tests: tests/unit/<dir>/test_<name>.c becomes
# $(BUILD)/tests/unit/<dir>/test_<name>, linked with that directory's
# support_*.c files and every library.
UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_TESTS += $(UNIT_SRCS:%.c=$(BUILD)/%)

define unit_test_rule
$(BUILD)/$(1:.c=): $(1:%.c=$(BUILD)/obj/%.o) \
		$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(dir $(1))support_*.c)) $(LIBS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(USER_CFLAGS) -o $$@ $$(filter %.o,$$^) $$(LINK_LIBS) -lcmocka -lcapstone
endef
$(foreach t,$(UNIT_SRCS),$(eval $(call unit_test_rule,$(t))))
