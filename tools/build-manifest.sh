#!/usr/bin/env bash
# Builds a boot manifest from a CUE system manifest.
#
#   bash tools/build-manifest.sh NAME OUT [CUE-ARGS...]
#
# NAME "system" means system.cue, any other NAME means system-NAME.cue. CUE
# checks and exports it to JSON (node tools/cue.js), then mkmanifest checks
# it again, embeds the binaries it names and writes the Cap'n Proto
# SystemManifest to OUT. The user binaries must already be built.
# CUE-ARGS go to `cue export`, e.g. `-t sqes=20000` for a manifest with
# @tag(sqes) fields (system-fuzz.cue).
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: bash tools/build-manifest.sh NAME OUT [CUE-ARGS...]" >&2
    exit 2
fi
name=$1
# OUT is relative to the caller's directory; everything else to the repo root.
out_arg=$2
out=$(realpath -m -- "$out_arg")
shift 2
cd "$(dirname "$0")/.."

if [ "$name" = system ]; then
    source=system.cue
else
    source=system-$name.cue
fi
if [ ! -f "$source" ]; then
    echo "build-manifest: $source not found" >&2
    exit 1
fi

# Export first and keep the JSON: a CUE error then stops here with CUE's own
# file:line message instead of mkmanifest complaining about empty input.
json=$(node tools/cue.js export "./$source" --out json "$@")
mkdir -p "$(dirname "$out")"
printf '%s\n' "$json" | "${CARGO:-cargo}" run -q -p mkmanifest -- --source "$source" --out "$out"
echo "build-manifest: $source -> $out_arg"
