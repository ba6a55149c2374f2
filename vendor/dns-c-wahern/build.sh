#!/usr/bin/env bash
# Compiles the pinned dns.c (vendor/dns-c-wahern/fetch.sh) into one
# object, for capOS or for the host:
#
#   bash vendor/dns-c-wahern/build.sh [--pristine] OUT.o CC [CC-ARGS...]
#
#   e.g. ... target/capos-posix/dns-c/dns.o tools/capos-cc
#        ... target/capos-posix/dns-host/dns.o musl-gcc
#
# dns.c needs no change to build for capOS: --pristine compiles it exactly
# as fetched, which `make posix-build` does to keep proving that. Without
# it, the fixes in vendor/dns-c-wahern/patches/ are applied first, to a
# copy beside OUT.o (the fetched files stay untouched): bugs in dns.c
# itself, found by testing it, each explained at the top of its patch.
#
# dns.c is third-party code, so it gets the flags it is written for
# (gnu99, as lua-cqueues builds it) and not the demos' -Werror: with -Wall
# it warns about its own designated initialisers, which are deliberate.
# Nothing is defined on the command line either: it configures itself for
# Linux from musl's headers, and that is what capOS's sysroot presents.
# Rebuilds only when the sources, a patch or this script is newer than
# OUT.o.
set -euo pipefail
cd "$(dirname "$0")/../.."

pristine=0
if [ "${1:-}" = --pristine ]; then
    pristine=1
    shift
fi
[ $# -ge 2 ] || { echo "usage: $0 [--pristine] OUT.o CC [CC-ARGS...]" >&2; exit 2; }
out=$1
shift
fetched=$(bash vendor/dns-c-wahern/fetch.sh)
patches=(vendor/dns-c-wahern/patches/*.patch)
say() { echo "build-dns-c: $*" >&2; }

inputs=("$fetched/dns.c" "$fetched/dns.h" "$0")
[ $pristine -eq 1 ] || inputs+=("${patches[@]}")
fresh=1
[ -f "$out" ] || fresh=0
for f in "${inputs[@]}"; do
    [ "$out" -nt "$f" ] || fresh=0
done
[ $fresh -eq 1 ] && exit 0

mkdir -p "$(dirname "$out")"
src=$fetched
if [ $pristine -eq 0 ]; then
    src=$(dirname "$out")/src
    rm -rf "$src"
    mkdir -p "$src"
    cp "$fetched/dns.c" "$fetched/dns.h" "$src/"
    for p in "${patches[@]}"; do
        patch -s -p1 -d "$src" <"$p" || { say "$p does not apply"; exit 1; }
    done
fi
"$@" -std=gnu99 -O2 -c "$src/dns.c" -o "$out.part"
mv "$out.part" "$out"
say "$out ($* $([ $pristine -eq 1 ] && echo "unmodified" || echo "with ${#patches[@]} patch(es)"))"
