//! ProcessSpawner, ProcessHandle and ProcessForker: `capos_spawn` starts a
//! binary of the boot manifest with named grants, arguments and
//! environment; `capos_process_wait` reports how it ended; `capos_fork`
//! duplicates this process.

use crate::error::{CAPOS_E_BAD_ARGUMENT, CAPOS_E_MESSAGE_TOO_LARGE, code, status};
use crate::ffi::{self, MAX_BYTES};
use crate::held::Held;
use crate::state::{self, State};
use alloc::vec::Vec;
use capos_abi::capset::MAX_CAPSET_ENTRIES;
use capos_rt::{ExitStatus, FaultKind, Forked, Grant};
use core::ffi::c_char;

/// `capos_exit_status.kind`: the process called exit or returned from main.
pub const CAPOS_EXIT_EXITED: u32 = 0;
/// `capos_exit_status.kind`: a CPU exception in user mode ended it.
pub const CAPOS_EXIT_FAULTED: u32 = 1;
/// `capos_exit_status.kind`: the kernel ended it for a signal (`code`).
pub const CAPOS_EXIT_SIGNALED: u32 = 2;

/// `capos_exit_status.fault_kind` values.
pub const CAPOS_FAULT_PAGE_FAULT: u32 = 0;
pub const CAPOS_FAULT_GENERAL_PROTECTION: u32 = 1;
pub const CAPOS_FAULT_INVALID_OPCODE: u32 = 2;
pub const CAPOS_FAULT_DIVIDE_ERROR: u32 = 3;
pub const CAPOS_FAULT_OTHER: u32 = 4;

/// `capos_fork`'s return in the process that called it.
pub const CAPOS_FORK_PARENT: i32 = 0;
/// `capos_fork`'s return in the new copy.
pub const CAPOS_FORK_CHILD: i32 = 1;

/// Most grants one spawn may carry (the child's CapSet is one page).
pub const CAPOS_MAX_GRANTS: usize = 63;
/// Most arguments, and most environment entries, one spawn may carry.
pub const CAPOS_MAX_ARGS: usize = 1024;

const _: () = {
    assert!(CAPOS_MAX_GRANTS == MAX_CAPSET_ENTRIES);
    assert!(CAPOS_MAX_ARGS == capos_lib::launch::MAX_ARGS);
    assert!(CAPOS_MAX_ARGS == capos_lib::launch::MAX_ENV);
};

/// What to start, besides the binary: the child's name, grants, arguments
/// and environment.
pub struct Spawn<'a> {
    pub name: &'a str,
    pub binary: &'a str,
    /// (name in the child's CapSet, id held by libcapos)
    pub grants: &'a [(&'a str, u32)],
    pub argv: &'a [&'a str],
    pub env: &'a [&'a str],
}

impl Spawn<'_> {
    /// Bytes of text the params message carries.
    fn text_bytes(&self) -> usize {
        let strings = self.argv.iter().chain(self.env).map(|s| s.len());
        let grants = self.grants.iter().map(|g| g.0.len());
        self.name.len() + self.binary.len() + strings.chain(grants).sum::<usize>()
    }
}

/// One capability handed to a child: the id of a capability libcapos
/// holds, and the name it gets in the child's CapSet. The parent keeps its
/// own.
#[repr(C)]
pub struct CaposGrant {
    pub name: *const c_char,
    pub cap: u32,
}

/// How a process ended.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaposExitStatus {
    /// `CAPOS_EXIT_EXITED` or `CAPOS_EXIT_FAULTED`.
    pub kind: u32,
    /// With `CAPOS_EXIT_FAULTED`: a `CAPOS_FAULT_*` value; else 0.
    pub fault_kind: u32,
    /// With `CAPOS_EXIT_EXITED`: the exit code; `CAPOS_EXIT_SIGNALED`:
    /// the signal number; else 0.
    pub code: i64,
    /// With `CAPOS_EXIT_FAULTED`: the user instruction pointer; else 0.
    pub rip: u64,
    /// With `CAPOS_EXIT_FAULTED`: the faulting address (page faults); else 0.
    pub addr: u64,
}

