//! The statistics page: one page of a MemoryObject that the driver maps
//! and grants to each worker. The worker keeps its counters there as it
//! goes, with the batch of SQEs it is about to submit, so the driver can
//! report what a worker did even when the worker died in the middle.

use capos_abi::error;
use capos_abi::ring::{SQ_ENTRIES, Sqe};
use core::fmt;

pub const MAGIC: u64 = u64::from_le_bytes(*b"FUZZSTAT");

/// Slots of the per-code counters: slot `n` counts code `-n`; slot 0
/// counts codes no slot has.
pub const CODE_SLOTS: usize = 32;

/// `Stats::phase`.
pub mod phase {
    pub const SETUP: u64 = 1;
    pub const FUZZING: u64 = 2;
    pub const DONE: u64 = 3;
}

/// The methods and ring operations counted in `Stats::calls` and
/// `Stats::succeeded`, by index.
pub const METHODS: [&str; 78] = [
    "Console.write",
    "Console.writeLine",
    "Timer.now",
    "Timer.sleep",
    "Timer.wallClock",
    "ProcessSpawner.spawn",
    "ProcessSpawner.restrict",
    "VirtualMemory.map",
    "VirtualMemory.unmap",
    "VirtualMemory.protect",
    "VirtualMemory.createObject",
    "MemoryObject.size",
    "MemoryObject.map",
    "EndpointFactory.create",
    "Endpoint.client",
    "EntropySource.fill",
    "BootPackage.manifestSize",
    "BootPackage.readManifest",
    "ProcessHandle.wait",
    "PipeFactory.create",
    "PipeReader.read",
    "PipeReader.ready",
    "PipeWriter.write",
    "PipeWriter.ready",
    "endpoint CALL",
    "RECV",
    "RETURN",
    "RELEASE",
    "Directory.open",
    "Directory.mkdir",
    "Directory.unlink",
    "Directory.rmdir",
    "Directory.rename",
    "Directory.list",
    "Directory.stat",
    "Directory.statAt",
    "Directory.walk",
    "Directory.readOnly",
    "File.read",
    "File.write",
    "File.size",
    "File.truncate",
    "File.stat",
    "File.sync",
    "File.readOnly",
    "File.setMode",
    "File.setTimes",
    "NetworkManager.createUdpSocket",
    "NetworkManager.narrow",
    "NetworkManager.stats",
    "UdpSocket.sendTo",
    "UdpSocket.recvFrom",
    "UdpSocket.ready",
    "UdpSocket.localAddress",
    "UdpSocket.close",
    "UdpSocket.stats",
    "File.binary",
    "File.readNext",
    "File.writeNext",
    "File.seek",
    "File.setAppend",
    "File.description",
    "Terminal.read",
    "Terminal.write",
    "Terminal.getMode",
    "Terminal.setMode",
    "Terminal.ready",
    "Terminal.setForeground",
    "Terminal.getForeground",
    "Terminal.windowSize",
    "Terminal.setWindowSize",
    "Terminal.stats",
    "Terminal.signal",
    "Timer.signals",
    "Timer.setUpcall",
    "ProcessHandle.signal",
    "Terminal.setGroup",
    "Timer.idle",
];

/// Names of `Stats::exceptions`: the ExceptionType values, then the
/// exceptions whose payload could not be read (it did not fit, or the
/// request's buffer was not ours to read).
pub const EXCEPTION_NAMES: [&str; 5] = [
    "failed",
    "overloaded",
    "disconnected",
    "unimplemented",
    "unread",
];

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Stats {
    pub magic: u64,
    pub seed: u64,
    pub phase: u64,
    /// Random SQEs submitted.
    pub sqes: u64,
    /// Params messages submitted (each in a CALL or RETURN of its own).
    pub params: u64,
    /// cap_enter calls, and their error results by code.
    pub enters: u64,
    pub enter_codes: [u64; CODE_SLOTS],
    /// Completions of our requests: successes and errors by code.
    pub cqes: u64,
    pub ok: u64,
    pub codes: [u64; CODE_SLOTS],
    /// Application exceptions by type (see [`EXCEPTION_NAMES`]).
    pub exceptions: [u64; 5],
    /// Completions that match no request in flight: re-run or clobbered
    /// SQEs, or CQEs overwritten by a result aimed at the ring.
    pub foreign: u64,
    /// Requests that named a live capability with its own interface, by
    /// method or operation (see [`METHODS`]), and those that succeeded
    /// (32 bits each, so that the stats still fit their one page).
    pub calls: [u32; METHODS.len()],
    pub succeeded: [u32; METHODS.len()],
    /// The last error code of each (0: none yet).
    pub last_error: [i32; METHODS.len()],
    /// Deliberate ring header corruptions and bad system calls.
    pub ring_tricks: u64,
    /// The batch being submitted (the first `batch_len` entries).
    pub batch_len: u64,
    pub batch: [Sqe; SQ_ENTRIES as usize],
}

const _: () = assert!(size_of::<Stats>() <= 4096);

