# GNU bc 1.07.1: the arbitrary-precision calculator; autoconf, configured
# with no --host under capos-env. Its build runs a program it just built
# (fbc, to turn the math library into a C header): under capos-env that
# runs on capOS, as a native build would run it on the build machine.
build_capos() {
    "$PORT_CAPOS_ENV" ./configure CC="$PORT_CAPOS_CC"
    "$PORT_CAPOS_ENV" make -j2 -C lib
    "$PORT_CAPOS_ENV" make -C bc bc
    echo bc/bc >&3
}
build_linux() {
    ./configure CC="$PORT_LINUX_CC"
    make -j2 -C lib
    make -C bc bc
    echo bc/bc >&3
}
cases() {
    case_ arithmetic --stdin arithmetic.bc -- -q
    case_ math-library --stdin math.bc -- -q -l
    case_ program -- -q program.bc
    case_ errors --stdin errors.bc -- -q
    case_ version -- --version
}