fn fault_kind(kind: FaultKind) -> u32 {
    match kind {
        FaultKind::PageFault => CAPOS_FAULT_PAGE_FAULT,
        FaultKind::GeneralProtection => CAPOS_FAULT_GENERAL_PROTECTION,
        FaultKind::InvalidOpcode => CAPOS_FAULT_INVALID_OPCODE,
        FaultKind::DivideError => CAPOS_FAULT_DIVIDE_ERROR,
        FaultKind::Other => CAPOS_FAULT_OTHER,
    }
}

impl From<ExitStatus> for CaposExitStatus {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Exited(code) => CaposExitStatus {
                kind: CAPOS_EXIT_EXITED,
                code,
                ..CaposExitStatus::default()
            },
            ExitStatus::Faulted(fault) => CaposExitStatus {
                kind: CAPOS_EXIT_FAULTED,
                fault_kind: fault_kind(fault.kind),
                rip: fault.rip,
                addr: fault.addr,
                ..CaposExitStatus::default()
            },
            ExitStatus::Signaled(sig) => CaposExitStatus {
                kind: CAPOS_EXIT_SIGNALED,
                code: i64::from(sig),
                ..CaposExitStatus::default()
            },
        }
    }
}

impl State {
    /// Spawns a process and holds its new ProcessHandle; returns its id.
    pub fn spawn(&mut self, spawner: u32, spawn: &Spawn<'_>) -> Result<u32, i32> {
        if spawn.text_bytes() > MAX_BYTES {
            return Err(CAPOS_E_MESSAGE_TOO_LARGE);
        }
        let handle = {
            let spawner = self.held.spawner(spawner)?;
            let grants = spawn
                .grants
                .iter()
                .map(|(name, id)| {
                    let cap = self.held.get(*id)?.cap();
                    Ok(Grant { name, cap })
                })
                .collect::<Result<Vec<_>, i32>>()?;
            spawner
                .spawn_with(spawn.name, spawn.binary, &grants, spawn.argv, spawn.env)
                .map_err(|e| code(&e))?
        };
        Ok(self.held.insert(Held::Process(handle)))
    }

    /// Forks through ProcessForker `forker`: in the parent, the child's
    /// pid and its new ProcessHandle's id; in the child, its own pid and
    /// no handle, with the runtime and the table fixed up for it.
    pub fn fork(&mut self, forker: u32) -> Result<(u64, Option<u32>), i32> {
        let forked = self.held.forker(forker)?.fork().map_err(|e| code(&e))?;
        Ok(match forked {
            Forked::Parent { pid, handle } => (pid, Some(self.held.insert(Held::Process(handle)))),
            Forked::Child { pid } => {
                self.rt.forked();
                self.held.drop_process_handles();
                (pid, None)
            }
        })
    }

    pub fn process_wait(&self, handle: u32) -> Result<CaposExitStatus, i32> {
        let status = self.held.process(handle)?.wait().map_err(|e| code(&e))?;
        Ok(status.into())
    }
}

/// Reads a NULL-terminated array of at most `max` strings; NULL is an
/// empty array.
///
/// # Safety
/// `list` must be NULL or valid for reads up to and including its NULL
/// (or its first `max + 1` entries); each entry terminated.
unsafe fn read_strings<'a>(list: *const *const c_char, max: usize) -> Result<Vec<&'a str>, i32> {
    let mut out = Vec::new();
    if list.is_null() {
        return Ok(out);
    }
    for index in 0..=max {
        // SAFETY: entries up to the NULL are readable per the contract,
        // and the loop stops at the NULL.
        let entry = unsafe { list.add(index).read_unaligned() };
        if entry.is_null() {
            return Ok(out);
        }
        // SAFETY: a terminated string per the contract.
        out.push(unsafe { ffi::text(entry) }?);
    }
    Err(CAPOS_E_BAD_ARGUMENT)
}

