//! Physical frame accounting: a bitmap of 4 KiB frames.
//!
//! The kernel marks usable RAM free from the boot memory map, carves out its
//! own image and the boot module, and then allocates and frees frames here.
//! Double frees and frees of frames never handed out are refused rather than
//! corrupting the count.

use alloc::vec;
use alloc::vec::Vec;

pub const FRAME_SIZE: u64 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The frame is outside the bitmap.
    OutOfRange,
    /// The frame is already free.
    NotAllocated,
}

pub struct FrameBitmap {
    /// One bit per frame; set = in use.
    used: Vec<u64>,
    frames: u64,
    free: u64,
    /// Where the next search starts, so allocation is not quadratic.
    hint: u64,
}

impl FrameBitmap {
    /// A bitmap covering frames `0..frames`, all marked in use.
    pub fn new(frames: u64) -> Self {
        FrameBitmap {
            used: vec![u64::MAX; frames.div_ceil(64) as usize],
            frames,
            free: 0,
            hint: 0,
        }
    }

    pub fn free_count(&self) -> u64 {
        self.free
    }

    pub fn total(&self) -> u64 {
        self.frames
    }

    fn is_used(&self, frame: u64) -> bool {
        self.used[(frame / 64) as usize] & (1 << (frame % 64)) != 0
    }

    fn set(&mut self, frame: u64, used: bool) {
        let word = &mut self.used[(frame / 64) as usize];
        if used {
            *word |= 1 << (frame % 64);
        } else {
            *word &= !(1 << (frame % 64));
        }
    }

    /// Marks the frames overlapping `[start, end)` (byte addresses) free;
    /// partial frames at the edges stay in use.
    pub fn add_free_range(&mut self, start: u64, end: u64) {
        let first = start.div_ceil(FRAME_SIZE);
        let last = (end / FRAME_SIZE).min(self.frames);
        for frame in first..last {
            if self.is_used(frame) {
                self.set(frame, false);
                self.free += 1;
            }
        }
    }

    /// Marks every frame touching `[start, end)` (byte addresses) in use.
    pub fn reserve_range(&mut self, start: u64, end: u64) {
        let first = start / FRAME_SIZE;
        let last = end.div_ceil(FRAME_SIZE).min(self.frames);
        for frame in first..last {
            if !self.is_used(frame) {
                self.set(frame, true);
                self.free -= 1;
            }
        }
    }

    /// Allocates one frame, returning its number.
    pub fn alloc(&mut self) -> Option<u64> {
        self.alloc_contiguous(1)
    }

    /// Allocates `count` physically contiguous frames, returning the first.
    pub fn alloc_contiguous(&mut self, count: u64) -> Option<u64> {
        if count == 0 || count > self.free {
            return None;
        }
        for start in [self.hint, 0] {
            let mut run = 0;
            let mut frame = start;
            while frame < self.frames {
                if run == 0 && frame % 64 == 0 && self.used[(frame / 64) as usize] == u64::MAX {
                    frame += 64;
                    continue;
                }
                if self.is_used(frame) {
                    run = 0;
                } else {
                    run += 1;
                    if run == count {
                        let first = frame + 1 - count;
                        for f in first..=frame {
                            self.set(f, true);
                        }
                        self.free -= count;
                        self.hint = frame + 1;
                        return Some(first);
                    }
                }
                frame += 1;
            }
        }
        None
    }

    /// Returns a frame to the pool.
    pub fn free(&mut self, frame: u64) -> Result<(), FrameError> {
        if frame >= self.frames {
            return Err(FrameError::OutOfRange);
        }
        if !self.is_used(frame) {
            return Err(FrameError::NotAllocated);
        }
        self.set(frame, false);
        self.free += 1;
        self.hint = self.hint.min(frame);
        Ok(())
    }
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_inward_for_free_and_outward_for_reserve() {
        let mut b = FrameBitmap::new(100);
        b.add_free_range(FRAME_SIZE / 2, 10 * FRAME_SIZE + 1);
        assert_eq!(b.free_count(), 9, "frames 1..10");
        b.reserve_range(3 * FRAME_SIZE + 1, 4 * FRAME_SIZE + 1);
        assert_eq!(b.free_count(), 7, "frames 3 and 4 reserved");
        // Ranges past the end are clipped.
        b.add_free_range(99 * FRAME_SIZE, 200 * FRAME_SIZE);
        assert_eq!(b.free_count(), 8);
    }

    #[test]
    fn alloc_free_and_double_free() {
        let mut b = FrameBitmap::new(130);
        b.add_free_range(0, 130 * FRAME_SIZE);
        let mut got = Vec::new();
        while let Some(f) = b.alloc() {
            got.push(f);
        }
        assert_eq!(got.len(), 130);
        assert_eq!(b.free_count(), 0);
        got.sort();
        got.dedup();
        assert_eq!(got.len(), 130, "no frame handed out twice");
        assert_eq!(b.free(5), Ok(()));
        assert_eq!(b.free(5), Err(FrameError::NotAllocated));
        assert_eq!(b.free(130), Err(FrameError::OutOfRange));
        assert_eq!(b.alloc(), Some(5));
    }

    #[test]
    fn contiguous_runs_skip_holes() {
        let mut b = FrameBitmap::new(200);
        b.add_free_range(0, 200 * FRAME_SIZE);
        b.reserve_range(65 * FRAME_SIZE, 66 * FRAME_SIZE);
        let first = b.alloc_contiguous(64).unwrap();
        assert!(first + 64 <= 65 || first >= 66);
        let two = b.alloc_contiguous(2).unwrap();
        assert!(!(two..two + 2).contains(&65));
        assert_eq!(b.alloc_contiguous(0), None);
        assert_eq!(b.alloc_contiguous(500), None);
        assert_eq!(b.free_count(), 200 - 1 - 66);
    }
}
