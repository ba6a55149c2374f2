//! The initial vector a Linux process finds on its stack, built from the
//! launch parameters for musl's `__libc_start_main`: `argc`, the `argv`
//! pointers and NULL, the `envp` pointers and NULL, then the auxiliary
//! vector as (type, value) pairs ending with AT_NULL. The auxiliary vector
//! carries where the program's ELF program headers are mapped, from which
//! musl's `__init_tls` sets up the program's thread-local storage.
//!
//! The strings are copied to the heap because C may modify them and the
//! launch region is read-only. Both buffers are filled once and never
//! resized, so the pointers into them stay valid for the process's life.

use alloc::vec::Vec;

/// Auxiliary vector entry types (include/elf.h).
pub const AT_NULL: usize = 0;
pub const AT_PHDR: usize = 3;
pub const AT_PHENT: usize = 4;
pub const AT_PHNUM: usize = 5;
pub const AT_PAGESZ: usize = 6;
pub const AT_UID: usize = 11;
pub const AT_EUID: usize = 12;
pub const AT_GID: usize = 13;
pub const AT_EGID: usize = 14;
pub const AT_SECURE: usize = 23;

/// capOS's page size.
pub const PAGE_SIZE: usize = 4096;

/// The fixed part of the auxiliary vector capOS provides: the page size,
/// and one identity (capOS has no users, so every id is 0 and the process
/// is not setuid, which keeps musl out of its AT_SECURE start-up path).
/// The program headers follow ([`auxv`]). No AT_RANDOM (musl then derives
/// its stack-protector canary from an address), no vDSO.
pub const AUXV: [(usize, usize); 6] = [
    (AT_PAGESZ, PAGE_SIZE),
    (AT_UID, 0),
    (AT_EUID, 0),
    (AT_GID, 0),
    (AT_EGID, 0),
    (AT_SECURE, 0),
];

/// Where the program's ELF program headers are mapped (AT_PHDR, AT_PHENT,
/// AT_PHNUM): musl's `__init_tls` finds the PT_TLS segment through them,
/// and `dl_iterate_phdr` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramHeaders {
    pub addr: usize,
    pub entry_size: usize,
    pub count: usize,
}

/// The size of an ELF64 file header and of one ELF64 program header.
pub const EHDR_SIZE: usize = 64;
pub const PHDR_SIZE: usize = 56;

impl ProgramHeaders {
    /// Reads them from the ELF file header `ehdr` mapped at address `at`
    /// (the image's first bytes: `__ehdr_start`, libcapos-posix/posix.ld).
    /// None unless it is a little-endian x86-64 ELF64 header with ELF64
    /// program headers that lie after it without wrapping around.
    pub fn from_file_header(ehdr: &[u8; EHDR_SIZE], at: usize) -> Option<ProgramHeaders> {
        const EM_X86_64: u16 = 62;
        let u16_at = |i: usize| u16::from_le_bytes([ehdr[i], ehdr[i + 1]]);
        let ident_ok = ehdr[..4] == *b"\x7fELF" && ehdr[4] == 2 && ehdr[5] == 1;
        if !ident_ok || u16_at(18) != EM_X86_64 || usize::from(u16_at(54)) != PHDR_SIZE {
            return None;
        }
        let offset = u64::from_le_bytes(ehdr[32..40].try_into().ok()?);
        let count = usize::from(u16_at(56));
        let addr = at.checked_add(usize::try_from(offset).ok()?)?;
        // The last header's end must be an address too.
        addr.checked_add(count * PHDR_SIZE)?;
        Some(ProgramHeaders {
            addr,
            entry_size: PHDR_SIZE,
            count,
        })
    }
}

