//! The capabilities the worker knows it holds, and what it knows of them.
//!
//! The list is a belief, not the truth: moves, clobbered results and
//! re-run requests can change the table behind it. A capability that
//! answers INVALID_CAP or STALE_CAP is dropped from it; one that arrives
//! in a result or a RECV is added. Being wrong only makes some requests
//! fail differently, which is fuzzing too.

use alloc::vec::Vec;
use capos_schema::interface_id as iid;
use fuzz_programs::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Console,
    Timer,
    Spawner,
    Memory,
    Boot,
    Factory,
    Entropy,
    /// An Endpoint's owner facet.
    Owner,
    /// An Endpoint's client facet, serving some interface.
    Client,
    Object,
    Handle,
    PipeFactory,
    PipeReader,
    PipeWriter,
    Directory,
    File,
    NetworkManager,
    /// Only ever a client facet posing as one: the fuzz system has no
    /// network device, so the kernel makes no sockets (net_params.rs).
    UdpSocket,
    /// The console's terminal, which nothing types into.
    Terminal,
}

impl Kind {
    /// The kind a capability of `interface` has, as far as the worker can
    /// tell. A client facet serving a kernel interface looks like that
    /// interface: treating it so is the careful choice (see `sensitive`).
    pub fn of(interface: u64) -> Kind {
        match interface {
            iid::CONSOLE => Kind::Console,
            iid::TIMER => Kind::Timer,
            iid::PROCESS_SPAWNER => Kind::Spawner,
            iid::VIRTUAL_MEMORY => Kind::Memory,
            iid::BOOT_PACKAGE => Kind::Boot,
            iid::ENDPOINT_FACTORY => Kind::Factory,
            iid::ENTROPY_SOURCE => Kind::Entropy,
            iid::ENDPOINT => Kind::Owner,
            iid::MEMORY_OBJECT => Kind::Object,
            iid::PROCESS_HANDLE => Kind::Handle,
            iid::PIPE_FACTORY => Kind::PipeFactory,
            iid::PIPE_READER => Kind::PipeReader,
            iid::PIPE_WRITER => Kind::PipeWriter,
            iid::DIRECTORY => Kind::Directory,
            iid::FILE => Kind::File,
            iid::NETWORK_MANAGER => Kind::NetworkManager,
            iid::UDP_SOCKET => Kind::UdpSocket,
            iid::TERMINAL => Kind::Terminal,
            _ => Kind::Client,
        }
    }

    /// How many methods the interface has (ordinals 0..n); a client
    /// facet's server answers any method.
    pub fn methods(self) -> u16 {
        match self {
            Kind::Console
            | Kind::Spawner
            | Kind::Boot
            | Kind::Object
            | Kind::Handle
            | Kind::PipeReader
            | Kind::PipeWriter => 2,
            Kind::NetworkManager => 3,
            Kind::Timer => 6,
            Kind::UdpSocket => 6,
            Kind::Memory => 4,
            Kind::Factory | Kind::Entropy | Kind::Owner | Kind::PipeFactory => 1,
            Kind::Client => 8,
            Kind::Directory => 10,
            Kind::File => 15,
            Kind::Terminal => 12,
        }
    }

    /// The index in `fuzz_programs::stats::METHODS` of `method` (of a CALL
    /// to this kind), or of RECV, RETURN and RELEASE.
    pub fn counter(self, opcode: u8, method: u16) -> Option<usize> {
        use capos_abi::ring::op;
        // File's methods from binary on came later: counted after the rest.
        if (opcode, self) == (op::CALL, Kind::File) && method >= 9 {
            return (method < self.methods()).then_some(56 + method as usize - 9);
        }
        // The signal methods came later still: Timer.signals and
        // setUpcall, ProcessHandle.signal, Terminal.setGroup; then
        // Timer.idle.
        match (opcode, self, method) {
            (op::CALL, Kind::Timer, 3 | 4) => return Some(73 + method as usize - 3),
            (op::CALL, Kind::Handle, 1) => return Some(75),
            (op::CALL, Kind::Terminal, 11) => return Some(76),
            (op::CALL, Kind::Timer, 5) => return Some(77),
            _ => {}
        }
        let base = match (opcode, self) {
            (op::CALL, Kind::Console) => 0,
            (op::CALL, Kind::Timer) => 2,
            (op::CALL, Kind::Spawner) => 5,
            (op::CALL, Kind::Memory) => 7,
            (op::CALL, Kind::Object) => 11,
            (op::CALL, Kind::Factory) => 13,
            (op::CALL, Kind::Owner) => 14,
            (op::CALL, Kind::Entropy) => 15,
            (op::CALL, Kind::Boot) => 16,
            (op::CALL, Kind::Handle) => 18,
            (op::CALL, Kind::PipeFactory) => 19,
            (op::CALL, Kind::PipeReader) => 20,
            (op::CALL, Kind::PipeWriter) => 22,
            (op::CALL, Kind::Directory) => 28,
            (op::CALL, Kind::File) => 38,
            (op::CALL, Kind::NetworkManager) => 47,
            (op::CALL, Kind::UdpSocket) => 50,
            (op::CALL, Kind::Terminal) => 62,
            (op::CALL, Kind::Client) => return Some(24),
            (op::RECV, Kind::Owner) => return Some(25),
            (op::RETURN, Kind::Owner) => return Some(26),
            (op::RELEASE, _) => return Some(27),
            _ => return None,
        };
        (method < self.methods()).then_some(base + method as usize)
    }

