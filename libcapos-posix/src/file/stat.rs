//! `struct stat` (the kernel's x86_64 layout, which musl's fstatat
//! converts) and `struct statx`, from a node's `NodeStat`.
//!
//! There are no users: uid and gid are 0. `st_dev` is the store's number,
//! `st_ino` the node's. A directory's link count is 1 (0 once removed):
//! capOS does not count its subdirectories, and 1 is what tools such as
//! find take for "unknown" (they assume nothing from it), where 2 would
//! tell them a directory has no subdirectories. Blocks are 512-byte units
//! of the 4 KiB pages the file holds.

use capos_rt::{NodeKind, Stat};

pub const S_IFDIR: u32 = 0o040000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFIFO: u32 = 0o010000;
pub const S_IFCHR: u32 = 0o020000;

/// Bytes of the kernel's struct stat on x86_64.
pub const KSTAT_SIZE: usize = 144;
/// Bytes of struct statx.
pub const STATX_SIZE: usize = 256;
/// STATX_BASIC_STATS: everything here but the birth time.
pub const STATX_BASIC_STATS: u32 = 0x7ff;

const NS: u64 = 1_000_000_000;

pub fn mode(st: &Stat) -> u32 {
    let kind = match (st.kind, st.device) {
        (NodeKind::File, Some(_)) => S_IFCHR,
        (NodeKind::File, None) => S_IFREG,
        (NodeKind::Directory, _) => S_IFDIR,
    };
    kind | (st.mode & 0o7777)
}

pub fn nlink(st: &Stat) -> u64 {
    match st.kind {
        NodeKind::File => u64::from(st.links),
        NodeKind::Directory => u64::from(st.links.min(1)),
    }
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    out[at..at + bytes.len()].copy_from_slice(bytes);
}

/// The kernel's struct stat for `st`.
pub fn kstat(st: &Stat) -> [u8; KSTAT_SIZE] {
    let mut out = [0u8; KSTAT_SIZE];
    put(&mut out, 0, &st.store.to_le_bytes());
    put(&mut out, 8, &st.node.to_le_bytes());
    put(&mut out, 16, &nlink(st).to_le_bytes());
    put(&mut out, 24, &mode(st).to_le_bytes());
    // uid, gid and padding stay 0; rdev is a device's only.
    put(&mut out, 40, &rdev(st).to_le_bytes());
    put(&mut out, 48, &st.size.to_le_bytes());
    put(&mut out, 56, &4096u64.to_le_bytes());
    put(&mut out, 64, &(st.pages * 8).to_le_bytes());
    for (i, ns) in [st.accessed_ns, st.modified_ns, st.changed_ns]
        .iter()
        .enumerate()
    {
        put(&mut out, 72 + 16 * i, &(ns / NS).to_le_bytes());
        put(&mut out, 80 + 16 * i, &(ns % NS).to_le_bytes());
    }
    out
}

/// A struct stat for a descriptor that is not a file: a pipe end or the
/// console, with only its type and permission bits (as a FIFO of mode
/// 0600 and a character device of mode 0620).
pub fn kstat_of_kind(kind: u32, perm: u32) -> [u8; KSTAT_SIZE] {
    let mut out = [0u8; KSTAT_SIZE];
    put(&mut out, 16, &1u64.to_le_bytes());
    put(&mut out, 24, &(kind | perm).to_le_bytes());
    put(&mut out, 56, &4096u64.to_le_bytes());
    out
}

/// A device node's Linux number (makedev of its major and minor), 0 for
/// any other node.
fn rdev(st: &Stat) -> u64 {
    st.device.map_or(0, |d| {
        let (major, minor) = d.numbers();
        makedev(major, minor)
    })
}

/// Linux's makedev (what musl's major and minor undo).
fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (u64::from(major), u64::from(minor));
    ((major & 0xfffff000) << 32)
        | ((major & 0xfff) << 8)
        | ((minor & 0xffffff00) << 12)
        | (minor & 0xff)
}

