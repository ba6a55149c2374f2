//! A read-only directory of synthetic files, served by a process through
//! the same Directory and File interfaces the kernel's store implements
//! (docs/interfaces/directory.md): the proof that a client cannot tell a
//! userspace server from the kernel.
//!
//! The directory is one Endpoint; each file is one more (Endpoints carry
//! no badge, so a call says which file it is for only by the Endpoint it
//! arrives on). Opening a file moves a new client facet of the file's
//! Endpoint back with the reply, as its capability record. Every file's
//! bytes are made when it is read ([`Source::render`]); every mutation is
//! `readOnly`, as through a read-only facet of the kernel's store.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use capos_lib::fs::{FsError, MAX_LIST, name};
use capos_rt::{Endpoint, Error, ExceptionType, Incoming, Transfer};
use capos_schema::method::{directory as dir_method, file as file_method};
use capos_schema::{FsError as SchemaError, NodeKind, directory, file, node_stat};

/// NodeStat.store of this server's nodes ("proc").
pub const STORE: u64 = 0x7072_6f63;

/// Where a file's bytes come from.
pub trait Source {
    fn name(&self) -> &str;
    /// The file's bytes now.
    fn render(&self) -> String;
}

fn schema_error(e: FsError) -> SchemaError {
    match e {
        FsError::NotFound => SchemaError::NotFound,
        FsError::Exists => SchemaError::Exists,
        FsError::NotDirectory => SchemaError::NotDirectory,
        FsError::IsDirectory => SchemaError::IsDirectory,
        FsError::NotEmpty => SchemaError::NotEmpty,
        FsError::ReadOnly => SchemaError::ReadOnly,
        FsError::NoSpace => SchemaError::NoSpace,
        FsError::NameTooLong => SchemaError::NameTooLong,
        FsError::InvalidName => SchemaError::InvalidName,
        FsError::InvalidArgument => SchemaError::InvalidArgument,
        FsError::FileTooLarge => SchemaError::FileTooLarge,
        FsError::CrossTree => SchemaError::CrossTree,
    }
}

fn set_stat(mut s: node_stat::Builder<'_>, kind: NodeKind, size: u64, node: u64) {
    s.set_kind(kind);
    s.set_size(size);
    s.set_node(node);
    s.set_store(STORE);
    s.set_links(1);
    s.set_mode(if kind == NodeKind::Directory {
        0o555
    } else {
        0o444
    });
    s.set_read_only(true);
}

/// Answers with a result struct that holds only `error` (every such
/// result has the same layout).
fn reply_error(ep: &Endpoint, call: &Incoming, e: Option<FsError>) -> Result<(), Error> {
    ep.reply::<directory::mkdir_results::Owned>(
        call.call_id,
        |mut r| r.set_error(e.map_or(SchemaError::Ok, schema_error)),
        vec![],
    )
    .map_err(|e| e.error)
}

