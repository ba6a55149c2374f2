#!/usr/bin/env bash
# The differential check of demos/posix-fork: builds posix-fork for the
# host with Debian's musl-gcc, runs it natively (with its own path as
# argv[1], for the child that execs it) the way capOS starts it
# (tools/smoke/run-exact.sh: no environment, no stdin, 64 descriptors at
# most), and compares its output (stdout and stderr through one pipe, as
# on the capOS console) byte for byte with its lines in the smoke's
# serial log (the kernel's and init's lines removed). Lines starting
# "~ " are system-dependent by the program's own marking (how the fork
# bomb ended) and are skipped on both sides, as are libcapos-posix's
# report lines.
#
#   bash tools/smoke/posix-fork.diff.sh   (after make run-posix-fork-smoke)
set -euo pipefail
cd "$(dirname "$0")/../.."
log=target/smoke/posix-fork.log
host=target/capos-posix/posix-fork-host
out=target/capos-posix/diff-fork
mkdir -p "$host" "$out"

musl-gcc -static -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE \
    -o "$host/posix-fork" demos/posix-fork/*.c
status=0
self=$(realpath "$host/posix-fork")
bash tools/smoke/run-exact.sh -- "$self" posix-fork "$self" >"$out/host.raw" 2>&1 || status=$?
# shellcheck source=tools/smoke/differential.sh
. tools/smoke/differential.sh
compare posix-fork "$status" "$out/host.raw" "$log" '^init: posix-fork exited'
