//! PipeFactory: creates pipes (kernel/src/cap/pipe.rs). The buffer and
//! both halves are charged to the caller until the last half is gone.

use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_schema::ExceptionType;
use capos_schema::capos_capnp::pipe_factory;
use capos_schema::interface_id;

use super::pipe::{PIPE_BYTES, Pipe};
use super::{
    CallCtx, CallError, CapObject, Params, Reply, check_caps_reply, encode, insert_caps_reply,
    new_message, set_result_cap, try_zeroed,
};

pub struct PipeFactory;

fn encode_pipe(ids: &[u32]) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<pipe_factory::create_results::Builder>();
    set_result_cap(
        results.reborrow().init_reader(),
        ids[0],
        interface_id::PIPE_READER,
    );
    set_result_cap(results.init_writer(), ids[1], interface_id::PIPE_WRITER);
    encode(&message)
}

impl CapObject for PipeFactory {
    fn interface_id(&self) -> u64 {
        interface_id::PIPE_FACTORY
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        if method != 0 {
            return Err(CallError::InvalidMethod);
        }
        let _: pipe_factory::create_params::Reader = params.get_root()?;
        check_caps_reply(ctx, 2, &encode_pipe)?;
        let charge = ctx.charge(PIPE_BYTES)?;
        let buffer = try_zeroed(capos_abi::pipe::CAPACITY).ok_or_else(|| {
            CallError::Exception(ExceptionType::Overloaded, "kernel heap exhausted".into())
        })?;
        let (reader, writer) = Pipe::create(buffer, charge);
        insert_caps_reply(ctx, [Arc::new(reader), Arc::new(writer)], &encode_pipe)
    }
}
