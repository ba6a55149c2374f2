//! An owned capability: an id in this process's table that is released
//! when its owner drops it.

use crate::client::{CallRequest, CallTarget, DEFAULT_RESULT_BYTES, SharedRing, SyncParams};
use crate::error::Error;
use crate::message;
use crate::pending::PendingCall;
use crate::reply::Reply;
use crate::scratch::root_filler;
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
        let target = CallTarget {
            cap_id: self.id,
            interface_id,
            method_id,
            result_bytes,
        };
        self.call_any(&target, &mut root_filler::<P>(fill))
    }

    /// The body of a synchronous call, not generic over the params type,
    /// so that each typed method adds only its own filling-in code.
    fn call_any(
        &self,
        target: &CallTarget,
        fill: &mut dyn FnMut(capnp::any_pointer::Builder<'_>),
    ) -> Result<Reply, Error> {
        let params = SyncParams::build_any(&self.ring, fill);
        let completion = self.ring.borrow_mut().call_sync(target, params)?;
        Reply::from_completion(completion).map(|reply| reply.recycled_to(&self.ring))
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
    use crate::message;
    use crate::test_kernel::{Outcome, shared_ring};
    use alloc::vec::Vec;
    use capos_abi::error;
    use capos_schema::{console, timer};

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

    /// The text of a logged Console.writeLine params message.
    fn text_of(params: &[u8]) -> alloc::string::String {
        let msg = message::read(params).unwrap();
        let p: console::write_line_params::Reader = msg.get_root().unwrap();
        p.get_text().unwrap().to_str().unwrap().into()
    }

    /// Echoes each call's params back as its result.
    fn echo() -> (
        SharedRing,
        alloc::rc::Rc<core::cell::RefCell<crate::test_kernel::Log>>,
    ) {
        shared_ring(|_, params| Outcome::Reply(params.to_vec()))
    }

    fn reply_text(reply: &Reply) -> alloc::string::String {
        reply
            .read::<console::write_line_params::Owned, _>(|r| {
                Ok(r.get_text()?.to_str().unwrap().into())
            })
            .unwrap()
    }

    fn call_text(cap: &Cap, text: &str) -> alloc::string::String {
        let reply = cap.call::<console::write_line_params::Owned>(1, 0, |mut p| p.set_text(text));
        reply_text(&reply.unwrap())
    }

    #[test]
    fn back_to_back_calls_each_send_and_read_their_own_message() {
        let (ring, log) = echo();
        let cap = Cap::new(3, ring.clone());
        let long = "a text long enough to leave words behind";
        assert_eq!(call_text(&cap, long), long);
        assert_eq!(call_text(&cap, "short"), "short");
        assert_eq!(call_text(&cap, ""), "");
        let log = log.borrow();
        let sent: Vec<_> = log.calls.iter().map(|(_, p)| text_of(p)).collect();
        assert_eq!(sent, [long, "short", ""]);
        // Each params message is exactly what message::build frames.
        let alone =
            message::build::<console::write_line_params::Owned>(|mut p| p.set_text("short"));
        assert_eq!(log.calls[1].1, message::as_bytes(&alone));
    }

    #[test]
    fn a_message_larger_than_the_scratch_still_goes_whole() {
        let (ring, log) = echo();
        let cap = Cap::new(3, ring.clone());
        let big = "x".repeat(5000);
        for _ in 0..2 {
            // Each outgrows the scratch (two segments, framed apart).
            let reply = cap
                .call_sized::<console::write_line_params::Owned>(1, 0, 8192, |mut p| {
                    p.set_text(&big)
                })
                .unwrap();
            let got = reply_text(&reply);
            assert_eq!(got, big);
        }
        assert_eq!(call_text(&cap, "after"), "after");
        let log = log.borrow();
        assert_eq!(text_of(&log.calls[0].1), big);
        assert_eq!(text_of(&log.calls[1].1), big);
        assert_eq!(text_of(&log.calls[2].1), "after");
    }

    #[test]
    fn an_async_submit_between_sync_calls_keeps_its_own_params() {
        // Method 9 completes two enters later, so its params must outlive
        // the synchronous calls made meanwhile.
        let (ring, log) = shared_ring(|sqe, params| match sqe.method_id {
            9 => Outcome::Later(2, params.to_vec()),
            _ => Outcome::Reply(params.to_vec()),
        });
        let cap = Cap::new(3, ring.clone());
        assert_eq!(call_text(&cap, "one"), "one");
        let pending = cap
            .submit::<console::write_line_params::Owned>(1, 9, |mut p| p.set_text("async"))
            .unwrap();
        assert_eq!(call_text(&cap, "two"), "two");
        assert_eq!(call_text(&cap, "three"), "three");
        let reply = pending.wait().unwrap();
        let got = reply_text(&reply);
        assert_eq!(got, "async");
        let log = log.borrow();
        let sent: Vec<_> = log.calls.iter().map(|(_, p)| text_of(p)).collect();
        assert_eq!(sent, ["one", "async", "two", "three"]);
    }

    #[test]
    fn a_call_made_while_filling_in_another_is_sent_whole() {
        let (ring, log) = echo();
        let cap = Cap::new(3, ring.clone());
        let inner = Cap::new(4, ring.clone());
        let reply = cap
            .call::<console::write_line_params::Owned>(1, 0, |mut p| {
                assert_eq!(call_text(&inner, "inner"), "inner");
                p.set_text("outer");
            })
            .unwrap();
        let got = reply_text(&reply);
        assert_eq!(got, "outer");
        assert_eq!(call_text(&cap, "then"), "then");
        let log = log.borrow();
        let sent: Vec<_> = log.calls.iter().map(|(_, p)| text_of(p)).collect();
        assert_eq!(sent, ["inner", "outer", "then"]);
    }

    #[test]
    fn a_reused_result_buffer_shows_only_the_new_result() {
        let (ring, _log) = echo();
        let cap = Cap::new(3, ring.clone());
        let long = call_text(&cap, "a long result that fills several words");
        assert_eq!(long.len(), 38);
        // The buffer came back and is reused; the reply is only its prefix.
        let reply = cap
            .call::<console::write_line_params::Owned>(1, 0, |mut p| p.set_text("ab"))
            .unwrap();
        let alone = message::build::<console::write_line_params::Owned>(|mut p| p.set_text("ab"));
        assert_eq!(reply.bytes(), message::as_bytes(&alone));
        // Held replies keep their buffers: a call meanwhile gets another.
        let second = cap
            .call::<console::write_line_params::Owned>(1, 0, |mut p| p.set_text("cd"))
            .unwrap();
        assert_eq!(
            (reply_text(&reply), reply_text(&second)),
            ("ab".into(), "cd".into())
        );
    }
}
