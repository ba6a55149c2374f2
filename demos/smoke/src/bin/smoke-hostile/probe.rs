//! Submits raw SQEs and judges their completions.

use crate::cases::Case;
use crate::got;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::error;
use capos_abi::ring::{CQ_ENTRIES, Cqe, MAX_MESSAGE_BYTES, Sqe, op};
use capos_abi::syscall::WAIT_FOREVER;
use capos_rt::{Client, Console, Error, Runtime, Timer, message, println};
use capos_schema::{console, interface_id, timer};

/// Schema ordinals used by the probes.
const CONSOLE_WRITE_LINE: u16 = 1;
const TIMER_NOW: u16 = 0;

/// A buffer the requests point at, by address only. Leaked: the kernel may
/// write a result buffer until its CQE arrives, so every buffer must stay
/// valid even if the program stops waiting for a request, and holding no
/// Rust reference to it means the kernel's writes alias nothing.
pub struct Region {
    addr: u64,
    len: u32,
}

impl Region {
    fn leak(words: Vec<u64>) -> Self {
        let len = (words.len() * 8) as u32;
        let words: &'static mut [u64] = Box::leak(words.into_boxed_slice());
        Region {
            addr: words.as_mut_ptr() as u64,
            len,
        }
    }

    pub fn parts(&self) -> (u64, u32) {
        (self.addr, self.len)
    }
}

/// The memory every probe can use.
pub struct Env {
    /// Valid Console.writeLine params.
    line: Region,
    /// Valid empty params (Timer.now).
    empty: Region,
    /// Not a Cap'n Proto message.
    pub garbage: Region,
    /// Mapped, but one word longer than any message may be.
    pub oversize: Region,
    result: Region,
}

pub struct Probe<'a> {
    rt: &'a Runtime,
    console: &'a Console,
    env: Env,
    refused: usize,
}

impl<'a> Probe<'a> {
    pub fn new(rt: &'a Runtime, console: &'a Console) -> Self {
        let line = message::build::<console::write_line_params::Owned>(|mut p| {
            p.set_text("hostile: baseline call accepted")
        });
        let env = Env {
            line: Region::leak(line),
            empty: Region::leak(message::build::<timer::now_params::Owned>(|_| {})),
            garbage: Region::leak(vec![0xabab_abab_abab_abab; 8]),
            oversize: Region::leak(vec![0; MAX_MESSAGE_BYTES as usize / 8 + 1]),
            result: Region::leak(vec![0; 16]),
        };
        Probe {
            rt,
            console,
            env,
            refused: 0,
        }
    }

    /// How many refusals were checked.
    pub fn refused(&self) -> usize {
        self.refused
    }

    /// A valid Console.writeLine call.
    fn baseline(&self) -> Sqe {
        Sqe {
            opcode: op::CALL,
            method_id: CONSOLE_WRITE_LINE,
            cap_id: self.console.cap().id(),
            params_addr: self.env.line.addr,
            params_len: self.env.line.len,
            result_addr: self.env.result.addr,
            result_len: self.env.result.len,
            interface_id: interface_id::CONSOLE,
            ..Sqe::nop(0)
        }
    }

    /// A valid Timer.now call on `cap_id`.
    fn timer_now(&self, cap_id: u32) -> Sqe {
        Sqe {
            method_id: TIMER_NOW,
            cap_id,
            params_addr: self.env.empty.addr,
            params_len: self.env.empty.len,
            interface_id: interface_id::TIMER,
            ..self.baseline()
        }
    }

    /// Submits `sqe` and waits for its completion.
    fn submit(&self, sqe: Sqe) -> Result<Cqe, String> {
        let mut ring = self.rt.ring();
        ring.make_room(1).map_err(|e| format!("submit got {e}"))?;
        // SAFETY: the only process memory an SQE built here names is the
        // leaked regions of `Env` (valid forever, referenced by nothing) or
        // memory the kernel must refuse to write (the CapSet page).
        let token = unsafe { ring.submit_raw(sqe) }.map_err(|e| format!("submit got {e}"))?;
        let completion = ring.wait_for(token).map_err(|e| format!("wait got {e}"))?;
        Ok(completion.cqe)
    }

