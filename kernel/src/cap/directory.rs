//! Directory: a directory of the kernel's file store and the authority
//! over the subtree below it (docs/interfaces/directory.md).
//!
//! What the store does is capos_lib::fs, host-tested; this file decodes
//! params, applies the facet's rule (capos_lib::fs::facet), calls the
//! store under its lock, and encodes results. Capabilities it hands out
//! go back as the reply's capability records, as an Endpoint server's
//! would, so clients treat kernel and userspace directories alike. Every
//! capability object made here is charged to the caller; the store's own
//! records and pages are charged to the store.

use alloc::vec::Vec;

use capnp::message::{Builder, HeapAllocator};
use capos_lib::fs::{self, FsError, Kind, MAX_LIST, NodeId, Open, facet};
use capos_schema::capos_capnp::{FsError as SchemaError, NodeKind, directory};
use capos_schema::interface_id;
use capos_schema::method::directory as method;

use super::{
    CallCtx, CallError, CapObject, Params, Reply, check_cap_reply, encode, insert_cap_reply,
    new_message,
};
use crate::fs::handle::{
    self, Handle, charge_object, check_fits, open_cap, schema_error, schema_kind, set_stat,
};
use crate::fs::{SharedStore, now};

pub struct Directory(pub Handle);

impl Directory {
    /// The capability to the store's root that init is granted.
    pub fn root(store: SharedStore, node: NodeId, charge: capos_lib::account::Charge) -> Self {
        Directory(Handle::new(store, node, false, charge))
    }

    fn store(&self) -> &SharedStore {
        &self.0.store
    }

    fn node(&self) -> NodeId {
        self.0.node
    }

    fn open(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: directory::open_params::Reader = params.get_root()?;
        let name = p.get_name()?.as_bytes();
        let how = Open {
            create: p.get_create(),
            exclusive: p.get_exclusive(),
            truncate: p.get_truncate(),
        };
        let encode_ok = |kind, read_only, created| {
            move |_id: u32| encode_open(Ok(()), kind, read_only, created)
        };
        // The reply and the capability are paid for before anything is
        // created or truncated.
        check_cap_reply(ctx, &encode_ok(NodeKind::File, false, false))?;
        let charge = charge_object(ctx)?;
        let opened = facet::open(
            &mut self.store().lock(),
            self.node(),
            self.0.read_only,
            name,
            how,
            p.get_read_only(),
            now(),
        );
        let opened = match opened {
            Ok(opened) => opened,
            Err(e) => {
                return Ok(Reply::Done(encode_open(
                    Err(e),
                    NodeKind::File,
                    false,
                    false,
                )));
            }
        };
        let object = match open_cap(
            self.store(),
            opened.node,
            opened.kind,
            opened.read_only,
            p.get_append(),
            charge,
        ) {
            Ok(object) => object,
            Err(e) => {
                return Ok(Reply::Done(encode_open(
                    Err(e),
                    NodeKind::File,
                    false,
                    false,
                )));
            }
        };
        let encode = encode_ok(schema_kind(opened.kind), opened.read_only, opened.created);
        insert_cap_reply(ctx, object, &encode)
    }

    /// A mutation by name: mkdir, unlink, rmdir.
    fn mutate(
        &self,
        ctx: &mut CallCtx,
        name: &[u8],
        op: impl FnOnce(&mut fs::Store<crate::fs::FramePage>, NodeId, &[u8], u64) -> Result<(), FsError>,
    ) -> Result<Reply, CallError> {
        check_fits(ctx, &encode_error(Ok(())))?;
        let result = facet::mutate(self.0.read_only)
            .and_then(|()| op(&mut self.store().lock(), self.node(), name, now()));
        Ok(Reply::Done(encode_error(result)))
    }

    fn rename(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: directory::rename_params::Reader = params.get_root()?;
        check_fits(ctx, &encode_error(Ok(())))?;
        let from = handle::names(p.get_from()?)?;
        let to = handle::names(p.get_to()?)?;
        let result = facet::mutate(self.0.read_only).and_then(|()| {
            let (from, to) = (from?, to?);
            self.store().lock().rename(self.node(), &from, &to, now())
        });
        Ok(Reply::Done(encode_error(result)))
    }

    fn list(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: directory::list_params::Reader = params.get_root()?;
        let max = (p.get_max() as usize).min(MAX_LIST);
        let capacity = ctx.result_capacity as usize;
        // Entries are copied out under the lock, then encoded: the first
        // `fit` whose encoding the caller's buffer holds.
        let mut entries: Vec<(Vec<u8>, Kind, NodeId, u64)> = Vec::new();
        let mut size = LIST_BASE;
        let mut refused_first = None;
        let result = self
            .store()
            .lock()
            .list(self.node(), p.get_cursor(), max, |e| {
                let bytes = ENTRY_BYTES + (e.name.len() + 1).next_multiple_of(8);
                if size + bytes > capacity {
                    if entries.is_empty() {
                        refused_first = Some(size + bytes);
                    }
                    return false;
                }
                size += bytes;
                entries.push((e.name.to_vec(), e.kind, e.node, e.cursor));
                true
            });
        if let Some(needed) = refused_first {
            return Err(CallError::ResultTooSmall(needed));
        }
        let end = match result {
            Ok(end) => end,
            Err(e) => {
                let mut message = new_message();
                let mut r = message.init_root::<directory::list_results::Builder>();
                r.set_error(schema_error(Err(e)));
                r.set_end(true);
                return Ok(Reply::Done(encode(&message)));
            }
        };
        let mut message = Builder::new(HeapAllocator::new().first_segment_words((size / 8) as u32));
        let mut r = message.init_root::<directory::list_results::Builder>();
        r.set_error(SchemaError::Ok);
        r.set_end(end);
        let mut list = r.init_entries(entries.len() as u32);
        for (i, (name, kind, node, cursor)) in entries.iter().enumerate() {
            let mut e = list.reborrow().get(i as u32);
            e.set_name(capnp::text::Reader::from(&name[..]));
            e.set_kind(schema_kind(*kind));
            e.set_node(*node);
            e.set_cursor(*cursor);
        }
        let bytes = encode(&message);
        check_fits(ctx, &bytes)?;
        Ok(Reply::Done(bytes))
    }

