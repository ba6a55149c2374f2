//! The store's behaviour, operation by operation; the property tests
//! against a model and against the heap are in `tests/`.

mod heap;
mod model;

use super::store::WriteAt;
use super::*;
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

/// A page on the host heap.
pub struct HostPage(Box<[u8; PAGE_SIZE]>);

impl Page for HostPage {
    fn zeroed() -> Option<Self> {
        Some(HostPage(Box::new([0; PAGE_SIZE])))
    }
    fn bytes(&self) -> &[u8; PAGE_SIZE] {
        &self.0
    }
    fn bytes_mut(&mut self) -> &mut [u8; PAGE_SIZE] {
        &mut self.0
    }
}

pub type S = Store<HostPage>;

pub const BIG: Limits = Limits {
    data_bytes: 64 << 20,
    meta_bytes: 64 << 20,
};

pub fn store() -> S {
    S::new(7, BIG, 1).unwrap()
}

const CREATE: Open = Open {
    create: true,
    exclusive: false,
    truncate: false,
};

fn names(s: &S, dir: NodeId) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    s.list(dir, 0, MAX_LIST, |e| {
        out.push(e.name.to_vec());
        true
    })
    .unwrap();
    out
}

fn read_all(s: &mut S, file: NodeId) -> Vec<u8> {
    let size = s.stat(file).unwrap().size as usize;
    let mut out = vec![0; size];
    assert_eq!(s.read(file, 0, &mut out, 9).unwrap(), size);
    out
}

#[test]
fn create_write_read_stat() {
    let mut s = store();
    let root = s.root();
    let (f, created) = s.open(root, b"a", CREATE, 2).unwrap();
    assert!(created);
    assert_eq!(s.write(f, WriteAt::Offset(0), b"hello", 3), Ok((5, 5)));
    assert_eq!(s.write(f, WriteAt::End, b" world", 4), Ok((6, 11)));
    assert_eq!(read_all(&mut s, f), b"hello world");
    let st = s.stat(f).unwrap();
    assert_eq!(
        (st.kind, st.size, st.links, st.store, st.mode, st.pages),
        (Kind::File, 11, 1, 7, 0o644, 1)
    );
    assert_eq!((st.modified_ns, st.accessed_ns), (4, 9));
    // Opening again finds it; exclusive refuses it.
    assert_eq!(s.open(root, b"a", CREATE, 5), Ok((f, false)));
    let excl = Open {
        exclusive: true,
        ..CREATE
    };
    assert_eq!(s.open(root, b"a", excl, 5), Err(FsError::Exists));
    let no_create = Open {
        exclusive: true,
        ..Open::default()
    };
    assert_eq!(
        s.open(root, b"a", no_create, 5),
        Err(FsError::InvalidArgument)
    );
    assert_eq!(
        s.open(root, b"b", Open::default(), 5),
        Err(FsError::NotFound)
    );
    assert_eq!(s.stat(root).unwrap().size, 1);
}

#[test]
fn reads_past_the_end_and_holes() {
    let mut s = store();
    let (f, _) = s.open(s.root(), b"f", CREATE, 0).unwrap();
    let mut buf = [9u8; 16];
    assert_eq!(s.read(f, 0, &mut buf, 0), Ok(0));
    s.write(f, WriteAt::Offset(3 * PAGE_SIZE as u64 + 10), b"x", 0)
        .unwrap();
    let st = s.stat(f).unwrap();
    assert_eq!((st.size, st.pages), (3 * PAGE_SIZE as u64 + 11, 1));
    assert_eq!(s.read(f, 5, &mut buf, 0), Ok(16));
    assert_eq!(buf, [0; 16]);
    assert_eq!(s.read(f, st.size - 1, &mut buf, 0), Ok(1));
    assert_eq!(buf[0], b'x');
    assert_eq!(s.read(f, st.size + 100, &mut buf, 0), Ok(0));
    // A zero-length write anywhere changes nothing.
    assert_eq!(
        s.write(f, WriteAt::Offset(1 << 30), b"", 0),
        Ok((0, 1 << 30))
    );
    assert_eq!(s.stat(f).unwrap().size, st.size);
}

