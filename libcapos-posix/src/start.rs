//! The C program's start: capos-rt's `_start` sets up the heap, ring and
//! CapSet and calls `capos_main`, defined here. It builds argv, envp and
//! the auxiliary vector from the launch parameters and the program's own
//! ELF header (mapped by libcapos-posix/posix.ld, so that musl finds the
//! PT_TLS segment and sets up `__thread` variables), hands the runtime to
//! libcapos (which owns it, so `capos_*` calls work from the first
//! constructor on), installs the adapter's state and enters musl's
//! `__libc_start_main`, which initialises libc (TLS through
//! `__set_thread_area`, stdio), runs constructors, calls `main` and passes
//! its result to `exit`. `exit` ends in SYS_exit_group, so this function
//! never returns to capos-rt.

use crate::state::{self, State};
use crate::vector::{EHDR_SIZE, ProgramHeaders, Vector};
use alloc::boxed::Box;
use alloc::vec::Vec;
use capos_rt::Runtime;
use core::ffi::{c_char, c_int};
use libcapos::runtime;

// This crate defines `capos_main`; libcapos's would be a second one in the
// same archive, and the linker would pick either.
const _: () = assert!(
    !runtime::C_ENTRY,
    "libcapos-posix needs libcapos without its c-entry feature"
);

type Main = unsafe extern "C" fn(c_int, *mut *mut c_char, *mut *mut c_char) -> c_int;

unsafe extern "C" {
    /// The program's ELF file header: ld defines `__ehdr_start` when the
    /// header is in a loaded segment, as libcapos-posix/posix.ld puts it,
    /// and the link fails without it.
    static __ehdr_start: [u8; EHDR_SIZE];
    /// The C program's entry point.
    fn main(argc: c_int, argv: *mut *mut c_char, envp: *mut *mut c_char) -> c_int;
    /// musl's start (src/env/__libc_start_main.c).
    fn __libc_start_main(
        main: Main,
        argc: c_int,
        argv: *mut *mut c_char,
        init: Option<extern "C" fn()>,
        fini: Option<extern "C" fn()>,
        ldso_fini: Option<extern "C" fn()>,
    ) -> c_int;
}

capos_rt::entry!(start);

fn start(rt: Runtime) -> i64 {
    // SAFETY: ld points __ehdr_start at the mapped, read-only ELF header
    // (EHDR_SIZE bytes), which stays mapped and unchanged for the life of
    // the process.
    let (ehdr, at) = unsafe { (&__ehdr_start, (&raw const __ehdr_start) as usize) };
    // Without them musl would give `__thread` variables no storage, and
    // they would alias its own thread structure: refuse to start instead.
    let Some(program) = ProgramHeaders::from_file_header(ehdr, at) else {
        panic!("libcapos-posix: no x86-64 ELF header at __ehdr_start: link with tools/capos-cc");
    };
    let args: Vec<&[u8]> = rt.args().iter().collect();
    // The parent's process group travels in one entry the program never
    // sees (tty.rs).
    let env: Vec<&[u8]> = rt
        .env()
        .iter()
        .filter(|e| !e.starts_with(crate::termios::GROUPS_ENV))
        .collect();
    // C keeps pointers into argv and envp until exit: the vector lives as
    // long as the process.
    let vector = Box::leak(Box::new(Vector::new(&args, &env, program)));
    drop((args, env));
    runtime::install(rt);
    state::install(State::new());
    let argc = c_int::try_from(vector.argc()).unwrap_or(c_int::MAX);
    // SAFETY: `main` has C's three-argument signature (a two-argument
    // main is compatible under the System V ABI); argv is followed by
    // NULL, envp, NULL and the auxiliary vector, all valid for the life
    // of the process, which is what musl requires.
    unsafe { __libc_start_main(main, argc, vector.argv().cast(), None, None, None) };
    // __libc_start_main calls exit(), which never returns.
    127
}
