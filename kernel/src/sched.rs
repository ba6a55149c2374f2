//! The kernel state and the scheduler.
//!
//! One CPU, and the kernel runs with interrupts disabled, so one lock over
//! all kernel state is enough: it is taken at each entry (trap, syscall,
//! idle loop) and never held across a context switch.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use alloc::sync::Arc;
use capos_lib::account::{Account, Resource};
use spin::{Mutex, MutexGuard};

use capos_lib::signal::{BadSignal, Posted, SIGALRM, SIGCHLD};

use crate::arch::{cpu, gdt, switch};
use crate::manifest::Manifest;
use crate::process::{
    ExitCell, ExitStatus, ForkError, Grant, PendingCall, Pid, Process, SpawnError, State,
};

/// Ticks a process runs before another ready one gets the CPU.
const TIME_SLICE_TICKS: u32 = 10;

/// Kernel heap never given to processes: what the kernel allocates for
/// itself while serving a call (a message being copied, a reply being
/// built: at most a few times the 64 KiB message limit at once) and slack
/// for fragmentation, so that no request a process can make exhausts it.
pub const KERNEL_HEAP_RESERVE: usize = 2 << 20;

pub struct Kernel {
    pub manifest: Manifest,
    procs: BTreeMap<Pid, Box<Process>>,
    run_queue: VecDeque<Pid>,
    current: Option<Pid>,
    next_pid: Pid,
    init_pid: Option<Pid>,
    /// Timer.sleep calls by deadline; the sequence number keeps keys unique.
    sleepers: BTreeMap<(u64, u64), PendingCall>,
    sleep_seq: u64,
    slice_left: u32,
    /// Processes that died; freed once the CPU is off their kernel stack.
    // Boxed: a context switch saved a pointer into the Process, so it must not move.
    #[allow(clippy::vec_box)]
    zombies: Vec<Box<Process>>,
    /// Every Endpoint, to cancel calls held by a process that exits.
    pub endpoints: Vec<alloc::sync::Weak<crate::cap::endpoint::Endpoint>>,
    /// Free frames just before init was created, to check nothing leaks.
    frames_before_init: u64,
    /// Kernel heap in use before init's capabilities were made.
    heap_before_init: usize,
    /// init's account: the root of every process's, holding all the kernel
    /// memory and frames processes may have.
    root_account: Option<Arc<Account>>,
    /// Set when init has ended.
    shutdown: Option<ExitStatus>,
    /// Reused for every CALL's params (see ring.rs).
    pub params_scratch: Vec<capnp::Word>,
}

static KERNEL: Mutex<Option<Kernel>> = Mutex::new(None);
/// The idle loop's saved stack pointer.
static IDLE_RSP: AtomicU64 = AtomicU64::new(0);
/// Where a dead process's last context is "saved"; never resumed.
static DISCARDED_RSP: AtomicU64 = AtomicU64::new(0);

