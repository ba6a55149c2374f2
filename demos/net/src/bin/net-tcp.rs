//! TCP through the kernel's network stack (kernel/src/net/tcp.rs,
//! kernel/src/cap/tcp.rs) against the host's peers (tools/net/tcp-peer.py):
//! an echo exchange larger than both buffers, a refused connection, a
//! narrowed connector refusing a destination outside its set, a
//! listen-only manager, a peer that resets mid-stream, one that sends
//! nothing (receive timeouts, one held while other calls go through),
//! one that reads late (a send held until the window opens), and host
//! connections arriving faster than the guest accepts (the backlog
//! bounds them). At the end every connection is
//! gone (tcpStats) and the kernel's leak check runs at shutdown.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::tcp::BUFFER_BYTES;
use capos_rt::{Received, Runtime, StreamWait, TcpConnection, TcpFailure, println};
use net_programs::{
    Ctx, TCP_CLOSED, TCP_CONTROL, TCP_ECHO, TCP_LISTEN_PORT, TCP_RESET, TCP_SILENT, TCP_SLOW, err,
    run_smoke, show,
};

capos_rt::entry!(main);

const MS: u64 = 1_000_000;
/// Bytes of the echo exchange: several times both buffers.
const ECHO_BYTES: usize = 256 * 1024;
/// Backlog of the listener the host floods, and how many connect.
const BACKLOG: u32 = 4;
const FLOOD: usize = 12;

fn main(rt: Runtime) -> i64 {
    run_smoke(rt, "tcp", |ctx| Checks(ctx).run())
}

fn pattern(i: usize) -> u8 {
    (i * 7 + i / 251) as u8
}

/// Waits until `c` is established; the failure if it is not.
fn established(c: &TcpConnection) -> Result<(), String> {
    let r = c.ready(false, true).map_err(err("ready"))?;
    if r.established && r.failure == TcpFailure::None {
        Ok(())
    } else {
        Err(format!("not established: {:?}", r.failure))
    }
}

/// Sends all of `data`, waiting for room.
fn send_all(c: &TcpConnection, data: &[u8]) -> Result<(), String> {
    let mut at = 0;
    while at < data.len() {
        at += c.send(&data[at..], true).map_err(err("send"))?;
    }
    Ok(())
}

/// Reads a line (up to "\n") from `c`.
fn line(c: &TcpConnection) -> Result<String, String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while !got.ends_with(b"\n") {
        match c
            .receive(&mut buf, StreamWait::For(20_000 * MS), false)
            .map_err(err("receive"))?
        {
            Received::Bytes(n) => got.extend_from_slice(&buf[..n]),
            other => return Err(format!("line: {other:?} after {} bytes", got.len())),
        }
    }
    got.pop();
    String::from_utf8(got).map_err(|_| "line: not UTF-8".into())
}

/// The checks, each a method over the smoke's capabilities.
struct Checks<'a, 'b>(&'a Ctx<'b>);

impl<'b> core::ops::Deref for Checks<'_, 'b> {
    type Target = Ctx<'b>;
    fn deref(&self) -> &Ctx<'b> {
        self.0
    }
}

impl Checks<'_, '_> {
    fn run(&self) -> Result<(), String> {
        self.echo()?;
        self.refused()?;
        self.narrowed()?;
        self.reset()?;
        self.silent()?;
        self.backpressure()?;
        self.backlog()?;
        let s = self.net.tcp_stats().map_err(err("tcpStats"))?;
        println!(
            self.console,
            "tcp: stack: {} connections and {} listeners left; {} opened, {} refused, {} reset",
            s.connections,
            s.listeners,
            s.opened,
            s.refused,
            s.reset
        );
        if s.connections != 0 || s.listeners != 0 {
            return Err("connections or listeners outlived their holders".into());
        }
        Ok(())
    }