    fn check(&mut self, case: &str, expected: i32, result: i32) -> Result<(), String> {
        if result != expected {
            return Err(got(case, result));
        }
        self.refused += 1;
        println!(
            self.console,
            "hostile: {case} refused ({})",
            error::name(expected)
        );
        Ok(())
    }

    /// The unbroken call must work, or no refusal below would mean anything.
    pub fn baseline_works(&mut self) -> Result<(), String> {
        let cqe = self.submit(self.baseline())?;
        if cqe.result <= 0 {
            return Err(got("baseline call", cqe.result));
        }
        Ok(())
    }

    pub fn refuse(&mut self, case: &Case) -> Result<(), String> {
        let mut sqe = self.baseline();
        (case.mutate)(&mut sqe, &self.env);
        let cqe = self.submit(sqe)?;
        self.check(case.name, case.expected, cqe.result)
    }

    /// An 8-byte result buffer cannot hold Timer.now's result; the kernel
    /// must say how much it needs.
    pub fn result_too_small(&mut self, timer: &Timer) -> Result<(), String> {
        const CASE: &str = "result buffer too small";
        let sqe = Sqe {
            result_len: 8,
            ..self.timer_now(timer.cap().id())
        };
        let cqe = self.submit(sqe)?;
        if cqe.result == error::RESULT_TOO_SMALL && cqe.aux <= 8 {
            return Err(format!("{CASE} got aux {} (not above 8)", cqe.aux));
        }
        self.check(CASE, error::RESULT_TOO_SMALL, cqe.result)
    }

    /// Releases the timer, then calls it by its old id.
    pub fn stale_after_release(&mut self, timer: Timer) -> Result<(), String> {
        let id = timer.cap().id();
        timer
            .into_cap()
            .release()
            .map_err(|e| format!("release got {e}"))?;
        let cqe = self.submit(self.timer_now(id))?;
        self.check("released cap id", error::STALE_CAP, cqe.result)
    }

    /// `cap_enter` arguments that can never be satisfied.
    pub fn bad_cap_enter_arguments(&mut self) -> Result<(), String> {
        let too_many = self.rt.ring().enter(CQ_ENTRIES + 1, 0);
        self.check_enter("cap_enter min above CQ size", too_many)?;
        // Nothing is in flight, so no completion can ever come.
        let forever = self.rt.ring().enter(1, WAIT_FOREVER);
        self.check_enter("cap_enter waiting for nothing", forever)
    }

    fn check_enter(&mut self, case: &str, result: Result<u32, Error>) -> Result<(), String> {
        match result {
            Err(Error::Transport(code)) => self.check(case, error::INVALID_ARGUMENT, code),
            Err(e) => Err(format!("{case} got {e}")),
            Ok(n) => Err(format!("{case} got {n} completions")),
        }
    }

    /// Moves sq_tail far past sq_head: the kernel must refuse the whole
    /// ring, not read garbage SQEs. Then repairs it and uses it again.
    pub fn corrupt_ring_header(&mut self) -> Result<(), String> {
        let header = self.rt.ring().ring().header();
        // SAFETY: the header lives for the whole process; volatile because
        // the kernel reads and writes it too. sq_tail is ours to write.
        let (head, tail) = unsafe {
            let head = (&raw const (*header).sq_head).read_volatile();
            let tail = (&raw const (*header).sq_tail).read_volatile();
            (&raw mut (*header).sq_tail).write_volatile(head.wrapping_add(1000));
            (head, tail)
        };
        let refused = self.rt.ring().enter(0, 0);
        // SAFETY: as above; restores the value read before.
        unsafe { (&raw mut (*header).sq_tail).write_volatile(tail) };
        if head != tail {
            return Err(format!(
                "corrupt ring header got {} queued SQEs",
                tail.wrapping_sub(head)
            ));
        }
        self.check_enter("corrupt ring header", refused)?;
        let done = self
            .rt
            .ring()
            .nop_batch(4)
            .map_err(|e| format!("repaired ring got {e}"))?;
        if done != 4 {
            return Err(format!("repaired ring got {done} of 4 NOPs"));
        }
        println!(self.console, "hostile: ring works after repair");
        Ok(())
    }
}
