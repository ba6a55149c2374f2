#!/usr/bin/env bash
# Generates libcapos's C header, capos.h, from libcapos/src with cbindgen
# into the directory given (default: include/capos, where it is checked in).
#
#   bash tools/gen-headers.sh [OUTDIR]
#
# `make headers` runs it; `make header-check` runs it into a temporary
# directory and fails if the checked-in header differs (see
# tools/check-headers.sh). The exact cbindgen version is pinned because its
# output format changes between releases; tools/setup.sh installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-include/capos}
want="cbindgen 0.29.4"

if ! command -v cbindgen >/dev/null && [ -x "$HOME/.cargo/bin/cbindgen" ]; then
    PATH=$HOME/.cargo/bin:$PATH
fi
have=$(cbindgen --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
    echo "gen-headers: need $want, found '${have:-no cbindgen}' (run bash tools/setup.sh)" >&2
    exit 1
fi
mkdir -p "$out"
cbindgen --quiet --config libcapos/cbindgen.toml --crate libcapos \
    --output "$out/capos.h" libcapos
