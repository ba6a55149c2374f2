#!/usr/bin/env bash
# The differential check of demos/posix-files: builds the same program for
# the host with Debian's musl-gcc, runs it natively in a fresh scratch
# directory (what /tmp is on capOS: empty and writable) with at most 64
# descriptors and no stdin, as capOS gives it, and compares its output
# (stdout and stderr through one pipe, as on the capOS console) byte for
# byte with the program's lines in the smoke's serial log (the kernel's,
# init's and the /proc server's lines removed). Lines starting "~ " depend on the system by
# the program's own marking and are skipped on both sides, as are
# libcapos-posix's report lines.
#
#   bash tools/smoke/posix-files.diff.sh   (after make run-posix-files-smoke)
set -euo pipefail
cd "$(dirname "$0")/../.."
log=target/smoke/posix-files.log
host=target/capos-posix/posix-files-host
out=target/capos-posix/diff-files
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

musl-gcc -static -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$host" demos/posix-files/*.c
status=0
# Descriptors this shell inherited (above 2) are closed first.
# shellcheck disable=SC2016
env -i bash -c '
    for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    ulimit -n 64
    umask 022
    exec -a posix-files "$0" "$1" 0<&-' "$host" "$scratch" >"$out/host.raw" 2>&1 || status=$?
# shellcheck source=tools/smoke/differential.sh
. tools/smoke/differential.sh
# files-proc's own lines ("proc: ...") are not the program's.
compare posix-files "$status" "$out/host.raw" "$log" '^kernel: pid [0-9]* (posix-files) exited' \
    -e '^proc: '
