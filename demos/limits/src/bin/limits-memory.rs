//! Case 2, memory objects, mappings and page tables. Run as the "memory"
//! service: MemoryObjects are created until a quota refuses one, then
//! one-page anonymous mappings 1 GiB apart, each needing page tables of its
//! own, until a quota refuses one. Each time, giving everything back must
//! make room for exactly as many again: the charges came back.
//!
//! Then a MemoryObject mapping with an anonymous page placed in a hole of
//! it: releasing the object and unmapping that page must leave the
//! object's other page mapped, with its frame, and never hand the frame
//! to anything else.
//!
//! Run with the argument "records" (the "records" service, with a small
//! kernel-memory quota): one-page mappings side by side, which need few
//! page tables, until the kernel-memory quota for their records (96 bytes
//! each) refuses one.
//!
//! One line per part, "memory: ..."; "memory: FAIL ..." and exit code 1
//! if a refusal is not a quota's or the second round does not fit.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_abi::layout::PAGE_SIZE;
use capos_abi::vm::VM_BASE;
use capos_rt::{
    Client, Console, DecodeError, Error, PROT_READ, PROT_WRITE, Runtime, VirtualMemory, println,
};
use limits_programs::quota_reason;

capos_rt::entry!(main);

const OBJECT_BYTES: u64 = 256 * 1024;
/// Far enough apart that every mapping needs its own page directory and
/// page table (VM_BASE is 1 GiB aligned).
const STRIDE: u64 = 1 << 30;
/// More than any quota here allows: a loop that never ends is a failure.
const RUNAWAY: usize = 100_000;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let Ok(vm) = rt.take::<VirtualMemory>("memory") else {
        println!(console, "memory: FAIL no memory capability");
        return 1;
    };
    let records_only = rt.args().iter().nth(1) == Some(b"records");
    let result = if records_only {
        records(&vm, &console)
    } else {
        objects(&vm, &console)
            .and_then(|()| mappings(&vm, &console))
            .and_then(|()| hole(&vm, &console))
    };
    match result {
        Ok(()) => 0,
        Err(why) => {
            println!(console, "memory: FAIL {why}");
            1
        }
    }
}

fn objects(vm: &VirtualMemory, console: &Console) -> Result<(), String> {
    let mut held = Vec::new();
    let refusal = loop {
        match vm.create_object(OBJECT_BYTES) {
            Ok(object) => held.push(object),
            Err(e) => break e,
        }
        if held.len() > RUNAWAY {
            return Err("createObject never refused".into());
        }
    };
    let reason = quota_reason("createObject", refusal)?;
    let count = held.len();
    // Dropping them queues their RELEASEs ahead of the next call.
    drop(held);
    let again = (0..count)
        .map(|_| vm.create_object(OBJECT_BYTES))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("creating {count} objects again: {e}"))?;
    drop(again);
    println!(
        console,
        "memory: {count} MemoryObjects of 256 KiB, the next refused ({reason}); all released, and {count} created again"
    );
    Ok(())
}

fn mappings(vm: &VirtualMemory, console: &Console) -> Result<(), String> {
    // The second round maps half a GiB further on: the same page
    // directories, but new page tables, so it fits only if the tables the
    // first round emptied are given back.
    let at = |round: u64, i: usize| VM_BASE + i as u64 * STRIDE + round * (STRIDE / 2);
    let map_in = |round: u64, i: usize| -> Result<(), Error> {
        let addr = vm.map(at(round, i), PAGE_SIZE, PROT_READ | PROT_WRITE)?;
        if addr != at(round, i) {
            // The hint is free, so the kernel must use it.
            return Err(Error::Decode(DecodeError::Contract(
                "map ignored a free hint",
            )));
        }
        // SAFETY: the kernel just mapped this page read-write for us.
        unsafe { core::ptr::write_volatile(addr as *mut u64, i as u64) };
        Ok(())
    };
    let map = |i: usize| map_in(0, i);
    let mut count = 0;
    let refusal = loop {
        if let Err(e) = map(count) {
            break e;
        }
        count += 1;
        if count > RUNAWAY {
            return Err("map never refused".into());
        }
    };
    let reason = quota_reason("map", refusal)?;
    for i in 0..count {
        vm.unmap(at(0, i), PAGE_SIZE)
            .map_err(|e| format!("unmap {i}: {e}"))?;
    }
    for i in 0..count {
        map_in(1, i).map_err(|e| {
            format!("mapping {i} at new addresses after unmapping all (empty page tables not reclaimed?): {e}")
        })?;
    }
    quota_reason(
        "map after the second round",
        map_in(1, count)
            .err()
            .ok_or("map past the quota accepted")?,
    )?;
    println!(
        console,
        "memory: {count} one-page mappings 1 GiB apart, each with its own page tables, the next refused ({reason}); all unmapped, and {count} mapped again at new addresses needing new page tables"
    );
    for i in 0..count {
        vm.unmap(at(1, i), PAGE_SIZE)
            .map_err(|e| format!("unmap {i} again: {e}"))?;
    }
    Ok(())
}

