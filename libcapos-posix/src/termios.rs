//! Terminal requests without the capability: the `ioctl` numbers, and
//! Linux's `struct termios` and `struct winsize` as the kernel ABI lays
//! them out, against capOS's TerminalMode (the same flag words; c_cc
//! holds 19 entries in the ioctl's struct where the mode keeps 32, so
//! the rest are kept from the current mode).

use capos_rt::{NCCS, TerminalMode};

/// Terminal `ioctl` requests.
pub mod request {
    pub const TCGETS: i64 = 0x5401;
    pub const TCSETS: i64 = 0x5402;
    pub const TCSETSW: i64 = 0x5403;
    pub const TCSETSF: i64 = 0x5404;
    pub const TCSBRK: i64 = 0x5409;
    pub const TCXONC: i64 = 0x540A;
    pub const TCFLSH: i64 = 0x540B;
    pub const TIOCSCTTY: i64 = 0x540E;
    pub const TIOCGPGRP: i64 = 0x540F;
    pub const TIOCSPGRP: i64 = 0x5410;
    pub const TIOCOUTQ: i64 = 0x5411;
    pub const TIOCGWINSZ: i64 = 0x5413;
    pub const TIOCSWINSZ: i64 = 0x5414;
    pub const TIOCNOTTY: i64 = 0x5422;
    pub const TIOCGSID: i64 = 0x5429;
}

/// `tcflush` queues.
pub const TCIFLUSH: i64 = 0;
pub const TCOFLUSH: i64 = 1;
pub const TCIOFLUSH: i64 = 2;

/// c_cc entries in the ioctl's struct termios.
pub const KERNEL_NCCS: usize = 19;
/// Its size: four flag words, c_line, c_cc.
pub const TERMIOS_BYTES: usize = 16 + 1 + KERNEL_NCCS;
/// struct winsize: rows, columns, then two pixel sizes (0).
pub const WINSIZE_BYTES: usize = 8;

/// `mode` as TCGETS writes it.
pub fn encode(mode: &TerminalMode) -> [u8; TERMIOS_BYTES] {
    let mut out = [0u8; TERMIOS_BYTES];
    for (i, word) in [mode.iflag, mode.oflag, mode.cflag, mode.lflag]
        .into_iter()
        .enumerate()
    {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_ne_bytes());
    }
    // c_line (the line discipline number) stays 0: N_TTY.
    out[17..].copy_from_slice(&mode.cc[..KERNEL_NCCS]);
    out
}

/// The mode TCSETS asks for with `bytes`; c_cc past the struct's 19
/// entries comes from `current`.
pub fn decode(bytes: &[u8; TERMIOS_BYTES], current: &TerminalMode) -> TerminalMode {
    let word = |i: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&bytes[i * 4..i * 4 + 4]);
        u32::from_ne_bytes(w)
    };
    let mut cc: [u8; NCCS] = current.cc;
    cc[..KERNEL_NCCS].copy_from_slice(&bytes[17..]);
    TerminalMode {
        iflag: word(0),
        oflag: word(1),
        cflag: word(2),
        lflag: word(3),
        cc,
    }
}

pub fn encode_winsize(rows: u16, columns: u16) -> [u8; WINSIZE_BYTES] {
    let mut out = [0u8; WINSIZE_BYTES];
    out[..2].copy_from_slice(&rows.to_ne_bytes());
    out[2..4].copy_from_slice(&columns.to_ne_bytes());
    out
}

/// (rows, columns) of a struct winsize.
pub fn decode_winsize(bytes: &[u8; WINSIZE_BYTES]) -> (u16, u16) {
    (
        u16::from_ne_bytes([bytes[0], bytes[1]]),
        u16::from_ne_bytes([bytes[2], bytes[3]]),
    )
}

/// Whether `group` may become the foreground group of a terminal whose
/// session is `session`, asked by a process of session `caller_session`
/// (tcsetpgrp): a positive id, from the terminal's own session. The
/// adapter knows only its own process's group, so a group of another
/// process in the session is taken on trust.
pub fn may_set_foreground(group: i64, caller_session: u64, session: u64) -> Result<(), i64> {
    use crate::linux::errno::{EINVAL, ENOTTY};
    if group <= 0 || group > u32::MAX as i64 {
        return Err(EINVAL);
    }
    if caller_session != session {
        return Err(ENOTTY);
    }
    Ok(())
}

