//! Timer: monotonic time, sleeping, and the wall clock.

use capos_schema::capos_capnp::timer;
use capos_schema::interface_id;

use super::{CallCtx, CallError, CapObject, Params, Reply, Wait, empty_reply, encode, new_message};
use crate::time;

pub struct Timer;

impl CapObject for Timer {
    fn interface_id(&self) -> u64 {
        interface_id::TIMER
    }

    fn call(&self, _: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => {
                let _: timer::now_params::Reader = params.get_root()?;
                let mut message = new_message();
                message
                    .init_root::<timer::now_results::Builder>()
                    .set_ns(time::now_ns());
                Ok(Reply::Done(encode(&message)))
            }
            1 => {
                let p: timer::sleep_params::Reader = params.get_root()?;
                match p.get_ns() {
                    0 => Ok(empty_reply()),
                    ns => Ok(Reply::Pending(Wait::Until(
                        time::now_ns().saturating_add(ns),
                    ))),
                }
            }
            2 => {
                let _: timer::wall_clock_params::Reader = params.get_root()?;
                let mut message = new_message();
                message
                    .init_root::<timer::wall_clock_results::Builder>()
                    .set_unix_ns(time::wall_clock_ns());
                Ok(Reply::Done(encode(&message)))
            }
            _ => Err(CallError::InvalidMethod),
        }
    }
}
