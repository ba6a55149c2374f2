//! The one place where the bare-metal and host builds differ: ending the
//! process. The host build only exists for unit tests, which never call it.

/// Ends the process with `code`.
#[cfg(target_os = "none")]
pub fn exit(code: i64) -> ! {
    capos_rt::syscall::exit(code)
}

/// Ends the process with `code`.
#[cfg(not(target_os = "none"))]
pub fn exit(code: i64) -> ! {
    panic!("capos_exit({code}) outside capOS: libcapos's host build is for unit tests only")
}