pub struct KernelGuard(MutexGuard<'static, Option<Kernel>>);

impl core::ops::Deref for KernelGuard {
    type Target = Kernel;
    fn deref(&self) -> &Kernel {
        self.0.as_ref().expect("kernel state not initialised")
    }
}

impl core::ops::DerefMut for KernelGuard {
    fn deref_mut(&mut self) -> &mut Kernel {
        self.0.as_mut().expect("kernel state not initialised")
    }
}

pub fn kernel() -> KernelGuard {
    KernelGuard(KERNEL.lock())
}

/// `heap_before_init`: kernel heap in use before init's capabilities were
/// made, for the leak check at shutdown.
pub fn init(manifest: Manifest, heap_before_init: usize) {
    *KERNEL.lock() = Some(Kernel {
        manifest,
        procs: BTreeMap::new(),
        run_queue: VecDeque::new(),
        current: None,
        next_pid: 1,
        init_pid: None,
        sleepers: BTreeMap::new(),
        sleep_seq: 0,
        slice_left: TIME_SLICE_TICKS,
        zombies: Vec::new(),
        endpoints: Vec::new(),
        frames_before_init: 0,
        heap_before_init,
        root_account: None,
        shutdown: None,
        params_scratch: Vec::new(),
    });
}

impl Kernel {
    /// The process `pid`. Only called for pids known to be alive (the
    /// caller of a syscall, the current process).
    pub fn process(&mut self, pid: Pid) -> &mut Process {
        self.procs.get_mut(&pid).expect("live process")
    }

    pub fn try_process(&mut self, pid: Pid) -> Option<&mut Process> {
        self.procs.get_mut(&pid).map(|p| &mut **p)
    }

    pub fn current(&self) -> Option<Pid> {
        self.current
    }

    /// Makes the root account: every free frame, and the kernel heap that
    /// is free now minus [`KERNEL_HEAP_RESERVE`]. What is carved out of it
    /// before init starts (the file store's quotas) is not init's to use.
    pub fn create_root_account(&mut self) -> Arc<Account> {
        let heap_free = crate::mem::heap::SIZE - crate::mem::heap::used();
        let frames = crate::mem::frames::free_count();
        self.frames_before_init = frames;
        let root = Account::root(heap_free.saturating_sub(KERNEL_HEAP_RESERVE) as u64, frames);
        self.root_account = Some(root.clone());
        root
    }

    /// Creates init with the root account ([`Kernel::create_root_account`]).
    pub fn spawn_init(
        &mut self,
        name: &str,
        elf: &[u8],
        grants: Vec<Grant>,
        launch: &[u8],
    ) -> Result<Arc<ExitCell>, SpawnError> {
        let root = match &self.root_account {
            Some(root) => root.clone(),
            None => self.create_root_account(),
        };
        // init has no parent: its ppid is 0.
        self.spawn(name, elf, grants, launch, root, 0)
            .map(|(_, exit)| exit)
    }

    /// Creates a process whose memory is charged to `account`, and queues
    /// it; returns its pid and exit cell.
    pub fn spawn(
        &mut self,
        name: &str,
        elf: &[u8],
        grants: Vec<Grant>,
        launch: &[u8],
        account: Arc<Account>,
        parent: Pid,
    ) -> Result<(Pid, Arc<ExitCell>), SpawnError> {
        let pid = self.next_pid;
        let p = Process::new(pid, parent, name, elf, grants, launch, account)?;
        self.next_pid += 1;
        let exit = p.exit.clone();
        self.procs.insert(pid, p);
        self.run_queue.push_back(pid);
        if self.init_pid.is_none() {
            self.init_pid = Some(pid);
        }
        Ok((pid, exit))
    }

    /// Forks `parent`, the running process, in its call `call`: the child
    /// gets the call's completion in its own ring (`child_reply`, given its
    /// pid) and is queued. Returns its pid and exit cell.
    pub fn fork(
        &mut self,
        parent: Pid,
        call: PendingCall,
        child_reply: impl Fn(Pid) -> Vec<u8>,
    ) -> Result<(Pid, Arc<ExitCell>), ForkError> {
        let pid = self.next_pid;
        let mut child = self.process(parent).fork(pid)?;
        self.next_pid += 1;
        // The fork is the child's one call in flight, until the line below.
        child.pending = 1;
        let exit = child.exit.clone();
        self.procs.insert(pid, child);
        let call = PendingCall { pid, ..call };
        crate::ring::complete(self, call, crate::ring::Completion::reply(child_reply(pid)));
        let p = self.process(pid);
        let ready = crate::ring::cq_available(p).unwrap_or(0);
        p.set_resume_value(ready as u64);
        self.run_queue.push_back(pid);
        Ok((pid, exit))
    }

    pub fn make_ready(&mut self, pid: Pid) {
        if let Some(p) = self.procs.get_mut(&pid).map(|p| &mut **p)
            && matches!(p.state, State::Blocked { .. })
        {
            p.state = State::Ready;
            self.run_queue.push_back(pid);
        }
    }

    pub fn add_sleeper(&mut self, deadline: u64, call: PendingCall) {
        self.sleep_seq += 1;
        self.sleepers.insert((deadline, self.sleep_seq), call);
    }

    /// Timer work: expired sleeps complete, expired cap_enter waits return.
    pub fn on_tick(&mut self, now: u64) {
        // Frames in and out, and socket receive timeouts.
        crate::net::poll(self);
        crate::cap::terminal::on_tick(self, now);
        while let Some(entry) = self.sleepers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let call = entry.remove();
            crate::ring::complete(
                self,
                call,
                crate::ring::Completion::reply(crate::cap::empty_result()),
            );
        }
        let expired: Vec<Pid> = self
            .procs
            .values()
            .filter(|p| matches!(p.state, State::Blocked { deadline: Some(d), .. } if d <= now))
            .map(|p| p.pid)
            .collect();
        for pid in expired {
            self.make_ready(pid);
        }
        while let Some(pid) = self
            .procs
            .values()
            .find(|p| p.alarm.is_some_and(|at| at <= now))
            .map(|p| p.pid)
        {
            self.process(pid).alarm = None;
            let _ = self.post_signal(pid, SIGALRM);
        }
    }

    /// Ends the current process. The caller must then call [`schedule`].
    pub fn exit_current(&mut self, status: ExitStatus) {
        if let Some(pid) = self.current {
            self.end_process(pid, status);
        }
    }

    /// Ends a process, the current one or one that is not running (ready
    /// or blocked: it is never resumed, and its kernel stack goes with it
    /// at the next reap). After ending the current one the caller must
    /// call [`schedule`].
    pub fn end_process(&mut self, pid: Pid, status: ExitStatus) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        p.state = State::Dead;
        let quiet = self.manifest.quiet_exits;
        match status {
            ExitStatus::Exited(_) | ExitStatus::Signaled(_) if quiet => {}
            ExitStatus::Exited(code) => {
                crate::kprintln!("kernel: pid {pid} ({}) exited with code {code}", p.name)
            }
            ExitStatus::Faulted { kind, rip, addr } => crate::kprintln!(
                "kernel: pid {pid} ({}) killed by {} at rip={rip:#x} addr={addr:#x}",
                p.name,
                crate::trap::fault_name(kind)
            ),
            ExitStatus::Signaled(sig) => {
                crate::kprintln!("kernel: pid {pid} ({}) killed by signal {sig}", p.name)
            }
        }
        let live_caps = p.caps.clear();
        // From now on its quotas flow back to its spawner as they are
        // freed, so whoever waits for this exit can use them at once.
        p.account.close();
        let waiters = p.exit.set(status);
        let parent = p.parent;
        let p = self.procs.remove(&pid).expect("a live process");
        self.zombies.push(p);
        for call in waiters {
            let reply = crate::cap::process_handle::encode_status(status);
            crate::ring::complete(self, call, crate::ring::Completion::reply(reply));
        }
        self.forget_calls_of(pid);
        // SIGCHLD never ends its receiver, so this cannot recurse.
        let _ = self.post_signal(parent, SIGCHLD);
        crate::cap::hangup::run(self);
        if Some(pid) == self.init_pid {
            self.begin_shutdown(status, live_caps);
        }
    }

    /// Posts `sig` to a live process (a gone one: nothing happens): it
    /// ends, or its signal wait completes, or the signal waits for its
    /// next one, or it is discarded, as [`SignalRecord::post`] says.
    ///
    /// [`SignalRecord::post`]: capos_lib::signal::SignalRecord::post
    pub fn post_signal(&mut self, pid: Pid, sig: u8) -> Result<(), BadSignal> {
        let Some(p) = self.procs.get_mut(&pid) else {
            return Ok(());
        };
        match p.signals.post(sig)? {
            Posted::Terminate => self.end_process(pid, ExitStatus::Signaled(sig)),
            Posted::Pending => {
                // A process with an upcall that is not in cap_enter takes
                // it by the upcall (kernel/src/upcall.rs), or through its
                // wait at its next cap_enter (Kernel::signals_to_wait).
                let by_upcall = p.upcall.is_some() && !matches!(p.state, State::Blocked { .. });
                if !by_upcall && let Some(call) = p.signal_wait.take() {
                    let reply = crate::cap::timer::encode_signals(p.signals.take(), p.alarm);
                    crate::ring::complete(self, call, crate::ring::Completion::reply(reply));
                }
            }
            Posted::Discarded => {}
        }
        Ok(())
    }

    /// Signals left pending for an upcall go to the process's signal
    /// wait once it is in cap_enter, where its adapter acts on them as
    /// the call returns.
    pub fn signals_to_wait(&mut self, pid: Pid) {
        let p = self.process(pid);
        if p.signals.pending == 0 {
            return;
        }
        if let Some(call) = p.signal_wait.take() {
            let reply = crate::cap::timer::encode_signals(p.signals.take(), p.alarm);
            crate::ring::complete(self, call, crate::ring::Completion::reply(reply));
        }
    }

    /// Every live process with its group at terminal line `line` (None:
    /// it recorded none there) and whether it waits in cap_enter.
    pub fn terminal_members(&self, line: u64) -> Vec<crate::cap::terminal::Listener> {
        self.procs
            .values()
            .map(|p| crate::cap::terminal::Listener {
                pid: p.pid,
                group: p.terminal_group.filter(|m| m.line == line).map(|m| m.group),
                blocked: matches!(p.state, State::Blocked { .. }),
            })
            .collect()
    }

    /// A process ended: nothing the kernel keeps for its calls may outlive
    /// it (its records are paid for by its account). Its sleeps, its waits
    /// on other processes, its calls queued at Endpoints and its waiting
    /// RECVs are dropped; calls it received and never returned are
    /// cancelled.
    fn forget_calls_of(&mut self, pid: Pid) {
        self.sleepers.retain(|_, call| call.pid != pid);
        for p in self.procs.values() {
            p.exit.forget_waiters(pid);
        }
        self.forget_endpoint_calls_of(pid);
    }

    /// init has ended: every other process is stopped; the idle loop
    /// reports once all of them are freed (see [`Kernel::finish_shutdown`]).
    /// `init_caps` is what init held when it ended.
    fn begin_shutdown(&mut self, status: ExitStatus, init_caps: usize) {
        self.run_queue.clear();
        self.sleepers.clear();
        let still_running = self.procs.len();
        let caps = init_caps + self.procs.values().map(|p| p.caps.len()).sum::<usize>();
        let (heap, frames) = self.root_account.as_ref().map_or((0, 0), |a| {
            (a.used(Resource::KernelHeap), a.used(Resource::Frames))
        });
        crate::kprintln!("kernel: init finished; stopping {still_running} processes still running");
        crate::net::report();
        crate::kprintln!(
            "kernel: before teardown: {caps} capabilities held, {heap} kernel heap bytes and {frames} frames charged to processes"
        );
        for (_, mut p) in core::mem::take(&mut self.procs) {
            p.state = State::Dead;
            p.caps.clear();
            p.account.close();
            self.zombies.push(p);
        }
        crate::cap::hangup::run(self);
        self.shutdown = Some(status);
    }

    /// Called by the idle loop: once init is gone and every process is
    /// freed, checks that everything processes held came back (frames,
    /// charges, kernel heap) and leaves QEMU.
    fn finish_shutdown(&mut self) {
        let Some(status) = self.shutdown else { return };
        if !self.zombies.is_empty() {
            return;
        }
        // What the kernel keeps for itself between calls goes too, so the
        // heap can be compared with what it was before init.
        self.release_caches();
        // The root account goes first: it is heap that existed only for init.
        let (charged_heap, charged_frames) = self.root_account.take().map_or((0, 0), |a| {
            (a.used(Resource::KernelHeap), a.used(Resource::Frames))
        });
        let free = crate::mem::frames::free_count();
        let heap = crate::mem::heap::used();
        crate::kprintln!(
            "kernel: accounting: {} free frames before init, {free} after; {} heap bytes before init, {heap} after; {charged_heap} bytes and {charged_frames} frames still charged",
            self.frames_before_init,
            self.heap_before_init,
        );
        let mut leaks = 0;
        let mut leak = |what: core::fmt::Arguments| {
            crate::kprintln!("kernel: LEAK: {what}");
            leaks += 1;
        };
        if free < self.frames_before_init {
            leak(format_args!(
                "{} frames not returned",
                self.frames_before_init - free
            ));
        } else if free > self.frames_before_init {
            // More free than before: a frame in use before init (or by the
            // kernel) was freed by mistake.
            leak(format_args!(
                "{} more frames free than before init: freed by mistake",
                free - self.frames_before_init
            ));
        }
        if charged_heap != 0 || charged_frames != 0 {
            leak(format_args!(
                "{charged_heap} bytes and {charged_frames} frames still charged: a capability or kernel object outlived every process"
            ));
        }
        if heap != self.heap_before_init {
            leak(format_args!(
                "kernel heap {} bytes {} than before init",
                heap.abs_diff(self.heap_before_init),
                if heap > self.heap_before_init {
                    "more"
                } else {
                    "less"
                }
            ));
        }
        crate::exit_qemu(matches!(status, ExitStatus::Exited(0)) && leaks == 0)
    }

    /// Frees the kernel's own reusable buffers and queue capacity.
    fn release_caches(&mut self) {
        self.run_queue = VecDeque::new();
        self.zombies = Vec::new();
        self.endpoints = Vec::new();
        self.params_scratch = Vec::new();
        crate::cap::hangup::release_caches();
        crate::net::release_caches();
        crate::cap::buffers::release();
    }

    fn reap(&mut self) {
        let current = self.current;
        self.zombies.retain(|z| Some(z.pid) == current);
    }
}

