#!/usr/bin/env bash
# The differential check of demos/posix-signal: builds posix-signal for
# the host with Debian's musl-gcc, runs it natively the way capOS starts
# it (tools/smoke/run-exact.sh), and compares its output byte for byte
# with its lines in the smoke's serial log (the kernel's and init's
# lines removed). Lines starting "~ " are system-dependent by the
# program's own marking and are skipped on both sides, as are
# libcapos-posix's report lines.
#
#   bash tools/smoke/posix-signal.diff.sh   (after make run-posix-signal-smoke)
set -euo pipefail
cd "$(dirname "$0")/../.."
log=target/smoke/posix-signal.log
host=target/capos-posix/posix-signal-host
out=target/capos-posix/diff-signal
mkdir -p "$host" "$out"

musl-gcc -static -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE \
    -o "$host/posix-signal" demos/posix-signal/*.c
status=0
self=$(realpath "$host/posix-signal")
bash tools/smoke/run-exact.sh -- "$self" posix-signal "$self" >"$out/host.raw" 2>&1 || status=$?
# shellcheck source=tools/smoke/differential.sh
. tools/smoke/differential.sh
compare posix-signal "$status" "$out/host.raw" "$log" '^init: posix-signal exited'