    fn echo(&self) -> Result<(), String> {
        let c = self.net.tcp_connect(TCP_ECHO).map_err(err("tcpConnect"))?;
        established(&c)?;
        let (local, peer) = c.addresses().map_err(err("addresses"))?;
        println!(
            self.console,
            "tcp: connected {} -> {}",
            show(local),
            show(peer)
        );
        let data: Vec<u8> = (0..ECHO_BYTES).map(pattern).collect();
        let mut back = vec![0u8; ECHO_BYTES];
        let (mut sent, mut got) = (0, 0);
        // Both directions at once: neither buffer holds the whole.
        while got < ECHO_BYTES {
            if sent < ECHO_BYTES {
                sent += c.send(&data[sent..], false).map_err(err("send"))?;
                if sent == ECHO_BYTES {
                    c.shutdown(false, true).map_err(err("shutdown"))?;
                }
            }
            let wait = if sent < ECHO_BYTES {
                StreamWait::Never
            } else {
                StreamWait::For(20_000 * MS)
            };
            match c
                .receive(&mut back[got..], wait, false)
                .map_err(err("receive"))?
            {
                Received::Bytes(n) => got += n,
                Received::WouldBlock => {
                    c.ready(true, true).map_err(err("ready"))?;
                }
                other => return Err(format!("echo: {other:?} after {got} bytes")),
            }
        }
        if back != data {
            return Err("echo: the bytes came back changed".into());
        }
        let mut one = [0u8; 1];
        let end = c
            .receive(&mut one, StreamWait::For(20_000 * MS), false)
            .map_err(err("receive"))?;
        if end != Received::End(TcpFailure::None) {
            return Err(format!("echo: expected the end of the stream, got {end:?}"));
        }
        println!(
            self.console,
            "tcp: echo: {ECHO_BYTES} bytes each way through {BUFFER_BYTES}-byte buffers, then the peer's FIN"
        );
        Ok(())
    }

    fn refused(&self) -> Result<(), String> {
        let c = self
            .net
            .tcp_connect(TCP_CLOSED)
            .map_err(err("tcpConnect"))?;
        let r = c.ready(false, true).map_err(err("ready"))?;
        if r.failure != TcpFailure::Refused || r.established {
            return Err(format!("refused: got {r:?}"));
        }
        let sent = c.send(b"x", false);
        println!(
            self.console,
            "tcp: connect to {} refused; a send then fails: {}",
            show(TCP_CLOSED),
            sent.map_or_else(|e| format!("{e}"), |n| format!("sent {n}"))
        );
        Ok(())
    }

    fn narrowed(&self) -> Result<(), String> {
        let connector = self.net.narrow(&[TCP_ECHO]).map_err(err("narrow"))?;
        match connector.tcp_connect(TCP_SILENT) {
            Ok(_) => {
                return Err("a narrowed connector reached a destination outside its set".into());
            }
            Err(e) => println!(
                self.console,
                "tcp: narrowed connector refused {}: {e}",
                show(TCP_SILENT)
            ),
        }
        let c = connector
            .tcp_connect(TCP_ECHO)
            .map_err(err("narrowed tcpConnect"))?;
        established(&c)?;
        match connector.tcp_listen(TCP_LISTEN_PORT, 0) {
            Ok(_) => return Err("a connector listened".into()),
            Err(e) => println!(self.console, "tcp: narrowed connector may not listen: {e}"),
        }
        let listen_only = self
            .net
            .narrow_listen(TCP_LISTEN_PORT)
            .map_err(err("narrowListen"))?;
        match listen_only.tcp_listen(TCP_LISTEN_PORT + 1, 0) {
            Ok(_) => return Err("a listen-only manager listened on another port".into()),
            Err(e) => println!(self.console, "tcp: listen-only manager: {e}"),
        }
        match listen_only.tcp_connect(TCP_ECHO) {
            Ok(_) => return Err("a listen-only manager connected".into()),
            Err(e) => println!(
                self.console,
                "tcp: listen-only manager may not connect: {e}"
            ),
        }
        Ok(())
    }

    fn reset(&self) -> Result<(), String> {
        let c = self.net.tcp_connect(TCP_RESET).map_err(err("tcpConnect"))?;
        established(&c)?;
        send_all(&c, b"hi\n")?;
        let first = line(&c)?;
        let mut buf = [0u8; 64];
        let end = c
            .receive(&mut buf, StreamWait::For(20_000 * MS), false)
            .map_err(err("receive"))?;
        if end != Received::End(TcpFailure::Reset) {
            return Err(format!("reset: expected a reset, got {end:?}"));
        }
        let after = c.send(b"more", true);
        println!(
            self.console,
            "tcp: peer said {first:?} then reset; a send then fails: {}",
            after.map_or_else(|e| format!("{e}"), |n| format!("sent {n}"))
        );
        Ok(())
    }

