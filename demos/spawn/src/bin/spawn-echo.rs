//! An Endpoint server: takes calls on its "echo" export until told to quit.
//! Proves RECV/RETURN, capabilities moved back to a caller, a MemoryObject
//! mapped in two processes, and an exception returned for an unknown method.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::vec::Vec;
use capos_rt::{
    Console, Endpoint, ExceptionType, Incoming, MemoryObject, PROT_READ, PROT_WRITE, Runtime,
    Transfer, println,
};
use capos_schema::console::write_line_params;
use spawn_programs::echo;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let Ok(endpoint) = rt.take::<Endpoint>("echo") else {
        println!(console, "echo: FAIL no echo endpoint");
        return 1;
    };
    println!(console, "echo: serving");
    loop {
        let call = match endpoint.recv() {
            Ok(call) => call,
            Err(e) => {
                println!(console, "echo: FAIL recv: {e}");
                return 1;
            }
        };
        let method = call.method_id;
        if let Err(why) = serve(&console, &endpoint, call) {
            println!(console, "echo: FAIL method {method}: {why}");
            return 1;
        }
        if method == echo::QUIT {
            println!(console, "echo: quitting");
            return 0;
        }
    }
}

fn serve(
    console: &Console,
    endpoint: &Endpoint,
    mut call: Incoming,
) -> Result<(), alloc::string::String> {
    let id = call.call_id;
    match call.method_id {
        echo::ECHO => {
            let reader = call.params.reader().map_err(|e| format!("params: {e}"))?;
            let text = echo::text(reader).map_err(|e| format!("params: {e}"))?;
            let answer = format!("echo: {text}");
            endpoint
                .reply::<write_line_params::Owned>(
                    id,
                    |mut r| r.set_text(answer.as_str()),
                    Vec::new(),
                )
                .map_err(|e| format!("reply: {}", e.error))
        }
        echo::RETURN_CAPS => {
            let caps = core::mem::take(&mut call.caps);
            println!(
                console,
                "echo: got {} capabilities, moving them back",
                caps.len()
            );
            let transfers = caps
                .into_iter()
                .map(|c| Transfer::Move(c.into_cap()))
                .collect();
            endpoint
                .reply::<write_line_params::Owned>(id, |mut r| r.set_text("moved back"), transfers)
                .map_err(|e| format!("reply: {}", e.error))
        }
        echo::SHARED => {
            let object = call
                .caps
                .pop()
                .and_then(|c| c.into_client::<MemoryObject>().ok())
                .ok_or("no MemoryObject sent")?;
            let addr = object
                .map(0, PROT_READ | PROT_WRITE)
                .map_err(|e| format!("map: {e}"))?;
            let size = object.size().map_err(|e| format!("size: {e}"))? as usize;
            // SAFETY: the kernel mapped the whole object, `size` bytes, here.
            let bytes = unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, size) };
            let len = bytes.iter().position(|&b| b == 0).unwrap_or(0);
            let seen = alloc::string::String::from_utf8_lossy(&bytes[..len]).into_owned();
            let answer = format!("server saw: {seen}\0");
            bytes[echo::SHARED_REPLY_OFFSET..echo::SHARED_REPLY_OFFSET + answer.len()]
                .copy_from_slice(answer.as_bytes());
            println!(console, "echo: read {len} bytes from shared memory");
            endpoint
                .reply::<write_line_params::Owned>(id, |mut r| r.set_text("written"), Vec::new())
                .map_err(|e| format!("reply: {}", e.error))
        }
        echo::QUIT => endpoint
            .reply::<write_line_params::Owned>(id, |mut r| r.set_text("bye"), Vec::new())
            .map_err(|e| format!("reply: {}", e.error)),
        other => endpoint
            .reply_exception(
                id,
                ExceptionType::Unimplemented,
                &format!("no method {other}"),
            )
            .map_err(|e| format!("reply: {e}")),
    }
}
