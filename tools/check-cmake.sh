#!/usr/bin/env bash
# make cmake-check: demos/posix-cmake configured with tools/capos.cmake and
# built; its configure-time checks must have run on capOS (try_run's
# status and output are the program's), its program must carry capOS's
# mark, and its ctest case, run through capos-run, must pass.
#
#   bash tools/check-cmake.sh   (after make kernel user posix-build and
#                                cargo build -p mkmanifest)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/cmake-check
rm -rf "$out"
if ! command -v cmake >/dev/null; then
    echo "cmake-check: FAIL: no cmake (tools/setup.sh installs it)"
    exit 1
fi
cmake -DCMAKE_TOOLCHAIN_FILE="$PWD/tools/capos.cmake" -S demos/posix-cmake -B "$out" >"$out.log" 2>&1 || {
    cat "$out.log"
    echo "cmake-check: FAIL: configure"
    exit 1
}
grep -q 'Performing Test LONG_IS_64 - Success' "$out.log" &&
    grep -q 'probe ran: 3: int 4 long 8' "$out.log" || {
    cat "$out.log"
    echo "cmake-check: FAIL: the configure-time programs did not report from capOS"
    exit 1
}
cmake --build "$out" >>"$out.log" 2>&1 || {
    tail -20 "$out.log"
    echo "cmake-check: FAIL: build"
    exit 1
}
if [ "$(od -An -tx1 -j7 -N1 "$out/hello" | tr -d ' ')" != ff ]; then
    echo "cmake-check: FAIL: $out/hello is not a capos-cc program"
    exit 1
fi
(cd "$out" && ctest --output-on-failure) >>"$out.log" 2>&1 || {
    tail -20 "$out.log"
    echo "cmake-check: FAIL: ctest"
    exit 1
}
echo "cmake-check: PASS (check_c_source_runs and try_run ran on capOS: \"$(sed -n 's/.*probe ran: //p' "$out.log")\"; ctest's case passed through capos-run)"
