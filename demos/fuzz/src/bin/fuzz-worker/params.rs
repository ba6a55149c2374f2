//! Params messages for every method: built with the schema's builders from
//! random field values, then often damaged (bits flipped, words cut or
//! added, the framing changed), or replaced by random words behind a valid
//! frame, or by plain random bytes. Pure random bytes rarely get past the
//! decoder; the built ones reach the methods themselves.
//!
//! [`check`] decodes a message exactly as the kernel will and decides
//! whether it may go to a method: never text for the serial log, never an
//! unmap or protect of the worker's own memory, and sleeps, allocations,
//! spawns and pipes only within the round's budget, so a round stays fast
//! and can always finish.

use crate::caps::{Caps, Kind};
use crate::{fs_params, net_params, pipe_params, signal_params, terminal_params};
use alloc::vec;
use alloc::vec::Vec;
use capnp::message::ReaderOptions;
use capnp::serialize::read_message_from_flat_slice_no_alloc;
use capnp::text;
use capnp::traits::Owned;
use capos_abi::layout::PAGE_SIZE;
use capos_abi::ring::MAX_MESSAGE_BYTES;
use capos_abi::vm::VM_BASE;
use capos_rt::message::{as_bytes, build};
use capos_schema::{
    ExceptionType, boot_package, cap_exception, console, endpoint, endpoint_factory,
    entropy_source, interface_id, memory_object, network_manager, pipe_factory, process_handle,
    process_spawner, timer, virtual_memory,
};
use fuzz_programs::rng::Rng;

/// How much of each costly thing a round may still do.
pub struct Budget {
    /// Spawns that may succeed (each starts a fuzz-child).
    pub spawns: u32,
    /// Sleeps of 2 to 50 ms, and longer ones (which may outlive the round).
    pub long_sleeps: u32,
    pub endless_sleeps: u32,
    /// Allocations of 1 to 16 MiB, and larger ones (memory exhaustion).
    pub big_allocs: u32,
    pub huge_allocs: u32,
    /// Pipes that may be made now (each charges its 16 KiB buffer to the
    /// worker's kernel quota until both halves are gone): set before each
    /// check from how many halves the worker holds (see `sanitize`), so
    /// that a long round keeps a few pipes without filling its quota.
    pub pipes: u32,
    /// Narrowed NetworkManagers (each a capability and a little kernel
    /// quota until released), so that they do not crowd the table.
    pub managers: u32,
}

impl Budget {
    fn sleep(&mut self, ns: u64) -> bool {
        let counter = match ns {
            0..=2_000_000 => return true,
            2_000_001..=50_000_000 => &mut self.long_sleeps,
            _ => &mut self.endless_sleeps,
        };
        take(counter)
    }

    fn alloc(&mut self, size: u64) -> bool {
        const MIB: u64 = 1 << 20;
        let counter = match size {
            0..=MIB => return true,
            // The kernel refuses these before allocating anything.
            _ if size > capos_abi::vm::MAX_MAP_SIZE => return true,
            _ if size <= 16 * MIB => &mut self.big_allocs,
            _ => &mut self.huge_allocs,
        };
        take(counter)
    }
}

fn take(counter: &mut u32) -> bool {
    if *counter == 0 {
        return false;
    }
    *counter -= 1;
    true
}

/// A params message and the result buffer it needs.
pub struct Built {
    pub bytes: Vec<u8>,
    /// The result can be larger than a small slot (a manifest chunk, a
    /// full entropy fill).
    pub big_result: bool,
}

/// A params message for `method` of a capability of `kind`.
pub fn build_for(rng: &mut Rng, kind: Kind, method: u16, caps: &Caps) -> Built {
    // Console.write and writeLine, Terminal.write: nothing that could
    // reach the log.
    if matches!(kind, Kind::Console | Kind::Terminal) && kind.sensitive(method) {
        return Built {
            bytes: never_decodes(rng),
            big_result: false,
        };
    }
    let (words, big_result) = structured(rng, kind, method, caps);
    let bytes = match rng.weighted(&[55, 25, 10, 10]) {
        0 => as_bytes(&words).to_vec(),
        1 => mutated(rng, as_bytes(&words).to_vec()),
        2 => framed_random(rng),
        _ => random_bytes(rng),
    };
    Built { bytes, big_result }
}