/// Linux's encoding of a device number into its major and minor parts
/// (what musl's makedev undoes).
fn major(dev: u64) -> u32 {
    (((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff)) as u32
}

fn minor(dev: u64) -> u32 {
    ((dev & 0xff) | ((dev >> 12) & !0xff)) as u32
}

/// The struct statx for `st`; `STATX_BASIC_STATS` is filled whatever was
/// asked, as Linux may.
pub fn statx(st: &Stat) -> [u8; STATX_SIZE] {
    let mut out = [0u8; STATX_SIZE];
    put(&mut out, 0, &STATX_BASIC_STATS.to_le_bytes());
    put(&mut out, 4, &4096u32.to_le_bytes());
    put(&mut out, 16, &(nlink(st) as u32).to_le_bytes());
    put(&mut out, 28, &(mode(st) as u16).to_le_bytes());
    put(&mut out, 32, &st.node.to_le_bytes());
    put(&mut out, 40, &st.size.to_le_bytes());
    put(&mut out, 48, &(st.pages * 8).to_le_bytes());
    // atime at 64, btime (not kept) at 80, ctime at 96, mtime at 112.
    for (at, ns) in [
        (64, st.accessed_ns),
        (96, st.changed_ns),
        (112, st.modified_ns),
    ] {
        put(&mut out, at, &(ns / NS).to_le_bytes());
        put(&mut out, at + 8, &((ns % NS) as u32).to_le_bytes());
    }
    if let Some(device) = st.device {
        let (major, minor) = device.numbers();
        put(&mut out, 128, &major.to_le_bytes());
        put(&mut out, 132, &minor.to_le_bytes());
    }
    put(&mut out, 136, &major(st.store).to_le_bytes());
    put(&mut out, 140, &minor(st.store).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Stat {
        Stat {
            kind: NodeKind::File,
            size: 5000,
            node: 42,
            store: 1,
            links: 1,
            mode: 0o644,
            accessed_ns: 3 * NS + 7,
            modified_ns: 4 * NS + 8,
            changed_ns: 5 * NS + 9,
            pages: 2,
            read_only: false,
            device: None,
        }
    }

    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn kstat_fields_are_where_musl_reads_them() {
        let k = kstat(&sample());
        assert_eq!([u64_at(&k, 0), u64_at(&k, 8), u64_at(&k, 16)], [1, 42, 1]);
        assert_eq!(u32_at(&k, 24), S_IFREG | 0o644);
        assert_eq!(
            [u64_at(&k, 48), u64_at(&k, 56), u64_at(&k, 64)],
            [5000, 4096, 16]
        );
        assert_eq!([u64_at(&k, 72), u64_at(&k, 80)], [3, 7]);
        assert_eq!([u64_at(&k, 88), u64_at(&k, 96)], [4, 8]);
        assert_eq!([u64_at(&k, 104), u64_at(&k, 112)], [5, 9]);
    }

    #[test]
    fn directories_count_one_link_and_statx_agrees() {
        let mut d = sample();
        d.kind = NodeKind::Directory;
        d.mode = 0o755;
        assert_eq!(mode(&d), S_IFDIR | 0o755);
        assert_eq!(nlink(&d), 1);
        d.links = 0;
        assert_eq!(nlink(&d), 0);
        let x = statx(&sample());
        assert_eq!(u32_at(&x, 0), STATX_BASIC_STATS);
        assert_eq!(u32_at(&x, 16), 1);
        assert_eq!(u16::from_le_bytes([x[28], x[29]]) as u32, S_IFREG | 0o644);
        assert_eq!(
            [u64_at(&x, 32), u64_at(&x, 40), u64_at(&x, 48)],
            [42, 5000, 16]
        );
        assert_eq!((u64_at(&x, 64), u32_at(&x, 72)), (3, 7));
        assert_eq!((u64_at(&x, 112), u32_at(&x, 120)), (4, 8));
        assert_eq!((u32_at(&x, 136), u32_at(&x, 140)), (0, 1));
    }

    #[test]
    fn device_numbers_round_trip_through_makedev() {
        let makedev = |ma: u64, mi: u64| {
            ((ma & 0xffff_f000) << 32)
                | ((ma & 0xfff) << 8)
                | ((mi & 0xffff_ff00) << 12)
                | (mi & 0xff)
        };
        for dev in [0u64, 1, 0x7072_6f63, 0x1234_5678_9abc] {
            assert_eq!(
                makedev(major(dev).into(), minor(dev).into()),
                dev,
                "{dev:#x}"
            );
        }
    }

    #[test]
    fn devices_are_character_devices_with_linux_numbers() {
        let mut d = sample();
        d.device = Some(capos_lib::fs::Device::Null);
        d.size = 0;
        d.mode = 0o666;
        let k = kstat(&d);
        assert_eq!(u32_at(&k, 24), S_IFCHR | 0o666);
        // makedev(1, 3), as Linux's /dev/null.
        assert_eq!(u64_at(&k, 40), 0x103);
        assert_eq!(u64_at(&kstat(&sample()), 40), 0);
        let x = statx(&d);
        assert_eq!((u32_at(&x, 128), u32_at(&x, 132)), (1, 3));
        assert_eq!(makedev(0x12345, 0x6789a), {
            // glibc's formula, spelled out once more.
            let (ma, mi) = (0x12345u64, 0x6789au64);
            (ma & 0xfff) << 8 | (ma & !0xfff) << 32 | (mi & 0xff) | (mi & !0xff) << 12
        });
        assert_eq!(
            (
                major(makedev(0x12345, 0x6789a)),
                minor(makedev(0x12345, 0x6789a))
            ),
            (0x12345, 0x6789a)
        );
    }
}
