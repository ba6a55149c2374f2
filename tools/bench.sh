#!/usr/bin/env bash
# Runs the in-guest benchmarks and prints each figure beside the committed
# baseline (bench/baseline.txt).
#
#   bash tools/bench.sh KERNEL MANIFEST            # compare
#   bash tools/bench.sh KERNEL MANIFEST --save     # make this run the baseline
#
# QEMU runs with -icount shift=0,align=off,sleep=off: one nanosecond of
# guest time per guest instruction, so the guest's rdtsc deltas are exact
# instruction counts, identical from run to run and from machine to
# machine for the same build. Figures are therefore compared exactly: any
# increase is flagged as a regression. The run's wall-clock time is
# printed only as context. A benchmark never fails the build; a missing
# figure or a failed run does. Then tools/bench-linux.sh sets the figures
# beside Linux's, from a Linux guest booted the same way.
#
# The UDP and TCP figures (udp-*, tcp-*) need a virtio-net device, and QEMU gets one only
# inside a private network namespace (tools/net/run.sh, beside the echo
# server the guest reaches as 10.0.2.2), so nothing leaves the machine.
# When the namespace cannot be made (no root, no user namespaces), QEMU
# runs without the device, the kernel refuses the bench's sockets and the
# UDP figures are missing, with the reason printed. The device does not
# change the other figures. The network figures are not exact: the guest
# waits for the host. bench.rs takes the time the CPU spent halted out of
# them (Timer.idle), but how the host paces the exchange still moves them
# by up to about 10% between runs. So they are never flagged: the tcp-*
# rows are saved and printed beside their baseline as a reference, the
# udp-* rows (which no Linux figure sits beside) are left out of it.
set -uo pipefail
kernel=$1 manifest=$2 mode=${3:-}
cd "$(dirname "$0")/.."
baseline=bench/baseline.txt
log=target/bench.log
mkdir -p target

source tools/net/probe.sh
net_qemu=()
if [ -z "$net_missing" ]; then
    net_qemu=(-netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile=)
fi

started=$(date +%s.%N)
timeout 600 "${net_wrap[@]}" bash tools/qemu.sh "$kernel" "$manifest" \
    -icount shift=0,align=off,sleep=off "${net_qemu[@]}" \
    </dev/null 2>&1 | tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
if [ "$status" -ne 33 ] || ! grep -q '^bench: done$' "$log"; then
    echo "bench: the run failed (QEMU status $status); log: $log"
    tail -n 15 "$log" | sed 's/^/    /'
    exit 1
fi
results=$(sed -n 's/^bench: \([a-z0-9-]*\) \([0-9]*\) instructions\/op$/\1 \2/p' "$log")
if [ -z "$results" ]; then
    echo "bench: no figures in $log"
    exit 1
fi
if [ "$mode" = --save ]; then
    {
        echo "# name instructions/op (exact under icount; make bench-baseline, $(date -u +%Y-%m-%d))"
        echo "# The udp-* figures are left out; the tcp-* ones are a reference, never flagged (tools/bench.sh)."
        grep -v '^udp-' <<<"$results"
    } >"$baseline"
    echo "bench: baseline saved to $baseline"
fi
regressions=0
printf '%-20s %14s %14s %8s\n' benchmark "instr/op" baseline ratio
while read -r name value; do
    base=$(awk -v n="$name" '$1 == n {print $2}' "$baseline" 2>/dev/null)
    flag=
    if [[ $name == udp-* ]]; then
        # Waits for the host: not exact, so context and never a regression.
        printf '%-20s %14s %14s %8s%s\n' "$name" "$value" - - "  (host-paced, context only)"
        continue
    fi
    if [[ $name == tcp-* ]]; then
        ratio=-
        if [ -n "$base" ] && [ "$base" -gt 0 ]; then
            ratio=$(awk -v a="$value" -v b="$base" 'BEGIN {printf "%.3fx", a / b}')
        fi
        printf '%-20s %14s %14s %8s%s\n' "$name" "$value" "${base:--}" "$ratio" "  (host-paced, not flagged)"
        continue
    fi
    if [ -n "$base" ] && [ "$base" -gt 0 ]; then
        ratio=$(awk -v a="$value" -v b="$base" 'BEGIN {printf "%.3fx", a / b}')
        if [ "$value" -gt "$base" ]; then
            flag="  REGRESSION (+$((value - base)))"
            regressions=$((regressions + 1))
        elif [ "$value" -lt "$base" ]; then
            flag="  better (-$((base - value)))"
        fi
    else
        base=- ratio=-
    fi
    printf '%-20s %14s %14s %8s%s\n' "$name" "$value" "$base" "$ratio" "$flag"
done <<<"$results"
sed -n 's/^bench: context: /bench: /p' "$log"
if [ -n "$net_missing" ]; then
    echo "bench: the UDP and TCP figures are MISSING from this run: $net_missing"
else
    sed -n 's/^bench: \(udp\|tcp\) figures missing: /bench: the \1 figures are MISSING from this run: /p' "$log"
fi
echo "bench: $regressions regressions against $baseline; the run took ${elapsed}s of wall-clock time (context only)"

# The same operations on Linux, in a guest of its own (tools/bench-linux.sh).
# Offline, the capOS figures above still stand, and the gap is said.
echo
bash tools/bench-linux.sh "$log"
case $? in
    0) ;;
    2) echo "bench: the Linux side is MISSING from this run (its kernel could not be fetched or verified); capOS figures only" ;;
    *) exit 1 ;;
esac
