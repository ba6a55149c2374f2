//! Random operations on a small tree against a model of paths and file
//! contents: every operation gives the model's outcome (the same error,
//! or success), every named file and every held unnamed one reads back
//! the model's bytes, and once everything is released and removed the
//! quotas are back where an empty store's are.

use super::super::store::WriteAt;
use super::*;
use alloc::collections::BTreeMap;
use proptest::collection;
use proptest::prelude::*;

type Path = Vec<u8>;

#[derive(Debug, Clone)]
pub enum Op {
    Create(Path),
    Mkdir(Path),
    Unlink(Path),
    Rmdir(Path),
    Rename(Path, Path),
    Write(Path, u16, u16, u8, bool),
    Truncate(Path, u16),
    Hold(Path),
    Drop(usize),
}

/// Mostly names in the root, so operations meet each other often.
fn path() -> impl Strategy<Value = Path> {
    prop_oneof![
        3 => collection::vec(0..3u8, 1..2),
        2 => collection::vec(0..3u8, 2..4),
    ]
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        path().prop_map(Op::Create),
        path().prop_map(Op::Mkdir),
        path().prop_map(Op::Unlink),
        path().prop_map(Op::Rmdir),
        (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
        (path(), 0..13000u16, 0..6000u16, any::<u8>(), any::<bool>())
            .prop_map(|(p, o, l, b, a)| Op::Write(p, o, l, b, a)),
        (path(), 0..13000u16).prop_map(|(p, s)| Op::Truncate(p, s)),
        path().prop_map(Op::Hold),
        any::<usize>().prop_map(Op::Drop),
    ]
}

pub const NAMES: [&[u8]; 3] = [b"a", b"b", b"c"];

pub fn names_of(p: &[u8]) -> Vec<&'static [u8]> {
    p.iter().map(|&i| NAMES[i as usize]).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    File(NodeId),
    Dir(NodeId),
}

#[derive(Default)]
struct Model {
    tree: BTreeMap<Path, Entry>,
    contents: BTreeMap<NodeId, Vec<u8>>,
    held: Vec<NodeId>,
}

impl Model {
    fn parent_ok(&self, p: &[u8]) -> Result<(), FsError> {
        for i in 1..p.len() {
            match self.tree.get(&p[..i]) {
                None => return Err(FsError::NotFound),
                Some(Entry::File(_)) => return Err(FsError::NotDirectory),
                Some(Entry::Dir(_)) => {}
            }
        }
        Ok(())
    }

    fn get(&self, p: &[u8]) -> Result<Entry, FsError> {
        self.parent_ok(p)?;
        self.tree.get(p).copied().ok_or(FsError::NotFound)
    }

    fn has_children(&self, p: &[u8]) -> bool {
        self.tree
            .keys()
            .any(|k| k.len() > p.len() && k.starts_with(p))
    }

    /// The name `p` is gone; forget the node if nothing holds it.
    fn forget(&mut self, e: Entry) {
        if let Entry::File(id) = e
            && !self.held.contains(&id)
        {
            self.contents.remove(&id);
        }
    }
}

