#!/usr/bin/env bash
# The differential check of demos/posix-socket: builds the same program for
# the host with Debian's musl-gcc, runs it on Linux inside the private
# network namespace of tools/dns/netns.sh against the same UDP echo server
# (127.0.0.1 there, 10.0.2.2 from the guest), and compares its output byte
# for byte with the program's lines in the serial log of the smoke's
# first boot (system-posix-socket.cue; the kernel's, init's and
# libcapos-posix's report lines removed).
# Lines starting "~ " differ by design (what capOS refuses) and are
# skipped on both sides; the smoke's markers check capOS's.
#
#   bash tools/smoke/posix-socket.diff.sh   (after make run-posix-dns-smoke)
set -euo pipefail
cd "$(dirname "$0")/../.."
log=target/smoke/posix-socket.log
host=target/capos-posix/posix-socket-host
out=target/capos-posix/diff
mkdir -p "$out"

musl-gcc -static -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$host" demos/posix-socket/*.c
status=0
# shellcheck disable=SC2016
bash tools/dns/netns.sh -- bash -c '"$0" "127.0.0.1:$ECHO_PORT" "$0"' "$(realpath "$host")" \
    >"$out/socket-host.raw" ||
    status=$?
grep -v '^~ ' "$out/socket-host.raw" >"$out/socket-host.txt" || true
if [ "$status" -ne 0 ]; then
    echo "posix-socket diff: FAIL: the host build exited with status $status"
    exit 1
fi
# The program's lines lie between init's start and its report of the
# program's exit; init's and the kernel's own lines may interleave.
sed -n '/^kernel: starting init/,/^init: posix-socket exited/p' "$log" |
    grep -v -e '^~ ' -e '^libcapos-posix: ' -e '^kernel: ' -e '^init: ' >"$out/socket-capos.txt" ||
    true
if ! [ -s "$out/socket-capos.txt" ]; then
    echo "posix-socket diff: FAIL: no posix-socket output in $log"
    exit 1
fi
if diff -u "$out/socket-host.txt" "$out/socket-capos.txt"; then
    echo "posix-socket diff: PASS ($(wc -l <"$out/socket-host.txt") lines identical on Linux and on capOS)"
else
    echo "posix-socket diff: FAIL (Linux vs capOS above)"
    exit 1
fi
