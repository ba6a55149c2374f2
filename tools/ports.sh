#!/usr/bin/env bash
# The ports tree's check (make ports-check): for each port under ports/
# (or each NAME given), fetch its pinned Debian source (tools/fetch-orig.sh,
# sha256-checked), build it twice from two fresh copies, for capOS with
# tools/capos-cc and for Linux with the host's static musl-gcc (the same C
# library, so the same behaviour is expected), then run its cases on both,
# capOS's through tools/capos-run, and compare stdout, stderr, the exit
# status and the files each run left in its working directory. One line
# per port, then a total.
#
#   bash tools/ports.sh [NAME ...]     (after make kernel user posix-build
#                                       and cargo build -p mkmanifest)
#
# A port is ports/NAME/: PIN (package, version, orig, sha256, dir: as
# vendor/*/PIN), recipe.sh (sourced: build_capos and build_linux, run in
# the unpacked source with PORT_CAPOS_CC, PORT_CAPOS_ENV and PORT_LINUX_CC set, their
# output going to a log, each writing the built program's path relative
# to the source to descriptor 3; and cases, which calls `case_` once per
# case), and
# optionally data/ (flat: each case's working directory starts as a copy)
# and patches/ (applied to both copies with patch -p1). Builds are kept in
# target/ports/NAME/ and redone when the recipe, pin or patches change.
# PORTS_KEEP=1 keeps each case's outputs for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=$root/target/ports
mkdir -p "$out"
export PORT_CAPOS_CC=$root/tools/capos-cc PORT_CAPOS_ENV=$root/tools/capos-env
export PORT_LINUX_CC="musl-gcc -static"
say() { echo "ports-check: $*"; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for d in ports/*/; do
        d=${d%/}
        names+=("${d#ports/}")
    done
fi

# Unpacks NAME's source into DEST (a fresh copy) and applies its patches.
unpack() {
    local name=$1 dest=$2 tarball dir
    tarball=$(bash tools/fetch-orig.sh "ports/$name/PIN" any-revision)
    dir=$(sed -n 's/^dir=//p' "ports/$name/PIN")
    rm -rf "$dest" "$dest.tmp"
    mkdir -p "$dest.tmp"
    tar -xf "$tarball" -C "$dest.tmp"
    mv "$dest.tmp/$dir" "$dest"
    rm -rf "$dest.tmp"
    if [ -d "ports/$name/patches" ]; then
        for p in "ports/$name/patches"/*.patch; do
            patch -s -p1 -d "$dest" <"$p"
        done
    fi
}

# Builds one side (capos or linux) of port NAME unless the stamp says it
# is current; prints the program's absolute path.
build() {
    local name=$1 side=$2 dir=$out/$1/$2 stamp program
    stamp=$(cat "ports/$name/PIN" "ports/$name/recipe.sh" ports/"$name"/patches/*.patch 2>/dev/null |
        sha256sum | cut -d' ' -f1)
    if [ "$(cat "$dir.stamp" 2>/dev/null)" != "$stamp" ]; then
        rm -f "$dir.stamp"
        unpack "$name" "$dir/src"
        # A bash of its own, so that -e stops the recipe at its first
        # failing command (it would not inside this `if`).
        # shellcheck disable=SC2016
        if ! program=$(cd "$dir/src" && bash -euo pipefail -c 'source "$1"; "build_$2"' _ \
            "$root/ports/$name/recipe.sh" "$side" 3>&1 >"$dir/build.log" 2>&1); then
            echo "ports-check: $name: the $side build failed; the end of $dir/build.log:" >&2
            tail -20 "$dir/build.log" >&2
            return 1
        fi
        echo "$program" >"$dir.program"
        echo "$stamp" >"$dir.stamp"
    fi
    echo "$dir/src/$(cat "$dir.program")"
}

# case_ NAME [--stdin FILE] [--] ARGS...: runs the port's program with ARGS
# in a fresh copy of its data on capOS and on Linux and compares them.
case_() {
    local cname=$1 stdin=/dev/null
    shift
    if [ "${1:-}" = --stdin ]; then
        stdin=$root/ports/$port/data/$2
        shift 2
    fi
    [ "${1:-}" = -- ] && shift
    local dir=$out/$port/cases/$cname side
    rm -rf "$dir"
    for side in capos linux; do
        mkdir -p "$dir/$side/work"
        if [ -d "ports/$port/data" ]; then cp -a "ports/$port/data/." "$dir/$side/work/"; fi
    done
    local status=0
    (cd "$dir/capos/work" && "$root/tools/capos-run" --dir . --timeout 120 "$capos_program" "$@" \
        <"$stdin" >../stdout 2>../stderr.raw) || status=$?
    echo "$status" >"$dir/capos/status"
    # The adapter's report lines say what capOS refused; they are shown,
    # not compared (Linux has none).
    grep -v '^libcapos-posix: ' "$dir/capos/stderr.raw" >"$dir/capos/stderr" || true
    grep '^libcapos-posix: ' "$dir/capos/stderr.raw" >"$dir/capos/reports" || true
    rm "$dir/capos/stderr.raw"
    status=0
    # As capos-run starts it: argv[0] the file name, no environment.
    # shellcheck disable=SC2016
    (cd "$dir/linux/work" && exec perl -e 'my $p = shift; %ENV = (); exec { $p } @ARGV or exit 127' \
        "$linux_program" "$(basename "$linux_program")" "$@" <"$stdin" >../stdout 2>../stderr) || status=$?
    echo "$status" >"$dir/linux/status"
    cases=$((cases + 1))
    if diff -r "$dir/linux" "$dir/capos" -x reports >"$dir.diff" 2>&1; then
        rm -f "$dir.diff"
    else
        failed+=("$cname")
        echo "ports-check: $port: case $cname differs (Linux, then capOS):" >&2
        head -40 "$dir.diff" >&2
        if [ -s "$dir/capos/reports" ]; then cat "$dir/capos/reports" >&2; fi
    fi
    [ "${PORTS_KEEP:-0}" = 1 ] || [ -f "$dir.diff" ] || rm -rf "$dir"
}

total=0 passed=0
for port in "${names[@]}"; do
    if [ ! -f "ports/$port/recipe.sh" ]; then
        say "$port: no ports/$port/recipe.sh"
        total=$((total + 1))
        continue
    fi
    total=$((total + 1))
    start=$(date +%s)
    if ! capos_program=$(build "$port" capos) || ! linux_program=$(build "$port" linux); then
        say "$port: FAIL (build)"
        continue
    fi
    cases=0 failed=()
    # shellcheck source=/dev/null
    (source "ports/$port/recipe.sh" && declare -f cases >/dev/null) || {
        say "$port: FAIL (no cases in the recipe)"
        continue
    }
    # shellcheck source=/dev/null
    source "ports/$port/recipe.sh"
    cases
    unset -f build_capos build_linux cases
    if [ "$cases" -eq 0 ]; then
        say "$port: FAIL (no cases ran)"
    elif [ ${#failed[@]} -eq 0 ]; then
        passed=$((passed + 1))
        say "$port: ok ($cases cases identical on capOS and Linux; $(($(date +%s) - start)) s)"
    else
        say "$port: FAIL (${#failed[@]} of $cases cases differ: ${failed[*]})"
    fi
done
say "$passed of $total ports match Linux"
[ "$passed" -eq "$total" ]
