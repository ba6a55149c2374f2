#!/usr/bin/env bash
# Builds toybox from the pinned, unmodified source (vendor/toybox/PIN,
# unpacked by tools/unpack-orig.sh) with the commands of
# vendor/toybox/miniconfig, for capOS or for Linux:
#
#   bash vendor/toybox/build.sh OUT-DIR capos    tools/capos-cc; OUT-DIR/toybox
#   bash vendor/toybox/build.sh OUT-DIR host     musl-gcc -static (the
#                                                differential check's twin)
#
# toybox's own kconfig and scripts/make.sh do the work: `make allnoconfig
# KCONFIG_ALLCONFIG=miniconfig` turns on exactly the listed commands, and
# `make toybox` builds its host helpers with HOSTCC (the host's cc, run
# on the host) and the program with CC. toybox writes generated files into
# its tree, so it builds in a copy under OUT-DIR/build. One binary serves
# every command by the name it is run as (argv[0]), as /bin/NAME on capOS.
# Rebuilds only when the pin, the miniconfig or this script is newer than
# OUT-DIR/toybox (or, for capOS, libcapos_posix.a).
set -euo pipefail
cd "$(dirname "$0")/../.."

[ $# -eq 2 ] || { echo "usage: $0 OUT-DIR capos|host" >&2; exit 2; }
out=$1 target=$2
src=$(bash tools/unpack-orig.sh vendor/toybox/PIN)
root=$PWD
config=vendor/toybox/miniconfig
say() { echo "build-toybox: $*" >&2; }

fresh=1
[ -f "$out/toybox" ] || fresh=0
for f in vendor/toybox/PIN "$config" "$0"; do
    [ "$out/toybox" -nt "$f" ] || fresh=0
done
if [ "$target" = capos ]; then
    [ "$out/toybox" -nt "${CAPOS_POSIX_LIB:-target/x86_64-unknown-none/posix/libcapos_posix.a}" ] || fresh=0
fi
[ $fresh -eq 1 ] && exit 0

case $target in
    capos) cc=$root/tools/capos-cc ldflags= ;;
    host) cc=musl-gcc ldflags=--static ;;
    *) echo "build-toybox: target is capos or host, not $target" >&2; exit 2 ;;
esac

build=$out/build
rm -rf "$build"
mkdir -p "$build"
cp -a "$src/." "$build/"
log=$root/$out/build.log
(cd "$build" &&
    make allnoconfig KCONFIG_ALLCONFIG="$root/$config" HOSTCC=cc &&
    make toybox CC="$cc" HOSTCC=cc LDFLAGS="$ldflags") >"$log" 2>&1 || {
    tail -30 "$log" >&2
    say "failed; the whole log is $log"
    exit 1
}
cp "$build/toybox" "$out/toybox"
say "$out/toybox ($target: $(grep -c '^CONFIG_.*=y' "$build/.config") options on, from $(sed -n "s/^orig=//p" vendor/toybox/PIN), unmodified)"
