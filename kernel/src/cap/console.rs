//! Console: output to the serial port.

use capos_schema::capos_capnp::console;
use capos_schema::interface_id;

use super::{CallCtx, CallError, CapObject, Params, Reply, empty_reply};
use crate::serial;

pub struct Console;

impl CapObject for Console {
    fn interface_id(&self) -> u64 {
        interface_id::CONSOLE
    }

    fn call(&self, _: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => {
                let p: console::write_params::Reader = params.get_root()?;
                serial::write_bytes(p.get_data()?);
            }
            1 => {
                let p: console::write_line_params::Reader = params.get_root()?;
                serial::write_line(p.get_text()?.to_str()?);
            }
            _ => return Err(CallError::InvalidMethod),
        }
        Ok(empty_reply())
    }
}
