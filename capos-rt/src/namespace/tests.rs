//! The Namespace and the Directory and File clients against a simulated
//! server: the test kernel answers every CALL from a capos_lib store, as
//! the kernel's objects do (results with `error`, capabilities as reply
//! records), so paths, mounts, `..`, facets and errors are checked end to
//! end on the host.

use super::*;
use crate::cap::Cap;
use crate::client::SharedRing;
use crate::message;
use crate::test_kernel::{Outcome, shared_ring};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::string::ToString;
use alloc::vec;
use capos_abi::ipc::CapRecord;
use capos_lib::fs::{self, Kind, Limits, Open, PAGE_SIZE, Page, Store, WriteAt};
use capos_schema::method::{directory as dm, file as fm};
use capos_schema::{FsError as E, NodeKind, directory, file, interface_id};
use core::cell::RefCell;

struct HostPage(Box<[u8; PAGE_SIZE]>);

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

/// A capability the simulated server handed out.
#[derive(Clone, Copy)]
struct Handle {
    node: fs::NodeId,
    read_only: bool,
}

struct Server {
    store: Store<HostPage>,
    caps: BTreeMap<u32, Handle>,
    next: u32,
}

fn schema_error(e: Result<(), fs::FsError>) -> E {
    match e {
        Ok(()) => E::Ok,
        Err(e) => E::try_from(e.ordinal()).unwrap(),
    }
}

impl Server {
    /// A new capability for `node`, as the reply record.
    fn cap(&mut self, node: fs::NodeId, read_only: bool) -> CapRecord {
        let id = self.next;
        self.next += 1;
        self.caps.insert(id, Handle { node, read_only });
        let interface_id = match self.store.kind(node).unwrap() {
            Kind::File => interface_id::FILE,
            Kind::Directory => interface_id::DIRECTORY,
        };
        CapRecord {
            cap_id: id,
            _reserved: 0,
            interface_id,
        }
    }

