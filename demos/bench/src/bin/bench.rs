//! Measures what every capability invocation costs, in the guest: the ring
//! round trip alone (NOP), batched NOPs, a kernel capability call
//! (Timer.now: Cap'n Proto encode, dispatch, decode), an Endpoint call to
//! another process (CALL, RECV, RETURN, two context switches), a
//! VirtualMemory map+unmap, a 1-byte ping-pong through two pipes and a
//! 64 KiB stream through one (each with another process), and spawning a
//! program that exits at once and waiting for it, a C program's fork +
//! exit + wait (fork-wait, measured by that program), dash running
//! `seq 1 20000 | wc -l` end to end (shell-pipeline), a file of the kernel's
//! RAM store (64 KiB written and read, open+close), and, when the system
//! has a network device, a UDP round trip to the host's echo server,
//! UDP sends one way to a sink on the host, and TCP: 64 KiB to a sink on
//! the host and 64 KiB from a source there, and connect+close. Prints one "bench: NAME N instructions/op" line
//! per figure; tools/bench.sh sets them beside the committed baseline.
//!
//! tools/bench.sh runs QEMU with `-icount shift=0,align=off,sleep=off`:
//! the guest's TSC then advances by exactly one per guest instruction, so
//! an rdtsc delta is an instruction count, the same from run to run. (Run
//! without icount, the figures are TSC ticks and only roughly comparable.)

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use bench_programs::ECHO_INTERFACE;
use capos_rt::{
    Console, EndpointFactory, Grant, MAX_FILE_CHUNK, Namespace, NetworkManager, OpenOptions,
    PROT_READ, PROT_WRITE, PipeFactory, ProcessForker, ProcessSpawner, Read, Received, Recv,
    RecvWait, Runtime, StreamWait, TcpConnection, TcpFailure, Timer, UdpEndpoint, VirtualMemory,
    println,
};
use capos_schema::console::write_line_params;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => {
            println!(console, "bench: done");
            0
        }
        Err(why) => {
            println!(console, "bench: FAIL {why}");
            1
        }
    }
}

/// Rounds per figure; the lowest is reported. Under icount every round of
/// a warmed path costs the same; the rounds show it, and without icount
/// the lowest is the one least disturbed by the host.
const ROUNDS: u64 = 5;