#[test]
fn truncate_frees_pages_and_growth_reads_zeros() {
    let mut s = store();
    let (f, _) = s.open(s.root(), b"f", CREATE, 0).unwrap();
    s.write(f, WriteAt::Offset(0), &[0xaa; 3 * PAGE_SIZE], 0)
        .unwrap();
    assert_eq!(s.usage().pages, 3);
    s.truncate(f, 10, 0).unwrap();
    assert_eq!(s.usage().pages, 1);
    s.truncate(f, 2 * PAGE_SIZE as u64, 0).unwrap();
    let data = read_all(&mut s, f);
    assert_eq!(&data[..10], &[0xaa; 10]);
    assert!(data[10..].iter().all(|&b| b == 0));
    assert_eq!(
        s.truncate(f, MAX_FILE_SIZE + 1, 0),
        Err(FsError::FileTooLarge)
    );
    assert_eq!(
        s.write(f, WriteAt::Offset(MAX_FILE_SIZE), b"x", 0),
        Err(FsError::FileTooLarge)
    );
    assert_eq!(
        s.write(f, WriteAt::Offset(u64::MAX), b"x", 0),
        Err(FsError::FileTooLarge)
    );
    s.truncate(f, 0, 0).unwrap();
    assert_eq!(s.usage().pages, 0);
    let (g, _) = s
        .open(
            s.root(),
            b"f",
            Open {
                truncate: true,
                ..CREATE
            },
            0,
        )
        .unwrap();
    assert_eq!(g, f);
}

#[test]
fn manifest_files_are_read_in_place_and_copied_on_first_write() {
    let mut s = store();
    let base: &'static [u8] = Box::leak(vec![b'm'; PAGE_SIZE + 5].into_boxed_slice());
    let f = s.create_file(s.root(), b"m", 0o600, Some(base), 0).unwrap();
    let st = s.stat(f).unwrap();
    assert_eq!(
        (st.size, st.pages, st.mode),
        (PAGE_SIZE as u64 + 5, 0, 0o600)
    );
    assert_eq!(read_all(&mut s, f), base);
    // Unchanged, it still holds the boot image's bytes (File.binary).
    assert!(
        s.boot_bytes(f)
            .unwrap()
            .is_some_and(|b| core::ptr::eq(b, base))
    );
    s.write(f, WriteAt::Offset(1), b"X", 0).unwrap();
    assert_eq!(s.boot_bytes(f), Ok(None), "a written file is no binary");
    assert_eq!(s.stat(f).unwrap().pages, 2);
    let mut expected = base.to_vec();
    expected[1] = b'X';
    assert_eq!(read_all(&mut s, f), expected);
    // Truncating one to zero frees nothing it never had.
    let g = s.create_file(s.root(), b"g", 0o600, Some(base), 0).unwrap();
    s.truncate(g, 0, 0).unwrap();
    assert_eq!(s.stat(g).unwrap().size, 0);
    assert_eq!(s.boot_bytes(g), Ok(None));
    assert_eq!(s.boot_bytes(s.root()), Err(FsError::IsDirectory));
    let h = s.create_file(s.root(), b"h", 0o600, Some(base), 0).unwrap();
    s.truncate(h, 3, 0).unwrap();
    assert_eq!(read_all(&mut s, h), b"mmm");
    s.truncate(h, 6, 0).unwrap();
    assert_eq!(read_all(&mut s, h), b"mmm\0\0\0");
}

