#!/usr/bin/env bash
# Annotates a capOS serial log with where faults and panics happened, so
# nobody decodes rip=0x400015 by hand: after each line that names a code
# address it adds a line "  -> FUNCTION at FILE:LINE" (addr2line; the
# function from the symbol table, the line where the ELF has debug
# information, which release builds keep).
#
#   bash tools/symbolize.sh [--kernel ELF] [--bin NAME=ELF ...] [LOG]
#
# It reads LOG (default: standard input) and writes the whole log with
# the added lines. What it recognises:
#   kernel: pid N (NAME) killed by KIND at rip=0x...   NAME's ELF
#   init: NAME faulted: KIND at rip=0x...              NAME's ELF
#   KERNEL PANIC: panicked at FILE:LINE:COL:           the kernel function
#                                                      holding that line
#   kernel exception ... rip=0x...                     the kernel's ELF
# A program NAME is looked up in --bin, then in the build's output
# directories (target/x86_64-unknown-none/release, target/capos-posix/bin).
# The kernel defaults to target/x86_64-unknown-none/release/kernel.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kernel=$root/target/x86_64-unknown-none/release/kernel
declare -A bins=()
while [ $# -gt 0 ]; do
    case $1 in
        --kernel) kernel=$2; shift 2 ;;
        --bin) bins[${2%%=*}]=${2#*=}; shift 2 ;;
        *) break ;;
    esac
done
log=${1:-/dev/stdin}

elf_of() {
    local name=$1 d
    if [ -n "${bins[$name]:-}" ]; then
        echo "${bins[$name]}"
        return
    fi
    for d in "$root/target/x86_64-unknown-none/release" "$root/target/capos-posix/bin"; do
        if [ -f "$d/$name" ]; then
            echo "$d/$name"
            return
        fi
    done
    return 1
}

# "FUNCTION at FILE:LINE" for ADDR in ELF, inlined frames first.
where() {
    local elf=$1 addr=$2 out fn loc frames=()
    out=$(addr2line -f -C -i -e "$elf" "$addr" 2>/dev/null) || return 1
    while IFS= read -r fn && IFS= read -r loc; do
        loc=${loc% (discriminator *}
        [ "$fn" = "??" ] && [ "${loc#\?\?}" != "$loc" ] && continue
        if [ "${loc#\?\?}" != "$loc" ]; then frames+=("$fn"); else frames+=("$fn at $loc"); fi
    done <<<"$out"
    [ ${#frames[@]} -gt 0 ] || return 1
    local IFS=$'\n'
    local joined=${frames[*]}
    echo "${joined//$'\n'/, inlined in }"
}

# The kernel function holding source line FILE:LINE (gdb's info line).
function_at_line() {
    local file=$1 line=$2 out
    command -v gdb >/dev/null || return 1
    out=$(gdb -batch -nx -ex "info line $file:$line" "$kernel" 2>/dev/null | head -1) || return 1
    # Line 42 of "kernel/src/x.rs" starts at address 0x... <kernel::x::f+12> and ...
    [[ $out =~ \<([^+>]+) ]] || return 1
    echo "${BASH_REMATCH[1]}"
}

while IFS= read -r line || [ -n "$line" ]; do
    printf '%s\n' "$line"
    l=${line%$'\r'}
    if [[ $l =~ kernel:\ pid\ [0-9]+\ \(([^\)]*)\)\ killed\ by\ .*\ at\ rip=(0x[0-9a-f]+) ]] ||
        [[ $l =~ init:\ ([^ ]+)\ faulted:\ .*\ at\ rip=(0x[0-9a-f]+) ]]; then
        name=${BASH_REMATCH[1]} rip=${BASH_REMATCH[2]}
        if elf=$(elf_of "$name") && at=$(where "$elf" "$rip"); then
            echo "  -> $name: in $at"
        fi
    elif [[ $l =~ KERNEL\ PANIC:\ panicked\ at\ ([^:]+):([0-9]+):[0-9]+: ]]; then
        file=${BASH_REMATCH[1]} lineno=${BASH_REMATCH[2]}
        if fn=$(function_at_line "$file" "$lineno"); then
            echo "  -> kernel: in $fn at $file:$lineno"
        fi
    fi
    if [[ $l =~ kernel\ exception\ .*\ rip=(0x[0-9a-f]+) ]]; then
        if at=$(where "$kernel" "${BASH_REMATCH[1]}"); then
            echo "  -> kernel: in $at"
        fi
    fi
done <"$log"
