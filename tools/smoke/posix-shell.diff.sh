#!/usr/bin/env bash
# The differential check of system-posix-shell.cue: the same dash and
# toybox sources (vendor/dash, vendor/toybox) and demos/posix-shell/segv.c,
# built with Debian's musl-gcc, run the same script on Linux in a scratch
# root holding the same files as the manifest's tree
# (demos/posix-shell/root, /bin with dash, segv and the toybox commands,
# an empty /tmp), entered with chroot in a user namespace so that /home,
# /tmp and /bin are the same paths as on capOS. The script's output
# (stdout and stderr together, as on the capOS console) must equal the
# shell's lines in the smoke's serial log byte for byte, and both must
# end with exit status 3.
#
#   bash tools/smoke/posix-shell.diff.sh   (after make run-posix-shell-smoke)
set -euo pipefail
cd "$(dirname "$0")/../.."
log=target/smoke/posix-shell.log
out=target/shell-host
mkdir -p "$out"
bash vendor/dash/build.sh "$out/dash" host
bash vendor/toybox/build.sh "$out/toybox" host
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$out/segv" demos/posix-shell/segv.c

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -a demos/posix-shell/root/. "$scratch/"
mkdir -p "$scratch/bin" "$scratch/tmp"
cp "$out/dash/dash" "$out/toybox/toybox" "$out/segv" "$scratch/bin/"
ln -s dash "$scratch/bin/sh"
# toybox lists its commands when run by its own name; each is a link to
# it, as each is a node naming the toybox binary on capOS.
for tool in $("$scratch/bin/toybox"); do
    [ "$tool" = toybox ] || ln -s toybox "$scratch/bin/$tool"
done

status=0
# No core files, so dash's report is "Segmentation fault" as on capOS.
env -i PATH=/bin unshare --map-root-user "$(command -v bash)" -c 'ulimit -c 0; exec "$2" "$1" dash' \
    _ "$scratch" "$(command -v chroot)" <"$scratch/script.sh" >"$out/host.raw" 2>&1 || status=$?
if [ "$status" -ne 3 ]; then
    echo "posix-shell diff: FAIL: dash on Linux exited $status, not 3 (the script's exit 3)"
    cat "$out/host.raw"
    exit 1
fi
# shellcheck source=tools/smoke/differential.sh
. tools/smoke/differential.sh
compare posix-shell 0 "$out/host.raw" "$log" '^init: shell exited'
