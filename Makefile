# hvgdb - see README.md.
#
#   make          build kmod/hvgdb.ko, the user-space libraries and tools
#   make run      build, boot the test VM with hvgdb.ko loaded, attach gdb
#   make check    deps, build, unit, protocol, python, fuzz (short), VM tests
#   make install  the gdb Python package, the tools and hvgdb.ko (DESTDIR,
#                 PREFIX); install-host: the package and the tools only (the
#                 debugging machine); install-module: hvgdb.ko only
#
# Each directory adds its own rules in a build.mk fragment; the variables
# below collect what they add.

SHELL     := /bin/bash
BUILD     := $(CURDIR)/build
CC        ?= cc
PYTHON    ?= /usr/bin/python3
KDIR      ?= $(shell sh kmod/kdir.sh)
CFLAGS_USER ?= -O2 -g
USER_CFLAGS = $(CFLAGS_USER) -std=gnu11 -Wall -Wextra -Werror -MMD -MP \
	      -I$(CURDIR)/include -I$(CURDIR)
FUZZ_CC   ?= clang
FUZZ_SECONDS ?= 20
# The harnesses and fakes (tests/) are left out of the coverage hooks.
FUZZ_NOCOV = -fsanitize-coverage-ignorelist=$(CURDIR)/tests/fuzz/harness.ignorelist
PYTEST    = $(PYTHON) -m pytest -q -rs -p no:cacheprovider
GDB       ?= gdb
PREFIX    ?= /usr/local
DESTDIR   ?=
# Where gdb's embedded Python finds modules with no setup: its data
# directory's python/ (Debian: /usr/share/gdb/python).  Not under PREFIX,
# since gdb searches no other directory of its own.
GDB_PYTHONDIR ?= $(shell $(GDB) -nx -batch \
	-ex 'python print(gdb.PYTHONDIR)' 2>/dev/null || echo /usr/share/gdb/python)

LIBS       :=	# static libraries of freestanding sources (user-space builds)
TOOLS      :=	# user-facing programs
UNIT_TESTS :=	# cmocka binaries, run by `make unit`
FUZZERS    :=	# libFuzzer binaries, run by `make fuzz-short`
BENCHES    :=	# benchmark programs, run by `make bench`
HELPERS    :=	# test-only programs (harnesses), built by `make`

.PHONY: all libs tools kmod deps check unit protocol python vm-check \
	fuzz-short fuzz fuzz-corpus bench vm-bench vm-prof run clean helpers \
	install install-python \
	install-tools install-host uninstall uninstall-host install-module \
	uninstall-module
all: libs tools helpers kmod

include $(sort $(wildcard gdbstub/*.mk monitor-cmds/*.mk kmod/*/*.mk \
	tools/*/*.mk tests/*.mk tests/*/*.mk))

libs: $(LIBS)
tools: $(TOOLS)
helpers: $(HELPERS)
$(FUZZERS): tests/fuzz/harness.ignorelist

# Generic rules: one object tree under build/obj mirroring the sources.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/lib/%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

LINK_LIBS = -Wl,--start-group $(LIBS) -Wl,--end-group

kmod:
	@if [ -z "$(KDIR)" ]; then \
		echo "kmod: no kernel headers found (run tests/deps.sh, or make KDIR=...)" >&2; \
		exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules
	@echo "built kmod/hvgdb.ko against $(KDIR)"

deps:
	@sh tests/deps.sh

# cmocka suites, then the Python-driven unit tests (tests/unit/**/test_*.py).
unit: all $(UNIT_TESTS)
	@fail=0; for t in $(UNIT_TESTS); do \
		echo "== $${t#$(BUILD)/}"; $$t || fail=1; done; \
	if [ -n "$$(find tests/unit -name 'test_*.py')" ]; then \
		$(PYTEST) tests/unit || fail=1; fi; \
	if [ $$fail = 0 ]; then echo "unit: all suites passed"; \
	else echo "unit: FAILED"; exit 1; fi

protocol: all
	$(PYTEST) tests/protocol

# The gdb Python package (gdb-python/hvgdb) in stock gdb, against the
# protocol layer's test double.
python: helpers tools
	$(PYTEST) tests/python

