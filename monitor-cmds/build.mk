# libmonitor.a: every monitor-cmds/*.c, for user-space tests and tools.
MONITOR_SRCS := $(wildcard monitor-cmds/*.c)
ifneq ($(MONITOR_SRCS),)
$(BUILD)/lib/libmonitor.a: $(MONITOR_SRCS:%.c=$(BUILD)/obj/%.o)
LIBS += $(BUILD)/lib/libmonitor.a
endif