/// The guest's time-stamp counter: guest instructions under icount.
fn instructions() -> u64 {
    // SAFETY: rdtsc only reads the counter; the kernel leaves CR4.TSD
    // clear, so it is allowed in user mode.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Runs `op` `n` times per round and prints the lowest round's mean cost
/// per operation (`per_run` operations per call of `op`), which it also
/// returns. The rounds are the only rdtsc windows (make profile counts
/// on that).
fn measure(
    console: &Console,
    name: &str,
    n: u64,
    per_run: u64,
    mut op: impl FnMut() -> Result<(), String>,
) -> Result<u64, String> {
    // One unmeasured run warms the paths (first touches of heap pages).
    op()?;
    let mut best = u64::MAX;
    for _ in 0..ROUNDS {
        let start = instructions();
        for _ in 0..n {
            op()?;
        }
        let spent = instructions() - start;
        best = best.min(spent / (n * per_run));
    }
    println!(console, "bench: {name} {best} instructions/op");
    Ok(best)
}

/// As [`measure`], for figures that wait for the host: the time the CPU
/// spent halted (Timer.idle, read outside the rdtsc window) is taken out
/// of each round, so what is left is the instructions the guest ran,
/// kernel and processes, interrupts included. How long the host took does
/// not count; how it paced the exchange (segments per wake-up) still
/// does, so these vary a little from run to run.
fn measure_busy(
    console: &Console,
    timer: &Timer,
    name: &str,
    n: u64,
    mut op: impl FnMut() -> Result<(), String>,
) -> Result<u64, String> {
    let idle = || {
        timer
            .idle_ticks()
            .map_err(|e| alloc::format!("timer idle: {e}"))
    };
    op()?;
    let mut best = u64::MAX;
    for _ in 0..ROUNDS {
        let idle_before = idle()?;
        let start = instructions();
        for _ in 0..n {
            op()?;
        }
        let spent = instructions() - start;
        let halted = idle()? - idle_before;
        best = best.min(spent.saturating_sub(halted) / n);
    }
    println!(console, "bench: {name} {best} instructions/op");
    Ok(best)
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::Error| alloc::format!("{what}: {e}");
    let timer = rt
        .take::<Timer>("timer")
        .map_err(|e| alloc::format!("timer: {e}"))?;
    let vm = rt
        .take::<VirtualMemory>("memory")
        .map_err(|e| alloc::format!("memory: {e}"))?;
    let spawner = rt
        .take::<ProcessSpawner>("spawner")
        .map_err(|e| alloc::format!("spawner: {e}"))?;
    let factory = rt
        .take::<EndpointFactory>("endpoints")
        .map_err(|e| alloc::format!("endpoints: {e}"))?;

    measure(console, "ring-nop", 2000, 1, || {
        rt.ring().nop_batch(1).map(drop).map_err(err("nop"))
    })?;
    measure(console, "ring-nop-batch16", 200, 16, || {
        rt.ring().nop_batch(16).map(drop).map_err(err("nop batch"))
    })?;
    measure(console, "timer-now-call", 1000, 1, || {
        timer.now().map(drop).map_err(err("now"))
    })?;
    measure(console, "vm-map-unmap-4k", 200, 1, || {
        let addr = vm
            .map(0, 4096, PROT_READ | PROT_WRITE)
            .map_err(err("map"))?;
        vm.unmap(addr, 4096).map_err(err("unmap"))
    })?;

    let endpoint = factory.create(ECHO_INTERFACE).map_err(err("create"))?;
    let client = endpoint.client().map_err(err("client"))?;
    let server = spawner
        .spawn("bench-echo", "bench-echo", &[Grant::new("echo", &endpoint)])
        .map_err(err("spawn"))?;
    // The server holds the only owner facet now, so releasing the client
    // facet and the server's exit end cleanly.
    drop(endpoint);
    measure(console, "endpoint-call", 400, 1, || {
        client
            .call::<write_line_params::Owned>(0, |_| {}, Vec::new())
            .map(drop)
            .map_err(|e| alloc::format!("endpoint call: {}", e.error))
    })?;
    drop(client);
    let _ = server;

    measure(console, "spawn-wait", 20, 1, || {
        let child = spawner
            .spawn("bench-exit", "bench-exit", &[])
            .map_err(err("spawn"))?;
        match child.wait().map_err(err("wait"))? {
            capos_rt::ExitStatus::Exited(0) => Ok(()),
            other => Err(alloc::format!("bench-exit ended with {other}")),
        }
    })?;
    // The same for a C program: musl's start and exit over libcapos-posix,
    // with the memory a C program is normally given.
    measure(console, "spawn-wait-c", 20, 1, || {
        let child = spawner
            .spawn("exit0", "exit0", &[Grant::new("memory", &vm)])
            .map_err(err("spawn"))?;
        match child.wait().map_err(err("wait"))? {
            capos_rt::ExitStatus::Exited(0) => Ok(()),
            other => Err(alloc::format!("exit0 ended with {other}")),
        }
    })?;
    // make profile expects the figures in the order of this file.
    let pipe_factory = rt
        .take::<PipeFactory>("pipes")
        .map_err(|e| alloc::format!("pipes: {e}"))?;
    pipes(console, &spawner, &pipe_factory)?;
    let mut ns = Namespace::from_capset(rt);
    files(console, &mut ns)?;
    // After every figure make profile can count: fork-wait's own rdtsc
    // windows are in another process, which the profile does not follow.
    let forker = rt
        .take::<ProcessForker>("fork")
        .map_err(|e| alloc::format!("fork: {e}"))?;
    fork_wait(console, &spawner, &vm, &forker)?;
    shell_pipeline(console, &spawner, &vm, &forker, &pipe_factory, &ns)?;
    // Last, since they may be missing (no network device): make profile
    // then still finds every figure before them where it expects it.
    let Ok(net) = rt.take::<NetworkManager>("network") else {
        println!(
            console,
            "bench: udp figures missing: no NetworkManager capability granted (nor tcp figures)"
        );
        return Ok(());
    };
    udp(console, &timer, &net)?;
    tcp(console, &timer, &net)?;
    Ok(())
}

/// The fork-wait figure: fork, `_exit(0)` and waitpid from C, measured by
/// fork-wait itself (demos/posix-fork/bench/fork-wait.c), which prints
/// the figure's line; Linux's is bench.c's fork-wait.
fn fork_wait(
    console: &Console,
    spawner: &ProcessSpawner,
    vm: &VirtualMemory,
    forker: &ProcessForker,
) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::Error| alloc::format!("{what}: {e}");
    let grants = [
        Grant::new("console", console),
        Grant::new("memory", vm),
        Grant::new("fork", forker),
    ];
    let child = spawner
        .spawn("fork-wait", "fork-wait", &grants)
        .map_err(err("spawn fork-wait"))?;
    match child.wait().map_err(err("wait"))? {
        capos_rt::ExitStatus::Exited(0) => Ok(()),
        other => Err(alloc::format!("fork-wait ended with {other}")),
    }
}

