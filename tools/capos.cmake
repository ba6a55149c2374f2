# CMake toolchain file for capOS programs (docs/porting/build-systems.md):
#
#   cmake -DCMAKE_TOOLCHAIN_FILE=/path/to/capos/tools/capos.cmake -S src -B build
#
# Compiles and links with tools/capos-cc, finds libraries and headers only
# in capOS's sysroot (and what the project names), builds static
# libraries, and runs what try_run, check_c_source_runs and ctest run on
# capOS through tools/capos-run (CMake's cross-compiling emulator), each
# in a copy of the top level of the directory it is run from.
set(CMAKE_SYSTEM_NAME Linux)  # musl's headers describe Linux's interface
set(CMAKE_SYSTEM_PROCESSOR x86_64)
get_filename_component(_capos_tools "${CMAKE_CURRENT_LIST_DIR}" ABSOLUTE)
set(CMAKE_C_COMPILER "${_capos_tools}/capos-cc")
set(CMAKE_CROSSCOMPILING_EMULATOR "${_capos_tools}/capos-run;--dir;.;--shallow")
set(CMAKE_FIND_ROOT_PATH "${_capos_tools}/../target/capos-posix/sysroot")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# capOS links statically: add_library builds archives unless told otherwise,
# and a SHARED library is refused by capos-cc with its reason.
set(BUILD_SHARED_LIBS OFF CACHE BOOL "capOS links statically")