#[test]
fn directories_mkdir_walk_rmdir() {
    let mut s = store();
    let root = s.root();
    let a = s.mkdir(root, b"a", 0o755, 0).unwrap();
    let b = s.mkdir(a, b"b", 0o755, 0).unwrap();
    assert_eq!(s.mkdir(root, b"a", 0o755, 0), Err(FsError::Exists));
    assert_eq!(s.walk(root, [&b"a"[..], b"b"]), Ok(b));
    assert_eq!(s.walk(root, []), Ok(root));
    let (f, _) = s.open(b, b"f", CREATE, 0).unwrap();
    assert_eq!(
        s.walk(root, [&b"a"[..], b"b", b"f"]),
        Err(FsError::NotDirectory)
    );
    assert_eq!(s.walk(root, [&b"a"[..], b"x"]), Err(FsError::NotFound));
    assert_eq!(s.walk(root, [&b"a"[..], b".."]), Err(FsError::InvalidName));
    assert_eq!(s.walk(f, []), Err(FsError::NotDirectory));
    assert_eq!(s.rmdir(root, b"a", 0), Err(FsError::NotEmpty));
    assert_eq!(s.rmdir(b, b"f", 0), Err(FsError::NotDirectory));
    assert_eq!(s.unlink(a, b"b", 0), Err(FsError::IsDirectory));
    s.unlink(b, b"f", 0).unwrap();
    s.rmdir(a, b"b", 0).unwrap();
    s.rmdir(root, b"a", 0).unwrap();
    assert_eq!(s.node_count(), 1);
}

#[test]
fn names_are_checked_everywhere() {
    let mut s = store();
    let root = s.root();
    let long = vec![b'n'; NAME_MAX + 1];
    for name in [&b""[..], b".", b"..", b"a/b", b"a\0"] {
        assert_eq!(s.open(root, name, CREATE, 0), Err(FsError::InvalidName));
        assert_eq!(s.mkdir(root, name, 0, 0), Err(FsError::InvalidName));
        assert_eq!(s.unlink(root, name, 0), Err(FsError::InvalidName));
        assert_eq!(s.rmdir(root, name, 0), Err(FsError::InvalidName));
        assert_eq!(s.lookup(root, name), Err(FsError::InvalidName));
    }
    assert_eq!(s.open(root, &long, CREATE, 0), Err(FsError::NameTooLong));
    assert_eq!(
        s.rename(root, &[&long], &[b"x"], 0),
        Err(FsError::NameTooLong)
    );
    assert_eq!(
        s.rename(root, &[], &[b"x"], 0),
        Err(FsError::InvalidArgument)
    );
    let max = vec![b'n'; NAME_MAX];
    s.open(root, &max, CREATE, 0).unwrap();
    assert_eq!(names(&s, root), [max]);
}

#[test]
fn unlinked_files_live_while_held() {
    let mut s = store();
    let root = s.root();
    let (f, _) = s.open(root, b"f", CREATE, 0).unwrap();
    s.write(f, WriteAt::Offset(0), b"still here", 0).unwrap();
    s.retain(f).unwrap();
    s.unlink(root, b"f", 0).unwrap();
    assert_eq!(s.lookup(root, b"f"), Err(FsError::NotFound));
    assert_eq!(s.stat(f).unwrap().links, 0);
    assert_eq!(read_all(&mut s, f), b"still here");
    // A new file of the same name is another node.
    let (g, _) = s.open(root, b"f", CREATE, 0).unwrap();
    assert_ne!(f, g);
    assert_eq!(s.usage().pages, 1);
    s.release(f);
    assert_eq!(s.usage().pages, 0);
    assert_eq!(s.stat(f), Err(FsError::NotFound));
    assert_eq!(s.node_count(), 2);
}

#[test]
fn removed_directories_stay_empty() {
    let mut s = store();
    let root = s.root();
    let d = s.mkdir(root, b"d", 0o755, 0).unwrap();
    s.retain(d).unwrap();
    s.rmdir(root, b"d", 0).unwrap();
    assert_eq!(s.stat(d).unwrap().links, 0);
    assert_eq!(s.open(d, b"x", CREATE, 0), Err(FsError::NotFound));
    assert_eq!(s.mkdir(d, b"x", 0, 0), Err(FsError::NotFound));
    assert_eq!(s.rename(root, &[b"d"], &[b"e"], 0), Err(FsError::NotFound));
    assert!(names(&s, d).is_empty());
    s.release(d);
    assert_eq!(s.node_count(), 1);
}

