//! UDP through the kernel's network stack (kernel/src/net/,
//! kernel/src/cap/udp_socket.rs) to an echo server on the host side of
//! QEMU's user networking (tools/net/udp-echo.py): round trips, the
//! largest datagram, a narrowed socket refusing a destination outside its
//! set, receive timeouts and the non-waiting form, readiness, a receive
//! that waits without holding up the ring, datagrams to an unbound port
//! dropped and counted, a full queue dropping and counting, close.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use capos_abi::udp::{MAX_PAYLOAD, QUEUE_DATAGRAMS};
use capos_rt::{
    Error, ExceptionType, Readiness, Recv, RecvWait, Runtime, UdpEndpoint, UdpSocket, println,
};
use net_programs::{Ctx, ECHO, UNBOUND_PORT, err, run_smoke, show};

capos_rt::entry!(main);

const SECOND: u64 = 1_000_000_000;
/// Long enough for QEMU under TCG; a lost datagram fails the smoke.
const REPLY_WAIT: u64 = 10 * SECOND;

fn main(rt: Runtime) -> i64 {
    run_smoke(rt, "net", |ctx| Checks(ctx).run())
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
        let stats = self.net.stats().map_err(err("stats"))?;
        if !stats.has_device {
            return Err("the kernel reports no network device".into());
        }
        let socket = self
            .net
            .create_udp_socket(0, &[])
            .map_err(err("createUdpSocket"))?;
        let local = socket.local_address().map_err(err("localAddress"))?;
        println!(self.console, "net: bound {}", show(local));

        self.echo(&socket)?;
        self.waits_without_stalling(&socket)?;
        self.timeouts(&socket)?;
        self.readiness(&socket)?;
        self.narrowed()?;
        self.unbound_port_drops(&socket)?;
        self.full_queue()?;
        self.refusals()?;
        self.close(socket)?;
        let s = self.net.stats().map_err(err("stats"))?;
        println!(
            self.console,
            "net: stack: {} sent, {} delivered, {} to unbound ports, {} queue full, {} filtered, {} malformed",
            s.udp_sent,
            s.udp_delivered,
            s.udp_no_port,
            s.udp_queue_full,
            s.udp_filtered,
            s.udp_malformed
        );
        Ok(())
    }

    /// Sends `data` to the echo server and checks it comes back whole.
    fn round_trip(&self, socket: &UdpSocket, data: &[u8]) -> Result<(), String> {
        socket.send_to(ECHO, data).map_err(err("sendTo"))?;
        let mut buf = vec![0u8; MAX_PAYLOAD];
        match socket
            .recv_from(&mut buf, RecvWait::For(REPLY_WAIT))
            .map_err(err("recvFrom"))?
        {
            Recv::Datagram {
                len,
                from,
                truncated: false,
            } if from == ECHO && buf[..len] == *data => Ok(()),
            other => Err(format!("echo of {} bytes: got {other:?}", data.len())),
        }
    }

    fn echo(&self, socket: &UdpSocket) -> Result<(), String> {
        for i in 0..5 {
            self.round_trip(socket, format!("ping {i}").as_bytes())?;
        }
        let big: alloc::vec::Vec<u8> = (0..MAX_PAYLOAD).map(|i| (i * 7) as u8).collect();
        self.round_trip(socket, &big)?;
        println!(
            self.console,
            "net: echo: 5 round trips and one of {MAX_PAYLOAD} bytes through {}",
            show(ECHO)
        );
        match socket.send_to(ECHO, &vec![0u8; MAX_PAYLOAD + 1]) {
            Err(Error::Application {
                kind: ExceptionType::Failed,
                reason,
            }) => println!(self.console, "net: oversized datagram refused: {reason}"),
            other => return Err(format!("a {}-byte datagram: {other:?}", MAX_PAYLOAD + 1)),
        }
        Ok(())
    }

    /// A receive waiting forever is in flight while other calls on the
    /// same ring complete; the echo then completes it.
    fn waits_without_stalling(&self, socket: &UdpSocket) -> Result<(), String> {
        let pending = socket
            .recv_from_async(64, RecvWait::Forever)
            .map_err(err("recvFrom"))?;
        for _ in 0..3 {
            self.timer.now().map_err(err("Timer.now"))?;
        }
        if pending.is_complete() {
            return Err("a receive completed with nothing sent".into());
        }
        socket.send_to(ECHO, b"late").map_err(err("sendTo"))?;
        let reply = pending.wait().map_err(err("waiting recvFrom"))?;
        let mut buf = [0u8; 64];
        match Recv::from_reply(&reply, &mut buf).map_err(err("recvFrom reply"))? {
            Recv::Datagram { len: 4, .. } if &buf[..4] == b"late" => {}
            other => return Err(format!("the waiting receive got {other:?}")),
        }
        println!(
            self.console,
            "net: a waiting receive let 3 other calls through, then got its datagram"
        );
        Ok(())
    }

    fn timeouts(&self, socket: &UdpSocket) -> Result<(), String> {
        let mut buf = [0u8; 64];
        let got = socket
            .recv_from(&mut buf, RecvWait::Never)
            .map_err(err("recvFrom"))?;
        if got != Recv::WouldBlock {
            return Err(format!("a non-waiting receive of nothing: {got:?}"));
        }
        let timeout = SECOND / 5;
        let start = self.timer.now().map_err(err("Timer.now"))?;
        let got = socket
            .recv_from(&mut buf, RecvWait::For(timeout))
            .map_err(err("recvFrom"))?;
        let waited = self.timer.now().map_err(err("Timer.now"))? - start;
        if got != Recv::TimedOut || waited < timeout {
            return Err(format!("a 200 ms receive: {got:?} after {waited} ns"));
        }
        println!(
            self.console,
            "net: recvFrom: wouldBlock without waiting; timed out after {} ms",
            waited / 1_000_000
        );
        Ok(())
    }

    fn readiness(&self, socket: &UdpSocket) -> Result<(), String> {
        let first = socket.ready_async().map_err(err("ready"))?;
        let second = socket.ready_async().map_err(err("ready"))?;
        let superseded = Readiness::from_reply(&first.wait().map_err(err("ready"))?)
            .map_err(err("ready reply"))?;
        if superseded.ready || superseded.hangup {
            return Err(format!("a superseded readiness wait said {superseded:?}"));
        }
        socket.send_to(ECHO, b"ready?").map_err(err("sendTo"))?;
        let ready = Readiness::from_reply(&second.wait().map_err(err("ready"))?)
            .map_err(err("ready reply"))?;
        if !ready.ready {
            return Err(format!("readiness after a datagram arrived: {ready:?}"));
        }
        let mut buf = [0u8; 16];
        socket
            .recv_from(&mut buf, RecvWait::Never)
            .map_err(err("recvFrom"))?;
        println!(
            self.console,
            "net: ready: a newer wait superseded the older; ready once a datagram was queued"
        );
        Ok(())
    }

    /// A manager narrowed to the echo server makes sockets that reach it
    /// and nothing else.
    fn narrowed(&self) -> Result<(), String> {
        let narrow = self.net.narrow(&[ECHO]).map_err(err("narrow"))?;
        let socket = narrow
            .create_udp_socket(0, &[])
            .map_err(err("narrowed createUdpSocket"))?;
        self.round_trip(&socket, b"narrowed")?;
        let elsewhere = UdpEndpoint {
            port: ECHO.port + 1,
            ..ECHO
        };
        match socket.send_to(elsewhere, b"escape") {
            Err(Error::Application {
                kind: ExceptionType::Failed,
                reason,
            }) => println!(
                self.console,
                "net: narrowed socket refused {}: {reason}",
                show(elsewhere)
            ),
            other => return Err(format!("a narrowed send elsewhere: {other:?}")),
        }
        match narrow.create_udp_socket(0, &[elsewhere]) {
            Err(Error::Application { reason, .. }) => println!(
                self.console,
                "net: narrowed manager refused to widen: {reason}"
            ),
            Ok(_) => return Err("a narrowed manager widened its set".into()),
            Err(e) => return Err(format!("widening: {e}")),
        }
        // Narrowing one socket directly through the unrestricted manager.
        let direct = self
            .net
            .create_udp_socket(0, &[ECHO])
            .map_err(err("createUdpSocket narrowed"))?;
        if direct.send_to(elsewhere, b"x").is_ok() {
            return Err("a socket narrowed at creation sent elsewhere".into());
        }
        self.round_trip(&direct, b"direct")?;
        Ok(())
    }

    /// The host sends datagrams to a guest port nobody bound; the stack
    /// drops and counts each.
    fn unbound_port_drops(&self, socket: &UdpSocket) -> Result<(), String> {
        const FLOOD: u64 = 20;
        let before = self.net.stats().map_err(err("stats"))?.udp_no_port;
        socket
            .send_to(ECHO, format!("flood {FLOOD}").as_bytes())
            .map_err(err("sendTo"))?;
        let mut buf = [0u8; 64];
        match socket
            .recv_from(&mut buf, RecvWait::For(REPLY_WAIT))
            .map_err(err("recvFrom"))?
        {
            Recv::Datagram { len, .. } if buf[..len].starts_with(b"flooded") => {}
            other => return Err(format!("the flood's answer: {other:?}")),
        }
        // The flood and the answer travel different host sockets: wait
        // for the count to catch up.
        let mut dropped = 0;
        for _ in 0..100 {
            dropped = self.net.stats().map_err(err("stats"))?.udp_no_port - before;
            if dropped >= FLOOD {
                break;
            }
            self.timer.sleep(SECOND / 50).map_err(err("sleep"))?;
        }
        if dropped != FLOOD {
            return Err(format!(
                "{dropped} of {FLOOD} datagrams to an unbound port counted"
            ));
        }
        println!(
            self.console,
            "net: {dropped} datagrams to unbound port {UNBOUND_PORT} dropped and counted"
        );
        Ok(())
    }

    /// The echo server answers one request with more datagrams than a
    /// queue holds; the rest are dropped and counted.
    fn full_queue(&self) -> Result<(), String> {
        let burst = QUEUE_DATAGRAMS + 8;
        let socket = self
            .net
            .create_udp_socket(0, &[])
            .map_err(err("createUdpSocket"))?;
        socket
            .send_to(ECHO, format!("burst {burst}").as_bytes())
            .map_err(err("sendTo"))?;
        let mut stats = socket.stats().map_err(err("socket stats"))?;
        for _ in 0..100 {
            stats = socket.stats().map_err(err("socket stats"))?;
            if stats.received + stats.queue_full >= burst as u64 {
                break;
            }
            self.timer.sleep(SECOND / 50).map_err(err("sleep"))?;
        }
        if stats.queued as usize != QUEUE_DATAGRAMS || stats.queue_full != 8 {
            return Err(format!("a burst of {burst}: {stats:?}"));
        }
        println!(
            self.console,
            "net: a burst of {burst}: {} queued, {} dropped as the queue was full",
            stats.queued,
            stats.queue_full
        );
        Ok(())
    }

    fn refusals(&self) -> Result<(), String> {
        let a = self
            .net
            .create_udp_socket(40000, &[])
            .map_err(err("createUdpSocket 40000"))?;
        match self.net.create_udp_socket(40000, &[]) {
            Err(Error::Application {
                kind: ExceptionType::Failed,
                reason,
            }) => println!(self.console, "net: second bind refused: {reason}"),
            other => return Err(format!("binding a bound port: {:?}", other.map(|_| ()))),
        }
        drop(a);
        // The port is free again once the last holder let go.
        self.net
            .create_udp_socket(40000, &[])
            .map_err(err("rebinding 40000"))?;
        Ok(())
    }

    /// Closing answers a waiting receive with `disconnected`, and every
    /// later call too.
    fn close(&self, socket: UdpSocket) -> Result<(), String> {
        let pending = socket
            .recv_from_async(64, RecvWait::Forever)
            .map_err(err("recvFrom"))?;
        socket.close().map_err(err("close"))?;
        let disconnected = |r: Result<(), Error>| {
            matches!(
                r,
                Err(Error::Application {
                    kind: ExceptionType::Disconnected,
                    ..
                })
            )
        };
        if !disconnected(pending.wait().map(|_| ())) {
            return Err("a receive waiting across close did not fail".into());
        }
        if !disconnected(socket.send_to(ECHO, b"x")) {
            return Err("a send after close did not fail".into());
        }
        println!(
            self.console,
            "net: close: the waiting receive and later calls fail disconnected"
        );
        Ok(())
    }
}