/// One-page mappings side by side need few page tables, so the
/// kernel-memory quota (a record per range) runs out before memory does.
fn records(vm: &VirtualMemory, console: &Console) -> Result<(), String> {
    let map = || vm.map(0, PAGE_SIZE, PROT_READ | PROT_WRITE);
    let mut mapped = Vec::new();
    let refusal = loop {
        match map() {
            Ok(addr) => mapped.push(addr),
            Err(e) => break e,
        }
        if mapped.len() > RUNAWAY {
            return Err("map never refused".into());
        }
    };
    let reason = quota_reason("map", refusal)?;
    if !reason.starts_with("kernel memory") {
        return Err(format!("memory ran out before kernel memory: {reason}"));
    }
    let count = mapped.len();
    // Unmapping whole ranges never needs a new record, so it must work
    // with the kernel-memory quota full.
    for &addr in &mapped {
        vm.unmap(addr, PAGE_SIZE)
            .map_err(|e| format!("unmap at the kernel-memory quota: {e}"))?;
    }
    for i in 0..count {
        map().map_err(|e| format!("mapping {i} again after unmapping all: {e}"))?;
    }
    println!(
        console,
        "memory: {count} one-page mappings side by side, the next refused ({reason}); all unmapped, and {count} mapped again"
    );
    Ok(())
}

/// A frame of a MemoryObject must stay with its mapping until that very
/// mapping is gone, even when an anonymous page sits in a hole of it (the
/// in-guest fuzzer found the kernel once counting such a page as the
/// object's and freeing the object's frames while still mapped).
fn hole(vm: &VirtualMemory, console: &Console) -> Result<(), String> {
    const MARK: u64 = 0x0b1e_c7ed;
    let err = |what: &'static str| move |e: Error| format!("hole: {what}: {e}");
    let object = vm
        .create_object(2 * PAGE_SIZE)
        .map_err(err("createObject"))?;
    let at = object
        .map(0, PROT_READ | PROT_WRITE)
        .map_err(err("map the object"))?;
    let kept = (at + PAGE_SIZE) as *mut u64;
    // SAFETY: the object's second page is mapped read-write at `kept`.
    unsafe { kept.write_volatile(MARK) };
    vm.unmap(at, PAGE_SIZE)
        .map_err(err("unmap the first page"))?;
    let anon = vm
        .map(at, PAGE_SIZE, PROT_READ | PROT_WRITE)
        .map_err(err("map into the hole"))?;
    if anon != at {
        return Err(format!(
            "hole: the free hint {at:#x} was not used ({anon:#x})"
        ));
    }
    object.into_cap().release().map_err(err("release"))?;
    vm.unmap(anon, PAGE_SIZE)
        .map_err(err("unmap the hole's page"))?;
    // Fresh pages get freed frames first; none of them may be the object's.
    for round in 0..16u64 {
        let fresh = vm
            .map(0, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE)
            .map_err(err("map fresh pages"))?;
        for page in 0..64 {
            // SAFETY: the 64 pages at `fresh` were just mapped read-write.
            unsafe { ((fresh + page * PAGE_SIZE) as *mut u64).write_volatile(round) };
        }
        // SAFETY: the object's second page is still mapped at `kept`.
        let seen = unsafe { kept.read_volatile() };
        if seen != MARK {
            return Err(format!(
                "hole: the object's page reads {seen:#x}: its frame was freed while mapped"
            ));
        }
        vm.unmap(fresh, 64 * PAGE_SIZE)
            .map_err(err("unmap fresh pages"))?;
    }
    vm.unmap(at + PAGE_SIZE, PAGE_SIZE)
        .map_err(err("unmap the object's last page"))?;
    println!(
        console,
        "memory: an anonymous page in a hole of a MemoryObject mapping left the object's other page and frame alone"
    );
    Ok(())
}
