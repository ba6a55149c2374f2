//! The signal upcall (Timer.setUpcall, docs/interfaces/timer.md): how the
//! kernel hands a caught signal to a process that runs in user mode
//! without calling it.
//!
//! The kernel writes an [`UpcallFrame`] with the interrupted registers on
//! the process's own stack, below the 128-byte red zone the System V ABI
//! lets a leaf function use without moving RSP, and a copy of the
//! interrupted RIP in the 8 bytes just below that red zone (the *return
//! slot*). It resumes the process at its entry with RSP and RDI at the
//! frame (16-byte aligned) and RFLAGS holding only IF. The entry restores
//! everything itself, in user mode: the registers from the frame, RFLAGS
//! with `popfq`, RSP from the frame, and then jumps through the return
//! slot, which sits at a fixed distance below the restored RSP
//! ([`RETURN_SLOT_BELOW`]) so no register is needed for the jump.

/// Bytes below RSP an interrupted function may be using (System V ABI).
pub const RED_ZONE: u64 = 128;

/// How far below the interrupted RSP the return slot is: the 8 bytes
/// right under the red zone.
pub const RETURN_SLOT_BELOW: u64 = RED_ZONE + 8;

/// The interrupted user state, in the order the entry pops it.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpcallFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub rflags: u64,
    /// The interrupted RSP, loaded last.
    pub rsp: u64,
    /// The interrupted RIP (also in the return slot).
    pub rip: u64,
    /// The signals the kernel took for this upcall (bit n-1: signal n).
    pub signals: u64,
    /// Keeps the size a multiple of 16.
    pub reserved: u64,
}

/// Size of [`UpcallFrame`].
pub const FRAME_SIZE: u64 = core::mem::size_of::<UpcallFrame>() as u64;

/// Offset of [`UpcallFrame::rflags`]: the general registers come before it.
pub const FRAME_RFLAGS: u64 = 15 * 8;
/// Offset of [`UpcallFrame::rsp`].
pub const FRAME_RSP: u64 = FRAME_RFLAGS + 8;
/// Offset of [`UpcallFrame::signals`].
pub const FRAME_SIGNALS: u64 = FRAME_RSP + 16;

const _: () = assert!(FRAME_SIZE.is_multiple_of(16));
const _: () = assert!(core::mem::offset_of!(UpcallFrame, rflags) as u64 == FRAME_RFLAGS);
const _: () = assert!(core::mem::offset_of!(UpcallFrame, rsp) as u64 == FRAME_RSP);
const _: () = assert!(core::mem::offset_of!(UpcallFrame, signals) as u64 == FRAME_SIGNALS);

/// Most bytes an upcall writes: the frame, up to 15 bytes of alignment,
/// and the return slot.
pub const MAX_IMAGE: usize = FRAME_SIZE as usize + 15 + 8;

/// Where an upcall's frame goes for an interrupted RSP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The frame's address: 16-byte aligned, the entry's RSP and RDI.
    pub frame: u64,
    /// The return slot's address (`rsp - RETURN_SLOT_BELOW`).
    pub slot: u64,
}

impl Placement {
    /// The placement under `rsp`, or None if it would wrap below 0.
    pub fn under(rsp: u64) -> Option<Placement> {
        let slot = rsp.checked_sub(RETURN_SLOT_BELOW)?;
        let frame = slot.checked_sub(FRAME_SIZE)? & !15;
        Some(Placement { frame, slot })
    }

    /// Bytes written, from `frame` to the end of the return slot.
    pub fn len(&self) -> usize {
        (self.slot + 8 - self.frame) as usize
    }

    /// Never empty; for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// What the kernel writes at [`Placement::frame`]: the frame, zeros
    /// up to the slot, and `frame.rip` in the slot. The first
    /// [`Placement::len`] bytes of the buffer count.
    pub fn image(&self, frame: &UpcallFrame) -> [u8; MAX_IMAGE] {
        let mut out = [0u8; MAX_IMAGE];
        let words = [
            frame.r15,
            frame.r14,
            frame.r13,
            frame.r12,
            frame.r11,
            frame.r10,
            frame.r9,
            frame.r8,
            frame.rbp,
            frame.rdi,
            frame.rsi,
            frame.rdx,
            frame.rcx,
            frame.rbx,
            frame.rax,
            frame.rflags,
            frame.rsp,
            frame.rip,
            frame.signals,
            frame.reserved,
        ];
        for (chunk, word) in out.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        let at = (self.slot - self.frame) as usize;
        out[at..at + 8].copy_from_slice(&frame.rip.to_le_bytes());
        out
    }
}

