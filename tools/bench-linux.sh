#!/usr/bin/env bash
# The Linux side of the benchmarks: boots the pinned Debian kernel
# (vendor/linux/PIN) with demos/linux-bench as its whole userland, under the
# QEMU of tools/qemu.sh and the same -icount flags as tools/bench.sh, and
# prints its figures.
#
#   bash tools/bench-linux.sh              Linux's figures alone
#   bash tools/bench-linux.sh CAPOS_LOG    beside capOS's, read from a
#                                          tools/bench.sh log of the same run
#
# Status 0 when the figures are printed, 2 when the kernel package cannot
# be fetched and verified (offline: the caller decides whether that is
# fatal), 1 when the Linux run fails.
set -uo pipefail
capos_log=${1:-}
cd "$(dirname "$0")/.."
log=target/bench-linux.log
mkdir -p target

if ! fetched=$(bash tools/fetch-linux.sh); then
    echo "bench-linux: no Linux figures: the pinned kernel could not be fetched and verified (tools/fetch-linux.sh, above)"
    exit 2
fi
{ read -r vmlinuz; read -r modules; } <<<"$fetched"
initramfs=$(bash demos/linux-bench/build.sh "$modules") || exit 1

# The TCP figures need the network device, in a private namespace beside
# tools/net/tcp-peer.py, as for capOS (tools/bench.sh).
source tools/net/probe.sh
net_qemu=()
if [ -z "$net_missing" ]; then
    net_qemu=(-netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile=)
fi

started=$(date +%s.%N)
# panic=-1: a failing /init reboots at once, which -no-reboot turns into an exit.
timeout 300 "${net_wrap[@]}" bash tools/qemu.sh "$vmlinuz" "$initramfs" \
    -append "console=ttyS0 quiet panic=-1" -icount shift=0,align=off,sleep=off "${net_qemu[@]}" \
    </dev/null 2>&1 | tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
# A power-off by /init and a reboot after a panic both end QEMU with 0; only
# the last line of bench.c tells them apart.
if [ "$status" -ne 0 ] || ! grep -q '^linux: done$' "$log"; then
    echo "bench-linux: the Linux run failed (QEMU status $status); log: $log"
    tail -n 15 "$log" | sed 's/^/    /'
    exit 1
fi
figures() { sed -n "s/^$1: \([a-z0-9-]*\) \([0-9]*\) instructions\/op$/\1 \2/p" "$2"; }
linux=$(figures linux "$log")
release=$(sed -n 's/^linux: kernel //p' "$log")
source=$(sed -n 's/^linux: clocksource //p' "$log")
boot=$(sed -n 's/^linux: boot \([0-9]*\) instructions.*/\1/p' "$log")
echo "bench-linux: Linux $release (clocksource $source), $boot instructions to /init; the run took ${elapsed}s of wall-clock time"
sed -n 's/^linux: context: /bench-linux: /p' "$log"
if [ -n "$net_missing" ]; then
    echo "bench-linux: the TCP figures are MISSING from this run: $net_missing"
fi

if [ -z "$capos_log" ]; then
    printf '%-20s %14s\n' benchmark "instr/op"
    while read -r name value; do
        printf '%-20s %14s\n' "$name" "$value"
    done <<<"$linux"
    exit 0
fi

# One row per operation either side measured, capOS's order first; "-"
# where a side has no such figure.
capos=$(figures bench "$capos_log")
printf '%-20s %14s %14s %12s\n' operation capOS Linux capOS/Linux
printf '%s\n%s\n' "$capos" "$linux" | awk 'NF && !seen[$1]++ {print $1}' |
    while read -r name; do
        c=$(awk -v n="$name" '$1 == n {print $2}' <<<"$capos")
        l=$(awk -v n="$name" '$1 == n {print $2}' <<<"$linux")
        ratio=-
        if [ -n "$c" ] && [ -n "$l" ] && [ "$l" -gt 0 ]; then
            ratio=$(awk -v a="$c" -v b="$l" 'BEGIN {printf "%.2fx", a / b}')
        fi
        printf '%-20s %14s %14s %12s\n' "$name" "${c:--}" "${l:--}" "$ratio"
    done
echo "bench-linux: which Linux operation each name stands for: docs/development/testing.md (Benchmarks)"
