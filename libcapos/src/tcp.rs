//! TCP: `capos_tcp_connect` and `capos_tcp_listen` through a
//! NetworkManager, `capos_tcp_accept` on a listener, and on a connection
//! `capos_tcp_send`, `capos_tcp_recv`, `capos_tcp_ready`,
//! `capos_tcp_shutdown`, `capos_tcp_addresses`, `capos_tcp_close` and
//! `capos_tcp_close_linger` (docs/interfaces/tcp-connection.md,
//! tcp-listener.md), over capos-rt's TcpConnection and TcpListener.
//! Endpoints are `capos_udp_endpoint`s: an IPv4 address and a port.
//!
//! Each outcome a C program branches on has a value of its own: nothing
//! to do under `CAPOS_TCP_NOWAIT` is `CAPOS_E_WOULD_BLOCK`, a wait whose
//! time ran out `CAPOS_E_TIMED_OUT`, a refused connection
//! `CAPOS_E_CONNECTION_REFUSED`, a reset one `CAPOS_E_CONNECTION_RESET`,
//! a send after the connection can no longer send (writing shut, closed,
//! failed) `CAPOS_E_DISCONNECTED`; the end of the stream is a receive of
//! 0 bytes, as read(2)'s.

use core::ffi::c_void;

use crate::error::{
    CAPOS_E_BAD_ARGUMENT, CAPOS_E_CONNECTION_REFUSED, CAPOS_E_CONNECTION_RESET,
    CAPOS_E_DISCONNECTED, CAPOS_E_TIMED_OUT, CAPOS_E_WOULD_BLOCK, CAPOS_OK, code, status,
};
use crate::ffi;
use crate::held::Held;
use crate::state::{self, State};
use crate::udp::capos_udp_endpoint;
use capos_rt::{Received, Sent, StreamWait, TcpConnection, TcpFailure, UdpEndpoint};

/// `flags` of send, receive, accept and connect: fail with
/// `CAPOS_E_WOULD_BLOCK` (or, for connect, return before the connection
/// is established) instead of waiting.
pub const CAPOS_TCP_NOWAIT: u32 = 1;
/// `flags` of `capos_tcp_recv`: leave the bytes for the next receive.
pub const CAPOS_TCP_PEEK: u32 = 2;

/// `how` of `capos_tcp_shutdown`: reading, writing (or both).
pub const CAPOS_TCP_SHUT_READ: u32 = 1;
pub const CAPOS_TCP_SHUT_WRITE: u32 = 2;

/// Bits of `capos_tcp_ready`'s `want` and of the state it stores: bytes
/// (or the end) to read, room to write.
pub const CAPOS_TCP_READABLE: u32 = 1;
pub const CAPOS_TCP_WRITABLE: u32 = 2;
/// Both directions are finished.
pub const CAPOS_TCP_HANGUP: u32 = 4;
/// The connection was established (at some point).
pub const CAPOS_TCP_ESTABLISHED: u32 = 8;

/// The most bytes one send takes; a sender loops, as with write(2).
pub const CAPOS_TCP_MAX_SEND: usize = 32 * 1024;

const _: () = assert!(CAPOS_TCP_MAX_SEND == capos_abi::tcp::MAX_SEND);

fn to_rt(e: capos_udp_endpoint) -> UdpEndpoint {
    UdpEndpoint {
        addr: e.addr,
        port: e.port,
    }
}

fn to_c(e: UdpEndpoint) -> capos_udp_endpoint {
    capos_udp_endpoint {
        addr: e.addr,
        port: e.port,
    }
}

/// The code of a connection's failure; None for an orderly end.
fn failure_code(f: TcpFailure) -> Option<i32> {
    match f {
        TcpFailure::None => None,
        TcpFailure::Refused => Some(CAPOS_E_CONNECTION_REFUSED),
        TcpFailure::Reset => Some(CAPOS_E_CONNECTION_RESET),
        TcpFailure::TimedOut => Some(CAPOS_E_TIMED_OUT),
        TcpFailure::Closed => Some(CAPOS_E_DISCONNECTED),
    }
}

