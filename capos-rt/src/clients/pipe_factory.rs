//! PipeFactory: creates pipes (docs/interfaces/pipe-factory.md).

use super::{Client, PipeReader, PipeWriter};
use crate::any_cap::AnyCap;
use crate::error::Error;
use capos_schema::{interface_id, pipe_factory};

/// Schema ordinal of `create`.
const CREATE: u16 = 0;

super::client!(PipeFactory, interface_id::PIPE_FACTORY);

impl PipeFactory {
    /// A new pipe: its read half and its write half.
    pub fn create(&self) -> Result<(PipeReader, PipeWriter), Error> {
        let ring = self.cap.ring();
        let (reader, writer) = self
            .cap
            .call::<pipe_factory::create_params::Owned>(Self::INTERFACE_ID, CREATE, |_| {})?
            .read::<pipe_factory::create_results::Owned, _>(|r| {
                Ok((
                    AnyCap::from_result(ring, r.get_reader()?),
                    AnyCap::from_result(ring, r.get_writer()?),
                ))
            })?;
        Ok((
            reader.expect("create returned a reader that is not a PipeReader")?,
            writer.expect("create returned a writer that is not a PipeWriter")?,
        ))
    }
}