    /// Calls that may complete while the worker is outside cap_enter,
    /// writing a result: their results must not aim at the ring header.
    /// A pipe read or write waits for the other half, which a fuzz-child
    /// may hold and act on (or die with) at any time. A UdpSocket's
    /// receive and readiness wait too (on a real socket, for the network).
    pub fn completes_later(self) -> bool {
        matches!(
            self,
            Kind::Timer
                | Kind::Handle
                | Kind::PipeReader
                | Kind::PipeWriter
                | Kind::UdpSocket
                | Kind::Terminal
        )
    }

    /// A half of a pipe.
    pub fn pipe_half(self) -> bool {
        matches!(self, Kind::PipeReader | Kind::PipeWriter)
    }

    /// Calls whose effect could hurt the worker itself rather than the
    /// kernel: Console.write and writeLine and Terminal.write (text on the
    /// serial log) and
    /// VirtualMemory.unmap and protect (the arena). Their params must be
    /// checked messages or bytes that never decode.
    pub fn sensitive(self, method: u16) -> bool {
        match self {
            Kind::Console => method <= 1,
            Kind::Terminal => method == 1,
            Kind::Memory => method == 1 || method == 2,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub id: u32,
    pub interface: u64,
    pub kind: Kind,
}

/// A call RECV delivered and no RETURN has answered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub owner: u32,
    pub call_id: u32,
}

/// Most capabilities tracked; the kernel's table holds 256.
const MAX_LIVE: usize = 240;
const MAX_STALE: usize = 64;
const MAX_RECEIVED: usize = 128;
const MAX_MAPPINGS: usize = 64;

pub struct Caps {
    pub live: Vec<Target>,
    stale: Vec<u32>,
    /// Never named by a fuzzed request.
    protected: Vec<u32>,
    pub received: Vec<Received>,
    /// The worker's fuzz-made mappings: (address, bytes).
    pub mappings: Vec<(u64, u64)>,
}

impl Caps {
    pub fn new(protected: Vec<u32>) -> Self {
        Caps {
            live: Vec::new(),
            stale: Vec::new(),
            protected,
            received: Vec::new(),
            mappings: Vec::new(),
        }
    }

    pub fn find(&self, id: u32) -> Option<Target> {
        self.live.iter().find(|t| t.id == id).copied()
    }

    pub fn add(&mut self, target: Target) {
        if self.protected.contains(&target.id) || self.live.len() >= MAX_LIVE {
            return;
        }
        self.stale.retain(|&id| id != target.id);
        match self.live.iter_mut().find(|t| t.id == target.id) {
            Some(known) => *known = target,
            None => self.live.push(target),
        }
    }

    /// The capability is gone (released, moved, or refused as unknown).
    pub fn gone(&mut self, id: u32) {
        let before = self.live.len();
        self.live.retain(|t| t.id != id);
        if self.live.len() != before {
            if self.stale.len() >= MAX_STALE {
                self.stale.remove(0);
            }
            self.stale.push(id);
        }
    }

    /// A live capability: a kind first, then one of that kind, so the
    /// many client facets and spawners a round makes do not crowd out the
    /// single Timer or BootPackage.
    pub fn pick(&self, rng: &mut Rng) -> Option<Target> {
        let mut kinds: Vec<Kind> = Vec::new();
        for t in &self.live {
            if !kinds.contains(&t.kind) {
                kinds.push(t.kind);
            }
        }
        if kinds.is_empty() {
            return None;
        }
        let kind = *rng.pick(&kinds);
        self.pick_kind(rng, kind)
    }