    fn silent(&self) -> Result<(), String> {
        let c = self
            .net
            .tcp_connect(TCP_SILENT)
            .map_err(err("tcpConnect"))?;
        established(&c)?;
        let t0 = self.timer.now().map_err(err("now"))?;
        let mut buf = [0u8; 16];
        let got = c
            .receive(&mut buf, StreamWait::For(300 * MS), false)
            .map_err(err("receive"))?;
        let waited = (self.timer.now().map_err(err("now"))? - t0) / MS;
        if got != Received::TimedOut || waited < 300 {
            return Err(format!("silent: {got:?} after {waited} ms"));
        }
        let now = c
            .receive(&mut buf, StreamWait::Never, false)
            .map_err(err("receive"))?;
        println!(
            self.console,
            "tcp: silent peer: timed out after {}00 ms; without waiting: {now:?}",
            waited / 100
        );
        // A receive the connection holds leaves the ring free.
        let pending = c
            .receive_async(16, StreamWait::For(300 * MS), false)
            .map_err(err("receive"))?;
        for _ in 0..3 {
            self.timer.now().map_err(err("now"))?;
        }
        let held = !pending.is_complete();
        let reply = pending.wait().map_err(err("receive"))?;
        let got = Received::from_reply(&reply, &mut buf).map_err(err("receive"))?;
        if !held || got != Received::TimedOut {
            return Err(format!("held receive: held {held}, then {got:?}"));
        }
        println!(
            self.console,
            "tcp: a held receive let 3 other calls through, then timed out"
        );
        Ok(())
    }

    fn backpressure(&self) -> Result<(), String> {
        let c = self.net.tcp_connect(TCP_SLOW).map_err(err("tcpConnect"))?;
        established(&c)?;
        let chunk = vec![0x5au8; 16 * 1024];
        // Without waiting, until the send buffer (and the peer's window)
        // is full.
        let mut queued = 0usize;
        let mut idle = 0;
        while idle < 20 {
            match c.send(&chunk, false).map_err(err("send"))? {
                0 => {
                    idle += 1;
                    self.timer.sleep(20 * MS).map_err(err("sleep"))?;
                }
                n => {
                    idle = 0;
                    queued += n;
                }
            }
            if queued > 16 * 1024 * 1024 {
                return Err("backpressure: the sender was never held back".into());
            }
        }
        // This one is held by the kernel until the peer starts reading.
        let t0 = self.timer.now().map_err(err("now"))?;
        let n = c.send(&chunk, true).map_err(err("send"))?;
        let held = (self.timer.now().map_err(err("now"))? - t0) / MS;
        queued += n;
        c.shutdown(false, true).map_err(err("shutdown"))?;
        let answer = line(&c)?;
        if answer != format!("got {queued}") {
            return Err(format!("backpressure: peer said {answer:?}, sent {queued}"));
        }
        println!(
            self.console,
            "tcp: slow reader: the sender filled the window, then a send was held {}",
            if held >= 200 {
                "until the peer read"
            } else {
                "too briefly"
            }
        );
        Ok(())
    }

    fn backlog(&self) -> Result<(), String> {
        let listener = self
            .net
            .tcp_listen(TCP_LISTEN_PORT, BACKLOG)
            .map_err(err("tcpListen"))?;
        let local = listener.local_address().map_err(err("localAddress"))?;
        let control = self
            .net
            .tcp_connect(TCP_CONTROL)
            .map_err(err("tcpConnect"))?;
        established(&control)?;
        send_all(
            &control,
            format!("flood {TCP_LISTEN_PORT} {FLOOD}\n").as_bytes(),
        )?;
        if line(&control)? != "started" {
            return Err("backlog: the host did not start".into());
        }
        // Let every attempt arrive before accepting any.
        self.timer.sleep(2_000 * MS).map_err(err("sleep"))?;
        let mut accepted = Vec::new();
        while let Some(c) = listener.accept().map_err(err("accept"))? {
            accepted.push(c);
        }
        let held = accepted.len();
        for c in &accepted {
            if line(c)? != "hello" {
                return Err("backlog: a connection did not say hello".into());
            }
            send_all(c, b"ok\n")?;
        }
        // Those the backlog turned away may come again: serve them too.
        let served = line(&control)?;
        let want = format!("served {held}");
        if served != want || held != BACKLOG as usize {
            return Err(format!("backlog: held {held}, host says {served:?}"));
        }
        println!(
            self.console,
            "tcp: listening on {}: {FLOOD} connections at once, {held} held by a backlog of {BACKLOG} and served",
            show(local)
        );
        drop(accepted);
        listener.close().map_err(err("close"))?;
        Ok(())
    }
}
