//! Typed clients of the kernel's capabilities.

mod console;
mod process;
mod spawner;
mod timer;
mod virtual_memory;

pub use console::Console;
pub use process::{ExitStatus, Fault, ProcessHandle};
pub use spawner::{Grant, ProcessSpawner};
pub use timer::Timer;
pub use virtual_memory::{PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, VirtualMemory};

use crate::cap::Cap;

/// A typed client: wraps one owned capability of one interface.
pub trait Client {
    /// The interface (schema type id) this client speaks.
    const INTERFACE_ID: u64;

    /// Wraps `cap`. Every call names [`Client::INTERFACE_ID`], so wrapping
    /// a capability of another interface makes calls fail with
    /// `WRONG_INTERFACE`, never run the wrong method.
    fn from_cap(cap: Cap) -> Self;

    fn cap(&self) -> &Cap;

    /// Unwraps the capability, for example to [`Cap::release`] it now.
    fn into_cap(self) -> Cap;
}
