# GNU gzip 1.12: autoconf and gnulib, configured with no --host under
# capos-env. Exercises the deflate stream on standard input and output,
# a file compressed in place (the original's mode and times copied to the
# new file with fchmod and futimens, then the original unlinked), the
# trailer checks on a corrupt file, and the listing of a .gz header.
# data/: text.txt is generated text (900 lines); text.txt.gz was made
# from it by Python's gzip module, so decompression is checked against an
# independent compressor; corrupt.gz is that with one byte flipped.
build_capos() {
    "$PORT_CAPOS_ENV" ./configure CC="$PORT_CAPOS_CC"
    "$PORT_CAPOS_ENV" make -j2
    echo gzip >&3
}
build_linux() {
    ./configure CC="$PORT_LINUX_CC"
    make -j2
    echo gzip >&3
}
cases() {
    case_ compress-stdout -- -c -9 -n text.txt
    case_ round-trip --stdin text.txt.gz -- -d -c
    case_ in-place -- -1 -n text.txt
    case_ keep-and-list -- -k -n -v text.txt
    case_ list -- -l text.txt.gz
    case_ test-corrupt -- -t corrupt.gz
    case_ missing -- no-such-file
}