/// Gives the CPU to the next ready process (or the idle loop). Returns when
/// this context is scheduled again; never returns for a dead process.
pub fn schedule() {
    let (save, load) = {
        let mut k = kernel();
        k.reap();
        let prev = k.current;
        let next = loop {
            match k.run_queue.pop_front() {
                Some(pid) if k.procs.get(&pid).is_some_and(|p| p.state == State::Ready) => {
                    break Some(pid);
                }
                Some(_) => continue,
                None => break None,
            }
        };
        if next.is_none() && prev.is_none() {
            return;
        }
        if let Some(prev_pid) = prev {
            match k.procs.get_mut(&prev_pid) {
                Some(p) if p.state != State::Dead => {
                    if next.is_none() && p.state == State::Running {
                        // Nothing else to run: keep going for another slice.
                        k.slice_left = TIME_SLICE_TICKS;
                        return;
                    }
                    p.fpu.save();
                    p.fs_base = cpu::rdfsbase();
                    p.gs_base = cpu::rdgsbase();
                    if p.state == State::Running {
                        p.state = State::Ready;
                        k.run_queue.push_back(prev_pid);
                    }
                }
                _ => {}
            }
        }
        let save: *mut u64 = match prev.and_then(|pid| k.procs.get_mut(&pid)) {
            Some(p) => &mut p.saved_rsp,
            None if prev.is_none() => IDLE_RSP.as_ptr(),
            None => DISCARDED_RSP.as_ptr(),
        };
        k.current = next;
        k.slice_left = TIME_SLICE_TICKS;
        let load = match next {
            Some(pid) => {
                let p = k.process(pid);
                p.state = State::Running;
                p.fpu.restore();
                cpu::wrfsbase(p.fs_base);
                cpu::wrgsbase(p.gs_base);
                gdt::set_kernel_stack(p.kernel_stack_top());
                // SAFETY: the process's PML4 maps the kernel half.
                unsafe { cpu::write_cr3(p.aspace.root()) };
                p.saved_rsp
            }
            None => {
                // SAFETY: the boot PML4 maps the kernel half.
                unsafe { cpu::write_cr3(crate::mem::kernel_map::root()) };
                IDLE_RSP.load(Ordering::Relaxed)
            }
        };
        (save, load)
    };
    // SAFETY: `save` points into a boxed Process (or a static), which stays
    // allocated until this context is resumed or, for a dead process, until
    // the next reap, which runs on another stack; `load` was saved by switch
    // or prepared by prepare_stack.
    unsafe { switch::switch(save, load) };
    kernel().reap();
}

