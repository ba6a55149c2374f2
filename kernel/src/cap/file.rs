//! File: an open file of the kernel's file store (docs/interfaces/file.md).
//!
//! The capability names the node, not its name, so it keeps working
//! after an unlink or a rename; the node's data lives until the last copy
//! of the capability goes (kernel/src/fs/handle.rs). What the store does
//! is capos_lib::fs, host-tested; this file decodes, applies the facet's
//! rule, and encodes.
//!
//! Each object is also one open file description: the offset and append
//! flag of the cursor methods. Copies of the capability (grants to a
//! child, a copied table) are the same object, so they move one offset,
//! as a parent and child sharing a descriptor do on POSIX systems.

use alloc::vec::Vec;

use capnp::message::{Builder, HeapAllocator};
use capos_lib::fs::cursor::{self, Cursor};
use capos_lib::fs::{Device, FsError, Kind, READ_OVERHEAD, TimeChange, WriteAt, facet};
use capos_schema::capos_capnp::{FsError as SchemaError, Whence, file, time_change};
use capos_schema::interface_id;
use capos_schema::method::file as method;

use super::{
    CallCtx, CallError, CapObject, Params, Reply, check_cap_reply, encode, insert_cap_reply,
    new_message,
};
use crate::fs::handle::{Handle, charge_object, check_fits, open_cap, schema_error, set_stat};
use crate::fs::now;
use spin::Mutex;

pub struct File {
    handle: Handle,
    /// Locked before the store, for the whole of a cursor method, so
    /// two of them on one description never interleave.
    cursor: Mutex<Cursor>,
}

impl File {
    /// A new description of `handle`'s node, at offset 0.
    pub fn new(handle: Handle, append: bool) -> Self {
        File {
            handle,
            cursor: Mutex::new(Cursor::new(append)),
        }
    }

    /// `read` at `offset` (READ) and `readNext` (READ_NEXT at the
    /// cursor) share this: the reply, and how many bytes it holds.
    /// readNext's results have read's layout.
    fn read(&self, ctx: &mut CallCtx, offset: u64, max: u32) -> Result<(Reply, u64), CallError> {
        // As much as fits the caller's result buffer: the data is padded
        // to whole words after READ_OVERHEAD bytes of framing.
        let fits = (ctx.result_capacity as usize).saturating_sub(READ_OVERHEAD) & !7;
        let asked = max;
        let max = (max as usize).min(fits);
        if max == 0 && asked != 0 {
            return Err(CallError::ResultTooSmall(READ_OVERHEAD + 8));
        }
        let mut store = self.handle.store.lock();
        let n = match store.readable(self.handle.node, offset, max) {
            Ok(n) => n,
            Err(e) => {
                drop(store);
                return Ok((Reply::Done(encode_read_error(e)), 0));
            }
        };
        // One segment holding everything, so the result is at most
        // READ_OVERHEAD bytes plus the padded data (what was promised fits).
        let words = (READ_OVERHEAD - 8) / 8 + n.div_ceil(8);
        let mut message = Builder::new(HeapAllocator::new().first_segment_words(words as u32));
        let mut r = message.init_root::<file::read_results::Builder>();
        r.set_error(SchemaError::Ok);
        let data = r.init_data(n as u32);
        let urandom = store.device(self.handle.node) == Ok(Some(Device::Urandom));
        let result = store.read(self.handle.node, offset, data, now());
        drop(store);
        if urandom && result.is_ok() {
            super::entropy_source::fill(data)?;
        }
        match result {
            Ok(_) => Ok((Reply::Done(encode(&message)), n as u64)),
            Err(e) => Ok((Reply::Done(encode_read_error(e)), 0)),
        }
    }

    fn read_next(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: file::read_next_params::Reader = params.get_root()?;
        let mut cursor = self.cursor.lock();
        let (reply, n) = self.read(ctx, cursor.offset, p.get_max())?;
        cursor.offset += n;
        Ok(reply)
    }

    /// `write` at `at` (WRITE) and `writeNext` (WRITE_NEXT) share this;
    /// writeNext's results have write's layout.
    fn write(
        &self,
        ctx: &mut CallCtx,
        at: Result<WriteAt, FsError>,
        data: &[u8],
    ) -> Result<Result<(usize, u64), FsError>, CallError> {
        check_fits(ctx, &encode_write(Ok((0, 0))))?;
        Ok(facet::mutate(self.handle.read_only).and(at).and_then(|at| {
            self.handle
                .store
                .lock()
                .write(self.handle.node, at, data, now())
        }))
    }

