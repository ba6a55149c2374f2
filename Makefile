# capOS build, run and test entry points. `make run` and `make test` do all
# set-up themselves (tools/setup.sh installs what is missing).

SHELL := /bin/bash
CARGO ?= cargo
TARGET := x86_64-unknown-none
REL := target/$(TARGET)/release
KERNEL := $(REL)/kernel
BUILD := target/capos
SETUP_STAMP := target/.setup-done

.PHONY: all setup kernel user run run-smoke test test-host clippy fmt fmt-check \
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
	$(CARGO) build --release -p smoke-programs --target $(TARGET)

# build/manifest-NAME.bin from system-NAME.cue (system.cue for NAME=system).
$(BUILD)/manifest-%.bin: user FORCE
	@mkdir -p $(BUILD)
	bash tools/build-manifest.sh $* $@

FORCE:

# ---------------------------------------------------------------- run
# QEMU's status 33 is the kernel's "init succeeded" exit.
run: kernel $(BUILD)/manifest-system.bin
	@bash tools/qemu.sh $(KERNEL) $(BUILD)/manifest-system.bin; status=$$?; \
	  if [ $$status -eq 33 ]; then echo "make run: init succeeded"; \
	  else echo "make run: init failed or the system stopped abnormally (QEMU status $$status)"; exit 1; fi

run-smoke: kernel $(BUILD)/manifest-smoke.bin
	bash tools/smoke.sh smoke $(KERNEL) $(BUILD)/manifest-smoke.bin

smokes: run-smoke

# ---------------------------------------------------------------- checks
test: setup test-host clippy fmt-check generated-code-check docs-check smokes
	@echo "make test: all checks passed"

test-host: setup
	$(CARGO) test

clippy: setup
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy --release -p kernel -p capos-rt -p smoke-programs --target $(TARGET) -- -D warnings

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
docs-check:
	bash tools/check-docs.sh
