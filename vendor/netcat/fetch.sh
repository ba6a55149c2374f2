#!/usr/bin/env bash
# Fetches netcat as pinned in vendor/netcat/PIN: Debian's netcat source
# package (netcat-traditional), both its tarballs downloaded and
# sha256-checked by tools/fetch-orig.sh, unpacked into
# target/vendor/netcat/src with Debian's patch series applied in order,
# exactly as Debian's build does (its patches are Debian's source of the
# program, not ours). Nothing of it is committed.
#
#   bash vendor/netcat/fetch.sh      prints that directory
set -euo pipefail
cd "$(dirname "$0")/../.."

pin=vendor/netcat/PIN
field() { sed -n "s/^$1=//p" "$pin"; }
dir=$(field dir)
stamp="$(field sha256) $(field debian_sha256)"

out=target/vendor/netcat/src
orig=$(bash tools/fetch-orig.sh "$pin")
debian=$(bash tools/fetch-orig.sh "$pin" debian)
say() { echo "fetch-netcat: $*" >&2; }

# The stamp names the verified tarballs, so a new pin unpacks again.
if [ "$(cat "$out/.capos-unpacked" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$out"
    mkdir -p "$out"
    tar -xjf "$orig" -C "$out" --strip-components=1 "$dir"
    tar -xJf "$debian" -C "$out"
    while read -r p; do
        case $p in '' | '#'*) continue ;; esac
        patch -s -p1 --no-backup-if-mismatch -d "$out" <"$out/debian/patches/$p" ||
            { say "Debian's $p does not apply"; exit 1; }
    done <"$out/debian/patches/series"
    echo "$stamp" >"$out/.capos-unpacked"
    say "unpacked $(basename "$orig") and $(basename "$debian") (sha256 verified), Debian's patch series applied, into $out"
fi
echo "$out"