/// The shell-pipeline figure: dash runs `seq 1 20000 | wc -l` end to
/// end (system-bench.cue's /bin holds dash, and toybox as seq and wc):
/// the spawn of dash with wc's output on /tmp/count as its descriptor 1,
/// dash's fork, seq and wc over a pipe, the waits; the count is checked
/// after each run. Linux's is bench.c's, from
/// demos/posix-shell/bench/pipeline.h: posix_spawn of dash and waitpid.
/// dash gets the store's root and what it needs to fork, spawn and pipe,
/// and quotas its commands' default quotas are carved from.
fn shell_pipeline(
    console: &Console,
    spawner: &ProcessSpawner,
    vm: &VirtualMemory,
    forker: &ProcessForker,
    pipes: &PipeFactory,
    ns: &Namespace,
) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::Error| alloc::format!("{what}: {e}");
    let fs_err =
        |what: &'static str| move |e: capos_rt::StorageError| alloc::format!("{what}: {e}");
    let root = ns.open_dir(b"/").map_err(fs_err("open /"))?;
    let limits = capos_rt::Limits {
        kernel_bytes: 2 * 1024 * 1024,
        memory_bytes: 96 * 1024 * 1024,
    };
    let truncate = OpenOptions {
        create: true,
        truncate: true,
        ..OpenOptions::default()
    };
    measure(console, "shell-pipeline", 2, 1, || {
        let out = ns
            .open_file(b"/tmp/count", truncate)
            .map_err(fs_err("open /tmp/count"))?;
        let grants = [
            Grant::new("fd/1", &out),
            Grant::new("fd/2", console),
            Grant::new("console", console),
            Grant::new("memory", vm),
            Grant::new("spawner", spawner),
            Grant::new("fork", forker),
            Grant::new("pipes", pipes),
            Grant::new("/", &root),
        ];
        let child = spawner
            .spawn_limited(
                "dash",
                "dash",
                &grants,
                &["dash", "-c", "seq 1 20000 | wc -l"],
                &["PATH=/bin"],
                limits,
            )
            .map_err(err("spawn dash"))?;
        match child.wait().map_err(err("wait"))? {
            capos_rt::ExitStatus::Exited(0) => {}
            other => return Err(alloc::format!("dash ended with {other}")),
        }
        let mut count = [0u8; 16];
        let n = out.read(0, &mut count).map_err(fs_err("read /tmp/count"))?;
        if &count[..n] != b"20000\n" {
            return Err(alloc::format!("wc -l wrote {:?}", &count[..n]));
        }
        Ok(())
    })?;
    Ok(())
}

/// Bytes per operation of the stream benchmark.
const STREAM_OP: usize = 64 * 1024;

