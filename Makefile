# capOS build, run and test entry points. `make run` and `make test` do all
# set-up themselves (tools/setup.sh installs what is missing).

SHELL := /bin/bash
CARGO ?= cargo
TARGET := x86_64-unknown-none
REL := target/$(TARGET)/release
KERNEL := $(REL)/kernel
BUILD := target/capos
SETUP_STAMP := target/.setup-done

.PHONY: all setup kernel user run run-audit run-smoke run-spawn run-limits leak-check bench bench-baseline test test-host clippy fmt fmt-check \
        generated-code-check smokes docs-check

all: kernel user

# ---------------------------------------------------------------- set-up
setup: $(SETUP_STAMP)
$(SETUP_STAMP): tools/setup.sh tools/package.json tools/package-lock.json
	bash tools/setup.sh
	@mkdir -p $(dir $@) && touch $@

# ---------------------------------------------------------------- builds
kernel: setup
	$(CARGO) build --release -p kernel --target $(TARGET)

user: setup
	$(CARGO) build --release -p init -p smoke-programs -p spawn-programs -p bench-programs -p limits-programs -p fuzz-programs -p net-programs -p files-programs -p capos-run-agent --target $(TARGET)

# build/manifest-NAME.bin from system-NAME.cue (system.cue for NAME=system).
$(BUILD)/manifest-%.bin: user FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh $* $@

FORCE:

# ---------------------------------------------------------------- run
# An interactive dash on the serial console (system.cue); `exit` or ^D at
# its prompt powers the machine off with QEMU's status 33, the kernel's
# "init succeeded" exit. The manifest's rule is with the POSIX builds.
run: kernel $(BUILD)/manifest-system.bin
	@bash tools/qemu.sh $(KERNEL) $(BUILD)/manifest-system.bin; status=$$?; \
	  if [ $$status -eq 33 ]; then echo "make run: the shell ended; powered off"; \
	  else echo "make run: init failed or the system stopped abnormally (QEMU status $$status)"; exit 1; fi

# The same system with the kernel's lines for every spawn and exit and
# libcapos-posix's report lines on the console: for a porter finding out
# what a command asks of capOS.
run-audit: kernel $(BUILD)/manifest-system-audit.bin
	@bash tools/qemu.sh $(KERNEL) $(BUILD)/manifest-system-audit.bin; status=$$?; \
	  if [ $$status -eq 33 ]; then echo "make run-audit: the shell ended; powered off"; \
	  else echo "make run-audit: init failed or the system stopped abnormally (QEMU status $$status)"; exit 1; fi

run-smoke: kernel $(BUILD)/manifest-smoke.bin
	bash tools/smoke.sh smoke $(KERNEL) $(BUILD)/manifest-smoke.bin

run-spawn: kernel $(BUILD)/manifest-spawn.bin
	bash tools/smoke.sh spawn $(KERNEL) $(BUILD)/manifest-spawn.bin

# The file system (docs/proposals/storage-and-naming-proposal.md): the
# kernel's store from the manifest's tree, read-only facets, a service
# confined to /tmp, quotas, a death with files open, a userspace /proc.
.PHONY: run-files
run-files: kernel $(BUILD)/manifest-files.bin
	bash tools/smoke.sh files $(KERNEL) $(BUILD)/manifest-files.bin

# Every quota and fixed limit pushed to its end (docs/development/testing.md).
run-limits: kernel $(BUILD)/manifest-limits.bin
	bash tools/smoke.sh limits $(KERNEL) $(BUILD)/manifest-limits.bin

# The leak detector's own test: a kernel built to leak one capability on
# purpose boots the smoke system, and the run must end in `kernel: LEAK`
# with the failure status. The test kernel is kept apart; the next cargo
# build of the kernel puts the normal one back.
LEAK_KERNEL := target/leak-check/kernel
leak-check: setup $(BUILD)/manifest-smoke.bin
	$(CARGO) build --release -p kernel --target $(TARGET) --features leak-check-test
	@mkdir -p $(dir $(LEAK_KERNEL)) && cp $(KERNEL) $(LEAK_KERNEL)
	$(CARGO) build --release -p kernel --target $(TARGET)
	SMOKE_STATUS=35 bash tools/smoke.sh leak-check $(LEAK_KERNEL) $(BUILD)/manifest-smoke.bin