/// Why Timer.setUpcall refuses these addresses (an entry in the kernel
/// half or a non-canonical one would fault the kernel's iretq), or Ok.
/// Entry 0 removes the upcall and is not checked here.
pub fn check_addresses(
    entry: u64,
    busy: u64,
    return_start: u64,
    return_end: u64,
) -> Result<(), &'static str> {
    use crate::layout::{USER_SPACE_END, is_user_range};
    if entry == 0 || entry >= USER_SPACE_END {
        return Err("the upcall entry must be a user address");
    }
    if !is_user_range(busy, 4) {
        return Err("the busy word must be 4 bytes of user space");
    }
    if return_start > return_end || return_end > USER_SPACE_END {
        return Err("the return range must be an ordered user range");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_is_below_the_red_zone_and_aligned() {
        for rsp in [
            0x7fff_ffef_f000u64,
            0x7fff_ffef_f008,
            0x7fff_ffef_effd,
            4096,
        ] {
            let p = Placement::under(rsp).unwrap();
            assert_eq!(p.frame % 16, 0, "{rsp:#x}");
            assert_eq!(p.slot + 8 + RED_ZONE, rsp);
            assert!(p.frame + FRAME_SIZE <= p.slot);
            assert!(p.len() <= MAX_IMAGE);
            assert!(p.slot - (p.frame + FRAME_SIZE) < 16);
        }
    }

    #[test]
    fn a_stack_too_low_has_no_placement() {
        assert_eq!(Placement::under(0), None);
        assert_eq!(Placement::under(RETURN_SLOT_BELOW + FRAME_SIZE - 1), None);
        assert!(Placement::under(RETURN_SLOT_BELOW + FRAME_SIZE).is_some());
    }

    #[test]
    fn image_holds_the_frame_then_the_return_slot() {
        let frame = UpcallFrame {
            r15: 15,
            rax: 0xaa,
            rflags: 0x246,
            rsp: 0x7000_0103,
            rip: 0x40_1234,
            signals: 1 << 13,
            ..Default::default()
        };
        let p = Placement::under(frame.rsp).unwrap();
        let image = p.image(&frame);
        let word =
            |at: u64| u64::from_le_bytes(image[at as usize..at as usize + 8].try_into().unwrap());
        assert_eq!(word(0), 15);
        assert_eq!(word(14 * 8), 0xaa);
        assert_eq!(word(FRAME_RFLAGS), 0x246);
        assert_eq!(word(FRAME_RSP), 0x7000_0103);
        assert_eq!(word(FRAME_RSP + 8), 0x40_1234);
        assert_eq!(word(FRAME_SIGNALS), 1 << 13);
        // The slot, reached from the restored RSP as the entry does.
        assert_eq!(word(frame.rsp - RETURN_SLOT_BELOW - p.frame), 0x40_1234);
        assert!(
            image[FRAME_SIZE as usize..p.slot as usize - p.frame as usize]
                .iter()
                .all(|&b| b == 0)
        );
    }

    #[test]
    fn upcall_addresses_must_be_user_ones() {
        use crate::layout::USER_SPACE_END as END;
        let ok = |e, b, s, t| check_addresses(e, b, s, t).is_ok();
        assert!(ok(0x40_1000, 0x1000_0000, 0x40_2000, 0x40_2004));
        assert!(ok(END - 1, END - 4, 0, END));
        assert!(!ok(0, 0x1000_0000, 0, 0));
        assert!(!ok(END, 0x1000_0000, 0, 0));
        assert!(!ok(0xffff_8000_0000_0000, 0x1000_0000, 0, 0));
        assert!(!ok(0x40_1000, END - 3, 0, 0));
        assert!(!ok(0x40_1000, u64::MAX - 1, 0, 0));
        assert!(!ok(0x40_1000, 0x1000_0000, 2, 1));
        assert!(!ok(0x40_1000, 0x1000_0000, 0, END + 1));
    }
}
