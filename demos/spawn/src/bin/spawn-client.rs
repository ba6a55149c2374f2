//! A client of spawn-echo through the "echo" export init wired up. Proves
//! Endpoint calls, capabilities passed both ways by move and by copy, a
//! MemoryObject shared between the two processes, an exception from the
//! server, and CANCELLED once the server is gone.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use capos_abi::error::{CANCELLED, STALE_CAP};
use capos_rt::{
    CallRequest, Client, Console, EndpointClient, Error, ExceptionType, PROT_READ, PROT_WRITE,
    Runtime, Timer, Transfer, VirtualMemory, message, println,
};
use capos_schema::console::write_line_params;
use capos_schema::{interface_id, timer};
use spawn_programs::echo;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => {
            println!(console, "client: done");
            0
        }
        Err(why) => {
            println!(console, "client: FAIL {why}");
            1
        }
    }
}

fn say(
    server: &EndpointClient,
    method: u16,
    text: &str,
    transfers: alloc::vec::Vec<Transfer<'_>>,
) -> Result<capos_rt::Reply, Error> {
    server
        .call::<write_line_params::Owned>(method, |mut p| p.set_text(text), transfers)
        .map_err(|e| e.error)
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let timer = rt
        .take::<Timer>("timer")
        .map_err(|e| format!("timer: {e}"))?;
    let vm = rt
        .take::<VirtualMemory>("memory")
        .map_err(|e| format!("memory: {e}"))?;
    let server: EndpointClient = rt
        .take_any("echo")
        .map_err(|e| format!("echo: {e}"))?
        .into();
    if server.interface_id() != echo::INTERFACE {
        return Err(format!("echo export serves {:#x}", server.interface_id()));
    }

    let reply = say(&server, echo::ECHO, "hello", vec![]).map_err(|e| format!("echo: {e}"))?;
    let text =
        echo::text(reply.message().map_err(|e| format!("{e}"))?).map_err(|e| format!("{e}"))?;
    if text != "echo: hello" {
        return Err(format!("echo answered {text:?}"));
    }
    println!(console, "client: endpoint call ok ({text})");

    // The timer goes over by move, the console by copy; the server moves
    // both back.
    let old_timer_id = timer.cap().id();
    let mut reply = say(
        &server,
        echo::RETURN_CAPS,
        "take these",
        vec![
            Transfer::Move(timer.into_cap()),
            Transfer::Copy(console.cap()),
        ],
    )
    .map_err(|e| format!("return caps: {e}"))?;
    let mut caps = reply.take_caps();
    if caps.len() != 2 {
        return Err(format!("{} capabilities came back, not 2", caps.len()));
    }
    let copy = caps.pop().expect("two caps");
    let timer = caps
        .pop()
        .expect("two caps")
        .into_client::<Timer>()
        .map_err(|_| "the first capability back is not a Timer")?;
    timer
        .now()
        .map_err(|e| format!("the timer that came back: {e}"))?;
    Console::from_cap(copy.into_cap())
        .write_line("client: this line went through a console copied there and back")
        .map_err(|e| format!("console copy: {e}"))?;
    // The moved timer's old id is gone for good.
    let request = CallRequest {
        cap_id: old_timer_id,
        interface_id: interface_id::TIMER,
        method_id: 0,
        params: message::build::<timer::now_params::Owned>(|_| {}),
        result_bytes: 64,
    };
    let old = rt
        .ring()
        .call(request)
        .map_err(|e| format!("old timer id: {e}"))?;
    if old.cqe.result != STALE_CAP {
        return Err(format!(
            "the moved timer's old id answered {}",
            old.cqe.result
        ));
    }
    println!(
        console,
        "client: capabilities moved and copied both ways; old id refused (STALE_CAP)"
    );

    // Shared memory: write, send the object, read the server's answer.
    let object = vm
        .create_object(4096)
        .map_err(|e| format!("create object: {e}"))?;
    let addr = object
        .map(0, PROT_READ | PROT_WRITE)
        .map_err(|e| format!("map object: {e}"))?;
    // SAFETY: the kernel mapped the whole 4096-byte object at `addr`.
    let bytes = unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, 4096) };
    let message = b"hello through shared memory\0";
    bytes[..message.len()].copy_from_slice(message);
    say(
        &server,
        echo::SHARED,
        "look",
        vec![Transfer::Copy(object.cap())],
    )
    .map_err(|e| format!("shared: {e}"))?;
    let answer = &bytes[echo::SHARED_REPLY_OFFSET..];
    let end = answer.iter().position(|&b| b == 0).unwrap_or(0);
    // Owned: the memory is unmapped below, before the answer is printed.
    let answer = String::from_utf8_lossy(&answer[..end]).into_owned();
    if answer != "server saw: hello through shared memory" {
        return Err(format!("shared memory holds {answer:?}"));
    }
    vm.unmap(addr, 4096)
        .map_err(|e| format!("unmap object: {e}"))?;
    println!(console, "client: shared memory ok ({answer})");

    match say(&server, 77, "?", vec![]) {
        Err(Error::Application {
            kind: ExceptionType::Unimplemented,
            reason,
        }) => {
            println!(
                console,
                "client: unknown method raised an exception ({reason})"
            );
        }
        other => return Err(format!("unknown method gave {:?}", other.map(|_| ()))),
    }

    say(&server, echo::QUIT, "bye", vec![]).map_err(|e| format!("quit: {e}"))?;
    match say(&server, echo::ECHO, "anyone?", vec![]) {
        Err(Error::Transport(CANCELLED)) => {
            println!(
                console,
                "client: call after the server exited cancelled (CANCELLED)"
            );
        }
        other => {
            return Err(format!(
                "a call after the server quit gave {:?}",
                other.map(|_| ())
            ));
        }
    }
    Ok(())
}