smokes: run-smoke run-spawn run-limits run-c-hello run-posix-libc-smoke run-posix-mix-smoke \
        run-posix-pipe-smoke run-posix-fork-smoke run-posix-files-smoke run-files capos-run-check leak-check run-fuzz-smoke \
        run-net-smoke run-posix-dns-smoke run-posix-tcp-smoke run-posix-shell-smoke run-console-smoke \
        run-posix-signal-smoke run-interactive-check

# The network (docs/architecture/network.md): QEMU with a virtio-net
# device on user networking, inside a private network namespace beside
# our UDP echo server (tools/net/run.sh); nothing leaves this machine.
# Other smokes boot without a network device, as before.
NET_QEMU := -netdev user,id=n0,hostfwd=udp:127.0.0.1:7778-:7777,hostfwd=tcp:127.0.0.1:7780-:7780 \
            -device virtio-net-pci,netdev=n0,romfile=
.PHONY: run-net-smoke
run-net-smoke: kernel $(BUILD)/manifest-net.bin
	bash tools/net/run.sh bash tools/smoke.sh net $(KERNEL) $(BUILD)/manifest-net.bin $(NET_QEMU)

# The in-guest fuzzer (docs/development/fuzzing-in-guest.md): rounds of a
# worker fuzzing the ring and every kernel interface. Seed and sizes come
# from the environment and reach system-fuzz.cue as CUE tags; the smoke (in
# `make test`) is small, `make fuzz` large. A failed round prints the
# command that replays it (make fuzz FUZZ_ROUNDS=1 FUZZ_SEED=S ...). QEMU
# counts instructions for time, so a seed replays exactly; FUZZ_QEMU= runs
# on the wall clock instead.
.PHONY: run-fuzz-smoke fuzz
FUZZ_TAGS = -t seed=$(FUZZ_SEED) -t rounds=$(FUZZ_ROUNDS) -t sqes=$(FUZZ_SQES) -t params=$(FUZZ_PARAMS)
FUZZ_QEMU ?= -icount shift=0,align=off,sleep=off

run-fuzz-smoke: FUZZ_SEED ?= 1
run-fuzz-smoke: FUZZ_ROUNDS ?= 10
run-fuzz-smoke: FUZZ_SQES ?= 20000
run-fuzz-smoke: FUZZ_PARAMS ?= 2000
run-fuzz-smoke: kernel user
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh fuzz $(BUILD)/manifest-fuzz-smoke.bin $(FUZZ_TAGS)
	bash tools/smoke.sh fuzz $(KERNEL) $(BUILD)/manifest-fuzz-smoke.bin $(FUZZ_QEMU)

fuzz: FUZZ_SEED ?= $(shell date +%s)
fuzz: FUZZ_ROUNDS ?= 250
fuzz: FUZZ_SQES ?= 1000000
fuzz: FUZZ_PARAMS ?= 100000
fuzz: kernel user
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh fuzz $(BUILD)/manifest-fuzz.bin $(FUZZ_TAGS)
	SMOKE_TIMEOUT=$${SMOKE_TIMEOUT:-3600} bash tools/smoke.sh fuzz $(KERNEL) $(BUILD)/manifest-fuzz.bin $(FUZZ_QEMU)
	$(MAKE) fuzz-host

# In-guest benchmarks beside the committed baseline (bench/baseline.txt),
# then beside Linux (bench-linux's figures, same run); bench-baseline makes
# the current figures the baseline.
# The bench system holds a C program too (spawn-wait-c), so it needs the
# POSIX build.
$(BUILD)/manifest-bench.bin: user posix-build posix-shell-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh bench $@

bench: kernel $(BUILD)/manifest-bench.bin
	bash tools/bench.sh $(KERNEL) $(BUILD)/manifest-bench.bin

bench-baseline: kernel $(BUILD)/manifest-bench.bin
	bash tools/bench.sh $(KERNEL) $(BUILD)/manifest-bench.bin --save

# The same operations on the pinned Debian kernel (vendor/linux/PIN) alone.
.PHONY: bench-linux
bench-linux: setup
	bash tools/bench-linux.sh

# Where one operation of benchmark BENCH spends its instructions, per
# function (docs/development/profiling.md). PROFILE_TOP=N lines.
.PHONY: profile
profile: kernel user
	bash tools/profile.sh $(BENCH)

