//! The process-wide state behind `__capos_syscall`: the capabilities the
//! adapter uses and the descriptor table. The runtime is not here: the
//! process has one, in libcapos's state (`libcapos::runtime`), shared
//! with the `capos_*` functions C may call too.
//!
//! The entry point installs it before musl starts; each call borrows it for
//! its duration. No C code runs during a borrow (no call takes a callback),
//! so the borrow never fails in a correct program; if it did, the call
//! fails with EIO instead of touching anything. A call may borrow
//! libcapos's state inside this borrow (for the pid); a `capos_*` function
//! never runs inside it, since only C calls those, so the two borrows
//! never nest the other way.

use crate::fd::FdTable;
use crate::file::object::{DirObject, FileObject};
use crate::fork::Shadow;
use crate::linux::errno::EIO;
use crate::net::object::UdpFd;
use crate::process::children::Children;
use crate::process::inherit;
use crate::report::Reported;
use crate::signal::{Handler, Signals};
use crate::tty::Groups;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_rt::{
    CWD_GRANT, Client, Console, Directory, EntropySource, Namespace, NetworkManager, PipeFactory,
    PipeReader, PipeWriter, ProcessForker, ProcessSpawner, Terminal, Timer, VirtualMemory,
};
use core::cell::{Cell, RefCell};
use libcapos::runtime;

/// An object a descriptor can name.
pub enum Object {
    /// The serial console: write-only, not a terminal.
    Console(Console),
    /// A pipe's read half (pipe.rs).
    PipeReader(PipeReader),
    /// A pipe's write half (pipe.rs).
    PipeWriter(PipeWriter),
    /// A file and its offset (file/).
    File(FileObject),
    /// A directory and its listing position (file/).
    Directory(DirObject),
    /// A UDP socket (net/).
    Udp(UdpFd),
    /// The console as a terminal (tty.rs).
    Terminal(Terminal),
    /// A TCP socket (net/stream.rs).
    Tcp(crate::net::stream::TcpFd),
    /// An epoll interest list (epoll_call.rs).
    Epoll(crate::epoll_call::Epoll),
}

impl Object {
    /// The access mode F_GETFL reports.
    pub fn access_mode(&self) -> i64 {
        match self {
            Object::PipeReader(_) | Object::Directory(_) => crate::linux::fcntl::O_RDONLY,
            Object::Console(_) | Object::PipeWriter(_) => crate::linux::fcntl::O_WRONLY,
            Object::File(f) => match (f.read, f.write) {
                (true, true) => crate::file::abi::open::O_RDWR,
                (false, true) => crate::linux::fcntl::O_WRONLY,
                _ => crate::linux::fcntl::O_RDONLY,
            },
            Object::Udp(_) | Object::Tcp(_) | Object::Epoll(_) | Object::Terminal(_) => {
                crate::linux::fcntl::O_RDWR
            }
        }
    }
}

/// An open file description: the object and its file status flags
/// (O_APPEND, O_NONBLOCK), shared by every descriptor `dup` made from it.
pub struct Open {
    pub object: Object,
    pub status: Cell<i64>,
}

impl Open {
    pub fn new(object: Object) -> Open {
        Open {
            object,
            status: Cell::new(0),
        }
    }
}

