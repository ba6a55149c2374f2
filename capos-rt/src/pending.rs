//! A CALL that has been submitted and not collected yet.

use crate::client::SharedRing;
use crate::completions::Token;
use crate::error::Error;
use crate::reply::Reply;

/// The owner of one in-flight CALL. Dropping it abandons the call: the
/// runtime keeps the call's buffers until the kernel completes it, then
/// drops the completion.
#[must_use = "dropping a PendingCall abandons the call's result"]
pub struct PendingCall {
    token: Option<Token>,
    ring: SharedRing,
}

impl PendingCall {
    pub(crate) fn new(token: Token, ring: SharedRing) -> Self {
        PendingCall {
            token: Some(token),
            ring,
        }
    }

    /// True once the CQE has been reaped (by any wait of this process).
    pub fn is_complete(&self) -> bool {
        self.token
            .as_ref()
            .is_some_and(|token| self.ring.borrow().is_ready(token))
    }

    /// Waits for the call to complete; other completions arriving meanwhile
    /// are kept for their owners.
    pub fn wait(mut self) -> Result<Reply, Error> {
        let token = self
            .token
            .take()
            .expect("a PendingCall holds its token until wait or drop");
        let completion = self.ring.borrow_mut().wait_for(token)?;
        Reply::from_completion(completion)
    }
}

impl Drop for PendingCall {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            self.ring.borrow_mut().detach(token);
        }
    }
}
