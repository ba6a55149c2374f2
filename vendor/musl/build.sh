#!/usr/bin/env bash
# Builds musl's libc.a for capOS and assembles the C sysroot.
#
#   bash vendor/musl/build.sh
#
# 1. tools/fetch-musl.sh fetches and verifies the pinned source into
#    target/vendor/ (left untouched afterwards).
# 2. It is copied to target/capos-posix/musl-src; the files listed in
#    vendor/musl/remove.list are deleted from the copy,
#    vendor/musl/overlay/ is copied over it, so no musl code executes
#    `syscall`, and vendor/musl/patches/ are applied (each explains itself
#    at its top).
# 3. musl's own configure and make build lib/libc.a (static only) with the
#    host gcc; a scan of the archive fails the build if any object still
#    contains a `syscall` instruction.
# 4. The sysroot target/capos-posix/sysroot gets musl's headers
#    (include/), include/capos/posix/ from this repository, lib/libc.a,
#    and the empty archives musl's Makefile makes for the libraries whose
#    functions it keeps in libc.a (libm.a, libpthread.a, libdl.a, ...: its
#    EMPTY_LIB_NAMES), so that -lm and the like find musl, never the host.
#    tools/capos-cc searches nothing else.
#
# Rebuilds only when the pin, the overlay, a patch, the remove list or this
# script changed (a stamp records their checksums).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

src=$(bash tools/fetch-musl.sh)
out=target/capos-posix
copy=$out/musl-src
sysroot=$out/sysroot
stamp=$out/musl.stamp
say() { echo "build-musl: $*" >&2; }

inputs=$( (cat vendor/musl/PIN vendor/musl/remove.list vendor/musl/build.sh
           find vendor/musl/overlay vendor/musl/patches -type f | sort | xargs cat) | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && [ -f "$sysroot/lib/libc.a" ]; then
    # Headers of our own may change without touching musl.
    rm -rf "$sysroot/include/capos/posix"
    mkdir -p "$sysroot/include/capos"
    cp -a include/capos/posix "$sysroot/include/capos/posix"
    say "libc.a up to date ($sysroot)"
    exit 0
fi

rm -rf "$copy" "$sysroot"
mkdir -p "$out"
cp -a "$src" "$copy"
while read -r path _; do
    [[ -z $path || $path == \#* ]] && continue
    if [ ! -e "$copy/$path" ]; then
        say "remove.list names $path, which musl does not have"
        exit 1
    fi
    rm -f "$copy/$path"
done <vendor/musl/remove.list
cp -a vendor/musl/overlay/. "$copy/"
for p in vendor/musl/patches/*.patch; do
    patch -s -p1 -d "$copy" <"$p" || { say "$p does not apply"; exit 1; }
done

# -fno-pie: capOS programs are static and non-PIE; no stack protector,
# unwind tables or CET notes (no run-time support for them).
cflags="-O2 -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none"
(
    cd "$copy"
    ./configure --prefix="$root/$sysroot" --disable-shared --disable-wrapper \
        CC="${CAPOS_CC:-gcc}" CFLAGS="$cflags" >configure.log 2>&1 ||
        { cat configure.log >&2; exit 1; }
    make -s -j"${MUSL_JOBS:-2}" lib/libc.a >make.log 2>&1 || { tail -40 make.log >&2; exit 1; }
    make -s install-headers >>make.log 2>&1
)
empty=$(sed -n 's/^EMPTY_LIB_NAMES *= *//p' "$copy/Makefile")
if [ -z "$empty" ]; then
    say "musl's Makefile has no EMPTY_LIB_NAMES"
    exit 1
fi
mkdir -p "$sysroot/lib"
cp "$copy/lib/libc.a" "$sysroot/lib/libc.a"
for name in $empty; do
    make -s -C "$copy" "lib/lib$name.a" >>"$copy/make.log" 2>&1
    if [ -n "$(ar t "$copy/lib/lib$name.a")" ]; then
        say "musl's lib$name.a is not empty"
        exit 1
    fi
    cp "$copy/lib/lib$name.a" "$sysroot/lib/"
done
mkdir -p "$sysroot/include/capos"
cp -a include/capos/posix "$sysroot/include/capos/posix"

# No object may still trap into a Linux kernel.
if objdump -d "$sysroot/lib/libc.a" | grep -E '^\s+[0-9a-f]+:.*\ssyscall\s*$' >/dev/null; then
    say "libc.a still contains a syscall instruction:"
    objdump -d "$sysroot/lib/libc.a" | grep -E '^[0-9a-f]+ <|\ssyscall\s*$' | grep -B1 syscall >&2
    exit 1
fi
echo "$inputs" >"$stamp"
say "built $sysroot/lib/libc.a ($(du -k "$sysroot/lib/libc.a" | cut -f1) KiB), no syscall instructions; empty lib{${empty// /,}}.a"
