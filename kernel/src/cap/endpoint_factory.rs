//! EndpointFactory: creates Endpoints.

use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_schema::capos_capnp::endpoint_factory;
use capos_schema::interface_id;

use super::endpoint::{ENDPOINT_BYTES, Endpoint, EndpointOwner};
use super::{
    CallCtx, CallError, CapObject, Params, Reply, check_cap_reply, encode, insert_cap_reply,
    new_message, set_result_cap,
};

pub struct EndpointFactory;

fn encode_endpoint(id: u32) -> Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<endpoint_factory::create_results::Builder>();
    set_result_cap(results.init_endpoint(), id, interface_id::ENDPOINT);
    encode(&message)
}

impl CapObject for EndpointFactory {
    fn interface_id(&self) -> u64 {
        interface_id::ENDPOINT_FACTORY
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        if method != 0 {
            return Err(CallError::InvalidMethod);
        }
        let p: endpoint_factory::create_params::Reader = params.get_root()?;
        check_cap_reply(ctx, &encode_endpoint)?;
        let charge = ctx.charge(ENDPOINT_BYTES)?;
        let endpoint = Endpoint::new(p.get_interface_id(), charge);
        ctx.kernel.register_endpoint(&endpoint);
        insert_cap_reply(
            ctx,
            Arc::new(EndpointOwner::new(endpoint)),
            &encode_endpoint,
        )
    }
}