    fn call(&mut self, interface: u64, method: u16, cap: u32, params: &[u8]) -> Outcome {
        let h = self.caps[&cap];
        let msg = message::read(params).unwrap();
        let reply = |words: Vec<u64>| Outcome::Reply(message::as_bytes(&words).to_vec());
        let err = |e: Result<(), fs::FsError>| {
            reply(message::build::<directory::mkdir_results::Owned>(
                |mut r| r.set_error(schema_error(e)),
            ))
        };
        let with_cap = |words: Vec<u64>, rec: CapRecord| {
            Outcome::Transfer(message::as_bytes(&words).to_vec(), vec![rec])
        };
        let mutate = |h: Handle| fs::facet::mutate(h.read_only);
        match (interface, method) {
            (interface_id::DIRECTORY, dm::OPEN) => {
                let p: directory::open_params::Reader = msg.get_root().unwrap();
                let how = Open {
                    create: p.get_create(),
                    exclusive: p.get_exclusive(),
                    truncate: p.get_truncate(),
                };
                let name = p.get_name().unwrap().as_bytes();
                match fs::facet::open(
                    &mut self.store,
                    h.node,
                    h.read_only,
                    name,
                    how,
                    p.get_read_only(),
                    0,
                ) {
                    Ok(o) => {
                        let rec = self.cap(o.node, o.read_only);
                        with_cap(
                            message::build::<directory::open_results::Owned>(|mut r| {
                                r.set_kind(match o.kind {
                                    Kind::File => NodeKind::File,
                                    Kind::Directory => NodeKind::Directory,
                                });
                                r.set_read_only(o.read_only);
                                r.set_created(o.created);
                            }),
                            rec,
                        )
                    }
                    Err(e) => err(Err(e)),
                }
            }
            (interface_id::DIRECTORY, dm::MKDIR) => {
                let p: directory::mkdir_params::Reader = msg.get_root().unwrap();
                let name = p.get_name().unwrap().as_bytes();
                let r = mutate(h)
                    .and_then(|()| self.store.mkdir(h.node, name, p.get_mode(), 0).map(drop));
                err(r)
            }
            (interface_id::DIRECTORY, dm::UNLINK | dm::RMDIR) => {
                let p: directory::unlink_params::Reader = msg.get_root().unwrap();
                let name = p.get_name().unwrap().as_bytes();
                let r = mutate(h).and_then(|()| {
                    if method == dm::UNLINK {
                        self.store.unlink(h.node, name, 0)
                    } else {
                        self.store.rmdir(h.node, name, 0)
                    }
                });
                err(r)
            }
            (interface_id::DIRECTORY, dm::RENAME) => {
                let p: directory::rename_params::Reader = msg.get_root().unwrap();
                let list = |l: capnp::text_list::Reader<'_>| -> Vec<Vec<u8>> {
                    l.iter().map(|n| n.unwrap().as_bytes().to_vec()).collect()
                };
                let (from, to) = (list(p.get_from().unwrap()), list(p.get_to().unwrap()));
                let from: Vec<&[u8]> = from.iter().map(Vec::as_slice).collect();
                let to: Vec<&[u8]> = to.iter().map(Vec::as_slice).collect();
                err(mutate(h).and_then(|()| self.store.rename(h.node, &from, &to, 0)))
            }
            (interface_id::DIRECTORY, dm::LIST) => {
                let p: directory::list_params::Reader = msg.get_root().unwrap();
                let mut entries = Vec::new();
                let end = self
                    .store
                    .list(h.node, p.get_cursor(), p.get_max() as usize, |e| {
                        entries.push((e.name.to_vec(), e.kind, e.node, e.cursor));
                        true
                    })
                    .unwrap();
                reply(message::build::<directory::list_results::Owned>(|mut r| {
                    r.set_end(end);
                    let mut l = r.init_entries(entries.len() as u32);
                    for (i, (name, kind, node, cursor)) in entries.iter().enumerate() {
                        let mut e = l.reborrow().get(i as u32);
                        e.set_name(capnp::text::Reader::from(&name[..]));
                        e.set_kind(if *kind == Kind::File {
                            NodeKind::File
                        } else {
                            NodeKind::Directory
                        });
                        e.set_node(*node);
                        e.set_cursor(*cursor);
                    }
                }))
            }
            (interface_id::DIRECTORY, dm::STAT | dm::STAT_AT) | (interface_id::FILE, fm::STAT) => {
                let node = if (interface, method) == (interface_id::DIRECTORY, dm::STAT_AT) {
                    let p: directory::stat_at_params::Reader = msg.get_root().unwrap();
                    match self.store.lookup(h.node, p.get_name().unwrap().as_bytes()) {
                        Ok(n) => n,
                        Err(e) => return err(Err(e)),
                    }
                } else {
                    h.node
                };
                let st = self.store.stat(node).unwrap();
                reply(message::build::<directory::stat_results::Owned>(|r| {
                    let mut s = r.init_stat();
                    s.set_kind(if st.kind == Kind::File {
                        NodeKind::File
                    } else {
                        NodeKind::Directory
                    });
                    s.set_size(st.size);
                    s.set_node(st.node);
                    s.set_read_only(h.read_only);
                }))
            }
            (interface_id::DIRECTORY, dm::WALK) => {
                let p: directory::walk_params::Reader = msg.get_root().unwrap();
                let names: Vec<Vec<u8>> = p
                    .get_names()
                    .unwrap()
                    .iter()
                    .map(|n| n.unwrap().as_bytes().to_vec())
                    .collect();
                match self.store.walk(h.node, names.iter().map(Vec::as_slice)) {
                    Ok(node) => {
                        let rec = self.cap(node, h.read_only);
                        with_cap(
                            message::build::<directory::walk_results::Owned>(|_| {}),
                            rec,
                        )
                    }
                    Err(e) => err(Err(e)),
                }
            }
            (interface_id::DIRECTORY, dm::READ_ONLY) => {
                let rec = self.cap(h.node, true);
                with_cap(
                    message::build::<directory::read_only_results::Owned>(|_| {}),
                    rec,
                )
            }
            (interface_id::FILE, fm::READ) => {
                let p: file::read_params::Reader = msg.get_root().unwrap();
                let mut buf = vec![0; p.get_max() as usize];
                let n = self
                    .store
                    .read(h.node, p.get_offset(), &mut buf, 0)
                    .unwrap();
                reply(message::build::<file::read_results::Owned>(|mut r| {
                    r.set_data(&buf[..n])
                }))
            }
            (interface_id::FILE, fm::WRITE) => {
                let p: file::write_params::Reader = msg.get_root().unwrap();
                let at = if p.get_append() {
                    WriteAt::End
                } else {
                    WriteAt::Offset(p.get_offset())
                };
                let data = p.get_data().unwrap();
                let r = mutate(h).and_then(|()| self.store.write(h.node, at, data, 0));
                reply(message::build::<file::write_results::Owned>(
                    |mut w| match r {
                        Ok((n, end)) => {
                            w.set_written(n as u32);
                            w.set_end(end);
                        }
                        Err(e) => w.set_error(schema_error(Err(e))),
                    },
                ))
            }
            (interface_id::FILE, fm::SIZE) => {
                let size = self.store.stat(h.node).unwrap().size;
                reply(message::build::<file::size_results::Owned>(|mut r| {
                    r.set_size(size)
                }))
            }
            _ => Outcome::Error(capos_abi::error::INVALID_METHOD),
        }
    }
}