/// Reads the C grant array: (name, id) pairs.
///
/// # Safety
/// `grants` must be valid for `count` reads; each name NULL or terminated.
unsafe fn read_grants<'a>(
    grants: *const CaposGrant,
    count: usize,
) -> Result<Vec<(&'a str, u32)>, i32> {
    if count > CAPOS_MAX_GRANTS || (count > 0 && grants.is_null()) {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    (0..count)
        .map(|i| {
            // SAFETY: `i < count`, inside the array per the contract.
            let grant = unsafe { grants.add(i).read_unaligned() };
            // SAFETY: NULL or terminated per the contract.
            Ok((unsafe { ffi::text(grant.name) }?, grant.cap))
        })
        .collect()
}

/// Starts the manifest binary `binary` as a process called `name`, giving
/// it the `grant_count` capabilities at `grants` under their names, the
/// arguments `argv` and the environment `envp` (`KEY=VALUE` entries; both
/// NULL-terminated arrays of UTF-8 strings, or NULL for none). The child's
/// `main` gets exactly `argv`, so pass the program name first if the child
/// expects it. The id of the new ProcessHandle is stored at `out_handle`,
/// which must not be NULL; libcapos holds it: wait on it, then release it.
///
/// Returns 0, `CAPOS_E_NOT_HELD` (the spawner or a granted id),
/// `CAPOS_E_WRONG_INTERFACE` (not a ProcessSpawner), `CAPOS_E_BAD_ARGUMENT`
/// (NULL or non-UTF-8 text, more than `CAPOS_MAX_GRANTS` grants or
/// `CAPOS_MAX_ARGS` arguments or environment entries),
/// `CAPOS_E_MESSAGE_TOO_LARGE`, `CAPOS_E_APPLICATION` (the kernel refused:
/// no such binary, not on this spawner's allowlist, a bad or duplicate
/// name, an environment entry without `=`) or a transport code.
///
/// # Safety
/// `name`, `binary`, each grant's name and each entry of `argv` and `envp`
/// must be NULL or NUL-terminated; `grants` must be valid for
/// `grant_count` reads (NULL if 0); `argv` and `envp` must be NULL or
/// NULL-terminated arrays.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_spawn(
    spawner: u32,
    name: *const c_char,
    binary: *const c_char,
    grants: *const CaposGrant,
    grant_count: usize,
    argv: *const *const c_char,
    envp: *const *const c_char,
    out_handle: *mut u32,
) -> i32 {
    if out_handle.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    let run = || {
        // SAFETY: every pointer as the contract states.
        let spawn = unsafe {
            Spawn {
                name: ffi::text(name)?,
                binary: ffi::text(binary)?,
                grants: &read_grants(grants, grant_count)?,
                argv: &read_strings(argv, CAPOS_MAX_ARGS)?,
                env: &read_strings(envp, CAPOS_MAX_ARGS)?,
            }
        };
        state::with(|s| s.spawn(spawner, &spawn))
    };
    status(run().map(|handle| {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { ffi::store(out_handle, handle) }
    }))
}

/// Waits until the process of ProcessHandle `handle` has ended and stores
/// how at `out_status` (may be NULL). Returns 0, `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` (not a ProcessHandle) or a transport code.
///
/// # Safety
/// `out_status` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_process_wait(handle: u32, out_status: *mut CaposExitStatus) -> i32 {
    status(state::with(|s| s.process_wait(handle)).map(|exit| {
        // SAFETY: NULL or writable per the contract.
        unsafe { ffi::store(out_status, exit) }
    }))
}