/// A RETURN's message: a result of any shape, or (for RETURN_EXCEPTION)
/// mostly a CapException.
pub fn return_message(rng: &mut Rng, exception: bool, caps: &Caps) -> Vec<u8> {
    if exception && rng.chance(3, 4) {
        let words = build::<cap_exception::Owned>(|mut e| {
            e.set_type(*rng.pick(&[
                ExceptionType::Failed,
                ExceptionType::Overloaded,
                ExceptionType::Disconnected,
                ExceptionType::Unimplemented,
            ]));
            e.set_reason(text::Reader::from(&short_text(rng)[..]));
        });
        let bytes = as_bytes(&words).to_vec();
        return if rng.chance(1, 4) {
            mutated(rng, bytes)
        } else {
            bytes
        };
    }
    any_payload(rng, caps).bytes
}

/// A call's message for a server: often a large one (4 to 64 KiB of
/// random bytes), which the caller's quota for queued calls soon refuses;
/// else as [`any_payload`].
pub fn server_payload(rng: &mut Rng, caps: &Caps) -> Built {
    if rng.chance(1, 4) {
        let mut bytes = vec![0; rng.range(4096, MAX_MESSAGE_BYTES as u64) as usize];
        rng.fill(&mut bytes);
        return Built {
            bytes,
            big_result: false,
        };
    }
    any_payload(rng, caps)
}

/// A message of a random method's params type, for a server or a method
/// that expects another type.
pub fn any_payload(rng: &mut Rng, caps: &Caps) -> Built {
    let kinds = [
        Kind::Timer,
        Kind::Spawner,
        Kind::Memory,
        Kind::Boot,
        Kind::Factory,
        Kind::Entropy,
        Kind::Object,
        Kind::PipeReader,
        Kind::PipeWriter,
    ];
    let kind = *rng.pick(&kinds);
    let method = rng.below(u64::from(kind.methods())) as u16;
    build_for(rng, kind, method, caps)
}

/// Words that never decode: the first says there are 2^32 segments.
fn never_decodes(rng: &mut Rng) -> Vec<u8> {
    let mut bytes = random_bytes(rng);
    if bytes.len() >= 4 {
        bytes[3] |= 0x80;
    }
    bytes
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    let len = match rng.below(8) {
        0 => rng.below(8),
        1 => rng.below(4096),
        _ => rng.below(64) * 8,
    };
    let mut bytes = vec![0; len as usize];
    rng.fill(&mut bytes);
    bytes
}

/// A valid frame (one segment of the right size) around random words,
/// whose root is usually a plausible struct pointer.
fn framed_random(rng: &mut Rng) -> Vec<u8> {
    let words = rng.range(1, 32);
    let mut out = Vec::with_capacity(words as usize * 8 + 8);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(words as u32).to_le_bytes());
    for i in 0..words {
        let word = if i == 0 && rng.chance(2, 3) {
            // A struct pointer: offset 0, small data and pointer sections.
            (rng.below(4) << 32) | (rng.below(4) << 48)
        } else if rng.chance(1, 4) {
            // A list or struct pointer with a small offset.
            (rng.below(64) << 2) | rng.below(2) | (rng.below(8) << 32) | (rng.below(4) << 48)
        } else {
            rng.edgy_u64()
        };
        out.extend_from_slice(&word.to_le_bytes());
    }
    out
}

/// `bytes` with one to three random changes.
fn mutated(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..rng.range(1, 3) {
        let len = bytes.len() as u64;
        match rng.below(7) {
            0 if len > 0 => {
                let at = rng.below(len) as usize;
                bytes[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len) as usize;
                bytes[at] = *rng.pick(&[0, 0xff, 0x7f, 0x80, 1]);
            }
            2 if len >= 8 => {
                let at = rng.below(len / 8) as usize * 8;
                bytes[at..at + 8].copy_from_slice(&rng.edgy_u64().to_le_bytes());
            }
            3 if len > 0 => bytes.truncate(rng.below(len) as usize),
            4 => {
                for _ in 0..rng.range(1, 4) {
                    bytes.extend_from_slice(&rng.next_u64().to_le_bytes());
                }
            }
            // The frame: segment count, or the first segment's size.
            5 if len >= 8 => {
                let at = if rng.chance(1, 2) { 0 } else { 4 };
                let value = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4]));
                let value = match rng.below(3) {
                    0 => value.wrapping_add(1),
                    1 => value.wrapping_sub(1),
                    _ => rng.next_u32(),
                };
                bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
            }
            _ if len >= 16 => {
                let from = rng.below(len / 8) as usize * 8;
                let word: [u8; 8] = bytes[from..from + 8].try_into().unwrap_or([0; 8]);
                bytes.extend_from_slice(&word);
            }
            _ => {}
        }
    }
    bytes
}