#[test]
fn listing_survives_unlinks_between_calls() {
    let mut s = store();
    let root = s.root();
    for i in 0..10u8 {
        s.open(root, &[b'a' + i], CREATE, 0).unwrap();
    }
    // Take three at a time, unlinking each batch before the next call.
    let mut seen = Vec::new();
    let mut cursor = 0;
    loop {
        let mut batch = Vec::new();
        let end = s
            .list(root, cursor, 3, |e| {
                batch.push((e.name.to_vec(), e.cursor));
                true
            })
            .unwrap();
        for (name, c) in &batch {
            s.unlink(root, name, 0).unwrap();
            cursor = *c;
            seen.push(name[0]);
        }
        if end {
            break;
        }
    }
    assert_eq!(seen, (b'a'..=b'j').collect::<Vec<_>>());
    // An entry made during a listing comes at its end.
    s.open(root, b"x", CREATE, 0).unwrap();
    s.open(root, b"y", CREATE, 0).unwrap();
    let mut first = None;
    s.list(root, 0, 1, |e| {
        first = Some(e.cursor);
        true
    })
    .unwrap();
    s.open(root, b"z", CREATE, 0).unwrap();
    let rest = {
        let mut v = Vec::new();
        s.list(root, first.unwrap(), 10, |e| {
            v.push(e.name[0]);
            true
        })
        .unwrap();
        v
    };
    assert_eq!(rest, b"yz");
    // A refused entry is not consumed.
    let end = s.list(root, 0, 10, |_| false).unwrap();
    assert!(!end);
}

#[test]
fn rename_rules() {
    let mut s = store();
    let root = s.root();
    let a = s.mkdir(root, b"a", 0o755, 0).unwrap();
    let b = s.mkdir(a, b"b", 0o755, 0).unwrap();
    let (f, _) = s.open(root, b"f", CREATE, 0).unwrap();
    let (g, _) = s.open(root, b"g", CREATE, 0).unwrap();
    s.write(g, WriteAt::Offset(0), b"g", 0).unwrap();
    // Into itself or below itself: refused.
    assert_eq!(
        s.rename(root, &[b"a"], &[b"a", b"x"], 0),
        Err(FsError::InvalidArgument)
    );
    assert_eq!(
        s.rename(root, &[b"a"], &[b"a", b"b", b"x"], 0),
        Err(FsError::InvalidArgument)
    );
    // Kinds must match, a directory target must be empty.
    assert_eq!(
        s.rename(root, &[b"f"], &[b"a"], 0),
        Err(FsError::IsDirectory)
    );
    assert_eq!(
        s.rename(root, &[b"a"], &[b"f"], 0),
        Err(FsError::NotDirectory)
    );
    let e = s.mkdir(root, b"e", 0o755, 0).unwrap();
    assert_eq!(s.rename(root, &[b"e"], &[b"a"], 0), Err(FsError::NotEmpty));
    assert_eq!(
        s.rename(root, &[b"nope"], &[b"x"], 0),
        Err(FsError::NotFound)
    );
    assert_eq!(
        s.rename(root, &[b"f", b"x"], &[b"y"], 0),
        Err(FsError::NotDirectory)
    );
    // Onto itself: nothing happens.
    s.rename(root, &[b"f"], &[b"f"], 0).unwrap();
    assert_eq!(s.lookup(root, b"f"), Ok(f));
    // A file replaces a file; the replaced one is freed (nothing holds it).
    s.rename(root, &[b"f"], &[b"g"], 0).unwrap();
    assert_eq!(s.lookup(root, b"g"), Ok(f));
    assert_eq!(s.stat(g), Err(FsError::NotFound));
    assert_eq!(s.usage().pages, 0);
    // Across directories, and a directory over an empty one.
    s.rename(root, &[b"g"], &[b"a", b"b", b"moved"], 0).unwrap();
    assert_eq!(s.walk(root, [&b"a"[..], b"b"]), Ok(b));
    assert_eq!(s.lookup(b, b"moved"), Ok(f));
    s.rename(root, &[b"a", b"b"], &[b"e"], 0).unwrap();
    assert_eq!(s.lookup(root, b"e"), Ok(b));
    assert_eq!(s.stat(e), Err(FsError::NotFound));
    assert_eq!(names(&s, root), [b"a".to_vec(), b"e".to_vec()]);
    assert!(names(&s, a).is_empty());
}

