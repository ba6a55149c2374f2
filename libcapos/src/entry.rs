//! The C program's start, in libcapos.a only (the `c-entry` feature;
//! libcapos-posix brings its own): capos-rt's `_start` sets up the heap,
//! ring and CapSet and calls `capos_main` (capos-rt's entry convention),
//! defined here to install libcapos's state and call C's
//! `int main(int argc, char **argv)`. `main`'s return value becomes the
//! exit code, after capos-rt has handed the releases of everything still
//! held to the kernel.
//!
//! C constructors (`.init_array`) are not run, and there is no `envp`: the
//! POSIX layer above libcapos owns those.

use crate::argv::Argv;
use crate::runtime;
use crate::state;
use capos_rt::Runtime;
use core::ffi::{c_char, c_int};

unsafe extern "C" {
    /// The C program's entry point.
    fn main(argc: c_int, argv: *mut *mut c_char) -> c_int;
}

capos_rt::entry!(start);

fn start(rt: Runtime) -> i64 {
    let mut args = Argv::new(&rt.launch());
    runtime::install(rt);
    // SAFETY: `main` is the C program's, with C's standard signature;
    // `argv` holds `argc` pointers to terminated, writable strings and a
    // NULL, all owned by `args`, which outlives the call.
    let code = unsafe { main(args.argc(), args.argv()) };
    // Dropping the state queues the releases of what is still held;
    // capos-rt flushes them after this returns.
    drop(state::remove());
    i64::from(code)
}