    fn write_next(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: file::write_next_params::Reader = params.get_root()?;
        let mut cursor = self.cursor.lock();
        let result = self.write(ctx, Ok(cursor.write_at()), p.get_data()?)?;
        if let Ok((_, end)) = result {
            cursor.offset = end;
        }
        Ok(Reply::Done(encode_write(result)))
    }

    fn seek(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: file::seek_params::Reader = params.get_root()?;
        let whence = p.get_whence().map_err(|_| CallError::Malformed)?;
        check_fits(ctx, &encode_seek(Ok(0)))?;
        let whence = match whence {
            Whence::Start => cursor::Whence::Start,
            Whence::Current => cursor::Whence::Current,
            Whence::End => cursor::Whence::End,
        };
        let size = || {
            let store = self.handle.store.lock();
            store.stat(self.handle.node).map(|s| s.size)
        };
        let result = self.cursor.lock().seek(p.get_offset(), whence, size);
        Ok(Reply::Done(encode_seek(result)))
    }

    fn description(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let cursor = *self.cursor.lock();
        let mut message = new_message();
        let mut r = message.init_root::<file::description_results::Builder>();
        r.set_error(SchemaError::Ok);
        r.set_offset(cursor.offset);
        r.set_append(cursor.append);
        r.set_read_only(self.handle.read_only);
        let bytes = encode(&message);
        check_fits(ctx, &bytes)?;
        Ok(Reply::Done(bytes))
    }

    fn size(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let result = self
            .handle
            .store
            .lock()
            .stat(self.handle.node)
            .map(|s| s.size);
        let mut message = new_message();
        let mut r = message.init_root::<file::size_results::Builder>();
        r.set_error(schema_error(result.map(drop)));
        r.set_size(result.unwrap_or(0));
        let bytes = encode(&message);
        check_fits(ctx, &bytes)?;
        Ok(Reply::Done(bytes))
    }

    fn stat(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let result = self.handle.store.lock().stat(self.handle.node);
        let mut message = new_message();
        let mut r = message.init_root::<file::stat_results::Builder>();
        match result {
            Ok(stat) => {
                r.set_error(SchemaError::Ok);
                set_stat(r.init_stat(), &stat, self.handle.read_only);
            }
            Err(e) => r.set_error(schema_error(Err(e))),
        }
        let bytes = encode(&message);
        check_fits(ctx, &bytes)?;
        Ok(Reply::Done(bytes))
    }

    /// The manifest binary this file still holds unchanged, by name.
    fn binary(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let bytes = self.handle.store.lock().boot_bytes(self.handle.node);
        let name = match bytes {
            Ok(Some(bytes)) => Ok(ctx.kernel.manifest.binary_at(bytes).unwrap_or("")),
            Ok(None) => Ok(""),
            Err(e) => Err(e),
        };
        let mut message = new_message();
        let mut r = message.init_root::<file::binary_results::Builder>();
        r.set_error(schema_error(name.map(drop)));
        r.set_name(name.unwrap_or(""));
        let bytes = encode(&message);
        check_fits(ctx, &bytes)?;
        Ok(Reply::Done(bytes))
    }

    /// A change of the node that a read-only facet may not make.
    fn change(
        &self,
        ctx: &mut CallCtx,
        op: impl FnOnce(&mut capos_lib::fs::Store<crate::fs::FramePage>, u64) -> Result<(), FsError>,
    ) -> Result<Reply, CallError> {
        check_fits(ctx, &encode_error(Ok(())))?;
        let result = facet::mutate(self.handle.read_only)
            .and_then(|()| op(&mut self.handle.store.lock(), now()));
        Ok(Reply::Done(encode_error(result)))
    }

    fn read_only(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let encode = |_id: u32| encode_error(Ok(()));
        check_cap_reply(ctx, &encode)?;
        let charge = charge_object(ctx)?;
        // A new description, as a new open is.
        match open_cap(
            &self.handle.store,
            self.handle.node,
            Kind::File,
            true,
            false,
            charge,
        ) {
            Ok(object) => insert_cap_reply(ctx, object, &encode),
            Err(e) => Ok(Reply::Done(encode_error(Err(e)))),
        }
    }
}

