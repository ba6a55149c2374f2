//! An owned capability: an id in this process's table that is released
//! when its owner drops it.

use crate::client::{CallRequest, DEFAULT_RESULT_BYTES, SharedRing};
use crate::error::Error;
use crate::message;
use crate::pending::PendingCall;
use crate::reply::Reply;
use capnp::traits::Owned;
use core::fmt;

/// One capability id, owned.
///
/// Dropping it queues a RELEASE that reaches the kernel at this process's
/// next `cap_enter` (any later call or wait, or the flush the runtime does
/// after `main` returns); [`Cap::release`] releases at once and reports the
/// outcome.
pub struct Cap {
    id: u32,
    ring: SharedRing,
    released: bool,
}

impl Cap {
    /// Takes ownership of `id`, which must be live in this process's table
    /// and owned by nothing else.
    pub(crate) fn new(id: u32, ring: SharedRing) -> Self {
        Cap {
            id,
            ring,
            released: false,
        }
    }

    /// The raw id, as carried in SQEs and spawn grants.
    pub fn id(&self) -> u32 {
        self.id
    }

    pub(crate) fn ring(&self) -> &SharedRing {
        &self.ring
    }

    /// Gives up ownership without releasing: for a capability being moved
    /// to another process, whose slot the kernel now manages.
    pub(crate) fn into_raw(mut self) -> u32 {
        self.released = true;
        self.id
    }

    fn request<P: Owned>(
        &self,
        interface_id: u64,
        method_id: u16,
        result_bytes: usize,
        fill: impl FnOnce(P::Builder<'_>),
    ) -> CallRequest {
        CallRequest {
            cap_id: self.id,
            interface_id,
            method_id,
            params: message::build::<P>(fill),
            result_bytes,
        }
    }

    /// Calls method `method_id` of `interface_id` with params of type `P`
    /// and waits for the result. The interface id comes from the typed
    /// client, so a capability of another interface is refused by the
    /// kernel instead of running the wrong method.
    pub fn call<P: Owned>(
        &self,
        interface_id: u64,
        method_id: u16,
        fill: impl FnOnce(P::Builder<'_>),
    ) -> Result<Reply, Error> {
        self.call_sized::<P>(interface_id, method_id, DEFAULT_RESULT_BYTES, fill)
    }

    /// [`Cap::call`] with a result buffer of `result_bytes`, for methods
    /// whose results can be larger than [`DEFAULT_RESULT_BYTES`].
    pub(crate) fn call_sized<P: Owned>(
        &self,
        interface_id: u64,
        method_id: u16,
        result_bytes: usize,
        fill: impl FnOnce(P::Builder<'_>),
    ) -> Result<Reply, Error> {
        let request = self.request::<P>(interface_id, method_id, result_bytes, fill);
        let completion = self.ring.borrow_mut().call(request)?;
        Reply::from_completion(completion)
    }

    /// Like [`Cap::call`] but returns as soon as the call is queued; the
    /// kernel sees it at the next `cap_enter`.
    pub fn submit<P: Owned>(
        &self,
        interface_id: u64,
        method_id: u16,
        fill: impl FnOnce(P::Builder<'_>),
    ) -> Result<PendingCall, Error> {
        let request = self.request::<P>(interface_id, method_id, DEFAULT_RESULT_BYTES, fill);
        let mut ring = self.ring.borrow_mut();
        ring.make_room(1)?;
        let token = ring.submit_call(request)?;
        Ok(PendingCall::new(token, self.ring.clone()))
    }

    /// [`Cap::submit`] with a result buffer of `result_bytes`.
    pub(crate) fn submit_sized<P: Owned>(
        &self,
        interface_id: u64,
        method_id: u16,
        result_bytes: usize,
        fill: impl FnOnce(P::Builder<'_>),
    ) -> Result<PendingCall, Error> {
        let request = self.request::<P>(interface_id, method_id, result_bytes, fill);
        let mut ring = self.ring.borrow_mut();
        ring.make_room(1)?;
        let token = ring.submit_call(request)?;
        Ok(PendingCall::new(token, self.ring.clone()))
    }

    /// Releases the capability now and waits for the kernel's answer.
    pub fn release(mut self) -> Result<(), Error> {
        self.released = true;
        let mut ring = self.ring.borrow_mut();
        ring.make_room(1)?;
        let token = ring.submit_release(self.id)?;
        let completion = ring.wait_for(token)?;
        match completion.cqe.result {
            0 => Ok(()),
            code => Err(Error::Transport(code)),
        }
    }
}

impl fmt::Debug for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cap({:#x})", self.id)
    }
}

impl Drop for Cap {
    fn drop(&mut self) {
        if !self.released {
            self.ring.borrow_mut().release_detached(self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_kernel::{Outcome, shared_ring};
    use capos_abi::error;
    use capos_schema::timer;

    #[test]
    fn drop_and_release_both_reach_the_kernel() {
        let (ring, log) = shared_ring(|_, _| Outcome::Error(error::INVALID_CAP));
        Cap::new(5, ring.clone()).release().unwrap();
        assert_eq!(log.borrow().released, [5]);
        let dropped = Cap::new(6, ring.clone());
        drop(dropped);
        let other = Cap::new(7, ring.clone());
        // The queued release goes out with the next call, ahead of it.
        let got = other.call::<timer::now_params::Owned>(1, 0, |_| {});
        assert_eq!(got.unwrap_err(), Error::Transport(error::INVALID_CAP));
        assert_eq!(log.borrow().released, [5, 6]);
    }
}
