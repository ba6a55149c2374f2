#!/usr/bin/env bash
# Boots a kernel and manifest under QEMU (TCG), serial on this terminal.
#
#   bash tools/qemu.sh KERNEL MANIFEST [extra QEMU args...]
#
# The kernel powers QEMU off through isa-debug-exit when init ends: exit
# status 33 means init succeeded, 35 that it (or the kernel) failed.
set -uo pipefail
kernel=$1 manifest=$2
shift 2
# TCG, not KVM: this machine's KVM cannot deliver guest exceptions.
# -cpu max: SMEP, SMAP and FSGSBASE, which the kernel requires.
# signal=off: on a terminal, ^C goes to the guest (make run's shell), not
# to QEMU as SIGINT. On a terminal the mux's escape, Ctrl-A x, still quits
# QEMU if the system hangs; piped input (the smokes) stays byte for byte.
stdio=stdio,id=stdio,signal=off
if [ -t 0 ]; then
    stdio+=,mux=on
fi
exec qemu-system-x86_64 \
    -machine q35 -accel tcg -cpu max -m 256M \
    -display none -chardev "$stdio" -serial chardev:stdio \
    -monitor none -no-reboot -nodefaults \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$kernel" -initrd "$manifest" "$@"