pub struct State {
    pub fds: FdTable<Open>,
    /// The console for the adapter's own report lines, shared with the
    /// descriptors that name it, so closing fd 2 does not silence them.
    pub log: Option<Rc<Open>>,
    pub memory: Option<VirtualMemory>,
    pub timer: Option<Timer>,
    /// Backs getrandom.
    pub entropy: Option<EntropySource>,
    pub reported: Reported,
    pub signals: Signals,
    /// Set when a signal's default action ends the process: the exit
    /// code, acted on once the call's borrow of the state has ended.
    pub exit: Option<i64>,
    /// Starts children (posix_spawn, execve, the fork shim).
    pub spawner: Option<ProcessSpawner>,
    /// Duplicates this process ("fork"): with it fork is real
    /// (process/real_fork.rs), without it the shim. Passed on to children.
    pub forker: Option<ProcessForker>,
    /// Passed on to children ("pipes").
    pub pipes: Option<PipeFactory>,
    /// Makes sockets ("network"); passed on to children.
    pub network: Option<NetworkManager>,
    /// The network stack's IPv4 address, once asked for (net/calls.rs).
    pub stack_ip: Option<[u8; 4]>,
    /// Children started and not reaped yet.
    pub children: Children,
    /// The fork shim's child branch is running: its shadow state.
    pub fork: Option<Shadow<Open>>,
    /// How calls are answered while `fork` is set: given by the shim as
    /// the branch begins, so a program that never forks does not link
    /// the branch's calls (dispatch.rs).
    pub branch: Option<crate::dispatch::Answer>,
    /// Set when that branch has ended: the value fork returns to the
    /// parent and its errno, acted on once the borrow has ended.
    pub resume: Option<(i64, i64)>,
    /// The directories granted at absolute-path names, mounted there, and
    /// the working directory (file/).
    pub ns: Namespace,
    /// The file mode creation mask.
    pub umask: u32,
    /// The process group and session (tty.rs).
    pub groups: Groups,
    /// A signal handler a call left to run as it returns (sigcall.rs).
    pub handler: Option<Handler>,
    /// A terminal signal a poll saw (it holds the state shared), acted on
    /// by the poll's caller.
    pub arrived: Cell<u8>,
    /// A Terminal.signal call in flight (interrupt.rs).
    pub signal_wait: Option<capos_rt::PendingCall>,
    /// The kernel's signal wait (Timer.signals) in flight (interrupt.rs).
    pub kernel_wait: Option<capos_rt::PendingCall>,
    /// The caught set the kernel was last told (None: never told).
    pub declared: Option<u64>,
    /// Signals the kernel delivered and not yet acted on (bit n-1).
    pub incoming: u64,
    /// A pipe readiness wait a signal interrupted, with the address of
    /// the descriptor it was for: the next blocking read of that
    /// descriptor waits on it again, so a signal storm does not pile up
    /// calls in flight (pipe.rs).
    pub parked_ready: Option<(usize, capos_rt::PendingCall)>,
    /// The thread id musl keeps for its one thread: what set_tid_address
    /// returned at start. A forked child keeps its parent's (musl's own
    /// fork, which would renew it, is replaced), so tkill to it is to
    /// itself.
    pub tid: u64,
}

impl State {
    /// Writes `line` to the console, if the process has one.
    pub fn log(&self, line: &str) {
        if let Some(Open {
            object: Object::Console(console),
            ..
        }) = self.log.as_deref()
        {
            let _ = console.write(line.as_bytes());
        }
    }
}

impl State {
    /// Takes "console", "memory", "timer", "random", "spawner", "pipes",
    /// "network" and "terminal" from the CapSet, if granted, through
    /// libcapos (which must hold the runtime by now). The descriptors are
    /// the "fd/N" entries a parent passed (process/inherit.rs); with none,
    /// the terminal is fds 0, 1 and 2 if granted, else the console is 1
    /// and 2 and fd 0 stays closed.
    pub fn new() -> State {
        let log = runtime::take::<Console>("console")
            .ok()
            .map(|c| Rc::new(Open::new(Object::Console(c))));
        let groups = Groups::at_start(pid());
        let terminal = runtime::take::<Terminal>("terminal").ok().map(|t| {
            crate::tty::claim_foreground(&t, &groups, pid());
            Rc::new(Open::new(Object::Terminal(t)))
        });
        let fds = inherit::table().unwrap_or_else(|| {
            let mut fds = FdTable::default();
            if let Some(terminal) = &terminal {
                // Cannot fail: the table is empty and has room.
                for fd in 0..3 {
                    let _ = fds.open_from(fd, terminal.clone(), false);
                }
            } else if let Some(console) = &log {
                // Cannot fail: the table is empty and has room.
                let _ = fds.open_from(1, console.clone(), false);
                let _ = fds.open_from(2, console.clone(), false);
            }
            fds
        });
        let state = State {
            memory: runtime::take::<VirtualMemory>("memory").ok(),
            timer: runtime::take::<Timer>("timer").ok(),
            entropy: runtime::take::<EntropySource>("random").ok(),
            spawner: runtime::take::<ProcessSpawner>("spawner").ok(),
            forker: runtime::take::<ProcessForker>("fork").ok(),
            pipes: runtime::take::<PipeFactory>("pipes").ok(),
            network: runtime::take::<NetworkManager>("network").ok(),
            stack_ip: None,
            fds,
            log,
            reported: Reported::default(),
            signals: Signals::default(),
            exit: None,
            children: Children::default(),
            fork: None,
            branch: None,
            resume: None,
            ns: namespace(),
            umask: 0o022,
            groups,
            handler: None,
            arrived: Cell::new(0),
            signal_wait: None,
            kernel_wait: None,
            declared: None,
            incoming: 0,
            tid: 0,
            parked_ready: None,
        };
        crate::tty::record_group(&state);
        state
    }
}

