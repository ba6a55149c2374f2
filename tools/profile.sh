#!/usr/bin/env bash
# Where one benchmark operation's instructions go, per function: runs the
# bench system under QEMU with the insn-profile plugin (tools/profile/) and
# the same -icount flags as tools/bench.sh, counting only inside the
# measured loops of benchmark NAME, and prints the top functions per
# operation. docs/development/profiling.md explains the method and the
# table.
#
#   bash tools/profile.sh NAME        (make profile BENCH=NAME)
#
# PROFILE_TOP=N prints N functions (default 30). Everything lands in
# target/profile/: NAME.txt (the table with every function), NAME.counts
# (the plugin's counts), NAME.log (serial), NAME.binaries (segments and
# symbols read from bin/, the binaries that ran). Expects the kernel and
# user programs built (make kernel user).
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:-}
top=${PROFILE_TOP:-30}
release=target/x86_64-unknown-none/release
out=target/profile
say() { echo "profile: $*" >&2; }

# The benchmarks in the order bench runs them, with the loop length and
# the operations per call of measure(console, NAME, N, PER_RUN, op); each
# runs ROUNDS rounds, each round one rdtsc window.
bench_src=$(tr '\n' ' ' <demos/bench/src/bin/bench.rs)
rounds=$(sed -n 's/.*const ROUNDS: u64 = \([0-9]*\);.*/\1/p' <<<"$bench_src")
benches=$(grep -o 'measure( *console, *"[a-z0-9-]*", *[0-9_]*, *[0-9_]*,' <<<"$bench_src" |
    sed 's/measure( *console, *"\([a-z0-9-]*\)", *\([0-9_]*\), *\([0-9_]*\),/\1 \2 \3/' | tr -d _)
if [ -z "$rounds" ] || [ -z "$benches" ]; then
    say "cannot read ROUNDS and the measure(console, NAME, N, PER_RUN, ..) calls in demos/bench/src/bin/bench.rs"
    exit 1
fi
read -r index n per_run < <(awk -v b="$name" '$1 == b {print NR - 1, $2, $3}' <<<"$benches") || true
if [ -z "$name" ] || [ -z "${index:-}" ]; then
    say "usage: bash tools/profile.sh NAME, NAME one of:" $(cut -d' ' -f1 <<<"$benches")
    exit 2
fi
# QEMU runs here without a network device, so bench's UDP figures (its
# last) are missing: the kernel refuses the sockets, bench says so and
# opens no rdtsc window for them. They wait for the host anyway, so a
# per-function count of them would not be the operation's alone.
case $name in
    udp-*) say "$name waits for the host over a network device, which the profile run has none of"; exit 2 ;;
esac
benches=$(awk '$1 !~ /^udp-/' <<<"$benches")
first=$((index * rounds + 1)) last=$(((index + 1) * rounds))
per_window=$((n * per_run)) ops=$((rounds * n * per_run))
mkdir -p "$out/bin"

# ---------------------------------------------------------------- plugin
include=$(bash tools/profile/fetch-qemu-header.sh)
plugin=$out/libinsn-profile.so
if [ ! -f "$plugin" ] || [ tools/profile/insn-profile.c -nt "$plugin" ] ||
    [ "$include/qemu-plugin.h" -nt "$plugin" ]; then
    gcc -O2 -std=c11 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
        -I "$include" -o "$plugin" tools/profile/insn-profile.c
fi

# ---------------------------------------------------------------- run
# Copies of the binaries that run, so the symbols read below are theirs
# whatever target/ gets meanwhile (the manifest embeds the user programs).
for elf in kernel bench bench-echo; do
    cp "$release/$elf" "$out/bin/$elf"
done
bash tools/build-manifest.sh bench "$out/manifest-bench.bin" >/dev/null
for elf in bench bench-echo; do
    if ! cmp -s "$release/$elf" "$out/bin/$elf"; then
        say "$release/$elf changed while the manifest was built; run again"
        exit 1
    fi
done

log=$out/$name.log counts=$out/$name.counts
rm -f "$counts"
status=0
timeout 900 bash tools/qemu.sh "$out/bin/kernel" "$out/manifest-bench.bin" \
    -icount shift=0,align=off,sleep=off \
    -plugin "$plugin,out=$counts,window=rdtsc,select=$first-$last" \
    </dev/null 2>&1 | tr -d '\r' >"$log" || status=$?
if [ "$status" -ne 33 ] || ! grep -q '^bench: done$' "$log" || [ ! -f "$counts" ]; then
    say "the run failed (QEMU status $status); log: $log"
    tail -n 15 "$log" | sed 's/^/    /' >&2
    exit 1