/// The pipe figures: `pipe-pingpong`, one byte to bench-pipe-peer and back
/// through two pipes (Linux: the same with pipe(2)); `pipe-stream-64k`,
/// 64 KiB read from a pipe that bench-pipe-peer keeps full.
fn pipes(console: &Console, spawner: &ProcessSpawner, pipes: &PipeFactory) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::Error| alloc::format!("{what}: {e}");
    const PEER: &str = "bench-pipe-peer";

    let (there_r, there_w) = pipes.create().map_err(err("pipe"))?;
    let (back_r, back_w) = pipes.create().map_err(err("pipe"))?;
    let echo = spawner
        .spawn_with(
            "pipe-echo",
            PEER,
            &[Grant::new("in", &there_r), Grant::new("out", &back_w)],
            &[PEER, "echo"],
            &[],
        )
        .map_err(err("spawn"))?;
    // The peer's copies must be the only ones, so that dropping ours ends it.
    drop((there_r, back_w));
    let mut byte = [b'x'];
    measure(console, "pipe-pingpong", 400, 1, || {
        there_w.write(&byte, true).map_err(err("write"))?;
        match back_r.read(&mut byte, true).map_err(err("read"))? {
            Read::Bytes(1) => Ok(()),
            other => Err(alloc::format!("echo read {other:?}")),
        }
    })?;
    drop((there_w, back_r));
    echo.wait().map_err(err("wait"))?;

    let (reader, writer) = pipes.create().map_err(err("pipe"))?;
    let source = spawner
        .spawn_with(
            "pipe-source",
            PEER,
            &[Grant::new("out", &writer)],
            &[PEER, "source"],
            &[],
        )
        .map_err(err("spawn"))?;
    drop(writer);
    let mut buf = alloc::vec![0u8; capos_rt::MAX_PIPE_CHUNK];
    let best = measure(console, "pipe-stream-64k", 50, 1, || {
        let mut got = 0;
        while got < STREAM_OP {
            let want = buf.len().min(STREAM_OP - got);
            match reader.read(&mut buf[..want], true).map_err(err("read"))? {
                Read::Bytes(n) => got += n,
                other => return Err(alloc::format!("stream read {other:?}")),
            }
        }
        Ok(())
    })?;
    // Under icount one instruction is one nanosecond of guest time.
    println!(
        console,
        "bench: context: pipe-stream-64k moves {} MB/s of guest time",
        (STREAM_OP as u64 * 1_000) / best.max(1)
    );
    drop(reader);
    source.wait().map_err(err("wait"))?;
    Ok(())
}

/// Bytes per operation of the file benchmarks.
const FILE_OP: usize = 64 * 1024;

/// The file figures, on the kernel's RAM store (system-bench.cue grants
/// bench the store's root as "/", whose /tmp is writable; Linux: tmpfs):
/// `file-write-64k` and `file-read-64k`, 64 KiB at offset 0 of one file
/// in File calls of at most MAX_FILE_CHUNK bytes (the pages are the
/// file's after the warm-up run, as tmpfs's are after the first write);
/// `file-open-close`, opening that file by name in /tmp and releasing
/// the File (Linux: open and close by path).
fn files(console: &Console, ns: &mut Namespace) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::StorageError| alloc::format!("{what}: {e}");
    // /tmp mounted on its own: an open there is one Directory.open, as
    // a descriptor-relative open would be.
    let tmp = ns.open_dir(b"/tmp").map_err(err("open /tmp"))?;
    ns.mount(b"/tmp", tmp).map_err(err("mount /tmp"))?;
    let create = OpenOptions {
        create: true,
        truncate: true,
        ..OpenOptions::default()
    };
    let file = ns
        .open_file(b"/tmp/bench-file", create)
        .map_err(err("create"))?;
    let mut buf = alloc::vec![b'b'; FILE_OP];
    measure(console, "file-write-64k", 200, 1, || {
        for (i, chunk) in buf.chunks(MAX_FILE_CHUNK).enumerate() {
            let (n, _) = file
                .write((i * MAX_FILE_CHUNK) as u64, chunk)
                .map_err(err("write"))?;
            if n != chunk.len() {
                return Err(alloc::format!("short write: {n}"));
            }
        }
        Ok(())
    })?;
    measure(console, "file-read-64k", 200, 1, || {
        for (i, chunk) in buf.chunks_mut(MAX_FILE_CHUNK).enumerate() {
            let n = file
                .read((i * MAX_FILE_CHUNK) as u64, chunk)
                .map_err(err("read"))?;
            if n != chunk.len() {
                return Err(alloc::format!("short read: {n}"));
            }
        }
        Ok(())
    })?;
    drop(file);
    measure(console, "file-open-close", 400, 1, || {
        ns.open_file(b"/tmp/bench-file", OpenOptions::default())
            .map(drop)
            .map_err(err("open"))
    })?;
    ns.unlink(b"/tmp/bench-file").map_err(err("unlink"))
}

