# tests/guest-kmod/build.mk - hvtest.ko, a guest kernel module used only by
# the VM tests (tests/vm/test_vmx_exits.py), built with kbuild against the
# same KDIR as hvgdb.ko.  tests/vm/mkimage puts it at /hvgdb/hvtest.ko.
HVTEST_KO := tests/guest-kmod/hvtest.ko
HELPERS += $(HVTEST_KO)

$(HVTEST_KO): tests/guest-kmod/hvtest.c tests/guest-kmod/Kbuild \
		tests/guest-kmod/hvtest_detour.c kmod/lib/detour.c \
		kmod/lib/detour.h kmod/lib/insn_len.c kmod/lib/insn_len.h \
		kmod/vmx/hypercall.h
	@if [ -z "$(KDIR)" ]; then \
		echo "hvtest: no kernel headers found (make KDIR=...)" >&2; \
		exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/guest-kmod modules

# vm.mk defines the image rule; it is included after this fragment, so
# name the image by its path here.
$(BUILD)/vm-image/hvgdb.iso: $(HVTEST_KO)
vm-image: $(HVTEST_KO)