fi

# The windows must be the measured loops: one per round of every benchmark
# in order, and each benchmark's figure, the lowest round's rdtsc delta
# (the instructions between the two reads, and the second read) divided
# by N * PER_RUN, must follow from them.
field() { awk -v k="$1" '$1 == k {print $2}' "$counts"; }
ran=$(sed -n 's/^bench: \([a-z0-9-]*\) [0-9]* instructions\/op$/\1/p' "$log")
if [ "$ran" != "$(cut -d' ' -f1 <<<"$benches")" ] || [ "$(field windows)" != $(($(wc -l <<<"$benches") * rounds)) ] ||
    [ "$(field left-open)" != 0 ]; then
    say "the plugin's rdtsc windows ($(field windows), left open: $(field left-open)) are not bench's $rounds rounds of each of:" $ran
    exit 1
fi
figure=$(sed -n "s/^bench: $name \([0-9]*\) instructions\/op$/\1/p" "$log")
from_windows=$(awk -v f="$first" -v l="$last" -v d="$per_window" '
    $1 == "window-total" && $2 >= f && $2 <= l {
        v = int(($3 + 1) / d); if (best == "" || v < best) best = v }
    END {print best}' "$counts")
if [ "$figure" != "$from_windows" ]; then
    say "bench's figure is $figure, its windows give $from_windows: the windows are not the measured loops"
    exit 1
fi

# ---------------------------------------------------------------- symbols
# For each binary: its executable segments as hex (to tell bench from
# bench-echo by their bytes) and its code symbols, demangled. c++filt reads
# Rust's legacy and v0 manglings; the hashes it leaves are cut, which gives
# what rustfilt prints.
binaries=$out/$name.binaries
for elf in kernel bench bench-echo; do
    path=$out/bin/$elf
    readelf -lW "$path" | awk '$1 == "LOAD" { for (i = 7; i < NF; i++) if ($i ~ /E/) print $2, $3, $5 }' |
        while read -r offset vaddr size; do
            printf 'seg %s %s ' "$elf" "${vaddr#0x}"
            xxd -p -s "$offset" -l "$((size))" "$path" | tr -d '\n'
            echo
        done
    readelf -sW "$path" | awk '($4 == "FUNC" || $4 == "NOTYPE") && $7 != "UND" && NF >= 8 {print $2, $3, $4, $8}' |
        LC_ALL=C sort -k1,1 -k3,3 | c++filt |
        sed -E 's/::h[0-9a-f]{16}$//; s/([A-Za-z0-9_])\[[0-9a-f]+\]/\1/g; s/^/sym '"$elf"' /'
done >"$binaries"

# ---------------------------------------------------------------- table
rows=$(awk -f tools/profile/report.awk "$binaries" "$counts")
total=$(awk -F'\t' '$1 == "total" && $2 == "all" {print $3}' <<<"$rows")
counted=$(field counted)
unmatched=$(awk -F'\t' '$1 == "total" && $2 == "unmatched" {print $3}' <<<"$rows")
if [ "$total" != "$counted" ]; then
    say "the table holds $total instructions, the plugin counted $counted"
    exit 1
fi
per_op() { awk -v c="$1" -v n="$ops" 'BEGIN {printf "%.1f", c / n}'; }
table=$out/$name.txt
{
    echo "profile: $name, $rounds windows of $per_window operations; per operation:"
    echo "  counted $(per_op "$counted") instructions (bench's figure: $figure, from its lowest round)"
    awk -F'\t' -v n="$ops" -v t="$total" '$1 == "total" && $2 == "where" {
        printf "  %s %.1f (%.1f%%)\n", $3, $4 / n, 100 * $4 / t }' <<<"$rows" | sort -k2,2nr
    if [ "$unmatched" != 0 ]; then
        echo "  WARNING: $(per_op "$unmatched") of them ran code found in no binary"
    fi
    echo
    printf '%10s %6s %8s  %-10s %s\n' instr/op share calls/op where function
} >"$table"
header_lines=$(wc -l <"$table")
awk -F'\t' '$1 != "total"' <<<"$rows" | LC_ALL=C sort -t"$(printf '\t')" -k1,1nr -k4,4 |
    awk -F'\t' -v n="$ops" -v t="$total" '{
        printf "%10.1f %5.1f%% %8.2f  %-10s %s\n", $1 / n, 100 * $1 / t, $2 / n, $3, $4 }' >>"$table"
functions=$(($(wc -l <"$table") - header_lines))
head -n $((header_lines + top)) "$table"
if [ "$functions" -gt "$top" ]; then
    echo "... $((functions - top)) more functions in $table"
fi