/// The launch environment entry that carries a process's group and
/// session to a child (POSIX: a child inherits both). The adapter adds
/// it at the spawn and takes it out at start, so no program sees it.
pub const GROUPS_ENV: &[u8] = b"CAPOS_PROCESS_GROUP=";

/// The entry for group `pgid` and session `sid`; 0 means the child's own
/// pid (POSIX_SPAWN_SETPGROUP with 0, POSIX_SPAWN_SETSID).
pub fn groups_entry(pgid: u64, sid: u64) -> alloc::vec::Vec<u8> {
    let mut entry = GROUPS_ENV.to_vec();
    entry.extend_from_slice(alloc::format!("{pgid},{sid}").as_bytes());
    entry
}

/// (pgid, sid) of an entry made by [`groups_entry`], 0 replaced by
/// `own`; None if `entry` is not one or is malformed.
pub fn parse_groups(entry: &[u8], own: u64) -> Option<(u64, u64)> {
    let rest = entry.strip_prefix(GROUPS_ENV)?;
    let text = core::str::from_utf8(rest).ok()?;
    let (pgid, sid) = text.split_once(',')?;
    let id = |t: &str| match t.parse::<u64>().ok()? {
        0 => Some(own),
        n => Some(n),
    };
    Some((id(pgid)?, id(sid)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_cross_a_spawn_in_one_entry() {
        let entry = groups_entry(7, 3);
        assert_eq!(entry, b"CAPOS_PROCESS_GROUP=7,3");
        assert_eq!(parse_groups(&entry, 9), Some((7, 3)));
        assert_eq!(parse_groups(&groups_entry(0, 0), 9), Some((9, 9)));
        assert_eq!(parse_groups(b"CAPOS_PROCESS_GROUP=7", 9), None);
        assert_eq!(parse_groups(b"CAPOS_PROCESS_GROUP=x,1", 9), None);
        assert_eq!(parse_groups(b"PATH=/bin", 9), None);
    }

    #[test]
    fn termios_round_trips_in_linux_layout() {
        let mut mode = TerminalMode::default();
        mode.cc[20] = 0x55;
        let bytes = encode(&mode);
        // c_lflag at offset 12, VMIN (c_cc[6]) at 17 + 6, as Linux.
        assert_eq!(&bytes[12..16], &mode.lflag.to_ne_bytes());
        assert_eq!(bytes[17 + 6], 1);
        assert_eq!(bytes[16], 0);
        let back = decode(&bytes, &mode);
        assert_eq!(back, mode);
        // Entries past the ioctl's 19 come from the current mode.
        assert_eq!(back.cc[20], 0x55);
    }

    #[test]
    fn a_changed_termios_decodes_to_the_change() {
        let mode = TerminalMode::default();
        let mut bytes = encode(&mode);
        bytes[12..16].copy_from_slice(&0u32.to_ne_bytes());
        bytes[17 + 6] = 0;
        bytes[17 + 5] = 3;
        let raw = decode(&bytes, &mode);
        assert_eq!(raw.lflag, 0);
        assert_eq!((raw.vmin(), raw.vtime()), (0, 3));
        assert_eq!(raw.iflag, mode.iflag);
    }

    #[test]
    fn winsize_layout() {
        let bytes = encode_winsize(24, 80);
        assert_eq!(bytes, [24, 0, 80, 0, 0, 0, 0, 0]);
        assert_eq!(decode_winsize(&bytes), (24, 80));
    }

    #[test]
    fn foreground_checks() {
        use crate::linux::errno::{EINVAL, ENOTTY};
        assert_eq!(may_set_foreground(5, 1, 1), Ok(()));
        assert_eq!(may_set_foreground(0, 1, 1), Err(EINVAL));
        assert_eq!(may_set_foreground(-3, 1, 1), Err(EINVAL));
        assert_eq!(may_set_foreground(5, 2, 1), Err(ENOTTY));
    }
}