# The 1-CPU and 2-CPU halves run at once, one Bochs per core; each line of
# their output is tagged with its half.  One line per test as it ends, so a
# log cut short still says how far each half got.  Each half's log is kept
# in build/, and the last lines printed name every failed test of both
# halves with its count line, since the half that ends first scrolls away.
PYTEST_VM = $(PYTHON) -m pytest -v -rfEs -p no:cacheprovider --durations=40
vm-check: all vm-image
	@set -o pipefail; \
	( HVGDB_TEST_CPUS=1 $(PYTEST_VM) tests/vm 2>&1 | sed -u 's/^/[1cpu] /' | \
		tee $(BUILD)/vm-check-1cpu.log ) & p1=$$!; \
	( HVGDB_TEST_CPUS=2 $(PYTEST_VM) tests/vm 2>&1 | sed -u 's/^/[2cpu] /' | \
		tee $(BUILD)/vm-check-2cpu.log ) & p2=$$!; \
	r=0; wait $$p1 || r=1; wait $$p2 || r=1; \
	echo "vm-check: summary of both halves"; \
	for h in 1cpu 2cpu; do \
		grep -E "^\[$$h\] (FAILED|ERROR) |^\[$$h\] =+ .*(passed|failed|error).* in " \
			$(BUILD)/vm-check-$$h.log || echo "[$$h] no summary line: the half died"; \
	done; \
	[ $$r = 0 ] && echo "vm-check: both halves passed" || \
		{ echo "vm-check: FAILED"; exit 1; }

