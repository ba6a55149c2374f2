#!/usr/bin/env bash
# Fetches musl's source as pinned in vendor/musl/PIN into target/vendor/,
# verifying the orig tarball's sha256 before unpacking it.
#
#   bash tools/fetch-musl.sh        prints the unpacked source directory
#
# The download and the check are tools/fetch-orig.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."

pin=vendor/musl/PIN
field() { sed -n "s/^$1=//p" "$pin"; }
orig=$(field orig) dir=$(field dir)

vendor=target/vendor
tarball=$(bash tools/fetch-orig.sh "$pin")
say() { echo "fetch-musl: $*" >&2; }

if [ ! -f "$vendor/$dir/.capos-unpacked" ]; then
    rm -rf "${vendor:?}/$dir"
    tar -xzf "$tarball" -C "$vendor"
    touch "$vendor/$dir/.capos-unpacked"
    say "unpacked $orig (sha256 verified) into $vendor/$dir"
fi
echo "$vendor/$dir"