fn slot(code: i32) -> usize {
    match usize::try_from(-(code as i64)) {
        Ok(n) if n < CODE_SLOTS => n,
        _ => 0,
    }
}

impl Stats {
    pub const fn new(seed: u64) -> Self {
        Stats {
            magic: MAGIC,
            seed,
            phase: 0,
            sqes: 0,
            params: 0,
            enters: 0,
            enter_codes: [0; CODE_SLOTS],
            cqes: 0,
            ok: 0,
            codes: [0; CODE_SLOTS],
            exceptions: [0; 5],
            foreign: 0,
            calls: [0; METHODS.len()],
            succeeded: [0; METHODS.len()],
            last_error: [0; METHODS.len()],
            ring_tricks: 0,
            batch_len: 0,
            batch: [Sqe::nop(0); SQ_ENTRIES as usize],
        }
    }

    /// Counts a completion result.
    pub fn completion(&mut self, result: i32) {
        self.cqes += 1;
        if result >= 0 {
            self.ok += 1;
        } else {
            self.codes[slot(result)] += 1;
        }
    }

    /// Counts a cap_enter result.
    pub fn enter(&mut self, result: i64) {
        self.enters += 1;
        if result < 0 {
            let code = i32::try_from(result).unwrap_or(i32::MIN);
            self.enter_codes[slot(code)] += 1;
        }
    }

    /// Adds `other`'s counters to these (the driver's totals).
    pub fn add(&mut self, other: &Stats) {
        self.sqes += other.sqes;
        self.params += other.params;
        self.enters += other.enters;
        self.cqes += other.cqes;
        self.ok += other.ok;
        self.foreign += other.foreign;
        self.ring_tricks += other.ring_tricks;
        for (a, b) in self.codes.iter_mut().zip(other.codes) {
            *a += b;
        }
        for (a, b) in self.enter_codes.iter_mut().zip(other.enter_codes) {
            *a += b;
        }
        for (a, b) in self.exceptions.iter_mut().zip(other.exceptions) {
            *a += b;
        }
        for (a, b) in self.calls.iter_mut().zip(other.calls) {
            *a += b;
        }
        for (a, b) in self.succeeded.iter_mut().zip(other.succeeded) {
            *a += b;
        }
        for (a, b) in self.last_error.iter_mut().zip(other.last_error) {
            if b != 0 {
                *a = b;
            }
        }
    }

    /// The completions line: "ok N, NAME N, ..., exceptions: failed N, ...".
    pub fn completions(&self) -> Histogram<'_> {
        Histogram(self)
    }

    /// The coverage line: "NAME succeeded/called, ..." for every method.
    pub fn methods(&self) -> Coverage<'_> {
        Coverage(self)
    }
}

pub struct Coverage<'a>(&'a Stats);

impl fmt::Display for Coverage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in METHODS.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{name} {}/{}", self.0.succeeded[i], self.0.calls[i])?;
            let code = self.0.last_error[i];
            if code != 0 {
                write!(f, " (last {})", error::name(code))?;
            }
        }
        Ok(())
    }
}

/// Writes "NAME N" for every non-zero counter of `counts`.
fn codes(f: &mut fmt::Formatter<'_>, counts: &[u64; CODE_SLOTS]) -> fmt::Result {
    for (n, &count) in counts.iter().enumerate().skip(1) {
        if count != 0 {
            write!(f, ", {} {count}", error::name(-(n as i32)))?;
        }
    }
    if counts[0] != 0 {
        write!(f, ", other {}", counts[0])?;
    }
    Ok(())
}

pub struct Histogram<'a>(&'a Stats);

impl fmt::Display for Histogram<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        write!(f, "{} CQEs: ok {}", s.cqes, s.ok)?;
        codes(f, &s.codes)?;
        if s.foreign != 0 {
            write!(f, ", foreign {}", s.foreign)?;
        }
        f.write_str("; exceptions:")?;
        for (name, &count) in EXCEPTION_NAMES.iter().zip(&s.exceptions) {
            write!(f, " {name} {count}")?;
        }
        write!(f, "; {} cap_enter: errors", s.enters)?;
        let errors: u64 = s.enter_codes.iter().sum();
        write!(f, " {errors}")?;
        codes(f, &s.enter_codes)?;
        write!(f, "; ring tricks {}", s.ring_tricks)
    }
}

/// The page as both processes see it. Copies go through volatile reads
/// and writes: the other process reads or writes the same memory.
pub struct Page(*mut Stats);

impl Page {
    /// # Safety
    /// `addr` must be a page-aligned, read-write mapping of at least 4 KiB
    /// that stays mapped while the `Page` is used and that nothing else in
    /// this process accesses.
    pub unsafe fn at(addr: u64) -> Self {
        Page(addr as *mut Stats)
    }

    pub fn load(&self) -> Stats {
        // SAFETY: mapped, aligned and ours to read (contract of `at`);
        // every bit pattern is a valid Stats (integers only).
        unsafe { self.0.read_volatile() }
    }

    pub fn store(&self, stats: &Stats) {
        // SAFETY: mapped read-write and aligned (contract of `at`).
        unsafe { self.0.write_volatile(*stats) }
    }
}
