#!/usr/bin/env bash
# Fetches the Linux kernel pinned in vendor/linux/PIN into target/vendor/linux/
# and takes vmlinuz out of it, verifying the package's sha256 first.
#
#   bash tools/fetch-linux.sh       prints the path of vmlinuz, then that
#                                   of the directory of the modules the
#                                   benchmark's network needs
#
# `apt-get download` finds the package through the machine's own apt
# sources, so the project names no mirror. A package already downloaded is
# reused if its checksum matches; a mismatch is an error, never a silent
# re-download. Fails (status 1, the reason on stderr) when the package
# cannot be fetched, e.g. offline or once the pin has left apt's lists.
set -euo pipefail
cd "$(dirname "$0")/.."

pin=vendor/linux/PIN
field() { sed -n "s/^$1=//p" "$pin"; }
package=$(field package) version=$(field version) sha256=$(field sha256)

vendor=target/vendor/linux
mkdir -p "$vendor"
# apt's own file name: an epoch's ':' is written %3a.
deb=$vendor/${package}_${version//:/%3a}_amd64.deb
vmlinuz=$vendor/vmlinuz-${package#linux-image-}_$version
modules=$vendor/modules-${package#linux-image-}_$version
# The virtio-net driver and what it needs, in the order they load
# (Debian builds them as modules; each after those its .modinfo
# "depends=" names): demos/linux-bench/tcp.c loads them.
module_paths=(
    drivers/virtio/virtio_ring.ko
    drivers/virtio/virtio.ko
    drivers/virtio/virtio_pci_legacy_dev.ko
    drivers/virtio/virtio_pci_modern_dev.ko
    drivers/virtio/virtio_pci.ko
    net/core/failover.ko
    drivers/net/net_failover.ko
    drivers/net/virtio_net.ko
)
say() { echo "fetch-linux: $*" >&2; }

if [ ! -f "$deb" ]; then
    # A scratch directory, so an interrupted download leaves no .deb behind.
    scratch=$vendor/download
    rm -rf "$scratch" && mkdir -p "$scratch"
    say "downloading $package=$version"
    if ! out=$(cd "$scratch" && apt-get download -q "$package=$version" 2>&1); then
        say "apt-get download $package=$version failed (offline? no apt-get update? or the pin has left apt's lists: see $pin):"
        printf '%s\n' "$out" | sed 's/^/    /' >&2
        exit 1
    fi
    mv "$scratch/$(basename "$deb")" "$deb"
    rm -rf "$scratch"
fi

actual=$(sha256sum "$deb" | cut -d' ' -f1)
if [ "$actual" != "$sha256" ]; then
    say "$deb: sha256 $actual, pinned $sha256; refusing to use it (delete it to fetch again)"
    exit 1
fi

if [ ! -f "$vmlinuz" ] || [ ! -f "$modules/order" ]; then
    # Only the kernel image and the network's few modules are kept; the
    # rest (~400 MB unpacked) is not needed.
    unpacked=$vendor/unpacked
    rm -rf "$unpacked" "$modules"
    dpkg-deb -x "$deb" "$unpacked"
    image=$(find "$unpacked/boot" -name 'vmlinuz-*' | head -n 1)
    if [ -z "$image" ]; then
        say "$deb holds no boot/vmlinuz-*"
        exit 1
    fi
    mkdir -p "$modules"
    for m in "${module_paths[@]}"; do
        if ! mv "$unpacked/lib/modules/${package#linux-image-}/kernel/$m" "$modules/"; then
            say "$deb holds no $m"
            exit 1
        fi
        basename "$m" >>"$modules/order"
    done
    mv "$image" "$vmlinuz"
    rm -rf "$unpacked"
    say "extracted $(basename "$vmlinuz") and ${#module_paths[@]} modules (sha256 of the package verified)"
fi
echo "$vmlinuz"
echo "$modules"