#[test]
fn facets_refuse_writes_and_narrow_what_they_open() {
    let mut s = store();
    let root = s.root();
    let (f, _) = s.open(root, b"f", CREATE, 0).unwrap();
    s.mkdir(root, b"d", 0o755, 0).unwrap();
    let ro = |s: &mut S, name: &[u8], how| facet::open(s, root, true, name, how, false, 0);
    let got = ro(&mut s, b"f", Open::default()).unwrap();
    assert_eq!((got.node, got.read_only, got.created), (f, true, false));
    assert_eq!(ro(&mut s, b"f", CREATE).map(|o| o.node), Ok(f));
    assert_eq!(ro(&mut s, b"new", CREATE), Err(FsError::ReadOnly));
    assert_eq!(
        ro(
            &mut s,
            b"f",
            Open {
                exclusive: true,
                ..CREATE
            }
        ),
        Err(FsError::Exists)
    );
    assert_eq!(
        ro(
            &mut s,
            b"f",
            Open {
                truncate: true,
                ..Open::default()
            }
        ),
        Err(FsError::ReadOnly)
    );
    assert_eq!(
        ro(
            &mut s,
            b"d",
            Open {
                truncate: true,
                ..Open::default()
            }
        ),
        Err(FsError::IsDirectory)
    );
    assert_eq!(ro(&mut s, b"nope", Open::default()), Err(FsError::NotFound));
    let rw = facet::open(&mut s, root, false, b"f", Open::default(), false, 0).unwrap();
    assert!(!rw.read_only);
    let narrowed = facet::open(&mut s, root, false, b"d", Open::default(), true, 0).unwrap();
    assert_eq!((narrowed.kind, narrowed.read_only), (Kind::Directory, true));
    assert_eq!(facet::mutate(true), Err(FsError::ReadOnly));
    assert_eq!(facet::mutate(false), Ok(()));
    assert_eq!(s.lookup(root, b"new"), Err(FsError::NotFound));
}

#[test]
fn modes_and_times_are_recorded() {
    let mut s = store();
    let (f, _) = s.open(s.root(), b"f", CREATE, 5).unwrap();
    s.set_mode(f, 0o4711, 6).unwrap();
    assert_eq!(s.set_mode(f, 0o10000, 6), Err(FsError::InvalidArgument));
    s.set_times(f, TimeChange::Ns(100), TimeChange::Keep, 7)
        .unwrap();
    let st = s.stat(f).unwrap();
    assert_eq!(
        (st.mode, st.accessed_ns, st.modified_ns, st.changed_ns),
        (0o4711, 100, 5, 7)
    );
    s.set_times(f, TimeChange::Keep, TimeChange::Now, 8)
        .unwrap();
    assert_eq!(s.stat(f).unwrap().modified_ns, 8);
}

#[test]
fn kinds_are_checked() {
    let mut s = store();
    let root = s.root();
    let mut buf = [0; 4];
    assert_eq!(s.read(root, 0, &mut buf, 0), Err(FsError::IsDirectory));
    assert_eq!(
        s.write(root, WriteAt::End, b"x", 0),
        Err(FsError::IsDirectory)
    );
    assert_eq!(s.truncate(root, 0, 0), Err(FsError::IsDirectory));
    let (f, _) = s.open(root, b"f", CREATE, 0).unwrap();
    assert_eq!(s.open(f, b"x", CREATE, 0), Err(FsError::NotDirectory));
    assert_eq!(s.list(f, 0, 1, |_| true), Err(FsError::NotDirectory));
    assert_eq!(s.stat(999), Err(FsError::NotFound));
    assert_eq!(s.retain(999), Err(FsError::NotFound));
    s.release(999);
}