/// Text bytes: mostly short names of a harmless alphabet (they may end up
/// in the kernel's log as a process name), sometimes empty, too long, or
/// not UTF-8.
fn short_text(rng: &mut Rng) -> Vec<u8> {
    const ALPHABET: &[u8] = b"abcde0123456789-";
    let len = match rng.below(32) {
        0 => 0,
        1 => 48,
        2 => 49,
        3 => rng.range(50, 300),
        _ => rng.range(1, 12),
    };
    let mut text: Vec<u8> = (0..len).map(|_| *rng.pick(ALPHABET)).collect();
    if rng.chance(1, 16) && !text.is_empty() {
        let at = rng.below(text.len() as u64) as usize;
        text[at] = *rng.pick(&[0xff, 0xc3, 0x80, 0]);
    }
    text
}

fn binary_name(rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0..=5 => fuzz_programs::CHILD.into(),
        6 => fuzz_programs::WORKER.into(),
        7 => b"init".to_vec(),
        8 => b"fuzz-child\xff".to_vec(),
        _ => short_text(rng),
    }
}

fn count(rng: &mut Rng) -> u32 {
    match rng.below(20) {
        0 => rng.range(60, 300) as u32,
        1..=8 => 0,
        _ => rng.range(1, 4) as u32,
    }
}

fn sleep_ns(rng: &mut Rng) -> u64 {
    match rng.below(10) {
        0 => 0,
        1..=5 => rng.below(50_000),
        6..=8 => rng.below(2_000_000),
        _ => rng.edgy_u64(),
    }
}

/// A size to map or allocate: mostly small.
fn size(rng: &mut Rng) -> u64 {
    match rng.below(10) {
        0..=6 => rng.range(1, 16 * PAGE_SIZE),
        7 => rng.range(1, 4 << 20),
        _ => rng.edgy_u64(),
    }
}

fn prot(rng: &mut Rng) -> u32 {
    match rng.below(8) {
        0..=3 => 3,
        4 => rng.below(8) as u32,
        5 => 1,
        6 => 0,
        _ => rng.next_u32(),
    }
}

/// An address to map at, unmap or protect: the worker's mappings, the
/// mapping region, or anywhere.
fn vm_addr(rng: &mut Rng, caps: &Caps) -> u64 {
    match rng.below(6) {
        0..=2 if !caps.mappings.is_empty() => {
            let (addr, len) = *rng.pick(&caps.mappings);
            addr + rng.below(len / PAGE_SIZE + 1) * PAGE_SIZE
        }
        3 => VM_BASE + rng.below(1 << 24) * PAGE_SIZE,
        4 => 0,
        _ => rng.edgy_u64(),
    }
}

/// A range to unmap or protect: often exactly one of the worker's
/// mappings, else some address and size.
fn vm_range(rng: &mut Rng, caps: &Caps) -> (u64, u64) {
    if !caps.mappings.is_empty() && rng.chance(1, 2) {
        *rng.pick(&caps.mappings)
    } else {
        (vm_addr(rng, caps), size(rng))
    }
}