/// The host's echo server (tools/net/udp-echo.py, started by
/// tools/net/run.sh): QEMU user networking's 10.0.2.2 is the host's
/// 127.0.0.1 inside the bench's private network namespace.
const HOST_ECHO: UdpEndpoint = UdpEndpoint {
    addr: 0x0a00_0202,
    port: 5555,
};

/// Bytes of UDP payload per datagram of both UDP figures: small, so that
/// the figures are the per-datagram path rather than copying.
const UDP_PAYLOAD: usize = 64;

/// How long the bench waits for the host's answer before calling the run
/// failed: generous, since it is host (wall-clock) time turned into guest
/// time by icount.
const UDP_REPLY_WAIT_NS: u64 = 5_000_000_000;

/// Sends one datagram from `socket` to the echo server and waits for it
/// to come back; `buf` receives it.
fn udp_echo(socket: &capos_rt::UdpSocket, data: &[u8], buf: &mut [u8]) -> Result<usize, String> {
    let err = |what: &'static str| move |e: capos_rt::Error| alloc::format!("{what}: {e}");
    socket.send_to(HOST_ECHO, data).map_err(err("udp sendTo"))?;
    match socket
        .recv_from(buf, RecvWait::For(UDP_REPLY_WAIT_NS))
        .map_err(err("udp recvFrom"))?
    {
        Recv::Datagram { len, from, .. } if from == HOST_ECHO => Ok(len),
        Recv::Datagram { from, .. } => Err(alloc::format!(
            "udp: a datagram from {:#x}:{} instead of the echo server",
            from.addr,
            from.port
        )),
        other => Err(alloc::format!(
            "udp: no answer from the echo server ({other:?})"
        )),
    }
}

/// The UDP figures, through the kernel's network stack and QEMU's user
/// networking to tools/net/udp-echo.py on the host: `udp-roundtrip`, a
/// 64-byte datagram to the echo server and back; `udp-send-64`, one
/// 64-byte datagram to the server's sink (counted there, not answered).
///
/// Unlike the other figures these are not exact under icount: the guest
/// waits for the host, and the host's time reaches the guest as idle
/// time (the clock jumps to the next timer deadline), which
/// [`measure_busy`] takes out; how the host paces its answers still
/// moves them a little. Without a network
/// device (or without the capability) the figures are missing and the
/// reason is printed; tools/bench.sh says why the device is absent.
fn udp(console: &Console, timer: &Timer, net: &NetworkManager) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::Error| alloc::format!("{what}: {e}");
    let socket = match net.create_udp_socket(0, &[]) {
        Ok(socket) => socket,
        Err(e) => {
            // The kernel refuses sockets when the system has no device.
            println!(
                console,
                "bench: udp figures missing: createUdpSocket refused ({e})"
            );
            return Ok(());
        }
    };
    let mut data = [b'.'; UDP_PAYLOAD];
    let mut buf = [0u8; UDP_PAYLOAD];
    measure_busy(console, timer, "udp-roundtrip", 100, || {
        match udp_echo(&socket, &data, &mut buf)? {
            UDP_PAYLOAD => Ok(()),
            len => Err(alloc::format!("udp: echoed {len} bytes of {UDP_PAYLOAD}")),
        }
    })?;

    // "sink" datagrams are counted by the server and not answered; the
    // count is asked for afterwards, so that the host says how many of
    // the guest's sends it received.
    data[..5].copy_from_slice(b"sink ");
    let n = 400;
    let best = measure_busy(console, timer, "udp-send-64", n, || {
        socket.send_to(HOST_ECHO, &data).map_err(err("udp sendTo"))
    })?;
    let sent = (1 + ROUNDS * n) as usize;
    let len = udp_echo(&socket, b"sunk?", &mut buf)?;
    let counted = core::str::from_utf8(&buf[..len])
        .ok()
        .and_then(|s| s.strip_prefix("sunk "))
        .and_then(|s| s.parse::<usize>().ok())
        .ok_or_else(|| String::from("udp: the sink's count is unreadable"))?;
    // Under icount one instruction is one nanosecond of guest time.
    println!(
        console,
        "bench: context: udp-send-64 is {} datagrams/s of guest time one way; the host received {counted} of {sent}",
        1_000_000_000 / best.max(1)
    );
    drop(socket);
    Ok(())
}

