#!/usr/bin/env bash
# Installs what building and testing capOS needs on Debian 12, and nothing
# that is already there: safe to run again (make setup runs it once per
# change of this file or of the npm lockfile). Needs root only when apt
# packages are missing. Runs unattended (CI=true, no standard input).
set -euo pipefail
cd "$(dirname "$0")/.."
exec </dev/null

say() { echo "setup: $*"; }

# ---------------------------------------------------------------- apt
# qemu: the smoke tests; capnproto: the schema compiler (tools/gen-schema.sh);
# dnsmasq-base, bind9-dnsutils: the DNS responder and dig for network tests;
# gcc, make: C ports and the build itself; xxd: inspecting binary outputs.
apt_packages=(qemu-system-x86 capnproto dnsmasq-base bind9-dnsutils gcc make xxd)
# musl-tools: Debian's musl-gcc, which builds the POSIX demos for the host so
# their output can be compared with the capOS run (the differential check).
apt_packages+=(musl-tools)
# cpio: the initramfs of the Linux guest `make bench` runs beside capOS.
apt_packages+=(cpio)
# iproute2, util-linux: `ip` and `unshare` for the private network namespace
# the network smoke runs in (tools/net/run.sh); python3 runs its echo
# server (tools/net/udp-echo.py).
apt_packages+=(iproute2 util-linux python3)
# xz-utils: unpacks QEMU's plugin header from its source tarball for `make
# profile` (tools/profile/fetch-qemu-header.sh), and dns.c's lua-cqueues
# tarball; patch: applies vendor/dns-c-wahern/patches/.
apt_packages+=(xz-utils patch)
# cmake: make cmake-check builds a CMake project for capOS
# (tools/capos.cmake); gdb: make debug's debugger, and make debug-check
# drives it; binutils: addr2line, which locates faults (tools/symbolize.sh).
apt_packages+=(cmake gdb binutils)
# bzip2: unpacks netcat's orig tarball (vendor/netcat), whose Debian
# patches patch applies too.
apt_packages+=(bzip2)
# node runs CUE (tools/cue.js); it may come from outside Debian (NodeSource
# ships node and npm in one package), so look for the commands themselves.
command -v node >/dev/null || apt_packages+=(nodejs)
command -v npm >/dev/null || apt_packages+=(npm)

# (Command output is captured before grep -q reads it: with pipefail, a
# writer killed by SIGPIPE when grep stops early would read as "missing".)
missing=()
for pkg in "${apt_packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    say "apt packages present"
else
    if [ "$(id -u)" -ne 0 ]; then
        say "missing apt packages: ${missing[*]}; run as root to install them" >&2
        exit 1
    fi
    say "installing apt packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ---------------------------------------------------------------- deb-src
# Third-party C sources (vendor/*/PIN) come from Debian's source packages:
# tools/fetch-musl.sh asks apt for their URIs, which needs a deb-src entry.
debsrc=/etc/apt/sources.list.d/capos-debian-src.sources
if grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ || grep -qs '^deb-src' /etc/apt/sources.list; then
    say "deb-src entry present"
else
    if [ "$(id -u)" -ne 0 ]; then
        say "no deb-src entry in /etc/apt; run as root to add $debsrc" >&2
        exit 1
    fi
    say "adding $debsrc"
    cat >"$debsrc" <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    apt-get update -q
fi

# ---------------------------------------------------------------- Rust
# Edition 2024 needs a rustup toolchain (Debian 12's rustc is too old).
if ! command -v cargo >/dev/null && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck source=/dev/null
    . "$HOME/.cargo/env"
fi
if ! command -v rustup >/dev/null || ! command -v cargo >/dev/null; then
    say "rustup and cargo are required: install a stable Rust toolchain with rustup first" >&2
    exit 1
fi

targets=$(rustup target list --installed)
if grep -qx x86_64-unknown-none <<<"$targets"; then
    say "rust target x86_64-unknown-none present"
else
    say "adding rust target x86_64-unknown-none"
    rustup target add x86_64-unknown-none
fi

components=$(rustup component list --installed)
for component in rustfmt clippy; do
    if grep -q "^$component-" <<<"$components"; then
        say "rust component $component present"
    else
        say "adding rust component $component"
        rustup component add "$component"
    fi
done

# The capnp plugin that generated schema/src; the generated-code check needs
# exactly this version to reproduce it.
installed_crates=$(cargo install --list)
if grep -q '^capnpc v0\.27\.0:' <<<"$installed_crates"; then
    say "capnpc-rust 0.27.0 present"
else
    say "installing capnpc-rust 0.27.0"
    cargo install capnpc --version 0.27.0 --locked
fi

# cbindgen generates libcapos's C header (tools/gen-headers.sh); the header
# check needs exactly this version to reproduce it. Debian's 0.24 cannot
# parse edition-2024 attributes such as #[unsafe(no_mangle)].
if grep -q '^cbindgen v0\.29\.4:' <<<"$installed_crates"; then
    say "cbindgen 0.29.4 present"
else
    say "installing cbindgen 0.29.4"
    cargo install cbindgen --version 0.29.4 --locked
fi

# mdBook builds the manual (make book; make docs-check builds it too);
# only its search feature, not the preview server's.
if grep -q '^mdbook v0\.5\.4:' <<<"$installed_crates"; then
    say "mdbook 0.5.4 present"
else
    say "installing mdbook 0.5.4"
    cargo install mdbook --version 0.5.4 --locked --no-default-features --features search
fi

# ---------------------------------------------------------------- npm
# A copy of the lockfile inside node_modules records what was installed, so
# a changed lockfile triggers a clean reinstall.
stamp=tools/node_modules/.capos-package-lock.json
if cmp -s tools/package-lock.json "$stamp"; then
    say "tools/node_modules up to date"
else
    say "installing tools/node_modules (npm ci)"
    (cd tools && npm ci --no-audit --no-fund)
    cp tools/package-lock.json "$stamp"
fi

say "done"