/// How long a call may wait, from its `flags` (only `allowed` bits) and
/// `timeout_ns` (0: no limit).
fn wait_of(flags: u32, allowed: u32, timeout_ns: u64) -> Result<StreamWait, i32> {
    if flags & !allowed != 0 {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    Ok(match (flags & CAPOS_TCP_NOWAIT != 0, timeout_ns) {
        (true, _) => StreamWait::Never,
        (false, 0) => StreamWait::Forever,
        (false, ns) => StreamWait::For(ns),
    })
}

/// The state bits of a readiness answer.
fn state_bits(r: &capos_rt::StreamReadiness) -> u32 {
    let bit = |on: bool, b: u32| if on { b } else { 0 };
    bit(r.readable, CAPOS_TCP_READABLE)
        | bit(r.writable, CAPOS_TCP_WRITABLE)
        | bit(r.hangup, CAPOS_TCP_HANGUP)
        | bit(r.established, CAPOS_TCP_ESTABLISHED)
}

impl State {
    pub fn tcp_connect(&mut self, manager: u32, to: UdpEndpoint, wait: bool) -> Result<u32, i32> {
        let c = self
            .held
            .network(manager)?
            .tcp_connect(to)
            .map_err(|e| code(&e))?;
        if wait {
            established(&c)?;
        }
        Ok(self.held.insert(Held::Tcp(c)))
    }

    pub fn tcp_listen(&mut self, manager: u32, port: u16, backlog: u32) -> Result<u32, i32> {
        let l = self
            .held
            .network(manager)?
            .tcp_listen(port, backlog)
            .map_err(|e| code(&e))?;
        Ok(self.held.insert(Held::TcpListener(l)))
    }

    pub fn tcp_accept(&mut self, listener: u32, wait: bool) -> Result<u32, i32> {
        let l = self.held.tcp_listener(listener)?;
        loop {
            if let Some(c) = l.accept().map_err(|e| code(&e))? {
                return Ok(self.held.insert(Held::Tcp(c)));
            }
            if !wait {
                return Err(CAPOS_E_WOULD_BLOCK);
            }
            if l.ready().map_err(|e| code(&e))?.hangup {
                return Err(CAPOS_E_DISCONNECTED);
            }
        }
    }

    pub fn tcp_send(&self, conn: u32, data: &[u8], wait: StreamWait) -> Result<usize, i32> {
        match self
            .held
            .tcp(conn)?
            .send_for(data, wait)
            .map_err(|e| code(&e))?
        {
            Sent::Bytes(0) if !data.is_empty() => Err(CAPOS_E_WOULD_BLOCK),
            Sent::Bytes(n) => Ok(n),
            Sent::TimedOut => Err(CAPOS_E_TIMED_OUT),
        }
    }

    pub fn tcp_recv(
        &self,
        conn: u32,
        buf: &mut [u8],
        wait: StreamWait,
        peek: bool,
    ) -> Result<usize, i32> {
        match self
            .held
            .tcp(conn)?
            .receive(buf, wait, peek)
            .map_err(|e| code(&e))?
        {
            Received::Bytes(n) => Ok(n),
            Received::End(f) => failure_code(f).map_or(Ok(0), Err),
            Received::WouldBlock => Err(CAPOS_E_WOULD_BLOCK),
            Received::TimedOut => Err(CAPOS_E_TIMED_OUT),
        }
    }

    pub fn tcp_ready(&self, conn: u32, want: u32) -> Result<u32, i32> {
        if want & !(CAPOS_TCP_READABLE | CAPOS_TCP_WRITABLE) != 0 {
            return Err(CAPOS_E_BAD_ARGUMENT);
        }
        let r = self
            .held
            .tcp(conn)?
            .ready(
                want & CAPOS_TCP_READABLE != 0,
                want & CAPOS_TCP_WRITABLE != 0,
            )
            .map_err(|e| code(&e))?;
        match failure_code(r.failure) {
            Some(f) if f != CAPOS_E_DISCONNECTED => Err(f),
            _ => Ok(state_bits(&r)),
        }
    }

    pub fn tcp_shutdown(&self, conn: u32, how: u32) -> Result<(), i32> {
        let all = CAPOS_TCP_SHUT_READ | CAPOS_TCP_SHUT_WRITE;
        if how == 0 || how & !all != 0 {
            return Err(CAPOS_E_BAD_ARGUMENT);
        }
        self.held
            .tcp(conn)?
            .shutdown(
                how & CAPOS_TCP_SHUT_READ != 0,
                how & CAPOS_TCP_SHUT_WRITE != 0,
            )
            .map_err(|e| code(&e))
    }

    pub fn tcp_addresses(&self, conn: u32) -> Result<(UdpEndpoint, UdpEndpoint), i32> {
        self.held.tcp(conn)?.addresses().map_err(|e| code(&e))
    }

    pub fn tcp_close(&self, conn: u32) -> Result<(), i32> {
        self.held.tcp(conn)?.close().map_err(|e| code(&e))
    }

    pub fn tcp_close_linger(&self, conn: u32, abort: bool, timeout_ns: u64) -> Result<bool, i32> {
        self.held
            .tcp(conn)?
            .close_linger(abort, timeout_ns)
            .map_err(|e| code(&e))
    }

    pub fn tcp_listener_address(&self, listener: u32) -> Result<UdpEndpoint, i32> {
        self.held
            .tcp_listener(listener)?
            .local_address()
            .map_err(|e| code(&e))
    }

    pub fn tcp_listener_close(&self, listener: u32) -> Result<(), i32> {
        self.held
            .tcp_listener(listener)?
            .close()
            .map_err(|e| code(&e))
    }
}

/// Waits until `c` is established, or fails with why it never will be.
fn established(c: &TcpConnection) -> Result<(), i32> {
    let r = c.ready(false, true).map_err(|e| code(&e))?;
    match failure_code(r.failure) {
        Some(f) => Err(f),
        None if r.established => Ok(()),
        None => Err(CAPOS_E_DISCONNECTED),
    }
}

/// Connects through the NetworkManager `manager` to `*to` (not NULL) and
/// stores the TcpConnection's id at `out_connection` (not NULL). With
/// `flags` 0 it waits until the connection is established; with
/// `CAPOS_TCP_NOWAIT` it returns at once and `capos_tcp_ready` with
/// `CAPOS_TCP_WRITABLE` waits for it.
///
/// Returns 0, `CAPOS_E_CONNECTION_REFUSED`, `CAPOS_E_TIMED_OUT` (no answer
/// in the kernel's minute), `CAPOS_E_BAD_ARGUMENT` (a NULL pointer, a
/// reserved flag), `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`,
/// `CAPOS_E_APPLICATION` (a destination outside a narrowed manager's set,
/// no network device, no free socket, the quota is full) or a transport
/// code. A failed connection is released, not stored.
///
/// # Safety
/// `to` must be readable; `out_connection` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_connect(
    manager: u32,
    to: *const capos_udp_endpoint,
    flags: u32,
    out_connection: *mut u32,
) -> i32 {
    if to.is_null() || out_connection.is_null() || flags & !CAPOS_TCP_NOWAIT != 0 {
        return CAPOS_E_BAD_ARGUMENT;
    }
    // SAFETY: non-NULL and readable per the contract.
    let to = to_rt(unsafe { to.read() });
    let wait = flags & CAPOS_TCP_NOWAIT == 0;
    status(state::with(|s| s.tcp_connect(manager, to, wait)).map(|id| {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { ffi::store(out_connection, id) }
    }))
}

