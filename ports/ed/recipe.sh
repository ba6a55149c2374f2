# GNU ed 1.19: the line editor; a hand-written configure (CC=) and
# Makefile. Exercises commands from standard input, a scratch buffer in a
# temporary file (tmpfile), regular expressions, and writing files.
build_capos() {
    ./configure CC="$PORT_CAPOS_CC"
    make -j2
    echo ed >&3
}
build_linux() {
    ./configure CC="$PORT_LINUX_CC"
    make -j2
    echo ed >&3
}
cases() {
    case_ edit --stdin edit.ed -- -s notes.txt
    case_ print --stdin print.ed -- notes.txt
    case_ errors --stdin errors.ed -- -s notes.txt
    case_ new-file --stdin new.ed -- -s
}
