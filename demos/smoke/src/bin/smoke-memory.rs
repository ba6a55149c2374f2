//! VirtualMemory from the holder's side: map, use, protect, unmap and remap
//! anonymous memory; W^X and bad ranges are refused; allocating until
//! physical memory runs out gives an error and nothing is lost. Its last
//! act is a write to a read-only page, which must kill it with a page fault.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_rt::{
    Console, Error, ExceptionType, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, Runtime,
    VirtualMemory, println,
};

capos_rt::entry!(main);

const PAGE: u64 = 4096;
const CHUNK: u64 = 8 << 20;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let Ok(vm) = rt.take::<VirtualMemory>("memory") else {
        println!(console, "memory: FAIL no memory capability");
        return 1;
    };
    match run(&console, &vm) {
        Ok(read_only) => {
            println!(console, "memory: writing to a read-only page");
            // SAFETY: deliberately faulting: the page is mapped read-only.
            unsafe { core::ptr::write_volatile(read_only as *mut u64, 1) };
            println!(
                console,
                "memory: FAIL the write to a read-only page succeeded"
            );
            1
        }
        Err(why) => {
            println!(console, "memory: FAIL {why}");
            1
        }
    }
}

fn refused(result: Result<impl Sized, Error>, kind: ExceptionType) -> bool {
    matches!(result, Err(Error::Application { kind: k, .. }) if k == kind)
}

/// Returns the address of a read-only page for the final fault.
fn run(console: &Console, vm: &VirtualMemory) -> Result<u64, String> {
    let size = 16 * PAGE;
    let base = vm
        .map(0, size, PROT_READ | PROT_WRITE)
        .map_err(|e| format!("map: {e}"))?;
    let words = (size / 8) as usize;
    // SAFETY: the kernel just mapped `size` zeroed, writable bytes at `base`.
    let memory = unsafe { core::slice::from_raw_parts_mut(base as *mut u64, words) };
    if memory.iter().any(|&w| w != 0) {
        return Err("fresh memory is not zeroed".into());
    }
    for (i, w) in memory.iter_mut().enumerate() {
        *w = i as u64 ^ 0xa5a5;
    }
    if memory
        .iter()
        .enumerate()
        .any(|(i, &w)| w != i as u64 ^ 0xa5a5)
    {
        return Err("memory does not read back what was written".into());
    }
    println!(
        console,
        "memory: map and use ok ({size} bytes at {base:#x})"
    );

    vm.protect(base, PAGE, PROT_READ)
        .map_err(|e| format!("protect: {e}"))?;
    // A hole in the middle, then a map with that hole as hint fills it.
    let hole = base + 4 * PAGE;
    vm.unmap(hole, PAGE).map_err(|e| format!("unmap: {e}"))?;
    let again = vm
        .map(hole, PAGE, PROT_READ | PROT_WRITE)
        .map_err(|e| format!("remap: {e}"))?;
    if again != hole {
        return Err(format!("hint {hole:#x} not honoured (got {again:#x})"));
    }
    // SAFETY: `hole` was just mapped again, zeroed and writable.
    if unsafe { core::ptr::read_volatile(hole as *const u64) } != 0 {
        return Err("a remapped page kept old contents".into());
    }
    println!(console, "memory: protect, unmap and hinted remap ok");

    if !refused(
        vm.map(0, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC),
        ExceptionType::Failed,
    ) {
        return Err("a writable and executable mapping was not refused".into());
    }
    if !refused(
        vm.protect(base + size, PAGE, PROT_READ),
        ExceptionType::Failed,
    ) {
        return Err("protecting an unmapped range was not refused".into());
    }
    if !refused(vm.unmap(base + 1, PAGE), ExceptionType::Failed) {
        return Err("an unaligned unmap was not refused".into());
    }
    let guard = vm
        .map(0, PAGE, PROT_NONE)
        .map_err(|e| format!("PROT_NONE map: {e}"))?;
    println!(
        console,
        "memory: W^X, bad ranges refused; PROT_NONE page at {guard:#x}"
    );

    let mut chunks = Vec::new();
    let exhausted = loop {
        match vm.map(0, CHUNK, PROT_READ | PROT_WRITE) {
            Ok(addr) => chunks.push(addr),
            Err(e) => break e,
        }
    };
    if !matches!(
        exhausted,
        Error::Application {
            kind: ExceptionType::Overloaded,
            ..
        }
    ) {
        return Err(format!("running out of memory gave {exhausted}"));
    }
    let got = (chunks.len() as u64 * CHUNK) >> 20;
    for addr in chunks.drain(..) {
        vm.unmap(addr, CHUNK)
            .map_err(|e| format!("unmap after exhaustion: {e}"))?;
    }
    // Everything came back: the same amount can be mapped again.
    for _ in 0..got / (CHUNK >> 20) {
        chunks.push(
            vm.map(0, CHUNK, PROT_READ | PROT_WRITE)
                .map_err(|e| format!("map after recovery: {e}"))?,
        );
    }
    for addr in chunks {
        vm.unmap(addr, CHUNK)
            .map_err(|e| format!("final unmap: {e}"))?;
    }
    println!(
        console,
        "memory: out of memory after {got} MiB was an error; all of it came back"
    );
    Ok(base)
}
