#!/usr/bin/env bash
# Fetches musl's source as pinned in vendor/musl/PIN into target/vendor/,
# verifying the orig tarball's sha256 before unpacking it.
#
#   bash tools/fetch-musl.sh        prints the unpacked source directory
#
# The download URI comes from apt itself (`apt-get source --print-uris`),
# so the project names no mirror: it needs the deb-src entry that
# tools/setup.sh adds. A tarball already in target/vendor/ is reused if its
# checksum matches; a mismatch is an error, never a silent re-download.
set -euo pipefail
cd "$(dirname "$0")/.."

pin=vendor/musl/PIN
field() { sed -n "s/^$1=//p" "$pin"; }
package=$(field package) version=$(field version) orig=$(field orig)
sha256=$(field sha256) dir=$(field dir)

vendor=target/vendor
mkdir -p "$vendor"
tarball=$vendor/$orig
say() { echo "fetch-musl: $*" >&2; }

if [ ! -f "$tarball" ]; then
    uris=$(apt-get source --print-uris -qq "$package=$version" 2>&1) || {
        say "apt-get source --print-uris $package=$version failed (is the deb-src entry from tools/setup.sh present, and apt-get update run?):"
        printf '%s\n' "$uris" >&2
        exit 1
    }
    uri=$(awk -v f="$orig" '$2 == f { gsub("\047", "", $1); print $1 }' <<<"$uris")
    if [ -z "$uri" ]; then
        say "apt lists no $orig for $package=$version"
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

if [ ! -f "$vendor/$dir/.capos-unpacked" ]; then
    rm -rf "${vendor:?}/$dir"
    tar -xzf "$tarball" -C "$vendor"
    touch "$vendor/$dir/.capos-unpacked"
    say "unpacked $orig (sha256 verified) into $vendor/$dir"
fi
echo "$vendor/$dir"
