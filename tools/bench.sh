#!/usr/bin/env bash
# Runs the in-guest benchmarks and prints each figure beside the committed
# baseline (bench/baseline.txt).
#
#   bash tools/bench.sh KERNEL MANIFEST            # compare
#   bash tools/bench.sh KERNEL MANIFEST --save     # make this run the baseline
#
# Figures come from QEMU's TCG: compare builds on one machine, not machines.
# A benchmark never fails the build; a missing figure or a failed run does.
set -uo pipefail
kernel=$1 manifest=$2 mode=${3:-}
cd "$(dirname "$0")/.."
baseline=bench/baseline.txt
log=target/bench.log
mkdir -p target

timeout 300 bash tools/qemu.sh "$kernel" "$manifest" </dev/null 2>&1 | tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 33 ] || ! grep -q '^bench: done$' "$log"; then
    echo "bench: the run failed (QEMU status $status); log: $log"
    tail -n 15 "$log" | sed 's/^/    /'
    exit 1
fi
results=$(sed -n 's/^bench: \([a-z0-9-]*\) \([0-9]*\) ns\/op$/\1 \2/p' "$log")
if [ "$mode" = --save ]; then
    { echo "# name ns/op (make bench-baseline, $(date -u +%Y-%m-%d))"; echo "$results"; } >"$baseline"
    echo "bench: baseline saved to $baseline"
fi
printf '%-20s %12s %12s %8s\n' benchmark "ns/op" baseline ratio
while read -r name value; do
    base=$(awk -v n="$name" '$1 == n {print $2}' "$baseline" 2>/dev/null)
    if [ -n "$base" ] && [ "$base" -gt 0 ]; then
        ratio=$(awk -v a="$value" -v b="$base" 'BEGIN {printf "%.2fx", a / b}')
    else
        base=- ratio=-
    fi
    printf '%-20s %12s %12s %8s\n' "$name" "$value" "$base" "$ratio"
done <<<"$results"
