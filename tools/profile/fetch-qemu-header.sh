#!/usr/bin/env bash
# Fetches QEMU's plugin API header as pinned in tools/profile/qemu-header.pin
# into target/vendor/, verifying the orig tarball's sha256 first (as
# tools/fetch-musl.sh does for musl).
#
#   bash tools/profile/fetch-qemu-header.sh    prints the include directory
#
# The download URI comes from apt (`apt-get source --print-uris`), which
# needs the deb-src entry tools/setup.sh adds. Every Debian revision of
# qemu 7.2 shares one orig tarball, so when the pinned revision has left
# the archive the current one's URI serves; the checksum still decides.
set -euo pipefail
cd "$(dirname "$0")/../.."

pin=tools/profile/qemu-header.pin
field() { sed -n "s/^$1=//p" "$pin"; }
package=$(field package) version=$(field version) orig=$(field orig)
sha256=$(field sha256) header=$(field header)

vendor=target/vendor
include=$vendor/${header%%/*}-include
tarball=$vendor/$orig
say() { echo "fetch-qemu-header: $*" >&2; }

if [ -f "$include/qemu-plugin.h" ]; then
    echo "$include"
    exit 0
fi

mkdir -p "$vendor"
if [ ! -f "$tarball" ]; then
    uris=$(apt-get source --print-uris -qq "$package=$version" 2>/dev/null) ||
        uris=$(apt-get source --print-uris -qq "$package" 2>&1) || {
            say "apt-get source --print-uris $package failed (is the deb-src entry from tools/setup.sh present, and apt-get update run?):"
            printf '%s\n' "$uris" >&2
            exit 1
        }
    uri=$(awk -v f="$orig" '$2 == f { gsub("\047", "", $1); print $1 }' <<<"$uris")
    if [ -z "$uri" ]; then
        say "apt lists no $orig for $package"
        exit 1
    fi
    say "downloading $uri"
    curl -fsSL --retry 3 -o "$tarball.part" "$uri"
    mv "$tarball.part" "$tarball"
fi

actual=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$actual" != "$sha256" ]; then
    say "$tarball: sha256 $actual, pinned $sha256; refusing to use it (delete it to fetch again)"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp" "$header"
mkdir -p "$include"
mv "$tmp/$header" "$include/qemu-plugin.h"
say "took $header from $orig (sha256 verified) into $include"
echo "$include"