/// Runs `op` on the store (through the root) and returns its outcome.
pub fn apply(s: &mut S, op: &Op, held: &mut Vec<NodeId>) -> Result<(), FsError> {
    let root = s.root();
    let parent = |s: &S, p: &[u8]| s.walk(root, names_of(&p[..p.len() - 1]));
    let lookup = |s: &S, p: &[u8]| s.lookup(parent(s, p)?, NAMES[p[p.len() - 1] as usize]);
    let last = |p: &[u8]| NAMES[p[p.len() - 1] as usize];
    match op {
        Op::Create(p) => s
            .open(
                parent(s, p)?,
                last(p),
                Open {
                    create: true,
                    ..Open::default()
                },
                0,
            )
            .map(drop),
        Op::Mkdir(p) => s.mkdir(parent(s, p)?, last(p), 0o755, 0).map(drop),
        Op::Unlink(p) => s.unlink(parent(s, p)?, last(p), 0),
        Op::Rmdir(p) => s.rmdir(parent(s, p)?, last(p), 0),
        Op::Rename(a, b) => s.rename(root, &names_of(a), &names_of(b), 0),
        Op::Write(p, offset, len, byte, append) => {
            let f = lookup(s, p)?;
            let data = vec![*byte; *len as usize];
            let at = if *append {
                WriteAt::End
            } else {
                WriteAt::Offset(*offset as u64)
            };
            let (written, _) = s.write(f, at, &data, 0)?;
            assert_eq!(written, data.len(), "no quota to run out of here");
            Ok(())
        }
        Op::Truncate(p, size) => s.truncate(lookup(s, p)?, *size as u64, 0),
        Op::Hold(p) => {
            let f = lookup(s, p)?;
            s.retain(f)?;
            held.push(f);
            Ok(())
        }
        Op::Drop(i) => {
            if !held.is_empty() {
                let id = held.remove(i % held.len());
                s.release(id);
            }
            Ok(())
        }
    }
}

impl Model {
    fn apply(&mut self, s: &S, op: &Op) -> Result<(), FsError> {
        match op {
            Op::Create(p) => {
                self.parent_ok(p)?;
                if !self.tree.contains_key(p) {
                    let id = s.lookup(
                        s.walk(s.root(), names_of(&p[..p.len() - 1])).unwrap(),
                        NAMES[p[p.len() - 1] as usize],
                    )?;
                    self.tree.insert(p.clone(), Entry::File(id));
                    self.contents.insert(id, Vec::new());
                }
                Ok(())
            }
            Op::Mkdir(p) => {
                self.parent_ok(p)?;
                if self.tree.contains_key(p) {
                    return Err(FsError::Exists);
                }
                let id = s.walk(s.root(), names_of(p))?;
                self.tree.insert(p.clone(), Entry::Dir(id));
                Ok(())
            }
            Op::Unlink(p) => match self.get(p)? {
                Entry::Dir(_) => Err(FsError::IsDirectory),
                e => {
                    self.tree.remove(p);
                    self.forget(e);
                    Ok(())
                }
            },
            Op::Rmdir(p) => match self.get(p)? {
                Entry::File(_) => Err(FsError::NotDirectory),
                Entry::Dir(_) if self.has_children(p) => Err(FsError::NotEmpty),
                Entry::Dir(_) => {
                    self.tree.remove(p);
                    Ok(())
                }
            },
            Op::Rename(a, b) => {
                self.parent_ok(a)?;
                self.parent_ok(b)?;
                let from = self.get(a)?;
                let target = self.tree.get(b).copied();
                if target == Some(from) {
                    return Ok(());
                }
                if matches!(from, Entry::Dir(_)) && b.len() > a.len() && b.starts_with(a) {
                    return Err(FsError::InvalidArgument);
                }
                match (from, target) {
                    (Entry::File(_), Some(Entry::Dir(_))) => return Err(FsError::IsDirectory),
                    (Entry::Dir(_), Some(Entry::File(_))) => return Err(FsError::NotDirectory),
                    (Entry::Dir(_), Some(Entry::Dir(_))) if self.has_children(b) => {
                        return Err(FsError::NotEmpty);
                    }
                    _ => {}
                }
                if let Some(t) = target {
                    self.tree.remove(b);
                    self.forget(t);
                }
                let moved: Vec<(Path, Entry)> = self
                    .tree
                    .iter()
                    .filter(|(k, _)| k.starts_with(a))
                    .map(|(k, e)| (k.clone(), *e))
                    .collect();
                for (k, e) in moved {
                    self.tree.remove(&k);
                    let mut to = b.clone();
                    to.extend_from_slice(&k[a.len()..]);
                    self.tree.insert(to, e);
                }
                Ok(())
            }
            Op::Write(p, offset, len, byte, append) => match self.get(p)? {
                Entry::Dir(_) => Err(FsError::IsDirectory),
                Entry::File(id) => {
                    let c = self.contents.get_mut(&id).unwrap();
                    if *len > 0 {
                        let at = if *append { c.len() } else { *offset as usize };
                        if c.len() < at + *len as usize {
                            c.resize(at + *len as usize, 0);
                        }
                        c[at..at + *len as usize].fill(*byte);
                    }
                    Ok(())
                }
            },
            Op::Truncate(p, size) => match self.get(p)? {
                Entry::Dir(_) => Err(FsError::IsDirectory),
                Entry::File(id) => {
                    self.contents
                        .get_mut(&id)
                        .unwrap()
                        .resize(*size as usize, 0);
                    Ok(())
                }
            },
            Op::Hold(p) => match self.get(p)? {
                Entry::File(id) | Entry::Dir(id) => {
                    self.held.push(id);
                    Ok(())
                }
            },
            Op::Drop(i) => {
                if !self.held.is_empty() {
                    let id = self.held.remove(i % self.held.len());
                    let named = self.tree.values().any(|e| *e == Entry::File(id));
                    if !named && !self.held.contains(&id) {
                        self.contents.remove(&id);
                    }
                }
                Ok(())
            }
        }
    }
}

