#!/usr/bin/env bash
# Regenerates the Rust bindings of schema/capos.capnp into the directory given
# (default: schema/src). The generated code for interfaces names `Box` and
# calls `.to_string()` as if std's prelude were in scope; the schema crate is
# no_std, so those few spots are rewritten to their `alloc` paths.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-schema/src}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
capnp compile -orust:"$tmp" --src-prefix=schema schema/capos.capnp
sed -e 's/\([ (]\)Box</\1::alloc::boxed::Box</g' \
    -e 's/Box::new(/::alloc::boxed::Box::new(/g' \
    -e 's/\.to_string()/.into()/g' \
    "$tmp/capos_capnp.rs" > "$out/capos_capnp.rs"