/// A well-formed params message for `method` of `kind` with random field
/// values; another method's message for an ordinal the interface lacks.
fn structured(rng: &mut Rng, kind: Kind, method: u16, caps: &Caps) -> (Vec<u64>, bool) {
    let small = |words| (words, false);
    match (kind, method) {
        (Kind::Timer, 1) => small(build::<timer::sleep_params::Owned>(|mut p| {
            p.set_ns(sleep_ns(rng))
        })),
        (Kind::Timer, 3) => small(signal_params::signals(rng)),
        (Kind::Timer, 4) => small(signal_params::set_upcall(rng, caps)),
        (Kind::Handle, 1) => small(signal_params::handle_signal(rng)),
        (Kind::Timer, 0 | 2 | 5) | (Kind::Owner, 0) | (Kind::Handle, 0) | (Kind::Object, 0) => {
            small(build::<timer::now_params::Owned>(|_| {}))
        }
        (Kind::Spawner, 0) => small(spawn(rng, caps)),
        (Kind::Spawner, 1) => small(build::<process_spawner::restrict_params::Owned>(|p| {
            let n = count(rng);
            let mut list = p.init_binaries(n);
            for i in 0..n {
                list.set(i, text::Reader::from(&binary_name(rng)[..]));
            }
        })),
        (Kind::Memory, 0) => small(build::<virtual_memory::map_params::Owned>(|mut p| {
            p.set_hint(vm_addr(rng, caps));
            p.set_size(size(rng));
            p.set_prot(prot(rng));
        })),
        (Kind::Memory, 1) => small(build::<virtual_memory::unmap_params::Owned>(|mut p| {
            let (addr, size) = vm_range(rng, caps);
            p.set_addr(addr);
            p.set_size(size);
        })),
        (Kind::Memory, 2) => small(build::<virtual_memory::protect_params::Owned>(|mut p| {
            let (addr, size) = vm_range(rng, caps);
            p.set_addr(addr);
            p.set_size(size);
            p.set_prot(prot(rng));
        })),
        (Kind::Memory, 3) => small(build::<virtual_memory::create_object_params::Owned>(
            |mut p| p.set_size(size(rng)),
        )),
        (Kind::Boot, 0) => small(build::<boot_package::manifest_size_params::Owned>(|_| {})),
        (Kind::Boot, 1) => {
            let max = match rng.below(4) {
                0 => rng.edgy_u64() as u32,
                _ => rng.below(20_000) as u32,
            };
            let words = build::<boot_package::read_manifest_params::Owned>(|mut p| {
                p.set_offset(match rng.below(3) {
                    0 => rng.edgy_u64(),
                    _ => rng.below(1 << 20),
                });
                p.set_max_bytes(max);
            });
            (words, max > 900)
        }
        (Kind::Factory, 0) => small(build::<endpoint_factory::create_params::Owned>(|mut p| {
            p.set_interface_id(match rng.below(6) {
                0 => interface_id::TIMER,
                1 => 0,
                // Client facets posing as a UdpSocket: the only UdpSockets
                // in a system without a network device (net_params.rs).
                2 => interface_id::UDP_SOCKET,
                _ => rng.next_u64(),
            })
        })),
        (Kind::Entropy, 0) => {
            let bytes = match rng.below(6) {
                0 => rng.edgy_u64() as u32,
                1 => 4096 + rng.below(2) as u32,
                _ => rng.below(128) as u32,
            };
            let words = build::<entropy_source::fill_params::Owned>(|mut p| p.set_bytes(bytes));
            (words, bytes > 900)
        }
        (Kind::Object, 1) => small(build::<memory_object::map_params::Owned>(|mut p| {
            p.set_hint(vm_addr(rng, caps));
            p.set_prot(prot(rng));
        })),
        (Kind::Directory, m) if m < 10 => fs_params::directory(rng, m),
        (Kind::File, m) if m < 15 => fs_params::file(rng, m),
        (Kind::PipeReader, 0) => pipe_params::read(rng),
        (Kind::NetworkManager, m) if m < 3 => small(net_params::manager(rng, m)),
        (Kind::UdpSocket, m) if m < 6 => net_params::socket(rng, m),
        (Kind::Terminal, m) if m < 12 && m != 1 => terminal_params::params(rng, m),
        (Kind::PipeWriter, 0) => small(pipe_params::write(rng)),
        (Kind::PipeFactory, 0) | (Kind::PipeReader | Kind::PipeWriter, 1) => {
            small(pipe_params::empty(kind))
        }
        // Another method's params: the kernel must cope with any shape.
        _ if rng.chance(1, 2) => {
            let words = build::<process_handle::wait_params::Owned>(|_| {});
            small(if rng.chance(1, 2) {
                words
            } else {
                build::<endpoint::client_params::Owned>(|_| {})
            })
        }
        _ => {
            let other = any_structured_kind(rng);
            let method = rng.below(u64::from(other.methods())) as u16;
            structured(rng, other, method, caps)
        }
    }
}

fn any_structured_kind(rng: &mut Rng) -> Kind {
    *rng.pick(&[
        Kind::Timer,
        Kind::Spawner,
        Kind::Memory,
        Kind::Boot,
        Kind::Entropy,
        Kind::Factory,
        Kind::PipeReader,
        Kind::PipeWriter,
        Kind::Directory,
        Kind::File,
        Kind::NetworkManager,
        Kind::UdpSocket,
    ])
}