fn check_against(s: &mut S, m: &Model) -> Result<(), TestCaseError> {
    for (p, e) in &m.tree {
        let got = s
            .walk(s.root(), names_of(&p[..p.len() - 1]))
            .and_then(|d| s.lookup(d, NAMES[p[p.len() - 1] as usize]));
        let id = match e {
            Entry::File(id) | Entry::Dir(id) => *id,
        };
        prop_assert_eq!(got, Ok(id), "{:?}", p);
    }
    for (&id, want) in &m.contents {
        prop_assert_eq!(s.stat(id).map(|st| st.size), Ok(want.len() as u64));
        let mut got = vec![0; want.len()];
        s.read(id, 0, &mut got, 0).unwrap();
        prop_assert!(got == *want, "node {} differs", id);
    }
    let dirs = m
        .tree
        .values()
        .filter(|e| matches!(e, Entry::Dir(_)))
        .count();
    let held_dirs: Vec<NodeId> = m
        .held
        .iter()
        .copied()
        .filter(|id| {
            !m.contents.contains_key(id) && !m.tree.values().any(|e| *e == Entry::Dir(*id))
        })
        .collect();
    let mut unnamed_dirs = held_dirs.clone();
    unnamed_dirs.sort();
    unnamed_dirs.dedup();
    prop_assert_eq!(
        s.node_count(),
        1 + dirs + m.contents.len() + unnamed_dirs.len(),
        "nodes alive"
    );
    Ok(())
}

#[test]
fn fuzz_store_matches_the_model() {
    capos_fuzz::check(256, collection::vec(op(), 1..60), |ops| {
        let mut s = store();
        let empty = s.usage();
        let mut m = Model::default();
        let mut held = Vec::new();
        for op in &ops {
            let got = apply(&mut s, op, &mut held);
            let want = m.apply(&s, op);
            prop_assert_eq!(got, want, "{:?}", op);
            check_against(&mut s, &m)?;
        }
        // Release everything, remove everything: the quotas are back.
        for id in held.drain(..) {
            s.release(id);
        }
        let mut paths: Vec<Path> = m.tree.keys().cloned().collect();
        paths.sort_by_key(|p| core::cmp::Reverse(p.len()));
        for p in paths {
            let d = s.walk(s.root(), names_of(&p[..p.len() - 1])).unwrap();
            let name = NAMES[p[p.len() - 1] as usize];
            match m.tree[&p] {
                Entry::File(_) => s.unlink(d, name, 0).unwrap(),
                Entry::Dir(_) => s.rmdir(d, name, 0).unwrap(),
            }
        }
        prop_assert_eq!(s.node_count(), 1);
        prop_assert_eq!(s.usage(), empty);
        Ok(())
    });
}
