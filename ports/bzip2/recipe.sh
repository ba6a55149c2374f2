# bzip2 1.0.8: the compressor, a plain Makefile with its own library
# (libbz2.a, built and linked as an archive). Exercises large buffers,
# standard input and output as binary streams, and files replaced in
# place (open, unlink, the attribute copy: chmod, utime).
# data/: text.txt is generated text (900 lines); text.txt.bz2 was made
# from it by Python's bz2 module, so decompression is checked against an
# independent compressor; corrupt.bz2 is that with one byte flipped.
build_capos() {
    make bzip2 CC="$PORT_CAPOS_CC"
    echo bzip2 >&3
}
build_linux() {
    make bzip2 CC="$PORT_LINUX_CC"
    echo bzip2 >&3
}
cases() {
    case_ compress-stdout -- -c -9 text.txt
    case_ round-trip --stdin text.txt.bz2 -- -d
    case_ test -- -t -v text.txt.bz2
    case_ in-place -- -k -1 text.txt
    case_ decompress-file -- -d text.txt.bz2
    case_ corrupt -- -t corrupt.bz2
    case_ missing -- no-such-file
}
