#!/usr/bin/env bash
# Downloads the orig tarball of the Debian source package pinned in PIN
# (fields package, version, orig, sha256) into target/vendor/, checks its
# sha256, and prints its path. tools/fetch-musl.sh and
# tools/profile/fetch-qemu-header.sh take what they need out of it.
#
#   bash tools/fetch-orig.sh PIN [any-revision]
#   bash tools/fetch-orig.sh PIN debian
#
# `debian` fetches the Debian revision's own tarball instead (fields
# debian and debian_sha256: the debian/ directory with its patch series),
# for a package whose Debian patches are part of the program as Debian
# ships it (vendor/netcat).
#
# The URI comes from apt itself (`apt-get source --print-uris`), so the
# project names no mirror: it needs the deb-src entry tools/setup.sh adds.
# With `any-revision`, a pinned Debian revision that has left the archive
# is replaced by the current one: revisions of one upstream version share
# their orig tarball, and the checksum still decides. A tarball already
# downloaded is reused if its checksum matches; a mismatch is an error,
# never a silent re-download.
set -euo pipefail
cd "$(dirname "$0")/.."

pin=$1 any_revision=${2:-}
field() { sed -n "s/^$1=//p" "$pin"; }
package=$(field package) version=$(field version) orig=$(field orig)
sha256=$(field sha256)
if [ "$any_revision" = debian ]; then
    orig=$(field debian) sha256=$(field debian_sha256) any_revision=
    [ -n "$orig" ] && [ -n "$sha256" ] || { echo "fetch-orig: $pin has no debian= and debian_sha256=" >&2; exit 1; }
fi

vendor=target/vendor
mkdir -p "$vendor"
tarball=$vendor/$orig
say() { echo "fetch-orig: $*" >&2; }

if [ ! -f "$tarball" ]; then
    if ! uris=$(apt-get source --print-uris -qq "$package=$version" 2>&1); then
        if [ "$any_revision" != any-revision ] ||
            ! uris=$(apt-get source --print-uris -qq "$package" 2>&1); then
            say "apt-get source --print-uris $package=$version failed (is the deb-src entry from tools/setup.sh present, and apt-get update run?):"
            printf '%s\n' "$uris" >&2
            exit 1
        fi
    fi
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
echo "$tarball"
