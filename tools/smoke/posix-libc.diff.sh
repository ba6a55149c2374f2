#!/usr/bin/env bash
# The differential check of demos/posix-libc: builds the same program for
# the host with Debian's musl-gcc, runs it natively with exactly the argv
# and environment system-posix-libc.cue gives it — and what capOS gives
# it besides: no stdin, 64 descriptors at most (tools/smoke/run-exact.sh)
# — and compares its output
# (stdout and stderr through one pipe, as on the capOS console) byte for
# byte with the program's lines in the smoke's serial log (the kernel's
# and init's lines, "kernel: ..." and "init: ...", removed). Lines starting
# "~ " are environment-dependent by the program's own marking and are
# skipped on both sides, as are libcapos-posix's report lines.
#
#   bash tools/smoke/posix-libc.diff.sh   (after make run-posix-libc-smoke)
set -euo pipefail
cd "$(dirname "$0")/../.."
log=target/smoke/posix-libc.log
host=target/capos-posix/posix-libc-host
out=target/capos-posix/diff
mkdir -p "$out"

musl-gcc -static -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$host" demos/posix-libc/*.c -lm
status=0
bash tools/smoke/run-exact.sh CAPOS_DEMO=posix-libc -- "$host" posix-libc --flag "two words" \
    >"$out/host.raw" 2>&1 || status=$?
# shellcheck source=tools/smoke/differential.sh
. tools/smoke/differential.sh
compare posix-libc "$status" "$out/host.raw" "$log" '^kernel: pid [0-9]* (posix-libc) exited'
