#!/usr/bin/env bash
# Fetches dns.c and dns.h as pinned in vendor/dns-c-wahern/PIN: the orig
# tarball of Debian's lua-cqueues source package, downloaded and
# sha256-checked by tools/fetch-orig.sh, from which only the files named by
# the pin's `files=` are taken, into target/vendor/dns-c-wahern/ (dns.c's
# own header carries its MIT licence). Nothing of it is committed.
#
#   bash vendor/dns-c-wahern/fetch.sh      prints that directory
#
# The two files are used as they are: no patch is applied (the proposal's
# §2 says why none is needed).
set -euo pipefail
cd "$(dirname "$0")/../.."

pin=vendor/dns-c-wahern/PIN
field() { sed -n "s/^$1=//p" "$pin"; }
dir=$(field dir) sha256=$(field sha256)
read -r -a files <<<"$(field files)"

out=target/vendor/dns-c-wahern
tarball=$(bash tools/fetch-orig.sh "$pin")
say() { echo "fetch-dns-c: $*" >&2; }

# The stamp names the verified tarball the files came from, so a new pin
# extracts again.
if [ "$(cat "$out/.capos-unpacked" 2>/dev/null)" != "$sha256" ]; then
    rm -rf "$out"
    mkdir -p "$out"
    members=()
    for f in "${files[@]}"; do members+=("$dir/$f"); done
    tar -xJf "$tarball" -C "$out" --strip-components="$(($(tr -cd / <<<"$dir/" | wc -c)))" \
        "${members[@]}"
    # Flatten src/lib/dns.c to dns.c: the demo includes "dns.h".
    for f in "${files[@]}"; do
        [ "$f" = "$(basename "$f")" ] || mv "$out/$f" "$out/$(basename "$f")"
    done
    rm -rf "${out:?}/src"
    echo "$sha256" >"$out/.capos-unpacked"
    say "took ${files[*]} out of $(basename "$tarball") (sha256 verified) into $out"
fi
echo "$out"