# ---------------------------------------------------------------- checks
test: setup test-host clippy fmt-check generated-code-check docs-check header-check libcapos-check \
      libcapos-posix-check posix-make-check capos-cc-check cmake-check debug-check autoconf-check posix-dns-host-check smokes
	@echo "make test: all checks passed"

test-host: setup
	$(CARGO) test
	$(CARGO) test -p init

# The host property tests (docs/development/host-fuzzing.md) with far more
# cases than `cargo test` runs: FUZZ_CASES per property. Each prints how
# many cases it ran. Not part of `make test`.
FUZZ_CASES ?= 20000
.PHONY: fuzz-host
fuzz-host: setup
	CAPOS_FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test -- --nocapture fuzz::
	CAPOS_FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test -p libcapos-posix -p libcapos -- --nocapture fuzz::

# capos-rt alone (the plan's `make capos-rt-check`): its host tests
# against the simulated kernel (entry, CapSet, ring client, typed clients),
# clippy on the host and for capOS, and its no_std build for capOS.
.PHONY: capos-rt-check
capos-rt-check: setup
	$(CARGO) test -p capos-rt
	$(CARGO) clippy -p capos-rt --all-targets -- -D warnings
	$(CARGO) build --release -p capos-rt --target $(TARGET)
	$(CARGO) clippy --release -p capos-rt --target $(TARGET) -- -D warnings

clippy: setup
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy -p init --lib --tests -- -D warnings
	$(CARGO) clippy --release -p kernel -p capos-rt -p init -p smoke-programs -p spawn-programs -p bench-programs -p limits-programs -p fuzz-programs -p net-programs -p files-programs -p capos-run-agent --target $(TARGET) -- -D warnings

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

generated-code-check: setup
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  bash tools/gen-schema.sh "$$tmp" && \
	  if ! diff -u schema/src/capos_capnp.rs "$$tmp/capos_capnp.rs"; then \
	    echo "generated-code-check: schema/src/capos_capnp.rs is stale; run tools/gen-schema.sh"; exit 1; \
	  fi && echo "generated-code-check: schema bindings up to date"

# Every page of the manual is linked from SUMMARY.md and every link resolves.
# The manual: the link checks mdBook does not make, then mdBook's build
# (a warning-free build into book/, which is not committed).
.PHONY: book
docs-check: setup
	bash tools/check-docs.sh
	@out=$$(mdbook build --dest-dir $(abspath target/book-check) 2>&1) || { echo "$$out"; exit 1; }; \
	  if grep -q 'WARN' <<<"$$out"; then echo "$$out"; echo "docs-check: mdbook warned"; exit 1; fi; \
	  echo "docs-check: mdbook build: no warnings"

book: setup
	mdbook build

