#!/usr/bin/env bash
# Unpacks the orig tarball pinned in PIN (fetched and sha256-checked by
# tools/fetch-orig.sh) into target/vendor/NAME/src, once per checksum, and
# prints that directory. The sources are used as fetched: builds copy them
# or build out of tree, never editing them.
#
#   bash tools/unpack-orig.sh vendor/NAME/PIN
set -euo pipefail
cd "$(dirname "$0")/.."

pin=$1
name=$(basename "$(dirname "$pin")")
field() { sed -n "s/^$1=//p" "$pin"; }
dir=$(field dir) sha256=$(field sha256)
tarball=$(bash tools/fetch-orig.sh "$pin")
out=target/vendor/$name/src

# The stamp names the verified tarball, so a new pin unpacks again.
if [ "$(cat "$out/.capos-unpacked" 2>/dev/null)" != "$sha256" ]; then
    rm -rf "$out" "$out.part"
    mkdir -p "$out.part"
    tar -xf "$tarball" -C "$out.part"
    mv "$out.part/$dir" "$out"
    rmdir "$out.part"
    echo "$sha256" >"$out/.capos-unpacked"
    echo "unpack-orig: $(basename "$tarball") (sha256 verified) into $out" >&2
fi
echo "$out"
