//! `capos_call`: one raw CALL, for interfaces without typed wrappers.
//!
//! The params are a Cap'n Proto message with standard framing, built by
//! the caller; the result comes back the same way. libcapos copies both:
//! the kernel only ever sees buffers capos-rt owns, so a C buffer needs to
//! live only for the duration of the function that takes it.

use crate::error::{
    CAPOS_E_APPLICATION, CAPOS_E_BAD_ARGUMENT, CAPOS_E_DECODE, CAPOS_E_MESSAGE_TOO_LARGE,
    CAPOS_E_NO_MEMORY, CAPOS_E_RESULT_TOO_SMALL,
};
use crate::ffi::{self, MAX_BYTES};
use crate::heap;
use crate::state::{self, State};
use alloc::vec::Vec;
use capos_rt::{CallRequest, Completion, message};
use core::ffi::c_void;

/// Result capacity libcapos asks the kernel for: the caller's, rounded
/// down to whole words (every Cap'n Proto message is whole words, so no
/// result is lost) and capped at the largest message.
pub fn result_bytes(capacity: usize) -> usize {
    capacity.min(MAX_BYTES) / 8 * 8
}

/// A CALL request carrying a copy of `params`.
pub fn request(
    cap: u32,
    interface_id: u64,
    method_id: u16,
    params: &[u8],
    result_capacity: usize,
) -> Result<CallRequest, i32> {
    if !params.len().is_multiple_of(8) {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    if params.len() > MAX_BYTES {
        return Err(CAPOS_E_MESSAGE_TOO_LARGE);
    }
    let mut words = Vec::new();
    words
        .try_reserve_exact(params.len() / 8)
        .map_err(|_| CAPOS_E_NO_MEMORY)?;
    words.extend(
        params
            .chunks_exact(8)
            .map(|w| u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]])),
    );
    let result_bytes = result_bytes(result_capacity);
    if !heap::can_allocate(result_bytes) {
        return Err(CAPOS_E_NO_MEMORY);
    }
    Ok(CallRequest {
        cap_id: cap,
        interface_id,
        method_id,
        params: words,
        result_bytes,
    })
}

/// Copies a completed CALL's result into `out` and returns the CQE's
/// result: the result length, or a negative code. With
/// `CAPOS_E_APPLICATION`, `out` receives as much of the `CapException` as
/// fits.
pub fn deliver(completion: &Completion, out: &mut [u8]) -> i32 {
    let result = completion.cqe.result;
    let written = message::as_bytes(&completion.result);
    if result == CAPOS_E_APPLICATION {
        let n = written.len().min(out.len());
        out[..n].copy_from_slice(&written[..n]);
        return result;
    }
    let Ok(len) = usize::try_from(result) else {
        return result;
    };
    let Some(message) = written.get(..len) else {
        // The kernel claims more than the buffer it was given.
        return CAPOS_E_DECODE;
    };
    match out.get_mut(..len) {
        Some(dest) => {
            dest.copy_from_slice(message);
            result
        }
        // Only when the caller's capacity was under one word: capos-rt
        // never gives the kernel a buffer smaller than that.
        None => CAPOS_E_RESULT_TOO_SMALL,
    }
}

impl State {
    /// Makes one CALL and waits for it.
    pub fn call(&mut self, request: CallRequest, out: &mut [u8]) -> Result<i32, i32> {
        let completion = self
            .rt
            .ring()
            .call(request)
            .map_err(|e| crate::error::code(&e))?;
        Ok(deliver(&completion, out))
    }
}