    /// A live capability of `kind`, if there is one: half the time the
    /// oldest (the one granted or made at set-up, which works), else any.
    pub fn pick_kind(&self, rng: &mut Rng, kind: Kind) -> Option<Target> {
        let n = self.live.iter().filter(|t| t.kind == kind).count();
        if n == 0 {
            return None;
        }
        let at = if rng.chance(1, 2) {
            0
        } else {
            rng.below(n as u64) as usize
        };
        self.live.iter().filter(|t| t.kind == kind).nth(at).copied()
    }

    /// True if `id` is the only live capability of its kind: it is never
    /// released or moved, since while a move is under way its id answers
    /// STALE_CAP and the worker would forget it.
    pub fn last_of_kind(&self, id: u32) -> bool {
        self.find(id)
            .is_some_and(|t| self.live.iter().filter(|o| o.kind == t.kind).count() == 1)
    }

    /// A live capability that is not the last of its kind, to release:
    /// releasing the only Timer would end the Timer's part of the round.
    /// One time in three a pipe half if there is one, so that ends of
    /// file and broken pipes come while reads and writes wait.
    pub fn releasable(&self, rng: &mut Rng) -> Option<Target> {
        let spare: Vec<Target> = self
            .live
            .iter()
            .filter(|t| self.live.iter().filter(|o| o.kind == t.kind).count() > 1)
            .copied()
            .collect();
        let halves: Vec<Target> = spare
            .iter()
            .filter(|t| t.kind.pipe_half())
            .copied()
            .collect();
        if !halves.is_empty() && rng.chance(1, 3) {
            return Some(*rng.pick(&halves));
        }
        (!spare.is_empty()).then(|| *rng.pick(&spare))
    }

    /// Every live capability of `kind`.
    pub fn all_of(&self, kind: Kind) -> Vec<u32> {
        self.live
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.id)
            .collect()
    }

    /// Never a protected id: a protected one becomes its stale twin.
    pub fn scrub(&self, id: u32) -> u32 {
        if self.protected.contains(&id) {
            id ^ 0x8000_0000
        } else {
            id
        }
    }

    /// A capability id for a fuzzed request: mostly live ones, also
    /// released ones, ids with the wrong generation or slot, and junk.
    pub fn any_id(&self, rng: &mut Rng) -> u32 {
        let live = self.pick(rng).map_or(0, |t| t.id);
        let id = match rng.below(20) {
            0..=12 => live,
            13 | 14 if !self.stale.is_empty() => *rng.pick(&self.stale),
            15 => rng.next_u32(),
            16 => 0,
            17 => live ^ ((rng.range(1, 0xffff) as u32) << 16),
            18 => (live & 0xffff_0000) | rng.below(300) as u32,
            _ => *rng.pick(&[u32::MAX, 0xffff, 0x1_0000, 0xffff_0000]),
        };
        self.scrub(id)
    }

    /// Capabilities to hand on (spawn grants, transfers): ids the worker
    /// can lose without harm, so never a console, whose copies could end
    /// up writing the log.
    pub fn transferable(&self, rng: &mut Rng) -> u32 {
        let id = match self.pick(rng) {
            Some(t) if t.kind != Kind::Console && rng.chance(7, 8) => t.id,
            _ => self.any_id(rng),
        };
        match self.find(id) {
            Some(t) if t.kind == Kind::Console => id ^ 0x8000_0000,
            _ => id,
        }
    }

    pub fn receive(&mut self, call: Received) {
        if self.received.len() >= MAX_RECEIVED {
            self.received.remove(0);
        }
        self.received.push(call);
    }

    pub fn answered(&mut self, owner: u32, call_id: u32) {
        self.received
            .retain(|c| !(c.owner == owner && c.call_id == call_id));
    }

    pub fn mapped(&mut self, addr: u64, len: u64) {
        if self.mappings.len() >= MAX_MAPPINGS {
            self.mappings.remove(0);
        }
        self.mappings.push((addr, len));
    }

    pub fn unmapped(&mut self, addr: u64, len: u64) {
        let end = addr.saturating_add(len);
        self.mappings.retain(|&(a, _)| a < addr || a >= end);
    }
}