fn spawn(rng: &mut Rng, caps: &Caps) -> Vec<u64> {
    build::<process_spawner::spawn_params::Owned>(|mut p| {
        p.set_name(text::Reader::from(&short_text(rng)[..]));
        p.set_binary(text::Reader::from(&binary_name(rng)[..]));
        let n = count(rng);
        let mut grants = p.reborrow().init_grants(n);
        let mut last = Vec::new();
        for i in 0..n {
            let mut grant = grants.reborrow().get(i);
            // Often an owner facet for the child to serve, a client
            // facet for it to call, a pipe half for it to read or write
            // (and to die holding), something for it to move or a Timer
            // for its signal mode (see fuzz-child); now and then a name
            // twice.
            let role = match i {
                0 => Some((Kind::Owner, &b"owner"[..])),
                1 => Some((Kind::Client, &b"client"[..])),
                2 if rng.chance(1, 2) => Some((Kind::PipeReader, &b"reader"[..])),
                2 => Some((Kind::PipeWriter, &b"writer"[..])),
                3 if rng.chance(1, 2) => Some((Kind::Object, &b"object"[..])),
                3 => Some((Kind::Timer, &b"timer"[..])),
                _ => None,
            };
            let facet = role
                .filter(|_| rng.chance(1, 2))
                .and_then(|(kind, name)| Some((caps.pick_kind(rng, kind)?, name)));
            let name = match facet {
                Some((_, name)) => name.to_vec(),
                None if i == 2 && rng.chance(1, 2) => b"gift".to_vec(),
                None if rng.chance(1, 8) && !last.is_empty() => last.clone(),
                None => short_text(rng),
            };
            grant.set_name(text::Reader::from(&name[..]));
            grant.set_cap_id(facet.map_or_else(|| caps.transferable(rng), |(t, _)| t.id));
            last = name;
        }
        // fuzz-child's instructions (see its documentation) go among
        // random arguments; an environment entry is mostly KEY=VALUE.
        let mut argv: Vec<Vec<u8>> = (0..count(rng)).map(|_| short_text(rng)).collect();
        for (key, max, odds) in [
            ("ns", 3_000_000, 2),
            ("serve", 10, 3),
            ("call", 10, 3),
            ("read", 20_000, 3),
            ("write", 20_000, 3),
            ("crash", 2, 8),
        ] {
            if rng.chance(1, odds) {
                let at = rng.below(argv.len() as u64 + 1) as usize;
                argv.insert(at, alloc::format!("{key}={}", rng.below(max)).into_bytes());
            }
        }
        // Signal mode: the child applies fuzzed Timer.signals and
        // setUpcall values to itself (fuzz_programs::signal_args).
        if rng.chance(1, 3) {
            for arg in fuzz_programs::signal_args::child_argv(rng) {
                let at = rng.below(argv.len() as u64 + 1) as usize;
                argv.insert(at, arg.into_bytes());
            }
        }
        let env: Vec<Vec<u8>> = (0..count(rng))
            .map(|_| {
                let mut entry = short_text(rng);
                if rng.chance(4, 5) {
                    let at = rng.below(entry.len() as u64 + 1) as usize;
                    entry.insert(at.max(1).min(entry.len()), b'=');
                }
                entry
            })
            .collect();
        for (list, entries) in [(0, &argv), (1, &env)] {
            let mut texts = if list == 0 {
                p.reborrow().init_argv(entries.len() as u32)
            } else {
                p.reborrow().init_env(entries.len() as u32)
            };
            for (i, entry) in entries.iter().enumerate() {
                texts.set(i as u32, text::Reader::from(&entry[..]));
            }
        }
        // Quotas: the default (more than a worker has left), small ones
        // that fit or not, and edges.
        let mut limits = p.init_limits();
        let (kernel, memory) = match rng.below(4) {
            0 => (0, 0),
            1 => (rng.edgy_u64(), rng.edgy_u64()),
            // Enough for fuzz-child, and little enough to fit.
            _ => (rng.range(64, 192) << 10, rng.range(2, 6) << 20),
        };
        limits.set_kernel_bytes(kernel);
        limits.set_memory_bytes(memory);
    })
}

