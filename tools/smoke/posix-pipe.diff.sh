#!/usr/bin/env bash
# The differential check of demos/posix-pipe-shim: builds posix-pipe and
# pipe-child for the host with Debian's musl-gcc, runs posix-pipe
# natively with exactly the environment system-posix-pipe.cue gives it —
# and what capOS gives it besides: no stdin, 64 descriptors at most
# (tools/smoke/run-exact.sh) — with
# the host build of pipe-child as its child (argv[1]; and, for
# posix_spawnp's bare name, the only directory on PATH), and compares
# the output of both programs (stdout and stderr through one pipe, as
# on the capOS console) byte for byte with their lines in the smoke's
# serial log (the kernel's and init's lines removed). Lines starting
# "~ " are system-dependent by the program's own marking and are
# skipped on both sides, as are libcapos-posix's report lines.
#
#   bash tools/smoke/posix-pipe.diff.sh   (after make run-posix-pipe-smoke)
set -euo pipefail
cd "$(dirname "$0")/../.."
log=target/smoke/posix-pipe.log
host=target/capos-posix/posix-pipe-host
out=target/capos-posix/diff-pipe
src=demos/posix-pipe-shim
mkdir -p "$host" "$out"

cflags=(-static -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE)
# posix-pipe is every file of the demo but child.c, which is pipe-child.
srcs=()
for f in "$src"/*.c; do [ "$f" = "$src/child.c" ] || srcs+=("$f"); done
musl-gcc "${cflags[@]}" -o "$host/posix-pipe" "${srcs[@]}"
musl-gcc "${cflags[@]}" -o "$host/pipe-child" "$src/child.c"
child=$(realpath "$host/pipe-child")
status=0
bash tools/smoke/run-exact.sh CAPOS_DEMO=posix-pipe PATH="$(dirname "$child")" -- \
    "$host/posix-pipe" posix-pipe "$child" >"$out/host.raw" 2>&1 || status=$?
# shellcheck source=tools/smoke/differential.sh
. tools/smoke/differential.sh
compare posix-pipe "$status" "$out/host.raw" "$log" '^kernel: pid [0-9]* (posix-pipe) exited'