/// Duplicates this process through the ProcessForker `forker`
/// (docs/interfaces/process-forker.md): returns twice.
/// In this process, `CAPOS_FORK_PARENT`, with the child's pid at `out_pid`
/// and the id of a new ProcessHandle for it at `out_handle` (libcapos
/// holds it: wait on it, then release it). In the copy,
/// `CAPOS_FORK_CHILD`, with its own pid at `out_pid` and 0 at
/// `out_handle`; the copy holds this process's capabilities under the same
/// ids, but no ProcessHandle (libcapos forgets them there). Either pointer
/// may be NULL.
///
/// Fails, with nothing created, with `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` (not a ProcessForker), `CAPOS_E_APPLICATION`
/// (the kernel refused: another call of this process in flight, or the
/// quotas this process shares with its forks cannot hold one more process
/// or its copy of memory) or a transport code.
///
/// # Safety
/// `out_pid` and `out_handle` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_fork(forker: u32, out_pid: *mut u64, out_handle: *mut u32) -> i32 {
    match state::with(|s| s.fork(forker)) {
        Ok((pid, handle)) => {
            // SAFETY: NULL or writable per the contract.
            unsafe {
                ffi::store(out_pid, pid);
                ffi::store(out_handle, handle.unwrap_or(0));
            }
            if handle.is_some() {
                CAPOS_FORK_PARENT
            } else {
                CAPOS_FORK_CHILD
            }
        }
        Err(code) => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{CAPOS_E_APPLICATION, CAPOS_E_NOT_HELD};
    use crate::iface::{
        CAPOS_IFACE_CONSOLE, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_IFACE_PROCESS_SPAWNER,
    };
    use crate::test_kernel::{Outcome, TestEnv};
    use capos_rt::message;
    use capos_schema::{ExceptionType, cap_exception, process_handle, process_spawner};

    const HANDLE: u32 = 0x2_0009;

    fn kernel(sqe: &capos_abi::ring::Sqe, params: &[u8]) -> Outcome {
        if sqe.interface_id == CAPOS_IFACE_PROCESS_HANDLE {
            let words = message::build::<process_handle::wait_results::Owned>(|r| {
                let mut fault = r.init_status().init_faulted();
                fault.set_kind(FaultKind::DivideError);
                fault.set_rip(0x40_0010);
            });
            return Outcome::Later(2, message::as_bytes(&words).to_vec());
        }
        let msg = message::read(params).unwrap();
        let p: process_spawner::spawn_params::Reader = msg.get_root().unwrap();
        if p.get_binary().unwrap() != "child" {
            let words = message::build::<cap_exception::Owned>(|mut e| {
                e.set_type(ExceptionType::Failed);
                e.set_reason("no such binary");
            });
            return Outcome::Exception(message::as_bytes(&words).to_vec());
        }
        let argv = p.get_argv().unwrap();
        assert_eq!(argv.len(), 2);
        assert_eq!(argv.get(1).unwrap(), "-v");
        assert_eq!(p.get_env().unwrap().get(0).unwrap(), "A=1");
        let grants = p.get_grants().unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants.get(0).get_name().unwrap(), "console");
        assert_eq!(grants.get(0).get_cap_id(), 0x1_0001);
        let words = message::build::<process_spawner::spawn_results::Owned>(|r| {
            let mut handle = r.init_handle();
            handle.set_cap_id(HANDLE);
            handle.set_interface_id(CAPOS_IFACE_PROCESS_HANDLE);
        });
        Outcome::Reply(message::as_bytes(&words).to_vec())
    }

    #[test]
    fn spawn_grants_by_name_and_wait_reports_faults() {
        let caps = [
            ("console", 0x1_0001, CAPOS_IFACE_CONSOLE),
            ("spawner", 0x1_0002, CAPOS_IFACE_PROCESS_SPAWNER),
        ];
        let mut env = TestEnv::new(&caps, kernel);
        let mut s = env.state();
        let (console, _) = s.capset_get(b"console").unwrap();
        let (spawner, _) = s.capset_get(b"spawner").unwrap();
        fn spawn<'a>(binary: &'a str, grants: &'a [(&'a str, u32)]) -> Spawn<'a> {
            Spawn {
                name: "c",
                binary,
                grants,
                argv: &["child", "-v"],
                env: &["A=1"],
            }
        }
        let grants = [("console", console)];
        let handle = s.spawn(spawner, &spawn("child", &grants)).unwrap();
        assert_eq!(handle, HANDLE);
        let status = s.process_wait(handle).unwrap();
        let expected = CaposExitStatus {
            kind: CAPOS_EXIT_FAULTED,
            fault_kind: CAPOS_FAULT_DIVIDE_ERROR,
            code: 0,
            rip: 0x40_0010,
            addr: 0,
        };
        assert_eq!(status, expected);
        let refused = s.spawn(spawner, &spawn("missing", &[]));
        assert_eq!(refused, Err(CAPOS_E_APPLICATION));
        let unheld_grants = [("console", 0x7_0007)];
        let unheld = s.spawn(spawner, &spawn("child", &unheld_grants));
        assert_eq!(unheld, Err(CAPOS_E_NOT_HELD));
        let exited = CaposExitStatus::from(ExitStatus::Exited(42));
        assert_eq!((exited.kind, exited.code), (CAPOS_EXIT_EXITED, 42));
    }

    #[test]
    fn string_arrays_end_at_null_and_are_bounded() {
        let list = [c"a".as_ptr(), c"b".as_ptr(), core::ptr::null()];
        // SAFETY: a NULL-terminated array of terminated strings.
        let got = unsafe { read_strings(list.as_ptr(), 2) };
        assert_eq!(got, Ok(alloc::vec!["a", "b"]));
        // SAFETY: the scan stops after max + 1 entries, inside the array.
        let got = unsafe { read_strings(list.as_ptr(), 1) };
        assert_eq!(got, Err(CAPOS_E_BAD_ARGUMENT));
        // SAFETY: NULL reads nothing.
        let got = unsafe { read_strings(core::ptr::null(), 2) };
        assert_eq!(got, Ok(alloc::vec![]));
    }

    #[test]
    fn grant_arrays_are_checked() {
        // SAFETY: NULL with a count is refused before any read.
        let got = unsafe { read_grants(core::ptr::null(), 1) };
        assert_eq!(got, Err(CAPOS_E_BAD_ARGUMENT));
        let one = [CaposGrant {
            name: c"log".as_ptr(),
            cap: 3,
        }];
        // SAFETY: a valid one-element array with a terminated name.
        let got = unsafe { read_grants(one.as_ptr(), 1) };
        assert_eq!(got, Ok(alloc::vec![("log", 3)]));
        // SAFETY: the count is refused before any read.
        let got = unsafe { read_grants(one.as_ptr(), CAPOS_MAX_GRANTS + 1) };
        assert_eq!(got, Err(CAPOS_E_BAD_ARGUMENT));
    }

    /// A kernel whose fork answers as the parent's copy does, then as the
    /// child's.
    fn forking_kernel(sqe: &capos_abi::ring::Sqe, _: &[u8]) -> Outcome {
        assert_eq!(sqe.interface_id, crate::iface::CAPOS_IFACE_PROCESS_FORKER);
        static CALLS: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);
        let in_child = CALLS.fetch_add(1, core::sync::atomic::Ordering::Relaxed) > 0;
        let words = message::build::<capos_schema::process_forker::fork_results::Owned>(|mut r| {
            r.set_pid(7);
            r.set_in_child(in_child);
            if !in_child {
                let mut handle = r.init_handle();
                handle.set_cap_id(HANDLE);
                handle.set_interface_id(CAPOS_IFACE_PROCESS_HANDLE);
            }
        });
        Outcome::Reply(message::as_bytes(&words).to_vec())
    }

    #[test]
    fn fork_holds_the_childs_handle_in_the_parent_and_drops_handles_in_the_child() {
        let caps = [("fork", 0x1_0003, crate::iface::CAPOS_IFACE_PROCESS_FORKER)];
        let mut env = TestEnv::new(&caps, forking_kernel);
        let mut s = env.state();
        let (forker, _) = s.capset_get(b"fork").unwrap();
        assert_eq!(s.fork(forker), Ok((7, Some(HANDLE))));
        assert!(s.held.process(HANDLE).is_ok());
        // The second answer is the child's: no handle, and the parent's
        // handle is forgotten here.
        assert_eq!(s.fork(forker), Ok((7, None)));
        assert_eq!(s.held.process(HANDLE).err(), Some(CAPOS_E_NOT_HELD));
        assert_eq!(s.fork(0x9_9999), Err(CAPOS_E_NOT_HELD));
    }
}
