#!/usr/bin/env bash
# Checks the checked-in C headers of libcapos:
#
#   bash tools/check-headers.sh
#
#   1. include/capos/capos.h is exactly what cbindgen generates from
#      libcapos/src now (no drift: run `make headers` after changing the
#      C interface);
#   2. it compiles on its own as freestanding C11 with -Wall -Wextra
#      -Wpedantic -Werror, seeing only gcc's freestanding headers, and as
#      C++ (its extern "C" guards).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bash tools/gen-headers.sh "$tmp"
if ! diff -u include/capos/capos.h "$tmp/capos.h"; then
    echo "header-check: include/capos/capos.h is stale; run make headers" >&2
    exit 1
fi

cc=${CC:-gcc}
freestanding=(-ffreestanding -nostdinc -isystem "$("$cc" -print-file-name=include)" -Iinclude)
printf '#include <capos/capos.h>\n' >"$tmp/use.c"
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "${freestanding[@]}" -fsyntax-only "$tmp/use.c"
if command -v g++ >/dev/null; then
    g++ -std=c++17 -Wall -Wextra -Werror -Iinclude -fsyntax-only -x c++ "$tmp/use.c"
fi
echo "header-check: include/capos/capos.h matches libcapos/src and compiles as C11"
