#!/usr/bin/env bash
# Compiles the pinned, unmodified dns.c (vendor/dns-c-wahern/fetch.sh) into
# one object, for capOS or for the host:
#
#   bash vendor/dns-c-wahern/build.sh OUT.o CC [CC-ARGS...]
#
#   e.g. ... target/capos-posix/dns-c/dns.o tools/capos-cc
#        ... target/capos-posix/dns-c/dns-host.o musl-gcc -static
#
# dns.c is third-party code, so it gets the flags it is written for
# (gnu99, as lua-cqueues builds it) and not the demos' -Werror: with -Wall
# it warns about its own designated initialisers, which are deliberate.
# Nothing is defined on the command line either: it configures itself for
# Linux from musl's headers, and that is what capOS's sysroot presents.
# Rebuilds only when dns.c, dns.h or this script is newer than OUT.o.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=$1
shift
[ $# -ge 1 ] || { echo "usage: $0 OUT.o CC [CC-ARGS...]" >&2; exit 2; }
src=$(bash vendor/dns-c-wahern/fetch.sh)

if [ -f "$out" ] && [ "$out" -nt "$src/dns.c" ] && [ "$out" -nt "$src/dns.h" ] &&
    [ "$out" -nt "$0" ]; then
    exit 0
fi
mkdir -p "$(dirname "$out")"
"$@" -std=gnu99 -O2 -c "$src/dns.c" -o "$out.part"
mv "$out.part" "$out"
echo "build-dns-c: $out ($*)" >&2