#[test]
fn full_data_quota_gives_short_writes_then_no_space_and_keeps_files() {
    let limits = Limits {
        data_bytes: 4 * PAGE_SIZE as u64 + 100,
        meta_bytes: 1 << 20,
    };
    let mut s = S::new(1, limits, 0).unwrap();
    let root = s.root();
    let (keep, _) = s.open(root, b"keep", CREATE, 0).unwrap();
    s.write(keep, WriteAt::Offset(0), &[1; PAGE_SIZE], 0)
        .unwrap();
    let (f, _) = s.open(root, b"f", CREATE, 0).unwrap();
    // Three pages are left: a five-page write writes three.
    let data = vec![2u8; 5 * PAGE_SIZE];
    assert_eq!(
        s.write(f, WriteAt::Offset(0), &data, 0),
        Ok((3 * PAGE_SIZE, 3 * PAGE_SIZE as u64))
    );
    assert_eq!(s.write(f, WriteAt::End, b"x", 0), Err(FsError::NoSpace));
    // Overwriting pages it has needs none.
    assert_eq!(s.write(f, WriteAt::Offset(5), b"yy", 0), Ok((2, 7)));
    // So does a write into the last page's unused tail.
    s.truncate(f, 3 * PAGE_SIZE as u64 - 10, 0).unwrap();
    assert_eq!(
        s.write(f, WriteAt::End, &[3; 10], 0),
        Ok((10, 3 * PAGE_SIZE as u64))
    );
    assert_eq!(read_all(&mut s, keep), vec![1; PAGE_SIZE]);
    // A manifest file cannot be copied: untouched, noSpace.
    let base: &'static [u8] = Box::leak(vec![b'm'; 10].into_boxed_slice());
    let m = s.create_file(root, b"m", 0o644, Some(base), 0).unwrap();
    assert_eq!(
        s.write(m, WriteAt::Offset(0), b"z", 0),
        Err(FsError::NoSpace)
    );
    assert_eq!(read_all(&mut s, m), base);
    // Freeing gives the pages back.
    s.unlink(root, b"f", 0).unwrap();
    assert_eq!(s.write(m, WriteAt::Offset(0), b"z", 0), Ok((1, 1)));
}

#[test]
fn full_metadata_quota_gives_no_space_and_keeps_files() {
    let mut probe = store();
    let base = probe.usage().meta_bytes;
    probe.open(probe.root(), b"n000", CREATE, 0).unwrap();
    let per_file = probe.usage().meta_bytes - base;
    let limits = Limits {
        data_bytes: 1 << 20,
        meta_bytes: base + 5 * per_file + per_file / 2,
    };
    let mut s = S::new(1, limits, 0).unwrap();
    let root = s.root();
    for i in 0..5 {
        let name = alloc::format!("n{i:03}");
        s.open(root, name.as_bytes(), CREATE, 0).unwrap();
    }
    assert_eq!(s.open(root, b"n005", CREATE, 0), Err(FsError::NoSpace));
    assert_eq!(s.mkdir(root, b"dir", 0, 0), Err(FsError::NoSpace));
    // A longer name costs more than the half file left: refused, and the
    // old name stays.
    let long = vec![b'l'; NAME_MAX];
    assert_eq!(
        s.rename(root, &[b"n000"], &[&long], 0),
        Err(FsError::NoSpace)
    );
    assert!(s.lookup(root, b"n000").is_ok());
    assert_eq!(names(&s, root).len(), 5);
    s.unlink(root, b"n004", 0).unwrap();
    s.open(root, b"n005", CREATE, 0).unwrap();
}

#[test]
fn thousands_of_files_in_one_directory() {
    let mut s = store();
    let root = s.root();
    for i in 0..5000 {
        let name = alloc::format!("file-{i:05}");
        let (f, _) = s.open(root, name.as_bytes(), CREATE, 0).unwrap();
        if i % 100 == 0 {
            s.write(f, WriteAt::Offset(0), name.as_bytes(), 0).unwrap();
        }
    }
    assert_eq!(s.stat(root).unwrap().size, 5000);
    let mut count = 0;
    let mut cursor = 0;
    loop {
        let end = s
            .list(root, cursor, MAX_LIST, |e| {
                count += 1;
                cursor = e.cursor;
                true
            })
            .unwrap();
        if end {
            break;
        }
    }
    assert_eq!(count, 5000);
    let f = s.lookup(root, b"file-04200").unwrap();
    assert_eq!(read_all(&mut s, f), b"file-04200");
    for i in 0..5000 {
        s.unlink(root, alloc::format!("file-{i:05}").as_bytes(), 0)
            .unwrap();
    }
    let empty = S::new(7, BIG, 1).unwrap();
    assert_eq!(s.usage(), empty.usage());
}

