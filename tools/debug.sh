#!/usr/bin/env bash
# make debug: boots a capOS program under QEMU with the gdb stub waiting,
# and writes the gdb script that loads the kernel's symbols and the
# program's (both are static ELFs, loaded at the addresses they were
# linked for, so no offsets are needed) and connects.
#
#   make debug PROG=path/to/program [ARGS="..."] [GDB_PORT=1234]
#   bash tools/debug.sh [--port N] PROG [ARGS...]
#
# It runs tools/capos-run --gdb PORT --dir . PROG ARGS in the foreground
# (the program's output on this terminal) after printing the command to
# give in another terminal:
#
#   gdb -x target/capos-debug/capos.gdb
#
# The script is target/capos-debug/capos.gdb; add breakpoints after it
# (`gdb -x target/capos-debug/capos.gdb -ex 'break main' -ex continue`).
# Breakpoints are on virtual addresses, and every capOS program is linked
# at 0x400000: a breakpoint in the program also stops init or capos-run's
# agent if one of them runs code at that address (docs/development/debugging.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=1234
if [ "${1:-}" = --port ]; then
    port=$2
    shift 2
fi
if [ $# -lt 1 ]; then
    echo "usage: make debug PROG=path/to/program [ARGS=\"...\"] [GDB_PORT=1234]" >&2
    exit 2
fi
prog=$(realpath "$1")
shift
kernel=$root/target/x86_64-unknown-none/release/kernel
out=$root/target/capos-debug
mkdir -p "$out"
cat >"$out/capos.gdb" <<SCRIPT
# Written by tools/debug.sh for $(basename "$prog").
set pagination off
set confirm off
# The kernel: linked where it runs (its higher half and the boot code).
file $kernel
# The program: a static ELF at the addresses it was linked for.
add-symbol-file $prog
target remote 127.0.0.1:$port
SCRIPT
echo "debug: QEMU waits for gdb on 127.0.0.1:$port; in another terminal:" >&2
echo "debug:   gdb -x ${out#"$root"/}/capos.gdb" >&2
exec "$root/tools/capos-run" --gdb "$port" --dir . "$prog" "$@"
