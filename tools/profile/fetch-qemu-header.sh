#!/usr/bin/env bash
# Fetches QEMU's plugin API header as pinned in tools/profile/qemu-header.pin
# into target/vendor/, verifying the orig tarball's sha256 first (as
# tools/fetch-musl.sh does for musl).
#
#   bash tools/profile/fetch-qemu-header.sh    prints the include directory
#
# The download and the check are tools/fetch-orig.sh's. Every Debian
# revision of qemu 7.2 shares one orig tarball, so when the pinned revision
# has left the archive the current one's serves; the checksum still decides.
set -euo pipefail
cd "$(dirname "$0")/../.."

pin=tools/profile/qemu-header.pin
field() { sed -n "s/^$1=//p" "$pin"; }
orig=$(field orig) header=$(field header)

vendor=target/vendor
include=$vendor/${header%%/*}-include
say() { echo "fetch-qemu-header: $*" >&2; }

if [ -f "$include/qemu-plugin.h" ]; then
    echo "$include"
    exit 0
fi

tarball=$(bash tools/fetch-orig.sh "$pin" any-revision)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp" "$header"
mkdir -p "$include"
mv "$tmp/$header" "$include/qemu-plugin.h"
say "took $header from $orig (sha256 verified) into $include"
echo "$include"
