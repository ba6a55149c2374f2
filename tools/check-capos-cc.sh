#!/usr/bin/env bash
# The compiler driver's promises, checked on the host (make capos-cc-check,
# part of make test; docs/porting/capos-cc.md):
#
#  1. The sealed sysroot: demos/posix-libc, linked with -lm exactly as
#     make posix-build links it, takes round, fmax and lround from musl
#     (the sysroot's libc.a, by the link map), reads no file outside the
#     sysroot, libcapos_posix.a and gcc's libgcc.a, and is byte for byte
#     the binary the posix-libc smoke runs on capOS (and compares with
#     Linux). -lc, -lm, -lpthread, ... resolve to the sysroot; host
#     archives that exist where gcc would look (glibc's libmvec.a, gcc's
#     libstdc++.a, ...) are refused by name, even through LIBRARY_PATH;
#     -print-search-dirs and -print-file-name answer with the sysroot.
#  2. Static only: -shared and -Wl,-pie are refused with a message saying
#     capOS links statically; -fPIC objects (with thread-local variables)
#     in an archive link into a static executable; -ldl links, and
#     dlopen fails at run time.
#  3. Thread-local storage: a PT_TLS segment, inside the writable PT_LOAD,
#     with the program's initialised and zeroed sizes.
#  4. Sizes: no debug sections without -g, debug sections with -g, no
#     symbol table with -s. A printf hello world links only the calls it
#     makes (not __capos_syscall, the by-number dispatcher that names every
#     call), and stays under a generous bound (SIZE_BOUND bytes, stripped;
#     printed with the host's static musl figure and the ratio).
#
#   bash tools/check-capos-cc.sh     (after make posix-build)
#
# Environment: CAPOS_POSIX_LIB as for capos-cc; POSIX_CFLAGS, the flags
# make posix-build used (the Makefile passes them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cc=$root/tools/capos-cc
sysroot=${CAPOS_POSIX_SYSROOT:-$root/target/capos-posix/sysroot}
posixlib=$(realpath "${CAPOS_POSIX_LIB:-target/x86_64-unknown-none/posix/libcapos_posix.a}")
libgcc=$(realpath "$(gcc -print-libgcc-file-name)")
read -ra cflags <<<"${POSIX_CFLAGS:--std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE}"
out=target/capos-cc-check
rm -rf "$out"
mkdir -p "$out"
fails=0
pass() { echo "capos-cc-check: ok: $*"; }
fail() {
    echo "capos-cc-check: FAIL: $*"
    fails=$((fails + 1))
}