/// Decodes `bytes` as the kernel decodes params, then reads the root.
fn decode<T: Owned, R>(bytes: &[u8], read: impl FnOnce(T::Reader<'_>) -> R) -> Option<R> {
    if !bytes.len().is_multiple_of(8) || bytes.len() > MAX_MESSAGE_BYTES as usize {
        return None;
    }
    let mut words = vec![0u64; bytes.len() / 8];
    capos_rt::message::as_bytes_mut(&mut words).copy_from_slice(bytes);
    let options = ReaderOptions {
        traversal_limit_in_words: Some(MAX_MESSAGE_BYTES as usize / 8),
        nesting_limit: 16,
    };
    let mut slice = as_bytes(&words);
    let message = read_message_from_flat_slice_no_alloc(&mut slice, options).ok()?;
    if !slice.is_empty() {
        return None;
    }
    let root = message.get_root::<T::Reader<'_>>().ok()?;
    Some(read(root))
}

/// The (address or hint, size) of VirtualMemory map, unmap or protect
/// params, whose first two fields these are.
pub fn vm_args(bytes: &[u8]) -> Option<(u64, u64)> {
    decode::<virtual_memory::unmap_params::Owned, _>(bytes, |p| (p.get_addr(), p.get_size()))
}

/// True if a spawn with these params could start a process, and its name
/// is one the log may carry.
fn spawn_outcome(p: process_spawner::spawn_params::Reader<'_>) -> (bool, bool) {
    let allowed = p
        .get_binary()
        .is_ok_and(|b| b.as_bytes() == fuzz_programs::CHILD.as_bytes());
    let tame = p.get_name().is_ok_and(|n| {
        n.as_bytes()
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
    });
    (allowed, tame)
}

/// Whether `bytes` may be sent as params of `method` on a capability of
/// `kind`, decoded exactly as the kernel will; charges the budget for what
/// the call will cost. `protected` are the worker's own mappings.
pub fn check(
    kind: Kind,
    method: u16,
    bytes: &[u8],
    budget: &mut Budget,
    protected: &[(u64, u64)],
) -> bool {
    match (kind, method) {
        (Kind::Console, 0 | 1) => {
            decode::<console::write_params::Owned, _>(bytes, |_| ()).is_none()
        }
        (Kind::Timer, 1) => decode::<timer::sleep_params::Owned, _>(bytes, |p| p.get_ns())
            .is_none_or(|ns| budget.sleep(ns)),
        (Kind::Timer, 3) => {
            decode::<timer::signals_params::Owned, _>(bytes, signal_params::harmless_signals)
                .unwrap_or(true)
        }
        (Kind::Timer, 4) => {
            decode::<timer::set_upcall_params::Owned, _>(bytes, signal_params::harmless_upcall)
                .unwrap_or(true)
        }
        (Kind::Spawner, 0) => {
            match decode::<process_spawner::spawn_params::Owned, _>(bytes, spawn_outcome) {
                Some((true, tame)) => tame && take(&mut budget.spawns),
                _ => true,
            }
        }
        (Kind::Memory, 0) => {
            decode::<virtual_memory::map_params::Owned, _>(bytes, |p| p.get_size())
                .is_none_or(|size| budget.alloc(size))
        }
        (Kind::Memory, 3) => {
            decode::<virtual_memory::create_object_params::Owned, _>(bytes, |p| p.get_size())
                .is_none_or(|size| budget.alloc(size))
        }
        // unmap and protect both start with (addr, size).
        (Kind::Memory, 1 | 2) => decode::<virtual_memory::unmap_params::Owned, _>(bytes, |p| {
            (p.get_addr(), p.get_size())
        })
        .is_none_or(|(addr, size)| {
            let end = addr.saturating_add(size.saturating_add(PAGE_SIZE));
            protected
                .iter()
                .all(|&(lo, len)| end <= lo || lo.saturating_add(len) <= addr)
        }),
        (Kind::PipeFactory, 0) => {
            decode::<pipe_factory::create_params::Owned, _>(bytes, |_| ()).is_none()
                || take(&mut budget.pipes)
        }
        (Kind::NetworkManager, 1) => {
            decode::<network_manager::narrow_params::Owned, _>(bytes, |_| ()).is_none()
                || take(&mut budget.managers)
        }
        _ => true,
    }
}
