//! An open file description: the offset and the append flag that File's
//! cursor methods use and move (docs/interfaces/file.md). The kernel's
//! File object holds one under a lock; a userspace server could too.

use super::{FsError, WriteAt};

/// The largest offset a description may have (off_t's).
pub const MAX_OFFSET: u64 = i64::MAX as u64;

/// Where a seek counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    Start,
    Current,
    End,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub offset: u64,
    /// writeNext writes at the end (O_APPEND).
    pub append: bool,
}

impl Cursor {
    /// A new description, at offset 0.
    pub fn new(append: bool) -> Self {
        Cursor { offset: 0, append }
    }

    /// Where the next write goes.
    pub fn write_at(&self) -> WriteAt {
        if self.append {
            WriteAt::End
        } else {
            WriteAt::Offset(self.offset)
        }
    }

    /// Moves the offset to `offset` from `whence` (`size` gives the file's
    /// length, asked only for [`Whence::End`]) and returns it. A result
    /// below 0 or past [`MAX_OFFSET`] is `InvalidArgument` and leaves the
    /// offset alone (lseek's EINVAL).
    pub fn seek(
        &mut self,
        offset: i64,
        whence: Whence,
        size: impl FnOnce() -> Result<u64, FsError>,
    ) -> Result<u64, FsError> {
        let base = match whence {
            Whence::Start => 0,
            Whence::Current => self.offset,
            Whence::End => size()?,
        };
        let at = base
            .checked_add_signed(offset)
            .filter(|&at| at <= MAX_OFFSET)
            .ok_or(FsError::InvalidArgument)?;
        self.offset = at;
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(n: u64) -> impl FnOnce() -> Result<u64, FsError> {
        move || Ok(n)
    }

    #[test]
    fn seeks_count_from_each_whence() {
        let mut c = Cursor::new(false);
        assert_eq!(c.seek(10, Whence::Start, size(0)), Ok(10));
        assert_eq!(c.seek(-4, Whence::Current, size(0)), Ok(6));
        assert_eq!(c.seek(-1, Whence::End, size(100)), Ok(99));
        // Past the end is allowed: a later write leaves a hole.
        assert_eq!(c.seek(5, Whence::End, size(100)), Ok(105));
        assert_eq!(c.offset, 105);
    }

    #[test]
    fn a_seek_out_of_range_leaves_the_offset() {
        let mut c = Cursor::new(false);
        c.seek(7, Whence::Start, size(0)).unwrap();
        assert_eq!(
            c.seek(-8, Whence::Current, size(0)),
            Err(FsError::InvalidArgument)
        );
        assert_eq!(
            c.seek(-1, Whence::Start, size(0)),
            Err(FsError::InvalidArgument)
        );
        assert_eq!(
            c.seek(i64::MIN, Whence::End, size(3)),
            Err(FsError::InvalidArgument)
        );
        c.seek(i64::MAX, Whence::Start, size(0)).unwrap();
        assert_eq!(
            c.seek(1, Whence::Current, size(0)),
            Err(FsError::InvalidArgument)
        );
        assert_eq!(
            c.seek(i64::MAX, Whence::End, size(u64::MAX)),
            Err(FsError::InvalidArgument)
        );
        assert_eq!(c.offset, MAX_OFFSET);
    }

    #[test]
    fn the_size_is_asked_only_from_the_end_and_its_error_passes() {
        let mut c = Cursor::new(false);
        let never = || -> Result<u64, FsError> { panic!("size asked") };
        assert_eq!(c.seek(3, Whence::Current, never), Ok(3));
        let gone = || Err(FsError::NotFound);
        assert_eq!(c.seek(0, Whence::End, gone), Err(FsError::NotFound));
        assert_eq!(c.offset, 3);
    }

    #[test]
    fn appending_writes_go_to_the_end() {
        let mut c = Cursor::new(true);
        c.offset = 40;
        assert_eq!(c.write_at(), WriteAt::End);
        c.append = false;
        assert_eq!(c.write_at(), WriteAt::Offset(40));
    }
}