fn encode_read_error(e: FsError) -> Vec<u8> {
    let mut message = new_message();
    message
        .init_root::<file::read_results::Builder>()
        .set_error(schema_error(Err(e)));
    encode(&message)
}

fn encode_seek(result: Result<u64, FsError>) -> Vec<u8> {
    let mut message = new_message();
    let mut r = message.init_root::<file::seek_results::Builder>();
    r.set_error(schema_error(result.map(drop)));
    r.set_offset(result.unwrap_or(0));
    encode(&message)
}

fn encode_write(result: Result<(usize, u64), FsError>) -> Vec<u8> {
    let mut message = new_message();
    let mut r = message.init_root::<file::write_results::Builder>();
    r.set_error(schema_error(result.map(drop)));
    if let Ok((written, end)) = result {
        r.set_written(written as u32);
        r.set_end(end);
    }
    encode(&message)
}

/// A result struct holding only `error` (truncate, sync, readOnly,
/// setMode, setTimes have this layout).
fn encode_error(result: Result<(), FsError>) -> Vec<u8> {
    let mut message = new_message();
    message
        .init_root::<file::truncate_results::Builder>()
        .set_error(schema_error(result));
    encode(&message)
}

fn time_change(t: time_change::Reader) -> Result<TimeChange, CallError> {
    Ok(match t.which().map_err(|_| CallError::Malformed)? {
        time_change::Keep(()) => TimeChange::Keep,
        time_change::Now(()) => TimeChange::Now,
        time_change::Ns(ns) => TimeChange::Ns(ns),
    })
}

impl CapObject for File {
    fn interface_id(&self) -> u64 {
        interface_id::FILE
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            method::READ => {
                let p: file::read_params::Reader = params.get_root()?;
                self.read(ctx, p.get_offset(), p.get_max())
                    .map(|(reply, _)| reply)
            }
            method::WRITE => {
                let p: file::write_params::Reader = params.get_root()?;
                let at = match (p.get_append(), p.get_offset()) {
                    (false, offset) => Ok(WriteAt::Offset(offset)),
                    (true, 0) => Ok(WriteAt::End),
                    (true, _) => Err(FsError::InvalidArgument),
                };
                let result = self.write(ctx, at, p.get_data()?)?;
                Ok(Reply::Done(encode_write(result)))
            }
            method::SIZE => {
                let _: file::size_params::Reader = params.get_root()?;
                self.size(ctx)
            }
            method::TRUNCATE => {
                let p: file::truncate_params::Reader = params.get_root()?;
                let node = self.handle.node;
                self.change(ctx, |s, now| s.truncate(node, p.get_size(), now))
            }
            method::STAT => {
                let _: file::stat_params::Reader = params.get_root()?;
                self.stat(ctx)
            }
            method::SYNC => {
                let _: file::sync_params::Reader = params.get_root()?;
                // A RAM store: what was written is already all it will be.
                check_fits(ctx, &encode_error(Ok(())))?;
                Ok(Reply::Done(encode_error(Ok(()))))
            }
            method::READ_ONLY => {
                let _: file::read_only_params::Reader = params.get_root()?;
                self.read_only(ctx)
            }
            method::SET_MODE => {
                let p: file::set_mode_params::Reader = params.get_root()?;
                let node = self.handle.node;
                self.change(ctx, |s, now| s.set_mode(node, p.get_mode(), now))
            }
            method::SET_TIMES => {
                let p: file::set_times_params::Reader = params.get_root()?;
                let accessed = time_change(p.get_accessed()?)?;
                let modified = time_change(p.get_modified()?)?;
                let node = self.handle.node;
                self.change(ctx, |s, now| s.set_times(node, accessed, modified, now))
            }
            method::BINARY => {
                let _: file::binary_params::Reader = params.get_root()?;
                self.binary(ctx)
            }
            method::READ_NEXT => self.read_next(ctx, params),
            method::WRITE_NEXT => self.write_next(ctx, params),
            method::SEEK => self.seek(ctx, params),
            method::SET_APPEND => {
                let p: file::set_append_params::Reader = params.get_root()?;
                check_fits(ctx, &encode_error(Ok(())))?;
                self.cursor.lock().append = p.get_append();
                Ok(Reply::Done(encode_error(Ok(()))))
            }
            method::DESCRIPTION => {
                let _: file::description_params::Reader = params.get_root()?;
                self.description(ctx)
            }
            _ => Err(CallError::InvalidMethod),
        }
    }
}
