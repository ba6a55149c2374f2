//! EntropySource: random bytes from the CPU's RDRAND generator.
//!
//! RDRAND is a conditioned, reseeded DRBG in hardware (QEMU's TCG backs it
//! with the host's getrandom), so the kernel hands its output out as it is
//! rather than stretching it in software. A CPU without RDRAND, or one
//! whose generator keeps failing, gets an exception: no weak substitute.

use alloc::format;
use alloc::vec;
use core::arch::x86_64::_rdrand64_step;

use capos_schema::ExceptionType;
use capos_schema::capos_capnp::entropy_source;
use capos_schema::interface_id;

use super::{CallCtx, CallError, CapObject, Params, Reply, encode, new_message};
use crate::arch::cpu;

/// Most bytes one call returns.
pub const MAX_FILL: u32 = 4096;
/// RDRAND may transiently fail; Intel's guidance is ten retries.
const RETRIES: u32 = 10;

pub struct EntropySource;

fn has_rdrand() -> bool {
    cpu::cpuid(1, 0)[2] & (1 << 30) != 0
}

fn random_u64() -> Option<u64> {
    let mut value = 0;
    for _ in 0..RETRIES {
        // SAFETY: only called after has_rdrand() confirmed the instruction.
        if unsafe { _rdrand64_step(&mut value) } == 1 {
            return Some(value);
        }
    }
    None
}

/// Fills `out` from RDRAND (also /dev/urandom's reads).
pub fn fill(out: &mut [u8]) -> Result<(), CallError> {
    if !has_rdrand() {
        return Err(CallError::Exception(
            ExceptionType::Unimplemented,
            "this CPU has no RDRAND generator".into(),
        ));
    }
    for chunk in out.chunks_mut(8) {
        let value = random_u64().ok_or_else(|| {
            CallError::Exception(ExceptionType::Overloaded, "RDRAND keeps failing".into())
        })?;
        chunk.copy_from_slice(&value.to_le_bytes()[..chunk.len()]);
    }
    Ok(())
}

impl CapObject for EntropySource {
    fn interface_id(&self) -> u64 {
        interface_id::ENTROPY_SOURCE
    }

    fn call(&self, _: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        if method != 0 {
            return Err(CallError::InvalidMethod);
        }
        let p: entropy_source::fill_params::Reader = params.get_root()?;
        let bytes = p.get_bytes();
        if bytes > MAX_FILL {
            return Err(CallError::Exception(
                ExceptionType::Failed,
                format!("{bytes} bytes asked, at most {MAX_FILL} per call"),
            ));
        }
        let mut data = vec![0; bytes as usize];
        fill(&mut data)?;
        let mut message = new_message();
        message
            .init_root::<entropy_source::fill_results::Builder>()
            .set_data(&data);
        Ok(Reply::Done(encode(&message)))
    }
}
