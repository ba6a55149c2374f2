#!/usr/bin/env bash
# Builds nc from the pinned netcat source (vendor/netcat/fetch.sh), with
# netcat's own Makefile and the options Debian's debian/rules gives it,
# for capOS or for the host:
#
#   bash vendor/netcat/build.sh OUT CC [CC-ARGS...]
#
#   e.g. ... target/capos-posix/bin/nc tools/capos-cc
#        ... target/capos-posix/nc-host/nc musl-gcc -static
#
# Nothing in netcat.c is changed: `make linux` with CC set, as Debian
# does (DFLAGS from debian/rules: -DTELNET for -t, -DGAPING_SECURITY_HOLE
# for -e and -c, -DIP_TOS for -T). The build runs in a copy beside OUT,
# since the Makefile writes nc into its own directory; its compiler
# output (netcat.c's K&R style draws many warnings, which Debian's rules
# also leave) goes to OUT.log. Rebuilds only when the source or this
# script (or, for capos-cc, libcapos-posix or musl) is newer than OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

[ $# -ge 2 ] || { echo "usage: $0 OUT CC [CC-ARGS...]" >&2; exit 2; }
out=$1
shift
src=$(bash vendor/netcat/fetch.sh)
say() { echo "build-netcat: $*" >&2; }

# capos-cc links libcapos-posix and musl into the program: a change to
# either is a change to nc.
inputs=("$src/.capos-unpacked" "$0")
case $1 in
    *capos-cc) inputs+=("${CAPOS_POSIX_LIB:-target/x86_64-unknown-none/posix/libcapos_posix.a}"
        target/capos-posix/musl.stamp) ;;
esac
fresh=1
[ -f "$out" ] || fresh=0
for f in "${inputs[@]}"; do
    [ "$out" -nt "$f" ] || fresh=0
done
[ $fresh -eq 1 ] && exit 0

cc=$1 given="$*"
shift
# A compiler of this repository (tools/capos-cc) by its full path: make
# runs in the copy.
case $cc in */*) cc=$root/$cc ;; esac
version=$(sed -n 's/^version=//p' vendor/netcat/PIN)
work=$out.build
rm -rf "$work"
mkdir -p "$work"
cp -a "$src/." "$work/"
if ! make -C "$work" linux CC="$cc $* -O2" LDFLAGS= STATIC= \
    DFLAGS="-DLINUX -DTELNET -DGAPING_SECURITY_HOLE -DIP_TOS -DDEBIAN_VERSION=\\\"$version\\\"" \
    >"$out.log" 2>&1; then
    cat "$out.log" >&2
    say "make linux failed"
    exit 1
fi
mv "$work/nc" "$out"
rm -rf "$work"
say "$out (netcat $version, unmodified, built by its Makefile with $given)"
