//! The user address space every process starts with.
//!
//! User space is the lower canonical half. The kernel maps, at fixed
//! addresses, the ELF image, an initial heap, the ring, the CapSet page, the
//! launch parameters and the stack; everything else is unmapped until a
//! memory capability maps it.
//! A process starts at its ELF entry with RDI = [`RING_VADDR`], RSI = its pid
//! and RDX = [`CAPSET_VADDR`].

pub const PAGE_SIZE: u64 = 4096;

/// First address a user ELF segment may occupy; below it is a null guard.
pub const USER_IMAGE_BASE: u64 = 0x40_0000;
/// End (exclusive) of the region ELF segments may occupy.
pub const USER_IMAGE_LIMIT: u64 = 0x1000_0000;

/// Start of the heap the kernel maps for every process (zeroed, read-write).
pub const HEAP_BASE: u64 = 0x1000_0000;
/// Size of that initial heap.
pub const HEAP_SIZE: u64 = 1024 * 1024;

/// The submission/completion ring ([`crate::ring`]), read-write.
pub const RING_VADDR: u64 = 0x7fff_ff00_0000;
/// The CapSet page ([`crate::capset`]), read-only.
pub const CAPSET_VADDR: u64 = 0x7fff_ff10_0000;

/// The launch parameters (argv and environment, encoded as
/// `capos_lib::launch` describes), read-only. Fixed, like the CapSet, so a
/// runtime finds them without a register and a C runtime can turn their
/// offsets into `char *` pointers by adding this base.
pub const LAUNCH_VADDR: u64 = 0x7fff_ff20_0000;
/// Most bytes the launch parameters may take. The kernel maps only the pages
/// the encoded parameters need; the rest of this reservation stays unmapped.
pub const LAUNCH_MAX_SIZE: u64 = 64 * 1024;

/// Top (exclusive) of the initial user stack; RSP starts here, 16-byte aligned.
pub const USER_STACK_TOP: u64 = 0x7fff_fff0_0000;
/// Size of the initial stack. The page below it stays unmapped as a guard.
pub const USER_STACK_SIZE: u64 = 256 * 1024;

/// End (exclusive) of user space: the first non-canonical address.
pub const USER_SPACE_END: u64 = 0x0000_8000_0000_0000;

/// True if `[addr, addr + len)` lies entirely inside user space.
/// An empty range is inside user space iff its start is.
pub const fn is_user_range(addr: u64, len: u64) -> bool {
    match addr.checked_add(len) {
        Some(end) => end <= USER_SPACE_END,
        None => false,
    }
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_do_not_overlap() {
        let mut regions = [
            (USER_IMAGE_BASE, USER_IMAGE_LIMIT),
            (HEAP_BASE, HEAP_BASE + HEAP_SIZE),
            (RING_VADDR, RING_VADDR + crate::ring::RING_SIZE as u64),
            (CAPSET_VADDR, CAPSET_VADDR + PAGE_SIZE),
            (LAUNCH_VADDR, LAUNCH_VADDR + LAUNCH_MAX_SIZE),
            // The guard page below the stack counts as occupied.
            (USER_STACK_TOP - USER_STACK_SIZE - PAGE_SIZE, USER_STACK_TOP),
        ];
        regions.sort();
        for pair in regions.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "{pair:x?} overlap");
        }
        for (start, end) in regions {
            assert_eq!(start % PAGE_SIZE, 0);
            assert_eq!(end % PAGE_SIZE, 0);
            assert!(is_user_range(start, end - start));
        }
    }

    #[test]
    fn user_range_checks_overflow_and_end() {
        assert!(is_user_range(0, 0));
        assert!(is_user_range(USER_SPACE_END - 1, 1));
        assert!(!is_user_range(USER_SPACE_END - 1, 2));
        assert!(!is_user_range(u64::MAX, 1));
        assert!(!is_user_range(0xffff_8000_0000_0000, 8));
    }
}
