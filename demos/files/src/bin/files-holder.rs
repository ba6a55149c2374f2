//! Dies by a page fault with files open: 64 KiB in a file it unlinked (so
//! only its capability keeps the data), plus the directory and a second
//! file. The kernel must free all of it with the process: files-smoke
//! checks the store's space came back.

#![no_std]
#![no_main]

use capos_rt::{Console, Namespace, OpenOptions, Runtime, println};

capos_rt::entry!(main);

static CHUNK: [u8; 32 * 1024] = [0x5a; 32 * 1024];

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let ns = Namespace::from_capset(&mut rt);
    let create = OpenOptions {
        create: true,
        ..OpenOptions::default()
    };
    let held = match ns.open_file(b"/tmp/held", create) {
        Ok(f) => f,
        Err(e) => {
            println!(console, "holder: FAIL: open /tmp/held: {e}");
            return 1;
        }
    };
    for i in 0..2 {
        if held.write(i * CHUNK.len() as u64, &CHUNK)
            != Ok((CHUNK.len(), (i + 1) * CHUNK.len() as u64))
        {
            println!(console, "holder: FAIL: writing /tmp/held");
            return 1;
        }
    }
    let (Ok(()), Ok(dir), Ok(other)) = (
        ns.unlink(b"/tmp/held"),
        ns.open_dir(b"/tmp"),
        ns.open_file(b"/tmp/held-2", create),
    ) else {
        println!(console, "holder: FAIL: unlink or open");
        return 1;
    };
    println!(
        console,
        "holder: 64 KiB in an unlinked file, 3 files and directories open; faulting"
    );
    // Kept to the end: the fault, not a drop, must end them.
    let _open = (held, dir, other);
    // SAFETY: deliberately invalid: the page at 0 is never mapped.
    unsafe { core::ptr::write_volatile(0x10 as *mut u64, 1) };
    1
}