/// Listens through the NetworkManager `manager` on `port` (0: any free
/// one; `capos_tcp_listener_address` says which) with room for `backlog`
/// connections waiting to be accepted (0: the kernel's default), and
/// stores the TcpListener's id at `out_listener` (not NULL).
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE`, `CAPOS_E_APPLICATION` (the port is taken or
/// outside a narrowed manager's, no network device, the quota is full) or
/// a transport code.
///
/// # Safety
/// `out_listener` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_listen(
    manager: u32,
    port: u16,
    backlog: u32,
    out_listener: *mut u32,
) -> i32 {
    if out_listener.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    status(
        state::with(|s| s.tcp_listen(manager, port, backlog)).map(|id| {
            // SAFETY: non-NULL and writable per the contract.
            unsafe { ffi::store(out_listener, id) }
        }),
    )
}

/// Takes the oldest established connection of the TcpListener `listener`
/// and stores its id at `out_connection` (not NULL). With `flags` 0 it
/// waits for one; with `CAPOS_TCP_NOWAIT` it fails with
/// `CAPOS_E_WOULD_BLOCK` when none waits.
///
/// Returns 0, `CAPOS_E_WOULD_BLOCK`, `CAPOS_E_DISCONNECTED` (the listener
/// was closed), `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE`, `CAPOS_E_APPLICATION` (the quota cannot hold
/// the connection) or a transport code.
///
/// # Safety
/// `out_connection` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_accept(
    listener: u32,
    flags: u32,
    out_connection: *mut u32,
) -> i32 {
    if out_connection.is_null() || flags & !CAPOS_TCP_NOWAIT != 0 {
        return CAPOS_E_BAD_ARGUMENT;
    }
    let wait = flags & CAPOS_TCP_NOWAIT == 0;
    status(state::with(|s| s.tcp_accept(listener, wait)).map(|id| {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { ffi::store(out_connection, id) }
    }))
}

/// Queues up to `len` bytes at `data` (at most `CAPOS_TCP_MAX_SEND`) on
/// the TcpConnection `connection` and stores how many at `out_sent` (may
/// be NULL): as much as the send buffer takes. With `flags` 0 it waits
/// for room when there is none, for `timeout_ns` at most when that is
/// above 0; with `CAPOS_TCP_NOWAIT` it fails with `CAPOS_E_WOULD_BLOCK`.
///
/// Returns 0, `CAPOS_E_WOULD_BLOCK`, `CAPOS_E_TIMED_OUT` (no room in
/// time; nothing queued), `CAPOS_E_DISCONNECTED` (writing shut, the
/// connection closed, reset or refused), `CAPOS_E_BAD_ARGUMENT`,
/// `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` or a transport code.
///
/// # Safety
/// `data` must be valid for `len` bytes (NULL if 0); `out_sent` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_send(
    connection: u32,
    data: *const c_void,
    len: usize,
    flags: u32,
    timeout_ns: u64,
    out_sent: *mut usize,
) -> i32 {
    let run = || {
        let wait = wait_of(flags, CAPOS_TCP_NOWAIT, timeout_ns)?;
        // SAFETY: valid for `len` bytes per the contract.
        let data = unsafe { ffi::bytes(data, len.min(CAPOS_TCP_MAX_SEND)) }?;
        state::with(|s| s.tcp_send(connection, data, wait))
    };
    let (n, rc) = match run() {
        Ok(n) => (n, CAPOS_OK),
        Err(rc) => (0, rc),
    };
    // SAFETY: NULL or writable per the contract.
    unsafe { ffi::store(out_sent, n) };
    rc
}

/// Receives up to `len` bytes from the TcpConnection `connection` into
/// `buf` and stores how many at `out_len` (may be NULL); 0 bytes is the
/// end of the stream. With `CAPOS_TCP_PEEK` the bytes stay for the next
/// receive. With `flags` free of `CAPOS_TCP_NOWAIT` it waits for data,
/// for `timeout_ns` at most when that is above 0.
///
/// Returns 0, `CAPOS_E_WOULD_BLOCK`, `CAPOS_E_TIMED_OUT`,
/// `CAPOS_E_CONNECTION_RESET`, `CAPOS_E_CONNECTION_REFUSED`,
/// `CAPOS_E_DISCONNECTED` (closed by another holder),
/// `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`,
/// `CAPOS_E_APPLICATION` (the quota cannot hold a waiting receive) or a
/// transport code.
///
/// # Safety
/// `buf` must be valid for `len` writable bytes (NULL if 0); `out_len`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_recv(
    connection: u32,
    buf: *mut c_void,
    len: usize,
    flags: u32,
    timeout_ns: u64,
    out_len: *mut usize,
) -> i32 {
    let run = || {
        let wait = wait_of(flags, CAPOS_TCP_NOWAIT | CAPOS_TCP_PEEK, timeout_ns)?;
        // SAFETY: valid for `len` writable bytes per the contract.
        let buf = unsafe { ffi::bytes_mut(buf, len) }?;
        state::with(|s| s.tcp_recv(connection, buf, wait, flags & CAPOS_TCP_PEEK != 0))
    };
    let (n, rc) = match run() {
        Ok(n) => (n, CAPOS_OK),
        Err(rc) => (0, rc),
    };
    // SAFETY: NULL or writable per the contract.
    unsafe { ffi::store(out_len, n) };
    rc
}

/// Waits until the TcpConnection `connection` is as `want` asks
/// (`CAPOS_TCP_READABLE`, `CAPOS_TCP_WRITABLE`, or both: either), or both
/// its directions are finished, and stores its state at `out_state` (may
/// be NULL): those bits and `CAPOS_TCP_HANGUP`, `CAPOS_TCP_ESTABLISHED`.
/// `want` 0 waits for the hang-up alone.
///
/// Returns 0, `CAPOS_E_CONNECTION_REFUSED`, `CAPOS_E_CONNECTION_RESET`,
/// `CAPOS_E_TIMED_OUT` (the connection's, not a wait's),
/// `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`
/// or a transport code.
///
/// # Safety
/// `out_state` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_ready(connection: u32, want: u32, out_state: *mut u32) -> i32 {
    let got = state::with(|s| s.tcp_ready(connection, want));
    // SAFETY: NULL or writable per the contract.
    unsafe { ffi::store(out_state, *got.as_ref().unwrap_or(&0)) };
    status(got.map(drop))
}

/// Shuts reading (`CAPOS_TCP_SHUT_READ`: later receives see the end),
/// writing (`CAPOS_TCP_SHUT_WRITE`: a FIN follows what is queued) or both
/// of the TcpConnection `connection`, for every holder.
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT` (`how` 0 or a reserved bit),
/// `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`, `CAPOS_E_DISCONNECTED`
/// (closed) or a transport code.
#[unsafe(no_mangle)]
pub extern "C" fn capos_tcp_shutdown(connection: u32, how: u32) -> i32 {
    status(state::with(|s| s.tcp_shutdown(connection, how)))
}