/// A ring whose CALLs a fresh store serves; returns the root's capability.
fn serve() -> (SharedRing, Cap) {
    let store = Store::new(
        1,
        Limits {
            data_bytes: 1 << 20,
            meta_bytes: 1 << 20,
        },
        0,
    )
    .unwrap();
    let root = store.root();
    let server = Rc::new(RefCell::new(Server {
        store,
        caps: BTreeMap::from([(
            1,
            Handle {
                node: root,
                read_only: false,
            },
        )]),
        next: 2,
    }));
    let (ring, _log) = shared_ring(move |sqe, params| {
        server
            .borrow_mut()
            .call(sqe.interface_id, sqe.method_id, sqe.cap_id, params)
    });
    let cap = Cap::new(1, ring.clone());
    (ring, cap)
}

const CREATE: OpenOptions = OpenOptions {
    create: true,
    exclusive: false,
    truncate: false,
    read_only: false,
    append: false,
};

fn read_all(ns: &Namespace, p: &[u8]) -> Vec<u8> {
    let f = ns.open_file(p, OpenOptions::default()).unwrap();
    let mut buf = vec![0; 256];
    let n = f.read(0, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn paths_resolve_through_the_longest_mount() {
    let (_ring, root) = serve();
    let root = Directory::from_cap(root);
    root.mkdir(b"tmp").unwrap();
    root.mkdir(b"etc").unwrap();
    let etc = root.walk(&[b"etc"]).unwrap();
    etc.open_file(b"motd", CREATE)
        .unwrap()
        .write(0, b"hello")
        .unwrap();
    let tmp = root.walk(&[b"tmp"]).unwrap();
    let mut ns = Namespace::new();
    ns.mount(b"/", root.read_only().unwrap()).unwrap();
    ns.mount(b"/tmp", tmp).unwrap();
    assert_eq!(
        ns.mount(b"/tmp", root.walk(&[]).unwrap()).err(),
        Some(StorageError::Fs(FsError::Exists))
    );
    assert_eq!(
        ns.mount(b"tmp", root.walk(&[]).unwrap()).err(),
        Some(StorageError::Fs(FsError::InvalidName))
    );

    // /tmp is writable, the rest read-only.
    ns.open_file(b"/tmp/a", CREATE)
        .unwrap()
        .write(0, b"x")
        .unwrap();
    assert!(matches!(
        ns.open(b"/etc/new", CREATE),
        Err(StorageError::Fs(FsError::ReadOnly))
    ));
    assert_eq!(read_all(&ns, b"//etc///motd"), b"hello");
    assert_eq!(read_all(&ns, b"/tmp/../etc/./motd"), b"hello");

    // The working directory, and .. through it.
    ns.chdir(b"/tmp").unwrap();
    assert_eq!(ns.cwd(), b"/tmp");
    assert_eq!(read_all(&ns, b"a"), b"x");
    assert_eq!(read_all(&ns, b"../etc/motd"), b"hello");
    assert_eq!(
        ns.chdir(b"a").err(),
        Some(StorageError::Fs(FsError::NotDirectory))
    );
    assert_eq!(
        ns.stat(b"a/").err(),
        Some(StorageError::Fs(FsError::NotDirectory))
    );

    // Renames go through the longest mount covering both paths.
    ns.rename(b"/tmp/a", b"/tmp/b").unwrap();
    assert_eq!(
        ns.stat(b"/tmp/a").err(),
        Some(StorageError::Fs(FsError::NotFound))
    );
    assert_eq!(
        ns.rename(b"/tmp/b", b"/etc/b").err(),
        Some(StorageError::Fs(FsError::ReadOnly))
    );
    assert_eq!(ns.rmdir(b"/tmp").err(), Some(StorageError::Busy));
    let names: Vec<Vec<u8>> = ns.list(b"/").unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, [b"tmp".to_vec(), b"etc".to_vec()]);
}

#[test]
fn a_namespace_of_tmp_alone_reaches_nothing_else() {
    let (_ring, root) = serve();
    let root = Directory::from_cap(root);
    root.mkdir(b"tmp").unwrap();
    root.open_file(b"secret", CREATE).unwrap();
    let mut ns = Namespace::new();
    ns.mount(b"/tmp", root.walk(&[b"tmp"]).unwrap()).unwrap();
    ns.open_file(b"/tmp/mine", CREATE).unwrap();
    for path in [
        &b"/secret"[..],
        b"/tmp/../secret",
        b"/",
        b"/..",
        b"//secret",
        b"/tmpx",
    ] {
        assert_eq!(
            ns.stat(path).err(),
            Some(StorageError::NotCovered),
            "{path:?}"
        );
    }
    ns.chdir(b"/tmp").unwrap();
    for path in [&b"../secret"[..], b"..", b"../../tmp/../secret"] {
        assert_eq!(
            ns.stat(path).err(),
            Some(StorageError::NotCovered),
            "{path:?}"
        );
    }
    assert!(ns.stat(b"mine").is_ok());
    assert_eq!(
        ns.rename(b"mine", b"/elsewhere").err(),
        Some(StorageError::NotCovered)
    );
    // The capability itself refuses names that would step out.
    let tmp = ns.mounted(b"/tmp").unwrap();
    for name in [&b".."[..], b".", b"../secret", b"/secret", b""] {
        assert_eq!(
            tmp.open(name, OpenOptions::default())
                .err()
                .map(|e| e.to_string()),
            Some(StorageError::Fs(FsError::InvalidName).to_string())
        );
    }
    assert_eq!(
        tmp.walk(&[b".."]).err(),
        Some(StorageError::Fs(FsError::InvalidName))
    );
}

#[test]
fn files_read_write_and_list_through_the_clients() {
    let (_ring, root) = serve();
    let root = Directory::from_cap(root);
    let f = root.open_file(b"f", CREATE).unwrap();
    assert_eq!(f.write(0, b"hello").unwrap(), (5, 5));
    assert_eq!(f.append(b", world").unwrap(), (7, 12));
    assert_eq!(f.size().unwrap(), 12);
    let ro = root
        .open(
            b"f",
            OpenOptions {
                read_only: true,
                ..OpenOptions::default()
            },
        )
        .unwrap();
    assert!(ro.read_only && !ro.created);
    let Node::File(ro) = ro.node else {
        panic!("a file")
    };
    assert_eq!(
        ro.write(0, b"x").err(),
        Some(StorageError::Fs(FsError::ReadOnly))
    );
    let mut buf = [0u8; 32];
    assert_eq!(ro.read(7, &mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"world");
    for i in 0..300 {
        root.open_file(alloc::format!("n{i}").as_bytes(), CREATE)
            .unwrap();
    }
    let entries = root.entries().unwrap();
    assert_eq!(entries.len(), 301);
    assert_eq!(entries[0].name, b"f");
    assert_eq!(root.stat_at(b"n299").unwrap().kind, Kind::File);
    assert_eq!(
        root.open_file(b"nope", OpenOptions::default()).err(),
        Some(StorageError::Fs(FsError::NotFound))
    );
}

#[test]
fn a_child_given_the_grants_sees_the_same_namespace() {
    let (_ring, root) = serve();
    let root = Directory::from_cap(root);
    root.mkdir(b"tmp").unwrap();
    let tmp = root.walk(&[b"tmp"]).unwrap();
    tmp.mkdir(b"work").unwrap();
    let mut parent = Namespace::new();
    parent.mount(b"/", root.read_only().unwrap()).unwrap();
    parent.mount(b"/tmp", tmp).unwrap();
    parent
        .open_file(b"/tmp/work/note", CREATE)
        .unwrap()
        .write(0, b"shared")
        .unwrap();

    // At the root: the mounts alone.
    let names: Vec<Vec<u8>> = parent.grants().map(|(n, _)| n).collect();
    assert_eq!(names, [b"/".to_vec(), b"/tmp".to_vec()]);

    parent.chdir(b"/tmp/work").unwrap();
    let mut child = Namespace::new();
    for (name, dir) in parent.grants() {
        // What a grant passes: the same capability (a copy of it).
        let dir = dir.walk(&[]).unwrap();
        match name.strip_prefix(super::CWD_GRANT.as_bytes()) {
            Some(at) => child.enter(at, dir).unwrap(),
            None => child.mount(&name, dir).unwrap(),
        }
    }
    assert_eq!(child.cwd(), b"/tmp/work");
    assert_eq!(read_all(&child, b"note"), b"shared");
    assert_eq!(read_all(&child, b"../work/./note"), b"shared");
    // The root stays read-only in the child.
    assert_eq!(
        child.open_file(b"/made", CREATE).err(),
        Some(StorageError::Fs(FsError::ReadOnly))
    );
    assert_eq!(
        child.enter(b"relative", root.walk(&[]).unwrap()).err(),
        Some(StorageError::Fs(FsError::InvalidName))
    );
}
