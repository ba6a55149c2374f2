#!/usr/bin/env bash
# Builds dash from the pinned, unmodified source (vendor/dash/PIN, unpacked
# by tools/unpack-orig.sh) out of tree, for capOS or for Linux:
#
#   bash vendor/dash/build.sh OUT-DIR capos      tools/capos-cc; OUT-DIR/dash
#   bash vendor/dash/build.sh OUT-DIR host       musl-gcc -static (the
#                                                differential check's twin)
#
# dash's own configure and Makefile do the work. For capOS it configures
# as a cross build (--host), so configure runs none of its test programs,
# and its generators (mkinit, mknodes, mksyntax, mksignames) are built by
# CC_FOR_BUILD, the host's cc, and run on the host. Rebuilds only when
# the pin or this script is newer than OUT-DIR/dash.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ $# -eq 2 ] || { echo "usage: $0 OUT-DIR capos|host" >&2; exit 2; }
out=$1 target=$2
src=$(bash tools/unpack-orig.sh vendor/dash/PIN)
root=$PWD
say() { echo "build-dash: $*" >&2; }

if [ -f "$out/dash" ] && [ "$out/dash" -nt vendor/dash/PIN ] && [ "$out/dash" -nt "$0" ] &&
    [ "$out/dash" -nt vendor/dash/needs-fork.c ] &&
    { [ "$target" = host ] || [ "$out/dash" -nt "${CAPOS_POSIX_LIB:-$root/target/x86_64-unknown-none/posix/libcapos_posix.a}" ]; }; then
    exit 0
fi

build=$out/build
rm -rf "$build"
mkdir -p "$build"
case $target in
    capos)
        # Our glue, linked in: dash's forks need a real fork (needs-fork.c).
        glue=$(realpath "$build")/needs-fork.o
        "$root/tools/capos-cc" -O2 -Wall -Wextra -Werror -c -o "$glue" vendor/dash/needs-fork.c
        conf=(--host=x86_64-linux-musl CC="$root/tools/capos-cc" CC_FOR_BUILD=cc CFLAGS=-O2
            LIBS="$glue") ;;
    host) conf=(CC=musl-gcc CFLAGS=-O2 LDFLAGS=-static) ;;
    *) echo "build-dash: target is capos or host, not $target" >&2; exit 2 ;;
esac

log=$root/$out/build.log
(cd "$build" && "$root/$src/configure" "${conf[@]}" && make) >"$log" 2>&1 || {
    tail -30 "$log" >&2
    say "failed; the whole log is $log"
    exit 1
}
cp "$build/src/dash" "$out/dash"
say "$out/dash ($target, from $(sed -n "s/^orig=//p" vendor/dash/PIN), unmodified)"