    fn stat(&self, ctx: &mut CallCtx, name: Option<&[u8]>) -> Result<Reply, CallError> {
        let store = self.store().lock();
        let result = match name {
            None => store.stat(self.node()),
            Some(name) => store.lookup(self.node(), name).and_then(|n| store.stat(n)),
        };
        drop(store);
        let mut message = new_message();
        let mut r = message.init_root::<directory::stat_results::Builder>();
        match result {
            Ok(stat) => {
                r.set_error(SchemaError::Ok);
                set_stat(r.init_stat(), &stat, self.0.read_only);
            }
            Err(e) => r.set_error(schema_error(Err(e))),
        }
        let bytes = encode(&message);
        check_fits(ctx, &bytes)?;
        Ok(Reply::Done(bytes))
    }

    fn walk(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: directory::walk_params::Reader = params.get_root()?;
        let names = handle::names(p.get_names()?)?;
        let encode = |_id: u32| encode_error(Ok(()));
        check_cap_reply(ctx, &encode)?;
        let charge = charge_object(ctx)?;
        let found = names.and_then(|names| self.store().lock().walk(self.node(), names));
        let object = found.and_then(|node| {
            open_cap(
                self.store(),
                node,
                Kind::Directory,
                self.0.read_only,
                false,
                charge,
            )
        });
        match object {
            Ok(object) => insert_cap_reply(ctx, object, &encode),
            Err(e) => Ok(Reply::Done(encode_error(Err(e)))),
        }
    }

    fn read_only(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let encode = |_id: u32| encode_error(Ok(()));
        check_cap_reply(ctx, &encode)?;
        let charge = charge_object(ctx)?;
        match open_cap(
            self.store(),
            self.node(),
            Kind::Directory,
            true,
            false,
            charge,
        ) {
            Ok(object) => insert_cap_reply(ctx, object, &encode),
            Err(e) => Ok(Reply::Done(encode_error(Err(e)))),
        }
    }
}

/// The bytes of a list result besides its entries: segment table, root
/// pointer, the results struct (one data word, one pointer), the list's
/// tag word, and a word of slack.
const LIST_BASE: usize = 8 + 8 + 16 + 8 + 8;
/// One DirEntry's struct: three data words and the name's pointer.
const ENTRY_BYTES: usize = 32;

fn encode_open(
    result: Result<(), FsError>,
    kind: NodeKind,
    read_only: bool,
    created: bool,
) -> Vec<u8> {
    let mut message = new_message();
    let mut r = message.init_root::<directory::open_results::Builder>();
    r.set_error(schema_error(result));
    r.set_kind(kind);
    r.set_read_only(read_only);
    r.set_created(created);
    // Every File of this store is an open file description with its offset.
    r.set_cursor(result.is_ok() && kind == NodeKind::File);
    encode(&message)
}

/// A result struct holding only `error` (mkdir, unlink, rmdir, rename,
/// walk, readOnly all have this layout).
fn encode_error(result: Result<(), FsError>) -> Vec<u8> {
    let mut message = new_message();
    message
        .init_root::<directory::mkdir_results::Builder>()
        .set_error(schema_error(result));
    encode(&message)
}

impl CapObject for Directory {
    fn interface_id(&self) -> u64 {
        interface_id::DIRECTORY
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            method::OPEN => self.open(ctx, params),
            method::MKDIR => {
                let p: directory::mkdir_params::Reader = params.get_root()?;
                let mode = p.get_mode();
                self.mutate(ctx, p.get_name()?.as_bytes(), |s, dir, name, now| {
                    if mode > 0o7777 {
                        return Err(FsError::InvalidArgument);
                    }
                    s.mkdir(dir, name, mode, now).map(drop)
                })
            }
            method::UNLINK => {
                let p: directory::unlink_params::Reader = params.get_root()?;
                self.mutate(ctx, p.get_name()?.as_bytes(), |s, dir, name, now| {
                    s.unlink(dir, name, now)
                })
            }
            method::RMDIR => {
                let p: directory::rmdir_params::Reader = params.get_root()?;
                self.mutate(ctx, p.get_name()?.as_bytes(), |s, dir, name, now| {
                    s.rmdir(dir, name, now)
                })
            }
            method::RENAME => self.rename(ctx, params),
            method::LIST => self.list(ctx, params),
            method::STAT => {
                let _: directory::stat_params::Reader = params.get_root()?;
                self.stat(ctx, None)
            }
            method::STAT_AT => {
                let p: directory::stat_at_params::Reader = params.get_root()?;
                self.stat(ctx, Some(p.get_name()?.as_bytes()))
            }
            method::WALK => self.walk(ctx, params),
            method::READ_ONLY => {
                let _: directory::read_only_params::Reader = params.get_root()?;
                self.read_only(ctx)
            }
            _ => Err(CallError::InvalidMethod),
        }
    }
}
