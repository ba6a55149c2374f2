//! File: an open file of the kernel's file store (docs/interfaces/file.md).
//!
//! The capability names the node, not its name, so it keeps working
//! after an unlink or a rename; the node's data lives until the last copy
//! of the capability goes (kernel/src/fs/handle.rs). What the store does
//! is capos_lib::fs, host-tested; this file decodes, applies the facet's
//! rule, and encodes.

use alloc::vec::Vec;

use capnp::message::{Builder, HeapAllocator};
use capos_lib::fs::{FsError, Kind, READ_OVERHEAD, TimeChange, WriteAt, facet};
use capos_schema::capos_capnp::{FsError as SchemaError, file, time_change};
use capos_schema::interface_id;
use capos_schema::method::file as method;

use super::{
    CallCtx, CallError, CapObject, Params, Reply, check_cap_reply, encode, insert_cap_reply,
    new_message,
};
use crate::fs::handle::{Handle, charge_object, check_fits, open_cap, schema_error, set_stat};
use crate::fs::now;

pub struct File(pub Handle);

impl File {
    fn read(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: file::read_params::Reader = params.get_root()?;
        // As much as fits the caller's result buffer: the data is padded
        // to whole words after READ_OVERHEAD bytes of framing.
        let fits = (ctx.result_capacity as usize).saturating_sub(READ_OVERHEAD) & !7;
        let max = (p.get_max() as usize).min(fits);
        if max == 0 && p.get_max() != 0 {
            return Err(CallError::ResultTooSmall(READ_OVERHEAD + 8));
        }
        let mut store = self.0.store.lock();
        let n = match store.readable(self.0.node, p.get_offset(), max) {
            Ok(n) => n,
            Err(e) => {
                drop(store);
                return Ok(Reply::Done(encode_read_error(e)));
            }
        };
        // One segment holding everything, so the result is at most
        // READ_OVERHEAD bytes plus the padded data (what was promised fits).
        let words = (READ_OVERHEAD - 8) / 8 + n.div_ceil(8);
        let mut message = Builder::new(HeapAllocator::new().first_segment_words(words as u32));
        let mut r = message.init_root::<file::read_results::Builder>();
        r.set_error(SchemaError::Ok);
        let data = r.init_data(n as u32);
        let result = store.read(self.0.node, p.get_offset(), data, now());
        drop(store);
        match result {
            Ok(_) => Ok(Reply::Done(encode(&message))),
            Err(e) => Ok(Reply::Done(encode_read_error(e))),
        }
    }

    fn write(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: file::write_params::Reader = params.get_root()?;
        let data = p.get_data()?;
        check_fits(ctx, &encode_write(Ok((0, 0))))?;
        let at = match (p.get_append(), p.get_offset()) {
            (false, offset) => Ok(WriteAt::Offset(offset)),
            (true, 0) => Ok(WriteAt::End),
            (true, _) => Err(FsError::InvalidArgument),
        };
        let result = facet::mutate(self.0.read_only)
            .and(at)
            .and_then(|at| self.0.store.lock().write(self.0.node, at, data, now()));
        Ok(Reply::Done(encode_write(result)))
    }

    fn size(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let result = self.0.store.lock().stat(self.0.node).map(|s| s.size);
        let mut message = new_message();
        let mut r = message.init_root::<file::size_results::Builder>();
        r.set_error(schema_error(result.map(drop)));
        r.set_size(result.unwrap_or(0));
        let bytes = encode(&message);
        check_fits(ctx, &bytes)?;
        Ok(Reply::Done(bytes))
    }

    fn stat(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let result = self.0.store.lock().stat(self.0.node);
        let mut message = new_message();
        let mut r = message.init_root::<file::stat_results::Builder>();
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

    /// The manifest binary this file still holds unchanged, by name.
    fn binary(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let bytes = self.0.store.lock().boot_bytes(self.0.node);
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
        let result =
            facet::mutate(self.0.read_only).and_then(|()| op(&mut self.0.store.lock(), now()));
        Ok(Reply::Done(encode_error(result)))
    }

    fn read_only(&self, ctx: &mut CallCtx) -> Result<Reply, CallError> {
        let encode = |_id: u32| encode_error(Ok(()));
        check_cap_reply(ctx, &encode)?;
        let charge = charge_object(ctx)?;
        match open_cap(&self.0.store, self.0.node, Kind::File, true, charge) {
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
            method::READ => self.read(ctx, params),
            method::WRITE => self.write(ctx, params),
            method::SIZE => {
                let _: file::size_params::Reader = params.get_root()?;
                self.size(ctx)
            }
            method::TRUNCATE => {
                let p: file::truncate_params::Reader = params.get_root()?;
                let node = self.0.node;
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
                let node = self.0.node;
                self.change(ctx, |s, now| s.set_mode(node, p.get_mode(), now))
            }
            method::SET_TIMES => {
                let p: file::set_times_params::Reader = params.get_root()?;
                let accessed = time_change(p.get_accessed()?)?;
                let modified = time_change(p.get_modified()?)?;
                let node = self.0.node;
                self.change(ctx, |s, now| s.set_times(node, accessed, modified, now))
            }
            method::BINARY => {
                let _: file::binary_params::Reader = params.get_root()?;
                self.binary(ctx)
            }
            _ => Err(CallError::InvalidMethod),
        }
    }
}
