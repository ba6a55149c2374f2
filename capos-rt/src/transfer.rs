//! Capabilities sent along with an Endpoint call or reply.
//!
//! A copy leaves the sender's capability in place. A move hands it over:
//! the kernel reserves the sender's slot when it reads the submission and
//! frees it once the receiver has the capability, or gives it back if
//! delivery fails. The runtime mirrors that: a moved [`Cap`] stops being
//! owned at submission (its id is kept, not released), and comes back as
//! a `Cap` in [`TransferError::restored`] when the request fails in a way
//! that returns it.

use crate::cap::Cap;
use crate::client::{RingClient, SharedRing};
use crate::completions::{Completion, Token};
use crate::error::Error;
use crate::ring::RingError;
use crate::wire;
use alloc::vec::Vec;
use capos_abi::error::{APPLICATION_EXCEPTION, RESULT_TOO_SMALL};
use capos_abi::ipc::{CQE_DELIVERED, XFER_COPY, XFER_MOVE, XferDesc};
use capos_abi::ring::{Cqe, op};
use core::fmt;

/// One capability to send.
pub enum Transfer<'a> {
    /// The receiver gets its own copy; the sender keeps this one.
    Copy(&'a Cap),
    /// The receiver gets this capability; the sender loses it.
    Move(Cap),
}

/// A failed request that carried transfers.
#[derive(Debug)]
pub struct TransferError {
    pub error: Error,
    /// The moved capabilities the kernel gave back, owned again.
    pub restored: Vec<Cap>,
}

impl TransferError {
    /// A failure before anything was moved, or one that returns nothing.
    pub fn new(error: Error) -> Self {
        TransferError {
            error,
            restored: Vec::new(),
        }
    }
}

impl From<Error> for TransferError {
    fn from(error: Error) -> Self {
        TransferError::new(error)
    }
}

impl From<TransferError> for Error {
    /// Drops (and so releases) whatever came back.
    fn from(e: TransferError) -> Self {
        e.error
    }
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

/// Submits a request carrying `transfers` (queued by `submit`, which gets
/// their descriptors) and waits for its completion. Returns the completion
/// and the descriptors sent, so the caller can tell what came back.
///
/// If the request cannot be queued, the moved capabilities are handed
/// back at once. If waiting fails, the request is abandoned and the ring
/// client releases whatever its completion brings (see
/// [`orphaned`]).
pub fn submit_and_wait(
    ring: &SharedRing,
    transfers: Vec<Transfer<'_>>,
    submit: impl FnOnce(&mut RingClient, Vec<XferDesc>) -> Result<Token, RingError>,
) -> Result<(Completion, Vec<XferDesc>), TransferError> {
    let mut client = ring.borrow_mut();
    if let Err(error) = client.make_room(1) {
        return Err(unsent(transfers, error));
    }
    let sent = descriptors(transfers);
    let token = match submit(&mut client, sent.clone()) {
        Ok(token) => token,
        Err(e) => return Err(restore(ring, &sent, e.into())),
    };
    let completion = client.wait_for(token)?;
    Ok((completion, sent))
}

/// The failure of a request that was never submitted: moved capabilities
/// are still owned and go back to the caller.
fn unsent(transfers: Vec<Transfer<'_>>, error: Error) -> TransferError {
    TransferError {
        error,
        restored: transfers
            .into_iter()
            .filter_map(|transfer| match transfer {
                Transfer::Move(cap) => Some(cap),
                Transfer::Copy(_) => None,
            })
            .collect(),
    }
}

/// The descriptors of `transfers`, in order. Moved capabilities give up
/// ownership here: call it only once the submission is certain to be
/// attempted, and hand the ids to [`restore`] if it fails.
pub fn descriptors(transfers: Vec<Transfer<'_>>) -> Vec<XferDesc> {
    transfers
        .into_iter()
        .map(|transfer| match transfer {
            Transfer::Copy(cap) => XferDesc {
                cap_id: cap.id(),
                mode: XFER_COPY,
            },
            Transfer::Move(cap) => XferDesc {
                cap_id: cap.into_raw(),
                mode: XFER_MOVE,
            },
        })
        .collect()
}

/// The ids of the moved capabilities among `descriptors`.
pub fn moved(descriptors: &[XferDesc]) -> impl Iterator<Item = u32> + '_ {
    descriptors
        .iter()
        .filter(|d| d.mode == XFER_MOVE)
        .map(|d| d.cap_id)
}

/// True if a request of `opcode` that completed as `cqe` gave its moved
/// capabilities back to the sender.
///
/// A RETURN delivers them only when it succeeds. A CALL also delivers them
/// when the server answered, even with an exception or with a reply too
/// large for the caller's buffer, and when the kernel marks the failure
/// `CQE_DELIVERED` (the server received the call, then went away or its
/// reply's capabilities did not fit here). Every other error of a CALL
/// returns them.
pub fn moved_back(opcode: u8, cqe: &Cqe) -> bool {
    let result = cqe.result;
    match opcode {
        op::CALL => {
            result < 0
                && result != APPLICATION_EXCEPTION
                && result != RESULT_TOO_SMALL
                && cqe.flags & CQE_DELIVERED == 0
        }
        op::RETURN => result < 0,
        _ => false,
    }
}

