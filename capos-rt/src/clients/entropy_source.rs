//! EntropySource: random bytes from the kernel (the CPU's RDRAND).

use super::Client;
use crate::error::{DecodeError, Error};
use capos_schema::{entropy_source, interface_id};

/// Schema ordinal of `fill`.
const FILL: u16 = 0;

/// Most bytes one `fill` call returns.
pub const MAX_ENTROPY_CHUNK: usize = 4096;

/// Result buffer of `fill`: a full chunk plus the message's framing, root
/// struct and `Data` pointer.
const FILL_RESULT_BYTES: usize = MAX_ENTROPY_CHUNK + 64;

super::client!(EntropySource, interface_id::ENTROPY_SOURCE);

impl EntropySource {
    /// Fills `dest` with random bytes, in calls of at most
    /// [`MAX_ENTROPY_CHUNK`].
    pub fn fill(&self, dest: &mut [u8]) -> Result<(), Error> {
        for chunk in dest.chunks_mut(MAX_ENTROPY_CHUNK) {
            self.cap
                .call_sized::<entropy_source::fill_params::Owned>(
                    Self::INTERFACE_ID,
                    FILL,
                    FILL_RESULT_BYTES,
                    |mut p| p.set_bytes(chunk.len() as u32),
                )?
                .read::<entropy_source::fill_results::Owned, _>(|r| {
                    let data = r.get_data()?;
                    if data.len() != chunk.len() {
                        return Err(Error::Decode(DecodeError::Contract(
                            "fill returned another number of bytes than asked",
                        )));
                    }
                    chunk.copy_from_slice(data);
                    Ok(())
                })?;
        }
        Ok(())
    }
}