/// The whole auxiliary vector but its AT_NULL end: [`AUXV`], then the
/// program headers.
pub fn auxv(program: ProgramHeaders) -> [(usize, usize); AUXV.len() + 3] {
    let mut all = [(0, 0); AUXV.len() + 3];
    all[..AUXV.len()].copy_from_slice(&AUXV);
    all[AUXV.len()..].copy_from_slice(&[
        (AT_PHDR, program.addr),
        (AT_PHENT, program.entry_size),
        (AT_PHNUM, program.count),
    ]);
    all
}

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
    /// The vector for arguments `args`, environment entries `env` (each
    /// `KEY=VALUE`) and the program headers at `program`. A string holding
    /// a NUL is cut there, as C would read it.
    pub fn new(args: &[&[u8]], env: &[&[u8]], program: ProgramHeaders) -> Vector {
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
        let auxv = auxv(program);
        let mut words = Vec::with_capacity(3 + offsets.len() + 2 * (auxv.len() + 1));
        words.push(argc);
        words.extend(offsets[..argc].iter().map(|o| base + o));
        words.push(0);
        words.extend(offsets[argc..].iter().map(|o| base + o));
        words.push(0);
        for (key, value) in auxv {
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

    const PROGRAM: ProgramHeaders = ProgramHeaders {
        addr: 0x400040,
        entry_size: PHDR_SIZE,
        count: 5,
    };

    fn text(word: usize) -> &'static [u8] {
        // SAFETY: in these tests every non-NULL pointer word points into
        // a live Vector's NUL-terminated strings.
        unsafe { CStr::from_ptr(word as *const core::ffi::c_char) }.to_bytes()
    }

    #[test]
    fn layout_matches_a_linux_initial_stack() {
        let args: [&[u8]; 3] = [b"prog", b"-x", b""];
        let env: [&[u8]; 2] = [b"A=1", b"CAPOS=yes"];
        let mut v = Vector::new(&args, &env, PROGRAM);
        assert_eq!(v.argc(), 3);
        let argv = v.argv().cast::<usize>();
        // SAFETY: words holds argc+1+env+1+2*(auxv+1) entries after argc.
        let words: vec::Vec<usize> = (0..3 + 1 + 2 + 1 + 2 * 10)
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
        assert!(auxv.contains(&(AT_PHDR, 0x400040)));
        assert!(auxv.contains(&(AT_PHENT, 56)));
        assert!(auxv.contains(&(AT_PHNUM, 5)));
        assert_eq!(*auxv.last().unwrap(), (AT_NULL, 0));
    }

    #[test]
    fn pointers_survive_moving_the_vector() {
        let long = [b'x'; 300];
        let args: vec::Vec<&[u8]> = (0..50).map(|i| &long[..i * 6]).collect();
        let env: [&[u8]; 1] = [b"PATH=/bin"];
        let moved = std::boxed::Box::new(Vector::new(&args, &env, PROGRAM));
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
        let mut v = Vector::new(&args, &none, PROGRAM);
        let argv = v.argv().cast::<usize>();
        // SAFETY: argv, NULL, envp NULL and the auxv follow.
        unsafe {
            assert_eq!(text(argv.read()), b"a");
            assert_eq!(argv.add(1).read(), 0);
            assert_eq!(argv.add(2).read(), 0);
            assert_eq!(argv.add(3).read(), AT_PAGESZ);
        }
        let mut empty = Vector::new(&none, &none, PROGRAM);
        assert_eq!(empty.argc(), 0);
        // SAFETY: argv NULL, envp NULL.
        unsafe {
            assert_eq!(empty.argv().cast::<usize>().read(), 0);
            assert_eq!(empty.argv().cast::<usize>().add(1).read(), 0);
        }
    }

    /// An ELF64 x86-64 file header with its program headers at `phoff`.
    fn file_header(phoff: u64, phentsize: u16, phnum: u16) -> [u8; EHDR_SIZE] {
        let mut h = [0u8; EHDR_SIZE];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2; // ELFCLASS64
        h[5] = 1; // ELFDATA2LSB
        h[6] = 1; // EV_CURRENT
        h[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        h[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
        h[32..40].copy_from_slice(&phoff.to_le_bytes());
        h[52..54].copy_from_slice(&64u16.to_le_bytes());
        h[54..56].copy_from_slice(&phentsize.to_le_bytes());
        h[56..58].copy_from_slice(&phnum.to_le_bytes());
        h
    }

    #[test]
    fn program_headers_from_the_mapped_file_header() {
        let h = file_header(64, 56, 5);
        assert_eq!(
            ProgramHeaders::from_file_header(&h, 0x400000),
            Some(PROGRAM)
        );
        let none = file_header(64, 56, 0);
        assert_eq!(
            ProgramHeaders::from_file_header(&none, 0x400000).map(|p| p.count),
            Some(0)
        );
    }

    #[test]
    fn program_headers_refuse_what_is_not_an_x86_64_elf64_header() {
        let good = file_header(64, 56, 5);
        let mut bad_magic = good;
        bad_magic[1] = b'X';
        let mut elf32 = good;
        elf32[4] = 1;
        let mut big_endian = good;
        big_endian[5] = 2;
        let mut arm = good;
        arm[18] = 183;
        for h in [bad_magic, elf32, big_endian, arm, file_header(64, 32, 5)] {
            assert_eq!(ProgramHeaders::from_file_header(&h, 0x400000), None);
        }
        // Headers past the end of the address space.
        let far = file_header(u64::MAX - 0x1000, 56, 1);
        assert_eq!(ProgramHeaders::from_file_header(&far, 0x400000), None);
        let last = file_header(0x100, 56, 2);
        assert_eq!(
            ProgramHeaders::from_file_header(&last, usize::MAX - 0x140),
            None
        );
    }
}