/// Owns again the moved capabilities of a failed request.
pub fn restore(ring: &SharedRing, descriptors: &[XferDesc], error: Error) -> TransferError {
    TransferError {
        error,
        restored: moved(descriptors)
            .map(|id| Cap::new(id, ring.clone()))
            .collect(),
    }
}

/// The capabilities a completion leaves in this process's table when its
/// request was abandoned: moved capabilities that came back, and those a
/// reply or a received call brought. Nobody owns them, so the ring client
/// releases them. Records it cannot read are skipped: there is nothing
/// better to do with a result that breaks the contract.
pub fn orphaned(opcode: u8, cqe: &Cqe, result: &[u8], descriptors: &[XferDesc]) -> Vec<u32> {
    let mut ids: Vec<u32> = Vec::new();
    if moved_back(opcode, cqe) {
        ids.extend(moved(descriptors));
    }
    if let Ok(len) = usize::try_from(cqe.result) {
        let records = match opcode {
            op::CALL => wire::reply_records(result, len, cqe.flags).ok(),
            op::RECV => wire::recv(result, len).ok().map(|recv| recv.caps),
            _ => None,
        };
        ids.extend(records.into_iter().flatten().map(|r| r.cap_id));
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_kernel::{Outcome, shared_ring};
    use alloc::vec;
    use capos_abi::error;

    #[test]
    fn moves_give_up_ownership_and_copies_do_not() {
        let (ring, log) = shared_ring(|_, _| Outcome::Reply(vec![]));
        let kept = Cap::new(1, ring.clone());
        let descs = descriptors(vec![
            Transfer::Copy(&kept),
            Transfer::Move(Cap::new(2, ring.clone())),
        ]);
        assert_eq!(
            descs,
            [
                XferDesc {
                    cap_id: 1,
                    mode: XFER_COPY
                },
                XferDesc {
                    cap_id: 2,
                    mode: XFER_MOVE
                }
            ]
        );
        ring.borrow_mut().flush().unwrap();
        assert!(log.borrow().released.is_empty());
        let failed = restore(&ring, &descs, Error::Transport(error::CANCELLED));
        assert_eq!(failed.restored.len(), 1);
        assert_eq!(failed.restored[0].id(), 2);
        assert_eq!(alloc::format!("{failed}"), "CANCELLED (-16)");
        drop(failed);
        ring.borrow_mut().flush().unwrap();
        assert_eq!(log.borrow().released, [2]);
    }

    #[test]
    fn only_undelivered_requests_give_moves_back() {
        let cqe = |result, flags| Cqe {
            result,
            flags,
            ..Cqe::default()
        };
        for code in [
            error::CANCELLED,
            error::NO_RESOURCES,
            error::NOT_TRANSFERABLE,
        ] {
            assert!(moved_back(op::CALL, &cqe(code, 0)));
            assert!(moved_back(op::RETURN, &cqe(code, 0)));
            assert!(!moved_back(op::CALL, &cqe(code, CQE_DELIVERED)));
        }
        assert!(!moved_back(op::CALL, &cqe(0, 0)));
        assert!(!moved_back(op::CALL, &cqe(40, 2)));
        assert!(!moved_back(op::CALL, &cqe(error::APPLICATION_EXCEPTION, 0)));
        assert!(!moved_back(op::CALL, &cqe(error::RESULT_TOO_SMALL, 0)));
        assert!(moved_back(op::RETURN, &cqe(error::RESULT_TOO_SMALL, 0)));
        assert!(!moved_back(op::RETURN, &cqe(0, 0)));
        assert!(!moved_back(op::RECV, &cqe(error::CANCELLED, 0)));
    }

    #[test]
    fn abandoned_completions_name_what_nobody_owns() {
        let moves = [
            XferDesc {
                cap_id: 4,
                mode: XFER_MOVE,
            },
            XferDesc {
                cap_id: 5,
                mode: XFER_COPY,
            },
        ];
        let cqe = |result, flags| Cqe {
            result,
            flags,
            ..Cqe::default()
        };
        let record = capos_abi::ipc::CapRecord {
            cap_id: 9,
            _reserved: 0,
            interface_id: 1,
        };
        let mut reply = vec![0u8; 8];
        reply.extend(wire::encode_records(&[record]));
        assert_eq!(orphaned(op::CALL, &cqe(3, 1), &reply, &moves), [9]);
        assert_eq!(
            orphaned(op::CALL, &cqe(error::NO_RESOURCES, 0), &[], &moves),
            [4]
        );
        assert_eq!(orphaned(op::RETURN, &cqe(0, 0), &[], &moves), []);
        let header = capos_abi::ipc::RecvHeader {
            cap_count: 1,
            ..Default::default()
        };
        let recv = wire::encode_recv(header, &[], &[record]);
        assert_eq!(
            orphaned(op::RECV, &cqe(recv.len() as i32, 0), &recv, &[]),
            [9]
        );
        // Records that break the contract are skipped, not trusted.
        assert_eq!(orphaned(op::CALL, &cqe(3, 2), &reply, &[]), []);
    }
}
