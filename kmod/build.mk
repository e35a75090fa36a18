# kmod/build.mk - the freestanding parts of hvgdb.ko, built for user space
# as libhvcore.a so tests/unit/kmod can exercise them.  Listed explicitly:
# the rest of kmod/ is kernel-only.
HVCORE_SRCS := kmod/vmx_caps.c kmod/ept.c kmod/mtrr.c kmod/exitqual.c
$(BUILD)/lib/libhvcore.a: $(HVCORE_SRCS:%.c=$(BUILD)/obj/%.o)
LIBS += $(BUILD)/lib/libhvcore.a