/// Every Directory the CapSet holds under an absolute path, mounted there
/// (capos_rt::Namespace), through libcapos; the working directory is the
/// one granted as "cwd:PATH" (a parent's), else "/".
fn namespace() -> Namespace {
    let cwd = CWD_GRANT.as_bytes();
    let names: Vec<Vec<u8>> = runtime::with_runtime(|rt| {
        rt.capset()
            .entries()
            .iter()
            .filter(|e| e.interface_id == Directory::INTERFACE_ID)
            .filter(|e| e.name().starts_with(b"/") || e.name().starts_with(cwd))
            .map(|e| e.name().to_vec())
            .collect()
    })
    .unwrap_or_default();
    let mut ns = Namespace::new();
    for name in names {
        let Ok(text) = core::str::from_utf8(&name) else {
            continue;
        };
        if let Ok(dir) = runtime::take::<Directory>(text) {
            // A name that is not a normalized path is no mount point.
            let _ = match name.strip_prefix(cwd) {
                Some(at) => ns.enter(at, dir),
                None => ns.mount(&name, dir),
            };
        }
    }
    ns
}

/// Boxed, so that the empty global is all zeros (in .bss, not 4.7 KB of
/// every program's file).
struct Global(RefCell<Option<Box<State>>>);

// SAFETY: a capOS process has one thread (there is no call that creates
// another; SYS_clone fails), so the state is never reached from two
// threads.
unsafe impl Sync for Global {}

static STATE: Global = Global(RefCell::new(None));

/// Runs `f` on the process's ring (libcapos owns the runtime): for the
/// waits several calls share (poll, wait4). EIO if the runtime is gone or
/// the ring fails.
pub fn ring(
    f: impl FnOnce(&mut capos_rt::RingClient) -> Result<(), capos_rt::Error>,
) -> Result<(), i64> {
    runtime::with_runtime(|rt| f(&mut rt.ring()))
        .ok_or(EIO)?
        .map_err(|_| EIO)
}

/// The process id, from the runtime.
pub fn pid() -> u64 {
    // Present whenever this state is: start installs the runtime first,
    // and finish removes it last.
    runtime::with_runtime(|rt| rt.pid()).unwrap_or(0)
}

pub fn install(state: State) {
    if let Ok(mut slot) = STATE.0.try_borrow_mut() {
        *slot = Some(Box::new(state));
    }
}

pub fn remove() -> Option<State> {
    STATE
        .0
        .try_borrow_mut()
        .ok()
        .and_then(|mut slot| slot.take())
        .map(|state| *state)
}

/// The exit code a signal left for the process, if any.
pub fn exit_requested() -> Option<i64> {
    STATE.0.try_borrow().ok()?.as_ref()?.exit
}

/// Runs `f` on the state; EIO if it is absent or already borrowed.
pub fn with(f: impl FnOnce(&mut State) -> Result<i64, i64>) -> Result<i64, i64> {
    let Ok(mut slot) = STATE.0.try_borrow_mut() else {
        return Err(EIO);
    };
    f(slot.as_deref_mut().ok_or(EIO)?)
}

/// Runs `f` on the state; None if it is absent or already borrowed.
pub fn access<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    let mut slot = STATE.0.try_borrow_mut().ok()?;
    Some(f(slot.as_deref_mut()?))
}
