//! BootPackage: init's read-only view of the boot manifest.

use super::Client;
use crate::error::{DecodeError, Error};
use capos_schema::{boot_package, interface_id};

/// Schema ordinals of BootPackage's methods.
const MANIFEST_SIZE: u16 = 0;
const READ_MANIFEST: u16 = 1;

/// Most bytes one `readManifest` call returns.
pub const MAX_MANIFEST_CHUNK: usize = 16 * 1024;

/// Result buffer of `readManifest`: a full chunk plus the message's
/// framing, root struct and `Data` pointer.
const READ_RESULT_BYTES: usize = MAX_MANIFEST_CHUNK + 64;

super::client!(BootPackage, interface_id::BOOT_PACKAGE);

impl BootPackage {
    /// The manifest's length in bytes.
    pub fn manifest_size(&self) -> Result<u64, Error> {
        self.cap
            .call::<boot_package::manifest_size_params::Owned>(
                Self::INTERFACE_ID,
                MANIFEST_SIZE,
                |_| {},
            )?
            .read::<boot_package::manifest_size_results::Owned, _>(|r| Ok(r.get_size()))
    }

    /// Copies manifest bytes from `offset` into the front of `dest`, at
    /// most `dest.len()` and at most [`MAX_MANIFEST_CHUNK`] of them, and
    /// returns how many: fewer near the end, 0 at the end. An offset past
    /// the end is an exception.
    pub fn read_manifest(&self, offset: u64, dest: &mut [u8]) -> Result<usize, Error> {
        let asked = dest.len().min(MAX_MANIFEST_CHUNK);
        self.cap
            .call_sized::<boot_package::read_manifest_params::Owned>(
                Self::INTERFACE_ID,
                READ_MANIFEST,
                READ_RESULT_BYTES,
                |mut p| {
                    p.set_offset(offset);
                    p.set_max_bytes(asked as u32);
                },
            )?
            .read::<boot_package::read_manifest_results::Owned, _>(|r| {
                let data = r.get_data()?;
                let slot =
                    dest.get_mut(..data.len())
                        .ok_or(Error::Decode(DecodeError::Contract(
                            "readManifest returned more bytes than asked",
                        )))?;
                slot.copy_from_slice(data);
                Ok(data.len())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cap::Cap;
    use crate::message;
    use crate::test_kernel::{Outcome, shared_ring};
    use alloc::vec;
    use alloc::vec::Vec;
    use capos_schema::{ExceptionType, cap_exception};

    /// A manifest of 40000 bytes counting 0, 1, 2, ... (mod 251); `extra`
    /// bytes more than asked are returned, to break the contract.
    fn boot(extra: usize) -> BootPackage {
        let manifest: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
        let (ring, _log) = shared_ring(move |sqe, params| {
            assert_eq!(sqe.interface_id, interface_id::BOOT_PACKAGE);
            let words = if sqe.method_id == MANIFEST_SIZE {
                message::build::<boot_package::manifest_size_results::Owned>(|mut r| {
                    r.set_size(manifest.len() as u64)
                })
            } else {
                let msg = message::read(params).unwrap();
                let p: boot_package::read_manifest_params::Reader = msg.get_root().unwrap();
                let start = p.get_offset() as usize;
                if start > manifest.len() {
                    let words = message::build::<cap_exception::Owned>(|mut e| {
                        e.set_type(ExceptionType::Failed);
                        e.set_reason("offset past the end");
                    });
                    return Outcome::Exception(message::as_bytes(&words).to_vec());
                }
                let len = (p.get_max_bytes() as usize).min(MAX_MANIFEST_CHUNK) + extra;
                let end = (start + len).min(manifest.len());
                message::build::<boot_package::read_manifest_results::Owned>(|mut r| {
                    r.set_data(&manifest[start..end])
                })
            };
            Outcome::Reply(message::as_bytes(&words).to_vec())
        });
        BootPackage::from_cap(Cap::new(0x1_0004, ring))
    }

    #[test]
    fn the_manifest_is_read_in_bounded_chunks() {
        let boot = boot(0);
        let size = boot.manifest_size().unwrap() as usize;
        let mut all = vec![0u8; size + 100];
        let mut offset = 0;
        let mut calls = 0;
        loop {
            let n = boot
                .read_manifest(offset as u64, &mut all[offset..])
                .unwrap();
            if n == 0 {
                break;
            }
            assert!(n <= MAX_MANIFEST_CHUNK);
            offset += n;
            calls += 1;
        }
        assert_eq!((offset, calls), (40_000, 3));
        assert!(
            all[..size]
                .iter()
                .enumerate()
                .all(|(i, &b)| b == (i % 251) as u8)
        );
        assert_eq!(boot.read_manifest(5, &mut [0; 3]), Ok(3));
        assert!(matches!(
            boot.read_manifest(40_001, &mut all),
            Err(Error::Application { .. })
        ));
    }

    #[test]
    fn more_than_asked_breaks_the_contract() {
        let got = boot(1).read_manifest(0, &mut [0; 10]);
        assert!(matches!(got, Err(Error::Decode(DecodeError::Contract(_)))));
    }
}
