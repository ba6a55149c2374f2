#!/usr/bin/env bash
# Builds the initramfs of the Linux benchmark: bench.c as /init and exit0.c
# as /exit0, both static musl programs, and for the shell-pipeline figure
# dash as /bin/dash and toybox as /bin/seq and /bin/wc (built by
# vendor/dash and vendor/toybox with musl-gcc, as for the shell smoke's
# Linux side), and an empty /tmp, in a newc cpio archive.
#
# The network's modules (the directory tools/fetch-linux.sh prints, with
# its load order) go to /lib/modules for the TCP figures (tcp.c).
#
#   bash demos/linux-bench/build.sh MODULES     prints the path of the archive
set -euo pipefail
modules=$1
cd "$(dirname "$0")/../.."

src=demos/linux-bench
out=target/linux-bench
root=$out/root
rm -rf "$root" && mkdir -p "$root"
cflags="-static -std=c11 -O2 -Wall -Wextra -Werror"
musl-gcc $cflags -o "$root/init" "$src/bench.c" "$src/tcp.c"
musl-gcc $cflags -o "$root/exit0" "$src/exit0.c"
bash vendor/dash/build.sh target/shell-host/dash host
bash vendor/toybox/build.sh target/shell-host/toybox host
mkdir -p "$root/bin" "$root/tmp" "$root/lib/modules"
cp "$modules"/order "$modules"/*.ko "$root/lib/modules/"
cp target/shell-host/dash/dash target/shell-host/toybox/toybox "$root/bin/"
ln -s toybox "$root/bin/seq"
ln -s toybox "$root/bin/wc"
# Owned by root, as the kernel's own files would be, whoever builds.
(cd "$root" && { printf '%s\n' init exit0 bin bin/dash bin/toybox bin/seq bin/wc tmp lib lib/modules &&
    find lib/modules -type f; } |
    cpio -o -H newc -R 0:0 --quiet) >"$out/initramfs.cpio"
echo "$out/initramfs.cpio"