/// Stores the TcpConnection `connection`'s local and peer address and
/// port at `out_local` and `out_peer` (each may be NULL).
///
/// Returns 0, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`,
/// `CAPOS_E_DISCONNECTED` (closed) or a transport code.
///
/// # Safety
/// `out_local` and `out_peer` must each be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_addresses(
    connection: u32,
    out_local: *mut capos_udp_endpoint,
    out_peer: *mut capos_udp_endpoint,
) -> i32 {
    status(
        state::with(|s| s.tcp_addresses(connection)).map(|(local, peer)| {
            // SAFETY: each NULL or writable per the contract.
            unsafe {
                ffi::store(out_local, to_c(local));
                ffi::store(out_peer, to_c(peer));
            }
        }),
    )
}

/// Closes the TcpConnection `connection` for every holder: queued bytes
/// still go out, then a FIN; unread bytes make it a reset, as on Linux.
/// Waiting calls fail with `CAPOS_E_DISCONNECTED`. The id stays held
/// until `capos_release`.
///
/// Returns 0, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` or a transport
/// code.
#[unsafe(no_mangle)]
pub extern "C" fn capos_tcp_close(connection: u32) -> i32 {
    status(state::with(|s| s.tcp_close(connection)))
}

/// Closes the TcpConnection `connection` for every holder as SO_LINGER
/// does: with `abort` not 0, at once with a reset (RST), queued bytes
/// dropped; otherwise waits until the peer has acknowledged everything
/// sent and the FIN (`*out_finished` 1) or `timeout_ns` has passed (0: no
/// limit; `*out_finished` 0, and the close goes on without the caller).
/// `out_finished` may be NULL.
///
/// Returns 0, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` or a transport
/// code.
///
/// # Safety
/// `out_finished` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_close_linger(
    connection: u32,
    abort: u32,
    timeout_ns: u64,
    out_finished: *mut u32,
) -> i32 {
    status(
        state::with(|s| s.tcp_close_linger(connection, abort != 0, timeout_ns)).map(|done| {
            // SAFETY: NULL or writable per the contract.
            unsafe { ffi::store(out_finished, u32::from(done)) }
        }),
    )
}

/// Stores the address and port the TcpListener `listener` listens on at
/// `out` (not NULL).
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE`, `CAPOS_E_DISCONNECTED` (closed) or a
/// transport code.
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_tcp_listener_address(
    listener: u32,
    out: *mut capos_udp_endpoint,
) -> i32 {
    if out.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    status(state::with(|s| s.tcp_listener_address(listener)).map(|e| {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { ffi::store(out, to_c(e)) }
    }))
}

/// Stops the TcpListener `listener` for every holder: connections not yet
/// accepted are reset, a waiting accept fails with
/// `CAPOS_E_DISCONNECTED`. The id stays held until `capos_release`.
///
/// Returns 0, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` or a transport
/// code.
#[unsafe(no_mangle)]
pub extern "C" fn capos_tcp_listener_close(listener: u32) -> i32 {
    status(state::with(|s| s.tcp_listener_close(listener)))
}

#[cfg(test)]
mod tests;
