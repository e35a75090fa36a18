# libFuzzer harness over the VM-entry checker (clang, ASan + UBSan), with
# the MSR sets of tests/unit/kmod/vmentry_cpus.h; part of fuzz-short.
VMENTRY_FUZZ := $(BUILD)/fuzz/vmentry_fuzz
FUZZERS += $(VMENTRY_FUZZ)
$(VMENTRY_FUZZ): tests/fuzz/vmentry_fuzz.c kmod/lib/vmentry_check.c \
		kmod/lib/vmx_caps.c kmod/lib/vmx_segs.c kmod/lib/vmentry_check.h \
		kmod/lib/vmx_caps.h kmod/lib/vmx_defs.h \
		tests/unit/kmod/vmentry_cpus.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(HVLIB_FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

# Judges the VMCS images hvgdb.ko captured in the test VM (debugfs
# "vmentry") against every MSR set of vmentry_cpus.h; run by
# tests/vm/test_vmentry_captures.py.
VMENTRY_JUDGE := $(BUILD)/tests/unit/kmod/vmentry_judge
HELPERS += $(VMENTRY_JUDGE)
# $(LIBS) is complete only once every .mk is read: order after `libs`.
$(VMENTRY_JUDGE): $(BUILD)/obj/tests/unit/kmod/vmentry_judge.o $(LIBS) | libs
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBS)
