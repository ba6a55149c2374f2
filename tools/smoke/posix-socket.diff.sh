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
# shellcheck source=tools/smoke/differential.sh
. tools/smoke/differential.sh
compare posix-socket "$status" "$out/socket-host.raw" "$log" '^init: posix-socket exited'