# ---- 1. the sealed sysroot
# The inputs ld opened (--trace), less the objects of the program itself.
foreign_inputs() {
    grep -v -e '^/tmp/' -e "^$out/" "$1" | while read -r input; do
        case $(realpath "$input") in
            "$(realpath "$sysroot")"/lib/*.a | "$posixlib" | "$libgcc") ;;
            *) echo "$input" ;;
        esac
    done
}

ran=target/capos-posix/bin/posix-libc
CAPOS_POSIX_LIB=$posixlib "$cc" "${cflags[@]}" -o "$out/posix-libc" demos/posix-libc/*.c -lm \
    -Wl,-Map,"$out/posix-libc.map" -Wl,--trace >"$out/posix-libc.trace"
for fn in round fmax lround; do
    if grep -qF "$(realpath "$sysroot")/lib/libc.a($fn.o)" "$out/posix-libc.map"; then
        pass "$fn comes from musl ($sysroot/lib/libc.a($fn.o))"
    else
        fail "$fn does not come from the sysroot's libc.a (see $out/posix-libc.map)"
    fi
done
foreign=$(foreign_inputs "$out/posix-libc.trace")
if [ -z "$foreign" ]; then
    pass "posix-libc -lm read only the sysroot, libcapos_posix.a and libgcc.a"
else
    fail "posix-libc -lm read $foreign"
fi
if cmp -s "$out/posix-libc" "$ran"; then
    pass "and it is the binary the posix-libc smoke runs ($ran)"
else
    fail "$out/posix-libc differs from $ran (rebuild with make posix-build)"
fi

cat >"$out/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
EOF
CAPOS_POSIX_LIB=$posixlib "$cc" -o "$out/musl-libs" "$out/hello.c" \
    -lc -lm -lrt -lpthread -ldl -lutil -lxnet -lresolv -lcrypt -Wl,--trace >"$out/musl-libs.trace"
foreign=$(foreign_inputs "$out/musl-libs.trace")
if [ -z "$foreign" ]; then
    pass "-lc -lm -lrt -lpthread -ldl -lutil -lxnet -lresolv -lcrypt resolve to the sysroot"
else
    fail "musl's library names read $foreign"
fi

# Host archives where gcc looks: each must exist there (else the check
# proves nothing) and be refused by name.
refused=0
for name in c mvec anl stdc++ gomp z; do
    where=$(gcc -print-file-name="lib$name.a")
    [ -f "$where" ] || continue
    [ "$name" = c ] && continue # musl's libc.a answers -lc: checked above
    status=0
    LIBRARY_PATH=$(dirname "$where") CAPOS_POSIX_LIB=$posixlib \
        "$cc" -o "$out/host-lib" "$out/hello.c" "-l$name" 2>"$out/host-lib.err" || status=$?
    if [ "$status" -ne 0 ] && grep -q "cannot find -l$name" "$out/host-lib.err" &&
        grep -q "^capos-cc: -l$name: not in the -L directories" "$out/host-lib.err"; then
        refused=$((refused + 1))
    else
        fail "-l$name linked or failed without naming it, though only the host has it ($where)"
        cat "$out/host-lib.err"
    fi
done
if [ "$refused" -ge 3 ]; then
    pass "$refused host archives gcc would find (libmvec.a, libstdc++.a, ...) refused by name, LIBRARY_PATH set"
else
    fail "only $refused host archives to refuse were found; the check needs at least 3"
fi
if [ ! -f "$(gcc -print-file-name=libm.a)" ]; then
    fail "the host has no libm.a: the -lm check above proves nothing"
fi

# libtool and configure ask the driver where libraries are.
libdirs=$("$cc" -print-search-dirs | sed -n 's/^libraries: =//p')
if [ "$libdirs" = "$sysroot/lib/" ] && [ "$("$cc" -print-file-name=libm.a)" = "$sysroot/lib/libm.a" ] &&
    [ "$("$cc" -print-file-name=libmvec.a)" = libmvec.a ]; then
    pass "-print-search-dirs and -print-file-name answer with the sysroot only"
else
    fail "-print-search-dirs gives '$libdirs', -print-file-name=libm.a" \
        "'$("$cc" -print-file-name=libm.a)', libmvec.a '$("$cc" -print-file-name=libmvec.a)'"
fi

# ---- 2. static only
for flag in -shared -Wl,-shared -Wl,-pie; do
    status=0
    CAPOS_POSIX_LIB=$posixlib "$cc" "$flag" -o "$out/shared" "$out/hello.c" 2>"$out/shared.err" ||
        status=$?
    if [ "$status" -ne 0 ] && grep -q "^capos-cc: $flag: capOS links every program statically" \
        "$out/shared.err" && [ ! -e "$out/shared" ]; then
        pass "$flag refused: $(head -c 60 "$out/shared.err")..."
    else
        fail "$flag was not refused with the static-linking message"
    fi
done

cat >"$out/pic.c" <<'EOF'
__thread int pic_counter = 5;
__thread char pic_zero[100];
int pic_global = 7;
static int helper(int x) { return x + pic_global; }
int pic_next(void) { pic_zero[99]++; return helper(++pic_counter) + pic_zero[99]; }
EOF
cat >"$out/main.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
int pic_next(void);
int main(void)
{
    void *h = dlopen("libfoo.so", RTLD_NOW);
    printf("%d %d %s\n", pic_next(), pic_next(), h ? "dlopen worked" : dlerror());
    return 0;
}
EOF
CAPOS_POSIX_LIB=$posixlib "$cc" -O2 -fPIC -c "$out/pic.c" -o "$out/pic.o"
ar rcs "$out/libpic.a" "$out/pic.o"
CAPOS_POSIX_LIB=$posixlib "$cc" -O2 -o "$out/pic" "$out/main.c" -L"$out" -lpic -ldl
if readelf -h "$out/pic" | grep -q 'Type: *EXEC' && ! readelf -l "$out/pic" | grep -qE 'INTERP|DYNAMIC'; then
    pass "-fPIC objects in an archive, with -ldl, linked into a static executable"
else
    fail "$out/pic is not a static executable"
fi

# ---- 3. thread-local storage: 4 initialised bytes, then the 100 zeroed
# ones at the 16-byte alignment the x86-64 ABI gives an array that size:
# 116 in all, the image inside the writable segment.
read -r _ _ tls_addr _ tls_file tls_mem _ <<<"$(readelf -lW "$out/pic" | grep '^ *TLS ')"
in_data=no
while read -r _ _ start _ _ size flags _; do
    if [[ $flags == *W* ]] && ((tls_addr >= start && tls_addr < start + size)); then in_data=yes; fi
done < <(readelf -lW "$out/pic" | grep '^ *LOAD ')
if [ "$tls_file" = 0x000004 ] && [ "$tls_mem" = 0x000074 ] && [ "$in_data" = yes ]; then
    pass "PT_TLS: 4 bytes initialised, 116 in all, its image in the writable segment"
else
    fail "PT_TLS at $tls_addr: $tls_file bytes initialised, $tls_mem in all, in the RW segment: $in_data" \
        "(want 0x000004, 0x000074, yes)"
fi

# ---- 4. debug information only with -g
sections() { readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\).*/\1/p'; }
CAPOS_POSIX_LIB=$posixlib "$cc" -O2 -o "$out/plain" "$out/hello.c"
CAPOS_POSIX_LIB=$posixlib "$cc" -O2 -g -o "$out/debug" "$out/hello.c"
CAPOS_POSIX_LIB=$posixlib "$cc" -O2 -s -o "$out/stripped" "$out/hello.c"
if ! sections "$out/plain" | grep -q '^\.debug' && sections "$out/plain" | grep -q '^\.symtab$' &&
    sections "$out/debug" | grep -q '^\.debug_info$' && ! sections "$out/stripped" | grep -q '^\.symtab$'; then
    pass "no debug information without -g ($(stat -c %s "$out/plain") bytes), with -g" \
        "$(stat -c %s "$out/debug") bytes, -s $(stat -c %s "$out/stripped") bytes"
else
    fail "debug sections: without -g, with -g or with -s not as documented"
fi

# The runtime's cost per program (docs/porting/capos-cc.md, "Debug
# information and size"). The bound is far above today's figure, so that
# a compiler update does not fail it; it catches a whole family of calls
# (or the dispatcher) coming back into every program.
size_bound=${SIZE_BOUND:-260000}
cat >"$out/printf.c" <<'EOF'
#include <stdio.h>
int main(void) { printf("hello, world\n"); return 0; }
EOF
CAPOS_POSIX_LIB=$posixlib "$cc" -O2 -o "$out/printf" "$out/printf.c"
CAPOS_POSIX_LIB=$posixlib "$cc" -O2 -s -o "$out/printf-s" "$out/printf.c"
size=$(stat -c %s "$out/printf-s")
host=
if command -v musl-gcc >/dev/null && musl-gcc -static -s -O2 -o "$out/printf-host" "$out/printf.c"; then
    hsize=$(stat -c %s "$out/printf-host")
    tenths=$(((size * 10 + hsize / 2) / hsize))
    host=", host musl-gcc -static -s $hsize bytes: $((tenths / 10)).$((tenths % 10))x"
fi
if nm "$out/printf" | grep -q ' T __capos_syscall$'; then
    fail "a printf hello world links __capos_syscall (every call): a call site's number is not a constant"
elif [ "$size" -gt "$size_bound" ]; then
    fail "a stripped printf hello world is $size bytes, over the bound of $size_bound$host"
else
    pass "a stripped printf hello world is $size bytes (bound $size_bound)$host;" \
        "it links $(nm "$out/printf" | grep -c ' T __capos_sys_') of the adapter's call entries, not __capos_syscall"
fi

# ---- 5. capOS's mark, for binfmt_misc (tools/capos-env): EI_OSABI 255 on
# a linked program (stripped or not), none on a relocatable link.
osabi() { od -An -tu1 -j7 -N1 "$1" | tr -d ' '; }
"$cc" -c -o "$out/part.o" "$out/hello.c"
if [ "$(osabi "$out/plain")" = 255 ] && [ "$(osabi "$out/stripped")" = 255 ] &&
    [ "$(osabi "$out/part.o")" = 0 ]; then
    pass "programs carry capOS's mark (EI_OSABI 255), objects do not"
else
    fail "EI_OSABI: program $(osabi "$out/plain"), stripped $(osabi "$out/stripped"), object $(osabi "$out/part.o") (want 255, 255, 0)"
fi

if [ "$fails" -ne 0 ]; then
    echo "capos-cc-check: $fails failed"
    exit 1
fi
echo "capos-cc-check: PASS"