# The fuzzers run FUZZ_JOBS at a time (one per core); each one's summary
# is printed in order once all are done.
# FUZZ_TARGETS="cmd_fuzz syms_fuzz" runs only those (default: all).
FUZZ_JOBS ?= $(shell nproc)
FUZZ_SEL = $(if $(FUZZ_TARGETS),$(filter $(addprefix %/,$(FUZZ_TARGETS)),$(FUZZERS)),$(FUZZERS))
fuzz-short: $(FUZZERS)
	@mkdir -p $(BUILD)/fuzz-findings $(BUILD)/fuzz-logs; \
	rm -f $(BUILD)/fuzz-logs/*.rc; \
	printf '%s\n' $(FUZZ_SEL) | xargs -P $(FUZZ_JOBS) -I{} sh -c '\
		n=$$(basename {}); mkdir -p $(BUILD)/fuzz-corpus/$$n; \
		{} $(FUZZ_LIMIT) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz-findings/$$n- \
			$(BUILD)/fuzz-corpus/$$n $$(ls -d tests/fuzz/corpus/$$n 2>/dev/null) \
			> $(BUILD)/fuzz-logs/$$n.log 2>&1; \
		echo $$? > $(BUILD)/fuzz-logs/$$n.rc'; \
	fail=0; for f in $(FUZZ_SEL); do n=$$(basename $$f); \
		echo "== $${f#$(BUILD)/} ($(FUZZ_LIMIT))"; \
		grep -E 'stat::number_of_executed_units|stat::average_exec|ERROR|SUMMARY|Done' \
			$(BUILD)/fuzz-logs/$$n.log; \
		[ "$$(cat $(BUILD)/fuzz-logs/$$n.rc 2>/dev/null)" = 0 ] || fail=1; \
	done; \
	[ $$fail = 0 ] && echo "fuzz: no findings" || { echo "fuzz: FINDINGS"; exit 1; }

# fuzz-short: FUZZ_SECONDS each; `make fuzz`: FUZZ_RUNS executions each
# (issue 19: 10 million), new inputs in build/fuzz-corpus/<target>, the
# minimized corpus kept in the repository (tests/fuzz/corpus/<target>,
# read as a second corpus) updated by `make fuzz-corpus`: libFuzzer's
# -merge=1 of both into a fresh directory, which then replaces it.  On a
# shared machine: nice -n 19 make fuzz FUZZ_JOBS=1 (docs/testing.md).
FUZZ_LIMIT = -max_total_time=$(FUZZ_SECONDS)
FUZZ_RUNS ?= 10000000
fuzz: FUZZ_LIMIT = -runs=$(FUZZ_RUNS)
fuzz: fuzz-short

fuzz-corpus: $(FUZZERS)
	@mkdir -p $(BUILD)/fuzz-logs; for f in $(FUZZ_SEL); do n=$$(basename $$f); \
		new=$(BUILD)/fuzz-merge/$$n; rm -rf $$new; \
		mkdir -p $$new tests/fuzz/corpus/$$n $(BUILD)/fuzz-corpus/$$n; \
		$$f -merge=1 $$new tests/fuzz/corpus/$$n $(BUILD)/fuzz-corpus/$$n \
			> $(BUILD)/fuzz-logs/$$n.merge.log 2>&1 || exit 1; \
		rm -rf tests/fuzz/corpus/$$n; mv $$new tests/fuzz/corpus/$$n; \
		echo "$$n: $$(ls tests/fuzz/corpus/$$n | wc -l) inputs," \
			"$$(du -sk tests/fuzz/corpus/$$n | cut -f1) KiB"; done

bench: all $(BENCHES)
	@for b in $(BENCHES); do echo "== $${b#$(BUILD)/}"; $$b || exit 1; done

# The VM benchmarks (tests/vm/bench_*.py: figures for docs/performance.md,
# written to build/*-bench.txt).  Not part of `make check`: they measure,
# and the behaviour they touch is tested by tests/vm/test_*.py.
vm-bench: all vm-image
	HVGDB_TEST_CPUS=1 $(PYTEST_VM) tests/vm/bench_*.py

# Where a hook's hit spends its instructions: the profiling build of the
# module (kmod/vmx/prof.h's TSC stamps, `make kmod HVGDB_PROF=y`) goes
# into the image as /hvgdb/hvgdb-prof.ko beside the normal one, and
# tests/vm/bench_hookprof.py runs the hook benchmarks' loops over it
# (build/hookprof-bench.txt; docs/performance.md).  vm-bench runs it too
# while kmod/hvgdb-prof.ko exists.
vm-prof: all
	$(MAKE) kmod HVGDB_PROF=y
	cp kmod/hvgdb.ko kmod/hvgdb-prof.ko
	$(MAKE) kmod vm-image
	HVGDB_TEST_CPUS=1 $(PYTEST_VM) -s tests/vm/bench_hookprof.py

# The layers run in order; every layer runs even when an earlier one failed,
# so one CI log shows everything that is wrong.
check:
	@sh tests/deps.sh
	$(MAKE) all
	@fail=""; \
	for layer in unit protocol python fuzz-short vm-check; do \
		$(MAKE) --no-print-directory $$layer || fail="$$fail $$layer"; \
	done; \
	if [ -n "$$fail" ]; then echo "make check: FAILED:$$fail"; exit 1; fi; \
	echo "make check: all layers passed"

# A VM that is already running is reused (`tests/vm/vm stop` to reboot it).
run:
	@sh tests/deps.sh
	$(MAKE) all
	@$(PYTHON) tests/vm/vm status >/dev/null || \
		$(PYTHON) tests/vm/vm start $(if $(CPUS),--cpus $(CPUS))
	$(PYTHON) tests/vm/run-gdb $(GDB_ARGS)

# The package where gdb finds it (python import hvgdb, no path to set) and
# the tools in $(PREFIX)/bin.  hvgdb.ko belongs to the machine debugged, not
# this one: tests/vm copies it into the guest.
install: install-host install-module

install-host: install-python install-tools

install-python:
	install -d $(DESTDIR)$(GDB_PYTHONDIR)/hvgdb
	install -m 644 gdb-python/hvgdb/*.py $(DESTDIR)$(GDB_PYTHONDIR)/hvgdb/

install-tools: tools
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/

uninstall: uninstall-host uninstall-module

uninstall-host:
	rm -rf $(DESTDIR)$(GDB_PYTHONDIR)/hvgdb
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(TOOLS)))

# hvgdb.ko for the machine to debug, by the kernel's modules_install:
# $(DESTDIR)$(INSTALL_MOD_PATH)/lib/modules/<release>/$(INSTALL_MOD_DIR)/,
# <release> being the one the module was built for (its vermagic).  The
# kernel signs it when its build tree has a signing key (a distribution's
# headers have none: sign-file complains and the module stays unsigned, as
# it is when loaded with insmod from the build).  depmod runs for the
# system's own module tree only (no DESTDIR, no INSTALL_MOD_PATH), so that
# `modprobe hvgdb uart_port=...` finds it.
INSTALL_MOD_DIR ?= extra
KO_RELEASE = $(firstword $(shell modinfo -F vermagic kmod/hvgdb.ko))

install-module: kmod
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules_install \
		INSTALL_MOD_PATH=$(DESTDIR)$(INSTALL_MOD_PATH) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR)
	@if [ -z "$(DESTDIR)$(INSTALL_MOD_PATH)" ]; then \
		echo "depmod -a $(KO_RELEASE)"; depmod -a $(KO_RELEASE); fi

uninstall-module:
	rm -f $(DESTDIR)$(INSTALL_MOD_PATH)/lib/modules/$(KO_RELEASE)/$(INSTALL_MOD_DIR)/hvgdb.ko*
	@if [ -z "$(DESTDIR)$(INSTALL_MOD_PATH)" ]; then \
		echo "depmod -a $(KO_RELEASE)"; depmod -a $(KO_RELEASE); fi

clean:
	rm -rf $(BUILD)
	-[ -n "$(KDIR)" ] && $(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
