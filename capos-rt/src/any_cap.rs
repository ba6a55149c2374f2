//! A capability whose interface is known only at run time: one received
//! from another process, returned by a kernel method, or taken from the
//! CapSet without naming a client type.

use crate::cap::Cap;
use crate::client::SharedRing;
use crate::clients::Client;
use crate::error::{DecodeError, Error};
use capos_schema::result_cap;

/// An owned capability and the interface the kernel says it implements.
#[derive(Debug)]
pub struct AnyCap {
    cap: Cap,
    interface_id: u64,
}

impl AnyCap {
    pub(crate) fn new(cap: Cap, interface_id: u64) -> Self {
        AnyCap { cap, interface_id }
    }

    /// Takes ownership of a capability a kernel method put in this
    /// process's table and described with a `ResultCap`.
    pub(crate) fn from_result(ring: &SharedRing, result: result_cap::Reader<'_>) -> Self {
        AnyCap::new(
            Cap::new(result.get_cap_id(), ring.clone()),
            result.get_interface_id(),
        )
    }

    pub fn interface_id(&self) -> u64 {
        self.interface_id
    }

    pub fn cap(&self) -> &Cap {
        &self.cap
    }

    pub fn into_cap(self) -> Cap {
        self.cap
    }

    /// Wraps the capability in the typed client `C` if it implements `C`'s
    /// interface; gives it back otherwise.
    pub fn into_client<C: Client>(self) -> Result<C, AnyCap> {
        if self.interface_id == C::INTERFACE_ID {
            Ok(C::from_cap(self.cap))
        } else {
            Err(self)
        }
    }

    /// [`AnyCap::into_client`] for a capability whose interface the kernel
    /// guarantees: a mismatch breaks the kernel's contract, and the
    /// capability is released rather than leaked.
    pub(crate) fn expect<C: Client>(self, contract: &'static str) -> Result<C, Error> {
        self.into_client()
            .map_err(|_| Error::Decode(DecodeError::Contract(contract)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::{Console, Timer};
    use crate::test_kernel::{Outcome, shared_ring};
    use capos_schema::interface_id;

    #[test]
    fn typed_clients_need_the_right_interface() {
        let (ring, log) = shared_ring(|_, _| Outcome::Reply(alloc::vec![]));
        let any = AnyCap::new(Cap::new(0x1_0005, ring.clone()), interface_id::TIMER);
        let any = any.into_client::<Console>().err().unwrap();
        assert_eq!(any.interface_id(), interface_id::TIMER);
        let timer: Timer = any.into_client().ok().unwrap();
        assert_eq!(timer.cap().id(), 0x1_0005);
        let wrong = AnyCap::new(Cap::new(0x1_0006, ring.clone()), interface_id::TIMER);
        assert!(matches!(
            wrong.expect::<Console>("not a console"),
            Err(Error::Decode(DecodeError::Contract("not a console")))
        ));
        drop(timer);
        ring.borrow_mut().flush().unwrap();
        assert_eq!(log.borrow().released, [0x1_0006, 0x1_0005]);
    }
}