# ---------------------------------------------------------------- C on capOS (libcapos)
# libcapos.a (libcapos/, the C ABI over capos-rt), its header
# include/capos/capos.h (generated by cbindgen, checked in), the compiler
# driver tools/capos-c-cc and the C demo programs. See
# docs/porting/c-for-capos.md.
LIBCAPOS := $(REL)/libcapos.a
CAPOS_C_CC := CAPOS_LIBCAPOS=$(LIBCAPOS) tools/capos-c-cc
C_BUILD := target/capos-c
C_CFLAGS ?= -std=c11 -O2 -Wall -Wextra -Werror
C_HELLO_CHILD_SRCS := $(addprefix demos/c-hello/,child.c line.c report.c)
C_HELLO_SRCS := $(filter-out demos/c-hello/child.c,$(wildcard demos/c-hello/*.c))

.PHONY: libcapos-build libcapos-check headers header-check c-build run-c-hello

# The crate is an rlib (libcapos-posix builds on it); the archive is the
# same crate as a staticlib, with the C entry point.
libcapos-build: setup
	$(CARGO) rustc --release -p libcapos --lib --target $(TARGET) --features c-entry --crate-type staticlib

# Host unit tests and clippy of libcapos: its host build exists only for
# tests, so host clippy checks the test build.
libcapos-check: setup
	$(CARGO) test -p libcapos
	$(CARGO) clippy -p libcapos --tests -- -D warnings
	$(CARGO) clippy --release -p libcapos --target $(TARGET) --features c-entry -- -D warnings

# Regenerates include/capos/capos.h from libcapos/src.
headers: setup
	bash tools/gen-headers.sh

# Fails if include/capos/capos.h differs from what libcapos/src generates,
# or does not compile as freestanding C11 with warnings as errors.
header-check: setup
	bash tools/check-headers.sh

# Builds the C demos into target/capos-c/. To build one program of your own:
#   make c-build C_SRCS="a.c b.c" C_OUT=target/capos-c/prog
c-build: libcapos-build
	@mkdir -p $(C_BUILD)
ifdef C_SRCS
	$(if $(C_OUT),,$(error c-build: C_SRCS needs C_OUT, the program to write))
	$(CAPOS_C_CC) $(C_CFLAGS) -o $(C_OUT) $(C_SRCS)
else
	$(CAPOS_C_CC) $(C_CFLAGS) -o $(C_BUILD)/c-hello $(C_HELLO_SRCS)
	$(CAPOS_C_CC) $(C_CFLAGS) -o $(C_BUILD)/c-hello-child $(C_HELLO_CHILD_SRCS)
endif

$(BUILD)/manifest-c-hello.bin: c-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh c-hello $@

run-c-hello: kernel $(BUILD)/manifest-c-hello.bin
	bash tools/smoke.sh c-hello $(KERNEL) $(BUILD)/manifest-c-hello.bin
# ---------------------------------------------------------------- end of C on capOS

# ---------------------------------------------------------------- POSIX C on capOS (musl + libcapos-posix)
# musl's libc.a built from Debian's source with its system calls routed to
# libcapos-posix (vendor/musl/, tools/fetch-musl.sh), the C sysroot under
# target/capos-posix/sysroot, libcapos_posix.a, the compiler driver
# tools/capos-cc and the POSIX demos. See docs/porting/capos-cc.md.
POSIX_BUILD := target/capos-posix/bin
# Where cargo puts the archive (CARGO_TARGET_DIR moves it): the `posix`
# profile (Cargo.toml: release with LTO and one codegen unit, for the
# size of every C program; docs/porting/capos-cc.md).
POSIX_LIB := $(or $(CARGO_TARGET_DIR),target)/$(TARGET)/posix/libcapos_posix.a
POSIX_CC := CAPOS_POSIX_LIB=$(POSIX_LIB) tools/capos-cc
POSIX_CFLAGS ?= -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE

.PHONY: musl-build libcapos-posix-build libcapos-posix-check posix-build posix-make-check capos-cc-check \
        posix-dns-host-check run-posix-libc-smoke run-posix-mix-smoke run-posix-pipe-smoke \
        run-posix-fork-smoke run-posix-files-smoke run-posix-signal-smoke

musl-build: setup
	bash vendor/musl/build.sh

libcapos-posix-build: setup
	$(CARGO) build --profile posix -p libcapos-posix --target $(TARGET)

# Host unit tests (fd table, initial vector, mmap checks, reports) and
# clippy of both builds.
libcapos-posix-check: setup
	$(CARGO) test -p libcapos-posix
	$(CARGO) clippy -p libcapos-posix --tests -- -D warnings
	$(CARGO) clippy --release -p libcapos-posix --target $(TARGET) -- -D warnings

# William Ahern's dns.c (vendor/dns-c-wahern/: fetched from Debian's
# lua-cqueues source at a pinned checksum) for the resolver demo. It is
# compiled as fetched, to prove it builds unmodified, and linked with the
# fix for the infinite loop tools/dns/hostile-dns.py found in it
# (vendor/dns-c-wahern/patches/).
DNS_C_OBJ := target/capos-posix/dns-c/dns.o

# Debian's netcat (vendor/netcat: netcat-traditional, fetched at a pinned
# checksum and built unmodified by its own Makefile) and the program that
# drives it in the TCP smoke, for capOS and, to compare with, for Linux.
NETCAT := target/capos-posix/netcat
NETCAT_HOST := target/capos-posix/netcat-host

# posix-pipe is every file of its demo but child.c, which is pipe-child.
POSIX_PIPE_SRCS = $(filter-out %/child.c,$(wildcard demos/posix-pipe-shim/*.c))

posix-build: musl-build libcapos-posix-build
	@mkdir -p $(POSIX_BUILD) $(NETCAT) $(NETCAT_HOST)
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-libc $(wildcard demos/posix-libc/*.c) -lm
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-capos-mix $(wildcard demos/posix-capos-mix/*.c)
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-pipe $(POSIX_PIPE_SRCS)
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/pipe-child demos/posix-pipe-shim/child.c
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/exit0 demos/linux-bench/exit0.c
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-files $(wildcard demos/posix-files/*.c)
	bash vendor/dns-c-wahern/build.sh --pristine target/capos-posix/dns-c/dns-unmodified.o tools/capos-cc
	bash vendor/dns-c-wahern/build.sh $(DNS_C_OBJ) tools/capos-cc
	$(POSIX_CC) $(POSIX_CFLAGS) -I $$(bash vendor/dns-c-wahern/fetch.sh) \
	  -o $(POSIX_BUILD)/posix-dns-resolver $(wildcard demos/posix-dns-resolver/*.c) $(DNS_C_OBJ)
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-socket $(wildcard demos/posix-socket/*.c)
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/net-launch demos/posix-net-launch/launch.c
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-fork $(wildcard demos/posix-fork/*.c)
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/fork-wait demos/posix-fork/bench/fork-wait.c
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-signal $(wildcard demos/posix-signal/*.c)
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-getaddrinfo demos/posix-getaddrinfo/main.c
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/posix-console $(wildcard demos/posix-console/*.c)
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/tcp-echo-server demos/posix-tcp/echo-server.c
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/tcp-checks demos/posix-tcp/checks.c
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/capos-tcp demos/posix-tcp/capos-tcp.c
	bash vendor/netcat/build.sh $(NETCAT)/nc tools/capos-cc
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(NETCAT)/netcat-run demos/posix-tcp/netcat-run.c
	bash vendor/netcat/build.sh $(NETCAT_HOST)/nc musl-gcc -static
	musl-gcc -static $(POSIX_CFLAGS) -o $(NETCAT_HOST)/netcat-run demos/posix-tcp/netcat-run.c

# `make CC=capos-cc` on a plain Makefile project (demos/posix-make: two
# files and an archive): it must yield a static, non-PIE x86-64 ELF with
# no interpreter, entered at capos-rt's _start.
POSIX_MAKE_OUT := $(abspath target/capos-posix/posix-make)
posix-make-check: posix-build
	CAPOS_POSIX_LIB=$(abspath $(POSIX_LIB)) $(MAKE) -s -C demos/posix-make \
	  CC=$(abspath tools/capos-cc) B=$(POSIX_MAKE_OUT)
	@elf=$(POSIX_MAKE_OUT)/greet; \
	  readelf -h $$elf | grep -q 'Type: *EXEC' && ! readelf -l $$elf | grep -q INTERP && \
	  [ "$$(readelf -h $$elf | awk '/Entry point/ {print $$4}')" = \
	    "$$(nm $$elf | awk '$$3 == "_start" {print "0x" substr($$1, match($$1, /[1-9a-f]/))}')" ] || \
	  { echo "posix-make-check: FAIL: $$elf is not a static capOS executable"; exit 1; }; \
	  echo "posix-make-check: make CC=capos-cc built $$elf (static, entered at _start)"

# The driver's promises (tools/check-capos-cc.sh): the sealed sysroot
# (demos/posix-libc's -lm from musl, host archives refused by name), static
# linking only, the TLS segment, debug information only with -g.
capos-cc-check: posix-build
	CAPOS_POSIX_LIB=$(abspath $(POSIX_LIB)) POSIX_CFLAGS="$(POSIX_CFLAGS)" bash tools/check-capos-cc.sh

# tools/capos-run (one capOS program under QEMU from the shell) against
# the same program on Linux (tools/check-capos-run.sh).
.PHONY: capos-run-check
capos-run-check: kernel user posix-build
	$(CARGO) build -q -p mkmanifest
	CAPOS_POSIX_LIB=$(abspath $(POSIX_LIB)) bash tools/check-capos-run.sh </dev/null

# A CMake project built with tools/capos.cmake, its configure-time checks
# and ctest run on capOS (tools/check-cmake.sh).
.PHONY: cmake-check
cmake-check: kernel user posix-build
	$(CARGO) build -q -p mkmanifest
	bash tools/check-cmake.sh </dev/null

# The autoconf port of the ports tree, in make test (about a minute):
# GNU Hello configured with no --host under capos-env, its configure log
# showing test programs run on capOS, its cases compared with Linux.
.PHONY: autoconf-check
autoconf-check: kernel user posix-build
	$(CARGO) build -q -p mkmanifest
	@if ! why=$$(tools/capos-env true 2>&1); then echo "autoconf-check: skipped: $$why"; exit 0; fi; \
	  bash tools/ports.sh hello </dev/null || exit 1; log=target/ports/hello/capos/src/config.log; \
	  grep -q 'checking whether we are cross compiling... no' target/ports/hello/capos/build.log && \
	  runs=$$(grep -c '^configure:[0-9]*: ./conftest$$' $$log) && [ "$$runs" -gt 0 ] && \
	  echo "autoconf-check: PASS (./configure CC=capos-cc, no --host: not cross compiling, $$runs test programs run on capOS; $$log)" || \
	  { echo "autoconf-check: FAIL: configure did not run its test programs on capOS ($$log)"; exit 1; }

# A capOS program under QEMU with the gdb stub waiting (tools/debug.sh,
# docs/development/debugging.md): make debug PROG=path [ARGS="..."].
.PHONY: debug debug-check
GDB_PORT ?= 1234
debug: kernel user
	$(CARGO) build -q -p mkmanifest
	bash tools/debug.sh --port $(GDB_PORT) $(PROG) $(ARGS)

# make debug's script driven by gdb in batch mode, and the log
# symbolizer on a user fault, a kernel exception and a kernel panic
# (tools/check-debug.sh).
debug-check: kernel user posix-build
	$(CARGO) build -q -p mkmanifest
	bash tools/check-debug.sh </dev/null

# The ports tree (ports/, docs/porting/ports.md): real C programs built
# from their pinned Debian sources for capOS (capos-cc; autoconf ones
# configured under tools/capos-env) and for Linux (musl-gcc -static), each
# case's output, status and files compared. Minutes, so not in make test;
# PORTS="NAME ..." checks some.
.PHONY: ports-check
ports-check: kernel user posix-build
	$(CARGO) build -q -p mkmanifest
	CAPOS_POSIX_LIB=$(abspath $(POSIX_LIB)) bash tools/ports.sh $(PORTS) </dev/null

# The DNS test rig proved on Linux (tools/dns/host-check.sh): the resolver
# demo built with the host's musl-gcc against dnsmasq, a silent server and
# the hostile responder, inside a private network namespace (needs root).
posix-dns-host-check: setup
	bash tools/dns/host-check.sh

$(BUILD)/manifest-posix-dns.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-dns $@

$(BUILD)/manifest-posix-socket.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-socket $@

# POSIX sockets and dns.c over the kernel's UDP, two boots of QEMU with a
# virtio-net device on user networking inside the private network
# namespace of tools/dns/netns.sh, beside dnsmasq, a silent server, a UDP
# echo server and the hostile responder: system-posix-socket.cue (every
# socket call, then compared with the same program on Linux by
# tools/smoke/posix-socket.diff.sh) and system-posix-dns.cue (dns.c),
# after which the responder must have sent HOSTILE_MIN replies.
POSIX_DNS_QEMU := -netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile=
.PHONY: run-posix-dns-smoke
run-posix-dns-smoke: kernel $(BUILD)/manifest-posix-socket.bin $(BUILD)/manifest-posix-dns.bin
	HOSTILE_MIN=$${HOSTILE_MIN:-10000} HOSTILE_ARGS="--burst 24" bash tools/dns/netns.sh --hostile -- \
	  bash -c 'bash tools/smoke.sh posix-socket $(KERNEL) $(BUILD)/manifest-posix-socket.bin $(POSIX_DNS_QEMU) && \
	           bash tools/smoke.sh posix-dns $(KERNEL) $(BUILD)/manifest-posix-dns.bin $(POSIX_DNS_QEMU)'
	bash tools/smoke/posix-socket.diff.sh

$(BUILD)/manifest-posix-tcp.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-tcp $@

# TCP from C (demos/posix-tcp): a poll-driven echo server in the guest
# that the host's echo client (tools/tcp/echo-client.py) checks with
# 24 connections of 512 KiB each, and an HTTP/1.0 fetch from Python's
# http.server plus the hostile peers of tools/net/tcp-peer.py, inside
# the private network namespace of tools/net/run.sh (tools/tcp/smoke.sh);
# and Debian's nc, unmodified, sending to a host listener and listening
# for the host (7791), compared with the same nc on Linux.
POSIX_TCP_QEMU := -netdev user,id=n0,hostfwd=tcp:127.0.0.1:7790-:7790,hostfwd=tcp:127.0.0.1:7791-:7791 \
                  -device virtio-net-pci,netdev=n0,romfile=
.PHONY: run-posix-tcp-smoke
run-posix-tcp-smoke: kernel $(BUILD)/manifest-posix-tcp.bin
	bash tools/net/run.sh bash tools/tcp/smoke.sh $(KERNEL) $(BUILD)/manifest-posix-tcp.bin $(POSIX_TCP_QEMU)

$(BUILD)/manifest-posix-libc.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-libc $@

# The smoke, then the differential check against the same program built
# with the host's musl-gcc (tools/smoke/posix-libc.diff.sh).
run-posix-libc-smoke: kernel $(BUILD)/manifest-posix-libc.bin
	bash tools/smoke.sh posix-libc $(KERNEL) $(BUILD)/manifest-posix-libc.bin
	bash tools/smoke/posix-libc.diff.sh

$(BUILD)/manifest-posix-mix.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-mix $@

# POSIX and <capos/capos.h> in one program, on one runtime
# (demos/posix-capos-mix): each line compares what the two report.
run-posix-mix-smoke: kernel $(BUILD)/manifest-posix-mix.bin
	bash tools/smoke.sh posix-mix $(KERNEL) $(BUILD)/manifest-posix-mix.bin

$(BUILD)/manifest-posix-pipe.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-pipe $@

# Processes from C (posix_spawn, the fork-for-exec shim, execve, wait),
# then the differential check against the host's musl-gcc build
# (tools/smoke/posix-pipe.diff.sh).
run-posix-pipe-smoke: kernel $(BUILD)/manifest-posix-pipe.bin
	bash tools/smoke.sh posix-pipe $(KERNEL) $(BUILD)/manifest-posix-pipe.bin
	bash tools/smoke/posix-pipe.diff.sh
$(BUILD)/manifest-posix-fork.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-fork $@

# The real fork (demos/posix-fork: a service granted "fork"), then the
# differential check against the host's musl-gcc build
# (tools/smoke/posix-fork.diff.sh).
run-posix-fork-smoke: kernel $(BUILD)/manifest-posix-fork.bin
	bash tools/smoke.sh posix-fork $(KERNEL) $(BUILD)/manifest-posix-fork.bin
	bash tools/smoke/posix-fork.diff.sh

$(BUILD)/manifest-posix-signal.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-signal $@

# Signals between processes (demos/posix-signal: kill to children through
# their ProcessHandles, SIGCHLD, alarm), then the differential check
# against the host's musl-gcc build (tools/smoke/posix-signal.diff.sh).
run-posix-signal-smoke: kernel $(BUILD)/manifest-posix-signal.bin
	bash tools/smoke.sh posix-signal $(KERNEL) $(BUILD)/manifest-posix-signal.bin
	bash tools/smoke/posix-signal.diff.sh

$(BUILD)/manifest-posix-files.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-files $@

# Files from C (demos/posix-files, over libcapos-posix/src/file/), then the
# differential check against the host's musl-gcc build in a scratch
# directory (tools/smoke/posix-files.diff.sh).
run-posix-files-smoke: kernel $(BUILD)/manifest-posix-files.bin
	bash tools/smoke.sh posix-files $(KERNEL) $(BUILD)/manifest-posix-files.bin
	bash tools/smoke/posix-files.diff.sh

# dash and toybox (vendor/dash, vendor/toybox: Debian's sources at pinned
# checksums, built unmodified by their own build systems with capos-cc)
# and segv, a program that faults. See docs/porting/dash-and-toybox.md.
.PHONY: posix-shell-build run-posix-shell-smoke
posix-shell-build: posix-build
	CAPOS_POSIX_LIB=$(abspath $(POSIX_LIB)) bash vendor/dash/build.sh target/capos-posix/dash capos
	CAPOS_POSIX_LIB=$(abspath $(POSIX_LIB)) bash vendor/toybox/build.sh target/capos-posix/toybox capos
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/segv demos/posix-shell/segv.c

$(BUILD)/manifest-posix-shell.bin: user posix-shell-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-shell $@

$(BUILD)/manifest-posix-shell-bomb.bin: user posix-shell-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-shell-bomb $@

$(BUILD)/manifest-posix-shell-nofork.bin: user posix-shell-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-shell-nofork $@

$(BUILD)/manifest-posix-shell-pipes.bin: user posix-shell-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh posix-shell-pipes $@

# dash runs demos/posix-shell/root/script.sh from descriptor 0 (a file of
# the tree granted as fd/0) with toybox's commands in /bin and a real fork,
# and must exit 3; then the same script on Linux must print the same
# (tools/smoke/posix-shell.diff.sh); then, in a boot of its own, a fork
# bomb inside a quota (demos/posix-shell/bomb.sh) must leave its shell alive;
# then dash without the fork capability must refuse $(...) cleanly
# (demos/posix-shell/nofork.sh: "Cannot fork", exit 2, no fault); and in a
# fourth, services joined by the manifest's pipes
# (system-posix-shell-pipes.cue).
run-posix-shell-smoke: kernel $(BUILD)/manifest-posix-shell.bin $(BUILD)/manifest-posix-shell-bomb.bin \
		$(BUILD)/manifest-posix-shell-nofork.bin $(BUILD)/manifest-posix-shell-pipes.bin
	bash tools/smoke.sh posix-shell $(KERNEL) $(BUILD)/manifest-posix-shell.bin
	bash tools/smoke/posix-shell.diff.sh
	bash tools/smoke.sh posix-shell-bomb $(KERNEL) $(BUILD)/manifest-posix-shell-bomb.bin
	bash tools/smoke.sh posix-shell-nofork $(KERNEL) $(BUILD)/manifest-posix-shell-nofork.bin
	bash tools/smoke.sh posix-shell-pipes $(KERNEL) $(BUILD)/manifest-posix-shell-pipes.bin

$(BUILD)/manifest-console.bin: user posix-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh console $@

# The console as a terminal (docs/interfaces/terminal.md): QEMU's serial
# line typed into by tools/smoke/type.py as tools/smoke/console.type
# says, answering demos/posix-console's prompts (line editing, raw mode,
# ^C to a handler, poll, a flood past the input queue, ^D), then the
# same program typed into on a Linux pty, transcripts compared
# (tools/smoke/console.diff.sh).
.PHONY: run-console-smoke
run-console-smoke: kernel $(BUILD)/manifest-console.bin
	SMOKE_TYPE=tools/smoke/console.type bash tools/smoke.sh console $(KERNEL) $(BUILD)/manifest-console.bin
	bash tools/smoke/console.diff.sh

# make run's system (system.cue): dash on the terminal, toybox in /bin,
# stamp, which prints the machine's clock, and spin, a busy loop for ^C to
# end (demos/interactive).
.PHONY: interactive-build run-interactive-check
interactive-build: posix-build
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/stamp demos/interactive/stamp.c
	$(POSIX_CC) $(POSIX_CFLAGS) -o $(POSIX_BUILD)/spin demos/interactive/spin.c

$(BUILD)/manifest-system.bin: user posix-shell-build interactive-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh system $@

# A person at make run's prompt, on a pseudo-terminal as make run's QEMU
# is on a person's terminal: tools/smoke/interactive.type types
# commands, a pipeline, ^C at the prompt, in `sleep 100`, in a program
# busy without calls and in dash's own busy loop ($? 130 each), a
# Backspace and ^D (QEMU's success status). Under -icount the guest's
# clock counts instructions, so the ^C's interval that
# tools/smoke/interactive-timing.sh reports does not stretch with the
# host's load (docs/porting/interactive-shell.md).
# The same system with auditSpawns on (-t audit=true): the script sends ^C
# only once the kernel has started `sleep`, else the ^C can reach dash
# before its child exists and there is no command to interrupt.
$(BUILD)/manifest-system-audit.bin: user posix-shell-build interactive-build FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh system $@ -t audit=true

run-interactive-check: kernel $(BUILD)/manifest-system-audit.bin $(BUILD)/manifest-system.bin
	SMOKE_PTY=1 SMOKE_TYPE=tools/smoke/interactive.type bash tools/smoke.sh interactive $(KERNEL) \
	    $(BUILD)/manifest-system-audit.bin -icount shift=0
	bash tools/smoke/interactive-timing.sh target/smoke/interactive.log
	SMOKE_PTY=1 SMOKE_TYPE=tools/smoke/interactive-quiet.type bash tools/smoke.sh interactive-quiet $(KERNEL) \
	    $(BUILD)/manifest-system.bin
# ---------------------------------------------------------------- end of POSIX C on capOS
