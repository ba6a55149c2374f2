# Lua 5.4.4, the interpreter: a plain Makefile built with CC= (its
# "posix" platform: no dlopen, no readline). Exercises setjmp/longjmp
# (errors), floating point and its formatting, malloc/realloc under a
# garbage collector, stdio on files and standard input, and os.* calls.
build_capos() {
    make -C src posix CC="$PORT_CAPOS_CC -std=gnu99"
    echo src/lua >&3
}
build_linux() {
    make -C src posix CC="$PORT_LINUX_CC -std=gnu99"
    echo src/lua >&3
}
cases() {
    case_ language -- language.lua
    case_ files -- files.lua
    case_ stdin --stdin numbers.txt -- -e 'local s = 0 for l in io.lines() do s = s + tonumber(l) end print(s, s / 3)'
    case_ error -- -e 'error("deliberate")'
    case_ syntax -- -e 'x = = 1'
    case_ exit-code -- -e 'os.exit(7)'
    case_ version -- -v
}
