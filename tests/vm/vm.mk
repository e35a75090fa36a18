# The test VM's boot image: guest programs (tests/guest/*.c, static), the
# control agent, hvgdb.ko and the Debian kernel on an isolinux CD.
GUEST_CFLAGS := -static -O2 -g -Wall -Wextra -Werror -I$(CURDIR)/include
GUEST_SRCS := $(wildcard tests/guest/*.c)
GUEST_BINS := $(GUEST_SRCS:tests/guest/%.c=$(BUILD)/guest/bin/%)
VM_AGENT := $(BUILD)/guest/agent
VM_ISO := $(BUILD)/vm-image/hvgdb.iso
HELPERS += $(GUEST_BINS) $(VM_AGENT)

$(BUILD)/guest/bin/%: tests/guest/%.c tests/guest/guest_opts.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

$(VM_AGENT): tests/vm/agent.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

$(VM_ISO): kmod/hvgdb.ko $(wildcard kmod/hvgdb-prof*.ko) $(GUEST_BINS) \
		$(VM_AGENT) tests/vm/mkimage \
		tests/vm/init tests/vm/cmdline
	@mkdir -p $(dir $@) $(BUILD)/guest/bin
	sh tests/vm/mkimage $@ $(KDIR) $(VM_AGENT) $(BUILD)/guest/bin kmod/hvgdb.ko

.PHONY: vm-image
vm-image: kmod $(GUEST_BINS) $(VM_AGENT)
	@$(MAKE) --no-print-directory $(VM_ISO)
