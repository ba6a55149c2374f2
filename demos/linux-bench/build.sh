#!/usr/bin/env bash
# Builds the initramfs of the Linux benchmark: bench.c as /init and exit0.c
# as /exit0, both static musl programs, in a newc cpio archive.
#
#   bash demos/linux-bench/build.sh     prints the path of the archive
set -euo pipefail
cd "$(dirname "$0")/../.."

src=demos/linux-bench
out=target/linux-bench
root=$out/root
rm -rf "$root" && mkdir -p "$root"
cflags="-static -std=c11 -O2 -Wall -Wextra -Werror"
musl-gcc $cflags -o "$root/init" "$src/bench.c"
musl-gcc $cflags -o "$root/exit0" "$src/exit0.c"
# Owned by root, as the kernel's own files would be, whoever builds.
(cd "$root" && printf '%s\n' init exit0 | cpio -o -H newc -R 0:0 --quiet) >"$out/initramfs.cpio"
echo "$out/initramfs.cpio"