/// tools/net/tcp-peer.py's peers: the echo server, a sink that discards
/// what it reads, a source that sends until the guest closes.
const TCP_ECHO: UdpEndpoint = UdpEndpoint {
    addr: 0x0a00_0202,
    port: 5600,
};
const TCP_SINK: UdpEndpoint = UdpEndpoint {
    addr: 0x0a00_0202,
    port: 5606,
};
const TCP_SOURCE: UdpEndpoint = UdpEndpoint {
    addr: 0x0a00_0202,
    port: 5607,
};

/// A connection to `to`, established.
fn tcp_open(net: &NetworkManager, to: UdpEndpoint) -> Result<TcpConnection, String> {
    let c = net
        .tcp_connect(to)
        .map_err(|e| alloc::format!("tcpConnect: {e}"))?;
    let r = c
        .ready(false, true)
        .map_err(|e| alloc::format!("tcp ready: {e}"))?;
    if !r.established || r.failure != TcpFailure::None {
        return Err(alloc::format!("tcp: not established ({:?})", r.failure));
    }
    Ok(c)
}

/// The TCP figures, through the kernel's stack and QEMU's user networking
/// to tools/net/tcp-peer.py: `tcp-send-64k`, 64 KiB written (in sends of
/// up to 32 KiB that wait for room) to the host's sink; `tcp-recv-64k`,
/// 64 KiB read from the host's source; `tcp-connect-close`, a connection
/// to the echo server established, shut for writing, the server's end
/// received, and closed. Linux's are tcp.c's, to
/// the same peers. Busy instructions, as the UDP figures ([`measure_busy`]);
/// missing without a network device.
fn tcp(console: &Console, timer: &Timer, net: &NetworkManager) -> Result<(), String> {
    if !net.stats().is_ok_and(|s| s.has_device) {
        println!(console, "bench: tcp figures missing: no network device");
        return Ok(());
    }
    let block = alloc::vec![b't'; STREAM_OP];
    let sink = tcp_open(net, TCP_SINK)?;
    let send = measure_busy(console, timer, "tcp-send-64k", 40, || {
        let mut at = 0;
        while at < STREAM_OP {
            at += sink
                .send(&block[at..], true)
                .map_err(|e| alloc::format!("tcp send: {e}"))?;
        }
        Ok(())
    })?;
    drop(sink);
    let source = tcp_open(net, TCP_SOURCE)?;
    let mut buf = alloc::vec![0u8; STREAM_OP];
    let recv = measure_busy(console, timer, "tcp-recv-64k", 40, || {
        let mut got = 0;
        while got < STREAM_OP {
            match source
                .receive(&mut buf[got..], StreamWait::For(UDP_REPLY_WAIT_NS), false)
                .map_err(|e| alloc::format!("tcp receive: {e}"))?
            {
                Received::Bytes(n) => got += n,
                other => return Err(alloc::format!("tcp: the source stopped: {other:?}")),
            }
        }
        Ok(())
    })?;
    drop(source);
    // The whole life of a connection: the close is orderly and waits for
    // the peer's end (the echo server shuts its side once it reads ours),
    // so the socket is done with when the next one opens.
    let mut byte = [0u8; 1];
    measure_busy(console, timer, "tcp-connect-close", 20, || {
        let c = tcp_open(net, TCP_ECHO)?;
        c.shutdown(false, true)
            .map_err(|e| alloc::format!("tcp shutdown: {e}"))?;
        match c
            .receive(&mut byte, StreamWait::For(UDP_REPLY_WAIT_NS), false)
            .map_err(|e| alloc::format!("tcp receive: {e}"))?
        {
            Received::End(TcpFailure::None) => {}
            other => {
                return Err(alloc::format!(
                    "tcp: no orderly end from the echo server: {other:?}"
                ));
            }
        }
        c.close().map_err(|e| alloc::format!("tcp close: {e}"))
    })?;
    // Under icount one instruction is one nanosecond of guest time: a
    // guest whose CPU is the only limit moves 64 KiB per figure's ns.
    let per_s = |ns: u64| (STREAM_OP as u64 * 1_000_000_000 / ns.max(1)) >> 20;
    println!(
        console,
        "bench: context: at one instruction per ns, tcp-send-64k is {} MiB/s to the host, tcp-recv-64k {} MiB/s from it",
        per_s(send),
        per_s(recv)
    );
    Ok(())
}