/// The timer interrupt, after the tick is counted.
pub fn on_timer_interrupt(from_user: bool) {
    let now = crate::time::now_ns();
    crate::serial::on_tick(now);
    let preempt = {
        let mut guard = KERNEL.lock();
        // Ticks during boot (TSC calibration) come before there is a kernel state.
        let Some(k) = guard.as_mut() else { return };
        k.on_tick(now);
        k.slice_left = k.slice_left.saturating_sub(1);
        // Its alarm may have ended the running process.
        let ended = k.current.is_some_and(|pid| !k.procs.contains_key(&pid));
        from_user && (k.slice_left == 0 || ended)
    };
    if preempt {
        schedule();
    }
}

/// The network device's interrupt. Never inlined: the stack's frames are
/// large, and inlined into trap_dispatch they would grow the frame (and
/// the cost) of every syscall.
#[inline(never)]
pub fn on_network_interrupt() {
    let mut guard = KERNEL.lock();
    match guard.as_mut() {
        Some(k) => crate::net::on_interrupt(k),
        // Before the kernel state exists nothing can wait on the network;
        // the device is still acknowledged so its line drops.
        None => crate::net::ack_interrupt(),
    }
}

/// The serial line's receive interrupt: what arrived goes to the
/// terminal (discarded before the kernel state exists). Drained to the
/// end, so the chip raises its line again for the next byte.
#[inline(never)]
pub fn on_serial_interrupt() {
    let mut guard = KERNEL.lock();
    let mut buf = [0u8; 64];
    loop {
        let n = crate::serial::receive(&mut buf);
        if n == 0 {
            break;
        }
        if let Some(k) = guard.as_mut() {
            crate::cap::terminal::on_input(k, &buf[..n]);
        }
    }
}

/// The idle loop: runs whatever is ready, otherwise halts until an interrupt.
pub fn idle() -> ! {
    loop {
        schedule();
        kernel().finish_shutdown();
        crate::time::idle_begin();
        cpu::wait_for_interrupt();
        crate::time::idle_end();
    }
}
