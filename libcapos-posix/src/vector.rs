//! The initial vector a Linux process finds on its stack, built from the
//! launch parameters for musl's `__libc_start_main`: `argc`, the `argv`
//! pointers and NULL, the `envp` pointers and NULL, then the auxiliary
//! vector as (type, value) pairs ending with AT_NULL.
//!
//! The strings are copied to the heap because C may modify them and the
//! launch region is read-only. Both buffers are filled once and never
//! resized, so the pointers into them stay valid for the process's life.

use alloc::vec::Vec;

/// Auxiliary vector entry types (include/elf.h).
pub const AT_NULL: usize = 0;
pub const AT_PAGESZ: usize = 6;
pub const AT_UID: usize = 11;
pub const AT_EUID: usize = 12;
pub const AT_GID: usize = 13;
pub const AT_EGID: usize = 14;
pub const AT_SECURE: usize = 23;

/// capOS's page size.
pub const PAGE_SIZE: usize = 4096;

/// The auxiliary vector capOS provides: the page size, and one identity
/// (capOS has no users, so every id is 0 and the process is not setuid,
/// which keeps musl out of its AT_SECURE start-up path). No AT_PHDR (so no
/// static TLS image for `_Thread_local` variables yet), no AT_RANDOM (musl
/// then derives its stack-protector canary from an address), no vDSO.
pub const AUXV: [(usize, usize); 6] = [
    (AT_PAGESZ, PAGE_SIZE),
    (AT_UID, 0),
    (AT_EUID, 0),
    (AT_GID, 0),
    (AT_EGID, 0),
    (AT_SECURE, 0),
];

/// `s` up to its first NUL, as C would read it.
fn cut_at_nul(s: &[u8]) -> &[u8] {
    s.split(|&b| b == 0).next().unwrap_or(&[])
}

pub struct Vector {
    /// The NUL-terminated strings the pointers point into.
    _strings: Vec<u8>,
    /// argc, argv..., NULL, envp..., NULL, auxv pairs..., AT_NULL, 0.
    words: Vec<usize>,
}

impl Vector {
    /// The vector for arguments `args` and environment entries `env`
    /// (each `KEY=VALUE`). A string holding a NUL is cut there, as C
    /// would read it.
    pub fn new(args: &[&[u8]], env: &[&[u8]]) -> Vector {
        let bytes: usize = args
            .iter()
            .chain(env)
            .map(|s| cut_at_nul(s).len() + 1)
            .sum();
        let mut strings = Vec::with_capacity(bytes);
        let mut offsets = Vec::with_capacity(args.len() + env.len());
        for s in args.iter().chain(env) {
            offsets.push(strings.len());
            strings.extend_from_slice(cut_at_nul(s));
            strings.push(0);
        }
        let base = strings.as_mut_ptr() as usize;
        let argc = args.len();
        let mut words = Vec::with_capacity(3 + offsets.len() + 2 * (AUXV.len() + 1));
        words.push(argc);
        words.extend(offsets[..argc].iter().map(|o| base + o));
        words.push(0);
        words.extend(offsets[argc..].iter().map(|o| base + o));
        words.push(0);
        for (key, value) in AUXV {
            words.extend([key, value]);
        }
        words.extend([AT_NULL, 0]);
        Vector {
            _strings: strings,
            words,
        }
    }

    pub fn argc(&self) -> usize {
        self.words[0]
    }

    /// The `argv` array (followed in memory by envp and auxv, as musl
    /// expects).
    pub fn argv(&mut self) -> *mut *mut u8 {
        self.words[1..].as_mut_ptr().cast()
    }
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use core::ffi::CStr;
    use std::vec;

    fn text(word: usize) -> &'static [u8] {
        // SAFETY: in these tests every non-NULL pointer word points into
        // a live Vector's NUL-terminated strings.
        unsafe { CStr::from_ptr(word as *const core::ffi::c_char) }.to_bytes()
    }

    #[test]
    fn layout_matches_a_linux_initial_stack() {
        let args: [&[u8]; 3] = [b"prog", b"-x", b""];
        let env: [&[u8]; 2] = [b"A=1", b"CAPOS=yes"];
        let mut v = Vector::new(&args, &env);
        assert_eq!(v.argc(), 3);
        let argv = v.argv().cast::<usize>();
        // SAFETY: words holds argc+1+env+1+2*(auxv+1) entries after argc.
        let words: vec::Vec<usize> = (0..3 + 1 + 2 + 1 + 2 * 7)
            .map(|i| unsafe { argv.add(i).read() })
            .collect();
        assert_eq!(text(words[0]), b"prog");
        assert_eq!(text(words[1]), b"-x");
        assert_eq!(text(words[2]), b"");
        assert_eq!(words[3], 0);
        assert_eq!(text(words[4]), b"A=1");
        assert_eq!(text(words[5]), b"CAPOS=yes");
        assert_eq!(words[6], 0);
        let auxv: vec::Vec<(usize, usize)> = words[7..].chunks(2).map(|p| (p[0], p[1])).collect();
        assert_eq!(auxv[0], (AT_PAGESZ, 4096));
        assert!(auxv.contains(&(AT_SECURE, 0)));
        assert_eq!(*auxv.last().unwrap(), (AT_NULL, 0));
    }

    #[test]
    fn pointers_survive_moving_the_vector() {
        let long = [b'x'; 300];
        let args: vec::Vec<&[u8]> = (0..50).map(|i| &long[..i * 6]).collect();
        let env: [&[u8]; 1] = [b"PATH=/bin"];
        let moved = std::boxed::Box::new(Vector::new(&args, &env));
        let mut v = *moved;
        assert_eq!(v.argc(), 50);
        let argv = v.argv().cast::<usize>();
        for i in 0..50 {
            // SAFETY: 50 argv pointers into the vector's strings.
            assert_eq!(text(unsafe { argv.add(i).read() }).len(), i * 6);
        }
        // SAFETY: NULL after argv, then envp.
        unsafe {
            assert_eq!(argv.add(50).read(), 0);
            assert_eq!(text(argv.add(51).read()), b"PATH=/bin");
        }
    }

    #[test]
    fn empty_lists_and_embedded_nul() {
        let none: [&[u8]; 0] = [];
        let args: [&[u8]; 1] = [b"a\0b"];
        let mut v = Vector::new(&args, &none);
        let argv = v.argv().cast::<usize>();
        // SAFETY: argv, NULL, envp NULL and the auxv follow.
        unsafe {
            assert_eq!(text(argv.read()), b"a");
            assert_eq!(argv.add(1).read(), 0);
            assert_eq!(argv.add(2).read(), 0);
            assert_eq!(argv.add(3).read(), AT_PAGESZ);
        }
        let mut empty = Vector::new(&none, &none);
        assert_eq!(empty.argc(), 0);
        // SAFETY: argv NULL, envp NULL.
        unsafe {
            assert_eq!(empty.argv().cast::<usize>().read(), 0);
            assert_eq!(empty.argv().cast::<usize>().add(1).read(), 0);
        }
    }
}
