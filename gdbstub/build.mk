# libgdbstub.a: every gdbstub/*.c, for user-space tests and tools.
GDBSTUB_SRCS := $(wildcard gdbstub/*.c)
ifneq ($(GDBSTUB_SRCS),)
$(BUILD)/lib/libgdbstub.a: $(GDBSTUB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBS += $(BUILD)/lib/libgdbstub.a
endif