/// Answers with a new client facet of `of` as the reply's capability.
fn reply_cap<R: capnp::traits::Owned>(
    ep: &Endpoint,
    call: &Incoming,
    of: &Endpoint,
    fill: impl FnOnce(R::Builder<'_>),
) -> Result<(), Error> {
    let client = of.client()?;
    ep.reply::<R>(call.call_id, fill, vec![Transfer::Move(client.into_cap())])
        .map_err(|e| e.error)
}

/// The directory and its files' Endpoints.
pub struct Tree<S> {
    pub dir: Endpoint,
    pub files: Vec<(S, Endpoint)>,
}

impl<S: Source> Tree<S> {
    fn find(&self, name: &[u8]) -> Result<usize, FsError> {
        name::check(name)?;
        self.files
            .iter()
            .position(|(s, _)| s.name().as_bytes() == name)
            .ok_or(FsError::NotFound)
    }

    /// Answers one call made on the directory's Endpoint.
    pub fn directory_call(&self, call: &Incoming) -> Result<(), Error> {
        let ep = &self.dir;
        match call.method_id {
            dir_method::OPEN => {
                let (name, create, exclusive, truncate) =
                    call.params.read::<directory::open_params::Owned, _>(|p| {
                        Ok((
                            Vec::from(p.get_name()?.as_bytes()),
                            p.get_create(),
                            p.get_exclusive(),
                            p.get_truncate(),
                        ))
                    })?;
                // The kernel's read-only facet rule (capos_lib::fs::facet).
                let found = if exclusive && !create {
                    Err(FsError::InvalidArgument)
                } else {
                    match self.find(&name) {
                        Ok(_) if create && exclusive => Err(FsError::Exists),
                        Err(FsError::NotFound) if create => Err(FsError::ReadOnly),
                        Ok(_) if truncate => Err(FsError::ReadOnly),
                        other => other,
                    }
                };
                match found {
                    Ok(i) => reply_cap::<directory::open_results::Owned>(
                        ep,
                        call,
                        &self.files[i].1,
                        |mut r| {
                            r.set_error(SchemaError::Ok);
                            r.set_kind(NodeKind::File);
                            r.set_read_only(true);
                        },
                    ),
                    Err(e) => reply_error_open(ep, call, e),
                }
            }
            dir_method::MKDIR | dir_method::UNLINK | dir_method::RMDIR | dir_method::RENAME => {
                reply_error(ep, call, Some(FsError::ReadOnly))
            }
            dir_method::LIST => {
                let (cursor, max) = call.params.read::<directory::list_params::Owned, _>(|p| {
                    Ok((p.get_cursor(), p.get_max()))
                })?;
                let start = cursor.min(self.files.len() as u64) as usize;
                let count = (self.files.len() - start).min((max as usize).min(MAX_LIST));
                let end = start + count == self.files.len();
                ep.reply::<directory::list_results::Owned>(
                    call.call_id,
                    |mut r| {
                        r.set_error(SchemaError::Ok);
                        r.set_end(end);
                        let mut list = r.init_entries(count as u32);
                        for (i, (source, _)) in self.files[start..start + count].iter().enumerate()
                        {
                            let mut e = list.reborrow().get(i as u32);
                            e.set_name(source.name());
                            e.set_kind(NodeKind::File);
                            e.set_node((start + i + 2) as u64);
                            e.set_cursor((start + i + 1) as u64);
                        }
                    },
                    vec![],
                )
                .map_err(|e| e.error)
            }
            dir_method::STAT => ep
                .reply::<directory::stat_results::Owned>(
                    call.call_id,
                    |mut r| {
                        r.set_error(SchemaError::Ok);
                        set_stat(
                            r.init_stat(),
                            NodeKind::Directory,
                            self.files.len() as u64,
                            1,
                        );
                    },
                    vec![],
                )
                .map_err(|e| e.error),
            dir_method::STAT_AT => {
                let name = call
                    .params
                    .read::<directory::stat_at_params::Owned, _>(|p| {
                        Ok(Vec::from(p.get_name()?.as_bytes()))
                    })?;
                match self.find(&name) {
                    Ok(i) => {
                        let size = self.files[i].0.render().len() as u64;
                        ep.reply::<directory::stat_at_results::Owned>(
                            call.call_id,
                            |mut r| {
                                r.set_error(SchemaError::Ok);
                                set_stat(r.init_stat(), NodeKind::File, size, i as u64 + 2);
                            },
                            vec![],
                        )
                        .map_err(|e| e.error)
                    }
                    Err(e) => reply_error(ep, call, Some(e)),
                }
            }
            dir_method::WALK => {
                let names = call.params.read::<directory::walk_params::Owned, _>(|p| {
                    let mut names = Vec::new();
                    for n in p.get_names()?.iter() {
                        names.push(Vec::from(n?.as_bytes()));
                    }
                    Ok(names)
                })?;
                match names.first() {
                    None => reply_cap::<directory::walk_results::Owned>(ep, call, ep, |mut r| {
                        r.set_error(SchemaError::Ok)
                    }),
                    Some(first) => {
                        let e = match self.find(first) {
                            Ok(_) => FsError::NotDirectory,
                            Err(e) => e,
                        };
                        reply_error(ep, call, Some(e))
                    }
                }
            }
            dir_method::READ_ONLY => {
                reply_cap::<directory::read_only_results::Owned>(ep, call, ep, |mut r| {
                    r.set_error(SchemaError::Ok)
                })
            }
            _ => ep.reply_exception(
                call.call_id,
                ExceptionType::Unimplemented,
                "no such Directory method",
            ),
        }
    }

    /// Answers one call made on file `index`'s Endpoint.
    pub fn file_call(&self, index: usize, call: &Incoming) -> Result<(), Error> {
        let (source, ep) = &self.files[index];
        match call.method_id {
            file_method::READ => {
                let (offset, max) = call
                    .params
                    .read::<file::read_params::Owned, _>(|p| Ok((p.get_offset(), p.get_max())))?;
                let bytes = source.render().into_bytes();
                let start = offset.min(bytes.len() as u64) as usize;
                let end = start + (bytes.len() - start).min(max as usize);
                ep.reply::<file::read_results::Owned>(
                    call.call_id,
                    |mut r| {
                        r.set_error(SchemaError::Ok);
                        r.set_data(&bytes[start..end]);
                    },
                    vec![],
                )
                .map_err(|e| e.error)
            }
            file_method::WRITE => ep
                .reply::<file::write_results::Owned>(
                    call.call_id,
                    |mut r| r.set_error(SchemaError::ReadOnly),
                    vec![],
                )
                .map_err(|e| e.error),
            file_method::TRUNCATE | file_method::SET_MODE | file_method::SET_TIMES => {
                reply_error(ep, call, Some(FsError::ReadOnly))
            }
            file_method::SYNC => reply_error(ep, call, None),
            file_method::SIZE => {
                let size = source.render().len() as u64;
                ep.reply::<file::size_results::Owned>(
                    call.call_id,
                    |mut r| {
                        r.set_error(SchemaError::Ok);
                        r.set_size(size);
                    },
                    vec![],
                )
                .map_err(|e| e.error)
            }
            file_method::STAT => {
                let size = source.render().len() as u64;
                ep.reply::<file::stat_results::Owned>(
                    call.call_id,
                    |mut r| {
                        r.set_error(SchemaError::Ok);
                        set_stat(r.init_stat(), NodeKind::File, size, index as u64 + 2);
                    },
                    vec![],
                )
                .map_err(|e| e.error)
            }
            file_method::READ_ONLY => {
                reply_cap::<file::read_only_results::Owned>(ep, call, ep, |mut r| {
                    r.set_error(SchemaError::Ok)
                })
            }
            _ => ep.reply_exception(
                call.call_id,
                ExceptionType::Unimplemented,
                "no such File method",
            ),
        }
    }
}

fn reply_error_open(ep: &Endpoint, call: &Incoming, e: FsError) -> Result<(), Error> {
    ep.reply::<directory::open_results::Owned>(
        call.call_id,
        |mut r| r.set_error(schema_error(e)),
        vec![],
    )
    .map_err(|e| e.error)
}
