//! EndpointFactory: creates Endpoints.

use super::{Client, Endpoint};
use crate::any_cap::AnyCap;
use crate::error::Error;
use capos_schema::{endpoint_factory, interface_id};

/// Schema ordinal of `create`.
const CREATE: u16 = 0;

super::client!(EndpointFactory, interface_id::ENDPOINT_FACTORY);

impl EndpointFactory {
    /// A new Endpoint whose clients speak `interface_id`: its owner facet,
    /// from which client facets are made with [`Endpoint::client`].
    pub fn create(&self, interface_id: u64) -> Result<Endpoint, Error> {
        let ring = self.cap.ring();
        self.cap
            .call::<endpoint_factory::create_params::Owned>(Self::INTERFACE_ID, CREATE, |mut p| {
                p.set_interface_id(interface_id)
            })?
            .read::<endpoint_factory::create_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_endpoint()?))
            })?
            .expect("create returned a capability that is not an Endpoint")
    }
}
