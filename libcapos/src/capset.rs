//! `capos_capset_get`: the capabilities the process started with, by name.
//!
//! The first lookup of a name moves the capability out of capos-rt's
//! CapSet into libcapos's table, typed by its interface id; later lookups
//! of the same name return the same id. Releasing it ends that: a lookup
//! afterwards fails with `CAPOS_E_RELEASED`. An entry a layer above took
//! for itself ([`crate::runtime::take`]) fails with `CAPOS_E_TAKEN`.

use crate::error::{
    CAPOS_E_NOT_FOUND, CAPOS_E_RELEASED, CAPOS_E_TAKEN, CAPOS_E_WRONG_INTERFACE, status,
};
use crate::ffi;
use crate::held::Held;
use crate::iface::{
    CAPOS_IFACE_CONSOLE, CAPOS_IFACE_DIRECTORY, CAPOS_IFACE_FILE, CAPOS_IFACE_NETWORK_MANAGER,
    CAPOS_IFACE_PIPE_FACTORY, CAPOS_IFACE_PIPE_READER, CAPOS_IFACE_PIPE_WRITER,
    CAPOS_IFACE_PROCESS_FORKER, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_IFACE_PROCESS_SPAWNER,
    CAPOS_IFACE_TCP_CONNECTION, CAPOS_IFACE_TCP_LISTENER, CAPOS_IFACE_TIMER,
    CAPOS_IFACE_UDP_SOCKET, CAPOS_IFACE_VIRTUAL_MEMORY,
};
use crate::state::{self, State};
use capos_abi::capset::MAX_CAP_NAME;
use capos_rt::{LookupError, Runtime};
use core::ffi::c_char;

pub fn lookup_code(error: LookupError) -> i32 {
    match error {
        LookupError::NotFound => CAPOS_E_NOT_FOUND,
        LookupError::WrongInterface { .. } => CAPOS_E_WRONG_INTERFACE,
        LookupError::AlreadyTaken => CAPOS_E_RELEASED,
    }
}

fn other(rt: &mut Runtime, name: &str) -> Result<Held, i32> {
    let any = rt.take_any(name).map_err(lookup_code)?;
    Ok(Held::Other(any.into_cap()))
}

/// Takes `name` out of the CapSet as the client for `interface_id`.
fn take(rt: &mut Runtime, name: &str, interface_id: u64) -> Result<Held, i32> {
    let held = match interface_id {
        CAPOS_IFACE_CONSOLE => Held::Console(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_TIMER => Held::Timer(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_PROCESS_SPAWNER => Held::Spawner(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_PROCESS_HANDLE => Held::Process(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_PROCESS_FORKER => Held::Forker(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_VIRTUAL_MEMORY => Held::Memory(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_PIPE_FACTORY => Held::Pipes(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_PIPE_READER => Held::PipeReader(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_PIPE_WRITER => Held::PipeWriter(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_NETWORK_MANAGER => Held::Network(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_UDP_SOCKET => Held::Udp(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_TCP_CONNECTION => Held::Tcp(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_TCP_LISTENER => Held::TcpListener(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_DIRECTORY => Held::Directory(rt.take(name).map_err(lookup_code)?),
        CAPOS_IFACE_FILE => Held::File(rt.take(name).map_err(lookup_code)?),
        _ => other(rt, name)?,
    };
    Ok(held)
}

impl State {
    /// The id and interface of the CapSet entry called `name`, held by
    /// libcapos from now on.
    pub fn capset_get(&mut self, name: &[u8]) -> Result<(u32, u64), i32> {
        let entries = self.rt.capset().entries();
        let entry = capos_abi::capset::find(entries, name).ok_or(CAPOS_E_NOT_FOUND)?;
        let (id, interface_id) = (entry.cap_id, entry.interface_id);
        if self.held.get(id).is_ok() {
            return Ok((id, interface_id));
        }
        if self.layers.contains(&id) {
            return Err(CAPOS_E_TAKEN);
        }
        // CapSet names come from the manifest, which is UTF-8 throughout.
        let name = core::str::from_utf8(name).map_err(|_| CAPOS_E_NOT_FOUND)?;
        let held = take(&mut self.rt, name, interface_id)?;
        self.held.insert(held);
        Ok((id, interface_id))
    }
}

/// Looks up the capability called `name` (NUL-terminated) in the CapSet the
/// process started with, and stores its id and interface id
/// (`CAPOS_IFACE_*`) through the out pointers, each of which may be NULL.
///
/// Returns 0, `CAPOS_E_NOT_FOUND` if no capability of that name was
/// granted, `CAPOS_E_RELEASED` if this program released it,
/// `CAPOS_E_TAKEN` if another layer of the program holds it (in a POSIX
/// program, libcapos-posix's "console", "timer", "memory" and "random"),
/// or `CAPOS_E_BAD_ARGUMENT` if `name` is NULL.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; the out pointers must be
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_capset_get(
    name: *const c_char,
    out_cap: *mut u32,
    out_interface_id: *mut u64,
) -> i32 {
    // SAFETY: `name` is NULL or terminated, per the contract.
    let name = match unsafe { ffi::c_bytes(name, MAX_CAP_NAME) } {
        Ok(Some(name)) => name,
        // Longer than any CapSet name can be.
        Ok(None) => return CAPOS_E_NOT_FOUND,
        Err(code) => return code,
    };
    status(
        state::with(|s| s.capset_get(name)).map(|(id, interface_id)| {
            // SAFETY: NULL or writable, per the contract.
            unsafe {
                ffi::store(out_cap, id);
                ffi::store(out_interface_id, interface_id);
            }
        }),
    )
}
