# GNU sed 4.9: autoconf with a large gnulib (regex, in-place editing
# through a temporary file and rename, getopt_long), configured with no
# --host under capos-env, so its run tests run on capOS.
build_capos() {
    "$PORT_CAPOS_ENV" ./configure CC="$PORT_CAPOS_CC" --disable-nls --without-selinux --disable-acl
    "$PORT_CAPOS_ENV" make -j2 sed/sed
    echo sed/sed >&3
}
build_linux() {
    ./configure CC="$PORT_LINUX_CC" --disable-nls --without-selinux --disable-acl
    make -j2 sed/sed
    echo sed/sed >&3
}
cases() {
    case_ substitute -- 's/capability/CAP/g; s/\([0-9]\+\)$/<\1>/' input.txt
    case_ extended -- -E -n '/^(ring|pipe) /{s/ +/_/g;p}' input.txt
    case_ script-file -- -f script.sed input.txt
    case_ hold-space -- -n '1!G;h;$p' input.txt
    case_ stdin --stdin input.txt -- -n '2,4p;$='
    case_ in-place -- -i.orig -e '1d' -e 'y/abc/ABC/' input.txt
    case_ bad-regex -- 's/\(/x/' input.txt
    case_ missing -- p no-such-file
}
