//! Timer: monotonic time, sleeping, and the wall clock.

use capos_schema::capos_capnp::timer;
use capos_schema::interface_id;

use super::{CallCtx, CallError, CapObject, Params, Reply, Wait, empty_reply, encode, new_message};
use crate::time;
use capos_schema::ExceptionType;

pub struct Timer;

impl CapObject for Timer {
    fn interface_id(&self) -> u64 {
        interface_id::TIMER
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
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
            3 => signals(ctx, params),
            4 => set_upcall(ctx, params),
            5 => {
                let _: timer::idle_params::Reader = params.get_root()?;
                let (ticks, ns) = time::idle();
                let mut message = new_message();
                let mut results = message.init_root::<timer::idle_results::Builder>();
                results.set_ticks(ticks);
                results.set_ns(ns);
                Ok(Reply::Done(encode(&message)))
            }
            _ => Err(CallError::InvalidMethod),
        }
    }
}

/// `signals`: the caller's signal wait, its caught set and its alarm.
fn signals(ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
    let p: timer::signals_params::Reader = params.get_root()?;
    let now = time::now_ns();
    let caller = ctx.kernel.process(ctx.caller);
    let kept_alarm = caller.alarm;
    let alarm_set = p.get_cancel_alarm() || p.get_alarm_ns() != 0;
    if p.get_cancel_alarm() {
        caller.alarm = None;
    } else if p.get_alarm_ns() != 0 {
        caller.alarm = Some(now.saturating_add(p.get_alarm_ns()));
    }
    caller.signals.set_caught(p.get_caught());
    let older = caller.signal_wait.take();
    let pending = caller.signals.take();
    if let Some(older) = older {
        let reply = encode_signals(0, kept_alarm);
        crate::ring::complete(ctx.kernel, older, crate::ring::Completion::reply(reply));
    }
    // alarm() returns what the replaced alarm had left: such a call is
    // answered at once, and is no wait.
    if pending != 0 || alarm_set {
        return Ok(Reply::Done(encode_signals(pending, kept_alarm)));
    }
    Ok(Reply::Pending(Wait::Signals))
}

/// `setUpcall`: where the caller takes caught signals while it runs
/// without calling the kernel (kernel/src/upcall.rs); entry 0 removes it.
fn set_upcall(ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
    let p: timer::set_upcall_params::Reader = params.get_root()?;
    let upcall = match p.get_entry() {
        0 => None,
        entry => Some(
            crate::upcall::Upcall::new(
                entry,
                p.get_busy(),
                p.get_return_start(),
                p.get_return_end(),
            )
            .map_err(|why| CallError::Exception(ExceptionType::Failed, why.into()))?,
        ),
    };
    ctx.kernel.process(ctx.caller).upcall = upcall;
    Ok(empty_reply())
}

/// The `signals` results: the signals taken and what the alarm (a
/// deadline) has left, at least 1 ns while it has not fired.
pub fn encode_signals(pending: u64, alarm: Option<u64>) -> alloc::vec::Vec<u8> {
    let left = alarm.map_or(0, |at| at.saturating_sub(time::now_ns()).max(1));
    let mut message = new_message();
    let mut results = message.init_root::<timer::signals_results::Builder>();
    results.set_pending(pending);
    results.set_alarm_left(left);
    encode(&message)
}
