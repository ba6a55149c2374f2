//! BootPackage: read-only access to the boot manifest, for init.

use alloc::format;

use capos_schema::ExceptionType;
use capos_schema::capos_capnp::boot_package;
use capos_schema::interface_id;

use super::{CallCtx, CallError, CapObject, Params, Reply, encode, new_message};

/// Most bytes one readManifest call returns, so every reply fits a modest
/// result buffer and no call copies megabytes at once.
pub const MAX_CHUNK: u32 = 16 * 1024;

pub struct BootPackage;

impl CapObject for BootPackage {
    fn interface_id(&self) -> u64 {
        interface_id::BOOT_PACKAGE
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        let raw = ctx.kernel.manifest.raw;
        let mut message = new_message();
        match method {
            0 => {
                let _: boot_package::manifest_size_params::Reader = params.get_root()?;
                message
                    .init_root::<boot_package::manifest_size_results::Builder>()
                    .set_size(raw.len() as u64);
            }
            1 => {
                let p: boot_package::read_manifest_params::Reader = params.get_root()?;
                let offset = p.get_offset();
                if offset > raw.len() as u64 {
                    return Err(CallError::Exception(
                        ExceptionType::Failed,
                        format!("offset {offset} is past the manifest's {} bytes", raw.len()),
                    ));
                }
                let start = offset as usize;
                let len = (p.get_max_bytes().min(MAX_CHUNK) as usize).min(raw.len() - start);
                message
                    .init_root::<boot_package::read_manifest_results::Builder>()
                    .set_data(&raw[start..start + len]);
            }
            _ => return Err(CallError::InvalidMethod),
        }
        Ok(Reply::Done(encode(&message)))
    }
}
