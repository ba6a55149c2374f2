# GNU Hello 2.10: autoconf and gnulib, getopt_long, the i18n fallbacks.
# capOS: ./configure CC=capos-cc with no --host, under capos-env, so
# configure finds it is not cross compiling and runs its test programs on
# capOS (docs/porting/autoconf.md).
build_capos() {
    "$PORT_CAPOS_ENV" ./configure CC="$PORT_CAPOS_CC" --disable-nls
    "$PORT_CAPOS_ENV" make -j2
    echo hello >&3
}
build_linux() {
    ./configure CC="$PORT_LINUX_CC" --disable-nls
    make -j2
    echo hello >&3
}
cases() {
    case_ greeting
    case_ traditional -- --traditional
    case_ custom -- --greeting="capOS, with a longer greeting than usual"
    case_ version -- --version
    case_ help -- --help
    case_ bad-option -- --no-such-option
    case_ extra-operand -- world
}
