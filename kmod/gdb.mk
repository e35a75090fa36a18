# kmod/gdb.mk - freestanding parts of hvgdb.ko's gdb server (the polled
# UART and the register mapping), built for user space as libhvgdbk.a so
# tests/unit/kmod can drive them against simulated hardware.
HVGDBK_SRCS := kmod/uart.c kmod/gdb_cpu.c kmod/bptab.c
$(BUILD)/lib/libhvgdbk.a: $(HVGDBK_SRCS:%.c=$(BUILD)/obj/%.o)
LIBS += $(BUILD)/lib/libhvgdbk.a