/// Calls method `method_id` of interface `interface_id` on capability
/// `cap` and waits for the result. `params` (`params_len` bytes, a multiple
/// of 8) is the framed Cap'n Proto params message; the result message is
/// written to `result` (`result_capacity` bytes).
///
/// Returns the length of the result message (0 or more), or a negative
/// code: a transport code from the kernel (`CAPOS_E_INVALID_CAP` for an id
/// the process does not hold, `CAPOS_E_WRONG_INTERFACE`, ...),
/// `CAPOS_E_APPLICATION` with the serialized `CapException` in `result`, or
/// `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_MESSAGE_TOO_LARGE`, `CAPOS_E_NO_MEMORY`.
/// Any capability id may be named, held by libcapos or not: the kernel
/// checks it. Raw calls transfer no capabilities.
///
/// # Safety
/// `params` must be valid for `params_len` bytes and `result` for
/// `result_capacity` writable bytes (either may be NULL when its length is
/// 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_call(
    cap: u32,
    interface_id: u64,
    method_id: u16,
    params: *const c_void,
    params_len: usize,
    result: *mut c_void,
    result_capacity: usize,
) -> i32 {
    let run = || {
        // SAFETY: both ranges are valid per the contract.
        let (params, out) = unsafe {
            (
                ffi::bytes(params, params_len)?,
                ffi::bytes_mut(result, result_capacity)?,
            )
        };
        let request = request(cap, interface_id, method_id, params, out.len())?;
        state::with(|s| s.call(request, out))
    };
    run().unwrap_or_else(|code| code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_kernel::{Outcome, TestEnv, framed};
    use alloc::vec;
    use capos_abi::error::INVALID_CAP;
    use capos_abi::ring::Cqe;

    #[test]
    fn requests_copy_whole_words_only() {
        let params = framed(&[7]);
        let req = request(3, 9, 1, &params, 13).unwrap();
        assert_eq!(req.params.len() * 8, params.len());
        assert_eq!(req.result_bytes, 8);
        assert_eq!(
            request(3, 9, 1, &[0; 12], 64).err(),
            Some(CAPOS_E_BAD_ARGUMENT)
        );
        let huge = vec![0u8; MAX_BYTES + 8];
        let err = request(3, 9, 1, &huge, 64).err();
        assert_eq!(err, Some(CAPOS_E_MESSAGE_TOO_LARGE));
        assert_eq!(result_bytes(usize::MAX), MAX_BYTES);
    }

    #[test]
    fn delivery_copies_results_and_exceptions() {
        let completion = |result, words: Vec<u64>| Completion {
            cqe: Cqe {
                result,
                ..Cqe::default()
            },
            result: words,
            seq: 0,
        };
        let mut out = [0u8; 16];
        assert_eq!(deliver(&completion(8, vec![5, 6]), &mut out), 8);
        assert_eq!(out[..8], 5u64.to_ne_bytes());
        let exception = completion(CAPOS_E_APPLICATION, vec![1, 2, 3]);
        assert_eq!(deliver(&exception, &mut out), CAPOS_E_APPLICATION);
        assert_eq!(out[8..], 2u64.to_ne_bytes());
        assert_eq!(
            deliver(&completion(INVALID_CAP, vec![]), &mut out),
            INVALID_CAP
        );
        assert_eq!(
            deliver(&completion(24, vec![0; 2]), &mut out),
            CAPOS_E_DECODE
        );
        let mut small = [0u8; 4];
        let got = deliver(&completion(8, vec![1]), &mut small);
        assert_eq!(got, CAPOS_E_RESULT_TOO_SMALL);
    }

    #[test]
    fn calls_reach_the_kernel_and_come_back() {
        let mut env = TestEnv::new(&[], |sqe, params| {
            assert_eq!((sqe.cap_id, sqe.interface_id, sqe.method_id), (4, 77, 2));
            assert_eq!(params, framed(&[42]));
            Outcome::Reply(framed(&[43]))
        });
        let mut state = env.state();
        let mut out = [0u8; 64];
        let req = request(4, 77, 2, &framed(&[42]), out.len()).unwrap();
        let len = state.call(req, &mut out).unwrap();
        assert_eq!(out[..len as usize], framed(&[43]));
    }
}