#[test]
fn fs_errors_are_the_schemas_values() {
    for (i, e) in FsError::ALL.iter().enumerate() {
        assert_eq!(e.ordinal() as usize, i + 1);
        assert_eq!(FsError::from_ordinal(e.ordinal()), Some(*e));
    }
    assert_eq!(FsError::from_ordinal(0), None);
    assert_eq!(FsError::from_ordinal(13), None);
}

#[test]
fn device_nodes_read_and_take_writes_as_linux_does() {
    let mut s = store();
    let root = s.root();
    let dev = s.mkdir(root, b"dev", 0o755, 1).unwrap();
    let null = s
        .create_device(dev, b"null", 0o666, Device::Null, 1)
        .unwrap();
    let zero = s
        .create_device(dev, b"zero", 0o666, Device::Zero, 1)
        .unwrap();
    let full = s
        .create_device(dev, b"full", 0o666, Device::Full, 1)
        .unwrap();
    let used = s.usage();
    let mut buf = [7u8; 16];
    // null: end of file at any offset; writes vanish.
    assert_eq!(s.readable(null, 0, 16).unwrap(), 0);
    assert_eq!(s.read(null, 5, &mut buf, 2).unwrap(), 0);
    assert_eq!(s.write(null, WriteAt::End, b"gone", 2).unwrap(), (4, 0));
    assert_eq!(
        s.write(null, WriteAt::Offset(9), b"gone", 2).unwrap(),
        (4, 9)
    );
    // zero and full read zeros, as many as asked, wherever.
    assert_eq!(s.read(zero, 1 << 50, &mut buf, 2).unwrap(), 16);
    assert_eq!(buf, [0; 16]);
    buf.fill(7);
    assert_eq!(s.read(full, 0, &mut buf, 2).unwrap(), 16);
    assert_eq!(buf, [0; 16]);
    assert_eq!(s.write(zero, WriteAt::Offset(0), b"x", 2).unwrap(), (1, 0));
    assert_eq!(
        s.write(full, WriteAt::Offset(0), b"x", 2),
        Err(FsError::NoSpace)
    );
    // O_TRUNC is ignored; nothing was stored.
    s.truncate(null, 0, 2).unwrap();
    assert_eq!(s.usage(), used);
    let st = s.stat(full).unwrap();
    assert_eq!(
        (st.kind, st.device, st.size, st.pages),
        (Kind::File, Some(Device::Full), 0, 0)
    );
    assert_eq!(s.stat(dev).unwrap().device, None);
    assert_eq!(Device::Null.numbers(), (1, 3));
    assert_eq!(s.boot_bytes(null), Ok(None));
    // A device is a file to open, list and unlink; its record is freed.
    let (opened, created) = s
        .open(
            dev,
            b"null",
            Open {
                truncate: true,
                ..CREATE
            },
            3,
        )
        .unwrap();
    assert_eq!((opened, created), (null, false));
    let mut kinds = Vec::new();
    s.list(dev, 0, MAX_LIST, |e| {
        kinds.push(e.kind);
        true
    })
    .unwrap();
    assert_eq!(kinds, [Kind::File; 3]);
    let before = s.usage();
    s.unlink(dev, b"zero", 4).unwrap();
    assert!(s.usage().meta_bytes < before.meta_bytes);
    assert_eq!(s.stat(zero), Err(FsError::NotFound));
    assert_eq!(
        s.walk(root, [&b"dev"[..], b"null"]),
        Err(FsError::NotDirectory)
    );
}
