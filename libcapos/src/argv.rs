//! The `argc` and `argv` C's `main` receives, from the launch parameters
//! capos-rt decoded (and checked) at start-up.
//!
//! C lets `main` modify its argument strings, and the launch region is
//! read-only, so the strings are copied to the heap first.

use alloc::vec::Vec;
use capos_rt::Launch;
use core::ffi::{c_char, c_int};
use core::ptr;

pub struct Argv {
    /// The copy of the launch parameters the pointers point into, owned
    /// here only to keep it alive. Its heap buffer never moves: nothing
    /// resizes it after the pointers are made.
    _strings: Vec<u8>,
    /// `argc` pointers, then NULL.
    pointers: Vec<*mut c_char>,
}

impl Argv {
    /// The arguments of `launch`.
    pub fn new(launch: &Launch<'_>) -> Argv {
        let mut strings = launch.bytes().to_vec();
        let base = strings.as_mut_ptr();
        let argv = launch.argv();
        let mut pointers = Vec::with_capacity(argv.len() + 1);
        for index in 0..argv.len() {
            let Some(offset) = argv.offset(index) else {
                break;
            };
            // SAFETY: decoding checked that every offset lies inside the
            // encoded parameters, and `strings` is a copy of exactly them.
            pointers.push(unsafe { base.add(offset as usize) }.cast());
        }
        pointers.push(ptr::null_mut());
        Argv {
            _strings: strings,
            pointers,
        }
    }

    /// At most `capos_lib::launch::MAX_ARGS`, so it fits a C int.
    pub fn argc(&self) -> c_int {
        (self.pointers.len() - 1) as c_int
    }

    pub fn argv(&mut self) -> *mut *mut c_char {
        self.pointers.as_mut_ptr()
    }
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use core::ffi::CStr;

    #[test]
    fn arguments_point_into_a_private_copy() {
        let region = capos_lib::launch::encode(&[b"prog", b"-v"], &[b"A=1"]).unwrap();
        let mut args = Argv::new(&capos_lib::launch::decode(&region).unwrap());
        assert_eq!(args.argc(), 2);
        assert_eq!(args._strings, region);
        let argv = args.argv();
        // SAFETY: argc entries then NULL, each a terminated string in the
        // copy `args` owns.
        unsafe {
            assert_eq!(CStr::from_ptr(*argv), c"prog");
            assert_eq!(CStr::from_ptr(*argv.add(1)), c"-v");
            assert!((*argv.add(2)).is_null());
            // C may write to its arguments.
            (*argv.add(1)).add(1).write(b'x' as c_char);
            assert_eq!(CStr::from_ptr(*argv.add(1)), c"-x");
        }
    }

    #[test]
    fn no_arguments_is_a_lone_null() {
        let empty = capos_lib::launch::encode(&[], &[]).unwrap();
        let mut args = Argv::new(&capos_lib::launch::decode(&empty).unwrap());
        assert_eq!(args.argc(), 0);
        // SAFETY: the array holds its NULL terminator.
        assert!(unsafe { *args.argv() }.is_null());
    }
}
